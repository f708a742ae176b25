"""Parts of the cache decision the worked examples do not reach, run through the Engine:
informational statuses, the clock for Expires, the derived outputs of §4.18 (origin
method, client status, Cache Reserve write, smart edge revalidation, stale serving), and
properties of the browser header.

Expected values are worked out by hand from cache-phases §4.14–§4.18 and the PDs named.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.engine_runs import DATE, evaluate, rule

from rulelang.cache.decision import decide
from rulelang.cache.zone import Zone
from rulelang.http.messages import Request, Response

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
