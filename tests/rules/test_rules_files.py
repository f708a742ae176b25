"""Rules files: one list of suffixes, one reader dispatch, no import circle in rules/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from rulelang.cli.common import rules_files
from rulelang.linter import lint
from rulelang.rules.documents import path_text
from rulelang.rules.files import RULES_SUFFIXES, format_of, read_text

PACKAGE = Path(__file__).resolve().parents[2] / "rulelang"

HCL = '''resource "cloudflare_ruleset" "cache" {
  zone_id = "z"
  name    = "cache"
  kind    = "zone"
  phase   = "http_request_cache_settings"
  rules {
    expression = "true"
    action     = "set_cache_settings"
    action_parameters {
      cache = true
    }
  }
}
'''


@pytest.mark.parametrize(("name", "fmt"), [
    ("a.json", "json"), ("a.YAML", "yaml"), ("a.yml", "yaml"), ("a.tf", "terraform"),
    ("a.hcl", "terraform"), ("a.txt", None), (None, None)])
def test_format_of(name, fmt):
    assert format_of(name) == fmt


def test_every_suffix_has_a_reader():
    assert {format_of("x" + s) for s in RULES_SUFFIXES} == {"json", "yaml", "terraform"}


def test_directory_walk_finds_what_a_file_argument_reads(tmp_path):
    (tmp_path / "cache.hcl").write_text(HCL)
    assert rules_files(tmp_path) == [tmp_path / "cache.hcl"]
    assert lint(str(tmp_path / "cache.hcl")) == []


def test_read_text_sniffs_content_without_a_suffix():
    assert read_text('{"rules": []}', None)[0].format == "json"
    assert read_text(HCL, "rules.txt")[0].format == "terraform"
    assert read_text("rules: []\n", None)[0].format == "yaml"


@pytest.mark.parametrize(("path", "text"), [
    (("rules", 3, "action_parameters", "edge_ttl"), "rules[3].action_parameters.edge_ttl"),
    (("rules", 0, "a b"), 'rules[0]["a b"]'),
    ((), ""),
])
def test_path_text(path, text):
    assert path_text(path) == text


def _imports(module: Path) -> set[str]:
    """Every rulelang module ``module`` imports, at the top or inside a function."""
    out = set()
    for node in ast.walk(ast.parse(module.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("rulelang"):
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("rulelang"))
    return out


def test_no_import_circle_in_rules():
    modules = {f"rulelang.rules.{p.stem}": p for p in (PACKAGE / "rules").glob("*.py")}
    graph = {name: _imports(path) & set(modules) for name, path in modules.items()}

    def reach(start: str) -> set[str]:
        seen, todo = set(), list(graph[start])
        while todo:
            m = todo.pop()
            if m not in seen:
                seen.add(m)
                todo.extend(graph[m])
        return seen

    circles = sorted(m for m in graph if m in reach(m))
    assert circles == []
