"""Action parameter validation (cache-phases §2): what is accepted, how it is normalised
(integral numbers, tags, the legacy query_string spellings of PD-29 f), and that every
problem of a rule is reported with its place."""

from __future__ import annotations

import pytest
from support.rulesets import (
    CC,
    REQ,
    RESP,
    collect,
    custom_key,
    one_rule,
)

from rulelang.rules.ruleset import load_ruleset
from rulelang.rules.validate import DIRECTIVES

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
    assert collect(REQ, "set_cache_settings", params)[0] == []
    load_ruleset({"phase": REQ, "rules": [{"expression": "true", "action": "set_cache_settings",
                                           "action_parameters": params}]}, plan="enterprise")


@pytest.mark.parametrize("action, params", VALID_RESPONSE)
def test_valid_response_parameters_are_accepted(action, params):
    assert collect(RESP, action, params)[0] == []
    load_ruleset({"phase": RESP, "rules": [{"expression": "true", "action": action,
                                            "action_parameters": params}]})


def test_integral_floats_and_tags_are_normalised():
    _, out = collect(REQ, "set_cache_settings",
                      {"edge_ttl": {"mode": "override_origin", "default": 60.0,
                                    "status_code_ttl": [{"status_code": 200.0, "value": 5.0}]},
                       "read_timeout": 30.0})
    assert out == {"edge_ttl": {"mode": "override_origin", "default": 60,
                                "status_code_ttl": [{"status_code": 200, "value": 5}]},
                   "read_timeout": 30}
    assert type(out["read_timeout"]) is int
    _, tags = collect(RESP, "set_cache_tags", {"operation": "add", "values": [" a ", "b"]})
    assert tags["values"] == ["a", "b"]


def test_every_problem_of_one_rule_is_reported():
    found, _ = collect(REQ, "set_cache_settings", {
        "cache": "yes", "edge_ttl": {"mode": "override_origin", "default": -1},
        "browser_ttl": {"default": 5}, "cache_reserve": {"enabled": True},
        "read_timeout": -1, "bogus": 1})
    assert sorted(found) == sorted([
        ("RS302", "p.cache"), ("RS313", "p.edge_ttl.default"), ("RS318", "p.browser_ttl"),
        ("RS324", "p.cache_reserve.enabled"), ("RS324", "p.cache_reserve"),
        ("RS325", "p.read_timeout"), ("RS301", "p.bogus")])


# ----------------------------------------------------------------------------- normalisation

@pytest.mark.parametrize("given, normalized", [
    ({"include": "*"}, {"include": {"all": True}}),
    ({"exclude": "*"}, {"exclude": {"all": True}}),
    ({"include": ["*"]}, {"include": {"all": True}}),
    ({"exclude": ["*"]}, {"exclude": {"all": True}}),
    ({"include": {"list": ["*"]}}, {"include": {"all": True}}),
    ({"include": ["page", "lang"]}, {"include": {"list": ["page", "lang"]}}),
    ({"exclude": ["utm_source"]}, {"exclude": {"list": ["utm_source"]}}),
    ({"exclude": {"all": True}}, {"exclude": {"all": True}}),
])
def test_pd29f_query_string_spellings(given, normalized):
    rs = load_ruleset(one_rule(custom_key(query_string=given)))
    assert rs.rules[0].action_parameters["cache_key"]["custom_key"]["query_string"] == \
        normalized


def test_integral_numbers_are_normalised_to_int():
    rs = load_ruleset(one_rule({"max-age": {"operation": "set", "value": 60.0},
                             "s-maxage": {"operation": "set", "value": 1e3,
                                          "cloudflare_only": True}}, RESP, CC))
    params = rs.rules[0].action_parameters
    assert params == {"max-age": {"operation": "set", "value": 60},
                      "s-maxage": {"operation": "set", "value": 1000, "cloudflare_only": True}}
    assert all(type(e["value"]) is int for e in params.values())


@pytest.mark.parametrize("legacy, normalized", [
    ({"include": "*"}, {"include": {"all": True}}),
    ({"include": ["*"]}, {"include": {"all": True}}),
    ({"exclude": "*"}, {"exclude": {"all": True}}),
    ({"exclude": ["utm_source", "fbclid"]}, {"exclude": {"list": ["utm_source", "fbclid"]}}),
    ({"include": {"list": ["page"]}}, {"include": {"list": ["page"]}}),
])
def test_legacy_query_string_forms_are_normalized(legacy, normalized):
    rs = load_ruleset({"phase": REQ, "rules": [
        {"expression": "true", "action": "set_cache_settings",
         "action_parameters": {"cache_key": {"custom_key": {"query_string": legacy}}}}]})
    assert rs.rules[0].action_parameters["cache_key"]["custom_key"]["query_string"] == normalized
