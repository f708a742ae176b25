"""URL path normalization (fields.json → url_normalization)."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.fields import E
from support.fields import value_text as value

from rulelang.errors import RuleLangError
from rulelang.http.messages import Request
from rulelang.http.urlnorm import check_mode, normalize_path, remove_dot_segments
from rulelang.schema import catalogue as schema

SPEC_EXAMPLES = schema.url_normalization()["examples"]


@pytest.mark.parametrize("example", SPEC_EXAMPLES, ids=lambda e: e["path"])
@pytest.mark.parametrize("mode", ["rfc3986", "cloudflare"])
def test_every_example_of_the_reference(example, mode):
    assert normalize_path(example["path"].encode(), mode).decode() == example[mode]


@pytest.mark.parametrize("path,rfc3986,cloudflare", [
    # unreserved escapes are decoded, in either hex case
    ("/%7Euser/%7e%41%2D%5f", "/~user/~A-_", "/~user/~A-_"),
    # reserved escapes stay encoded, hex upper-cased; bare reserved characters stay
    ("/a%2fb%3a/c:d@e!$&'()*+,;=", "/a%2Fb%3A/c:d@e!$&'()*+,;=", "/a%2Fb%3A/c:d@e!$&'()*+,;="),
    # other bytes are encoded; a stray '%' becomes %25
    ("/a b/\"<>^`{|}/%zz/%4", "/a%20b/%22%3C%3E%5E%60%7B%7C%7D/%25zz/%254",
     "/a%20b/%22%3C%3E%5E%60%7B%7C%7D/%25zz/%254"),
    # non-ASCII bytes (UTF-8) are encoded; existing escapes kept
    ("/caf\u00e9/caf%c3%a9", "/caf%C3%A9/caf%C3%A9", "/caf%C3%A9/caf%C3%A9"),
    # encoded dots are decoded first, then dot segments removed
    ("/a/%2e%2E/b/%2e/c", "/b/c", "/b/c"),
    ("/a/..%2f/b", "/a/..%2F/b", "/a/..%2F/b"),
    # trailing dot segments leave a trailing slash
    ("/a/b/..", "/a/", "/a/"),
    ("/a/b/.", "/a/b/", "/a/b/"),
    ("/..", "/", "/"),
    ("/../../x", "/x", "/x"),
    ("/...", "/...", "/..."),
    # slashes: kept in rfc3986, merged in cloudflare, backslashes become slashes there
    ("//a///b", "//a///b", "/a/b"),
    ("/a\\..\\b", "/a%5C..%5Cb", "/b"),
    ("/a/\x01\x7f", "/a/%01%7F", "/a/%01%7F"),
])
def test_tricky_paths(path, rfc3986, cloudflare):
    raw = path.encode()
    assert normalize_path(raw, "rfc3986").decode() == rfc3986
    assert normalize_path(raw, "cloudflare").decode() == cloudflare
    assert normalize_path(raw, "none") == raw


@pytest.mark.parametrize("path,expected", [
    ("/a/b/c/./../../g", "/a/g"),      # RFC 3986 §5.2.4 example
    ("/mid/content=5/../6", "/mid/6"),  # RFC 3986 §5.2.4 example
    ("/a//../b", "/a/b"),
    ("//..", "/"),
    ("/a/.", "/a/"),
    ("/", "/"),
])
def test_remove_dot_segments(path, expected):
    assert remove_dot_segments(path.encode()) == expected.encode()


@pytest.mark.parametrize("given_mode,canonical", [
    ("rfc3986", "rfc3986"), ("RFC-3986", "rfc3986"), ("Cloudflare", "cloudflare"),
    ("none", "none"), ("off", "none")])
def test_mode_names(given_mode, canonical):
    assert check_mode(given_mode) == canonical


@pytest.mark.parametrize("bad", ["", "rfc", None, 3])
def test_unknown_mode_is_an_error(bad):
    with pytest.raises(RuleLangError, match="normalization mode"):
        check_mode(bad)


@given(st.binary(max_size=60), st.sampled_from(["rfc3986", "cloudflare"]))
def test_normalization_is_idempotent_and_clean(tail, mode):
    once = normalize_path(b"/" + tail, mode)
    assert normalize_path(once, mode) == once
    assert once.startswith(b"/")
    assert all(0x21 <= b < 0x7F for b in once)
    assert b"/./" not in once and b"/../" not in once


def test_examples_are_machine_readable():
    assert json.dumps(SPEC_EXAMPLES) and len(SPEC_EXAMPLES) >= 6


# --------------------------------------------------------------------------- path normalization of the path fields

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
