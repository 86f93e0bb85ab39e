"""Command line: ``python -m helpers lab [--seed N] [--json-file PATH]``.

``lab`` runs the course's offline lab in the foreground until interrupted
(Ctrl-C), prints where every server listens and which files to give to
``dig``, ``delv``, ``openssl`` and ``swaks``, and with ``--json-file`` writes
the same as JSON for scripts.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading


def _lab(args: argparse.Namespace) -> int:
    from helpers.lab import Lab, LabError

    try:
        lab = Lab.start(seed=args.seed, key_kind=args.key_kind)
    except (LabError, OSError) as e:
        print(f"error: the lab did not start: {e}", file=sys.stderr)
        return 1
    stop = threading.Event()
    # Both: a process started in the background inherits SIGINT ignored, so
    # set it explicitly for Ctrl-C to work wherever the lab was started.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        if args.json_file:
            lab.write_json(args.json_file)
        print(lab)
        print("\nDomains:")
        for s in lab.scenarios.values():
            print(f"  {s.domain:<28} {s.teaches}")
        print("\nTry, in another terminal:")
        print("  " + lab.commands().replace("\n", "\n  "))
        if args.json_file:
            print(f"\nWrote {args.json_file}")
        print("\nThe lab runs until you press Ctrl-C.", flush=True)
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        lab.stop()
        print("lab stopped", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers",
                                     description="Helpers of the SMTP transport security course.")
    sub = parser.add_subparsers(dest="command", required=True)
    lab = sub.add_parser("lab", help="run the offline lab until interrupted")
    lab.add_argument("--seed", type=int, default=1, help="seed for every key (default 1)")
    lab.add_argument("--key-kind", choices=("ec", "rsa"), default="ec",
                     help="key type of the MX certificates (default ec: P-256)")
    lab.add_argument("--json-file", help="also write hosts, ports and files as JSON here")
    lab.set_defaults(func=_lab)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
