"""The regex dialect of ``matches``/``regex_replace`` on RE2 (language reference §6.4)."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rulelang.language.patterns.regex import PatternError, Regex, compile_regex, parse_replacement

# (pattern as handed to the compiler, haystack, expected search result)
SEARCH_CASES = [
    # §3.9 table
    (r"^/a\d+$", b"/a12", True),
    (r"a\\.b", b"a\\xb", True),
    (r"a\\.b", b"a.b", False),
    (r"a\.b", b"a.b", True),
    (r"a\.b", b"axb", False),
    ('a"b', b'a"b', True),
    (r'[\"]', b'"', True),
    ('["]', b'"', True),
    # §6.4 examples
    (r"^/articles/200[7-8]/$", b"/articles/2008/", True),
    (r"^/articles/200[7-8]/$", b"/articles/2009/", False),
    (r"/autodiscover\.(xml|src)$", b"/autodiscover/autodiscover.xml", True),
    (r"^(www|store|blog)\.example\.com", b"store.example.com", True),
    (r"/api/login\.aspx$", b"/api/login.aspx", True),
    (r"/api/login\.aspx$", b"/api/loginXaspx", False),
    # search, not full match; anchors
    ("b", b"abc", True),
    (r"\Ab", b"abc", False),
    (r"c\z", b"abc", True),
    ("a$", b"a\n", False),
    ("(?m)a$", b"a\n", True),
    ("(?m)^b", b"a\nb", True),
    ("^b", b"a\nb", False),
    # the empty pattern matches everything
    ("", b"", True),
    ("", b"anything", True),
    # bytes: . is one byte, \xHH one byte, UTF-8 literals match their bytes
    (".", b"\xff", True),
    ("^.$", "é".encode(), False),
    ("^..$", "é".encode(), True),
    (".", b"\n", False),
    ("(?s).", b"\n", True),
    (r"\xff", b"\xff", True),
    (r"\xe9", "é".encode(), False),
    ("é", "é".encode(), True),
    ("^é+$", "éé".encode(), True),
    ("^é+$", b"\xc3\xa9\xa9", False),
    (r"\x{e9}", "é".encode(), True),
    (r"\x{e9}", b"\xe9", False),
    (r"\u00e9", "é".encode(), True),
    (r"\u0041", b"A", True),
    (r"\x{41}", b"A", True),
    (r"\U00000041", b"A", True),
    (r"[\xe9]", b"\xe9", True),
    (r"^[^a]$", b"\xff", True),
    # ASCII-only classes and case folding
    (r"\d", "٣".encode(), False),
    (r"\w", "é".encode(), False),
    (r"\s", b"\x0b", True),
    (r"\s", b"\xa0", False),
    ("(?i)abc", b"xABCx", True),
    (r"(?i)\xe9", b"\xc9", False),
    ("(?i)é", "É".encode(), False),
    (r"(?i)[^a]", b"A", False),
    (r"(?i)[a-c]", b"B", True),
    ("[[:alpha:]]+$", b"ab", True),
    ("[[:^alpha:]]", b"ab", False),
    ("[[:space:]]", b"\x0b", True),
    (r"\bfoo\b", b"a foo b", True),
    (r"\bfoo\b", b"afoob", False),
    # Unicode mode
    (r"(?u)\p{Hangul}+", "한국어".encode(), True),
    (r"(?u)\p{Hangul}+", b"abc", False),
    (r"(?u)^.$", "é".encode(), True),
    (r"(?u)^.$", b"\xff", False),
    (r"(?u)\w", "é".encode(), True),
    (r"(?u)\d", "٣".encode(), True),
    (r"(?u)\s", "\u3000".encode(), True),
    (r"(?u)(?i)é", "É".encode(), True),
    (r"(?u:\pL)x", "éx".encode(), True),
    (r"(?u)\p{Letter}", b"a", True),
    (r"(?u)\p{^L}", b"1", True),
    (r"(?u)[\p{Greek}]", "α".encode(), True),
    (r"(?u)(?-u:\b)a", b" a", True),
    # class set operations, nesting, ranges
    (r"^[a-z&&[^aeiou]]+$", b"xyz", True),
    (r"^[a-z&&[^aeiou]]+$", b"xaz", False),
    (r"^[a-z--aeiou]+$", b"bcd", True),
    (r"^[a-z--aeiou]+$", b"bad", False),
    (r"^[a-c~~b-d]+$", b"ad", True),
    (r"^[a-c~~b-d]+$", b"b", False),
    (r"^[a[bc]]+$", b"abc", True),
    (r"^[a&b]+$", b"a&b", True),
    (r"[]a]", b"]", True),
    (r"[^]a]", b"]", False),
    (r"^[a-]+$", b"a-", True),
    (r"^[a-z-0]+$", b"a-0", True),
    (r"[\d\s]", b" ", True),
    # an unknown [:name:] is a nested class, as in the engine (not an error)
    ("^[[:foo:]]+$", b":fo", True),
    ("^[[:foo:]]+$", b"x", False),
    ("^[--a]+$", b"-a", True),
    # verbose mode
    ("(?x) a b # comment", b"ab", True),
    ("(?x)[a b]", b" ", False),
    (r"(?x)a\ b", b"a b", True),
    ("(?x)a{2 , 3}", b"aa", True),
    ("(?x: a )b c", b"ab c", True),
    # stacked and counted repetitions, groups, flags
    ("^x{2}{3}$", b"xxxxxx", True),
    ("^x{2}{3}$", b"xxxx", False),
    ("x**", b"", True),
    ("a{1000}", b"a" * 1000, True),
    ("(?U)a+", b"aaa", True),
    ("(?P<x>a)(?<y.z>b)", b"ab", True),
    ("^(?:ab)+$", b"abab", True),
    ("^(?:ab)+$", b"aba", False),
    ("^(?:a|b){1000}$", b"ab" * 500, True),
    ("(?i:a)b", b"Ab", True),
    ("(?i:a)b", b"AB", False),
    ("^a(?i)b|c$", b"C", True),
    ("(?-i:a)", b"A", False),
    ("(?i)(?-i:a)", b"A", False),
    ("(?s:.)", b"\n", True),
    ("(?:)", b"x", True),
    (r"a\b{1,2}", b"a", True),
    ("a|", b"zzz", True),
    ("()", b"", True),
    (r"\/\%\ \#\&\~", b"/% #&~", True),
    ("]}", b"]}", True),
    # hostile patterns stay linear
    ("(a*)*b", b"a" * 100_000, False),
    ("(a|aa)+$", b"a" * 100_000 + b"!", False),
    ("(x+x+)+y", b"x" * 50_000, False),
]


@pytest.mark.parametrize(("pattern", "data", "expected"), SEARCH_CASES)
def test_search(pattern: str, data: bytes, expected: bool) -> None:
    assert compile_regex(pattern).search(data) is expected


REJECTED = [
    (r"(a)\1", "backreference"),
    (r"\101", "backreference"),
    (r"\0", "backreference"),
    ("a(?=b)", "look-ahead"),
    ("a(?!b)", "look-ahead"),
    ("(?<=a)b", "look-behind"),
    ("(?<!a)b", "look-behind"),
    ("(?>a)", "atomic"),
    ("(?P=n)", "backreference"),
    (r"\Z", r"\Z"),
    (r"\e", "unrecognized escape"),
    (r"\Q.\E", "unrecognized escape"),
    (r"\k<a>", "unrecognized escape"),
    (r"\p{L}", "Unicode not allowed"),
    (r"\pL", "Unicode not allowed"),
    (r"\p{Hangul}+", "Unicode not allowed"),
    ("[é]", "Unicode not allowed"),
    (r"[\x{e9}]", "Unicode not allowed"),
    ("a{1000000}", "exceeds 1000"),
    ("a{1,1001}", "exceeds 1000"),
    ("(a{100}){100}", "repetition"),
    ("a{3,2}", "start > end"),
    ("a{", "unclosed counted repetition"),
    ("{a", "missing expression"),
    ("a{,3}", "valid decimal"),
    ("(?i)*", "missing expression"),
    ("a(?i)*", "missing expression"),
    ("a|*", "missing expression"),
    (r"\<", "word-boundary"),
    (r"\b{start}", "word-boundary"),
    ("(?R)a", "CRLF"),
    (r"(?u)\b", "word boundary"),
    ("(?u)[a&&b]", "Unicode mode"),
    ("(?u)[a[b]]", "Unicode mode"),
    (r"(?u)(?-u:\xff)", "raw byte"),
    ("(", "unclosed group"),
    (")", "unopened group"),
    ("[a", "unclosed character class"),
    ("[[]", "unclosed character class"),
    (r"[\b]", "invalid escape"),
    (r"[a-\d]", "range boundary"),
    ("[z-a]", "start > end"),
    (r"\x{110000}", "Unicode scalar"),
    (r"\x{d800}", "Unicode scalar"),
    (r"\x4", "hex digits"),
    ("(?P<n>a)(?P<n>b)", "duplicate capture group"),
    ("(?<1a>x)", "capture group name"),
    ("(?i-i)a", "duplicate flag"),
    ("(?-)a", "negation"),
    ("(?)", "empty flag group"),
    ("(?i", "end of the regex"),
    ("(?#c)", "comment"),
    ("(?q)", "unrecognized flag"),
    ("a\\", "incomplete escape"),
    (r"(?u)\p{NoSuchScript}", "invalid character class"),
    (r"(?u)\pL{1000}", "size limit"),
]


@pytest.mark.parametrize(("pattern", "fragment"), REJECTED)
def test_rejected_patterns_raise_rl305(pattern: str, fragment: str) -> None:
    with pytest.raises(PatternError) as info:
        compile_regex(pattern)
    assert info.value.code == "RL305"
    assert fragment.lower() in (info.value.message + " " + info.value.hint).lower()


@pytest.mark.parametrize("pattern", [r"\p{L}", "a(?=b)", "a{1001}", r"\Z", r"(a)\1"])
def test_rejections_carry_a_hint(pattern: str) -> None:
    with pytest.raises(PatternError) as info:
        compile_regex(pattern)
    assert info.value.hint


def test_regex_is_immutable_and_keeps_its_pattern() -> None:
    rx = compile_regex("a+")
    assert isinstance(rx, Regex)
    assert rx.pattern == "a+"
    with pytest.raises(AttributeError):
        rx.pattern = "b"  # type: ignore[misc]


def test_regex_is_shared_between_threads() -> None:
    rx = compile_regex(r"^/api/v\d+/")
    results: list[bool] = []

    def work() -> None:
        results.extend(rx.search(b"/api/v%d/x" % i) for i in range(200))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [True] * 800


# regex_replace examples of §8.3, with the regex as decoded from its string argument
REPLACE_CASES = [
    (b"/foo/bar", "/bar$", b"/baz", b"/foo/baz"),
    (b"/x", "^/y$", b"/mumble", b"/x"),
    (b"/foo", "^/FOO$", b"/x", b"/foo"),
    (b"/a/a", "/a", b"/b", b"/b/a"),
    (b"/b", "^/b$", b"/b$$", b"/b$"),
    (b"/foo/a/path", "^/foo/([^/]*)/(.*)$", b"/bar/${2}/${1}", b"/bar/path/a"),
    (b"a\\b", r"\\", b"a", b"aab"),
    (b"abc", "(x)?b", b"[${1}]", b"a[]c"),
    (b"abc", "b", b"<${0}>", b"a<b>c"),
    (b"abc", "", b"-", b"-abc"),
    (b"\xff\xfe", r"\xfe", b"!", b"\xff!"),
    (b"hello", "(?u)(l+)", b"${1}${1}", b"hellllo"),
]


@pytest.mark.parametrize(("source", "pattern", "template", "expected"), REPLACE_CASES)
def test_replace_first(source: bytes, pattern: str, template: bytes, expected: bytes) -> None:
    rx = compile_regex(pattern)
    assert rx.replace_first(source, parse_replacement(template, rx.groups)) == expected


REPLACEMENT_ERRORS = [
    (b"${1}", 0, "refers to group 1"),
    (b"${3}", 2, "refers to group 3"),
    (b"$", 1, "not a reference"),
    (b"a$b", 1, "not a reference"),
    (b"${}", 1, "invalid reference"),
    (b"${x}", 1, "invalid reference"),
    (b"${1", 1, "invalid reference"),
    (b"${1}" * 9, 1, "more than 8"),
]


@pytest.mark.parametrize(("template", "groups", "fragment"), REPLACEMENT_ERRORS)
def test_bad_replacements_raise_rl307(template: bytes, groups: int, fragment: str) -> None:
    with pytest.raises(PatternError) as info:
        parse_replacement(template, groups)
    assert info.value.code == "RL307"
    assert fragment in info.value.message


def test_dollar_digit_without_braces_warns_rl509() -> None:
    rep = parse_replacement(b"/x/$1", 1)
    assert [w.code for w in rep.warnings] == ["RL509"]
    assert rep.expand([b"whole", b"g1"]) == b"/x/g1"


def test_eight_references_are_allowed() -> None:
    rep = parse_replacement(b"${1}" * 8, 1)
    assert rep.references == 8 and not rep.warnings


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=200))
def test_search_never_raises_on_arbitrary_bytes(data: bytes) -> None:
    for rx in _FUZZ_REGEXES:
        assert rx.search(data) in (True, False)


_FUZZ_REGEXES = [compile_regex(p) for p in
                 (r"(?u)\p{L}+", r"^.*$", r"[\x80-\xff]+", r"(?i)abc|\d{3}", r"(a*)*b", r"\b\w+\b")]


@settings(max_examples=200, deadline=None)
@given(pattern=st.text(alphabet=st.sampled_from(list("ab()[]{}|*+?^$.\\-&~:,0123ux é\n#")),
                       max_size=12))
def test_compile_either_succeeds_or_raises_pattern_error(pattern: str) -> None:
    try:
        rx = compile_regex(pattern)
    except PatternError as exc:
        assert exc.code == "RL305"
    else:
        rx.search(b"ab\xc3\xa9")


# ----------------------------------------------------------------- byte-level semantics

BYTE_SEMANTICS = [
    (".", b"\xff", True),                  # . is one byte, any byte but \n
    ("^.$", b"\xc3\xa9", False),
    ("^..$", b"\xc3\xa9", True),
    (".", b"\n", False),
    ("(?s)^.$", b"\n", True),
    (r"\w", b"\xc3\xa9", False),            # \w ASCII
    (r"^\W+$", b"\xc3\xa9", True),
    (r"\d", "٣".encode(), False),
    (r"\s", b"\x85", False),
    (r"\s", b"\xa0", False),
    ("(?i)k", "\u212a".encode(), False),   # (?i) ASCII-only: no Kelvin sign
    ("(?i)s", "\u017f".encode(), False),   # no long s
    ("(?i)^é$", "É".encode(), False),
    (r"(?i)^\xe9$", b"\xc9", False),
    (r"(?i)[\xe0-\xef]", b"\xc9", False),
    ("a$", b"a\n", False),                 # $ only at the very end
    ("(?m)a$", b"a\n", True),
    ("(?m)^b", b"a\nb", True),
    ("^b", b"a\nb", False),
    (r"\bb", b"\xe9b", True),              # \b is ASCII: \xe9 is not a word byte
    (r"a\b", b"a\xe9", True),
    (r"\Ba", b"\xe9a", False),
    (r"^[^a]$", b"\xff", True),            # negated classes match any byte
    (r"^\D$", b"\x80", True),
    ("[[:^alpha:]]", b"\xff", True),
    (r"\x{ff}", b"\xc3\xbf", True),        # \x{…} is a code point: its UTF-8 bytes
    (r"^\xff$", b"\xff", True),
    (r"(?u)^\xff$", b"\xc3\xbf", True),     # in Unicode mode \xff is ÿ
    ("(?u)^.$", "é".encode(), True),
    ("(?u)(?i)é", "É".encode(), True),
]


@pytest.mark.parametrize(("pattern", "data", "expected"), BYTE_SEMANTICS)
def test_byte_level_semantics(pattern: str, data: bytes, expected: bool) -> None:
    assert compile_regex(pattern).search(data) is expected


REPLACE_EDGES = [
    # (source, regex, replacement, result) — §8.3 regex_replace edge cases
    (b"abc", "x*", b"-", b"-abc"),          # an empty match at the start
    (b"abc", "$", b"-", b"abc-"),           # an empty match at the end
    (b"", "", b"${0}!", b"!"),
    (b"abc", "b", b"${0}${0}", b"abbc"),
    (b"abc", "(a)|(b)", b"[${1}|${2}]", b"[a|]bc"),  # group 2 did not take part
    (b"abc", "(x)?a", b"[${1}]", b"[]bc"),
    (b"a$b", r"\$", b"$$$$", b"a$$b"),
    (b"/a/b", "^/(.*)$", b"${1}", b"a/b"),
    (b"\xff\xfe", ".", b"${0}${0}", b"\xff\xff\xfe"),
    (b"aaa", "a*?", b"-", b"-aaa"),
    (b"aaa", "(?U)a*", b"-", b"-aaa"),
    (b"ab", "(?P<x>a)(?<y>b)", b"${2}${1}", b"ba"),
]


@pytest.mark.parametrize(("source", "pattern", "template", "expected"), REPLACE_EDGES)
def test_replace_edges(source: bytes, pattern: str, template: bytes, expected: bytes) -> None:
    rx = compile_regex(pattern)
    assert rx.replace_first(source, parse_replacement(template, rx.groups)) == expected
