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
    host = host + ("." if dot else "")
    assert explain(pattern, host).matched == mx_matches(pattern, host)
