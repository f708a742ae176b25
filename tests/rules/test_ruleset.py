"""Loading rule sets: every format gives the same rules and the same engine result,
every rule keeps its place in the file, and bad input is always a RulesetError."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.paths import RULESETS

from rulelang import Request, Response, RulesetError
from rulelang.engine import Engine
from rulelang.rules.ruleset import Rule, Ruleset, load_ruleset, load_rulesets, path_text

CORPUS = RULESETS
FORMATS = ["json", "envelope.json", "yaml", "v4.tf", "v5.tf"]
REQ, RESP = "http_request_cache_settings", "http_response_cache_settings"

SAMPLES = [
    (Request(url=f"https://example.com{path}", headers={"User-Agent": ua}),
     Response(status=status, headers={"Set-Cookie": "s=1", "ETag": '"e"', "X-Tags": "x1,x2",
                                      "Cache-Control": "public, no-cache, max-age=60"}))
    for path in ("/admin/a.css", "/app.js", "/img/logo.png", "/api/items?utm_source=x",
                 "/index.html")
    for ua in ("Mobile Safari", "curl/8")
    for status in (200, 404, 503)
]


def _content(rule: Rule) -> tuple:
    return (rule.index, rule.ref, rule.description, rule.enabled, rule.expression.strip(),
            rule.action, json.dumps(rule.action_parameters, sort_keys=True))


@pytest.mark.parametrize("phase", ["request", "response"])
@pytest.mark.parametrize("fmt", FORMATS[1:])
def test_every_format_loads_the_same_rules(phase, fmt):
    reference = load_ruleset(CORPUS / f"{phase}.json")
    other = load_ruleset(CORPUS / f"{phase}.{fmt}")
    assert (other.phase, other.name, other.kind) == (reference.phase, reference.name, "zone")
    assert [_content(r) for r in other.rules] == [_content(r) for r in reference.rules]
    assert other.diagnostics == ()


@pytest.mark.parametrize("fmt", FORMATS[1:])
def test_every_format_gives_the_same_engine_result(fmt):
    reference = Engine([CORPUS / "request.json", CORPUS / "response.json"])
    other = Engine([CORPUS / f"request.{fmt}", CORPUS / f"response.{fmt}"])
    for request, response in SAMPLES:
        assert _without_ids(other.evaluate(request, response).to_dict()) == \
            _without_ids(reference.evaluate(request, response).to_dict())


def _without_ids(outcome: dict) -> dict:
    """The envelope carries the server-generated rule ids; nothing else may differ."""
    for refs in outcome["matched"].values():
        for ref in refs:
            ref.pop("id")
    return outcome


def test_the_corpus_rule_sets_do_something():
    eng = Engine([CORPUS / "request.json", CORPUS / "response.json"])
    outcomes = [eng.evaluate(q, r) for q, r in SAMPLES]
    assert {len(o.matched[REQ]) for o in outcomes} >= {0, 1, 2}
    assert any(o.response_settings.get("cache_tags") for o in outcomes)
    assert any(o.decision["stripped_headers"] for o in outcomes)


def _text_at(path: Path, line: int, column: int) -> str:
    return path.read_text("utf-8").splitlines()[line - 1][column - 1:]


@pytest.mark.parametrize("name", [f"{p}.{f}" for p in ("request", "response") for f in FORMATS])
def test_every_expression_location_points_at_its_text(name):
    path = CORPUS / name
    for rule in load_ruleset(path).rules:
        loc = rule.expression_location
        assert (loc.file, loc.path) == (str(path), f"rules[{rule.index}].expression")
        prefix = rule.expression.strip().split('"')[0].split("\n")[0]
        assert _text_at(path, loc.line, loc.column).startswith(prefix), (loc, prefix)
        assert rule.location.path == f"rules[{rule.index}]"
        assert rule.location.line < loc.line


def test_rule_locations_in_json():
    rs = load_ruleset(CORPUS / "request.json")
    assert [r.location.line for r in rs.rules] == [7, 14, 32, 49, 59]
    assert {r.location.column for r in rs.rules} == {5}


def test_rule_fields_and_defaults():
    rs = load_ruleset({"phase": "request", "rules": [
        {"id": "abc", "expression": "true", "action": "set_cache_settings",
         "action_parameters": {"cache": True}},
        {"expression": "true", "action": "set_cache_settings",
         "action_parameters": {"cache": False}, "ref": "r", "enabled": False,
         "description": "d", "logging": {"enabled": True}, "version": "2"}]})
    first, second = rs.rules
    assert (first.id, first.ref, first.description, first.enabled) == ("abc", "abc", "", True)
    assert (second.id, second.ref, second.description, second.enabled) == (None, "r", "d", False)
    assert rs.source is None and first.location.file is None


@pytest.mark.parametrize("value, phase", [
    ({"phase": "http_request_cache_settings", "rules": []}, None),
    ({"phase": "request", "rules": []}, None),
    ({"rules": []}, "request"),
    ([], "http_request_cache_settings"),
    ({"result": {"phase": "http_request_cache_settings", "rules": []}, "success": True}, None),
])
def test_phase_comes_from_the_file_or_the_argument(value, phase):
    assert load_ruleset(value, phase).phase == REQ


def test_bare_rule_list_reports_paths_as_rules():
    with pytest.raises(RulesetError) as info:
        load_ruleset([{"expression": "true", "action": "set_cache_settings",
                       "action_parameters": {"cache": 1}}], "request")
    assert info.value.diagnostics[0].location.path == "rules[0].action_parameters.cache"


def test_envelope_holding_a_list_of_rule_sets():
    env = {"success": True, "result": [{"phase": REQ, "rules": []},
                                       {"phase": RESP, "rules": []}]}
    assert [r.phase for r in load_rulesets(env)] == [REQ, RESP]
    assert load_ruleset(env, "response").phase == RESP
    with pytest.raises(RulesetError) as info:
        load_ruleset(env)
    assert info.value.diagnostics[0].code == "RS007"


def test_yaml_with_several_documents(tmp_path):
    path = tmp_path / "both.yaml"
    path.write_text((CORPUS / "request.yaml").read_text() + "\n---\n"
                    + (CORPUS / "response.yaml").read_text())
    assert [r.phase for r in load_rulesets(path)] == [REQ, RESP]


def test_expression_warnings_are_kept_with_their_place():
    rs = load_ruleset(CORPUS / "response.json")
    assert rs.diagnostics == ()
    warned = load_ruleset({"phase": REQ, "rules": [
        {"expression": 'http.request.uri.path starts_with "/a"', "action": "set_cache_settings",
         "action_parameters": {"cache": True}}]})
    codes = [d.code for d in warned.diagnostics]
    assert "RL501" in codes
    assert warned.diagnostics[0].location.path == "rules[0].expression"


def test_all_problems_are_reported_in_one_pass():
    rules = [{"expression": "http.hots eq 1", "action": "set_cache_settings",
              "action_parameters": {"cache": "x"}},
             {"expression": "true", "action": "nope", "action_parameters": {"a": 1}},
             "not a rule"]
    with pytest.raises(RulesetError) as info:
        load_ruleset({"phase": REQ, "kind": "root", "rules": rules})
    assert sorted(d.code for d in info.value.diagnostics) == [
        "RL201", "RS101", "RS201", "RS203", "RS302"]


@pytest.mark.parametrize("make", [
    lambda p: p / "missing.json",
    lambda p: p,
    lambda p: (p / "latin1.json").write_bytes(b'{"rules": ["\xe9"]}') and p / "latin1.json",
])
def test_unreadable_files(make, tmp_path):
    with pytest.raises(RulesetError) as info:
        load_ruleset(make(tmp_path), "request")
    assert [d.code for d in info.value.diagnostics] == ["RS001"]


@pytest.mark.parametrize("obj", [42, None, object(), b"{}"])
def test_unsupported_objects(obj):
    with pytest.raises(RulesetError):
        load_ruleset(obj, "request")


def test_path_text():
    assert path_text(("rules", 3, "action_parameters", "s-maxage", "value")) == \
        "rules[3].action_parameters.s-maxage.value"
    assert path_text(("rules", 0, "x y")) == 'rules[0]["x y"]'


def test_ruleset_is_immutable():
    rs = load_ruleset(CORPUS / "request.json")
    assert isinstance(rs, Ruleset)
    with pytest.raises(AttributeError):
        rs.phase = RESP  # type: ignore[misc]


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
    | st.sampled_from(["true", "set_cache_settings", "set_cache_tags", "add", "set",
                       "override_origin", "http.host eq \"a\"", "max-age", "s-maxage"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["rules", "phase", "expression", "action", "action_parameters",
                         "cache", "edge_ttl", "mode", "default", "status_code_ttl", "value",
                         "operation", "values", "cache_key", "custom_key", "query_string",
                         "max-age", "strip_etags", "enabled", "x"]), inner, max_size=5),
    max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(_json, st.sampled_from(["request", "response"]))
def test_arbitrary_documents_load_or_raise_ruleset_error(value, phase):
    try:
        rs = load_ruleset(value, phase)
    except RulesetError as exc:
        assert exc.diagnostics and all(d.code for d in exc.diagnostics)
    else:
        Engine([rs]).evaluate(Request(url="https://example.com/"), Response())


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200), st.sampled_from([".json", ".yaml", ".tf", ".txt"]))
def test_arbitrary_text_files_load_or_raise_ruleset_error(tmp_path_factory, text, suffix):
    path = tmp_path_factory.mktemp("fuzz") / ("rules" + suffix)
    path.write_text(text, "utf-8")
    try:
        load_ruleset(path, "request")
    except RulesetError as exc:
        assert exc.diagnostics
