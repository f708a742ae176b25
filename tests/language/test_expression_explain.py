"""``CompiledExpression.explain`` records every evaluated part with the same compiler, and
``explain_false`` names the part of a rule that was false and the values it saw."""


import pytest

from rulelang import Request, Response, compile_expression
from rulelang.language.explain import explain_false


def test_explain_names_the_false_part_and_skips_short_circuited_ones():
    expr = compile_expression('http.host eq "a" and starts_with(http.request.uri.path, "/x")')
    result, steps = expr.explain(Request(url="https://b.example/x", headers={"Host": "b.example"}))
    assert result is False
    texts = {s.text: s.value for s in steps}
    assert texts['http.host eq "a"'] is False
    assert texts["http.host"] == "b.example"
    assert 'starts_with(http.request.uri.path, "/x")' not in texts  # `and` stopped early


def test_explain_agrees_with_matches_on_mapped_comparisons():
    expr = compile_expression('any(http.request.headers["accept"][*] eq "a")')
    req = Request(headers=[["Accept", "b"], ["Accept", "a"]])
    result, steps = expr.explain(req)
    assert result is expr.matches(req) is True
    assert [s.value for s in steps if s.text.endswith('eq "a"')] == [[False, True]]


def _explain(source: str, url: str, headers=None, status=None, phase="request"):
    phase = {"request": "http_request_cache_settings",
             "response": "http_response_cache_settings"}[phase]
    response = Response(status=status) if status else None
    return explain_false(source, phase, Request(url=url, headers=headers or {}), response)


@pytest.mark.parametrize("source, url, expected", [
    ('http.host eq "a.com" and starts_with(http.request.uri.path, "/api/")',
     "https://a.com/web", [(0, 'false: starts_with(http.request.uri.path, "/api/")'),
                           (1, 'http.request.uri.path = "/web"')]),
    ('http.request.uri.path eq "/x" or http.host eq "b.com"', "https://a.com/y", [
        (0, "none of the 2 alternatives is true:"),
        (1, 'false: http.request.uri.path eq "/x"'), (2, 'http.request.uri.path = "/y"'),
        (1, 'false: http.host eq "b.com"'), (2, 'http.host = "a.com"')]),
    ('not ssl', "https://a.com/", [(0, "true, so `not` makes it false: ssl")]),
    ('(http.host eq "b.com")', "https://a.com/", [
        (0, 'false: http.host eq "b.com"'), (1, 'http.host = "a.com"')]),
    ('ssl and (http.host eq "x" or http.host eq "y")', "https://a.com/", [
        (0, 'false: (http.host eq "x" or http.host eq "y")'),
        (1, "none of the 2 alternatives is true:"),
        (2, 'false: http.host eq "x"'), (3, 'http.host = "a.com"'),
        (2, 'false: http.host eq "y"'), (3, 'http.host = "a.com"')]),
    ('len(http.request.headers["x-a"]) gt 0', "https://a.com/", [
        (0, 'false: len(http.request.headers["x-a"]) gt 0'),
        (1, 'len(http.request.headers["x-a"]) = missing'),
        (1, 'http.request.headers["x-a"] = missing')]),
])
def test_explain_false_names_the_false_part_and_the_values(source, url, expected):
    assert _explain(source, url) == expected


def test_explain_false_in_the_response_phase():
    lines = _explain("http.response.code ge 500", "https://a.com/", status=200,
                     phase="response")
    assert lines == [(0, "false: http.response.code ge 500"), (1, "http.response.code = 200")]
