"""``compile_expression``: the public entry point of the language pipeline.

    text ──parse──▶ AST ──check──▶ typed AST ──compile──▶ closure

A :class:`CompiledExpression` is immutable and safe to share between threads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rulelang.errors import Diagnostic, ExpressionError, RuleLangError
from rulelang.language.checker import Checked, check
from rulelang.language.compiler import Closure, compile
from rulelang.language.nodes import Expr, Span
from rulelang.language.parser import parse
from rulelang.schema import catalogue as schema
from rulelang.schema.types import BOOL, parse_type
from rulelang.schema.values import to_python

if TYPE_CHECKING:  # imported where used: compiling an expression needs no HTTP messages
    from rulelang.http.messages import Request, Response

__all__ = ["CompiledExpression", "Step", "compile_expression"]


@dataclass(frozen=True, slots=True)
class Step:
    """One evaluated sub-expression, as recorded by :meth:`CompiledExpression.explain`.

    ``node`` is the AST node, ``text`` its source text, ``value`` its public
    Python value (``None`` when missing; a tuple of Booleans for a ``[*]``
    comparison).
    """

    node: Expr
    text: str
    span: Span
    value: Any


class CompiledExpression:
    """A checked and compiled expression.

    ``source`` is the text, ``type`` its type as printed by the reference
    (``"Bool"``, ``"Array<String>"``), ``fields`` the field names it reads,
    ``diagnostics`` its warnings and notes, ``ast`` the parsed expression.
    ``run(request, response)`` is the compiled closure itself: it returns the
    internal value (a filter returns exactly ``True`` or ``False``), for callers
    such as the phase engine that evaluate many expressions per request.
    """

    __slots__ = ("ast", "checked", "diagnostics", "fields", "phase", "run", "source", "type")

    def __init__(self, source: str, phase: str, checked: Checked, run: Closure) -> None:
        self.source = source
        self.phase = phase
        self.ast: Expr = checked.expr
        self.checked = checked
        self.run = run
        self.type = str(checked.type)
        self.fields = checked.fields
        self.diagnostics: list[Diagnostic] = list(checked.diagnostics)

    def matches(self, request: Request | Mapping[str, Any],
                response: Response | Mapping[str, Any] | None = None) -> bool:
        """Whether the filter is true for this request (and response).

        ``request``/``response`` are :class:`~rulelang.Request`/:class:`~rulelang.Response`
        objects, or dicts in the sample format (converted on each call).
        """
        try:
            return self.run(request, response) is True
        except AttributeError:
            return self.run(*_messages(request, response)) is True

    def evaluate(self, request: Request | Mapping[str, Any],
                 response: Response | Mapping[str, Any] | None = None) -> Any:
        """The expression's value as a Python object (``None`` when missing).

        Strings are ``str`` when they are valid UTF-8, else ``bytes``; arrays are
        lists; maps are dicts; IP addresses are ``ipaddress`` objects.
        """
        return to_python(self.evaluate_raw(request, response))

    def evaluate_raw(self, request: Request | Mapping[str, Any],
                     response: Response | Mapping[str, Any] | None = None) -> Any:
        """The value in rulelang's internal form (bytes strings, tuples, ``MISSING``)."""
        try:
            return self.run(request, response)
        except AttributeError:
            return self.run(*_messages(request, response))

    def explain(self, request: Request | Mapping[str, Any],
                response: Response | Mapping[str, Any] | None = None) -> tuple[Any, list[Step]]:
        """Evaluate once more, recording the value of every sub-expression.

        Returns the result and the steps in evaluation order (inner parts first).
        Parts that were not evaluated (short-circuited ``and``/``or``) are absent.
        The same compiler is used, with a hook wrapping each sub-closure, so the
        explanation cannot disagree with :meth:`matches`.
        """
        steps: list[tuple[Expr, Any]] = []

        def hook(node: Expr, closure: Closure) -> Closure:
            def recorded(q: Any, s: Any) -> Any:
                value = closure(q, s)
                steps.append((node, value))
                return value
            return recorded

        result = compile(self.checked, hook=hook)(*_messages(request, response))
        out = []
        for node, value in steps:
            span = node.span
            text = self.source[span.start:span.end] if span.end > span.start else ""
            out.append(Step(node, text, span, to_python(value)))
        return to_python(result), out

    def __repr__(self) -> str:
        return f"CompiledExpression({self.source!r}, type={self.type})"


def _messages(request: Any, response: Any) -> tuple[Request, Response | None]:
    """``(request, response)`` as message objects; dicts in the sample format are
    converted; anything else is a :class:`RuleLangError`."""
    from rulelang.http.messages import Request, Response

    if isinstance(request, Mapping):
        request = Request.from_dict(dict(request))
    if isinstance(response, Mapping):
        response = Response.from_dict(dict(response))
    if not isinstance(request, Request):
        raise RuleLangError(f"expected a rulelang.Request, got {type(request).__name__}")
    if response is not None and not isinstance(response, Response):
        raise RuleLangError(f"expected a rulelang.Response or None, got "
                            f"{type(response).__name__}")
    return request, response


def compile_expression(source: str, phase: str = schema.REQUEST_PHASE, expect: str = "bool",
                       lists: Mapping[str, Any] | None = None, *,
                       strict: bool = False, lists_unknown: bool = False) -> CompiledExpression:
    """Parse, type-check and compile ``source`` for ``phase``.

    ``expect`` is ``"bool"`` for a filter (the default), ``"any"`` for a value
    of any type, or a type name such as ``"Array<String>"`` (the
    ``set_cache_tags`` expression).  ``lists`` supplies the items of ``$name``
    lists.  ``strict`` rejects rulelang's extensions (infix ``starts_with``).
    ``lists_unknown`` (for linting, when no lists are supplied at all) accepts every
    ``$name`` with an RL214 note instead of an error; such an expression treats
    the lists as empty, so it is for checking, not for evaluating.

    Raises :class:`~rulelang.errors.ExpressionError` carrying every diagnostic
    when the expression has an error.
    """
    if not isinstance(source, str):
        raise ExpressionError([Diagnostic("RL101", "an expression must be text, not "
                                          f"{type(source).__name__}")], source=None)
    if lists is not None and not isinstance(lists, Mapping):
        raise ExpressionError([Diagnostic("RL212", "lists must be a mapping of list name to "
                                          f"items, not {type(lists).__name__}")], source=source)
    try:
        phase = schema.normalize_phase(phase)
    except ValueError as e:
        raise ExpressionError([Diagnostic("RL101", str(e))], source=source) from None
    if expect not in ("bool", "any"):
        try:
            if parse_type(expect) == BOOL:  # "Bool", "Boolean": a filter
                expect = "bool"
        except (TypeError, ValueError):
            raise ExpressionError([Diagnostic(
                "RL213", f"expect={expect!r} is not a type", hint='use "bool", "any" or a '
                'type name such as "Array<String>"')], source=source) from None
    ast = parse(source)
    checked = check(ast, phase, expect=expect, lists=lists, source=source, strict=strict,
                    lists_unknown=lists_unknown)
    if not checked.ok:
        raise ExpressionError(checked.diagnostics, source=source)
    return CompiledExpression(source, phase, checked, compile(checked))

