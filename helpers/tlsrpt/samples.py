"""The sample reports shipped in ``data/`` (described in ``data/README.md``)."""

from __future__ import annotations

import sys
from pathlib import Path

# In the course folder (an editable install, a clone) data/ sits beside
# helpers/; a non-editable install (a hub or Binder image) puts the samples
# under the environment's share/ (pyproject.toml's data-files).
_BESIDE = Path(__file__).resolve().parent.parent.parent / "data"
_INSTALLED = Path(sys.prefix) / "share" / "smtp-tls-course" / "data"
DATA = _BESIDE if _BESIDE.is_dir() or not _INSTALLED.is_dir() else _INSTALLED


def sample_path(name: str) -> Path:
    """Path of sample file ``name`` in ``data/``, wherever the notebook runs from."""
    path = DATA / name
    if not path.is_file():
        known = ", ".join(sorted(p.name for p in DATA.glob("tlsrpt-*")))
        raise FileNotFoundError(f"no sample {name!r} in {DATA}; there are: {known}")
    return path
