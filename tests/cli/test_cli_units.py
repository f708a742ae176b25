"""In-process tests of the CLI's building blocks: the trace explanation, code selection,
rules-file discovery and the progress bar."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from rulelang.cli.common import Failure, rules_files
from rulelang.cli.eval import _progress
from rulelang.cli.lint import parse_code_selection, select_diagnostics
from rulelang.describe import humanize_ttl
from rulelang.errors import Diagnostic
from rulelang.http.messages import Request, Response
from rulelang.language.explain import explain_false

# --------------------------------------------------------------------------- trace

def _explain(source: str, url: str, headers=None, status=None, phase="request"):
    phase = {"request": "http_request_cache_settings",
             "response": "http_response_cache_settings"}[phase]
    response = Response(status=status) if status else None
    return explain_false(source, phase, Request(url=url, headers=headers or {}), response)


@pytest.mark.parametrize("source, url, expected", [
    ('http.host eq "a.com" and starts_with(http.request.uri.path, "/api/")',
     "https://a.com/web", [(0, 'false: starts_with(http.request.uri.path, "/api/")'),
                           (1, 'http.request.uri.path = "/web"')]),
    ('http.request.uri.path eq "/x" or http.host eq "b.com"', "https://a.com/y", [
        (0, "none of the 2 alternatives is true:"),
        (1, 'false: http.request.uri.path eq "/x"'), (2, 'http.request.uri.path = "/y"'),
        (1, 'false: http.host eq "b.com"'), (2, 'http.host = "a.com"')]),
    ('not ssl', "https://a.com/", [(0, "true, so `not` makes it false: ssl")]),
    ('(http.host eq "b.com")', "https://a.com/", [
        (0, 'false: http.host eq "b.com"'), (1, 'http.host = "a.com"')]),
    ('ssl and (http.host eq "x" or http.host eq "y")', "https://a.com/", [
        (0, 'false: (http.host eq "x" or http.host eq "y")'),
        (1, "none of the 2 alternatives is true:"),
        (2, 'false: http.host eq "x"'), (3, 'http.host = "a.com"'),
        (2, 'false: http.host eq "y"'), (3, 'http.host = "a.com"')]),
    ('len(http.request.headers["x-a"]) gt 0', "https://a.com/", [
        (0, 'false: len(http.request.headers["x-a"]) gt 0'),
        (1, 'len(http.request.headers["x-a"]) = missing'),
        (1, 'http.request.headers["x-a"] = missing')]),
])
def test_explain_false_names_the_false_part_and_the_values(source, url, expected):
    assert _explain(source, url) == expected


def test_explain_false_in_the_response_phase():
    lines = _explain("http.response.code ge 500", "https://a.com/", status=200,
                     phase="response")
    assert lines == [(0, "false: http.response.code ge 500"), (1, "http.response.code = 200")]


# --------------------------------------------------------------------------- lint options

def test_code_selection_accepts_codes_prefixes_and_all():
    assert parse_code_selection(["rl2, RS310", "RL501"], "--select") == ("RL2", "RS310", "RL501")
    assert parse_code_selection(["ALL"], "--select") == ("",)
    with pytest.raises(Failure, match="unknown diagnostic code 'XX'"):
        parse_code_selection(["XX"], "--ignore")


@pytest.mark.parametrize("select, ignore, kept", [
    ((), (), ["RL201", "RL501", "RS310"]),
    (("RL",), (), ["RL201", "RL501"]),
    (("RL",), ("RL5",), ["RL201"]),
    ((), ("RS310", "RL201"), ["RL501"]),
    (("",), ("RL",), ["RS310"]),
])
def test_select_diagnostics(select, ignore, kept):
    diags = [Diagnostic(c, "m") for c in ("RL201", "RL501", "RS310")]
    assert [d.code for d in select_diagnostics(diags, select, ignore)] == kept


# --------------------------------------------------------------------------- files and output

def test_rules_files_in_a_directory_skip_samples_cases_and_hidden_files(tmp_path):
    (tmp_path / "a.json").write_text('{"rules": []}')
    (tmp_path / "b.yaml").write_text("result: {rules: []}")
    (tmp_path / "broken.json").write_text("{")
    (tmp_path / "samples.json").write_text("[]")
    (tmp_path / "har.json").write_text('{"log": {}}')
    (tmp_path / "cases.yaml").write_text("rules: []\ncases: []\n")
    (tmp_path / "other.tf").write_text('resource "aws_s3_bucket" "b" {}')
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "c.json").write_text('{"rules": []}')
    assert [p.name for p in rules_files(tmp_path)] == ["a.json", "b.yaml", "broken.json"]
    with pytest.raises(Failure, match="no such file"):
        rules_files(tmp_path / "nope")


@pytest.mark.parametrize("seconds, text", [
    (None, "not stored"), (0, "0 s"), (59, "59 s"), (60, "60 s (1 min)"),
    (7200, "7200 s (2 h)"), (2592000, "2592000 s (30 d)"), (90, "90 s"),
])
def test_humanize_ttl(seconds, text):
    assert humanize_ttl(seconds) == text


def test_progress_bar_only_for_a_long_file_on_a_terminal(tmp_path):
    big = tmp_path / "big.jsonl"
    big.write_text('{"request": {"url": "https://a.com/"}}\n' * 30000)
    small = tmp_path / "small.jsonl"
    small.write_text('{"request": {"url": "https://a.com/"}}\n')
    terminal = Console(file=io.StringIO(), force_terminal=True, width=80)
    with _progress(big, terminal) as advance:
        for _ in range(10):
            advance()
    assert "evaluating big.jsonl" in terminal.file.getvalue()
    for path, console in ((small, Console(file=io.StringIO(), force_terminal=True)),
                          (big, Console(file=io.StringIO(), force_terminal=False))):
        with _progress(path, console) as advance:
            advance()
        assert console.file.getvalue() == ""


def test_the_example_corpus_is_where_the_package_finds_it():
    from rulelang.resources import example_dir

    names = sorted(p.name for p in Path(example_dir()).iterdir())
    assert names == ["cache-response-rules.json", "cache-rules.json", "samples.jsonl"]
