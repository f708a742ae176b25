"""``rulelang fmt``: the command line of :mod:`rulelang.rules.format` (canonical
formatting of the expressions in rules files, in place)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.text import Text

from rulelang.cli.common import Failure, consoles, print_diagnostics, read_file_text, rules_files
from rulelang.errors import ExpressionError
from rulelang.rules.documents import path_text
from rulelang.rules.format import format_expression, format_text

__all__ = ["fmt_command"]


@click.command("fmt")
@click.argument("paths", nargs=-1, type=click.Path(readable=False))
@click.option("--check", is_flag=True,
              help="Change nothing; exit 1 if some expression is not formatted.")
@click.option("--expr", "expr", metavar="EXPR", help="Format one expression and print it.")
def fmt_command(paths: tuple[str, ...], check: bool, expr: str | None) -> int:
    """Format the expressions of rules files in place (JSON, YAML, Terraform), or one
    expression given with --expr.

    \b
    Exit status: 0 when done (or, with --check, when everything is formatted),
    1 when --check finds something to format, 2 for unusable input.
    """
    out, err = consoles()
    if expr is not None:
        if paths:
            raise click.UsageError("give files or --expr, not both")
        try:
            new = format_expression(expr)
        except ExpressionError as e:
            print_diagnostics(err, e.diagnostics, summary=False)
            raise Failure("the expression does not parse") from None
        click.echo(new)
        return 1 if check and new != expr else 0
    if not paths:
        raise click.UsageError("give rules files or directories, or --expr")
    files = [f for p in paths for f in rules_files(p)]
    changed = unchanged = 0
    broken: list[Path] = []
    for f in files:
        text = read_file_text(f)
        new_text, changes, problems = format_text(f, text)
        if problems:
            print_diagnostics(err, problems, {str(f): text}, summary=False)
            err.print()
            broken.append(f)
            continue
        if not changes:
            unchanged += 1
            continue
        changed += 1
        if check:
            out.print(Text(f"would reformat {f}", style="bold"), soft_wrap=True)
            for site, new in changes:
                out.print(f"  {path_text(site.path)}", soft_wrap=True)
                for sign, text_, style in (("-", site.source, "red"), ("+", new, "green")):
                    shown = text_.rstrip("\n").replace("\n", "\n    ")
                    out.print(Text(f"  {sign} {shown}", style=style), soft_wrap=True)
        else:
            bom = "\ufeff" if f.read_bytes().startswith(b"\xef\xbb\xbf") else ""
            f.write_bytes((bom + new_text).encode("utf-8"))  # byte for byte: no newline
            # translation, the byte-order mark kept
            n = len(changes)
            out.print(f"reformatted {f} ({n} expression{'' if n == 1 else 's'})",
                      soft_wrap=True)
    verb = "would be reformatted" if check else "reformatted"
    parts = []
    if changed:
        parts.append(f"{changed} file{'' if changed == 1 else 's'} {verb}")
    if unchanged:
        parts.append(f"{unchanged} file{'' if unchanged == 1 else 's'} "
                     f"{'already formatted' if check else 'left unchanged'}")
    if parts:
        out.print(", ".join(parts) + ".")
    if broken:
        raise Failure(f"{len(broken)} file{'' if len(broken) == 1 else 's'} not formatted: "
                      f"some expressions do not parse (see above)")
    return 1 if check and changed else 0
