"""The syntax corpus (corpus/expressions/syntax_*.txt) through parse(), and through
Cloudflare's own parser (octorules-wirefilter) for the same valid/invalid verdict."""

import octorules_wirefilter as wf
import pytest
from support.syntax_corpus import INVALID, VALID

from rulelang.errors import ExpressionError
from rulelang.language.parser import parse


def test_corpus_is_large_enough():
    assert len(VALID) >= 200 and len(INVALID) >= 150


@pytest.mark.parametrize("text", VALID)
def test_valid_corpus_parses(text):
    parse(text)


@pytest.mark.parametrize("code, where, text", INVALID)
def test_invalid_corpus_gives_the_expected_first_diagnostic(code, where, text):
    with pytest.raises(ExpressionError) as err:
        parse(text)
    d = err.value.diagnostics[0]
    assert (d.code, f"{d.line}:{d.column}") == (code, where), d.message


# --------------------------------------------------------------------------- oracle

#: Valid for rulelang, rejected by the engine (octorules-wirefilter 0.7): each a
#: documented decision of the language reference §12, or a stub of the oracle.
ORACLE_REJECTS_VALID = {
    # §6.10 / §12 #1: infix starts_with / ends_with is a rulelang extension.
    'http.request.uri.path starts_with "/api/"', 'http.request.uri.path ends_with ".html"',
    'not http.request.uri.path starts_with r"/x"',
    # §3.16 / §12 #16: whole-expression true/false.
    "true", "false", "(true)", "((false))", " true ",
}
#: Invalid for rulelang, accepted by the engine.
ORACLE_ACCEPTS_INVALID = {
    # §3.1: the empty expression is an error for rulelang (a rule needs an expression).
    "", "   \t\n ",
    # §3.11 / §12 #14: lenient IPv4 forms inside sets.
    "ip.src in {1.2.3}", "ip.src in {01.2.3.4}",
}


@pytest.mark.parametrize("text", VALID)
def test_oracle_agrees_valid(text):
    verdict = wf.parse_expression(text)
    if text in ORACLE_REJECTS_VALID:
        return
    error = verdict.get("error", "")
    # The oracle type-checks with its own scheme: only syntax verdicts are compared.
    assert not error or _is_type_error(error), error


@pytest.mark.parametrize("code, where, text", INVALID)
def test_oracle_agrees_invalid(code, where, text):
    if text in ORACLE_ACCEPTS_INVALID or code in ("RL401", "RL402"):
        return
    assert "error" in wf.parse_expression(text), text


#: Messages of the oracle's type checks (its own field scheme, lists and function stubs).
_TYPE_ERRORS = ("unknown identifier", "expected value of type", "invalid type of argument",
                "cannot access index", "unknown list", "could not find list")


def _is_type_error(message: str) -> bool:
    return any(part in message for part in _TYPE_ERRORS)
