"""Terraform files (cloudflare_ruleset resources, provider v4 blocks and v5 attributes): several
resources, HCL literals, null attributes, hyphenated directive names, values that need
Terraform itself (RS008), repeated attributes (RS009)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.paths import RULESETS
from support.rulesets import REQ, RESP

from rulelang import RulesetError
from rulelang.engine import Engine
from rulelang.rules.ruleset import load_ruleset, load_rulesets


def test_terraform_file_with_several_resources(tmp_path):
    text = (RULESETS / "request.v4.tf").read_text() + (RULESETS / "response.v5.tf").read_text()
    path = tmp_path / "both.tf"
    path.write_text(text)
    assert [r.phase for r in load_rulesets(path)] == [REQ, RESP]
    assert load_ruleset(path, "response").phase == RESP
    assert len(Engine([path]).rulesets) == 2
    with pytest.raises(RulesetError):
        load_ruleset(path)


def test_terraform_directive_names_are_hyphenated_and_positions_follow():
    rs = load_ruleset(RULESETS / "response.v4.tf")
    params = rs.rules[1].action_parameters
    assert list(params) == ["s-maxage", "must-revalidate", "no-cache"]


@pytest.mark.parametrize("hcl, expected", [
    ('"caf\\u00e9"', "café"),
    ('"a\\"b\\\\c\\td"', 'a"b\\c\td'),
    ('"$${1}"', "${1}"),
    ("<<EOT\nline one\nEOT", "line one\n"),
    ("<<-EOT\n    one\n      two\n    EOT", "one\n  two\n"),
    ("-5", -5),
    ("1e3", 1000),
    ('["a", "b"]', ["a", "b"]),
])
def test_terraform_literals(hcl, expected, tmp_path):
    path = tmp_path / "r.tf"
    path.write_text('resource "cloudflare_ruleset" "r" {\n  phase = "http_request_cache_settings"\n'
                    f'  description = {hcl}\n}}\n')
    from rulelang.rules.terraform import read_terraform
    doc, = read_terraform(path.read_text(), str(path))
    assert doc.value["description"] == expected


def test_terraform_null_attributes_are_absent():
    rs = load_ruleset(RULESETS / "request.v5.tf")
    assert "cookie" not in rs.rules[2].action_parameters["cache_key"]["custom_key"]


def test_terraform_variables_in_attributes_rulelang_never_reads_are_fine(tmp_path):
    path = tmp_path / "cache.tf"
    path.write_text('''variable "zone_id" {}
resource "cloudflare_ruleset" "cache" {
  zone_id = var.zone_id
  name    = var.ruleset_name
  kind    = "zone"
  phase   = "http_request_cache_settings"
  rules {
    ref        = "static"
    expression = "starts_with(http.request.uri.path, \\"/static/\\")"
    action     = "set_cache_settings"
    action_parameters {
      cache = true
    }
  }
}
''')
    (rs,) = load_rulesets(path)
    assert [r.ref for r in rs.rules] == ["static"]
    path.write_text(path.read_text().replace("cache = true", "cache = var.cache"))
    with pytest.raises(RulesetError) as info:
        load_rulesets(path)
    assert info.value.diagnostics[0].code == "RS008"


def test_terraform_file_without_a_ruleset_resource(tmp_path):
    path = _write(tmp_path, "zone.tf", 'resource "cloudflare_zone" "z" {\n  zone = "a"\n}\n')
    with pytest.raises(RulesetError) as info:
        load_ruleset(path, "request")
    assert [d.code for d in info.value.diagnostics] == ["RS007"]


@pytest.mark.parametrize("value", ['"${var.x}"', "var.ttl", 'lower("A")'])
def test_terraform_values_needing_terraform_are_rs008(value, tmp_path):
    text = ('resource "cloudflare_ruleset" "r" {\n  phase = "http_request_cache_settings"\n'
            f'  rules {{\n    expression = {value}\n    action = "set_cache_settings"\n'
            '    action_parameters {\n      cache = true\n    }\n  }\n}\n')
    with pytest.raises(RulesetError) as info:
        load_ruleset(_write(tmp_path, "r.tf", text))
    (d,) = info.value.diagnostics
    assert (d.code, d.location.line) == ("RS008", 4)


def test_terraform_attribute_given_twice_is_warned(tmp_path):
    text = ('resource "cloudflare_ruleset" "r" {\n  phase = "http_request_cache_settings"\n'
            '  name = "a"\n  name = "b"\n}\n')
    rs = load_ruleset(_write(tmp_path, "r.tf", text))
    assert rs.name == "b"
    assert [(d.code, d.location.line, d.location.column) for d in rs.diagnostics] == \
        [("RS009", 4, 3)]


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path
