"""The canonical cache key (cache-phases §4.17, PD-28) beyond the K1–K6 examples."""

from __future__ import annotations

import pytest
from support.decision import make_request

from rulelang.cache.eligibility import request_facts
from rulelang.cache.key import cache_key, device_type
from rulelang.cache.zone import Zone


def key(url: str, headers: dict | None = None, settings: dict | None = None, **zone) -> str:
    request = make_request({"method": "GET", "url": url, "headers": headers or {}})
    notes: list[str] = []
    return cache_key(request, request_facts(request, notes), settings or {},
                     Zone.from_dict(zone), notes)


@pytest.mark.parametrize("url, expected", [
    ("https://example.com/a.css", "https://example.com/a.css"),
    ("http://example.com:80/a.css", "http://example.com/a.css"),
    ("https://example.com:443/a.css", "https://example.com/a.css"),
    ("https://example.com:8443/a.css", "https://example.com:8443/a.css"),
    ("https://EXAMPLE.com/A.css", "https://example.com/A.css"),
    ("https://example.com/a.css?", "https://example.com/a.css"),
    ("https://example.com/a.css?&&b=1&", "https://example.com/a.css?b=1"),
])
def test_default_key_url(url, expected):
    assert key(url) == expected


@pytest.mark.parametrize("ssl_mode, custom, scheme", [
    ("off", False, "http"), ("flexible", False, "http"), ("full", False, "https"),
    ("strict", False, "https"), ("flexible", True, "https"),
])
def test_scheme_is_origin_scheme_unless_custom_key(ssl_mode, custom, scheme):
    settings = {"custom_key": {"user": {"geo": False}}} if custom else {}
    assert key("https://example.com/a.css", settings=settings, ssl_mode=ssl_mode) \
        .startswith(f"{scheme}://")


@pytest.mark.parametrize("query_string, expected", [
    ({"include": {"all": True}}, "?b=2&a=1&b=1"),
    ({"exclude": {"all": True}}, ""),
    ({"include": {"list": ["b"]}}, "?b=2&b=1"),
    ({"exclude": {"list": ["b"]}}, "?a=1"),
    ({"include": "*"}, "?b=2&a=1&b=1"),
    ({"exclude": ["*"]}, ""),
    ({"include": ["a"]}, "?a=1"),
    ({"include": {"list": ["B"]}}, ""),
])
def test_query_string_filters(query_string, expected):
    settings = {"custom_key": {"query_string": query_string}}
    assert key("https://example.com/a?b=2&a=1&b=1", settings=settings) == \
        "https://example.com/a" + expected


def test_zone_query_string_sort_is_stable_by_name_then_value():
    assert key("https://example.com/a?b=2&a=1&b=1&a", query_string_sort=True) == \
        "https://example.com/a?a&a=1&b=1&b=2"


def test_ignore_query_string_level_only_for_static_files():
    assert key("https://example.com/a.css?v=1", caching_level="ignore_query_string") == \
        "https://example.com/a.css"
    assert key("https://example.com/a.html?v=1", caching_level="ignore_query_string") == \
        "https://example.com/a.html?v=1"


def test_default_key_headers_in_order_and_escaped():
    headers = {"Forwarded": "for=1", "X-Host": "h|x", "X-HTTP-Method": "PUT",
               "X-Forwarded-Scheme": "HTTPS", "X-Original-URL": "/100%"}
    assert key("https://example.com/a.css", headers) == (
        "https://example.com/a.css|x-http-method=PUT|x-host=h%7Cx|x-original-url=/100%25"
        "|forwarded=for=1")


def test_x_forwarded_scheme_other_values_are_keyed():
    assert key("https://example.com/a", {"X-Forwarded-Scheme": "ftp"}).endswith(
        "|x-forwarded-scheme=ftp")


def test_header_include_sorted_lowercased_and_multi_valued():
    headers = {"X-B": ["1", "2"], "X-A": "a"}
    settings = {"custom_key": {"header": {"include": ["X-B", "x-a", "x-missing"]}}}
    assert key("https://example.com/a", headers, settings) == \
        "https://example.com/a|h.x-a=a|h.x-b=1,2"


def test_header_contains_keys_matched_values_only():
    settings = {"custom_key": {"header": {"contains": {"accept-language": ["de", "EN"]}}}}
    assert key("https://example.com/a", {"Accept-Language": "en-US,en"}, settings) == \
        "https://example.com/a|h.accept-language=EN"
    assert key("https://example.com/a", {"Accept-Language": "fr"}, settings) == \
        "https://example.com/a"


def test_cookies_from_several_headers_first_value_wins():
    settings = {"custom_key": {"cookie": {"include": ["b", "a"], "check_presence": ["z"]}}}
    headers = {"Cookie": ["a=1; b=2", "a=3"]}
    assert key("https://example.com/a", headers, settings) == \
        "https://example.com/a|c.a=1|c.b=2|cp.z=0"


def test_resolved_host_comes_from_the_zone():
    settings = {"custom_key": {"host": {"resolved": True}}}
    assert key("https://example.com/a", settings=settings, resolved_host="Origin.Example.net") \
        == "https://origin.example.net/a"
    assert key("https://example.com/a", settings=settings) == "https://example.com/a"


def test_geo_from_fields_or_xx():
    settings = {"custom_key": {"user": {"geo": True, "lang": True}}}
    assert key("https://example.com/a", settings=settings) == "https://example.com/a|geo=XX"


@pytest.mark.parametrize("user_agent, expected", [
    ("Mozilla/5.0 (iPad; CPU OS 17_0)", "tablet"),
    ("Mozilla/5.0 (Linux; Android 14; Pixel Tablet)", "tablet"),
    ("Mozilla/5.0 (Linux; Android 14; SM-X700)", "tablet"),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8) Mobile", "mobile"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)", "mobile"),
    ("Opera/9.80 (J2ME/MIDP; Opera Mini) MOBI", "mobile"),
    ("Mozilla/5.0 (X11; Linux x86_64)", "desktop"),
    ("", "desktop"),
    (None, "desktop"),
])
def test_device_type(user_agent, expected):
    assert device_type(user_agent) == expected


def test_cache_by_device_type_toggle_adds_device():
    assert key("https://example.com/a", {"User-Agent": "iPhone"},
               {"cache_by_device_type": True}) == "https://example.com/a|device=mobile"


def test_geo_from_supplied_country_field():
    request = make_request({"method": "GET", "url": "https://example.com/a",
                            "fields": {"ip.src.country": "GB"}})
    notes: list[str] = []
    settings = {"custom_key": {"user": {"geo": True}}}
    assert cache_key(request, request_facts(request, notes), settings, Zone(), notes) == \
        "https://example.com/a|geo=GB"
