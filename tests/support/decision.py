"""Support for the cache-decision tests: HTTP messages, rule matching and stacking.

The decision model receives stacked settings from the phase engine.  To run the
worked examples of cache-phases §5.2 without the engine, this module stacks
matching rules per setting unit (PD-06) and matches expressions with
``rulelang.compile_expression``; a tiny reference evaluator of the few expression
forms the vectors use is checked against the compiler.  Nothing here is used by
the code under test.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from rulelang.cache.decision import ResponseAction, RuleRef, decide
from rulelang.cache.zone import Zone
from rulelang.http.messages import Request, Response
from rulelang.language.expression import compile_expression
from support.paths import DECISION

CORPUS = DECISION
REQUEST_PHASE = "http_request_cache_settings"
RESPONSE_PHASE = "http_response_cache_settings"

class StandInMessage:
    """A minimal request/response with the interface of rulelang.http that, unlike
    the real classes, accepts any header text (for robustness properties)."""

    def __init__(self, method="GET", url="https://example.com/", headers=None, status=200):
        self.method, self.url, self.status = method.upper(), url, status
        pairs = []
        for name, value in (headers or {}).items():
            pairs.extend((name, v) for v in (value if isinstance(value, list) else [value]))
        self.headers = tuple(pairs)
        self.fields = {}

    def header_values(self, name):
        return [v for n, v in self.headers if n.lower() == name.lower()]


def make_request(d: dict) -> Request:
    """A request from the sample format."""
    return Request.from_dict(d)


def make_response(d: dict) -> Response:
    """A response from the sample format."""
    return Response.from_dict(d)


def load(name: str) -> list[dict]:
    return json.loads((CORPUS / name).read_text("utf-8"))


# -- stacking (cache-phases §3.2, PD-06) ------------------------------------------------

_ATOMIC = ("edge_ttl", "browser_ttl", "cache_reserve", "serve_stale",
           "additional_cacheable_ports")
_CACHE_KEY_TOGGLES = ("ignore_query_strings_order", "cache_deception_armor",
                      "cache_by_device_type")


def stack(matched: list[tuple[RuleRef, dict]]) -> tuple[dict, dict]:
    """Stacked request settings and the rule that last set each setting unit."""
    settings: dict = {}
    sources: dict = {}
    for ref, params in matched:
        for key, value in params.items():
            if key != "cache_key":
                settings[key] = value
                sources[key] = ref
                continue
            target = settings.setdefault("cache_key", {})
            for sub, subvalue in value.items():
                if sub in _CACHE_KEY_TOGGLES:
                    target[sub] = subvalue
                    sources[f"cache_key.{sub}"] = ref
                elif sub == "custom_key":
                    custom = target.setdefault("custom_key", {})
                    for part, part_value in subvalue.items():
                        custom[part] = part_value
                        sources[f"cache_key.custom_key.{part}"] = ref
    return settings, sources


# -- a tiny reference evaluator for the vectors' expressions ------------------------------

_TOKEN = re.compile(r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<int>-?\d+)|(?P<op>==|\(|\)|\{|\}'
                    r'|\[\*\]|\[|\]|,)|(?P<word>[A-Za-z_][A-Za-z0-9_.]*))')


class _Each(list):
    """The elements of an array expanded with ``[*]``."""


def _tokens(source: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(source.rstrip()):
        m = _TOKEN.match(source, pos)
        if not m:
            raise ValueError(f"reference evaluator cannot read {source[pos:]!r}")
        kind = m.lastgroup
        text = m.group(kind)
        out.append((kind, json.loads(text) if kind == "str" else text))
        pos = m.end()
    return out


def _field(name: str, request, response):
    parts = urlsplit(request.url)
    path = parts.path or "/"
    segment = path.rsplit("/", 1)[-1]
    dot = segment.rfind(".")
    headers = response.headers if response is not None else ()
    values = {
        "http.host": (parts.hostname or "").lower(),
        "http.request.uri.path": path,
        "http.request.uri.path.extension": "" if dot <= 0 else segment[dot + 1:].lower(),
        "http.response.code": response.status if response is not None else None,
        "http.response.headers.names": [n for n, _ in headers],
        "http.response.headers": {n.lower(): [v for m, v in headers if m.lower() == n.lower()]
                                  for n, _ in headers},
    }
    if name not in values:
        raise ValueError(f"reference evaluator does not know field {name}")
    return values[name]


class _Reference:
    """Recursive-descent evaluation of: or/and, eq/==/contains/in, sets, field
    indexes and ``[*]``, ``starts_with``, ``any``, ``split``, ``true``."""

    def __init__(self, source: str):
        self.source = source
        _tokens(source)  # fail early on unknown syntax

    def evaluate(self, request, response=None):
        self.toks, self.i = _tokens(self.source), 0
        self.request, self.response = request, response
        value = self._or()
        if self.i != len(self.toks):
            raise ValueError(f"reference evaluator: trailing input in {self.source!r}")
        return value

    def matches(self, request, response=None) -> bool:
        return self.evaluate(request, response) is True

    def _peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def _take(self):
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def _or(self):
        value = self._and()
        while self._peek() == ("word", "or"):
            self._take()
            right = self._and()
            value = value is True or right is True
        return value

    def _and(self):
        value = self._cmp()
        while self._peek() == ("word", "and"):
            self._take()
            right = self._cmp()
            value = value is True and right is True
        return value

    def _cmp(self):
        left = self._primary()
        op = self._peek()[1]
        if op not in ("eq", "==", "contains", "in"):
            return left
        self._take()
        right = self._primary()

        def test(v):
            if v is None:
                return False
            if op == "contains":
                return right in v
            if op == "in":
                return v in right
            return v == right
        return [test(v) for v in left] if isinstance(left, _Each) else test(left)

    def _primary(self):
        kind, text = self._take()
        if kind in ("str", "int"):
            return int(text) if kind == "int" else text
        if text == "(":
            value = self._or()
            self._take()
            return value
        if text == "{":
            items = set()
            while self._peek()[1] != "}":
                items.add(self._primary())
            self._take()
            return items
        if text in ("true", "false"):
            return text == "true"
        if self._peek()[1] == "(":
            self._take()
            args = []
            while self._peek()[1] != ")":
                args.append(self._or())
                if self._peek()[1] == ",":
                    self._take()
            self._take()
            return self._call(text, args)
        value = _field(text, self.request, self.response)
        while self._peek()[1] in ("[", "[*]"):
            if self._take()[1] == "[*]":
                value = _Each(value or [])
                continue
            index = self._primary()
            self._take()
            value = value.get(index) if isinstance(value, dict) else (
                value[index] if value is not None and index < len(value) else None)
        return value

    @staticmethod
    def _call(name, args):
        if name == "starts_with":
            return args[0] is not None and args[0].startswith(args[1])
        if name == "any":
            return any(v is True for v in args[0])
        if name == "split":
            text, sep, limit = args
            return None if text is None else text.split(sep, limit - 1)
        raise ValueError(f"reference evaluator does not know function {name}")


def reference_expression(source: str) -> _Reference:
    """The reference evaluator for one of the vectors' expressions."""
    return _Reference(source)


def compile_rule_expression(source: str, phase: str, expect: str = "bool"):
    """``rulelang.compile_expression`` (a broken import fails the test, never hides it)."""
    return compile_expression(source, phase=phase, expect=expect)


def _ref(rule: dict, phase: str, index: int) -> RuleRef:
    return RuleRef(phase, index, rule.get("id"), rule.get("ref"), rule.get("description", ""))


def _to_list(value):
    if value is None or value.__class__.__name__ == "Missing":
        return None
    return tuple(v.decode() if isinstance(v, bytes) else str(v) for v in value)


def decide_vector(vector: dict, zone: Zone | None = None) -> dict:
    """The decision of one §5.1 vector, computed without the phase engine."""
    request = make_request(vector["request"])
    response = make_response(vector["response"]) if vector.get("response") else None
    matched = []
    for i, rule in enumerate(vector.get("request_rules", [])):
        if rule.get("enabled", True) and compile_rule_expression(
                rule["expression"], REQUEST_PHASE).matches(request, None):
            matched.append((_ref(rule, REQUEST_PHASE, i), rule["action_parameters"]))
    settings, sources = stack(matched)
    actions = []
    if response is not None and not 100 <= response.status <= 199:
        for i, rule in enumerate(vector.get("response_rules", [])):
            if not rule.get("enabled", True) or not compile_rule_expression(
                    rule["expression"], RESPONSE_PHASE).matches(request, response):
                continue
            params = rule["action_parameters"]
            tags = None
            if rule["action"] == "set_cache_tags":
                if "expression" in params:
                    expr = compile_rule_expression(params["expression"], RESPONSE_PHASE,
                                                   "Array<String>")
                    tags = _to_list(expr.evaluate(request, response))
                else:
                    tags = tuple(params["values"])
            actions.append(ResponseAction(_ref(rule, RESPONSE_PHASE, i), rule["action"],
                                          params, tags))
    return decide(request, response, zone=zone or Zone(), request_settings=settings,
                  request_rules=[r for r, _ in matched], response_actions=actions,
                  setting_sources=sources)
