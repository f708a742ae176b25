"""``rulelang lint``: compiler-like text, JSON, SARIF 2.1.0 and GitHub annotations pointing into
the rules file, code selection, directories, expressions, exit codes (1 for findings, 2 for a
file that cannot be checked), escaping of awkward file names and messages."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from support.cli import (
    BAD_RULES,
    LATIN1_RULES,
    one_error_line,
    rules_json,
    run,
)
from support.paths import EXAMPLE


def _position(text: str, needle: str) -> tuple[int, int]:
    pos = text.index(needle)
    return text.count("\n", 0, pos) + 1, pos - (text.rfind("\n", 0, pos) + 1) + 1


def test_lint_of_the_example_is_clean():
    result = run("lint", str(EXAMPLE))
    assert (result.returncode, result.stdout.strip()) == (0, "All checks passed (2 files).")


def test_lint_text_is_compiler_like_golden(bad_rules):
    result = run("lint", bad_rules.name, cwd=bad_rules.parent)
    assert result.returncode == 1
    assert result.stdout == """\
error[RL201]: unknown field http.request.uri.pathx
  --> bad-rules.json:6:22 rules[0].expression
  |
6 |       "expression": "http.request.uri.pathx eq \\"/x\\"",
  |                      ^^^^^^^^^^^^^^^^^^^^^^
  = hint: did you mean http.request.uri.path?

error[RS310]: invalid edge_ttl mode 'override'
  --> bad-rules.json:14:65 rules[1].action_parameters.edge_ttl.mode
   |
14 |       "action_parameters": {"cache": true, "edge_ttl": {"mode": "override"}}
   |                                                                 ^^^^^^^^^^
  = hint: mode is one of: respect_origin, override_origin, bypass_by_default

Found 2 errors.
"""


def test_lint_json(bad_rules):
    result = run("lint", str(bad_rules), "--format", "json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert [d["code"] for d in data] == ["RL201", "RS310"]
    first = data[0]
    assert {"code", "severity", "message", "line", "column", "end_line", "end_column",
            "hint", "location", "region"} <= set(first)
    assert first["location"]["file"] == str(bad_rules)
    assert first["location"]["path"] == "rules[0].expression"
    line, col = _position(BAD_RULES, "http.request.uri.pathx")
    assert first["region"] == {"line": line, "column": col, "end_line": line,
                               "end_column": col + len("http.request.uri.pathx")}


def test_lint_sarif_has_the_required_shape(bad_rules):
    result = run("lint", str(bad_rules), "--format", "sarif")
    assert result.returncode == 1
    log = json.loads(result.stdout)
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    (run_,) = log["runs"]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "rulelang"
    rule_ids = [r["id"] for r in driver["rules"]]
    assert {"RL201", "RS310"} <= set(rule_ids)
    for result_ in run_["results"]:
        assert {"ruleId", "level", "message", "locations"} <= set(result_)
        assert result_["level"] in ("error", "warning", "note")
        assert result_["message"]["text"]
        assert rule_ids[result_["ruleIndex"]] == result_["ruleId"]
        phys = result_["locations"][0]["physicalLocation"]
        assert phys["artifactLocation"]["uri"] == str(bad_rules)
        assert set(phys["region"]) == {"startLine", "startColumn", "endLine", "endColumn"}
    line, col = _position(BAD_RULES, '"override"')
    region = run_["results"][1]["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["endColumn"]) == \
        (line, col, col + len('"override"'))


def test_lint_github_annotations_point_into_the_rules_file(bad_rules):
    result = run("lint", "bad-rules.json", "--format", "github", cwd=bad_rules.parent)
    assert result.returncode == 1
    first, second = result.stdout.splitlines()
    line, col = _position(BAD_RULES, "http.request.uri.pathx")
    assert first.startswith(f"::error file=bad-rules.json,line={line},col={col},"
                            f"endLine={line},endColumn={col + 22},title=RL201::unknown field")
    line, col = _position(BAD_RULES, '"override"')
    assert second.startswith(f"::error file=bad-rules.json,line={line},col={col},")
    assert "title=RS310::" in second


@pytest.mark.parametrize("text, suffix, needle", [
    (("phase: http_request_cache_settings\nrules:\n  - expression: http.hots eq \"a\"\n"
     "    action: set_cache_settings\n    action_parameters: {cache: true}\n"),
     ".yaml", "http.hots"),
    (("phase: http_request_cache_settings\nrules:\n  - expression: |\n      ssl and\n"
     "      http.hots eq \"a\"\n    action: set_cache_settings\n"
     "    action_parameters: {cache: true}\n"), ".yaml", "http.hots"),
    (('resource "cloudflare_ruleset" "r" {\n  zone_id = "z"\n  name = "n"\n  kind = "zone"\n'
     '  phase = "http_request_cache_settings"\n  rules {\n'
     '    expression = "ssl and http.hots eq \\"a\\""\n    action = "set_cache_settings"\n'
     '    action_parameters {\n      cache = true\n    }\n  }\n}\n'), ".tf", "http.hots"),
])
def test_lint_positions_in_yaml_and_terraform_files(tmp_path, text, suffix, needle):
    path = tmp_path / f"rules{suffix}"
    path.write_text(text, encoding="utf-8")
    result = run("lint", path.name, "--format", "github", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    line, col = _position(text, needle)
    assert result.stdout.startswith(f"::error file={path.name},line={line},col={col},"
                                    f"endLine={line},endColumn={col + len(needle)},"
                                    "title=RL201::")


def test_lint_select_and_ignore(bad_rules):
    assert json.loads(run("lint", str(bad_rules), "--format", "json",
                          "--select", "RS").stdout)[0]["code"] == "RS310"
    result = run("lint", str(bad_rules), "--ignore", "RL2,RS3")
    assert (result.returncode, result.stdout.strip()) == (0, "All checks passed (1 file).")


def test_lint_of_a_directory_checks_every_rules_file_and_skips_samples(tmp_path, bad_rules):
    shutil.copy(EXAMPLE / "cache-rules.json", tmp_path / "good.json")
    shutil.copy(EXAMPLE / "samples.jsonl", tmp_path / "samples.jsonl")
    (tmp_path / "samples.json").write_text("[]")
    result = run("lint", str(tmp_path), "--format", "json")
    assert result.returncode == 1
    assert {d["location"]["file"] for d in json.loads(result.stdout)} == {str(bad_rules)}


@pytest.mark.parametrize("expr, code, status", [
    ('http.host eq "www.example.com"', None, 0),
    ('http.host eq', "RL101", 1),
    ('http.request.uri.path starts_with "/a"', "RL501", 1),
])
def test_lint_expr(expr, code, status):
    result = run("lint", "--expr", expr, "--format", "json")
    assert result.returncode == status
    assert [d["code"] for d in json.loads(result.stdout)] == ([code] if code else [])


def test_lint_expr_in_the_response_phase():
    assert run("lint", "--expr", "http.response.code eq 200").returncode == 1
    assert run("lint", "--expr", "http.response.code eq 200", "--phase", "response"
               ).returncode == 0


@pytest.mark.parametrize("name, text, code", [
    ("broken.json", '{"rules": [', "RS002"),
    ("broken.yaml", "rules:\n  - expression: [\n", "RS003"),
    ("broken.tf", 'resource "cloudflare_ruleset" "x" {\n  rules {\n', "RS004"),
    ("hello.json", '{"hello": 1}', "RS005"),
    ("no-phase.json", rules_json("ssl", phase=None), "RS006"),
    ("latin1.json", None, "RS001"),
])
@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_lint_of_a_file_that_is_not_a_usable_rules_file_exits_2(tmp_path, name, text, code,
                                                                 fmt):
    """interfaces.md §3: 2 for unreadable or invalid input — and the diagnostic is still
    reported in the chosen format, followed by one line naming the file."""
    path = tmp_path / name
    if text is None:
        path.write_bytes(LATIN1_RULES)
    else:
        path.write_text(text, "utf-8")
    result = run("lint", name, "--format", fmt, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert code in result.stdout
    assert one_error_line(result).startswith(f"rulelang: error: cannot check {name} (")


def test_lint_without_a_phase_but_with_a_phase_option_exits_0(tmp_path):
    (tmp_path / "r.json").write_text(rules_json("ssl", phase=None))
    assert run("lint", "r.json", "--phase", "request", cwd=tmp_path).returncode == 0


def test_lint_findings_alone_still_exit_1(tmp_path):
    (tmp_path / "r.json").write_text(rules_json("http.hots eq \"a\""))
    result = run("lint", "r.json", cwd=tmp_path)
    assert result.returncode == 1 and "RL201" in result.stdout and not result.stderr


def test_ignoring_the_code_of_an_unusable_file_does_not_hide_it(tmp_path):
    (tmp_path / "broken.json").write_text('{"rules": [')
    result = run("lint", "broken.json", "--ignore", "RS", "--format", "json", cwd=tmp_path)
    assert result.returncode == 2 and json.loads(result.stdout) == []
    assert "broken.json (invalid JSON" in one_error_line(result)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_lint_of_an_unreadable_file_in_a_directory_exits_2(tmp_path):
    (tmp_path / "ok.json").write_text(rules_json("ssl"))
    bad = tmp_path / "secret.json"
    bad.write_text(rules_json("ssl"))
    bad.chmod(0)
    result = run("lint", ".", cwd=tmp_path)
    assert result.returncode == 2 and "RS001" in result.stdout


AWKWARD = "we ird,na:me%1.json"


@pytest.fixture
def awkward(tmp_path: Path) -> Path:
    """A rules file whose name needs escaping everywhere, with an error at a known place:
    `http.hots` starts at column 45 of line 1 (after `{"phase": "…", "rules": [{"expression": "`)."""
    text = rules_json('http.host eq "100%" and http.hots eq "a"')
    path = tmp_path / AWKWARD
    path.write_text(text, "utf-8")
    return path


def test_sarif_2_1_0_required_properties_and_an_escaped_uri(awkward):
    result = run("lint", AWKWARD, "--format", "sarif", cwd=awkward.parent)
    assert result.returncode == 1
    log = json.loads(result.stdout)
    assert log["version"] == "2.1.0"
    assert log["$schema"].startswith("https://") and "sarif" in log["$schema"]
    (run_,) = log["runs"]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "rulelang"
    ids = [r["id"] for r in driver["rules"]]
    assert len(ids) == len(set(ids)) and all(isinstance(i, str) and i for i in ids)
    assert run_["columnKind"] == "unicodeCodePoints"
    (res,) = run_["results"]
    assert res["ruleId"] == "RL201" and ids[res["ruleIndex"]] == "RL201"
    assert res["level"] == "error" and res["message"]["text"].startswith("unknown field")
    (loc,) = res["locations"]
    phys = loc["physicalLocation"]
    # RFC 3986: space, comma, colon (in a first segment) and % are percent-encoded.
    assert phys["artifactLocation"]["uri"] == "we%20ird%2Cna%3Ame%251.json"
    text = awkward.read_text("utf-8")
    column = text.index("http.hots") + 1
    assert phys["region"] == {"startLine": 1, "startColumn": column, "endLine": 1,
                              "endColumn": column + len("http.hots")}


def test_github_annotations_escape_properties_and_data(awkward):
    result = run("lint", AWKWARD, "--format", "github", cwd=awkward.parent)
    (line,) = result.stdout.splitlines()
    column = awkward.read_text("utf-8").index("http.hots") + 1
    assert line == (f"::error file=we ird%2Cna%3Ame%251.json,line=1,col={column},endLine=1,"
                    f"endColumn={column + 9},title=RL201::unknown field http.hots"
                    f"%0Ahint: did you mean http.host?")


@pytest.mark.parametrize("message, escaped", [
    ("100% sure", "100%25 sure"),
    ("a\nb", "a%0Ab"),
    ("a\r\nb", "a%0D%0Ab"),
    ("x: y, z", "x: y, z"),  # data keeps ':' and ','; only properties escape them
])
def test_github_message_escaping(message, escaped):
    from rulelang.errors import Diagnostic
    from rulelang.render import render_github

    assert render_github([Diagnostic("RL201", message)]) == f"::error title=RL201::{escaped}"


def test_a_byte_order_mark_does_not_shift_columns(tmp_path):
    text = rules_json("http.hots eq 1")
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + text.encode())
    result = run("lint", "bom.json", "--format", "github", cwd=tmp_path)
    column = text.index("http.hots") + 1
    assert f"line=1,col={column},endLine=1,endColumn={column + 9}," in result.stdout
