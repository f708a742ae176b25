"""Zone settings (cache-phases §4, PD-01): defaults and aliases, bad settings as
RuleLangError, the size limit, and the effective Origin Cache Control per plan."""

from __future__ import annotations

import pytest
from support.engine_runs import evaluate, rule

from rulelang.cache.zone import Zone
from rulelang.errors import RuleLangError


def test_size_limit_is_a_zone_setting():
    decision = evaluate(headers={"Content-Length": "1001"}, zone={"max_cacheable_size": 1000})
    assert (decision["edge_ttl"], decision["cache_status"]) == (None, "MISS")
    decision = evaluate(headers={"Content-Length": "1000"}, zone={"max_cacheable_size": 1000})
    assert decision["edge_ttl"] == 7200


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


@pytest.mark.parametrize("d", [
    {"plann": "free"}, {"plan": "gold"}, {"browser_cache_ttl": "4h"},
    {"browser_cache_ttl": -1}, {"origin_cache_control": "yes"}, {"ssl_mode": "tls"},
    {"uncacheable_ports": 8443}, {"uncacheable_ports": [0]}, {"clock": "yesterday"},
    {"query_string_sort": 1}, [], "enterprise",
])
def test_zone_rejects_bad_settings(d):
    with pytest.raises(RuleLangError):
        Zone.from_dict(d)


def test_zone_aliases_and_defaults():
    zone = Zone.from_dict({"caching_level": "simplified", "ssl_mode": "Full_Strict",
                           "uncacheable_ports": [8080], "clock": 0})
    assert (zone.caching_level, zone.ssl_mode) == ("ignore_query_string", "strict")
    assert zone.uncacheable_ports == frozenset({8080}) and zone.clock.year == 1970
    assert Zone.from_dict(None) == Zone() and Zone().default_occ is False
