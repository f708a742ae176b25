"""The phase engine: matching, the response phase, the worked examples of cache-phases.md §5
(with the stacking each one shows), building from paths, dicts and rule sets, one sample at a
time, thread safety.  Last-match-wins stacking per setting unit is in test_stacking.py."""

from __future__ import annotations

import json
import threading

import pytest
from support.engine_runs import make_rule as rule
from support.engine_runs import two_phase_engine as engine
from support.paths import ROOT

from rulelang import Request, Response, RuleLangError, RulesetError
from rulelang.engine import Engine, Outcome
from rulelang.rules.ruleset import load_ruleset

VECTORS = {v["name"]: v for v in json.loads((ROOT / "corpus/decision/vectors.json").read_text())}
REQ, RESP = "http_request_cache_settings", "http_response_cache_settings"


def vector_engine(vector: dict) -> tuple[Engine, Request, Response]:
    return (engine(vector["request_rules"], vector["response_rules"]),
            Request.from_dict(vector["request"]), Response.from_dict(vector["response"]))


def indices(outcome: Outcome, phase: str) -> list[int]:
    return [r.index for r in outcome.matched[phase]]


# --------------------------------------------------------------------------- worked examples

#: Worked examples of cache-phases §5 that concern matching and stacking:
#: (matched request rules, matched response rules, request_settings, response_settings).
STACKING_EXAMPLES = {
    "cache-everything-rule-html": ([0], [], {"cache": True}, {}),
    "bypass-rule-gives-dynamic": ([0], [], {"cache": False}, {}),
    "order-and-priority-last-match-wins": ([0, 1], [], {"cache": False}, {}),
    "page-rules-migration-html-bypassed": ([0], [], {"cache": False}, {}),
    "page-rules-migration-js-eligible": ([0, 1], [], {"cache": True}, {}),
    "strip-set-cookie-response-rule-makes-cacheable": (
        [0], [0], {"cache": True}, {"strip_set_cookie": True}),
    "occ-precedence-over-edge-ttl-doc-example": (
        [0], [0], {"cache": True, "edge_ttl": {"mode": "override_origin", "default": 7200}},
        {"cache_control": {"s-maxage": {"operation": "set", "value": 3600,
                                        "cloudflare_only": True}}}),
    "set-cache-tags-add-then-remove": (
        [], [0, 1], {}, {"cache_tags": [
            {"operation": "add", "values": ["product-catalog", "storefront"]},
            {"operation": "remove", "values": ["TAG2"]}]}),
    "set-cache-tags-set-then-add-on-dynamic": (
        [], [0, 1], {}, {"cache_tags": [
            {"operation": "set", "values": ["api-response", "dynamic-content"]},
            {"operation": "add", "values": ["v2"]}]}),
    # the documented expression reads a header key with capitals: missing, no change
    "split-expression-tags-doc-example": ([], [0], {}, {}),
    "split-expression-tags-lowercase-key": (
        [], [0], {}, {"cache_tags": [{"operation": "add", "values": ["a, b,c"]}]}),
    "response-rule-no-store-makes-uncacheable": (
        [], [0], {}, {"cache_control": {"no-store": {"operation": "set",
                                                      "cloudflare_only": True}}}),
    "response-rule-removes-origin-no-cache": (
        [], [0], {}, {"cache_control": {"no-cache": {"operation": "remove"}}}),
    "response-rule-cloudflare-only-max-age-doc-example": (
        [], [0], {}, {"cache_control": {"max-age": {"operation": "set", "value": 3600,
                                                     "cloudflare_only": True}}}),
    "response-rule-private-qualifiers-and-no-cache-doc-example": (
        [], [0], {}, {"cache_control": {
            "private": {"operation": "set", "qualifiers": ["X-User-Id", "X-Session-Token"]},
            "no-cache": {"operation": "set"}}}),
    "response-rule-immutable-fonts-doc-example": (
        [], [0], {}, {"cache_control": {"immutable": {"operation": "set"},
                                        "max-age": {"operation": "set", "value": 31536000}}}),
    "response-rules-multi-rule-doc-example": (
        [0], [0, 1, 2], {"cache": True},
        {"strip_etags": True, "strip_set_cookie": True,
         "cache_control": {"s-maxage": {"operation": "set", "value": 86400,
                                        "cloudflare_only": True},
                           "must-revalidate": {"operation": "set"}},
         "cache_tags": [{"operation": "add", "values": ["product-catalog", "storefront"]}]}),
    "cache-deception-armor-mismatch": (
        [0], [], {"cache": True, "cache_key": {"cache_deception_armor": True}}, {}),
    "disabled-rule-is-ignored": ([], [], {}, {}),
}


@pytest.mark.parametrize("name", sorted(STACKING_EXAMPLES))
def test_worked_example_stacking(name):
    vector = VECTORS[name]
    matched_req, matched_resp, req_settings, resp_settings = STACKING_EXAMPLES[name]
    eng, request, response = vector_engine(vector)
    outcome = eng.evaluate(request, response)
    assert indices(outcome, REQ) == matched_req
    assert indices(outcome, RESP) == matched_resp
    assert outcome.request_settings == req_settings
    assert outcome.response_settings == resp_settings
    expected = vector["expected"]
    assert {k: outcome.decision[k] for k in expected} == expected


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_every_worked_example_through_the_engine(name):
    vector = VECTORS[name]
    eng, request, response = vector_engine(vector)
    outcome = eng.evaluate(request, response).to_dict()
    assert {k: outcome["decision"][k] for k in vector["expected"]} == vector["expected"]
    assert set(outcome) == {"matched", "request_settings", "response_settings", "decision"}


def test_any_matching_response_rule_turns_occ_on_even_against_a_request_rule():
    eng = engine([rule("true", {"cache": True, "origin_cache_control": False})],
                 [rule("http.response.code eq 200", {"strip_etags": False})])
    req = Request(url="https://example.com/a.css")
    assert eng.evaluate(req, Response(status=200)).decision["occ"] is True
    assert eng.evaluate(req, Response(status=404)).decision["occ"] is False


# --------------------------------------------------------------------------- evaluation, the Outcome

def test_tag_expression_is_evaluated_per_sample_and_missing_changes_nothing():
    eng = engine([], [rule("true", {"operation": "add",
                                    "expression": 'split(http.response.headers["x-tags"][0], '
                                                  '",", 10)'}, action="set_cache_tags")])
    req = Request(url="https://example.com/a.png")
    with_header = eng.evaluate(req, Response(headers={"X-Tags": "a,b"}))
    assert with_header.response_settings["cache_tags"] == [
        {"operation": "add", "values": ["a", "b"]}]
    assert with_header.decision["cache_tags"] == ["a", "b"]
    without = eng.evaluate(req, Response(headers={"Cache-Tag": "keep"}))
    assert "cache_tags" not in without.response_settings
    assert indices(without, RESP) == [0]
    assert without.decision["cache_tags"] == ["keep"]


def test_a_failing_expression_for_one_sample_is_false_and_does_not_abort_others():
    eng = engine([rule('decode_base64(http.request.headers["x-b64"][0]) eq "hi"',
                       {"cache": True})])
    bad = eng.evaluate(Request(url="https://example.com/", headers={"X-B64": "!!not base64"}))
    good = eng.evaluate(Request(url="https://example.com/", headers={"X-B64": "aGk="}))
    assert indices(bad, REQ) == [] and bad.request_settings == {}
    assert indices(good, REQ) == [0] and good.request_settings == {"cache": True}


def test_informational_status_runs_no_response_rule():
    eng = engine([], [rule("true", {"strip_etags": True})])
    outcome = eng.evaluate(Request(url="https://example.com/"), Response(status=103))
    assert outcome.matched[RESP] == [] and outcome.response_settings == {}


def test_without_a_response_only_the_request_phase_runs():
    eng = engine([rule("true", {"cache": True})], [rule("true", {"strip_etags": True})])
    outcome = eng.evaluate({"method": "GET", "url": "https://example.com/a.html"})
    assert indices(outcome, REQ) == [0] and outcome.matched[RESP] == []
    assert outcome.decision["eligible"] is True and outcome.decision["edge_ttl"] is None


def test_response_phase_sees_request_fields_and_the_unmodified_response():
    eng = engine([], [
        rule("true", {"strip_set_cookie": True}),
        rule('any(http.response.headers.names[*] == "Set-Cookie") and '
             'starts_with(http.request.uri.path, "/p")', {"operation": "add", "values": ["c"]},
             action="set_cache_tags")])
    outcome = eng.evaluate(Request(url="https://example.com/p"),
                           Response(headers={"Set-Cookie": "a=1"}))
    assert indices(outcome, RESP) == [0, 1]


def test_to_dict_has_the_interface_shape_and_is_json():
    eng = engine([rule("true", {"cache": True}, ref="r0", description="all")])
    d = eng.evaluate(Request(url="https://example.com/")).to_dict()
    assert d["matched"] == {REQ: [{"index": 0, "id": None, "ref": "r0", "description": "all"}],
                            RESP: []}
    json.dumps(d)
    no_decision = Engine([{"phase": REQ, "rules": []}], decide=False)
    assert "decision" not in no_decision.evaluate(Request()).to_dict()


def test_outcome_settings_are_copies():
    eng = engine([rule("true", {"edge_ttl": {"mode": "override_origin", "default": 60}})])
    first = eng.evaluate(Request(url="https://example.com/"))
    first.request_settings["edge_ttl"]["default"] = 1
    assert eng.evaluate(Request(url="https://example.com/")).request_settings == {
        "edge_ttl": {"mode": "override_origin", "default": 60}}


# --------------------------------------------------------------------------- building

def test_engine_is_never_built_from_rule_sets_with_errors():
    with pytest.raises(RulesetError) as info:
        Engine([{"phase": REQ, "rules": [rule("true", {"cache": "yes"})]},
                {"phase": RESP, "rules": [rule("http.hots eq 1", {"strip_etags": True})]}])
    codes = sorted(d.code for d in info.value.diagnostics)
    assert codes == ["RL201", "RS302"]


def test_engine_accepts_paths_dicts_and_rulesets():
    rs = load_ruleset(ROOT / "corpus/rulesets/request.json")
    from_path = Engine([str(ROOT / "corpus/rulesets/request.yaml")], decide=False)
    from_obj = Engine([rs], decide=False)
    req = Request(url="https://example.com/app.js")
    assert from_path.evaluate(req).request_settings == from_obj.evaluate(req).request_settings


def test_engine_with_lists_recompiles_list_references():
    body = {"phase": REQ, "rules": [rule("ip.src in $office", {"cache": False})]}
    eng = Engine([body], lists={"office": ["203.0.113.0/24"]}, decide=False)
    inside = Request(url="https://example.com/", client_ip="203.0.113.9")
    outside = Request(url="https://example.com/", client_ip="198.51.100.1")
    assert eng.evaluate(inside).request_settings == {"cache": False}
    assert eng.evaluate(outside).request_settings == {}
    with pytest.raises(RulesetError):
        Engine([body])


def test_bad_sample_is_a_rulelang_error():
    eng = engine([rule("true", {"cache": True})])
    with pytest.raises(RuleLangError):
        eng.evaluate({"url": 42})


# --------------------------------------------------------------------------- threads, plans

_PATHS = ["/", "/a/x.png", "/a/b/c.css", "/api/v1", "/b/index.html", "/static/app.js"]


def test_engine_is_thread_safe():
    eng = Engine([ROOT / "corpus/rulesets/request.json", ROOT / "corpus/rulesets/response.json"])
    samples = [(Request(url=f"https://example.com{p}", headers={"User-Agent": ua}),
                Response(status=s, headers={"X-Tags": "t1,t2", "Set-Cookie": "a=1"}))
               for p in _PATHS for ua in ("Mobile Safari", "curl") for s in (200, 404, 503)]
    expected = [eng.evaluate(q, r).to_dict() for q, r in samples]
    failures: list[str] = []

    def work():
        for _ in range(5):
            for (q, r), want in zip(samples, expected):
                if eng.evaluate(q, r).to_dict() != want:
                    failures.append(q.url)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_a_plan_named_in_the_zone_gates_the_rules_the_engine_loads():
    rules = {"phase": "request", "rules": [{
        "expression": "true", "action": "set_cache_settings",
        "action_parameters": {"origin_cache_control": True}}]}
    Engine([rules])                                    # no plan given: no plan checks
    Engine([rules], zone={"plan": "enterprise"})
    with pytest.raises(RulesetError) as info:
        Engine([rules], zone={"plan": "free"})
    assert [d.code for d in info.value.diagnostics] == ["RS327"]
