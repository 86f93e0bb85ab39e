"""The inspector's verdicts on a hostile internet (issue 19, items 1-6): servers,
resolvers and ports that misbehave on 127.0.0.1, and what the inspector must
say (and must not say) about the domain because of them."""

from __future__ import annotations

import shlex
import socket
import subprocess
from dataclasses import replace
from types import MappingProxyType

import dns.name
import pytest

from helpers import domain
from helpers.__main__ import main
from helpers.domain import FAIL, INFO, OK, SKIP, WARN, NotADomain, normalize
from helpers.net import Endpoint, Network
from tests.hostile_servers import Hostile

REFERENCE = "port-25-reference.invalid"  # helpers.domain.port25.REFERENCE: where to route it
MX1 = "mx1.example.com"

# -- small servers and ports on 127.0.0.1 ----------------------------------------------------


class Port:
    """A port that drops (accepted by the kernel, never answered, like a dropped
    SYN) or refuses (nothing listens: the kernel answers with a TCP reset)."""

    def __init__(self, kind: str):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        if kind == "drop":
            self.sock.listen(0)
        else:
            self.sock.close()

    def close(self):
        self.sock.close()


class Greeter(Hostile):
    """An SMTP server that answers (220, EHLO, QUIT) and offers no STARTTLS,
    with ``greeting`` and ``ehlo`` lines of the test's choice."""

    greeting = b"220 mx.test ESMTP\r\n"
    ehlo = b"250-mx.test\r\n250 8BITMIME\r\n"

    def handle(self, conn, script):
        conn.write(self.greeting)
        while (line := conn.readline()) is not None:
            verb = line.split(b" ", 1)[0].strip().upper()
            if verb in (b"EHLO", b"HELO"):
                conn.write(self.ehlo)
            elif verb == b"QUIT":
                conn.write(b"221 bye\r\n")
                return
            else:
                conn.write(b"502 no\r\n")


@pytest.fixture
def ports():
    made = []

    def make(kind):
        made.append(Port(kind))
        return made[-1].port

    yield make
    for p in made:
        p.close()


def routed(lab, mx: dict[str, int], reference: int | None = None, timeout=0.5) -> Network:
    """The lab's network, with these MX hosts' SMTP (and the port-25 reference
    mail server) routed to the given loopback ports."""
    hosts = dict(lab.net.hosts)
    for host, port in mx.items():
        hosts[host] = Endpoint("127.0.0.1", smtp=port)
    if reference is not None:
        hosts[REFERENCE] = Endpoint("127.0.0.1", smtp=reference)
    return replace(lab.net, hosts=MappingProxyType(hosts), connect_timeout=timeout,
                   io_timeout=timeout)


# -- item 1: MTA-STS testing is not safe against an attacker ------------------------------------

def test_sts_testing_is_not_called_safe(lab):
    sender = domain.inspect("sts-testing.example", lab.net).check("sender")
    assert sender.status == WARN, sender
    assert "neither read nor redirect" not in sender.detail
    assert "attacker" in sender.detail and sender.rfc == "RFC 8461 §5"
    # Judged from the policy alone, without a probe: the same warning.
    unprobed = domain.inspect("sts-testing.example", lab.net, smtp=False).check("sender")
    assert unprobed.status == WARN and "delivers whatever the check says" in unprobed.title


def test_tree_colours_sts_testing_as_maybe_in_the_clear():
    from helpers.figures.tree import decision_tree

    fig = decision_tree()
    face = {t.get_text().split(":")[0]: t.get_bbox_patch().get_facecolor()
            for t in fig.axes[0].texts if t.get_bbox_patch() is not None}
    assert face["MTA-STS testing"] == face["Opportunistic"]  # orange: maybe in the clear
    assert face["MTA-STS testing"] != face["MTA-STS enforce"]


# -- item 3: a blocked port 25 is not "nothing to fix", and a refusal is told apart ----------

def test_dropped_port_25_is_not_a_clean_bill(lab, ports):
    drop = ports("drop")
    net = routed(lab, {"mx.opportunistic.example": drop}, reference=drop)
    result = domain.inspect("opportunistic.example", net)
    assert "nothing to fix" not in result.verdict and "1 not checked here" in result.verdict
    # What DNS alone shows: nothing published, so TLS can be stripped at best.
    assert result.check("sender").status == WARN
    assert result.ok and not result.complete
    probe = result.check("starttls:mx.opportunistic.example")
    assert probe.status == SKIP and "dropped by this network" in probe.detail
    assert "not the domain's fault" in probe.detail


def test_refused_port_25_on_this_network_is_not_blamed_on_the_domain(lab, ports):
    refuse = ports("refuse")
    net = routed(lab, {"mx.opportunistic.example": refuse}, reference=refuse)
    result = domain.inspect("opportunistic.example", net)
    probe = result.check("starttls:mx.opportunistic.example")
    assert probe.status == SKIP, probe
    assert "refused by this network" in probe.detail
    assert not any(c.status == FAIL for c in result.checks), str(result)


@pytest.mark.parametrize("kind", ["drop", "refuse"])
def test_an_mx_that_does_not_answer_while_port_25_is_open_is_the_domains_fault(lab, ports,
                                                                                kind):
    reference = Greeter()
    try:
        net = routed(lab, {"mx.opportunistic.example": ports(kind)}, reference=reference.port)
        result = domain.inspect("opportunistic.example", net)
    finally:
        reference.stopping = True
    probe = result.check("starttls:mx.opportunistic.example")
    assert probe.status == FAIL and "no SMTP session" in probe.title
    assert "port 25 is open from this network" in probe.detail
    assert "answered 220" in probe.detail


def test_inspect_exit_status_counts_skipped_checks(capsys):
    # Everything about example.com is right, but no STARTTLS probe was made.
    assert main(["inspect", "--lab", "--no-smtp", "example.com"]) == 3
    out = capsys.readouterr().out
    assert "not checked here" in out and "nothing to fix" not in out
    assert "the lab has stopped" in out and "--keep-lab" in out


# -- item 4: the learner's resolver, judged before the domain --------------------------------

def test_a_resolver_that_strips_dnssec_is_named_not_the_zone(lab):
    lab.dns_attack("strip")  # every answer loses its RRSIGs, as some middleboxes do
    result = domain.inspect("example.com", lab.net)
    text = str(result)
    assert "bogus" not in text and "fix the zone" not in text
    assert result.check("resolver").status == SKIP
    assert "strips DNSSEC" in result.check("resolver").title
    assert result.check("dnssec").status == SKIP
    assert result.check("tlsa:mx1.example.com").status == SKIP
    assert result.check("sender").status == SKIP
    # What does not depend on DNSSEC is still judged.
    assert result.check("mx").status == OK and result.check("mta-sts-mode").status == OK
    assert result.check("starttls:mx1.example.com").status == OK
    assert result.ok and not result.complete


def test_a_resolver_that_answers_nxdomain_for_everything_is_named(lab):
    lab.dns_attack("empty", rcode="NXDOMAIN")  # a captive portal / filtering resolver
    result = domain.inspect("example.com", lab.net)
    assert result.error and "this network's resolver" in result.error
    assert "NXDOMAIN for the root zone" in result.error
    assert "does not exist" not in str(result) and "no MTA-STS record" not in str(result)
    assert {c.status for c in result.checks} == {SKIP}


def test_a_live_resolver_that_is_absent_suggests_another():
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    try:
        net = replace(Network.live("127.0.0.1", dns_timeout=0.3),
                      dns_port=silent.getsockname()[1])
        result = domain.inspect("gmail.com", net, timeout=10)
    finally:
        silent.close()
    assert "this network's resolver" in result.error and "not gmail.com" in result.error
    assert 'Network.live("9.9.9.9")' in result.error
    assert "no MTA-STS record" not in str(result)


def test_inspect_through_an_unusable_resolver_exits_2_and_names_it(capsys):
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    try:
        status = main(["inspect", "--resolver", f"127.0.0.1:{silent.getsockname()[1]}",
                       "gmail.com"])
    finally:
        silent.close()
    out = capsys.readouterr().out
    assert status == 2 and "this network's resolver" in out and "--resolver 9.9.9.9" in out
    assert main(["inspect", "--resolver", "dns.example", "gmail.com"]) == 2
    assert "--resolver: 'dns.example' is not an IP address" in capsys.readouterr().err


# -- item 5: commands are quoted, and check what the check checked ---------------------------

EVIL = dns.name.Name((b"a`touch pwned1`;b&touch pwned2>pwned3$(touch pwned4)",
                      b"opportunistic", b"example", b""))


def test_commands_never_run_what_dns_says(lab, tmp_path):
    lab.set_records("opportunistic.example", "opportunistic.example", "MX",
                    [f"10 {EVIL.to_text()}"])
    result = domain.inspect("opportunistic.example", lab.net, smtp=False)
    commands = [c.command for c in result.checks if c.command]
    for command in commands:
        # The same command line, with the program replaced by printf: a shell
        # that honoured ` ; & > $( ) in a host name would create the files.
        printed = "printf '%s\\n' " + command.split(" ", 1)[1]
        subprocess.run(["bash", "-c", printed], cwd=tmp_path, capture_output=True, timeout=10)
    assert not list(tmp_path.iterdir())
    host = EVIL.to_text().rstrip(".")
    assert any(host in shlex.split(c) for c in commands)


def test_the_dane_command_checks_the_tlsa_records(lab):
    check = domain.inspect("example.com", lab.net).check("dane:mx1.example.com")
    words = shlex.split(check.command)
    assert words[words.index("-dane_tlsa_domain") + 1] == "mx1.example.com"
    tlsa = domain.inspect("example.com", lab.net).check("tlsa:mx1.example.com").evidence
    assert [words[i + 1] for i, w in enumerate(words) if w == "-dane_tlsa_rrdata"] == \
        [e.split("  (")[0] for e in tlsa]


def test_the_dane_command_agrees_with_the_dane_check(lab):
    """Run as printed, the dane: command reaches the check's verdict (openssl's DANE code)."""
    from tests.conftest import need_tool

    need_tool("openssl")
    for name, host, status in (("example.com", MX1, OK),
                               ("dane-rollover.example", "mx.dane-rollover.example", FAIL)):
        check = domain.inspect(name, lab.net).check(f"dane:{host}")
        assert check.status == status
        run = subprocess.run(["bash", "-c", check.command], capture_output=True, text=True,
                             timeout=30)
        said = run.stdout + run.stderr  # -brief writes its summary to stderr
        if status == OK:
            assert run.returncode == 0 and "matched EE certificate" in said, said
        else:
            assert run.returncode != 0 and "no matching DANE TLSA records" in said, said


# -- item 6: smaller verdicts -------------------------------------------------------------------

def test_a_null_mx_beside_other_mx_records_fails(lab):
    lab.set_records("opportunistic.example", "opportunistic.example", "MX",
                    ["0 .", "10 mx.opportunistic.example."])
    check = domain.inspect("opportunistic.example", lab.net, smtp=False).check("mx")
    assert check.status == FAIL and "RFC 7505 §3" in check.rfc


def test_starttls_in_the_greeting_lines_is_not_an_offer(lab):
    server = Greeter()
    server.greeting = b"220 STARTTLS\r\n"
    server.ehlo = b"250-STARTTLS\r\n250 8BITMIME\r\n"  # the first line greets, lists nothing
    try:
        net = routed(lab, {"mx.opportunistic.example": server.port})
        check = domain.inspect("opportunistic.example", net).check(
            "starttls:mx.opportunistic.example")
    finally:
        server.stopping = True
    assert check.status == FAIL and check.title == "STARTTLS is not offered", check


@pytest.mark.parametrize("text,expected", [
    ("straße.de", "xn--strae-oqa.de"),  # IDNA 2008: not strasse.de, another domain
    ("Bücher.Example", "xn--bcher-kva.example"),
])
def test_internationalised_names_use_idna_2008(text, expected):
    assert normalize(text) == expected


@pytest.mark.parametrize("text", ["192.0.2.1", "2001:db8::1", "[192.0.2.1]",
                                  "alice@[192.0.2.1]", "[IPv6:2001:db8::1]"])
def test_an_ip_address_is_not_a_domain(text):
    with pytest.raises(NotADomain, match="IP address"):
        normalize(text)


# -- item 2: a key change judged against the chain the server serves ----------------------------

def _unrelated_ca():
    """A CA certificate that has nothing to do with the lab's chains."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Unrelated CA")])
    now = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))



def _rollover(lab, records, net=None, **kw):
    lab.set_records("example.com", f"_25._tcp.{MX1}", "TLSA", [str(r) for r in records])
    return domain.inspect("example.com", net or lab.net, **kw)


def _tlsa(cert, usage, selector, matching):
    from helpers.dane import TLSA
    return TLSA.from_cert(cert, usage, selector, matching)


@pytest.mark.parametrize("second", ["3 0 1", "3 1 2", "2 1 1 of the leaf", "2 1 1 unrelated"])
def test_records_that_name_the_current_key_twice_cover_no_key_change(lab, second):
    leaf = lab.certificate(MX1).cert
    other = {"3 0 1": _tlsa(leaf, 3, 0, 1), "3 1 2": _tlsa(leaf, 3, 1, 2),
             "2 1 1 of the leaf": _tlsa(leaf, 2, 1, 1),
             "2 1 1 unrelated": _tlsa(_unrelated_ca(), 2, 1, 1)}[second]
    result = _rollover(lab, [_tlsa(leaf, 3, 1, 1), other])
    assert result.check(f"dane:{MX1}").status == OK
    check = result.check(f"rollover:{MX1}")
    assert check.status == INFO and check.title == "a key change is not covered yet", check


def test_the_next_key_or_a_ca_in_the_served_chain_covers_a_key_change(lab):
    issued = lab.certificate(MX1)
    next_key = lab.pki.leaf((MX1,), key_label="next/" + MX1).cert
    assert _rollover(lab, [_tlsa(issued.cert, 3, 1, 1), _tlsa(next_key, 3, 1, 1)]).check(
        f"rollover:{MX1}").status == OK
    issuing_ca = issued.chain[0]
    assert _rollover(lab, [_tlsa(issued.cert, 3, 1, 1), _tlsa(issuing_ca, 2, 1, 1)]).check(
        f"rollover:{MX1}").status == OK


def test_pinning_a_public_cas_intermediate_warns(lab):
    # The lab's network seen as the internet: its CA is then a "public" WebPKI CA.
    internet = replace(lab.net, name="live")
    issued = lab.certificate(MX1)
    result = _rollover(lab, [_tlsa(issued.cert, 3, 1, 1), _tlsa(issued.chain[0], 2, 1, 1)],
                       internet)
    check = result.check(f"rollover:{MX1}")
    assert check.status == WARN and "public CA's intermediate" in check.title, check


def test_a_record_left_for_a_retired_key_is_flagged(lab, tmp_path):
    import ssl

    from tests.hostile_servers import HostileSMTP

    old = lab.pki.leaf((MX1,), key_label="retired/" + MX1)
    (tmp_path / "c.pem").write_bytes(old.chain_pem)
    (tmp_path / "k.pem").write_bytes(old.key_pem)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(tmp_path / "c.pem", tmp_path / "k.pem")
    server = HostileSMTP(ctx)  # serves the old key, as before the change
    current = lab.certificate(MX1).cert
    both = [_tlsa(old.cert, 3, 1, 1), _tlsa(current, 3, 1, 1)]
    try:
        before = _rollover(lab, both, routed(lab, {MX1: server.port}, timeout=2.0))
    finally:
        server.stopping = True
    assert before.check(f"rollover:{MX1}").status == OK  # the next key is published
    after = _rollover(lab, both, previous=before)  # the server now serves the new key
    check = after.check(f"rollover:{MX1}")
    assert check.status == WARN and "retired key" in check.title, check
    # Without the earlier look, the extra record may be the next key: not flagged.
    assert _rollover(lab, both).check(f"rollover:{MX1}").status == OK
