"""The type checker: AST + phase → typed AST (side tables) and diagnostics.

``check(expr, phase)`` walks the AST once and records, for every node, its
:class:`NodeInfo` (static type, whether it is a per-element ``[*]`` stream,
and for literals the constant they denote).  Every problem the language
reference lists in §10 becomes a :class:`~rulelang.errors.Diagnostic` with a
stable code, the node's span and a hint; checking continues after an error so
that the user sees all of them at once.

Function-specific rules (signatures, constant arguments) come from
:mod:`rulelang.schema` and :mod:`rulelang.builtins`; literal readers from
:mod:`rulelang.literals`.  The compiler reads the side tables; it never
re-checks anything.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from rulelang.errors import Diagnostic
from rulelang.language import lints, literals, value_lints
from rulelang.language.functions import core as builtins
from rulelang.language.membership import IntRanges, IpSet, ListItems, compile_list
from rulelang.language.nodes import (
    Bare,
    BoolConst,
    Call,
    Comparison,
    Expr,
    Field,
    Group,
    Index,
    ListRef,
    Logical,
    Not,
    Quantifier,
    Regex,
    Set,
    Span,
    String,
    Unpack,
)
from rulelang.language.patterns.regex import PatternError, compile_regex
from rulelang.language.patterns.wildcard import compile_wildcard
from rulelang.schema import catalogue as schema
from rulelang.schema.types import BOOL, INT, IP, STRING, Type, array, parse_type
from rulelang.suggest import closest

__all__ = ["Checked", "ListItems", "NodeInfo", "check"]

BOOL_ARRAY = array(BOOL)
_HEADER_MAPS = {"http.request.headers", "http.response.headers", "raw.http.response.headers"}
_QUERY_FIELDS = {"http.request.uri.query", "raw.http.request.uri.query"}
_ORDERING = {"lt", "le", "gt", "ge"}
_VALUE_RHS_OPS = {"eq", "ne", "lt", "le", "gt", "ge", "bitwise_and"}
_STRING_ONLY_OPS = {"contains", "matches", "wildcard", "strict wildcard", "starts_with",
                    "ends_with"}
_REPLACERS = {"regex_replace", "wildcard_replace"}
_EXPAND_RANGES = 4096  # integer range elements up to this many values become a hash set


@dataclass(frozen=True, slots=True)
class NodeInfo:
    """What the checker knows about one node.

    ``type`` is the static type (the element type when ``each`` is true, i.e.
    the node is a per-element stream produced by ``[*]``).  ``const`` is the
    compile-time object the compiler needs: a literal's value, a compiled
    regex or wildcard, a set matcher, a bound function implementation.
    """

    type: Type
    each: bool = False
    const: Any = None


@dataclass
class Checked:
    """The typed AST: the expression, its type, per-node info, and diagnostics."""

    expr: Expr
    phase: str
    type: Type
    info: dict[int, NodeInfo]
    diagnostics: list[Diagnostic]
    fields: frozenset[str]
    source: str | None = None

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)

    def __getitem__(self, node: Expr) -> NodeInfo:
        return self.info[id(node)]


class _Abort(Exception):
    """Stop checking a subtree after its error was reported."""


def check(expr: Expr, phase: str = schema.REQUEST_PHASE, *, expect: str | Type = "bool",
          lists: Mapping[str, Any] | None = None, source: str | None = None,
          strict: bool = False, lists_unknown: bool = False) -> Checked:
    """Type-check ``expr`` for ``phase``.

    ``expect`` is ``"bool"`` (a filter), ``"any"`` (a value of any type), or a
    type (``"Array<String>"`` for a ``set_cache_tags`` expression).  ``lists``
    gives the items of ``$name`` lists.  ``strict`` turns rulelang's
    extensions (the infix ``starts_with``) into errors.  ``lists_unknown`` (lint,
    with no lists supplied at all) accepts every ``$name`` with an RL214 note: the
    lists live in the account, and the compiled filter treats them as empty.
    """
    return _Checker(schema.normalize_phase(phase), lists or {}, source, strict,
                    lists_unknown and lists is None).run(expr, expect)


class _Checker:
    def __init__(self, phase: str, lists: Mapping[str, Any], source: str | None, strict: bool,
                 lists_unknown: bool = False):
        self.phase = phase
        self.lists = lists
        self.lists_unknown = lists_unknown
        self.source = source
        self.strict = strict
        self.info: dict[int, NodeInfo] = {}
        self.diags: list[Diagnostic] = []
        self.fields: set[str] = set()
        self.replacers: list[Call] = []

    # ------------------------------------------------------------------ reporting

    def report(self, code: str, message: str, span: Span, hint: str = "",
               severity: str = "") -> None:
        self.diags.append(Diagnostic(
            code=code, message=message, line=span.line, column=span.column,
            end_line=span.end_line, end_column=span.end_column, hint=hint,
            severity=severity, source=self.source))

    def fail(self, code: str, message: str, span: Span, hint: str = "") -> NoReturn:
        self.report(code, message, span, hint, severity="error")
        raise _Abort

    def literal_error(self, err: literals.LiteralError, span: Span) -> NoReturn:
        """Report a literal reader's error, narrowing the span to the bad part."""
        offset = getattr(err, "offset", 0) or 0
        length = getattr(err, "length", 0) or 0
        if span.line == span.end_line and (offset or length):
            start = span.column + offset
            end = start + max(length, 1)
            span = Span(span.line, start, span.line, min(end, span.end_column) or end,
                        span.start + offset, span.start + offset + max(length, 1))
        self.fail(err.code, err.message, span, getattr(err, "hint", ""))

    def note(self, node: Expr, info: NodeInfo) -> NodeInfo:
        self.info[id(node)] = info
        return info

    # ------------------------------------------------------------------ entry

    def run(self, expr: Expr, expect: str | Type) -> Checked:
        result_type = BOOL
        try:
            top = self.expr(expr)
            result_type = top.type if not top.each else array(top.type)
            self.check_top(expr, top, expect)
            for f in value_lints.expression_findings(expr):
                self.report(f.code, f.message, f.span, f.hint)
        except _Abort:
            pass
        if len(self.replacers) > 1:
            for call in self.replacers[1:]:
                self.report("RL308", "only one regex_replace() or wildcard_replace() is allowed "
                            "per expression", call.span,
                            "split the logic over several rules, or simplify the pattern")
        return Checked(expr, self.phase, result_type, self.info, self.diags,
                       frozenset(self.fields), self.source)

    def check_top(self, expr: Expr, top: NodeInfo, expect: str | Type) -> None:
        if expect == "any":
            if top.each:
                self.fail("RL210", "a value expression cannot end in [*]", expr.span,
                          "pass the array itself, or map it through a function")
            return
        if expect == "bool":
            if top.each or top.type == BOOL_ARRAY and not isinstance(expr, (Field, Index, Call)):
                self.fail("RL207", "this comparison gives one result per element "
                          "(Array<Bool>), but a filter needs a single Bool", expr.span,
                          "wrap it in any(...) or all(...)")
            if top.type != BOOL:
                what = f"a value of type {top.type}"
                hint = "compare it with an operator, e.g. `… eq \"value\"`"
                if top.type == BOOL_ARRAY:
                    hint = "wrap it in any(...) or all(...)"
                self.fail("RL207", f"a filter must be a Boolean, but this is {what}",
                          expr.span, hint)
            return
        want = expect if isinstance(expect, Type) else parse_type(expect)
        if isinstance(expr, (Comparison, Logical, Not, Group, Quantifier, BoolConst)):
            self.fail("RL213", f"a value expression of type {want} is needed here, "
                      "not a filter", expr.span, "use a field or a function call")
        if top.each:
            self.fail("RL210", "a value expression cannot end in [*]", expr.span,
                      "pass the array to a function instead, e.g. lower(x[*])")
        if top.type != want:
            self.fail("RL213", f"this expression has type {top.type}, but {want} is needed",
                      expr.span, _value_hint(want))

    # ------------------------------------------------------------------ dispatch

    def expr(self, node: Expr) -> NodeInfo:
        match node:
            case Field():
                return self.field(node)
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
            case Group():
                return self.note(node, self.expr(node.expr))
            case Quantifier():
                return self.quantifier(node)
            case BoolConst():
                return self.note(node, NodeInfo(BOOL, const=node.value))
            case String() | Bare() | Regex() | Set() | ListRef():
                self.fail("RL110", "a literal cannot stand here on its own", node.span,
                          "literals go on the right of a comparison operator or inside a "
                          "function call")
        raise AssertionError(f"unknown node {node!r}")  # pragma: no cover

    # ------------------------------------------------------------------ values

    def field(self, node: Field) -> NodeInfo:
        info = schema.field(node.name)
        if info is None:
            excluded = schema.excluded_fields().get(node.name)
            if excluded is not None:
                self.fail("RL203", f"field {node.name} is not available in the cache phases",
                          node.span, excluded.get("reason", ""))
            if node.name in schema.FUNCTIONS:
                self.fail("RL201", f"{node.name} is a function, not a field", node.span,
                          f"call it: {node.name}(...)")
            if node.name in ("true", "false"):
                self.fail("RL201", f"the language has no Boolean literal {node.name}",
                          node.span, "a Boolean field is a filter by itself (`ssl`, `not ssl`); "
                          f"only the whole expression `{node.name}` is accepted")
            self.fail("RL201", f"unknown field {node.name}", node.span,
                      _did_you_mean(node.name, schema.fields()))
        if self.phase not in info.phases:
            self.fail("RL203", f"{node.name} is a response field; it cannot be read in "
                      f"{self.phase}", node.span,
                      "response fields exist only in http_response_cache_settings "
                      "(Cache Response Rules)")
        if info.availability == "unverified":
            self.report("RL512", f"{node.name} is not documented for the cache phases",
                        node.span, "Cloudflare may reject this field in a cache rule")
        self.fields.add(node.name)
        return self.note(node, NodeInfo(info.type))

    def index(self, node: Index) -> NodeInfo:
        target = self.expr(node.target)
        t = target.type
        if isinstance(node.key, int):
            if not t.is_array:
                self.fail("RL209", f"[{node.key}] indexes an array, but this is {t}", node.span,
                          '[*] or ["key"] for a map' if t.is_map else "only arrays take [n]")
        else:
            if not t.is_map:
                self.fail("RL209", f'["…"] looks up a map key, but this is {t}', node.span,
                          "use [0], [1], … on an array" if t.is_array else
                          "only maps take [\"key\"]")
            try:
                key_text = node.key.decode("utf-8")
            except UnicodeDecodeError:
                self.fail("RL209", "a map key must be valid UTF-8", node.span)
            if (isinstance(node.target, Field) and node.target.name in _HEADER_MAPS
                    and key_text != key_text.lower()):
                self.report("RL503", f'header names are lower-case in {node.target.name}, so '
                            f'["{key_text}"] never matches', node.span,
                            f'write ["{key_text.lower()}"]')
        return self.note(node, NodeInfo(t.element, target.each))

    def unpack(self, node: Unpack) -> NodeInfo:
        target = self.expr(node.target)
        if not target.type.is_collection:
            self.fail("RL210", f"[*] needs an array or a map, but this is {target.type}",
                      node.span)
        return self.note(node, NodeInfo(target.type.element, True))

    # ------------------------------------------------------------------ calls

    def call(self, node: Call) -> NodeInfo:
        fn = schema.function(node.name)
        if fn is None:
            hint = _did_you_mean(node.name, schema.CACHE_PHASE_FUNCTIONS)
            if schema.field(node.name) is not None:
                hint = f"{node.name} is a field; fields are not called"
            self.fail("RL202", f"unknown function {node.name}()", node.span, hint)
        if node.name not in schema.CACHE_PHASE_FUNCTIONS:
            self.fail("RL204", f"{node.name}() is not available in {self.phase}", node.span,
                      "the cache phases offer: "
                      + ", ".join(sorted(schema.CACHE_PHASE_FUNCTIONS)))
        n = len(node.args)
        if n < fn.min_args or (fn.max_args is not None and n > fn.max_args):
            want = (f"at least {fn.min_args}" if fn.max_args is None else
                    str(fn.min_args) if fn.min_args == fn.max_args else
                    f"{fn.min_args} to {fn.max_args}")
            self.fail("RL301", f"{node.name}() takes {want} argument"
                      f"{'' if want == '1' else 's'}, but {n} {'was' if n == 1 else 'were'} "
                      "given", node.span, fn.signature())
        if node.name in _REPLACERS:
            self.replacers.append(node)
        infos: list[NodeInfo] = []
        lits: list[Any] = []
        for i, arg in enumerate(node.args):
            param = fn.params[min(i, len(fn.params) - 1)]
            info, lit = self.argument(arg, param, i, node)
            infos.append(info)
            lits.append(lit)
        mapped = bool(infos) and infos[0].each
        types = [inf.type for inf in infos]
        result = self.call_types(node, fn, types)
        if node.name == "remove_query_args":
            first = node.args[0]
            if not (isinstance(first, Field) and first.name in _QUERY_FIELDS):
                self.fail("RL304", "remove_query_args() works only on http.request.uri.query "
                          "or raw.http.request.uri.query", first.span,
                          "pass the query field itself")
        try:
            impl, problems = builtins.bind_with_warnings(node.name, lits, types)
        except builtins.ArgumentProblem as bad:
            span = node.args[bad.index].span if bad.index is not None and bad.index < n \
                else node.span
            self.fail(bad.code, bad.message, span, bad.hint)
        for p in problems:
            span = node.args[p.index].span if p.index is not None and p.index < n else node.span
            self.report(p.code, p.message, span, p.hint, severity=p.severity)
        if mapped:
            return self.note(node, NodeInfo(array(result), False, const=impl))
        return self.note(node, NodeInfo(result, False, const=impl))

    def argument(self, arg: Expr, param: schema.Param, i: int, call: Call
                 ) -> tuple[NodeInfo, Any]:
        if isinstance(arg, (String, Bare)):
            if param.kind == "value":
                self.fail("RL303", f"argument {i + 1} of {call.name}() must be a field or a "
                          "function call, not a literal", arg.span,
                          f"Cloudflare requires a field here, e.g. "
                          f"{call.name}(http.request.uri.path, …)")
            if isinstance(arg, String):
                return self.note(arg, NodeInfo(STRING, const=arg.value)), arg.value
            try:
                t, value = literals.parse_function_literal(arg.text)
            except literals.LiteralError as e:
                self.literal_error(e, arg.span)
            return self.note(arg, NodeInfo(t, const=value)), value
        if isinstance(arg, (Regex, Set, ListRef)):
            self.fail("RL302", f"argument {i + 1} of {call.name}() cannot be a "
                      f"{'set' if isinstance(arg, Set) else 'list reference'}", arg.span)
        info = self.expr(arg)
        if param.kind == "literal":
            self.fail("RL303", f"argument {i + 1} ({param.name}) of {call.name}() must be a "
                      "literal", arg.span, "write the value itself, e.g. \",\" or 10")
        if info.each and i > 0:
            self.fail("RL210", f"[*] is allowed only in the first argument of {call.name}()",
                      arg.span, "map over the first argument only")
        return info, builtins.NOT_LITERAL

    def call_types(self, node: Call, fn: schema.Function, types: list[Type]) -> Type:
        """Check argument types against the signature; return the result type."""
        bindings: dict[str, Type] = {}
        for i, t in enumerate(types):
            param = fn.params[min(i, len(fn.params) - 1)]
            if not any(_unify(p, t, bindings) for p in param.types):
                if fn.name in ("concat", "coalesce") and i > 0:
                    want = str(types[0])
                else:
                    want = " or ".join(_show(p, bindings) for p in param.types)
                hint = ""
                if fn.name == "concat" and t == INT:
                    hint = "convert it with to_string(...)"
                elif fn.name == "len" and t.is_map:
                    hint = "len() counts strings and arrays; use len(x.names) for a map's keys"
                self.fail("RL302", f"argument {i + 1} of {fn.name}() must be {want}, but it is "
                          f"{t}", node.args[i].span, hint)
            if fn.name in ("concat", "coalesce") and i > 0 and t != types[0]:
                self.fail("RL302", f"argument {i + 1} of {fn.name}() must be {types[0]} like "
                          f"the first one, but it is {t}", node.args[i].span,
                          "convert it with to_string(...)" if t == INT else "")
        if fn.returns == "$1":
            return types[0]
        return parse_type(fn.returns)

    # ------------------------------------------------------------------ comparisons

    def comparison(self, node: Comparison) -> NodeInfo:
        left = self.expr(node.left)
        t, op = left.type, node.op
        if op == "in" and isinstance(node.right, ListRef) and t not in (STRING, INT, IP):
            self.fail("RL212", f"lists hold IPs, integers or strings; {t} cannot be in a list",
                      node.right.span)
        if t in (BOOL, BOOL_ARRAY) or t.is_collection:
            hint = ("a Boolean is a filter by itself: write `ssl` or `not ssl`" if t == BOOL
                    else "index it first, e.g. x[0], or use any(x[*] …)")
            self.fail("RL205", f"the operator {node.spelling or op} cannot be used on "
                      f"{t}", lints.op_span(node), hint)
        if op in _STRING_ONLY_OPS and t != STRING:
            self.fail("RL205", f"{node.spelling or op} works on strings, but the left side "
                      f"is {t}", lints.op_span(node), _int_ip_hint(t))
        if op == "bitwise_and" and t != INT:
            self.fail("RL205", f"& (bitwise_and) works on integers, but the left side is {t}",
                      lints.op_span(node))
        if op in _ORDERING and t == IP:
            self.report("RL506", "Cloudflare documents ordering operators as unsupported "
                        "for IP addresses", lints.op_span(node),
                        "use `in {a.b.c.d/len}` or a range `in {first..last}`")
        const = self.right_operand(node, t)
        self.lint_comparison(node)
        return self.note(node, NodeInfo(BOOL_ARRAY if left.each else BOOL, const=const))

    def right_operand(self, node: Comparison, t: Type) -> Any:
        right, op = node.right, node.op
        if op == "in":
            if isinstance(right, Set):
                return self.set_literal(right, t, node)
            if isinstance(right, ListRef):
                return self.list_ref(right, t, node)
            self.fail("RL108", "`in` needs a set in braces or a $list", right.span,
                      "write `in {…}`, e.g. ip.src in {192.0.2.0/24}")
        if isinstance(right, Set):
            self.fail("RL108", f"a set can only follow `in`, not {node.spelling or op}",
                      right.span, f"write `{lints.lhs_text(node)} in {{…}}`")
        if op == "matches":
            if not isinstance(right, Regex):
                self.fail("RL206", "matches needs a regex literal (a quoted or raw string)",
                          right.span)
            try:
                rx = compile_regex(right.pattern)
            except PatternError as e:
                self.fail(e.code, e.message, right.span, e.hint)
            self.note(right, NodeInfo(STRING, const=rx))
            self.report("RL511", "the matches operator needs a Business or Enterprise plan",
                        lints.op_span(node))
            return rx
        if op in ("wildcard", "strict wildcard"):
            if not isinstance(right, String) or right.text[:1] not in ('"', "r", ""):
                self.fail("RL206", f"{op} needs a quoted or raw string pattern", right.span,
                          'e.g. wildcard "/images/*"')
            try:
                wc = compile_wildcard(right.value, case_sensitive=(op == "strict wildcard"))
            except PatternError as e:
                self.fail(e.code, e.message, right.span, e.hint)
            self.note(right, NodeInfo(STRING, const=wc))
            return wc
        if isinstance(right, ListRef):
            self.fail("RL212", "a $list can only follow `in`", right.span)
        if isinstance(right, (String, Bare)):
            want = INT if op == "bitwise_and" else t
            value = self.scalar_literal(right, want, node)
            self.note(right, NodeInfo(want, const=value))
            return value
        if op not in _VALUE_RHS_OPS:
            self.fail("RL206", f"the right side of {node.spelling or op} must be a literal",
                      right.span, "only eq ne lt le gt ge & accept a field or function on the "
                      "right")
        info = self.expr(right)
        if info.each:
            self.fail("RL210", "the right side of a comparison cannot contain [*]", right.span,
                      "put the [*] value on the left")
        want = INT if op == "bitwise_and" else t
        if info.type != want:
            self.fail("RL206", f"cannot compare {t} with {info.type}", right.span,
                      "both sides of a comparison must have the same type")
        return None

    def scalar_literal(self, lit: String | Bare, t: Type, node: Comparison) -> Any:
        if t == STRING:
            if isinstance(lit, String):
                return lit.value
            if _looks_numeric(lit.text):
                try:
                    return literals.parse_byte_string(lit.text)
                except literals.LiteralError:
                    pass
            self.fail("RL206", f"{lints.lhs_text(node)} is a String, so the value must be a quoted "
                      f"string, not {lit.text}", lit.span, f'write "{lit.text}"')
        if isinstance(lit, String):
            example = {"Int": "200", "IP": "192.0.2.1"}.get(t.kind, "")
            self.fail("RL206", f"{lints.lhs_text(node)} is {_article(t)}, so the value must be "
                      f"{_article(t)} literal without quotes, not a string", lit.span,
                      f"drop the quotes, e.g. {example}" if example else "")
        try:
            if t == INT:
                return literals.parse_int(lit.text)
            if t == IP:
                if "/" in lit.text or ".." in lit.text:
                    self.fail("RL106", "CIDRs and ranges are allowed only inside a set",
                              lit.span, f"write `{lints.lhs_text(node)} in {{{lit.text}}}`")
                return literals.parse_ip(lit.text)
        except literals.LiteralError as e:
            self.literal_error(e, lit.span)
        self.fail("RL206", f"cannot compare {t} with a literal", lit.span)

    def set_literal(self, node: Set, t: Type, cmp: Comparison) -> Any:
        strings: set[bytes] = set()
        ints: set[int] = set()
        ranges: list[tuple] = []
        nets: list = []
        for el in node.elements:
            if t == STRING:
                if isinstance(el, String):
                    strings.add(el.value)
                    continue
                try:
                    strings.add(literals.parse_byte_string(el.text))
                    continue
                except literals.LiteralError:
                    self.fail("RL108", f"every element of this set must be a string, because "
                              f"{lints.lhs_text(cmp)} is a String", el.span, f'write "{el.text}"')
            if isinstance(el, String):
                self.fail("RL108", f"every element of this set must be {_article(t)}, not a "
                          "string", el.span, "drop the quotes")
            try:
                kind, *vals = literals.parse_set_element(el.text, t.kind)
            except literals.LiteralError as e:
                self.literal_error(e, el.span)
            if kind == "int":
                ints.add(vals[0])
            elif kind == "ip":
                nets.append(ipaddress.ip_network(vals[0]))
            elif kind == "cidr":
                nets.append(vals[0])
            elif kind == "range":
                ranges.append((vals[0], vals[1]))
        if not node.elements:
            self.report("RL510", "an empty set never matches", node.span)
        const: frozenset[bytes] | frozenset[int] | IntRanges | IpSet
        if t == STRING:
            const = frozenset(strings)
        elif t == INT:
            # small ranges are expanded so that membership is one hash lookup
            if sum(hi - lo + 1 for lo, hi in ranges) <= _EXPAND_RANGES:
                for lo, hi in ranges:
                    ints.update(range(lo, hi + 1))
                ranges = []
            const = frozenset(ints) if not ranges else IntRanges(frozenset(ints), tuple(ranges))
        else:
            const = IpSet(tuple(nets), tuple(ranges))
        self.note(node, NodeInfo(t, const=const))
        return const

    def list_ref(self, node: ListRef, t: Type, cmp: Comparison) -> ListItems:
        if t not in (STRING, INT, IP):
            self.fail("RL212", f"lists hold IPs, integers or strings; {t} cannot be in a list",
                      node.span)
        if node.name not in self.lists and self.lists_unknown:
            self.report("RL214", f"list ${node.name} is not checked: its items live in the "
                        "account", node.span, "supply them with --list "
                        f"{node.name}=FILE or --lists FILE.json to check and evaluate them")
            compiled = compile_list(node.name, [], t, False)
            self.note(node, NodeInfo(t, const=compiled))
            return compiled
        if node.name not in self.lists:
            self.fail("RL212", f"list ${node.name} was not supplied", node.span,
                      "pass its items: lists={\"" + node.name + "\": [...]}"
                      + _did_you_mean(node.name, self.lists, prefix=" — "))
        items = self.lists[node.name]
        if isinstance(items, ListItems):
            return items
        try:
            compiled = compile_list(node.name, items, t,
                                     isinstance(cmp.left, Field) and cmp.left.name == "http.host")
        except (TypeError, ValueError) as e:
            self.fail("RL212", f"list ${node.name}: {e}", node.span)
        self.note(node, NodeInfo(t, const=compiled))
        return compiled

    def lint_comparison(self, node: Comparison) -> None:
        for finding in lints.comparison_findings(node):
            if finding.code == "RL501" and self.strict:
                self.fail(finding.code, finding.message, finding.span, finding.hint)
            self.report(finding.code, finding.message, finding.span, finding.hint)

    # ------------------------------------------------------------------ logic

    def not_(self, node: Not) -> NodeInfo:
        inner = self.expr(node.operand)
        t = array(inner.type) if inner.each else inner.type
        if t not in (BOOL, BOOL_ARRAY):
            self.fail("RL207", f"not needs a Boolean, but this is {t}", node.operand.span,
                      "compare the value first, e.g. not x eq \"a\"")
        return self.note(node, NodeInfo(t))

    def logical(self, node: Logical) -> NodeInfo:
        kinds: list[Type] = []
        sources: set[str] = set()
        infos: list[NodeInfo] = []
        failed = False
        for operand in node.operands:  # check every operand, so that all errors are reported
            try:
                infos.append(self.expr(operand))
            except _Abort:
                failed = True
        if failed:
            raise _Abort
        for operand, info in zip(node.operands, infos):
            t = array(info.type) if info.each else info.type
            if t not in (BOOL, BOOL_ARRAY):
                self.fail("RL207", f"{node.op} needs Boolean operands, but this is {t}",
                          operand.span, "compare the value first, e.g. x eq \"a\"")
            kinds.append(t)
            if t == BOOL_ARRAY:
                sources.add(lints.array_source(operand))
        if len(set(kinds)) > 1:
            bad = node.operands[kinds.index(BOOL_ARRAY)]
            self.fail("RL208", f"{node.op} mixes a Bool with an Array<Bool> (a comparison "
                      "over [*])", bad.span, "wrap the [*] comparison in any(...) or all(...)")
        if len(sources - {""}) > 1:
            self.report("RL507", "these [*] comparisons walk different arrays; the engine "
                        "pairs their elements by position and stops at the shorter one",
                        node.span, "make sure the arrays line up, or use separate any()/all()")
        return self.note(node, NodeInfo(kinds[0]))

    def quantifier(self, node: Quantifier) -> NodeInfo:
        inner = self.expr(node.arg)
        if inner.each:
            self.fail("RL211", f"{node.name}() takes the Array<Bool> itself, not its elements "
                      "([*])", node.arg.span, "drop the trailing [*]")
        t = inner.type
        if t != BOOL_ARRAY:
            hint = ("compare the elements: e.g. any(x[*] eq \"a\")" if t.is_array
                    else f"{node.name}() needs a comparison over [*], e.g. "
                         f"{node.name}(http.request.headers.names[*] eq \"x\")")
            self.fail("RL211", f"{node.name}() needs an Array<Bool>, but this is {t}",
                      node.arg.span, hint)
        if node.name == "all" and lints.may_be_missing(node.arg):
            self.report("RL513", "all() is true when the array is missing or empty",
                        node.span, "add a presence test if that is not what you want")
        return self.note(node, NodeInfo(BOOL))


# ---------------------------------------------------------------------- helpers


def _unify(pattern: str, t: Type, bindings: dict[str, Type]) -> bool:
    """Match a signature type such as ``Array<T>`` against ``t``, binding ``T``."""
    if pattern == "T":
        bound = bindings.get("T")
        if bound is None:
            bindings["T"] = t
            return True
        return bound == t
    for kind in ("Array", "Map"):
        if pattern.startswith(kind + "<"):
            return t.kind == kind and _unify(pattern[len(kind) + 1:-1], t.element, bindings)
    return parse_type(pattern) == t


def _show(pattern: str, bindings: dict[str, Type]) -> str:
    if "T" in bindings:
        return pattern.replace("<T>", f"<{bindings['T']}>").replace("T", str(bindings["T"]))
    return pattern.replace("<T>", "<…>")


def _did_you_mean(name: str, candidates, prefix: str = "") -> str:
    close = closest(name, candidates)
    return f"{prefix}did you mean {close}?" if close else ""


def _article(t: Type) -> str:
    return {"Int": "an Int", "IP": "an IP"}.get(t.kind, f"a {t}")


def _int_ip_hint(t: Type) -> str:
    if t == INT:
        return "compare numbers with eq, lt, ge…, or test membership with in {…}"
    if t == IP:
        return "test addresses with eq or in {a.b.c.d/len}"
    return ""


def _value_hint(want: Type) -> str:
    if want == array(STRING):
        return 'build the array with split(…), e.g. split(http.response.headers["x"][0], ",", 64)'
    return ""


def _looks_numeric(text: str) -> bool:
    return all(c in "0123456789abcdefABCDEF:" for c in text)
