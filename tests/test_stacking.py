"""Stacking (cache-phases.md §3, PD-06 to PD-10) in multi-rule scenarios through the Engine:
each expected stacked result is worked out by hand from the setting-unit table."""

from __future__ import annotations

import pytest

from rulelang import Request, Response
from rulelang.engine import Engine

REQ, RESP = "http_request_cache_settings", "http_response_cache_settings"


def _rule(expression, params, action="set_cache_settings", **fields):
    return {"expression": expression, "action": action, "action_parameters": params, **fields}


def _engine(request_rules=(), response_rules=()):
    return Engine([{"phase": REQ, "rules": list(request_rules)},
                   {"phase": RESP, "rules": list(response_rules)}])


API = 'starts_with(http.request.uri.path, "/api/")'
NEVER = 'http.host eq "nowhere.invalid"'

LAYERED = [
    _rule("true", {"cache": True,
                   "edge_ttl": {"mode": "override_origin", "default": 7200,
                                "status_code_ttl": [{"status_code": 404, "value": 5}]},
                   "cache_key": {"custom_key": {
                       "query_string": {"exclude": {"list": ["utm"]}},
                       "header": {"include": ["x-a"], "exclude_origin": True}}},
                   "additional_cacheable_ports": [8443, 2053],
                   "serve_stale": {"disable_stale_while_updating": True}}),
    _rule(API, {"edge_ttl": {"mode": "respect_origin"},
                "cache_key": {"cache_by_device_type": True,
                              "custom_key": {"header": {"include": ["x-b"]}}},
                "additional_cacheable_ports": [8880],
                "serve_stale": {}}),
    _rule("true", {"cache": False}, enabled=False),
    _rule(NEVER, {"browser_ttl": {"mode": "bypass"}}),
]


@pytest.mark.parametrize("path, matched, settings", [
    ("/index.html", [0], {
        "cache": True,
        "edge_ttl": {"mode": "override_origin", "default": 7200,
                     "status_code_ttl": [{"status_code": 404, "value": 5}]},
        "cache_key": {"custom_key": {"query_string": {"exclude": {"list": ["utm"]}},
                                     "header": {"include": ["x-a"], "exclude_origin": True}}},
        "serve_stale": {"disable_stale_while_updating": True},
        "additional_cacheable_ports": [8443, 2053]}),
    # edge_ttl, custom_key.header, serve_stale and the port list are atomic units: the
    # later rule replaces them whole; query_string is kept; cache_by_device_type joins
    ("/api/items", [0, 1], {
        "cache": True,
        "edge_ttl": {"mode": "respect_origin"},
        "cache_key": {"cache_by_device_type": True,
                      "custom_key": {"query_string": {"exclude": {"list": ["utm"]}},
                                     "header": {"include": ["x-b"]}}},
        "serve_stale": {},
        "additional_cacheable_ports": [8880]}),
])
def test_request_setting_units_replace_whole(path, matched, settings):
    outcome = _engine(LAYERED).evaluate(Request(url="https://example.com" + path))
    assert [r.index for r in outcome.matched[REQ]] == matched
    assert outcome.request_settings == settings
    assert outcome.to_dict()["request_settings"] == settings


@pytest.mark.parametrize("rules, settings", [
    # MP4/Safari recipe: eligible + strong ETags, then bypass
    ([_rule("true", {"cache": True, "respect_strong_etags": True}),
      _rule("true", {"cache": False})],
     {"cache": False, "respect_strong_etags": True}),
    # Page Rules migration: bypass everything, then eligible for the default extensions
    ([_rule("true", {"cache": False}),
      _rule('http.request.uri.path.extension in {"js" "css"}', {"cache": True})],
     {"cache": True}),
    # a later scalar false cancels an earlier true
    ([_rule("true", {"origin_error_page_passthru": True, "read_timeout": 100}),
      _rule("true", {"origin_error_page_passthru": False})],
     {"origin_error_page_passthru": False, "read_timeout": 100}),
    # browser_ttl is atomic: no default survives a mode change
    ([_rule("true", {"browser_ttl": {"mode": "override_origin", "default": 600}}),
      _rule("true", {"browser_ttl": {"mode": "bypass"}})],
     {"browser_ttl": {"mode": "bypass"}}),
    # cache_reserve is atomic: minimum_file_size does not survive
    ([_rule("true", {"cache_reserve": {"eligible": True, "minimum_file_size": 1000}}),
      _rule("true", {"cache_reserve": {"eligible": False}})],
     {"cache_reserve": {"eligible": False}}),
    # user and host parts are separate atomic units
    ([_rule("true", {"cache_key": {"custom_key": {"user": {"geo": True, "lang": True},
                                                  "host": {"resolved": True}}}}),
      _rule("true", {"cache_key": {"custom_key": {"user": {"device_type": True}}}})],
     {"cache_key": {"custom_key": {"user": {"device_type": True},
                                   "host": {"resolved": True}}}}),
    # an empty cache_key or custom_key sets nothing
    ([_rule("true", {"cache_key": {"cache_deception_armor": True}}),
      _rule("true", {"cache_key": {"custom_key": {}}, "cache": True})],
     {"cache": True, "cache_key": {"cache_deception_armor": True}}),
])
def test_last_matching_rule_wins_per_unit(rules, settings):
    outcome = _engine(rules).evaluate(Request(url="https://example.com/a.js"))
    assert outcome.request_settings == settings


def test_disabled_and_unmatched_rules_contribute_nothing():
    rules = [_rule("true", {"cache": True}),
             _rule("true", {"cache": False}, enabled=False),
             _rule(NEVER, {"cache": False})]
    outcome = _engine(rules).evaluate(Request(url="https://example.com/"))
    assert outcome.request_settings == {"cache": True}
    assert [r.index for r in outcome.matched[REQ]] == [0]


STRIPS = [
    _rule("true", {"strip_set_cookie": True, "strip_etags": True}),
    _rule("http.response.code eq 200", {"strip_set_cookie": False}),
    _rule("true", {"strip_last_modified": True}, enabled=False),
]


@pytest.mark.parametrize("status, expected", [
    (200, {"strip_etags": True, "strip_set_cookie": False}),
    (404, {"strip_etags": True, "strip_set_cookie": True}),
])
def test_strip_flags_are_three_independent_units(status, expected):
    outcome = _engine(response_rules=STRIPS).evaluate(
        Request(url="https://example.com/a.css"), Response(status=status))
    assert outcome.response_settings == expected


def test_cache_control_summary_keeps_each_directives_last_edit():
    rules = [_rule("true", {"max-age": {"operation": "set", "value": 100},
                            "no-cache": {"operation": "set", "qualifiers": ["Set-Cookie"]}},
                   "set_cache_control"),
             _rule("true", {"max-age": {"operation": "set", "value": 5,
                                        "cloudflare_only": True},
                            "public": {"operation": "set"}}, "set_cache_control"),
             _rule("true", {"no-cache": {"operation": "remove"}}, "set_cache_control")]
    outcome = _engine(response_rules=rules).evaluate(
        Request(url="https://example.com/page.html"),
        Response(status=200, headers={"Cache-Control": "max-age=60"}))
    assert outcome.response_settings == {"cache_control": {
        "max-age": {"operation": "set", "value": 5, "cloudflare_only": True},
        "public": {"operation": "set"},
        "no-cache": {"operation": "remove"}}}
    # the visitor keeps the earlier non-cloudflare_only max-age (PD-08); an HTML page is
    # not eligible, so no Browser Cache TTL rewrites the header
    assert outcome.decision["browser_cache_control"] == "max-age=100, public"


@pytest.mark.parametrize("operations, tags", [
    ([("add", ["a", "b"]), ("remove", ["x"])], ["y", "a", "b"]),
    ([("set", ["z"]), ("add", ["w", "z"])], ["z", "w"]),
    ([("add", ["a"]), ("set", []), ("add", ["b"])], ["b"]),
    ([("remove", ["y", "x"])], []),
])
def test_tag_operations_compose_in_rule_order(operations, tags):
    rules = [_rule("true", {"operation": op, "values": values}, "set_cache_tags")
             for op, values in operations]
    outcome = _engine([_rule("true", {"cache": True})], rules).evaluate(
        Request(url="https://example.com/a.css"),
        Response(status=200, headers={"Cache-Tag": "x,y"}))
    assert outcome.decision["cache_tags"] == tags
    assert outcome.response_settings["cache_tags"] == [
        {"operation": op, "values": values} for op, values in operations]


def test_a_tag_expression_without_a_value_changes_nothing():
    rules = [_rule("true", {"operation": "set",
                            "expression": 'http.response.headers["x-missing"]'},
                   "set_cache_tags")]
    outcome = _engine(response_rules=rules).evaluate(
        Request(url="https://example.com/a.css"),
        Response(status=200, headers={"Cache-Tag": "keep"}))
    assert outcome.decision["cache_tags"] == ["keep"]
    assert "cache_tags" not in outcome.response_settings


def test_response_rules_see_the_origin_response_as_received():
    """PD-09: an earlier strip does not hide Set-Cookie from a later rule."""
    rules = [_rule("true", {"strip_set_cookie": True}),
             _rule('any(http.response.headers["set-cookie"][*] ne "")',
                   {"operation": "add", "values": ["had-cookie"]}, "set_cache_tags")]
    outcome = _engine(response_rules=rules).evaluate(
        Request(url="https://example.com/a.css"),
        Response(status=200, headers={"Set-Cookie": "a=1"}))
    assert [r.index for r in outcome.matched[RESP]] == [0, 1]
    assert outcome.decision["cache_tags"] == ["had-cookie"]


@pytest.mark.parametrize("response_rules, occ", [
    ([_rule("true", {"strip_etags": False})], True),
    ([_rule("true", {"strip_etags": False}, enabled=False)], False),
    ([_rule(NEVER, {"strip_etags": False})], False),
    ([], False),
])
def test_any_matching_response_rule_forces_occ_over_the_request_phase(response_rules, occ):
    """PD-10: even over a request-phase origin_cache_control: false."""
    outcome = _engine([_rule("true", {"cache": True, "origin_cache_control": False})],
                      response_rules).evaluate(Request(url="https://example.com/a.css"),
                                               Response(status=200))
    assert outcome.decision["occ"] is occ


@pytest.mark.parametrize("status, runs", [(100, False), (103, False), (199, False),
                                          (200, True), (304, True)])
def test_response_rules_ignore_informational_responses(status, runs):
    outcome = _engine(response_rules=[_rule("true", {"strip_etags": True})]).evaluate(
        Request(url="https://example.com/a.css"), Response(status=status))
    assert bool(outcome.matched[RESP]) is runs


def test_several_rule_sets_of_one_phase_run_in_order():
    first = {"phase": REQ, "rules": [_rule("true", {"cache": True})]}
    second = {"phase": REQ, "rules": [_rule("true", {"cache": False})]}
    outcome = Engine([first, second]).evaluate(Request(url="https://example.com/a.css"))
    assert outcome.request_settings == {"cache": False}
    assert [r.index for r in outcome.matched[REQ]] == [0, 0]
