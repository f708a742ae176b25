"""rulelang.printer.to_source: canonical text that parses back to the same tree."""


import pytest
from support.expression_gen import Gen
from support.syntax_corpus import VALID

from rulelang.errors import ExpressionError
from rulelang.language import nodes as n
from rulelang.language.parser import parse
from rulelang.language.printer import to_source


@pytest.mark.parametrize("text, canonical", [
    ('http.host  eq   "a"', 'http.host eq "a"'),
    ('http.host=="a"&&!ssl', 'http.host == "a" && !ssl'),
    ("not  ssl", "not ssl"),
    ("not(ssl)", "not (ssl)"),
    ("ssl or ssl and ssl", "ssl or ssl and ssl"),
    ("(ssl or ssl) and ssl", "(ssl or ssl) and ssl"),
    ("ssl ^^ ssl xor ssl", "ssl ^^ ssl xor ssl"),
    ("ip.src in {1.2.3.4\n  ::1}", "ip.src in {1.2.3.4 ::1}"),
    ('http.host in {"a""b"}', 'http.host in {"a" "b"}'),
    ("ip.src in { }", "ip.src in {}"),
    ('http.host eq "\\x41"', 'http.host eq "\\x41"'),
    ('http.host eq r#"a"b"#', 'http.host eq r#"a"b"#'),
    ('http.host matches "a\\.b"', 'http.host matches "a\\.b"'),
    ("http.host ~ r\"a\"", 'http.host ~ r"a"'),
    ('http.request.headers[ "x" ][ 0x1 ] eq "a"', 'http.request.headers["x"][1] eq "a"'),
    ("any( x[*] eq 1 )", "any(x[*] eq 1)"),
    ('concat( "a" ,"b" ) eq "ab"', 'concat("a", "b") eq "ab"'),
    ("http.response.code bitwise_and 1", "http.response.code bitwise_and 1"),
    ('http.host strict wildcard "*.a"', 'http.host strict wildcard "*.a"'),
    ('http.request.uri.path starts_with "/api/"', 'http.request.uri.path starts_with "/api/"'),
    ("http.host in $my_list", "http.host in $my_list"),
    (" ( true ) ", "true"),
    ("false", "false"),
])
def test_canonical_text(text, canonical):
    assert to_source(parse(text)) == canonical
    assert parse(canonical) == parse(text)


@pytest.mark.parametrize("text", VALID)
def test_corpus_round_trips(text):
    tree = parse(text)
    assert parse(to_source(tree)) == tree


@pytest.mark.parametrize("tree, text", [
    (n.Logical("and", (n.Logical("or", (n.Field("a"), n.Field("b"))), n.Field("c"))),
     "(a or b) and c"),
    (n.Logical("xor", (n.Logical("and", (n.Field("a"), n.Field("b"))), n.Field("c"))),
     "a and b xor c"),
    (n.Logical("or", (n.Logical("or", (n.Field("a"), n.Field("b"))), n.Field("c"))),
     "(a or b) or c"),
    (n.Not(n.Logical("and", (n.Field("a"), n.Field("b")))), "not (a and b)"),
    (n.Quantifier("any", n.Logical("or", (n.Field("a"), n.Field("b")))), "any((a or b))"),
    (n.Call("f", (n.Logical("or", (n.Field("a"), n.Field("b"))),)), "f((a or b))"),
    (n.Comparison(n.Field("x"), "eq", n.String(b'a"\\\x00\xff')), 'x eq "a\\"\\\\\\x00\\xff"'),
    (n.Comparison(n.Field("x"), "eq", n.String("é".encode())), 'x eq "é"'),
    (n.Comparison(n.Field("x"), "eq", n.String(b"a", text='"b"')), 'x eq "a"'),
    (n.Comparison(n.Field("x"), "matches", n.Regex('a"b')), 'x matches r#"a"b"#'),
    (n.Comparison(n.Field("x"), "matches", n.Regex("a\\d")), 'x matches r"a\\d"'),
    (n.Comparison(n.Field("x"), "eq", n.Bare("1"), spelling="ne"), "x eq 1"),
    (n.Not(n.Field("ssl"), spelling="!"), "!ssl"),
    (n.Index(n.Field("m"), b"k\x01"), 'm["k\\x01"]'),
    (n.BoolConst(True), "true"),
])
def test_hand_built_trees_get_the_parentheses_they_need(tree, text):
    assert to_source(tree) == text
    parse(text)


def test_printer_round_trips_everything_the_parser_accepts():
    accepted = 0
    for seed in range(6):
        gen = Gen(2000 + seed)
        for _ in range(400):
            text = gen.expression()
            try:
                tree = parse(text)
            except ExpressionError:
                continue
            accepted += 1
            printed = to_source(tree)
            assert parse(printed) == tree, (text, printed)
            assert to_source(parse(printed)) == printed
    assert accepted > 500
