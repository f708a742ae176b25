"""``rulelang eval``: the example from any directory, JSON lines and text output, explicit rules
and samples, broken sample lines, rules without samples, a directory of samples."""

from __future__ import annotations

import json

from support.cli import one_error_line, rules_json, run
from support.paths import EXAMPLE


def samples() -> list[dict]:
    return [json.loads(line) for line in
            (EXAMPLE / "samples.jsonl").read_text("utf-8").splitlines() if line.strip()]


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
    result = run("eval", "--layout", "table", "--rules", str(EXAMPLE), "--samples", str(path))
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


def test_an_invalid_rules_file_in_eval_shows_its_diagnostics_and_exits_2(bad_rules):
    result = run("eval", "--rules", str(bad_rules), "--samples", str(EXAMPLE / "samples.jsonl"))
    assert result.returncode == 2
    assert "error[RL201]" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith(
        f"rulelang: error: {bad_rules}: not a valid rules file")


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
