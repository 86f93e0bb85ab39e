"""Benchmark of the lab (``make bench`` or ``python -m helpers.bench``).

Measures, on this machine: lab start and stop, one STARTTLS delivery with a
verified certificate, one DNSSEC-validated TLSA lookup, and one domain
inspection with 50 ms added to every DNS answer, concurrent and one query after
another (the ratio is what concurrency buys). Prints the median
of several runs beside the course's targets. A benchmark, not a test: it
never fails on a slow machine, it reports.
"""

from __future__ import annotations

import statistics
import time

from helpers import smtp
from helpers.dnssec import SECURE, resolve
from helpers.lab import Lab

TARGETS_MS = {"lab start": 300, "lab stop": None, "STARTTLS delivery": 20,
              "validated TLSA lookup": 10}


def _timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def deliver(lab: Lab, host: str = "mx1.example.com") -> None:
    """One message over verified STARTTLS, as the course's client sends it."""
    sent = smtp.deliver(host, lab.net, "Subject: bench\r\n\r\nbenchmark message\r\n",
                        sender="bench@bench.test", recipients=["postmaster@example.com"])
    assert sent.accepted, sent.error


def main(runs: int = 20) -> int:
    results: dict[str, list[float]] = {"lab start": [], "lab stop": []}
    first = None
    for i in range(5):
        t = time.perf_counter()
        lab = Lab.start(seed=1)
        started = (time.perf_counter() - t) * 1000
        if i == 0:
            first = started  # includes building the PKI and zones once per process
        results["lab start"].append(started)
        t = time.perf_counter()
        lab.stop()
        results["lab stop"].append((time.perf_counter() - t) * 1000)
    with Lab(seed=1) as lab:
        results["STARTTLS delivery"] = _timed(lambda: deliver(lab), runs)
        lookup = resolve("_25._tcp.mx1.example.com", "TLSA", lab.net)
        assert lookup.status == SECURE, lookup
        results["validated TLSA lookup"] = _timed(
            lambda: resolve("_25._tcp.mx1.example.com", "TLSA", lab.net), runs)
    print(f"{'what':<24}{'median ms':>10}{'max ms':>10}{'target ms':>11}")
    for what, times in results.items():
        target = TARGETS_MS[what]
        print(f"{what:<24}{statistics.median(times):>10.1f}{max(times):>10.1f}"
              f"{(str(target) if target else '-'):>11}")
    print(f"(first lab start in this process, with PKI and zone signing: {first:.0f} ms)")
    with Lab(seed=1) as lab:
        print(inspection_concurrency(lab))
    return 0


def inspection_concurrency(lab: Lab, domain: str = "example.com", delay: float = 0.05,
                           runs: int = 3) -> str:
    """Inspect ``domain`` with ``delay`` seconds added to each DNS answer (a
    far-away resolver), concurrently and with the same queries one after
    another; the target is a ratio of at least 3."""
    from helpers import domain as inspector

    lab.dns.delay = delay
    try:
        times = {}
        for concurrent in (True, False):
            key = "concurrent" if concurrent else "one after another"
            times[key] = _timed(lambda: inspector.inspect(domain, lab.net, concurrent=concurrent),
                                runs)
    finally:
        lab.dns.delay = 0.0
    fast, slow = (statistics.median(times[k]) for k in ("concurrent", "one after another"))
    return (f"inspection of {domain}, {delay * 1000:.0f} ms per DNS answer: concurrent "
            f"{fast:.0f} ms, one after another {slow:.0f} ms, ratio {slow / fast:.1f} "
            f"(target 3 or more)")


if __name__ == "__main__":
    raise SystemExit(main())
