"""Action parameter validation (cache-phases §2): what is accepted, how it is
normalised, and that every problem of a rule is reported with its place."""

from __future__ import annotations

import pytest

from rulelang.rules.ruleset import load_ruleset
from rulelang.rules.validate import DIRECTIVES, validate_action

REQ, RESP = "http_request_cache_settings", "http_response_cache_settings"


def _collect(phase: str, action: str, params: dict, plan: str | None = None):
    found: list[tuple[str, str]] = []

    def report(code, path, message, hint="", key=False):
        assert message
        found.append((code, ".".join(str(p) for p in path)))

    normalized = validate_action(phase, action, params, ("p",), report, plan)
    return found, normalized


VALID_REQUEST = [
    {"cache": True},
    {"cache": False, "edge_ttl": {"mode": "respect_origin"}},
    {"edge_ttl": {"mode": "bypass_by_default"}},
    {"edge_ttl": {"mode": "override_origin", "default": 1,
                  "status_code_ttl": [{"status_code": 200, "value": 50},
                                      {"status_code_range": {"from": 201, "to": 300}, "value": 30},
                                      {"status_code_range": {"to": 199}, "value": "no-cache"},
                                      {"status_code_range": {"from": 500}, "value": "no-store"},
                                      {"status_code": 404, "value": -1}]}},
    {"browser_ttl": {"mode": "override_origin", "default": 10}},
    {"browser_ttl": {"mode": "bypass"}},
    {"cache_key": {"ignore_query_strings_order": True, "cache_deception_armor": True,
                   "cache_by_device_type": False,
                   "custom_key": {"query_string": {"include": {"list": ["a", "b"]}},
                                  "header": {"include": ["x-version"],
                                             "check_presence": ["x-beta", "user-agent"],
                                             "contains": {"accept-language": ["en", "fr"]},
                                             "exclude_origin": True},
                                  "cookie": {"include": ["session"], "check_presence": ["ab"]},
                                  "user": {"device_type": True, "geo": True, "lang": False},
                                  "host": {"resolved": True}}}},
    {"cache_reserve": {"eligible": True, "minimum_file_size": 0}},
    {"cache_reserve": {"eligible": False}},
    {"serve_stale": {"disable_stale_while_updating": True}},
    {"respect_strong_etags": True, "origin_error_page_passthru": False,
     "origin_cache_control": True, "read_timeout": 900,
     "additional_cacheable_ports": [8443, 2053]},
]

VALID_RESPONSE = [
    ("set_cache_settings", {"strip_etags": True, "strip_set_cookie": False,
                            "strip_last_modified": True}),
    ("set_cache_tags", {"operation": "add", "values": ["a", "b-c", "x_y:1"]}),
    ("set_cache_tags", {"operation": "set", "values": []}),
    ("set_cache_tags", {"operation": "remove", "expression": "http.response.headers.names"}),
    ("set_cache_control", {d: {"operation": "remove"} for d in DIRECTIVES}),
    ("set_cache_control", {"max-age": {"operation": "set", "value": 0},
                           "s-maxage": {"operation": "set", "value": 2147483647,
                                        "cloudflare_only": True},
                           "private": {"operation": "set", "qualifiers": ["X-User-Id"]},
                           "no-cache": {"operation": "set"},
                           "immutable": {"operation": "set", "cloudflare_only": False}}),
]


@pytest.mark.parametrize("params", VALID_REQUEST)
def test_valid_request_parameters_are_accepted(params):
    assert _collect(REQ, "set_cache_settings", params)[0] == []
    load_ruleset({"phase": REQ, "rules": [{"expression": "true", "action": "set_cache_settings",
                                           "action_parameters": params}]}, plan="enterprise")


@pytest.mark.parametrize("action, params", VALID_RESPONSE)
def test_valid_response_parameters_are_accepted(action, params):
    assert _collect(RESP, action, params)[0] == []
    load_ruleset({"phase": RESP, "rules": [{"expression": "true", "action": action,
                                            "action_parameters": params}]})


@pytest.mark.parametrize("params", [
    {"cache": True}, {"edge_ttl": {"mode": "override_origin", "default": 7200}},
    {"cache_key": {"custom_key": {"query_string": {"exclude": {"all": True}}}}},
    {"cache_key": {"custom_key": {"query_string": {"exclude": "*"}}}},
    {"browser_ttl": {"mode": "override_origin", "default": 1}},
])
def test_free_plan_features(params):
    assert _collect(REQ, "set_cache_settings", params, plan="free")[0] == []


@pytest.mark.parametrize("plan, default, ok", [
    ("free", 7199, False), ("free", 7200, True), ("pro", 3599, False), ("pro", 3600, True),
    ("business", 1, True), ("enterprise", 1, True), (None, 0, False),
])
def test_edge_ttl_plan_minimum(plan, default, ok):
    found, _ = _collect(REQ, "set_cache_settings",
                        {"edge_ttl": {"mode": "override_origin", "default": default}}, plan)
    assert (found == []) is ok
    assert all(code == "RS313" for code, _ in found)


def test_integral_floats_and_tags_are_normalised():
    _, out = _collect(REQ, "set_cache_settings",
                      {"edge_ttl": {"mode": "override_origin", "default": 60.0,
                                    "status_code_ttl": [{"status_code": 200.0, "value": 5.0}]},
                       "read_timeout": 30.0})
    assert out == {"edge_ttl": {"mode": "override_origin", "default": 60,
                                "status_code_ttl": [{"status_code": 200, "value": 5}]},
                   "read_timeout": 30}
    assert type(out["read_timeout"]) is int
    _, tags = _collect(RESP, "set_cache_tags", {"operation": "add", "values": [" a ", "b"]})
    assert tags["values"] == ["a", "b"]


def test_every_problem_of_one_rule_is_reported():
    found, _ = _collect(REQ, "set_cache_settings", {
        "cache": "yes", "edge_ttl": {"mode": "override_origin", "default": 0},
        "browser_ttl": {"default": 5}, "cache_reserve": {"enabled": True},
        "read_timeout": -1, "bogus": 1})
    assert sorted(found) == sorted([
        ("RS302", "p.cache"), ("RS313", "p.edge_ttl.default"), ("RS318", "p.browser_ttl"),
        ("RS324", "p.cache_reserve.enabled"), ("RS324", "p.cache_reserve"),
        ("RS325", "p.read_timeout"), ("RS301", "p.bogus")])


@pytest.mark.parametrize("plan, count", [("free", 0), ("pro", 0), ("business", 0)])
def test_plan_gating_only_with_a_plan(plan, count):
    params = {"origin_cache_control": True}
    assert len(_collect(REQ, "set_cache_settings", params)[0]) == count
    assert [c for c, _ in _collect(REQ, "set_cache_settings", params, plan)[0]] == ["RS327"]


@pytest.mark.parametrize("limit, plan", [(10, "free"), (25, "pro"), (50, "business"),
                                         (300, "enterprise"), (300, None)])
def test_rule_limits_count_disabled_rules(limit, plan):
    rule = {"expression": "true", "action": "set_cache_settings",
            "action_parameters": {"cache": True}, "enabled": False}
    load_ruleset({"phase": REQ, "rules": [rule] * limit}, plan=plan)
    with pytest.raises(Exception) as info:
        load_ruleset({"phase": REQ, "rules": [rule] * (limit + 1)}, plan=plan)
    assert [d.code for d in info.value.diagnostics] == ["RS102"]
