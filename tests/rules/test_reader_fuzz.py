"""Fuzzing the readers of rules files (JSON, YAML, Terraform) and case files: real files
from the corpus, cut, spliced, nested deeply, given aliases, duplicate keys, lone
surrogates and stray bytes.  Whatever comes in, a reader answers with diagnostics or a
:class:`RuleLangError` naming the file — never another exception, never a hang."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.paths import CASES, RULESETS

from rulelang.errors import RuleLangError
from rulelang.linter import lint
from rulelang.rules.format import format_text
from rulelang.testing import load_cases

RULES = {name: (RULESETS / name).read_text("utf-8") for name in (
    "request.json", "response.envelope.json", "request.yaml", "request.v4.tf",
    "response.v5.tf")}
CASE_FILES = {p.name: p.read_text("utf-8") for p in sorted(CASES.glob("*.yaml"))}

#: Pieces that readers find hard: structure, quoting, YAML anchors and tags, escapes,
#: a lone surrogate (as an escape and as a character), NUL, BOM, CRLF, deep nesting.
PIECES = ["{", "}", "[", "]", ":", ",", '"', "'", "\\", "&a ", "*a", "!!python/object ",
          "<<: *a", "- ", "\n", "\r\n", "\t", "  ", "#", "|", ">-", "${", "%{", "<<EOT\n",
          "EOT\n", "\\ud800", "\ud800", "\x00", "\ufeff", "é", "1e999", "-0", "null",
          "[" * 150, "{" * 150, '"a": 1, "a": 2', "rules", "expression", "x: 1\nx: 2\n",
          "a: &a [1,2]\nb: &b [*a,*a,*a,*a]\nc: [*b,*b,*b,*b]\n"]

mutation = st.tuples(st.sampled_from(["insert", "delete", "duplicate"]),
                     st.floats(0, 1), st.floats(0, 1), st.sampled_from(PIECES))


def _mutate(text: str, mutations) -> str:
    for kind, a, b, piece in mutations:
        i = int(a * len(text))
        j = min(len(text), i + int(b * 40))
        if kind == "insert":
            text = text[:i] + piece + text[i:]
        elif kind == "delete":
            text = text[:i] + text[j:]
        else:
            text = text[:j] + text[i:j] + text[j:]
    return text


def _write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    return path


FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@pytest.mark.parametrize("name", sorted(RULES))
@FUZZ
@given(mutations=st.lists(mutation, min_size=1, max_size=4))
def test_a_mutated_rules_file_gives_diagnostics_or_a_rulelang_error(tmp_path, name,
                                                                    mutations):
    text = _mutate(RULES[name], mutations)
    path = _write(tmp_path, name, text)
    try:
        diagnostics = lint(str(path))
    except RuleLangError as e:
        assert str(path) in str(e) or getattr(e, "diagnostics", None)
        return
    for d in diagnostics:
        assert d.location is None or d.location.file in (None, str(path))


@pytest.mark.parametrize("name", sorted(RULES))
@FUZZ
@given(mutations=st.lists(mutation, min_size=1, max_size=4))
def test_formatting_a_mutated_rules_file_never_crashes(tmp_path, name, mutations):
    text = _mutate(RULES[name], mutations)
    try:
        new, changes, _ = format_text(tmp_path / name, text)
    except RuleLangError:
        return
    if not changes:
        assert new == text


@pytest.mark.parametrize("name", sorted(CASE_FILES))
@FUZZ
@given(mutations=st.lists(mutation, min_size=1, max_size=4))
def test_a_mutated_case_file_loads_or_names_itself(tmp_path, name, mutations):
    text = _mutate(CASE_FILES[name], mutations)
    path = _write(tmp_path, name, text)
    try:
        load_cases(path)
    except RuleLangError as e:
        assert str(path) in str(e)


@FUZZ
@given(depth=st.integers(1, 3000), fmt=st.sampled_from(["json", "yaml", "tf"]))
def test_any_depth_is_read_or_refused_with_rs011(tmp_path, depth, fmt):
    nested = "[" * depth + "]" * depth
    text = {"json": '{"phase": "http_request_cache_settings", "rules": [], "x": %s}',
            "yaml": "phase: http_request_cache_settings\nrules: []\nx: %s\n",
            "tf": 'resource "cloudflare_ruleset" "r" {\n  phase = '
                  '"http_request_cache_settings"\n  x = %s\n}\n'}[fmt] % nested
    path = _write(tmp_path, f"r.{fmt}", text)
    codes = {d.code for d in lint(str(path))}
    assert ("RS011" in codes) == (depth >= 100)
