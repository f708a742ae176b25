"""The shape of the test suite itself (docs/architecture.md, "Tests"): test modules never
import each other, rulelang is never imported through ``pytest.importorskip`` (a broken
import must fail, not skip), and test file names are unique across the tree."""

from __future__ import annotations

import ast
from collections import Counter

import pytest
from support.paths import ROOT

TESTS = ROOT / "tests"
TEST_FILES = sorted(p for p in TESTS.rglob("test_*.py") if "__pycache__" not in p.parts)


def _imported_modules(tree: ast.AST) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
    return names


def _importorskip_targets(tree: ast.AST) -> list[str]:
    targets = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "importorskip" and node.args
                and isinstance(node.args[0], ast.Constant)):
            targets.append(str(node.args[0].value))
    return targets


def test_the_suite_has_its_rooms():
    rooms = {p.name for p in TESTS.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))}
    assert {"schema", "language", "http", "rules", "cache", "cli", "docs", "support"} <= rooms
    assert len(TEST_FILES) > 50


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda p: str(p.relative_to(TESTS)))
def test_a_test_module_imports_no_other_test_module(path):
    tree = ast.parse(path.read_text("utf-8"))
    imported = [m for m in _imported_modules(tree)
                if m.split(".")[0].startswith(("test_", "conftest", "tests"))]
    assert not imported, f"shared code belongs in tests/support or a conftest fixture: {imported}"


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda p: str(p.relative_to(TESTS)))
def test_rulelang_is_never_importorskipped(path):
    tree = ast.parse(path.read_text("utf-8"))
    skipped = [t for t in _importorskip_targets(tree) if t.split(".")[0] == "rulelang"]
    assert not skipped


def test_test_file_names_are_unique_across_the_tree():
    repeated = [name for name, n in Counter(p.name for p in TEST_FILES).items() if n > 1]
    assert not repeated
