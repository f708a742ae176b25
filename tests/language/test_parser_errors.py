"""Syntax diagnostics of the parser (language.md §10.1): every code with its exact span and
message, the traps of the style guide each with its own message and hint, and a hint and
a sane span on every diagnostic of generated input."""

from __future__ import annotations

import pytest
from support.expression_gen import Gen
from support.parsing import first_error

from rulelang.errors import ExpressionError
from rulelang.language.parser import parse

# code, text, (column, end_column) worked out by hand (1-based, end exclusive)
SPANS = [
    ("RL101", "ssl\tand ssl", (4, 5)),                      # the TAB itself
    ("RL101", "ssl \u00a0and ssl", (5, 6)),                 # NBSP
    ("RL101", "ssl # x", (5, 8)),                           # comment to end of line
    ("RL101", 'http.host EQ "a"', (11, 13)),                # upper-case keyword
    ("RL101", "ssl AND ssl", (5, 8)),
    ("RL101", 'http.host = "a"', (11, 12)),
    ("RL101", 'http.host =~ "a"', (11, 13)),
    ("RL101", 'http.host <> "a"', (11, 13)),
    ("RL101", "http.host eq 'a'", (14, 17)),                # single quotes, whole literal
    ("RL101", "ssl)", (4, 5)),                              # stray )
    ("RL101", "(ssl", (1, 2)),                              # the unclosed (
    ("RL101", "ssl or", (5, 7)),                            # dangling operator
    ("RL102", 'http.host eq "a', (14, 16)),
    ("RL102", 'http.host eq r#"a"', (14, 19)),
    ("RL103", 'http.host eq "a\\n"', (16, 18)),             # just the escape
    ("RL103", 'http.host eq "\\x4"', (15, 18)),
    ("RL103", 'http.host eq "\\400"', (15, 19)),
    ("RL105", "http.response.code eq 9223372036854775808", (23, 42)),
    ("RL105", "http.response.code eq 0XFF", (23, 27)),
    ("RL105", "http.response.code eq 09", (24, 25)),            # the 9
    ("RL105", "http.response.code in {1.. 2}", (24, 27)),
    ("RL101", "http.response.code in {1 ..2}", (26, 28)),
    ("RL106", "ip.src in {10.0.0.1/8}", (12, 22)),
    ("RL106", "ip.src in {10.0.0.0/33}", (20, 23)),             # the /33
    ("RL107", "http.host eq 61:", (14, 17)),
    ("RL107", "http.host eq 61:6263", (14, 21)),
    ("RL107", "http.host eq 61:62and ssl", (14, 22)),  # decision: a delimiter must follow
    ("RL108", 'http.host in {"a", "b"}', (18, 19)),             # the comma
    ("RL108", 'http.host contains {"a"}', (20, 21)),
    ("RL109", "http.host in $My_List", (14, 22)),
    ("RL110", 'http.request.headers ["x"][0] eq "a"', (21, 23)),
    ("RL110", 'lower((http.host)) eq "a"', (7, 18)),
    ("RL110", '"a" eq http.host', (1, 4)),
    ("RL110", 'http.host eq http.referer eq "x"', (27, 29)),
    ("RL209", 'http.request.headers.names[-1] eq "a"', (28, 30)),
    ("RL209", 'http.request.headers[r"x"][0] eq "a"', (22, 26)),
    ("RL402", "(" * 129 + "ssl" + ")" * 129, (129, 130)),
    ("RL402", "lower(" * 129 + "http.host" + ")" * 129 + ' eq "a"', (769, 775)),
    ("RL402", "!" * 4000 + "ssl", (129, 130)),
]


@pytest.mark.parametrize("code, text, cols", SPANS)
def test_diagnostic_code_and_exact_span(code, text, cols):
    d = first_error(text)
    assert (d.code, (d.column, d.end_column)) == (code, cols), d.message
    assert d.hint


TRAPS = [  # the style guide's traps, each with its own message
    ("http.host eq 'example.com'", "double quotes"),
    ("http.host eq 1", None),  # a bare number against a text field: the checker's RL206
    ("ssl)", "unmatched `)`"),
    ('http.host contains "a" )', "unmatched `)`"),
    ('http.host = "a"', "`=` is not an operator"),
    ('http.host not contains "a"', "`not` goes before the whole comparison"),
    ("ssl and ssl or", "dangling operator"),
]


@pytest.mark.parametrize("text, words", TRAPS)
def test_traps_have_their_own_message(text, words):
    if words is None:
        parse(text)  # not a syntax error: the type checker owns it (RL206)
        return
    d = first_error(text)
    assert words in d.message and d.hint


def test_every_generated_diagnostic_has_a_hint_and_a_sane_span():
    for seed in range(5):
        gen = Gen(1000 + seed)
        for _ in range(400):
            text = gen.mutate(gen.expression())
            try:
                parse(text)
            except ExpressionError as err:
                for d in err.diagnostics:
                    assert d.hint, (text, d.code, d.message)
                    assert d.line >= 1 and d.column >= 1
                    assert (d.end_line, d.end_column) >= (d.line, d.column), (text, d)


ERRORS = [
    # code, expression, line:column of the first diagnostic, end column
    ("RL100", "", "1:1", 1),
    ("RL100", "   \t\n ", "2:2", 2),
    ("RL101", "ssl\tand ssl", "1:4", 5),
    ("RL101", "ssl \u00a0and ssl", "1:5", 6),
    ("RL101", "ssl # x", "1:5", 8),
    ("RL101", "ssl // x", "1:5", 9),
    ("RL101", "http.host EQ \"a\"", "1:11", 13),
    ("RL101", "ssl AND ssl", "1:5", 8),
    ("RL101", "NOT ssl", "1:1", 4),
    ("RL101", "ssl Or ssl", "1:5", 7),
    ("RL101", "http.host = \"a\"", "1:11", 12),
    ("RL101", "http.host === \"a\"", "1:11", 14),
    ("RL101", "http.host !== \"a\"", "1:11", 14),
    ("RL101", "http.host <> \"a\"", "1:11", 13),
    ("RL101", "http.host =~ \"a\"", "1:11", 13),
    ("RL101", "http.host eq 'a'", "1:14", 17),
    ("RL101", "http.host equals \"a\"", "1:11", 17),
    ("RL101", "http.host not contains \"a\"", "1:11", 14),
    ("RL101", "http.host strict  wildcard \"a\"", "1:11", 17),
    ("RL101", "ssl or", "1:5", 7),
    ("RL101", "ssl and", "1:5", 8),
    ("RL101", "not", "1:1", 4),
    ("RL101", "(ssl", "1:1", 2),
    ("RL101", "((ssl) and ssl", "1:1", 2),
    ("RL101", "ssl)", "1:4", 5),
    ("RL101", "()", "1:1", 3),
    ("RL101", "ssl ssl", "1:5", 8),
    ("RL101", "ssl and and ssl", "1:9", 12),
    ("RL101", "http.host eq", "1:11", 13),
    ("RL101", "http.host | ssl", "1:11", 12),
    ("RL101", "ssl @", "1:5", 6),
    ("RL101", "ssl\x00", "1:4", 5),
    ("RL101", "concat(ssl and ssl)", "1:8", 19),
    ("RL101", "$a", "1:1", 3),
    ("RL101", 'http.host eq "\ud800"', "1:15", 16),
    ("RL102", 'http.host eq "a', "1:14", 16),
    ("RL102", 'http.host eq "abc\\"', "1:14", 20),
    ("RL102", 'http.host eq r#"a"', "1:14", 19),
    ("RL102", 'http.host eq r"a', "1:14", 17),
    ("RL102", 'http.host matches "[a"', "1:19", 23),
    ("RL102", 'http.host matches "a', "1:19", 21),
    ("RL103", 'http.host eq "a\\n"', "1:16", 18),
    ("RL103", 'http.host eq "a\\t"', "1:16", 18),
    ("RL103", 'http.host eq "a\\\'"', "1:16", 18),
    ("RL103", 'http.host eq "a\\x4"', "1:16", 19),
    ("RL103", 'http.host eq "a\\18"', "1:16", 19),
    ("RL103", 'http.host eq "\\0"', "1:15", 17),
    ("RL103", 'http.host eq "\\400"', "1:15", 19),
    ("RL103", 'http.request.uri.path wildcard "/a\\*"', "1:35", 37),
    ("RL103", 'http.request.headers["\\n"][0] eq "a"', "1:23", 25),
    ("RL104", 'http.host eq r' + "#" * 256 + '"a"' + "#" * 256, "1:15", 271),
    ("RL104", "http.host matches r#x", "1:19", 22),
    ("RL105", "http.response.code eq 9223372036854775808", "1:23", 42),
    ("RL105", "http.response.code eq 09", "1:24", 25),
    ("RL105", "http.response.code eq 0XFF", "1:23", 27),
    ("RL105", "http.response.code eq -0x5", "1:23", 27),
    ("RL105", "http.response.code eq 1e3", "1:23", 26),
    ("RL105", "http.response.code eq 1_000", "1:23", 28),
    ("RL105", "http.response.code eq 1.5", "1:23", 26),
    ("RL105", "http.response.code eq +5", "1:23", 24),
    ("RL105", "http.response.code eq - 5", "1:23", 24),
    ("RL105", "http.response.code eq 200and ssl", "1:23", 29),
    ("RL106", "ip.src in {1.2.3}", "1:12", 17),
    ("RL106", "ip.src in {01.2.3.4}", "1:12", 20),
    ("RL106", "ip.src in {10.0.0.1/8}", "1:12", 22),
    ("RL106", "ip.src in {10.0.0.0/33}", "1:20", 23),
    ("RL106", "ip.src in {10.0.0.9..10.0.0.1}", "1:12", 30),
    ("RL106", "ip.src in {10.0.0.1..::1}", "1:12", 25),
    ("RL106", "http.response.code in {200..100}", "1:24", 32),
    ("RL106", "ip.src eq 1.2.3.4.5", "1:11", 20),
    ("RL107", "http.host eq 61:", "1:14", 17),
    ("RL107", "http.host eq 01-2e", "1:14", 19),
    ("RL108", "ip.src in 1.2.3.0/24", "1:11", 21),
    ("RL108", 'http.host in "a"', "1:14", 17),
    ("RL108", 'http.host in {"a", "b"}', "1:18", 19),
    ("RL108", "http.response.code in {1,2}", "1:25", 26),
    ("RL108", 'http.host contains {"a" "b"}', "1:20", 21),
    ("RL108", 'http.host eq {"a"}', "1:14", 15),
    ("RL108", 'http.host in {"a" http.host}', "1:19", 28),
    ("RL108", 'http.host in {"a"', "1:18", 18),
    ("RL109", "http.host in $My_List", "1:14", 22),
    ("RL109", "http.host in $.a", "1:14", 17),
    ("RL109", "http.host in $a.", "1:14", 17),
    ("RL109", "http.host in $", "1:14", 15),
    ("RL109", "http.host in $a-b", "1:14", 18),
    ("RL110", '"a" eq http.host', "1:1", 4),
    ("RL110", "1 eq http.response.code", "1:1", 2),
    ("RL110", "fe80::1 eq ip.src", "1:1", 8),
    ("RL110", 'ssl and "a"', "1:9", 12),
    ("RL110", 'http.host eq http.referer eq "x"', "1:27", 29),
    ("RL110", 'http.host contains "a" contains "b"', "1:24", 32),
    ("RL110", 'lower((http.host)) eq "a"', "1:7", 18),
    ("RL110", "http.host eq (http.referer)", "1:14", 28),
    ("RL110", 'http.request.headers ["x"][0] eq "a"', "1:21", 23),
    ("RL110", 'http.request.headers["x"] [0] eq "a"', "1:26", 28),
    ("RL110", 'http.host eq "a" [0]', "1:18", 19),
    ("RL209", 'http.request.headers.names[-1] eq "a"', "1:28", 30),
    ("RL209", 'http.request.headers.names[4294967296] eq "a"', "1:28", 38),
    ("RL209", 'http.request.headers[r"x"][0] eq "a"', "1:22", 26),
    ("RL209", 'http.request.headers[61:62][0] eq "a"', "1:22", 27),
    ("RL209", 'http.request.headers["\\xff"][0] eq "a"', "1:22", 28),
    ("RL211", 'any(a[*] eq "a" or b[*] eq "b")', "1:5", 31),
    ("RL211", "all(a[*] and b[*])", "1:5", 18),
]


@pytest.mark.parametrize("code, text, where, end_col", ERRORS,
                         ids=[f"{c}-{t[:30]!r}" for c, t, _, _ in ERRORS])
def test_syntax_errors_have_code_and_exact_span(code, text, where, end_col):
    d = first_error(text)
    assert (d.code, f"{d.line}:{d.column}", d.end_column) == (code, where, end_col), d.message
    assert d.message
    assert d.source == text


@pytest.mark.parametrize("text, hint_part", [
    ("ssl\tand ssl", "replace tabs with spaces"),
    ("http.host eq 'a'", 'write "a"'),
    ("ssl AND ssl", "write `and`"),
    ("http.host EQ \"a\"", "write `eq`"),
    ("http.host = \"a\"", "`==` or `eq`"),
    ("http.host =~ \"a\"", "`matches`"),
    ("http.host <> \"a\"", "`!=`"),
    ("ssl # x", "remove the comment"),
    ('http.host in {"a", "b"}', '{"a" "b"}'),
    ("ip.src in 1.2.3.0/24", "in {1.2.3.0/24}"),
    ("http.host equals \"a\"", "contains matches wildcard"),
    ("http.host in $My_List", "$my_list"),
    ('any(a[*] eq "a" or b[*] eq "b")', "parentheses"),
    ("ip.src in {10.0.0.1/8}", "10.0.0.0/8"),
    ('"a" eq http.host', "field or function first"),
    ("(ssl", "column 1"),
])
def test_traps_have_hints(text, hint_part):
    assert hint_part in first_error(text).hint


def test_error_message_renders_with_a_caret():
    with pytest.raises(ExpressionError) as err:
        parse("http.host EQ \"a\"")
    text = str(err.value)
    assert "RL101" in text and "^^" in text
