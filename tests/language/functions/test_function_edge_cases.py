"""Review of the functions of language reference §8.3 (and §3.6, §5.3, §9, §10).

Two levels: ``call`` binds one function as the checker does and runs it on internal
values (bytes, ints, ``ipaddress`` objects, MISSING); ``value`` compiles a whole
expression and evaluates it on a request, so string escapes (§3.6) reach the regex
and wildcard arguments exactly as written.  Every expected value is worked out by
hand from the spec.
"""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.functions import call

import rulelang
from rulelang.schema.values import MISSING

RESPONSE = "http_response_cache_settings"
ip = ipaddress.ip_address


def value(expression: str, url: str = "https://example.com/", headers: object = None,
          host: str | None = None) -> object:
    if host is not None:
        headers = [("Host", host), *(headers or [])]
    request = rulelang.Request(method="GET", url=url, headers=headers or {})
    return rulelang.compile_expression(expression, phase=RESPONSE, expect="any").evaluate(request)


def codes(expression: str) -> list[str]:
    return [d.code for d in rulelang.lint(expression, phase=RESPONSE)]


# ------------------------------------------------------------------ MISSING everywhere

MISSING_CASES = [
    ("concat", (MISSING, MISSING, b"a"), b"a"),
    ("concat", (b"a", MISSING, MISSING), b"a"),
    ("concat", (MISSING, MISSING, MISSING), MISSING),
    ("concat", ((b"a",), MISSING), (b"a",)),
    ("decode_base64", (MISSING,), MISSING),
    ("ends_with", (MISSING, MISSING), MISSING),
    ("ends_with", (b"a", MISSING), MISSING),
    ("starts_with", (MISSING, b""), MISSING),
    ("starts_with", (b"a", MISSING), MISSING),
    ("len", (MISSING,), MISSING),
    ("lookup_json_integer", (MISSING, b"a", 0), MISSING),
    ("lookup_json_string", (MISSING, 0), MISSING),
    ("lower", (MISSING,), MISSING),
    ("upper", (MISSING,), MISSING),
    ("regex_replace", (MISSING, b"", b"x"), MISSING),
    ("remove_bytes", (MISSING, MISSING), MISSING),
    ("remove_bytes", (b"ab", MISSING), MISSING),
    ("remove_bytes", (MISSING, b"a"), MISSING),
    ("remove_query_args", (MISSING, b"a", b"b"), MISSING),
    ("split", (MISSING, b",", 1), MISSING),
    ("substring", (MISSING, 0, 1), MISSING),
    ("to_string", (MISSING,), MISSING),
    ("url_decode", (MISSING, b"ru"), MISSING),
    ("wildcard_replace", (MISSING, b"*", b"${1}", b"s"), MISSING),
]

# ------------------------------------------------------------------ adversarial inputs

EDGE_CASES = [
    # non-UTF-8 bytes and empty strings pass through byte-wise
    ("lower", (b"\xc3\x89A\xff",), b"\xc3\x89a\xff"),
    ("upper", (b"\xe9a",), b"\xe9A"),
    ("len", (b"\xff\xfe",), 2),
    ("len", (b"",), 0),
    ("concat", (b"\xff", b"", b"\x00"), b"\xff\x00"),
    ("ends_with", (b"a\xff", b"\xff"), True),
    ("starts_with", (b"", b"a"), False),
    ("remove_bytes", (b"\x00a\x00", b"\x00"), b"a"),
    ("remove_bytes", (b"", b"abc"), b""),
    ("split", (b"a\xffb", b"\xff", 5), (b"a", b"b")),
    ("split", (b"", b"ab", 1), (b"",)),
    ("decode_base64", (b"/w",), b"\xff"),
    ("decode_base64", (b"YQ==YQ==",), MISSING),
    ("decode_base64", (b"YQ\n==",), MISSING),
    # lookup_json_*: duplicate keys, nesting, escapes, surrogates, numbers, white space
    ("lookup_json_integer", (b'{"a": 1, "a": 2, "a": 3}', b"a"), 3),
    ("lookup_json_integer", (b'{"a": {"b": 1}, "a": {"c": 2}}', b"a", b"b"), MISSING),
    ("lookup_json_integer", (b'[[1, [2, [3]]]]', 0, 1, 1, 0), 3),
    ("lookup_json_integer", (b'[[1, [2, [3]]]]', 0, 1, 1), MISSING),
    ("lookup_json_integer", (b'{"\\u0061": 7}', b"a"), 7),
    ("lookup_json_integer", (b'{"a\\"b": 7}', b'a"b'), 7),
    ("lookup_json_integer", (b'{"A": 7}', b"a"), MISSING),
    ("lookup_json_integer", (b'{"a": -0}', b"a"), 0),
    ("lookup_json_integer", (b'{"a": -0.0}', b"a"), MISSING),
    ("lookup_json_integer", (b'{"a": 1.0}', b"a"), MISSING),
    ("lookup_json_integer", (b'{"a": 1E2}', b"a"), MISSING),
    ("lookup_json_integer", (b'{"a": -9223372036854775809}', b"a"), MISSING),
    ("lookup_json_integer", (b'{"a": 123456789012345678901234567890}', b"a"), MISSING),
    ("lookup_json_integer", (b' \t\r\n{"a" :\n 5 }\r\n\t ', b"a"), 5),
    ("lookup_json_integer", (b'\x0c{"a": 5}', b"a"), MISSING),
    ("lookup_json_integer", (b'{"a": 5}\x00', b"a"), MISSING),
    ("lookup_json_integer", (b'{"a": 5', b"a"), MISSING),
    ("lookup_json_integer", (b'{"a": [5]}', b"a", b"0"), MISSING),
    ("lookup_json_integer", (b'{"0": 5}', 0), MISSING),
    ("lookup_json_integer", (b'{"a": 5}', b"a", 0), MISSING),
    ("lookup_json_string", (b'{"a": "\\ud83d\\ude00"}', b"a"), "😀".encode()),
    ("lookup_json_string", (b'{"a": "\\udc00"}', b"a"), MISSING),
    ("lookup_json_string", (b'{"a": "\\u00e9\\n\\t\\/"}', b"a"), "é\n\t/".encode()),
    ("lookup_json_string", (b'{"a": "raw\ttab"}', b"a"), MISSING),
    ("lookup_json_string", (b'{"a": "x", "a": "y"}', b"a"), b"y"),
    ("lookup_json_string", (b'{"a": null}', b"a"), MISSING),
    ("lookup_json_string", (b'{"a": true}', b"a"), MISSING),
    ("lookup_json_string", (b'{"a": 5}', b"a"), MISSING),
    ("lookup_json_string", ('{"é": "ü"}'.encode(), "é".encode()), "ü".encode()),
    # url_decode
    ("url_decode", (b"%",), b"%"),
    ("url_decode", (b"a%4",), b"a%4"),
    ("url_decode", (b"%%41",), b"%A"),
    ("url_decode", (b"%G1",), b"%G1"),
    ("url_decode", (b"a+b%2Bc",), b"a b+c"),
    ("url_decode", (b"%2B", b"r"), b" "),
    ("url_decode", (b"%u0041",), b"%u0041"),
    ("url_decode", (b"%u0041", b"r"), b"%u0041"),
    ("url_decode", (b"%u004", b"u"), b"%u004"),
    ("url_decode", (b"%u", b"u"), b"%u"),
    ("url_decode", (b"%u0041%41", b"u"), b"AA"),
    ("url_decode", (b"%25u0041", b"u"), b"%u0041"),
    ("url_decode", (b"%25u0041", b"r"), b"%u0041"),
    ("url_decode", (b"%25u0041", b"ru"), b"A"),
    ("url_decode", (b"%252541", b"r"), b"A"),
    ("url_decode", (b"%2541",), b"%41"),
    ("url_decode", (b"%00%ff",), b"\x00\xff"),
    ("url_decode", (b"%uDBFF%uDFFF", b"u"), b"%uDBFF%uDFFF"),
    # substring: negative and out-of-range offsets (Python slicing)
    ("substring", (b"asdfghjk", -3, -1), b"hj"),
    ("substring", (b"asdfghjk", -100, -50), b""),
    ("substring", (b"asdfghjk", 3, 3), b""),
    ("substring", (b"asdfghjk", 0, 100), b"asdfghjk"),
    ("substring", (b"asdfghjk", 8), b""),
    ("substring", (b"asdfghjk", -8), b"asdfghjk"),
    ("substring", (b"", 0, 1), b""),
    # split: long separators, the limit exactly the number of parts
    ("split", (b"a,b,c", b",", 3), (b"a", b"b", b"c")),
    ("split", (b"a,b,c", b",", 2), (b"a", b"b,c")),
    ("split", (b"a, b, c", b", ", 128), (b"a", b"b", b"c")),
    ("split", (b"a<>b<><>c", b"<>", 4), (b"a", b"b", b"", b"c")),
    ("split", (b"aaaa", b"aa", 10), (b"", b"", b"")),
    ("split", (b"a,", b",", 2), (b"a", b"")),
    ("split", (b"abc", b"abcd", 3), (b"abc",)),
    # remove_query_args: && kept, leading &, names with '=', percent-encoded names
    ("remove_query_args", (b"a=1&&b=2", b"b"), b"a=1&"),
    ("remove_query_args", (b"&a=1&b=2", b"b"), b"&a=1"),
    ("remove_query_args", (b"&a=1", b"a"), b""),
    ("remove_query_args", (b"a=1&b=2&", b"a"), b"b=2&"),
    ("remove_query_args", (b"a=1&b", b"a=1"), b"a=1&b"),
    ("remove_query_args", (b"a==1&b", b"a"), b"b"),
    ("remove_query_args", (b"=1&a=2", b""), b"a=2"),
    ("remove_query_args", (b"a%5B%5D=1&a[]=2", b"a[]"), b"a%5B%5D=1"),
    ("remove_query_args", (b"a&a=&a=1&ab=2&A=3", b"a"), b"ab=2&A=3"),
    ("remove_query_args", (b"a=1;b=2", b"b"), b"a=1;b=2"),
    # to_string: negative integers, RFC 5952 text of IPv6
    ("to_string", (-1,), b"-1"),
    ("to_string", (9223372036854775807,), b"9223372036854775807"),
    ("to_string", (ip("1:0:0:2:0:0:3:4"),), b"1::2:0:0:3:4"),       # tie: the first run
    ("to_string", (ip("1:0:2:0:0:0:3:4"),), b"1:0:2::3:4"),         # the longest run
    ("to_string", (ip("1:0:2:3:4:5:6:7"),), b"1:0:2:3:4:5:6:7"),    # one zero: no ::
    ("to_string", (ip("1:2:3:4:5:6:7:0"),), b"1:2:3:4:5:6:7:0"),
    ("to_string", (ip("0:0:1:0:0:0:0:0"),), b"0:0:1::"),
    ("to_string", (ip("1::"),), b"1::"),
    ("to_string", (ip("2001:DB8:00AB::0001"),), b"2001:db8:ab::1"),
    ("to_string", (ip("::ffff:1.2.3.4"),), b"::ffff:1.2.3.4"),      # IPv4-mapped: dotted
    ("to_string", (ip("::ffff:0:0"),), b"::ffff:0.0.0.0"),
    ("to_string", (ip("::1.2.3.4"),), b"::102:304"),                # IPv4-compatible: hex
    ("to_string", (ip("64:ff9b::1.2.3.4"),), b"64:ff9b::102:304"),
    ("to_string", (ip("0.0.0.0"),), b"0.0.0.0"),
    # regex_replace: empty matches, ${0}, $$, groups that did not take part
    ("regex_replace", (b"abc", b"x*", b"-"), b"-abc"),
    ("regex_replace", (b"abc", b"$", b"!"), b"abc!"),
    ("regex_replace", (b"", b"", b"${0}$$"), b"$"),
    ("regex_replace", (b"abc", b"b", b"[${0}]"), b"a[b]c"),
    ("regex_replace", (b"abc", b"(a)|(b)", b"1=${1},2=${2}"), b"1=a,2=bc"),
    ("regex_replace", (b"bc", b"(a)|(b)", b"1=${1},2=${2}"), b"1=,2=bc"),
    ("regex_replace", (b"a$b", b"\\$", b"$$$$"), b"a$$b"),
    ("regex_replace", (b"x.y", b".", b"-"), b"-.y"),
    ("regex_replace", (b"x.y", b"\\.", b"-"), b"x-y"),
    ("regex_replace", (b"\xc3\xa9", b"^.", b"-"), b"-\xa9"),
    ("regex_replace", (b"aaa", b"a+?", b"-"), b"-aa"),
    # wildcard_replace: lazy captures, flags, ${0}, escaped stars
    ("wildcard_replace", (b"a-b-c", b"*-*", b"${1}|${2}"), b"a|b-c"),
    ("wildcard_replace", (b"a-b-c", b"*-*-*", b"${3}${2}${1}"), b"cba"),
    ("wildcard_replace", (b"/A/b", b"/a/*", b"${0}>${1}"), b"/A/b>b"),
    ("wildcard_replace", (b"/A/b", b"/a/*", b"${0}>${1}", b"s"), b"/A/b"),
    ("wildcard_replace", (b"/a/b", b"/a/*", b"x", b"s"), b"x"),
    ("wildcard_replace", (b"a*b*c", b"*\\**", b"${1}|${2}"), b"a|b*c"),
    ("wildcard_replace", (b"abc", b"*", b"${1}${1}"), b"abcabc"),
    ("wildcard_replace", (b"", b"*", b"[${1}]"), b"[]"),
    ("wildcard_replace", (b"ab", b"a?", b"x"), b"ab"),
    ("wildcard_replace", (b"a?", b"a?", b"x"), b"x"),
    ("wildcard_replace", (b"x\nA\xff", b"x*a*", b"${1}|${2}"), b"\n|\xff"),
]


@pytest.mark.parametrize(("name", "args", "expected"), MISSING_CASES + EDGE_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(MISSING_CASES + EDGE_CASES)])
def test_function_edge_case(name: str, args: tuple, expected: object) -> None:
    assert call(name, *args) == expected


def test_huge_inputs_stay_fast_and_exact() -> None:
    big = b"%25" * 100_000 + b"41"
    assert call("url_decode", big) == b"%" * 100_000 + b"41"
    assert call("url_decode", b"%" + b"25" * 100_000 + b"41", b"r") == b"A"
    assert call("remove_query_args", b"a=1&" * 100_000 + b"b=2", b"a") == b"b=2"
    assert call("substring", b"x" * 1_000_000, -3) == b"xxx"
    assert call("lookup_json_integer", b"[" + b"0," * 100_000 + b"7]", 100_000) == 7
    assert call("wildcard_replace", b"a/" * 50_000, b"*/*", b"${1}") == b"a"
    assert len(call("split", b"," * 1_000_000, b",", 128)) == 128


@given(data=st.binary(max_size=30), sep=st.binary(min_size=1, max_size=3),
       limit=st.integers(1, 128))
def test_split_parts_join_back_to_the_input(data: bytes, sep: bytes, limit: int) -> None:
    parts = call("split", data, sep, limit)
    assert 1 <= len(parts) <= limit and sep.join(parts) == data


@given(groups=st.lists(st.integers(0, 0xFFFF), min_size=8, max_size=8))
def test_to_string_of_ipv6_is_rust_display(groups: list[int]) -> None:
    address = ipaddress.IPv6Address(b"".join(g.to_bytes(2, "big") for g in groups))
    text = call("to_string", address).decode()
    if groups[:6] == [0, 0, 0, 0, 0, 0xFFFF]:
        assert text == f"::ffff:{address.ipv4_mapped}"
        return
    # the longest run of two or more zero groups (the first on a tie) becomes ::
    best, length = -1, 1
    for start in range(8):
        run = 0
        while start + run < 8 and groups[start + run] == 0:
            run += 1
        if run > length:
            best, length = start, run
    hexes = [f"{g:x}" for g in groups]
    expected = (":".join(hexes) if best < 0 else
                ":".join(hexes[:best]) + "::" + ":".join(hexes[best + length:]))
    assert text == expected


# ------------------------------------------------------------------ whole expressions

VALUES = [
    # (expression, request: host or url/headers, expected value)
    # §3.6 escapes are decoded before the regex / wildcard sees the argument
    ('regex_replace(http.host, "\\x2e", "-")', {"host": "a.b"}, "-.b"),     # regex `.`
    ('regex_replace(http.host, "\\\\x2e", "-")', {"host": "xa.b"}, "xa-b"),  # regex `\x2e`
    ('regex_replace(http.host, "\\\\.", "-")', {"host": "a.b"}, "a-b"),
    ('regex_replace(http.host, r"\\.", "-")', {"host": "a.b"}, "a-b"),
    ('regex_replace(http.host, "\\134.", "-")', {"host": "a.b"}, "a-b"),     # octal `\`
    ('regex_replace(http.host, r"\\\\", "a")', {"host": "a\\b"}, "aab"),
    ('regex_replace(http.host, "\\\\\\\\", "a")', {"host": "a\\b"}, "aab"),
    ('regex_replace(http.host, "^(?i)A", "${0}${0}")', {"host": "ab"}, "aab"),
    ('wildcard_replace(http.request.uri.path, "/a\\\\*/*", "${1}")',
     {"url": "https://e.com/a*/b"}, "b"),
    ('wildcard_replace(http.request.uri.path, r"/a\\*/*", "${1}")',
     {"url": "https://e.com/a*/b"}, "b"),
    ('wildcard_replace(http.request.uri.path, r"/a\\*/*", "${1}")',
     {"url": "https://e.com/ax/b"}, "/ax/b"),
    ('remove_bytes(http.host, "\\x2e\\x77")', {"host": "www.cloudflare.com"}, "cloudflarecom"),
    # §8.3 examples that read fields
    ('remove_query_args(http.request.uri.query, "country")',
     {"url": "https://e.com/?order=asc&country=GB"}, "order=asc"),
    ('remove_query_args(http.request.uri.query, "b", "c")',
     {"url": "https://e.com/?a=1&b&c=3"}, "a=1"),
    ('split(http.request.headers["x-categories"][0], ",", 3)',
     {"headers": {"X-Categories": "groceries,electronics,diy,auto"}},
     ["groceries", "electronics", "diy,auto"]),
    ('substring(http.request.uri.path, -2)', {"url": "https://e.com/asdfghjk"}, "jk"),
    ('url_decode(http.request.uri.path)', {"url": "https://e.com/%2520"}, "/%20"),
    ('url_decode(http.request.uri.path, "r")', {"url": "https://e.com/%2520"}, "/ "),
    ('lookup_json_string(http.request.headers["x-j"][0], "networks", 1)',
     {"headers": {"X-J": '{ "networks": ["other_company", "cloudflare"] }'}}, "cloudflare"),
    ('concat("/", http.request.accepted_languages[0], http.request.uri.path)',
     {"url": "https://e.com/my-path"}, "//my-path"),
    # MISSING arguments
    ('lower(http.request.headers["x-absent"][0])', {}, None),
    ('regex_replace(http.request.headers["x-absent"][0], "a", "b")', {}, None),
    ('wildcard_replace(http.request.headers["x-absent"][0], "*", "b")', {}, None),
    ('url_decode(http.request.headers["x-absent"][0], "r")', {}, None),
    ('decode_base64(http.request.headers["x-b"][*])',
     {"headers": [("X-B", "MTIz"), ("X-B", "!!"), ("X-B", "YQ")]}, ["123", "a"]),
]


def _missing_to_none(result: object) -> object:
    return None if result is MISSING else result


@pytest.mark.parametrize(("expression", "request_", "expected"), VALUES)
def test_whole_expression_value(expression: str, request_: dict, expected: object) -> None:
    result = _missing_to_none(value(expression, **request_))
    if isinstance(result, tuple):
        result = list(result)
    assert result == expected


FILTERS = [
    ('starts_with(http.request.headers["x-absent"][0], "a")', False),
    ('not starts_with(http.request.headers["x-absent"][0], "a")', True),
    ('lower(http.request.headers["x-absent"][0]) ne "a"', False),
    ('len(http.request.headers["x-absent"]) >= 0', False),
    ('ends_with(http.host, "")', True),
]


@pytest.mark.parametrize(("expression", "expected"), FILTERS)
def test_missing_values_in_filters(expression: str, expected: bool) -> None:
    compiled = rulelang.compile_expression(expression, phase=RESPONSE)
    assert compiled.matches(rulelang.Request(method="GET", url="https://e.com/")) is expected


DIAGNOSTICS = [
    ('regex_replace(http.host, "\\.", "a") eq ""', "RL103"),       # \. is no string escape
    ('wildcard_replace(http.host, "\\*", "a") eq ""', "RL103"),
    ('regex_replace(http.host, "(a)", "${2}") eq ""', "RL307"),
    ('regex_replace(http.host, "a", "$") eq ""', "RL307"),
    ('regex_replace(http.host, "a", "${1") eq ""', "RL307"),
    ('regex_replace(http.host, "(a)", "${1}${1}${1}${1}${1}${1}${1}${1}${1}") eq ""', "RL307"),
    ('wildcard_replace(http.host, "*", "${2}") eq ""', "RL307"),
    ('wildcard_replace(http.host, "a**", "x") eq ""', "RL306"),
    ('wildcard_replace(http.host, r"a\\?", "x") eq ""', "RL306"),
    ('wildcard_replace(http.host, "*a*a*a*a*a*a*a*a*a*a*", "x") eq ""', "RL306"),
    ('wildcard_replace(http.host, "*", "x", "S") eq ""', "RL304"),
    ('regex_replace(http.host, "\\\\p{L}", "x") eq ""', "RL305"),
    ('regex_replace(http.host, "(a)\\\\1", "x") eq ""', "RL305"),
    ('regex_replace(http.host, "\\xff", "x") eq ""', "RL305"),
    ('split(http.host, "", 2)[0] eq ""', "RL304"),
    ('split(http.host, ",", 129)[0] eq ""', "RL304"),
    ('url_decode(http.host, "x") eq ""', "RL304"),
    ('url_decode(http.host, "rr") eq ""', "RL304"),
    ('concat(regex_replace(http.host, "a", "b"), wildcard_replace(http.host, "*", "b")) eq ""',
     "RL308"),
    ('split(http.host, ",", 1)[0] eq ""', "RL508"),
    ('regex_replace(http.host, "(a)", "$1") eq ""', "RL509"),
]


@pytest.mark.parametrize(("expression", "code"), DIAGNOSTICS)
def test_function_diagnostics(expression: str, code: str) -> None:
    assert code in codes(expression)


def test_eight_references_and_dollar_dollar_are_allowed() -> None:
    found = codes('regex_replace(http.host, "(a)", "${1}${1}${1}${1}${1}${1}${1}${1}$$") eq ""')
    assert not {"RL307", "RL509"} & set(found)
