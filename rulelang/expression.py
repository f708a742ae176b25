"""``compile_expression``: the public entry point of the language pipeline.

    text ──parse──▶ AST ──check──▶ typed AST ──compile──▶ closure

A :class:`CompiledExpression` is immutable and safe to share between threads.
"""

from __future__ import annotations

from typing import Any, Mapping

from . import schema
from .checker import Checked, check
from .compiler import Closure, compile
from .errors import Diagnostic, ExpressionError
from .nodes import Expr
from .parser import parse
from .types import BOOL
from .values import to_python

__all__ = ["compile_expression", "CompiledExpression"]


class CompiledExpression:
    """A checked and compiled expression.

    ``source`` is the text, ``type`` its type as printed by the reference
    (``"Bool"``, ``"Array<String>"``), ``fields`` the field names it reads,
    ``diagnostics`` its warnings and notes, ``ast`` the parsed expression.
    """

    __slots__ = ("source", "phase", "ast", "checked", "_run", "type", "fields", "diagnostics")

    def __init__(self, source: str, phase: str, checked: Checked, run: Closure):
        self.source = source
        self.phase = phase
        self.ast: Expr = checked.expr
        self.checked = checked
        self._run = run
        self.type = str(checked.type)
        self.fields = checked.fields
        self.diagnostics: list[Diagnostic] = list(checked.diagnostics)

    def matches(self, request, response=None) -> bool:
        """Whether the filter is true for this request (and response)."""
        return self._run(request, response) is True

    def evaluate(self, request, response=None) -> Any:
        """The expression's value as a Python object (``None`` when missing).

        Strings are ``str`` when they are valid UTF-8, else ``bytes``; arrays are
        lists; maps are dicts; IP addresses are ``ipaddress`` objects.
        """
        return to_python(self._run(request, response))

    def evaluate_raw(self, request, response=None) -> Any:
        """The value in rulelang's internal form (bytes strings, tuples, ``MISSING``)."""
        return self._run(request, response)

    def __repr__(self) -> str:
        return f"CompiledExpression({self.source!r}, type={self.type})"


def compile_expression(source: str, phase: str = schema.REQUEST_PHASE, expect: str = "bool",
                       lists: Mapping[str, Any] | None = None, *,
                       strict: bool = False) -> CompiledExpression:
    """Parse, type-check and compile ``source`` for ``phase``.

    ``expect`` is ``"bool"`` for a filter (the default), ``"any"`` for a value
    of any type, or a type name such as ``"Array<String>"`` (the
    ``set_cache_tags`` expression).  ``lists`` supplies the items of ``$name``
    lists.  ``strict`` rejects rulelang's extensions (infix ``starts_with``).

    Raises :class:`~rulelang.errors.ExpressionError` carrying every diagnostic
    when the expression has an error.
    """
    if not isinstance(source, str):
        raise ExpressionError([Diagnostic("RL101", "an expression must be text, not "
                                          f"{type(source).__name__}")], source=None)
    try:
        phase = schema.normalize_phase(phase)
    except ValueError as e:
        raise ExpressionError([Diagnostic("RL101", str(e))], source=source) from None
    ast = parse(source)
    try:
        checked = check(ast, phase, expect=expect if expect != "Bool" else "bool", lists=lists,
                        source=source, strict=strict)
    except ValueError as e:  # an `expect` that is not a type
        raise ExpressionError([Diagnostic("RL213", str(e))], source=source) from None
    if not checked.ok:
        raise ExpressionError(checked.diagnostics, source=source)
    return CompiledExpression(source, phase, checked, compile(checked))


# The filter type, for callers that compare ``expr.type``.
FILTER_TYPE = str(BOOL)
