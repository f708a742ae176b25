"""Shared checks of the corpora with Cloudflare's verdict per file
(corpus/realworld, corpus/holdout): each has an expected.json."""

from __future__ import annotations

import json
from pathlib import Path

from rulelang.linter import lint


def load_expected(corpus: Path) -> dict:
    """The ``files`` table of ``corpus/expected.json``."""
    return json.loads((corpus / "expected.json").read_text("utf-8"))["files"]


def check_table(corpus: Path, expected: dict, at_least: int) -> None:
    """Every file of ``corpus`` has a verdict and a source, and every verdict a file."""
    files = {p.name for p in corpus.iterdir() if p.name != "expected.json"}
    assert files == set(expected)
    assert len(files) >= at_least
    for name, entry in expected.items():
        assert entry["source"].startswith("https://"), name
        assert entry["verdict"] in ("accept", "reject"), name
        assert (entry["verdict"] == "reject") == bool(entry.get("codes")), name


def check_verdict(corpus: Path, name: str, entry: dict) -> None:
    """``rulelang lint`` gives ``corpus/name`` exactly the error codes (none to accept)
    and warnings ``entry`` lists, every diagnostic placed in the file."""
    diags = lint(str(corpus / name), phase=entry.get("phase"))
    errors = sorted({d.code for d in diags if d.severity == "error"})
    warnings = sorted({d.code for d in diags if d.severity == "warning"})
    assert errors == sorted(entry.get("codes", [])), [str(d) for d in diags]
    assert warnings == sorted(entry.get("warnings", [])), [str(d) for d in diags]
    assert all(d.location is not None and d.location.file for d in diags)
