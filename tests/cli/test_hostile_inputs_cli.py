"""Every reader on hostile input, through the command line under a 1 GB address-space
limit: documents nested 10,000 deep and YAML alias bombs end in one clear error naming
the file (never a RecursionError, an "internal error", or gigabytes of memory);
duplicate keys in case files fail; lone surrogates are named; long values are cut."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.hostile import ALIAS_BOMB, DEEP, bomb_rules, deep_rules, run_limited

RULES_JSON = json.dumps({"phase": "http_request_cache_settings", "rules": [
    {"ref": "all", "expression": "true", "action": "set_cache_settings",
     "action_parameters": {"cache": True}}]})


def _clean(result) -> str:
    err = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err
    assert "internal error" not in err
    assert "RecursionError" not in err
    return err + result.stdout.decode("utf-8", "replace")


@pytest.mark.parametrize("fmt, suffix", [("json", ".json"), ("yaml", ".yaml"),
                                         ("terraform", ".tf")])
@pytest.mark.parametrize("command", ["lint", "fmt --check", "lint DIR", "eval --rules"])
def test_deeply_nested_rules_files(tmp_path, fmt, suffix, command):
    path = tmp_path / f"deep{suffix}"
    path.write_text(deep_rules(fmt))
    args = command.split()
    if args[-1] == "DIR":
        args = [*args[:-1], str(tmp_path)]
    else:
        args.append(str(path))
    if args[0] == "eval":
        args += ["--summary"]
    result = run_limited(*args)
    out = _clean(result)
    assert result.returncode == 2
    assert "nested more than 100 levels deep" in out
    assert "deep" + suffix in out


@pytest.mark.parametrize("command", ["lint", "fmt --check", "eval --rules"])
def test_alias_bomb_rules_file(tmp_path, command):
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb_rules())
    result = run_limited(*command.split(), str(path))
    out = _clean(result)
    assert result.returncode == 2
    assert "alias bomb" in out and "bomb.yaml" in out


@pytest.mark.parametrize("tail, message", [
    ("cases: " + DEEP + "\n", "nested more than 100 levels deep"),
    ("cases: []\n" + ALIAS_BOMB, "alias bomb"),
    (("cases:\n  - request: {url: 'https://a.example/'}\n    expect: {eligible: false}\n"
     "    expect: {eligible: true}\n"), "duplicate key 'expect' (first at line 4, column 5)"),
])
def test_case_files(tmp_path, tail, message):
    (tmp_path / "rules.json").write_text(RULES_JSON)
    path = tmp_path / "cases.yaml"
    path.write_text("rules: [rules.json]\n" + tail)
    result = run_limited("test", str(path))
    out = _clean(result)
    assert result.returncode == 2, out
    assert message in out and "cases.yaml:" in out


@pytest.mark.parametrize("name, text", [
    ("deep.jsonl", '{"request": {"url": "https://a.example/"}}\n'
                   '{"request": {"url": "https://a.example/", "headers": ' + DEEP + "}}\n"),
    ("deep.json", '[{"request": {"url": "https://a.example/"}},\n'
                  '{"request": {"url": "https://a.example/", "headers": ' + DEEP + "}}]\n"),
    ("deep.har", '{"log": {"entries": [\n{"request": {"url": "https://a.example/", '
                 '"headers": ' + DEEP + "}}]}}\n"),
])
def test_deeply_nested_samples(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    result = run_limited("eval", "--samples", str(path), "--format", "json")
    out = _clean(result)
    assert result.returncode == 2
    assert f"{name}:2: sample " in out and "nested more than 100 levels deep" in out


def test_deeply_nested_samples_through_the_api_raise_rulelang_errors(tmp_path):
    from rulelang import RuleLangError
    from rulelang.http.samples import iter_samples

    for name in ("a.jsonl", "a.json"):
        path = tmp_path / name
        inner = '{"request": {"url": "https://a.example/", "headers": ' + DEEP + "}}"
        path.write_text(inner + "\n" if name.endswith("l") else f"[{inner}]")
        with pytest.raises(RuleLangError, match="nested more than 100 levels deep"):
            list(iter_samples(path))
        errors: list = []
        assert list(iter_samples(path, errors)) == [] and len(errors) == 1


def test_trace_field_with_deep_json(tmp_path):
    result = run_limited("trace", "https://a.example/", "--field",
                         "http.request.headers=" + DEEP[:4000] + DEEP[-4000:])
    out = _clean(result)
    assert result.returncode == 2 and "nested more than 100 levels" in out


def test_lone_surrogates_are_named_with_their_file(tmp_path):
    rules = tmp_path / "rules.json"
    rules.write_text(RULES_JSON.replace('"true"', '"http.host eq \\"\\ud800\\""'))
    lint = run_limited("lint", str(rules))
    assert lint.returncode == 1 and "lone surrogate" in _clean(lint)
    assert "rules.json:1:" in _clean(lint)
    samples = tmp_path / "s.jsonl"
    samples.write_text('{"name": "n\\udc00", "request": {"url": "https://a.example/", '
                       '"headers": {"x-a": "\\ud800"}}}\n')
    for fmt in ("text", "json"):
        result = run_limited("eval", "--samples", str(samples), "--format", fmt)
        out = _clean(result)
        assert result.returncode == 2
        assert "s.jsonl:1: sample 0" in out and "lone surrogate" in out


def test_a_megabyte_header_value_gives_a_short_error_line(tmp_path):
    samples = tmp_path / "s.jsonl"
    samples.write_text(json.dumps({"request": {"url": "https://a.example/",
                                               "headers": {"x": "a\r\n" + "y" * (1 << 20)}}}))
    result = run_limited("eval", "--samples", str(samples))
    err = _clean(result)
    assert result.returncode == 2
    assert "line break" in err and "s.jsonl:1: sample 0" in err
    assert len(err) < 2000


def test_lint_of_minified_api_json_does_not_echo_the_whole_line(tmp_path):
    rules = [{"ref": f"r{i}", "expression": "http.hots eq \"a\"" if i % 100 == 0 else "true",
              "action": "set_cache_settings", "action_parameters": {"cache": True},
              "description": "x" * 500} for i in range(300)]
    path = tmp_path / "api.json"
    path.write_text(json.dumps({"result": {"phase": "http_request_cache_settings",
                                           "rules": rules}, "success": True},
                               separators=(",", ":")))
    assert path.stat().st_size > 150_000
    result = run_limited("lint", str(path))
    out = _clean(result)
    assert result.returncode == 1 and out.count("error[RL201]") == 3
    assert len(out) < 5_000
    assert "api.json:1:" in out  # the real column stays in the --> line


def test_lint_names_at_most_five_unusable_files(tmp_path):
    for i in range(8):
        Path(tmp_path / f"bad{i}.json").write_text("{not json")
    result = run_limited("lint", str(tmp_path))
    _clean(result)
    last = result.stderr.decode().strip().splitlines()[-1]
    assert result.returncode == 2
    assert "cannot check 8 files:" in last and "and 3 more" in last
