"""The sample reports shipped in ``data/`` (described in ``data/README.md``)."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent.parent.parent / "data"


def sample_path(name: str) -> Path:
    """Path of sample file ``name`` in ``data/``, wherever the notebook runs from."""
    path = DATA / name
    if not path.is_file():
        known = ", ".join(sorted(p.name for p in DATA.glob("tlsrpt-*")))
        raise FileNotFoundError(f"no sample {name!r} in {DATA}; there are: {known}")
    return path
