"""What the ``rulelang`` commands share: consoles, the phase option, finding rules
files, loading rule sets, reading sources and showing diagnostics on a console."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import click
from rich.console import Console
from rich.text import Text

from rulelang.errors import Diagnostic, RulesetError
from rulelang.files import STDIN, is_stdin, read_bytes
from rulelang.render import render_text_lines, summary_line
from rulelang.rules.files import RULES_SUFFIXES
from rulelang.rules.paths import rules_files_under
from rulelang.schema.catalogue import PHASE_LABELS, normalize_phase

__all__ = [
    "PHASE",
    "PROG",
    "RULES_SUFFIXES",
    "Failure",
    "PhaseType",
    "consoles",
    "example_paths",
    "load_rule_paths",
    "phase_label",
    "plan_and_list_options",
    "print_diagnostics",
    "read_file_text",
    "read_lists",
    "read_sources",
    "rules_files",
    "wide",
]

PROG = "rulelang"
_STYLES = {"error": "bold red", "warning": "bold yellow", "info": "bold cyan",
           "where": "blue", "gutter": "blue", "caret": "bold red", "hint": "green"}


class Failure(Exception):
    """Stop the command with ``exit_code``; ``message`` (if any) goes to stderr as one line."""

    def __init__(self, message: str = "", exit_code: int = 2):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class PhaseType(click.ParamType):
    """A phase name or its alias ``request``/``response``."""

    name = "PHASE"

    def convert(self, value, param, ctx):
        try:
            return normalize_phase(str(value))
        except ValueError as e:
            self.fail(str(e), param, ctx)


PHASE = PhaseType()


def phase_label(phase: str) -> str:
    """``Cache Rules`` / ``Cache Response Rules`` for a phase name."""
    return PHASE_LABELS.get(phase, phase)


class _Console(Console):
    """A rich console that lets a closed pipe (``rulelang eval | head``) reach the command
    line's handler as :class:`BrokenPipeError` (exit 0), instead of rich's own
    ``SystemExit(1)``."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


#: The width of output that is not a terminal (and has no ``COLUMNS``): wide enough that
#: nothing is wrapped or cut, so that ``grep``/``cut`` see whole names and lines.
PIPE_WIDTH = 1 << 14


def consoles() -> tuple[Console, Console]:
    """A console for results (stdout) and one for progress and messages (stderr).
    rich decides colour (none when piped or with ``NO_COLOR``); the width is the
    terminal's, ``COLUMNS`` when set, and unlimited (:data:`PIPE_WIDTH`) otherwise."""
    out = _Console(highlight=False)
    err = _Console(stderr=True, highlight=False)
    for console in (out, err):
        if not console.is_terminal and not os.environ.get("COLUMNS"):
            console.width = PIPE_WIDTH
    return out, err


def wide(console: Console) -> bool:
    """Whether ``console`` is output without a width limit (a pipe or a file)."""
    return console.width >= PIPE_WIDTH


def read_file_text(path: str | Path) -> str:
    """The text of a UTF-8 file as the rules loaders see it: a leading byte-order mark
    dropped, line endings kept as they are (``\r\n`` stays).  A file that cannot be
    read or is not UTF-8 is a :class:`Failure` naming the file."""
    try:
        raw = read_bytes(path)
    except IsADirectoryError:
        raise Failure(f"{path}: is a directory, not a file") from None
    except FileNotFoundError:
        raise Failure(f"{path}: no such file or directory") from None
    except OSError as e:
        raise Failure(f"{path}: cannot read the file ({e.strerror or e})") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        raise Failure(f"{path}:{line}: not UTF-8 text (byte {e.start}); save the file as "
                      f"UTF-8") from None


def rules_files(path: str | Path) -> list[Path]:
    """The rules files at ``path``: the file itself, or every rules file under a directory
    (:data:`~rulelang.rules.files.RULES_SUFFIXES`; samples and case files are skipped).
    A missing path or a directory without rules files is a :class:`Failure`."""
    if is_stdin(path):
        return [Path(STDIN)]
    p = Path(path)
    if p.is_dir():
        found = rules_files_under(p)
        if not found:
            raise Failure(f"{path}: no rules files in this directory "
                          f"(looked for {', '.join(RULES_SUFFIXES)})")
        return found
    if not p.exists():
        raise Failure(f"{path}: no such file or directory")
    return [p]


def example_paths() -> tuple[list[Path], Path]:
    """The example rules files and samples file shipped with rulelang."""
    from rulelang.resources import example_dir

    root = example_dir()
    if not root.is_dir():
        raise Failure(f"the example corpus is missing ({root}); reinstall rulelang")
    return rules_files(root), root / "samples.jsonl"


def plan_and_list_options(command):
    """``--plan``, ``--list NAME=FILE`` and ``--lists FILE.json`` (interfaces.md §8)."""
    from rulelang.schema.actions import PLANS

    command = click.option(
        "--lists", "lists_file", type=click.Path(dir_okay=False), default=None,
        metavar="FILE.json", help="Items of $lists: a JSON object of list name → items.")(command)
    command = click.option(
        "--list", "list_items", multiple=True, metavar="NAME=FILE",
        help="Items of the list $NAME: a JSON array, or one item a line (repeatable).")(command)
    return click.option(
        "--plan", type=click.Choice(PLANS), default=None,
        help="The zone's plan: turns on the plan checks (features, minimum TTLs, rule "
             "counts).")(command)


def _list_file_items(name: str, path: str) -> list:
    text = read_file_text(path)
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            items = json.loads(stripped)
        except ValueError as e:
            raise Failure(f"--list {name}={path}: not a JSON array ({e})") from None
        if not isinstance(items, list):
            raise Failure(f"--list {name}={path}: not a JSON array")
        return items
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def read_lists(list_items: Sequence[str], lists_file: str | None) -> dict[str, list] | None:
    """The lists given with ``--lists FILE.json`` and ``--list NAME=FILE`` (the latter
    win), or ``None`` when none was given: then ``lint`` accepts every ``$name`` with a
    note and evaluating a rule that uses one is an error."""
    if not list_items and lists_file is None:
        return None
    lists: dict[str, list] = {}
    if lists_file is not None:
        try:
            doc = json.loads(read_file_text(lists_file))
        except ValueError as e:
            raise Failure(f"--lists {lists_file}: not JSON ({e})") from None
        if not isinstance(doc, dict) or not all(isinstance(v, list) for v in doc.values()):
            raise Failure(f"--lists {lists_file}: expected an object of list name → array "
                          f"of items")
        lists.update(doc)
    for item in list_items:
        name, sep, path = item.partition("=")
        name = name.strip().lstrip("$")
        if not sep or not name or not path:
            raise Failure(f"--list {item!r}: expected NAME=FILE")
        lists[name] = _list_file_items(name, path)
    return lists


def _load_one(path: Path, phase: str | None, lists: dict | None, plan: str | None):
    from rulelang.rules.ruleset import load_rulesets

    return list(load_rulesets(str(path), phase=phase, lists=lists, plan=plan))


#: ``--config FILE``: the project configuration (default: found from the current
#: directory upwards; see docs/lint-checks.md).
CONFIG_OPTION = click.option(
    "--config", "config_path", type=click.Path(dir_okay=False), default=None, metavar="FILE",
    help="Configuration file (rulelang.toml, or pyproject.toml with [tool.rulelang]); "
         "default: found from the current directory upwards.")


def project_config(path: str | None):
    """The :class:`~rulelang.config.Config` for a command; a broken one is a Failure."""
    from rulelang.config import load_config
    from rulelang.errors import RuleLangError

    if path is not None and not Path(path).is_file():
        raise Failure(f"{path}: no such configuration file")
    try:
        return load_config(path)
    except RuleLangError as e:
        raise Failure(str(e)) from None


def plan_lists_zone(config, plan: str | None, list_items: Sequence[str],
                    lists_file: str | None) -> tuple[str | None, dict | None, dict | None]:
    """The plan, lists and zone settings of a command: the flags win over the project
    configuration (``--plan`` replaces its plan; ``--list``/``--lists`` replace lists of the
    same name and add the others)."""
    given = read_lists(list_items, lists_file)
    lists = {**(config.lists or {}), **given} if given is not None else config.lists
    plan = plan if plan is not None else config.plan
    zone = dict(config.zone)
    if plan is not None:
        zone["plan"] = plan
    return plan, lists, zone or None


def load_rule_paths(paths: Iterable[str | Path], phase: str | None, err: Console, *,
                    lists: dict | None = None, plan: str | None = None) -> list:
    """Load every rule set from ``paths`` (files or directories), with the lists and
    plan given.  An invalid rules file prints its diagnostics on ``err`` and stops the
    command with exit code 2."""
    out = []
    for given in paths:
        for path in rules_files(given):
            try:
                out.extend(_load_one(path, phase, lists, plan))
            except RulesetError as e:
                print_diagnostics(err, e.diagnostics or [], read_sources(e.diagnostics))
                raise Failure(f"{path}: not a valid rules file "
                              f"({_count(e.diagnostics)}; `rulelang lint {path}` explains)")
    return out


def _count(diags: Sequence[Diagnostic]) -> str:
    return summary_line(diags).removeprefix("Found ").rstrip(".") or "invalid"


def read_sources(diagnostics: Iterable[Diagnostic]) -> dict[str, str]:
    """The text of every file the diagnostics point into (files that cannot be read are
    left out: the renderers then fall back to the expression's own text)."""
    out: dict[str, str] = {}
    for d in diagnostics:
        name = d.location.file if d.location is not None else None
        if name and name not in out:
            try:
                out[name] = read_bytes(name).decode("utf-8-sig")
            except (OSError, UnicodeError):
                continue
    return out


def print_diagnostics(console: Console, diagnostics: Sequence[Diagnostic],
                      sources: dict[str, str] | None = None, summary: bool = True) -> None:
    """Print diagnostics like a compiler, coloured when the console has colour."""
    for style, line in render_text_lines(diagnostics, sources):
        console.print(Text(line, style=_STYLES.get(style, "")), soft_wrap=True)
    if summary and diagnostics:
        console.print()
        console.print(Text(summary_line(diagnostics), style="bold"), soft_wrap=True)
