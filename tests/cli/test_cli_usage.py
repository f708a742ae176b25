"""The command line as a whole, run in-process: help without a command, bad input as one
line on stderr with exit 2, and ``--debug`` for the traceback.  Each command has its own
test file (test_<command>_cli.py); what needs a real process is in test_cli_process.py."""

from __future__ import annotations

import pytest
from support.cli import UNFORMATTED, run


def test_no_command_shows_the_help():
    result = run()
    assert result.returncode == 0
    for command in ("lint", "eval", "trace", "test", "fmt", "fields", "functions"):
        assert command in result.stdout


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("args, message", [
    (("lint", "missing.json"), "missing.json: no such file or directory"),
    (("lint", "empty-dir"), "empty-dir: no rules files in this directory"),
    (("eval", "--bogus"), "No such option '--bogus'"),
    (("eval", "--rules", "missing.json", "--samples", "s.jsonl"), "missing.json"),
    (("eval", "--samples", "empty-dir"), "empty-dir: is a directory"),
    (("eval", "--samples", "missing.jsonl"), "missing.jsonl"),
    (("eval", "--samples", "not-samples.json"), "not-samples.json"),
    (("trace", "ftp://example.com/"), "scheme"),
    (("trace", "https://a.com/", "-H", "no colon"), "expected 'Name: value'"),
    (("trace", "https://a.com/", "--status", "42"), "--status"),
    (("test", "missing.yaml"), "missing.yaml"),
    (("fields", "--phase", "firewall"), "unknown phase 'firewall'"),
    (("lint", "--select", "XY9", "."), "unknown diagnostic code 'XY9'"),
    (("fmt",), "give rules files"),
    (("lint", "broken.yaml", "--expr", "ssl"), "not both"),
])
def test_bad_input_is_one_line_on_stderr_and_exit_2(tmp_path, args, message):
    (tmp_path / "empty-dir").mkdir()
    (tmp_path / "s.jsonl").write_text('{"request": {"url": "https://a.com/"}}\n')
    (tmp_path / "not-samples.json").write_text('{"hello": 1}')
    (tmp_path / "r.json").write_text(UNFORMATTED)
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback():
    result = run("--debug", "lint", "missing-file.json")
    assert result.returncode == 2
    assert "Traceback" in result.stderr
