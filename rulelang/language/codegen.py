"""The whole-phase code generator: every filter of a phase as one Python function.

:func:`generate_phase` takes the checked filters of one phase, in rule order, and
builds one function ``run(request, response) -> list[int]`` giving the indices of the
filters that are true, in ascending order.  It is what the phase engine calls by
default; the per-expression closures of :mod:`rulelang.language.compiler` stay for
``explain``/``trace``, for the constructs the generator does not cover and for
requests that supply ``fields`` (the generated code assumes a request without
supplied values and must not be called for one — see :data:`NO_FIELDS`).

The generated function has three parts:

* a *prologue* reading each field the filters use exactly once (a request field from
  the request's field cache, else by its derivation, and cached there, as its reader
  would; other fields through their readers), and computing cheap derived values once:
  ``lower(field)``, an index chain, the leading path segments, and the *literal sets*
  (one RE2 search giving every ``contains`` literal of a field that occurs, see
  :class:`LiteralSet`);
* the *tests*: comparisons inlined as byte operations (``==``, ``bytes.find``,
  ``startswith``, a ``frozenset`` lookup), Boolean logic as Python ``and``/``or``;
  a test shared by several rules and costing more than a comparison is computed at
  most once per request (a local that starts as ``None``);
* *dispatch tables*: when enough rules require ``field eq "literal"``,
  ``field in {...}``, a path prefix (``starts_with``, an anchored ``matches``) or one
  ``contains`` literal of a field with a literal set, one dictionary lookup (or the
  set's hits) picks the rules that can match, instead of testing each.  Tables nest,
  and a rule ``A or B`` whose alternatives can all be dispatched is filed under each.

Anything the generator does not translate — a quantifier, an ``[*]`` stream, a
comparison of two values, IP ordering — is evaluated by the closure the compiler
builds for that sub-expression, so the generated function covers every filter
and gives exactly the closures' answers.

Safety: no text from a rule is ever spliced into the source.  Every literal,
compiled pattern, set and function is bound in the function's namespace under a
generated name (``K3``, ``P7``...); the source holds only those names, generated
local names and Python operators, and is compiled with :func:`compile`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from rulelang.http.derive import REQUEST_DERIVATIONS
from rulelang.http.fields import field_reader
from rulelang.language.checker import Checked, NodeInfo
from rulelang.language.compiler import compile_node
from rulelang.language.membership import membership
from rulelang.language.nodes import (
    Bare,
    BoolConst,
    Call,
    Comparison,
    Expr,
    Field,
    Group,
    Index,
    Logical,
    Not,
    String,
)
from rulelang.language.patterns.regex import Regex
from rulelang.schema import catalogue as schema
from rulelang.schema.types import BOOL, IP, STRING
from rulelang.schema.values import MISSING

__all__ = ["DISPATCH_MIN_RULES", "LITERAL_SET_MIN", "LiteralSet", "PhaseProgram", "generate_phase"]

#: A dispatch table is built when it spares at least this many rule tests (measured: a
#: dictionary lookup and its ``if`` tree beat one ``==`` test a rule from about 4 rules).
DISPATCH_MIN_RULES = 6
#: At most this many dispatch tables per phase.
_MAX_DISPATCHERS = 16

#: A field compared with at least this many ``contains`` literals gets one literal set
#: (measured: one set search costs about as much as 12 to 15 `bytes.find` tests).
LITERAL_SET_MIN = 12
#: Functions cheap enough to compute eagerly in the prologue (pure, never raise).
_EAGER_CALLS = frozenset({"lower", "upper", "len"})
#: Fields whose value is never missing for a request that supplies no ``fields``.
_PRESENT = frozenset(name for name in REQUEST_DERIVATIONS if name != "ip.src")

_Phase = Callable[[Any, Any], list]
#: A dispatch key of a conjunct: (kind, key local, keys, whether the lookup replaces it).
_Key = tuple[tuple[str, str], str, tuple, bool]
_Part = tuple[str, "_Key | None"]
_Item = tuple[int, list[_Part]]
#: Dispatch tables nest at most this deep.
_MAX_DEPTH = 3
#: Logic nested deeper than this inside one filter is left to the closures (each level
#: adds parentheses, and Python's parser accepts at most 200 nested ones).
_MAX_NESTING = 48


class PhaseProgram:
    """One generated phase function and what was generated.

    ``run(request, response)`` gives the indices of the true filters in order;
    ``source`` is the generated Python text (for inspection and tests);
    ``dispatch`` names the dispatch tables built (``field`` and kind).
    """

    __slots__ = ("dispatch", "fallbacks", "run", "source")

    def __init__(self, run: _Phase, source: str, dispatch: tuple[tuple[str, str], ...],
                 fallbacks: int):
        self.run = run
        self.source = source
        self.dispatch = dispatch
        self.fallbacks = fallbacks

    def __repr__(self) -> str:
        return (f"PhaseProgram(dispatch={list(self.dispatch)!r}, "
                f"fallbacks={self.fallbacks})")


def generate_phase(filters: Sequence[Checked], *, dispatch: bool = True,
                   min_rules: int = DISPATCH_MIN_RULES,
                   min_literals: int = LITERAL_SET_MIN) -> PhaseProgram:
    """Generate the phase function of ``filters`` (checked Boolean expressions without
    errors, in rule order).  ``dispatch=False`` turns the dispatch tables off;
    ``min_rules`` and ``min_literals`` are the thresholds of dispatch tables and literal
    sets (tests lower them to exercise every shape)."""
    gen = _Generator()
    gen.min_rules = min_rules if dispatch else None
    gen.literal_fields = _many_literals(filters, min_literals)
    rules = [_RuleCode(i, c, gen) for i, c in enumerate(filters)]
    return gen.finish(rules)


class _Unsupported(Exception):
    """A construct the generator leaves to the compiler's closure."""


# --------------------------------------------------------------------------- generator


class _Generator:
    def __init__(self) -> None:
        self.ns: dict[str, Any] = {"M": MISSING}
        self._names: dict[Any, str] = {}
        self.prologue: list[str] = []
        self.supplied_fields: dict[str, str] = {}
        self._derived: dict[Any, str] = {}
        self.fallbacks = 0
        self.uses: dict[str, int] = {}
        self.min_rules: int | None = DISPATCH_MIN_RULES
        #: fields with enough ``contains`` literals for a literal set → their literals
        self.literal_fields: dict[str, list[bytes]] = {}
        self._literal_sets: dict[str, tuple[str, dict[bytes, int]]] = {}

    # -- namespace -----------------------------------------------------------------

    def bind(self, value: Any, prefix: str = "K") -> str:
        """A namespace name for ``value`` (equal literals share a name)."""
        key: Any
        if isinstance(value, (bytes, int, frozenset)) and not isinstance(value, bool):
            key = (prefix, type(value), value)
        elif isinstance(value, Regex):
            key = (prefix, "regex", value.pattern)
        else:
            key = (prefix, "id", id(value))
        name = self._names.get(key)
        if name is None:
            name = f"{prefix}{len(self._names)}"
            self._names[key] = name
            self.ns[name] = value
        return name

    # -- prologue values -----------------------------------------------------------

    def field(self, name: str) -> str:
        local = self.supplied_fields.get(name)
        if local is None:
            local = f"f{len(self.supplied_fields)}"
            self.supplied_fields[name] = local
            derive = _direct_derivation(name)
            if derive is None:
                reader = self.bind(field_reader(name), "R")
                self.prologue.append(f"{local} = {reader}(q, s)")
            else:
                # what the field's reader does for a request without supplied values,
                # without the call: the request's cache, else derive and cache
                key, fn, value_of = self.bind(name), self.bind(derive, "P"), self.bind(
                    _value_of(), "H")
                self.prologue += [f"{local} = c.get({key})",
                                  f"if {local} is None:",
                                  f"    {local} = c[{key}] = {fn}(q, {value_of})"]
        return local

    def contains(self, field: str, local: str, literal: bytes) -> str | None:
        """``field contains literal`` as a lookup in the field's literal set (one search
        for all the field's literals, in the prologue), or ``None`` when the field has
        too few literals for a set."""
        literals = self.literal_fields.get(field)
        if literals is None or literal not in literals:
            return None
        entry = self._literal_sets.get(field)
        if entry is None:
            ids = {lit: i for i, lit in enumerate(literals)}
            found = LiteralSet(literals)
            matcher, none = self.bind(found, "L"), self.bind(_NONE)
            entry = self._literal_sets[field] = (f"c{len(self._literal_sets)}", ids)
            # the set's own first checks, inline: most values are answered without a call
            guard = local if not found.common else (
                f"{local} and {local}.find({self.bind(found.common)}) >= 0")
            self.prologue.append(f"{entry[0]} = {matcher}({local}) if {guard} else {none}")
        return f"({self.bind(entry[1][literal])} in {entry[0]})"

    def literal_set(self, field: str) -> tuple[str, dict[bytes, int]] | None:
        """``(local holding the hits, literal → number)`` of a field's literal set, once
        a test has created it."""
        return self._literal_sets.get(field)

    def derived(self, key: Any, expr: str) -> str:
        local = self._derived.get(key)
        if local is None:
            local = f"d{len(self._derived)}"
            self._derived[key] = local
            self.prologue.append(f"{local} = {expr}")
        return local

    # -- output --------------------------------------------------------------------

    def finish(self, rules: list[_RuleCode]) -> PhaseProgram:
        items = [item for rule in rules for item in rule.items()]
        for _, parts in items:
            for code, _ in parts:
                self.uses[code] = self.uses.get(code, 0) + 1
        self.shared = self._shared_tests()
        self.kinds: list[tuple[str, str]] = []
        body: list[str] = ["m = []", "a = m.append"]
        body += self.emit(items, frozenset(), 0)
        if len(items) > len(rules):  # a rule filed under several alternatives
            body.append("if len(m) > 1:")
            body.append("    m = sorted(set(m))")
        elif self.kinds:
            body.append("if len(m) > 1:")
            body.append("    m.sort()")
        body.append("return m")
        lines = ["def phase(q, s):", "    c = q.field_cache"]
        lines += ["    " + line for line in self.prologue]
        lines += [f"    {local} = None" for local in self.shared.values()]
        lines += ["    " + line for line in body]
        source = "\n".join(lines) + "\n"
        compiled = compile(source, "<rulelang phase>", "exec")
        scope = dict(self.ns)
        exec(compiled, scope)  # noqa: S102 - generated from the AST; no rule text in the source
        return PhaseProgram(scope["phase"], source, tuple(self.kinds), self.fallbacks)

    def _shared_tests(self) -> dict[str, str]:
        """Costly tests used more than once → the local caching each one."""
        out: dict[str, str] = {}
        for code, count in self.uses.items():
            if count > 1 and _costly(code):
                out[code] = f"t{len(out)}"
        return out

    def emit(self, items: list[_Item], used: frozenset, depth: int) -> list[str]:
        """The code testing ``items`` (rules in order): dispatch tables where they pay,
        nested inside a bucket while one still holds many rules, an ``if`` a rule
        otherwise."""
        plans = []
        if self.min_rules is not None and depth < _MAX_DEPTH and len(items) > self.min_rules:
            plans = _plan_dispatch(items, used, self.min_rules)
        dispatched = {position for plan in plans for position in plan[3]}
        lines: list[str] = []
        for position, (index, parts) in enumerate(items):
            if position not in dispatched:
                lines.extend(self.rule_lines(index, parts))
        for kind, key_local, buckets, _ in plans:
            self.kinds.append(kind)
            keys = list(buckets)
            table = self.bind({k: i for i, k in enumerate(keys)}, "D")
            var = f"k{len(self.kinds) - 1}"
            bodies = [self.emit(buckets[k], used | {kind}, depth + 1) or ["pass"] for k in keys]
            if kind[1] == "contains":
                # the key is a set of literal numbers: each hit leads to its rules
                lines += [f"for {var}h in {key_local}:",
                          f"    {var} = {table}.get({var}h)", f"    if {var} is not None:"]
                lines.extend(_tree(var, bodies, 0, len(bodies), "        "))
                continue
            lines += [f"{var} = {table}.get({key_local})", f"if {var} is not None:"]
            lines.extend(_tree(var, bodies, 0, len(bodies), "    "))
        return lines

    def rule_lines(self, index: int, parts: Sequence[_Part]) -> list[str]:
        tests = [_use(code, self.shared) for code, _ in parts]
        if not tests:
            return [f"a({index})"]
        return [f"if {' and '.join(tests)}:", f"    a({index})"]


def _tree(var: str, bodies: list[list[str]], lo: int, hi: int, indent: str) -> list[str]:
    """A balanced ``if`` tree over the bucket number ``var`` in ``[lo, hi)``."""
    if hi - lo == 1:
        return [indent + line for line in bodies[lo]]
    if hi - lo == 2:
        return ([f"{indent}if {var} == {lo}:"] + [indent + "    " + x for x in bodies[lo]]
                + [f"{indent}else:"] + [indent + "    " + x for x in bodies[lo + 1]])
    mid = (lo + hi) // 2
    return ([f"{indent}if {var} < {mid}:"] + _tree(var, bodies, lo, mid, indent + "    ")
            + [f"{indent}else:"] + _tree(var, bodies, mid, hi, indent + "    "))


_CALL = re.compile(r"\b[TPC][0-9]+\(|\.find\(")


def _costly(code: str) -> bool:
    """Whether a test calls something (a pattern, a function, a closure, a search),
    so that keeping its result beats computing it again."""
    return _CALL.search(code) is not None


def _use(code: str, shared: dict[str, str]) -> str:
    local = shared.get(code)
    if local is None:
        return code
    return f"({local} if {local} is not None else ({local} := {code}))"


# --------------------------------------------------------------------------- one rule


class _RuleCode:
    """One filter as a conjunction of test expressions (source text), plus the
    dispatch keys it could be filed under."""

    def __init__(self, index: int, checked: Checked, gen: _Generator):
        self.index = index
        self.checked = checked
        self.gen = gen
        self.depth = 0
        #: each conjunct: its test, and the dispatch key it gives (or None)
        self.parts: list[_Part] = []
        for node in _conjuncts(checked.expr):
            self.parts.append((self.test(node), self.dispatch_key(node)))
        #: a rule ``A or B or ...`` each of whose alternatives can be dispatched is
        #: filed once per alternative (the rule number is then deduplicated)
        self.alternatives: list[list[_Part]] | None = None
        top = checked.expr
        while isinstance(top, Group):
            top = top.expr
        if isinstance(top, Logical) and top.op == "or" and self.gen.min_rules is not None:
            alternatives = [[(self.test(c), self.dispatch_key(c)) for c in _conjuncts(o)]
                            for o in top.operands]
            if all(any(k for _, k in alt) for alt in alternatives):
                self.alternatives = alternatives

    def items(self) -> list[_Item]:
        if self.alternatives is None:
            return [(self.index, self.parts)]
        return [(self.index, alt) for alt in self.alternatives]

    def info(self, node: Expr) -> NodeInfo:
        return self.checked.info[id(node)]

    def fallback(self, node: Expr) -> str:
        """The compiler's closure for ``node``, called from the generated code."""
        self.gen.fallbacks += 1
        closure = compile_node(self.checked, node)
        return f"({self.gen.bind(closure, 'C')}(q, s) is True)"

    # -- Boolean tests ---------------------------------------------------------------

    def test(self, node: Expr) -> str:
        while isinstance(node, Group):
            node = node.expr
        info = self.info(node)
        if info.type != BOOL or info.each or self.depth >= _MAX_NESTING:
            # (a deeply nested filter stays a closure: Python's parser limits nesting)
            return self.fallback(node)
        self.depth += 1
        try:
            return self._test(node, info)
        except _Unsupported:
            return self.fallback(node)
        finally:
            self.depth -= 1

    def _test(self, node: Expr, info: NodeInfo) -> str:
        match node:
            case BoolConst(value=flag):
                return "True" if flag else "False"
            case Logical(op=op, operands=operands):
                parts = [self.test(o) for o in operands]
                joiner = {"and": " and ", "or": " or "}.get(op, " ^ ")
                return "(" + joiner.join(parts) + ")"
            case Not(operand=operand):
                return f"(not {self.test(operand)})"
            case Comparison():
                return self.comparison(node)
            case Call(name="starts_with" | "ends_with", args=(first, String() as lit)):
                value, missing = self.value(first)
                if self.info(first).type != STRING or self.info(lit).const is MISSING:
                    raise _Unsupported
                method = "startswith" if node.name == "starts_with" else "endswith"
                k = self.gen.bind(self.info(lit).const)
                return _guard(value, missing, f"{value}.{method}({k})")
            case Field() | Index() | Call():
                value, _ = self.value(node)
                return f"({value} is True)"
        raise _Unsupported

    def comparison(self, node: Comparison) -> str:
        const = self.info(node).const
        if const is None or isinstance(node.right, Field) or self.info(node.left).each:
            raise _Unsupported
        value, missing = self.value(node.left)
        ltype = self.info(node.left).type
        op = node.op
        if ltype == IP and op not in ("eq", "ne", "in"):
            raise _Unsupported
        k = self.gen.bind(const)
        match op:
            case "eq":
                if ltype == IP:
                    return _guard(value, missing, f"{k} == {value}")
                return f"({value} == {k})"
            case "ne":
                return _guard(value, missing, f"{k} != {value}")
            case "lt" | "le" | "gt" | "ge":
                mirror = {"lt": ">", "le": ">=", "gt": "<", "ge": "<="}[op]
                return _guard(value, missing, f"{k} {mirror} {value}")
            case "contains":
                if ltype != STRING:
                    raise _Unsupported
                if isinstance(node.left, Field):
                    in_set = self.gen.contains(node.left.name, value, const)
                    if in_set is not None:
                        return in_set
                return _guard(value, missing, f"{value}.find({k}) >= 0")
            case "starts_with" | "ends_with":
                method = "startswith" if op == "starts_with" else "endswith"
                return _guard(value, missing, f"{value}.{method}({k})")
            case "matches" | "wildcard" | "strict wildcard":
                test = self.gen.bind(const.test, "T")
                return _guard(value, missing, f"{test}({value})")
            case "bitwise_and":
                return _guard(value, missing, f"({value} & {k}) != 0")
            case "in":
                if isinstance(const, frozenset) and ltype != IP:
                    if missing:
                        return _guard(value, missing, f"{value} in {k}")
                    return f"({value} in {k})"
                pred = self.gen.bind(membership(const), "P")
                return _guard(value, missing, f"{pred}({value})")
        raise _Unsupported

    # -- values ----------------------------------------------------------------------

    def value(self, node: Expr) -> tuple[str, bool]:
        """``(python expression, may be MISSING)`` for a non-stream value."""
        while isinstance(node, Group):
            node = node.expr
        if self.info(node).each:
            raise _Unsupported
        match node:
            case Field(name=name):
                return self.gen.field(name), name not in _PRESENT
            case String() | Bare():
                const = self.info(node).const
                return self.gen.bind(const), const is MISSING
            case Index():
                return self.index_path(node)
            case Call():
                return self.call(node)
        raise _Unsupported

    def index_path(self, node: Index) -> tuple[str, bool]:
        keys: list[Any] = []
        base: Expr = node
        while isinstance(base, Index):
            if self.info(base.target).each:
                raise _Unsupported
            keys.append(base.key)
            base = base.target
        keys.reverse()
        target, _ = self.value(base)
        helper = self.gen.bind(_index_path, "H")
        k = self.gen.bind(tuple(keys))
        return self.gen.derived(("index", target, tuple(keys)), f"{helper}({target}, {k})"), True

    def call(self, node: Call) -> tuple[str, bool]:
        impl = self.info(node).const
        if not node.args or any(self.info(a).each for a in node.args):
            raise _Unsupported
        if all(isinstance(a, (String, Bare)) for a in node.args):
            value = impl(*(self.info(a).const for a in node.args))
            return self.gen.bind(value), value is MISSING
        rest = node.args[1:]
        if not all(isinstance(a, (String, Bare)) for a in rest):
            raise _Unsupported
        first, _ = self.value(node.args[0])
        consts = tuple(self.info(a).const for a in rest)
        args = ", ".join([first] + [self.gen.bind(c) for c in consts])
        if node.name in _EAGER_CALLS:
            fn = self.gen.bind(impl, "P")
            return self.gen.derived((node.name, first, consts), f"{fn}({args})"), True
        fn = self.gen.bind(impl, "P")
        return f"{fn}({args})", True

    # -- dispatch --------------------------------------------------------------------

    def dispatch_key(self, node: Expr) -> _Key | None:
        """The dispatch key a conjunct gives: ``(kind, key local, keys, drop)`` where
        ``drop`` says the table lookup replaces the test (an exact match)."""
        while isinstance(node, Group):
            node = node.expr
        if isinstance(node, Comparison) and isinstance(node.left, Field) \
                and node.left.name in _PRESENT and self.info(node.left).type == STRING \
                and not self.info(node.left).each:
            const = self.info(node).const
            name = node.left.name
            if node.op == "eq" and isinstance(const, bytes):
                return (name, "eq"), self.gen.field(name), (const,), True
            if node.op == "in" and isinstance(const, frozenset) and const and all(
                    isinstance(c, bytes) for c in const):
                return (name, "eq"), self.gen.field(name), tuple(sorted(const)), True
            if node.op == "starts_with" and isinstance(const, bytes):
                return self.segment_key(name, const)
            if node.op == "contains" and isinstance(const, bytes):
                found = self.gen.literal_set(name)
                if found is not None and const in found[1]:
                    return (name, "contains"), found[0], (found[1][const],), True
            if node.op == "matches" and isinstance(const, Regex) and const.prefix:
                return self.segment_key(name, const.prefix)
        elif isinstance(node, Call) and node.name == "starts_with" and len(node.args) == 2 \
                and isinstance(node.args[0], Field) and node.args[0].name in _PRESENT \
                and isinstance(node.args[1], String) \
                and self.info(node.args[0]).type == STRING:
            const = self.info(node.args[1]).const
            if isinstance(const, bytes):
                return self.segment_key(node.args[0].name, const)
        return None

    def segment_key(self, name: str, prefix: bytes) -> _Key | None:
        """A prefix ``/a/b/...`` files the rule under its complete leading segments
        ``a/b`` (at most two; the prefix test itself stays in the rule)."""
        if not prefix.startswith(b"/"):
            return None
        segments = prefix[1:].split(b"/")[:-1][:2]  # only segments closed by a slash
        if not segments or not all(segments):
            return None
        depth = len(segments)
        local = self.gen.field(name)
        slash = self.gen.bind(b"/")
        if depth == 1:
            expr = f"{local}[1:].partition({slash})[0]"
        else:
            expr = f"{slash}.join({local}[1:].split({slash}, {depth})[:{depth}])"
        # a present path field always starts with a slash; the guard keeps this exact
        seg = self.gen.derived(("segment", local, depth),
                               f"{expr} if {local}[:1] == {slash} else None")
        return (name, f"segment{depth}"), seg, (b"/".join(segments),), False


def _many_literals(filters: Sequence[Checked], minimum: int) -> dict[str, list[bytes]]:
    """Fields compared with at least ``minimum`` distinct non-empty
    ``contains`` literals → those literals (in order of appearance)."""
    found: dict[str, dict[bytes, None]] = {}
    for checked in filters:
        stack: list[Any] = [checked.expr]
        while stack:
            node = stack.pop()
            if isinstance(node, Comparison) and node.op == "contains" \
                    and isinstance(node.left, Field):
                info = checked.info.get(id(node))
                left = checked.info.get(id(node.left))
                if info is not None and left is not None and not left.each \
                        and isinstance(info.const, bytes) and info.const:
                    found.setdefault(node.left.name, {})[info.const] = None
            for attr in ("left", "right", "operand", "expr", "target", "arg"):
                child = getattr(node, attr, None)
                if child is not None and not isinstance(child, (str, bytes, int)):
                    stack.append(child)
            stack.extend(getattr(node, "operands", ()))
            stack.extend(getattr(node, "args", ()))
    return {name: list(lits) for name, lits in found.items() if len(lits) >= minimum}


def _guard(value: str, missing: bool, test: str) -> str:
    if missing:
        return f"({value} is not M and {test})"
    return f"({test})"


def _conjuncts(node: Expr) -> list[Expr]:
    while isinstance(node, Group):
        node = node.expr
    if isinstance(node, Logical) and node.op == "and":
        out: list[Expr] = []
        for operand in node.operands:
            out.extend(_conjuncts(operand))
        return out
    return [node]


def _plan_dispatch(items: list[_Item], used: frozenset, min_rules: int) -> list:
    """Greedy: the key kind that spares the most rule tests first — rules it covers
    minus those in its largest bucket (a table whose keys all lead to the same rules
    spares nothing) — while that is at least ``min_rules``.  Each plan is
    ``(kind, key local, {key: items}, positions in items dispatched)`` (an item is a
    rule, or one alternative of a rule: several items may have the same rule number)."""
    # for each kind, the items that have a key of that kind: position → conjunct number
    by_kind: dict[tuple[str, str], dict[int, int]] = {}
    for position, (_, parts) in enumerate(items):
        for j, (_, key) in enumerate(parts):
            if key is not None and key[0] not in used:
                by_kind.setdefault(key[0], {}).setdefault(position, j)
    remaining = set(range(len(items)))
    plans: list[tuple[tuple[str, str], str, dict[Any, list[_Item]], set[int]]] = []
    while remaining and len(plans) < _MAX_DISPATCHERS:
        best: tuple[int, tuple[str, str], list[int]] | None = None
        for kind, where in by_kind.items():
            positions = [p for p in where if p in remaining]
            if not positions:
                continue
            sizes: dict[Any, int] = {}
            for position in positions:
                key = items[position][1][where[position]][1]
                assert key is not None  # indexed above
                for value in key[2]:
                    sizes[value] = sizes.get(value, 0) + 1
            score = len(positions) - max(sizes.values())
            if best is None or score > best[0]:
                best = (score, kind, positions)
        if best is None or best[0] < min_rules:
            break
        _, kind, positions = best
        where = by_kind.pop(kind)
        buckets: dict[Any, list[_Item]] = {}
        key_local = ""
        for position in positions:
            index, parts = items[position]
            entry = where[position]
            key = parts[entry][1]
            assert key is not None  # indexed above
            _, key_local, keys, drop = key
            kept = parts[:entry] + parts[entry + 1:] if drop else parts
            for value in keys:
                buckets.setdefault(value, []).append((index, kept))
        covered = set(positions)
        plans.append((kind, key_local, buckets, covered))
        remaining -= covered
    return plans


# --------------------------------------------------------------------------- run-time helpers


def _direct_derivation(name: str) -> Callable | None:
    """The derivation of a request field that the prologue may call itself (one whose
    value is never ``None`` and that is no deprecated alias), else ``None``."""
    info = schema.field(name)
    if info is None or info.group != "request" or info.deprecated_alias_of:
        return None
    return REQUEST_DERIVATIONS.get(name)


@cache
def _value_of() -> Callable[[Any, str], Any]:
    """What a derivation reads another field with: ``value_of(request, name)``, the
    field's reader (cached on the request), looked up in one dictionary."""
    readers = {name: field_reader(name) for name in schema.fields()}

    def value_of(request: Any, name: str) -> Any:
        return readers[name](request, None)
    return value_of


_NONE: frozenset[int] = frozenset()


def _common_substring(literals: Sequence[bytes]) -> bytes:
    """The longest text every literal contains (``b""`` when there is none)."""
    shortest = min(literals, key=len)
    for size in range(len(shortest), 0, -1):
        for start in range(len(shortest) - size + 1):
            piece = shortest[start:start + size]
            if all(piece in lit for lit in literals):
                return piece
    return b""


class LiteralSet:
    """Which of many literals occur in a value, in one pass: ``matcher(value)`` is the
    frozenset of the numbers (positions in ``literals``) of those that occur.

    An empty value, or one without the text all the literals share, holds none.
    Otherwise an RE2 set of the literals (each written byte by byte as ``\\xHH``,
    Latin-1) gives them all in one search.  A set search that runs out of memory answers "none"
    silently, so "none" is confirmed by one search of the alternation of all the
    literals — an ordinary RE2 search, exact — done first, as most values hold none;
    should the two disagree, each literal is looked for with ``bytes.find``.
    """

    __slots__ = ("_any", "_literals", "_set", "common")

    def __init__(self, literals: Sequence[bytes]):
        import re2

        from rulelang.language.patterns.regex import latin1_options, tester
        self._literals = tuple(literals)
        #: the longest text every literal contains (``b""`` when there is none)
        self.common = _common_substring(self._literals)
        escaped = [b"".join(b"\\x%02x" % c for c in lit) for lit in self._literals]
        self._any = tester(re2.compile(b"|".join(escaped), latin1_options(never_capture=True)),
                           "search")
        matcher = re2.Set.SearchSet(latin1_options(never_capture=True))
        for i, pattern in enumerate(escaped):
            if matcher.Add(pattern) != i:  # pragma: no cover - RE2 numbers them in order
                raise ValueError("unexpected RE2 set numbering")
        matcher.Compile()
        self._set = matcher.Match

    def __call__(self, value: Any) -> frozenset[int]:
        # MISSING and b"" hold no (non-empty) literal; nor does a value without the text
        # every literal contains (a bytes.find is far cheaper than an RE2 call)
        if not value or (self.common and value.find(self.common) < 0) \
                or not self._any(value):
            return _NONE
        hits = self._set(value)
        if hits:
            return frozenset(hits)
        return frozenset(i for i, lit in enumerate(self._literals) if value.find(lit) >= 0)



def _index_path(value: Any, keys: tuple) -> Any:
    """``value[k1][k2]...``, missing when any step is (as the compiler's key paths)."""
    try:
        for k in keys:
            value = value[k]
    except (IndexError, KeyError, TypeError):
        return MISSING
    return value


