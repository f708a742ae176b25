"""The parse/check verdicts of language.md §13.1 (corpus/expressions/verdict_vectors.json):
each expression compiles, or fails with one of the codes its row names; rows marked
ok with a code (the infix starts_with) compile with that warning."""

import json

import pytest
from support.paths import EXPRESSIONS

from rulelang import ExpressionError, compile_expression

DATA = json.loads((EXPRESSIONS / "verdict_vectors.json")
                  .read_text("utf-8"))
CASES = [(row["verdict"], case) for row in DATA["rows"] for case in row["cases"]]


@pytest.mark.parametrize("verdict,case", CASES, ids=[c["expression"][:60] for _, c in CASES])
def test_verdict(verdict, case):
    try:
        expr = compile_expression(case["expression"], phase=DATA["phase"], lists=DATA["lists"])
    except ExpressionError as e:
        assert not case["ok"], f"expected ok ({verdict}), got\n{e}"
        assert e.diagnostics[0].code in case["codes"], f"expected {verdict}, got\n{e}"
        return
    assert case["ok"], f"expected {verdict}, but it compiled"
    codes = {d.code for d in expr.diagnostics}
    assert set(case["codes"]) <= codes
