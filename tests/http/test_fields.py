"""The field machinery as a whole: every example of fields.json, values computed once and
only when read, ``extract_all``, and arbitrary headers and URLs raising only RuleLangError.

The values of each field group are in test_url_fields.py, test_header_fields.py and
test_client_and_time_fields.py; supplied fields in test_field_overrides.py; URL
normalization in test_urlnorm.py."""

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.fields import E, value

from rulelang.errors import RuleLangError
from rulelang.http.fields import extract_all, field_reader
from rulelang.http.messages import Request, Response
from rulelang.schema import catalogue as schema
from rulelang.schema.values import MISSING

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
    assert "http.request.uri.path" not in req.field_cache
    assert "http.request.accepted_languages" not in req.field_cache


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
