"""AST of the Rules language: small frozen node classes, each with a source span.

The parser (:mod:`rulelang.parser`) builds these from lark's parse tree; the
checker, the compiler and the printer read them with ``match``.  Spans and the
spellings a user chose (``==`` vs ``eq``) do not take part in equality, so
``parse(print(ast)) == ast`` compares structure and values only.

Unquoted literals (integers, IP addresses, CIDRs, ranges, byte strings) are
kept as :class:`Bare` text: their type depends on the left operand (language
reference §5.2), so the checker decides what they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "COMPARISON_OPS",
    "Bare",
    "BoolConst",
    "Call",
    "Comparison",
    "Expr",
    "Field",
    "Group",
    "Index",
    "ListRef",
    "Logical",
    "Not",
    "Quantifier",
    "Regex",
    "Set",
    "Span",
    "String",
    "Unpack",
    "walk",
]


@dataclass(frozen=True, slots=True)
class Span:
    """A region of the source: 1-based line/column (end exclusive) and 0-based offsets."""

    line: int
    column: int
    end_line: int
    end_column: int
    start: int = 0
    end: int = 0


NOSPAN = Span(1, 1, 1, 1, 0, 0)


def _span():
    return field(default=NOSPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Field:
    """A field reference such as ``http.request.uri.path``."""

    name: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Call:
    """A function call ``name(args...)``; ``any``/``all`` are :class:`Quantifier` instead."""

    name: str
    args: tuple[Expr, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Index:
    """``target[0]`` (``key`` an int) or ``target["k"]`` (``key`` the key's bytes)."""

    target: Expr
    key: int | bytes
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Unpack:
    """``target[*]``: every element of an array or every value of a map."""

    target: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class String:
    """A string literal: quoted, raw or byte-string form, decoded to ``value``.

    ``text`` is the literal as written (used by the printer when present).
    """

    value: bytes
    span: Span = _span()
    text: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class Regex:
    """The right operand of ``matches``/``~``: ``pattern`` is the text handed to the
    regex compiler after the regex-literal rules of reference §3.9."""

    pattern: str
    span: Span = _span()
    text: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class Bare:
    """An unquoted literal (integer, IP, CIDR, range or byte string) as written."""

    text: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Set:
    """An inline set ``{a b c}``; elements are :class:`String` or :class:`Bare`."""

    elements: tuple[String | Bare, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class ListRef:
    """A named list ``$name``."""

    name: str
    span: Span = _span()


#: Canonical comparison operator names (English spellings).
COMPARISON_OPS = (
    "eq", "ne", "lt", "le", "gt", "ge", "contains", "matches", "wildcard",
    "strict wildcard", "in", "bitwise_and", "starts_with", "ends_with",
)


@dataclass(frozen=True, slots=True)
class Comparison:
    """``left op right``; ``op`` is canonical (``eq``), ``spelling`` as written (``==``)."""

    left: Expr
    op: str
    right: Expr
    span: Span = _span()
    spelling: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class Not:
    """``not operand`` / ``!operand``."""

    operand: Expr
    span: Span = _span()
    spelling: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class Logical:
    """A flat chain of one logical operator: ``op`` is ``and``, ``xor`` or ``or``.

    ``spellings`` keeps what was written between operands (``&&`` or ``and``...).
    """

    op: str
    operands: tuple[Expr, ...]
    span: Span = _span()
    spellings: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class Group:
    """A parenthesised logical group ``( expr )``."""

    expr: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Quantifier:
    """``any(arg)`` or ``all(arg)``; ``name`` is ``any`` or ``all``."""

    name: str
    arg: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class BoolConst:
    """The whole expression ``true`` or ``false`` (reference §3.16)."""

    value: bool
    span: Span = _span()


Expr = (Field | Call | Index | Unpack | String | Regex | Bare | Set | ListRef | Comparison | Not
        | Logical | Group | Quantifier | BoolConst)


def walk(node: Expr):
    """Yield ``node`` and every node below it, depth first, without recursion."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        match n:
            case Call(args=args):
                stack.extend(reversed(args))
            case Index(target=t) | Unpack(target=t):
                stack.append(t)
            case Set(elements=els):
                stack.extend(reversed(els))
            case Comparison(left=a, right=b):
                stack.append(b)
                stack.append(a)
            case Not(operand=o) | Group(expr=o) | Quantifier(arg=o):
                stack.append(o)
            case Logical(operands=ops):
                stack.extend(reversed(ops))
