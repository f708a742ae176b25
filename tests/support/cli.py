"""Run the ``rulelang`` command line in the test process (fast), or as the installed
console script in a subprocess (for what only a real process shows: the script itself,
``python -m rulelang``, signals, closed pipes); and inputs shared by the CLI and docs tests.

Both runners give a :class:`subprocess.CompletedProcess`-like result (``returncode``,
``stdout``, ``stderr`` as text) with colour off, ``COLUMNS=100`` and ``TERM=dumb``, and run
in the repository root unless ``cwd`` is given.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

from rulelang.cli.main import main
from support.paths import ROOT

#: The console script installed next to the interpreter.
RULELANG = Path(sys.executable).parent / "rulelang"
WIDTH = "100"


def _environment(env: dict | None) -> dict:
    full = {**os.environ, "NO_COLOR": "1", "COLUMNS": WIDTH, "TERM": "dumb"}
    full.pop("FORCE_COLOR", None)
    full.update(env or {})
    return full


@dataclass
class Result:
    """What one run printed and returned."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str


class _Stream(io.TextIOWrapper):
    """A text stream over bytes (so ``.buffer`` works) that is not a terminal."""

    def __init__(self, data: bytes = b"") -> None:
        super().__init__(io.BytesIO(data), encoding="utf-8", errors="surrogateescape",
                         write_through=True)

    def text(self) -> str:
        self.flush()
        raw = self.buffer.getvalue().decode("utf-8", "replace")  # type: ignore[attr-defined]
        return raw.replace("\r\n", "\n").replace("\r", "\n")  # as subprocess text mode


@contextlib.contextmanager
def _redirected(input: str | None) -> Iterator[tuple[_Stream, _Stream]]:
    out, err = _Stream(), _Stream()
    stdin = _Stream((input or "").encode())
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = stdin, out, err
    try:
        yield out, err
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved


def run(*args: str, cwd: Path | str | None = None, env: dict | None = None,
        input: str | None = None) -> Result:
    """``rulelang ARGS`` in this process, through :func:`rulelang.cli.main.main` (the same
    entry point as the console script: argument spreading, exit codes, error lines)."""
    with mock.patch.dict(os.environ, _environment(env), clear=True), \
            contextlib.chdir(cwd or ROOT), _redirected(input) as (out, err):
        code = main(list(args))
    return Result(list(args), code, out.text(), err.text())


def run_process(*args: str, cwd: Path | str | None = None, env: dict | None = None,
                timeout: float = 60) -> subprocess.CompletedProcess:
    """``rulelang ARGS`` as the installed console script, in a subprocess."""
    return subprocess.run([str(RULELANG), *args], cwd=cwd or ROOT, env=_environment(env),
                          capture_output=True, text=True, timeout=timeout, check=False)


def one_error_line(result: Result | subprocess.CompletedProcess) -> str:
    """The last stderr line, which must be the one `rulelang: error:` line; no traceback."""
    assert "Traceback" not in result.stderr, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert "error:" in last, result.stderr
    return last


RULE = ('{"expression": %s, "action": "set_cache_settings", '
        '"action_parameters": {"cache": true}}')


def rules_json(expression: str, phase: str | None = "http_request_cache_settings") -> str:
    """A JSON rules file of one set_cache_settings rule with this expression."""
    head = f'"phase": "{phase}", ' if phase else ""
    return '{' + head + '"rules": [' + RULE % json.dumps(expression) + ']}'


#: A rules file with an unknown field (RL201) and an edge_ttl mode that does not exist (RS).
BAD_RULES = """\
{
  "phase": "http_request_cache_settings",
  "rules": [
    {
      "ref": "typo",
      "expression": "http.request.uri.pathx eq \\"/x\\"",
      "action": "set_cache_settings",
      "action_parameters": {"cache": true}
    },
    {
      "ref": "bad_mode",
      "expression": "starts_with(http.request.uri.path, \\"/api/\\")",
      "action": "set_cache_settings",
      "action_parameters": {"cache": true, "edge_ttl": {"mode": "override"}}
    }
  ]
}
"""


#: A rules file in Latin-1: the é of the expression is the single byte 0xE9 at offset 58.
LATIN1_RULES = ('{"phase":"request","rules":[{"expression":"http.host eq \\"\xe9\\"",'
                '"action":"set_cache_settings","action_parameters":{"cache":true}}]}'
                ).encode("latin-1")


#: A rules file whose expression `fmt` rewrites.
UNFORMATTED = """\
{
  "phase": "http_request_cache_settings",
  "rules": [
    {"ref": "a", "expression": "http.host   eq \\"a\\"   and ssl",
     "action": "set_cache_settings", "action_parameters": {"cache": true}}
  ]
}
"""
