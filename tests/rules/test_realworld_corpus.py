"""The real-world corpus: every file gets the verdict Cloudflare gives it.

corpus/realworld/expected.json names, for each file, its source and whether
Cloudflare accepts it (lint reports no error) or rejects it (lint reports exactly
these error codes), and the warnings lint should give (none unless listed).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rulelang.linter import lint

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "realworld"
EXPECTED = json.loads((CORPUS / "expected.json").read_text("utf-8"))["files"]


def test_every_file_has_a_verdict_and_a_source():
    files = {p.name for p in CORPUS.iterdir() if p.name != "expected.json"}
    assert files == set(EXPECTED)
    assert len(files) >= 30
    for name, entry in EXPECTED.items():
        assert entry["source"].startswith("https://"), name
        assert entry["verdict"] in ("accept", "reject"), name
        assert (entry["verdict"] == "reject") == bool(entry.get("codes")), name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_verdict_as_cloudflare_gives_it(name):
    entry = EXPECTED[name]
    diags = lint(str(CORPUS / name), phase=entry.get("phase"))
    errors = sorted({d.code for d in diags if d.severity == "error"})
    warnings = sorted({d.code for d in diags if d.severity == "warning"})
    assert errors == sorted(entry.get("codes", [])), [str(d) for d in diags]
    assert warnings == sorted(entry.get("warnings", [])), [str(d) for d in diags]
    assert all(d.location is not None and d.location.file for d in diags)


def test_the_corpus_covers_every_source_kind():
    prefixes = {name.split("-")[0] for name in EXPECTED}
    assert {"tf", "cf", "docs", "octorules", "user", "terraform", "reject"} <= prefixes
