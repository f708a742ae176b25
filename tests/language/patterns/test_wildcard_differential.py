"""Wildcard patterns (§6.5) against the engine's parser: the same patterns are valid.

``octorules_wirefilter`` parses ``http.host wildcard r###"…"###`` with the engine's
wildcard rules (escapes ``\\*`` ``\\\\``, no ``**``, at most 10 stars); rulelang must
give the same verdict for every generated pattern, and match lazily as documented.
The compiled fast path of a whole-value match agrees with re2's public ``fullmatch``.
"""

from __future__ import annotations

import random

import octorules_wirefilter as wf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rulelang.language.patterns.regex import PatternError
from rulelang.language.patterns.wildcard import compile_wildcard


def _engine_accepts(pattern: str) -> bool:
    return wf.parse_expression('http.host wildcard r###"' + pattern + '"###').get("error") is None


def _rulelang_accepts(pattern: str) -> bool:
    try:
        compile_wildcard(pattern.encode(), case_sensitive=False)
    except PatternError as exc:
        assert exc.code == "RL306"
        return False
    return True


_PIECES = ["*", "\\", "a", "?", "é", " ", "\\*", "\\\\", "x", "\\?", "**"]


def test_generated_patterns_have_the_engines_verdict() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        pattern = "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 14)))
        assert _rulelang_accepts(pattern) is _engine_accepts(pattern), pattern


@pytest.mark.parametrize(("pattern", "valid"), [
    ("*a" * 10, True), ("*a" * 11, False), ("\\*" * 20, True), ("a\\", False),
    ("\\?", False), ("**", False), ("\\**", True), ("*\\*", True), ("", True),
])
def test_hand_picked_patterns(pattern: str, valid: bool) -> None:
    assert _engine_accepts(pattern) is valid
    assert _rulelang_accepts(pattern) is valid


# ----------------------------------------------------------------- the compiled fast path

WILDCARDS = [b"*", b"", b"/a/*", b"*.example.com/*/page.html", b"A*b", rb"x\*y"]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(WILDCARDS), st.booleans(), st.binary(max_size=40))
def test_wildcard_test_agrees_with_the_public_fullmatch(pattern, case_sensitive, data):
    wc = compile_wildcard(pattern, case_sensitive=case_sensitive)
    assert wc.test(data) == (wc._match.fullmatch(data) is not None)
