"""The _smtp._tls record (RFC 8460 §3): parsing rules, and lookups in the lab."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import tlsrpt
from helpers.tlsrpt import TlsRptError, parse_record


def test_the_rfc_examples():
    r = parse_record("v=TLSRPTv1;rua=mailto:reports@example.com")
    assert r.rua == ("mailto:reports@example.com",)
    assert r.mailto == ("reports@example.com",) and r.https == ()
    r = parse_record("v=TLSRPTv1; rua=https://reporting.example.com/v1/tlsrpt")
    assert r.https == ("https://reporting.example.com/v1/tlsrpt",) and r.mailto == ()


def test_several_uris_whitespace_trailing_delimiter_and_extensions():
    r = parse_record("v=TLSRPTv1 ;  rua=mailto:a@example.net , https://r.example/x;ext.1=yes ;")
    assert r.rua == ("mailto:a@example.net", "https://r.example/x")
    assert r.extensions == (("ext.1", "yes"),)
    assert r.warnings == ()


def test_percent_encoded_mailbox_is_decoded():
    r = parse_record("v=TLSRPTv1; rua=mailto:tls%2Crpt@example.com")
    assert r.mailto == ("tls,rpt@example.com",)


def test_character_strings_join_without_spaces_and_others_are_discarded():
    r = parse_record([["v=TLSRPTv1; rua=mailto:", "tlsrpt@example.com"],
                      "v=spf1 -all", b"google-site-verification=abc"])
    assert r.mailto == ("tlsrpt@example.com",)


def test_spaces_before_the_first_delimiter_are_allowed():
    assert parse_record("v=TLSRPTv1 \t; rua=mailto:a@x.example").mailto == ("a@x.example",)


def test_repeated_rua_is_merged_with_a_warning():
    r = parse_record("v=TLSRPTv1; rua=mailto:a@x.example; rua=mailto:b@x.example")
    assert r.mailto == ("a@x.example", "b@x.example")
    assert "twice" in r.warnings[0]


def test_unknown_scheme_is_kept_with_a_warning_if_another_works():
    r = parse_record("v=TLSRPTv1; rua=ftp://r.example/x,mailto:a@x.example")
    assert r.mailto == ("a@x.example",) and "ftp" in r.warnings[0]


@pytest.mark.parametrize("text,words", [
    ("v=TLSRPTv1", "no rua field"),
    ("v=TLSRPTv1;", "no rua field"),
    ("v=TLSRPTv1; ext=1", "no rua field"),
    ("v=tlsrptv1; rua=mailto:a@x.example", "is close, but a record must begin exactly"),
    ("rua=mailto:a@x.example; v=TLSRPTv1", "no TXT record begins"),
    ("v=TLSRPTv1; rua=", "empty URI"),
    ("v=TLSRPTv1; rua=mailto:a@x.example,", "empty URI"),
    ("v=TLSRPTv1; rua=mailto:a!10m@x.example", "'!' must be percent-encoded"),
    ("v=TLSRPTv1; rua=mailto:nobody", "does not name a mailbox"),
    ("v=TLSRPTv1; rua=https:///path", "no host"),
    ("v=TLSRPTv1; rua=ftp://r.example/x", "no rua URI is mailto: or https:"),
    ("v=TLSRPTv1; rua mailto:a@x.example", "not name=value"),
    ("v=TLSRPTv1; v=TLSRPTv1; rua=mailto:a@x.example", "v field appears twice"),
    ("v=TLSRPTv1; rua=mailto:a@x.example; _x=1", "field name '_x'"),
    ("v=TLSRPTv1; rua=mailto:a@x.example; x=a b", "may not be empty or contain"),
    ("v=TLSRPTv1 rua=mailto:a@x.example", "no TXT record begins"),
])
def test_invalid_records_say_why_and_cite_section_3(text, words):
    with pytest.raises(TlsRptError, match="RFC 8460 §3") as e:
        parse_record(text)
    assert words in str(e.value)


def test_two_records_mean_no_record():
    with pytest.raises(TlsRptError, match="2 records begin with"):
        parse_record(["v=TLSRPTv1; rua=mailto:a@x.example", "v=TLSRPTv1; rua=mailto:b@x.example"])


def test_wrong_types_are_errors_not_crashes():
    for bad in (None, 3, [3], [[None]]):
        with pytest.raises(TlsRptError):
            parse_record(bad)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), st.binary(), st.lists(st.text(max_size=40), max_size=3),
                 st.text(alphabet="v=TLSRPv1;ruamailto:@,. \thps/x%!", max_size=60).map(
                     lambda s: "v=TLSRPTv1;" + s)))
def test_fuzz_any_input_parses_or_raises_tlsrpt_error(data):
    try:
        r = parse_record(data)
    except TlsRptError as e:
        assert "RFC 8460 §3" in str(e)
    else:
        assert r.rua and all(":" in u for u in r.rua)
        assert r.text.startswith("v=TLSRPTv1")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.from_regex(r"[a-z0-9]{1,8}@[a-z]{1,8}\.example", fullmatch=True),
                min_size=1, max_size=4),
       st.sampled_from([",", " , ", ",\t"]), st.sampled_from([";", " ; ", ";\t"]),
       st.booleans())
def test_fuzz_valid_records_round_trip_their_addresses(addresses, comma, delim, trailing):
    text = "v=TLSRPTv1" + delim + "rua=" + comma.join("mailto:" + a for a in addresses)
    text += delim if trailing else ""
    assert parse_record(text).mailto == tuple(addresses)


# -- over the lab's DNS ----------------------------------------------------------


def test_lookup_in_the_lab(lab):
    r = tlsrpt.lookup_record("example.com", lab.net)
    assert r.text == "v=TLSRPTv1; rua=mailto:tlsrpt@example.com"
    assert r.mailto == ("tlsrpt@example.com",)
    assert tlsrpt.lookup_record("sts-testing.example", lab.net).mailto == (
        "tlsrpt@sts-testing.example",)


def test_lookup_of_a_domain_without_a_record(lab):
    with pytest.raises(TlsRptError, match=r"_smtp\._tls\.opportunistic\.example does not exist"):
        tlsrpt.lookup_record("opportunistic.example", lab.net)


def test_lookup_of_changed_and_broken_records(lab):
    lab.set_records("example.com", "_smtp._tls.example.com", "TXT",
                    ['"v=TLSRPTv1; rua=mailto:a@example.com,"" https://r.example.com/tlsrpt"'])
    r = tlsrpt.lookup_record("example.com", lab.net)
    assert r.rua == ("mailto:a@example.com", "https://r.example.com/tlsrpt")
    lab.set_records("example.com", "_smtp._tls.example.com", "TXT",
                    ['"v=TLSRPTv1; rua=mailto:a@example.com"', '"v=TLSRPTv1; rua=mailto:b@example.com"'])
    with pytest.raises(TlsRptError, match="2 records"):
        tlsrpt.lookup_record("example.com", lab.net)
    lab.set_records("example.com", "_smtp._tls.example.com", "TXT", ['"v=spf1 -all"'])
    with pytest.raises(TlsRptError, match="no TXT record begins"):
        tlsrpt.lookup_record("example.com", lab.net)


@pytest.mark.tools
def test_dig_sees_the_record_the_parser_reads(lab):
    import subprocess

    from conftest import need_tool

    dig = need_tool("dig")
    out = subprocess.run([dig, "@127.0.0.1", "-p", str(lab.dns.port), "+short", "TXT",
                          "_smtp._tls.example.com"], capture_output=True, text=True,
                         timeout=10).stdout.strip()
    assert parse_record(out.strip('"')).mailto == ("tlsrpt@example.com",)
