"""What only a real process shows: the installed console script, ``python -m rulelang``, Ctrl-C,
a reader that goes away, and ``--rules`` paths spread from the real argv.  Every other CLI
test runs in-process (support.cli.run)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from support.cli import RULELANG, run_process
from support.paths import EXAMPLE, ROOT


def test_the_console_script_is_installed_next_to_the_interpreter():
    assert RULELANG.exists()
    result = run_process("--version")
    assert result.returncode == 0 and "rulelang" in result.stdout


def test_python_dash_m_rulelang_runs_the_same_cli():
    result = subprocess.run([sys.executable, "-m", "rulelang", "functions", "--format", "json"],
                            capture_output=True, text=True, timeout=60, cwd=ROOT, check=False)
    assert result.returncode == 0
    assert json.loads(result.stdout.splitlines()[0])["name"] == "any"


def test_ctrl_c_ends_cleanly(tmp_path):
    big = tmp_path / "big.jsonl"
    line = json.dumps({"request": {"url": "https://a.com/x.png"}, "response": {"status": 200}})
    big.write_text((line + "\n") * 200000)
    proc = subprocess.Popen([str(RULELANG), "eval", "--samples", str(big), "--format", "json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "NO_COLOR": "1"})
    assert proc.stdout.readline().startswith('{"sample": 0')  # running, past start-up
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert err.strip() == "rulelang: interrupted"


@pytest.mark.parametrize("args", [
    ("eval",), ("eval", "--format", "json"), ("fields",), ("functions", "--all"),
])
def test_a_reader_that_goes_away_is_not_an_error(args):
    """`rulelang eval | head -1`: exit 0 and nothing on stderr (rich's own handler exits 1,
    click's turns EPIPE into exit 1)."""
    proc = subprocess.Popen([str(RULELANG), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, "NO_COLOR": "1"})
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert "Traceback" not in err and "error" not in err


def test_trace_with_several_paths_in_a_subprocess():
    exe = Path(sys.executable).parent / "rulelang"
    result = subprocess.run(
        [str(exe), "trace", "--rules", str(EXAMPLE / "cache-rules.json"),
         str(EXAMPLE / "cache-response-rules.json"), "https://www.example.com/static/a.css",
         "--status", "200", "--format", "json"], capture_output=True, text=True, timeout=60,
        check=False)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["sample"] == "https://www.example.com/static/a.css"
    assert out["matched"]["http_request_cache_settings"][0]["ref"] == "static_assets"
