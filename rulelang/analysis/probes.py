"""Probe requests: cheap evidence before the solver is asked.

Most questions of the rule-set analysis have a "no" answer that one concrete request shows:
a rule that matches some probe is satisfiable, a rule that misses some probe is not valid, a
probe that rule ``i`` matches and every later candidate misses shows they do not cover it.
Probes are built from the literals of the rules themselves (each field's values, prefixes
with something appended, wildcard patterns with their stars filled), run through the
compiled filters, and kept as bit masks per rule.  Evidence from probes only ever *saves* a
solver call whose answer would have been "no claim"; every claim still comes from z3.

A probe sets field values directly (``Request(fields=...)``), one value per field, exactly
as the encoding of :mod:`rulelang.analysis.encode` treats fields: as independent variables.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from rulelang.analysis import compiled
from rulelang.errors import RuleLangError
from rulelang.http.messages import Request
from rulelang.language import literals
from rulelang.language.nodes import Bare, Call, Comparison, Field, Regex, Set, String, walk
from rulelang.rules.ruleset import Rule
from rulelang.schema import catalogue as schema

__all__ = ["Probes"]

#: Probes aimed at each rule, and shared ones.
PER_RULE = 4
SHARED = 16
_GENERIC: dict[str, list[Any]] = {"String": ["", "/", "x"], "Int": [0, 200], "Bool": [True, False]}


def _type(name: str) -> str:
    info = schema.field(name)
    return str(info.type) if info is not None else ""


def _strings(op: str, lit: bytes) -> list[bytes]:
    if op in ("eq", "in", "ne"):
        return [lit, lit + b"x"]
    if op == "contains":
        return [lit, b"x" + lit + b"x"]
    if op == "starts_with":
        return [lit, lit + b"x"]
    if op == "ends_with":
        return [lit, b"x" + lit]
    if op in ("wildcard", "strict wildcard"):
        filled = lit.replace(b"\\\\", b"\x00").replace(b"\\*", b"\x01").replace(b"*", b"a")
        filled = filled.replace(b"\x00", b"\\").replace(b"\x01", b"*")
        return [filled, filled.upper()]
    return [lit]


def _ints(node: Comparison) -> list[int]:
    elements = node.right.elements if isinstance(node.right, Set) else [node.right]
    out = []
    for e in elements:
        if not isinstance(e, Bare):
            continue
        try:
            _, *values = literals.parse_set_element(e.text, "Int")
        except literals.LiteralError:
            continue
        for v in values:
            out += [v - 1, v, v + 1]
    return out


@lru_cache(maxsize=1024)
def _regex_example(pattern: str) -> bytes | None:
    """One string the regex finds a match in (from z3), or ``None``."""
    import z3

    from rulelang.analysis.patterns import Untranslatable, regex_to_z3
    try:
        re = regex_to_z3(pattern)
    except Untranslatable:
        return None
    x = z3.String("x")
    solver = z3.Solver()
    solver.set("timeout", 200)
    solver.add(z3.InRe(x, re), z3.InRe(x, z3.Star(z3.Union(z3.Range(" ", "["),
                                                          z3.Range("]", "~")))))
    if solver.check() != z3.sat:
        return None
    return solver.model()[x].as_string().encode("latin-1", "replace")


def values_of(rule: Rule) -> dict[str, list]:
    """Field → candidate values taken from the literals of one rule."""
    out: dict[str, list] = {}
    for node in walk(compiled(rule).ast):
        left = right = None
        op = ""
        if isinstance(node, Comparison):
            left, op, right = node.left, node.op, node.right
        elif isinstance(node, Call) and node.name in ("starts_with", "ends_with") \
                and len(node.args) == 2:
            left, op, right = node.args[0], node.name, node.args[1]
        if isinstance(left, Call) and left.name in ("lower", "upper") and left.args:
            left = left.args[0]
        if not isinstance(left, Field) or _type(left.name) not in _GENERIC:
            continue
        kind = _type(left.name)
        found = out.setdefault(left.name, [])
        if kind == "String":
            if isinstance(right, String):
                found += _strings(op, right.value)
            elif isinstance(right, Set):
                found += [e.value for e in right.elements if isinstance(e, String)]
            elif isinstance(right, Regex):
                example = _regex_example(right.pattern)
                if example is not None:
                    found.append(example)
        elif kind == "Int" and isinstance(node, Comparison):
            found += _ints(node)
    for node in walk(compiled(rule).ast):
        if isinstance(node, Field) and _type(node.name) in _GENERIC:
            out.setdefault(node.name, [])
    return out


class Probes:
    """Probe requests for a list of rules, and for each rule the masks of the probes it
    matches (``yes``) and does not match (``no``); a probe that raised is in neither."""

    def __init__(self, rules: list[Rule]):
        own = {r.index: values_of(r) for r in rules}
        pool: dict[str, list] = {}
        for values in own.values():
            for name, vals in values.items():
                pool.setdefault(name, []).extend(vals)
        assignments = []
        rng = random.Random(11)
        for r in rules:
            mine = own[r.index]
            # every field at its first literal: satisfies a chain of tests joined by `and`
            assignments.append({k: (v[0] if v else _GENERIC.get(_type(k), [""])[0])
                                for k, v in mine.items()})
            assignments += [self._assign(mine, pool, rng) for _ in range(PER_RULE)]
            # one field at a time with its own values, the others plain: each alternative
            # of an `or` gets a probe of its own
            for name, own_values in mine.items():
                if own_values and len(mine) > 1:
                    plain = {k: _GENERIC.get(_type(k), [""])[0] for k in mine}
                    assignments.append({**plain, name: rng.choice(own_values)})
        for _ in range(SHARED):
            assignments.append(self._assign(pool, pool, rng))
        unique = {tuple(sorted(a.items(), key=lambda kv: kv[0])): a for a in assignments}
        #: the field values of each probe, as given to ``Request(fields=...)``
        self.fields = [_texts(a) for a in unique.values()]
        self.requests = [_request(a) for a in self.fields]
        self.all = (1 << len(self.requests)) - 1
        self.yes: dict[int, int] = {}
        self.no: dict[int, int] = {}
        for r in rules:
            self.yes[r.index], self.no[r.index] = self._run(r)

    @staticmethod
    def _assign(mine: dict[str, list], pool: dict[str, list], rng: random.Random) -> dict:
        out: dict[str, Any] = {}
        for name, values in mine.items():
            choices: list[Any] = values or pool.get(name) or _GENERIC.get(_type(name), [""])
            if rng.random() < 0.25:
                choices = pool.get(name) or choices
            if rng.random() < 0.1:
                choices = _GENERIC.get(_type(name), choices)
            out[name] = rng.choice(choices)
        return out

    def _run(self, rule: Rule) -> tuple[int, int]:
        yes = no = 0
        run = compiled(rule).run
        for k, request in enumerate(self.requests):
            result = _evaluate(run, request)
            if result is True:
                yes |= 1 << k
            elif result is False:
                no |= 1 << k
        return yes, no

    def escaping(self, rule: int, later: int) -> dict[str, Any] | None:
        """The field values of a probe ``rule`` matches and ``later`` does not."""
        left = self.yes[rule] & self.no[later]
        if not left:
            return None
        return self.fields[(left & -left).bit_length() - 1]

    def uncovered(self, rule: int, candidates: Iterable[int]) -> bool:
        """Some probe matches ``rule`` and misses every candidate."""
        left = self.yes[rule]
        for j in candidates:
            left &= self.no[j]
            if not left:
                return False
        return bool(left)


def _evaluate(run, request: Request) -> bool | None:
    """The filter's result on a probe; ``None`` (no evidence) when it cannot be evaluated."""
    try:
        return run(request, None) is True
    except (RuleLangError, ValueError, TypeError, LookupError):
        return None


def _texts(fields: dict) -> dict[str, Any]:
    return {k: (v.decode("latin-1") if isinstance(v, bytes) else v) for k, v in fields.items()}


def _request(fields: dict) -> Request:
    return Request(method="GET", url="https://example.com/", fields=fields)
