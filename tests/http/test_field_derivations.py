"""The field derivations of fields.json on adversarial requests, one table per derivation:
target, query and args, extension and basename, host and port, headers, cookies,
languages, IP, time and response fields.  Every expected value is worked out by hand
from the ``derivation`` text, sentence by sentence.

Ordinary requests and the examples of fields.json are in test_fields.py, path
normalization in test_urlnorm.py, supplied fields in test_field_overrides.py."""

import ipaddress

import pytest
from support.fields import E
from support.fields import value_text as value

import rulelang
from rulelang.http.fields import field_reader
from rulelang.http.messages import Request, Response
from rulelang.schema.values import MISSING

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
