"""``--rules PATH ...`` as interfaces.md §3 writes it: one flag, several paths."""

import json

import pytest
from support.paths import CASES as CASE_DIR
from support.paths import EXAMPLE

from rulelang.cli.main import main, spread_rules

CASES = CASE_DIR / "example-site.yaml"


@pytest.mark.parametrize("args,expected", [
    (["eval", "--rules", "a.json", "b.json", "--samples", "s.jsonl"],
     ["eval", "--rules", "a.json", "--rules", "b.json", "--samples", "s.jsonl"]),
    (["eval", "--rules", "a.json", "--rules", "b.json"],
     ["eval", "--rules", "a.json", "--rules", "b.json"]),
    (["trace", "--rules", "a.json", "b.json", "https://x.example/", "-H", "A: b"],
     ["trace", "--rules", "a.json", "--rules", "b.json", "https://x.example/", "-H", "A: b"]),
    (["trace", "https://x.example/", "--rules", "a.json", "b.json"],
     ["trace", "https://x.example/", "--rules", "a.json", "--rules", "b.json"]),
    (["lint", "--rules", "a", "b"], ["lint", "--rules", "a", "b"]),  # lint has no --rules
])
def test_spread_rules(args, expected):
    assert spread_rules(list(args)) == expected


def test_test_command_stops_the_run_at_the_first_case_file():
    args = ["test", "--rules", "a.json", "b.json", str(CASES)]
    assert spread_rules(args) == ["test", "--rules", "a.json", "--rules", "b.json", str(CASES)]


def test_eval_with_several_paths_after_one_flag(capsys):
    code = main(["eval", "--rules", str(EXAMPLE / "cache-rules.json"),
                 str(EXAMPLE / "cache-response-rules.json"),
                 "--samples", str(EXAMPLE / "samples.jsonl"), "--format", "json"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    first = json.loads(lines[0])
    assert first["matched"]["http_response_cache_settings"]  # both phases were loaded
