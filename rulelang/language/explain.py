"""Why a filter was false for one request: the false sub-expression and the values of the
fields it compared, read from the values the compiler recorded while evaluating it
(:meth:`~rulelang.language.expression.CompiledExpression.explain`) — one evaluation, by the
same closures that decided the match, not a second evaluator."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from rulelang.errors import RuleLangError
from rulelang.language.expression import CompiledExpression
from rulelang.language.nodes import (
    Bare,
    Call,
    Comparison,
    Group,
    Logical,
    Not,
    Quantifier,
    Regex,
    Set,
    String,
)
from rulelang.language.printer import to_source

__all__ = ["explain_false"]

_LITERALS = (String, Bare, Regex, Set)


def _show(value: Any) -> str:
    if value is None:
        return "missing"
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


class _Explainer:
    """Says which part of one expression was false for one request, from the values the
    compiler recorded while evaluating it (:meth:`CompiledExpression.explain`): one
    evaluation, by the same closures that decided whether the rule matched."""

    def __init__(self, values: Mapping[int, Any]):
        self.to_source = to_source
        self.values = values

    def value(self, node, expect: str) -> tuple[bool, Any]:
        """(known, value) of the sub-expression ``node``: known when it was evaluated."""
        if id(node) not in self.values:
            return False, None
        value = self.values[id(node)]
        return True, (value is True) if expect == "bool" else value

    def operands(self, node) -> list[str]:
        """``field = value`` lines for the non-literal operands of a comparison or call."""
        match node:
            case Comparison(left=left, right=right):
                parts = [left] + ([] if isinstance(right, _LITERALS) else [right])
            case Call(args=args):
                parts = [a for a in args if not isinstance(a, _LITERALS)]
            case Quantifier(arg=arg):
                parts = [arg]
            case _:
                parts = []
        for part in list(parts):
            if isinstance(part, Call):
                parts.extend(a for a in part.args if not isinstance(a, _LITERALS))
        lines = []
        for part in parts:
            known, value = self.value(part, "any")
            if known:
                lines.append(f"{self.to_source(part)} = {_show(value)}")
        return lines

    def why_false(self, node, depth: int = 0) -> list[tuple[int, str]]:
        """Lines (indent, text) saying why ``node`` evaluated to false."""
        match node:
            case Group(expr=inner):
                return self.why_false(inner, depth)
            case Logical(op="and", operands=ops):
                for op in ops:
                    known, value = self.value(op, "bool")
                    if known and not value:
                        return [(depth, f"false: {self.to_source(op)}")] + \
                            self._below(op, depth + 1)
                return []
            case Logical(op="or", operands=ops):
                out = [(depth, f"none of the {len(ops)} alternatives is true:")]
                for op in ops:
                    out.append((depth + 1, f"false: {self.to_source(op)}"))
                    out.extend(self._below(op, depth + 2))
                return out
            case Not(operand=inner):
                return [(depth, f"true, so `not` makes it false: {self.to_source(inner)}")] + \
                    [(depth + 1, line) for line in self.operands(inner)]
            case _:
                return [(depth, f"false: {self.to_source(node)}")] + self._below(node, depth + 1)

    def _below(self, node, depth: int) -> list[tuple[int, str]]:
        while isinstance(node, Group):
            node = node.expr
        if isinstance(node, (Logical, Not)):
            return self.why_false(node, depth)
        return [(depth, line) for line in self.operands(node)]


def explain_false(source: str | CompiledExpression, phase: str, request: Any,
                  response: Any = None,
                  lists: Mapping[str, Any] | None = None) -> list[tuple[int, str]]:
    """Why the filter is false for this request: (indent, text) lines naming the false
    sub-expression and the values of the fields it compares.  ``source`` is the
    expression text or an already compiled expression."""
    from rulelang.language.expression import compile_expression

    if isinstance(source, str):
        try:
            compiled = compile_expression(source, phase=phase,
                                          lists=dict(lists) if lists else None)
        except RuleLangError:
            return []
    else:
        compiled = source
    _result, steps = compiled.explain(request, response)
    return _Explainer({id(step.node): step.value for step in steps}).why_false(compiled.ast)
