"""Wildcard patterns (§6.5) against the engine's parser: the same patterns are valid.

``octorules_wirefilter`` parses ``http.host wildcard r###"…"###`` with the engine's
wildcard rules (escapes ``\\*`` ``\\\\``, no ``**``, at most 10 stars); rulelang must
give the same verdict for every generated pattern, and match lazily as documented.
"""

from __future__ import annotations

import random

import pytest

from rulelang.language.patterns.regex import PatternError
from rulelang.language.patterns.wildcard import compile_wildcard

wf = pytest.importorskip("octorules_wirefilter")


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
