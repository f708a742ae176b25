"""The rules file formats (interfaces.md §3, cache-phases.md §1.4): the same
rule set written as JSON, API envelope, YAML, Terraform v4 blocks and v5 attributes
loads to the same rules, and every problem is placed at the same member in each."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from rulelang import RulesetError
from rulelang.linter import lint
from rulelang.rules.ruleset import load_ruleset, load_rulesets

REQ, RESP = "http_request_cache_settings", "http_response_cache_settings"

REQUEST_RULES = [
    {"ref": "static", "description": "Static \"assets\"",
     "expression": 'http.request.uri.path.extension in {"css" "js"}',
     "action": "set_cache_settings",
     "action_parameters": {
         "cache": True,
         "edge_ttl": {"mode": "override_origin", "default": 60,
                      "status_code_ttl": [{"status_code": 200, "value": 50},
                                          {"status_code_range": {"from": 201, "to": 300},
                                           "value": 30}]},
         "cache_key": {"custom_key": {"query_string": {"exclude": {"all": True}},
                                      "header": {"contains": {"accept-language": ["en"]}}}}}},
    {"ref": "templated", "enabled": False,
     "expression": 'http.request.uri.path eq "/${x}"\n',
     "action": "set_cache_settings",
     "action_parameters": {"cache": False}},
]
RESPONSE_RULES = [
    {"ref": "edge", "expression": "http.response.code eq 200",
     "action": "set_cache_control",
     "action_parameters": {"s-maxage": {"operation": "set", "value": 3600,
                                        "cloudflare_only": True},
                           "must-revalidate": {"operation": "set"},
                           "stale-while-revalidate": {"operation": "remove"}}},
    {"ref": "tags", "expression": "true", "action": "set_cache_tags",
     "action_parameters": {"operation": "add", "values": ["a", "b"]}},
]

JSON_TEXT = json.dumps({"name": "Cache", "kind": "zone", "phase": REQ,
                        "rules": REQUEST_RULES}, indent=2)
ENVELOPE_TEXT = json.dumps({"result": {"id": "2f2feab2026849078ba485f918791bdc",
                                       "name": "Cache", "kind": "zone", "phase": REQ,
                                       "version": "3", "rules": REQUEST_RULES},
                            "success": True, "errors": [], "messages": []})
YAML_TEXT = textwrap.dedent("""\
    name: Cache
    kind: zone
    phase: http_request_cache_settings
    rules:
      - ref: static
        description: 'Static "assets"'
        expression: http.request.uri.path.extension in {"css" "js"}
        action: set_cache_settings
        action_parameters:
          cache: true
          edge_ttl:
            mode: override_origin
            default: 60
            status_code_ttl:
              - status_code: 200
                value: 50
              - status_code_range: {from: 201, to: 300}
                value: 30
          cache_key:
            custom_key:
              query_string: {exclude: {all: true}}
              header:
                contains:
                  accept-language: [en]
      - ref: templated
        enabled: false
        expression: |
          http.request.uri.path eq "/${x}"
        action: set_cache_settings
        action_parameters: {cache: false}
    """)
TF_V4_TEXT = textwrap.dedent("""\
    resource "cloudflare_zone" "example" {
      zone = "example.com"
    }

    resource "cloudflare_ruleset" "cache" {
      zone_id = "0123"
      name    = "Cache"
      kind    = "zone"
      phase   = "http_request_cache_settings"

      rules {
        ref         = "static"
        description = "Static \\"assets\\""
        expression  = "http.request.uri.path.extension in {\\"css\\" \\"js\\"}"
        action      = "set_cache_settings"
        action_parameters {
          cache = true
          edge_ttl {
            mode    = "override_origin"
            default = 60
            status_code_ttl {
              status_code = 200
              value       = 50
            }
            status_code_ttl {
              status_code_range {
                from = 201
                to   = 300
              }
              value = 30
            }
          }
          cache_key {
            custom_key {
              query_string {
                exclude {
                  all = true
                }
              }
              header {
                contains = { "accept-language" = ["en"] }
              }
            }
          }
        }
      }
      rules {
        ref        = "templated"
        enabled    = false
        expression = <<-EOT
          http.request.uri.path eq "/$${x}"
        EOT
        action     = "set_cache_settings"
        action_parameters {
          cache = false
        }
      }
    }
    """)
TF_V5_TEXT = textwrap.dedent("""\
    resource "cloudflare_ruleset" "cache" {
      zone_id = "0123"
      name    = "Cache"
      kind    = "zone"
      phase   = "http_request_cache_settings"
      rules = [{
        ref         = "static"
        description = "Static \\"assets\\""
        expression  = "http.request.uri.path.extension in {\\"css\\" \\"js\\"}"
        action      = "set_cache_settings"
        action_parameters = {
          cache = true
          edge_ttl = {
            mode    = "override_origin"
            default = 60
            status_code_ttl = [
              { status_code = 200, value = 50 },
              { status_code_range = { from = 201, to = 300 }, value = 30 },
            ]
          }
          cache_key = {
            custom_key = {
              query_string = { exclude = { all = true } }
              header       = { contains = { "accept-language" = ["en"] }, include = null }
            }
          }
        }
      }, {
        ref        = "templated"
        enabled    = false
        expression = "http.request.uri.path eq \\"/$${x}\\"\\n"
        action     = "set_cache_settings"
        action_parameters = { cache = false }
      }]
    }

    resource "cloudflare_ruleset" "response" {
      zone_id = "0123"
      name    = "Response"
      kind    = "zone"
      phase   = "http_response_cache_settings"
      rules = [{
        ref        = "edge"
        expression = "http.response.code eq 200"
        action     = "set_cache_control"
        action_parameters = {
          s_maxage               = { operation = "set", value = 3600, cloudflare_only = true }
          must_revalidate        = { operation = "set" }
          stale_while_revalidate = { operation = "remove" }
        }
      }, {
        ref               = "tags"
        expression        = "true"
        action            = "set_cache_tags"
        action_parameters = { operation = "add", values = ["a", "b"] }
      }]
    }
    """)
FORMATS = {"api.json": JSON_TEXT, "envelope.json": ENVELOPE_TEXT, "rules.yaml": YAML_TEXT,
           "v4.tf": TF_V4_TEXT, "v5.tf": TF_V5_TEXT}


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def _content(rs) -> list:
    return [(r.index, r.ref, r.description, r.enabled, r.expression, r.action,
             r.action_parameters) for r in rs.rules]


@pytest.mark.parametrize("name", FORMATS)
def test_every_format_loads_the_same_request_rules(name, tmp_path):
    rs = load_ruleset(_write(tmp_path, name, FORMATS[name]), "request")
    assert (rs.phase, rs.name, rs.kind) == (REQ, "Cache", "zone")
    assert rs.diagnostics == ()
    expected = load_ruleset({"phase": REQ, "rules": REQUEST_RULES})
    assert _content(rs) == _content(expected)
    assert rs.rules[1].expression == 'http.request.uri.path eq "/${x}"\n'


def test_terraform_v5_response_resource_hyphenates_directives(tmp_path):
    path = _write(tmp_path, "v5.tf", TF_V5_TEXT)
    both = load_rulesets(path)
    assert [r.phase for r in both] == [REQ, RESP]
    rs = load_ruleset(path, "response")
    assert _content(rs) == _content(load_ruleset({"phase": RESP, "rules": RESPONSE_RULES}))


# ----------------------------------------------------------------------------- positions

BROKEN = {
    "json": textwrap.dedent("""\
        {"phase": "http_request_cache_settings",
         "rules": [
          {"expression": "true",
           "action": "set_cache_settings",
           "action_parameters": {
             "cache_everything": true,
             "edge_ttl": {
               "default": 60,
               "status_code_ttl": [{"status_code": 99, "value": 1}]
             }
           },
           "enabld": false
          }
         ]}
        """),
    "yaml": textwrap.dedent("""\
        phase: http_request_cache_settings
        rules:
          - expression: "true"
            action: set_cache_settings
            action_parameters:
              cache_everything: true
              edge_ttl:
                default: 60
                status_code_ttl:
                  - {status_code: 99, value: 1}
            enabld: false
        """),
    "tf": textwrap.dedent("""\
        resource "cloudflare_ruleset" "r" {
          phase = "http_request_cache_settings"
          rules {
            expression = "true"
            action     = "set_cache_settings"
            action_parameters {
              cache_everything = true
              edge_ttl {
                default = 60
                status_code_ttl {
                  status_code = 99
                  value = 1
                }
              }
            }
            enabld = false
          }
        }
        """),
    "v5.tf": textwrap.dedent("""\
        resource "cloudflare_ruleset" "r" {
          phase = "http_request_cache_settings"
          rules = [{
            expression = "true"
            action     = "set_cache_settings"
            action_parameters = {
              cache_everything = true
              edge_ttl = {
                default = 60
                status_code_ttl = [{ status_code = 99, value = 1 }]
              }
            }
            enabld = false
          }]
        }
        """),
}
PLACES = [
    # code, path, the text the diagnostic must point at (its first occurrence)
    ("RS301", "rules[0].action_parameters.cache_everything", "cache_everything"),
    ("RS310", "rules[0].action_parameters.edge_ttl", "edge_ttl"),
    ("RS315", "rules[0].action_parameters.edge_ttl.status_code_ttl[0].status_code", "99"),
    ("RS206", "rules[0].enabld", "enabld"),
]


def _where(text: str, needle: str) -> tuple[int, int]:
    offset = text.index(needle)
    if text[offset - 1] == '"':
        offset -= 1  # a JSON key is placed at its opening quote
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


@pytest.mark.parametrize("fmt", BROKEN)
def test_every_problem_is_placed_at_the_same_member_in_every_format(fmt, tmp_path):
    text = BROKEN[fmt]
    path = _write(tmp_path, "rules." + fmt, text)
    with pytest.raises(RulesetError) as info:
        load_ruleset(path)
    found = {(d.code, d.location.path, d.location.line, d.location.column)
             for d in info.value.diagnostics}
    assert found == {(code, p, *_where(text, needle)) for code, p, needle in PLACES}
    assert all(d.location.file == str(path) for d in info.value.diagnostics)
    assert {(d.code, d.location.line) for d in lint(str(path))} == \
        {(code, _where(text, needle)[0]) for code, _, needle in PLACES}


@pytest.mark.parametrize("fmt", BROKEN)
def test_expression_errors_are_placed_at_the_expression_text(fmt, tmp_path):
    text = BROKEN[fmt].replace('"true"', '"http.hots eq 1"', 1)
    path = _write(tmp_path, "rules." + fmt, text)
    with pytest.raises(RulesetError) as info:
        load_ruleset(path)
    (d,) = [d for d in info.value.diagnostics if d.code == "RL201"]
    assert d.location.path == "rules[0].expression"
    offset = text.index("http.hots")
    line = text.count("\n", 0, offset) + 1
    column = offset - text.rfind("\n", 0, offset)
    assert (d.location.line, d.location.column) == (line, column)
    assert (d.line, d.column) == (1, 1)


def test_lint_of_a_missing_rules_file_is_rs001_even_with_a_phase(tmp_path):
    missing = str(tmp_path / "missing.json")
    assert [d.code for d in lint(missing, "request")] == ["RS001"]
    assert [d.code for d in lint("http.host eq \"a.json\"", "request")] == []


@pytest.mark.parametrize("name, text", [
    ("r.yaml", ("phase: request\nrules:\n  - expression: true\n    action: set_cache_settings\n"
               "    action_parameters: {cache: true}\n")),
    ("r.tf", ('resource "cloudflare_ruleset" "r" {\n  phase = "http_request_cache_settings"\n'
             '  rules {\n    expression = true\n    action = "set_cache_settings"\n'
             "    action_parameters {\n      cache = true\n    }\n  }\n}\n")),
])
def test_an_unquoted_true_expression_gets_a_quoting_hint(name, text, tmp_path):
    with pytest.raises(RulesetError) as info:
        load_ruleset(_write(tmp_path, name, text))
    (d,) = info.value.diagnostics
    assert (d.code, d.location.path, d.location.line) == ("RS202", "rules[0].expression", 3
                                                          if name.endswith("yaml") else 4)
    assert 'expression: "true"' in d.hint
