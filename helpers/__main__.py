"""Command line of the course's helpers: ``python -m helpers COMMAND``.

- ``lab [--seed N] [--json-file PATH]`` runs the offline lab in the foreground
  until interrupted (Ctrl-C), prints where every server listens and which files
  to give to ``dig``, ``delv``, ``openssl`` and ``swaks``, and with
  ``--json-file`` writes the same as JSON for scripts.
- ``doctor [--offline]`` checks this environment (Python, packages, the lab,
  live DNS, outbound port 25) and says what to do about each problem.
- ``inspect DOMAIN ... [--lab [--seed N] [--keep-lab]] [--resolver ADDRESS] [--json]
  [--no-smtp]`` checks domains (live by default, through the system's resolver or
  ``--resolver``; ``--lab`` starts a lab, and with no DOMAIN inspects all
  of its domains; ``--keep-lab`` keeps it running until Ctrl-C, so that the
  commands printed can be run against it). Exit status 0: every check ran and none
  failed; 1: a check failed; 2: an inspection could not run; 3: none failed, but
  some could not be made from here (``skip``: port 25 blocked, ``--no-smtp``, a
  resolver that hides DNSSEC).
- ``notebooks [NAME ...]`` regenerates the notebooks after a helpers change;
  ``learner`` only regenerates the learner copies.
- ``start [--solutions | --copy-only] [JUPYTERLAB OPTION ...]`` copies the learner notebooks
  into ``my-work/`` (never overwriting one) and opens JupyterLab there;
  ``--solutions`` opens it on ``notebooks/`` instead (``make lab``);
  ``--copy-only`` only prepares ``my-work/`` (on a JupyterHub or Binder).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time


def _lab(args: argparse.Namespace) -> int:
    from helpers.lab import Lab, LabError

    try:
        lab = Lab.start(seed=args.seed, key_kind=args.key_kind,
                        standard_ports=args.standard_ports)
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


def _postfix_matrix(args: argparse.Namespace) -> int:
    from helpers.mta import conformance, postfix

    reason = postfix.missing()
    if reason:
        print(f"error: cannot run Postfix here: {reason}", file=sys.stderr)
        return 1
    try:
        cells, path = conformance.record_run(args.out, attacks=args.attacks or None,
                                             seed=args.seed)
    except (postfix.RigError, OSError, RuntimeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    unexplained = conformance.unexplained(cells)
    print(f"wrote {path}: {len(cells)} cells, {sum(c.agree for c in cells)} agree, "
          f"{len(unexplained)} differences without an explanation")
    for c in unexplained:
        print(f"  {c.setup} {c.domain} {c.attack}: Postfix {c.postfix}, course {c.course}")
    return 1 if unexplained else 0


def _doctor(args: argparse.Namespace) -> int:
    from helpers import doctor

    report = doctor.run(live=not args.offline)
    print(report)
    return 0 if report.ok else 1


def _notebooks(args: argparse.Namespace) -> int:
    from helpers import notebooks

    for path in notebooks.build(args.names, run=not args.no_run):
        print(f"wrote {path.relative_to(notebooks.ROOT)} (+ text twin, learner copy)")
    return 0


def _learner(args: argparse.Namespace) -> int:
    from helpers import notebooks

    for path in notebooks.write_learner():
        print(f"wrote {path.relative_to(notebooks.ROOT)}")
    return 0


def _resolver_network(text: str):
    """``Network.live`` through the resolver ``ADDRESS``, ``ADDRESS:PORT`` or ``[IPv6]:PORT``."""
    import ipaddress
    from dataclasses import replace

    from helpers.net import Network

    address, port = text, 53
    if text.startswith("["):
        address, _, rest = text[1:].partition("]")
        if rest:
            port = rest.removeprefix(":")
    elif text.count(":") == 1:
        address, port = text.split(":")
    try:
        ipaddress.ip_address(address)
        port = int(port)
        if not 0 < port < 65536:
            raise ValueError
    except ValueError:
        raise ValueError(f"{text!r} is not an IP address with an optional port "
                         "(e.g. 9.9.9.9 or 127.0.0.1:5353)") from None
    return replace(Network.live(address), dns_port=port)


def _inspect(args: argparse.Namespace) -> int:
    import json

    from helpers import domain
    from helpers.net import Network

    lab = None
    try:
        if args.lab:
            from helpers.lab import Lab, LabError
            try:
                lab = Lab(seed=args.seed).__enter__()
            except (LabError, OSError) as e:
                print(f"error: the lab did not start: {e}", file=sys.stderr)
                return 2
            net, names = lab.net, args.domains or list(lab.domains)
        else:
            if not args.domains:
                print("error: name at least one domain (or use --lab)", file=sys.stderr)
                return 2
            net, names = Network.live(), args.domains
            if args.resolver:
                try:
                    net = _resolver_network(args.resolver)
                except ValueError as e:
                    print(f"error: --resolver: {e}", file=sys.stderr)
                    return 2
        results = domain.inspect_many(names, net, smtp=not args.no_smtp)
        if args.json:
            print(json.dumps([json.loads(r.to_json()) for r in results], indent=1,
                             ensure_ascii=False))
        else:
            print("\n\n".join(str(r) for r in results))
            if len(results) > 1:
                print("\n" + str(domain.table(results)))
        if lab is not None and not args.json:
            if args.keep_lab:
                print(f"\nThe lab keeps running (DNS on {net.nameserver} port {net.dns_port}) "
                      "so that the commands above work; press Ctrl-C to stop it.", flush=True)
                try:
                    while True:
                        time.sleep(3600)
                except KeyboardInterrupt:
                    pass
            else:
                print("\nNote: the lab has stopped, so the commands above (its ports and "
                      "files) no longer answer; run with --keep-lab to keep it running "
                      "while you try them.")
    finally:
        if lab is not None:
            lab.stop()
    if any(r.error for r in results):
        return 2
    if not all(r.ok for r in results):
        return 1
    # Nothing failed, but not everything could be checked from here (port 25
    # blocked, --no-smtp, a resolver that hides DNSSEC): not a clean result.
    return 0 if all(r.complete for r in results) else 3
def _start(args: argparse.Namespace, extra: list[str]) -> int:
    from helpers import workspace

    if args.copy_only:
        print(workspace.prepare())
        return 0
    if args.solutions:
        import subprocess
        return subprocess.call(workspace.lab_command(workspace.ROOT / "notebooks", extra),
                               env=workspace.lab_environment())
    return workspace.start(extra)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers",
                                     description="Helpers of the SMTP transport security course.")
    sub = parser.add_subparsers(dest="command", required=True)
    lab = sub.add_parser("lab", help="run the offline lab until interrupted")
    lab.add_argument("--seed", type=int, default=1, help="seed for every key (default 1)")
    lab.add_argument("--key-kind", choices=("ec", "rsa"), default="ec",
                     help="key type of the MX certificates (default ec: P-256)")
    lab.add_argument("--json-file", help="also write hosts, ports and files as JSON here")
    lab.add_argument("--standard-ports", action="store_true",
                     help="every host at its own 127.0.x.y address on ports 25/443, DNS on "
                          "127.0.1.53:53, for a real MTA (needs root or CAP_NET_BIND_SERVICE)")
    lab.set_defaults(func=_lab)
    pfm = sub.add_parser("postfix-matrix", help="run Postfix against the lab beside the course's "
                                                "Sender and record the matrix (needs root, "
                                                "postfix, unbound, postfix-mta-sts-resolver)")
    pfm.add_argument("--out", default=None,
                     help="where to write the JSON (default: data/postfix-matrix.json)")
    pfm.add_argument("--attack", dest="attacks", action="append",
                     help="only this attack (repeatable; default: all of them)")
    pfm.add_argument("--seed", type=int, default=7, help="the lab's seed (default 7)")
    pfm.set_defaults(func=_postfix_matrix)
    doc = sub.add_parser("doctor", help="check this environment, with a hint for each problem")
    doc.add_argument("--offline", action="store_true", help="skip the checks that need the internet")
    doc.set_defaults(func=_doctor)
    nbs = sub.add_parser("notebooks", help="regenerate notebooks: navigation, outputs, "
                                           "text twins, learner copies")
    nbs.add_argument("names", nargs="*", help="execute only these (default: all)")
    nbs.add_argument("--no-run", action="store_true", help="do not execute, only regenerate")
    nbs.set_defaults(func=_notebooks)
    ins = sub.add_parser("inspect", help="check domains: MX, DNSSEC, DANE, STARTTLS, MTA-STS, "
                                         "TLS-RPT (never sends mail)")
    ins.add_argument("domains", nargs="*", metavar="DOMAIN", help="domains to inspect")
    ins.add_argument("--lab", action="store_true", help="start a lab and inspect there "
                                                         "(default: all its domains)")
    ins.add_argument("--seed", type=int, default=1, help="the lab's seed (default 1)")
    ins.add_argument("--resolver", metavar="ADDRESS[:PORT]", help="live: ask this DNS "
                     "resolver (e.g. 9.9.9.9) instead of the system's, when the system's "
                     "filters DNS or strips DNSSEC")
    ins.add_argument("--keep-lab", action="store_true", help="with --lab: keep the lab "
                     "running until Ctrl-C, so that the printed commands can be tried")
    ins.add_argument("--json", action="store_true", help="print the inspections as JSON")
    ins.add_argument("--no-smtp", action="store_true", help="skip the STARTTLS probes "
                                                            "(port 25 blocked here)")
    ins.set_defaults(func=_inspect)
    lrn = sub.add_parser("learner", help="regenerate notebooks/learner/ from the solutions")
    lrn.set_defaults(func=_learner)
    srt = sub.add_parser("start", help="copy the learner notebooks into my-work/ (never "
                                       "overwriting) and open JupyterLab there",
                         description="Copy the learner notebooks into my-work/ (a file already "
                                     "there is yours and is never overwritten), then open "
                                     "JupyterLab there. Other options go to JupyterLab.")
    srt.add_argument("--solutions", action="store_true",
                     help="open JupyterLab on notebooks/ (the solutions) instead")
    srt.add_argument("--copy-only", action="store_true",
                     help="only prepare my-work/, do not start JupyterLab (on a "
                          "JupyterHub or Binder, where JupyterLab already runs)")
    srt.set_defaults(func=_start)
    args, extra = parser.parse_known_args(argv)
    if args.command == "start":
        return args.func(args, extra)
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
