"""Fields supplied in ``Request(fields=...)``: they override derived request and response
values, feed the fields built from them, are seen by compiled rules, and are type-checked
with did-you-mean for unknown names."""

import pytest
from support.fields import E, check, rows
from support.fields import value_text as value

import rulelang
from rulelang.errors import RuleLangError
from rulelang.http.messages import Request, Response


@pytest.mark.parametrize("name,supplied,expected", [
    ("http.response.code", 404, 404),
    ("http.response.content_type.media_type", "image/png", "image/png"),
    ("http.response.headers", {"x": ["1"]}, {"x": ["1"]}),
    ("raw.http.response.headers.names", ["A"], ["A"]),
])
def test_response_fields_can_be_overridden_from_fields(name, supplied, expected):
    """conventions.overrides: a value in 'fields' replaces the derived value of any field."""
    resp = Response(200, [["Content-Type", "text/html"]])
    req = Request(url=E, fields={name: supplied})
    assert value(name, req, resp) == expected
    assert value(name, req, None) == expected
    # the override belongs to the request: the same response read with another request
    assert value(name, Request(url=E), resp) != expected


def test_a_response_field_override_is_seen_by_compiled_rules():
    req = Request(url=E, fields={"http.response.code": 404})
    expr = rulelang.compile_expression("http.response.code eq 404",
                                       phase="http_response_cache_settings")
    assert expr.matches(req, Response(200))


@pytest.mark.parametrize("fields,expected", [
    ({"http.request.uri.path": "/y.JPG"}, {"http.request.uri": "/y.JPG?q",
                                           "http.request.uri.path.extension": "jpg",
                                           "http.request.uri.path.basename": "y.JPG",
                                           "raw.http.request.uri.path": "/x.png"}),
    ({"http.host": "h.com"}, {"http.request.full_uri": "https://h.com/x.png?q"}),
    ({"http.request.uri.query": "a=1"}, {"http.request.uri.args": {"a": ["1"]},
                                         "raw.http.request.uri.args": {"q": [""]}}),
    ({"ip.src": None}, {"ip.src": None}),
    ({"ip.geoip.country": "GB"}, {"ip.src.country": "GB", "ip.geoip.country": "GB"}),
    ({"ip.src.asnum": 13335}, {"ip.geoip.asnum": 13335}),
    ({"cf.edge.server_port": 8443, "ssl": False}, {"cf.edge.server_port": 8443,
                                                   "ssl": False}),
])
def test_overrides_feed_the_fields_built_from_them(fields, expected):
    req = Request(url=E + "/x.png?q", client_ip="192.0.2.1", fields=fields)
    assert {name: value(name, req) for name in expected} == expected


@pytest.mark.parametrize("fields,message", [
    ({"HTTP.HOST": "x"}, r"unknown field 'HTTP.HOST'; did you mean 'http.host'\?"),
    ({"Ip.Src.Contry": "x"}, r"did you mean 'ip.src.country'\?"),
    ({"http.request.uri.pth": "/"}, r"did you mean 'http.request.uri.path'\?"),
    ({"zzzz": 1}, r"unknown field 'zzzz'\Z"),
    ({"ip.src.country": 1}, "expected a value of type String, got int"),
    ({"cf.bot_management.score": "30"}, "expected a value of type Int, got str"),
    ({"cf.bot_management.score": 30.0}, "expected a value of type Int, got float"),
    ({"ssl": 1}, "expected a value of type Bool, got int"),
    ({"ip.src": "1.2.3"}, "not an IPv4 or IPv6 address"),
    ({"http.request.headers": {"a": "b"}}, r"\['a'\]: expected a value of type Array<String>"),
    ({"cf.response.1xxx_code": 1}, "not available in the cache phases"),
])
def test_bad_overrides(fields, message):
    with pytest.raises(RuleLangError, match=message):
        Request(url=E, fields=fields)


@rows([
    ({"url": E + "/a.jpg?x", "fields": {"http.request.uri.path": "/over.PNG"}},
     {"http.request.uri.path": "/over.PNG", "http.request.uri": "/over.PNG?x",
      "http.request.uri.path.extension": "png", "raw.http.request.uri.path": "/a.jpg"}),
    ({"url": E + "/x", "fields": {"http.host": "h.example"}},
     {"http.request.full_uri": "https://h.example/x", "http.host": "h.example"}),
    ({"url": "http://e.com/", "fields": {"ssl": True, "cf.edge.server_port": 8443}},
     {"ssl": True, "cf.edge.server_port": 8443}),
    ({"url": E + "/?a=1", "fields": {"http.request.uri.query": "b=2"}},
     {"http.request.uri.args": {"b": ["2"]}, "raw.http.request.uri.args": {"a": ["1"]}}),
    ({"headers": {"Cookie": "a=1"}, "fields": {"http.request.cookies": {"z": ["9"]}}},
     {"http.request.cookies": {"z": ["9"]}, "http.cookie": "a=1"}),
    ({"headers": {"Accept-Language": "de"},
      "fields": {"http.request.accepted_languages": ["fr"]}},
     {"http.request.accepted_languages": ["fr"]}),
])
def test_fields_override_derived_values(req, expected):
    check(req, expected)


@pytest.mark.parametrize("fields,message", [
    ({"ip.src.countyr": "GB"}, "did you mean 'ip.src.country'"),
    ({"ip.src.asnum": "13335"}, "expected a value of type Int"),
    ({"ip.src.asnum": True}, "expected a value of type Int"),
    ({"ip.src.asnum": 2 ** 63}, "64-bit"),
    ({"ip.src": "not-an-ip"}, "not an IPv4 or IPv6"),
    ({"http.request.cookies": {"a": "1"}}, "Array<String>"),
    ({"cf.client.bot": 1}, "Bool"),
    ({"cf.response.1xxx_code": 1}, "not available in the cache phases"),
    ({1: "x"}, "field names must be strings"),
])
def test_supplied_fields_are_type_checked(fields, message):
    with pytest.raises(RuleLangError, match=message):
        Request(fields=fields)
