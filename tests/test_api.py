"""The public API of interfaces.md §1: names, types, and errors for bad arguments."""

import ipaddress

import pytest

import rulelang
from rulelang import Request, Response, RuleLangError, compile_expression


def test_public_names():
    for name in ("compile_expression", "Request", "Response", "load_ruleset", "load_rulesets",
                 "Engine", "lint", "RuleLangError", "ExpressionError", "RulesetError",
                 "Diagnostic", "Location"):
        assert getattr(rulelang, name) is not None
    assert issubclass(rulelang.RuleLangError, ValueError)
    assert issubclass(rulelang.ExpressionError, rulelang.RuleLangError)
    assert issubclass(rulelang.RulesetError, rulelang.RuleLangError)


def test_compiled_expression_attributes():
    expr = compile_expression('starts_with(http.request.uri.path, "/api/") and ssl',
                              phase="request")
    assert expr.source.startswith("starts_with")
    assert expr.type == "Bool"
    assert expr.fields == frozenset({"http.request.uri.path", "ssl"})
    assert expr.phase == "http_request_cache_settings"
    assert expr.matches(Request(url="https://a.example/api/x")) is True
    assert expr.matches(Request(url="http://a.example/api/x")) is False


@pytest.mark.parametrize("source,expect,value", [
    ("http.request.uri.args.names", "Array<String>", ["b", "a"]),  # in query order
    ("http.request.uri.args", "any", {"a": ["1"], "b": ["2"]}),
    ("ip.src", "IP", ipaddress.ip_address("192.0.2.1")),
    ("len(http.host)", "Int", 9),
    ('decode_base64(http.request.uri.args["a"][0])', "any", None),  # "1" is not Base64
    ("ssl", "bool", False),
])
def test_evaluate_returns_python_values(source, expect, value):
    req = Request(url="http://a.example/?b=2&a=1", client_ip="192.0.2.1")
    assert compile_expression(source, expect=expect).evaluate(req) == value


def test_evaluate_returns_bytes_for_non_utf8_strings():
    req = Request(url="http://a.example/?x=%FF")
    assert compile_expression('url_decode(http.request.uri.args["x"][0])',
                              expect="String").evaluate(req) == b"\xff"


def test_messages_may_be_given_as_sample_dicts():
    expr = compile_expression("http.response.code eq 404", phase="response")
    assert expr.matches({"url": "https://a.example/"}, {"status": 404, "headers": {}}) is True


@pytest.mark.parametrize("call", [
    lambda e: e.matches("not a request"),
    lambda e: e.matches(None),
    lambda e: e.evaluate(42),
    lambda e: e.matches(Request(), "not a response"),
])
def test_wrong_message_types_are_rulelang_errors(call):
    expr = compile_expression('http.response.code eq 1 or http.host eq "a"', phase="response")
    with pytest.raises(RuleLangError):
        call(expr)


@pytest.mark.parametrize("kwargs", [
    {"source": 123}, {"source": "ssl", "phase": "http_request_firewall_custom"},
    {"source": "ssl", "expect": "Strnig"}, {"source": "ssl", "lists": [1]},
    {"source": "http.host in $x", "lists": {"x": 5}},
    {"source": "ip.src in $x", "lists": {"x": ["not-an-ip"]}},
])
def test_bad_arguments_are_expression_errors(kwargs):
    with pytest.raises(rulelang.ExpressionError) as info:
        compile_expression(**kwargs)
    assert info.value.diagnostics


def test_response_may_be_missing_for_response_fields():
    expr = compile_expression('http.response.headers["x"][0] eq "a"', phase="response")
    assert expr.matches(Request()) is False
    assert Response(status=200).status == 200
