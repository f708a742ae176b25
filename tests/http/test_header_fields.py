"""The header fields of requests and responses (fields.json: header maps and arrays, cookies,
accepted languages, single-value headers, response headers, media type): ordinary messages
first, then awkward headers, every value worked out by hand from the ``derivation`` text."""

import pytest
from support.fields import E, check, rows, value, value_text

from rulelang.http.fields import field_reader
from rulelang.http.messages import Request, Response
from rulelang.schema.values import MISSING


@rows([
    ({"headers": {"Content-Type": "application/json"}},
     {"http.request.headers": {"content-type": ["application/json"]},
      "http.request.headers.names": ["Content-Type"],
      "http.request.headers.values": ["application/json"]}),
    ({"headers": [["Accept", "text/html"], ["accept", "application/json"], ["X-A", ""]]},
     {"http.request.headers": {"accept": ["text/html", "application/json"], "x-a": [""]},
      "http.request.headers.names": ["Accept", "accept", "X-A"],
      "http.request.headers.values": ["text/html", "application/json", ""]}),
    ({"headers": {"X-List": ["a, b", "c"], "A": "  padded  "}},
     {"http.request.headers": {"a": ["  padded  "], "x-list": ["a, b", "c"]},
      "http.request.headers.values": ["a, b", "c", "  padded  "]}),
    ({}, {"http.request.headers": {}, "http.request.headers.names": [],
          "http.request.headers.values": [], "http.request.headers.truncated": False}),
    ({"headers": {"X-Caf\u00e9-Free": "caf\u00e9"}.items() and {"X-Name": "caf\u00e9"}},
     {"http.request.headers": {"x-name": ["caf\u00e9"]}}),
    ({"headers": [["Z", "1"], ["b", "2"], ["B", "3"]]},
     {"http.request.headers": {"b": ["2", "3"], "z": ["1"]},
      "http.request.headers.names": ["Z", "b", "B"]}),
])
def test_request_headers(req, expected):
    check(req, expected)


def test_header_map_keys_are_in_ascending_byte_order():
    req = Request(headers=[["Z", "1"], ["b", "2"], ["A", "3"]])
    assert list(field_reader("http.request.headers")(req, None)) == [b"a", b"b", b"z"]


@rows([
    ({"headers": [["Cookie", "a=1"], ["Cookie", "b=2; a=3"]]},
     {"http.cookie": "a=1; b=2; a=3", "http.request.cookies": {"a": ["1", "3"], "b": ["2"]}}),
    ({"headers": {"Cookie": 'a=1; b="x y"; a=2'}},
     {"http.request.cookies": {"a": ["1", "2"], "b": ['"x y"']}}),
    ({"headers": {"Cookie": "n%61me=v; flag"}},
     {"http.request.cookies": {"name": ["v"], "flag": [""]}}),
    ({"headers": {"cookie": " ; ;=x; c = 4 ;\td\t=\t5"}},
     {"http.cookie": " ; ;=x; c = 4 ;\td\t=\t5",
      "http.request.cookies": {"c": ["4"], "d": ["5"]}}),
    ({"headers": {"Cookie": "a%ZZ+b=1; %2B=2"}},
     {"http.request.cookies": {"+": ["2"], "a%ZZ+b": ["1"]}}),
    ({"headers": {"Cookie": "x==y; y=a=b; Z=; z"}},
     {"http.request.cookies": {"Z": [""], "x": ["=y"], "y": ["a=b"], "z": [""]}}),
    ({}, {"http.cookie": "", "http.request.cookies": {}}),
    ({"headers": {"COOKIE": ["session=8521F670545D7865F79C3D7BEDC29CCE;-background=light"]}},
     {"http.cookie": "session=8521F670545D7865F79C3D7BEDC29CCE;-background=light",
      "http.request.cookies": {"-background": ["light"],
                               "session": ["8521F670545D7865F79C3D7BEDC29CCE"]}}),
])
def test_cookies(req, expected):
    check(req, expected)


def _lang(*values):
    return {"headers": [["Accept-Language", v] for v in values]}


@rows([
    (_lang("fr-CH, fr;q=0.8, en;q=0.9, de;q=0.7, *;q=0.5"), ["fr-CH", "en", "fr", "de"]),
    (_lang("en;q=0, de;q=abc, it"), ["it"]),
    (_lang("de;q=0.5, en;Q=0.5, fr"), ["fr", "de", "en"]),
    (_lang("da, en-gb;q=0.8", "en;q=0.9"), ["da", "en", "en-gb"]),
    (_lang("en;q=1.0, de;q=1.001, it;q=0.0001, es;q=.5, pt ; q=0.3 , ,  ;q=1"), ["en", "pt"]),
    (_lang("EN-us"), ["EN-us"]),
    (_lang("*"), []),
    (_lang("fr;level=1;q=0.5, de"), ["de", "fr"]),
    (_lang("a;q=0.000, b;q=1.000, c;q=0.001, d;q=1.5, e;q="), ["b", "c"]),
    ({}, []),
])
def test_accepted_languages(req, expected):
    check(req, {"http.request.accepted_languages": expected})


@rows([
    ({"headers": [["User-Agent", "curl/8.5"], ["user-agent", "other"]]},
     {"http.user_agent": "curl/8.5", "http.referer": "", "http.x_forwarded_for": ""}),
    ({"headers": [["X-Forwarded-For", "203.0.113.195, 70.41.3.18"],
                  ["x-forwarded-for", "150.172.238.178"]]},
     {"http.x_forwarded_for": "203.0.113.195, 70.41.3.18, 150.172.238.178"}),
    ({"headers": {"Referer": " https://a.example/x?y=1 "}},
     {"http.referer": " https://a.example/x?y=1 "}),
    ({"headers": {"REFERER": ["", "second"]}}, {"http.referer": ""}),
    ({"headers": {"User-Agent": ""}}, {"http.user_agent": ""}),
    ({}, {"http.user_agent": "", "http.referer": "", "http.x_forwarded_for": ""}),
])
def test_user_agent_referer_forwarded_for(req, expected):
    check(req, expected)


@pytest.mark.parametrize("response,expected", [
    ({"status": 200, "headers": {"Server": "nginx"}},
     {"http.response.code": 200, "http.response.headers": {"server": ["nginx"]},
      "raw.http.response.headers": {"server": ["nginx"]}}),
    ({"status": 404, "headers": [["Set-Cookie", "a=1"], ["set-cookie", "b=2"]]},
     {"http.response.headers": {"set-cookie": ["a=1", "b=2"]},
      "http.response.headers.names": ["Set-Cookie", "set-cookie"],
      "raw.http.response.headers.values": ["a=1", "b=2"]}),
    ({"headers": {"Content-Type": "text/HTML; charset=utf-8"}},
     {"http.response.content_type.media_type": "text/html"}),
    ({"headers": [["Content-Type", " \tText/Plain \t;x"], ["Content-Type", "a/b"]]},
     {"http.response.content_type.media_type": "text/plain"}),
    ({"headers": {"content-type": "application/JSON"}},
     {"http.response.content_type.media_type": "application/json"}),
    ({"status": 599}, {"http.response.code": 599, "http.response.headers": {},
                       "http.response.content_type.media_type": "",
                       "http.response.headers.names": []}),
])
def test_response_fields(response, expected):
    check({}, expected, response=response)


def test_response_fields_without_a_response_take_their_defaults():
    req = Request()
    assert field_reader("http.response.code")(req, None) is MISSING
    assert value("http.response.headers", req) == {}
    assert value("http.response.content_type.media_type", req) == ""


# --------------------------------------------------------------------------- awkward headers

HEADERS = [["X-A", "1"], ["Content-Type", "text/html"], ["x-a", ""], ["X-a", "2, 3"]]


def test_request_header_map_and_arrays():
    req = Request(url=E, headers=HEADERS)
    assert value_text("http.request.headers", req) == {"content-type": ["text/html"],
                                                  "x-a": ["1", "", "2, 3"]}
    assert value_text("http.request.headers.names", req) == ["X-A", "Content-Type", "x-a", "X-a"]
    assert value_text("http.request.headers.values", req) == ["1", "text/html", "", "2, 3"]
    assert field_reader("http.request.headers")(req, None).get(b"X-A") is None
    assert value_text("http.request.headers.truncated", req) is False


@pytest.mark.parametrize("headers,name,expected", [
    ([["Cookie", "a=1"], ["cookie", "b=2"]], "http.cookie", "a=1; b=2"),
    ([["Cookie", ""]], "http.cookie", ""),
    ([["X-Forwarded-For", "1.1.1.1, 2.2.2.2"], ["x-forwarded-for", "3.3.3.3"]],
     "http.x_forwarded_for", "1.1.1.1, 2.2.2.2, 3.3.3.3"),
    ([["User-Agent", " curl "], ["user-agent", "second"]], "http.user_agent", " curl "),
    ([["referer", "a"], ["Referer", "b"]], "http.referer", "a"),
    ([], "http.referer", ""),
    ([], "http.x_forwarded_for", ""),
])
def test_single_and_joined_header_fields(headers, name, expected):
    assert value_text(name, Request(url=E, headers=headers)) == expected


@pytest.mark.parametrize("cookie_headers,expected", [
    (["a=1; b=\"x y\"; a=2"], {"a": ["1", "2"], "b": ['"x y"']}),
    (["n%61me=v; flag"], {"name": ["v"], "flag": [""]}),
    (["a=1", "a=2;b=3"], {"a": ["1", "2"], "b": ["3"]}),
    ([" \t a \t= \t1 \t;  ; ;b=  "], {"a": ["1"], "b": [""]}),
    (["=x; =; ;"], {}),
    (["c=%41+; d%zz=1; e+f=2; %41=%42"], {"A": ["%42"], "c": ["%41+"], "d%zz": ["1"],
                                          "e+f": ["2"]}),
    (["a=b=c"], {"a": ["b=c"]}),
    (["%61=1; a=2"], {"a": ["1", "2"]}),
    (["a=1, b=2"], {"a": ["1, b=2"]}),
])
def test_cookies_of_awkward_headers(cookie_headers, expected):
    req = Request(url=E, headers=[["Cookie", h] for h in cookie_headers])
    assert value_text("http.request.cookies", req) == expected


@pytest.mark.parametrize("headers,expected", [
    (["fr-CH, fr;q=0.8, en;q=0.9, de;q=0.7, *;q=0.5"], ["fr-CH", "en", "fr", "de"]),
    (["en;q=0, de;q=abc, it"], ["it"]),
    # ties keep header order, across several headers too
    (["a;q=0.5, b", "c;q=0.5, d"], ["b", "d", "a", "c"]),
    # q name case-insensitive; at most three decimals; 1 only as 1.000
    (["es;Q=1.000, pt;q=1.0001, x;q=0.001, y;q=1.5, z;q=.5, w;q=0.50"],
     ["es", "w", "x"]),
    ([" , ;q=1, *, en-US ; q=0.3 "], ["en-US"]),
    (["en;level=1;q=0.2, de;q=0.000, it;q=0."], ["en"]),
    ([""], []),
    ([], []),
])
def test_accepted_languages_of_awkward_headers(headers, expected):
    req = Request(url=E, headers=[["Accept-Language", h] for h in headers])
    assert value_text("http.request.accepted_languages", req) == expected


@pytest.mark.parametrize("headers,media_type", [
    ([["Content-Type", "text/html"]], "text/html"),
    ([["Content-Type", " Text/HTML ; charset=utf-8"]], "text/html"),
    ([["content-type", "\ttext/html+extra\t;a=b;c=d"]], "text/html+extra"),
    ([["Content-Type", "a/b"], ["Content-Type", "c/d"]], "a/b"),
    ([["Content-Type", ""]], ""),
    ([["Content-Type", ";charset=x"]], ""),
    ([], ""),
])
def test_media_type(headers, media_type):
    resp = Response(200, headers)
    assert value_text("http.response.content_type.media_type", Request(url=E), resp) == media_type


def test_response_header_fields():
    resp = Response(304, [["Set-Cookie", "a=1"], ["set-cookie", "b=2"], ["ETag", ""]])
    req = Request(url=E)
    for prefix in ("", "raw."):
        assert value_text(prefix + "http.response.headers", req, resp) == {
            "etag": [""], "set-cookie": ["a=1", "b=2"]}
        assert value_text(prefix + "http.response.headers.names", req, resp) == [
            "Set-Cookie", "set-cookie", "ETag"]
        assert value_text(prefix + "http.response.headers.values", req, resp) == ["a=1", "b=2", ""]
    assert value_text("http.response.code", req, resp) == 304
