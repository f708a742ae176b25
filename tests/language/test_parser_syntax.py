"""rulelang.parser.parse: the AST it builds and the diagnostics it gives."""

import time

import pytest

from rulelang.errors import ExpressionError
from rulelang.language import nodes as n
from rulelang.language.parser import MAX_DEPTH, MAX_LENGTH, parse

F = n.Field
S = n.String
B = n.Bare


def C(left, op, right):
    return n.Comparison(F(left) if isinstance(left, str) else left, op, right)


def L(op, *operands):
    return n.Logical(op, tuple(F(o) if isinstance(o, str) else o for o in operands))


def first_error(text, **kw):
    with pytest.raises(ExpressionError) as err:
        parse(text, **kw)
    return err.value.diagnostics[0]


# --------------------------------------------------------------------------- literals

@pytest.mark.parametrize("text, right", [
    ('"/"', S(b"/")),
    ('"a\\"b"', S(b'a"b')),
    ('"a\\\\b"', S(b"a\\b")),
    ('"\\x2e\\x77"', S(b".w")),
    ('"\\101BC"', S(b"ABC")),
    ('"a\\x41"', S(b"aA")),
    ('"a\\101"', S(b"aA")),
    ('"\\xff"', S(b"\xff")),
    ('"a\nb"', S(b"a\nb")),
    ('"a\tb"', S(b"a\tb")),
    ('r"\\d+"', S(b"\\d+")),
    ('r#"a"b"#', S(b'a"b')),
    ('r##"a"#b"##', S(b'a"#b')),
    ("61:62", B("61:62")),
    ("1", B("1")),
    ("-5", B("-5")),
    ("0x10", B("0x10")),
    ("010", B("010")),
    ("192.0.2.1", B("192.0.2.1")),
    ("2001:db8::1", B("2001:db8::1")),
    ("fe80::1", B("fe80::1")),
    ("ABCD::", B("ABCD::")),
    ("::", B("::")),
    ("::ffff:192.0.2.1", B("::ffff:192.0.2.1")),
    ("ab:cd", B("ab:cd")),
    ("http.referer", F("http.referer")),
    ("lower(http.referer)", n.Call("lower", (F("http.referer"),))),
])
def test_right_operand_of_eq(text, right):
    assert parse(f"http.host eq {text}") == C("http.host", "eq", right)


def test_string_keeps_its_text_and_span():
    tree = parse('http.host eq  "a\\x41"')
    assert tree.right.text == '"a\\x41"'
    span = tree.right.span
    assert (span.line, span.column, span.end_line, span.end_column) == (1, 15, 1, 22)
    assert (span.start, span.end) == (14, 21)


@pytest.mark.parametrize("text, pattern", [
    ('"^/a\\d"', "^/a\\d"),
    ('"a\\\\.b"', "a\\\\.b"),
    ('"a\\.b"', "a\\.b"),
    ('"a\\"b"', 'a"b'),
    ('"[\\"]"', '[\\"]'),
    ('"["]"', '["]'),
    ('r"a\\.b"', "a\\.b"),
    ('"(?u)\\p{Hangul}+"', "(?u)\\p{Hangul}+"),
    ('""', ""),
])
def test_regex_literal_rules_after_matches(text, pattern):
    for op in ("matches", "~"):
        tree = parse(f"http.host {op} {text}")
        assert tree == C("http.host", "matches", n.Regex(pattern))
        assert tree.spelling == op


@pytest.mark.parametrize("text, value", [
    ('"/a\\\\*"', b"/a\\*"), ('r"/a\\*"', b"/a\\*"), ('"/a?"', b"/a?"), ('"*.example.com"',
                                                                          b"*.example.com"),
])
def test_wildcard_patterns_are_decoded_strings(text, value):
    assert parse(f"http.host wildcard {text}") == C("http.host", "wildcard", S(value))
    assert parse(f"http.host strict wildcard {text}") == C("http.host", "strict wildcard",
                                                           S(value))


@pytest.mark.parametrize("text, right", [
    ('"a"', S(b"a")), ('r"a"', S(b"a")), ("61:62", B("61:62")),
])
def test_contains_takes_strings_and_byte_strings(text, right):
    assert parse(f"http.host contains {text}") == C("http.host", "contains", right)


# --------------------------------------------------------------------------- operators

@pytest.mark.parametrize("spelling, op", [
    ("eq", "eq"), ("==", "eq"), ("ne", "ne"), ("!=", "ne"), ("lt", "lt"), ("<", "lt"),
    ("le", "le"), ("<=", "le"), ("gt", "gt"), (">", "gt"), ("ge", "ge"), (">=", "ge"),
])
def test_ordering_operator_spellings(spelling, op):
    tree = parse(f"http.response.code {spelling} 200")
    assert tree == C("http.response.code", op, B("200"))
    assert tree.spelling == spelling


@pytest.mark.parametrize("spelling", ["&", "bitwise_and"])
def test_bitwise_and_spellings(spelling):
    tree = parse(f"http.response.code {spelling} 1")
    assert tree == C("http.response.code", "bitwise_and", B("1"))
    assert tree.spelling == spelling
    assert parse(f"http.response.code {spelling} cf.edge.server_port").right == \
        F("cf.edge.server_port")


@pytest.mark.parametrize("op", ["starts_with", "ends_with"])
def test_infix_starts_with_extension(op):
    assert parse(f'http.request.uri.path {op} "/api/"') == C(
        "http.request.uri.path", op, S(b"/api/"))
    assert parse(f'{op}(http.host, "x")') == n.Call(op, (F("http.host"), S(b"x")))


@pytest.mark.parametrize("text, tree", [
    ("ssl", F("ssl")),
    ("not ssl", n.Not(F("ssl"))),
    ("!ssl", n.Not(F("ssl"))),
    ("not not ssl", n.Not(n.Not(F("ssl")))),
    ("!!ssl", n.Not(n.Not(F("ssl")))),
    ("not(ssl)", n.Not(n.Group(F("ssl")))),
    ("ssl and ssl", L("and", "ssl", "ssl")),
    ("ssl && ssl", L("and", "ssl", "ssl")),
    ("ssl xor ssl ^^ ssl", L("xor", "ssl", "ssl", "ssl")),
    ("ssl or ssl || ssl", L("or", "ssl", "ssl", "ssl")),
    ("ssl or ssl and ssl", L("or", "ssl", L("and", "ssl", "ssl"))),
    ("ssl and ssl or ssl", L("or", L("and", "ssl", "ssl"), "ssl")),
    ("a or b xor c and d", L("or", "a", L("xor", "b", L("and", "c", "d")))),
    ("not ssl and cf.client.bot", L("and", n.Not(F("ssl")), "cf.client.bot")),
    ('not http.host eq "a" and ssl',
     L("and", n.Not(C("http.host", "eq", S(b"a"))), "ssl")),
    ("(ssl or ssl) and ssl", L("and", n.Group(L("or", "ssl", "ssl")), "ssl")),
    ("((ssl))", n.Group(n.Group(F("ssl")))),
    ("ssl and(ssl)", L("and", "ssl", n.Group(F("ssl")))),
    ('http.host=="a"&&ssl', L("and", C("http.host", "eq", S(b"a")), "ssl")),
    ('http.host eq"a"', C("http.host", "eq", S(b"a"))),
    ("ssl\r\nand ssl", L("and", "ssl", "ssl")),
    ('http.host eq "a" && !ssl || ssl ^^ ssl',
     L("or", L("and", C("http.host", "eq", S(b"a")), n.Not(F("ssl"))), L("xor", "ssl", "ssl"))),
])
def test_logical_precedence_and_spellings(text, tree):
    assert parse(text) == tree


def test_logical_records_spellings():
    tree = parse("ssl and ssl && ssl")
    assert tree.spellings == ("and", "&&")
    assert parse("!ssl").spelling == "!"


# --------------------------------------------------------------------------- values

@pytest.mark.parametrize("text, tree", [
    ('http.request.headers["x"][0] eq "a"',
     C(n.Index(n.Index(F("http.request.headers"), b"x"), 0), "eq", S(b"a"))),
    ('http.request.headers[ "x" ][ 0 ] eq "a"',
     C(n.Index(n.Index(F("http.request.headers"), b"x"), 0), "eq", S(b"a"))),
    ('http.request.headers.names[0x1] eq "a"',
     C(n.Index(F("http.request.headers.names"), 1), "eq", S(b"a"))),
    ('http.request.headers.names[010] eq "a"',
     C(n.Index(F("http.request.headers.names"), 8), "eq", S(b"a"))),
    ('http.request.headers.names[4294967295] eq "a"',
     C(n.Index(F("http.request.headers.names"), 4294967295), "eq", S(b"a"))),
    ('http.request.headers["\\x41"][0] eq "a"',
     C(n.Index(n.Index(F("http.request.headers"), b"A"), 0), "eq", S(b"a"))),
    ('any(http.request.headers.names[*] eq "a")',
     n.Quantifier("any", C(n.Unpack(F("http.request.headers.names")), "eq", S(b"a")))),
    ('all(http.request.headers[*][0] eq "a")',
     n.Quantifier("all", C(n.Index(n.Unpack(F("http.request.headers")), 0), "eq", S(b"a")))),
    ('any(not http.request.headers.names[*] in {"a" "b"})',
     n.Quantifier("any", n.Not(C(n.Unpack(F("http.request.headers.names")), "in",
                                 n.Set((S(b"a"), S(b"b"))))))),
    ('any(lower(http.request.headers.names[*])[*] eq "a")',
     n.Quantifier("any", C(n.Unpack(n.Call("lower", (n.Unpack(F("http.request.headers.names")),
                                                       ))), "eq", S(b"a")))),
    ('any((a[*] eq "a" or b[*] eq "b"))',
     n.Quantifier("any", n.Group(L("or", C(n.Unpack(F("a")), "eq", S(b"a")),
                                   C(n.Unpack(F("b")), "eq", S(b"b")))))),
    ('concat("a", "b") eq "ab"', C(n.Call("concat", (S(b"a"), S(b"b"))), "eq", S(b"ab"))),
    ("substring(http.host, 0, -1) eq http.host",
     C(n.Call("substring", (F("http.host"), B("0"), B("-1"))), "eq", F("http.host"))),
    ("starts_with(http.host, 61:62)", n.Call("starts_with", (F("http.host"), B("61:62")))),
    ("f()", n.Call("f", ())),
    ('to_string(ssl) eq "true"', C(n.Call("to_string", (F("ssl"),)), "eq", S(b"true"))),
    ('to_string((ssl)) eq "true"', C(n.Call("to_string", (n.Group(F("ssl")),)), "eq",
                                     S(b"true"))),
    ('f(http.host eq "a", not ssl)', n.Call("f", (C("http.host", "eq", S(b"a")),
                                                  n.Not(F("ssl"))))),
    ('split(http.response.headers["x"][0], ",", 10)[1] eq ""',
     C(n.Index(n.Call("split", (n.Index(n.Index(F("http.response.headers"), b"x"), 0),
                                S(b","), B("10"))), 1), "eq", S(b""))),
])
def test_values_indexes_calls_and_quantifiers(text, tree):
    assert parse(text) == tree


@pytest.mark.parametrize("text, right", [
    ('{"x" "y"}', n.Set((S(b"x"), S(b"y")))),
    ('{"x""y"}', n.Set((S(b"x"), S(b"y")))),
    ("{}", n.Set(())),
    ("{ }", n.Set(())),
    ('{r"x" 61:62}', n.Set((S(b"x"), B("61:62")))),
    ("{200 300..399}", n.Set((B("200"), B("300..399")))),
    ("{-5..-1}", n.Set((B("-5..-1"),))),
    ("{1.2.3.4 5.6.7.0/24 10.0.0.1..10.0.0.9 ::1 2001:db8::/32}",
     n.Set((B("1.2.3.4"), B("5.6.7.0/24"), B("10.0.0.1..10.0.0.9"), B("::1"),
            B("2001:db8::/32")))),
    ("{\n1\r\n2\n}", n.Set((B("1"), B("2")))),
    ("$cf.open_proxies", n.ListRef("cf.open_proxies")),
    ("$my_list", n.ListRef("my_list")),
    ("$a1.b_2", n.ListRef("a1.b_2")),
])
def test_in_sets_and_lists(text, right):
    assert parse(f"ip.src in {text}") == C("ip.src", "in", right)


@pytest.mark.parametrize("text, tree", [
    ("true", n.BoolConst(True)),
    ("false", n.BoolConst(False)),
    ("(false)", n.BoolConst(False)),
    (" ( ( true ) ) ", n.BoolConst(True)),
    ("\ttrue\n", n.BoolConst(True)),
    ("true and ssl", L("and", "true", "ssl")),
    ("(true) or (ssl)", L("or", n.Group(F("true")), n.Group(F("ssl")))),
])
def test_true_and_false_constants(text, tree):
    assert parse(text) == tree


def test_value_expressions():
    tree = parse('split(http.response.headers["surrogate-keys"][0], ",", 10)', value=True)
    assert isinstance(tree, n.Call)
    assert parse('http.response.headers["cache-tag"]', value=True) == n.Index(
        F("http.response.headers"), b"cache-tag")
    assert parse("lower(http.response.headers.names[*])", value=True) == n.Call(
        "lower", (n.Unpack(F("http.response.headers.names")),))


@pytest.mark.parametrize("text, code, col", [
    ("http.response.headers.names[*]", "RL210", 28),
    ('http.host eq "a"', "RL101", 11),
    ('"a"', "RL110", 1),
    ("ssl and ssl", "RL101", 5),
])
def test_value_expression_errors(text, code, col):
    d = first_error(text, value=True)
    assert (d.code, d.column) == (code, col)


def test_spans_are_relative_to_the_original_text():
    source = "  \n  http.host eq\n  \"a\"  "
    tree = parse(source)
    assert (tree.span.line, tree.span.column, tree.span.end_line, tree.span.end_column) == \
        (2, 3, 3, 6)
    assert source[tree.span.start:tree.span.end] == 'http.host eq\n  "a"'
    assert (tree.right.span.line, tree.right.span.column) == (3, 3)


def test_spans_count_code_points():
    tree = parse('http.host eq "é€" and ssl')
    assert (tree.operands[1].span.column, tree.operands[1].span.start) == (23, 22)


# --------------------------------------------------------------------------- errors

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


# --------------------------------------------------------------------------- limits

def test_length_limit():
    ok = "ssl or " * 584 + "ssl"
    assert len(ok) <= MAX_LENGTH
    parse(ok)
    too_long = "ssl or " * 585 + "ssl"
    d = first_error(too_long)
    assert (d.code, d.column, d.end_column) == ("RL401", 1, len(too_long) + 1)


def test_nesting_limit_128_parentheses():
    parse("(" * MAX_DEPTH + "ssl" + ")" * MAX_DEPTH)
    d = first_error("(" * (MAX_DEPTH + 1) + "ssl" + ")" * (MAX_DEPTH + 1))
    assert (d.code, d.column, d.end_column) == ("RL402", 129, 130)


@pytest.mark.parametrize("opener, closer", [
    ("not ", ""), ("!", ""), ("lower(", ")"), ("any(", ")"), ("(", ")"),
])
def test_every_nesting_kind_counts(opener, closer):
    inner = "x[*] eq 1" if opener == "any(" else "ssl"
    if opener == "any(":
        text = "any(" + "(" * MAX_DEPTH + inner + ")" * MAX_DEPTH + ")"
    else:
        text = opener * (MAX_DEPTH + 1) + inner + closer * (MAX_DEPTH + 1)
    assert first_error(text).code == "RL402"
    shallow = opener * (MAX_DEPTH - 1) + inner + closer * (MAX_DEPTH - 1)
    if opener != "any(":
        parse(shallow)


def test_deep_input_is_rejected_quickly_without_recursion_error():
    start = time.perf_counter()
    with pytest.raises(ExpressionError) as err:
        parse("(" * 10_000 + "ssl" + ")" * 10_000)
    assert {d.code for d in err.value.diagnostics} == {"RL401", "RL402"}
    with pytest.raises(ExpressionError) as err:
        parse("(" * 2000 + "ssl" + ")" * 2000)
    assert err.value.diagnostics[0].code == "RL402"
    with pytest.raises(ExpressionError):
        parse("not " * 1000 + "ssl")
    assert time.perf_counter() - start < 2


@pytest.mark.parametrize("text", [
    "\x00", "\xff\xfe", "((((", "))))", '"' * 5000, "r" + "#" * 300, "{" * 100, "[" * 50,
    "ssl" + "\udc80", b"\x80abc".decode("latin-1"), "\u2028", "a" * 5000,
])
def test_hostile_input_only_raises_expression_error(text):
    with pytest.raises(ExpressionError):
        parse(text)


def test_non_text_input_is_an_expression_error():
    with pytest.raises(ExpressionError):
        parse(b"ssl")  # type: ignore[arg-type]


def test_parse_is_fast():
    text = ('(http.host eq "www.example.com" and starts_with(http.request.uri.path, "/api/")) '
            "or ip.src in {192.0.2.0/24}")
    parse(text)
    runs = 500
    start = time.perf_counter()
    for _ in range(runs):
        parse(text)
    assert (time.perf_counter() - start) / runs < 0.002
