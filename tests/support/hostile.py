"""Hostile inputs for the robustness tests: documents nested 10,000 deep, YAML alias
bombs, and a way to run the command line under resource limits."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

DEPTH = 10_000
DEEP = "[" * DEPTH + "]" * DEPTH

#: "Billion laughs": nine levels of nine aliases; about 400 million values once expanded.
ALIAS_BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n"
    for i in range(8))

RULELANG = Path(sys.executable).parent / "rulelang"
#: Address-space limit for a CLI run on hostile input: far above what rulelang needs
#: (about 100 MB), far below what an unbounded reader would take.
MEMORY_LIMIT = 1 << 30


def deep_rules(fmt: str) -> str:
    """A rules file of format ``fmt`` whose ``rules`` is nested :data:`DEPTH` deep."""
    if fmt == "json":
        return '{"phase": "http_request_cache_settings", "rules": ' + DEEP + "}\n"
    if fmt == "yaml":
        return "phase: http_request_cache_settings\nrules: " + DEEP + "\n"
    return ('resource "cloudflare_ruleset" "r" {\n  zone_id = "z"\n  name = "n"\n'
            '  kind = "zone"\n  phase = "http_request_cache_settings"\n  rules = '
            + DEEP + "\n}\n")


def bomb_rules() -> str:
    return "phase: http_request_cache_settings\nrules: []\n" + ALIAS_BOMB


def _limits(memory: int, fsize: int | None):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (60, 60))
        if fsize is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a kill
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    return apply


def run_limited(*args: str, cwd: Path | None = None, stdin: bytes | None = None,
                memory: int = MEMORY_LIMIT, fsize: int | None = None,
                timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``rulelang ARGS`` with an address-space limit (and a file-size limit)."""
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb"}
    env.pop("COLUMNS", None)
    return subprocess.run([str(RULELANG), *args], cwd=cwd, input=stdin, env=env,
                          capture_output=True, timeout=timeout, check=False,
                          preexec_fn=_limits(memory, fsize))
