"""A user's type checker sees the public API as it is, not as ``Any``.

The public names are imported lazily at run time (``rulelang.__getattr__``) and for type
checkers through ``TYPE_CHECKING`` imports; ``py.typed`` marks the package as typed.  This runs
mypy, as a user would, on a program that uses the API and reads back the types it inferred.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

PROGRAM = """
from rulelang import (Diagnostic, Engine, Location, Request, Response, compile_expression,
                      lint, load_ruleset, load_rulesets)

expr = compile_expression('http.host eq "a.example"')
reveal_type(expr)
reveal_type(expr.matches(Request(url="https://a.example/")))
reveal_type(expr.diagnostics)
ruleset = load_ruleset({"phase": "http_request_cache_settings", "rules": []})
reveal_type(ruleset)
reveal_type(ruleset.rules[0])
reveal_type(ruleset.rules[0].compiled)
reveal_type(load_rulesets("rules.json"))
engine = Engine(ruleset)
reveal_type(engine)
outcome = engine.evaluate(Request(), Response(200))
reveal_type(outcome.decision)
reveal_type(lint("rules.json"))
reveal_type(lint("rules.json")[0].location)
"""

EXPECTED = [
    "rulelang.language.expression.CompiledExpression",
    "builtins.bool",
    "builtins.list[rulelang.errors.Diagnostic]",
    "rulelang.rules.ruleset.Ruleset",
    "rulelang.rules.ruleset.Rule",
    "rulelang.language.expression.CompiledExpression | None",
    "builtins.list[rulelang.rules.ruleset.Ruleset]",
    "rulelang.engine.Engine",
    "builtins.dict[builtins.str, Any] | None",
    "builtins.list[rulelang.errors.Diagnostic]",
    "rulelang.errors.Location | None",
]


def test_mypy_sees_the_public_api_types(tmp_path: Path) -> None:
    program = tmp_path / "user_program.py"
    program.write_text(textwrap.dedent(PROGRAM), "utf-8")
    # Run as a user would, from their own directory: rulelang is then the installed
    # package (not the source tree of the current directory, which mypy would check as
    # the user's own code).
    done = subprocess.run([sys.executable, "-m", "mypy", str(program), "--strict",
                           "--cache-dir", str(tmp_path / "mypy_cache"), "--no-error-summary"],
                          cwd=tmp_path, capture_output=True, text=True, check=False,
                          timeout=300)
    stdout, stderr, status = done.stdout, done.stderr, done.returncode
    revealed = re.findall(r'Revealed type is "(.*)"', stdout)
    errors = [line for line in stdout.splitlines() if ": error:" in line]
    assert not errors, stdout + stderr
    assert status == 0, stdout + stderr
    assert [_plain(t) for t in revealed] == [_plain(t) for t in EXPECTED], stdout


def _plain(type_text: str) -> str:
    """A revealed type without the ``builtins.`` prefix (mypy prints it or not by version)."""
    return type_text.replace("builtins.", "")
