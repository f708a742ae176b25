"""docs/cli.md shows real output: every `$ rulelang …` example is run, and each line it
shows (the lines elided with `…` aside) must appear, in order, in what the command prints."""

from __future__ import annotations

import re
import shlex

import pytest
from support.cli import BAD_RULES, run
from support.paths import ROOT

#: The files the examples name, besides the corpus.
FIXTURES = {
    "bad-rules.json": BAD_RULES,  # the file of the lint examples
    "rules.json": '{"phase": "http_request_cache_settings", "rules": [\n'
                  '  {"expression": "http.host   eq \\"a\\"   and ssl", "action": '
                  '"set_cache_settings", "action_parameters": {"cache": true}}\n]}\n',
}


def examples() -> list[tuple[str, list[str]]]:
    """(command line, shown output lines) of each `$ rulelang` example of docs/cli.md."""
    text = (ROOT / "docs" / "cli.md").read_text("utf-8")
    out = []
    for block in re.findall(r"```\n(.*?)```", text, re.DOTALL):
        lines = block.splitlines()
        i = 0
        while i < len(lines):
            if not lines[i].startswith("$ rulelang"):
                i += 1
                continue
            command = lines[i][2:]
            while command.endswith("\\"):
                i += 1
                command = command[:-1] + " " + lines[i].strip()
            i += 1
            shown = []
            while i < len(lines) and not lines[i].startswith("$ "):
                shown.append(lines[i])
                i += 1
            out.append((command, shown))
    return out


def _normal(line: str) -> str:
    return re.sub(r"=+", "=", re.sub(r"in \d+\.\d+s", "in Ns", line)).rstrip()


@pytest.mark.parametrize("command, shown", examples(), ids=lambda v: str(v)[:60])
def test_the_documented_output_is_what_the_command_prints(tmp_path, command, shown):
    (tmp_path / "corpus").symlink_to(ROOT / "corpus")
    for name, text in FIXTURES.items():
        (tmp_path / name).write_text(text, "utf-8")
    args = shlex.split(command)
    result = run(*args[1:], cwd=tmp_path)
    actual = [_normal(line) for line in (result.stdout + result.stderr).splitlines()]
    assert "Traceback" not in result.stderr
    position = 0
    for line in shown:
        if line.strip() in ("…", "") or line.strip().startswith("…"):
            continue
        wanted = _normal(line)
        try:
            position = actual.index(wanted, position) + 1
        except ValueError:
            pytest.fail(f"{command!r}: the documented line\n  {line}\nis not printed (in "
                        f"order); the command printed:\n" + "\n".join(actual))


def test_the_report_of_testing_rules_md_is_real(tmp_path):
    """docs/testing-rules.md: the case file shown, run as shown, prints the report shown."""
    text = (ROOT / "docs" / "testing-rules.md").read_text("utf-8")
    section = text[text.index("## The report"):]
    case_file = re.search(r"```yaml\n(.*?)```", section, re.DOTALL).group(1)
    report = re.search(r"```\n\$ rulelang test cases.yaml\n(.*?)```", section, re.DOTALL).group(1)
    (tmp_path / "corpus").symlink_to(ROOT / "corpus")
    (tmp_path / "cases.yaml").write_text(case_file, "utf-8")
    result = run("test", "cases.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert [_normal(x) for x in result.stdout.splitlines()] == \
        [_normal(x) for x in report.splitlines()]
