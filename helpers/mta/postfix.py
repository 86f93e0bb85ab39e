"""A real Postfix, a validating unbound and postfix-mta-sts-resolver, run
against a lab in standard-ports mode (``Lab(standard_ports=True)``).

``with PostfixRig(lab) as rig:`` writes the configuration of
:mod:`helpers.mta.config` into a folder of its own and starts

- ``unbound`` in the foreground, validating, at 127.0.1.54;
- ``mta-sts-daemon`` (the socketmap for MTA-STS) and a private Postfix
  instance (``postfix -c DIR start``), both inside a private mount namespace
  (``unshare -m``) where /etc/resolv.conf is the rig's file: the machine's own
  /etc/resolv.conf and /etc/postfix are never touched.

``rig.submit(setup, domain)`` hands a message to Postfix (``sendmail``) for
``SETUP@DOMAIN``; ``rig.wait(recipients)`` reads the log until each has a
final line (:mod:`helpers.mta.maillog`); ``rig.fresh()`` empties the queue and
every cache (resolver, policy daemon) between two cases. ``stop()`` (also on
any error inside the ``with``) stops Postfix, the daemon and unbound.

This needs root (mount namespaces, Postfix's own start-up) and the Debian
packages ``postfix`` and ``unbound``; :func:`missing` says what is absent.
"""

from __future__ import annotations

import atexit
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import config, maillog

_TIMEOUT = 30.0


class RigError(RuntimeError):
    """The Postfix rig could not do what was asked; the message says why."""


def _daemon_path() -> str | None:
    here = Path(sys.executable).parent / "mta-sts-daemon"
    return str(here) if here.exists() else shutil.which("mta-sts-daemon")


def missing() -> str:
    """Why the rig cannot run here ('' if it can)."""
    if os.geteuid() != 0:
        return "running Postfix against the lab needs root (mount namespace, postfix start)"
    for tool, package in (("postfix", "postfix"), ("sendmail", "postfix"),
                          ("unbound", "unbound"), ("unshare", "util-linux")):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            return f"{tool} is not installed (Debian package {package})"
    if _daemon_path() is None:
        return "mta-sts-daemon is not installed (pip install postfix-mta-sts-resolver)"
    try:
        pwd.getpwnam("postfix")
    except KeyError:
        return "there is no postfix user (install Debian's postfix package)"
    try:
        probe = subprocess.run(["unshare", "-m", "--propagation", "private", "true"],
                               capture_output=True, text=True, timeout=_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as e:
        probe = subprocess.CompletedProcess([], 1, "", str(e))
    if probe.returncode != 0:
        return ("no private mount namespace here (unshare -m: "
                f"{probe.stderr.strip() or 'failed'}): Postfix's resolv.conf needs one; "
                "run in a VM, or a container with CAP_SYS_ADMIN")
    return ""


def versions() -> dict[str, str]:
    """The versions of Postfix, unbound and postfix-mta-sts-resolver here."""
    out = {}
    run = subprocess.run(["postconf", "-h", "mail_version"], capture_output=True, text=True,
                         timeout=_TIMEOUT)
    out["postfix"] = run.stdout.strip()
    run = subprocess.run(["unbound", "-V"], capture_output=True, text=True, timeout=_TIMEOUT)
    out["unbound"] = run.stdout.split("\n", 1)[0].replace("Version", "").strip()
    try:
        from importlib.metadata import version
        out["postfix-mta-sts-resolver"] = version("postfix-mta-sts-resolver")
    except Exception:  # PackageNotFoundError: the daemon came from elsewhere
        out["postfix-mta-sts-resolver"] = "unknown"
    return out


def _in_namespace(resolv: Path, argv: list[str]) -> list[str]:
    """``argv`` in a private mount namespace whose /etc/resolv.conf is ``resolv``."""
    return ["unshare", "-m", "--propagation", "private", "--", "sh", "-c",
            'mount --bind "$0" /etc/resolv.conf && exec "$@"', str(resolv), *argv]


def _in_use(address: tuple[str, int]) -> bool:
    """Whether something already listens on TCP ``address`` (a rig left running?)."""
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(address) == 0


def _wait_port(address: tuple[str, int], timeout: float = 10.0) -> bool:
    """Whether something listens on TCP ``address`` within ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex(address) == 0:
                return True
        time.sleep(0.05)
    return False


class PostfixRig:
    """Postfix + unbound + postfix-mta-sts-resolver for ``lab`` (standard ports)."""

    def __init__(self, lab, directory: str | Path | None = None):
        if not getattr(lab, "standard_ports", False):
            raise RigError("the lab must run with standard_ports=True: Postfix connects to "
                           "port 25 of each MX host's own address")
        self.lab = lab
        self._own_dir = directory is None
        self.directory = Path(directory) if directory else None
        self._unbound: subprocess.Popen | None = None
        self._daemon: subprocess.Popen | None = None
        self._postfix_started = False
        self._log_offset = 0

    # -- paths ---------------------------------------------------------------------

    @property
    def etc(self) -> Path:
        return self.directory / "postfix" / "etc"

    @property
    def log_file(self) -> Path:
        return self.directory / "postfix" / "maillog"

    # -- life cycle ----------------------------------------------------------------

    def __enter__(self) -> "PostfixRig":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        reason = missing()
        if reason:
            raise RigError(reason)
        for what, address in (("unbound", (config.UNBOUND_ADDRESS, 53)),
                              ("mta-sts-daemon", config.STS_DAEMON)):
            if _in_use(address):
                raise RigError(f"{address[0]}:{address[1]}, where the rig's {what} listens, is "
                               "already in use: another rig (or a left-over process) runs")
        atexit.register(self.stop)  # also when the interpreter exits without __exit__
        try:
            self._write()
            self._start_unbound()
            self._start_daemon()
            self._postfix("check")
            run = subprocess.run(
                _in_namespace(self.directory / "resolv.conf",
                              ["postfix", "-c", str(self.etc), "start"]),
                capture_output=True, text=True, timeout=_TIMEOUT)
            self._postfix_started = True
            if run.returncode != 0:
                raise RigError(f"postfix start failed: {run.stderr.strip() or run.stdout}")
        except BaseException:
            self.stop()
            raise

    def _write(self) -> None:
        if self.directory is None:
            # Postfix's daemons (user postfix) must reach their queue: not a 0700 folder.
            self.directory = Path(tempfile.mkdtemp(prefix="course-postfix-", dir="/var/tmp"))
        self.directory.chmod(0o755)
        pf = self.directory / "postfix"
        for sub in ("etc", "spool", "data"):
            (pf / sub).mkdir(parents=True, exist_ok=True)
        user = pwd.getpwnam("postfix")
        os.chown(pf / "data", user.pw_uid, user.pw_gid)
        (pf / "etc" / "main.cf").write_text(config.main_cf(pf, self.lab.ca_file))
        (pf / "etc" / "master.cf").write_text(config.master_cf())
        (pf / "transport.regexp").write_text(config.transport_regexp())
        ub = self.directory / "unbound"
        ub.mkdir(exist_ok=True)
        (ub / "unbound.conf").write_text(
            config.unbound_conf(ub, self.lab.directory / "root.ds",
                                lab_dns=(self.lab.dns_address, self.lab.dns.port)))
        (self.directory / "resolv.conf").write_text(config.resolv_conf())
        (self.directory / "mta-sts-daemon.yml").write_text(config.sts_daemon_yml())
        self.log_file.touch()

    def _start_unbound(self) -> None:
        conf = self.directory / "unbound" / "unbound.conf"
        self._unbound = subprocess.Popen(["unbound", "-d", "-c", str(conf)],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not _wait_port((config.UNBOUND_ADDRESS, 53)):
            raise RigError(f"unbound did not start: see {conf.parent / 'unbound.log'}")

    def _start_daemon(self) -> None:
        env = {**os.environ, "SSL_CERT_FILE": str(self.lab.ca_file)}  # the lab CA for HTTPS
        argv = [_daemon_path(), "-c", str(self.directory / "mta-sts-daemon.yml"),
                "-l", str(self.directory / "mta-sts-daemon.log"), "-v", "info"]
        self._daemon = subprocess.Popen(_in_namespace(self.directory / "resolv.conf", argv),
                                        env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        if not _wait_port(config.STS_DAEMON):
            raise RigError("mta-sts-daemon did not start: see "
                           f"{self.directory / 'mta-sts-daemon.log'}")

    @staticmethod
    def _end(proc: subprocess.Popen | None) -> None:
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)

    def _postfix(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["postfix", "-c", str(self.etc), *args], capture_output=True,
                              text=True, timeout=_TIMEOUT)

    def stop(self) -> None:
        """Stop Postfix, the policy daemon and unbound (safe to call twice)."""
        atexit.unregister(self.stop)
        if self._postfix_started:
            self._postfix("stop")
            self._kill_master()
            self._postfix_started = False
        self._end(self._daemon)
        self._end(self._unbound)
        self._daemon = self._unbound = None
        if self._own_dir and self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None

    def _kill_master(self) -> None:
        """If ``postfix stop`` left the master running (it waits for nothing),
        end it by its own pid file: only this instance's master."""
        pid_file = self.directory / "postfix" / "spool" / "pid" / "master.pid"
        try:
            pid = int(pid_file.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return
        for _ in range(50):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    @property
    def running(self) -> bool:
        if not self._postfix_started:
            return False
        return self._postfix("status").returncode == 0

    # -- between cases --------------------------------------------------------------

    def fresh(self) -> None:
        """Empty the queue and every cache: restart unbound and the policy daemon
        (each case starts as a first contact, like a new ``Sender``)."""
        subprocess.run(["postsuper", "-c", str(self.etc), "-d", "ALL"], capture_output=True,
                       timeout=_TIMEOUT)
        self._end(self._daemon)
        self._end(self._unbound)
        self._start_unbound()
        self._start_daemon()
        self._log_offset = self.log_file.stat().st_size

    def policy(self, domain: str) -> str:
        """Ask the policy daemon what Postfix would be told for ``domain``
        (the socketmap protocol: netstrings); this also fills its cache, so
        that every transport then gets the same answer."""
        query = f"postfix {domain}".encode()
        with socket.create_connection(config.STS_DAEMON, timeout=10) as s:
            s.settimeout(10)
            s.sendall(b"%d:%s," % (len(query), query))
            data = b""
            while not data.endswith(b","):
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        return data.split(b":", 1)[-1].rstrip(b",").decode("utf-8", "replace")

    # -- mail ------------------------------------------------------------------------

    def submit(self, setup: str, domain: str, subject: str = "course conformance") -> str:
        """Queue a message for ``SETUP@DOMAIN`` (the set-up's transport), with
        the null sender so a bounce is logged but not mailed; returns the recipient."""
        return self.submit_all([(setup, domain)], subject)[0]

    def submit_all(self, pairs, subject: str = "course conformance") -> list[str]:
        """One message to ``SETUP@DOMAIN`` for every (set-up, domain) pair, in one
        sendmail call: Postfix's queue manager splits it per transport and
        destination, and logs one status line per recipient."""
        recipients = []
        for setup, domain in pairs:
            if setup not in config.SETUPS:
                raise RigError(f"unknown set-up {setup!r}; choose one of "
                               f"{', '.join(config.SETUPS)}")
            recipients.append(f"{setup}@{domain}")
        message = (f"From: conformance@sender.example\nTo: undisclosed-recipients:;\n"
                   f"Subject: {subject}\n\nThe same message the course's Sender sends.\n")
        run = subprocess.run(["sendmail", "-C", str(self.etc), "-f", "", "-i", *recipients],
                             input=message, capture_output=True, text=True, timeout=_TIMEOUT)
        if run.returncode != 0:
            raise RigError(f"sendmail failed: {run.stderr.strip()}")
        return recipients

    def log(self) -> str:
        """The log since the last :meth:`fresh` (or since start)."""
        with open(self.log_file, "rb") as f:
            f.seek(self._log_offset)
            return f.read().decode("utf-8", "replace")

    def wait(self, recipients, timeout: float = 60.0) -> dict[str, maillog.Delivery]:
        """Read the log until every recipient has a status line; a recipient
        still without one after ``timeout`` seconds raises RigError."""
        wanted = {r.lower() for r in recipients}
        end = time.monotonic() + timeout
        while True:
            seen = maillog.read(self.log())
            if wanted <= seen.keys():
                return {r: seen[r] for r in wanted}
            if time.monotonic() > end:
                raise RigError(f"no outcome in Postfix's log after {timeout:.0f} s for: "
                               f"{', '.join(sorted(wanted - seen.keys()))}")
            time.sleep(0.2)
