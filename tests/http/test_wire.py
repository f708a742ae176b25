"""Request.from_wire / Response.from_wire: what servers hand over, read as Cloudflare
reads it; real traffic never raises, strict=True raises RequestError instead."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rulelang import Request, RequestError, Response, RuleLangError, compile_expression

CASES = [
    # (id, args, kwargs, url, client_ip, repaired)
    ("plain", ("GET", "/a.png?x=1", [("Host", "www.example.com")]), {},
     "https://www.example.com/a.png?x=1", None, False),
    ("bytes", (b"GET", b"/a", [(b"Host", b"h.example"), (b"Cookie", b"a=1")]),
     {"scheme": "http"}, "http://h.example/a", None, False),
    ("public host beats Host", ("GET", "/a", [("Host", "127.0.0.1:8787")]),
     {"host": "www.example.com"}, "https://www.example.com/a", None, False),
    ("absolute-form target", ("GET", "http://up.example:8080/p?q", []), {},
     "http://up.example:8080/p?q", None, False),
    ("authority pseudo-header", ("GET", "/p", [(":authority", "h2.example")]), {},
     "https://h2.example/p", None, False),
    ("ipv4-mapped client", ("GET", "/", [("Host", "h")]), {"client_ip": "::ffff:127.0.0.1"},
     "https://h/", "127.0.0.1", False),
    ("client with port", ("GET", "/", [("Host", "h")]), {"client_ip": "192.0.2.1:5555"},
     "https://h/", "192.0.2.1", True),
    ("client zone id", ("GET", "/", [("Host", "h")]), {"client_ip": "fe80::1%eth0"},
     "https://h/", "fe80::1", True),
    ("bad client", ("GET", "/", [("Host", "h")]), {"client_ip": "nope"},
     "https://h/", None, True),
    ("ws target", ("GET", "wss://h.example/chat", []), {}, "https://h.example/chat", None,
     False),
    ("asterisk", ("OPTIONS", "*", [("Host", "h")]), {}, "https://h/", None, True),
    ("non-utf8 target", ("GET", b"/caf\xe9", [("Host", "h")]), {}, "https://h/caf%E9",
     None, True),
    ("ipv6 host zone id", ("GET", "/", [("Host", "[fe80::1%25eth0]:8443")]), {},
     "https://[fe80::1]:8443/", None, True),
    ("bad port", ("GET", "/", [("Host", "h:99999")]), {}, "https://h/", None, True),
    ("bad header name", ("GET", "/", [("Host", "h"), ("Bad Name", "x")]), {}, "https://h/",
     None, True),
    ("bad method", ("GE T", "/", [("Host", "h")]), {}, "https://h/", None, True),
    ("no host", ("GET", "/x", []), {}, "https://localhost/x", None, False),
]


@pytest.mark.parametrize("name, args, kwargs, url, client, repaired", CASES,
                         ids=[c[0] for c in CASES])
def test_from_wire(name, args, kwargs, url, client, repaired):
    request = Request.from_wire(*args, **kwargs)
    assert request.url == url
    assert (None if request.client_ip is None else str(request.client_ip)) == client
    if repaired:
        with pytest.raises(RequestError):
            Request.from_wire(*args, strict=True, **kwargs)
    else:
        assert Request.from_wire(*args, strict=True, **kwargs).url == url


def test_request_error_is_a_rulelang_error():
    assert issubclass(RequestError, RuleLangError)


def test_repeated_cookie_headers_stay_separate_and_rules_see_all():
    request = Request.from_wire("GET", "/", [("Host", "h"), ("Cookie", "a=1"),
                                             ("Cookie", "b=2")])
    assert request.header_values("cookie") == ["a=1", "b=2"]
    expr = compile_expression('http.request.cookies["b"][0] eq "2"')
    assert expr.matches(request)


def test_ipv4_mapped_address_matches_ipv4_ranges():
    request = Request.from_wire("GET", "/", [("Host", "h")], client_ip="::ffff:127.0.0.1")
    assert request.client_ip == ipaddress.IPv4Address("127.0.0.1")
    assert compile_expression("ip.src in {127.0.0.0/8}").matches(request)


def test_non_utf8_header_value_is_read_as_latin1():
    request = Request.from_wire("GET", "/", [(b"Host", b"h"), (b"X-Name", b"caf\xe9")])
    assert request.header_values("x-name") == ["café"]
    with pytest.raises(RequestError):
        Request.from_wire("GET", "/", [(b"X-Name", b"caf\xe9")], strict=True)


def test_http_version_sets_the_field():
    request = Request.from_wire("GET", "/", [("Host", "h")], http_version=(2, 0))
    assert compile_expression('http.request.version eq "HTTP/2"').matches(request)


@pytest.mark.parametrize("status, code", [(200, 200), ("404", 404), (b"600 Odd", 600),
                                          (999, 999), (b"103 Early Hints", 103)])
def test_response_statuses(status, code):
    assert Response.from_wire(status, [(b"ETag", b'"x"')]).status == code


@pytest.mark.parametrize("status", [0, 99, 1000, "abc", b"", True])
def test_response_status_outside_100_999_raises(status):
    with pytest.raises(RequestError):
        Response.from_wire(status, [])


@settings(max_examples=300, deadline=None)
@given(method=st.binary(max_size=8), target=st.binary(max_size=40),
       headers=st.lists(st.tuples(st.binary(max_size=12), st.binary(max_size=30)), max_size=6),
       client=st.one_of(st.none(), st.text(max_size=20), st.ip_addresses().map(str)))
def test_arbitrary_bytes_never_raise(method, target, headers, client):
    request = Request.from_wire(method, target, headers, client_ip=client)
    assert request.url.startswith(("http://", "https://"))


def test_http_version_with_a_repaired_target_does_not_raise():
    request = Request.from_wire("GET", b"/caf\xe9 x", [("Host", "h:99999")], http_version="2")
    assert request.url.startswith("https://h/")


def test_bad_supplied_fields_raise_request_error():
    with pytest.raises(RuleLangError):
        Request.from_wire("GET", "/", [("Host", "h")], fields={"no.such.field": 1})
