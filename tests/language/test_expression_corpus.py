"""The expression corpus (corpus/expressions/*.txt) through the whole pipeline,
and against Cloudflare's own parser.

* ``*_valid.txt``: one expression a line; each must compile (response phase).
* ``*_invalid.txt``: ``CODE<TAB>LINE:COL<TAB>expression``; the first diagnostic
  must have that code and position (request phase for ``request_phase_*``).
* Every expression of every file goes through ``octorules_wirefilter`` (a
  binding of Cloudflare's wirefilter parser) and must get the same
  valid/invalid verdict, except for the documented differences below
  (docs/language.md, "Differences from the engine").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import octorules_wirefilter
import pytest
from support.paths import EXPRESSIONS

from rulelang import ExpressionError, compile_expression
from rulelang.http.fields import field_reader  # noqa: F401  (the corpus covers every field: see below)
from rulelang.schema.catalogue import fields

CORPUS = EXPRESSIONS
#: The lists the corpus refers to (lists are supplied by the caller).
LISTS = {
    "my_list": ["example.com", "*.example.net"], "my_hostnames": ["example.com"],
    "office_ips": ["192.0.2.0/24"], "asn_list": [13335], "blocked_ips": ["203.0.113.0/24"],
    "cf.open_proxies": ["198.51.100.0/24"], "cf.anonymizer": ["198.51.100.0/24"],
    "cf.vpn": ["198.51.100.0/24"], "cf.malware": ["198.51.100.0/24"],
    "cf.botnetcc": ["198.51.100.0/24"], "a.b": ["192.0.2.0/24"], "a": ["192.0.2.0/24"],
    "x": ["a"], "list_1": ["a"], "my_list_2": ["a"],
}
_PLACEHOLDERS = {"<TAB>": "\t", "<CR>": "\r", "<LF>": "\n", "<NBSP>": "\u00a0"}


@dataclass(frozen=True)
class Case:
    file: str
    lineno: int
    source: str
    code: str | None = None
    position: str | None = None

    @property
    def phase(self) -> str:
        return "request" if self.file.startswith("request_phase") else "response"

    def __str__(self) -> str:
        return f"{self.file}:{self.lineno}"


def _unescape(text: str) -> str:
    for k, v in _PLACEHOLDERS.items():
        text = text.replace(k, v)
    return text


def load(pattern: str) -> list[Case]:
    cases = []
    for path in sorted(CORPUS.glob(pattern)):
        for n, line in enumerate(path.read_text("utf-8").split("\n"), 1):
            if line.startswith("#") or (not line and "invalid" not in path.name):
                continue
            if "invalid" in path.name:
                if not line:
                    continue
                code, position, source = line.split("\t", 2)
                cases.append(Case(path.name, n, _unescape(source), code, position))
            else:
                cases.append(Case(path.name, n, _unescape(line)))
    return cases


VALID = load("*_valid.txt")
INVALID = load("*_invalid.txt")


def test_corpus_size():
    assert len(VALID) + len(INVALID) >= 600


def test_every_field_and_cache_function_is_in_the_corpus():
    text = "\n".join(c.source for c in VALID)
    missing = [name for name in fields() if not re.search(re.escape(name) + r"(?![\w.])", text)]
    assert missing == []
    from rulelang.schema.catalogue import CACHE_PHASE_FUNCTIONS
    assert [f for f in sorted(CACHE_PHASE_FUNCTIONS) if f + "(" not in text] == []


@pytest.mark.parametrize("case", VALID, ids=str)
def test_valid_expression_compiles(case):
    compile_expression(case.source, phase=case.phase, lists=LISTS)


@pytest.mark.parametrize("case", INVALID, ids=str)
def test_invalid_expression_gives_its_diagnostic(case):
    with pytest.raises(ExpressionError) as info:
        compile_expression(case.source, phase=case.phase, lists=LISTS)
    first = info.value.diagnostics[0]
    assert (first.code, f"{first.line}:{first.column}") == (case.code, case.position), \
        str(info.value)


# --------------------------------------------------------------------------- the oracle

#: (reason, our first diagnostic code or None when we accept, expression pattern,
#:  oracle error pattern or None when the oracle accepts)
KNOWN_DIFFERENCES = [
    ("the empty expression: the oracle returns empty results, rulelang needs a filter (§3.1)",
     "RL100", r"^\s*$", None),
    ("non-canonical IPv4 inside sets is accepted by the engine, rejected by rulelang (§12 #14)",
     "RL106", r"\{[^}]*\b(\d+\.\d+\.\d+|0\d+\.\d+\.\d+\.\d+)\b", None),
    (("the oracle has no phases: response fields in the request phase, fields and functions "
      "that the cache phases do not offer (§8.2, fields.json excluded_fields)"),
     "RL203", r".", None),
    ("functions not available in the cache phases (§8.2, §8.5)", "RL204", r".", None),
    ("lists are supplied by the caller; the oracle accepts any list name (§3.14)",
     "RL212", r"\$", None),
    (("constant arguments are validated by rulelang at compile time, not by the oracle's "
      "parser (§8.3: split limits, options, flags, remove_query_args source)"),
     "RL304", r"(split|url_decode|wildcard_replace|remove_query_args)\(", None),
    ("regex/wildcard arguments of the replace functions are compiled by rulelang",
     "RL305", r"regex_replace\(", None),
    ("regex/wildcard arguments of the replace functions are compiled by rulelang",
     "RL306", r"wildcard_replace\(", None),
    ("replacement strings are validated by rulelang (§8.3)", "RL307", r"_replace\(", None),
    ("one regex_replace/wildcard_replace per expression (§9)", "RL308", r"_replace\(", None),
    ("infix starts_with/ends_with of the cache docs (§6.10)", None,
     r"\b(starts_with|ends_with) [r\"]", r"expected ComparisonOp"),
    ("the whole expression true/false (§3.16)", None, r"^\s*\(*\s*(true|false)\s*\)*\s*$",
     r"unknown identifier"),
    ("fields the oracle's scheme lacks (§12 #22, fields.json)", None,
     r"http\.request\.uri\.path\.basename|cf\.bot_management\.signed_agent",
     r"unknown identifier"),
    ("oracle stub: len() of an array or a literal (§12 #12)", None, r"\blen\(",
     r"argument #0: expected value of type Bytes, but got Array|kind Field, but got Literal"),
    ("oracle stub: lookup_json_* with integer keys or several keys (§12 #12)", None,
     r"lookup_json_(integer|string)\(", (r"invalid number of arguments|argument #1: expected "
                                         r"value of type Bytes, but got Int")),
    ("oracle stub: substring() with two arguments, url_decode() with options (§12 #12)", None,
     r"(substring|url_decode)\(", r"invalid number of arguments"),
    ("oracle stub: to_string() of Bool or IP (§12 #12)", None, r"to_string\(",
     r"expected value of type Int, but got (Bool|Ip)"),
]


def _known(ours: str | None, source: str, oracle_error: str | None) -> str | None:
    for reason, code, expr_pattern, oracle_pattern in KNOWN_DIFFERENCES:
        if code != ours or not re.search(expr_pattern, source):
            continue
        if oracle_pattern is None and oracle_error is None:
            return reason
        if oracle_pattern is not None and oracle_error and re.search(oracle_pattern,
                                                                     oracle_error):
            return reason
    return None


@pytest.mark.parametrize("case", VALID + INVALID, ids=str)
def test_same_verdict_as_cloudflares_parser(case):
    try:
        compile_expression(case.source, phase=case.phase, lists=LISTS)
        ours = None
    except ExpressionError as e:
        ours = e.diagnostics[0].code
    result = octorules_wirefilter.parse_expression(case.source)
    oracle_error = result.get("error")
    if (ours is None) == (oracle_error is None):
        return
    reason = _known(ours, case.source, oracle_error)
    assert reason, (f"verdicts differ: rulelang {ours or 'accepts'}, wirefilter "
                    f"{'accepts' if oracle_error is None else oracle_error}")
