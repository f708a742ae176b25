"""``rulelang fields`` and ``rulelang functions``: tables and JSON from the catalogue."""

from __future__ import annotations

import json

from support.cli import run


def test_fields_table_and_phase_filter():
    result = run("fields")
    assert result.returncode == 0 and "http.request.uri.path" in result.stdout
    request = [json.loads(x)["name"] for x in
               run("fields", "--phase", "request", "--format", "json").stdout.splitlines()]
    response = [json.loads(x)["name"] for x in
                run("fields", "--phase", "response", "--format", "json").stdout.splitlines()]
    assert "http.response.code" in response and "http.response.code" not in request


def test_functions_table_lists_the_catalogue():
    result = run("functions")
    assert result.returncode == 0
    assert "regex_replace(source: String" in result.stdout
    assert "has_key" not in result.stdout
    assert "has_key" in run("functions", "--all").stdout
