"""Stacking (cache-phases.md §3, PD-06 to PD-10) in multi-rule scenarios through the Engine:
each expected stacked result is worked out by hand from the setting-unit table."""

from __future__ import annotations

from functools import reduce

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.engine_runs import make_rule as rule
from support.engine_runs import two_phase_engine as engine

from rulelang import Request, Response
from rulelang.engine import Engine, overlay_settings

REQ, RESP = "http_request_cache_settings", "http_response_cache_settings"




API = 'starts_with(http.request.uri.path, "/api/")'
NEVER = 'http.host eq "nowhere.invalid"'

LAYERED = [
    rule("true", {"cache": True,
                   "edge_ttl": {"mode": "override_origin", "default": 7200,
                                "status_code_ttl": [{"status_code": 404, "value": 5}]},
                   "cache_key": {"custom_key": {
                       "query_string": {"exclude": {"list": ["utm"]}},
                       "header": {"include": ["x-a"], "exclude_origin": True}}},
                   "additional_cacheable_ports": [8443, 2053],
                   "serve_stale": {"disable_stale_while_updating": True}}),
    rule(API, {"edge_ttl": {"mode": "respect_origin"},
                "cache_key": {"cache_by_device_type": True,
                              "custom_key": {"header": {"include": ["x-b"]}}},
                "additional_cacheable_ports": [8880],
                "serve_stale": {}}),
    rule("true", {"cache": False}, enabled=False),
    rule(NEVER, {"browser_ttl": {"mode": "bypass"}}),
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
    outcome = engine(LAYERED).evaluate(Request(url="https://example.com" + path))
    assert [r.index for r in outcome.matched[REQ]] == matched
    assert outcome.request_settings == settings
    assert outcome.to_dict()["request_settings"] == settings


@pytest.mark.parametrize("rules, settings", [
    # MP4/Safari recipe: eligible + strong ETags, then bypass
    ([rule("true", {"cache": True, "respect_strong_etags": True}),
      rule("true", {"cache": False})],
     {"cache": False, "respect_strong_etags": True}),
    # Page Rules migration: bypass everything, then eligible for the default extensions
    ([rule("true", {"cache": False}),
      rule('http.request.uri.path.extension in {"js" "css"}', {"cache": True})],
     {"cache": True}),
    # a later scalar false cancels an earlier true
    ([rule("true", {"origin_error_page_passthru": True, "read_timeout": 100}),
      rule("true", {"origin_error_page_passthru": False})],
     {"origin_error_page_passthru": False, "read_timeout": 100}),
    # browser_ttl is atomic: no default survives a mode change
    ([rule("true", {"browser_ttl": {"mode": "override_origin", "default": 600}}),
      rule("true", {"browser_ttl": {"mode": "bypass"}})],
     {"browser_ttl": {"mode": "bypass"}}),
    # cache_reserve is atomic: minimum_file_size does not survive
    ([rule("true", {"cache_reserve": {"eligible": True, "minimum_file_size": 1000}}),
      rule("true", {"cache_reserve": {"eligible": False}})],
     {"cache_reserve": {"eligible": False}}),
    # user and host parts are separate atomic units
    ([rule("true", {"cache_key": {"custom_key": {"user": {"geo": True, "lang": True},
                                                  "host": {"resolved": True}}}}),
      rule("true", {"cache_key": {"custom_key": {"user": {"device_type": True}}}})],
     {"cache_key": {"custom_key": {"user": {"device_type": True},
                                   "host": {"resolved": True}}}}),
    # an empty cache_key or custom_key sets nothing
    ([rule("true", {"cache_key": {"cache_deception_armor": True}}),
      rule("true", {"cache_key": {"custom_key": {}}, "cache": True})],
     {"cache": True, "cache_key": {"cache_deception_armor": True}}),
])
def test_last_matching_rule_wins_per_unit(rules, settings):
    outcome = engine(rules).evaluate(Request(url="https://example.com/a.js"))
    assert outcome.request_settings == settings


def test_disabled_and_unmatched_rules_contribute_nothing():
    rules = [rule("true", {"cache": True}),
             rule("true", {"cache": False}, enabled=False),
             rule(NEVER, {"cache": False})]
    outcome = engine(rules).evaluate(Request(url="https://example.com/"))
    assert outcome.request_settings == {"cache": True}
    assert [r.index for r in outcome.matched[REQ]] == [0]


STRIPS = [
    rule("true", {"strip_set_cookie": True, "strip_etags": True}),
    rule("http.response.code eq 200", {"strip_set_cookie": False}),
    rule("true", {"strip_last_modified": True}, enabled=False),
]


@pytest.mark.parametrize("status, expected", [
    (200, {"strip_etags": True, "strip_set_cookie": False}),
    (404, {"strip_etags": True, "strip_set_cookie": True}),
])
def test_strip_flags_are_three_independent_units(status, expected):
    outcome = engine(response_rules=STRIPS).evaluate(
        Request(url="https://example.com/a.css"), Response(status=status))
    assert outcome.response_settings == expected


def test_cache_control_summary_keeps_each_directives_last_edit():
    rules = [rule("true", {"max-age": {"operation": "set", "value": 100},
                            "no-cache": {"operation": "set", "qualifiers": ["Set-Cookie"]}},
                   "set_cache_control"),
             rule("true", {"max-age": {"operation": "set", "value": 5,
                                        "cloudflare_only": True},
                            "public": {"operation": "set"}}, "set_cache_control"),
             rule("true", {"no-cache": {"operation": "remove"}}, "set_cache_control")]
    outcome = engine(response_rules=rules).evaluate(
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
    rules = [rule("true", {"operation": op, "values": values}, "set_cache_tags")
             for op, values in operations]
    outcome = engine([rule("true", {"cache": True})], rules).evaluate(
        Request(url="https://example.com/a.css"),
        Response(status=200, headers={"Cache-Tag": "x,y"}))
    assert outcome.decision["cache_tags"] == tags
    assert outcome.response_settings["cache_tags"] == [
        {"operation": op, "values": values} for op, values in operations]


def test_a_tag_expression_without_a_value_changes_nothing():
    rules = [rule("true", {"operation": "set",
                            "expression": 'http.response.headers["x-missing"]'},
                   "set_cache_tags")]
    outcome = engine(response_rules=rules).evaluate(
        Request(url="https://example.com/a.css"),
        Response(status=200, headers={"Cache-Tag": "keep"}))
    assert outcome.decision["cache_tags"] == ["keep"]
    assert "cache_tags" not in outcome.response_settings


def test_response_rules_see_the_origin_response_as_received():
    """PD-09: an earlier strip does not hide Set-Cookie from a later rule."""
    rules = [rule("true", {"strip_set_cookie": True}),
             rule('any(http.response.headers["set-cookie"][*] ne "")',
                   {"operation": "add", "values": ["had-cookie"]}, "set_cache_tags")]
    outcome = engine(response_rules=rules).evaluate(
        Request(url="https://example.com/a.css"),
        Response(status=200, headers={"Set-Cookie": "a=1"}))
    assert [r.index for r in outcome.matched[RESP]] == [0, 1]
    assert outcome.decision["cache_tags"] == ["had-cookie"]


@pytest.mark.parametrize("response_rules, occ", [
    ([rule("true", {"strip_etags": False})], True),
    ([rule("true", {"strip_etags": False}, enabled=False)], False),
    ([rule(NEVER, {"strip_etags": False})], False),
    ([], False),
])
def test_any_matching_response_rule_forces_occ_over_the_request_phase(response_rules, occ):
    """PD-10: even over a request-phase origin_cache_control: false."""
    outcome = engine([rule("true", {"cache": True, "origin_cache_control": False})],
                      response_rules).evaluate(Request(url="https://example.com/a.css"),
                                               Response(status=200))
    assert outcome.decision["occ"] is occ


@pytest.mark.parametrize("status, runs", [(100, False), (103, False), (199, False),
                                          (200, True), (304, True)])
def test_response_rules_ignore_informational_responses(status, runs):
    outcome = engine(response_rules=[rule("true", {"strip_etags": True})]).evaluate(
        Request(url="https://example.com/a.css"), Response(status=status))
    assert bool(outcome.matched[RESP]) is runs


def test_several_rule_sets_of_one_phase_run_in_order():
    first = {"phase": REQ, "rules": [rule("true", {"cache": True})]}
    second = {"phase": REQ, "rules": [rule("true", {"cache": False})]}
    outcome = Engine([first, second]).evaluate(Request(url="https://example.com/a.css"))
    assert outcome.request_settings == {"cache": False}
    assert [r.index for r in outcome.matched[REQ]] == [0, 0]


# --------------------------------------------------------------------------- PD-06 units

@pytest.mark.parametrize("rules, expected", [
    # a later edge_ttl replaces the whole object, status_code_ttl included
    ([rule("true", {"edge_ttl": {"mode": "override_origin", "default": 60,
                                 "status_code_ttl": [{"status_code": 404, "value": 5}]}}),
      rule("true", {"edge_ttl": {"mode": "respect_origin"}})],
     {"edge_ttl": {"mode": "respect_origin"}}),
    # independent cache_key toggles and custom_key parts survive each other
    ([rule("true", {"cache_key": {"custom_key": {"query_string": {"exclude": {"all": True}}}}}),
      rule("true", {"cache_key": {"cache_by_device_type": True}})],
     {"cache_key": {"cache_by_device_type": True,
                    "custom_key": {"query_string": {"exclude": {"all": True}}}}}),
    # custom_key parts are atomic: the second query_string replaces the first
    ([rule("true", {"cache_key": {"custom_key": {"query_string": {"include": {"list": ["a"]}},
                                                 "user": {"geo": True}}}}),
      rule("true", {"cache_key": {"custom_key": {"query_string": {"exclude": {"all": True}}}}})],
     {"cache_key": {"custom_key": {"query_string": {"exclude": {"all": True}},
                                   "user": {"geo": True}}}}),
    # the MP4/Safari recipe: bypass wins, strong ETags stay respected
    ([rule("true", {"cache": True, "respect_strong_etags": True}),
      rule("true", {"cache": False})],
     {"cache": False, "respect_strong_etags": True}),
    # additional_cacheable_ports is replaced, not concatenated
    ([rule("true", {"additional_cacheable_ports": [8443]}),
      rule("true", {"additional_cacheable_ports": [2053]})],
     {"additional_cacheable_ports": [2053]}),
    # browser_ttl is atomic
    ([rule("true", {"browser_ttl": {"mode": "override_origin", "default": 60}}),
      rule("true", {"browser_ttl": {"mode": "bypass"}})],
     {"browser_ttl": {"mode": "bypass"}}),
    # a rule that does not match contributes nothing
    ([rule("true", {"cache": True}), rule('http.host eq "other.test"', {"cache": False})],
     {"cache": True}),
    # disabled rules never contribute
    ([rule("true", {"cache": True}), rule("true", {"cache": False}, enabled=False)],
     {"cache": True}),
])
def test_request_settings_stack_per_setting_unit(rules, expected):
    outcome = engine(rules).evaluate(Request(url="https://example.com/x"))
    assert outcome.request_settings == expected


def test_setting_sources_name_the_last_rule_per_unit():
    eng = engine([rule("true", {"cache": True, "edge_ttl": {"mode": "respect_origin"}},
                       ref="first"),
                  rule("true", {"cache": False}, ref="second")])
    outcome = eng.evaluate(Request(url="https://example.com/a.png"))
    reasons = " ".join(outcome.decision["reasons"])
    assert 'rule 1 (ref "second")' in reasons


def test_later_strip_false_cancels_an_earlier_true():
    eng = engine([], [rule("true", {"strip_set_cookie": True, "strip_etags": True}),
                      rule("true", {"strip_set_cookie": False})])
    outcome = eng.evaluate(Request(url="https://example.com/a.png"),
                           Response(headers={"Set-Cookie": "a=1", "ETag": '"x"'}))
    assert outcome.response_settings == {"strip_etags": True, "strip_set_cookie": False}
    assert outcome.decision["stripped_headers"] == ["etag"]


def test_cache_control_summary_keeps_the_last_edit_per_directive_in_edit_order():
    eng = engine(zone={"browser_cache_ttl": 0}, response_rules=[
        rule("true", {"max-age": {"operation": "set", "value": 60},
                      "public": {"operation": "set"}}, action="set_cache_control"),
        rule("true", {"max-age": {"operation": "set", "value": 5, "cloudflare_only": True}},
             action="set_cache_control")])
    outcome = eng.evaluate(Request(url="https://example.com/a.png"),
                           Response(headers={"Cache-Control": "max-age=600"}))
    control = outcome.response_settings["cache_control"]
    assert list(control) == ["public", "max-age"]
    assert control["max-age"] == {"operation": "set", "value": 5, "cloudflare_only": True}
    # the views come from the full edit list: visitors keep the earlier edit for both
    # views, the edge uses the later cloudflare_only one
    assert outcome.decision["browser_cache_control"] == "max-age=60, public"
    assert outcome.decision["edge_ttl"] == 5


# --------------------------------------------------------------------------- N rule sets (property)

_PATHS = ["/", "/a/x.png", "/a/b/c.css", "/api/v1", "/b/index.html", "/static/app.js"]


_EXPRESSIONS = ["true", 'starts_with(http.request.uri.path, "/a/")',
                'http.request.uri.path.extension in {"png" "css"}',
                'http.request.uri.path contains "api"', 'not http.request.uri.path eq "/"',
                'http.host eq "example.com"']


_PARAMS = [
    {"cache": True}, {"cache": False},
    {"edge_ttl": {"mode": "override_origin", "default": 60}},
    {"edge_ttl": {"mode": "respect_origin"}},
    {"browser_ttl": {"mode": "bypass"}},
    {"cache_key": {"cache_by_device_type": True}},
    {"cache_key": {"custom_key": {"query_string": {"exclude": {"all": True}}}}},
    {"cache_key": {"custom_key": {"user": {"geo": True}}, "cache_deception_armor": False}},
    {"respect_strong_etags": True, "serve_stale": {"disable_stale_while_updating": True}},
    {"additional_cacheable_ports": [8443]}, {"read_timeout": 30},
]


_rule = st.builds(lambda e, p, on: rule(e, p, enabled=on), st.sampled_from(_EXPRESSIONS),
                  st.sampled_from(_PARAMS), st.booleans())


_ruleset = st.lists(_rule, max_size=6).map(lambda rules: {"phase": REQ, "rules": rules})


def _reference(rulesets: list[dict], path: str) -> dict:
    """Stacking written out naively: every enabled matching rule's units, in order."""
    from rulelang import compile_expression
    req = Request(url="https://example.com" + path)
    settings: dict = {}
    for rs in rulesets:
        for r in rs["rules"]:
            if r["enabled"] and compile_expression(r["expression"]).matches(req):
                settings = overlay_settings(settings, r["action_parameters"])
    return settings


@settings(max_examples=60, deadline=None)
@given(st.lists(_ruleset, min_size=1, max_size=4), st.sampled_from(_PATHS))
def test_stacking_n_rule_sets_equals_applying_them_one_by_one(rulesets, path):
    request = Request(url="https://example.com" + path)
    together = Engine(rulesets, decide=False).evaluate(request)
    one_by_one = [Engine([rs], decide=False).evaluate(request) for rs in rulesets]
    assert together.request_settings == reduce(
        overlay_settings, (o.request_settings for o in one_by_one), {})
    assert together.matched[REQ] == [r for o in one_by_one for r in o.matched[REQ]]
    assert together.request_settings == _reference(rulesets, path)
