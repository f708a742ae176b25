"""The URL fields (fields.json: path, extension, basename, query, args, uri, full_uri, host,
port, ssl): ordinary requests first, then awkward URLs, every value worked out by hand from
the ``derivation`` text."""

import pytest
from support.fields import E, check, rows, value_text

from rulelang.http.messages import Request


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


# --------------------------------------------------------------------------- awkward URLs

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
    assert value_text("http.request.uri", req) == uri
    assert value_text("http.request.uri.query", req) == query
    assert value_text("raw.http.request.uri.query", req) == query
    assert value_text("raw.http.request.uri", req) == raw_uri


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
        assert value_text(prefix + "http.request.uri.args", req) == args
        assert value_text(prefix + "http.request.uri.args.names", req) == names
        assert value_text(prefix + "http.request.uri.args.values", req) == values


def test_args_map_keys_iterate_in_byte_order():
    req = Request(url=E + "/?b=1&B=2&a=3&=4")
    assert list(value_text("http.request.uri.args", req)) == ["", "B", "a", "b"]


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
def test_extension_and_basename_of_awkward_urls(url, extension, raw_extension, basename):
    req = Request(url=E + url)
    assert value_text("http.request.uri.path.extension", req) == extension
    assert value_text("raw.http.request.uri.path.extension", req) == raw_extension
    assert value_text("http.request.uri.path.basename", req) == basename


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
    assert value_text("http.host", req) == host
    assert value_text("http.request.full_uri", req) == full_uri
    assert value_text("cf.edge.server_port", req) == port
    assert value_text("ssl", req) is ssl


def test_raw_full_uri_keeps_the_path_as_received():
    req = Request(url="https://example.com/%68ello//pa\\th?q=%7e")
    assert value_text("raw.http.request.full_uri", req) == "https://example.com/%68ello//pa\\th?q=%7e"
    assert value_text("http.request.full_uri", req) == "https://example.com/hello//pa%5Cth?q=%7e"
