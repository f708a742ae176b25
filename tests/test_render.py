"""Diagnostic renderers: positions in the rules file, text, JSON, SARIF and GitHub."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rulelang.errors import Diagnostic, Location
from rulelang.render import (
    Region,
    file_region,
    render_github,
    render_json,
    render_sarif,
    render_text,
    summary_line,
)

EXPR = 'http.host eq "a\\"b" and ssl'


def _diag(file: str, line: int, column: int, span=(25, 28), source=EXPR, code="RL201",
          hint="did you mean ssl?") -> Diagnostic:
    return Diagnostic(code, "unknown field", 1, span[0], 1, span[1], hint=hint,
                      location=Location(file, "rules[0].expression", line, column),
                      source=source)


# The expression EXPR written in each format; the span "ssl" is what the caret marks.
_JSON = '{\n  "rules": [\n    {"expression": "http.host eq \\"a\\\\\\"b\\" and ssl"}\n  ]\n}\n'
_YAML_SINGLE = "rules:\n  - expression: 'http.host eq \"a\\\"b\" and ssl'\n"
_YAML_PLAIN = "rules:\n  - expression: http.host eq \"a\\\"b\" and ssl\n"
_YAML_BLOCK = "rules:\n  - expression: |\n      http.host eq \"a\\\"b\"\n      and ssl\n"
_TF = 'rules {\n  expression = "http.host eq \\"a\\\\\\"b\\" and ssl"\n}\n'


def _find(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    pos = -1
    for _ in range(nth + 1):
        pos = text.index(needle, pos + 1)
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


@pytest.mark.parametrize("name, text, start, source", [
    ("json", _JSON, '"http', EXPR),
    ("json-content-start", _JSON, "http", EXPR),
    ("yaml-single", _YAML_SINGLE, "'http", EXPR),
    ("yaml-plain", _YAML_PLAIN, "http", EXPR),
    ("tf", _TF, '"http', EXPR),
])
def test_file_region_points_at_the_span_in_the_file(name, text, start, source):
    line, col = _find(text, start)
    d = _diag("f", line, col, source=source)
    region = file_region(d, {"f": text})
    sline, scol = _find(text, "ssl")
    assert region == Region(sline, scol, sline, scol + 3)


def test_file_region_in_a_yaml_block_scalar_second_line():
    source = 'http.host eq "a\\"b"\nand ssl\n'
    line, col = _find(_YAML_BLOCK, "|")
    d = Diagnostic("RL201", "unknown field", 2, 5, 2, 8,
                   location=Location("f", "rules[0].expression", line, col), source=source)
    sline, scol = _find(_YAML_BLOCK, "ssl")
    assert file_region(d, {"f": _YAML_BLOCK}) == Region(sline, scol, sline, scol + 3)


def test_file_region_in_a_terraform_heredoc():
    text = 'rules {\n  expression = <<-EOT\n    ssl and\n    http.host eq "x"\n  EOT\n}\n'
    source = 'ssl and\nhttp.host eq "x"\n'
    line, col = _find(text, "<<")
    d = Diagnostic("RL201", "m", 2, 1, 2, 10,
                   location=Location("f", "p", line, col), source=source)
    sline, scol = _find(text, "http.host")
    assert file_region(d, {"f": text}) == Region(sline, scol, sline, scol + 9)


def test_file_region_without_the_file_text_adds_the_offset():
    d = _diag("missing.json", 3, 20, span=(5, 9))
    assert file_region(d, {}) == Region(3, 25, 3, 29)


def test_file_region_is_none_without_a_location():
    assert file_region(Diagnostic("RL201", "m")) is None


def test_render_text_shows_the_file_line_and_a_caret():
    line, col = _find(_JSON, '"http')
    out = render_text([_diag("f.json", line, col)], {"f.json": _JSON})
    sline, scol = _find(_JSON, "ssl")
    assert out.splitlines() == [
        "error[RL201]: unknown field",
        f"  --> f.json:{sline}:{scol} rules[0].expression",
        "  |",
        f"3 | {_JSON.splitlines()[2]}",
        "  | " + " " * (scol - 1) + "^^^",
        "  = hint: did you mean ssl?",
    ]


def test_render_text_of_an_expression_without_a_file():
    d = Diagnostic("RL101", "unexpected token", 1, 5, 1, 6, source="ssl # x")
    assert render_text([d]).splitlines() == [
        "error[RL101]: unexpected token", "  |", "1 | ssl # x", "  |     ^"]


@pytest.mark.parametrize("diags, expected", [
    ([], "All checks passed."),
    ([Diagnostic("RL201", "m")], "Found 1 error."),
    ([Diagnostic("RL201", "m"), Diagnostic("RL501", "m"), Diagnostic("RL501", "m")],
     "Found 1 error, 2 warnings."),
    ([Diagnostic("RL511", "m")], "Found 1 info."),
])
def test_summary_line(diags, expected):
    assert summary_line(diags) == expected


def test_render_json_carries_the_file_region():
    line, col = _find(_JSON, '"http')
    data = json.loads(render_json([_diag("f.json", line, col)], {"f.json": _JSON}))
    sline, scol = _find(_JSON, "ssl")
    assert data[0]["code"] == "RL201"
    assert data[0]["location"]["path"] == "rules[0].expression"
    assert data[0]["region"] == {"line": sline, "column": scol, "end_line": sline,
                                 "end_column": scol + 3}


def test_render_sarif_has_the_required_keys():
    line, col = _find(_JSON, '"http')
    diags = [_diag("dir/f.json", line, col), Diagnostic("RL501", "infix", severity="warning")]
    log = json.loads(render_sarif(diags, {"dir/f.json": _JSON}))
    assert log["version"] == "2.1.0"
    assert "sarif-2.1.0" in log["$schema"]
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert run["tool"]["driver"]["name"] == "rulelang"
    ids = [r["id"] for r in rules]
    first, second = run["results"]
    assert (first["ruleId"], first["level"]) == ("RL201", "error")
    assert ids[first["ruleIndex"]] == "RL201"
    assert second["level"] == "warning" and "locations" not in second
    phys = first["locations"][0]["physicalLocation"]
    sline, scol = _find(_JSON, "ssl")
    assert phys["artifactLocation"]["uri"] == "dir/f.json"
    assert phys["region"] == {"startLine": sline, "startColumn": scol, "endLine": sline,
                              "endColumn": scol + 3}
    assert "did you mean" in first["message"]["text"]


def test_render_github_annotations():
    line, col = _find(_JSON, '"http')
    sline, scol = _find(_JSON, "ssl")
    out = render_github([_diag("a,b.json", line, col),
                         Diagnostic("RL511", "needs 100% Business\nplan")],
                        {"a,b.json": _JSON})
    first, second = out.splitlines()
    assert first == (f"::error file=a%2Cb.json,line={sline},col={scol},endLine={sline},"
                     f"endColumn={scol + 3},title=RL201::unknown field%0Ahint: did you mean ssl?")
    assert second == "::notice title=RL511::needs 100%25 Business%0Aplan"


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30))
def test_json_strings_map_every_character(s):
    """Every character of any JSON-encoded string maps back to itself in the file."""
    text = '{"rules": [{"expression": ' + json.dumps(s) + "}]}"
    col = text.index(": ", 20) + 3
    for i in range(len(s)):
        if s[i] in "\n\r":
            continue
        d = Diagnostic("RL101", "m", 1, i + 1, 1, i + 2, source=s,
                       location=Location("f", "p", 1, col))
        region = file_region(d, {"f": text})
        if "\n" in s[:i]:
            continue
        piece = text[region.column - 1:region.end_column - 1]
        assert json.loads('"' + piece + '"') == s[i]


@pytest.mark.parametrize(("suffix", "piece"), [(".json", "%"), (".tf", "%%")])
def test_template_escapes_count_as_one_character_only_in_terraform(suffix, piece):
    """``%%{`` is Terraform's escape for ``%{``; in JSON it is two percent signs."""
    source = "%%{" if suffix == ".json" else "%{"
    quoted = '"%%{"'
    text = '{"rules": [{"expression": ' + quoted + "}]}"
    col = text.index(quoted) + 1
    d = Diagnostic("RL101", "m", 1, 1, 1, 2, source=source,
                   location=Location("f" + suffix, "p", 1, col))
    region = file_region(d, {"f" + suffix: text})
    assert text[region.column - 1:region.end_column - 1] == piece
