"""rulelang.language.parser.parse: the AST it builds for every construct (literals,
operators, values, sets, value expressions) and the spans it records.

Diagnostics are in test_parser_errors.py, limits in test_parser_limits.py."""


import pytest
from support.parsing import first_error

from rulelang.language import nodes as n
from rulelang.language.parser import parse

F = n.Field
S = n.String
B = n.Bare


def C(left, op, right):
    return n.Comparison(F(left) if isinstance(left, str) else left, op, right)


def L(op, *operands):
    return n.Logical(op, tuple(F(o) if isinstance(o, str) else o for o in operands))


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
