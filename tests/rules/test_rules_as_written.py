"""Rules files as people write them: Terraform partially evaluated, other phases skipped,
``terraform show -json`` and plan documents, octorules files, documentation keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rulelang import RulesetError
from rulelang.linter import lint
from rulelang.rules.format import format_text
from rulelang.rules.ruleset import load_ruleset, load_rulesets

REQ = "http_request_cache_settings"


def _tf(tmp_path: Path, text: str, name: str = "main.tf") -> str:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return str(path)


def _rule_tf(params: str, expression: str = '"true"', extra: str = "") -> str:
    return f'''{extra}
resource "cloudflare_ruleset" "c" {{
  zone_id = var.zone_id
  phase   = "http_request_cache_settings"
  rules {{
    expression = {expression}
    action     = "set_cache_settings"
    action_parameters {{
{params}
    }}
  }}
}}
'''


def _codes(diags, severity=None):
    return sorted(d.code for d in diags if severity is None or d.severity == severity)


# --------------------------------------------------------------------------- evaluation

@pytest.mark.parametrize(("written", "value"), [
    ("60 * 60 * 24 * 30", 2592000),
    ("(10 + 2) * 5 - 1", 59),
    ("120 / 2", 60),
    ("7 % 4", 3),
    ("-(-60)", 60),
    ('"60"', 60),                       # Terraform converts a numeric string
    ("true ? 30 : 60", 30),
    ("1 == 2 ? 30 : 60", 60),
    ("local.ttl", 3600),
    ("local.nested.ttl", 7200),
    ("local.ttls[1]", 86400),
    ("var.ttl", 900),                   # the variable's default
    ("local.from_var", 1800),           # a local built from a variable's default
])
def test_constant_values_follow_terraform(tmp_path, written, value):
    extra = '''
variable "ttl" { default = 900 }
locals {
  ttl      = 60 * 60
  nested   = { ttl = 2 * local.ttl }
  ttls     = [60, 86400]
  from_var = var.ttl * 2
}'''
    text = _rule_tf(f'''      edge_ttl {{
        mode    = "override_origin"
        default = {written}
      }}''', extra=extra)
    rs = load_ruleset(_tf(tmp_path, text))
    assert rs.rules[0].action_parameters["edge_ttl"]["default"] == value


def test_locals_and_variables_from_sibling_files(tmp_path):
    (tmp_path / "variables.tf").write_text('variable "ttl" { default = 600 }\n'
                                           'locals { host = "example.com" }\n')
    (tmp_path / "broken.tf").write_text("this is { not HCL")  # ignored beside the file
    text = _rule_tf('''      edge_ttl {
        mode    = "override_origin"
        default = var.ttl
      }''', expression='"http.host eq \\"${local.host}\\""')
    rs = load_ruleset(_tf(tmp_path, text))
    assert rs.rules[0].expression == 'http.host eq "example.com"'
    assert rs.rules[0].action_parameters["edge_ttl"]["default"] == 600


def test_a_local_that_refers_to_itself_is_unknown_not_a_hang(tmp_path):
    text = _rule_tf('      cache = local.a', extra="locals {\n  a = local.b\n  b = local.a\n}")
    diags = lint(_tf(tmp_path, text))
    assert _codes(diags) == ["RS008"]
    assert "local.a" in diags[0].message


@pytest.mark.parametrize("written", [
    "var.cache", "each.value.cache", "lookup(var.m, \"k\", true)", "count.index == 0",
    "[for x in var.l : x][0]", "var.flag ? true : false", "data.x.y.cache",
])
def test_unknown_values_are_one_note_each_and_the_rest_is_checked(tmp_path, written):
    text = _rule_tf(f'''      cache = {written}
      edge_ttl {{
        mode = "overide_origin"
      }}''')
    diags = lint(_tf(tmp_path, text))
    assert _codes(diags, "info") == ["RS008"]
    note = next(d for d in diags if d.code == "RS008")
    assert note.location.path == "rules[0].action_parameters.cache"
    assert note.location.line == 9
    assert written.split("[")[0].split("(")[0] in note.message
    assert len(note.message) < 200
    # the typo beside the unknown value is still reported
    assert _codes(diags, "error") == ["RS310"]


def test_unknown_values_are_errors_when_the_rules_are_to_be_evaluated(tmp_path):
    path = _tf(tmp_path, _rule_tf("      cache = var.cache"))
    with pytest.raises(RulesetError) as info:
        load_ruleset(path)
    assert [(d.code, d.severity) for d in info.value.diagnostics] == [("RS008", "error")]
    assert "terraform show -json" in info.value.diagnostics[0].hint


def test_rules_from_a_variable_check_nothing_else_and_say_so(tmp_path):
    text = '''resource "cloudflare_ruleset" "c" {
  phase = "http_request_cache_settings"
  rules = var.rules
}'''
    diags = lint(_tf(tmp_path, text))
    assert [(d.code, d.location.path) for d in diags] == [("RS008", "rules")]


def test_dynamic_rules_are_checked_from_their_content(tmp_path):
    text = '''resource "cloudflare_ruleset" "c" {
  phase = "http_request_cache_settings"
  dynamic "rules" {
    for_each = var.rules
    iterator = rule
    content {
      expression = rule.value.expression
      action     = "set_cache_settings"
      action_parameters {
        browser_ttl {
          mode = "overide"
        }
        edge_ttl {
          default = rule.value.ttl
          mode    = "override_origin"
        }
      }
    }
  }
  rules {
    expression = "http.hots eq \\"a\\""
    action     = "set_cache_settings"
    action_parameters {
      cache = false
    }
  }
}'''
    diags = lint(_tf(tmp_path, text))
    notes = [(d.location.path, d.location.line) for d in diags if d.code == "RS008"]
    assert notes == [("rules[0]", 3), ("rules[0].expression", 7),
                     ("rules[0].action_parameters.edge_ttl.default", 14)]
    errors = [(d.code, d.location.path) for d in diags if d.severity == "error"]
    assert sorted(errors) == [("RL201", "rules[1].expression"),
                              ("RS318", "rules[0].action_parameters.browser_ttl.mode")]


def test_for_each_resources_are_checked_once(tmp_path):
    text = '''resource "cloudflare_ruleset" "c" {
  for_each = var.zones
  zone_id  = each.value.id
  name     = "cache-${each.key}"
  phase    = "http_request_cache_settings"
  rules = [{
    ref        = "r_${each.key}"
    expression = "(http.host eq \\"${each.value.host}\\")"
    action     = "set_cache_settings"
    action_parameters = { cache = true }
  }]
}'''
    diags = lint(_tf(tmp_path, text))
    assert [d.location.path for d in diags] == ["rules[0].ref", "rules[0].expression"]
    assert all(d.severity == "info" for d in diags)
    assert "stand-in" in diags[1].message


def test_interpolations_stand_for_a_literal_and_errors_are_placed_in_the_file(tmp_path):
    text = _rule_tf("      cache = true",
                    expression='"${local.static} and http.hots eq \\"${var.host}\\""',
                    extra='locals { static = "http.request.uri.path.extension eq \\"css\\"" }')
    path = _tf(tmp_path, text)
    diags = lint(path)
    error = next(d for d in diags if d.severity == "error")
    assert error.code == "RL201"
    line = Path(path).read_text().splitlines()[error.location.line - 1]
    from rulelang.render import file_region
    region = file_region(error, {path: Path(path).read_text()})
    assert line[region.column - 1:region.end_column - 1] == "http.hots"


@pytest.mark.parametrize(("expression", "ok"), [
    ('"${var.filter}"', True),                            # a whole Boolean
    ('"${var.filter} and http.host eq \\"a\\""', True),
    ('"http.host in {\\"${var.a}\\" \\"${var.b}\\"}"', True),
    ('"http.request.uri.path.extension eq ${var.ext}"', True),   # a quoted string value
    ('"tcp.dstport eq ${var.port}"', False),               # not a field of these phases
])
def test_each_interpolation_gets_a_stand_in_of_the_right_kind(tmp_path, expression, ok):
    diags = lint(_tf(tmp_path, _rule_tf("      cache = true", expression=expression)))
    assert (not any(d.severity == "error" for d in diags)) is ok, [str(d) for d in diags]


def test_quoted_numbers_outside_terraform_say_what_is_wrong():
    body = {"phase": REQ, "rules": [{"expression": "true", "action": "set_cache_settings",
                                     "action_parameters": {"additional_cacheable_ports":
                                                           ["8080"]}}]}
    diags = lint(body)
    assert _codes(diags) == ["RS326"]
    assert "'8080' is a string, not a number; write 8080" in diags[0].message


def test_terraform_converts_quoted_numbers_and_booleans(tmp_path):
    text = _rule_tf('''      additional_cacheable_ports = ["8080", 8443]
      cache = "true"
      edge_ttl {
        mode = "respect_origin"
        status_code_ttl {
          status_code_range {
            from = "500"
          }
          value = "60"
        }
      }''')
    rs = load_ruleset(_tf(tmp_path, text))
    params = rs.rules[0].action_parameters
    assert params["additional_cacheable_ports"] == [8080, 8443]
    assert params["cache"] is True
    assert params["edge_ttl"]["status_code_ttl"][0] == {
        "status_code_range": {"from": 500}, "value": 60}


# --------------------------------------------------------------------------- other phases

def test_other_phases_in_a_terraform_file_are_skipped_with_a_note(tmp_path):
    text = '''resource "cloudflare_ruleset" "waf" {
  phase = "http_request_firewall_custom"
  rules {
    expression = "ip.src.country   eq \\"XX\\""
    action     = "block"
  }
}
''' + _rule_tf("      cache = true")
    path = _tf(tmp_path, text)
    diags = lint(path)
    assert [(d.code, d.severity, d.location.line) for d in diags] == [("RS010", "info", 1)]
    assert [r.phase for r in load_rulesets(path)] == [REQ]
    text = Path(path).read_text()
    assert "country   eq" in text  # not formatted: not a cache rule set
    assert format_text(Path(path), text) == (text, [], [])


def test_a_file_of_other_phases_only_lints_clean_but_does_not_load(tmp_path):
    path = tmp_path / "waf.json"
    path.write_text(json.dumps({"phase": "http_ratelimit", "rules": []}))
    assert _codes(lint(str(path))) == ["RS010"]
    with pytest.raises(RulesetError) as info:
        load_rulesets(str(path))
    assert _codes(info.value.diagnostics) == ["RS007", "RS010"]


# --------------------------------------------------------------------------- Terraform JSON

def _state(resources, child=None, top="values"):
    module = {"resources": resources}
    if child is not None:
        module["child_modules"] = [{"address": "module.m", "resources": child}]
    return {"format_version": "1.0", top: {"root_module": module}}


def _resource(address, phase, rules):
    return {"address": address, "mode": "managed", "type": "cloudflare_ruleset",
            "name": address.rsplit(".", 1)[-1],
            "values": {"zone_id": "z", "id": "i", "account_id": None, "kind": "zone",
                       "name": "n", "description": None, "phase": phase, "rules": rules}}


@pytest.mark.parametrize("top", ["values", "planned_values"])
def test_terraform_show_json_loads_every_cache_ruleset_in_every_module(tmp_path, top):
    rule = {"expression": "true", "action": "set_cache_control", "logging": None,
            "action_parameters": {"s_maxage": {"operation": "set", "value": 60,
                                               "cloudflare_only": None},
                                  "max_age": None}}
    doc = _state([_resource("cloudflare_ruleset.waf", "http_request_firewall_custom", []),
                  {"address": "cloudflare_zone.z", "type": "cloudflare_zone", "values": {}}],
                 child=[_resource("module.m.cloudflare_ruleset.r",
                                  "http_response_cache_settings", [rule])], top=top)
    path = tmp_path / "state.json"
    path.write_text(json.dumps(doc, indent=2))
    [rs] = load_rulesets(str(path))
    assert rs.phase == "http_response_cache_settings"
    assert rs.rules[0].action_parameters == {"s-maxage": {"operation": "set", "value": 60}}
    assert _codes(lint(str(path))) == ["RS010"]


def test_terraform_json_problems_point_into_the_json(tmp_path):
    rule = {"expression": "http.hots eq \"a\"", "action": "set_cache_settings",
            "action_parameters": {"cache": True}}
    path = tmp_path / "state.json"
    path.write_text(json.dumps(_state([_resource("cloudflare_ruleset.c", REQ, [rule])]),
                               indent=2))
    [d] = lint(str(path))
    assert d.code == "RL201" and d.location.path == "rules[0].expression"
    line = path.read_text().splitlines()[d.location.line - 1]
    assert '"expression": "http.hots' in line
    rule = {"expression": "true", "action": "set_cache_settings",
            "action_parameters": {"cache": "yes"}}
    path.write_text(json.dumps(_state([_resource("cloudflare_ruleset.c", REQ, [rule])]),
                               indent=2))
    [d] = lint(str(path))
    assert d.message.startswith("cloudflare_ruleset.c: ")
    assert '"cache": "yes"' in path.read_text().splitlines()[d.location.line - 1]


# --------------------------------------------------------------------------- octorules

OCTORULES = """\
waf_custom_rules:
  - ref: block
    expression: 'ip.src.country eq "XX"'
    action: block
cache_rules:
  - ref: skipped
    expression: 'http.hots eq "x"'
    octorules:
      ignored: true
  - ref: static
    expression: 'http.request.uri.path.extension eq "css"'
    action_parameters:
      cache: true
      edge_ttl: {mode: override_origin, default: 86400}
  - ref: typo
    expression: 'http.hots eq "x"'
    octorules:
      included: [cf-prod]
    action_parameters:
      cache: false
lists:
  - name: office
    items: [10.0.0.0/8]
"""


def test_octorules_cache_rules_load_with_the_action_implied(tmp_path):
    path = tmp_path / "example.com.yaml"
    path.write_text(OCTORULES)
    diags = lint(str(path))
    assert [(d.code, d.location.path, d.location.line) for d in diags] == [
        ("RS010", "waf_custom_rules", 1), ("RL201", "rules[1].expression", 16)]
    path.write_text(OCTORULES.replace("hots", "host"))
    [rs] = load_rulesets(str(path))
    assert rs.phase == REQ
    assert [(r.ref, r.action) for r in rs.rules] == [("static", "set_cache_settings"),
                                                     ("typo", "set_cache_settings")]


def test_fmt_keeps_octorules_shape(tmp_path):
    path = tmp_path / "example.com.yaml"
    text = OCTORULES.replace("'http.request.uri.path.extension eq \"css\"'",
                             "'http.request.uri.path.extension   eq \"css\"'")
    new, changes, problems = format_text(path, text)
    assert problems == [] and len(changes) == 1
    assert new == OCTORULES


# --------------------------------------------------------------------------- schema

def _params(**params):
    return {"phase": REQ, "rules": [{"expression": "true", "action": "set_cache_settings",
                                     "action_parameters": params}]}


@pytest.mark.parametrize(("params", "errors"), [
    ({"vary": {"default": {"action": "bypass"}}}, []),
    ({"vary": {"default": {"action": "normalize"},
               "headers": {"accept": {"action": "normalize", "media_types": ["image/webp"]},
                           "accept-language": {"action": "normalize", "languages": ["en"]},
                           "x-thing": {"action": "passthrough"}}}}, []),
    ({"vary": {"headers": {}}}, ["RS302"]),
    ({"vary": {"default": {"action": "drop"}}}, ["RS302"]),
    ({"vary": {"default": {"action": "bypass"}, "headers": {"Accept": {"action": "bypass"}}}},
     ["RS302"]),
    ({"vary": {"default": {"action": "bypass"},
               "headers": {"x-a": {"action": "bypass", "media_types": ["a"]}}}}, ["RS301"]),
    ({"shared_dictionary": {"match_pattern": "/app/*.js"}}, []),
    ({"shared_dictionary": {}}, ["RS302"]),
    ({"shared_dictionary": {"match_pattern": ""}}, ["RS302"]),
    ({"origin_range_requests": {"mode": "on"}}, []),
    ({"origin_range_requests": {"mode": "sometimes"}}, ["RS302"]),
    ({"edge_ttl": {"mode": "override_origin", "default": 0}}, []),
    ({"cache_key": {"custom_key": {"query_string": {}}}}, []),
    ({"cache_key": {"cache_by_device_type": True, "custom_key": {"user": {"geo": True}}}},
     ["RS328"]),
    ({"cache_key": {"cache_by_device_type": False, "custom_key": {"user": {"geo": True}}}}, []),
])
def test_schema_as_the_api_has_it(params, errors):
    assert _codes(lint(_params(**params)), "error") == errors


def test_browser_default_with_respect_origin_is_a_warning():
    diags = lint(_params(browser_ttl={"mode": "respect_origin", "default": 60}))
    assert [(d.code, d.severity) for d in diags] == [("RS312", "warning")]


def test_split_with_limit_one_is_fine_in_a_tag_expression_only():
    expr = 'split(http.response.headers["x-tags"][0], ",", 1)'
    tags = {"phase": "http_response_cache_settings", "rules": [
        {"expression": "true", "action": "set_cache_tags",
         "action_parameters": {"operation": "add", "expression": expr}}]}
    assert lint(tags) == []
    filt = {"phase": "http_response_cache_settings", "rules": [
        {"expression": f'any({expr}[*] eq "a")', "action": "set_cache_settings",
         "action_parameters": {"strip_etags": True}}]}
    assert _codes(lint(filt)) == ["RL508"]


# --------------------------------------------------------------------------- lists

def test_lists_without_any_supplied_are_a_note_and_with_some_an_error():
    body = _params(cache=False)
    body["rules"][0]["expression"] = "ip.src in $office"
    assert [(d.code, d.severity) for d in lint(body)] == [("RL214", "info")]
    assert _codes(lint(body, lists={"other": ["10.0.0.1"]})) == ["RL212"]
    assert lint(body, lists={"office": ["10.0.0.0/8"]}) == []
    with pytest.raises(RulesetError):
        load_ruleset(body)  # evaluating needs the items


# --------------------------------------------------------------------------- annotations

def test_documentation_keys_only_with_the_switch():
    body = _params(cache=True)
    body["$comment"] = "cache rules for example.com"
    body["rules"][0]["$comment"] = "everything"
    body["rules"][0]["action_parameters"]["$note"] = "x"
    assert _codes(lint(body)) == ["RS105", "RS206", "RS301"]
    assert lint(body, annotations=True) == []
    rs = load_rulesets(body, annotations=True)[0]
    assert rs.rules[0].action_parameters == {"cache": True}
    assert body["$comment"] and body["rules"][0]["$comment"]  # the caller's dict is kept


@pytest.mark.parametrize(("written", "where", "severity"), [
    ("1 / 0", "rules[0].action_parameters.edge_ttl.default", "error"),
    ('"a" * 2', "rules[0].action_parameters.edge_ttl.default", "error"),
    ("local.l0", "rules[0].action_parameters.edge_ttl.default", "info"),  # too deep
])
def test_values_terraform_refuses_or_cannot_reach_are_placed_at_the_attribute(
        tmp_path, written, where, severity):
    chain = "".join(f"  l{i} = local.l{i + 1}\n" for i in range(100)) + "  l100 = 5\n"
    text = _rule_tf(f'''      edge_ttl {{
        mode    = "override_origin"
        default = {written}
      }}
      browser_ttl {{
        mode = "bogus"
      }}''', extra="locals {\n" + chain + "}")
    diags = lint(_tf(tmp_path, text))
    assert [(d.code, d.severity, d.location.path) for d in diags if d.code == "RS008"] == [
        ("RS008", severity, where)]
    assert "RS318" in _codes(diags)  # the sibling parameter is still checked


def test_a_template_directive_makes_the_string_unknown(tmp_path):
    text = _rule_tf("      cache = true",
                    expression='"%{ if var.x }http.host eq \\"a\\"%{ else }ssl%{ endif }"')
    assert [(d.code, d.severity) for d in lint(_tf(tmp_path, text))] == [("RS008", "info")]


def test_terraform_json_without_any_ruleset_cannot_be_checked(tmp_path):
    path = tmp_path / "state.json"
    path.write_text(json.dumps(_state([{"address": "cloudflare_zone.z", "mode": "managed",
                                        "type": "cloudflare_zone", "values": {}}])))
    assert [(d.code, d.severity) for d in lint(str(path))] == [("RS007", "error")]


def test_fmt_leaves_terraform_interpolations_as_written(tmp_path):
    text = _rule_tf("      cache = true", expression='"${local.a}   and ssl"',
                    extra='locals { a = "ssl" }')
    path = Path(_tf(tmp_path, text))
    assert format_text(path, text) == (text, [], [])


def test_octorules_lists_are_the_files_own_list_items(tmp_path):
    path = tmp_path / "zone.yaml"
    path.write_text("""\
cache_rules:
  - ref: office
    expression: 'ip.src in $office_ips'
    action_parameters: {cache: false}
  - ref: typo
    expression: 'ip.src in $ofice_ips'
    action_parameters: {cache: false}
lists:
  - name: office_ips
    kind: ip
    items: [10.0.0.0/8, {ip: 192.0.2.0/24}]
""")
    diags = lint(str(path))
    assert [(d.code, d.location.path) for d in diags] == [("RL212", "rules[1].expression")]
    assert "did you mean" in diags[0].hint
    path.write_text(path.read_text().replace("ofice", "office"))
    [rs] = load_rulesets(str(path))
    from rulelang import Engine, Request
    engine = Engine([rs], lists=rs.lists)
    assert engine.evaluate(Request(url="https://a.example/x.css", client_ip="192.0.2.7")) \
        .request_settings.get("cache") is False


def test_terraform_boolean_strings_become_booleans_everywhere(tmp_path):
    text = _rule_tf('''      cache = "false"
      serve_stale {
        disable_stale_while_updating = "true"
      }
      cache_reserve {
        eligible = "true"
      }
      cache_key {
        cache_deception_armor = "false"
        custom_key {
          user {
            geo = "true"
          }
          host {
            resolved = "false"
          }
          header {
            exclude_origin = "true"
          }
        }
      }''')
    params = load_ruleset(_tf(tmp_path, text)).rules[0].action_parameters
    assert params["cache"] is False
    assert params["serve_stale"] == {"disable_stale_while_updating": True}
    assert params["cache_reserve"] == {"eligible": True}
    key = params["cache_key"]
    assert key["cache_deception_armor"] is False
    assert key["custom_key"] == {"user": {"geo": True}, "host": {"resolved": False},
                                 "header": {"exclude_origin": True}}


def test_boolean_strings_outside_terraform_are_errors():
    assert _codes(lint(_params(cache="false", serve_stale={
        "disable_stale_while_updating": "true"}))) == ["RS302", "RS302"]


def test_new_parameters_stack_into_request_settings():
    from rulelang import Engine, Request
    body = _params(cache=True, origin_range_requests={"mode": "on"},
                   vary={"default": {"action": "bypass"}})
    body["rules"].append({"expression": "true", "action": "set_cache_settings",
                          "action_parameters": {"origin_range_requests": {"mode": "off"}}})
    settings = Engine(body).evaluate(Request(url="https://a.example/")).request_settings
    assert settings["origin_range_requests"] == {"mode": "off"}
    assert settings["vary"] == {"default": {"action": "bypass"}}
