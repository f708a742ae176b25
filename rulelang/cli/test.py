"""``rulelang test``: run YAML case files against rule sets, with a pytest-like report."""

from __future__ import annotations

import time
from pathlib import Path

import click
from rich.console import Console
from rich.rule import Rule
from rich.text import Text

from rulelang.cli.common import (
    CONFIG_OPTION,
    Failure,
    consoles,
    load_rule_paths,
    plan_and_list_options,
    print_diagnostics,
    project_config,
    read_lists,
    wide,
)
from rulelang.errors import RuleLangError, RulesetError
from rulelang.testing import CaseFile, CaseResult, check_samples, load_cases, run_cases

__all__ = ["test_command"]


def _rule(out: Console, rule: Rule) -> None:
    """A horizontal rule: the terminal's width, or 100 columns when the output has no
    width limit (a pipe)."""
    out.print(rule, width=100 if wide(out) else None)


def _case_files(paths: tuple[str, ...]) -> list[Path]:
    out: list[Path] = []
    for given in paths:
        p = Path(given)
        if given == "-":  # a case file on stdin; its rules are relative to the directory
            out.append(p)
        elif p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.suffix in (".yaml", ".yml"))
            if not found:
                raise Failure(f"{given}: no case files (.yaml, .yml) in this directory")
            out.extend(found)
        elif p.exists():
            out.append(p)
        else:
            raise Failure(f"{given}: no such file or directory")
    return out


def _rulesets(case_file: CaseFile, rules: tuple[str, ...], err: Console,
              lists: dict | None = None, plan: str | None = None) -> list:
    if rules:
        return load_rule_paths(rules, None, err, lists=lists, plan=plan)
    if case_file.rules is None:
        raise Failure(f"{case_file.path}: no rules to test: give --rules or a `rules:` list "
                      f"in the case file")
    from rulelang.rules.ruleset import load_ruleset

    paths = [r for r in case_file.rules if isinstance(r, Path)]
    try:
        loaded = load_rule_paths(paths, None, err, lists=lists, plan=plan) if paths else []
    except Failure as e:
        raise Failure(f"{case_file.path}: rules: {e.message}") from None
    for i, r in enumerate(case_file.rules):
        if isinstance(r, dict):
            try:
                loaded.append(load_ruleset(r, lists=lists, plan=plan))
            except RulesetError as e:
                print_diagnostics(err, e.diagnostics or [], summary=False)
                raise Failure(f"{case_file.path}: rules[{i}]: not a valid rule set (see "
                              f"above)") from None
    return loaded


def _layered(*layers: dict | None) -> dict | None:
    """The dicts merged, later ones winning key by key; ``None`` when all are ``None``."""
    present = [layer for layer in layers if layer is not None]
    return {k: v for layer in present for k, v in layer.items()} if present else None


def _failure_block(out: Console, result: CaseResult) -> None:
    case = result.case
    where = f"{case.name} (line {case.line})" if case.line else case.name
    _rule(out, Rule(Text(where, style="bold red"), characters="_", style="red"))
    for line in ([result.error] if result.error else result.failures):
        out.print(Text(f"  {line}", style="red"), soft_wrap=True)
    outcome = result.outcome or {}
    matched = [f"{r.get('ref') or r.get('id') or r.get('description') or '#' + str(r['index'])}"
               for rules in (outcome.get("matched") or {}).values() for r in rules]
    if result.outcome is not None:
        out.print(f"  matched rules: {', '.join(matched) or 'none'}", soft_wrap=True)
        reasons = (outcome.get("decision") or {}).get("reasons") or []
        if reasons:
            out.print("  reasons:")
            for i, reason in enumerate(reasons, 1):
                out.print(f"    {i}. {reason}", soft_wrap=True, highlight=False)
    out.print()


@click.command("test")
@click.option("--rules", "rules", multiple=True, metavar="PATH",
              help="Rules file or directory (repeatable); overrides the case file's `rules`.")
@click.option("-k", "keyword", default=None, metavar="TEXT",
              help="Only run the cases whose name contains TEXT.")
@click.option("-v", "--verbose", is_flag=True, help="One line per case.")
@plan_and_list_options
@CONFIG_OPTION
@click.argument("cases", nargs=-1, required=True, type=click.Path(readable=False))
def test_command(rules: tuple[str, ...], keyword: str | None, verbose: bool,
                 cases: tuple[str, ...], plan: str | None, list_items: tuple[str, ...],
                 lists_file: str | None, config_path: str | None) -> int:
    """Run the test cases in CASES (YAML case files or directories of them; '-' reads
    one case file from stdin, its rules relative to the current directory).

    \b
    Exit status: 0 when every case passes, 1 when one fails, 2 for unusable input.
    A case file is YAML: `rules:` (files, relative to the case file), optional `zone:`
    and `lists:`, and `cases:`, each with a `request:` (and `response:`) in the sample
    format and an `expect:` of outcome fields (`matched`, `not_matched`, decision keys).
    The full format is docs/testing-rules.md in rulelang's source distribution.
    """
    out, err = consoles()
    config = project_config(config_path)
    started = time.perf_counter()
    results: list[CaseResult] = []
    # Read every case file and its rules first: a broken one stops the run (exit 2)
    # before any case has been reported.
    given = read_lists(list_items, lists_file)
    loaded = []
    for path in _case_files(cases):
        case_file = load_cases(path)
        check_samples(case_file)
        # the configuration, then the case file, then --list/--lists and --plan: each wins
        # over the one before it, list by list and zone setting by setting
        lists = _layered(config.lists, case_file.lists, given)
        zone = _layered(config.engine_zone(), case_file.zone, {"plan": plan} if plan else None)
        plan_here = zone.get("plan") if isinstance(zone, dict) else None
        loaded.append((path, case_file, zone, lists,
                       _rulesets(case_file, rules, err, lists, plan_here)))
    for path, case_file, zone, lists, rulesets in loaded:
        selected = [c for c in case_file.cases if keyword is None or keyword in c.name]
        try:
            file_results = run_cases(selected, rulesets, zone, lists)
        except RuleLangError as e:
            raise Failure(f"{path}: {e}") from None
        results.extend(file_results)
        if verbose:
            for r in file_results:
                status = Text("PASSED", style="green") if r.passed else Text("FAILED", "red")
                out.print(Text(f"{path}::{r.case.name} ").append(status), soft_wrap=True)
        else:
            line = Text(f"{path} ")
            for r in file_results:
                line.append("." if r.passed else "F", style="green" if r.passed else "red")
            out.print(line, soft_wrap=True)
    failed = [r for r in results if not r.passed]
    if failed:
        out.print()
        _rule(out, Rule(" FAILURES ", characters="=", style="red"))
        for r in failed:
            _failure_block(out, r)
    passed = len(results) - len(failed)
    parts = ([f"{len(failed)} failed"] if failed else []) + \
        ([f"{passed} passed"] if passed or not failed else [])
    elapsed = time.perf_counter() - started
    summary = f" {', '.join(parts)} in {elapsed:.2f}s "
    if not results:
        summary = " no cases ran "
    _rule(out, Rule(Text(summary, style="bold"), characters="=",
                   style="red" if failed else "green"))
    return 1 if failed else 0
