"""``lint``: diagnostics for files, dicts and expressions, never an exception."""

from __future__ import annotations

import pytest
from support.paths import RULESETS

from rulelang import Diagnostic
from rulelang.linter import lint

CORPUS = RULESETS
REQ = "http_request_cache_settings"


def rule(expression, params, **extra):
    return {"expression": expression, "action": "set_cache_settings",
            "action_parameters": params, **extra}


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.iterdir()
                                        if p.name != "broken.yaml"))
def test_corpus_rule_sets_are_clean(name):
    assert lint(str(CORPUS / name)) == []


@pytest.mark.parametrize("target, phase, codes", [
    ('http.host eq "a.com"', "request", []),
    ('http.host eq "a.com"', "http_request_cache_settings", []),
    ("http.response.code eq 200", "request", ["RL203"]),
    ("http.response.code eq 200", "response", []),
    ('http.hots eq "a"', "response", ["RL201"]),
    ('http.request.uri.path starts_with "/a"', "request", ["RL501"]),
    ("true", "firewall", ["RS006"]),
])
def test_lint_an_expression(target, phase, codes):
    assert [d.code for d in lint(target, phase)] == codes


@pytest.mark.parametrize("target, codes", [
    ("/no/such/file.json", ["RS001"]),
    ({"phase": REQ, "rules": [rule("true", {"cache": 1})]}, ["RS302"]),
    ({"rules": []}, ["RS006"]),
    (42, ["RS005"]),
])
def test_lint_never_raises(target, codes):
    found = lint(target)
    assert all(isinstance(d, Diagnostic) for d in found)
    assert [d.code for d in found] == codes


def test_unknown_plan_is_a_diagnostic():
    assert [d.code for d in lint(str(CORPUS / "request.json"), plan="gold")] == ["RS106"]


def test_plan_gating_through_lint():
    codes = [d.code for d in lint(str(CORPUS / "request.json"), plan="pro")]
    assert codes and set(codes) == {"RS327"}


@pytest.mark.parametrize("rules, flagged", [
    ([rule("true", {"cache": True}), rule("true", {"cache": False})], [0]),
    ([rule('http.host eq "a"', {"cache": True, "respect_strong_etags": True}),
      rule("true", {"cache": False})], []),
    ([rule('http.host eq "a"', {"cache": True}), rule('http.host eq "b"', {"cache": False})], []),
    ([rule('http.host eq "a"', {"cache": True}),
      rule("true", {"cache": False}, enabled=False)], []),
    ([rule("true", {"edge_ttl": {"mode": "respect_origin"}}),
      rule("(true)", {"edge_ttl": {"mode": "bypass_by_default"}, "cache": True})], [0]),
])
def test_rules_that_never_take_effect(rules, flagged):
    found = lint({"phase": REQ, "rules": rules})
    assert [d.location.path for d in found if d.code == "RS207"] == \
        [f"rules[{i}]" for i in flagged]


def test_findings_are_sorted_by_position(tmp_path):
    path = tmp_path / "r.json"
    path.write_text('{"phase": "request", "rules": [\n'
                    '  {"expression": "true", "action": "set_cache_settings", '
                    '"action_parameters": {"cache": 2}},\n'
                    '  {"expression": "http.hots eq 1", "action": "set_cache_settings", '
                    '"action_parameters": {"cache": true}}\n]}\n')
    lines = [d.location.line for d in lint(str(path))]
    assert lines == sorted(lines) and len(lines) == 2


def test_package_level_lint_is_the_function_after_importing_the_module():
    import rulelang
    import rulelang.linter
    assert [d.code for d in rulelang.lint("/no/such/file.json")] == ["RS001"]
