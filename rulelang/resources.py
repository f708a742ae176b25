"""Locate files that ship inside the wheel (the grammar, the example corpus).

In a wheel they live inside the package (``rulelang/grammar``, ``rulelang/example``);
in a source checkout or an editable install they are read from the repository's
top-level ``grammar/`` and ``corpus/example/`` folders.
"""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def _find(in_package: str, in_repo: str) -> Path:
    packaged = _PKG / in_package
    if packaged.exists():
        return packaged
    return _PKG.parent / in_repo


def grammar_path() -> Path:
    """The Lark grammar ``rules.lark``."""
    return _PKG / "language" / "grammar" / "rules.lark"


def example_dir() -> Path:
    """The example rule sets and samples (``corpus/example`` in the repository)."""
    return _find("example", "corpus/example")
