"""Which files a list of rules paths names: files, directories and glob patterns.

Used by :meth:`rulelang.Engine.from_files` and :class:`rulelang.RulesWatcher`.  A
directory stands for every rules file under it (the suffixes of
:data:`rulelang.rules.files.RULES_SUFFIXES`; names starting with ``.`` are skipped, so
editors' swap files are too); it should hold rules files only.  A pattern with ``*``, ``?`` or ``[`` is expanded with
:mod:`glob` (``**`` recursive).  A path that names nothing is an ``RS001`` error.
"""

from __future__ import annotations

import glob
from collections.abc import Iterable
from os import PathLike, fspath
from pathlib import Path

from rulelang.errors import Diagnostic, Location, RulesetError
from rulelang.rules.files import RULES_SUFFIXES

__all__ = ["rule_files"]


def _flatten(paths: Iterable) -> list[str]:
    out: list[str] = []
    for item in paths:
        if isinstance(item, (str, PathLike)):
            out.append(fspath(item))
        else:
            out.extend(_flatten(item))
    return out


def _under(directory: Path) -> list[Path]:
    return [f for f in sorted(directory.rglob("*"))
            if f.is_file() and f.suffix.lower() in RULES_SUFFIXES
            and not any(part.startswith(".") for part in f.relative_to(directory).parts)]


def rule_files(*paths: str | PathLike | Iterable[str | PathLike]) -> list[str]:
    """The rules files ``paths`` name, in order, each once.  Raises
    :class:`~rulelang.errors.RulesetError` (``RS001``) for a path that names no file."""
    found: list[str] = []
    problems: list[Diagnostic] = []
    for given in _flatten(paths):
        if any(c in given for c in "*?["):
            matches = [Path(m) for m in sorted(glob.glob(given, recursive=True))]
            names = [f for m in matches
                     for f in (_under(m) if m.is_dir() else [m] if m.is_file() else [])]
            what = "no file matches this pattern"
        elif Path(given).is_dir():
            names = _under(Path(given))
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
