"""``rulelang fmt``: the command line of :mod:`rulelang.rules.format` (canonical
formatting of the expressions in rules files, in place)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.text import Text

from rulelang.cli.common import Failure, consoles, print_diagnostics, read_file_text, rules_files
from rulelang.errors import ExpressionError
from rulelang.rules.format import (
    format_expression,
    format_text,
    guess_suffix,
    path_text,
    unified_diff,
    write_formatted,
)

__all__ = ["fmt_command"]


def _read_stdin() -> str:
    raw = sys.stdin.buffer.read()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        raise Failure(f"<stdin>:{line}: not UTF-8 text (byte {e.start})") from None


def _show_changes(out, name: str, changes) -> None:
    out.print(Text(f"would reformat {name}", style="bold"), soft_wrap=True)
    for site, new in changes:
        out.print(f"  {path_text(site.path)}", soft_wrap=True)
        for sign, text_, style in (("-", site.source, "red"), ("+", new, "green")):
            shown = text_.rstrip("\n").replace("\n", "\n    ")
            out.print(Text(f"  {sign} {shown}", style=style), soft_wrap=True)


@click.command("fmt")
@click.argument("paths", nargs=-1, type=click.Path(readable=False))
@click.option("--check", is_flag=True,
              help="Change nothing; exit 1 if some expression is not formatted.")
@click.option("--diff", is_flag=True,
              help="Change nothing; print a unified diff of what would change.")
@click.option("--expr", "expr", metavar="EXPR",
              help="Format one expression and print it ('-' reads it from stdin).")
def fmt_command(paths: tuple[str, ...], check: bool, diff: bool, expr: str | None) -> int:
    """Format the expressions of rules files in place (JSON, YAML, Terraform), or one
    expression given with --expr.

    Files are written safely: a temporary file beside the original, fsynced and renamed
    over it (mode, owner, line endings, byte-order mark and a symlink's target kept); a
    failure leaves the original as it was.  PATH '-' reads a rules file from stdin and
    prints it formatted.

    \b
    Exit status: 0 when done (or, with --check, when everything is formatted),
    1 when --check finds something to format, 2 for unusable input.
    """
    out, err = consoles()
    if expr is not None:
        if paths:
            raise click.UsageError("give files or --expr, not both")
        if expr == "-":
            expr = _read_stdin().strip("\r\n")
        try:
            new = format_expression(expr)
        except ExpressionError as e:
            print_diagnostics(err, e.diagnostics, summary=False)
            raise Failure("the expression does not parse") from None
        click.echo(new)
        return 1 if check and new != expr else 0
    if not paths:
        raise click.UsageError("give rules files or directories ('-' for stdin), or --expr")
    files: list[Path | None] = []
    for p in paths:
        files.extend([None] if p == "-" else rules_files(p))
    changed = unchanged = 0
    broken: list[str] = []
    for f in files:
        if f is None:
            text = _read_stdin()
            name, as_path = "<stdin>", Path("<stdin>" + guess_suffix(text))
        else:
            text = read_file_text(f)
            name, as_path = str(f), f
        new_text, changes, problems = format_text(as_path, text)
        if problems:
            print_diagnostics(err, problems, {str(as_path): text}, summary=False)
            err.print()
            broken.append(name)
            if f is None and not (check or diff):
                click.echo(text, nl=False)  # a filter passes its input on unchanged
            continue
        if f is None and not (check or diff):
            click.echo(new_text, nl=False)
        if not changes:
            unchanged += 1
            continue
        changed += 1
        if diff:
            click.echo(unified_diff(name, text, new_text), nl=False)
        elif check:
            _show_changes(out, name, changes)
        elif f is not None:
            write_formatted(f, new_text)
            n = len(changes)
            out.print(f"reformatted {f} ({n} expression{'' if n == 1 else 's'})",
                             soft_wrap=True)
    if files != [None]:
        summary = err if diff else out
        verb = "would be reformatted" if check or diff else "reformatted"
        parts = []
        if changed:
            parts.append(f"{changed} file{'' if changed == 1 else 's'} {verb}")
        if unchanged:
            parts.append(f"{unchanged} file{'' if unchanged == 1 else 's'} "
                         f"{'already formatted' if check or diff else 'left unchanged'}")
        if parts:
            summary.print(", ".join(parts) + ".")
    if broken:
        raise Failure(f"{len(broken)} file{'' if len(broken) == 1 else 's'} not formatted: "
                      f"some expressions do not parse (see above)")
    return 1 if check and changed else 0
