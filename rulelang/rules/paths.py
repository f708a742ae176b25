"""Which files a list of rules paths names: files, directories and glob patterns.

Used by :meth:`rulelang.Engine.from_files`, :class:`rulelang.RulesWatcher` and the command
line, so all walk a directory alike.  A directory stands for every rules file under it
(:func:`rules_files_under`: the suffixes of :data:`rulelang.rules.files.RULES_SUFFIXES`,
names starting with ``.`` skipped, so editors' swap files are too, and samples or case files
beside the rules left out).  A pattern with ``*``, ``?`` or ``[`` is expanded with
:mod:`glob` (``**`` recursive).  A path that names nothing is an ``RS001`` error.
"""

from __future__ import annotations

import glob
import json
from collections.abc import Iterable
from os import PathLike, fspath
from pathlib import Path

import yaml

from rulelang.errors import Diagnostic, Location, RulesetError
from rulelang.files import load_yaml
from rulelang.rules.files import RULES_SUFFIXES, format_of
from rulelang.rules.foreign import is_rules_document

__all__ = ["looks_like_rules", "rule_files", "rules_files_under"]


def _flatten(paths: Iterable) -> list[str]:
    out: list[str] = []
    for item in paths:
        if isinstance(item, (str, PathLike)):
            out.append(fspath(item))
        else:
            out.extend(_flatten(item))
    return out


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
        doc = json.loads(text) if fmt == "json" else load_yaml(text, duplicates="keep")
    except (ValueError, yaml.YAMLError, RecursionError):
        return True
    return is_rules_document(doc)


def rules_files_under(directory: Path) -> list[Path]:
    """Every rules file under ``directory``, sorted: the suffixes of
    :data:`~rulelang.rules.files.RULES_SUFFIXES`, no hidden files or folders, and not the
    samples or case files a rules folder often holds too (:func:`looks_like_rules`)."""
    return [f for f in sorted(directory.rglob("*"))
            if f.is_file() and f.suffix.lower() in RULES_SUFFIXES
            and not any(part.startswith(".") for part in f.relative_to(directory).parts)
            and looks_like_rules(f)]


def rule_files(*paths: str | PathLike | Iterable[str | PathLike]) -> list[str]:
    """The rules files ``paths`` name, in order, each once.  Raises
    :class:`~rulelang.errors.RulesetError` (``RS001``) for a path that names no file."""
    found: list[str] = []
    problems: list[Diagnostic] = []
    for given in _flatten(paths):
        if any(c in given for c in "*?["):
            matches = [Path(m) for m in sorted(glob.glob(given, recursive=True))]
            names = [f for m in matches
                     for f in (rules_files_under(m) if m.is_dir() else [m] if m.is_file() else [])]
            what = "no file matches this pattern"
        elif Path(given).is_dir():
            names = rules_files_under(Path(given))
            what = f"no rules files in this directory (looked for {', '.join(RULES_SUFFIXES)})"
        elif Path(given).exists():
            names = [Path(given)]
        else:
            names, what = [], "no such file or directory"
        if not names:
            problems.append(Diagnostic("RS001", f"{given}: {what}", location=Location(file=given)))
        found.extend(str(n) for n in names)
    if problems:
        raise RulesetError(problems)
    if not found:
        raise RulesetError([Diagnostic("RS001", "no rules files given")])
    return list(dict.fromkeys(found))
