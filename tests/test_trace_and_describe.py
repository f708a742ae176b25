"""The library halves of ``rulelang trace`` and ``rulelang eval``: every rule traced with
why it did not match, and an outcome described as rows — usable without the CLI."""

import sys

import pytest

import rulelang
from rulelang.describe import decision_rows, describe_rule, humanize_ttl, message_line
from rulelang.trace import trace_rules

RULES = {
    "phase": "http_request_cache_settings",
    "rules": [
        {"ref": "static", "description": "static files", "action": "set_cache_settings",
         "expression": 'starts_with(http.request.uri.path, "/static/")',
         "action_parameters": {"cache": True}},
        {"ref": "api", "action": "set_cache_settings",
         "expression": 'http.host eq "api.example.com" and http.request.method eq "GET"',
         "action_parameters": {"cache": False}},
        {"ref": "off", "enabled": False, "action": "set_cache_settings",
         "expression": "true", "action_parameters": {"cache": True}},
    ],
}


def _trace(url, response=None):
    rs = rulelang.load_ruleset(RULES)
    request = rulelang.Request(url=url)
    outcome = rulelang.Engine([rs]).evaluate(request, response).to_dict()
    return trace_rules([rs], outcome, request, response), outcome


def test_trace_rules_marks_the_matching_rule_and_explains_the_others():
    entries, _ = _trace("https://www.example.com/static/a.css")
    by_ref = {e["ref"]: e for e in entries}
    assert by_ref["static"]["matched"] is True and "why_not" not in by_ref["static"]
    assert by_ref["api"]["matched"] is False
    assert by_ref["api"]["why_not"][0] == 'false: http.host eq "api.example.com"'
    assert 'http.host = "www.example.com"' in by_ref["api"]["why_not"][1]
    assert by_ref["off"]["why_not"] == ["the rule is disabled"]


def test_trace_rules_says_the_response_phase_did_not_run():
    rs = rulelang.load_ruleset({"phase": "http_response_cache_settings", "rules": [
        {"action": "set_cache_settings", "expression": "http.response.code eq 200",
         "action_parameters": {"strip_set_cookie": True}}]})
    request = rulelang.Request(url="https://www.example.com/")
    outcome = rulelang.Engine([rs]).evaluate(request).to_dict()
    [entry] = trace_rules([rs], outcome, request, None)
    assert entry["why_not"] == ["the response phase did not run (no response given)"]


@pytest.mark.parametrize(("seconds", "text"), [
    (None, "not stored"), (0, "0 s"), (59, "59 s"), (60, "60 s (1 min)"), (90, "90 s"),
    (7200, "7200 s (2 h)"), (86400 * 30, "2592000 s (30 d)"), (True, "True"),
])
def test_humanize_ttl(seconds, text):
    assert humanize_ttl(seconds) == text


def test_describe_rule_joins_index_ref_and_description():
    assert describe_rule({"index": 0, "ref": "static", "description": "static files"}) == \
        "#0 static — static files"
    assert describe_rule({"index": 3, "id": "abc"}) == "#3 abc"


def test_decision_rows_with_and_without_a_response():
    _, outcome = _trace("https://www.example.com/static/a.css",
                        rulelang.Response(status=200, headers={"Cache-Control": "max-age=60"}))
    rows = dict(decision_rows(outcome["decision"]))
    assert rows["eligible"] == "yes" and rows["cache status"] == "MISS"
    assert rows["edge TTL"] == "60 s (1 min)"
    assert rows["cache key"].startswith("https://www.example.com/static/a.css")
    request_only = dict(decision_rows(outcome["decision"], response=False))
    assert set(request_only) == {"eligible", "cache status", "cache key"}


def test_message_line_names_method_url_status_and_cache_control():
    request = rulelang.Request(url="https://www.example.com/x")
    response = rulelang.Response(status=404, headers={"Cache-Control": "no-store"})
    assert message_line(request, response) == \
        "GET https://www.example.com/x → 404 (Cache-Control: no-store)"
    assert message_line(request, None).endswith("(no response: request phase only)")


def test_the_library_modules_do_not_import_the_cli_toolkit():
    import subprocess
    code = ("import sys, rulelang, rulelang.trace, rulelang.describe, rulelang.linter;"
            "rulelang.Engine([]).evaluate(rulelang.Request(url='https://a.example/'));"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('click', 'rich'));"
            "print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
