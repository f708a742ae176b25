"""The evaluation vectors of language.md §13.2, run end to end (parse, check,
compile, field derivation, evaluation) in the response phase."""

import json

import pytest
from support.paths import EXPRESSIONS

from rulelang import Request, Response, compile_expression

DATA = json.loads((EXPRESSIONS / "eval_vectors.json")
                  .read_text("utf-8"))
REQ = Request.from_dict(DATA["sample"]["request"])
RESP = Response.from_dict(DATA["sample"]["response"])


@pytest.mark.parametrize("vector", DATA["vectors"], ids=lambda v: v["expression"])
def test_reference_vector(vector):
    expr = compile_expression(vector["expression"], phase="response", expect=vector["expect"])
    if vector["expect"] == "bool":
        assert expr.matches(REQ, RESP) is vector["value"]
    else:
        assert expr.evaluate(REQ, RESP) == vector["value"]

