"""The case-file format and runner behind ``rulelang test`` (rulelang.testing)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.paths import ROOT

from rulelang.errors import RuleLangError
from rulelang.rules.ruleset import load_ruleset
from rulelang.testing import check_outcome, load_cases, run_cases

OUTCOME = {
    "matched": {
        "http_request_cache_settings": [
            {"index": 0, "id": "abc", "ref": "static", "description": "Static files"},
            {"index": 2, "id": None, "ref": None, "description": "Bypass"},
        ],
        "http_response_cache_settings": [
            {"index": 0, "id": None, "ref": "strip", "description": ""},
        ],
    },
    "request_settings": {"cache": True, "edge_ttl": {"mode": "override_origin", "default": 60}},
    "response_settings": {"strip_set_cookie": True},
    "decision": {"eligible": True, "cache_status": "MISS", "edge_ttl": 60,
                 "browser_cache_control": None, "cache_tags": ["a", "b"],
                 "stripped_headers": [], "reasons": ["rule 0 matched", "edge TTL 60"]},
}


@pytest.mark.parametrize("expect", [
    {},
    {"eligible": True, "cache_status": "MISS", "edge_ttl": 60},
    {"browser_cache_control": None, "cache_tags": ["a", "b"], "stripped_headers": []},
    {"matched": ["static", "Bypass", "strip"]},
    {"matched": ["abc", "#2", 0]},
    {"matched": {"request": ["static", "Bypass"], "response": ["strip"]}},
    {"matched": {"http_response_cache_settings": ["strip"]}},
    {"not_matched": ["other", "#1"]},
    {"decision": {"eligible": True}},
    {"request_settings": {"edge_ttl": {"default": 60}}},
    {"response_settings": {"strip_set_cookie": True}},
    {"reasons": ["edge TTL"]},
])
def test_expectations_that_hold(expect):
    assert check_outcome(expect, OUTCOME) == []


@pytest.mark.parametrize("expect, message", [
    ({"eligible": False}, "eligible: expected false, got true"),
    ({"edge_ttl": 3600}, "edge_ttl: expected 3600, got 60"),
    ({"edge_ttl": True}, "edge_ttl: expected true, got 60"),
    ({"cache_tags": ["b", "a"]}, 'cache_tags: expected ["b", "a"], got ["a", "b"]'),
    ({"browser_cache_control": "max-age=1"}, 'expected "max-age=1", got null'),
    ({"matched": ["static"]}, 'matched: expected ["static"], got ["static", "Bypass", "strip"]'),
    ({"matched": {"response": []}}, 'matched (response): expected [], got ["strip"]'),
    ({"matched": {"nowhere": []}}, "unknown phase"),
    ({"not_matched": "static"}, 'not_matched: rule "static" matched'),
    ({"decision": {"occ_magic": 1}}, "occ_magic: the decision has no such field"),
    ({"request_settings": {"cache": False}}, "request_settings: expected to include"),
    ({"reasons": ["never said"]}, 'reasons: no reason mentions "never said"'),
])
def test_expectations_that_fail_say_why(expect, message):
    failures = check_outcome(expect, OUTCOME)
    assert len(failures) == 1 and message in failures[0]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cases.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text, message", [
    ("cases: [", "cases.yaml:1: not valid YAML"),
    ("- a\n- b\n", "a YAML mapping with a `cases:` list"),
    ("cases: []\nrulez: []\n", "unknown top-level key 'rulez'"),
    ("rules: 3\ncases: []\n", "`rules` is a list"),
    ("zone: 1\ncases: []\n", "`zone` is a mapping"),
    ("cases:\n  - 3\n", "cases.yaml:2: case 1 is not a mapping"),
    ("cases:\n  - name: a\n    request: {url: 'https://a.com/'}\n\n  - name: b\n",
     "cases.yaml:5: case 2: `request` is required"),
    ("cases:\n  - request: {}\n    expect: {edge_tll: 1}\n", "unknown expectation 'edge_tll'"),
    ("cases:\n  - request: {}\n    expected: {}\n", "unknown key 'expected'"),
    ("cases:\n  - request: {}\n    response: 200\n", "`response` is a mapping"),
])
def test_bad_case_files_name_the_file_line_and_problem(tmp_path, text, message):
    with pytest.raises(RuleLangError) as info:
        load_cases(_write(tmp_path, text))
    assert message in str(info.value)


def test_a_missing_case_file(tmp_path):
    with pytest.raises(RuleLangError, match="no such file"):
        load_cases(tmp_path / "nope.yaml")


def test_case_file_paths_are_relative_to_the_file_and_lines_are_kept(tmp_path):
    path = _write(tmp_path, "rules: [r.json]\ncases:\n  - name: one\n    request: {url: x}\n"
                            "  - request: {url: y}\n")
    cf = load_cases(path)
    assert cf.rules == (tmp_path / "r.json",)
    assert [(c.name, c.line) for c in cf.cases] == [("one", 3), ("case 2", 5)]


RULES = {"phase": "http_request_cache_settings", "rules": [
    {"ref": "png", "expression": 'http.request.uri.path.extension eq "png"',
     "action": "set_cache_settings",
     "action_parameters": {"cache": True, "edge_ttl": {"mode": "override_origin",
                                                       "default": 600}}}]}


def test_run_cases_evaluates_with_the_engine(tmp_path):
    path = _write(tmp_path, """
cases:
  - name: png cached for ten minutes
    request: {url: "https://a.com/x.png"}
    response: {status: 200}
    expect: {matched: [png], edge_ttl: 600, cache_status: MISS}
  - name: wrong on purpose
    request: {url: "https://a.com/x.html"}
    response: {status: 200}
    expect: {matched: [png]}
  - name: a broken request is an error of the case
    request: {url: "ftp://a.com/"}
""")
    cf = load_cases(path)
    results = run_cases(cf.cases, [load_ruleset(RULES)])
    assert [r.passed for r in results] == [True, False, False]
    assert results[1].failures == ['matched: expected ["png"], got []']
    assert "invalid sample" in results[2].error


def test_the_shipped_case_files_pass():
    for path in sorted((ROOT / "corpus" / "cases").glob("*.yaml")):
        cf = load_cases(path)
        rulesets = []
        for r in cf.rules:
            rulesets.append(load_ruleset(str(r) if isinstance(r, Path) else r))
        results = run_cases(cf.cases, rulesets, cf.zone, cf.lists)
        assert results and all(r.passed for r in results), (path, [
            (r.case.name, r.failures, r.error) for r in results if not r.passed])
