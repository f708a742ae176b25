"""Print an AST back as canonical Rules-language text.

:func:`to_source` writes single spaces around binary operators, keeps the
spellings the user chose (``==`` or ``eq``, ``&&`` or ``and``), keeps literals
as written when their text still means the node's value, and keeps
:class:`~rulelang.nodes.Group` parentheses.  For ASTs built by hand it adds the
parentheses precedence needs (an ``or`` inside an ``and``, a logical chain
under ``not`` or in ``any()``), so the text always means the tree; parsing such
text gives the same tree with those parentheses as ``Group`` nodes.

For every AST the parser produces, ``parse(to_source(ast)) == ast``.
"""

from __future__ import annotations

from rulelang.language import nodes
from rulelang.language.literals import (
    LiteralError,
    decode_quoted,
    decode_raw,
    quote_bytes,
    raw_string,
    read_regex,
)

__all__ = ["to_source"]

#: Binding strength of the logical operators (higher binds tighter).
_RANK = {"or": 1, "xor": 2, "and": 3}
#: Spellings accepted for each operator, so a spelling that does not fit is ignored.
_SPELLINGS = {
    "eq": ("eq", "=="), "ne": ("ne", "!="), "lt": ("lt", "<"), "le": ("le", "<="),
    "gt": ("gt", ">"), "ge": ("ge", ">="), "matches": ("matches", "~"),
    "bitwise_and": ("bitwise_and", "&"), "and": ("and", "&&"), "or": ("or", "||"),
    "xor": ("xor", "^^"), "not": ("not", "!"),
}
_VALUES = (nodes.Field, nodes.Call, nodes.Index, nodes.Unpack)


def to_source(expr: nodes.Expr) -> str:
    """The canonical source text of ``expr``."""
    return _Printer().expr(expr)


def _spelling(op: str, written: str) -> str:
    return written if written in _SPELLINGS.get(op, (op,)) else op


class _Printer:
    """Writes nodes; one method per construct (stateless)."""

    def expr(self, e: nodes.Expr) -> str:
        match e:
            case nodes.BoolConst(value=v):
                return "true" if v else "false"
            case nodes.Logical():
                return self.logical(e)
            case nodes.Not(operand=o, spelling=s):
                word = _spelling("not", s)
                inner = self.operand(o)
                return word + inner if word == "!" else f"{word} {inner}"
            case nodes.Group(expr=inner):
                return f"({self.expr(inner)})"
            case nodes.Quantifier(name=name, arg=arg):
                return f"{name}({self.operand(arg)})"
            case nodes.Comparison(left=left, op=op, right=right, spelling=s):
                word = _spelling(op, s)
                return f"{self.value(left)} {word} {self.right(op, right)}"
            case _:
                return self.value(e)

    def logical(self, e: nodes.Logical) -> str:
        rank = _RANK.get(e.op, 0)
        parts = []
        for i, operand in enumerate(e.operands):
            text = self.expr(operand)
            if isinstance(operand, nodes.Logical) and _RANK.get(operand.op, 0) <= rank:
                text = f"({text})"
            if i:
                written = e.spellings[i - 1] if i - 1 < len(e.spellings) else ""
                parts.append(_spelling(e.op, written))
            parts.append(text)
        return " ".join(parts)

    def operand(self, e: nodes.Expr) -> str:
        """An operand of ``not`` or ``any()``: a logical chain needs parentheses."""
        text = self.expr(e)
        return f"({text})" if isinstance(e, nodes.Logical) else text

    def value(self, e: nodes.Expr) -> str:
        match e:
            case nodes.Field(name=name):
                return name
            case nodes.Call(name=name, args=args):
                return f"{name}({', '.join(self.argument(a) for a in args)})"
            case nodes.Index(target=t, key=key):
                shown = str(key) if isinstance(key, int) else quote_bytes(key)
                return f"{self.value(t)}[{shown}]"
            case nodes.Unpack(target=t):
                return f"{self.value(t)}[*]"
            case nodes.ListRef(name=name):
                return f"${name}"
            case nodes.Set(elements=els):
                return "{" + " ".join(self.literal(x) for x in els) + "}"
            case nodes.String() | nodes.Bare() | nodes.Regex():
                return self.literal(e)
            case _:
                return f"({self.expr(e)})"

    def argument(self, e: nodes.Expr) -> str:
        if isinstance(e, nodes.Logical):
            first = e.operands[0] if e.operands else None
            while isinstance(first, nodes.Logical):
                first = first.operands[0] if first.operands else None
            if not isinstance(first, (nodes.Group, nodes.Not, nodes.Quantifier)):
                return f"({self.expr(e)})"
        return self.expr(e)

    def right(self, op: str, e: nodes.Expr) -> str:
        if isinstance(e, nodes.String) and op in ("matches",):
            return self.literal(nodes.Regex(e.value.decode("utf-8", "replace")))
        if isinstance(e, (nodes.String, nodes.Bare, nodes.Regex, nodes.Set, nodes.ListRef)):
            return self.value(e)
        if isinstance(e, _VALUES):
            return self.value(e)
        return f"({self.expr(e)})"

    def literal(self, e: nodes.Expr) -> str:
        match e:
            case nodes.Bare(text=text):
                return text
            case nodes.String(value=value, text=text):
                return text if text and _string_text_means(text, value) else quote_bytes(value)
            case nodes.Regex(pattern=pattern, text=text):
                if text and _regex_text_means(text, pattern):
                    return text
                return raw_string(pattern) or _quoted_regex(pattern)
            case _:
                return self.value(e)


def _string_text_means(text: str, value: bytes) -> bool:
    try:
        if text.startswith("r"):
            return decode_raw(text).encode("utf-8") == value
        return text.startswith('"') and decode_quoted(text) == value
    except (LiteralError, UnicodeEncodeError):
        return False


def _regex_text_means(text: str, pattern: str) -> bool:
    try:
        return read_regex(text) == pattern
    except LiteralError:
        return False


def _quoted_regex(pattern: str) -> str:
    """A quoted regex literal for ``pattern`` (only when no raw string can hold it)."""
    out, in_class, i = ['"'], False, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if c == '"' and not in_class:
            out.append('\\"')
        else:
            in_class = True if c == "[" else False if c == "]" else in_class
            out.append(c)
        i += 1
    out.append('"')
    return "".join(out)
