"""``rulelang eval``: run rule sets over a samples file and show, for each sample, the
matched rules per phase and the modelled cache decision (tables or plain rows, or JSON Lines)."""

from __future__ import annotations

import json
import os
import stat
import sys
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

import click
from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from rulelang.cli.common import (
    CONFIG_OPTION,
    PHASE,
    Failure,
    consoles,
    example_paths,
    load_rule_paths,
    phase_label,
    plan_and_list_options,
    plan_lists_zone,
    project_config,
)
from rulelang.describe import decision_rows, describe_rule, message_line
from rulelang.errors import RuleLangError
from rulelang.files import display_name, is_stdin, shorten

__all__ = ["ProgressReporter", "eval_command", "outcome_rows", "outcome_table"]

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


def outcome_rows(title: str, request, response, outcome: Mapping, why: bool = False) -> str:
    """One sample's result as plain rows (``  label: value``), for output that is not a
    terminal: nothing wrapped or cut, and far cheaper to write than a table."""
    lines = [title, f"  sample: {message_line(request, response)}"]
    for phase, rules in (outcome.get("matched") or {}).items():
        text = "; ".join(describe_rule(r) for r in rules) if rules else "none matched"
        lines.append(f"  {phase_label(phase)}: {text}")
    decision = outcome.get("decision") or {}
    for label, value in decision_rows(decision, response is not None):
        lines.append(f"  {label}: {value}")
    reasons = decision.get("reasons") or []
    if why and reasons:
        lines.append("  why:")
        lines.extend(f"    {i}. {r}" for i, r in enumerate(reasons, 1))
    return "\n".join(lines) + "\n"


def _count_lines(path: str) -> int | None:
    """The number of samples of a JSON Lines file (its non-blank lines), for the ETA;
    ``None`` for other formats, standard input and pipes."""
    if is_stdin(path) or Path(path).suffix.lower() not in (".jsonl", ".ndjson"):
        return None
    try:
        if not Path(path).is_file():
            return None
        n = 0
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                n += chunk.count(b"\n")
        return n
    except OSError:
        return None


class ProgressReporter:
    """Progress of a long run on stderr: count, rate and (when the total is known) the
    time left.  Nothing for the first ``delay`` seconds (short runs stay quiet); then,
    on a terminal, one line redrawn in place a few times a second, and otherwise a
    plain line every ``interval`` seconds, so that CI logs show life."""

    def __init__(self, stream: TextIO, label: str, total: int | None = None,
                 terminal: bool = False, interval: float | None = None,
                 delay: float = 2.0, clock=time.monotonic) -> None:
        self.stream, self.label, self.total = stream, label, total
        self.terminal = terminal
        if interval is None:
            interval = 0.2 if terminal else float(os.environ.get(
                "RULELANG_PROGRESS_INTERVAL", "10") or 10)
        self.interval, self.clock = interval, clock
        self.count = 0
        self.start = clock()
        self.next_report = self.start + delay
        self.shown = False

    def advance(self, n: int = 1) -> None:
        self.count += n
        if self.count & 63 == 0 or self.terminal:
            now = self.clock()
            if now >= self.next_report:
                self.next_report = now + self.interval
                self._show(now)

    def line(self, now: float | None = None) -> str:
        """The progress text at ``now``."""
        now = self.clock() if now is None else now
        elapsed = max(now - self.start, 1e-9)
        rate = self.count / elapsed
        text = f"{self.label}: {self.count:,}"
        if self.total:
            text += f" of {self.total:,}"
        text += f" samples, {rate:,.0f}/s, {_duration(elapsed)} elapsed"
        if self.total and rate > 0 and self.count <= self.total:
            text += f", about {_duration((self.total - self.count) / rate)} left"
        return text

    def _show(self, now: float) -> None:
        try:
            if self.terminal:
                self.stream.write("\r\x1b[2K" + self.line(now))
            else:
                self.stream.write(self.line(now) + "\n")
            self.stream.flush()
            self.shown = True
        except (OSError, ValueError):
            pass

    def close(self) -> None:
        """Take the redrawn line away (a terminal) once the run is over."""
        if self.shown and self.terminal:
            try:
                self.stream.write("\r\x1b[2K")
                self.stream.flush()
            except (OSError, ValueError):
                pass


def _is_stream(name: str) -> bool:
    """Whether samples come from stdin, a pipe or a FIFO (not a regular file)."""
    if is_stdin(name):
        return True
    try:
        return not stat.S_ISREG(os.stat(name).st_mode)
    except OSError:
        return False


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}"


def _sample_label(sample) -> str | int:
    return sample.name if sample.name else sample.index


def _status_of(outcome: Mapping, sample) -> str:
    status = (outcome.get("decision") or {}).get("cache_status")
    return status or ("request only" if sample.response is None else "no status")


@click.command("eval")
@click.option("--rules", "rules", multiple=True, metavar="PATH",
              help="Rules file or directory of rules files (repeatable; '-' for stdin).")
@click.option("--samples", "samples", type=click.Path(readable=False), default=None,
              help="Samples: a JSON array, JSON Lines or a HAR capture ('-' for stdin).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Text, or one JSON object per sample (JSON Lines).")
@click.option("--layout", type=click.Choice(["auto", "table", "rows"]), default="auto",
              show_default=True,
              help="Text layout: a table per sample, or plain rows; auto is tables on a "
                   "terminal and rows otherwise.")
@click.option("--summary", is_flag=True,
              help="Print only the totals (samples per cache status, errors).")
@click.option("--why", is_flag=True, help="Add the reasons of each decision.")
@click.option("--progress/--no-progress", "progress", default=None,
              help="Progress on stderr (default: for runs longer than 2 s; a plain line "
                   "every 10 s when stderr is not a terminal).")
@click.option("--phase", type=PHASE, default=None,
              help="Phase of rules files that do not name theirs.")
@plan_and_list_options
@CONFIG_OPTION
def eval_command(rules: tuple[str, ...], samples: str | None, fmt: str, layout: str,
                 summary: bool, why: bool, progress: bool | None, phase: str | None,
                 plan: str | None, list_items: tuple[str, ...], lists_file: str | None,
                 config_path: str | None) -> int:
    """Evaluate rule sets on sample requests and show the cache decision of each.

    \b
    With no options, runs the example rule sets and samples shipped with rulelang.
    With --rules alone, runs your rules on the example samples; with --samples
    alone, shows Cloudflare's default behaviour (no rules).
    HAR entries that are not HTTP (data:, blob:, ws:, wss:, chrome-extension:) are
    skipped and counted.
    """
    from rulelang.engine import Engine
    from rulelang.http.samples import iter_samples

    out, err = consoles()
    if not rules and samples is None:
        rule_paths, samples_path = example_paths()
        rule_sources: Sequence[str | Path] = rule_paths
        samples_name = str(samples_path)
        if fmt == "text" and not summary:
            err.print(Text(f"rulelang eval: the example site ({samples_path.parent}); "
                           f"give --rules and --samples for your own", style="dim"),
                      soft_wrap=True)
    elif samples is None:
        _, samples_path = example_paths()
        rule_sources, samples_name = rules, str(samples_path)
        if fmt == "text" and not summary:
            err.print(Text(f"rulelang eval: no --samples given: the example samples "
                           f"({samples_path})", style="dim"), soft_wrap=True)
    else:
        rule_sources, samples_name = rules, samples
    if is_stdin(samples_name) and any(is_stdin(r) for r in rule_sources):
        raise click.UsageError("stdin ('-') can feed --rules or --samples, not both")
    if not is_stdin(samples_name):
        samples_path = Path(samples_name)
        if samples_path.is_dir():
            raise Failure(f"{samples_path}: is a directory; --samples takes one file (a JSON "
                          f"array, JSON Lines or a HAR capture)")
        if not samples_path.exists():
            raise Failure(f"{samples_path}: no such file")
    plan, lists, zone = plan_lists_zone(project_config(config_path), plan, list_items,
                                        lists_file)
    rulesets = load_rule_paths(rule_sources, phase, err, lists=lists, plan=plan)
    engine = Engine(rulesets, zone=zone, lists=lists)
    errors: list[RuleLangError] = []
    skipped: list = []
    statuses: Counter = Counter()
    bad = 0
    rows = layout == "rows" or (layout == "auto" and not out.is_terminal)
    write = sys.stdout.write
    if _is_stream(samples_name):  # a pipe: pass each result on as it comes
        def write(text: str, _write=sys.stdout.write, _flush=sys.stdout.flush) -> None:
            _write(text)
            _flush()
    reporter = None
    if progress is not False:
        label = f"evaluating {Path(display_name(samples_name)).name}"
        reporter = ProgressReporter(sys.stderr, label, _count_lines(samples_name),
                                    terminal=err.is_terminal, delay=0.0 if progress else 2.0)
    try:
        for sample in iter_samples(samples_name, errors=errors, skipped=skipped):
            if errors:
                bad += _report(errors, err)
            outcome = engine.evaluate(sample.request, sample.response).to_dict()
            statuses[_status_of(outcome, sample)] += 1
            if summary:
                pass
            elif fmt == "json":
                write(json.dumps({"sample": _sample_label(sample), **outcome},
                                 ensure_ascii=False) + "\n")
            else:
                title = f"{sample.name} (sample {sample.index})" if sample.name \
                    else f"sample {sample.index}"
                if rows:
                    write(outcome_rows(title, sample.request, sample.response, outcome, why))
                else:
                    out.print(outcome_table(title, sample.request, sample.response,
                                            outcome, why))
            if reporter is not None:
                reporter.advance()
    finally:
        if reporter is not None:
            reporter.close()
    bad += _report(errors, err)
    total = sum(statuses.values())
    if skipped:
        schemes = Counter(scheme for _, scheme in skipped)
        err.print(Text(f"rulelang eval: skipped {len(skipped)} HAR "
                       f"entr{'y' if len(skipped) == 1 else 'ies'} that are not HTTP "
                       f"requests ({', '.join(f'{n} {s}' for s, n in schemes.most_common())})",
                       style="dim"), soft_wrap=True)
    if fmt == "json" and summary:
        write(json.dumps({"samples": total, "cache_status": dict(statuses.most_common()),
                          "errors": bad, "skipped": len(skipped)}) + "\n")
    elif fmt == "text":
        parts = ", ".join(f"{n} {s}" for s, n in statuses.most_common())
        line = f"{total} sample{'' if total == 1 else 's'}" + (f": {parts}" if parts else "")
        if summary and bad:
            line += f"; {bad} sample{'' if bad == 1 else 's'} with errors"
        if rows:
            write(line + "\n")
        else:
            out.print(Text(line, style="bold"), soft_wrap=True)
    if bad:
        raise Failure()  # each bad sample has had its line on stderr
    return 0


def _report(errors: list, err: Console) -> int:
    """Print and forget the sample errors collected so far; return how many there were."""
    n = len(errors)
    for e in errors:
        err.print(Text(f"rulelang: error: {shorten(_one_line(e), 1000)}", style="red"),
                  soft_wrap=True)
    errors.clear()
    return n


def _one_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__
