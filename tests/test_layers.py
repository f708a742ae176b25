"""The package's architecture as a test: each room imports only the rooms below it
(docs/architecture.md), the library never imports the CLI toolkit, and no import cycle
exists between modules."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "rulelang"

#: Rooms from the bottom up; a room may import its own layer's modules only where listed
#: in SIBLINGS, and any room of a lower layer.
LAYERS = [
    {"codes", "suggest", "resources"},
    {"render"},
    {"errors"},
    {"files"},
    {"schema", "config"},
    {"http"},
    {"language"},
    {"rules", "cache"},
    {"engine", "trace", "describe"},
    {"analysis"},
    {"linter", "testing", "watch", "replay"},
    {"proxy"},
    {"adapters"},
    {"cli"},
    {"__main__", "__init__"},
]
LAYER = {room: i for i, rooms in enumerate(LAYERS) for room in rooms}
CLI_TOOLKIT = {"click", "rich"}


def _room(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _module(path: Path) -> str:
    parts = ("rulelang",) + path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def _imports(tree: ast.Module, top_level_only: bool):
    """(module, line) of every runtime import: TYPE_CHECKING blocks excluded."""
    def walk(nodes, top):
        for node in nodes:
            if isinstance(node, ast.If) and _is_type_checking(node):
                continue
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield alias.name, node.lineno
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                yield node.module, node.lineno
                for alias in node.names:  # `from rulelang.schema import catalogue`
                    yield f"{node.module}.{alias.name}", node.lineno
            if top_level_only and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                    ast.ClassDef)):
                if isinstance(node, ast.ClassDef):
                    yield from walk(node.body, top)
                continue
            for field in ("body", "orelse", "finalbody", "handlers"):
                yield from walk(getattr(node, field, []) or [], top)
    yield from walk(tree.body, True)


SOURCES = sorted(PACKAGE.rglob("*.py"))
MODULES = {_module(p) for p in SOURCES}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down_the_layers(path):
    here = _room(path)
    assert here in LAYER, f"{here}: a new room must be placed in LAYERS and in the docs"
    bad = []
    for target, line in _imports(ast.parse(path.read_text("utf-8")), top_level_only=False):
        top = target.split(".")[0]
        if top in CLI_TOOLKIT and here != "cli":
            bad.append(f"line {line}: the library imports {target}")
        if top != "rulelang" or target == "rulelang" or target not in MODULES and \
                target.rsplit(".", 1)[0] not in MODULES:
            continue
        room = target.split(".")[1]
        if room == here or room not in LAYER:
            continue
        if LAYER[room] >= LAYER[here]:
            bad.append(f"line {line}: {here} imports {target} ({room} is not below it)")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("top_level_only", [True, False], ids=["module level", "anywhere"])
def test_no_import_cycle(top_level_only):
    """Not even through an import inside a function: a cycle there is the same tangle."""
    graph = {}
    for path in SOURCES:
        graph[_module(path)] = {t for t, _ in _imports(ast.parse(path.read_text("utf-8")),
                                                       top_level_only=top_level_only)
                                if t in MODULES and t != _module(path)}
    state: dict[str, int] = {}

    def visit(node, stack):
        state[node] = 1
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
