"""Binding a function as the checker does (§8.3, §8.4): constant arguments checked at bind
time with their codes and argument index, warnings, unavailable functions; and the same
problems reported for whole expressions."""

from __future__ import annotations

import pytest
from support.functions import UNAVAILABLE

import rulelang
from rulelang.language.functions.core import NOT_LITERAL, ArgumentProblem, bind, bind_with_warnings
from rulelang.schema.types import INT, IP, STRING

N = NOT_LITERAL


BIND_ERRORS = [
    # (name, literals, types, code, index)
    ("split", [N, b"", 10], [STRING, STRING, INT], "RL304", 1),
    ("split", [N, b",", 0], [STRING, STRING, INT], "RL304", 2),
    ("split", [N, b",", 129], [STRING, STRING, INT], "RL304", 2),
    ("split", [N, b",", -1], [STRING, STRING, INT], "RL304", 2),
    ("split", [N, N, 10], [STRING, STRING, INT], "RL303", 1),
    ("split", [N, b",", N], [STRING, STRING, INT], "RL303", 2),
    ("url_decode", [N, b"x"], [STRING, STRING], "RL304", 1),
    ("url_decode", [N, b"rr"], [STRING, STRING], "RL304", 1),
    ("url_decode", [N, b"R"], [STRING, STRING], "RL304", 1),
    ("encode_base64", [N, b"x"], [STRING, STRING], "RL304", 1),
    ("encode_base64", [N, b"uu"], [STRING, STRING], "RL304", 1),
    ("wildcard_replace", [N, b"/*", b"/${1}", b"S"], [STRING] * 4, "RL304", 3),
    ("wildcard_replace", [N, b"/*", b"/${1}", b"ss"], [STRING] * 4, "RL304", 3),
    ("wildcard_replace", [N, b"/**", b"/${1}"], [STRING] * 3, "RL306", 1),
    ("wildcard_replace", [N, b"a\\?", b"x"], [STRING] * 3, "RL306", 1),
    ("wildcard_replace", [N, b"*a" * 11, b"x"], [STRING] * 3, "RL306", 1),
    ("wildcard_replace", [N, b"/*", b"/${2}"], [STRING] * 3, "RL307", 2),
    ("wildcard_replace", [N, b"/*", b"/$x"], [STRING] * 3, "RL307", 2),
    ("wildcard_replace", [N, b"/*", b"${1}" * 9], [STRING] * 3, "RL307", 2),
    ("regex_replace", [N, b"(a)\\1", b"x"], [STRING] * 3, "RL305", 1),
    ("regex_replace", [N, b"\\p{L}", b"x"], [STRING] * 3, "RL305", 1),
    ("regex_replace", [N, b"\xff", b"x"], [STRING] * 3, "RL305", 1),
    ("regex_replace", [N, b"a", b"${1}"], [STRING] * 3, "RL307", 2),
    ("regex_replace", [N, b"(a)", b"$"], [STRING] * 3, "RL307", 2),
    ("regex_replace", [N, b"(a)", b"${1}" * 9], [STRING] * 3, "RL307", 2),
    ("regex_replace", [N, N, b"x"], [STRING] * 3, "RL303", 1),
    ("cidr", [N, 0, 24], [IP, INT, INT], "RL304", 1),
    ("cidr", [N, 33, 24], [IP, INT, INT], "RL304", 1),
    ("cidr", [N, 24, 0], [IP, INT, INT], "RL304", 2),
    ("cidr", [N, 24, 129], [IP, INT, INT], "RL304", 2),
    ("cidr6", [N, 129], [IP, INT], "RL304", 1),
    ("cidr6", [N, 0], [IP, INT], "RL304", 1),
    ("lookup_json_integer", [N, N], [STRING, STRING], "RL303", 1),
    ("lookup_json_string", [N, -1], [STRING, INT], "RL304", 1),
    ("remove_query_args", [N, N], [STRING, STRING], "RL303", 1),
    ("substring", [N, N], [STRING, INT], "RL303", 1),
    ("is_timed_hmac_valid_v0", [b"k", N, 60, N, 0, b"x"], [STRING, STRING, INT, INT, INT,
                                                           STRING], "RL304", 5),
    ("is_timed_hmac_valid_v0", [b"k", N, 60, N, -1], [STRING, STRING, INT, INT, INT],
     "RL304", 4),
    ("is_timed_hmac_valid_v0", [N, N, 60, N], [STRING, STRING, INT, INT], "RL303", 0),
]


@pytest.mark.parametrize(("name", "literals", "types", "code", "index"), BIND_ERRORS)
def test_bind_rejects_bad_constants(name: str, literals: list, types: list, code: str,
                                    index: int) -> None:
    with pytest.raises(ArgumentProblem) as info:
        bind(name, literals, types)
    assert (info.value.code, info.value.index, info.value.severity) == (code, index, "error")
    assert info.value.message




@pytest.mark.parametrize("name", UNAVAILABLE)
def test_unavailable_functions_cannot_be_bound(name: str) -> None:
    with pytest.raises(ArgumentProblem) as info:
        bind(name, [N], [STRING])
    assert info.value.code == "RL204"


WARNINGS = [
    ("split", [N, b",", 1], [STRING, STRING, INT], ["RL508"]),
    ("split", [N, b",", 2], [STRING, STRING, INT], []),
    ("regex_replace", [N, b"(a)", b"/x/$1"], [STRING] * 3, ["RL509"]),
    ("regex_replace", [N, b"(a)(b)", b"$1$2"], [STRING] * 3, ["RL509", "RL509"]),
    ("wildcard_replace", [N, b"/*", b"/$1"], [STRING] * 3, ["RL509"]),
    ("regex_replace", [N, b"(a)", b"/x/${1}"], [STRING] * 3, []),
]


@pytest.mark.parametrize(("name", "literals", "types", "codes"), WARNINGS)
def test_bind_with_warnings(name: str, literals: list, types: list, codes: list) -> None:
    impl, problems = bind_with_warnings(name, literals, types)
    assert callable(impl)
    assert [p.code for p in problems] == codes
    assert all(p.severity == "warning" and p.index is not None for p in problems)


def test_dollar_digit_replacement_still_works() -> None:
    impl = bind("regex_replace", [N, b"/(a)", b"/x/$1"], [STRING] * 3)
    assert impl(b"/a", b"/(a)", b"/x/$1") == b"/x/a"


def test_star_limit_is_passed_to_wildcard_replace() -> None:
    bind("wildcard_replace", [N, b"*a" * 11, b"x"], [STRING] * 3, star_limit=None)
    with pytest.raises(ArgumentProblem):
        bind("wildcard_replace", [N, b"*a*", b"x"], [STRING] * 3, star_limit=1)


def test_mapped_first_argument_uses_the_element_type() -> None:
    impl = bind("lower", [N], [STRING])
    assert [impl(v) for v in (b"A", b"B")] == [b"a", b"b"]


RESPONSE = "http_response_cache_settings"


def codes(expression: str) -> list[str]:
    return [d.code for d in rulelang.lint(expression, phase=RESPONSE)]


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
