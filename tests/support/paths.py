"""Where the repository's data lives, independent of where a test file sits."""

from __future__ import annotations

from pathlib import Path

#: The repository checkout (the folder holding pyproject.toml).
ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
EXAMPLE = CORPUS / "example"
CASES = CORPUS / "cases"
EXPRESSIONS = CORPUS / "expressions"
RULESETS = CORPUS / "rulesets"
SAMPLES = CORPUS / "samples"
DECISION = CORPUS / "decision"
DOCS = ROOT / "docs"
#: The shared specification, when the checkout sits beside it (``../shared/spec``).
SHARED_SPEC = ROOT.parent / "shared" / "spec"
