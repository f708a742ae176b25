"""Every field's value, worked out by hand from fields.json, one table per field group.

Each row is ``(request, expected values)``: the request is a ``Request`` keyword
dict (or a ``(request, response)`` pair for response fields), the expected values
map field names to public (Python) values.
"""

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.fields import E, check, rows, value

from rulelang.errors import RuleLangError
from rulelang.http.fields import extract_all, field_reader
from rulelang.http.messages import Request, Response
from rulelang.schema import catalogue as schema
from rulelang.schema.values import MISSING

# --------------------------------------------------------------------------- path family

@rows([
    ({"url": E + "/a/./b/../c"}, {"http.request.uri.path": "/a/c",
                                  "raw.http.request.uri.path": "/a/./b/../c"}),
    ({"url": E + "/%7Euser/%7e%2fx"}, {"http.request.uri.path": "/~user/~%2Fx",
                                       "raw.http.request.uri.path": "/%7Euser/%7e%2fx"}),
    ({"url": E + "/a b/caf\u00e9"}, {"http.request.uri.path": "/a%20b/caf%C3%A9",
                                     "raw.http.request.uri.path": "/a b/caf\u00e9"}),
    ({"url": E}, {"http.request.uri.path": "/", "raw.http.request.uri.path": "/"}),
    ({"url": E + "?x=/../y"}, {"http.request.uri.path": "/", "raw.http.request.uri.path": "/"}),
    ({"url": E + "/%2e%2E/x#/../frag"}, {"http.request.uri.path": "/x",
                                         "raw.http.request.uri.path": "/%2e%2E/x"}),
    ({"url": E + "//a\\b//c/../d", "url_normalization": "cloudflare"},
     {"http.request.uri.path": "/a/b/d", "raw.http.request.uri.path": "//a\\b//c/../d"}),
    ({"url": E + "//a\\b//c/../d"}, {"http.request.uri.path": "//a%5Cb//d"}),
    ({"url": E + "/%68/./x", "url_normalization": "none"},
     {"http.request.uri.path": "/%68/./x", "raw.http.request.uri.path": "/%68/./x"}),
    ({"url": E + "/%zz%4"}, {"http.request.uri.path": "/%25zz%254"}),
])
def test_path(req, expected):
    check(req, expected)


@rows([
    ({"url": E + "/index.HTML?x=a.b"}, {"http.request.uri.path.extension": "html",
                                        "raw.http.request.uri.path.extension": "HTML",
                                        "http.request.uri.path.basename": "index.HTML"}),
    ({"url": E + "/a.b/c"}, {"http.request.uri.path.extension": "",
                             "http.request.uri.path.basename": "c"}),
    ({"url": E + "/.htaccess"}, {"http.request.uri.path.extension": "",
                                 "http.request.uri.path.basename": ".htaccess"}),
    ({"url": E + "/x.tar.GZ"}, {"http.request.uri.path.extension": "gz",
                                "raw.http.request.uri.path.extension": "GZ"}),
    ({"url": E + "/foo."}, {"http.request.uri.path.extension": "",
                            "raw.http.request.uri.path.extension": ""}),
    # %2E is an unreserved escape: decoded by normalization, not in the raw path
    ({"url": E + "/a%2Ejpg"}, {"http.request.uri.path.extension": "jpg",
                               "raw.http.request.uri.path.extension": "",
                               "http.request.uri.path.basename": "a.jpg"}),
    ({"url": E + "/img/"}, {"http.request.uri.path.extension": "",
                            "http.request.uri.path.basename": ""}),
    ({"url": E + "/a/b.png/.."}, {"http.request.uri.path.extension": "",
                                  "raw.http.request.uri.path.extension": "",
                                  "http.request.uri.path.basename": ""}),
    ({"url": E + "/%41b.Png"}, {"http.request.uri.path.basename": "Ab.Png",
                                "http.request.uri.path.extension": "png"}),
])
def test_extension_and_basename(req, expected):
    check(req, expected)


# --------------------------------------------------------------------------- query family

def _args(query_expected, names, values):
    out = {}
    for prefix in ("", "raw."):
        out[prefix + "http.request.uri.args"] = query_expected
        out[prefix + "http.request.uri.args.names"] = names
        out[prefix + "http.request.uri.args.values"] = values
    return out


@rows([
    ({"url": E + "/?a=1&a=2&b"}, {"http.request.uri.query": "a=1&a=2&b",
                                  **_args({"a": ["1", "2"], "b": [""]}, ["a", "a", "b"],
                                          ["1", "2", ""])}),
    ({"url": E + "/p?"}, {"http.request.uri.query": "", "raw.http.request.uri.query": "",
                          **_args({}, [], [])}),
    ({"url": E + "/?&&x=%20y+z&"}, {"http.request.uri.query": "&&x=%20y+z&",
                                    **_args({"x": ["%20y+z"]}, ["x"], ["%20y+z"])}),
    ({"url": E + "/?=v&k=="}, _args({"": ["v"], "k": ["="]}, ["", "k"], ["v", "="])),
    ({"url": E + "/?b=1&A=2&a=3"}, _args({"A": ["2"], "a": ["3"], "b": ["1"]},
                                         ["b", "A", "a"], ["1", "2", "3"])),
    ({"url": E + "/p%41th?x=%41#frag?y"}, {"http.request.uri.query": "x=%41",
                                           "raw.http.request.uri.query": "x=%41"}),
    ({"url": E + "/"}, {"http.request.uri.query": "", **_args({}, [], [])}),
    ({"url": E + "/?q=caf\u00e9"}, {"http.request.uri.query": "q=caf\u00e9"}),
])
def test_query_and_args(req, expected):
    check(req, expected)


@rows([
    ({"url": "https://Example.COM:8443/a/../b?x"},
     {"http.request.uri": "/b?x", "raw.http.request.uri": "/a/../b?x",
      "http.request.full_uri": "https://Example.COM:8443/b?x",
      "raw.http.request.full_uri": "https://Example.COM:8443/a/../b?x"}),
    ({"url": "http://e.com/x", "headers": {"Host": "cdn.example:81"}},
     {"http.request.full_uri": "http://cdn.example:81/x", "http.request.uri": "/x"}),
    ({"url": "HTTPS://e.com"}, {"http.request.full_uri": "https://e.com/",
                                "http.request.uri": "/"}),
    ({"url": "http://user:pw@e.com/%7e?"}, {"http.request.full_uri": "http://e.com/~?",
                                            "raw.http.request.full_uri": "http://e.com/%7e?",
                                            "http.request.uri": "/~?"}),
    ({"url": "http://[2001:db8::1]:8080/a?"},
     {"http.request.full_uri": "http://[2001:db8::1]:8080/a?", "http.request.uri": "/a?"}),
    ({"url": E + "/a#x?y"}, {"http.request.uri": "/a", "http.request.full_uri": E + "/a"}),
])
def test_uri_and_full_uri(req, expected):
    check(req, expected)


# --------------------------------------------------------------------------- host, scheme, port

@rows([
    ({"url": "https://www.example.org/"}, {"http.host": "www.example.org",
                                           "cf.edge.server_port": 443, "ssl": True}),
    ({"url": "http://example.com:8080/"}, {"http.host": "example.com:8080",
                                           "cf.edge.server_port": 8080, "ssl": False}),
    ({"url": "https://x/", "headers": {"Host": "Shop.Example.com"}},
     {"http.host": "Shop.Example.com", "cf.edge.server_port": 443}),
    ({"url": "https://x/", "headers": [["host", "a:1"], ["HOST", "b"]]}, {"http.host": "a:1"}),
    ({"url": "http://[::1]/"}, {"http.host": "[::1]", "cf.edge.server_port": 80}),
    ({"url": "https://e.com:/"}, {"http.host": "e.com", "cf.edge.server_port": 443}),
    ({"url": "https://E.com:443/"}, {"http.host": "E.com:443", "cf.edge.server_port": 443}),
    ({"url": "HTTP://e.com:0/"}, {"ssl": False, "cf.edge.server_port": 0}),
])
def test_host_port_ssl(req, expected):
    check(req, expected)


# --------------------------------------------------------------------------- headers

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


# --------------------------------------------------------------------------- cookies

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


# --------------------------------------------------------------------------- languages

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


# --------------------------------------------------------------------------- single-value headers

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


# --------------------------------------------------------------------------- method, version, time

@rows([
    ({"method": "post"}, {"http.request.method": "POST", "http.request.version": "HTTP/1.1"}),
    ({"method": "PURGE"}, {"http.request.method": "PURGE"}),
    ({}, {"http.request.method": "GET"}),
    ({"method": "hEaD", "fields": {"http.request.version": "HTTP/3"}},
     {"http.request.method": "HEAD", "http.request.version": "HTTP/3"}),
    ({"timestamp": 1484063137.25}, {"http.request.timestamp.sec": 1484063137,
                                    "http.request.timestamp.msec": 250}),
    ({"timestamp": 1.9995}, {"http.request.timestamp.sec": 1,
                             "http.request.timestamp.msec": 999}),
    ({"timestamp": 0}, {"http.request.timestamp.sec": 0, "http.request.timestamp.msec": 0}),
    ({"timestamp": 5.5, "fields": {"http.request.timestamp.sec": 1484063137}},
     {"http.request.timestamp.sec": 1484063137, "http.request.timestamp.msec": 0}),
    ({"fields": {"http.request.timestamp.sec": 7, "http.request.timestamp.msec": 8}},
     {"http.request.timestamp.sec": 7, "http.request.timestamp.msec": 8}),
])
def test_method_version_timestamps(req, expected):
    check(req, expected)


def test_timestamp_defaults_to_the_clock_at_construction(monkeypatch):
    import rulelang.http.messages
    monkeypatch.setattr(rulelang.http.messages.time, "time", lambda: 1700000000.125)
    req = Request()
    assert value("http.request.timestamp.sec", req) == 1700000000
    assert value("http.request.timestamp.msec", req) == 125


# --------------------------------------------------------------------------- ip and supplied fields
# (supplied fields overriding derived values: test_field_overrides.py)

@rows([
    ({"client_ip": "203.0.113.7"}, {"ip.src": ipaddress.ip_address("203.0.113.7")}),
    ({"client_ip": "2001:DB8::1"}, {"ip.src": ipaddress.ip_address("2001:db8::1")}),
    ({}, {"ip.src": None, "cf.edge.server_ip": None}),
    ({"client_ip": "10.0.0.1", "fields": {"ip.src": "198.51.100.1"}},
     {"ip.src": ipaddress.ip_address("198.51.100.1")}),
    ({"fields": {"ip.src": None}, "client_ip": "10.0.0.1"}, {"ip.src": None}),
    ({"fields": {"ip.src.country": "GB", "ip.src.asnum": 13335}},
     {"ip.src.country": "GB", "ip.geoip.country": "GB", "ip.geoip.asnum": 13335,
      "ip.src.continent": "", "ip.src.is_in_european_union": False}),
    ({"fields": {"ip.geoip.country": "FR"}}, {"ip.src.country": "FR", "ip.geoip.country": "FR"}),
    ({}, {"cf.waf.score": 100, "cf.edge.client_tcp": True, "cf.bot_management.score": 0,
          "cf.bot_management.detection_ids": [], "cf.llm.prompt.custom_topic_categories": {},
          "http.request.body.raw": "", "cf.zone.plan": ""}),
    ({"fields": {"cf.bot_management.detection_ids": [33554817, 1],
                 "cf.llm.prompt.custom_topic_categories": {"b": 2, "a": 1},
                 "cf.edge.server_ip": "2001:db8::2"}},
     {"cf.bot_management.detection_ids": [33554817, 1],
      "cf.llm.prompt.custom_topic_categories": {"a": 1, "b": 2},
      "cf.edge.server_ip": ipaddress.ip_address("2001:db8::2")}),
])
def test_ip_and_supplied_fields(req, expected):
    check(req, expected)


# --------------------------------------------------------------------------- response

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


# --------------------------------------------------------------------------- every reference example

def _example_request(example, info):
    """A Request (and Response) for one machine-readable example of fields.json."""
    kwargs, response = {"url": E + "/"}, None
    if "request" in example and info.group == "request":
        text = example["request"]
        if ":" in text.split()[0]:  # a header line such as "Host: Shop.Example.com"
            name, _, val = text.partition(": ")
            kwargs["headers"] = [[name, val]]
        else:
            method, target = text.split()[:2]
            kwargs["method"] = method
            kwargs["url"] = target if "://" in target else E + target
            if "(cloudflare)" in text:
                kwargs["url_normalization"] = "cloudflare"
    elif "request" in example:
        raise AssertionError(example)
    if "path" in example:
        kwargs["url"] = E + example["path"]
    if "query" in example:
        kwargs["url"] = E + "/?" + example["query"]
    if "client_ip" in example:
        kwargs["client_ip"] = example["client_ip"]
    if "fields" in example:
        kwargs["fields"] = example["fields"]
    headers = []
    if "headers" in example and not example["headers"].startswith("("):
        text = example["headers"].removesuffix(" (two lines)")
        for line in text.split(" / "):
            name, _, val = line.partition(": ")
            headers.append([name, val])
    if "content_type" in example:
        headers.append(["Content-Type", example["content_type"]])
    if info.group == "response":
        status = int(example["response"].split()[1]) if "response" in example else 200
        response = Response(status, headers)
    else:
        kwargs.setdefault("headers", headers)
    if set(example) == {"value"}:  # a supplied field: the example is a value to supply
        kwargs["fields"] = {info.name: example["value"]}
    return Request(**kwargs), response


EXAMPLES = [(info, ex) for info in schema.fields().values()
            for ex in info.raw.get("examples", []) if "value" in ex]


@pytest.mark.parametrize("info,example", EXAMPLES,
                         ids=[f"{i.name}-{n}" for n, (i, _) in enumerate(EXAMPLES)])
def test_every_example_of_fields_json(info, example):
    request, response = _example_request(example, info)
    got = value(info.name, request, response)
    if isinstance(got, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        got = str(got)
    assert got == example["value"]


def test_the_examples_cover_every_derived_field_with_examples():
    with_examples = {i.name for i, _ in EXAMPLES}
    derived = {n for n, i in schema.fields().items()
               if i.origin == "derived" and i.raw.get("examples")}
    assert derived <= with_examples and len(EXAMPLES) >= 80


# --------------------------------------------------------------------------- laziness, extract_all

def test_values_are_computed_once_and_only_when_read():
    req = Request(url=E + "/a?x=1", headers={"Cookie": "a=1"})
    read = field_reader("http.request.cookies")
    first = read(req, None)
    assert read(req, None) is first
    assert "http.request.uri.path" not in req._cache
    assert "http.request.accepted_languages" not in req._cache


def test_response_values_are_cached_on_the_response():
    resp = Response(200, {"A": "1"})
    read = field_reader("http.response.headers")
    assert read(Request(), resp) is read(Request(), resp)


def test_unknown_field_reader_is_an_error():
    with pytest.raises(RuleLangError, match="did you mean 'http.host'"):
        field_reader("http.hots")


def test_extract_all_gives_every_field_with_its_type():
    out = extract_all(Request(url=E + "/a.jpg", client_ip="192.0.2.1"), Response(200))
    assert set(out) == set(schema.fields())
    for name, v in out.items():
        _assert_type(schema.fields()[name].type, v)


def _assert_type(t, v):
    if v is MISSING:
        return
    kind = t.kind
    if kind == "String":
        assert isinstance(v, bytes)
    elif kind == "Int":
        assert isinstance(v, int) and not isinstance(v, bool)
    elif kind == "Bool":
        assert isinstance(v, bool)
    elif kind == "IP":
        assert isinstance(v, (ipaddress.IPv4Address, ipaddress.IPv6Address))
    elif kind == "Array":
        assert isinstance(v, tuple)
        for x in v:
            _assert_type(t.inner, x)
    else:
        assert isinstance(v, dict) and list(v) == sorted(v)
        for k, x in v.items():
            assert isinstance(k, bytes)
            _assert_type(t.inner, x)


# --------------------------------------------------------------------------- properties

_header_name = st.one_of(st.text(max_size=12), st.sampled_from(["Cookie", "Accept-Language",
                                                                 "Host", "Content-Type"]))
_header_value = st.one_of(st.text(max_size=40), st.integers(), st.none(),
                          st.text(alphabet="a=;, q.0123456789\"%\t*", max_size=40))


@settings(max_examples=300, deadline=None)
@given(headers=st.one_of(st.lists(st.tuples(_header_name, _header_value), max_size=6),
                         st.dictionaries(_header_name, _header_value, max_size=6)),
       url=st.one_of(st.text(max_size=40),
                     st.builds(lambda s, h, p: f"{s}://{h}{p}",
                               st.sampled_from(["http", "https", "HTTPS", "ftp"]),
                               st.text(max_size=15), st.text(max_size=30))),
       mode=st.sampled_from(["rfc3986", "cloudflare", "none"]))
def test_arbitrary_headers_and_urls_raise_only_rulelang_errors(headers, url, mode):
    try:
        req = Request(url=url, headers=headers, url_normalization=mode)
        resp = Response(200, headers)
    except RuleLangError:
        return
    out = extract_all(req, resp)
    for name, v in out.items():
        _assert_type(schema.fields()[name].type, v)
