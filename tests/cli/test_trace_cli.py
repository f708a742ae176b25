"""``rulelang trace``: each rule and why it did not match, JSON, the request phase alone, flags
with bad values, string fields, no rules."""

from __future__ import annotations

import json

import pytest
from support.cli import one_error_line, run
from support.paths import EXAMPLE

TRACE_ARGS = ("--rules", str(EXAMPLE), "https://www.example.com/blog/2026/hello",
              "-H", "Cookie: theme=dark", "--status", "200",
              "--response-header", "Cache-Control: max-age=60")


def test_trace_shows_each_rule_and_why_it_did_not_match():
    result = run("trace", *TRACE_ARGS)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "✓ #1 blog_cache_everything" in out
    assert "✗ #3 bypass_logged_in" in out
    assert 'false: http.cookie contains "session="' in out
    assert 'http.cookie = "theme=dark"' in out
    assert "- #4 legacy_downloads_bypass" in out and "the rule is disabled" in out
    assert "edge TTL               3600 s (1 h)" in out
    assert "Why" in out


def test_trace_json_is_one_object_with_the_trace():
    result = run("trace", *TRACE_ARGS, "--format", "json")
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    data = json.loads(line)
    assert data["sample"] == "https://www.example.com/blog/2026/hello"
    assert data["decision"]["edge_ttl"] == 3600
    entries = {(e["phase"], e["ref"]): e for e in data["trace"]}
    assert entries[("http_request_cache_settings", "blog_cache_everything")]["matched"]
    why = entries[("http_request_cache_settings", "api_origin_headers")]["why_not"]
    assert why[0] == 'false: starts_with(http.request.uri.path, "/api/")'


def test_trace_without_a_response_runs_the_request_phase_only():
    result = run("trace", "--rules", str(EXAMPLE), "-X", "POST",
                 "https://www.example.com/api/v1/cart", "--format", "json")
    data = json.loads(result.stdout)
    assert data["matched"]["http_response_cache_settings"] == []
    assert all(e["why_not"] == ["the response phase did not run (no response given)"]
               for e in data["trace"] if e["phase"] == "http_response_cache_settings")


@pytest.mark.parametrize("args, message", [
    (("--status", "abc"), "expected an HTTP status code from 100 to 599, got 'abc'"),
    (("--status", "99"), "expected an HTTP status code from 100 to 599, got '99'"),
    (("--field", "ip.src.contry=GB"), "--field: unknown field 'ip.src.contry'"),
    (("--field", "cf.bot_management.score=high"), "--field: field 'cf.bot_management.score'"),
    (("-X", "G ET"), "'G ET' is not an HTTP method"),
])
def test_trace_flags_with_bad_values(args, message):
    result = run("trace", "https://www.example.com/", *args)
    assert result.returncode == 2
    assert message in one_error_line(result)


def test_trace_field_of_a_string_field_is_the_text_itself():
    result = run("trace", "https://www.example.com/", "--field", "ip.src.country=1",
                 "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["sample"] == "https://www.example.com/"


def test_trace_without_rules_says_so():
    result = run("trace", "https://www.example.com/a.css")
    assert result.returncode == 0
    assert "no --rules given" in result.stdout
