"""Warnings and notes of language reference §10.2: comparisons that are legal but
almost certainly not what the author meant, and facts worth knowing.

Each check returns :class:`Finding` records; the checker turns them into
diagnostics (and, in strict mode, the rulelang extension RL501 into an error).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from rulelang.language.nodes import (
    Call,
    Comparison,
    Expr,
    Field,
    Group,
    Index,
    Logical,
    Not,
    Regex,
    Set,
    Span,
    String,
    Unpack,
)

__all__ = [
    "Finding",
    "array_source",
    "comparison_findings",
    "lhs_text",
    "may_be_missing",
    "op_span",
]


class Finding(NamedTuple):
    code: str
    message: str
    span: Span
    hint: str = ""


def comparison_findings(node: Comparison) -> Iterator[Finding]:
    """RL501, RL502, RL504, RL505 and RL510 for one comparison."""
    right = node.right
    text = right.value if isinstance(right, String) else None
    if node.op in ("starts_with", "ends_with"):
        # the parser gives an infix affix operator a string literal on the right
        shown = right.text if isinstance(right, String) and right.text else repr(text)
        yield Finding("RL501", f"infix {node.op} is not an operator of Cloudflare's engine (the "
                      "cache docs use it, the operators page calls it invalid)", op_span(node),
                      f"write {node.op}({lhs_text(node)}, {shown})")
    for lit in _case_literals(node):
        yield from _case_findings(node, lit)
    constant = ((node.op == "contains" and text == b"")
                or (node.op in ("wildcard", "strict wildcard") and text == b"*")
                or (node.op == "matches" and isinstance(right, Regex)
                    and right.pattern in _ALWAYS_MATCHING))
    if constant:
        yield Finding("RL510", "this comparison is true for every present value", right.span,
                      "remove it, or test presence with len(...) ge 0")


#: Regexes that find a match in every value (``.`` never fails to match zero times).
_ALWAYS_MATCHING = frozenset({"", ".*", "^.*", ".*?", "^.*?", "(.*)", "^(.*)", "(?:.*)",
                              "^(?:.*)", "(?s).*", "(?s:.*)"})


#: Operators whose result depends on the exact case of the literal (§10.2, RL502).
_CASE_EXACT_OPS = frozenset({"eq", "ne", "in", "contains", "starts_with", "ends_with",
                             "strict wildcard"})


def _case_literals(node: Comparison) -> list[String]:
    """The string literals a case-exact comparison tests against (one, or a set's)."""
    if node.op not in _CASE_EXACT_OPS:
        return []
    if isinstance(node.right, String):
        return [node.right]
    if isinstance(node.right, Set):
        return [e for e in node.right.elements if isinstance(e, String)]
    return []


def _case_findings(node: Comparison, lit: String) -> Iterator[Finding]:
    """RL502, RL504, RL505: a literal whose case the left side can never have."""
    text, shown = lit.value, lit.value.decode("utf-8", "replace")
    if isinstance(node.left, Call) and node.left.name in ("lower", "upper"):
        to_lower = node.left.name == "lower"
        if shown != (shown.lower() if to_lower else shown.upper()):
            outcome = ("this element never matches" if node.op == "in" else
                       f"this comparison is always {'true' if node.op == 'ne' else 'false'}")
            yield Finding("RL502", f"{node.left.name}() never returns "
                          f"{'upper' if to_lower else 'lower'}-case letters, so {outcome}",
                          lit.span, f'write "{shown.lower() if to_lower else shown.upper()}"')
    if isinstance(node.left, Field):
        name = node.left.name
        if name == "http.request.uri.path.extension" and (
                text != text.lower() or text.startswith(b".")):
            yield Finding("RL504", "the path extension is lower-case and has no leading dot",
                          lit.span, f'write "{shown.lstrip(".").lower()}"')
        if name == "http.request.method" and text != text.upper():
            yield Finding("RL505", "request methods are upper-case", lit.span,
                          f'write "{shown.upper()}"')


def op_span(node: Comparison) -> Span:
    """The span of the operator of a comparison (between its operands)."""
    a, b = node.left.span, node.right.span
    if a.end_line == b.line and b.column > a.end_column:
        return Span(a.end_line, a.end_column + 1, b.line, max(b.column - 1, a.end_column + 2),
                    a.end + 1, max(b.start - 1, a.end + 2))
    return node.span


def lhs_text(node: Comparison) -> str:
    match node.left:
        case Field(name=name):
            return name
    return "the left side"


def array_source(node: Expr) -> str:
    """The field a mapped comparison walks (for RL507), or ''."""
    while True:
        match node:
            case Group(expr=e) | Not(operand=e):
                node = e
            case Comparison(left=e):
                node = e
            case Call(args=args) if args:
                node = args[0]
            case Index(target=e) | Unpack(target=e):
                node = e
            case Field(name=name):
                return name.removesuffix(".names").removesuffix(".values")
            case _:
                return ""


def may_be_missing(node: Expr) -> bool:
    """Whether a quantifier's array may be missing (a map lookup or an index on the way)."""
    stack = [node]
    while stack:
        n = stack.pop()
        match n:
            case Index():
                return True
            case Group(expr=e) | Not(operand=e) | Unpack(target=e):
                stack.append(e)
            case Comparison(left=e):
                stack.append(e)
            case Logical(operands=ops):
                stack.extend(ops)
            case Call(args=args) if args:
                stack.append(args[0])
    return False

