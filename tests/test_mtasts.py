"""helpers.mtasts: every RFC 8461 rule the course teaches, one test each."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import mtasts
from helpers.mtasts import MtaStsError, mx_matches, parse_policy, parse_txt

GOOD = "version: STSv1\nmode: enforce\nmx: mx1.example.com\nmx: *.example.net\nmax_age: 604800\n"


# -- §3.1 TXT record ----------------------------------------------------------------

def test_txt_basic_and_extensions():
    r = parse_txt(["v=STSv1; id=20260613T120000;"])
    assert r.id == "20260613T120000" and r.extensions == ()
    r = parse_txt(["v=STSv1;id=abc;ext_1=x.y-z"])
    assert r.id == "abc" and r.extensions == (("ext_1", "x.y-z"),)
    assert parse_txt(["v=STSv1;  id=abc  ;  "]).id == "abc"  # *WSP ";" *WSP, trailing ';'
    assert parse_txt("v=STSv1; id=abc").id == "abc"  # no trailing ';' is fine too


def test_txt_repeated_id_first_wins_and_unrelated_records_may_be_anything():
    r = parse_txt(["v=STSv1; id=first; id=second"])
    assert r.id == "first" and "first" in r.warnings[0]
    assert parse_txt([[b"caf\xc3\xa9=1"], "v=STSv1; id=abc"]).id == "abc"
    with pytest.raises(MtaStsError, match="1 to 32"):
        parse_txt([b"v=STSv1; id=caf\xc3\xa9"])


def test_txt_repeated_fields_are_treated_one_way():
    """RFC 8461 §3.1: a repeated v, id or extension field: the first is used,
    with a warning; a malformed repeat still makes the record invalid."""
    r = parse_txt(["v=STSv1; id=abc; v=STSv2"])
    assert r.id == "abc" and r.extensions == () and "v repeated" in r.warnings[0]
    r = parse_txt(["v=STSv1; id=abc; x=1; x=2"])
    assert r.extensions == (("x", "1"),) and "x repeated" in r.warnings[0]
    assert all("§3.1" in w for w in parse_txt(["v=STSv1; id=a; id=b; v=STSv1"]).warnings)
    for bad in ("v=STSv1; id=a; id=b!", "v=STSv1; id=a; v="):
        with pytest.raises(MtaStsError, match="§3.1"):
            parse_txt([bad])


def test_txt_strings_are_joined_without_spaces():
    assert parse_txt([["v=STSv1; id=2026", "0613T120000;"]]).id == "20260613T120000"
    assert parse_txt([[b"v=STSv1; ", b"id=x1"]]).id == "x1"


def test_txt_other_records_are_discarded_but_exactly_one_must_remain():
    assert parse_txt(["google-site-verification=abc", "v=STSv1; id=a1"]).id == "a1"
    with pytest.raises(MtaStsError, match="2 records begin"):
        parse_txt(["v=STSv1; id=a1", "v=STSv1; id=a2"])
    with pytest.raises(MtaStsError, match="no TXT record begins"):
        parse_txt(["v=spf1 -all"])
    with pytest.raises(MtaStsError, match="must begin exactly"):
        parse_txt(["v=STSV1; id=a1"])  # case-sensitive: discarded, then none remain
    with pytest.raises(MtaStsError, match="§3.1"):
        parse_txt([])


@pytest.mark.parametrize("record,problem", [
    ("v=STSv1;", "no id"),
    ("v=STSv1; ext=1", "no id"),
    ("v=STSv1; id=", "1 to 32"),
    ("v=STSv1; id=" + "a" * 33, "1 to 32"),
    ("v=STSv1; id=2026-06-13", "1 to 32"),
    ("v=STSv1; id", "name=value"),
    ("v=STSv1; id=a; _x=1", "extension name"),
    ("v=STSv1; id=a; x=", "extension value"),
    ("v=STSv1; id=a; x=a=b", "extension value"),
    ("v=STSv1; id=a b", "1 to 32"),
])
def test_txt_syntax_errors_say_what(record, problem):
    with pytest.raises(MtaStsError, match=problem) as e:
        parse_txt([record])
    assert "RFC 8461 §3.1" in str(e.value)


# -- §3.2 policy --------------------------------------------------------------------

def test_policy_good_lf_and_crlf():
    for text in (GOOD, GOOD.replace("\n", "\r\n"), GOOD.rstrip("\n"), GOOD.encode()):
        p = parse_policy(text)
        assert (p.version, p.mode, p.max_age) == ("STSv1", "enforce", 604800)
        assert p.mx == ("mx1.example.com", "*.example.net") and p.warnings == ()


def test_policy_unknown_keys_ignored_first_occurrence_wins():
    p = parse_policy(GOOD + "mode: testing\nfoo: bar baz\n")
    assert p.mode == "enforce"
    assert p.extensions == (("foo", "bar baz"),)
    assert any("repeated" in w for w in p.warnings)
    assert any("unknown key 'foo'" in w for w in p.warnings)


def test_policy_mx_may_repeat_and_is_required_unless_mode_none():
    assert parse_policy("version: STSv1\nmode: none\nmax_age: 86400\n").mx == ()
    with pytest.raises(MtaStsError, match="needs at least one mx"):
        parse_policy("version: STSv1\nmode: testing\nmax_age: 86400\n")


@pytest.mark.parametrize("text,problem,line", [
    ("version: STSv1\nmode: Enforce\nmx: a.example\nmax_age: 1\n", "case-sensitive", 2),
    ("Version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1\n", "did you mean 'version'", None),
    ("version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 1\n", "must be 'STSv1'", 1),
    ("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601\n", "exceeds", 4),
    ("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 12345678901\n", "1 to 10 digits", 4),
    ("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1\n", "1 to 10 digits", 4),
    ("version: STSv1\nmode: enforce\nmx: mail.*.example\nmax_age: 1\n", "whole leftmost label", 3),
    ("version: STSv1\nmode: enforce\nmx: *.*.example\nmax_age: 1\n", "whole leftmost label", 3),
    ("version: STSv1\nmode: enforce\nmx: *example.com\nmax_age: 1\n", "whole leftmost label", 3),
    ("version: STSv1\nmode: enforce\nmx: mx.bücher.example\nmax_age: 1\n", "A-label", 3),
    ("version: STSv1\nmode: enforce\nmx: bad_host.example\nmax_age: 1\n", "not a host name", 3),
    ("version: STSv1\nmode enforce\nmx: a.example\nmax_age: 1\n", "not 'key: value'", 2),
    ("version : STSv1\nmode: enforce\nmx: a.example\nmax_age: 1\n", "not a valid key", 1),
    ("version: STSv1\rmode: enforce\n", "lone CR", 1),
    ("version: STSv1\nmode:\nmx: a.example\nmax_age: 1\n", "empty", 2),
    ("", "empty", None),
    ("version: STSv1\nmode: enforce\nmx: " + "a." * 130 + "example\nmax_age: 1\n", "not a host name", 3),
    ("version: STSv1\n\x0b\nmode: enforce\n", "not 'key: value'", 2),
])
def test_policy_errors_name_the_line_and_rule(text, problem, line):
    with pytest.raises(MtaStsError, match=problem) as e:
        parse_policy(text)
    assert e.value.line == line and "RFC 8461 §3.2" in str(e.value)


def test_policy_not_utf8():
    with pytest.raises(MtaStsError, match="not UTF-8"):
        parse_policy(b"version: STSv1\nmode: enforce\xff\n")


def test_policy_max_age_bounds_and_empty_lines():
    assert parse_policy(GOOD.replace("604800", "31557600")).max_age == 31557600
    assert parse_policy(GOOD.replace("604800", "0")).max_age == 0
    p = parse_policy(GOOD.replace("\nmx:", "\n\nmx:", 1))
    assert any("line 3 is empty" in w for w in p.warnings)


# -- §4.1 matching ---------------------------------------------------------------------

@pytest.mark.parametrize("pattern,host,expected", [
    ("mail.example.com", "mail.example.com", True),
    ("mail.example.com", "MAIL.Example.COM.", True),
    ("mail.example.com.", "mail.example.com", True),
    ("*.example.com", "mail.example.com", True),
    ("*.example.com", "MAIL.EXAMPLE.COM", True),
    ("*.example.com", "example.com", False),
    ("*.example.com", "a.b.example.com", False),
    ("*.example.com", "mail.example.com.evil.net", False),
    ("mail.example.com", "mail.example.com.evil.net", False),
    ("example.com", "mail.example.com", False),
    ("*.example.com", ".example.com", False),
    ("*.example.com", "*.example.com", False),
    ("*.example.com", "mailexample.com", False),
])
def test_mx_matching(pattern, host, expected):
    assert mx_matches(pattern, host) is expected


def test_policy_matches_uses_every_pattern():
    p = parse_policy(GOOD)
    assert p.matches("mx1.example.com") and p.matches("x.example.net")
    assert not p.matches("mx2.example.com") and not p.matches("a.b.example.net")


# -- §5 what a sender does ------------------------------------------------------------------

def test_apply_enforce_testing_none():
    enforce = parse_policy(GOOD)
    testing = parse_policy(GOOD.replace("enforce", "testing"))
    ok = mtasts.apply(enforce, "mx1.example.com", starttls=True, certificate_ok=True)
    assert ok.action == "deliver" and ok.failure is None
    v = mtasts.apply(enforce, "evil.example.org", starttls=True, certificate_ok=True)
    assert v.action == "do not deliver to this MX" and v.failure == "validation-failure"
    v = mtasts.apply(testing, "mx1.example.com", starttls=False, certificate_ok=False)
    assert v.action == "deliver and report" and v.failure == "starttls-not-supported"
    v = mtasts.apply(enforce, "mx1.example.com", starttls=True, certificate_ok=False,
                     certificate_problem="certificate-expired")
    assert v.failure == "certificate-expired"
    assert mtasts.apply(None, "x", starttls=False, certificate_ok=False).action == "deliver"


# -- never anything but MtaStsError ----------------------------------------------------------

_lines = st.lists(st.sampled_from([
    "version: STSv1", "mode: enforce", "mode: testing", "mode: none", "max_age: 86400",
    "mx: mx.example.com", "mx: *.example.com", "mx: *", "x: y", "", ":", "mx:", "version:STSv1",
]) | st.text(max_size=30), max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), st.binary(max_size=200),
                 _lines.map("\n".join), _lines.map("\r\n".join)))
def test_parse_policy_raises_nothing_but_mtastserror(text):
    try:
        p = parse_policy(text)
    except MtaStsError:
        return
    assert p.mode in ("enforce", "testing", "none") and 0 <= p.max_age <= 31557600


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=60), st.binary(max_size=60),
                          st.lists(st.text(max_size=20), max_size=3),
                          st.builds(lambda s: "v=STSv1;" + s, st.text(max_size=40)),
                          st.integers(), st.none()), max_size=4))
def test_parse_txt_raises_nothing_but_mtastserror(records):
    try:
        r = parse_txt(records)
    except MtaStsError:
        return
    assert 1 <= len(r.id) <= 32 and r.id.isalnum()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40), st.text(max_size=40))
def test_mx_matches_never_raises(pattern, host):
    assert mx_matches(pattern, host) in (True, False)


# -- the cache (§5.1), with simulated time -------------------------------------------------------

def _fetcher(*results):
    calls = []

    def fetch():
        calls.append(1)
        result = results[min(len(calls), len(results)) - 1]
        if isinstance(result, Exception):
            raise result
        return result
    return fetch, calls


def test_cache_follows_section_5_1():
    clock = mtasts.ManualClock()
    cache = mtasts.PolicyCache(clock=clock)
    v1, v2 = parse_policy(GOOD), parse_policy(GOOD.replace("mx1", "mx9"))
    fetch, calls = _fetcher(v1, v2)
    assert cache.update("example.com", "A", fetch).action == "fetched"
    assert cache.update("example.com", "A", fetch).action == "cached" and len(calls) == 1
    d = cache.update("example.com", None, fetch, "NXDOMAIN")
    assert d.action == "kept-without-record" and d.policy is v1  # no eviction
    d = cache.update("example.com", "B", fetch)  # new id: refetch
    assert d.action == "fetched" and d.policy is v2 and len(calls) == 2
    failing, _ = _fetcher(OSError("connection refused"))
    d = cache.update("example.com", "C", failing)
    assert d.action == "kept-after-failure" and d.policy is v2 and "refused" in d.reason
    clock.advance(v2.max_age + 1)  # expired
    d = cache.update("example.com", None, fetch)
    assert d.action == "none" and d.policy is None
    d = cache.update("example.com", "C", failing)
    assert d.action == "none" and "fetch failed" in d.reason


def test_cache_keeps_a_stale_policy_when_the_id_does_not_change():
    """The operator changed the policy but not the id: a cache that does not
    refresh does not notice until expiry."""
    clock = mtasts.ManualClock()
    cache = mtasts.PolicyCache(clock=clock, refresh_after=None)
    old, new = parse_policy(GOOD), parse_policy(GOOD.replace("mx1", "mx9"))
    fetch, calls = _fetcher(old, new)
    cache.update("example.com", "A", fetch)
    clock.advance(86400)
    d = cache.update("example.com", "A", fetch)
    assert d.policy is old and len(calls) == 1
    clock.advance(old.max_age)
    assert cache.update("example.com", "A", fetch).policy is new  # only after expiry


def test_cache_refreshes_daily_before_expiry():
    """RFC 8461 §3.3: senders SHOULD refresh cached policies before they expire
    (about daily), so the first-contact window does not reopen at each expiry."""
    clock = mtasts.ManualClock()
    cache = mtasts.PolicyCache(clock=clock)
    v1 = parse_policy(GOOD)
    v2 = parse_policy(GOOD.replace("mx1", "mx9"))
    fetch, calls = _fetcher(v1, v1, OSError("policy host blocked"), v2)
    assert cache.update("example.com", "A", fetch).action == "fetched"
    clock.advance(86400 - 1)
    assert cache.update("example.com", "A", fetch).action == "cached" and len(calls) == 1
    clock.advance(1)
    d = cache.update("example.com", "A", fetch)
    assert d.action == "refreshed" and len(calls) == 2 and "§3.3" in d.reason
    refreshed_at = clock()
    # a blocked refresh keeps the policy; it never runs out while refreshes succeed
    clock.advance(86400)
    d = cache.update("example.com", "A", fetch)
    assert d.action == "kept-after-failure" and d.policy is v1 and "blocked" in d.reason
    clock.advance(v1.max_age - 86400 - 1)  # past the first fetch's expiry
    assert clock() > cache.history[0].at + v1.max_age
    d = cache.update("example.com", "A", fetch)
    assert d.action == "refreshed" and d.policy is v2 and "id did not" in d.reason
    assert cache.get("example.com").expires_at == clock() + v2.max_age > refreshed_at


def test_cache_does_not_refresh_without_a_record():
    clock = mtasts.ManualClock()
    cache = mtasts.PolicyCache(clock=clock)
    fetch, calls = _fetcher(parse_policy(GOOD))
    cache.update("example.com", "A", fetch)
    clock.advance(2 * 86400)
    assert cache.update("example.com", None, fetch).action == "kept-without-record"
    assert len(calls) == 1
