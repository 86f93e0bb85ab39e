"""Many learners on one server (``make bench`` or ``python -m helpers.bench_room``).

A workshop server runs one kernel per learner, and every learner's first cell
starts a lab. This benchmark starts N separate Python processes at once; each
imports the course, starts a lab, delivers one message over verified
STARTTLS, and then holds its lab until all N have delivered, so the labs
really run side by side (their ports are compared for collisions). It
reports per-process import and lab-start times, peak memory (RSS) and
failures, and the server size that follows. A benchmark, not a test: it
reports and never fails on a slow machine.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_CHILD = r"""
import json, os, resource, sys, time
from pathlib import Path
t0 = time.perf_counter()
from helpers import smtp
from helpers.lab import Lab
t1 = time.perf_counter()
barrier, n, me = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
out = {"import_s": t1 - t0, "ok": False}
try:
    lab = Lab.start(seed=1)
    t2 = time.perf_counter()
    sent = smtp.deliver("mx1.example.com", lab.net, "Subject: room\r\n\r\nhello\r\n",
                        sender="a@sender.example", recipients=["bob@example.com"])
    t3 = time.perf_counter()
    d = lab.describe()
    ports = [d["dns"]["port"]] + [p for h in d["hosts"].values()
                                  for k, p in h.items() if k in ("smtp", "https")]
    out.update(start_s=t2 - t1, deliver_s=t3 - t2, ok=bool(sent.accepted and sent.transcript.tls
               and sent.transcript.tls.verified), error=sent.error, ports=sorted(set(ports)))
    (barrier / me).write_text("delivered")
    deadline = time.monotonic() + 300
    while len(list(barrier.iterdir())) < n and time.monotonic() < deadline:
        time.sleep(0.05)
    out["all_running"] = len(list(barrier.iterdir())) >= n
    lab.stop()
except Exception as e:
    out["error"] = repr(e)
    (barrier / me).write_text("failed")
out["rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def run_room(n: int) -> dict:
    """Start ``n`` learner processes at once; return the measurements."""
    with tempfile.TemporaryDirectory(prefix="bench-room-") as tmp:
        barrier = Path(tmp)
        t = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-c", _CHILD, str(barrier), str(n), str(i)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for i in range(n)]
        results = []
        for p in procs:
            try:
                stdout, stderr = p.communicate(timeout=600)
                results.append(json.loads(stdout.strip().splitlines()[-1]))
            except Exception as e:  # a crashed or hung learner is a failure, not a crash here
                p.kill()
                results.append({"ok": False, "error": f"{e!r}"})
        wall = time.perf_counter() - t
    seen: dict[int, int] = {}
    for r in results:
        for port in r.get("ports", []):
            seen[port] = seen.get(port, 0) + 1
    return {"n": n, "wall_s": wall, "results": results,
            "delivered": sum(r.get("ok", False) for r in results),
            "collisions": sorted(p for p, c in seen.items() if c > 1),
            "side_by_side": all(r.get("all_running", False) for r in results)}


def _spread(values) -> str:
    if not values:
        return "-"
    return (f"median {statistics.median(values):.2f}, min {min(values):.2f}, "
            f"max {max(values):.2f}")


def report(room: dict) -> str:
    rs = room["results"]
    rss = [r["rss_mib"] for r in rs if "rss_mib" in r]
    lines = [
        f"N = {room['n']} learners at once, {os.cpu_count()} CPU cores: "
        f"{room['delivered']}/{room['n']} delivered over verified TLS, "
        f"port collisions: {len(room['collisions'])}, "
        f"labs running side by side: {'yes' if room['side_by_side'] else 'NO'}, "
        f"wall time {room['wall_s']:.1f} s",
        f"  import the course (s):  {_spread([r['import_s'] for r in rs if 'import_s' in r])}",
        f"  lab start (s):          {_spread([r['start_s'] for r in rs if 'start_s' in r])}",
        f"  one delivery (s):       {_spread([r['deliver_s'] for r in rs if 'deliver_s' in r])}",
        f"  peak RSS per process (MiB): {_spread(rss)}; all together "
        f"{sum(rss):.0f} MiB",
    ]
    failures = [r.get("error") for r in rs if not r.get("ok")]
    lines += [f"  failure: {e}" for e in failures[:5]]
    return "\n".join(lines)


def kernel_rss_mib(timeout: float = 120) -> float | None:
    """Resident memory of one real Jupyter kernel after a notebook's usual
    set-up (the course, matplotlib, ipywidgets, a running lab), or None."""
    try:
        from jupyter_client.manager import start_new_kernel
    except ImportError:
        return None
    km, kc = start_new_kernel(kernel_name="python3")
    try:
        kc.execute_interactive(
            "import matplotlib.pyplot, ipywidgets\n"
            "from helpers import figures, smtp\nfrom helpers.lab import Lab\n"
            "lab = Lab.start(seed=1)\n"
            "smtp.deliver('mx1.example.com', lab.net, 'Subject: x\\r\\n\\r\\nx\\r\\n',"
            " sender='a@sender.example', recipients=['bob@example.com'])",
            timeout=timeout, output_hook=lambda msg: None)
        pid = km.provisioner.process.pid
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return None
    except Exception:
        return None
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def main(argv: list[str] | None = None) -> int:
    sizes = [int(a) for a in (argv if argv is not None else sys.argv[1:])] or [10, 30]
    for n in sizes:
        print(report(run_room(n)), flush=True)
    rss = kernel_rss_mib()
    if rss is not None:
        print(f"one Jupyter kernel after a notebook's set-up (course, matplotlib, ipywidgets, "
              f"a lab, one delivery): {rss:.0f} MiB resident")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
