"""Fast start: commands are imported only when used, and the parser is cached."""

from __future__ import annotations

import inspect
import subprocess
import sys

import click
import pytest

from rulelang.cli.main import COMMANDS, cli, main


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_listed_help_is_the_commands_own(name):
    command = cli.get_command(click.Context(cli), name)
    assert command is not None and command.name == name
    first = inspect.cleandoc(command.help or "").split("\n\n")[0]
    assert " ".join(first.split()) == COMMANDS[name][2]


def test_help_lists_every_command(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in COMMANDS:
        assert f"\n  {name} " in out


def test_starting_the_cli_imports_no_command_module():
    code = ("import sys; from rulelang.cli.main import main; "
            "main(['--help']); "
            "print(sorted(k for k in sys.modules if k.startswith('rulelang.cli.') "
            "or k in ('rulelang.engine', 'rulelang.cache.decision')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    loaded = out.strip().splitlines()[-1]
    assert loaded == "['rulelang.cli.common', 'rulelang.cli.main']", loaded


def test_the_parser_is_loaded_from_a_private_cache(tmp_path, monkeypatch):
    from rulelang.language import parser
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("RULELANG_NO_CACHE", raising=False)
    parser._parser.cache_clear()
    try:
        first = parser.parse('http.host eq "a" and not ssl')
        files = list((tmp_path / "rulelang").glob("parser-*.lark"))
        assert len(files) == 1
        assert (tmp_path / "rulelang").stat().st_mode & 0o777 == 0o700
        parser._parser.cache_clear()
        assert parser.parse('http.host eq "a" and not ssl') == first
        # a corrupt cache is rebuilt, never an error
        files[0].write_bytes(b"not a pickle")
        parser._parser.cache_clear()
        assert parser.parse('http.host eq "a" and not ssl') == first
        assert files[0].read_bytes() != b"not a pickle"
    finally:
        parser._parser.cache_clear()


def test_a_cache_directory_others_can_write_is_not_used(tmp_path, monkeypatch):
    from rulelang.resources import user_cache_dir
    (tmp_path / "rulelang").mkdir()
    (tmp_path / "rulelang").chmod(0o777)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("RULELANG_NO_CACHE", raising=False)
    assert user_cache_dir() is None
    monkeypatch.setenv("RULELANG_NO_CACHE", "1")
    (tmp_path / "rulelang").chmod(0o700)
    assert user_cache_dir() is None
