"""``--plan``, ``--list NAME=FILE`` and ``--lists FILE.json`` on lint, eval, trace and test
(interfaces.md §8), ``lint --annotations``, and mixed-phase files on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.cli import one_error_line, run

from rulelang import Engine, RulesetError, load_ruleset

REQ = "http_request_cache_settings"
OFFICE = {"phase": REQ, "rules": [
    {"ref": "all", "expression": "true", "action": "set_cache_settings",
     "action_parameters": {"cache": True,
                           "edge_ttl": {"mode": "override_origin", "default": 60}}},
    {"ref": "office", "expression": "ip.src in $office", "action": "set_cache_settings",
     "action_parameters": {"cache": False}}]}


def _write(tmp_path: Path, name: str, value) -> str:
    path = tmp_path / name
    path.write_text(value if isinstance(value, str) else json.dumps(value), "utf-8")
    return str(path)


def test_lint_without_lists_notes_them_and_passes(tmp_path):
    result = run("lint", _write(tmp_path, "rules.json", OFFICE))
    assert result.returncode == 0, result.stdout
    assert "info[RL214]: list $office is not checked" in result.stdout


@pytest.mark.parametrize("how", ["list-text", "list-json", "lists"])
def test_lint_with_lists_checks_the_names(tmp_path, how):
    rules = _write(tmp_path, "rules.json", OFFICE)
    if how == "list-text":
        args = ["--list", "office=" + _write(tmp_path, "office.txt", "# staff\n10.0.0.0/8\n")]
    elif how == "list-json":
        args = ["--list", "office=" + _write(tmp_path, "office.json", ["10.0.0.0/8"])]
    else:
        args = ["--lists", _write(tmp_path, "lists.json", {"office": ["10.0.0.0/8"]})]
    assert run("lint", rules, *args).returncode == 0
    other = run("lint", rules, "--lists", _write(tmp_path, "x.json", {"vpn": ["10.0.0.1"]}))
    assert other.returncode == 1
    assert "error[RL212]: list $office was not supplied" in other.stdout


def test_bad_list_options_are_one_error_line(tmp_path):
    rules = _write(tmp_path, "rules.json", OFFICE)
    assert "expected NAME=FILE" in one_error_line(run("lint", rules, "--list", "office"))
    assert "not JSON" in one_error_line(
        run("lint", rules, "--lists", _write(tmp_path, "l.json", "{nope")))
    assert "no such file" in one_error_line(
        run("lint", rules, "--list", f"office={tmp_path / 'missing.txt'}"))


def test_lint_plan_turns_on_the_plan_checks(tmp_path):
    rules = _write(tmp_path, "rules.json", OFFICE)
    assert run("lint", rules).returncode == 0
    result = run("lint", rules, "--plan", "free")
    assert result.returncode == 1
    assert "minimum edge TTL of the free plan" in result.stdout
    assert run("lint", rules, "--plan", "platinum").returncode == 2


def test_eval_needs_the_items_of_the_lists_it_evaluates(tmp_path):
    rules = _write(tmp_path, "rules.json", OFFICE)
    samples = _write(tmp_path, "samples.json", [
        {"request": {"url": "https://example.com/a", "client_ip": "10.1.2.3"},
         "response": {"status": 200}},
        {"request": {"url": "https://example.com/a", "client_ip": "192.0.2.1"},
         "response": {"status": 200}}])
    without = run("eval", "--rules", rules, "--samples", samples)
    assert without.returncode == 2
    assert "RL212" in without.stderr
    lists = _write(tmp_path, "lists.json", {"office": ["10.0.0.0/8"]})
    result = run("eval", "--rules", rules, "--samples", samples, "--lists", lists,
                 "--format", "json")
    assert result.returncode == 0, result.stderr
    outcomes = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["decision"]["eligible"] for o in outcomes] == [False, True]
    free = run("eval", "--rules", rules, "--samples", samples, "--lists", lists,
               "--plan", "free")
    assert free.returncode == 2
    assert "RS313" in free.stderr


def test_trace_takes_lists_and_plan(tmp_path):
    rules = _write(tmp_path, "rules.json", OFFICE)
    lists = _write(tmp_path, "lists.json", {"office": ["10.0.0.0/8"]})
    result = run("trace", "--rules", rules, "--lists", lists, "--client-ip", "10.0.0.9",
                 "https://example.com/", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["decision"]["eligible"] is False
    assert run("trace", "--rules", rules, "--lists", lists, "--plan", "free",
               "https://example.com/").returncode == 2


def test_test_command_takes_lists_and_plan(tmp_path):
    rules = _write(tmp_path, "rules.json", OFFICE)
    cases = _write(tmp_path, "cases.yaml", f"""\
rules: [{rules}]
cases:
  - name: staff bypass
    request: {{url: "https://example.com/", client_ip: 10.0.0.9}}
    response: {{status: 200}}
    expect: {{eligible: false}}
""")
    lists = _write(tmp_path, "lists.json", {"office": ["10.0.0.0/8"]})
    assert run("test", cases).returncode == 2
    assert run("test", cases, "--lists", lists).returncode == 0
    assert run("test", cases, "--lists", lists, "--plan", "free").returncode == 2


def test_lint_annotations_flag(tmp_path):
    body = {"$comment": "zone cache rules", **OFFICE}
    rules = _write(tmp_path, "rules.json", body)
    assert "RS105" in run("lint", rules).stdout
    assert run("lint", rules, "--annotations").returncode == 0


def test_mixed_phase_terraform_lints_clean_and_evaluates(tmp_path):
    corpus = Path(__file__).resolve().parents[2] / "corpus/realworld"
    tf = str(corpus / "tf-provider-example-mixed-phases.tf")
    result = run("lint", tf)
    assert result.returncode == 0, result.stdout
    assert result.stdout.count("info[RS010]") == 5
    samples = _write(tmp_path, "s.json", [{"request": {"url": "https://example.host.com/"},
                                           "response": {"status": 200}}])
    evaluated = run("eval", "--rules", tf, "--samples", samples, "--format", "json")
    assert evaluated.returncode == 0, evaluated.stderr
    assert run("fmt", "--check", tf).returncode == 0


def test_engine_checks_a_preloaded_ruleset_for_its_zone_plan():
    rs = load_ruleset(OFFICE, lists={"office": ["10.0.0.0/8"]})
    Engine([rs], zone={"plan": "enterprise"}, lists={"office": ["10.0.0.0/8"]})
    with pytest.raises(RulesetError) as info:
        Engine([rs], zone={"plan": "free"}, lists={"office": ["10.0.0.0/8"]})
    assert [(d.code, d.location.path) for d in info.value.diagnostics] == [
        ("RS313", "rules[0].action_parameters.edge_ttl.default")]
