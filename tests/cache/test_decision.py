"""The cache decision step by step (cache-phases §4): OCC tables, TTL precedence,
Set-Cookie cases, browser header, derived outputs and robustness."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.decision import StandInMessage, make_request, make_response

from rulelang.cache.decision import ResponseAction, RuleRef, decide
from rulelang.cache.zone import Zone
from rulelang.http.messages import Request

DATE = "Thu, 01 Jan 2026 00:00:00 GMT"
RESPONSE_RULE = RuleRef("http_response_cache_settings", 0)


def run(headers: dict | None = None, *, url: str = "https://example.com/a.png",
        status: int = 200, method: str = "GET", request_headers: dict | None = None,
        settings: dict | None = None, actions: tuple = (), zone: Zone | None = None,
        occ: bool | None = None, date: bool = True) -> dict:
    headers = dict(headers or {})
    if date:
        headers.setdefault("Date", DATE)
    request = make_request({"method": method, "url": url, "headers": request_headers or {}})
    response = make_response({"status": status, "headers": headers})
    zone = zone or Zone(origin_cache_control=occ)
    return decide(request, response, zone=zone, request_settings=settings or {},
                  response_actions=actions)


def control(**directives) -> tuple:
    return (ResponseAction(RESPONSE_RULE, "set_cache_control", directives),)


def outcome(d: dict) -> tuple:
    return d["edge_ttl"], d["cache_status"]


# -- the Origin Cache Control directive table (cache-phases §4.10) ----------------------

OCC_DIRECTIVES = [
    # Cache-Control, extra response headers, (OCC off), (OCC on)
    ("no-store", {}, (None, "MISS"), (None, "BYPASS")),
    ("no-store, max-age=600", {}, (None, "MISS"), (None, "BYPASS")),
    ("private", {}, (None, "MISS"), (None, "BYPASS")),
    ("private, max-age=600", {}, (None, "MISS"), (None, "BYPASS")),
    ('private="X-A", max-age=600', {}, (None, "MISS"), (600, "MISS")),
    ("no-cache", {}, (None, "MISS"), (0, "BYPASS")),
    ("no-cache, max-age=600", {}, (None, "MISS"), (0, "BYPASS")),
    ('no-cache="X-A", max-age=600', {}, (None, "MISS"), (600, "MISS")),
    ('no-cache="X-A", max-age=600', {"X-A": "1"}, (None, "MISS"), (0, "BYPASS")),
    ("max-age=0", {}, (None, "MISS"), (0, "BYPASS")),
    ("s-maxage=0, max-age=600", {}, (None, "MISS"), (0, "BYPASS")),
    ("s-maxage=300, max-age=600", {}, (300, "MISS"), (300, "MISS")),
    ("max-age=600", {}, (600, "MISS"), (600, "MISS")),
    ("must-revalidate, max-age=600", {}, (600, "MISS"), (600, "MISS")),
    ("proxy-revalidate, no-transform, max-age=600", {}, (600, "MISS"), (600, "MISS")),
    ("", {"Expires": "Wed, 31 Dec 2025 00:00:00 GMT"}, (None, "MISS"), (0, "BYPASS")),
    ("", {"Expires": "0"}, (None, "MISS"), (0, "BYPASS")),
    ("", {"Expires": "Thu, 01 Jan 2026 00:10:00 GMT"}, (600, "MISS"), (600, "MISS")),
    ("public", {}, (7200, "MISS"), (7200, "MISS")),
    ("max-age=-5", {}, (7200, "MISS"), (7200, "MISS")),
    ("max-age=abc, max-age=600", {}, (7200, "MISS"), (7200, "MISS")),
]


@pytest.mark.parametrize("occ", [False, True], ids=["occ-off", "occ-on"])
@pytest.mark.parametrize("cache_control, extra, off, on", OCC_DIRECTIVES)
def test_occ_directive_table(cache_control, extra, off, on, occ):
    headers = dict(extra, **({"Cache-Control": cache_control} if cache_control else {}))
    d = run(headers, occ=occ)
    assert outcome(d) == (on if occ else off), d["reasons"]
    assert d["occ"] is occ


@pytest.mark.parametrize("cache_control, occ, stored", [
    ("max-age=600", True, False),
    ("max-age=600", False, True),
    ("public, max-age=600", True, True),
    ("must-revalidate, max-age=600", True, True),
    ("s-maxage=600", True, True),
])
def test_occ_authorization_condition(cache_control, occ, stored):
    d = run({"Cache-Control": cache_control}, occ=occ,
            request_headers={"Authorization": "Bearer x"})
    assert (d["edge_ttl"] is not None) is stored
    assert d["cache_status"] == ("MISS" if stored else "BYPASS")


def test_authorization_check_applies_with_explicit_ttl():
    d = run({"Cache-Control": "max-age=60"}, occ=True,
            request_headers={"Authorization": "x"},
            settings={"edge_ttl": {"mode": "override_origin", "default": 3600}})
    assert outcome(d) == (None, "BYPASS")


def test_immutable_passed_downstream_only_with_occ():
    cc = {"Cache-Control": "max-age=31536000, immutable"}
    assert run(cc, occ=False)["browser_cache_control"] == "max-age=31536000"
    assert run(cc, occ=True)["browser_cache_control"] == "max-age=31536000, immutable"


# -- Set-Cookie (cache-phases §4.12) --------------------------------------------------

@pytest.mark.parametrize("case, cache_control, settings, occ, expected", [
    ("a", 'private="Set-Cookie", max-age=600', {}, True, (600, "MISS", [])),
    ("b", "", {"cache": True, "edge_ttl": {"mode": "override_origin", "default": 60}}, True,
     (60, "MISS", ["set-cookie"])),
    ("c", "max-age=600", {"cache": True}, False, (None, "MISS", [])),
    ("c-occ", "max-age=600", {"cache": True}, True, (None, "MISS", [])),
    ("d", "max-age=600", {}, False, (600, "MISS", ["set-cookie"])),
    ("e", "max-age=600", {}, True, (None, "BYPASS", [])),
])
def test_set_cookie_cases(case, cache_control, settings, occ, expected):
    headers = {"Set-Cookie": ["a=1", "b=2"]}
    if cache_control:
        headers["Cache-Control"] = cache_control
    d = run(headers, settings=settings, occ=occ)
    assert (d["edge_ttl"], d["cache_status"], d["stripped_headers"]) == expected, d["reasons"]


def test_set_cookie_kept_on_unstored_response():
    d = run({"Set-Cookie": "a=1", "Cache-Control": "no-store"})
    assert d["stripped_headers"] == []


def test_strip_set_cookie_makes_rule_eligible_response_cacheable():
    action = ResponseAction(RESPONSE_RULE, "set_cache_settings", {"strip_set_cookie": True})
    d = run({"Set-Cookie": "a=1", "Cache-Control": "max-age=600"}, settings={"cache": True},
            actions=(action,))
    assert (d["edge_ttl"], d["stripped_headers"]) == (600, ["set-cookie"])


def test_later_strip_false_cancels_earlier_true():
    actions = (ResponseAction(RESPONSE_RULE, "set_cache_settings", {"strip_etags": True}),
               ResponseAction(RuleRef("response", 1), "set_cache_settings",
                              {"strip_etags": False}))
    d = run({"ETag": '"x"'}, actions=actions)
    assert d["stripped_headers"] == [] and d["smart_edge_revalidation"] is True


# -- explicit TTLs (cache-phases §4.9) --------------------------------------------------

def ttl_settings(*entries, mode="respect_origin", default=None):
    edge = {"mode": mode, "status_code_ttl": list(entries)}
    if default is not None:
        edge["default"] = default
    return {"cache": True, "edge_ttl": edge}


@pytest.mark.parametrize("status, settings, expected", [
    (200, ttl_settings({"status_code": 200, "value": "no-store"}), (None, "MISS")),
    (200, ttl_settings({"status_code": 200, "value": "no-cache"}), (0, "MISS")),
    (200, ttl_settings({"status_code": 200, "value": -1}), (None, "MISS")),
    (304, ttl_settings({"status_code": 200, "value": 50}), (50, None)),
    (304, ttl_settings({"status_code": 200, "value": 50}, {"status_code": 304, "value": 7}),
     (7, None)),
    (404, ttl_settings({"status_code_range": {"from": 400}, "value": 30}), (30, "MISS")),
    (500, ttl_settings(mode="override_origin", default=3600), (None, "MISS")),
    (206, ttl_settings(mode="override_origin", default=3600), (3600, "MISS")),
    (410, ttl_settings(mode="override_origin", default=3600), (3600, "MISS")),
    (500, {"cache": True}, (None, "MISS")),
    (418, {"cache": True}, (60, "MISS")),
])
def test_explicit_ttl(status, settings, expected):
    d = run({"Cache-Control": "max-age=60"} if status != 500 else {}, status=status,
            settings=settings)
    assert outcome(d) == expected, d["reasons"]


def test_no_store_status_code_ttl_is_bypass_with_occ():
    d = run({}, settings=ttl_settings({"status_code": 200, "value": -1}), occ=True)
    assert outcome(d) == (None, "BYPASS")


def test_explicit_header_lifetime_makes_any_status_storable():
    assert outcome(run({"Cache-Control": "max-age=60"}, status=500)) == (60, "MISS")


def test_response_rule_directive_beats_override_for_uncovered_status():
    d = run({}, status=500, settings=ttl_settings(mode="override_origin", default=3600),
            actions=control(**{"s-maxage": {"operation": "set", "value": 90,
                                            "cloudflare_only": True}}))
    assert outcome(d) == (90, "MISS")


def test_origin_directives_ignored_but_rule_directives_count_under_override():
    d = run({"Cache-Control": "no-store"},
            settings=ttl_settings(mode="override_origin", default=3600),
            actions=control(**{"no-cache": {"operation": "set"}}))
    assert outcome(d) == (0, "BYPASS")


@pytest.mark.parametrize("headers, expected", [
    ({}, (None, "MISS")),
    ({"Cache-Control": "public"}, (7200, "MISS")),
    ({"Expires": "Thu, 01 Jan 2026 00:01:00 GMT"}, (60, "MISS")),
    ({"CDN-Cache-Control": "max-age=30", "Cache-Control": "no-store"}, (30, "MISS")),
])
def test_bypass_by_default(headers, expected):
    d = run(headers, settings={"cache": True, "edge_ttl": {"mode": "bypass_by_default"}})
    assert outcome(d) == expected


# -- header precedence (PD-11) -----------------------------------------------------------

@pytest.mark.parametrize("headers, ttl, occ", [
    ({"Cloudflare-CDN-Cache-Control": "max-age=10", "CDN-Cache-Control": "max-age=20",
      "Surrogate-Control": "max-age=30", "Cache-Control": "max-age=40"}, 10, True),
    ({"CDN-Cache-Control": "max-age=20", "Surrogate-Control": "max-age=30",
      "Cache-Control": "max-age=40"}, 20, False),
    ({"Surrogate-Control": "max-age=30", "Cache-Control": "max-age=40"}, 30, False),
    ({"CDN-Cache-Control": "public", "Expires": "Thu, 01 Jan 2026 00:00:10 GMT"}, 7200, False),
    ({"Surrogate-Control": "", "Cache-Control": "max-age=40"}, 7200, False),
])
def test_edge_source_precedence(headers, ttl, occ):
    d = run(headers)
    assert d["edge_ttl"] == ttl and d["occ"] is occ


def test_cloudflare_only_edit_of_cdn_source_leaves_visitor_header():
    d = run({"CDN-Cache-Control": "max-age=20", "Cache-Control": "max-age=99999"},
            actions=control(**{"max-age": {"operation": "set", "value": 5,
                                           "cloudflare_only": True}}))
    assert d["edge_ttl"] == 5 and d["browser_cache_control"] == "max-age=99999"


def test_earlier_visible_edit_survives_later_cloudflare_only_edit():
    actions = (*control(**{"max-age": {"operation": "set", "value": 100000}}),
               ResponseAction(RuleRef("response", 1), "set_cache_control",
                              {"max-age": {"operation": "set", "value": 5,
                                           "cloudflare_only": True}}))
    d = run({"Cache-Control": "max-age=60"}, actions=actions)
    assert d["edge_ttl"] == 5 and d["browser_cache_control"] == "max-age=100000"


def test_missing_date_uses_zone_clock():
    zone = Zone.from_dict({"clock": "2026-01-01T00:00:00Z"})
    d = run({"Expires": "Thu, 01 Jan 2026 00:05:00 GMT"}, zone=zone, date=False)
    assert d["edge_ttl"] == 300


# -- the visitor's Cache-Control (cache-phases §4.14) -----------------------------------

@pytest.mark.parametrize("headers, browser, occ, expected", [
    ({"Cache-Control": "max-age=60"}, None, False, "max-age=14400"),
    ({"Cache-Control": "max-age=60"}, {"mode": "respect_origin"}, False, "max-age=60"),
    ({"Cache-Control": "max-age=60"}, {"mode": "bypass"}, False, "no-store"),
    ({"Cache-Control": "max-age=60"}, {"mode": "bypass_by_default"}, False, "max-age=60"),
    ({"Cache-Control": "public"}, {"mode": "bypass_by_default"}, False, "no-store"),
    ({}, {"mode": "override_origin", "default": 30}, False, "max-age=30"),
    ({"Cache-Control": "private, max-age=60"}, None, True, "private, max-age=14400"),
    ({"Cache-Control": "private, max-age=60"}, None, False, "max-age=14400"),
    ({"Cache-Control": "s-maxage=600"}, None, False, "s-maxage=600"),
    ({"Expires": "Thu, 01 Jan 2026 10:00:00 GMT"}, None, False, None),
    ({"Expires": "Thu, 01 Jan 2026 01:00:00 GMT", "Cache-Control": "public"}, None, False,
     "public, max-age=14400"),
])
def test_browser_cache_control(headers, browser, occ, expected):
    settings = {"cache": True, "edge_ttl": {"mode": "override_origin", "default": 600}}
    if browser:
        settings["browser_ttl"] = browser
    assert run(headers, settings=settings, occ=occ)["browser_cache_control"] == expected


def test_zone_browser_ttl_zero_respects_headers():
    d = run({"Cache-Control": "max-age=60"}, zone=Zone(browser_cache_ttl=0))
    assert d["browser_cache_control"] == "max-age=60"


# -- eligibility (cache-phases §4.2, §4.7) ------------------------------------------------

@pytest.mark.parametrize("method, url, settings, eligible, origin_method", [
    ("PUT", "https://example.com/a.png", {"cache": True}, False, "PUT"),
    ("HEAD", "https://example.com/a.png", {}, True, "GET"),
    ("HEAD", "https://example.com/a.html", {}, False, "HEAD"),
    ("GET", "https://example.com:8443/a.png", {}, False, "GET"),
    ("GET", "https://example.com:8443/a.png", {"additional_cacheable_ports": [8443]}, True,
     "GET"),
    ("GET", "https://example.com/.png", {}, False, "GET"),
    ("GET", "https://example.com/a.html?x=a.png", {}, False, "GET"),
    ("GET", "https://example.com/robots.txt", {}, True, "GET"),
    ("GET", "https://example.com/x/robots.txt", {}, False, "GET"),
])
def test_eligibility(method, url, settings, eligible, origin_method):
    d = run({}, method=method, url=url, settings=settings)
    assert (d["eligible"], d["origin_method"]) == (eligible, origin_method)
    if not eligible:
        assert d["cache_status"] == "DYNAMIC"


def test_no_query_string_level():
    zone = Zone(caching_level="no_query_string")
    assert run({}, url="https://example.com/a.png?v=1", zone=zone)["eligible"] is False


def test_vary_star_in_any_field():
    d = run({"Cache-Control": "max-age=60", "Vary": ["Accept-Encoding", "Origin, *"]})
    assert outcome(d) == (None, "BYPASS")


@pytest.mark.parametrize("content_type, headers, stored", [
    ("text/html", {}, False),
    ("image/webp", {}, True),
    ("application/octet-stream", {}, True),
    ("IMAGE/JPEG; charset=binary", {}, True),
    (None, {}, True),
    ("text/html", {"Cache-Control": "max-age=60"}, True),
])
def test_cache_deception_armor(content_type, headers, stored):
    headers = dict(headers)
    if content_type:
        headers["Content-Type"] = content_type
    d = run(headers, url="https://example.com/a.jpg",
            settings={"cache_key": {"cache_deception_armor": True}})
    assert (d["edge_ttl"] is not None) is stored and d["cache_status"] == "MISS"


def test_size_limit():
    d = run({"Content-Length": str(6 * 1024 ** 3)})
    assert outcome(d) == (None, "MISS")
    assert run({"Content-Length": "600000000"}, zone=Zone(plan="pro"))["edge_ttl"] is None


# -- derived outputs (cache-phases §4.18) -------------------------------------------------

def test_derived_outputs():
    d = run({"Cache-Control": "max-age=40000, stale-while-revalidate=60",
             "Content-Length": "1000"},
            settings={"cache_reserve": {"eligible": True, "minimum_file_size": 100}},
            request_headers={"Range": "bytes=0-9"})
    assert d["cache_reserve_write"] is True and d["serve_stale_allowed"] is True
    assert d["client_status"] == 206 and d["stored"] is True


def test_stale_serving_blocked_by_must_revalidate_with_occ():
    headers = {"Cache-Control": "max-age=600, stale-while-revalidate=60, must-revalidate"}
    assert run(headers, occ=False)["serve_stale_allowed"] is True
    assert run(headers, occ=True)["serve_stale_allowed"] is False
    assert run(headers, settings={"serve_stale": {"disable_stale_while_updating": True}}
               )["serve_stale_allowed"] is False


def test_request_phase_only():
    request = make_request({"method": "GET", "url": "https://example.com/a.png"})
    d = decide(request, None, zone=Zone(), request_settings={})
    assert d["eligible"] is True and d["cache_status"] is None and d["edge_ttl"] is None
    assert d["cache_key"] == "https://example.com/a.png" and d["reasons"]
    d = decide(request, None, zone=Zone(), request_settings={"cache": False})
    assert d["cache_status"] == "DYNAMIC"


def test_informational_status_ignores_response_rules():
    d = run({}, status=103, actions=control(**{"max-age": {"operation": "set", "value": 5}}))
    assert d["occ"] is False and d["edge_ttl"] is None


def test_plan_below_enterprise_always_has_occ():
    assert run({}, zone=Zone(plan="business", origin_cache_control=False))["occ"] is True


# -- robustness ----------------------------------------------------------------------------

_HEADER_NAMES = st.sampled_from([
    "Cache-Control", "CDN-Cache-Control", "Cloudflare-CDN-Cache-Control", "Surrogate-Control",
    "Expires", "Date", "Vary", "Set-Cookie", "Cache-Tag", "Content-Type", "Content-Length",
    "ETag", "Last-Modified", "X-A"])


@settings(max_examples=300, deadline=None)
@given(headers=st.lists(st.tuples(_HEADER_NAMES, st.text(max_size=40)), max_size=8),
       status=st.integers(min_value=-5, max_value=1000),
       request_settings=st.sampled_from([
           {}, {"cache": True}, {"edge_ttl": {"mode": "override_origin", "default": 60}},
           {"edge_ttl": {"mode": "bypass_by_default"}, "browser_ttl": {"mode": "bypass"}},
           {"cache_key": {"cache_deception_armor": True}, "cache": True}]),
       occ=st.sampled_from([None, True]))
def test_decide_never_raises_for_arbitrary_response_headers(headers, status, request_settings,
                                                            occ):
    response = StandInMessage(status=status)
    response.headers = tuple(headers)
    request = Request("GET", "https://example.com/a.jpg", {"Authorization": "x"})
    actions = control(**{"no-cache": {"operation": "remove"}}) if occ else ()
    d = decide(request, response, zone=Zone(origin_cache_control=occ),
               request_settings=request_settings, response_actions=actions)
    assert d["cache_status"] in ("MISS", "BYPASS", "DYNAMIC", None)
    assert d["edge_ttl"] is None or d["edge_ttl"] >= 0
    assert isinstance(d["cache_tags"], list) and all(isinstance(r, str) for r in d["reasons"])


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 10 ** 12) | st.sampled_from(
        ["*", "no-store", "no-cache", "override_origin", "bypass_by_default", "bypass",
         "respect_origin", "x"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(
        ["mode", "default", "status_code_ttl", "status_code", "status_code_range", "from", "to",
         "value", "include", "exclude", "all", "list", "custom_key", "query_string", "header",
         "cookie", "user", "host", "resolved", "geo", "lang", "device_type", "contains",
         "check_presence", "exclude_origin", "eligible", "minimum_file_size",
         "cache_deception_armor", "disable_stale_while_updating"]), inner, max_size=3),
    max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(request_settings=st.dictionaries(st.sampled_from(
    ["cache", "edge_ttl", "browser_ttl", "cache_key", "cache_reserve", "serve_stale",
     "origin_cache_control", "additional_cacheable_ports"]), _JSON, max_size=5))
def test_decide_never_raises_for_malformed_settings(request_settings):
    request = Request("GET", "https://example.com:8443/a.jpg?b=1&a=2",
                      {"Cookie": "a=1", "Accept-Language": "en"})
    response = StandInMessage(headers={"Cache-Control": "max-age=60", "Set-Cookie": "a=1",
                                       "Content-Length": "100"})
    d = decide(request, response, zone=Zone(), request_settings=request_settings)
    assert isinstance(d["cache_key"], str) and d["reasons"]


def test_a_304_takes_the_override_default_a_200_would_get():
    from rulelang import Engine, Response
    engine = Engine([{"phase": "request", "rules": [{
        "expression": "true", "action": "set_cache_settings",
        "action_parameters": {"cache": True,
                              "edge_ttl": {"mode": "override_origin", "default": 600}}}]}])
    decision = engine.evaluate(Request(url="https://a.example/x.png"),
                               Response(status=304)).to_dict()["decision"]
    assert (decision["edge_ttl"], decision["cache_status"]) == (600, None)
