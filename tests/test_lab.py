"""The lab as a whole: life cycle, determinism, isolation, the scenario catalogue."""

from __future__ import annotations

import json
import os
import socket
import threading
from pathlib import Path

import pytest
from conftest import send

from helpers.dnssec import SECURE, resolve
from helpers.lab import MX, SCENARIOS, Lab, LabError, Scenario, scenario
from helpers.dane import association_data as tlsa_data
from helpers.net import Network, NetworkError


def _lab_threads():
    return [t for t in threading.enumerate() if t.name.startswith("lab-")]


def _refused(port):
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) != 0


def test_start_stop_and_restart_replaces_the_previous_lab():
    before = len(_lab_threads())
    first = Lab.start(seed=3)
    port, directory = first.dns.port, first.directory
    second = Lab.start(seed=3)  # as when a notebook cell is run again
    try:
        assert not first.running and second.running
        reused = {second.dns.port, second.https.port} | {r.port for r in second.receivers.values()}
        assert port in reused or _refused(port)  # the OS may hand the freed port out again
        assert not directory.exists()
        assert len(_lab_threads()) == before + 1
    finally:
        second.stop()
        second.stop()  # stopping twice is harmless
    assert len(_lab_threads()) == before
    assert "stopped" in str(second)


def test_context_manager_leaves_other_labs_alone(session_lab):
    with Lab(seed=4) as other:
        assert other.running and session_lab.running
    assert not other.running and session_lab.running


def test_a_failed_start_leaves_nothing_behind(tmp_path):
    broken = Scenario("broken.example", "nothing", (MX("mx.broken.example", starttls="maybe"),))
    before = len(_lab_threads())
    lab = Lab(seed=1, scenarios=(broken,))
    with pytest.raises(ValueError, match="starttls must be none, optional or required"):
        lab.__enter__()
    assert not lab.running and len(_lab_threads()) == before
    with pytest.raises(LabError, match="not running"):
        lab.attack("mx.broken.example", "tap")


def _listening_inodes():
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


@pytest.mark.skipif(not Path("/proc/self/net/tcp").exists(), reason="needs Linux /proc")
def test_every_listening_socket_is_on_127_0_0_1(session_lab):
    """Read the kernel's socket tables: every socket this process listens on
    (TCP LISTEN, or bound UDP) has local address 127.0.0.1."""
    mine = _listening_inodes()
    seen = []
    for table in ("tcp", "tcp6", "udp", "udp6"):
        for line in Path(f"/proc/self/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if inode not in mine or (table.startswith("tcp") and state != "0A"):
                continue
            seen.append((table, local))
    assert len(seen) >= len(session_lab.receivers) + 3  # DNS udp+tcp, HTTPS, receivers
    assert all(t in ("tcp", "udp") and local.startswith("0100007F:") for t, local in seen), seen


def test_same_seed_same_world_other_seed_other_world():
    with Lab(seed=11) as a, Lab(seed=11) as b, Lab(seed=12) as c:
        assert a.zones.to_text() == b.zones.to_text()
        assert a.trust_anchor_file.read_text() == b.trust_anchor_file.read_text()
        for host in ("mx1.example.com", "mta-sts.example.com", "mx.dane-only.example"):
            assert a.certificate(host).cert_pem == b.certificate(host).cert_pem
            assert a.certificate(host).cert_pem != c.certificate(host).cert_pem
        assert a.zones.to_text() != c.zones.to_text()
        assert a.dns.port != b.dns.port  # same world, separate servers


def test_server_trouble_goes_to_the_lab_log_not_the_notebook(session_lab, capfd):
    address, port = session_lab.net.smtp_endpoint("mx1.example.com")
    with socket.create_connection((address, port), timeout=2) as s:
        s.recv(100)
        s.sendall(b"EHLO x\r\nSTARTTLS\r\n\x16\x03\x01garbage that is no TLS hello\r\n")
        s.recv(1000)
    with socket.create_connection(session_lab.net.https_endpoint("mta-sts.example.com"),
                                  timeout=2) as s:
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")  # plaintext to a TLS port
    send(session_lab, "mx1.example.com", "still fine")
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    assert any("mail.log" in line for line in session_lab.log())


def test_catalogue_is_documented_and_consistent():
    domains = [s.domain for s in SCENARIOS]
    assert len(domains) == len(set(domains))
    for s in SCENARIOS:
        assert s.teaches and "\n" not in s.teaches, s.domain
        assert all(mx.host.endswith("." + s.domain) for mx in s.mx)
        assert (s.policy is None) == (s.sts_id is None), s.domain
    with pytest.raises(KeyError, match="example.com"):
        scenario("nowhere.example")


def test_example_com_is_exactly_the_running_example():
    s = scenario("Example.COM.")
    assert [(m.host, m.preference) for m in s.mx] == [("mx1.example.com", 10),
                                                      ("mx2.example.com", 20)]
    assert s.signed and s.sts_id == "20260613T120000" and s.tlsrpt
    assert s.policy.splitlines() == ["version: STSv1", "mode: enforce", "mx: mx1.example.com",
                                     "mx: mx2.example.com", "max_age: 604800"]


def test_the_catalogue_covers_every_case_the_course_teaches(session_lab):
    net = session_lab.net
    statuses = {d: resolve(f"{d}", "SOA", net).status for d in session_lab.domains}
    assert statuses["example.com"] == SECURE and statuses["opportunistic.example"] == "insecure"
    # DANE rollover: the served key is not the published one.
    host = "mx.dane-rollover.example"
    published = resolve(f"_25._tcp.{host}", "TLSA", net)
    assert published.status == SECURE
    assert published.rrset[0].cert != tlsa_data(session_lab.certificate(host).cert, 1, 1)
    # DANE-TA: the issuing CA's key is published too.
    ta = resolve("_25._tcp.mx.dane-only.example", "TLSA", net).records
    assert any(r.startswith("2 1 1 ") for r in ta) and any(r.startswith("3 1 1 ") for r in ta)


def test_apply_change_moves_the_mx_without_a_new_id():
    with Lab(seed=1) as lab:
        domain = "sts-stale-id.example"
        res = lab.net.resolver()
        txt_before = res.resolve(f"_mta-sts.{domain}", "TXT")[0].to_text()
        later = lab.apply_change(domain)
        assert [m.host for m in later.mx] == ["mx2.sts-stale-id.example"]
        assert res.resolve(domain, "MX")[0].exchange.to_text() == "mx2.sts-stale-id.example."
        assert res.resolve(f"_mta-sts.{domain}", "TXT")[0].to_text() == txt_before
        send(lab, "mx2.sts-stale-id.example", "to the new MX")
        assert lab.mailbox.messages[0].host == "mx2.sts-stale-id.example"
        with pytest.raises(LabError, match="no later state"):
            lab.apply_change("example.com")
        lab.reset()
        assert res.resolve(domain, "MX")[0].exchange.to_text() == "mx1.sts-stale-id.example."


def test_rsa_keys_on_request():
    with Lab(seed=1, key_kind="rsa", scenarios=(scenario("example.com"),)) as lab:
        cert = lab.certificate("mx1.example.com").cert
        assert cert.public_key().key_size == 2048
        tlsa = resolve("_25._tcp.mx1.example.com", "TLSA", lab.net)
        assert tlsa.rrset[0].cert == tlsa_data(cert, 1, 1)
        send(lab, "mx1.example.com", "over RSA")
        assert lab.mailbox.messages[0].tls
    with pytest.raises(LabError, match="'ec' or 'rsa'"):
        Lab(key_kind="dsa")


def test_description_and_files(session_lab, tmp_path):
    data = json.loads(session_lab.write_json(tmp_path / "lab.json").read_text())
    assert data["dns"] == {"address": "127.0.0.1", "port": session_lab.dns.port}
    assert data["hosts"]["mx1.example.com"]["smtp"] == session_lab.receivers["mx1.example.com"].port
    assert data["hosts"]["mta-sts.example.com"]["https"] == session_lab.https.port
    assert {d["domain"] for d in data["domains"]} == set(session_lab.domains)
    assert Path(data["ca_file"]).read_text().startswith("-----BEGIN CERTIFICATE-----")
    assert "static-ds" in Path(data["trust_anchor_file"]).read_text()
    assert "delv" in session_lab.commands() and "swaks" in session_lab.commands()


def test_network_routes_and_errors(session_lab):
    net = session_lab.net
    assert net.smtp_endpoint("MX1.example.com.") == ("127.0.0.1",
                                                   session_lab.receivers["mx1.example.com"].port)
    with pytest.raises(NetworkError, match="not a host of the lab network"):
        net.smtp_endpoint("mx.elsewhere.example")
    with pytest.raises(NetworkError, match="runs no SMTP service"):
        net.smtp_endpoint("mta-sts.example.com")
    live = Network.live("9.9.9.9")
    assert (live.smtp_port, live.https_port, live.nameserver) == (25, 443, "9.9.9.9")
    assert "20326" in live.trust_anchor and not live.is_lab and net.is_lab


def test_an_unreachable_nameserver_times_out_with_a_clear_error():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as hole:  # bound, never answers
        hole.bind(("127.0.0.1", 0))
        net = Network(name="lab", nameserver="127.0.0.1", dns_port=hole.getsockname()[1],
                      dns_timeout=0.3)
        with pytest.raises(NetworkError, match="failed"):
            net.query("example.com", "MX")
        lookup = resolve("example.com", "MX", net)
        assert lookup.status == "error"


def test_readme_documents_every_domain_and_what_it_teaches():
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    for s in SCENARIOS:
        teaches = s.teaches.replace("'", "`")
        row = f"| `{s.domain}` | {'signed' if s.signed else 'no'} | {teaches} |"
        assert row in readme, f"README's domain table lacks or misstates {s.domain}"
