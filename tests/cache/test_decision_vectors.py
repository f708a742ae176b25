"""The worked examples W01–W67 and the cache-key examples K1–K6 of cache-phases §5."""

from __future__ import annotations

import pytest
from support.decision import (
    decide_vector,
    load,
    make_request,
    make_response,
    reference_expression,
)

from rulelang.cache.eligibility import request_facts
from rulelang.cache.key import cache_key
from rulelang.cache.zone import Zone
from rulelang.engine import Engine
from rulelang.language.expression import compile_expression

VECTORS = load("vectors.json")
KEYS = load("cache_keys.json")
EXPECTED_KEYS = ("eligible", "cache_status", "edge_ttl", "browser_cache_control", "cache_tags",
                 "stripped_headers")


def _ids(vectors):
    return [f"W{i + 1:02d}-{v['name']}" for i, v in enumerate(vectors)]


def test_every_worked_example_is_transcribed():
    assert len(VECTORS) == 67
    for vector in VECTORS:
        assert set(vector) == {"name", "request", "response", "request_rules", "response_rules",
                               "expected", "source", "confidence"}
        assert set(vector["expected"]) <= set(EXPECTED_KEYS)


@pytest.mark.parametrize("vector", VECTORS, ids=_ids(VECTORS))
def test_worked_example(vector):
    decision = decide_vector(vector)
    got = {k: decision[k] for k in vector["expected"]}
    assert got == vector["expected"], "\n".join(decision["reasons"])


@pytest.mark.parametrize("vector", VECTORS, ids=_ids(VECTORS))
def test_worked_example_through_engine(vector):
    rulesets = [{"kind": "zone", "phase": phase, "rules": vector[key]}
                for phase, key in (("http_request_cache_settings", "request_rules"),
                                   ("http_response_cache_settings", "response_rules"))]
    engine = Engine(rulesets, zone={})
    outcome = engine.evaluate(make_request(vector["request"]), make_response(vector["response"]))
    decision = outcome.to_dict()["decision"]
    assert {k: decision[k] for k in vector["expected"]} == vector["expected"]


@pytest.mark.parametrize("vector", VECTORS, ids=_ids(VECTORS))
def test_worked_example_explains_itself(vector):
    decision = decide_vector(vector)
    assert decision["reasons"]
    assert all(isinstance(r, str) and r for r in decision["reasons"])
    for i, rule in enumerate(vector["request_rules"]):
        if rule.get("enabled", True) is False:
            assert not any(r.startswith(f"rule {i} ") for r in decision["reasons"])


@pytest.mark.parametrize("case", KEYS, ids=[c["id"] for c in KEYS])
def test_cache_key_example(case):
    zone = Zone.from_dict(case.get("zone"))
    request = make_request(case["request"])
    notes: list[str] = []
    facts = request_facts(request, notes)
    assert cache_key(request, facts, case["settings"].get("cache_key", {}), zone, notes) == \
        case["key"]


@pytest.mark.parametrize("vector", VECTORS, ids=_ids(VECTORS))
def test_reference_evaluator_agrees_with_compiler(vector):
    request = make_request(vector["request"])
    response = make_response(vector["response"])
    for phase, key in (("http_request_cache_settings", "request_rules"),
                       ("http_response_cache_settings", "response_rules")):
        for rule in vector[key]:
            compiled = compile_expression(rule["expression"], phase=phase)
            seen = response if key == "response_rules" else None
            assert compiled.matches(request, seen) == \
                reference_expression(rule["expression"]).matches(request, seen)
