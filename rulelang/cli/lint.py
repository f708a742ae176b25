"""``rulelang lint``: check rules files (or one expression) and report diagnostics as
compiler-like text, JSON, SARIF 2.1.0 or GitHub Actions annotations."""

from __future__ import annotations

import re
from collections.abc import Sequence

import click

from rulelang import __version__
from rulelang.cli.common import (
    PHASE,
    Failure,
    consoles,
    plan_and_list_options,
    print_diagnostics,
    read_lists,
    read_sources,
    rules_files,
)
from rulelang.codes import CODES
from rulelang.errors import Diagnostic, Location, RuleLangError, RulesetError
from rulelang.render import render_github, render_json, render_sarif
from rulelang.schema.catalogue import REQUEST_PHASE

__all__ = ["UNUSABLE_INPUT", "lint_command", "parse_code_selection", "select_diagnostics"]

#: Codes that say a file is not a rules file lint can check at all (it cannot be read, is
#: not valid JSON/YAML/HCL, is not a rule set, or its phase is unknown): ``lint`` still
#: reports them in every format, and exits 2 (unreadable or invalid input), not 1.
UNUSABLE_INPUT = frozenset({"RS001", "RS002", "RS003", "RS004", "RS005", "RS006", "RS007"})


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
               plan: str | None = None, annotations: bool = False) -> list[Diagnostic]:
    from rulelang.linter import lint

    try:
        diags = list(lint(path, phase=phase, lists=lists, plan=plan, annotations=annotations))
    except RulesetError as e:
        diags = list(e.diagnostics)
    return [d if d.location is not None else d.at(Location(file=path)) for d in diags]


def _lint_expression(expr: str, phase: str | None, lists: dict | None = None,
                     plan: str | None = None) -> list[Diagnostic]:
    from rulelang.linter import lint

    try:
        return list(lint(expr, phase=phase or REQUEST_PHASE, lists=lists, plan=plan))
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
def lint_command(paths: tuple[str, ...], expr: str | None, phase: str | None, fmt: str,
                 select: tuple[str, ...], ignore: tuple[str, ...], plan: str | None,
                 list_items: tuple[str, ...], lists_file: str | None,
                 annotations: bool) -> int:
    """Check rules files, directories of rules files, or one expression (--expr).

    \b
    Exit status: 0 when nothing (or only information) is reported,
    1 when an error or warning is reported, 2 for unusable input.
    """
    selected = parse_code_selection(select, "--select")
    ignored = parse_code_selection(ignore, "--ignore")
    if expr is not None and paths:
        raise click.UsageError("give files or --expr, not both")
    if expr is None and not paths:
        paths = (".",)
    lists = read_lists(list_items, lists_file)
    diags: list[Diagnostic] = []
    checked = 0
    if expr is not None:
        diags = _lint_expression(expr, phase, lists, plan)
        checked = 1
    else:
        files = [str(f) for p in paths for f in rules_files(p)]
        for f in files:
            diags.extend(_lint_file(f, phase, lists, plan, annotations))
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
    parts = [f"{file} ({message})" for file, message in sorted(unusable.items())]
    n = len(parts)
    return f"cannot check {'' if n == 1 else f'{n} files: '}{', '.join(parts)}"
