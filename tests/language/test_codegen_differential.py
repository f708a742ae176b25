"""Differential test: the generated phase function against the compiler's closures.

Both paths must give exactly the same matching rules, on the corpus of expressions
(every valid filter, as one big rule set), on the corpus rule sets and the example
with their samples (through the engine), and on hypothesis-generated rule sets and
requests — with and without dispatch tables, and with dispatch forced on small
groups so that every table shape is exercised.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rulelang import Request, Response
from rulelang.engine import Engine
from rulelang.errors import ExpressionError, RuleLangError, RulesetError
from rulelang.http.samples import iter_samples
from rulelang.language.codegen import generate_phase
from rulelang.language.expression import compile_expression
from rulelang.schema.catalogue import REQUEST_PHASE, RESPONSE_PHASE

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
EXPRESSION_FILES = ("syntax_valid.txt", "fields_valid.txt", "functions_valid.txt")
SAMPLE_FILES = (CORPUS / "example" / "samples.jsonl", CORPUS / "samples" / "basic.jsonl",
                CORPUS / "samples" / "basic.json", CORPUS / "samples" / "capture.har")
MODES = ({"dispatch": False}, {"dispatch": True},
         {"dispatch": True, "min_rules": 1, "min_literals": 1},
         {"dispatch": False, "min_literals": 2})
MODE_IDS = ["plain", "dispatch", "dispatch-all", "literal-sets"]


def _corpus_expressions() -> list[str]:
    out = []
    for name in EXPRESSION_FILES:
        for line in (CORPUS / "expressions" / name).read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                out.append(line.replace("<TAB>", "\t").replace("<CR>", "\r")
                           .replace("<LF>", "\n").replace("<NBSP>", "\u00a0"))
    vectors = json.loads((CORPUS / "expressions" / "eval_vectors.json").read_text())
    out.extend(v["expression"] for v in vectors["vectors"])
    return out


def _filters(phase: str) -> list:
    """Every corpus expression that compiles as a filter of ``phase`` (no uuidv4: its
    value differs per call, so two evaluations cannot be compared)."""
    out = []
    for text in _corpus_expressions():
        if "uuidv4" in text:
            continue
        try:
            out.append(compile_expression(text, phase=phase))
        except ExpressionError:
            continue
    return out


def _samples() -> list[tuple[Request, Response | None]]:
    pairs = []
    for path in SAMPLE_FILES:
        for sample in iter_samples(path):
            if not sample.request.fields:
                pairs.append((sample.request, sample.response))
    vectors = json.loads((CORPUS / "expressions" / "eval_vectors.json").read_text())
    sample = vectors["sample"]
    request = dict(sample["request"])
    request.pop("fields", None)
    pairs.append((Request.from_dict(request),
                  Response.from_dict(sample["response"]) if "response" in sample else None))
    return pairs


def _closures(filters, request, response) -> list[int]:
    return [i for i, f in enumerate(filters) if f.run(request, response) is True]


def _fresh(request: Request) -> Request:
    """The same request with an empty field cache (each path reads its own fields)."""
    return Request.from_dict(request.to_dict(), url_normalization=request.url_normalization,
                             timestamp=request.timestamp)


@pytest.mark.parametrize("phase", [REQUEST_PHASE, RESPONSE_PHASE])
@pytest.mark.parametrize("mode", MODES, ids=MODE_IDS)
def test_corpus_expressions_give_the_same_matches(phase, mode):
    filters = _filters(phase)
    assert len(filters) > 200
    program = generate_phase([f.checked for f in filters], **mode)
    for request, response in _samples():
        if phase == REQUEST_PHASE:
            response = None
        elif response is None:
            response = Response(200, {"Content-Type": "text/html"})
        want = _closures(filters, _fresh(request), response)
        got = program.run(_fresh(request), response)
        assert got == want, (request, [filters[i].source for i in set(got) ^ set(want)])


def _ruleset_files() -> list[Path]:
    files = sorted((CORPUS / "rulesets").iterdir()) + [CORPUS / "example" / "cache-rules.json",
                                                      CORPUS / "example" / "cache-response-rules.json"]
    return [f for f in files if f.suffix in (".json", ".yaml", ".tf")]


def _closure_engine(engine: Engine) -> Engine:
    twin = Engine(engine.rulesets, zone=engine.zone)
    twin._request_fast = twin._response_fast = None
    return twin


def test_the_generated_path_is_the_default():
    engine = Engine([CORPUS / "example" / "cache-rules.json",
                     CORPUS / "example" / "cache-response-rules.json"])
    assert engine._request_fast is not None and engine._response_fast is not None


@pytest.mark.parametrize("path", _ruleset_files(), ids=lambda p: p.name)
def test_corpus_rulesets_give_the_same_outcomes(path):
    try:
        engine = Engine([path])
    except RulesetError:
        pytest.skip("an invalid rule set (its diagnostics are tested elsewhere)")
    twin = _closure_engine(engine)
    for request, response in _samples():
        if response is None:
            response = Response(200, {"Cache-Control": "max-age=60"})
        a = engine.evaluate(_fresh(request), response).to_dict()
        b = twin.evaluate(_fresh(request), response).to_dict()
        assert a == b, request


def test_the_example_gives_the_same_outcomes_on_its_samples():
    engine = Engine([CORPUS / "example" / "cache-rules.json",
                     CORPUS / "example" / "cache-response-rules.json"])
    twin = _closure_engine(engine)
    samples = list(iter_samples(CORPUS / "example" / "samples.jsonl"))
    assert samples
    for sample in samples:
        a = engine.evaluate(_fresh(sample.request), sample.response).to_dict()
        b = twin.evaluate(_fresh(sample.request), sample.response).to_dict()
        assert a == b, sample.label


# --------------------------------------------------------------------------- generated


HOSTS = ["a.example.com", "b.example.com", "A.Example.com", "c.test", ""]
SEGMENTS = ["api", "s1", "static", "r2", "x"]
EXTS = ["css", "js", "png", "PNG", "html", ""]
WORDS = ["sess1=", "Bot", "v=1", "x", "é", "%2F", "sess", "=abc", "1", "Bot/", "a=1;"]


def _lit(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


_path = st.builds(lambda seg, rest, ext: f"/{seg}/{rest}" + (f".{ext}" if ext else ""),
                  st.sampled_from(SEGMENTS), st.sampled_from(["", "a", "1/2", "v1/items"]),
                  st.sampled_from(EXTS))
_prefix = st.builds(lambda seg, more: f"/{seg}/{more}", st.sampled_from(SEGMENTS),
                    st.sampled_from(["", "a", "v1/"]))

_ATOMS = [
    st.builds(lambda h: f"http.host eq {_lit(h)}", st.sampled_from(HOSTS)),
    st.builds(lambda hs: "http.host in {" + " ".join(_lit(h) for h in hs) + "}",
              st.lists(st.sampled_from(HOSTS), min_size=1, max_size=3)),
    st.builds(lambda es: "http.request.uri.path.extension in {"
              + " ".join(_lit(e) for e in es) + "}",
              st.lists(st.sampled_from(EXTS), min_size=1, max_size=3)),
    st.builds(lambda p: f"http.request.uri.path eq {_lit(p)}", _path),
    st.builds(lambda p: f"starts_with(http.request.uri.path, {_lit(p)})", _prefix),
    st.builds(lambda p: f"ends_with(http.request.uri.path, {_lit(p)})",
              st.sampled_from([".css", ".js", "/", "a"])),
    st.builds(lambda p: f"http.request.uri.path starts_with {_lit(p)}", _prefix),
    st.builds(lambda p: f'http.request.uri.path matches "^{p}[0-9a-z]*"', _prefix),
    st.builds(lambda p: f'http.request.uri.path matches "^{p}|x"', _prefix),
    st.builds(lambda w: f"http.cookie contains {_lit(w)}", st.sampled_from(WORDS)),
    st.builds(lambda w: f"http.user_agent contains {_lit(w)}", st.sampled_from(WORDS)),
    st.builds(lambda w: f"lower(http.request.uri.query) contains {_lit(w.lower())}",
              st.sampled_from(WORDS)),
    st.builds(lambda w: f"http.request.uri.query ne {_lit(w)}", st.sampled_from(WORDS)),
    st.builds(lambda m: f"http.request.method eq {_lit(m)}",
              st.sampled_from(["GET", "POST", "HEAD"])),
    st.builds(lambda w: f'http.request.headers["x-a"][0] eq {_lit(w)}', st.sampled_from(WORDS)),
    st.builds(lambda w: f'any(http.request.headers["x-a"][*] contains {_lit(w)})',
              st.sampled_from(WORDS)),
    st.builds(lambda n: f"len(http.request.uri.path) gt {n}", st.integers(0, 20)),
    st.builds(lambda n: f"cf.edge.server_port in {{80 443 {n}}}", st.integers(1, 9000)),
    st.just("ssl"),
    st.just('ip.src in {192.0.2.0/24 2001:db8::/32}'),
    st.just('ip.src eq 192.0.2.7'),
    st.just('http.host wildcard "*.example.com"'),
    st.just('http.request.uri.path strict wildcard "/api/*"'),
    st.just('http.request.uri.args["v"][0] eq "1"'),
    st.just('http.request.cookies["sess1"][0] == "abc"'),
    st.just('http.request.uri.path eq http.request.uri.path'),
]

_atom = st.one_of(_ATOMS)
_filter = st.recursive(
    _atom,
    lambda inner: st.one_of(
        st.builds(lambda a, b: f"({a} and {b})", inner, inner),
        st.builds(lambda a, b: f"({a} or {b})", inner, inner),
        st.builds(lambda a, b: f"({a} xor {b})", inner, inner),
        st.builds(lambda a: f"not {a}", inner)),
    max_leaves=4)

_request = st.builds(
    lambda method, host, path, query, cookie, ua, xa, ip, https: {
        "method": method,
        "url": f"{'https' if https else 'http'}://{host or 'h.test'}{path}{query}",
        "headers": ([["Cookie", cookie]] if cookie else []) + [["User-Agent", ua]]
        + [["X-A", v] for v in xa],
        **({"client_ip": ip} if ip else {}),
    },
    st.sampled_from(["GET", "POST", "HEAD"]), st.sampled_from(HOSTS), _path,
    st.sampled_from(["", "?v=1", "?V=1&x=%2F", "?"]),
    st.sampled_from(["", "sess1=abc", "a=1; sess1=abc; sess1=d"]),
    st.sampled_from(["Mozilla/5.0", "Bot/1", "é"]),
    st.lists(st.sampled_from(WORDS), max_size=2),
    st.sampled_from([None, "192.0.2.7", "2001:db8::1", "198.51.100.1"]),
    st.booleans())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_filter, min_size=1, max_size=25), st.lists(_request, min_size=1, max_size=6),
       st.sampled_from(MODES))
def test_generated_rule_sets_give_the_same_matches(texts, requests, mode):
    filters = [compile_expression(t) for t in texts]
    program = generate_phase([f.checked for f in filters], **mode)
    for d in requests:
        try:
            request = Request.from_dict(d, timestamp=1_700_000_000.5)
        except RuleLangError:
            continue
        want = _closures(filters, _fresh(request), None)
        assert program.run(_fresh(request), None) == want, program.source


def test_no_rule_text_reaches_the_generated_source():
    hostile = ['http.host eq "x\\"); import os; (\\""',
               'http.request.uri.path matches "^/a\'\\"+"',
               'http.cookie contains "__import__"']
    program = generate_phase([compile_expression(t).checked for t in hostile])
    assert "'" not in program.source and '"' not in program.source
    assert "import" not in program.source


@pytest.mark.parametrize(("pattern", "prefix"), [
    ("^/api/v[0-9]+/", b"/api/v"), ("^abc*", b"ab"), (r"^\/x\.y", b"/x.y"), ("^a|b", b""),
    ("abc", b""), ("^(?i)x", b""), (r"^\<x", b""), ("^ab{2}", b"a"), ("^é", b""),
    ("^ab?", b"a"), (r"^\d", b""),
])
def test_the_leading_text_of_a_pattern(pattern, prefix):
    from rulelang.language.patterns.regex import PatternError, compile_regex, leading_text
    assert leading_text(pattern) == prefix
    try:
        rx = compile_regex(pattern)
    except PatternError:
        return  # not a pattern the engine accepts: only its leading text is checked
    for data in (b"", prefix, prefix + b"x", b"/api/v1/", b"abc", b"/x.yz", b"zz" + prefix):
        assert rx.test(data) == (rx._search.search(data) is not None)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(min_size=1, max_size=4), min_size=1, max_size=12, unique=True),
       st.binary(max_size=60))
def test_a_literal_set_finds_exactly_the_literals_that_occur(literals, value):
    from rulelang.language.codegen import LiteralSet
    found = LiteralSet(literals)(value)
    assert found == {i for i, lit in enumerate(literals) if value.find(lit) >= 0}


# --------------------------------------------------------------------------- at scale

SHAPES = [
    'starts_with(http.request.uri.path, "/s{i}/")',
    'http.request.uri.path.extension in {{"css" "js" "png"}} and http.host eq "h{i}.example.com"',
    'http.host eq "h{i}.example.com"',
    'http.cookie contains "sess{i}="',
    'http.request.uri.query contains "v={i}"',
    'http.user_agent contains "Bot{i}" or http.request.uri.path eq "/p{i}"',
    'http.request.method eq "GET" and starts_with(http.request.uri.path, "/api/v{i}/")',
    'http.request.uri.path matches "^/r{i}/[0-9]+$"',
    'http.host eq "h{i}.example.com" or http.cookie contains "sess{i}="',
    ('(http.host in {{"h{i}.example.com" "x{i}.test"}} or starts_with(http.request.uri.path, '
    '"/s{i}/")) and not http.user_agent contains "Bot{i}"'),
    # one alternative in a table, the other (few keys, many rules each) tested in order
    'http.request.uri.path.extension eq "css" or http.host eq "h{i}.example.com"',
]


def _scaled_requests(n: int, count: int, seed: int) -> list[Request]:
    import random
    rnd = random.Random(seed)
    out = []
    for _ in range(count):
        k = rnd.randrange(n + 5)
        path = rnd.choice([f"/s{k}/a.css", f"/api/v{k}/items", f"/r{k}/{rnd.randrange(99)}",
                           f"/p{k}", f"/s{k}", "/", f"/api/v{k}"])
        query = rnd.choice(["", f"?v={k}", f"?v={k}1&x=1", "?page=2"])
        headers = {"User-Agent": rnd.choice(["Mozilla/5.0", f"Bot{k}/1.0", f"Bot{k}5"])}
        if rnd.random() < 0.5:
            headers["Cookie"] = f"sess{rnd.randrange(n + 5)}=abc; sess{k}1=x"
        host = rnd.choice([f"h{rnd.randrange(n + 5)}.example.com", f"x{k}.test"])
        out.append(Request.from_dict({"method": rnd.choice(["GET", "POST"]),
                                      "url": f"https://{host}{path}{query}",
                                      "headers": headers}))
    return out


@pytest.mark.parametrize("n", [40, 400])
@pytest.mark.parametrize("mode", MODES, ids=MODE_IDS)
def test_many_rules_of_many_shapes_give_the_same_matches(n, mode):
    filters = [compile_expression(SHAPES[i % len(SHAPES)].format(i=i)) for i in range(n)]
    program = generate_phase([f.checked for f in filters], **mode)
    for request in _scaled_requests(n, 300, seed=n):
        want = _closures(filters, _fresh(request), None)
        assert program.run(_fresh(request), None) == want, request


def test_deeply_nested_filters_stay_closures_and_still_agree():
    deep = "not " * 120 + 'http.host eq "a.test"'
    parens = "(" * 120 + "ssl" + ")" * 120
    chain = " and ".join(f'(http.host ne "h{i}" or ssl)' for i in range(100))
    filters = [compile_expression(t) for t in (deep, parens, chain)]
    program = generate_phase([f.checked for f in filters])
    assert program.fallbacks >= 1
    for url in ("https://a.test/", "http://b.test/"):
        request = Request("GET", url)
        assert program.run(_fresh(request), None) == _closures(filters, _fresh(request), None)
