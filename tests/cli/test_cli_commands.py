"""End-to-end tests of the installed ``rulelang`` console script, run in a subprocess on the
corpus: every command and format, exit codes, machine formats, golden text, bad input."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from support.cli import BAD_RULES
from support.paths import CASES, EXAMPLE, ROOT

RULELANG = Path(sys.executable).parent / "rulelang"
WIDTH = "100"


def run(*args: str, cwd: Path | None = None, env: dict | None = None,
        timeout: float = 60) -> subprocess.CompletedProcess:
    """Run the installed console script with colour off and a fixed width."""
    full_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": WIDTH, "TERM": "dumb"}
    full_env.pop("FORCE_COLOR", None)
    full_env.update(env or {})
    return subprocess.run([str(RULELANG), *args], cwd=cwd or ROOT, env=full_env,
                          capture_output=True, text=True, timeout=timeout, check=False)


def samples() -> list[dict]:
    return [json.loads(line) for line in
            (EXAMPLE / "samples.jsonl").read_text("utf-8").splitlines() if line.strip()]


@pytest.fixture
def bad_rules(tmp_path: Path) -> Path:
    path = tmp_path / "bad-rules.json"
    path.write_text(BAD_RULES, encoding="utf-8")
    return path


def _position(text: str, needle: str) -> tuple[int, int]:
    pos = text.index(needle)
    return text.count("\n", 0, pos) + 1, pos - (text.rfind("\n", 0, pos) + 1) + 1


# --------------------------------------------------------------------------- install

def test_the_console_script_is_installed_next_to_the_interpreter():
    assert RULELANG.exists()
    result = run("--version")
    assert result.returncode == 0 and "rulelang" in result.stdout


def test_python_dash_m_rulelang_runs_the_same_cli():
    result = subprocess.run([sys.executable, "-m", "rulelang", "functions", "--format", "json"],
                            capture_output=True, text=True, timeout=60, cwd=ROOT, check=False)
    assert result.returncode == 0
    assert json.loads(result.stdout.splitlines()[0])["name"] == "any"


def test_no_command_shows_the_help():
    result = run()
    assert result.returncode == 0
    for command in ("lint", "eval", "trace", "test", "fmt", "fields", "functions"):
        assert command in result.stdout


# --------------------------------------------------------------------------- eval

def test_eval_without_arguments_runs_the_example_from_any_directory(tmp_path):
    result = run("eval", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for sample in samples():
        assert sample["name"] in result.stdout
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith(f"{len(samples())} samples: ")
    assert "MISS" in last and "DYNAMIC" in last
    assert "Cache Rules" in result.stdout and "Cache Response Rules" in result.stdout


def test_eval_json_lines_have_the_outcome_shape_and_the_sample_name(tmp_path):
    result = run("eval", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["sample"] for o in lines] == [s["name"] for s in samples()]
    for outcome in lines:
        assert set(outcome) >= {"sample", "matched", "request_settings", "response_settings",
                                "decision"}
        assert set(outcome["matched"]) == {"http_request_cache_settings",
                                           "http_response_cache_settings"}
        assert {"eligible", "cache_status", "edge_ttl", "browser_cache_control",
                "cache_tags", "stripped_headers", "reasons"} <= set(outcome["decision"])
    by_name = {o["sample"]: o for o in lines}
    assert by_name["blog-post"]["decision"]["edge_ttl"] == 3600
    assert by_name["homepage"]["decision"]["cache_status"] == "DYNAMIC"


def test_eval_text_golden(tmp_path):
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(next(s for s in samples() if s["name"] == "api-products")))
    result = run("eval", "--rules", str(EXAMPLE), "--samples", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout == """\
api-products (sample 0)
╭───────────────────────┬──────────────────────────────────────────────────────────────────────────╮
│ sample                │ GET https://www.example.com/api/v1/products?page=2 → 200 (Cache-Control: │
│                       │ public, max-age=30)                                                      │
│ Cache Rules           │ #2 api_origin_headers — API: cache only what the origin marks cacheable; │
│                       │ short TTLs for errors                                                    │
│ Cache Response Rules  │ #1 api_edge_s_maxage — Keep successful API answers for 5 minutes at the  │
│                       │ edge, and let browsers use a stale copy for a minute while they refresh  │
│                       │ it                                                                       │
│ eligible              │ yes                                                                      │
│ cache status          │ MISS                                                                     │
│ edge TTL              │ 300 s (5 min)                                                            │
│ browser Cache-Control │ public, max-age=14400, stale-while-revalidate=60                         │
│ cache tags            │ none                                                                     │
│ stripped headers      │ none                                                                     │
│ cache key             │ https://www.example.com/api/v1/products?page=2|h.x-api-version=2026-01   │
╰───────────────────────┴──────────────────────────────────────────────────────────────────────────╯
1 sample: 1 MISS
"""


def test_eval_with_explicit_rules_and_samples_and_why(tmp_path):
    result = run("eval", "--rules", str(EXAMPLE / "cache-rules.json"),
                 "--rules", str(EXAMPLE / "cache-response-rules.json"),
                 "--samples", str(EXAMPLE / "samples.jsonl"), "--why", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "why" in result.stdout and "made the request eligible" in result.stdout


def test_eval_with_samples_alone_shows_the_default_behaviour(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps([
        {"request": {"url": "https://a.com/x.png"}, "response": {"status": 200}},
        {"request": {"url": "https://a.com/x.html"}, "response": {"status": 200}}]))
    result = run("eval", "--samples", str(path), "--format", "json")
    assert result.returncode == 0, result.stderr
    first, second = map(json.loads, result.stdout.splitlines())
    assert (first["sample"], first["decision"]["cache_status"]) == (0, "MISS")
    assert (second["sample"], second["decision"]["cache_status"]) == (1, "DYNAMIC")


def test_eval_reports_a_broken_sample_line_and_still_evaluates_the_others(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text('{"request": {"url": "https://a.com/x.png"}}\n{broken\n'
                    '{"name": "last", "request": {"url": "https://a.com/y.css"}}\n')
    result = run("eval", "--samples", str(path), "--format", "json")
    assert result.returncode == 2
    assert [json.loads(x)["sample"] for x in result.stdout.splitlines()] == [0, "last"]
    assert result.stderr.count("\n") == 1
    assert f"{path}:2" in result.stderr and "Traceback" not in result.stderr


# --------------------------------------------------------------------------- trace

TRACE_ARGS = ("--rules", str(EXAMPLE), "https://www.example.com/blog/2026/hello",
              "-H", "Cookie: theme=dark", "--status", "200",
              "--response-header", "Cache-Control: max-age=60")


def test_trace_shows_each_rule_and_why_it_did_not_match():
    result = run("trace", *TRACE_ARGS)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "✓ #1 blog_cache_everything" in out
    assert "✗ #3 bypass_logged_in" in out
    assert 'false: http.cookie contains "session="' in out
    assert 'http.cookie = "theme=dark"' in out
    assert "- #4 legacy_downloads_bypass" in out and "the rule is disabled" in out
    assert "edge TTL               3600 s (1 h)" in out
    assert "Why" in out


def test_trace_json_is_one_object_with_the_trace():
    result = run("trace", *TRACE_ARGS, "--format", "json")
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    data = json.loads(line)
    assert data["sample"] == "https://www.example.com/blog/2026/hello"
    assert data["decision"]["edge_ttl"] == 3600
    entries = {(e["phase"], e["ref"]): e for e in data["trace"]}
    assert entries[("http_request_cache_settings", "blog_cache_everything")]["matched"]
    why = entries[("http_request_cache_settings", "api_origin_headers")]["why_not"]
    assert why[0] == 'false: starts_with(http.request.uri.path, "/api/")'


def test_trace_without_a_response_runs_the_request_phase_only():
    result = run("trace", "--rules", str(EXAMPLE), "-X", "POST",
                 "https://www.example.com/api/v1/cart", "--format", "json")
    data = json.loads(result.stdout)
    assert data["matched"]["http_response_cache_settings"] == []
    assert all(e["why_not"] == ["the response phase did not run (no response given)"]
               for e in data["trace"] if e["phase"] == "http_response_cache_settings")


# --------------------------------------------------------------------------- lint

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


# --------------------------------------------------------------------------- test

def test_the_shipped_case_files_pass():
    result = run("test", str(CASES))
    assert result.returncode == 0, result.stdout
    assert " passed in " in result.stdout.splitlines()[-1]
    assert "failed" not in result.stdout


def test_a_failing_case_exits_1_with_a_pytest_like_report(tmp_path):
    path = tmp_path / "cases.yaml"
    path.write_text(f"""
rules: [{EXAMPLE / 'cache-rules.json'}]
cases:
  - name: passes
    request: {{url: "https://www.example.com/static/a.css"}}
    response: {{status: 200}}
    expect: {{matched: [static_assets], edge_ttl: 2592000}}
  - name: fails on purpose
    request: {{url: "https://www.example.com/"}}
    response: {{status: 200}}
    expect: {{eligible: true, matched: [static_assets]}}
""")
    result = run("test", str(path))
    assert result.returncode == 1
    out = result.stdout
    assert f"{path} .F" in out
    assert "FAILURES" in out and "fails on purpose (line 8)" in out
    assert "eligible: expected true, got false" in out
    assert 'matched: expected ["static_assets"], got []' in out
    assert "1 failed, 1 passed in" in out.splitlines()[-1]
    verbose = run("test", "-v", "-k", "passes", str(path))
    assert verbose.returncode == 0 and f"{path}::passes PASSED" in verbose.stdout


def test_rules_option_overrides_the_case_file(tmp_path):
    path = tmp_path / "cases.yaml"
    path.write_text("cases:\n  - request: {url: 'https://www.example.com/blog/x'}\n"
                    "    response: {status: 200}\n    expect: {matched: [tag_blog]}\n")
    assert run("test", str(path)).returncode == 2
    result = run("test", "--rules", str(EXAMPLE / "cache-response-rules.json"), str(path))
    assert result.returncode == 0, result.stdout + result.stderr


# --------------------------------------------------------------------------- fmt

UNFORMATTED = """\
{
  "phase": "http_request_cache_settings",
  "rules": [
    {"ref": "a", "expression": "http.host   eq \\"a\\"   and ssl",
     "action": "set_cache_settings", "action_parameters": {"cache": true}}
  ]
}
"""


def test_fmt_expr():
    result = run("fmt", "--expr", 'http.host   eq "a"and(ssl)')
    assert (result.returncode, result.stdout) == (0, 'http.host eq "a" and (ssl)\n')
    assert run("fmt", "--check", "--expr", 'http.host   eq "a"').returncode == 1


def test_fmt_check_then_format_in_place(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text(UNFORMATTED)
    check = run("fmt", "--check", str(path))
    assert check.returncode == 1
    assert f"would reformat {path}" in check.stdout
    assert '+ http.host eq "a" and ssl' in check.stdout
    assert path.read_text() == UNFORMATTED
    done = run("fmt", str(path))
    assert done.returncode == 0 and "reformatted" in done.stdout
    assert path.read_text() == UNFORMATTED.replace('   eq \\"a\\"   and', ' eq \\"a\\" and')
    assert run("fmt", "--check", str(path)).returncode == 0


def test_fmt_check_of_the_example_passes():
    assert run("fmt", "--check", str(EXAMPLE)).returncode == 0


def test_fmt_refuses_an_expression_that_does_not_parse(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text(UNFORMATTED.replace("and ssl", "and (ssl"))
    result = run("fmt", str(path))
    assert result.returncode == 2
    assert "error[RL101]" in result.stderr and f"{path.name}:4:" in result.stderr


# --------------------------------------------------------------------------- fields, functions

def test_fields_table_and_phase_filter():
    result = run("fields")
    assert result.returncode == 0 and "http.request.uri.path" in result.stdout
    request = [json.loads(x)["name"] for x in
               run("fields", "--phase", "request", "--format", "json").stdout.splitlines()]
    response = [json.loads(x)["name"] for x in
                run("fields", "--phase", "response", "--format", "json").stdout.splitlines()]
    assert "http.response.code" in response and "http.response.code" not in request


def test_functions_table_lists_the_catalogue():
    result = run("functions")
    assert result.returncode == 0
    assert "regex_replace(source: String" in result.stdout
    assert "has_key" not in result.stdout
    assert "has_key" in run("functions", "--all").stdout


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("args, message", [
    (("lint", "missing.json"), "missing.json: no such file or directory"),
    (("lint", "empty-dir"), "empty-dir: no rules files in this directory"),
    (("eval", "--bogus"), "No such option '--bogus'"),
    (("eval", "--rules", "missing.json", "--samples", "s.jsonl"), "missing.json"),
    (("eval", "--samples", "empty-dir"), "empty-dir: is a directory"),
    (("eval", "--samples", "missing.jsonl"), "missing.jsonl"),
    (("eval", "--samples", "not-samples.json"), "not-samples.json"),
    (("trace", "ftp://example.com/"), "scheme"),
    (("trace", "https://a.com/", "-H", "no colon"), "expected 'Name: value'"),
    (("trace", "https://a.com/", "--status", "42"), "--status"),
    (("test", "missing.yaml"), "missing.yaml"),
    (("fields", "--phase", "firewall"), "unknown phase 'firewall'"),
    (("lint", "--select", "XY9", "."), "unknown diagnostic code 'XY9'"),
    (("fmt",), "give rules files"),
    (("lint", "broken.yaml", "--expr", "ssl"), "not both"),
])
def test_bad_input_is_one_line_on_stderr_and_exit_2(tmp_path, args, message):
    (tmp_path / "empty-dir").mkdir()
    (tmp_path / "s.jsonl").write_text('{"request": {"url": "https://a.com/"}}\n')
    (tmp_path / "not-samples.json").write_text('{"hello": 1}')
    (tmp_path / "r.json").write_text(UNFORMATTED)
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_an_invalid_rules_file_in_eval_shows_its_diagnostics_and_exits_2(bad_rules):
    result = run("eval", "--rules", str(bad_rules), "--samples", str(EXAMPLE / "samples.jsonl"))
    assert result.returncode == 2
    assert "error[RL201]" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith(
        f"rulelang: error: {bad_rules}: not a valid rules file")


def test_debug_shows_the_traceback():
    result = run("--debug", "lint", "missing-file.json")
    assert result.returncode == 2
    assert "Traceback" in result.stderr


def test_ctrl_c_ends_cleanly(tmp_path):
    big = tmp_path / "big.jsonl"
    line = json.dumps({"request": {"url": "https://a.com/x.png"}, "response": {"status": 200}})
    big.write_text((line + "\n") * 200000)
    proc = subprocess.Popen([str(RULELANG), "eval", "--samples", str(big), "--format", "json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "NO_COLOR": "1"})
    assert proc.stdout.readline().startswith('{"sample": 0')  # running, past start-up
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert err.strip() == "rulelang: interrupted"
