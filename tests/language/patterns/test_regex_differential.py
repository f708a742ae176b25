"""The regex dialect (language reference §6.4, §3.9) against reference implementations.

* Acceptance: ``octorules_wirefilter.parse_expression`` compiles the regex of
  ``http.host matches r###"…"###`` with the engine's own parser (Rust ``regex``,
  Unicode and UTF-8 modes off).  ``rulelang`` must never accept a pattern the engine
  rejects; it may reject one the engine accepts only for a documented known
  difference (:data:`KNOWN_DIFFERENCES`, each a phrase of our message).
* Matching: Python's ``re`` on simple ASCII patterns (in tests only — the library
  never runs a user pattern through ``re``) gives the expected search results and
  ``regex_replace`` outputs; both engines are leftmost-first.
* The fast path (calling re2's RE2 object directly) agrees with the public ``re2`` API
  it replaces.
"""

from __future__ import annotations

import random
import re

import octorules_wirefilter as wf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rulelang.language.patterns.regex import PatternError, compile_regex, parse_replacement

#: Patterns the engine accepts and rulelang rejects on purpose (§6.4's table and the
#: module docstring of rulelang.regex), by a phrase of the RL305 message.
KNOWN_DIFFERENCES = (
    "exceeds 1000",                      # RE2's counted-repetition limit
    "repetition",                        # RE2's nested-repetition product limit
    "word-boundary assertion",           # \< \> \b{start} …
    "CRLF flag",                         # (?R)
    "Unicode word boundary",             # \b inside (?u)
    "cannot be combined with (?u)",      # raw bytes / split byte classes in UTF-8 mode
    "not supported in Unicode mode",     # nested classes, set operations inside (?u)
    "inside a Unicode class",            # \D \S \W inside a (?u) class
    "invalid character class range: \\p",  # Unicode names RE2 does not know
    "needs exactly",                     # (?x) white space inside \xHH
    "invalid hexadecimal escape",        # \x{…} with more than 8 digits / (?x) spaces
)


def engine_accepts(pattern: str) -> bool:
    result = wf.parse_expression('http.host matches r###"' + pattern + '"###')
    return result.get("error") is None


def rulelang_verdict(pattern: str) -> str | None:
    """None when rulelang compiles ``pattern``, else its RL305 message and hint."""
    try:
        compile_regex(pattern)
    except PatternError as exc:
        assert exc.code == "RL305"
        return exc.message + " " + exc.hint
    return None


def check_against_engine(pattern: str) -> None:
    ours = rulelang_verdict(pattern)
    engine = engine_accepts(pattern)
    if engine:
        assert ours is None or any(k in ours for k in KNOWN_DIFFERENCES), (pattern, ours)
    else:
        assert ours is not None, f"rulelang accepts {pattern!r}, the engine rejects it"


HAND_PICKED = [
    # §6.4 and §3.9
    r"^/a\d+$", r"a\\.b", r"a\.b", r'[\"]', r"^/articles/200[7-8]/$",
    r"/autodiscover\.(xml|src)$", r"^(www|store|blog)\.example\.com", r"/api/login\.aspx$",
    r"\p{Hangul}", r"\pL", r"(?u)\p{Hangul}+", "é", "[é]", r"\xff", r"[\xff]", r"\x{e9}",
    r"[\x{e9}]", r"(a)\1", "a(?=b)", "a(?!b)", "(?<=a)b", "(?<!a)b", "(?>a)", r"\Z", r"\101",
    r"\e", "a{1000000}", "a{1,1001}", "(?P<n>a)", "(?<n>a)", "(?i)a", "(?m)^a$", "(?s).",
    "(?U)a+", "(?x) a b ", "(?i:a)b", "a*?", "a{2,5}?", "[a-z&&[^aeiou]]", "[a-z--aeiou]",
    "[a-c~~b-d]", "[[:alpha:]]", r"\A\z\b\B", r"\n\t\r\x41\x{41}\u0041", "",
    # class corner cases of the engine's parser
    "[[:foo:]]", "[[:Alpha:]]", "[[: alpha:]]", "[[:a:b:]]", "[[:alpha:]", "[--a]", "[a--]",
    "[-a]", "[a-]", "[]]", "[^]]", "[]", "[^]", "[&&a]", "[a&&]", "[a-&&b]", r"[\d-a]",
    r"[a-\d]", "[z-a]", r"[\b]", r"[\A]",
    # counted repetitions and white space
    "a{ 3 }", "a{3 , 4 }", "a{1 0}", "(?x)a{1 0}", "a{,3}", "a{3,}", "a{4294967296}", "{a",
    "(?x)a{2} ?", "a{2}{3}", "a**", "(?i)*",
    # flags and groups
    "(?i-i)a", "(?-)a", "(?)", "(?i", "(?q)", "(?P<a>x)(?<a>y)", "(?P<1a>x)", "(?P<a.b[1]>x)",
    "(", ")", "(?#c)", "a\\",
    # Unicode properties
    r"(?u)\p{Greek}", r"(?u)\p{Cs}", r"(?u)\P{Cs}", r"(?u)\p{Co}", r"(?u)\p{Nd}",
    r"(?u)\p{Any}", r"(?u)\p{L}", r"(?u)\p{Letter}",
]


@pytest.mark.parametrize("pattern", HAND_PICKED)
def test_hand_picked_patterns_agree_with_the_engine(pattern: str) -> None:
    check_against_engine(pattern)


_PIECES = (list("ab()[]{}|*+?^$.\\-&~:,0123ux é\n#PpdwsDSWbBAzZ<>=!iUmsR_")
           + ["(?", "(?i)", "(?u)", "(?x)", "[[:", ":]]", "\\x", "\\u", "{2}", "&&", "--",
              "~~", "\\p{", "}", "[:alpha:]", "\\p{L}", "ff"])


def test_generated_patterns_agree_with_the_engine() -> None:
    rng = random.Random(20240611)
    checked = 0
    while checked < 3000:
        pattern = "".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 9)))
        if '"' in pattern:  # cannot end a raw-string pattern early
            continue
        check_against_engine(pattern)
        checked += 1


# ----------------------------------------------------------------- fixed disagreements

FIXED = [
    # (pattern, haystack, expected) — each was rejected or matched differently before
    ("^[--a]+$", b"-a-", True),        # leading '-' are literals, not a difference op
    ("^[--a]+$", b"b", False),
    ("^[^--a]$", b"b", True),
    ("^[[:foo:]]+$", b":fo", True),    # unknown ASCII class name: a nested class
    ("^[[:foo:]]+$", b"x", False),
    ("^[[:Alpha:]]+$", b"Alph:", True),
    ("^[[:a:b:]]+$", b"a:b", True),
    ("^[[: alpha:]]+$", b" alph:", True),
    ("^a{ 2 }$", b"aa", True),         # white space around the numbers of {m,n}
    ("^a{2 , 3 }$", b"aaa", True),
    ("(?x)^a{1 0}$", b"a" * 10, True),  # (?x): also between the digits
    ("(?x)^a{2} ?$", b"", False),       # (?x): `{2} ?` is a lazy {2}, not optional
    ("(?x)^a{2} ?$", b"aa", True),
    ("(?x)^a\x1cb$", b"a\x1cb", True),  # U+001C is not white space for the engine
    ("(?x)^a\u3000b$", b"ab", True),    # U+3000 is
]


@pytest.mark.parametrize(("pattern", "data", "expected"), FIXED)
def test_fixed_disagreements(pattern: str, data: bytes, expected: bool) -> None:
    assert engine_accepts(pattern)
    assert compile_regex(pattern).search(data) is expected


@pytest.mark.parametrize("pattern", [r"(?u)\p{Cs}", r"(?u)\P{Cs}", r"(?u)[\p{Cs}]",
                                     r"(?u)\p{Surrogate}"])
def test_surrogate_category_is_rejected_like_the_engine(pattern: str) -> None:
    assert not engine_accepts(pattern)
    with pytest.raises(PatternError) as info:
        compile_regex(pattern)
    assert "property value not found" in info.value.message


# ----------------------------------------------------------------- Python re as a reference

_ATOMS = st.sampled_from(["a", "b", "c", ".", "[ab]", "[^a]", "[a-c]", r"\d", r"\w", r"\s",
                          "x", r"\.", "-", "/", "(a|b)", "(ab|a)", "(c)", "(?:ba)", "()"])
_QUANT = st.sampled_from(["", "", "", "*", "+", "?", "*?", "+?", "??", "{2}", "{1,2}",
                          "{0,2}?"])


@st.composite
def ascii_patterns(draw: st.DrawFn) -> str:
    alternatives = []
    for _ in range(draw(st.integers(1, 2))):
        pieces = [draw(_ATOMS) + draw(_QUANT) for _ in range(draw(st.integers(1, 4)))]
        alternatives.append("".join(pieces))
    body = "|".join(alternatives)
    prefix = draw(st.sampled_from(["", "", "^", "(?i)", "(?s)"]))
    suffix = draw(st.sampled_from(["", "", "$"]))
    return prefix + body + suffix


def _python(pattern: str) -> re.Pattern[bytes]:
    # Python's $ also matches before a final \n; the engine's $ is \z
    translated = pattern[:-1] + r"\Z" if pattern.endswith("$") else pattern
    return re.compile(translated.encode(), re.ASCII)


_HAYSTACK = st.text(alphabet="abcx.-/1 \n", max_size=12).map(str.encode)


@settings(max_examples=400, deadline=None)
@given(pattern=ascii_patterns(), data=_HAYSTACK)
def test_search_agrees_with_python_re(pattern: str, data: bytes) -> None:
    assert compile_regex(pattern).search(data) is (_python(pattern).search(data) is not None)


@settings(max_examples=400, deadline=None)
@given(pattern=ascii_patterns(), data=_HAYSTACK)
def test_replace_first_agrees_with_python_re(pattern: str, data: bytes) -> None:
    rx = compile_regex(pattern)
    template = b"<${0}" + b"".join(b"|${%d}" % g for g in range(1, rx.groups + 1)) + b">"
    expected_match = _python(pattern).search(data)
    if expected_match is None:
        expected = data
    else:
        groups = [expected_match.group(g) or b"" for g in range(rx.groups + 1)]
        inner = b"<" + groups[0] + b"".join(b"|" + g for g in groups[1:]) + b">"
        expected = data[:expected_match.start()] + inner + data[expected_match.end():]
    assert rx.replace_first(data, parse_replacement(template, rx.groups)) == expected


# ----------------------------------------------------------------- the compiled fast path

PATTERNS = [r"^/api/v[0-9]+/", r"a|b", r"", r"(?i)x.y", r"\d{2,3}$", r"(?s)a.*b", r"é",
            r"(?u)\p{Greek}+", r"[^\x00-\x7f]", r"\bword\b"]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(PATTERNS), st.binary(max_size=40))
def test_regex_test_agrees_with_the_public_search(pattern, data):
    rx = compile_regex(pattern)
    assert rx.test(data) == (rx._search.search(data) is not None)
