"""The command line in pipes and big runs: ``-`` and ``/dev/stdin``, a JSON array that
streams, whole names when piped, plain rows, ``--summary``, progress when stderr is not
a terminal, Ctrl-C at start-up, a reader that goes away, and the messages that misled."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from support.hostile import RULELANG
from support.paths import EXAMPLE

from rulelang.cli.eval import ProgressReporter

SAMPLE = {"request": {"url": "https://www.example.com/static/app.css"},
          "response": {"status": 200, "headers": {"Cache-Control": "max-age=60"}}}


def rulelang(*args: str, stdin: str | None = None, env: dict | None = None,
             timeout: float = 60) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", **(env or {})}
    full_env.pop("COLUMNS", None)
    return subprocess.run([str(RULELANG), *args], input=stdin, capture_output=True, text=True,
                          env=full_env, timeout=timeout, check=False)


# --------------------------------------------------------------------------- stdin


@pytest.mark.parametrize("samples_arg", ["-", "/dev/stdin"])
@pytest.mark.parametrize("layout", ["jsonl", "array"])
def test_samples_from_a_pipe(samples_arg, layout):
    items = [SAMPLE] * 3
    text = "".join(json.dumps(s) + "\n" for s in items) if layout == "jsonl" \
        else json.dumps(items, indent=1)
    result = rulelang("eval", "--rules", str(EXAMPLE), "--samples", samples_arg,
                      "--format", "json", stdin=text)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 3


def test_a_json_array_on_a_pipe_streams():
    """The first outcome is printed while the array is still open."""
    proc = subprocess.Popen([str(RULELANG), "eval", "--samples", "-", "--format", "json"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        proc.stdin.write("[" + json.dumps(SAMPLE) + ",\n" + json.dumps(SAMPLE) + ",\n")
        proc.stdin.flush()
        first = proc.stdout.readline()  # would block forever if the array were loaded whole
        assert json.loads(first)["sample"] == 0
        proc.stdin.write(json.dumps(SAMPLE) + "]\n")
        proc.stdin.close()
        rest = proc.stdout.read()
        assert proc.wait(timeout=60) == 0
    finally:
        proc.kill()
        proc.wait()
    assert len(rest.splitlines()) == 2


def test_rules_and_expressions_from_stdin():
    rules = (EXAMPLE / "cache-rules.json").read_text()
    lint = rulelang("lint", "-", stdin=rules)
    assert lint.returncode == 0 and "All checks passed (1 file)" in lint.stdout
    bad = rulelang("lint", "--expr", "-", stdin='http.hots eq "a"\n')
    assert bad.returncode == 1 and "did you mean http.host?" in bad.stdout
    evaluated = rulelang("eval", "--rules", "-", "--samples",
                         str(EXAMPLE / "samples.jsonl"), "--summary", stdin=rules)
    assert evaluated.returncode == 0 and evaluated.stdout.startswith("17 samples: ")
    both = rulelang("eval", "--rules", "-", "--samples", "-", stdin=rules)
    assert both.returncode == 2 and "not both" in both.stderr


# --------------------------------------------------------------------------- output


def test_piped_output_keeps_whole_names_and_lines():
    from rulelang.schema.catalogue import FUNCTIONS, fields

    out = rulelang("fields").stdout
    words = set(out.split())
    assert set(fields()) <= words  # every field name whole, none folded at 80 columns
    assert max(map(len, out.splitlines())) > 100
    functions = rulelang("functions", "--all").stdout
    for name in FUNCTIONS:
        assert f"{name}(" in functions


def test_eval_writes_plain_rows_when_piped_and_a_summary_on_request():
    rows = rulelang("eval")
    assert rows.returncode == 0
    assert "╭" not in rows.stdout and "  cache status: MISS" in rows.stdout
    long_lines = [ln for ln in rows.stdout.splitlines() if len(ln) > 100]
    assert long_lines  # nothing wrapped at 80 columns
    summary = rulelang("eval", "--summary")
    assert summary.stdout == "17 samples: 10 MISS, 5 DYNAMIC, 1 BYPASS, 1 request only\n"
    as_json = json.loads(rulelang("eval", "--summary", "--format", "json").stdout)
    assert as_json == {"samples": 17, "cache_status": {"MISS": 10, "DYNAMIC": 5, "BYPASS": 1,
                                                       "request only": 1},
                       "errors": 0, "skipped": 0}


def test_progress_lines_when_stderr_is_not_a_terminal(tmp_path):
    path = tmp_path / "many.jsonl"
    path.write_text((json.dumps(SAMPLE) + "\n") * 3000)
    result = rulelang("eval", "--samples", str(path), "--summary", "--progress",
                      env={"RULELANG_PROGRESS_INTERVAL": "0"})
    assert result.returncode == 0
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("evaluating many.jsonl")]
    assert lines and "\r" not in result.stderr
    assert " of 3,000 samples, " in lines[-1] and "/s, " in lines[-1] and "left" in lines[-1]
    quiet = rulelang("eval", "--samples", str(path), "--summary")  # short: no progress
    assert quiet.stderr == ""


def test_progress_reporter_rate_and_time_left():
    now = [100.0]
    stream = __import__("io").StringIO()
    reporter = ProgressReporter(stream, "evaluating x", total=1000, terminal=False,
                                interval=5.0, delay=2.0, clock=lambda: now[0])
    for _ in range(64):
        reporter.advance()
    assert stream.getvalue() == ""  # within the first 2 s: quiet
    now[0] = 104.0
    reporter.advance(64)
    assert stream.getvalue() == ("evaluating x: 128 of 1,000 samples, 32/s, 0:00:04 elapsed, "
                                 "about 0:00:27 left\n")
    now[0] = 105.0
    reporter.advance(64)
    assert stream.getvalue().count("\n") == 1  # at most one line per interval


# --------------------------------------------------------------------------- signals


@pytest.mark.parametrize("module", ["rulelang.cli.main", "click", "rich.console", "lark",
                                    "rulelang.engine", "re2"])
def test_ctrl_c_during_start_up_imports(module):
    """SIGINT while Python is still importing the command line, the toolkit or the
    engine (a deterministic hook sends it when ``module`` is imported): exit 130 and one
    line, never a traceback."""
    code = ("import os, signal, sys\n"
            "class Hook:\n"
            "    def find_spec(self, name, path, target=None):\n"
            f"        if name == {module!r}:\n"
            "            os.kill(os.getpid(), signal.SIGINT)\n"
            "        return None\n"
            "sys.meta_path.insert(0, Hook())\n"
            "from rulelang.cli import main\n"
            "sys.exit(main(['eval', '--summary']))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 130, result.stderr
    assert result.stderr == "rulelang: interrupted\n"


def test_a_reader_that_goes_away_is_quiet(tmp_path):
    path = tmp_path / "many.jsonl"
    path.write_text((json.dumps(SAMPLE) + "\n") * 5000)
    shell = f"'{RULELANG}' eval --samples '{path}' --format json | head -1"
    result = subprocess.run(["sh", "-c", shell], capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.stdout.startswith('{"sample": 0') and result.stderr == ""


# --------------------------------------------------------------------------- messages


def test_trace_with_a_host_after_a_rules_directory():
    result = rulelang("trace", "--rules", str(EXAMPLE), "www.example.com/x")
    assert result.returncode == 2
    assert "Missing argument" not in result.stderr
    assert "did you mean 'https://www.example.com/x'?" in result.stderr


def test_trace_status_range_is_what_it_says():
    result = rulelang("trace", "https://a.example/", "--status", "700")
    assert result.returncode == 2 and "from 100 to 599, got '700'" in result.stderr
    assert rulelang("trace", "https://a.example/", "--status", "599").returncode == 0
    assert "100-599" in rulelang("trace", "--help").stdout


def test_lint_without_a_path_says_what_it_checks(tmp_path):
    (tmp_path / "r.json").write_text((EXAMPLE / "cache-rules.json").read_text())
    result = subprocess.run([str(RULELANG), "lint"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0
    assert result.stderr.startswith("rulelang lint: no path given: checking the rules files "
                                    f"under the current directory ({tmp_path})")
    assert "With no PATH" in " ".join(rulelang("lint", "--help").stdout.split())


def test_test_help_describes_case_files_without_a_missing_doc():
    text = rulelang("test", "--help").stdout
    assert "cases:" in text and "expect:" in text and "source distribution" in text


def test_eval_of_a_browser_har_counts_what_it_skips(tmp_path):
    def entry(url):
        return {"request": {"method": "GET", "url": url, "headers": []},
                "response": {"status": 200, "headers": [
                    {"name": "Set-Cookie", "value": "a=1\nb=2"}]}}
    har = {"log": {"version": "1.2", "entries": [
        entry("https://a.example/"), entry("data:text/plain,hi"), entry("wss://a.example/ws"),
        entry("blob:https://a.example/1"), entry("https://a.example/x.css")]}}
    path = tmp_path / "devtools.har"
    path.write_text(json.dumps(har))
    result = rulelang("eval", "--samples", str(path), "--summary")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("2 samples: ")
    assert result.stderr == ("rulelang eval: skipped 3 HAR entries that are not HTTP requests "
                             "(1 data:, 1 wss:, 1 blob:)\n")


def test_a_case_file_from_stdin_and_a_report_of_sane_width(tmp_path):
    (tmp_path / "r.json").write_text((EXAMPLE / "cache-rules.json").read_text())
    cases = ("rules: [r.json]\ncases:\n  - name: css\n    request: {url: "
             "'https://www.example.com/static/site.css'}\n    expect: {eligible: false}\n")
    result = subprocess.run([str(RULELANG), "test", "-"], input=cases, cwd=tmp_path,
                            capture_output=True, text=True, timeout=60, check=False,
                            env={**os.environ, "NO_COLOR": "1"})
    assert result.returncode == 1, result.stderr
    assert "FAILURES" in result.stdout and "eligible: expected false, got true" in result.stdout
    rules = [ln for ln in result.stdout.splitlines() if ln.startswith(("===", "___"))]
    assert len(rules) == 3 and all(len(ln) == 100 for ln in rules)  # not 16,384 wide
