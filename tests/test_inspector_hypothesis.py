"""``inspect()`` driven by generated hostile DNS data and server behaviour
(issue 19, item 13): MX host names, MTA-STS and TLS-RPT records made of bytes a
shell, a terminal or a browser would read as syntax, served by the lab's real
DNS server; SMTP servers on 127.0.0.1 with chosen banners, certificates and
misbehaviour (tests/hostile_servers.py). Whatever comes, the inspection keeps
its promises: only documented statuses, within its time budget, no thread left
running once it returns, HTML with no tag from the input, terminal text with no
control character, and suggested commands whose shell structure the input
cannot change. Deterministic (derandomized) and small enough for ~30 s."""

from __future__ import annotations

import html.parser
import shlex
import threading
import time
from dataclasses import replace
from types import MappingProxyType

import dns.name
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from helpers import domain
from helpers.domain import STATUSES
from helpers.net import Endpoint
from hostile_servers import HostileSMTP, Script, _context

DOMAIN = "example.com"
TIMEOUT = 2.0
SLACK = 2.0  # the inspection's own grace for its threads, plus scheduling on a busy machine
EXAMPLES = 12
# No shrinking: a failing example is reported as generated, so that a failure
# cannot stretch the run (each example can take the whole inspection budget).
PHASES = (Phase.explicit, Phase.reuse, Phase.generate)

# Bytes that mean something to a shell, a terminal or an HTML parser.
HOSTILE = b"&;|<>`$'\"()\\ \t*!#{}\x1b\x00\x7f\xe9\xff"
_byte = st.sampled_from(list(b"abcxyz019-_." + HOSTILE))


def _hostile_bytes(max_size: int):
    return st.lists(_byte, min_size=1, max_size=max_size).map(bytes)


def _label():
    return _hostile_bytes(20).filter(lambda b: b"." not in b).map(lambda b: b"mx" + b)


def _txt(prefix: bytes):
    """A TXT record's zone-file text: ``prefix`` and hostile bytes, each byte
    outside printable ASCII (and '"', '\\\\') as a \\DDD escape (RFC 1035 §5.1)."""
    def text(body: bytes) -> str:
        data = prefix + body
        return '"' + "".join(chr(b) if 0x20 <= b < 0x7F and b not in b'"\\' else f"\\{b:03d}"
                             for b in data) + '"'
    return _hostile_bytes(60).map(text)


STAGES = ("greeting", "EHLO", "STARTTLS", "EHLO2", "QUIT")
MISCHIEF = ("ok", "reset", "close", "garbage", "huge-line", "endless", "temp-fail", "trickle",
            "silence")


@st.composite
def worlds(draw):
    labels = draw(st.lists(_label(), min_size=1, max_size=3, unique_by=bytes.lower))
    hosts = [dns.name.Name((label, b"example", b"com", b"")) for label in labels]
    return {
        "mx": [f"{10 * (i + 1)} {h.to_text()}" for i, h in enumerate(hosts)],
        "hosts": [h.to_text().rstrip(".").lower() for h in hosts],
        "sts": draw(st.sampled_from([[], ['"v=STSv1; id=1;"']]) | _txt(b"v=STSv1; id=").map(
            lambda t: [t])),
        "rpt": draw(st.just([]) | _txt(b"v=TLSRPTv1; rua=").map(lambda t: [t])),
        "script": Script(stage=draw(st.sampled_from(STAGES)),
                         mischief=draw(st.sampled_from(MISCHIEF)),
                         starttls=draw(st.booleans()),
                         garbage=draw(_hostile_bytes(40)),
                         banner=b"220 " + draw(_hostile_bytes(60)) + b"\r\n",
                         trickle_delay=0.01),
        "certificate": draw(st.sampled_from(["lab", "high-byte"])),
    }


@pytest.fixture(scope="module")
def mx_servers(session_lab, tmp_path_factory):
    """An SMTP server with the lab's mx1.example.com certificate, and one whose
    certificate's name holds a byte above 0x7f."""
    from test_inspector_robust import _high_byte_certificate, _server_context
    cert, key, chain = _high_byte_certificate(session_lab, in_subject=True)
    made = {"lab": HostileSMTP(_context(session_lab, "mx1.example.com", tmp_path_factory)),
            "high-byte": HostileSMTP(_server_context(cert, key, chain,
                                                     tmp_path_factory.mktemp("hb")))}
    yield made
    for s in made.values():
        s.stopping = True


_TAGS = {"p", "b", "i", "br", "code", "pre", "span", "table", "tr", "th", "td"}


class _Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)


def _tags(page: str) -> set[str]:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser.tags


def _operators(command: str) -> list[str]:
    """The shell operators in ``command`` outside quotes (POSIX shell rules)."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    return [t for t in lexer if t and set(t) <= set("();<>|&")]


def _expansions(command: str) -> bool:
    """Whether a ``$`` or a backquote is live in ``command``: outside single
    quotes and not backslash-escaped (POSIX shell quoting, XCU §2.2)."""
    state, escaped = None, False
    for ch in command:
        if escaped:
            escaped = False
        elif state == "'":
            state = None if ch == "'" else state
        elif ch == "\\":
            escaped = True
        elif ch in "$`":
            return True
        elif state == '"':
            state = None if ch == '"' else state
        elif ch in "'\"":
            state = ch
    return False


def _inspect(session_lab, mx_servers, world):
    """Publish the world, point its MX hosts at the chosen server, inspect."""
    session_lab.reset()
    session_lab.set_records(DOMAIN, DOMAIN, "MX", world["mx"])
    session_lab.set_records(DOMAIN, f"_mta-sts.{DOMAIN}", "TXT", world["sts"])
    session_lab.set_records(DOMAIN, f"_smtp._tls.{DOMAIN}", "TXT", world["rpt"])
    server = mx_servers[world["certificate"]]
    server.reset(world["script"])
    routes = dict(session_lab.net.hosts)
    for host in world["hosts"]:
        routes[host] = Endpoint("127.0.0.1", smtp=server.port)
    net = replace(session_lab.net, hosts=MappingProxyType(routes), io_timeout=0.3,
                  connect_timeout=0.5)
    before = set(threading.enumerate())
    start = time.monotonic()
    result = domain.inspect(DOMAIN, net, timeout=TIMEOUT)
    took = time.monotonic() - start
    left = [t.name for t in threading.enumerate()
            if t not in before and t.is_alive() and "(_serve)" not in t.name]
    return result, took, left


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          phases=PHASES, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(world=worlds())
def test_hostile_dns_and_servers_cannot_break_the_inspections_promises(session_lab,
                                                                       mx_servers, world):
    result, took, left = _inspect(session_lab, mx_servers, world)
    assert result.checks and all(c.status in STATUSES for c in result.checks)
    assert took < TIMEOUT + SLACK, f"took {took:.1f} s"
    assert not left, f"threads still running after inspect() returned: {left}"
    page = result._repr_html_() + domain.table([result])._repr_html_()
    assert _tags(page) <= _TAGS, _tags(page) - _TAGS
    text = str(result)
    assert not any(ch in text for ch in "\x1b\x00\x7f\r"), text


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          phases=PHASES, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(world=worlds())
def test_hostile_dns_cannot_change_a_suggested_commands_shell_structure(session_lab,
                                                                        mx_servers, world):
    result, _, _ = _inspect(session_lab, mx_servers, world)
    for check in result.checks:
        if not check.command:
            continue
        words = shlex.split(check.command)  # balanced quotes
        assert shlex.split(shlex.join(words)) == words
        assert set(_operators(check.command)) <= {"<"}, check.command  # only </dev/null
        assert not _expansions(check.command), check.command
