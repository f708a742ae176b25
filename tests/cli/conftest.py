"""Fixtures of the CLI tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cli import BAD_RULES


@pytest.fixture
def bad_rules(tmp_path: Path) -> Path:
    """``bad-rules.json`` (:data:`support.cli.BAD_RULES`) in a fresh directory."""
    path = tmp_path / "bad-rules.json"
    path.write_text(BAD_RULES, encoding="utf-8")
    return path
