"""Plans (cache-phases §2, V15, V31, rule limits): the features and minimums of each plan,
enforced only when a plan is given."""

from __future__ import annotations

import pytest
from support.rulesets import (
    EDGE,
    REQ,
    SCT,
    P,
    collect,
    custom_key,
    edge,
    one_rule,
    problems,
)

from rulelang.rules.ruleset import load_ruleset

# V31: plan gating, only with a plan
GATED = [
    ("origin_cache_control", {"origin_cache_control": False}, P + ".origin_cache_control"),
    ("read_timeout", {"read_timeout": 100}, P + ".read_timeout"),
    ("ports", {"additional_cacheable_ports": [8443]}, P + ".additional_cacheable_ports"),
    ("status_code_ttl", edge({"status_code": 200, "value": 1}), SCT),
    ("query_string include all", custom_key(query_string={"include": {"all": True}}),
     P + ".cache_key.custom_key.query_string"),
    ("query_string include list", custom_key(query_string={"include": ["a"]}),
     P + ".cache_key.custom_key.query_string"),
    ("query_string exclude list", custom_key(query_string={"exclude": {"list": ["utm"]}}),
     P + ".cache_key.custom_key.query_string"),
    ("header", custom_key(header={"include": ["x-v"]}), P + ".cache_key.custom_key.header"),
    ("cookie", custom_key(cookie={"include": ["s"]}), P + ".cache_key.custom_key.cookie"),
    ("user", custom_key(user={"geo": True}), P + ".cache_key.custom_key.user"),
    ("host", custom_key(host={"resolved": False}), P + ".cache_key.custom_key.host"),
]


@pytest.mark.parametrize("plan", ["free", "pro", "business"])
@pytest.mark.parametrize("params, path", [g[1:] for g in GATED], ids=[g[0] for g in GATED])
def test_v31_enterprise_features_are_gated_only_with_a_plan(params, path, plan):
    assert problems(one_rule(params), plan) == {("RS327", path)}
    assert problems(one_rule(params), "enterprise") == set()
    assert problems(one_rule(params)) == set()


@pytest.mark.parametrize("plan", ["free", "pro", "business", "enterprise"])
@pytest.mark.parametrize("params", [
    custom_key(query_string={"exclude": {"all": True}}), custom_key(query_string={"exclude": "*"}),
    custom_key(query_string={"exclude": ["*"]}),
    {"cache_key": {"ignore_query_strings_order": True, "cache_deception_armor": True,
                   "cache_by_device_type": True}},
    {"cache_reserve": {"eligible": True, "minimum_file_size": 1024}},
    {"serve_stale": {"disable_stale_while_updating": True}},
    {"browser_ttl": {"mode": "override_origin", "default": 1}},
    {"edge_ttl": {"mode": "bypass_by_default"}},
])
def test_features_of_every_plan(params, plan):
    assert problems(one_rule(params), plan) == set()


@pytest.mark.parametrize("plan, minimum", [("free", 7200), ("pro", 3600), ("business", 0),
                                           ("enterprise", 0), (None, 0)])
def test_v15_edge_ttl_default_at_the_plan_minimum(plan, minimum):
    at = one_rule({"edge_ttl": {"mode": "override_origin", "default": minimum}})
    below = one_rule({"edge_ttl": {"mode": "override_origin", "default": minimum - 1}})
    assert problems(at, plan) == set()
    assert problems(below, plan) == {("RS313", EDGE + ".default")}


@pytest.mark.parametrize("params", [
    {"cache": True}, {"edge_ttl": {"mode": "override_origin", "default": 7200}},
    {"cache_key": {"custom_key": {"query_string": {"exclude": {"all": True}}}}},
    {"cache_key": {"custom_key": {"query_string": {"exclude": "*"}}}},
    {"browser_ttl": {"mode": "override_origin", "default": 1}},
])
def test_free_plan_features(params):
    assert collect(REQ, "set_cache_settings", params, plan="free")[0] == []


@pytest.mark.parametrize("plan, default, ok", [
    ("free", 7199, False), ("free", 7200, True), ("pro", 3599, False), ("pro", 3600, True),
    ("business", 1, True), ("enterprise", 1, True), (None, 0, True), (None, -1, False),
])
def test_edge_ttl_plan_minimum(plan, default, ok):
    found, _ = collect(REQ, "set_cache_settings",
                        {"edge_ttl": {"mode": "override_origin", "default": default}}, plan)
    assert (found == []) is ok
    assert all(code == "RS313" for code, _ in found)


@pytest.mark.parametrize("plan, count", [("free", 0), ("pro", 0), ("business", 0)])
def test_plan_gating_only_with_a_plan(plan, count):
    params = {"origin_cache_control": True}
    assert len(collect(REQ, "set_cache_settings", params)[0]) == count
    assert [c for c, _ in collect(REQ, "set_cache_settings", params, plan)[0]] == ["RS327"]


@pytest.mark.parametrize("limit, plan", [(10, "free"), (25, "pro"), (50, "business"),
                                         (300, "enterprise"), (300, None)])
def test_rule_limits_count_disabled_rules(limit, plan):
    rule = {"expression": "true", "action": "set_cache_settings",
            "action_parameters": {"cache": True}, "enabled": False}
    load_ruleset({"phase": REQ, "rules": [rule] * limit}, plan=plan)
    with pytest.raises(Exception) as info:
        load_ruleset({"phase": REQ, "rules": [rule] * (limit + 1)}, plan=plan)
    assert [d.code for d in info.value.diagnostics] == ["RS102"]
