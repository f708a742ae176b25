"""The compiled-regex fast path (calling re2's RE2 object directly) agrees with the
public ``re2`` API it replaces, for searches and whole-value wildcard matches."""

from hypothesis import given, settings
from hypothesis import strategies as st

from rulelang.language.patterns.regex import compile_regex
from rulelang.language.patterns.wildcard import compile_wildcard

PATTERNS = [r"^/api/v[0-9]+/", r"a|b", r"", r"(?i)x.y", r"\d{2,3}$", r"(?s)a.*b", r"é",
            r"(?u)\p{Greek}+", r"[^\x00-\x7f]", r"\bword\b"]
WILDCARDS = [b"*", b"", b"/a/*", b"*.example.com/*/page.html", b"A*b", rb"x\*y"]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(PATTERNS), st.binary(max_size=40))
def test_regex_test_agrees_with_the_public_search(pattern, data):
    rx = compile_regex(pattern)
    assert rx.test(data) == (rx._search.search(data) is not None)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(WILDCARDS), st.booleans(), st.binary(max_size=40))
def test_wildcard_test_agrees_with_the_public_fullmatch(pattern, case_sensitive, data):
    wc = compile_wildcard(pattern, case_sensitive=case_sensitive)
    assert wc.test(data) == (wc._match.fullmatch(data) is not None)
