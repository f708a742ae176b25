"""The compiler: typed AST → one Python closure ``f(request, response) -> value``.

One small compile function per node kind.  Everything that does not depend on
the request happens here, once: regexes, wildcard matchers, sets, ranges and
networks were built by the checker (they are in its side tables); constant
function calls are folded; each field is read through
:func:`rulelang.fields.field_reader`, which extracts it at most once per
message.  No AST is walked at evaluation time.

``compile(checked, hook=...)`` lets an explaining caller wrap every
sub-closure (``hook(node, closure) -> closure``) to record values, which is
how ``rulelang trace`` shows which part of a filter was false.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from functools import partial
from typing import Any

from rulelang.http.fields import field_reader
from rulelang.http.messages import NO_FIELDS
from rulelang.language.checker import Checked, NodeInfo
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
    Quantifier,
    String,
    Unpack,
)
from rulelang.schema import catalogue as schema
from rulelang.schema.types import BOOL, IP
from rulelang.schema.values import MISSING

__all__ = ["Closure", "compile", "compile_node"]

Closure = Callable[[Any, Any], Any]
Hook = Callable[[Expr, Closure], Closure]


def compile(checked: Checked, *, hook: Hook | None = None) -> Closure:
    """Compile a checked expression (it must have no errors) into a closure."""
    if not checked.ok:
        raise ValueError("cannot compile an expression with errors")
    return _Compiler(checked, hook).top(checked.expr)


def compile_node(checked: Checked, node: Expr) -> Closure:
    """The closure of one Boolean sub-expression ``node`` of ``checked`` (exactly
    ``True``/``False``): what the whole-phase generator calls for a construct it does
    not translate itself."""
    if not checked.ok:
        raise ValueError("cannot compile an expression with errors")
    return _Compiler(checked, None).bool_operand(node)


class _Compiler:
    def __init__(self, checked: Checked, hook: Hook | None):
        self.checked = checked
        self.hook = hook

    def info(self, node: Expr) -> NodeInfo:
        return self.checked.info[id(node)]

    def top(self, node: Expr) -> Closure:
        if self.checked.type == BOOL:
            return self.bool_operand(node)
        return self.node(node)

    def node(self, node: Expr) -> Closure:
        f = self.build(node)
        return self.hook(node, f) if self.hook is not None else f

    def build(self, node: Expr) -> Closure:
        match node:
            case Field(name=name):
                return field_reader(name)
            case Index():
                return self.index(node)
            case Unpack():
                return self.unpack(node)
            case Call():
                return self.call(node)
            case Comparison():
                return self.comparison(node)
            case Not():
                return self.not_(node)
            case Logical():
                return self.logical(node)
            case Group(expr=inner):
                return self.node(inner)
            case Quantifier():
                return self.quantifier(node)
            case BoolConst(value=value):
                return _const(value)
            case String() | Bare():
                return _const(self.info(node).const)
        raise AssertionError(f"cannot compile {node!r}")  # pragma: no cover

    # ------------------------------------------------------------------ values

    def index(self, node: Index) -> Closure:
        if not self.info(node.target).each:
            if self.hook is None:
                return self.key_path(node)
            return _key1(self.node(node.target), node.key)
        target = self.node(node.target)
        key = node.key

        def each(q, s):
            out = []
            for v in target(q, s):
                try:
                    out.append(v[key])
                except (IndexError, KeyError):
                    pass
            return out
        return each

    def key_path(self, node: Index) -> Closure:
        """A chain of indexes such as ``http.request.headers["accept"][0]``, as one closure
        reading the field (inline from the request's cache) and applying every key."""
        keys: list[int | bytes] = []
        base: Expr = node
        while isinstance(base, Index) and not self.info(base.target).each:
            keys.append(base.key)
            base = base.target
        keys.reverse()
        root = self.node(base)
        name = base.name if isinstance(base, Field) and self.is_request_field(base) else None
        if name is not None and len(keys) == 2:
            k1, k2 = keys

            def field_key2(q, s):
                v = q.field_cache.get(name, _UNSET)
                if v is _UNSET:
                    v = root(q, s)
                try:
                    return v[k1][k2]
                except (IndexError, KeyError, TypeError):
                    return MISSING
            return field_key2
        if len(keys) == 1:
            return _key1(root, keys[0])

        def path(q, s):
            v = root(q, s)
            try:
                for k in keys:
                    v = v[k]
            except (IndexError, KeyError, TypeError):
                return MISSING
            return v
        return path

    def unpack(self, node: Unpack) -> Closure:
        target = self.node(node.target)
        if self.info(node.target).each:
            def flatten(q, s):
                out: list[Any] = []
                for v in target(q, s):
                    out.extend(v.values() if isinstance(v, dict) else v)
                return out
            return flatten

        def elements(q, s):
            v = target(q, s)
            if v is MISSING:
                return ()
            return tuple(v.values()) if isinstance(v, dict) else v
        return elements

    def call(self, node: Call) -> Closure:
        impl = self.info(node).const
        args = [self.node(a) for a in node.args]
        if all(isinstance(a, (String, Bare)) for a in node.args):
            return _const(impl(*(a(None, None) for a in args)))
        if self.info(node.args[0]).each:
            first, rest = args[0], args[1:]

            def mapped(q, s):
                extra = [a(q, s) for a in rest]
                out = []
                for v in first(q, s):
                    r = impl(v, *extra)
                    if r is not MISSING:
                        out.append(r)
                return tuple(out)
            return mapped
        trailing = node.args[1:]
        if all(isinstance(a, (String, Bare)) for a in trailing):
            # the common shape f(value, "literal", ...): constants bound once
            consts = tuple(self.info(a).const for a in trailing)
            first = args[0]
            if isinstance(node.args[0], Field) and self.hook is None and self.is_request_field(
                    node.args[0]):
                return _field_call(node.args[0].name, first, impl, consts)
            if not consts:
                return lambda q, s: impl(first(q, s))
            if len(consts) == 1:
                (c1,) = consts
                return lambda q, s: impl(first(q, s), c1)
            return lambda q, s: impl(first(q, s), *consts)
        if len(args) == 2:
            a, b = args
            return lambda q, s: impl(a(q, s), b(q, s))
        return lambda q, s: impl(*[a(q, s) for a in args])

    def call_test(self, node: Comparison, pred: Callable[[Any], bool]) -> Closure | None:
        """``f(value, "literal", ...) op literal`` as one closure: the call inlined."""
        call = node.left
        if (self.hook is not None or not isinstance(call, Call)
                or self.info(call.args[0]).each
                or not all(isinstance(a, (String, Bare)) for a in call.args[1:])
                or isinstance(call.args[0], (String, Bare))):
            return None
        impl = self.info(call).const
        first = self.node(call.args[0])
        consts = tuple(self.info(a).const for a in call.args[1:])
        if not consts:
            def test0(q, s):
                v = impl(first(q, s))
                return v is not MISSING and pred(v)
            return test0
        if len(consts) == 1:
            (c1,) = consts

            def test1(q, s):
                v = impl(first(q, s), c1)
                return v is not MISSING and pred(v)
            return test1

        def test(q, s):
            v = impl(first(q, s), *consts)
            return v is not MISSING and pred(v)
        return test

    def is_request_field(self, node: Field) -> bool:
        """Whether ``node`` is a request field (cached on the Request object)."""
        info = schema.field(node.name)
        return info is not None and info.group == "request"

    # ------------------------------------------------------------------ comparisons

    def comparison(self, node: Comparison) -> Closure:
        const = self.info(node).const
        right_is_value = const is None and not isinstance(node.right, (String, Bare))
        if right_is_value:
            left = self.node(node.left)
            pred2 = _BINARY[node.op]
            if self.info(node.left).type == IP:
                pred2 = _ip_binary(node.op)
            right = self.node(node.right)
            if self.info(node.left).each:
                def each2(q, s):
                    b = right(q, s)
                    if b is MISSING:
                        return tuple(False for _ in left(q, s))
                    return tuple(pred2(a, b) for a in left(q, s))
                return each2

            def two(q, s):
                a = left(q, s)
                if a is MISSING:
                    return False
                b = right(q, s)
                return b is not MISSING and pred2(a, b)
            return two
        pred = self.predicate(node, const)
        fused = self.call_test(node, pred)  # before compiling the call on its own
        if fused is not None:
            return fused
        left = self.node(node.left)
        if self.info(node.left).each:
            return lambda q, s: tuple(pred(v) for v in left(q, s))
        if isinstance(node.left, Field) and self.hook is None:
            return _field_test(node.left.name, left, node.op, const, pred,
                               self.info(node.left).type == IP,
                               response=not self.is_request_field(node.left))
        if node.op == "eq" and self.info(node.left).type != IP:
            return lambda q, s: left(q, s) == const

        def one(q, s):
            v = left(q, s)
            return v is not MISSING and pred(v)
        return one

    def predicate(self, node: Comparison, const: Any) -> Callable[[Any], bool]:
        """A test on a present left value against the compiled right operand."""
        op = node.op
        is_ip = self.info(node.left).type == IP
        match op:
            case "eq" | "ne":
                return partial(_BINARY[op], const)
            case "lt" | "le" | "gt" | "ge":
                if is_ip:
                    cmp = _ORDER[op]
                    return lambda v: v.version == const.version and cmp(v, const)
                # `v < c` is `c > v`: a C-level partial, no Python frame per test
                return partial(_ORDER[_MIRROR[op]], const)
            case "contains":
                find = bytes.find  # ~2x faster than `in`, which tries an int first
                return lambda v: find(v, const) >= 0
            case "matches" | "wildcard" | "strict wildcard":
                return const.test
            case "starts_with":
                return lambda v: v.startswith(const)
            case "ends_with":
                return lambda v: v.endswith(const)
            case "bitwise_and":
                return lambda v: (v & const) != 0
            case "in":
                return membership(const)
        raise AssertionError(op)  # pragma: no cover

    # ------------------------------------------------------------------ logic

    def not_(self, node: Not) -> Closure:
        inner = self.bool_operand(node.operand)
        if self.info(node).type == BOOL:
            return lambda q, s: not inner(q, s)

        def negate_each(q, s):
            v = inner(q, s)
            return () if v is MISSING else tuple(not x for x in v)
        return negate_each

    def logical(self, node: Logical) -> Closure:
        ops = [self.bool_operand(o) for o in node.operands]
        if self.info(node).type != BOOL:
            return _zip_logical(node.op, ops)
        if node.op == "and":
            if len(ops) == 2:
                a, b = ops
                return lambda q, s: a(q, s) and b(q, s)
            return lambda q, s: all(o(q, s) for o in ops)
        if node.op == "or":
            if len(ops) == 2:
                a, b = ops
                return lambda q, s: a(q, s) or b(q, s)
            return lambda q, s: any(o(q, s) for o in ops)

        def xor(q, s):
            result = False
            for o in ops:
                result ^= o(q, s)
            return result
        return xor

    def bool_operand(self, node: Expr) -> Closure:
        """A Boolean operand that yields exactly True/False (never MISSING)."""
        f = self.node(node)
        while isinstance(node, Group):
            node = node.expr
        if isinstance(node, (Field, Index, Call)) and self.info(node).type == BOOL \
                and not self.info(node).each:
            if isinstance(node, Field) and self.hook is None and self.is_request_field(node):
                return _field_test(node.name, f, "is_true", True, _is_true_value, False)
            fused = self.affix_call(node)
            if fused is not None:
                return fused
            return _is_true(f)
        return f

    def affix_call(self, node: Expr) -> Closure | None:
        """``starts_with(field, "literal")`` / ``ends_with(...)`` of a request field as
        one closure (the field read inline, the method called directly)."""
        if (self.hook is not None or not isinstance(node, Call)
                or node.name not in ("starts_with", "ends_with") or len(node.args) != 2
                or not isinstance(node.args[0], Field) or not isinstance(node.args[1], String)
                or not self.is_request_field(node.args[0]) or self.info(node.args[0]).each):
            return None
        const = self.info(node.args[1]).const
        if not isinstance(const, bytes):
            return None
        op = "starts_with" if node.name == "starts_with" else "ends_with"
        field = node.args[0]
        pred = (lambda v: v.startswith(const)) if op == "starts_with" else (
            lambda v: v.endswith(const))
        return _field_test(field.name, field_reader(field.name), op, const, pred, False)

    def quantifier(self, node: Quantifier) -> Closure:
        fused = self.fused_quantifier(node)
        if fused is not None:
            return fused
        arg = self.node(node.arg)
        if node.name == "any":
            def any_(q, s):
                v = arg(q, s)
                return v is not MISSING and any(x is True for x in v)
            return any_

        def all_(q, s):
            v = arg(q, s)
            return v is not MISSING and all(x is True for x in v)
        return all_

    def fused_quantifier(self, node: Quantifier) -> Closure | None:
        """``any(x[*] op literal)`` / ``all(...)`` without the intermediate Bool array."""
        cmp = node.arg
        if (self.hook is not None or not isinstance(cmp, Comparison)
                or not self.info(cmp.left).each or self.info(cmp).const is None):
            return None
        left = self.node(cmp.left)
        const = self.info(cmp).const
        if node.name == "any" and cmp.op == "eq" and self.info(cmp.left).type != IP:
            return lambda q, s: const in left(q, s)
        pred = self.predicate(cmp, const)
        if node.name == "any":
            return lambda q, s: any(map(pred, left(q, s)))
        return lambda q, s: all(map(pred, left(q, s)))


# ---------------------------------------------------------------------- helpers


def _key1(target: Closure, key: int | bytes) -> Closure:
    """``target[key]``, missing when the target is missing or has no such key/index."""
    def key1(q, s):
        try:
            return target(q, s)[key]
        except (IndexError, KeyError, TypeError):
            return MISSING
    return key1


def _const(value: Any) -> Closure:
    return lambda q, s: value


def _is_true(f: Closure) -> Closure:
    return lambda q, s: f(q, s) is True


def _is_true_value(v: Any) -> bool:
    return v is True


_ORDER = {"lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge}
_MIRROR = {"lt": "gt", "le": "ge", "gt": "lt", "ge": "le"}
_BINARY = {
    "eq": operator.eq, "ne": operator.ne, **_ORDER,
    "bitwise_and": lambda a, b: (a & b) != 0,
}


def _ip_binary(op: str) -> Callable[[Any, Any], bool]:
    if op in _ORDER:
        cmp = _ORDER[op]
        return lambda a, b: a.version == b.version and cmp(a, b)
    return _BINARY[op]


_UNSET = object()


def _field_test(name: str, read: Closure, op: str, const: Any, pred: Callable[[Any], bool],
                is_ip: bool, response: bool = False) -> Closure:
    """A comparison of a field with a constant, fused into one closure.

    The hot path reads the request's field cache directly (``Request.field_cache``
    holds every derived request field already extracted, keyed by name, see
    :mod:`rulelang.fields`) and falls back to the field reader, which derives,
    applies overrides and caches.  The common operators are inlined.  Response
    fields are cached on the Response (``response=True``).
    """
    if response:
        return _response_field_test(name, read, op, const, pred, is_ip)
    if op == "is_true":
        def is_true(q, s):
            v = q.field_cache.get(name, _UNSET)
            if v is _UNSET:
                v = read(q, s)
            return v is True
        return is_true
    if op == "eq" and not is_ip:
        def eq(q, s):
            v = q.field_cache.get(name, _UNSET)
            if v is _UNSET:
                v = read(q, s)
            return v == const
        return eq
    if op == "in" and isinstance(const, frozenset):
        def in_set(q, s):
            v = q.field_cache.get(name, _UNSET)
            if v is _UNSET:
                v = read(q, s)
            return v in const
        return in_set
    if op == "starts_with" or op == "ends_with":
        method = bytes.startswith if op == "starts_with" else bytes.endswith

        def affix(q, s):
            v = q.field_cache.get(name, _UNSET)
            if v is _UNSET:
                v = read(q, s)
            return v is not MISSING and method(v, const)
        return affix
    if op == "contains":
        def contains(q, s):
            v = q.field_cache.get(name, _UNSET)
            if v is _UNSET:
                v = read(q, s)
            return v is not MISSING and v.find(const) >= 0
        return contains

    def test(q, s):
        v = q.field_cache.get(name, _UNSET)
        if v is _UNSET:
            v = read(q, s)
        return v is not MISSING and pred(v)
    return test


def _response_field_test(name: str, read: Closure, op: str, const: Any,
                         pred: Callable[[Any], bool], is_ip: bool) -> Closure:
    """:func:`_field_test` for a response field (cached on ``Response.field_cache``).

    A request that supplies field values (``Request.fields``) may override a response
    field, and the response's cache does not know which request it was paired with, so
    the fast path is taken only for requests without supplied values."""
    if op in ("eq", "in") and not is_ip and not callable(getattr(const, "search", None)):
        test = const.__eq__ if op == "eq" else pred

        def eq_or_in(q, s):
            v = (s.field_cache.get(name, _UNSET) if s is not None and (
                q.supplied_fields is NO_FIELDS or name not in q.supplied_fields) else _UNSET)
            if v is _UNSET:
                v = read(q, s)
            return v is not MISSING and test(v) is True
        return eq_or_in

    def generic(q, s):
        v = (s.field_cache.get(name, _UNSET) if s is not None and (
                q.supplied_fields is NO_FIELDS or name not in q.supplied_fields) else _UNSET)
        if v is _UNSET:
            v = read(q, s)
        return v is not MISSING and pred(v)
    return generic


def _field_call(name: str, read: Closure, impl: Callable, consts: tuple) -> Closure:
    """``f(field, literal, ...)`` fused: the field read inline, the literals bound."""
    if len(consts) == 1:
        (c1,) = consts

        def call1(q, s):
            v = q.field_cache.get(name, _UNSET)
            if v is _UNSET:
                v = read(q, s)
            return impl(v, c1)
        return call1

    def call(q, s):
        v = q.field_cache.get(name, _UNSET)
        if v is _UNSET:
            v = read(q, s)
        return impl(v, *consts)
    return call


def _zip_logical(op: str, ops: list[Closure]) -> Closure:
    def combine(q, s):
        arrays = [o(q, s) for o in ops]
        if any(a is MISSING for a in arrays):
            return ()
        out = []
        for row in zip(*arrays):
            if op == "and":
                out.append(all(row))
            elif op == "or":
                out.append(any(row))
            else:
                out.append(sum(1 for x in row if x) % 2 == 1)
        return tuple(out)
    return combine

