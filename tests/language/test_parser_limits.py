"""Limits of the parser (language.md §9): length, nesting depth, hostile and huge input
rejected with RL401/RL402, without a RecursionError (their speed: benchmarks/bench_parser_limits.py)."""

from __future__ import annotations

import pytest
from support.parsing import first_error

from rulelang.errors import ExpressionError
from rulelang.language.parser import MAX_DEPTH, MAX_LENGTH, parse

WORST = {
    "and chain": "x" + "&&x" * 1364,
    "or/and mix": "x" + "||x&&x" * 682,
    "set of ints": "x in{" + "1 " * 2045 + "}",
    "set of strings": "x in{" + '""' * 2045 + "}",
    "set of IPs": "ip.src in{" + "1.2.3.4 " * 509 + "}",
    "call arguments": "f(" + "x," * 2045 + "x)",
    "index chain": "x" + "[0]" * 1364,
    "negations": "!" * 4090 + "ssl",
    "parentheses": "(" * 2046 + "x" + ")" * 2046,
    "escapes": 'x eq "' + "\\x41" * 1020 + '"',
    "regex classes": 'x matches "' + "[a]" * 1360 + '"',
    "dangling": "x and " * 682 + "x or",
}


@pytest.mark.parametrize("name", WORST)
def test_worst_inputs_of_4096_characters_parse_or_fail_with_a_diagnostic(name):
    """Each worst case ends in an AST or an ExpressionError, never a RecursionError; how
    fast is measured in benchmarks/bench_parser_limits.py, not here."""
    text = WORST[name]
    assert len(text) <= 4096
    try:
        parse(text)
    except ExpressionError as err:
        assert err.diagnostics and all(d.code.startswith("RL") for d in err.diagnostics)


@pytest.mark.parametrize("text", ["ssl and " * 131072, "(" * 1_000_000, '"' * 1_000_000,
                                  "x" * 1_000_000])
def test_a_megabyte_gives_rl401_without_running_the_grammar(text, monkeypatch):
    import rulelang.language.parser as parser_module

    def no_grammar(*_args, **_kwargs):
        raise AssertionError("the grammar ran on an over-long expression")

    monkeypatch.setattr(parser_module, "_parser", no_grammar, raising=False)
    with pytest.raises(ExpressionError) as err:
        parse(text)
    assert err.value.diagnostics[0].code == "RL401"



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


def test_deep_input_is_rejected_without_recursion_error():
    with pytest.raises(ExpressionError) as err:
        parse("(" * 10_000 + "ssl" + ")" * 10_000)
    assert {d.code for d in err.value.diagnostics} == {"RL401", "RL402"}
    with pytest.raises(ExpressionError) as err:
        parse("(" * 2000 + "ssl" + ")" * 2000)
    assert err.value.diagnostics[0].code == "RL402"
    with pytest.raises(ExpressionError):
        parse("not " * 1000 + "ssl")


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


def test_ten_thousand_nested_parentheses_fail_with_rl402():
    try:
        parse("(" * 10_000 + "ssl" + ")" * 10_000)
    except ExpressionError as err:
        assert "RL402" in {d.code for d in err.diagnostics}
    else:
        raise AssertionError("accepted 10,000 nested parentheses")
