"""The reasons of a decision name the rule that decided each part (id, ref or index), and a
rule's label reads as in the reasons."""

from __future__ import annotations

import pytest
from support.decision import make_request, make_response
from support.engine_runs import DATE, REQUEST, evaluate, rule

from rulelang.cache.decision import RuleRef, decide
from rulelang.cache.zone import Zone
from rulelang.http.messages import Request, Response


def _reasons(**kwargs) -> list[str]:
    return evaluate(**kwargs)["reasons"]


def test_reasons_name_the_browser_ttl_rule():
    reasons = _reasons(headers={"Cache-Control": "max-age=60"},
                       rules=[rule("first", browser_ttl={"mode": "override_origin",
                                                         "default": 10}),
                              rule("second", browser_ttl={"mode": "override_origin",
                                                          "default": 600})])
    assert any("raised to 600" in r and 'rule 1 (ref "second")' in r for r in reasons)


def test_reasons_name_the_edge_ttl_rule_and_cookie_removal():
    reasons = _reasons(url="https://example.com/login", headers={"Set-Cookie": "a=1"},
                       rules=[rule("eligible", cache=True),
                              rule("ttl", edge_ttl={"mode": "override_origin",
                                                    "default": 60})])
    assert any(r.startswith("edge TTL 60") and 'rule 1 (ref "ttl")' in r for r in reasons)
    assert any(r.startswith("Set-Cookie") and 'rule 1 (ref "ttl")' in r for r in reasons)
    assert any('rule 0 (ref "eligible") made the request eligible' in r for r in reasons)


def test_reasons_name_the_bypass_by_default_rule():
    reasons = _reasons(url="https://example.com/a.html",
                       rules=[rule("cache", cache=True),
                              rule("nodefault", edge_ttl={"mode": "bypass_by_default"})])
    assert any("bypass_by_default" in r and 'rule 1 (ref "nodefault")' in r for r in reasons)


def test_reasons_name_the_deception_armor_rule():
    reasons = _reasons(url="https://example.com/a.jpg", headers={"Content-Type": "text/html"},
                       rules=[rule("armor", cache_key={"cache_deception_armor": True})])
    assert any("Cache Deception Armor" in r and 'rule 0 (ref "armor")' in r for r in reasons)


def test_reasons_name_the_rules_that_shape_the_key():
    reasons = _reasons(url="https://example.com/a.png?a=1",
                       rules=[rule("qs", cache_key={"custom_key": {
                           "query_string": {"exclude": {"all": True}}}}),
                              rule("dev", cache_key={"cache_by_device_type": True})])
    line = next(r for r in reasons if r.startswith("cache key "))
    assert 'custom_key.query_string of rule 0 (ref "qs")' in line
    assert 'cache_by_device_type of rule 1 (ref "dev")' in line


def test_reasons_name_the_occ_rule_and_the_forcing_response_rule():
    reasons = _reasons(rules=[rule("occ-off", origin_cache_control=False)],
                       response_rules=[{"ref": "tagger", "expression": "true",
                                        "action": "set_cache_tags",
                                        "action_parameters": {"operation": "add",
                                                              "values": ["t"]}}])
    assert any("forced on" in r and 'response rule 0 (ref "tagger")' in r for r in reasons)


def test_reasons_name_the_port_rule():
    reasons = _reasons(url="https://example.com:8443/a.png",
                       rules=[rule("ports", additional_cacheable_ports=[8443])])
    assert any("8443" in r and 'rule 0 (ref "ports")' in r for r in reasons)


def test_decide_names_sources_it_is_given():
    request = Request(method="GET", url="https://example.com/a.html")
    response = Response(status=200, headers={"Date": DATE})
    ref = RuleRef(REQUEST, 4, ref="bypass")
    decision = decide(request, response, zone=Zone(), request_settings={"cache": False},
                      request_rules=[ref], setting_sources={"cache": ref})
    assert any('rule 4 (ref "bypass") bypasses the cache' in r for r in decision["reasons"])


def test_rule_names_appear_in_reasons():
    rule = RuleRef("http_request_cache_settings", 2, ref="static")
    request = make_request({"method": "GET", "url": "https://example.com/a.html"})
    d = decide(request, make_response({"status": 200}), zone=Zone(),
               request_settings={"cache": True}, request_rules=[rule],
               setting_sources={"cache": rule})
    assert 'rule 2 (ref "static") made the request eligible for cache (cache: true)' in \
        d["reasons"]


@pytest.mark.parametrize("ref, label", [
    (RuleRef("http_request_cache_settings", 0), "rule 0"),
    (RuleRef("request", 1, id="abc"), 'rule 1 (id "abc")'),
    (RuleRef("response", 3, description="tags"), 'response rule 3 ("tags")'),
    (RuleRef("http_response_cache_settings", 1, "i", "r", "d"), 'response rule 1 (ref "r")'),
])
def test_rule_label(ref, label):
    assert ref.label() == label
    assert set(ref.to_dict()) == {"index", "id", "ref", "description"}
