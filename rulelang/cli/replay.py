"""``rulelang replay``: replay logged traffic against rule sets, over time, and summarise
what the cache would do (interfaces.md §7; docs/replay.md)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import click
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from rulelang.cli.common import Failure, consoles, load_rule_paths, rules_files
from rulelang.errors import RuleLangError

__all__ = ["replay_command"]

#: Bad lines printed on stderr (all are counted).
BAD_LINES_SHOWN = 50
_EXAMPLE_LOG = "logpush.jsonl.gz"


def _zone(path: str | None) -> dict | None:
    if path is None:
        return None
    import yaml

    from rulelang.cache.zone import Zone
    from rulelang.cli.common import read_file_text

    text = read_file_text(path)
    try:
        data = json.loads(text) if path.endswith(".json") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as e:
        raise Failure(f"{path}: not JSON or YAML: {str(e).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise Failure(f"{path}: zone settings must be an object (plan, browser_cache_ttl, ...)")
    try:
        Zone.from_dict(data)
    except RuleLangError as e:
        raise Failure(f"{path}: {e}") from None
    return data


def _rule_files(paths: Sequence[str], err: Console) -> tuple[str, ...]:
    load_rule_paths(paths, None, err)  # diagnostics and exit 2 for an invalid file
    return tuple(str(f) for p in paths for f in rules_files(p))


def _fmt_int(n: int) -> str:
    return f"{n:,}"


def _fmt_ratio(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1%}"


def _fmt_bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1000 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{n} B"  # pragma: no cover


def summary_table(results: list[dict], titles: list[str]) -> Table:
    """The side-by-side summary of the rule sets replayed."""
    from rulelang.cache.lifetime import CACHE_STATUSES

    table = Table(box=box.SIMPLE_HEAVY, title="Replay", title_justify="left")
    table.add_column("")
    for title in titles:
        table.add_column(title, justify="right")
    rows: list[tuple[str, list[str]]] = [
        ("requests", [_fmt_int(r["requests"]) for r in results])]
    for status in CACHE_STATUSES:
        rows.append((f"  {status}", [_fmt_int(r["statuses"].get(status, 0)) for r in results]))
    rows += [
        ("hit ratio", [_fmt_ratio(r["hit_ratio"]) for r in results]),
        ("byte hit ratio", [_fmt_ratio(r["byte_hit_ratio"]) for r in results]),
        ("origin requests", [_fmt_int(r["origin_requests"]) for r in results]),
        ("origin bytes", [_fmt_bytes(r["origin_bytes"]) for r in results]),
    ]
    if results and results[0]["observed_agreement"] is not None:
        rows.append(("agrees with CacheCacheStatus",
                     [_fmt_ratio(r["observed_agreement"]) if i == 0 else ""
                      for i, r in enumerate(results)]))
    for label, cells in rows:
        style = "bold" if label in ("hit ratio", "byte hit ratio") else None
        table.add_row(label, *cells, style=style)
    return table


def rules_table(result: dict, title: str) -> Table:
    """Per rule: how many requests it matched, and how many of those were hits."""
    table = Table(box=box.SIMPLE, title=f"Rules — {title}", title_justify="left")
    table.add_column("rule")
    table.add_column("matched", justify="right")
    table.add_column("hits", justify="right")
    table.add_column("hit ratio", justify="right")
    for rule in result["per_rule"]:
        ratio = rule["hits"] / rule["matched"] if rule["matched"] else None
        table.add_row(str(rule["ref"]), _fmt_int(rule["matched"]), _fmt_int(rule["hits"]),
                      _fmt_ratio(ratio))
    return table


@click.command("replay")
@click.argument("logs", nargs=-1, type=click.Path(readable=False))
@click.option("--rules", "rules", multiple=True, metavar="PATH",
              help="Rules file or directory: the current rules (repeatable; several paths "
                   "may follow one --rules).")
@click.option("--compare-rules", "compare", multiple=True, metavar="PATH",
              help="A second rule set to replay the same traffic with (the what-if).")
@click.option("--zone", "zone_file", metavar="FILE", default=None,
              help="Zone settings (JSON or YAML): plan, browser_cache_ttl, ...")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Tables, or one JSON object per rule set.")
@click.option("--report", "report", metavar="FILE.html", default=None,
              help="Write a self-contained HTML report with hit ratio over time.")
@click.option("--per-request", "per_request", metavar="FILE.jsonl", default=None,
              help="Write one JSON line per request (the current rules), in input order.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local",
              show_default=True, help="Run here, or on a Dask cluster.")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="Dask scheduler address (default: a local cluster).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes: the local engine's pool, or the local Dask cluster's workers.")
def replay_command(logs: tuple[str, ...], rules: tuple[str, ...], compare: tuple[str, ...],
                   zone_file: str | None, fmt: str, report: str | None,
                   per_request: str | None, engine: str, scheduler: str | None,
                   workers: int | None) -> int:
    """Replay logged traffic against your rules, over time: hit ratios, per-rule hits,
    and a what-if with --compare-rules.

    \b
    LOGS are Cloudflare Logpush http_requests exports (JSON Lines, gzip too) or
    samples files (JSON Lines, JSON array, HAR). With no arguments, replays the
    example log shipped with rulelang against the example rules.
    """
    from rulelang.replay import EngineSpec, ReplayOptions, replay

    out, err = consoles()
    if scheduler and engine != "dask":
        raise Failure("--scheduler needs --engine dask")
    if not logs and not rules and not compare:
        from rulelang.resources import example_dir

        root = example_dir()
        logs = (str(root / _EXAMPLE_LOG),)
        rules = (str(root),)
        if fmt == "text":
            err.print(Text(f"rulelang replay: the example log and rules ({root}); give "
                           "--rules and LOGS for your own", style="dim"), soft_wrap=True)
    if not logs:
        raise Failure("no LOGS given: Logpush http_requests files or samples files")
    if not rules:
        raise Failure("--rules is required (the current rules)")
    if report is not None:
        from rulelang.replay.report import check_available

        try:
            check_available()
        except RuleLangError as e:
            raise Failure(str(e)) from None
    if engine == "dask":
        try:
            import dask.distributed  # noqa: F401
        except ImportError:
            raise Failure("--engine dask needs Dask: pip install 'rulelang[dask]'") from None
    zone = _zone(zone_file)
    specs = [EngineSpec(_rule_files(rules, err), zone)]
    if compare:
        specs.append(EngineSpec(_rule_files(compare, err), zone))
    for path in logs:
        if not Path(path).exists():
            raise Failure(f"{path}: no such file")
    options = ReplayOptions(specs, list(logs), per_request=per_request, engine=engine,
                            workers=workers, scheduler=scheduler)
    with _progress(err, fmt) as advance:
        try:
            result = replay(options, progress=advance)
        except RuleLangError as e:
            raise Failure(str(e).splitlines()[0]) from None
    _report_bad(result, err)
    dicts = result.to_dicts()
    titles = ["current rules"] + (["--compare-rules"] if compare else [])
    if fmt == "json":
        for d in dicts:
            click.echo(json.dumps(d, ensure_ascii=False))
    else:
        out.print(summary_table(dicts, titles))
        for d, title in zip(dicts, titles, strict=True):
            if d["per_rule"]:
                out.print(rules_table(d, title))
        if dicts[0]["missing_inputs"]:
            out.print(Text("Not in the logs (absent, not invented): "
                           + ", ".join(dicts[0]["missing_inputs"]), style="yellow"),
                      soft_wrap=True)
    if report is not None:
        from rulelang.replay.report import write_report

        write_report(result, report, titles)
        if fmt == "text":
            err.print(Text(f"report written to {report}", style="dim"))
    if per_request and fmt == "text":
        err.print(Text(f"per-request results written to {per_request}", style="dim"))
    if result.bad.count:
        raise Failure(f"{result.bad.count} bad line{'s' if result.bad.count != 1 else ''} "
                      "skipped (listed above); the results cover the other lines")
    return 0


def _report_bad(result, err: Console) -> None:
    for bad in result.bad.kept[:BAD_LINES_SHOWN]:
        err.print(Text(f"rulelang: bad line: {bad}", style="red"), soft_wrap=True)
    more = result.bad.count - min(len(result.bad.kept), BAD_LINES_SHOWN)
    if more > 0:
        err.print(Text(f"rulelang: ... and {more} more bad lines", style="red"))


class _progress:
    """A request counter on stderr while the replay reads, when stderr is a terminal."""

    def __init__(self, err: Console, fmt: str):
        self._err = err
        self._progress = None
        self._task = None

    def __enter__(self):
        if not self._err.is_terminal:
            return None
        from rich.progress import Progress, SpinnerColumn, TextColumn

        self._progress = Progress(SpinnerColumn(), TextColumn("{task.completed:,} requests read"),
                                  console=self._err, transient=True)
        self._progress.start()
        self._task = self._progress.add_task("replay", total=None)
        progress, task = self._progress, self._task
        return lambda n: progress.advance(task, n)

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.stop()
