"""The two-phase API (interfaces.md §5): request_phase + response_phase give exactly what
evaluate gives, on every worked example and on generated samples; Decision is typed,
immutable, picklable, with lazy reasons; engines pickle, fingerprint and load from files."""

from __future__ import annotations

import dataclasses
import json
import pickle
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rulelang
from rulelang import Request, Response, RulesetError
from rulelang.cache.decision import Decision
from rulelang.engine import Engine, Pending

ROOT = Path(__file__).resolve().parents[1]
VECTORS = json.loads((ROOT / "corpus/decision/vectors.json").read_text())
REQ, RESP = "http_request_cache_settings", "http_response_cache_settings"


def build(vector: dict) -> Engine:
    return Engine([{"phase": REQ, "rules": vector["request_rules"]},
                   {"phase": RESP, "rules": vector["response_rules"]}])


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_two_phases_equal_evaluate_on_every_worked_example(vector):
    engine = build(vector)
    request = Request.from_dict(vector["request"], timestamp=1_767_225_600)
    response = Response.from_dict(vector["response"])
    expected = engine.evaluate(request, response).to_dict()["decision"]
    pending = engine.request_phase(request)
    decision = pending.response_phase(response)
    assert isinstance(decision, Decision)
    assert decision.to_dict() == expected
    assert pending.eligible == expected["eligible"]
    assert pending.cache_key == expected["cache_key"]
    assert pending.origin_method == expected["origin_method"]
    assert [r.index for r in pending.matched] == [
        r["index"] for r in engine.evaluate(request).to_dict()["matched"][REQ]]


@pytest.mark.parametrize("vector", VECTORS[:10], ids=[v["name"] for v in VECTORS[:10]])
def test_request_only_decision_equals_evaluate_without_response(vector):
    engine = build(vector)
    request = Request.from_dict(vector["request"])
    assert (engine.request_phase(request).response_phase(None).to_dict()
            == engine.evaluate(request).to_dict()["decision"])


RULES = [
    {"expression": 'http.request.uri.path contains "/api/"', "action": "set_cache_settings",
     "action_parameters": {"cache": False}},
    {"expression": 'http.request.uri.path.extension eq "html"', "action": "set_cache_settings",
     "action_parameters": {"cache": True, "edge_ttl": {"mode": "override_origin",
                                                       "default": 60}}},
    {"expression": 'any(http.request.headers.names[*] eq "x-key")', "action":
     "set_cache_settings", "action_parameters": {"cache_key": {"custom_key": {
         "header": {"include": ["x-key"]}}}}},
]
RESPONSE_RULES = [
    {"expression": "http.response.code eq 404", "action": "set_cache_settings",
     "action_parameters": {"strip_set_cookie": True}},
    {"expression": "true", "action": "set_cache_tags",
     "action_parameters": {"operation": "add", "values": ["all"]}},
]
ENGINE = Engine([{"phase": REQ, "rules": RULES}, {"phase": RESP, "rules": RESPONSE_RULES}])


@settings(max_examples=150, deadline=None)
@given(method=st.sampled_from(["GET", "HEAD", "POST"]),
       path=st.sampled_from(["/a.png", "/b.html", "/api/c.js", "/d", "/robots.txt"]),
       query=st.sampled_from(["", "?b=2&a=1"]),
       status=st.sampled_from([200, 204, 301, 304, 404, 500, 103, 600]),
       cc=st.sampled_from([None, "max-age=60", "no-store", "private",
                           "s-maxage=5, stale-while-revalidate=30", "no-cache"]),
       cookie=st.booleans(), key=st.booleans())
def test_two_phases_equal_evaluate_on_generated_samples(method, path, query, status, cc,
                                                        cookie, key):
    headers = [("Host", "www.example.com")] + ([("X-Key", "v")] if key else [])
    request = Request.from_wire(method, path + query, headers, client_ip="192.0.2.1",
                                timestamp=1_767_225_600)
    rh = [("Date", "Thu, 01 Jan 2026 00:00:00 GMT"), ("ETag", '"e"')]
    rh += [("Cache-Control", cc)] if cc else []
    rh += [("Set-Cookie", "s=1")] if cookie else []
    response = Response.from_wire(status, rh)
    expected = ENGINE.evaluate(request, response).to_dict()["decision"]
    assert ENGINE.request_phase(request).response_phase(response).to_dict() == expected


def test_reasons_are_built_only_when_read():
    request = Request.from_wire("GET", "/b.html", [("Host", "www.example.com")])
    decision = ENGINE.request_phase(request).response_phase(Response(200))
    assert callable(decision._why)
    reasons = decision.reasons
    assert reasons == tuple(ENGINE.evaluate(request, Response(200)).decision["reasons"])
    assert decision._why == reasons


def test_decision_is_immutable_and_picklable():
    request = Request.from_wire("GET", "/a.png", [("Host", "www.example.com")])
    decision = ENGINE.request_phase(request).response_phase(Response(200))
    with pytest.raises(dataclasses.FrozenInstanceError):
        decision.edge_ttl = 5  # type: ignore[misc]
    again = pickle.loads(pickle.dumps(decision))
    assert again == decision and again.reasons == decision.reasons
    assert rulelang.Decision is Decision


def test_pending_runs_the_response_phase_on_its_own_engine():
    """A reload between the two halves cannot mix two rule sets."""
    request = Request.from_wire("GET", "/b.html", [("Host", "www.example.com")])
    pending = ENGINE.request_phase(request)
    assert isinstance(pending, Pending) and pending.engine is ENGINE
    assert pending.response_phase(Response(200)).cache_tags == ("all",)


VISITOR_CASES = [
    # (origin headers, stripped, browser cache-control, age, expected)
    ([("ETag", '"a"'), ("Cache-Tag", "x,y"), ("Cache-Control", "max-age=5"), ("X", "1")],
     ("etag",), "max-age=14400", 7,
     [("X", "1"), ("Cache-Control", "max-age=14400"), ("CF-Cache-Status", "HIT"),
      ("Age", "7")]),
    ([(b"Set-Cookie", b"a=1"), (b"Set-Cookie", b"b=2"), (b"Cache-Control", b"no-store")],
     (), None, None, [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"),
                      ("CF-Cache-Status", "HIT")]),
    ({"Set-Cookie": "a=1", "Age": "99"}, ("set-cookie",), None, 0,
     [("CF-Cache-Status", "HIT"), ("Age", "0")]),
]


@pytest.mark.parametrize("origin, stripped, browser, age, expected", VISITOR_CASES)
def test_visitor_headers(origin, stripped, browser, age, expected):
    decision = Decision(True, "HIT", 60, browser, ("x",), stripped, "k", True, True, "GET")
    assert decision.visitor_headers(origin, age=age) == expected


def test_engine_pickles_and_keeps_its_fingerprint(tmp_path):
    engine = Engine.from_files(ROOT / "corpus/example", zone={"plan": "enterprise"})
    again = pickle.loads(pickle.dumps(engine))
    assert again.fingerprint == engine.fingerprint
    request = Request.from_wire("GET", "/a.css", [("Host", "www.example.com")])
    assert (again.evaluate(request, Response(200)).to_dict()
            == engine.evaluate(request, Response(200)).to_dict())


def test_fingerprint_changes_with_rules_zone_and_lists():
    base = Engine([{"phase": REQ, "rules": RULES}])
    assert base.fingerprint == Engine([{"phase": REQ, "rules": RULES}]).fingerprint
    assert base.fingerprint != Engine([{"phase": REQ, "rules": RULES[:2]}]).fingerprint
    assert base.fingerprint != Engine([{"phase": REQ, "rules": RULES}],
                                      zone={"browser_cache_ttl": 60}).fingerprint
    assert base.fingerprint != Engine([{"phase": REQ, "rules": RULES}],
                                      lists={"x": ["a"]}).fingerprint


def test_from_files_takes_files_directories_and_globs(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "req.json").write_text(json.dumps({"phase": REQ, "rules": RULES}))
    (tmp_path / "resp.yaml").write_text(json.dumps({"phase": RESP, "rules": RESPONSE_RULES}))
    (tmp_path / ".swap.json").write_text("{ broken")
    by_dir = Engine.from_files(tmp_path)
    by_glob = Engine.from_files(str(tmp_path / "**" / "*.json"), tmp_path / "resp.yaml")
    assert by_dir.fingerprint == by_glob.fingerprint == ENGINE.fingerprint
    with pytest.raises(RulesetError, match="no such file"):
        Engine.from_files(tmp_path / "missing.json")
    with pytest.raises(RulesetError, match="no file matches"):
        Engine.from_files(str(tmp_path / "*.tf"))


_NAMES = st.sampled_from(["ETag", "Last-Modified", "Set-Cookie", "Cache-Tag", "cache-control",
                          "X-A", "Vary", "Age", "CF-Cache-Status", "Content-Type"])


@settings(max_examples=200, deadline=None)
@given(headers=st.lists(st.tuples(_NAMES, st.text("abc=1 ,", max_size=8)), max_size=10),
       stripped=st.sets(st.sampled_from(["etag", "last-modified", "set-cookie"])),
       browser=st.sampled_from([None, "max-age=60", "no-store"]),
       age=st.one_of(st.none(), st.integers(-5, 10**6)))
def test_visitor_headers_properties(headers, stripped, browser, age):
    decision = Decision(True, "MISS", 60, browser, (), tuple(sorted(stripped)), "k", True,
                        True, "GET")
    out = decision.visitor_headers(headers, age=age)
    names = [n.lower() for n, _ in out]
    dropped = stripped | {"cache-tag", "cache-control", "age", "cf-cache-status"}
    assert [h for h in headers if h[0].lower() not in dropped] == out[:len(out) - len(
        [n for n in names if n in ("cache-control", "cf-cache-status", "age")])]
    assert names.count("cache-control") == (browser is not None)
    assert names.count("cf-cache-status") == 1 and "cache-tag" not in names
    assert names.count("age") == (age is not None)
    assert not stripped & set(names)
