"""Regressions found by the holdout review of issue 10: hostile Terraform, a second
entry point rule set for a zone, vary header names Cloudflare refuses, and octorules'
multi-provider layout."""

from __future__ import annotations

import pytest

from rulelang.linter import lint

_HEAD = '''resource "cloudflare_ruleset" "c" {
  zone_id = "z"
  name    = "n"
  kind    = "zone"
  phase   = "http_request_cache_settings"
'''


def _tf(locals_: str, default: str, expression: str = '"true"') -> str:
    return (f"locals {{\n{locals_}\n}}\n" + _HEAD +
            f'  rules = [{{ action = "set_cache_settings", expression = {expression}, '
            f'action_parameters = {{ cache = true, edge_ttl = {{ mode = "override_origin", '
            f'default = {default} }} }} }}]\n}}\n')


def _doubling(n: int, op: str) -> str:
    if op == "*":
        lines = [f"  m{i} = local.m{i + 1} * local.m{i + 1}" for i in range(n)]
        return "\n".join(lines + [f"  m{n} = 2"])
    lines = [f'  m{i} = "${{local.m{i + 1}}}${{local.m{i + 1}}}"' for i in range(n)]
    return "\n".join(lines + [f'  m{n} = "{"a" * 64}"'])


HOSTILE = [
    # (name, file text, code, severity, words in the message)
    ("number literal with 5000 digits", _tf("", "1" + "0" * 5000),
     "RS008", "error", "out of range"),
    ("float literal that overflows", _tf("", "1e999"), "RS008", "error", "out of range"),
    ("arithmetic that overflows", _tf("", "1e308 * 10"), "RS008", "error", "out of range"),
    ("locals that square each other 30 times", _tf(_doubling(30, "*"), "local.m0"),
     "RS008", "error", "out of range"),
    ("locals that double a string 25 times", _tf(_doubling(25, "+"), "1",
                                                  '"http.host eq \\"${local.m0}\\""'),
     "RS008", "error", "longer than"),
    ("two locals that refer to each other", _tf("  a = local.b\n  b = local.a", "local.a"),
     "RS008", "error", "refers to itself"),
    ("a local that interpolates itself", _tf('  a = "${local.a}x"', "1",
                                             '"http.host eq \\"${local.a}\\""'),
     "RS008", "error", "refers to itself"),
    ("3000 nested parentheses", _tf("", "(" * 3000 + "1" + ")" * 3000),
     "RS011", "error", "nested more than"),
    ("a resource without a name", 'resource "cloudflare_ruleset" {\n  phase = "x"\n}\n',
     "RS004", "error", "has no name"),
    ("a phase that divides by zero", _HEAD.replace('"http_request_cache_settings"',
                                                   '"${1 / 0}"') + "}\n",
     "RS008", "error", "divides by zero"),
]


@pytest.mark.parametrize("name,text,code,severity,words", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_terraform_gives_a_clear_diagnostic(tmp_path, name, text, code, severity, words):
    path = tmp_path / "main.tf"
    path.write_text(text)
    diags = lint(str(path))
    found = [d for d in diags if d.code == code and d.severity == severity]
    assert found, [str(d) for d in diags]
    assert words in found[0].message
    assert all(d.location is not None and d.location.file == str(path) for d in diags)


def test_a_used_twice_local_is_evaluated_once_per_file(tmp_path):
    # 40 levels of "${local.x}${local.x}" would be 2**40 evaluations without memoising;
    # beyond 32 levels the value is not followed (an info), and nothing hangs.
    path = tmp_path / "main.tf"
    path.write_text(_tf(_doubling(40, "+"), "1", '"http.host eq \\"${local.m0}\\""'))
    diags = lint(str(path))
    assert not [d for d in diags if d.severity == "error"], [str(d) for d in diags]


def _resource(name: str, zone: str, phase: str = "http_request_cache_settings",
              extra: str = "") -> str:
    return f'''resource "cloudflare_ruleset" "{name}" {{
  zone_id = {zone}
  name    = "{name}"
  kind    = "zone"
  phase   = "{phase}"
  {extra}
  rules {{
    action            = "set_cache_settings"
    expression        = "true"
    action_parameters {{
      {"strip_etags = true" if "response" in phase else "cache = true"}
    }}
  }}
}}
'''


ENTRY_POINTS = [
    # (name, resources, RS101 expected)
    ("same zone, same phase", [_resource("a", "var.zone_id"), _resource("b", "var.zone_id")],
     True),
    ("same literal zone", [_resource("a", '"0123"'), _resource("b", '"0123"')], True),
    ("different zones", [_resource("a", "var.zone_a"), _resource("b", "var.zone_b")], False),
    ("request and response phase", [
        _resource("a", "var.zone_id"),
        _resource("b", "var.zone_id", "http_response_cache_settings")], False),
    ("for_each makes one a zone", [
        _resource("a", "each.value", extra="for_each = var.zones"),
        _resource("b", "each.value", extra="for_each = var.zones")], False),
    ("count may make none", [
        _resource("a", "var.zone_id", extra="count = var.on ? 1 : 0"),
        _resource("b", "var.zone_id")], False),
]


@pytest.mark.parametrize("name,resources,refused", ENTRY_POINTS, ids=[e[0] for e in ENTRY_POINTS])
def test_a_second_entry_point_for_a_zone_is_refused(tmp_path, name, resources, refused):
    path = tmp_path / "cache.tf"
    path.write_text("\n".join(resources))
    codes = [d.code for d in lint(str(path)) if d.severity == "error"]
    assert codes == (["RS101"] if refused else []), codes


VARY = [
    ("cf-device-type", True), ("cf_worker", True), ("host", True), ("connection", True),
    ("cache-control", True), ("transfer-encoding", True), ("accept-encoding", False),
    ("x-cf-thing", False), ("user-agent", False),
]


@pytest.mark.parametrize("header,refused", VARY)
def test_vary_header_names_cloudflare_refuses(header, refused):
    ruleset = {"phase": "http_request_cache_settings", "rules": [{
        "expression": "true", "action": "set_cache_settings",
        "action_parameters": {"vary": {"default": {"action": "bypass"},
                                       "headers": {header: {"action": "passthrough"}}}}}]}
    codes = [d.code for d in lint(ruleset) if d.severity == "error"]
    assert codes == (["RS302"] if refused else []), codes


_MULTI = '''cloudflare:
  redirect_rules:
    - ref: r
      expression: 'http.host eq "www.example.com"'
  cache_rules:
    - ref: assets
      expression: 'http.request.uri.path.extension in {"css" "js"}'
      action_parameters:
        cache: true
        edge_ttl:
          mode: override_origin
bunny:
  edge_rules: []
'''


def test_octorules_multi_provider_file_is_read_from_its_cloudflare_block(tmp_path):
    path = tmp_path / "example.com.yaml"
    path.write_text(_MULTI)
    diags = lint(str(path))
    errors = [d for d in diags if d.severity == "error"]
    assert [d.code for d in errors] == ["RS311"], [str(d) for d in diags]
    assert (errors[0].location.line, errors[0].location.column) == (10, 9)  # the edge_ttl key
    notes = [d for d in diags if d.code == "RS010"]
    assert notes and notes[0].location.line == 2


def test_fmt_formats_the_cache_rules_of_an_octorules_multi_provider_file(tmp_path):
    from rulelang.rules.format import format_text

    path = tmp_path / "example.com.yaml"
    text = _MULTI.replace('{"css" "js"}', '{  "css"   "js" }')
    out, changed, _ = format_text(path, text)
    assert len(changed) == 1
    assert out == _MULTI  # only the cache rule's expression is rewritten


FOR_RULES = _HEAD + '''  rules = [for r in var.cache_rules :
    {
      expression = r.expression
      action     = "set_cache_settings"
      action_parameters = {
        edge_ttl   = { mode = "override_origin", default = r.ttl }
        %s
      }
    } if r.enabled
  ]
}
'''


@pytest.mark.parametrize("extra,errors", [
    ("cache = true", []),
    ("custom_key = { user = { geo = r.geo } }", ["RS301"]),  # belongs in cache_key
    ('browser_ttl = { mode = "sometimes" }', ["RS318"]),
])
def test_a_for_expression_of_rules_is_checked_from_its_template(tmp_path, extra, errors):
    path = tmp_path / "main.tf"
    path.write_text(FOR_RULES % extra)
    diags = lint(str(path))
    assert [d.code for d in diags if d.severity == "error"] == errors, [str(d) for d in diags]
    notes = [d.message for d in diags if d.code == "RS008"]
    assert any("[for r in var.cache_rules : …]" in n for n in notes), notes
    assert any("rules[0].expression = r.expression" in n for n in notes), notes


def test_a_for_expression_whose_template_is_unknown_stays_one_unknown(tmp_path):
    path = tmp_path / "main.tf"
    path.write_text(_HEAD + "  rules = [for r in var.rules : r]\n}\n")
    diags = lint(str(path))
    assert [d.code for d in diags] == ["RS008"]
    assert "rules = [for r in var.rules : r]" in diags[0].message


def _alias_bomb(levels: int) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]"
              for i in range(1, levels + 1)]
    return "\n".join(lines + [
        "phase: http_request_cache_settings", "rules:", "  - expression: 'true'",
        "    action: set_cache_settings",
        f"    action_parameters: {{cache: true, additional_cacheable_ports: *a{levels}}}", ""])


@pytest.mark.parametrize("levels,bomb", [(2, False), (12, True)])
def test_a_yaml_alias_bomb_is_refused_before_it_is_built(tmp_path, levels, bomb):
    path = tmp_path / "rules.yaml"
    path.write_text(_alias_bomb(levels))
    diags = lint(str(path))
    if bomb:
        assert [d.code for d in diags] == ["RS003"]
        assert "aliases expand" in diags[0].message
    else:
        assert "RS003" not in [d.code for d in diags]


def test_fmt_refuses_a_yaml_alias_bomb(tmp_path):
    from rulelang.errors import RuleLangError
    from rulelang.rules.format import format_text

    path = tmp_path / "rules.yaml"
    text = _alias_bomb(12)
    with pytest.raises(RuleLangError, match="aliases expand"):
        format_text(path, text)


def _plan(after_unknown: dict) -> dict:
    values = {"kind": "zone", "name": "default", "phase": "http_request_cache_settings",
              "zone_id": "0da4", "description": None, "rules": [
                  {"action": "set_cache_settings", "enabled": True,
                   "action_parameters": {"cache": True, "edge_ttl": {"mode": "override_origin"}}},
                  {"action": "set_cache_settings", "expression": 'http.host eq "a.example"',
                   "action_parameters": {"cache": False, "edge_ttl": {"mode": "sometimes"}}}]}
    return {"format_version": "1.2", "planned_values": {"root_module": {"resources": [{
        "address": "cloudflare_ruleset.cache", "mode": "managed", "type": "cloudflare_ruleset",
        "name": "cache", "values": values}]}},
        "resource_changes": [{"address": "cloudflare_ruleset.cache", "change": {
            "actions": ["create"], "after_unknown": after_unknown}}]}


@pytest.mark.parametrize("after_unknown,errors", [
    # what planned_values leaves out because it is known only after apply is unknown,
    # not missing
    ({"id": True, "rules": [{"expression": True, "id": True, "ref": True,
                             "action_parameters": {"edge_ttl": {"default": True}}},
                            {"id": True}]}, ["RS310"]),
    ({}, ["RS202", "RS310", "RS311"]),
])
def test_a_plan_value_known_after_apply_is_unknown_not_missing(tmp_path, after_unknown, errors):
    import json

    path = tmp_path / "plan.json"
    path.write_text(json.dumps(_plan(after_unknown)))
    diags = lint(str(path))
    assert sorted(d.code for d in diags if d.severity == "error") == errors, \
        [str(d) for d in diags]
    if after_unknown:
        notes = [d.message for d in diags if d.code == "RS008"]
        assert len(notes) == 2 and all("known after apply" in n for n in notes), notes


def _tf_json(cache: dict) -> dict:
    return {"//": "written by cdktf", "variable": {"zone_id": {"type": "string"}},
            "resource": {"cloudflare_ruleset": {
                "waf": {"zone_id": "${var.zone_id}", "kind": "zone",
                        "phase": "http_request_firewall_custom",
                        "rules": [{"action": "block", "expression": "ip.src eq 1.1.1.1"}]},
                "cache": {"//": "cache rules", "zone_id": "${var.zone_id}",
                          "name": "${var.env}-cache", "kind": "zone",
                          "phase": "http_request_cache_settings", "rules": [cache]}},
                "cloudflare_dns_record": {"www": {"zone_id": "${var.zone_id}"}}}}


TF_JSON = [
    # (rule, errors, RS008 notes)
    ({"action": "set_cache_settings", "expression": 'http.host eq "${var.host}"',
      "action_parameters": {"cache": True, "additional_cacheable_ports": ["8443"]}}, [], 1),
    ({"action": "set_cache_settings",
      "expression": 'http.host eq "${var.host}" and http.request.uri.path.extension eq 5',
      "action_parameters": {"cache": True}}, ["RL206"], 1),
    ({"action": "set_cache_settings", "expression": "true",
      "action_parameters": {"edge_ttl": {"mode": "override_origin", "default": "${var.ttl}"},
                            "browser_ttl": {"mode": "override_origin"}}}, ["RS311"], 1),
    ({"action": "set_cache_settings", "expression": 'http.host eq "$${literal}"',
      "action_parameters": {"cache": True}}, [], 0),
]


@pytest.mark.parametrize("rule,errors,notes", TF_JSON)
def test_terraform_json_syntax_is_read_like_hcl(tmp_path, rule, errors, notes):
    import json

    path = tmp_path / "main.tf.json"
    path.write_text(json.dumps(_tf_json(rule), indent=2))
    diags = lint(str(path))
    assert sorted(d.code for d in diags if d.severity == "error") == errors, \
        [str(d) for d in diags]
    assert len([d for d in diags if d.code == "RS008"]) == notes, [str(d) for d in diags]
    skipped = [d for d in diags if d.code == "RS010"]
    assert len(skipped) == 1 and "cloudflare_ruleset.waf" in skipped[0].message



def test_a_second_entry_point_in_a_sibling_file_is_not_compared(tmp_path):
    # A directory of .tf files is one Terraform configuration, but directories of
    # examples (request.v4.tf beside request.v5.tf) are not: only resources of the same
    # file are compared (docs/terraform.md).
    first = _resource("api", "var.zone_id")
    (tmp_path / "a_api.tf").write_text(first)
    (tmp_path / "b_static.tf").write_text(first.replace('"api"', '"static"'))
    assert not [d for d in lint(str(tmp_path / "b_static.tf")) if d.code == "RS101"]


def test_cache_reserve_enabled_is_named_for_what_it_is():
    # Cloudflare's create-api docs write cache_reserve {enabled: false}; the API key is
    # eligible.
    ruleset = {"phase": "http_request_cache_settings", "rules": [{
        "expression": "true", "action": "set_cache_settings",
        "action_parameters": {"cache": True, "cache_reserve": {"enabled": False}}}]}
    diags = [d for d in lint(ruleset) if d.code == "RS324"]
    assert len(diags) == 2
    assert any("write eligible, not enabled" in d.hint for d in diags)
