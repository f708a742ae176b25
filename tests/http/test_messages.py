"""Request and Response: construction, the sample format, bad input, immutability."""

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.fields import E
from support.fields import value_text as value

import rulelang
from rulelang.errors import RuleLangError
from rulelang.http.messages import Request, Response


@pytest.mark.parametrize("headers,expected", [
    (None, ()),
    ({}, ()),
    ({"A": "1", "B": ["2", "3"]}, (("A", "1"), ("B", "2"), ("B", "3"))),
    ([["x-a", "1"], ("X-A", "2")], (("x-a", "1"), ("X-A", "2"))),
    ({"Empty": []}, ()),
    ({"V": "caf\u00e9 \t x"}, (("V", "caf\u00e9 \t x"),)),
])
def test_header_forms(headers, expected):
    assert Request(headers=headers).headers == expected
    assert Response(headers=headers).headers == expected


def test_header_values_are_case_insensitive_and_ordered():
    req = Request(headers=[["Accept", "a"], ["X", "x"], ["ACCEPT", "b"]])
    assert req.header_values("accept") == ["a", "b"]
    assert req.header_values("missing") == []
    assert Response(headers={"Set-Cookie": ["1", "2"]}).header_values("set-cookie") == ["1", "2"]


def test_constructor_normalizes_method_and_ip():
    req = Request("get", "https://e.com/", client_ip="2001:DB8::1")
    assert req.method == "GET"
    assert req.client_ip == ipaddress.IPv6Address("2001:db8::1")
    assert Request(client_ip=ipaddress.ip_address("192.0.2.1")).client_ip.version == 4
    assert req.url_normalization == "rfc3986"
    assert Request(url_normalization="Cloudflare").url_normalization == "cloudflare"


def test_public_names():
    assert rulelang.Request is Request and rulelang.Response is Response


def test_messages_are_immutable():
    req = Request()
    with pytest.raises(AttributeError):
        req.method = "POST"
    with pytest.raises(AttributeError):
        req.extra = 1
    with pytest.raises(TypeError):
        req.fields["ip.src.country"] = b"GB"
    with pytest.raises(AttributeError):
        Response().status = 500


@pytest.mark.parametrize("request_dict,message", [
    ({"url": "ftp://e.com/"}, "scheme 'ftp' is not http or https"),
    ({"url": "/relative"}, "not an absolute URL"),
    ({"url": "https:///x"}, "no valid host"),
    ({"url": "https://a b/"}, "no valid host"),
    ({"url": "http://[::g]/"}, "not a valid IPv6 address literal"),
    ({"url": "http://[fe80::1%25eth0]/"}, "not a valid IPv6 address literal"),
    ({"url": "http://e.com:99999/"}, "port 99999 is out of range"),
    ({"url": "http://e.com:8a/"}, "no valid host"),
    ({"url": 3}, "request url: expected a string"),
    ({"url": "http://e.com/\ud800"}, "lone surrogate"),
    ({}, "'url' is required"),
    ({"url": "http://e.com/", "method": ""}, "not an HTTP method"),
    ({"url": "http://e.com/", "method": "GE T"}, "not an HTTP method"),
    ({"url": "http://e.com/", "method": None}, "not an HTTP method"),
    ({"url": "http://e.com/", "client_ip": "1.2.3"}, "not an IPv4 or IPv6 address"),
    ({"url": "http://e.com/", "client_ip": "fe80::1%eth0"}, "zone index"),
    ({"url": "http://e.com/", "client_ip": 17}, "expected an IP address as a string"),
    ({"url": "http://e.com/", "headers": {"A B": "x"}}, "'A B' is not a valid header name"),
    ({"url": "http://e.com/", "headers": {"": "x"}}, "empty header name"),
    ({"url": "http://e.com/", "headers": {":path": "/"}}, "pseudo-header"),
    ({"url": "http://e.com/", "headers": {"A": 1}}, "the value must be a string, got int"),
    ({"url": "http://e.com/", "headers": {"A": ["x", None]}}, "got NoneType"),
    ({"url": "http://e.com/", "headers": {"A": "x\r\nB: y"}}, "line break"),
    ({"url": "http://e.com/", "headers": [["A"]]}, r"header\[0\]: expected a \[name, value\]"),
    ({"url": "http://e.com/", "headers": "A: b"}, "expected an object or a list"),
    ({"url": "http://e.com/", "fields": ["ip.src"]}, "'fields' must be an object"),
    ({"url": "http://e.com/", "body": "x"}, "unknown key 'body'"),
    ("GET /", "request: expected an object"),
])
def test_bad_requests_name_the_problem_and_the_place(request_dict, message):
    with pytest.raises(RuleLangError, match=message) as info:
        Request.from_dict(request_dict, where="s.json:4: sample 3")
    assert str(info.value).startswith("s.json:4: sample 3: ")


@pytest.mark.parametrize("response_dict,message", [
    ({"status": "200"}, "expected an integer, got str"),
    ({"status": 200.0}, "expected an integer, got float"),
    ({"status": True}, "expected an integer, got bool"),
    ({"status": 99}, "99 is not an HTTP status code"),
    ({"status": 600}, "600 is not an HTTP status code"),
    ({}, "'status' is required"),
    ({"status": 200, "headers": {"A": 2}}, "response header 'A'"),
    ({"status": 200, "body": ""}, "unknown key 'body'"),
    ([200], "response: expected an object"),
])
def test_bad_responses(response_dict, message):
    with pytest.raises(RuleLangError, match=message):
        Response.from_dict(response_dict, where="x")


@pytest.mark.parametrize("timestamp", [-1, float("nan"), float("inf"), "now", True])
def test_bad_timestamps(timestamp):
    with pytest.raises(RuleLangError, match="timestamp"):
        Request(timestamp=timestamp)


@pytest.mark.parametrize("request_dict", [
    {"url": "https://www.example.com/img/logo.png?v=3"},
    {"method": "post", "url": "http://[2001:db8::1]:8080/a?b#c",
     "headers": {"Cookie": ["a=1", "b=2"], "Host": "h"}, "client_ip": "2001:DB8::7"},
    {"url": "https://e.com/", "headers": [["A", "1"], ["a", "2"]],
     "fields": {"ip.src.country": "GB", "cf.bot_management.score": 30,
                "cf.llm.prompt.custom_topic_categories": {"b": 1, "a": 2},
                "cf.edge.server_ip": "192.0.2.9", "ip.src.lat": None}},
])
def test_request_round_trips_through_to_dict(request_dict):
    req = Request.from_dict(request_dict, timestamp=5.0)
    again = Request.from_dict(req.to_dict(), timestamp=5.0)
    assert again == req
    assert again.to_dict() == req.to_dict()


@pytest.mark.parametrize("response_dict", [
    {"status": 200}, {"status": 304, "headers": {"ETag": '"x"', "Vary": ["a", "b"]}}])
def test_response_round_trips_through_to_dict(response_dict):
    resp = Response.from_dict(response_dict)
    assert Response.from_dict(resp.to_dict()) == resp


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["method", "url", "headers", "client_ip", "fields", "x"]),
                       st.one_of(st.text(max_size=20), st.integers(), st.none(),
                                 st.lists(st.text(max_size=5), max_size=3),
                                 st.dictionaries(st.text(max_size=12), st.text(max_size=5),
                                                 max_size=3))))
def test_arbitrary_request_dicts_raise_only_rulelang_errors(d):
    try:
        Request.from_dict(d)
    except RuleLangError:
        pass


@pytest.mark.parametrize("kwargs,message", [
    ({"headers": ""}, "expected an object or a list"),
    ({"headers": 0}, "expected an object or a list"),
    ({"fields": []}, "'fields' must be an object"),
])
def test_empty_values_of_the_wrong_type_are_still_errors(kwargs, message):
    with pytest.raises(RuleLangError, match=message):
        Request(**kwargs)


# --------------------------------------------------------------------------- header names and ports

@pytest.mark.parametrize("headers", [
    {"a\nb": "1"},
    [["a\nb", "1"]],
    {"X": "1", "a\nb": "2"},
    [("X", "1"), ("Y\n", "2")],
])
def test_a_header_name_with_a_newline_is_refused(headers):
    with pytest.raises(RuleLangError, match="is not a valid header name"):
        Request(url=E, headers=headers)
    with pytest.raises(RuleLangError, match="is not a valid header name"):
        Response(200, headers)


@pytest.mark.parametrize("url,message", [
    ("https://e.com:65536/", r"port 65536 is out of range"),
    ("https://e.com:000000/", r"port 000000 is out of range"),
    ("https://e.com:-1/", r"no valid host"),
])
def test_ports_outside_the_port_range_are_refused(url, message):
    with pytest.raises(RuleLangError, match=message):
        Request(url=url)


def test_highest_port_and_leading_zeros():
    assert value("cf.edge.server_port", Request(url="http://e.com:65535/")) == 65535
    req = Request(url="http://e.com:08080/")
    assert value("cf.edge.server_port", req) == 8080
    assert value("http.host", req) == "e.com:08080"
