"""Review of the request/response model and the field derivations against fields.json.

Adversarial requests, one table per derivation; every expected value is worked out by
hand from the ``derivation`` text (sentence by sentence) or from
``url_normalization``.  Also the fixes of the review: header names holding a newline,
response fields overridden from ``fields``, did-you-mean across letter case, sample
errors that name the sample, and HAR name/value pairs that are not strings.
"""

import ipaddress
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rulelang
from rulelang.errors import RuleLangError
from rulelang.http.fields import field_reader
from rulelang.http.messages import Request, Response
from rulelang.http.samples import iter_samples
from rulelang.http.urlnorm import normalize_path, remove_dot_segments
from rulelang.schema.values import MISSING, to_python

E = "https://example.com"


def value(name, request, response=None):
    got = to_python(field_reader(name)(request, response))
    if isinstance(got, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return str(got)
    return got


# --------------------------------------------------------------------------- path normalization

@pytest.mark.parametrize("raw,rfc3986,cloudflare", [
    # dot segments (RFC 3986 §5.2.4)
    ("/a/./b/../c", "/a/c", "/a/c"),
    ("/../a", "/a", "/a"),
    ("/../../a/b", "/a/b", "/a/b"),
    ("/a/..", "/", "/"),
    ("/a/b/..", "/a/", "/a/"),
    ("/a/.", "/a/", "/a/"),
    ("/a/.b/..c/...", "/a/.b/..c/...", "/a/.b/..c/..."),
    # %2E is unreserved: decoded first, then a dot segment
    ("/%2e%2E/a/%2e/b", "/a/b", "/a/b"),
    # encoded reserved characters stay encoded, hex upper-cased; '/' never decoded
    ("/a%2fb", "/a%2Fb", "/a%2Fb"),
    ("/a%2F..%2fb", "/a%2F..%2Fb", "/a%2F..%2Fb"),
    ("/%3a%40%21%24%26%27%28%29%2a%2b%2c%3b%3d%3f%23%5b%5d",
     "/%3A%40%21%24%26%27%28%29%2A%2B%2C%3B%3D%3F%23%5B%5D",
     "/%3A%40%21%24%26%27%28%29%2A%2B%2C%3B%3D%3F%23%5B%5D"),
    # encoded unreserved characters in both cases of hex
    ("/%41%7a%2d%5f%7E%30", "/Az-_~0", "/Az-_~0"),
    # '%' not followed by two hex digits is encoded as %25
    ("/a%", "/a%25", "/a%25"),
    ("/a%4", "/a%254", "/a%254"),
    ("/a%g1", "/a%25g1", "/a%25g1"),
    ("/a%25", "/a%25", "/a%25"),
    # other escapes: hex upper-cased, not decoded
    ("/caf%c3%a9", "/caf%C3%A9", "/caf%C3%A9"),
    ("/%20", "/%20", "/%20"),
    # bytes that are neither reserved nor unreserved are encoded
    ('/a"<>^`{|}', "/a%22%3C%3E%5E%60%7B%7C%7D", "/a%22%3C%3E%5E%60%7B%7C%7D"),
    ("/a b\tc", "/a%20b%09c", "/a%20b%09c"),
    ("/caf\u00e9", "/caf%C3%A9", "/caf%C3%A9"),
    # reserved characters written as they are stay as they are
    ("/a[b]@!$&'()*+,;=:", "/a[b]@!$&'()*+,;=:", "/a[b]@!$&'()*+,;=:"),
    # '//' runs: kept by rfc3986 (examples table), merged by cloudflare
    ("//a//b///", "//a//b///", "/a/b/"),
    ("//", "//", "/"),
    ("//..", "/", "/"),
    ("/a//..", "/a/", "/"),
    # backslashes: encoded by rfc3986, turned into '/' by cloudflare (a literal one only)
    ("/a\\b", "/a%5Cb", "/a/b"),
    ("/a\\\\b", "/a%5C%5Cb", "/a/b"),
    ("/a%5cb", "/a%5Cb", "/a%5Cb"),
    ("/a/\\..\\b", "/a/%5C..%5Cb", "/b"),
])
def test_path_normalization(raw, rfc3986, cloudflare):
    for mode, expected in (("rfc3986", rfc3986), ("cloudflare", cloudflare), ("none", raw)):
        req = Request(url=E + raw, url_normalization=mode)
        assert value("http.request.uri.path", req) == expected, mode
        assert value("raw.http.request.uri.path", req) == raw


def _reference_remove_dot_segments(inp: bytes) -> bytes:
    """RFC 3986 §5.2.4 step by step, as written in the RFC."""
    out = b""
    while inp:
        if inp.startswith(b"../"):
            inp = inp[3:]
        elif inp.startswith(b"./"):
            inp = inp[2:]
        elif inp.startswith(b"/./"):
            inp = b"/" + inp[3:]
        elif inp == b"/.":
            inp = b"/"
        elif inp.startswith(b"/../") or inp == b"/..":
            inp = b"/" + inp[4:]
            out = out[:max(out.rfind(b"/"), 0)]
        elif inp in (b".", b".."):
            inp = b""
        else:
            end = inp.find(b"/", 1 if inp.startswith(b"/") else 0)
            end = len(inp) if end < 0 else end
            out, inp = out + inp[:end], inp[end:]
    return out


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from([b"/", b".", b"..", b"a", b"/..", b"/.", b"b."]), max_size=12))
def test_dot_segment_removal_follows_the_rfc_algorithm(parts):
    path = b"/" + b"".join(parts)
    assert remove_dot_segments(path) == _reference_remove_dot_segments(path)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=30), st.sampled_from(["rfc3986", "cloudflare"]))
def test_normalized_paths_have_only_valid_upper_case_escapes(tail, mode):
    path = normalize_path(b"/" + tail, mode)
    assert all(0x20 < b < 0x7F and b not in b'"<>\\^`{|}' for b in path)
    for i in range(len(path)):
        if path[i:i + 1] == b"%":
            escape = path[i + 1:i + 3]
            assert len(escape) == 2 and escape == escape.upper()
            assert int(escape, 16) not in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
    if mode == "cloudflare":
        assert b"//" not in path


# --------------------------------------------------------------------------- target, query, args

@pytest.mark.parametrize("url,uri,query,raw_uri", [
    (E, "/", "", "/"),
    (E + "?", "/?", "", "/?"),
    (E + "?x=1", "/?x=1", "x=1", "/?x=1"),
    (E + "/a?", "/a?", "", "/a?"),
    (E + "/a?b?c=/../d#frag", "/a?b?c=/../d", "b?c=/../d", "/a?b?c=/../d"),
    (E + "/a#f?x", "/a", "", "/a"),
    (E + "/a#", "/a", "", "/a"),
    (E + "/%7e/./x?%7e+%2F", "/~/x?%7e+%2F", "%7e+%2F", "/%7e/./x?%7e+%2F"),
    (E + "/a b?c d", "/a%20b?c d", "c d", "/a b?c d"),
])
def test_uri_and_query(url, uri, query, raw_uri):
    req = Request(url=url)
    assert value("http.request.uri", req) == uri
    assert value("http.request.uri.query", req) == query
    assert value("raw.http.request.uri.query", req) == query
    assert value("raw.http.request.uri", req) == raw_uri


@pytest.mark.parametrize("query,args,names,values", [
    ("a&b=&=c", {"a": [""], "b": [""], "": ["c"]}, ["a", "b", ""], ["", "", "c"]),
    ("search=red+apples", {"search": ["red+apples"]}, ["search"], ["red+apples"]),
    ("x=1=2&&&x=%41&X=3", {"X": ["3"], "x": ["1=2", "%41"]}, ["x", "x", "X"],
     ["1=2", "%41", "3"]),
    ("=", {"": [""]}, [""], [""]),
    ("&", {}, [], []),
    ("a+b=c+d&%20=%20", {"%20": ["%20"], "a+b": ["c+d"]}, ["a+b", "%20"], ["c+d", "%20"]),
    ("q=a?b", {"q": ["a?b"]}, ["q"], ["a?b"]),
])
def test_args(query, args, names, values):
    req = Request(url=E + "/p?" + query)
    for prefix in ("", "raw."):
        assert value(prefix + "http.request.uri.args", req) == args
        assert value(prefix + "http.request.uri.args.names", req) == names
        assert value(prefix + "http.request.uri.args.values", req) == values


def test_args_map_keys_iterate_in_byte_order():
    req = Request(url=E + "/?b=1&B=2&a=3&=4")
    assert list(value("http.request.uri.args", req)) == ["", "B", "a", "b"]


# --------------------------------------------------------------------------- extension, basename

@pytest.mark.parametrize("url,extension,raw_extension,basename", [
    ("/.mp3", "", "", ".mp3"),
    ("/.foo.MP3", "mp3", "MP3", ".foo.MP3"),
    ("/a.b/c", "", "", "c"),
    ("/a.b/", "", "", ""),
    ("/file.", "", "", "file."),
    ("/FILE.JPG?x=a.png", "jpg", "JPG", "FILE.JPG"),
    ("/a?x=.png", "", "", "a"),
    ("/a.tar.GZ#x.png", "gz", "GZ", "a.tar.GZ"),
    ("/a%2Ejpg", "jpg", "", "a.jpg"),
    ("/a.%4A%50%47", "jpg", "%4A%50%47", "a.JPG"),
    ("/d/x.png/..", "", "", ""),
    ("/a%2Fb.png", "png", "png", "a%2Fb.png"),
    ("/a\\b.PNG", "png", "PNG", "a%5Cb.PNG"),
    ("/..", "", "", ""),
    ("", "", "", ""),
])
def test_extension_and_basename(url, extension, raw_extension, basename):
    req = Request(url=E + url)
    assert value("http.request.uri.path.extension", req) == extension
    assert value("raw.http.request.uri.path.extension", req) == raw_extension
    assert value("http.request.uri.path.basename", req) == basename


# --------------------------------------------------------------------------- host, full_uri, port, ssl

@pytest.mark.parametrize("url,headers,host,full_uri,port,ssl", [
    ("https://www.example.org/a", [], "www.example.org", "https://www.example.org/a", 443, True),
    ("http://Example.COM:8080/a/../b?x#f", [], "Example.COM:8080",
     "http://Example.COM:8080/b?x", 8080, False),
    ("HTTPS://example.com:443/", [], "example.com:443", "https://example.com:443/", 443, True),
    ("https://example.com:/", [], "example.com", "https://example.com/", 443, True),
    ("https://user:pw@example.com:8443/", [], "example.com:8443",
     "https://example.com:8443/", 8443, True),
    ("https://[2001:DB8::1]:8443/p", [], "[2001:DB8::1]:8443",
     "https://[2001:DB8::1]:8443/p", 8443, True),
    ("http://[::1]/", [], "[::1]", "http://[::1]/", 80, False),
    ("https://example.com/a", [["Host", "Shop.Example.com:81"], ["host", "other"]],
     "Shop.Example.com:81", "https://Shop.Example.com:81/a", 443, True),
    ("https://example.com:9000/a", [["HOST", ""]], "", "https:///a", 9000, True),
])
def test_host_full_uri_port_ssl(url, headers, host, full_uri, port, ssl):
    req = Request(url=url, headers=headers)
    assert value("http.host", req) == host
    assert value("http.request.full_uri", req) == full_uri
    assert value("cf.edge.server_port", req) == port
    assert value("ssl", req) is ssl


def test_raw_full_uri_keeps_the_path_as_received():
    req = Request(url="https://example.com/%68ello//pa\\th?q=%7e")
    assert value("raw.http.request.full_uri", req) == "https://example.com/%68ello//pa\\th?q=%7e"
    assert value("http.request.full_uri", req) == "https://example.com/hello//pa%5Cth?q=%7e"


# --------------------------------------------------------------------------- request headers

HEADERS = [["X-A", "1"], ["Content-Type", "text/html"], ["x-a", ""], ["X-a", "2, 3"]]


def test_request_header_map_and_arrays():
    req = Request(url=E, headers=HEADERS)
    assert value("http.request.headers", req) == {"content-type": ["text/html"],
                                                  "x-a": ["1", "", "2, 3"]}
    assert value("http.request.headers.names", req) == ["X-A", "Content-Type", "x-a", "X-a"]
    assert value("http.request.headers.values", req) == ["1", "text/html", "", "2, 3"]
    assert field_reader("http.request.headers")(req, None).get(b"X-A") is None
    assert value("http.request.headers.truncated", req) is False


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
    assert value(name, Request(url=E, headers=headers)) == expected


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
def test_cookies(cookie_headers, expected):
    req = Request(url=E, headers=[["Cookie", h] for h in cookie_headers])
    assert value("http.request.cookies", req) == expected


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
def test_accepted_languages(headers, expected):
    req = Request(url=E, headers=[["Accept-Language", h] for h in headers])
    assert value("http.request.accepted_languages", req) == expected


# --------------------------------------------------------------------------- ip, method, time

@pytest.mark.parametrize("client_ip,expected", [
    ("203.0.113.7", "203.0.113.7"),
    ("2001:DB8::1", "2001:db8::1"),
    ("::ffff:203.0.113.7", "::ffff:cb00:7107"),
])
def test_ip_src(client_ip, expected):
    assert value("ip.src", Request(url=E, client_ip=client_ip)) == expected


def test_ipv4_mapped_client_ip_is_an_ipv6_value():
    got = field_reader("ip.src")(Request(url=E, client_ip="::ffff:203.0.113.7"), None)
    assert isinstance(got, ipaddress.IPv6Address)
    assert not rulelang.compile_expression("ip.src eq 203.0.113.7").matches(
        Request(url=E, client_ip="::ffff:203.0.113.7"))


def test_missing_client_ip_is_missing():
    req = Request(url=E)
    assert field_reader("ip.src")(req, None) is MISSING
    assert not rulelang.compile_expression("ip.src ne 1.2.3.4").matches(req)


@pytest.mark.parametrize("timestamp,fields,sec,msec", [
    (1484063137.25, None, 1484063137, 250),
    (1484063137.9999, None, 1484063137, 999),
    (1484063137, {"http.request.timestamp.sec": 5}, 5, 0),
    (1484063137.5, {"http.request.timestamp.msec": 7}, 1484063137, 7),
])
def test_timestamps(timestamp, fields, sec, msec):
    req = Request(url=E, timestamp=timestamp, fields=fields)
    assert value("http.request.timestamp.sec", req) == sec
    assert value("http.request.timestamp.msec", req) == msec


# --------------------------------------------------------------------------- response fields

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
    assert value("http.response.content_type.media_type", Request(url=E), resp) == media_type


def test_response_header_fields():
    resp = Response(304, [["Set-Cookie", "a=1"], ["set-cookie", "b=2"], ["ETag", ""]])
    req = Request(url=E)
    for prefix in ("", "raw."):
        assert value(prefix + "http.response.headers", req, resp) == {
            "etag": [""], "set-cookie": ["a=1", "b=2"]}
        assert value(prefix + "http.response.headers.names", req, resp) == [
            "Set-Cookie", "set-cookie", "ETag"]
        assert value(prefix + "http.response.headers.values", req, resp) == ["a=1", "b=2", ""]
    assert value("http.response.code", req, resp) == 304


# --------------------------------------------------------------------------- overrides (fixed)

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


# --------------------------------------------------------------------------- header names (fixed)

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


# --------------------------------------------------------------------------- sample files (fixed)

GOOD = {"name": "ok", "request": {"url": "https://e.com/a"}}


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name,text,message", [
    ("a.json", "[\n" + json.dumps(GOOD) + ',\n{"name": "n2", "request": {"url": tru}}\n]',
     r"a.json:3: sample 1: invalid JSON"),
    ("a.json", "[\n" + json.dumps(GOOD) + ",\n", r"a.json:3: sample 1: expected a JSON value"),
    ("a.json", "[" + json.dumps(GOOD) + ", 5]",
     r"a.json:1: sample 1: a sample must be a JSON object"),
    ("a.json", "[\n" + json.dumps(GOOD) + ',\n{"name": "n2", "request": {"url": "ftp://x/"}}]',
     r"a.json:3: sample 1 \('n2'\): request url: scheme 'ftp'"),
    ("a.jsonl", json.dumps(GOOD) + '\n\n{"name": "b", "request": {"url": 5}}\n',
     r"a.jsonl:3: sample 1 \('b'\): request url: expected a string"),
    ("a.jsonl", json.dumps(GOOD) + "\nnope\n", r"a.jsonl:2: sample 1: invalid JSON"),
    ("c.har", ('{"log": {"entries": [\n{"request": {"url": "https://e.com/", "cookies": '
              '[{"name": 1, "value": {}}]}}]}}'),
     r"c.har:2: sample 0: .*cookies\[0\]: 'name' and 'value' must be strings"),
    ("c.har", ('{"log": {"entries": [\n{"request": {"url": "https://e.com/", "queryString": '
              '[{"name": "q", "value": null}]}}]}}'),
     r"c.har:2: sample 0: .*queryString\[0\]: 'name' and 'value' must be strings"),
    ("c.har", ('{"log": {"entries": [{"request": {"url": "https://e.com/"}},\n{"request": '
              '{"url": "https://e.com/", "method": "G T"}}]}}'),
     r"c.har:2: sample 1 \('entries\[1\] G T https://e.com/'\): request method"),
    ("c.har", '{"log": {"entries": [{"request": {"url": "https://e.com/"}},\n{"request": ',
     r"c.har:2: sample 1: .*truncated"),
])
def test_every_bad_sample_names_file_sample_and_line(tmp_path, name, text, message):
    path = _write(tmp_path, name, text)
    with pytest.raises(RuleLangError, match=message):
        list(iter_samples(path))


def test_json_lines_go_on_past_bad_lines_and_collect_each(tmp_path):
    lines = [json.dumps(GOOD), "{", json.dumps({"request": {"url": "x"}}), "",
             json.dumps({"name": "h", "request": {"url": "https://e.com/",
                                                  "headers": {"a\nb": "1"}}}),
             json.dumps(GOOD)]
    path = _write(tmp_path, "m.jsonl", "\n".join(lines) + "\n")
    errors = []
    samples = list(iter_samples(path, errors))
    assert [(s.index, s.line) for s in samples] == [(0, 1), (4, 6)]
    assert len(errors) == 3
    assert [str(e).removeprefix(f"{path}:").split(": ")[:2] for e in errors] == [
        ["2", "sample 1"], ["3", "sample 2"], ["5", "sample 3 ('h')"]]


def test_json_lines_with_a_first_line_longer_than_the_read_chunk(tmp_path):
    """A .json file of JSON Lines whose first sample is bigger than one read chunk is
    still JSON Lines (it used to be taken for a HAR capture)."""
    big = {"name": "big", "request": {"url": "https://e.com/", "headers": {"X": "a" * 70000}}}
    path = _write(tmp_path, "big.json", json.dumps(big) + "\n" + json.dumps(GOOD) + "\n")
    assert [(s.name, s.line) for s in iter_samples(path)] == [("big", 1), ("ok", 2)]


def test_a_broken_first_line_of_json_lines_is_one_bad_sample(tmp_path):
    path = _write(tmp_path, "b.json", '\n{"name": "x", "request": \n' + json.dumps(GOOD) + "\n")
    errors = []
    assert [(s.index, s.line) for s in iter_samples(path, errors)] == [(1, 3)]
    assert len(errors) == 1 and f"{path}:2: sample 0: truncated JSON" in str(errors[0])


@pytest.mark.parametrize("text", [
    '{\n  "log": {\n    "entries": [{"request": {"url": "https://e.com/"}}]\n  }\n}',
    '{"log": {"entries": [\n{"request": {"url": "https://e.com/"}}]}}',
    json.dumps({"log": {"entries": [{"request": {"url": "https://e.com/",
                                                 "headers": [{"name": "X",
                                                              "value": "a" * 70000}]}}]}}),
])
def test_har_captures_are_recognised_without_the_har_suffix(tmp_path, text):
    (sample,) = iter_samples(_write(tmp_path, "capture.json", text))
    assert sample.name == "entries[0] GET https://e.com/"



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
