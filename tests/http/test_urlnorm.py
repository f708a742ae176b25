"""URL path normalization (fields.json → url_normalization)."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rulelang.errors import RuleLangError
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
