"""The CLI's own building blocks: code selection for --select/--ignore and rules-file
discovery in a directory (the progress reporter: test_pipes_and_signals_cli.py)."""

from __future__ import annotations

import pytest

from rulelang.cli.common import Failure, rules_files
from rulelang.cli.lint import parse_code_selection, select_diagnostics
from rulelang.errors import Diagnostic

# --------------------------------------------------------------------------- lint options

def test_code_selection_accepts_codes_prefixes_and_all():
    assert parse_code_selection(["rl2, RS310", "RL501"], "--select") == ("RL2", "RS310", "RL501")
    assert parse_code_selection(["ALL"], "--select") == ("",)
    with pytest.raises(Failure, match="unknown diagnostic code 'XX'"):
        parse_code_selection(["XX"], "--ignore")


@pytest.mark.parametrize("select, ignore, kept", [
    ((), (), ["RL201", "RL501", "RS310"]),
    (("RL",), (), ["RL201", "RL501"]),
    (("RL",), ("RL5",), ["RL201"]),
    ((), ("RS310", "RL201"), ["RL501"]),
    (("",), ("RL",), ["RS310"]),
])
def test_select_diagnostics(select, ignore, kept):
    diags = [Diagnostic(c, "m") for c in ("RL201", "RL501", "RS310")]
    assert [d.code for d in select_diagnostics(diags, select, ignore)] == kept


# --------------------------------------------------------------------------- files and output

def test_rules_files_in_a_directory_skip_samples_cases_and_hidden_files(tmp_path):
    (tmp_path / "a.json").write_text('{"rules": []}')
    (tmp_path / "b.yaml").write_text("result: {rules: []}")
    (tmp_path / "broken.json").write_text("{")
    (tmp_path / "samples.json").write_text("[]")
    (tmp_path / "har.json").write_text('{"log": {}}')
    (tmp_path / "cases.yaml").write_text("rules: []\ncases: []\n")
    (tmp_path / "other.tf").write_text('resource "aws_s3_bucket" "b" {}')
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "c.json").write_text('{"rules": []}')
    assert [p.name for p in rules_files(tmp_path)] == ["a.json", "b.yaml", "broken.json"]
    with pytest.raises(Failure, match="no such file"):
        rules_files(tmp_path / "nope")


