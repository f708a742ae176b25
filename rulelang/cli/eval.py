"""``rulelang eval``: run rule sets over a samples file and show, for each sample, the
matched rules per phase and the modelled cache decision (tables, or JSON Lines)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import click
from rich import box
from rich.console import Console, Group
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from rulelang.cli.common import (
    PHASE,
    Failure,
    consoles,
    example_paths,
    load_rule_paths,
    phase_label,
    plan_and_list_options,
    read_lists,
)
from rulelang.describe import decision_rows, describe_rule, message_line
from rulelang.errors import RuleLangError

__all__ = ["eval_command", "outcome_table"]

#: Files at least this large get a progress bar (when stderr is a terminal).
PROGRESS_BYTES = 1 << 20


def outcome_table(title: str, request, response, outcome: Mapping,
                  why: bool = False) -> Group:
    """One sample's result: its title and a two-column table (with the decision's reasons
    if ``why``)."""
    table = Table(show_header=False, box=box.ROUNDED, expand=False)
    table.add_column("what", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")
    table.add_row("sample", Text(message_line(request, response)))
    for phase, rules in (outcome.get("matched") or {}).items():
        text = "\n".join(describe_rule(r) for r in rules) if rules else "none matched"
        table.add_row(phase_label(phase), Text(text, style="" if rules else "dim"))
    decision = outcome.get("decision") or {}
    for label, value in decision_rows(decision, response is not None):
        style = {"MISS": "green", "BYPASS": "yellow", "DYNAMIC": "yellow"}.get(value, "") \
            if label == "cache status" else ""
        table.add_row(label, Text(value, style=style))
    reasons = decision.get("reasons") or []
    if why and reasons:
        table.add_row("why", Text("\n".join(f"{i}. {r}" for i, r in enumerate(reasons, 1))))
    return Group(Text(title, style="bold"), table)


def _count_lines(path: Path) -> int | None:
    if path.suffix.lower() not in (".jsonl", ".ndjson"):
        return None
    n = 0
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            n += chunk.count(b"\n")
    return n


@contextmanager
def _progress(path: Path, err: Console) -> Iterator:
    """A progress bar on stderr for a long file on a terminal; a no-op otherwise."""
    try:
        big = path.stat().st_size >= PROGRESS_BYTES
    except OSError:
        big = False
    if not big or not err.is_terminal:
        yield lambda: None
        return
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(f"evaluating {path.name}", total=_count_lines(path))
        yield lambda: progress.advance(task)


def _sample_label(sample) -> str | int:
    return sample.name if sample.name else sample.index


@click.command("eval")
@click.option("--rules", "rules", multiple=True, metavar="PATH",
              help="Rules file or directory of rules files (repeatable).")
@click.option("--samples", "samples", type=click.Path(readable=False), default=None,
              help="Samples: a JSON array, JSON Lines or a HAR capture.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Tables, or one JSON object per sample (JSON Lines).")
@click.option("--why", is_flag=True, help="Add the reasons of each decision to the tables.")
@click.option("--phase", type=PHASE, default=None,
              help="Phase of rules files that do not name theirs.")
@plan_and_list_options
def eval_command(rules: tuple[str, ...], samples: str | None, fmt: str, why: bool,
                 phase: str | None, plan: str | None, list_items: tuple[str, ...],
                 lists_file: str | None) -> int:
    """Evaluate rule sets on sample requests and show the cache decision of each.

    \b
    With no options, runs the example rule sets and samples shipped with rulelang.
    With --rules alone, runs your rules on the example samples; with --samples
    alone, shows Cloudflare's default behaviour (no rules).
    """
    from rulelang.engine import Engine
    from rulelang.http.samples import iter_samples

    out, err = consoles()
    if not rules and samples is None:
        rule_paths, samples_path = example_paths()
        rule_sources: Sequence[str | Path] = rule_paths
        if fmt == "text":
            err.print(Text(f"rulelang eval: the example site ({samples_path.parent}); "
                           f"give --rules and --samples for your own", style="dim"),
                      soft_wrap=True)
    elif samples is None:
        _, samples_path = example_paths()
        rule_sources = rules
        if fmt == "text":
            err.print(Text(f"rulelang eval: no --samples given: the example samples "
                           f"({samples_path})", style="dim"), soft_wrap=True)
    else:
        samples_path, rule_sources = Path(samples), rules
    if samples_path.is_dir():
        raise Failure(f"{samples_path}: is a directory; --samples takes one file (a JSON "
                      f"array, JSON Lines or a HAR capture)")
    if not samples_path.exists():
        raise Failure(f"{samples_path}: no such file")
    lists = read_lists(list_items, lists_file)
    rulesets = load_rule_paths(rule_sources, phase, err, lists=lists, plan=plan)
    engine = Engine(rulesets, zone={"plan": plan} if plan else None, lists=lists)
    errors: list[RuleLangError] = []
    statuses: Counter = Counter()
    bad = 0
    with _progress(samples_path, err) as advance:
        for sample in iter_samples(str(samples_path), errors=errors):
            bad += _report(errors, err)
            outcome = engine.evaluate(sample.request, sample.response).to_dict()
            if fmt == "json":
                click.echo(json.dumps({"sample": _sample_label(sample), **outcome},
                                      ensure_ascii=False))
            else:
                title = f"{sample.name} (sample {sample.index})" if sample.name \
                    else f"sample {sample.index}"
                out.print(outcome_table(title, sample.request, sample.response, outcome, why))
                status = (outcome.get("decision") or {}).get("cache_status")
                statuses[status or ("request only" if sample.response is None
                                    else "no status")] += 1
            advance()
    bad += _report(errors, err)
    if fmt == "text":
        total = sum(statuses.values())
        parts = ", ".join(f"{n} {s}" for s, n in statuses.most_common())
        out.print(Text(f"{total} sample{'' if total == 1 else 's'}"
                       + (f": {parts}" if parts else ""), style="bold"))
    if bad:
        raise Failure()  # each bad sample has had its line on stderr
    return 0


def _report(errors: list, err: Console) -> int:
    """Print and forget the sample errors collected so far; return how many there were."""
    n = len(errors)
    for e in errors:
        err.print(Text(f"rulelang: error: {_one_line(e)}", style="red"), soft_wrap=True)
    errors.clear()
    return n


def _one_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__
