"""What the ``rulelang`` commands share: consoles, the phase option, finding rules
files, loading rule sets, reading sources and showing diagnostics on a console."""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import click
import yaml
from rich.console import Console
from rich.text import Text

from rulelang.errors import Diagnostic, RulesetError
from rulelang.render import render_text_lines, summary_line
from rulelang.rules.files import RULES_SUFFIXES, format_of
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
    "looks_like_rules",
    "phase_label",
    "print_diagnostics",
    "read_file_text",
    "read_sources",
    "rules_files",
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


def consoles() -> tuple[Console, Console]:
    """A console for results (stdout) and one for progress and messages (stderr).
    rich decides colour (none when piped or with ``NO_COLOR``) and width (``COLUMNS``)."""
    return _Console(highlight=False), _Console(stderr=True, highlight=False)


def read_file_text(path: str | Path) -> str:
    """The text of a UTF-8 file as the rules loaders see it: a leading byte-order mark
    dropped, line endings kept as they are (``\r\n`` stays).  A file that cannot be
    read or is not UTF-8 is a :class:`Failure` naming the file."""
    try:
        raw = Path(path).read_bytes()
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


def looks_like_rules(path: Path) -> bool:
    """Whether a file found while walking a directory is a rules file (and not, say,
    a samples file or a case file).  A file that cannot be parsed counts as one, so
    that ``lint`` reports its syntax error instead of skipping it silently."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeError):
        return True
    fmt = format_of(path)
    if fmt == "terraform":
        return "cloudflare_ruleset" in text
    try:
        doc = json.loads(text) if fmt == "json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError):
        return True
    return isinstance(doc, dict) and ("rules" in doc or "result" in doc) and "cases" not in doc


def rules_files(path: str | Path) -> list[Path]:
    """The rules files at ``path``: the file itself, or every rules file under a directory
    (:data:`~rulelang.rules.files.RULES_SUFFIXES`; samples and case files are skipped).
    A missing path or a directory without rules files is a :class:`Failure`."""
    p = Path(path)
    if p.is_dir():
        found = [f for f in sorted(p.rglob("*")) if f.is_file() and f.suffix.lower()
                 in RULES_SUFFIXES and not any(part.startswith(".") for part in
                                               f.relative_to(p).parts)
                 and looks_like_rules(f)]
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


def _load_one(path: Path, phase: str | None):
    from rulelang.rules import ruleset

    if hasattr(ruleset, "load_rulesets"):
        fn = ruleset.load_rulesets
        if "phase" in inspect.signature(fn).parameters:
            return list(fn(str(path), phase=phase))
        return list(fn(str(path)))
    return [ruleset.load_ruleset(str(path), phase=phase)]


def load_rule_paths(paths: Iterable[str | Path], phase: str | None, err: Console) -> list:
    """Load every rule set from ``paths`` (files or directories).  An invalid rules file
    prints its diagnostics on ``err`` and stops the command with exit code 2."""
    out = []
    for given in paths:
        for path in rules_files(given):
            try:
                out.extend(_load_one(path, phase))
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
                out[name] = Path(name).read_bytes().decode("utf-8-sig")
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
