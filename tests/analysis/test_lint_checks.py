"""The lint catalogue: every check has a case that triggers it and a near miss that does not.

Expression checks (RL52x, RL54x) run through ``compile_expression``; settings (RS4xx) and
rule-set checks (RS207, RS5xx) through ``lint`` on a rule-set dict.  The "Fixed:" example of
every lint section in docs/diagnostics.md must not produce its code.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support.paths import DOCS, EXAMPLE, RULESETS

from rulelang import compile_expression, lint
from rulelang.codes import CODES

# code, expression that triggers it, a near miss that must not
EXPRESSION_CASES = [
    ("RL520", 'http.request.uri.path eq "static/app.js"', 'http.request.uri.path eq "/static/app.js"'),
    ("RL520", 'starts_with(http.request.uri.path, "api/")', 'starts_with(http.request.uri.path, "/api/")'),
    ("RL520", 'http.request.uri.path in {"/a" "b"}', 'http.request.uri.path in {"/a" "/b"}'),
    ("RL520", 'http.request.uri.path wildcard "img/*"', 'http.request.uri.path wildcard "*/img/*"'),
    ("RL520", 'http.request.uri.path ne "a"', 'ends_with(http.request.uri.path, "a")'),
    ("RL521", 'http.host eq "https://example.com"', 'http.host eq "example.com"'),
    ("RL521", 'http.host eq "example.com/"', 'http.host eq "example.com"'),
    ("RL521", 'http.host in {"example.com:443"}', 'http.host in {"example.com"}'),
    ("RL521", 'http.host contains "http://"', 'http.host contains "example"'),
    ("RL522", 'http.request.full_uri eq "/index.html"', 'http.request.full_uri eq "https://a.com/index.html"'),
    ("RL522", 'starts_with(http.request.full_uri, "www.a.com")', 'starts_with(http.request.full_uri, "https://www.a.com")'),
    ("RL522", 'http.request.full_uri wildcard "a.com/*"', 'http.request.full_uri wildcard "*a.com/*"'),
    ("RL523", 'http.request.uri.query eq "?a=1"', 'http.request.uri.query eq "a=1"'),
    ("RL523", 'starts_with(http.request.uri.query, "?v=")', 'starts_with(http.request.uri.query, "v=")'),
    ("RL524", 'http.request.uri.path contains "/img/*"', 'http.request.uri.path contains "/img/"'),
    ("RL524", 'ends_with(http.request.uri.path, "*.png")', 'ends_with(http.request.uri.path, ".png")'),
    ("RL524", 'http.host eq "?.example.com"', 'http.host eq "www.example.com"'),
    ("RL524", 'http.request.uri.path eq "/a?b=1"', 'http.request.uri eq "/a?b=1"'),
    ("RL525", 'http.request.uri.path eq "^/api/"', 'http.request.uri.path eq "/api/"'),
    ("RL525", 'http.host in {"www\\\\.a\\\\.com"}', 'http.host in {"www.a.com"}'),
    ("RL525", 'http.request.uri.path ne "/a/.*"', 'http.request.uri.path ne "/a/"'),
    ("RL526", 'http.request.uri.path matches "/static/*"', 'http.request.uri.path matches "^/static/.*"'),
    ("RL526", 'http.request.uri.path matches "^/img/*$"', 'http.request.uri.path matches "^/img/[^/]*$"'),
    ("RL527", 'http.response.content_type.media_type eq "Application/JSON"', 'http.response.content_type.media_type eq "application/json"'),
    ("RL527", 'http.response.content_type.media_type in {"text/HTML"}', 'lower(http.response.content_type.media_type) in {"text/html"}'),
    ("RL510", 'http.request.uri.path matches ".*"', 'http.request.uri.path matches ".+"'),
    ("RL510", 'http.host matches "^.*"', 'http.host matches "^.*$"'),
    ("RL540", 'http.request.method in {"GET" "HEAD" "GET"}', 'http.request.method in {"GET" "HEAD"}'),
    ("RL540", 'http.response.code in {200 301 200}', 'http.response.code in {200 301}'),
    ("RL541", 'http.host eq "a.com" and http.host eq "b.com"', 'http.host eq "a.com" or http.host eq "b.com"'),
    ("RL541", 'http.host eq "a.com" and not http.host in {"a.com"}', 'http.host eq "a.com" and not http.host in {"b.com"}'),
    ("RL541", 'http.request.uri.path eq "/a" and starts_with(http.request.uri.path, "/b")',
     'http.request.uri.path eq "/b/1" and starts_with(http.request.uri.path, "/b")'),
    ("RL541", 'http.host in {"a" "b"} and http.host ne "a" and http.host ne "b"',
     'http.host in {"a" "b"} and http.host ne "a"'),
    ("RL542", 'http.host ne "a.com" or http.host ne "b.com"', 'http.host ne "a.com" and http.host ne "b.com"'),
    ("RL542", 'http.host eq "a.com" or not http.host in {"a.com"}', 'http.host eq "a.com" or not http.host in {"b.com"}'),
    ("RL543", "false", "true"),
    ("RL544", 'http.host matches "^www.example.com$"', 'http.host matches "^www\\\\.example\\\\.com$"'),
    ("RL544", 'lower(http.host) matches "cdn.example"', 'lower(http.host) matches "cdn[.]example"'),
]


def _codes(source: str) -> list[str]:
    return [d.code for d in compile_expression(source, phase="response").diagnostics]


@pytest.mark.parametrize("code, bad, good", EXPRESSION_CASES,
                         ids=[f"{c}-{i}" for i, (c, *_) in enumerate(EXPRESSION_CASES)])
def test_expression_check_fires_on_the_mistake_and_not_on_the_fix(code, bad, good):
    assert code in _codes(bad)
    assert code not in _codes(good)


def test_every_expression_lint_code_has_a_case():
    lint_codes = {c for c in CODES if c.startswith(("RL52", "RL54"))}
    assert lint_codes <= {c for c, *_ in EXPRESSION_CASES}


def _rules(*rules: dict, phase: str = "http_request_cache_settings") -> dict:
    return {"phase": phase, "rules": list(rules)}


def _rule(expression: str, description: str = "", **params) -> dict:
    rule = {"expression": expression, "action": "set_cache_settings",
            "action_parameters": params}
    if description:
        rule["description"] = description
    return rule


def _control(**directives) -> dict:
    return {"expression": "true", "action": "set_cache_control",
            "action_parameters": {k.replace("_", "-"): v for k, v in directives.items()}}


_EDGE = {"mode": "override_origin", "default": 3600}
_RESPONSE = "http_response_cache_settings"

RULESET_CASES = [
    ("RS401", _rules(_rule('http.host eq "a.com"', cache=False, edge_ttl=_EDGE)),
     _rules(_rule('http.host eq "a.com"', cache=False))),
    ("RS401", _rules(_rule("true", cache=False, cache_key={"cache_deception_armor": True})),
     _rules(_rule("true", cache=False, cache_key={"cache_deception_armor": True}),
            _rule('http.request.uri.path.extension eq "css"', cache=True))),
    ("RS402", _rules(_rule('http.request.method in {"POST" "PUT"}', cache=True)),
     _rules(_rule('http.request.method in {"POST" "GET"}', cache=True))),
    ("RS402", _rules(_rule('http.request.method eq "PURGE" and http.host eq "a"', cache=True)),
     _rules(_rule('http.request.method ne "PURGE"', cache=True))),
    ("RS403", _rules(_control(no_store={"operation": "set"},
                              s_maxage={"operation": "set", "value": 60}), phase=_RESPONSE),
     _rules(_control(no_store={"operation": "set"},
                     s_maxage={"operation": "remove"}), phase=_RESPONSE)),
    ("RS403", _rules(_control(public={"operation": "set"}, private={"operation": "set"}),
                     phase=_RESPONSE),
     _rules(_control(public={"operation": "set"}), phase=_RESPONSE)),
    ("RS404", _rules(_rule("true", cache=True, browser_ttl={"mode": "override_origin",
                                                            "default": 40_000_000})),
     _rules(_rule("true", cache=True, browser_ttl={"mode": "override_origin",
                                                   "default": 31_536_000}))),
    ("RS404", _rules(_rule("true", edge_ttl={"mode": "respect_origin", "status_code_ttl": [
        {"status_code": 200, "value": 99_999_999}]})),
     _rules(_rule("true", edge_ttl={"mode": "respect_origin", "status_code_ttl": [
         {"status_code": 200, "value": 86_400}]}))),
    ("RS405", _rules(_rule("true", cache_key={"custom_key": {"header": {
        "include": ["True-Client-IP"]}}})),
     _rules(_rule("true", cache_key={"custom_key": {"header": {"include": ["x-device"]}}}))),
    # the catch-all placed last cancels the rule above it
    ("RS207", _rules(_rule('http.request.uri.path.extension eq "css"', cache=True),
                     _rule("true", cache=False)),
     _rules(_rule("true", cache=False),
            _rule('http.request.uri.path.extension eq "css"', cache=True))),
    # a broader rule below a narrow one overrides its TTL, and only its TTL
    ("RS501", _rules(_rule('starts_with(http.request.uri.path, "/img/")', cache=True,
                           edge_ttl={"mode": "override_origin", "default": 86400}),
                     _rule('http.request.uri.path wildcard "/img/*"', edge_ttl=_EDGE)),
     _rules(_rule('http.request.uri.path wildcard "/img/*"', edge_ttl=_EDGE),
            _rule('starts_with(http.request.uri.path, "/img/")', cache=True,
                  edge_ttl={"mode": "override_origin", "default": 86400}))),
    # two later rules together cover it
    ("RS207", _rules(_rule('http.request.method in {"GET" "HEAD"}', cache=True),
                     _rule('http.request.method eq "GET"', cache=False),
                     _rule('http.request.method ne "GET"', cache=False)),
     _rules(_rule('http.request.method in {"GET" "HEAD"}', cache=True),
            _rule('http.request.method eq "GET"', cache=False),
            _rule('http.request.method eq "POST"', cache=False))),
    ("RS502", _rules(_rule('http.response.code eq 200 and http.response.code gt 300',
                           strip_etags=True), phase=_RESPONSE),
     _rules(_rule('http.response.code eq 200 or http.response.code gt 300',
                  strip_etags=True), phase=_RESPONSE)),
    ("RS502", _rules(_rule('http.request.uri.path matches "^/a$" and '
                           'http.request.uri.path wildcard "/b*"', cache=True)),
     _rules(_rule('http.request.uri.path matches "^/b" and '
                  'http.request.uri.path wildcard "/b*"', cache=True))),
    ("RS503", _rules(_rule('http.host eq "a.com"', cache=True), _rule("true", cache=False)),
     _rules(_rule('http.host eq "a.com"', cache=True), _rule("true", edge_ttl=_EDGE))),
    ("RS503", _rules(_rule('http.host eq "a.com"', cache=True),
                     _rule('http.host eq "a.com" or http.host ne "a.com"', cache=False)),
     _rules(_rule('http.host eq "a.com"', cache=True),
            _rule('http.host eq "b.com" or http.host ne "a.com"', cache=False))),
    ("RS504", _rules(_rule('http.host eq "a.com"', cache=True),
                     _rule('(http.host eq "a.com")', edge_ttl=_EDGE)),
     _rules(_rule('http.host eq "a.com"', cache=True),
            _rule('http.host eq "b.com"', edge_ttl=_EDGE))),
    ("RS505", _rules(_rule('http.host eq "a.com"', cache=True),
                     _rule('http.host eq "a.com" and http.request.headers["x-a"][0] eq "1"',
                           cache=False)),
     _rules(_rule('http.host eq "a.com"', cache=True),
            _rule('http.host eq "b.com" and http.request.headers["x-a"][0] eq "1"',
                  cache=False))),
    ("RS506", _rules(_rule('http.request.uri.path wildcard "/img/*"', cache=True),
                     _rule('starts_with(http.request.uri.path, "/img/")', cache=False)),
     _rules(_rule('starts_with(http.request.uri.path, "/img/")', cache=True),
            _rule('http.request.uri.path wildcard "/img/*"', cache=False))),
    ("RS505", _rules(_rule('http.host eq "a.com"', cache=True),
                     _rule('http.host eq "a.com" and not any(http.request.headers.names[*] eq '
                           '"x-debug")', cache=False)),
     _rules(_rule('http.host eq "a.com"', cache=True),
            _rule('http.host eq "a.com" and not any(http.request.headers.names[*] eq '
                  '"x-debug")', edge_ttl=_EDGE))),
    # lower() is encoded exactly: a lower-cased comparison covers the exact one
    ("RS207", _rules(_rule('http.host eq "a.com"', cache=True),
                     _rule('lower(http.host) eq "a.com"', cache=False)),
     _rules(_rule('http.host eq "A.com"', cache=True),
            _rule('lower(http.host) eq "A.com"', cache=False))),
]


@pytest.mark.parametrize("code, bad, good", RULESET_CASES,
                         ids=[f"{c}-{i}" for i, (c, *_) in enumerate(RULESET_CASES)])
def test_rule_set_check_fires_on_the_mistake_and_not_on_the_fix(code, bad, good):
    assert code in [d.code for d in lint(bad)]
    assert code not in [d.code for d in lint(good)]


def test_every_rule_set_lint_code_has_a_case():
    lint_codes = {c for c in CODES if c.startswith(("RS4", "RS5"))} | {"RS207"}
    assert lint_codes <= {c for c, *_ in RULESET_CASES}


def test_the_overriding_rule_and_the_unit_are_named():
    found = lint(_rules(_rule('starts_with(http.request.uri.path, "/img/")', "images",
                              cache=True, edge_ttl={"mode": "override_origin", "default": 9}),
                        _rule('http.request.uri.path wildcard "/img/*"', "all images",
                              edge_ttl=_EDGE)))
    (d,) = [d for d in found if d.code == "RS501"]
    assert d.message == ('the edge_ttl setting of rule 0 ("images") never takes effect: '
                         'rule 1 ("all images") matches every request it matches and sets '
                         "edge_ttl afterwards")
    assert 'below rule 1 ("all images")' in d.hint
    assert d.location.path == "rules[0]"


def test_a_case_insensitive_wildcard_does_not_cover_a_case_sensitive_prefix():
    # wildcard folds case, starts_with does not: /IMG/x is matched by the first only
    found = lint(_rules(_rule('http.request.uri.path wildcard "/img/*"', cache=True),
                        _rule('starts_with(http.request.uri.path, "/img/")', cache=False)))
    assert "RS207" not in [d.code for d in found]


def test_disabled_rules_neither_override_nor_are_overridden():
    last = _rule("true", cache=False)
    last["enabled"] = False
    found = lint(_rules(_rule('http.host eq "a.com"', cache=True), last))
    assert not [d for d in found if d.code in ("RS207", "RS503")]


# --------------------------------------------------------------------------- the docs


def _fixed_examples() -> list[tuple[str, str, str]]:
    text = (DOCS / "diagnostics.md").read_text("utf-8")
    out = []
    for m in re.finditer(r"^## (\S+) — .*?(?=^## |\Z)", text, re.MULTILINE | re.DOTALL):
        for info, body in re.findall(r"^```(\w+) fixed\n(.*?)^```$", m.group(0),
                                     re.MULTILINE | re.DOTALL):
            out.append((m.group(1), info, body))
    return out


FIXED = _fixed_examples()


def test_every_lint_section_has_a_fixed_example():
    lint_codes = {c for c in CODES if c.startswith(("RL52", "RL54", "RS4", "RS5"))}
    assert lint_codes | {"RS207"} <= {code for code, *_ in FIXED}


@pytest.mark.parametrize("code, info, body", FIXED, ids=[c for c, *_ in FIXED])
def test_fixed_example_in_the_docs_is_clean(code, info, body, tmp_path):
    if info == "expression":
        found = compile_expression(body.strip(), phase="response").diagnostics
    else:
        path = tmp_path / f"rules.{info}"
        path.write_text(body, "utf-8")
        found = lint(str(path))
    assert code not in [d.code for d in found]
    assert not [d for d in found if d.severity in ("error", "warning")]


# --------------------------------------------------------------------------- no false alarms


def _rule_files() -> list[Path]:
    files = sorted(EXAMPLE.glob("*.json")) + sorted(p for p in RULESETS.iterdir()
                                                     if p.name != "broken.yaml"
                                                     and p.suffix in (".json", ".yaml", ".tf"))
    return files


@pytest.mark.parametrize("path", _rule_files(), ids=lambda p: p.name)
def test_valid_real_rule_files_get_no_lint_warning(path):
    found = lint(str(path))
    assert [(d.code, d.message) for d in found if d.severity != "info"] == []


def test_without_the_solver_only_catch_alls_count_and_lint_says_so(monkeypatch):
    from rulelang.analysis import overrides
    monkeypatch.setattr(overrides, "_z3_available", lambda: False)
    found = lint(_rules(_rule('http.host eq "a.com"', cache=True),
                        _rule('http.host in {"a.com" "b.com"}', cache=False),
                        _rule("true", edge_ttl=_EDGE)))
    assert _codes_of(found) == ["RS505"]
    found = lint(_rules(_rule('http.host eq "a.com"', cache=True), _rule("true", cache=False)))
    assert _codes_of(found) == ["RS207", "RS503", "RS505"]


def _codes_of(found) -> list[str]:
    return sorted(d.code for d in found)
