"""Review of the command line as a newcomer meets it (interfaces.md §3, issue 6): exit codes
for unusable input, closed pipes, SARIF and GitHub escaping, `fmt` keeping every other byte,
case files with mistakes, trace flags.  Each test runs the installed console script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.paths import ROOT

EXAMPLE = ROOT / "corpus" / "example"
RULELANG = Path(sys.executable).parent / "rulelang"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", "TERM": "dumb"}
    env.pop("FORCE_COLOR", None)
    return subprocess.run([str(RULELANG), *args], cwd=cwd or ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def one_error_line(result: subprocess.CompletedProcess) -> str:
    """The last stderr line, which must be the one `rulelang: error:` line; no traceback."""
    assert "Traceback" not in result.stderr, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert "error:" in last, result.stderr
    return last


RULE = ('{"expression": %s, "action": "set_cache_settings", '
        '"action_parameters": {"cache": true}}')


def rules_json(expression: str, phase: str | None = "http_request_cache_settings") -> str:
    head = f'"phase": "{phase}", ' if phase else ""
    return '{' + head + '"rules": [' + RULE % json.dumps(expression) + ']}'


#: A rules file in Latin-1: the é of the expression is the single byte 0xE9 at offset 58.
LATIN1_RULES = ('{"phase":"request","rules":[{"expression":"http.host eq \\"\xe9\\"",'
                '"action":"set_cache_settings","action_parameters":{"cache":true}}]}'
                ).encode("latin-1")


# --------------------------------------------------------------------------- closed pipe

@pytest.mark.parametrize("args", [
    ("eval",), ("eval", "--format", "json"), ("fields",), ("functions", "--all"),
])
def test_a_reader_that_goes_away_is_not_an_error(args):
    """`rulelang eval | head -1`: exit 0 and nothing on stderr (rich's own handler exits 1,
    click's turns EPIPE into exit 1)."""
    proc = subprocess.Popen([str(RULELANG), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, "NO_COLOR": "1"})
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert "Traceback" not in err and "error" not in err


# --------------------------------------------------------------------------- lint: exit 2

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


# --------------------------------------------------------------------------- SARIF, GitHub

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


# --------------------------------------------------------------------------- fmt

CRLF_CASES = [
    ("r.json", ('{\r\n  "phase": "request",\r\n  "rules": [\r\n    {"expression": '
               '"http.host  eq \\"a\\"", "action": "set_cache_settings", '
               '"action_parameters": {"cache": true}}\r\n  ]\r\n}\r\n'),
     '"http.host eq \\"a\\""'),
    ("r.yaml", ('phase: request\r\nrules:\r\n  - expression: |\r\n      http.host  eq "a"\r\n'
               '      or ssl\r\n    action: set_cache_settings\r\n'
               '    action_parameters: {cache: true}\r\n'),
     '|-\r\n      http.host eq "a" or ssl\r\n'),
    ("r.tf", ('resource "cloudflare_ruleset" "x" {\r\n  phase = "http_request_cache_settings"\r\n'
             '  rules {\r\n    expression = <<-EOT\r\n      http.host  eq "a"\r\n    EOT\r\n'
             '    action = "set_cache_settings"\r\n    action_parameters {\r\n'
             '      cache = true\r\n    }\r\n  }\r\n}\r\n'),
     '<<-EOT\r\n      http.host eq "a"\r\n    EOT\r\n'),
]


@pytest.mark.parametrize("name, text, expected_piece", CRLF_CASES)
def test_fmt_keeps_crlf_line_endings(tmp_path, name, text, expected_piece):
    path = tmp_path / name
    path.write_bytes(text.encode())
    result = run("fmt", name, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    after = path.read_bytes().decode()
    assert expected_piece in after
    assert after.count("\n") == after.count("\r\n")  # no bare LF: the file stays CRLF
    assert run("fmt", "--check", name, cwd=tmp_path).returncode == 0


def test_fmt_changes_only_the_expression_bytes(tmp_path):
    text = ('{ "phase" :  "request" ,\n\t"rules" : [ {"ref": "a",   "expression":'
            ' "ssl   and http.host eq \\"a\\"" , "action":"set_cache_settings",'
            '"action_parameters":{ "cache" : true }} ] }\n')
    path = tmp_path / "r.json"
    path.write_text(text, "utf-8")
    assert run("fmt", "r.json", cwd=tmp_path).returncode == 0
    assert path.read_text("utf-8") == text.replace("ssl   and", "ssl and")


def test_fmt_keeps_a_byte_order_mark(tmp_path):
    path = tmp_path / "r.json"
    path.write_bytes(b"\xef\xbb\xbf" + rules_json("ssl  and ssl").encode())
    result = run("fmt", "r.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert path.read_bytes() == b"\xef\xbb\xbf" + rules_json("ssl and ssl").encode()


def test_fmt_keeps_an_ascii_file_ascii(tmp_path):
    """A string written with \\u escapes keeps them: only the spacing changes."""
    path = tmp_path / "r.json"
    path.write_text(rules_json('http.host  eq "\u00e9"'), "utf-8")  # json.dumps escapes é
    assert path.read_text("utf-8").isascii()
    assert run("fmt", "r.json", cwd=tmp_path).returncode == 0
    assert path.read_text("utf-8") == rules_json('http.host eq "\u00e9"')


def test_fmt_of_a_file_that_is_not_utf8_names_the_file(tmp_path):
    (tmp_path / "r.json").write_bytes(LATIN1_RULES)
    result = run("fmt", "r.json", cwd=tmp_path)
    assert result.returncode == 2
    assert one_error_line(result) == ("rulelang: error: r.json:1: not UTF-8 text (byte 58); "
                                      "save the file as UTF-8")


# --------------------------------------------------------------------------- test

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


# --------------------------------------------------------------------------- trace, eval

@pytest.mark.parametrize("args, message", [
    (("--status", "abc"), "expected an HTTP status code from 100 to 999, got 'abc'"),
    (("--status", "99"), "expected an HTTP status code from 100 to 999, got '99'"),
    (("--field", "ip.src.contry=GB"), "--field: unknown field 'ip.src.contry'"),
    (("--field", "cf.bot_management.score=high"), "--field: field 'cf.bot_management.score'"),
    (("-X", "G ET"), "'G ET' is not an HTTP method"),
])
def test_trace_flags_with_bad_values(args, message):
    result = run("trace", "https://www.example.com/", *args)
    assert result.returncode == 2
    assert message in one_error_line(result)


def test_trace_field_of_a_string_field_is_the_text_itself():
    result = run("trace", "https://www.example.com/", "--field", "ip.src.country=1",
                 "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["sample"] == "https://www.example.com/"


def test_trace_without_rules_says_so():
    result = run("trace", "https://www.example.com/a.css")
    assert result.returncode == 0
    assert "no --rules given" in result.stdout


def test_eval_with_rules_alone_runs_them_on_the_example_samples(tmp_path):
    (tmp_path / "r.json").write_text(rules_json('http.host eq "www.example.com"'))
    result = run("eval", "--rules", "r.json", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    expected = (EXAMPLE / "samples.jsonl").read_text("utf-8").strip().count("\n") + 1
    assert len(lines) == expected
    assert all(len(o["matched"]["http_request_cache_settings"]) == 1 for o in lines
               if "www.example.com" in json.dumps(o["decision"].get("cache_key")))


def test_eval_samples_that_are_a_directory(tmp_path):
    result = run("eval", "--samples", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert one_error_line(result).startswith("rulelang: error: .: is a directory")
