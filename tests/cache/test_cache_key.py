"""The canonical cache key (cache-phases §4.17, PD-28) beyond the K1–K6 examples."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.decision import make_request
from support.engine_runs import evaluate, rule
from support.engine_runs import key as engine_key

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


# -- through the engine: every custom-key option (§4.17, PD-28) -------------------------

KEYS = [
    # query_string forms
    ("query-kept-in-order", "https://example.com/a.png?b=2&a=1", {}, None, None,
     "https://example.com/a.png?b=2&a=1"),
    ("empty-query-pieces-dropped", "https://example.com/a.png?&b=2&&a=1&", {}, None, None,
     "https://example.com/a.png?b=2&a=1"),
    ("query-sort-stable-by-name-then-value", "https://example.com/a.png?b=2&a=1&a=0", {},
     {"ignore_query_strings_order": True}, None, "https://example.com/a.png?a=0&a=1&b=2"),
    ("zone-query-string-sort", "https://example.com/a.png?b=2&a=1", {}, None,
     {"query_string_sort": True}, "https://example.com/a.png?a=1&b=2"),
    # §3.1 item 4: a rule's explicit false beats the zone-wide Query String Sort.
    ("rule-false-beats-zone-sort", "https://example.com/a.png?b=2&a=1", {},
     {"ignore_query_strings_order": False}, {"query_string_sort": True},
     "https://example.com/a.png?b=2&a=1"),
    ("include-list", "https://example.com/a.png?b=2&a=1&c=3&A=4", {},
     {"custom_key": {"query_string": {"include": {"list": ["a", "c"]}}}}, None,
     "https://example.com/a.png?a=1&c=3"),
    ("exclude-list", "https://example.com/a.png?utm_source=x&id=1&utm_medium=y", {},
     {"custom_key": {"query_string": {"exclude": {"list": ["utm_source", "utm_medium"]}}}},
     None, "https://example.com/a.png?id=1"),
    ("include-all", "https://example.com/a.png?b=2&a=1", {},
     {"custom_key": {"query_string": {"include": {"all": True}}}}, None,
     "https://example.com/a.png?b=2&a=1"),
    ("exclude-all", "https://example.com/a.png?b=2&a=1", {},
     {"custom_key": {"query_string": {"exclude": {"all": True}}}}, None,
     "https://example.com/a.png"),
    ("include-list-valueless-param", "https://example.com/a.png?flag&x=1", {},
     {"custom_key": {"query_string": {"include": {"list": ["flag"]}}}}, None,
     "https://example.com/a.png?flag"),
    ("include-list-then-sort", "https://example.com/a.png?c=1&z=0&a=2", {},
     {"ignore_query_strings_order": True,
      "custom_key": {"query_string": {"include": {"list": ["c", "a"]}}}}, None,
     "https://example.com/a.png?a=2&c=1"),
    # caching level Ignore Query String: static extensions only
    ("ignore-query-string-level-static", "https://example.com/a.png?v=1", {}, None,
     {"caching_level": "ignore_query_string"}, "https://example.com/a.png"),
    ("ignore-query-string-level-html", "https://example.com/a.html?v=1", {}, None,
     {"caching_level": "ignore_query_string"}, "https://example.com/a.html?v=1"),
    # scheme, host and port
    ("host-lower-cased", "https://EXAMPLE.com/A.png", {}, None, None,
     "https://example.com/A.png"),
    ("explicit-default-port-omitted", "https://example.com:443/a.png", {}, None, None,
     "https://example.com/a.png"),
    ("other-port-kept", "http://example.com:8080/a.png", {}, None, None,
     "http://example.com:8080/a.png"),
    ("ipv6-host-bracketed", "https://[2001:db8::1]:8080/a.png", {}, None, None,
     "https://[2001:db8::1]:8080/a.png"),
    ("ssl-off-origin-scheme", "https://example.com/a.png", {}, None, {"ssl_mode": "off"},
     "http://example.com/a.png"),
    ("ssl-strict-visitor-scheme", "http://example.com/a.png", {}, None, {"ssl_mode": "strict"},
     "http://example.com/a.png"),
    # any custom_key part switches to the visitor's scheme
    ("custom-key-visitor-scheme", "https://example.com/a.png", {},
     {"custom_key": {"user": {"geo": True}}}, {"ssl_mode": "flexible"},
     "https://example.com/a.png|geo=XX"),
    # ... cache_by_device_type is not a custom_key part
    ("device-toggle-keeps-origin-scheme", "https://example.com/a.png", {"User-Agent": "x"},
     {"cache_by_device_type": True}, {"ssl_mode": "flexible"},
     "http://example.com/a.png|device=desktop"),
    ("resolved-host", "https://example.com/a.png", {},
     {"custom_key": {"host": {"resolved": True}}}, {"resolved_host": "Origin.Example.net"},
     "https://origin.example.net/a.png"),
    ("resolved-host-defaults-to-request-host", "https://example.com/a.png", {},
     {"custom_key": {"host": {"resolved": True}}}, None, "https://example.com/a.png"),
    ("original-host", "https://example.com/a.png", {},
     {"custom_key": {"host": {"resolved": False}}}, {"resolved_host": "origin.example.net"},
     "https://example.com/a.png"),
    # default-key headers, in the documented order
    ("default-key-headers-order", "https://example.com/a.png",
     {"Forwarded": "for=1", "X-Rewrite-URL": "/y", "X-Original-URL": "/x", "X-Host": "h",
      "X-Forwarded-Host": "fh", "X-Method-Override": "Q", "X-HTTP-Method": "P",
      "X-HTTP-Method-Override": "O", "Origin": "https://o.example"}, None, None,
     ("https://example.com/a.png|origin=https://o.example|x-http-method-override=O"
      "|x-http-method=P|x-method-override=Q|x-forwarded-host=fh|x-host=h|x-original-url=/x"
      "|x-rewrite-url=/y|forwarded=for=1")),
    ("x-forwarded-scheme-http-skipped", "https://example.com/a.png",
     {"X-Forwarded-Scheme": "HTTP"}, None, None, "https://example.com/a.png"),
    ("x-forwarded-scheme-other-kept", "https://example.com/a.png",
     {"X-Forwarded-Scheme": "wss"}, None, None,
     "https://example.com/a.png|x-forwarded-scheme=wss"),
    ("exclude-origin", "https://example.com/a.png", {"Origin": "https://o.example"},
     {"custom_key": {"header": {"exclude_origin": True}}}, None, "https://example.com/a.png"),
    # header include / check_presence / contains
    ("header-include-sorted-lowercased-absent-skipped", "https://example.com/a.png",
     {"X-B": "2", "x-a": "1|%"},
     {"custom_key": {"header": {"include": ["X-B", "x-a", "x-missing"]}}}, None,
     "https://example.com/a.png|h.x-a=1%7C%25|h.x-b=2"),
    ("header-multi-valued-joined", "https://example.com/a.png", {"X-A": ["1", "2"]},
     {"custom_key": {"header": {"include": ["x-a"]}}}, None,
     "https://example.com/a.png|h.x-a=1,2"),
    ("header-check-presence", "https://example.com/a.png", {"X-B": ""},
     {"custom_key": {"header": {"check_presence": ["x-c", "X-B"]}}}, None,
     "https://example.com/a.png|hp.x-b=1|hp.x-c=0"),
    ("header-contains-configured-order-case-insensitive", "https://example.com/a.png",
     {"Accept-Encoding": "GZIP, br"},
     {"custom_key": {"header": {"contains": {"accept-encoding": ["zstd", "br", "gzip"]}}}},
     None, "https://example.com/a.png|h.accept-encoding=br,gzip"),
    ("header-contains-no-match-skipped", "https://example.com/a.png",
     {"Accept-Encoding": "identity"},
     {"custom_key": {"header": {"contains": {"accept-encoding": ["br"]}}}}, None,
     "https://example.com/a.png"),
    ("header-parts-in-order", "https://example.com/a.png",
     {"Accept-Language": "de", "X-A": "1"},
     {"custom_key": {"header": {"include": ["x-a"], "check_presence": ["x-a"],
                                "contains": {"accept-language": ["de"]}}}}, None,
     "https://example.com/a.png|h.x-a=1|h.accept-language=de|hp.x-a=1"),
    # cookies
    ("cookies-include-and-presence", "https://example.com/a.png",
     {"Cookie": ["b=2; a=1", "c=3"]},
     {"custom_key": {"cookie": {"include": ["c", "a", "zz"], "check_presence": ["q", "b"]}}},
     None, "https://example.com/a.png|c.a=1|c.c=3|cp.b=1|cp.q=0"),
    ("cookie-names-case-sensitive", "https://example.com/a.png", {"Cookie": "SID=1"},
     {"custom_key": {"cookie": {"include": ["sid"], "check_presence": ["sid"]}}}, None,
     "https://example.com/a.png|cp.sid=0"),
    # user features
    ("device-tablet-ipad", "https://example.com/a.png",
     {"User-Agent": "Mozilla/5.0 (iPad; CPU OS 17_0) Mobile/15E148"},
     {"custom_key": {"user": {"device_type": True}}}, None,
     "https://example.com/a.png|device=tablet"),
    ("device-tablet-android-without-mobile", "https://example.com/a.png",
     {"User-Agent": "Mozilla/5.0 (Linux; Android 14; SM-X710)"},
     {"custom_key": {"user": {"device_type": True}}}, None,
     "https://example.com/a.png|device=tablet"),
    ("device-mobile-android", "https://example.com/a.png",
     {"User-Agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) Mobile Safari"},
     {"custom_key": {"user": {"device_type": True}}}, None,
     "https://example.com/a.png|device=mobile"),
    ("device-mobile-mobi", "https://example.com/a.png", {"User-Agent": "Opera Mobi"},
     {"cache_by_device_type": True}, None, "https://example.com/a.png|device=mobile"),
    ("device-desktop-no-user-agent", "https://example.com/a.png", {},
     {"cache_by_device_type": True}, None, "https://example.com/a.png|device=desktop"),
    ("geo-from-cf-ipcountry", "https://example.com/a.png", {"CF-IPCountry": "GB"},
     {"custom_key": {"user": {"geo": True}}}, None, "https://example.com/a.png|geo=GB"),
    ("lang-first-item", "https://example.com/a.png", {"Accept-Language": "en-GB;q=1, fr"},
     {"custom_key": {"user": {"lang": True}}}, None, "https://example.com/a.png|lang=en-GB"),
    ("lang-absent-skipped", "https://example.com/a.png", {},
     {"custom_key": {"user": {"lang": True}}}, None, "https://example.com/a.png"),
    ("user-features-in-order", "https://example.com/a.png",
     {"Accept-Language": "fr", "CF-IPCountry": "FR", "User-Agent": "iPhone"},
     {"custom_key": {"user": {"lang": True, "geo": True, "device_type": True}}}, None,
     "https://example.com/a.png|device=mobile|geo=FR|lang=fr"),
]


@pytest.mark.parametrize("case", KEYS, ids=[c[0] for c in KEYS])
def test_cache_key(case):
    _, url, headers, cache_key, zone, expected = case
    assert engine_key(url, headers, cache_key, zone) == expected


def test_cache_key_units_stack_independently():
    # PD-06: a later rule that only sets cache_by_device_type keeps the earlier
    # custom_key.query_string; a later query_string replaces the earlier one whole.
    rules = [rule(cache_key={"custom_key": {"query_string": {"include": {"list": ["a"]}}}}),
             rule(cache_key={"cache_by_device_type": True}),
             rule(cache_key={"custom_key": {"header": {"include": ["x-a"]}}})]
    decision = evaluate("https://example.com/a.png?a=1&b=2", request_headers={"X-A": "v"},
                        rules=rules)
    assert decision["cache_key"] == "https://example.com/a.png?a=1|h.x-a=v|device=desktop"
    rules.append(rule(cache_key={"custom_key": {"query_string": {"exclude": {"all": True}}}}))
    decision = evaluate("https://example.com/a.png?a=1&b=2", request_headers={"X-A": "v"},
                        rules=rules)
    assert decision["cache_key"] == "https://example.com/a.png|h.x-a=v|device=desktop"


@given(st.lists(st.tuples(st.sampled_from("abcAB"), st.sampled_from(["1", "2", "x", ""])),
                min_size=1, max_size=6), st.randoms())
@settings(max_examples=60, deadline=None)
def test_sorted_key_does_not_depend_on_parameter_order(params, rnd):
    query = "&".join(f"{n}={v}" for n, v in params)
    shuffled = list(params)
    rnd.shuffle(shuffled)
    other = "&".join(f"{n}={v}" for n, v in shuffled)
    sort = {"ignore_query_strings_order": True}
    assert engine_key(f"https://example.com/a.png?{query}", cache_key=sort) == \
        engine_key(f"https://example.com/a.png?{other}", cache_key=sort)
