"""The MX-pattern playground of notebook 03 (RFC 8461 §4.1)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.mtasts import mx_matches
from helpers.widgets.mx_playground import explain, mx_playground


@pytest.mark.parametrize("pattern, host, matched, words", [
    ("*.example.com", "mail.example.com", True, "exactly one leftmost label"),
    ("*.example.com", "example.com", False, "bare domain is not covered"),
    ("*.example.com", "a.b.example.com", False, "2 labels in front"),
    ("mail.example.com", "MAIL.Example.COM.", True, "folding case"),
    ("mail.example.com", "mail.example.com.evil.net", False, "prefix or suffix"),
    ("*.example.com", "mail.example.com.evil.net", False, "never a prefix or suffix"),
    ("mail.example.com", "mx.example.org", False, "the names differ"),
])
def test_each_rule_is_named(pattern, host, matched, words):
    m = explain(pattern, host)
    assert m.matched is matched and words in m.rule


def test_typing_updates_the_verdict():
    pg = mx_playground()
    assert "matches" in pg.result.value and "does not" not in pg.result.value
    pg.host.value = "a.b.example.com"
    assert "does not match" in pg.result.value and "2 labels" in pg.result.value
    pg.pattern.value = "*.b.example.com"
    assert "does not" not in pg.result.value


def test_a_pattern_a_policy_would_refuse_is_flagged():
    pg = mx_playground("mail.*.example.com", "mail.x.example.com")
    assert "wildcard may only be the whole leftmost label" in pg.result.value


def test_typed_text_is_escaped():
    pg = mx_playground("<img src=x onerror=alert(1)>", "<script>x</script>")
    for page in (pg.result.value, pg._repr_html_()):
        assert "<img" not in page and "<script" not in page
        assert "&lt;img" in page and "&lt;script&gt;" in page


label = st.sampled_from(["mail", "MX", "a", "example", "com", "*", "evil", "net", ""])
name = st.lists(label, min_size=0, max_size=4).map(".".join)


@given(pattern=name, host=name, dot=st.booleans())
def test_the_verdict_is_always_mx_matches(pattern, host, dot):
    """For a host name; what is not one matches nothing (test below)."""
    host = host + ("." if dot else "")
    m = explain(pattern, host)
    assert m.matched == (mx_matches(pattern, host) and "not a host name" not in m.rule)


def test_spaces_around_a_pattern_are_dropped_as_the_policy_parser_does():
    from helpers.mtasts import parse_policy

    policy = parse_policy("version: STSv1\nmode: enforce\nmx: mail.example.com \nmax_age: 86400\n")
    assert mx_matches(policy.mx[0], "mail.example.com")
    m = explain("mail.example.com ", "mail.example.com")
    assert m.matched and not m.warning
    assert explain(" *.example.com\t", " mail.example.com").matched


def test_each_rule_cites_its_section_once():
    for pattern, host in [("mail.example.com", "MAIL.example.com."),
                          ("*.example.com", "Mail.Example.com"),
                          ("mail.example.com", "mail.example.com")]:
        assert explain(pattern, host).rule.count("§4.1") == 1, explain(pattern, host).rule


@pytest.mark.parametrize("host", ["\U0001F600.example.com", "a" * 3000 + ".example.com",
                                  "x" * 64 + ".example.com", "-mail.example.com",
                                  "mail_1.example.com"])
def test_what_is_not_a_host_name_matches_nothing(host):
    m = explain("*.example.com", host)
    assert not m.matched and "not a host name" in m.rule
    assert len(m.rule) < 300  # says why without repeating 3,000 characters


def test_long_unbroken_input_wraps_instead_of_being_clipped():
    pg = mx_playground("*.example.com", "a" * 200)
    assert "overflow-wrap:anywhere" in pg.result.value
