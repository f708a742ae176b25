"""``rulelang test``: the shipped case files pass, a failing case gives a pytest-like report and
exit 1, --rules overrides the case file, mistakes in case files exit 2 naming file and line."""

from __future__ import annotations

import pytest
from support.cli import one_error_line, run
from support.paths import CASES, EXAMPLE


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


CASE_RULES = f"rules: [{EXAMPLE / 'cache-rules.json'}]\n"


@pytest.mark.parametrize("body, message", [
    ("cases:\n  - name: a\n    request: {url: 'https://a.com/'}\n    expect: {cache_stauts: MISS}\n",
     ("case-file.yaml:3: case 1: unknown expectation 'cache_stauts' (did you mean "
     "'cache_status'?)")),
    ("cases:\n  - name: a\n    requets: {url: 'https://a.com/'}\n",
     "case-file.yaml:3: case 1: unknown key 'requets' (did you mean 'request'?)"),
    (("cases:\n  - name: a\n    request: {url: 'https://a.com/'}\n"
     "  - name: b\n    request: {url: 'a.com/x'}\n"),
     "case-file.yaml:5: case 2 (b): request url: 'a.com/x' is not an absolute URL"),
    ("cases:\n  - name: a\n    request: {url: 'https://a.com/'}\n    response: {status: 'ok'}\n",
     "case-file.yaml:3: case 1 (a): "),
    (("cases:\n  - name: a\n    request: {url: 'https://a.com/'}\n"
     "    expect: {matched: {requets: []}}\n"),
     "case-file.yaml:3: case 1: expect.matched: unknown phase 'requets'"),
])
def test_a_case_file_with_a_mistake_exits_2_naming_file_and_line(tmp_path, body, message):
    (tmp_path / "case-file.yaml").write_text(CASE_RULES + body, "utf-8")
    result = run("test", "case-file.yaml", cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""  # nothing ran
    assert message in one_error_line(result)


def test_missing_rules_of_a_case_file_name_the_case_file(tmp_path):
    (tmp_path / "c.yaml").write_text("rules: [gone.json]\ncases:\n"
                                     "  - request: {url: 'https://a.com/'}\n")
    result = run("test", "c.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert one_error_line(result) == "rulelang: error: c.yaml: rules: gone.json: no such file " \
                                     "or directory"


def test_a_broken_second_case_file_stops_before_any_report(tmp_path):
    (tmp_path / "a.yaml").write_text(CASE_RULES + "cases:\n  - request: {url: 'https://a.com/'}\n")
    (tmp_path / "b.yaml").write_text("cases: [\n")
    result = run("test", "a.yaml", "b.yaml", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert "b.yaml:2: not valid YAML" in one_error_line(result)
