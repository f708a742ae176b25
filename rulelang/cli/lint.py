"""``rulelang lint``: check rules files (or one expression) and report diagnostics as
compiler-like text, JSON, SARIF 2.1.0 or GitHub Actions annotations."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import click

from rulelang import __version__
from rulelang.cli.common import (
    CONFIG_OPTION,
    PHASE,
    Failure,
    consoles,
    plan_and_list_options,
    print_diagnostics,
    project_config,
    read_lists,
    read_sources,
    rules_files,
)
from rulelang.codes import CODES
from rulelang.config import Config
from rulelang.errors import Diagnostic, Location, RuleLangError, RulesetError
from rulelang.files import STDIN, read_bytes, shorten
from rulelang.linter import UNUSABLE_INPUT
from rulelang.render import render_github, render_json, render_sarif
from rulelang.schema.catalogue import REQUEST_PHASE

__all__ = ["UNUSABLE_INPUT", "lint_command", "parse_code_selection", "select_diagnostics"]



def parse_code_selection(values: Sequence[str], option: str) -> tuple[str, ...]:
    """Codes or code prefixes from ``--select``/``--ignore`` (comma- or space-separated,
    repeatable; ``ALL`` selects everything).  An unknown code is a :class:`Failure`."""
    out = []
    for value in values:
        for item in re.split(r"[,\s]+", value.strip()):
            if not item:
                continue
            code = item.upper()
            if code != "ALL" and not any(c.startswith(code) for c in CODES):
                raise Failure(f"{option}: unknown diagnostic code {item!r} "
                              f"(codes look like RL201; prefixes such as RL5 select a group)")
            out.append("" if code == "ALL" else code)
    return tuple(out)


def select_diagnostics(diags: Sequence[Diagnostic], select: Sequence[str],
                       ignore: Sequence[str]) -> list[Diagnostic]:
    """Keep the diagnostics whose code starts with a selected prefix (all when none is
    selected) and with no ignored prefix."""
    return [d for d in diags
            if (not select or d.code.startswith(tuple(select)))
            and not (ignore and d.code.startswith(tuple(ignore)))]


def _lint_file(path: str, phase: str | None, lists: dict | None = None,
               plan: str | None = None, annotations: bool = False,
               config: Config | None = None) -> list[Diagnostic]:
    from rulelang.linter import lint

    try:
        diags = list(lint(path, phase=phase, lists=lists, plan=plan, annotations=annotations,
                          config=config))
    except RulesetError as e:
        diags = list(e.diagnostics)
    return [d if d.location is not None else d.at(Location(file=path)) for d in diags]


def _lint_expression(expr: str, phase: str | None, lists: dict | None = None,
                     plan: str | None = None, config: Config | None = None
                     ) -> list[Diagnostic]:
    from rulelang.linter import lint

    try:
        return list(lint(expr, phase=phase or REQUEST_PHASE, lists=lists, plan=plan,
                         config=config))
    except RuleLangError as e:
        diags = getattr(e, "diagnostics", None)
        if diags:
            return list(diags)
        raise


@click.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(readable=False))
@click.option("--expr", "expr", metavar="EXPR", help="Lint one expression instead of files.")
@click.option("--phase", type=PHASE, default=None,
              help="Phase of --expr, or of files that do not name theirs "
                   "(a phase name, request or response).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]),
              default="text", show_default=True, help="Output format.")
@click.option("--select", multiple=True, metavar="CODES",
              help="Only report these codes or prefixes (e.g. RL2,RL501).")
@click.option("--ignore", multiple=True, metavar="CODES",
              help="Do not report these codes or prefixes (e.g. RL511,RL512).")
@plan_and_list_options
@click.option("--annotations", is_flag=True,
              help="Ignore documentation keys ($comment, any key starting with $) in JSON "
                   "and YAML rule sets.")
@CONFIG_OPTION
def lint_command(paths: tuple[str, ...], expr: str | None, phase: str | None, fmt: str,
                 select: tuple[str, ...], ignore: tuple[str, ...], plan: str | None,
                 list_items: tuple[str, ...], lists_file: str | None,
                 annotations: bool, config_path: str | None) -> int:
    """Check rules files, directories of rules files, or one expression (--expr).

    PATH '-' reads a rules file from stdin, --expr - an expression.  With no PATH,
    lint checks every rules file (.json, .yaml, .yml, .tf holding a rule set) under
    the current directory, recursively, and says so first.

    \b
    Exit status: 0 when nothing (or only information) is reported,
    1 when an error or warning is reported, 2 for unusable input.
    """
    selected = parse_code_selection(select, "--select")
    ignored = parse_code_selection(ignore, "--ignore")
    config = project_config(config_path)
    # --select replaces the configuration's select; --ignore adds to its ignore
    selected = selected or config.select
    ignored = config.ignore + ignored
    config = replace(config, select=(), ignore=())
    if expr is not None and paths:
        raise click.UsageError("give files or --expr, not both")
    if expr is None and not paths:
        paths = (".",)
        click.echo(f"rulelang lint: no path given: checking the rules files under the "
                   f"current directory ({Path.cwd()}), recursively", err=True)
    if expr == "-":
        expr = read_bytes(STDIN).decode("utf-8-sig", "replace").strip("\r\n")
    # flags win over the configuration: --plan replaces its plan, --list/--lists add lists
    lists = read_lists(list_items, lists_file)
    if lists is not None and config.lists:
        lists = {**config.lists, **lists}
    lists = lists if lists is not None else config.lists
    plan = plan if plan is not None else config.plan
    diags: list[Diagnostic] = []
    checked = 0
    if expr is not None:
        diags = _lint_expression(expr, phase, lists, plan, config)
        checked = 1
    else:
        files = [str(f) for p in paths for f in rules_files(p)]
        for f in files:
            diags.extend(_lint_file(f, phase, lists, plan, annotations, config))
        checked = len(files)
    unusable: dict[str, str] = {}
    for d in diags:
        if d.code in UNUSABLE_INPUT:
            unusable.setdefault(d.location.file if d.location and d.location.file
                                else "<input>", d.message)
    diags = select_diagnostics(diags, selected, ignored)
    sources = read_sources(diags)
    out, _ = consoles()
    if fmt == "json":
        click.echo(render_json(diags, sources))
    elif fmt == "sarif":
        click.echo(render_sarif(diags, sources, version=__version__))
    elif fmt == "github":
        if diags:
            click.echo(render_github(diags, sources))
    else:
        print_diagnostics(out, diags, sources)
        if not diags:
            what = "expression" if expr is not None else \
                f"{checked} file{'' if checked == 1 else 's'}"
            out.print(f"All checks passed ({what}).")
    if unusable:
        raise Failure(_unusable_line(unusable))
    return 1 if any(d.severity in ("error", "warning") for d in diags) else 0


def _unusable_line(unusable: dict[str, str]) -> str:
    """One line naming each file that could not be checked and why."""
    parts = [f"{file} ({shorten(message, 200)})" for file, message in sorted(unusable.items())]
    n = len(parts)
    if n > _LISTED:
        parts = [*parts[:_LISTED], f"and {n - _LISTED} more (see the diagnostics above)"]
    return f"cannot check {'' if n == 1 else f'{n} files: '}{', '.join(parts)}"


#: How many unusable files the closing line names.
_LISTED = 5
