"""``CompiledExpression.explain`` records every evaluated part with the same compiler."""

from rulelang import Request, compile_expression


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
