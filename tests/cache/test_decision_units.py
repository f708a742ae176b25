"""Review tests for the parts of the cache decision that the worked examples do not reach:
the cache key with every custom-key option, tag limits, derived outputs, zone settings,
reasons that name the deciding rule, and properties.

Expected values are worked out by hand from cache-phases §4.14–§4.18, PD-26 and PD-28.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rulelang.cache.decision import RuleRef, decide
from rulelang.cache.tags import apply_tag_operation, normalize_tags, parse_cache_tag_header
from rulelang.cache.zone import Zone
from rulelang.engine import Engine
from rulelang.errors import RuleLangError
from rulelang.http.messages import Request, Response

DATE = "Thu, 01 Jan 2026 00:00:00 GMT"
REQUEST = "http_request_cache_settings"
RESPONSE = "http_response_cache_settings"


def evaluate(url: str = "https://example.com/a.png", headers: dict | None = None, *,
             status: int = 200, method: str = "GET", request_headers: dict | None = None,
             rules: list | None = None, response_rules: list | None = None,
             zone: dict | None = None, date: bool = True) -> dict:
    response_headers = dict(headers or {})
    if date:
        response_headers.setdefault("Date", DATE)
    rulesets = []
    if rules:
        rulesets.append({"kind": "zone", "phase": REQUEST, "rules": rules})
    if response_rules:
        rulesets.append({"kind": "zone", "phase": RESPONSE, "rules": response_rules})
    engine = Engine(rulesets, zone=zone)
    outcome = engine.evaluate({"method": method, "url": url, "headers": request_headers or {}},
                              {"status": status, "headers": response_headers})
    return outcome.to_dict()["decision"]


def rule(ref: str | None = None, expression: str = "true", **params) -> dict:
    out = {"expression": expression, "action": "set_cache_settings",
           "action_parameters": params}
    if ref:
        out["ref"] = ref
    return out


def key(url: str, headers: dict | None = None, cache_key: dict | None = None,
        zone: dict | None = None) -> str:
    rules = [rule(cache_key=cache_key)] if cache_key else None
    return evaluate(url, request_headers=headers, rules=rules, zone=zone)["cache_key"]


# -- §4.17 / PD-28: the cache key with every option -------------------------------------

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
    assert key(url, headers, cache_key, zone) == expected


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
    assert key(f"https://example.com/a.png?{query}", cache_key=sort) == \
        key(f"https://example.com/a.png?{other}", cache_key=sort)


# -- §4.15 / PD-26: tag limits ---------------------------------------------------------

def test_tag_ending_exactly_at_16384_bytes_is_kept_despite_trailing_blank():
    # The tag occupies bytes 0..16383: entirely within the first 16,384 bytes.
    notes: list[str] = []
    tags = parse_cache_tag_header(["x" * 16384 + " ,y"], notes)
    assert tags == ["x" * 16384]


def test_tag_crossing_16384_bytes_is_dropped_with_those_after_it():
    notes: list[str] = []
    tags = parse_cache_tag_header(["a," + "x" * 16383 + ",b"], notes)  # x ends at 16385
    assert tags == ["a"]
    assert any("16384" in n for n in notes)


def test_tag_limit_counts_the_joined_fields():
    # two fields joined with "," (one byte): 8191 + 1 + 8192 = 16384 bytes exactly
    tags = parse_cache_tag_header(["a" * 8191, "b" * 8192, "c"], [])
    assert tags == ["a" * 8191, "b" * 8192]


def test_rule_tags_are_not_limited_to_16kb():
    big = [f"t{i:05d}" for i in range(4000)]   # 4000 * 7 bytes > 16 KB
    assert normalize_tags([",".join(big)], "rule", []) == big


@given(st.lists(st.text(alphabet="aAbB ,\t-x\u00e9", max_size=8), max_size=8))
def test_tag_normalization_is_idempotent(values):
    once = normalize_tags(values, "rule", [])
    assert normalize_tags(once, "rule", []) == once
    assert len({t.lower() for t in once}) == len(once)
    assert all(t and all(0x21 <= ord(c) <= 0x7E for c in t) for t in once)


@pytest.mark.parametrize("current, operation, tags, expected", [
    (["A", "b"], "add", ["a", "c", "C"], ["A", "b", "c"]),
    (["A", "b"], "remove", ["B"], ["A"]),
    (["A", "b"], "set", ["x", "X"], ["x"]),
    ([], "remove", ["x"], []),
])
def test_tag_operations(current, operation, tags, expected):
    assert apply_tag_operation(current, operation, tags) == expected


# -- PD-17: informational statuses -----------------------------------------------------

@pytest.mark.parametrize("status", [100, 103, 199])
def test_informational_status_is_never_stored(status):
    request = Request(method="GET", url="https://example.com/a.png")
    response = Response(status=status, headers={"Cache-Control": "max-age=600",
                                                "Date": DATE})
    decision = decide(request, response, zone=Zone(), request_settings={})
    assert (decision["edge_ttl"], decision["cache_status"]) == (None, "MISS")
    assert decision["browser_cache_control"] == "max-age=600"


# -- PD-32: the clock for Expires ------------------------------------------------------

def test_expires_without_date_uses_the_zone_clock():
    decision = evaluate(headers={"Expires": "Thu, 01 Jan 2026 01:00:00 GMT"}, date=False,
                        zone={"clock": "2026-01-01T00:30:00Z"})
    assert decision["edge_ttl"] == 1800


def test_expires_with_unreadable_date_uses_the_zone_clock():
    decision = evaluate(headers={"Expires": "Thu, 01 Jan 2026 01:00:00 GMT",
                                 "Date": "yesterday"},
                        date=False, zone={"clock": "Thu, 01 Jan 2026 00:59:00 GMT"})
    assert decision["edge_ttl"] == 60


# -- §4.18 derived outputs -------------------------------------------------------------

@pytest.mark.parametrize("method, url, expected", [
    ("HEAD", "https://example.com/a.png", "GET"),
    ("HEAD", "https://example.com/a.html", "HEAD"),     # PD-30
    ("head", "https://example.com/a.png", "GET"),
    ("POST", "https://example.com/a.png", "POST"),
])
def test_origin_method(method, url, expected):
    assert evaluate(url, method=method)["origin_method"] == expected


@pytest.mark.parametrize("request_headers, headers, url, expected", [
    ({"Range": "bytes=0-9"}, {"Content-Length": "100"}, "https://example.com/a.mp4", 206),
    ({"Range": "bytes=0-9"}, {}, "https://example.com/a.mp4", 200),
    ({}, {"Content-Length": "100"}, "https://example.com/a.mp4", 200),
    ({"Range": "bytes=0-9"}, {"Content-Length": "100"}, "https://example.com/a.html", 200),
])
def test_client_status(request_headers, headers, url, expected):
    decision = evaluate(url, headers, request_headers=request_headers)
    assert decision["client_status"] == expected


@pytest.mark.parametrize("reserve, headers, expected", [
    ({"eligible": True}, {"Cache-Control": "max-age=36000", "Content-Length": "1"}, True),
    ({"eligible": True}, {"Cache-Control": "max-age=35999", "Content-Length": "1"}, False),
    ({"eligible": True}, {"Cache-Control": "max-age=36000"}, False),
    ({"eligible": True, "minimum_file_size": 100},
     {"Cache-Control": "max-age=36000", "Content-Length": "99"}, False),
    ({"eligible": True, "minimum_file_size": 100},
     {"Cache-Control": "max-age=36000", "Content-Length": "100"}, True),
    ({"eligible": False}, {"Cache-Control": "max-age=36000", "Content-Length": "1"}, False),
    ({"eligible": True}, {"Cache-Control": "no-store", "Content-Length": "1"}, False),
])
def test_cache_reserve_write(reserve, headers, expected):
    decision = evaluate(headers=headers, rules=[rule(cache_reserve=reserve)])
    assert decision["cache_reserve_write"] is expected


@pytest.mark.parametrize("flags, expected", [
    ({}, True), ({"strip_set_cookie": True}, True), ({"strip_etags": True}, False),
    ({"strip_last_modified": True}, False),
])
def test_smart_edge_revalidation(flags, expected):
    response_rules = [{"expression": "true", "action": "set_cache_settings",
                       "action_parameters": flags}] if flags else None
    decision = evaluate(headers={"ETag": '"x"'}, response_rules=response_rules)
    assert decision["smart_edge_revalidation"] is expected


@pytest.mark.parametrize("cache_control, occ, serve_stale, expected", [
    ("max-age=60, stale-while-revalidate=30", False, None, True),
    ("max-age=60", False, None, False),
    ("max-age=60, stale-while-revalidate=30", False, {"disable_stale_while_updating": True},
     False),
    ("max-age=60, stale-while-revalidate=30, must-revalidate", False, None, True),
    ("max-age=60, stale-while-revalidate=30, must-revalidate", True, None, False),
    ("max-age=60, stale-while-revalidate=30, proxy-revalidate", True, None, False),
    ("max-age=60, stale-while-revalidate=30", True, None, True),
])
def test_serve_stale_allowed(cache_control, occ, serve_stale, expected):
    params = {"origin_cache_control": occ}
    if serve_stale is not None:
        params["serve_stale"] = serve_stale
    decision = evaluate(headers={"Cache-Control": cache_control}, rules=[rule(**params)])
    assert decision["serve_stale_allowed"] is expected


def test_size_limit_is_a_zone_setting():
    decision = evaluate(headers={"Content-Length": "1001"}, zone={"max_cacheable_size": 1000})
    assert (decision["edge_ttl"], decision["cache_status"]) == (None, "MISS")
    decision = evaluate(headers={"Content-Length": "1000"}, zone={"max_cacheable_size": 1000})
    assert decision["edge_ttl"] == 7200


# -- zone settings ---------------------------------------------------------------------

@pytest.mark.parametrize("settings_, message", [
    ({"uncacheable_ports": [[1]]}, "uncacheable_ports"),
    ({"uncacheable_ports": [True]}, "uncacheable_ports"),
    ({"uncacheable_ports": [0]}, "uncacheable_ports"),
    ({"plan": "platinum"}, "plan"),
    ({"browser_cache_ttl": -1}, "browser_cache_ttl"),
    ({"origin_cache_control": "yes"}, "origin_cache_control"),
    ({"clock": "not a time"}, "clock"),
    ({"colour": "blue"}, "colour"),
])
def test_bad_zone_settings_are_rule_lang_errors(settings_, message):
    with pytest.raises(RuleLangError, match=message):
        Zone.from_dict(settings_)


@pytest.mark.parametrize("plan, zone_occ, rule_occ, expected", [
    ("enterprise", None, None, False),
    ("enterprise", True, None, True),
    ("enterprise", True, False, False),
    ("enterprise", False, True, True),
    ("free", False, None, True),
    ("pro", None, None, True),
    ("business", False, None, True),
])
def test_effective_occ(plan, zone_occ, rule_occ, expected):
    rules = [rule(origin_cache_control=rule_occ)] if rule_occ is not None else None
    decision = evaluate(zone={"plan": plan, "origin_cache_control": zone_occ}, rules=rules)
    assert decision["occ"] is expected


# -- reasons name the rule that decided -------------------------------------------------

def _reasons(**kwargs) -> list[str]:
    return evaluate(**kwargs)["reasons"]


def test_reasons_name_the_browser_ttl_rule():
    reasons = _reasons(headers={"Cache-Control": "max-age=60"},
                       rules=[rule("first", browser_ttl={"mode": "override_origin",
                                                         "default": 10}),
                              rule("second", browser_ttl={"mode": "override_origin",
                                                          "default": 600})])
    assert any("raised to 600" in r and 'rule 1 (ref "second")' in r for r in reasons)


def test_reasons_name_the_edge_ttl_rule_and_cookie_removal():
    reasons = _reasons(url="https://example.com/login", headers={"Set-Cookie": "a=1"},
                       rules=[rule("eligible", cache=True),
                              rule("ttl", edge_ttl={"mode": "override_origin",
                                                    "default": 60})])
    assert any(r.startswith("edge TTL 60") and 'rule 1 (ref "ttl")' in r for r in reasons)
    assert any(r.startswith("Set-Cookie") and 'rule 1 (ref "ttl")' in r for r in reasons)
    assert any('rule 0 (ref "eligible") made the request eligible' in r for r in reasons)


def test_reasons_name_the_bypass_by_default_rule():
    reasons = _reasons(url="https://example.com/a.html",
                       rules=[rule("cache", cache=True),
                              rule("nodefault", edge_ttl={"mode": "bypass_by_default"})])
    assert any("bypass_by_default" in r and 'rule 1 (ref "nodefault")' in r for r in reasons)


def test_reasons_name_the_deception_armor_rule():
    reasons = _reasons(url="https://example.com/a.jpg", headers={"Content-Type": "text/html"},
                       rules=[rule("armor", cache_key={"cache_deception_armor": True})])
    assert any("Cache Deception Armor" in r and 'rule 0 (ref "armor")' in r for r in reasons)


def test_reasons_name_the_rules_that_shape_the_key():
    reasons = _reasons(url="https://example.com/a.png?a=1",
                       rules=[rule("qs", cache_key={"custom_key": {
                           "query_string": {"exclude": {"all": True}}}}),
                              rule("dev", cache_key={"cache_by_device_type": True})])
    line = next(r for r in reasons if r.startswith("cache key "))
    assert 'custom_key.query_string of rule 0 (ref "qs")' in line
    assert 'cache_by_device_type of rule 1 (ref "dev")' in line


def test_reasons_name_the_occ_rule_and_the_forcing_response_rule():
    reasons = _reasons(rules=[rule("occ-off", origin_cache_control=False)],
                       response_rules=[{"ref": "tagger", "expression": "true",
                                        "action": "set_cache_tags",
                                        "action_parameters": {"operation": "add",
                                                              "values": ["t"]}}])
    assert any("forced on" in r and 'response rule 0 (ref "tagger")' in r for r in reasons)


def test_reasons_name_the_port_rule():
    reasons = _reasons(url="https://example.com:8443/a.png",
                       rules=[rule("ports", additional_cacheable_ports=[8443])])
    assert any("8443" in r and 'rule 0 (ref "ports")' in r for r in reasons)


def test_decide_names_sources_it_is_given():
    request = Request(method="GET", url="https://example.com/a.html")
    response = Response(status=200, headers={"Date": DATE})
    ref = RuleRef(REQUEST, 4, ref="bypass")
    decision = decide(request, response, zone=Zone(), request_settings={"cache": False},
                      request_rules=[ref], setting_sources={"cache": ref})
    assert any('rule 4 (ref "bypass") bypasses the cache' in r for r in decision["reasons"])


# -- §4.14: Browser TTL never shortens the origin's max-age (property) -------------------

@given(origin=st.integers(min_value=0, max_value=10 ** 7),
       ttl=st.integers(min_value=1, max_value=10 ** 7),
       occ=st.booleans())
@settings(max_examples=60, deadline=None)
def test_browser_ttl_only_lengthens(origin, ttl, occ):
    decision = evaluate(headers={"Cache-Control": f"public, max-age={origin}"},
                        rules=[rule(origin_cache_control=occ,
                                    browser_ttl={"mode": "override_origin", "default": ttl})])
    header = decision["browser_cache_control"]
    if decision["edge_ttl"]:
        assert header == f"public, max-age={max(origin, ttl)}"
    else:
        assert header == f"public, max-age={origin}"


def test_cloudflare_only_edits_never_reach_the_visitor():
    rng = random.Random(7)
    names = ["max-age", "s-maxage", "no-cache", "private", "public", "no-store", "immutable"]
    for _ in range(30):
        edits = {}
        for name in rng.sample(names, 3):
            edit = {"operation": rng.choice(["set", "remove"]), "cloudflare_only": True}
            if edit["operation"] == "set" and name in ("max-age", "s-maxage"):
                edit["value"] = rng.randint(0, 1000)
            edits[name] = edit
        decision = evaluate("https://example.com/a.html",
                            headers={"Cache-Control": "max-age=5, immutable"},
                            response_rules=[{"expression": "true",
                                             "action": "set_cache_control",
                                             "action_parameters": edits}])
        assert decision["browser_cache_control"] == "max-age=5, immutable"
