"""``rulelang fields`` and ``rulelang functions``: the schema and the function catalogue
of :mod:`rulelang.schema`, as tables or JSON."""

from __future__ import annotations

import json

import click
from rich import box
from rich.table import Table
from rich.text import Text

from rulelang.cli.common import PHASE, consoles, wide
from rulelang.schema.catalogue import FUNCTIONS, PHASES, REQUEST_PHASE, RESPONSE_PHASE, fields

__all__ = ["fields_command", "functions_command"]

_FORMAT = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                       show_default=True, help="Output format.")


def _phases_label(phases) -> str:
    if set(PHASES) <= set(phases):
        return "both"
    if REQUEST_PHASE in phases:
        return "request"
    if RESPONSE_PHASE in phases:
        return "response"
    return "none"


@click.command("fields")
@click.option("--phase", type=PHASE, default=None,
              help="Only the fields available in this phase (a phase name, request or response).")
@_FORMAT
def fields_command(phase: str | None, fmt: str) -> None:
    """List the fields of the schema: name, type, phases and description."""
    rows = [f for f in fields().values() if phase is None or phase in f.phases]
    if fmt == "json":
        for f in rows:
            click.echo(json.dumps({
                "name": f.name, "type": str(f.type), "phases": sorted(f.phases),
                "availability": f.availability, "description": f.description,
                "deprecated_alias_of": f.deprecated_alias_of}, ensure_ascii=False))
        return
    out, _ = consoles()
    title = f"Fields in {phase}" if phase else "Fields of the cache phases"
    out.print(Text(f"{title} ({len(rows)})", style="bold"))
    table = Table(box=box.SIMPLE_HEAD)
    unlimited = wide(out)  # piped: whole names, never folded
    table.add_column("name", style="cyan", overflow="fold", max_width=None if unlimited else 36)
    table.add_column("type", style="magenta", overflow="fold",
                     max_width=None if unlimited else 14)
    table.add_column("phases", no_wrap=True)
    table.add_column("description", min_width=30, ratio=1)
    for f in rows:
        description = f.description
        if f.deprecated_alias_of:
            description = f"(deprecated: use {f.deprecated_alias_of}) {description}"
        if f.availability == "unverified":
            description += " [availability in the cache phases not documented]"
        table.add_row(f.name, str(f.type), _phases_label(f.phases), description)
    out.print(table)


@click.command("functions")
@click.option("--all", "show_all", is_flag=True,
              help="Also list the documented functions the cache phases do not offer.")
@_FORMAT
def functions_command(show_all: bool, fmt: str) -> None:
    """List the functions of the language with their signatures."""
    rows = [f for f in FUNCTIONS.values() if show_all or f.cache_phases]
    if fmt == "json":
        for f in rows:
            click.echo(json.dumps({
                "name": f.name, "signature": f.signature(), "returns": f.returns,
                "cache_phases": f.cache_phases, "summary": f.summary}, ensure_ascii=False))
        return
    out, _ = consoles()
    title = "Functions" if show_all else "Functions available in the cache phases"
    out.print(Text(f"{title} ({len(rows)})", style="bold"))
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("signature", style="cyan")
    if show_all:
        table.add_column("cache phases", no_wrap=True)
    table.add_column("summary")
    for f in rows:
        cells = [_signature(f)]
        if show_all:
            cells.append("yes" if f.cache_phases else "no")
        table.add_row(*cells, f.summary)
    out.print(table)


def _signature(f) -> str:
    """The catalogue's signature, with ``$1`` (the type of the first argument) spelled out."""
    sig = f.signature()
    if f.params and "$1" in sig:
        sig = sig.replace("$1", f"type of {f.params[0].name}")
    return sig
