"""Tables for notebook output: words stay whole, content is escaped."""

from helpers.tables import Table


def test_text_wraps_at_word_boundaries_under_its_header():
    t = Table(("domain", "what it teaches"),
              [("example.com", "the running example: two MX hosts delivered over verified TLS " * 3)],
              width=60)
    lines = str(t).splitlines()
    assert all(len(line) <= 60 for line in lines)
    words = set(" ".join(line[13:] for line in lines[1:]).split())
    assert {"delivered", "verified", "example:"} <= words  # no word cut in two
    assert lines[0].index("what it teaches") == lines[1].index("the running")


def test_html_is_escaped_and_left_aligned():
    t = Table(("banner",), [("<script>alert(1)</script> & co",)])
    out = t._repr_html_()
    assert "<script>" not in out and "&lt;script&gt;" in out and "&amp; co" in out
    assert out.count("text-align:left") == 2 and "word-break:normal" in out
