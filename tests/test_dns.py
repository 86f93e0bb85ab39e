"""The lab DNS server, asked by dnspython over real UDP and TCP sockets."""

from __future__ import annotations

import socket

import dns.dnssec
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype
import dns.resolver
import pytest

from helpers.dnssec import BOGUS, INSECURE, SECURE, resolve
from helpers.dane import association_data as tlsa_data


def ask(lab, name, rdtype, *, dnssec=True, payload=1232, tcp=False):
    q = dns.message.make_query(name, rdtype, want_dnssec=dnssec, payload=payload)
    send = dns.query.tcp if tcp else dns.query.udp
    return send(q, "127.0.0.1", port=lab.dns.port, timeout=2)


def test_example_com_publishes_the_running_example(lab):
    res = lab.net.resolver()
    mx = sorted((r.preference, r.exchange.to_text()) for r in res.resolve("example.com", "MX"))
    assert mx == [(10, "mx1.example.com."), (20, "mx2.example.com.")]
    txt = [b"".join(r.strings) for r in res.resolve("_mta-sts.example.com", "TXT")]
    assert txt == [b"v=STSv1; id=20260613T120000;"]
    rpt = [b"".join(r.strings) for r in res.resolve("_smtp._tls.example.com", "TXT")]
    assert rpt == [b"v=TLSRPTv1; rua=mailto:tlsrpt@example.com"]
    assert res.resolve("mx1.example.com", "A")[0].to_text() == "127.0.0.1"


@pytest.mark.parametrize("host", ["mx1.example.com", "mx2.example.com"])
def test_tlsa_is_the_sha256_of_the_served_key(lab, host):
    tlsa = list(lab.net.resolver().resolve(f"_25._tcp.{host}", "TLSA"))
    assert [(r.usage, r.selector, r.mtype) for r in tlsa] == [(3, 1, 1)]
    assert tlsa[0].cert == tlsa_data(lab.certificate(host).cert, 1, 1)


def test_answers_carry_rrsigs_only_when_do_is_set(lab):
    signed = ask(lab, "example.com", "MX", dnssec=True)
    plain = ask(lab, "example.com", "MX", dnssec=False)
    assert signed.flags & dns.flags.AA
    assert any(r.rdtype == dns.rdatatype.RRSIG for r in signed.answer)
    assert not any(r.rdtype == dns.rdatatype.RRSIG for r in plain.answer)


@pytest.mark.parametrize("name,rdtype", [
    ("_25._tcp.mx1.example.com", "TLSA"), ("example.com", "MX"),
    ("_mta-sts.example.com", "TXT"), ("_25._tcp.mx.dane-only.example", "TLSA"),
])
def test_signed_records_validate_up_to_the_lab_trust_anchor(lab, name, rdtype):
    lookup = resolve(name, rdtype, lab.net)
    assert lookup.status == SECURE, lookup.reason
    assert lookup.rrset is not None
    assert any("trust anchor" in step for step in lookup.chain)


def test_a_tampered_record_fails_validation(lab):
    """Change one byte of a signed TLSA record in transit: its RRSIG no longer fits."""
    keys = resolve("example.com", "DNSKEY", lab.net).rrset
    response = ask(lab, "_25._tcp.mx1.example.com", "TLSA")
    tlsa = response.find_rrset(response.answer, dns.name.from_text("_25._tcp.mx1.example.com"),
                               dns.rdataclass.IN, dns.rdatatype.TLSA)
    sigs = response.find_rrset(response.answer, tlsa.name, dns.rdataclass.IN,
                               dns.rdatatype.RRSIG, dns.rdatatype.TLSA)
    dns.dnssec.validate(tlsa, sigs, {keys.name: keys})  # the genuine answer verifies
    genuine = tlsa[0]
    tampered = genuine.replace(cert=bytes([genuine.cert[0] ^ 1]) + genuine.cert[1:])
    tlsa.clear()
    tlsa.add(tampered)
    with pytest.raises(dns.dnssec.ValidationFailure):
        dns.dnssec.validate(tlsa, sigs, {keys.name: keys})


def test_a_record_changed_at_the_source_is_resigned(lab):
    name = "_25._tcp.mx2.example.com"
    before = resolve(name, "TLSA", lab.net).records
    try:
        lab.set_records("example.com", name, "TLSA", ["3 1 1 " + "ab" * 32])
        after = resolve(name, "TLSA", lab.net)
        assert after.status == SECURE and after.records == ("3 1 1 " + "ab" * 32,)
    finally:
        lab.set_records("example.com", name, "TLSA", list(before))
    assert resolve(name, "TLSA", lab.net).records == before


def test_bogus_signature_is_bogus_and_withholds_the_data(lab):
    lookup = resolve("_25._tcp.mx.dnssec-bogus.example", "TLSA", lab.net)
    assert lookup.status == BOGUS
    assert lookup.rrset is None
    assert "does not verify" in lookup.reason
    # The rest of that zone is fine: only the TLSA signature is broken.
    assert resolve("mx.dnssec-bogus.example", "A", lab.net).status == SECURE


def test_unsigned_zone_is_insecure_proven_by_signed_nsec(lab):
    lookup = resolve("_25._tcp.mx.dane-insecure.example", "TLSA", lab.net)
    assert lookup.status == INSECURE
    assert lookup.rrset is not None  # insecure data is still data, but not DANE-usable
    assert any("no DS" in step for step in lookup.chain)


def test_nxdomain_and_nodata_are_proven(lab):
    nx = resolve("no-such-host.example.com", "A", lab.net)
    assert (nx.status, nx.rcode, nx.rrset) == (SECURE, "NXDOMAIN", None)
    nodata = resolve("mx1.example.com", "TXT", lab.net)
    assert (nodata.status, nodata.rcode, nodata.rrset) == (SECURE, "NOERROR", None)
    ent = resolve("_tcp.mx1.example.com", "A", lab.net)
    assert ent.status == SECURE and ent.rcode == "NOERROR"
    response = ask(lab, "no-such-host.example.com", "A")
    assert response.rcode() == dns.rcode.NXDOMAIN
    assert any(r.rdtype == dns.rdatatype.NSEC for r in response.authority)


def test_names_outside_the_lab_do_not_exist(lab):
    assert ask(lab, "www.google.com", "A").rcode() == dns.rcode.NXDOMAIN


def test_large_answer_truncates_over_udp_and_comes_whole_over_tcp(lab):
    udp = ask(lab, "example.com", "ANY", payload=512)
    assert udp.flags & dns.flags.TC
    tcp = ask(lab, "example.com", "ANY", payload=512, tcp=True)
    assert not tcp.flags & dns.flags.TC
    assert {dns.rdatatype.MX, dns.rdatatype.DNSKEY} <= {r.rdtype for r in tcp.answer}
    # The stub resolver retries over TCP by itself.
    q = dns.message.make_query("example.com", "ANY", want_dnssec=True, payload=512)
    r, used_tcp = dns.query.udp_with_fallback(q, "127.0.0.1", port=lab.dns.port, timeout=2)
    assert used_tcp and r.answer


def test_garbage_does_not_stop_the_server(lab):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(b"\x00\x01not dns at all", ("127.0.0.1", lab.dns.port))
    with socket.create_connection(("127.0.0.1", lab.dns.port), timeout=2) as s:
        s.sendall(b"\x00\x05junk!")
    assert ask(lab, "example.com", "MX").answer


def test_a_signature_by_another_zone_proves_nothing(lab):
    """An attacker who owns a signed zone signs a forged TLSA record for
    example.com with that zone's key: valid signature, wrong signer (RFC 4035 §5.3.1)."""
    forged = "3 1 1 " + "ee" * 32
    lab.forge_records("example.com", "_25._tcp.mx1.example.com", "TLSA", [forged],
                      signed_with="dane-only.example")
    lookup = resolve("_25._tcp.mx1.example.com", "TLSA", lab.net)
    assert lookup.status == BOGUS and "does not contain it" in lookup.reason


def test_a_key_slipped_into_the_dnskey_set_cannot_vouch_for_itself(lab):
    """The attacker adds its own key to example.com's DNSKEY set, signs that set
    and a forged TLSA record with it: only the key the DS names may sign the set."""
    real_keys = [r.to_text() for r in resolve("example.com", "DNSKEY", lab.net).rrset]
    attacker_key = lab.attacker_dnskey()
    lab.forge_records("example.com", "example.com", "DNSKEY", real_keys + [attacker_key],
                      signed_with="attacker", signer="example.com")
    lab.forge_records("example.com", "_25._tcp.mx1.example.com", "TLSA", ["3 1 1 " + "ee" * 32],
                      signed_with="attacker", signer="example.com")
    lookup = resolve("_25._tcp.mx1.example.com", "TLSA", lab.net)
    assert lookup.status == BOGUS and "not signed by the key" in lookup.reason


def test_an_answer_that_does_not_parse_is_an_error_not_an_exception(lab):
    """dnspython refuses a whole message whose TLSA data length contradicts its
    matching type; the validator keeps the record as raw data (issue 9: one
    malformed record is unusable, not fatal), so the forged record, which the
    genuine RRSIG does not cover, makes the answer bogus, not an exception."""
    from helpers.net import NetworkError

    lab.forge_records("example.com", "_25._tcp.mx1.example.com", "TLSA", [r"\# 5 030101abcd"])
    with pytest.raises(NetworkError, match="failed"):
        lab.net.query("_25._tcp.mx1.example.com", "TLSA")
    assert resolve("_25._tcp.mx1.example.com", "TLSA", lab.net).status == "bogus"


def test_a_raw_query_has_one_deadline_whatever_junk_arrives(lab):
    """Network.query_wire (used to re-ask for answers dnspython refuses) must not
    restart its wait for every datagram with the wrong id: a flood of junk ends
    in a timeout by the deadline, not never."""
    import threading
    import time
    from dataclasses import replace

    from helpers.net import NetworkError

    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", 0))
    stop = threading.Event()

    def flood():
        server.settimeout(5)
        try:
            _, client = server.recvfrom(65535)
        except OSError:
            return
        while not stop.is_set():  # replies, all with the wrong id, every 20 ms
            server.sendto(b"\x00\x00" + b"\x81\x80" + bytes(8), client)
            time.sleep(0.02)

    thread = threading.Thread(target=flood, daemon=True)
    thread.start()
    net = replace(lab.net, nameserver="127.0.0.1", dns_port=server.getsockname()[1],
                  dns_timeout=0.5)
    query = dns.message.make_query("example.com", "MX", id=4242)
    started = time.monotonic()
    try:
        with pytest.raises(NetworkError, match="timed out"):
            net.query_wire(query.to_wire())
        assert time.monotonic() - started < 3  # the deadline held (0.5 s, generous slack)
    finally:
        stop.set()
        thread.join(5)
        server.close()
