"""Property: for random expressions and random requests, the compiled closure
agrees with a small reference evaluator written here from the language
reference (it interprets a tuple tree directly, without rulelang's parser,
checker or compiler)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from rulelang import Request, compile_expression

WORDS = ["", "a", "A", "ab", "www", "example.com", "/api/", "x.y", "é", "*"]


def q(b: str) -> str:
    return '"' + b.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wildcard_ref(pattern: str, value: str, case_sensitive: bool) -> bool:
    """§6.5 by the book: '*' matches any run, everything else itself (ASCII fold)."""
    if not case_sensitive:
        fold = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
        pattern, value = pattern.translate(fold), value.translate(fold)
    if not pattern:
        return value == ""
    if pattern[0] == "*":
        return any(wildcard_ref(pattern[1:], value[i:], True) for i in range(len(value) + 1))
    return bool(value) and value[0] == pattern[0] and wildcard_ref(pattern[1:], value[1:], True)


# A string value: a field, a lower() call, or a header lookup that may be missing.
string_values = st.sampled_from([
    ("http.host", lambda r: r["host"]),
    ("http.request.uri.path", lambda r: r["path"]),
    ("lower(http.host)", lambda r: r["host"].lower() if r["host"].isascii()
     else "".join(c.lower() if c.isascii() else c for c in r["host"])),
    ('http.request.headers["x-a"][0]', lambda r: r["xa"][0] if r["xa"] else None),
    ('http.request.headers["x-a"][1]', lambda r: r["xa"][1] if len(r["xa"]) > 1 else None),
])


@st.composite
def comparisons(draw):
    text, get = draw(string_values)
    op = draw(st.sampled_from(["eq", "ne", "lt", "ge", "contains", "wildcard",
                               "strict wildcard", "in", "starts_with", "ends_with"]))
    word = draw(st.sampled_from(WORDS))
    if op in ("wildcard", "strict wildcard"):
        word = word.replace("**", "*")
        if word.count("*") > 1 or "\\" in word:
            word = "*"
    if op == "in":
        words = draw(st.lists(st.sampled_from(WORDS), max_size=3))
        src = f"{text} in {{{' '.join(q(w) for w in words)}}}"
        return src, lambda r: (v := get(r)) is not None and v in words
    if op in ("starts_with", "ends_with"):
        src = f"{op}({text}, {q(word)})" if not text.startswith("lower") else \
            f"{op}(http.host, {q(word)})"
        getter = get if not text.startswith("lower") else (lambda r: r["host"])
        fn = str.startswith if op == "starts_with" else str.endswith
        return src, lambda r: (v := getter(r)) is not None and fn(v, word)
    src = f"{text} {op} {q(word)}"
    tests = {
        "eq": lambda v: v == word, "ne": lambda v: v != word,
        "lt": lambda v: v.encode() < word.encode(), "ge": lambda v: v.encode() >= word.encode(),
        "contains": lambda v: word in v,
        "wildcard": lambda v: wildcard_ref(word, v, False),
        "strict wildcard": lambda v: wildcard_ref(word, v, True),
    }
    return src, lambda r: (v := get(r)) is not None and tests[op](v)


def filters(depth=3):
    leaf = st.one_of(comparisons(), st.just(("ssl", lambda r: r["ssl"])),
                     st.just(('any(http.request.headers["x-a"][*] eq "a")',
                              lambda r: any(v == "a" for v in r["xa"]))),
                     st.just(('all(http.request.headers["x-a"][*] contains "a")',
                              lambda r: all("a" in v for v in r["xa"]))))
    if depth == 0:
        return leaf

    sub = filters(depth - 1)

    @st.composite
    def combine(draw):
        kind = draw(st.sampled_from(["not", "and", "or", "xor", "group"]))
        a_src, a = draw(sub)
        if kind == "not":
            return f"not ({a_src})", lambda r: not a(r)
        if kind == "group":
            return f"({a_src})", a
        b_src, b = draw(sub)
        fn = {"and": lambda r: a(r) and b(r), "or": lambda r: a(r) or b(r),
              "xor": lambda r: bool(a(r)) ^ bool(b(r))}[kind]
        return f"({a_src}) {kind} ({b_src})", fn
    return st.one_of(leaf, combine())


requests = st.fixed_dictionaries({
    "host": st.sampled_from(["www.example.com", "EXAMPLE.com", "a", "ab", "x.y", "é.example"]),
    "path": st.sampled_from(["/", "/api/", "/api/v1", "/a*b", "/x.y"]),
    "ssl": st.booleans(),
    "xa": st.lists(st.sampled_from(["a", "ab", "b", ""]), max_size=3),
})


@settings(max_examples=300, deadline=None)
@given(filters(), requests)
def test_compiled_filter_agrees_with_reference(expr, r):
    source, reference = expr
    headers = [["Host", r["host"]]] + [["X-A", v] for v in r["xa"]]
    req = Request(url=("https" if r["ssl"] else "http") + "://" + "h.example" + r["path"],
                  headers=headers)
    assert re.match(r"^/", r["path"])
    compiled = compile_expression(source)
    assert compiled.matches(req) == bool(reference(r)), source


TOKENS = ["http.host", "http.request.uri.path", "ip.src", "http.response.code", "ssl",
          "http.request.headers", "http.request.headers.names", "lower", "len", "split",
          "concat", "any", "all", "starts_with", "regex_replace", "url_decode", "substring",
          "to_string", "lookup_json_integer", "eq", "ne", "lt", "contains", "matches",
          "wildcard", "strict wildcard", "in", "&", "and", "or", "xor", "not", "(", ")", "[",
          "]", "[*]", "[0]", '["x"]', "{", "}", ",", '"a"', 'r"\\d+"', "1", "-1", "0x10",
          "192.0.2.0/24", "10.0.0.1..10.0.0.9", "61:62", "$x", "200..299", '"*"', "::1",
          "starts_with", "true", "false", "", " "]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=14), st.sampled_from(
    ["request", "response"]), st.sampled_from(["bool", "any", "Array<String>"]))
def test_compile_never_raises_anything_but_expression_error(tokens, phase, expect):
    from rulelang import ExpressionError
    source = " ".join(tokens)
    try:
        expr = compile_expression(source, phase=phase, expect=expect, lists={"x": ["a"]})
    except ExpressionError as e:
        assert e.diagnostics and str(e)
        return
    req = Request(url="https://a.example/p?x=1", headers=[["X", "a"]], client_ip="192.0.2.1")
    expr.evaluate(req)
    expr.explain(req)
