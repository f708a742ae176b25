"""``rulelang fmt``: expressions and files formatted in place or checked, and every byte other than
the expressions kept (line endings, byte-order mark, ASCII escapes); bad input named."""

from __future__ import annotations

import pytest
from support.cli import (
    LATIN1_RULES,
    UNFORMATTED,
    one_error_line,
    rules_json,
    run,
)
from support.paths import EXAMPLE


def test_fmt_expr():
    result = run("fmt", "--expr", 'http.host   eq "a"and(ssl)')
    assert (result.returncode, result.stdout) == (0, 'http.host eq "a" and (ssl)\n')
    assert run("fmt", "--check", "--expr", 'http.host   eq "a"').returncode == 1


def test_fmt_check_then_format_in_place(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text(UNFORMATTED)
    check = run("fmt", "--check", str(path))
    assert check.returncode == 1
    assert f"would reformat {path}" in check.stdout
    assert '+ http.host eq "a" and ssl' in check.stdout
    assert path.read_text() == UNFORMATTED
    done = run("fmt", str(path))
    assert done.returncode == 0 and "reformatted" in done.stdout
    assert path.read_text() == UNFORMATTED.replace('   eq \\"a\\"   and', ' eq \\"a\\" and')
    assert run("fmt", "--check", str(path)).returncode == 0


def test_fmt_check_of_the_example_passes():
    assert run("fmt", "--check", str(EXAMPLE)).returncode == 0


def test_fmt_refuses_an_expression_that_does_not_parse(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text(UNFORMATTED.replace("and ssl", "and (ssl"))
    result = run("fmt", str(path))
    assert result.returncode == 2
    assert "error[RL101]" in result.stderr and f"{path.name}:4:" in result.stderr


CRLF_CASES = [
    ("r.json", ('{\r\n  "phase": "request",\r\n  "rules": [\r\n    {"expression": '
               '"http.host  eq \\"a\\"", "action": "set_cache_settings", '
               '"action_parameters": {"cache": true}}\r\n  ]\r\n}\r\n'),
     '"http.host eq \\"a\\""'),
    ("r.yaml", ('phase: request\r\nrules:\r\n  - expression: |\r\n      http.host  eq "a"\r\n'
               '      or ssl\r\n    action: set_cache_settings\r\n'
               '    action_parameters: {cache: true}\r\n'),
     '|-\r\n      http.host eq "a" or ssl\r\n'),
    ("r.tf", ('resource "cloudflare_ruleset" "x" {\r\n  phase = "http_request_cache_settings"\r\n'
             '  rules {\r\n    expression = <<-EOT\r\n      http.host  eq "a"\r\n    EOT\r\n'
             '    action = "set_cache_settings"\r\n    action_parameters {\r\n'
             '      cache = true\r\n    }\r\n  }\r\n}\r\n'),
     '<<-EOT\r\n      http.host eq "a"\r\n    EOT\r\n'),
]


@pytest.mark.parametrize("name, text, expected_piece", CRLF_CASES)
def test_fmt_keeps_crlf_line_endings(tmp_path, name, text, expected_piece):
    path = tmp_path / name
    path.write_bytes(text.encode())
    result = run("fmt", name, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    after = path.read_bytes().decode()
    assert expected_piece in after
    assert after.count("\n") == after.count("\r\n")  # no bare LF: the file stays CRLF
    assert run("fmt", "--check", name, cwd=tmp_path).returncode == 0


def test_fmt_changes_only_the_expression_bytes(tmp_path):
    text = ('{ "phase" :  "request" ,\n\t"rules" : [ {"ref": "a",   "expression":'
            ' "ssl   and http.host eq \\"a\\"" , "action":"set_cache_settings",'
            '"action_parameters":{ "cache" : true }} ] }\n')
    path = tmp_path / "r.json"
    path.write_text(text, "utf-8")
    assert run("fmt", "r.json", cwd=tmp_path).returncode == 0
    assert path.read_text("utf-8") == text.replace("ssl   and", "ssl and")


def test_fmt_keeps_a_byte_order_mark(tmp_path):
    path = tmp_path / "r.json"
    path.write_bytes(b"\xef\xbb\xbf" + rules_json("ssl  and ssl").encode())
    result = run("fmt", "r.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert path.read_bytes() == b"\xef\xbb\xbf" + rules_json("ssl and ssl").encode()


def test_fmt_keeps_an_ascii_file_ascii(tmp_path):
    """A string written with \\u escapes keeps them: only the spacing changes."""
    path = tmp_path / "r.json"
    path.write_text(rules_json('http.host  eq "\u00e9"'), "utf-8")  # json.dumps escapes é
    assert path.read_text("utf-8").isascii()
    assert run("fmt", "r.json", cwd=tmp_path).returncode == 0
    assert path.read_text("utf-8") == rules_json('http.host eq "\u00e9"')


def test_fmt_of_a_file_that_is_not_utf8_names_the_file(tmp_path):
    (tmp_path / "r.json").write_bytes(LATIN1_RULES)
    result = run("fmt", "r.json", cwd=tmp_path)
    assert result.returncode == 2
    assert one_error_line(result) == ("rulelang: error: r.json:1: not UTF-8 text (byte 58); "
                                      "save the file as UTF-8")
