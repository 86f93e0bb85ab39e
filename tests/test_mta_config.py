"""The generated configuration around a real MTA, and the Postfix log reader
(helpers.mta.config, helpers.mta.maillog): no root needed."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from helpers.mta import config, maillog

LOG = """\
Dec 04 22:20:49 sender postfix/smtp[101]: Untrusted TLS connection established to mx1.example.com[127.0.2.1]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)
Dec 04 22:20:49 sender postfix/smtp[101]: Verified TLS connection established to mx2.example.com[127.0.2.2]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)
Dec 04 22:20:49 sender postfix/smtp[102]: Trusted TLS connection established to mx.tls-required.example[127.0.2.4]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)
Dec 04 22:20:49 sender postfix/smtp[101]: 5FCF61700F4: to=<dane@example.com>, relay=mx2.example.com[127.0.2.2]:25, delay=0.49, delays=0.42/0.01/0.04/0.01, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued)
Dec 04 22:20:49 sender postfix/smtp[102]: 5FCF61700F5: to=<may@tls-required.example>, relay=mx.tls-required.example[127.0.2.4]:25, delay=0.4, delays=0.3/0/0/0, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued)
Dec 04 22:20:49 sender postfix/smtp[103]: 68EBC1700EC: to=<auto@no-tls.example>, relay=mx.no-tls.example[127.0.2.3]:25, delay=0.37, delays=0.3/0.02/0.02/0.02, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued)
Dec 04 22:20:50 sender postfix/smtp[104]: 68EBC1700ED: to=<dane-only@no-tls.example>, relay=none, delay=0.1, delays=0.1/0/0/0, dsn=4.7.5, status=deferred (non DNSSEC destination)
Dec 04 22:20:50 sender postfix/smtp[105]: 68EBC1700EE: to=<MAY@TLS-required.example>, relay=mx.tls-required.example[127.0.2.4]:25, delay=0.2, delays=0.1/0/0/0, dsn=5.0.0, status=bounced (host mx.tls-required.example[127.0.2.4] said: 530 Must issue a STARTTLS command first (in reply to MAIL FROM command))
Dec 04 22:20:50 sender postfix/qmgr[99]: 68EBC1700EE: removed
"""


def test_the_log_reader_speaks_the_courses_words():
    got = maillog.read(LOG)
    # The TLS line of the relay that took the message counts, not an earlier MX's.
    assert got["dane@example.com"].outcome == maillog.VERIFIED
    assert got["dane@example.com"].relay_host == "mx2.example.com"
    assert got["auto@no-tls.example"].outcome == maillog.CLEAR  # no TLS line for pid 103
    assert got["dane-only@no-tls.example"].outcome == maillog.DEFERRED
    assert got["dane-only@no-tls.example"].reason == "non DNSSEC destination"
    # The last line for a recipient wins (here a later bounce), case-insensitively.
    assert got["may@tls-required.example"].outcome == maillog.BOUNCED
    assert "530" in got["may@tls-required.example"].reason


@pytest.mark.parametrize("trust,word", [("Verified", "verified"), ("Trusted", "unverified"),
                                        ("Untrusted", "unverified"), ("Anonymous", "unverified"),
                                        ("", "clear")])
def test_each_tls_trust_maps_to_one_word(trust, word):
    assert maillog.outcome_word("sent", trust) == word


def test_an_unknown_status_is_an_error_naming_it():
    with pytest.raises(ValueError, match="status='queued'"):
        maillog.outcome_word("queued", "")


def test_resolver_configuration_keeps_the_ad_bit_and_trusts_only_the_lab(tmp_path):
    assert "options trust-ad" in config.resolv_conf()
    conf = config.unbound_conf(tmp_path, tmp_path / "root.ds")
    assert "do-not-query-localhost: no" in conf
    assert f'trust-anchor-file: "{tmp_path / "root.ds"}"' in conf
    assert 'stub-zone:\n    name: "."\n    stub-addr: 127.0.1.53@53' in conf
    assert "validator" in conf


@pytest.mark.skipif(shutil.which("unbound-checkconf") is None, reason="unbound not installed")
def test_unbound_accepts_the_generated_configuration(tmp_path):
    (tmp_path / "root.ds").write_text(". 300 IN DS 1 13 2 " + "00" * 32 + "\n")
    (tmp_path / "unbound.conf").write_text(config.unbound_conf(tmp_path, tmp_path / "root.ds"))
    run = subprocess.run(["unbound-checkconf", str(tmp_path / "unbound.conf")],
                         capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stdout + run.stderr


def test_postfix_recipe_has_dane_the_lab_ca_and_no_listener(tmp_path):
    main = config.main_cf(tmp_path, "/lab/ca.pem")
    for line in ("smtp_dns_support_level = dnssec", "smtp_tls_security_level = dane",
                 "smtp_tls_CAfile = /lab/ca.pem", f"maillog_file = {tmp_path / 'maillog'}",
                 "max_use = 1"):
        assert line in main
    master = config.master_cf()
    assert "smtpd" not in master and " inet " not in master
    for name, setup in config.SETUPS.items():
        assert f"{name:<9} unix" in master
        assert f"/^{name}@/ {name}:" in config.transport_regexp()
    assert master.count("smtp_tls_policy_maps=$sts_policy_maps") == 2  # sts and auto


@pytest.mark.skipif(shutil.which("postconf") is None, reason="postfix not installed")
def test_postfix_reads_the_generated_recipe_without_warnings(tmp_path):
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "main.cf").write_text(config.main_cf(tmp_path, "/lab/ca.pem"))
    (etc / "master.cf").write_text(config.master_cf())
    run = subprocess.run(["postconf", "-c", str(etc), "-n"], capture_output=True, text=True,
                         timeout=30)
    assert run.returncode == 0 and "warning" not in run.stderr, run.stderr
    levels = subprocess.run(["postconf", "-c", str(etc), "-P"], capture_output=True,
                            text=True, timeout=30).stdout
    assert "dane-only/unix/smtp_tls_security_level = dane-only" in levels


def test_a_recorded_matrix_reads_back_the_same(tmp_path):
    from helpers.mta import conformance
    cells = [conformance.explain(conformance.Cell(
                "tls-required.example", "strip", "encrypt", "deferred", "bounced",
                "mx.tls-required.example", "mx.tls-required.example",
                "TLS is required, but was not offered", "530 Must issue a STARTTLS command first")),
             conformance.Cell("example.com", "none", "dane", "verified", "verified",
                              "mx1.example.com", "mx1.example.com", "250 Ok", "DANE")]
    path = conformance.record(cells, {"postfix": "3.7.11"}, tmp_path / "m.json", seed=7)
    back, meta = conformance.load(path)
    assert back[0] == cells[0] and back[0].divergence == "encrypt-bounce"
    assert back[1].postfix_reason == ""  # reasons are kept only where the two differ
    assert meta["versions"] == {"postfix": "3.7.11"} and "encrypt-bounce" in meta["divergences"]


def test_the_recorded_matrix_in_data_is_explained_by_the_table():
    from helpers.mta import conformance
    cells, meta = conformance.load()
    assert meta["versions"]["postfix"] and meta["date"]
    assert not conformance.unexplained(cells)
    assert {c.divergence for c in cells} - {""} <= {e.id for e in conformance.EXPECTED}
