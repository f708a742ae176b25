"""``rulelang fmt`` never destroys a rules file: killed mid-write or out of disk space
(a file-size limit), the original stays byte for byte; and ``--diff``, stdin, modes,
symlinks, line endings and byte-order marks."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import time

from support.hostile import RULELANG, run_limited

MESSY = 'http.host   eq "a.example"and   ssl'
CLEAN = 'http.host eq "a.example" and ssl'


def _rules(n: int, expression: str = MESSY) -> str:
    rules = [{"ref": f"r{i}", "expression": expression, "action": "set_cache_settings",
              "action_parameters": {"cache": True},
              "description": "x" * 200} for i in range(n)]
    return json.dumps({"phase": "http_request_cache_settings", "rules": rules}, indent=2)


def _big_rules() -> bytes:
    # one rule set of ~4 MB: the rules are long, the expressions few (fast to format)
    doc = json.loads(_rules(3))
    doc["description"] = "d" * (4 << 20)
    return json.dumps(doc, indent=2).encode()


def test_disk_full_during_fmt_leaves_the_original_and_names_the_file(tmp_path):
    path = tmp_path / "rules.json"
    original = _big_rules()
    path.write_bytes(original)
    # a file-size limit below the new file's size: writing fails as on a full disk
    result = run_limited("fmt", str(path), fsize=len(original) // 2)
    assert result.returncode == 2, result.stderr
    err = result.stderr.decode()
    assert str(path) in err and "unchanged" in err
    assert "Traceback" not in err
    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rules.json"]


def test_killing_fmt_at_any_moment_leaves_the_old_or_the_new_file(tmp_path):
    path = tmp_path / "rules.json"
    original = _big_rules()
    formatted = original.replace(json.dumps(MESSY).encode(), json.dumps(CLEAN).encode())
    outcomes = set()
    for delay in (0.05, 0.2, 0.4, 0.6, 0.9, 1.3):  # a bounded number of tries
        path.write_bytes(original)
        proc = subprocess.Popen([str(RULELANG), "fmt", str(path)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        data = path.read_bytes()
        assert data in (original, formatted), f"half-written file after {delay} s"
        outcomes.add(data == formatted)
        for leftover in tmp_path.glob(".rules.json.*.tmp"):
            leftover.unlink()  # a killed run may leave its temporary file, never a torn one
    assert outcomes  # at least one kill happened


def test_fmt_keeps_mode_line_endings_bom_and_symlink(tmp_path):
    target = tmp_path / "real.json"
    text = _rules(2).replace("\n", "\r\n")
    target.write_bytes(b"\xef\xbb\xbf" + text.encode())
    os.chmod(target, 0o600)
    link = tmp_path / "rules.json"
    link.symlink_to(target.name)
    result = subprocess.run([str(RULELANG), "fmt", str(link)], capture_output=True, text=True,
                            check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink()
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert json.dumps(CLEAN).encode() in data
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_fmt_diff_prints_a_unified_diff_and_writes_nothing(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text(_rules(1))
    before = path.read_bytes()
    result = subprocess.run([str(RULELANG), "fmt", "--diff", str(path)], capture_output=True,
                            text=True, check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"--- a/{path}\n+++ b/{path}\n@@ ")
    assert f'-      "expression": {json.dumps(MESSY)},' in result.stdout
    assert f'+      "expression": {json.dumps(CLEAN)},' in result.stdout
    assert path.read_bytes() == before
    check = subprocess.run([str(RULELANG), "fmt", "--check", "--diff", str(path)],
                           capture_output=True, text=True, check=False, timeout=60)
    assert check.returncode == 1 and check.stdout == result.stdout


def test_fmt_reads_stdin_and_prints_the_formatted_file():
    text = "phase: http_request_cache_settings\nrules:\n  - expression: " + MESSY + \
        "\n    action: set_cache_settings\n    action_parameters: {cache: true}\n"
    result = subprocess.run([str(RULELANG), "fmt", "-"], input=text, capture_output=True,
                            text=True, check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == text.replace(MESSY, CLEAN)
    expr = subprocess.run([str(RULELANG), "fmt", "--expr", "-"], input=MESSY + "\n",
                          capture_output=True, text=True, check=False, timeout=60)
    assert expr.stdout == CLEAN + "\n"
