"""Wildcard patterns (language reference §6.5) and the lazy captures of wildcard_replace."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rulelang.language.patterns.regex import PatternError
from rulelang.language.patterns.wildcard import Wildcard, compile_wildcard

# (pattern, value, strict?, expected) — the §6.5 example table first
MATCH_CASES = [
    (b"https://example.com/a/*", b"https://example.com/a/", False, True),
    (b"https://example.com/a/*", b"https://example.com/a/page.html", False, True),
    (b"https://example.com/a/*", b"https://example.com/a/sub/folder/?name=value", False, True),
    (b"https://example.com/a/*", b"https://example.com/ab/", False, False),
    (b"https://example.com/a/*", b"https://sub.example.com/a/", False, False),
    (b"*.example.com/*/page.html", b"http://sub.example.com/folder/page.html", False, True),
    (b"*.example.com/*/page.html", b"https://admin.example.com/team/subteam/page.html", False,
     True),
    (b"*.example.com/*/page.html", b"https://example.com/ab/page.html", False, False),
    (b"*.example.com/*/page.html", b"https://sub.example.com/folder2/page.html?s=value", False,
     False),
    (b"WWW.Example.*", b"www.example.com", False, True),
    (b"WWW.Example.*", b"www.example.com", True, False),
    # §13.2 evaluation vectors
    (b"*.example.com", b"Shop.Example.com", False, True),
    (b"*.example.com", b"Shop.Example.com", True, False),
    # ? is literal, escapes, empty pattern, lone star
    (b"/a?", b"/a?", False, True),
    (b"/a?", b"/ab", False, False),
    (b"/a\\*", b"/a*", False, True),
    (b"/a\\*", b"/ab", False, False),
    (b"a\\\\b", b"a\\b", False, True),
    (b"", b"", False, True),
    (b"", b"x", False, False),
    (b"*", b"", False, True),
    (b"*", b"\x00\xff\n", False, True),
    # ASCII-only case folding; other bytes exact
    ("é*".encode(), "É".encode(), False, False),
    ("é*".encode(), "éx".encode(), False, True),
    (b"ABC", b"abc", False, True),
    (b"[", b"{", False, False),  # 0x5B vs 0x7B differ by 0x20 but are not letters
    (b"@", b"`", False, False),
    # metacharacters of RE2 are literal, newlines are ordinary bytes
    (b"a.c", b"abc", False, False),
    (b"(a|b)+", b"(a|b)+", False, True),
    (b"a*c", b"a\n\nc", False, True),
    (b"*a*b*c*d*e*f*g*h*i*j", b"abcdefghij", False, True),
]


@pytest.mark.parametrize(("pattern", "value", "strict", "expected"), MATCH_CASES)
def test_match(pattern: bytes, value: bytes, strict: bool, expected: bool) -> None:
    assert compile_wildcard(pattern, case_sensitive=strict).match(value) is expected


ERRORS = [
    (b"/a**", "double star"),
    (b"a\\?", "invalid escape"),
    (b"a\\n", "invalid escape"),
    (b"a\\", "incomplete escape"),
    (b"\\", "incomplete escape"),
    (b"*a*b*c*d*e*f*g*h*i*j*", "wildcard has 11 star metacharacters, but the limit is 10"),
]


@pytest.mark.parametrize(("pattern", "fragment"), ERRORS)
def test_invalid_patterns_raise_rl306(pattern: bytes, fragment: str) -> None:
    with pytest.raises(PatternError) as info:
        compile_wildcard(pattern, case_sensitive=False)
    assert info.value.code == "RL306"
    assert fragment in info.value.message
    assert info.value.hint


def test_star_limit_is_configurable() -> None:
    assert compile_wildcard(b"*a*b*", case_sensitive=True, star_limit=3).stars == 3
    with pytest.raises(PatternError, match="limit is 2"):
        compile_wildcard(b"*a*b*", case_sensitive=True, star_limit=2)
    assert compile_wildcard(b"*a" * 50, case_sensitive=True, star_limit=None).stars == 50


def test_escaped_stars_do_not_count() -> None:
    w = compile_wildcard(b"\\*" * 20 + b"*", case_sensitive=True)
    assert w.stars == 1
    assert w.match(b"*" * 20 + b"tail")


CAPTURES = [
    (b"https://*.example.com/*/*", b"https://apps.example.com/calendar/admin?expand=true", False,
     (b"apps", b"calendar", b"admin?expand=true")),
    (b"/*", b"/calendar", False, (b"calendar",)),
    (b"/apps/*", b"/Apps/calendar", False, (b"calendar",)),
    (b"/apps/*", b"/Apps/calendar", True, None),
    (b"/applications/*", b"https://example.com/applications/app1", False, None),
    (b"/apps/*/login", b"/apps/calendar/login", False, (b"calendar",)),
    (b"/*/*", b"/a/b/c", False, (b"a", b"b/c")),
    (b"*", b"", False, (b"",)),
    (b"*-*", b"a-b-c", False, (b"a", b"b-c")),
    (b"x", b"x", False, ()),
]


@pytest.mark.parametrize(("pattern", "value", "strict", "expected"), CAPTURES)
def test_captures_are_lazy(pattern: bytes, value: bytes, strict: bool,
                           expected: tuple[bytes, ...] | None) -> None:
    assert compile_wildcard(pattern, case_sensitive=strict).captures(value) == expected


def test_wildcard_is_immutable() -> None:
    w = compile_wildcard(b"a*", case_sensitive=False)
    assert isinstance(w, Wildcard)
    with pytest.raises(AttributeError):
        w.stars = 3  # type: ignore[misc]


def test_many_stars_on_a_huge_value_stay_fast() -> None:
    w = compile_wildcard(b"*a*a*a*a*a*a*a*a*a*b", case_sensitive=False)
    assert not w.match(b"a" * 200_000)
    assert w.captures(b"a" * 20_000) is None


# --------------------------------------------------------------- reference model


def _tokens(pattern: bytes) -> list[int | None]:
    """§6.5 read naively: a list of byte values and None for each star."""
    out: list[int | None] = []
    i = 0
    while i < len(pattern):
        if pattern[i] == 0x5C:
            out.append(pattern[i + 1])
            i += 2
        elif pattern[i] == 0x2A:
            out.append(None)
            i += 1
        else:
            out.append(pattern[i])
            i += 1
    return out


def _fold(b: int) -> int:
    return b + 32 if 65 <= b <= 90 else b


def _reference(tokens: list[int | None], value: bytes, strict: bool) -> list[bytes] | None:
    """Backtracking matcher; stars try the shortest text first (lazy)."""
    if not tokens:
        return [] if not value else None
    head, rest = tokens[0], tokens[1:]
    if head is None:
        for k in range(len(value) + 1):
            tail = _reference(rest, value[k:], strict)
            if tail is not None:
                return [value[:k], *tail]
        return None
    if not value:
        return None
    same = value[0] == head if strict else _fold(value[0]) == _fold(head)
    return _reference(rest, value[1:], strict) if same else None


_PATTERN_BYTES = st.sampled_from([b"a", b"A", b"b", b"*", b"\\*", b"\\\\", b"?", b"\xe9"])
_VALUE_BYTES = st.sampled_from([b"a", b"A", b"b", b"B", b"*", b"\\", b"?", b"\xe9", b"\xc9"])


@settings(max_examples=400, deadline=None)
@given(parts=st.lists(_PATTERN_BYTES, max_size=7), value=st.lists(_VALUE_BYTES, max_size=8),
       strict=st.booleans())
def test_agrees_with_reference_matcher(parts: list[bytes], value: list[bytes],
                                       strict: bool) -> None:
    pattern, data = b"".join(parts), b"".join(value)
    try:
        w = compile_wildcard(pattern, case_sensitive=strict)
    except PatternError:
        tokens = _tokens(pattern)
        assert any(a is None and b is None for a, b in itertools.pairwise(tokens))
        return
    expected = _reference(_tokens(pattern), data, strict)
    assert w.match(data) is (expected is not None)
    assert w.captures(data) == (None if expected is None else tuple(expected))
