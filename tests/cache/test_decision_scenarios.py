"""Scenarios of the cache decision model beyond the worked examples, run end to end through
the Engine.

Every expected value below was worked out by hand from cache-phases §4 (sentence by
sentence), its tables and project decisions; none of these scenarios is one of the
worked examples W01–W67.  The zone is PD-01 unless a case says otherwise; every
origin response carries ``Date: Thu, 01 Jan 2026 00:00:00 GMT``.

Each case: (request, response, request rules, response rules, zone,
expected ``(eligible, cache_status, edge_ttl, browser_cache_control)`` and, where
they are not empty, ``cache_tags`` / ``stripped_headers``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from unittest.mock import ANY

import pytest

from rulelang.engine import Engine

DATE = "Thu, 01 Jan 2026 00:00:00 GMT"
IN_1_MIN = "Thu, 01 Jan 2026 00:01:00 GMT"
IN_10_MIN = "Thu, 01 Jan 2026 00:10:00 GMT"
IN_1_HOUR = "Thu, 01 Jan 2026 01:00:00 GMT"
IN_1_DAY = "Fri, 02 Jan 2026 00:00:00 GMT"
YESTERDAY = "Wed, 31 Dec 2025 00:00:00 GMT"
PNG = "https://example.com/img/a.png"
HTML = "https://example.com/page.html"


@dataclass
class Case:
    """One scenario; ``expect`` is (eligible, cache_status, edge_ttl, browser header)."""

    id: str
    url: str
    headers: dict
    expect: tuple
    status: int = 200
    method: str = "GET"
    request_headers: dict = field(default_factory=dict)
    rules: list = field(default_factory=list)
    response_rules: list = field(default_factory=list)
    zone: dict | None = None
    tags: list = field(default_factory=list)
    stripped: list = field(default_factory=list)


def settings(expression: str = "true", **params) -> dict:
    """A request-phase set_cache_settings rule."""
    return {"expression": expression, "action": "set_cache_settings",
            "action_parameters": params}


def control(directives: dict, expression: str = "true") -> dict:
    """A response-phase set_cache_control rule."""
    return {"expression": expression, "action": "set_cache_control",
            "action_parameters": directives}


def strip(expression: str = "true", **flags) -> dict:
    """A response-phase set_cache_settings (strip) rule."""
    return {"expression": expression, "action": "set_cache_settings",
            "action_parameters": flags}


def tag(operation: str, values=None, expression=None, when: str = "true") -> dict:
    """A response-phase set_cache_tags rule."""
    params = {"operation": operation}
    if expression is not None:
        params["expression"] = expression
    else:
        params["values"] = values
    return {"expression": when, "action": "set_cache_tags", "action_parameters": params}


OCC_ON = settings(origin_cache_control=True)
EVERYTHING = settings(cache=True)


def override(ttl: int, **extra) -> dict:
    return settings(cache=True, edge_ttl={"mode": "override_origin", "default": ttl}, **extra)


def by_status(*entries, mode: str = "respect_origin", **extra) -> dict:
    return settings(cache=True, edge_ttl={"mode": mode, "status_code_ttl": list(entries)},
                    **extra)


def browser(mode: str, ttl: int | None = None) -> dict:
    value = {"mode": mode} if ttl is None else {"mode": mode, "default": ttl}
    return settings(browser_ttl=value)


HEADERS_AND_DIRECTIVES = [
    # §4.6 PD-12: several Cache-Control fields are joined with ", ".
    Case("several-cache-control-fields", PNG, {"Cache-Control": ["public", "max-age=600"]},
         (True, "MISS", 600, "public, max-age=14400")),
    # §4.9: s-maxage before max-age at the edge; the visitor keeps s-maxage (PD-24).
    Case("s-maxage-beats-max-age", PNG, {"Cache-Control": "max-age=600, s-maxage=60"},
         (True, "MISS", 60, "max-age=14400, s-maxage=60")),
    # §4.10: s-maxage=0 wins over max-age; OCC off = not cached (MISS), on = revalidate.
    Case("s-maxage-zero-occ-off", PNG, {"Cache-Control": "s-maxage=0, max-age=600"},
         (True, "MISS", None, "s-maxage=0, max-age=600")),
    Case("s-maxage-zero-occ-on", PNG, {"Cache-Control": "s-maxage=0, max-age=600"},
         (True, "BYPASS", 0, "s-maxage=0, max-age=600"), rules=[OCC_ON]),
    # conflicting directives: no-store wins over any lifetime, in either OCC state.
    Case("no-store-beats-max-age-occ-on", PNG, {"Cache-Control": "max-age=600, no-store"},
         (True, "BYPASS", None, "max-age=600, no-store"), rules=[OCC_ON]),
    Case("private-beats-s-maxage-occ-off", PNG, {"Cache-Control": "s-maxage=600, private"},
         (True, "MISS", None, "s-maxage=600, private")),
    # PD-12: the first occurrence of a duplicated directive is used; the Browser TTL
    # rewrite replaces the first and drops later duplicates (§3.5 "set").
    Case("duplicate-max-age-first-wins", PNG, {"Cache-Control": "max-age=100, max-age=900"},
         (True, "MISS", 100, "max-age=14400")),
    # PD-12: a negative value makes the directive absent -> default TTL; a view
    # without a valid max-age is left alone (PD-24).
    Case("negative-max-age-is-absent", PNG, {"Cache-Control": "max-age=-5"},
         (True, "MISS", 7200, "max-age=-5")),
    Case("non-numeric-s-maxage-falls-to-max-age", PNG,
         {"Cache-Control": "s-maxage=soon, max-age=900"},
         (True, "MISS", 900, "s-maxage=soon, max-age=14400")),
    # PD-12: values above 2147483648 count as 2147483648; the visitor gets it as sent.
    Case("huge-max-age-capped", PNG, {"Cache-Control": "max-age=99999999999"},
         (True, "MISS", 2147483648, "max-age=99999999999")),
    Case("quoted-max-age-read", PNG, {"Cache-Control": 'max-age="900"'},
         (True, "MISS", 900, "max-age=14400")),
    Case("upper-case-directive-names", PNG, {"Cache-Control": "Public, MAX-AGE=600"},
         (True, "MISS", 600, "public, max-age=14400")),
    # §4.6: Surrogate-Control outranks Cache-Control (PD-11).
    Case("surrogate-control-max-age", PNG,
         {"Cache-Control": "max-age=60", "Surrogate-Control": "max-age=900"},
         (True, "MISS", 900, "max-age=14400")),
    Case("surrogate-control-no-store", PNG,
         {"Cache-Control": "max-age=60", "Surrogate-Control": "no-store"},
         (True, "MISS", None, "max-age=60")),
    # PD-11: Expires is ignored at the edge when Surrogate-Control is the source, but
    # the Browser TTL still sees that the origin sent Expires (lifetime 600 < 14400).
    Case("surrogate-control-hides-expires", PNG,
         {"Surrogate-Control": "public", "Expires": IN_10_MIN},
         (True, "MISS", 7200, "max-age=14400")),
    # §4.6: CDN-Cache-Control outranks Surrogate-Control.
    Case("cdn-cache-control-beats-surrogate", PNG,
         {"Surrogate-Control": "max-age=100", "CDN-Cache-Control": "max-age=200"},
         (True, "MISS", 200, "max-age=14400")),
    Case("cdn-cache-control-no-store-occ-off", PNG,
         {"CDN-Cache-Control": "no-store", "Cache-Control": "max-age=600"},
         (True, "MISS", None, "max-age=600")),
    # Expires is ignored when a CDN header is used [CDN-Cache-Control › other headers].
    Case("cdn-cache-control-hides-expired-expires", PNG,
         {"CDN-Cache-Control": "public", "Expires": YESTERDAY},
         (True, "MISS", 7200, "max-age=14400")),
    Case("cloudflare-cdn-cache-control-beats-cdn", PNG,
         {"Cloudflare-CDN-Cache-Control": "max-age=50", "CDN-Cache-Control": "max-age=200"},
         (True, "MISS", 50, "max-age=14400")),
    # §4.5: Cloudflare-CDN-Cache-Control turns OCC on: no-cache = stored 0, BYPASS.
    Case("cloudflare-cdn-no-cache-forces-occ", PNG,
         {"Cloudflare-CDN-Cache-Control": "no-cache", "Cache-Control": "max-age=600"},
         (True, "BYPASS", 0, "max-age=600")),
    # ... and with OCC on a cookie at the default level is not cached (case e).
    Case("cloudflare-cdn-makes-set-cookie-bypass", PNG,
         {"Cloudflare-CDN-Cache-Control": "max-age=600", "Set-Cookie": "a=1"},
         (True, "BYPASS", None, None)),
    # ... and keeps immutable for visitors (OCC on).
    Case("cloudflare-cdn-keeps-immutable", PNG,
         {"Cloudflare-CDN-Cache-Control": "max-age=600",
          "Cache-Control": "max-age=31536000, immutable"},
         (True, "MISS", 600, "max-age=31536000, immutable")),
]

EXPIRES = [
    Case("expires-past-occ-off", PNG, {"Expires": YESTERDAY}, (True, "MISS", None, None)),
    Case("expires-past-occ-on", PNG, {"Expires": YESTERDAY}, (True, "BYPASS", 0, None),
         rules=[OCC_ON]),
    Case("expires-equal-to-date-is-zero", PNG, {"Expires": DATE},
         (True, "MISS", None, None)),
    # PD-12: an unparseable Expires counts as already expired.
    Case("expires-invalid-is-expired", PNG, {"Expires": "0"}, (True, "MISS", None, None)),
    Case("expires-invalid-occ-on", PNG, {"Expires": "never"}, (True, "BYPASS", 0, None),
         rules=[OCC_ON]),
    # Expires lifetime above the Browser TTL: visitor header left as sent (none).
    Case("expires-above-browser-ttl", PNG, {"Expires": IN_1_DAY},
         (True, "MISS", 86400, None)),
    # max-age wins over Expires at the edge; the visitor's max-age is raised.
    Case("max-age-below-expires", PNG, {"Cache-Control": "max-age=60", "Expires": IN_1_DAY},
         (True, "MISS", 60, "max-age=14400")),
    # An invalid max-age is absent, so Expires decides at the edge (PD-12); for the
    # visitor the view has no valid max-age and the Expires lifetime is below T, so
    # max-age=T is appended (§4.14) and the unreadable item is passed on as received.
    Case("invalid-max-age-falls-to-expires", PNG,
         {"Cache-Control": "max-age=x", "Expires": IN_1_HOUR},
         (True, "MISS", 3600, "max-age=x, max-age=14400")),
    # [Customize cache]: Eligible alone does not cache an expired Expires / max-age=0 /
    # private; adding an Edge TTL override does.
    Case("eligible-alone-expired-expires", HTML, {"Expires": YESTERDAY},
         (True, "MISS", None, None), rules=[EVERYTHING]),
    Case("override-caches-expired-expires", HTML, {"Expires": YESTERDAY},
         (True, "MISS", 100, "max-age=14400"), rules=[override(100)]),
    Case("override-caches-max-age-0", HTML, {"Cache-Control": "max-age=0"},
         (True, "MISS", 100, "max-age=14400"), rules=[override(100)]),
    Case("eligible-alone-max-age-0", HTML, {"Cache-Control": "max-age=0"},
         (True, "MISS", None, "max-age=0"), rules=[EVERYTHING]),
    Case("override-caches-no-cache", HTML, {"Cache-Control": "no-cache"},
         (True, "MISS", 100, "no-cache"), rules=[override(100)]),
]

ELIGIBILITY = [
    Case("head-on-html-not-eligible", HTML, {"Cache-Control": "max-age=600"},
         (False, "DYNAMIC", None, "max-age=600"), method="HEAD"),
    Case("head-on-png-eligible", PNG, {"Cache-Control": "max-age=600"},
         (True, "MISS", 600, "max-age=14400"), method="HEAD"),
    Case("put-never-cached", PNG, {"Cache-Control": "max-age=600"},
         (False, "DYNAMIC", None, "max-age=600"), method="PUT", rules=[EVERYTHING]),
    Case("options-never-cached", PNG, {}, (False, "DYNAMIC", None, None), method="OPTIONS"),
    # PD-05: port 8443 has caching disabled.
    Case("port-8443-disabled", "https://example.com:8443/a.png",
         {"Cache-Control": "max-age=600"}, (False, "DYNAMIC", None, "max-age=600")),
    Case("port-8443-disabled-even-with-cache-true", "https://example.com:8443/a.html",
         {"Cache-Control": "max-age=600"}, (False, "DYNAMIC", None, "max-age=600"),
         rules=[EVERYTHING]),
    Case("port-8443-re-enabled", "https://example.com:8443/a.png",
         {"Cache-Control": "max-age=600"}, (True, "MISS", 600, "max-age=14400"),
         rules=[settings(additional_cacheable_ports=[8443])]),
    Case("port-2052-other-port-listed", "http://example.com:2052/a.png",
         {"Cache-Control": "max-age=600"}, (False, "DYNAMIC", None, "max-age=600"),
         rules=[settings(additional_cacheable_ports=[2053])]),
    # PD-06: additional_cacheable_ports is atomic; a later rule replaces the list.
    Case("port-list-replaced-by-later-rule", "http://example.com:2052/a.png",
         {"Cache-Control": "max-age=600"}, (False, "DYNAMIC", None, "max-age=600"),
         rules=[settings(additional_cacheable_ports=[2052]),
                settings(additional_cacheable_ports=[2053])]),
    Case("port-8080-caches", "http://example.com:8080/a.png",
         {"Cache-Control": "max-age=600"}, (True, "MISS", 600, "max-age=14400")),
    Case("robots-txt-path-must-be-exact", "https://example.com/sub/robots.txt", {},
         (False, "DYNAMIC", None, None)),
    Case("extension-from-query-ignored", "https://example.com/file?x=a.jpg", {},
         (False, "DYNAMIC", None, None)),
    Case("dot-file-has-no-extension", "https://example.com/.mp3", {},
         (False, "DYNAMIC", None, None)),
    Case("txt-not-default", "https://example.com/notes.txt", {},
         (False, "DYNAMIC", None, None)),
    Case("zst-is-default", "https://example.com/data.zst", {},
         (True, "MISS", 7200, "max-age=14400")),
    # §3.3: a later cache: true re-enables what an earlier bypass disabled.
    Case("bypass-then-eligible", HTML, {},
         (True, "MISS", 7200, "max-age=14400"),
         rules=[settings(cache=False), settings(cache=True)]),
    # Bypass beats the default list.
    Case("bypass-rule-beats-default-extension", PNG, {"Cache-Control": "max-age=600"},
         (False, "DYNAMIC", None, "max-age=600"), rules=[settings(cache=False)]),
    # A disabled bypass rule is ignored.
    Case("disabled-bypass-ignored", PNG, {},
         (True, "MISS", 7200, "max-age=14400"),
         rules=[{**settings(cache=False), "enabled": False}]),
]

STATUS_CODES = [
    # §4.9 step 7: default TTL by status.
    Case("default-301", PNG, {}, (True, "MISS", 7200, "max-age=14400"), status=301),
    Case("default-303", PNG, {}, (True, "MISS", 1200, "max-age=14400"), status=303),
    Case("default-206", PNG, {}, (True, "MISS", 7200, "max-age=14400"), status=206),
    Case("default-410", PNG, {}, (True, "MISS", 180, "max-age=14400"), status=410),
    Case("no-default-307", PNG, {}, (True, "MISS", None, None), status=307),
    Case("no-default-308", PNG, {}, (True, "MISS", None, None), status=308),
    Case("no-default-403", PNG, {}, (True, "MISS", None, None), status=403),
    Case("no-default-204", PNG, {}, (True, "MISS", None, None), status=204),
    # PD-17: a header lifetime makes any non-1xx status storable.
    Case("max-age-makes-500-storable", PNG, {"Cache-Control": "max-age=600"},
         (True, "MISS", 600, "max-age=14400"), status=500),
    Case("s-maxage-makes-502-storable", PNG, {"Cache-Control": "s-maxage=30"},
         (True, "MISS", 30, "s-maxage=30"), status=502),
    Case("expires-makes-403-storable", PNG, {"Expires": IN_1_HOUR},
         (True, "MISS", 3600, "max-age=14400"), status=403),
    # PD-13: the override default applies to 200/206/301/302/303/404/410 only.
    Case("override-applies-to-206", HTML, {}, (True, "MISS", 60, "max-age=14400"),
         status=206, rules=[override(60)]),
    Case("override-applies-to-302", HTML, {}, (True, "MISS", 60, "max-age=14400"),
         status=302, rules=[override(60)]),
    Case("override-not-for-307", HTML, {"Cache-Control": "max-age=600"},
         (True, "MISS", None, "max-age=600"), status=307, rules=[override(60)]),
    Case("override-not-for-500-even-with-origin-max-age", HTML,
         {"Cache-Control": "max-age=600"}, (True, "MISS", None, "max-age=600"),
         status=500, rules=[override(60)]),
    # ... but a response rule's directive still provides a lifetime (case 3, PD-14).
    Case("override-500-rule-set-s-maxage", HTML, {},
         (True, "MISS", 90, "s-maxage=90"), status=500, rules=[override(60)],
         response_rules=[control({"s-maxage": {"operation": "set", "value": 90}})]),
    Case("status-code-ttl-for-307-beats-override", HTML, {},
         (True, "MISS", 45, "max-age=14400"), status=307,
         rules=[settings(cache=True, edge_ttl={
             "mode": "override_origin", "default": 60,
             "status_code_ttl": [{"status_code": 307, "value": 45}]})]),
    # Only the first matching entry counts; bounds are inclusive.
    Case("status-range-inclusive-upper-bound", HTML, {},
         (True, "MISS", 30, "max-age=14400"), status=404,
         rules=[by_status({"status_code_range": {"from": 400, "to": 404}, "value": 30})]),
    Case("status-range-miss-falls-to-default", HTML, {},
         (True, "MISS", 180, "max-age=14400"), status=404,
         rules=[by_status({"status_code_range": {"from": 400, "to": 403}, "value": 30})]),
    Case("status-range-from-only", HTML, {}, (True, "MISS", 20, "max-age=14400"),
         status=599, rules=[by_status({"status_code_range": {"from": 500}, "value": 20})]),
    Case("status-range-to-only-excludes", HTML, {}, (True, "MISS", None, None),
         status=500, rules=[by_status({"status_code_range": {"to": 499}, "value": 20})]),
    # "no-cache" = 0: stored, revalidated, MISS; no Browser TTL for a zero TTL (PD-31).
    Case("status-code-ttl-no-cache-string", HTML, {}, (True, "MISS", 0, None), status=500,
         rules=[by_status({"status_code": 500, "value": "no-cache"})]),
    # "no-store" = -1: not stored; BYPASS with OCC on, MISS with OCC off (PD-19).
    Case("status-code-ttl-no-store-occ-off", HTML, {"Cache-Control": "max-age=600"},
         (True, "MISS", None, "max-age=600"),
         rules=[by_status({"status_code": 200, "value": "no-store"})]),
    Case("status-code-ttl-no-store-occ-on", HTML, {"Cache-Control": "max-age=600"},
         (True, "BYPASS", None, "max-age=600"),
         rules=[by_status({"status_code": 200, "value": "no-store"},
                          origin_cache_control=True)]),
    # PD-15: 0 is stored with TTL 0 whatever the OCC state; the status stays MISS.
    Case("status-code-ttl-zero-occ-on", HTML, {}, (True, "MISS", 0, None),
         rules=[by_status({"status_code": 200, "value": 0}, origin_cache_control=True)]),
    # A matching entry ignores the origin's no-store / private; OCC off drops private
    # from the visitor header; a view without max-age is not rewritten.
    Case("status-code-ttl-ignores-origin-no-store", HTML,
         {"Cache-Control": "private, no-store"}, (True, "MISS", 600, "no-store"),
         rules=[by_status({"status_code": 200, "value": 600})]),
    # ... with OCC on, private stays.
    Case("status-code-ttl-occ-on-keeps-private", HTML,
         {"Cache-Control": "private, max-age=60"}, (True, "MISS", 600, "private, max-age=14400"),
         rules=[by_status({"status_code": 200, "value": 600}, origin_cache_control=True)]),
    # 304: cache_status is null; the 304 entry, else the 200 entry.  The visitor header
    # of a revalidation is outside the first-request model (§5.1): not asserted.
    Case("304-uses-its-own-entry", HTML, {}, (True, None, 30, ANY), status=304,
         rules=[by_status({"status_code": 200, "value": 99}, {"status_code": 304, "value": 30})]),
    Case("304-falls-back-to-200-entry", HTML, {}, (True, None, 99, ANY), status=304,
         rules=[by_status({"status_code": 200, "value": 99})]),
    Case("304-fallback-to-200-range", HTML, {}, (True, None, 99, ANY), status=304,
         rules=[by_status({"status_code_range": {"from": 200, "to": 299}, "value": 99})]),
    # An explicit TTL beats bypass_by_default.
    Case("status-code-ttl-beats-bypass-by-default", HTML, {}, (True, "MISS", 600,
                                                             "max-age=14400"),
         rules=[by_status({"status_code": 200, "value": 600}, mode="bypass_by_default")]),
    # PD-16: a header without lifetime counts as present: default TTL.
    Case("bypass-by-default-public-only", HTML, {"Cache-Control": "public"},
         (True, "MISS", 7200, "public"),
         rules=[settings(cache=True, edge_ttl={"mode": "bypass_by_default"})]),
    Case("bypass-by-default-expires-only", HTML, {"Expires": IN_1_HOUR},
         (True, "MISS", 3600, "max-age=14400"),
         rules=[settings(cache=True, edge_ttl={"mode": "bypass_by_default"})]),
    Case("bypass-by-default-surrogate-only", HTML, {"Surrogate-Control": "max-age=50"},
         (True, "MISS", 50, "max-age=14400"),
         rules=[settings(cache=True, edge_ttl={"mode": "bypass_by_default"})]),
    Case("bypass-by-default-404-no-headers", HTML, {}, (True, "MISS", None, None),
         status=404, rules=[settings(cache=True, edge_ttl={"mode": "bypass_by_default"})]),
    # A response rule's edit makes the edge view non-empty (PD-16) -> default TTL.
    Case("bypass-by-default-rule-added-directive", HTML, {},
         (True, "MISS", 7200, "public"),
         rules=[settings(cache=True, edge_ttl={"mode": "bypass_by_default"})],
         response_rules=[control({"public": {"operation": "set"}})]),
    # ... and removing every directive empties it -> not stored.
    Case("bypass-by-default-rule-removed-directive", HTML, {"Cache-Control": "max-age=600"},
         (True, "MISS", None, None),
         rules=[settings(cache=True, edge_ttl={"mode": "bypass_by_default"})],
         response_rules=[control({"max-age": {"operation": "remove"}})]),
    # PD-06: a later respect_origin edge_ttl discards the earlier override entirely.
    Case("later-respect-origin-discards-override", HTML, {"Cache-Control": "max-age=600"},
         (True, "MISS", 600, "max-age=14400"),
         rules=[override(60), settings(edge_ttl={"mode": "respect_origin"})]),
]

BROWSER = [
    Case("browser-bypass-stored", PNG, {"Cache-Control": "max-age=600"},
         (True, "MISS", 600, "no-store"), rules=[browser("bypass")]),
    Case("browser-bypass-not-stored-keeps-view", PNG, {"Cache-Control": "private"},
         (True, "MISS", None, "private"), rules=[browser("bypass")]),
    Case("browser-bypass-by-default-with-max-age", PNG, {"Cache-Control": "max-age=60"},
         (True, "MISS", 60, "max-age=60"), rules=[browser("bypass_by_default")]),
    Case("browser-bypass-by-default-public-only", PNG, {"Cache-Control": "public"},
         (True, "MISS", 7200, "no-store"), rules=[browser("bypass_by_default")]),
    Case("browser-bypass-by-default-expires", PNG, {"Expires": IN_1_MIN},
         (True, "MISS", 60, None), rules=[browser("bypass_by_default")]),
    Case("browser-bypass-by-default-nothing", PNG, {},
         (True, "MISS", 7200, "no-store"), rules=[browser("bypass_by_default")]),
    Case("browser-respect-origin-nothing", PNG, {}, (True, "MISS", 7200, None),
         rules=[browser("respect_origin")]),
    Case("browser-respect-origin-keeps-private-occ-off", HTML,
         {"Cache-Control": "private, max-age=60"}, (True, "MISS", 600, "private, max-age=60"),
         rules=[override(600), browser("respect_origin")]),
    # A rule beats the zone TTL even when lower (§3.1 item 4).
    Case("browser-rule-lower-than-zone", PNG, {}, (True, "MISS", 7200, "max-age=60"),
         rules=[browser("override_origin", 60)]),
    Case("browser-override-vs-longer-expires", PNG, {"Expires": IN_1_DAY},
         (True, "MISS", 86400, None), rules=[browser("override_origin", 300)]),
    Case("browser-override-vs-shorter-expires", PNG, {"Expires": IN_1_MIN},
         (True, "MISS", 60, "max-age=300"), rules=[browser("override_origin", 300)]),
    Case("browser-override-public-untouched", PNG, {"Cache-Control": "public"},
         (True, "MISS", 7200, "public"), rules=[browser("override_origin", 300)]),
    Case("browser-override-equal-max-age-kept", PNG, {"Cache-Control": "max-age=300"},
         (True, "MISS", 300, "max-age=300"), rules=[browser("override_origin", 300)]),
    # The CDN header decides the edge; Cache-Control (60 >= 30) reaches the visitor as is.
    Case("browser-override-with-cdn-source", PNG,
         {"CDN-Cache-Control": "max-age=900", "Cache-Control": "max-age=60"},
         (True, "MISS", 900, "max-age=60"), rules=[browser("override_origin", 30)]),
    # OCC off + Browser TTL removes a qualified private as well.
    Case("browser-override-removes-qualified-private", HTML,
         {"Cache-Control": 'private="X-A", max-age=60'}, (True, "MISS", 600, "max-age=7200"),
         rules=[override(600), browser("override_origin", 7200)]),
    # The Browser TTL rewrite keeps the directive's position.
    Case("browser-rewrite-in-place", PNG,
         {"Cache-Control": "public, max-age=60, must-revalidate"},
         (True, "MISS", 60, "public, max-age=14400, must-revalidate")),
    # immutable: removed for eligible requests with OCC off, even when not stored...
    Case("immutable-removed-when-not-stored", PNG,
         {"Cache-Control": "max-age=600, immutable", "Vary": "*"},
         (True, "BYPASS", None, "max-age=600")),
    # ... but an ineligible response is sent unchanged.
    Case("immutable-kept-when-ineligible", HTML, {"Cache-Control": "max-age=600, immutable"},
         (False, "DYNAMIC", None, "max-age=600, immutable")),
]

SET_COOKIE = [
    Case("set-cookie-default-level-404", PNG, {"Set-Cookie": "a=1"},
         (True, "MISS", 180, "max-age=14400"), status=404, stripped=["set-cookie"]),
    # Case a (PD-21): OCC on (any matching response rule) and private="Set-Cookie".
    Case("private-set-cookie-occ-on", PNG,
         {"Cache-Control": 'private="Set-Cookie", max-age=600', "Set-Cookie": "a=1"},
         (True, "MISS", 600, 'private="Set-Cookie", max-age=14400'),
         response_rules=[tag("add", ["t"])], tags=["t"]),
    # private=<headers> with OCC off is not cached; the cookie stays.
    Case("private-set-cookie-occ-off", PNG,
         {"Cache-Control": 'private="Set-Cookie", max-age=600', "Set-Cookie": "a=1"},
         (True, "MISS", None, 'private="Set-Cookie", max-age=600')),
    # Case c regardless of OCC (PD-22).
    Case("eligible-rule-cookie-occ-off", HTML,
         {"Cache-Control": "max-age=600", "Set-Cookie": "a=1"},
         (True, "MISS", None, "max-age=600"), rules=[EVERYTHING]),
    Case("eligible-rule-cookie-occ-on", HTML,
         {"Cache-Control": "max-age=600", "Set-Cookie": "a=1"},
         (True, "MISS", None, "max-age=600"), rules=[settings(cache=True,
                                                               origin_cache_control=True)]),
    # Case b keyed on the explicit TTL, also at the default level (PD-22).
    Case("status-code-ttl-cookie-default-level", PNG, {"Set-Cookie": "a=1"},
         (True, "MISS", 900, "max-age=14400"), stripped=["set-cookie"],
         rules=[settings(edge_ttl={"mode": "respect_origin",
                                   "status_code_ttl": [{"status_code": 200, "value": 900}]})]),
    # Case b with OCC on: still stored, cookie removed.
    Case("override-cookie-occ-on", HTML, {"Set-Cookie": "a=1"},
         (True, "MISS", 300, "max-age=14400"), stripped=["set-cookie"],
         rules=[override(300, origin_cache_control=True)]),
    # Not storable: the cookie always stays.
    Case("cookie-kept-when-ineligible", HTML, {"Set-Cookie": "a=1"},
         (False, "DYNAMIC", None, None)),
    Case("cookie-kept-with-vary-star", PNG, {"Set-Cookie": "a=1", "Vary": "*"},
         (True, "BYPASS", None, None)),
    Case("cookie-kept-with-no-store", PNG, {"Set-Cookie": "a=1", "Cache-Control": "no-store"},
         (True, "MISS", None, "no-store")),
    Case("cookie-kept-status-500", PNG, {"Set-Cookie": "a=1"}, (True, "MISS", None, None),
         status=500),
    # strip_set_cookie removes it from any response, cached or not (PD-27).
    Case("strip-set-cookie-on-dynamic", HTML, {"Set-Cookie": "a=1"},
         (False, "DYNAMIC", None, None), response_rules=[strip(strip_set_cookie=True)],
         stripped=["set-cookie"]),
    # A stripped cookie no longer blocks caching with OCC on at the default level.
    Case("strip-set-cookie-then-occ-on-default-level", PNG, {"Set-Cookie": "a=1"},
         (True, "MISS", 7200, "max-age=14400"), response_rules=[strip(strip_set_cookie=True)],
         stripped=["set-cookie"]),
    Case("strip-etag-only", PNG, {"ETag": '"v1"', "Last-Modified": YESTERDAY},
         (True, "MISS", 7200, "max-age=14400"), response_rules=[strip(strip_etags=True)],
         stripped=["etag"]),
    Case("strip-flag-for-absent-header", PNG, {}, (True, "MISS", 7200, "max-age=14400"),
         response_rules=[strip(strip_last_modified=True, strip_etags=True)]),
    # PD-06: a later false cancels an earlier true (per flag).
    Case("strip-later-false-cancels", PNG, {"ETag": '"v1"', "Last-Modified": YESTERDAY},
         (True, "MISS", 7200, "max-age=14400"),
         response_rules=[strip(strip_etags=True, strip_last_modified=True),
                         strip(strip_etags=False)], stripped=["last-modified"]),
    # Stripping a header named by no-cache="..." means it is no longer present.
    Case("no-cache-named-header-stripped", PNG,
         {"Cache-Control": 'no-cache="Set-Cookie", max-age=600', "Set-Cookie": "a=1"},
         (True, "MISS", 600, 'no-cache="Set-Cookie", max-age=14400'),
         response_rules=[strip(strip_set_cookie=True)], stripped=["set-cookie"]),
]

BYPASS_CONDITIONS = [
    Case("vary-list-with-star", PNG, {"Cache-Control": "max-age=600",
                                      "Vary": "Accept-Encoding, *"},
         (True, "BYPASS", None, "max-age=600")),
    Case("vary-second-field-star", PNG, {"Cache-Control": "max-age=600",
                                         "Vary": ["Accept-Encoding", "*"]},
         (True, "BYPASS", None, "max-age=600")),
    Case("vary-accept-encoding-ignored", PNG, {"Cache-Control": "max-age=600",
                                               "Vary": "Accept-Encoding"},
         (True, "MISS", 600, "max-age=14400")),
    Case("vary-star-beats-override", HTML, {"Vary": "*"}, (True, "BYPASS", None, None),
         rules=[override(600)]),
    Case("vary-star-ineligible", HTML, {"Vary": "*"}, (False, "DYNAMIC", None, None)),
    # Authorization with OCC on (§4.8, PD-20).
    Case("authorization-s-maxage", PNG, {"Cache-Control": "s-maxage=300"},
         (True, "MISS", 300, "s-maxage=300"), request_headers={"Authorization": "Bearer x"},
         rules=[OCC_ON]),
    Case("authorization-must-revalidate", PNG,
         {"Cache-Control": "max-age=300, must-revalidate"},
         (True, "MISS", 300, "max-age=14400, must-revalidate"),
         request_headers={"Authorization": "Bearer x"}, rules=[OCC_ON]),
    # The check reads the edge view: public only in Cache-Control does not count when
    # CDN-Cache-Control is the source.
    Case("authorization-public-only-in-visitor-header", PNG,
         {"CDN-Cache-Control": "max-age=600", "Cache-Control": "public"},
         (True, "BYPASS", None, "public"), request_headers={"Authorization": "Bearer x"},
         rules=[OCC_ON]),
    Case("authorization-public-in-cdn-header", PNG,
         {"CDN-Cache-Control": "public, max-age=600", "Cache-Control": "max-age=60"},
         (True, "MISS", 600, "max-age=14400"), request_headers={"Authorization": "Bearer x"},
         rules=[OCC_ON]),
    # PD-20: an explicit TTL does not grant permission to store authenticated content.
    Case("authorization-with-override", HTML, {"Cache-Control": "max-age=600"},
         (True, "BYPASS", None, "max-age=600"), request_headers={"Authorization": "Bearer x"},
         rules=[override(60, origin_cache_control=True)]),
    # A response rule's cloudflare_only public permits it (and turns OCC on).
    Case("authorization-rule-set-public", PNG, {"Cache-Control": "max-age=600"},
         (True, "MISS", 600, "max-age=14400"), request_headers={"Authorization": "Bearer x"},
         response_rules=[control({"public": {"operation": "set", "cloudflare_only": True}})]),
    # A response rule forces OCC on, so Authorization now blocks (PD-10).
    Case("authorization-response-rule-forces-occ", PNG, {"Cache-Control": "max-age=600"},
         (True, "BYPASS", None, "max-age=600"), request_headers={"Authorization": "Bearer x"},
         response_rules=[tag("add", ["t"])], tags=["t"]),
    Case("authorization-occ-off-explicit-false", PNG, {"Cache-Control": "max-age=600"},
         (True, "MISS", 600, "max-age=14400"), request_headers={"Authorization": "Bearer x"},
         rules=[settings(origin_cache_control=False)], zone={"origin_cache_control": True}),
]

RESPONSE_RULES = [
    # Removing the only lifetime leaves Cache-Control as the (empty) source: default TTL.
    Case("remove-max-age-both-views", PNG, {"Cache-Control": "max-age=600"},
         (True, "MISS", 7200, "max-age=14400"),
         response_rules=[control({"max-age": {"operation": "remove"}})]),
    # §3.5: an earlier edit without cloudflare_only, then a cloudflare_only edit of the
    # same directive: the visitor keeps the earlier value.
    Case("visitor-keeps-earlier-non-cloudflare-only-value", PNG, {"Cache-Control": "max-age=60"},
         (True, "MISS", 100, "max-age=20000"),
         response_rules=[control({"max-age": {"operation": "set", "value": 20000}}),
                         control({"max-age": {"operation": "set", "value": 100,
                                              "cloudflare_only": True}})]),
    # A cloudflare_only remove only changes the edge.
    Case("cloudflare-only-remove-no-cache", PNG, {"Cache-Control": "no-cache, max-age=600"},
         (True, "MISS", 600, "no-cache, max-age=14400"),
         response_rules=[control({"no-cache": {"operation": "remove",
                                               "cloudflare_only": True}})]),
    # PD-14: with a status code TTL the rule's s-maxage still wins.
    Case("rule-s-maxage-beats-status-code-ttl", HTML, {"Cache-Control": "max-age=60"},
         (True, "MISS", 3600, "max-age=14400"),
         rules=[by_status({"status_code": 200, "value": 50})],
         response_rules=[control({"s-maxage": {"operation": "set", "value": 3600,
                                               "cloudflare_only": True}})]),
    Case("rule-no-store-beats-override", HTML, {}, (True, "BYPASS", None, None),
         rules=[override(600)],
         response_rules=[control({"no-store": {"operation": "set", "cloudflare_only": True}})]),
    # A rule-set max-age=0 under an override: OCC on -> stored 0, BYPASS (§4.10).
    Case("rule-max-age-zero-beats-override", HTML, {}, (True, "BYPASS", 0, "max-age=0"),
         rules=[override(600)],
         response_rules=[control({"max-age": {"operation": "set", "value": 0}})]),
    # With an override, the origin's no-cache is ignored but a rule's no-cache is not.
    Case("rule-no-cache-beats-override", HTML, {"Cache-Control": "max-age=60"},
         (True, "BYPASS", 0, "max-age=60, no-cache"), rules=[override(600)],
         response_rules=[control({"no-cache": {"operation": "set"}})]),
    # no-cache="X-A": always revalidated only when the response has X-A.
    Case("rule-no-cache-qualified-present", PNG, {"Cache-Control": "max-age=600", "X-A": "1"},
         (True, "BYPASS", 0, 'max-age=600, no-cache="X-A"'),
         response_rules=[control({"no-cache": {"operation": "set", "qualifiers": ["X-A"]}})]),
    Case("rule-no-cache-qualified-absent", PNG, {"Cache-Control": "max-age=600"},
         (True, "MISS", 600, 'max-age=14400, no-cache="X-A"'),
         response_rules=[control({"no-cache": {"operation": "set", "qualifiers": ["X-A"]}})]),
    # set replaces the origin's bare private in place with a qualified one (storable).
    Case("rule-qualifies-origin-private", PNG, {"Cache-Control": "private, max-age=600"},
         (True, "MISS", 600, 'private="X-A", max-age=14400'),
         response_rules=[control({"private": {"operation": "set", "qualifiers": ["X-A"]}})]),
    # PD-10: a response rule forces OCC on over a request rule's false.
    Case("response-rule-beats-occ-false", PNG, {"Cache-Control": "no-cache"},
         (True, "BYPASS", 0, "no-cache"), rules=[settings(origin_cache_control=False)],
         response_rules=[tag("add", ["x"])], tags=["x"]),
    # Edits of a later rule win per directive; set then remove = removed.
    Case("set-then-remove-immutable", PNG, {"Cache-Control": "max-age=31536000"},
         (True, "MISS", 31536000, "max-age=31536000"),
         response_rules=[control({"immutable": {"operation": "set"}}),
                         control({"immutable": {"operation": "remove"}})]),
    # Edits touch the edge view built from CDN-Cache-Control, never the header itself.
    Case("rule-edit-on-cdn-source", PNG,
         {"CDN-Cache-Control": "max-age=900", "Cache-Control": "max-age=60"},
         (True, "MISS", 300, "max-age=14400"),
         response_rules=[control({"max-age": {"operation": "set", "value": 300,
                                              "cloudflare_only": True}})]),
    # A response rule that does not match changes nothing (OCC stays off).
    Case("non-matching-response-rule", PNG, {"Cache-Control": "no-cache"},
         (True, "MISS", None, "no-cache"),
         response_rules=[control({"no-cache": {"operation": "remove"}},
                                 expression="http.response.code eq 404")]),
    # PD-09: response rules see the response as received (the strip does not hide the
    # cookie from the second rule's expression).
    Case("response-rules-see-unstripped-response", PNG, {"Set-Cookie": "a=1"},
         (True, "MISS", 7200, "max-age=14400"), stripped=["set-cookie"], tags=["had-cookie"],
         response_rules=[strip(strip_set_cookie=True),
                         tag("add", ["had-cookie"],
                             when='any(http.response.headers.names[*] == "Set-Cookie")')]),
]

DECEPTION_ARMOR = [
    Case(f"armor-{name}", url, headers, expect,
         rules=[settings(cache=True, cache_key={"cache_deception_armor": True}, **extra)],
         status=status)
    for name, url, headers, expect, extra, status in [
        ("png-as-html", "https://example.com/a.png", {"Content-Type": "text/html"},
         (True, "MISS", None, None), {}, 200),
        ("gif-as-webm", "https://example.com/a.gif", {"Content-Type": "video/webm"},
         (True, "MISS", 7200, "max-age=14400"), {}, 200),
        ("jpg-as-avif", "https://example.com/a.jpg", {"Content-Type": "image/avif"},
         (True, "MISS", 7200, "max-age=14400"), {}, 200),
        ("media-type-parameters-and-case", "https://example.com/a.css",
         {"Content-Type": "Text/CSS; charset=utf-8"}, (True, "MISS", 7200, "max-age=14400"),
         {}, 200),
        ("octet-stream-passes", "https://example.com/a.pdf",
         {"Content-Type": "application/octet-stream"}, (True, "MISS", 7200, "max-age=14400"),
         {}, 200),
        ("missing-content-type-passes", "https://example.com/a.js", {},
         (True, "MISS", 7200, "max-age=14400"), {}, 200),
        ("extension-not-in-table", "https://example.com/a.exe", {"Content-Type": "text/html"},
         (True, "MISS", 7200, "max-age=14400"), {}, 200),
        ("no-extension", "https://example.com/feed", {"Content-Type": "text/html"},
         (True, "MISS", 7200, "max-age=14400"), {}, 200),
        # PD-23: an origin lifetime or an Edge TTL rule overrides the protection.
        ("origin-max-age-overrides", "https://example.com/a.jpg",
         {"Content-Type": "text/html", "Cache-Control": "max-age=60"},
         (True, "MISS", 60, "max-age=14400"), {}, 200),
        ("expires-overrides", "https://example.com/a.jpg",
         {"Content-Type": "text/html", "Expires": IN_1_HOUR},
         (True, "MISS", 3600, "max-age=14400"), {}, 200),
        ("edge-override-overrides", "https://example.com/a.jpg", {"Content-Type": "text/html"},
         (True, "MISS", 60, "max-age=14400"),
         {"edge_ttl": {"mode": "override_origin", "default": 60}}, 200),
        # ... but a header without lifetime does not.
        ("public-without-lifetime", "https://example.com/a.jpg",
         {"Content-Type": "text/html", "Cache-Control": "public"},
         (True, "MISS", None, "public"), {}, 200),
        ("default-404-mismatch", "https://example.com/a.css", {"Content-Type": "text/html"},
         (True, "MISS", None, None), {}, 404),
        ("mp3-wrong-audio-type", "https://example.com/a.mp3", {"Content-Type": "audio/mp3"},
         (True, "MISS", None, None), {}, 200),
        ("ttf-as-sfnt", "https://example.com/a.ttf", {"Content-Type": "font/sfnt"},
         (True, "MISS", 7200, "max-age=14400"), {}, 200),
    ]
]

TAGS = [
    Case("tags-several-fields-case-insensitive", PNG, {"Cache-Tag": ["a, B", "b,c"]},
         (True, "MISS", 7200, "max-age=14400"), tags=["a", "B", "c"]),
    Case("tags-tabs-trimmed-inner-space-dropped", PNG, {"Cache-Tag": "\tx\t, y z ,w"},
         (True, "MISS", 7200, "max-age=14400"), tags=["x", "w"]),
    Case("tags-punctuation-kept", PNG, {"Cache-Tag": "a;b, c:d/e, f=g"},
         (True, "MISS", 7200, "max-age=14400"), tags=["a;b", "c:d/e", "f=g"]),
    # add keeps the first spelling; remove is case-insensitive; set replaces.
    Case("tags-add-existing-other-case", PNG, {"Cache-Tag": "Product"},
         (True, "MISS", 7200, "max-age=14400"), tags=["Product", "new"],
         response_rules=[tag("add", ["PRODUCT", "new"])]),
    Case("tags-set-add-remove", PNG, {"Cache-Tag": "o"}, (True, "MISS", 7200, "max-age=14400"),
         tags=["r", "s"],
         response_rules=[tag("set", ["Q", "q", "r"]), tag("add", ["R", "s"]),
                         tag("remove", ["q", "zz"])]),
    Case("tags-set-empty", PNG, {"Cache-Tag": "o,p"}, (True, "MISS", 7200, "max-age=14400"),
         tags=[], response_rules=[tag("set", [])]),
    Case("tags-remove-all", PNG, {"Cache-Tag": "o,p"}, (True, "MISS", 7200, "max-age=14400"),
         tags=[], response_rules=[tag("remove", ["P", "O"])]),
    # Tags are computed for responses that are not stored, too (PD-07).
    Case("tags-on-post", PNG, {"Cache-Tag": "a"}, (False, "DYNAMIC", None, None),
         method="POST", tags=["a", "b"], response_rules=[tag("add", ["b"])]),
    Case("tags-on-uncached-500", PNG, {"Cache-Tag": "err"}, (True, "MISS", None, None),
         status=500, tags=["err"]),
    # Expression results are normalized (comma split, trim, de-duplicate).
    Case("tags-expression-normalized", PNG, {"X-Keys": "a, b,,A , c d"},
         (True, "MISS", 7200, "max-age=14400"), tags=["a", "b"],
         response_rules=[tag("add", expression='split(http.response.headers["x-keys"][0], '
                                               '",", 1)')]),
    Case("tags-expression-split-per-item", PNG, {"X-Keys": "k1 k2"},
         (True, "MISS", 7200, "max-age=14400"), tags=["k1", "k2"],
         response_rules=[tag("set", expression='split(http.response.headers["x-keys"][0], '
                                               '" ", 10)')]),
    # A missing expression value is a no-op, even for set.
    Case("tags-expression-nil-noop", PNG, {"Cache-Tag": "keep"},
         (True, "MISS", 7200, "max-age=14400"), tags=["keep"],
         response_rules=[tag("set", expression='split(http.response.headers["x-none"][0], '
                                               '",", 1)')]),
]

NON_ENTERPRISE = [
    # PD-02: OCC is always on below Enterprise.
    Case(f"{plan}-{name}", url, headers, expect, zone={"plan": plan, **zone}, rules=rules,
         request_headers=req, stripped=stripped)
    for plan in ("free", "pro", "business")
    for name, url, headers, expect, zone, rules, req, stripped in [
        ("no-cache-revalidated", PNG, {"Cache-Control": "no-cache"},
         (True, "BYPASS", 0, "no-cache"), {}, [], {}, []),
        ("max-age-0-revalidated", PNG, {"Cache-Control": "max-age=0"},
         (True, "BYPASS", 0, "max-age=0"), {}, [], {}, []),
        ("private-bypass", PNG, {"Cache-Control": "private"},
         (True, "BYPASS", None, "private"), {}, [], {}, []),
        ("set-cookie-default-level-bypass", PNG, {"Set-Cookie": "a=1"},
         (True, "BYPASS", None, None), {}, [], {}, []),
        ("authorization-blocks", PNG, {"Cache-Control": "max-age=600"},
         (True, "BYPASS", None, "max-age=600"), {}, [], {"Authorization": "x"}, []),
        ("immutable-kept", PNG, {"Cache-Control": "max-age=31536000, immutable"},
         (True, "MISS", 31536000, "max-age=31536000, immutable"), {}, [], {}, []),
        ("private-kept-by-browser-ttl", PNG, {"Cache-Control": 'private="X", max-age=60'},
         (True, "MISS", 60, 'private="X", max-age=14400'), {}, [], {}, []),
        # A zone value false cannot turn OCC off below Enterprise.
        ("zone-occ-false-ignored", PNG, {"Cache-Control": "no-cache"},
         (True, "BYPASS", 0, "no-cache"), {"origin_cache_control": False}, [], {}, []),
        # Origin lifetimes below the plan's minimum Edge TTL are not raised (§4.9).
        ("short-origin-ttl-not-clamped", PNG, {"Cache-Control": "max-age=30"},
         (True, "MISS", 30, "max-age=14400"), {}, [], {}, []),
        ("default-ttl-unchanged", PNG, {}, (True, "MISS", 7200, "max-age=14400"), {}, [], {},
         []),
        # Set-Cookie with an explicit TTL is case b whatever the OCC state.
        ("explicit-ttl-cookie-stored", HTML, {"Set-Cookie": "a=1"},
         (True, "MISS", 7200, "max-age=14400"), {},
         [override(7200)], {}, ["set-cookie"]),
    ]
]

ZONE_SETTINGS = [
    Case("zone-browser-ttl-0-respects", PNG, {}, (True, "MISS", 7200, None),
         zone={"browser_cache_ttl": 0}),
    Case("zone-browser-ttl-0-rule-override", PNG, {}, (True, "MISS", 7200, "max-age=120"),
         zone={"browser_cache_ttl": 0}, rules=[browser("override_origin", 120)]),
    Case("zone-browser-ttl-short", PNG, {"Cache-Control": "max-age=600"},
         (True, "MISS", 600, "max-age=600"), zone={"browser_cache_ttl": 300}),
    Case("zone-occ-on-enterprise", PNG, {"Cache-Control": "no-cache"},
         (True, "BYPASS", 0, "no-cache"), zone={"origin_cache_control": True}),
    Case("zone-occ-on-rule-false", PNG, {"Cache-Control": "no-cache"},
         (True, "MISS", None, "no-cache"), zone={"origin_cache_control": True},
         rules=[settings(origin_cache_control=False)]),
    Case("zone-custom-disabled-port", "https://example.com:8080/a.png", {},
         (False, "DYNAMIC", None, None), zone={"uncacheable_ports": [8080]}),
    Case("zone-no-disabled-ports", "https://example.com:8443/a.png", {},
         (True, "MISS", 7200, "max-age=14400"), zone={"uncacheable_ports": []}),
]

ALL = (HEADERS_AND_DIRECTIVES + EXPIRES + ELIGIBILITY + STATUS_CODES + BROWSER + SET_COOKIE
       + BYPASS_CONDITIONS + RESPONSE_RULES + DECEPTION_ARMOR + TAGS + NON_ENTERPRISE
       + ZONE_SETTINGS)


def run(case: Case) -> dict:
    headers = {"Date": DATE, **case.headers}
    rulesets = []
    if case.rules:
        rulesets.append({"kind": "zone", "phase": "http_request_cache_settings",
                         "rules": case.rules})
    if case.response_rules:
        rulesets.append({"kind": "zone", "phase": "http_response_cache_settings",
                         "rules": case.response_rules})
    engine = Engine(rulesets, zone=case.zone)
    outcome = engine.evaluate({"method": case.method, "url": case.url,
                               "headers": case.request_headers},
                              {"status": case.status, "headers": headers})
    return outcome.to_dict()["decision"]


def test_case_ids_are_unique():
    ids = [c.id for c in ALL]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("case", ALL, ids=[c.id for c in ALL])
def test_scenario(case: Case):
    decision = run(case)
    got = (decision["eligible"], decision["cache_status"], decision["edge_ttl"],
           decision["browser_cache_control"])
    assert got == case.expect, "\n".join(decision["reasons"])
    assert decision["cache_tags"] == case.tags
    assert decision["stripped_headers"] == case.stripped
    assert decision["stored"] is (case.expect[2] is not None)
