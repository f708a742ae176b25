"""The decision's fast path (no reasons asked for) decides exactly what the explaining path
decides: every field equal but the reasons, which the fast decision builds only when read and
then equal the explaining path's.  Generated over request settings, response rules, zones,
requests and origin responses, on the decision model directly (no rule compilation)."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from rulelang.cache.decision import Decision, ResponseAction, RuleRef, request_side, response_side
from rulelang.cache.zone import Zone
from rulelang.http.messages import Request, Response

REQ, RESP = "http_request_cache_settings", "http_response_cache_settings"
FIELDS = [f.name for f in dataclasses.fields(Decision) if f.name != "_why"]

EDGE_TTLS = [
    {"mode": "override_origin", "default": 3600},
    {"mode": "override_origin", "default": 60},
    {"mode": "respect_origin", "status_code_ttl": [{"status_code": 200, "value": 600}]},
    {"mode": "respect_origin", "status_code_ttl": [
        {"status_code_range": {"to": 299}, "value": 86400},
        {"status_code_range": {"from": 300, "to": 499}, "value": 0},
        {"status_code_range": {"from": 500}, "value": -1}]},
    {"mode": "bypass_by_default"},
    {"mode": "override_origin", "default": 7200, "status_code_ttl": [
        {"status_code": 404, "value": "no-store"}]},
]
BROWSER_TTLS = [{"mode": "respect_origin"}, {"mode": "override_origin", "default": 86400},
                {"mode": "override_origin", "default": 10}, {"mode": "bypass"},
                {"mode": "bypass_by_default"}]
CACHE_KEYS = [
    {"cache_deception_armor": True},
    {"ignore_query_strings_order": True},
    {"cache_by_device_type": True},
    {"custom_key": {"query_string": {"exclude": {"all": True}}}},
    {"custom_key": {"query_string": {"include": {"list": ["a"]}}}},
    {"custom_key": {"header": {"include": ["x-key"], "check_presence": ["x-p"],
                               "exclude_origin": True, "contains": {"accept": ["json"]}}}},
    {"custom_key": {"cookie": {"include": ["sid"], "check_presence": ["theme"]}}},
    {"custom_key": {"user": {"device_type": True, "geo": True, "lang": True}}},
    {"custom_key": {"host": {"resolved": True}}},
]
UNITS = st.fixed_dictionaries({}, optional={
    "cache": st.booleans(),
    "edge_ttl": st.sampled_from(EDGE_TTLS),
    "browser_ttl": st.sampled_from(BROWSER_TTLS),
    "cache_key": st.sampled_from(CACHE_KEYS),
    "origin_cache_control": st.booleans(),
    "serve_stale": st.sampled_from([{"disable_stale_while_updating": True},
                                    {"disable_stale_while_updating": False}]),
    "cache_reserve": st.sampled_from([{"eligible": True, "minimum_file_size": 10},
                                      {"eligible": False}]),
    "additional_cacheable_ports": st.just([8443]),
})
ACTIONS = [
    ("set_cache_settings", {"strip_set_cookie": True}),
    ("set_cache_settings", {"strip_etags": True, "strip_last_modified": True}),
    ("set_cache_settings", {"strip_etags": False}),
    ("set_cache_control", {"s-maxage": {"operation": "set", "value": 3600,
                                        "cloudflare_only": True}}),
    ("set_cache_control", {"no-cache": {"operation": "remove"}}),
    ("set_cache_control", {"no-store": {"operation": "set", "cloudflare_only": True}}),
    ("set_cache_control", {"private": {"operation": "set", "qualifiers": ["Set-Cookie"]}}),
    ("set_cache_control", {"immutable": {"operation": "set"},
                           "max-age": {"operation": "set", "value": 31536000}}),
    ("set_cache_control", {"max-age": "not an edit"}),
    ("set_cache_tags", {"operation": "add", "values": ["v2", "Shop, bad tag"]}),
    ("set_cache_tags", {"operation": "remove", "values": ["a"]}),
    ("set_cache_tags", {"operation": "set", "values": ["x", "X"]}),
    ("set_cache_tags", {"operation": "add", "expression": "…"}),
]
RESPONSE_HEADERS = st.fixed_dictionaries({}, optional={
    "Cache-Control": st.sampled_from([
        "public, max-age=600", "max-age=0", "no-cache", "no-cache=\"Set-Cookie\"",
        "private, no-store", "s-maxage=5, stale-while-revalidate=30", "max-age=1.5",
        "must-revalidate, max-age=99999999999", "private=\"X-A, X-B\", max-age=60",
        "immutable, max-age=60", "max-age=abc, =bad", ""]),
    "CDN-Cache-Control": st.sampled_from(["max-age=60", "no-store"]),
    "Cloudflare-CDN-Cache-Control": st.sampled_from(["max-age=30", "private"]),
    "Surrogate-Control": st.just("max-age=90"),
    "Expires": st.sampled_from(["Thu, 01 Jan 2026 01:00:00 GMT", "0", "garbage"]),
    "Date": st.sampled_from(["Thu, 01 Jan 2026 00:00:00 GMT", "not a date"]),
    "Set-Cookie": st.just("s=1; Path=/"),
    "Vary": st.sampled_from(["Accept-Encoding", "*", "Accept, *"]),
    "Cache-Tag": st.sampled_from(["a,b,A", "ok, bad tag", ""]),
    "Content-Length": st.sampled_from(["10", "999999999999", "x"]),
    "Content-Type": st.sampled_from(["image/png", "text/html", "application/octet-stream"]),
    "ETag": st.just('"e"'),
    "Last-Modified": st.just("Wed, 31 Dec 2025 12:00:00 GMT"),
    "A": st.just("1"),
})
REQUEST_HEADERS = st.fixed_dictionaries({}, optional={
    "Origin": st.just("https://o.example"),
    "X-Forwarded-Host": st.just("evil.example"),
    "X-Forwarded-Scheme": st.sampled_from(["https", "gopher"]),
    "Cookie": st.sampled_from(["sid=1; theme=dark", "other=2"]),
    "Authorization": st.just("Bearer t"),
    "Range": st.just("bytes=0-1"),
    "User-Agent": st.sampled_from(["Mozilla/5.0 (iPhone) Mobile", "curl/8"]),
    "Accept-Language": st.just("de-CH, en;q=0.5"),
    "Accept": st.just("application/json"),
    "X-Key": st.just("k"),
    "CF-IPCountry": st.just("CH"),
})
ZONES = st.fixed_dictionaries({}, optional={
    "plan": st.sampled_from(["free", "pro", "business", "enterprise"]),
    "origin_cache_control": st.booleans(),
    "browser_cache_ttl": st.sampled_from([0, 1800, 14400]),
    "query_string_sort": st.booleans(),
    "caching_level": st.sampled_from(["standard", "no_query_string", "ignore_query_string"]),
    "ssl_mode": st.sampled_from(["full", "flexible"]),
    "resolved_host": st.just("origin.example"),
    "max_cacheable_size": st.just(100),
})


def _actions(picks: list[int], tag_value: tuple[str, ...] | None) -> list[ResponseAction]:
    out = []
    for i, pick in enumerate(picks):
        action, params = ACTIONS[pick]
        ref = RuleRef(RESP, i, ref=f"r{i}" if i % 2 else None)
        tags = tag_value if "expression" in params else None
        out.append(ResponseAction(ref, action, params, tags))
    return out


def _sources(units: dict, count: int) -> dict[str, RuleRef]:
    names = [f"cache_key.{k}" if k != "custom_key" else f"cache_key.custom_key.{p}"
             for k, v in units.get("cache_key", {}).items() for p in (v if k == "custom_key"
                                                                       else [None])]
    names += [k for k in units if k != "cache_key"]
    return {name: RuleRef(REQ, i % max(count, 1), id=f"id{i}") for i, name in enumerate(names)}


def _both(request, response, zone, units, actions, rules, sources):
    fast_side = request_side(request, zone=zone, request_settings=units, request_rules=rules,
                             setting_sources=sources)
    reasons: list[str] = []
    slow_side = request_side(request, zone=zone, request_settings=units, request_rules=rules,
                             setting_sources=sources, reasons=reasons)
    fast = response_side(request, fast_side, response, actions)
    slow = response_side(request, slow_side, response, actions, reasons)
    return fast_side, slow_side, fast, slow


@settings(max_examples=300, deadline=None)
@given(method=st.sampled_from(["GET", "HEAD", "POST"]),
       path=st.sampled_from(["/a.png", "/b.html", "/c.JPG", "/d", "/robots.txt", "/e.js"]),
       query=st.sampled_from(["", "?b=2&a=1", "?a=1"]),
       port=st.sampled_from(["", ":8443", ":8080"]),
       request_headers=REQUEST_HEADERS, units=UNITS, zone=ZONES,
       picks=st.lists(st.integers(0, len(ACTIONS) - 1), max_size=4),
       tag_value=st.sampled_from([None, ("t1", "T1"), ("",)]),
       status=st.sampled_from([200, 200, 206, 301, 304, 404, 500, 103, 600]),
       response_headers=RESPONSE_HEADERS, respond=st.booleans(), rule_count=st.integers(0, 3))
def test_fast_path_decides_what_the_explaining_path_decides(
        method, path, query, port, request_headers, units, zone, picks, tag_value, status,
        response_headers, respond, rule_count):
    request = Request(method, f"https://www.example.com{port}{path}{query}", request_headers,
                      timestamp=1_767_225_600)
    response = (Response.from_wire(status, list(response_headers.items())) if respond
                else None)
    rules = [RuleRef(REQ, i, description=f"rule {i}") for i in range(rule_count)]
    actions = _actions(picks, tag_value) if respond else []
    fast_side, slow_side, fast, slow = _both(request, response, Zone.from_dict(zone), units,
                                             actions, rules, _sources(units, rule_count))
    assert fast_side == slow_side
    assert callable(fast._why)  # nothing explained yet
    for name in FIELDS:
        assert getattr(fast, name) == getattr(slow, name), name
    assert fast == slow
    assert fast.reasons == slow.reasons  # built when read, the same steps explained
    assert fast.to_dict() == slow.to_dict()


def test_fast_path_with_a_response_that_is_not_a_rulelang_message():
    """A response of another type is read through its ``header_values``, alike."""

    class Message:
        def __init__(self, headers, status):
            self.headers, self.status = tuple(headers), status

        def header_values(self, name):
            return [v for n, v in self.headers if n.lower() == name.lower()]

    request = Request("GET", "https://www.example.com/a.png?b=1",
                      {"Origin": "https://o", "Range": "bytes=0-1", "Cookie": "sid=1"})
    pairs = [("Cache-Control", "max-age=60"), ("Content-Length", "5"), ("Set-Cookie", "a=1"),
             ("ETag", '"x"')]
    units = {"cache_key": {"custom_key": {"cookie": {"include": ["sid"]}}}}
    actions = _actions([0, 1], None)
    decisions = []
    for response in (Message(pairs, 200), Response(200, pairs)):
        _, _, fast, slow = _both(request, response, Zone(), units, actions, [], {})
        assert fast == slow and fast.reasons == slow.reasons
        decisions.append(fast)
    assert decisions[0] == decisions[1]
    assert decisions[0].reasons == decisions[1].reasons
    assert decisions[0].cache_key == "https://www.example.com/a.png?b=1|origin=https://o|c.sid=1"
    assert decisions[0].stripped_headers == ("etag", "set-cookie")
    assert decisions[0].client_status == 206
