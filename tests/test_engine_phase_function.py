"""The engine's matching step: the generated phase function by default, the closures for
requests that supply ``fields`` and whenever the generated function fails."""

from __future__ import annotations

import pytest

from rulelang import Request, Response
from rulelang.engine import Engine
from rulelang.errors import RuleLangError

REQ = "http_request_cache_settings"
RESP = "http_response_cache_settings"


def _engine(*expressions: str, phase: str = REQ) -> Engine:
    rules = [{"expression": e, "action": "set_cache_settings",
              "action_parameters": {"cache": True} if phase == REQ else {"strip_etags": True}}
             for e in expressions]
    return Engine([{"phase": phase, "rules": rules}])


def _matched(outcome, phase=REQ) -> list[int]:
    return [r.index for r in outcome.matched[phase]]


def test_supplied_fields_are_honoured():
    engine = _engine('http.host eq "x.test"', 'http.request.uri.path eq "/a"')
    plain = Request("GET", "https://y.test/a")
    supplied = Request("GET", "https://y.test/a", fields={"http.host": "x.test"})
    assert _matched(engine.evaluate(plain)) == [1]
    assert _matched(engine.evaluate(supplied)) == [0, 1]


def test_a_failing_generated_function_falls_back_to_the_closures():
    engine = _engine('http.host eq "x.test"', "ssl")

    def broken(request, response):
        raise ZeroDivisionError("a defect in generated code")
    engine._request_fast = broken
    assert _matched(engine.evaluate(Request("GET", "https://x.test/"))) == [0, 1]


def test_an_error_in_a_closure_names_the_rule():
    engine = _engine('http.host eq "x.test"', "ssl")
    engine._request_fast = None
    _, ref, units = engine._request_plan[1]

    def boom(request, response):
        raise ZeroDivisionError("boom")
    engine._request_plan = (engine._request_plan[0], (boom, ref, units))
    with pytest.raises(RuleLangError, match="rule 1"):
        engine.evaluate(Request("GET", "https://x.test/"))


def test_the_response_phase_is_generated_too():
    engine = _engine("http.response.code eq 200", 'any(http.response.headers["etag"][*] '
                     'contains "x")', "http.response.code in {500..599}", phase=RESP)
    assert engine._response_fast is not None
    outcome = engine.evaluate(Request("GET", "https://x.test/"),
                              Response(200, {"ETag": '"x1"'}))
    assert _matched(outcome, RESP) == [0, 1]
    outcome = engine.evaluate(Request("GET", "https://x.test/"), Response(503))
    assert _matched(outcome, RESP) == [2]
