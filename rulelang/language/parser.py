"""Parse Rules-language text into the AST of :mod:`rulelang.nodes`.

One entry point, :func:`parse`.  The grammar (``grammar/rules.lark``) is run by
lark's LALR parser with the contextual lexer, built once; lark's reductions go
straight to :class:`_ToAst`, so no lark tree is ever built or handed out.
Failures become :class:`~rulelang.errors.ExpressionError` diagnostics with a
span; lark's own exceptions are explained by :mod:`rulelang._syntax_errors`, so
that the traps users hit (single quotes, TABs, `=`, upper-case keywords…) get
their own message and hint.

Decisions where the reference is silent:

- A bare literal needs a delimiter after it: ``61:62and ssl`` and ``{61:6263:64}``
  are RL107, as ``200and`` is RL105 (§3.10).  The engine's byte-string lexer stops
  after the last hex pair and accepts both; the differential fuzzer
  (tests/language/test_parser_fuzz.py) lists this as a known difference.
- A run of more than 128 consecutive openers (``(``, ``not``/``!``, ``name(``,
  ``any(``) is reported as RL402 by the lexer, at the 129th opener, before the
  parser builds the levels; its message then says "129 levels deep".
"""

from __future__ import annotations

import re
import threading
from functools import cache
from itertools import accumulate
from typing import cast

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedInput
from lark.lark import _LOAD_ALLOWED_OPTIONS

from rulelang.errors import Diagnostic, ExpressionError
from rulelang.language import nodes
from rulelang.language.literals import (
    LiteralError,
    check_bare,
    decode_quoted,
    decode_raw,
    parse_int,
    read_regex,
)
from rulelang.language.syntax_errors import Problem, diagnose, position, token_bounds
from rulelang.resources import grammar_path, parser_cache_file, save_atomically
from rulelang.schema import catalogue as schema

__all__ = ["MAX_DEPTH", "MAX_LENGTH", "parse"]

#: Longest expression accepted, in code points (reference §9).
MAX_LENGTH = 4096
#: Deepest nesting of ``(``, ``not``/``!``, calls and ``any(``/``all(`` (reference §9).
MAX_DEPTH = 128
_MAX_INDEX = 2 ** 32 - 1

#: Unicode White_Space, trimmed from both ends of an expression (reference §3.1).
_UNICODE_WS = ("\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
               "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_CONSTANT = re.compile(r"([( \r\n]*)(true|false)([) \r\n]*)")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LIST_NAME = re.compile(r"[a-z0-9_](?:[a-z0-9_.]*[a-z0-9_])?")

_ORDER = {"==": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge",
          "eq": "eq", "ne": "ne", "lt": "lt", "le": "le", "gt": "gt", "ge": "ge"}
_VALUES = (nodes.Field, nodes.Call, nodes.Index, nodes.Unpack)


def _tspan(tok: Token) -> nodes.Span:
    # lark types a token's positions Optional (for tokens made by hand); every token here
    # comes from the lexer, which sets them all, and this runs once a token: no checks
    return nodes.Span(tok.line, tok.column, tok.end_line, tok.end_column,  # type: ignore[arg-type]
                      tok.start_pos, tok.end_pos)  # type: ignore[arg-type]


def _join(first, last) -> nodes.Span:
    a = first if isinstance(first, nodes.Span) else (
        _tspan(first) if isinstance(first, Token) else first.span)
    b = last if isinstance(last, nodes.Span) else (
        _tspan(last) if isinstance(last, Token) else last.span)
    return nodes.Span(a.line, a.column, b.end_line, b.end_column, a.start, b.end)


def _literal_problem(tok: Token, exc: LiteralError) -> Problem:
    start = token_bounds(tok)[0] + exc.offset
    return Problem(exc.code, exc.message, exc.hint, start, start + (exc.length or len(tok)))


def _string(tok: Token) -> nodes.String:
    try:
        value = decode_raw(tok).encode("utf-8") if tok.type == "RAW" else decode_quoted(tok)
    except LiteralError as exc:
        raise _literal_problem(tok, exc) from None
    except UnicodeEncodeError:
        raise Problem("RL101", "the raw string contains a lone surrogate (not valid Unicode)",
                       "remove the invalid character", *token_bounds(tok)) from None
    return nodes.String(value, _tspan(tok), str(tok))


def _bare(tok: Token) -> nodes.Bare:
    err = check_bare(tok)
    if err is not None:
        raise _literal_problem(tok, err)
    return nodes.Bare(str(tok), _tspan(tok))


def _literal(item: Token | nodes.Expr) -> nodes.Expr:
    """An operand in literal position: a token becomes a literal node, a node stays."""
    return _token_literal(item) if isinstance(item, Token) else item


def _token_literal(tok: Token) -> nodes.String | nodes.Bare:
    """A token in literal position (string, raw string or bare text) as a node.

    A BARE token was already checked by the lexer callback (:func:`_checked_literal`).
    """
    if tok.type == "BARE":
        return nodes.Bare(str(tok), _tspan(tok))
    return _string(tok)


def _regex(tok: Token) -> nodes.Regex:
    try:
        pattern = read_regex(tok)
    except LiteralError as exc:
        raise _literal_problem(tok, exc) from None
    return nodes.Regex(pattern, _tspan(tok), str(tok))


def _list_ref(tok: Token) -> nodes.ListRef:
    name = tok[1:]
    if not _LIST_NAME.fullmatch(name):
        if not name:
            hint = "write the list name after $, e.g. $office_ips"
        elif name.lower() != name and _LIST_NAME.fullmatch(name.lower()):
            hint = f"list names are lower-case: ${name.lower()}"
        elif name.startswith(".") or name.endswith("."):
            hint = "a list name cannot start or end with `.`"
        else:
            hint = "list names use only a-z, 0-9, `_` and `.`"
        raise Problem("RL109", f"invalid list name `{tok}`", hint, *token_bounds(tok))
    return nodes.ListRef(name, _tspan(tok))


def _leftmost(expr):
    while isinstance(expr, nodes.Logical):
        expr = expr.operands[0]
    return expr


def _is_boolean_value(expr) -> bool:
    """Whether a value written in parentheses is known to be Boolean (so the group is a
    logical group, not parentheses around a value)."""
    if isinstance(expr, nodes.Field):
        info = schema.field(expr.name)
        return info is None or str(info.type) in ("Bool", "Array<Bool>")
    if isinstance(expr, nodes.Call):
        fn = schema.function(expr.name)
        return fn is None or fn.returns in ("Bool", "Array<Bool>")
    return False


class _ToAst(Transformer):
    """Callbacks run by the LALR parser at each reduction: they build nodes directly."""

    def filter(self, c):
        return c[0]

    def value_expr(self, c):
        return c[0]

    def _logical(self, op, c):
        operands = tuple(c[0::2])
        return nodes.Logical(op, operands, _join(c[0], c[-1]), tuple(str(t) for t in c[1::2]))

    def or_expr(self, c):
        return self._logical("or", c)

    def xor_expr(self, c):
        return self._logical("xor", c)

    def and_expr(self, c):
        return self._logical("and", c)

    def negation(self, c):
        return nodes.Not(c[1], _join(c[0], c[1]), str(c[0]))

    def group(self, c):
        return nodes.Group(c[1], _join(c[0], c[2]))

    def quantifier(self, c):
        name, arg = str(c[0]), c[2]
        if isinstance(arg, nodes.Logical):
            raise Problem("RL211", f"the argument of {name}() cannot be an unparenthesised "
                           f"`{arg.op}` chain",
                           f"add parentheses: {name}((... {arg.op} ...))", arg.span.start,
                           arg.span.end)
        return nodes.Quantifier(name, arg, _join(c[0], c[3]))

    def comparison(self, c):
        left, op_tok, rhs = c
        kind, text = op_tok.type, str(op_tok)
        if kind == "ORDER_OP":
            op, right = _ORDER[text], _literal(rhs)
        elif kind == "BITAND":
            op, right = "bitwise_and", _literal(rhs)
        elif kind == "CONTAINS":
            op, right = "contains", _literal(rhs)
        elif kind == "MATCHES":
            op, right = "matches", _regex(rhs) if rhs.type == "REGEX_STRING" else \
                nodes.Regex(_string(rhs).value.decode("utf-8"), _tspan(rhs), str(rhs))
        elif kind in ("WILDCARD", "AFFIX"):
            op, right = text, _string(rhs)
        else:  # IN
            op = "in"
            right = _list_ref(rhs) if isinstance(rhs, Token) else rhs
        return nodes.Comparison(left, op, right, _join(left, right), text)

    def set(self, c):
        elements = tuple(_token_literal(t) for t in c[1:-1])
        return nodes.Set(elements, _join(c[0], c[-1]))

    def field(self, c):
        return nodes.Field(str(c[0]), _tspan(c[0]))

    def call(self, c):
        name_tok, rpar = c[0], c[-1]
        args = tuple(_argument(a) for a in c[2:-1:2] if a is not None)
        return nodes.Call(str(name_tok), args, _join(name_tok, rpar))

    def index(self, c):
        target, lbr, key, rbr = c
        if lbr.start_pos != target.span.end:
            raise Problem("RL110", "whitespace between a value and its index `[`",
                           "write the index directly after the value, e.g. "
                           'http.request.headers["x"][0]', target.span.end, lbr.end_pos)
        span = _join(target, rbr)
        if key.type == "STAR":
            return nodes.Unpack(target, span)
        return nodes.Index(target, _index_key(key), span)


def _argument(arg):
    if isinstance(arg, Token):
        return _literal(arg)
    if isinstance(arg, nodes.Logical) and not isinstance(
            _leftmost(arg), (nodes.Group, nodes.Not, nodes.Quantifier)):
        raise Problem("RL101", f"an unparenthesised `{arg.op}` chain as a function argument",
                       "put the logical expression in parentheses", arg.span.start, arg.span.end)
    if isinstance(arg, nodes.Group) and isinstance(arg.expr, _VALUES) and \
            not _is_boolean_value(arg.expr):
        raise Problem("RL110", "parentheses around a value are not allowed",
                       "remove the parentheses: parentheses only group logical expressions",
                       arg.span.start, arg.span.end)
    return arg


def _index_key(key: Token) -> int | bytes:
    if key.type == "BARE":
        try:
            n = parse_int(key)
        except LiteralError:
            n = None
        if n is None or not 0 <= n <= _MAX_INDEX:
            hint = ("array indexes are not negative" if key.startswith("-")
                    else "an array index is an integer from 0 to 4294967295")
            raise Problem("RL209", f"invalid array index `{key}`", hint, *token_bounds(key))
        return n
    if key.type == "RAW":
        raise Problem("RL209", "a map key must be a quoted string, not a raw string",
                       'write ["key"]', *token_bounds(key))
    value = _string(key).value
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        raise Problem("RL209", "a map key must be valid UTF-8", "remove the \\x escapes of "
                       "non-UTF-8 bytes", *token_bounds(key)) from None
    return value


def _checked_literal(tok: Token) -> Token:
    """Lexer callback: reject a bad literal as soon as it is read, so that errors come
    in source order (the LALR parser reduces a comparison only at the next token)."""
    _RUN.count, _RUN.name = 0, None
    if tok.type == "BARE":
        _bare(tok)
    elif tok.type == "LISTREF":
        _list_ref(tok)
    else:
        _string(tok)
    return tok


_RUN = threading.local()


def _opener(tok: Token) -> Token:
    """Lexer callback for every token: count a run of consecutive openers (``(``,
    ``not``/``!``; a call's or quantifier's name before its ``(``), each nested in the
    one before, and stop at the 129th (RL402) before the parser builds 4,000 levels."""
    kind = tok.type
    if kind in ("LPAR", "NOT"):
        if kind == "NOT" and getattr(_RUN, "name", None) is not None:
            _RUN.count = 0  # `ssl not`: not nested (and a syntax error the parser reports)
        _RUN.count = getattr(_RUN, "count", 0) + 1
        if _RUN.count > MAX_DEPTH:
            name = getattr(_RUN, "name", None)
            start, end = token_bounds(tok)
            if kind == "LPAR" and name is not None:
                start = token_bounds(name)[0]
            raise _depth_problem(_RUN.count, start, end)
        _RUN.name = None
    elif kind in ("NAME", "QUANT"):
        _RUN.name = tok
    else:
        _RUN.count, _RUN.name = 0, None
    return tok


def _reset_run() -> None:
    _RUN.count, _RUN.name = 0, None


_CALLBACKS = {**dict.fromkeys(("LPAR", "NOT", "NAME", "QUANT", "RPAR", "AND", "OR", "XOR",
                                "COMMA", "LBRACKET", "ORDER_OP", "BITAND", "CONTAINS",
                                "MATCHES", "WILDCARD", "IN", "AFFIX", "LBRACE", "REGEX_STRING",
                                "RBRACKET", "RBRACE", "STAR"), _opener),
              **dict.fromkeys(("BARE", "STRING", "RAW", "LISTREF"), _checked_literal)}


@cache
def _parser() -> Lark:
    """The LALR parser, built once (grammar read from ``grammar/rules.lark``).

    Building it means analysing the grammar (about 30 ms); the analysed parser is kept
    in the user's cache directory (:func:`rulelang.resources.parser_cache_file`) and
    loaded from there on the next start.  A cache that is missing, unreadable, stale or
    corrupt is simply rebuilt; one that cannot be written is not used."""
    text = grammar_path().read_text("utf-8")
    cached = parser_cache_file(text)
    if cached is not None:
        try:
            with open(cached, "rb") as f:
                # what Lark(cache=...) does itself: _load takes the options that are
                # not saved (the transformer and the lexer callbacks)
                loaded: Lark = Lark.__new__(Lark)
                return loaded._load(f, transformer=_ToAst(), lexer_callbacks=_CALLBACKS)
        except Exception:  # noqa: BLE001, S110 - any problem with the cache: rebuild it
            pass
    parser = Lark(text, parser="lalr", lexer="contextual", start=["filter", "value_expr"],
                  transformer=_ToAst(), lexer_callbacks=_CALLBACKS, maybe_placeholders=False,
                  propagate_positions=False)
    if cached is not None:
        save_atomically(cached, lambda f: parser.save(f, _LOAD_ALLOWED_OPTIONS))
    return parser


def _lex(text: str):
    """Tokens of ``text`` by the root lexer (used to explain syntax errors)."""
    _reset_run()
    return _parser().lex(text)


# --------------------------------------------------------------------------- entry point

def parse(source: str, *, value: bool = False) -> nodes.Expr:
    """Parse a filter expression (or, with ``value=True``, a value expression).

    Raises :class:`~rulelang.errors.ExpressionError` on any syntax problem; spans in
    its diagnostics and in the returned nodes refer to ``source`` as given.
    """
    if not isinstance(source, str):
        raise ExpressionError([Diagnostic("RL101", "an expression must be text, not "
                                          f"{type(source).__name__}")])
    try:
        return _parse(source, value)
    except Problem as p:
        raise ExpressionError([_diagnostic(source, p)], source=source) from None


def _parse(source: str, value: bool) -> nodes.Expr:
    lead = len(source) - len(source.lstrip(_UNICODE_WS))
    core = source.strip(_UNICODE_WS)
    if not core:
        raise Problem("RL100", "empty expression", "write a filter such as "
                       '`http.host eq "example.com"`, or `true` to match every request',
                       lead, lead)
    if len(source) > MAX_LENGTH:
        problems = [Problem("RL401", f"expression is {len(source)} characters long; the "
                             f"limit is {MAX_LENGTH}", "shorten it, e.g. by using a list "
                             "($name) instead of a long set", 0, len(source))]
        depth = _paren_depth(source[:16 * MAX_LENGTH])  # a lower bound, read fast
        if depth > MAX_DEPTH:
            problems.append(_depth_problem(depth, 0, 1))
        raise ExpressionError([_diagnostic(source, p) for p in problems], source=source)
    bad = _SURROGATE.search(source)
    if bad:
        raise Problem("RL101", "the expression contains a lone surrogate (not valid Unicode)",
                       "remove the invalid character", bad.start(), bad.start() + 1)
    if not value:
        const = _constant(source, core, lead)
        if const is not None:
            return const
    text = (source[:lead].translate(_BLANK) + core +
            source[lead + len(core):].translate(_BLANK))
    _reset_run()
    try:
        # the transformer runs at each reduction, so lark hands back our node, not a Tree
        tree = cast(nodes.Expr, _parser().parse(text, start="value_expr" if value else "filter"))
    except UnexpectedInput as exc:
        raise diagnose(text, exc, _lex) from None
    _check_depth(tree)
    if value and isinstance(tree, nodes.Unpack):
        raise Problem("RL210", "a value expression cannot end in [*]",
                       "give the mapped values to a function, or index one element",
                       tree.span.end - 3, tree.span.end)
    return tree


_BLANK = {ord(c): " " for c in _UNICODE_WS if c not in "\r\n"}


def _constant(source: str, core: str, lead: int) -> nodes.BoolConst | None:
    """The whole-expression constants ``true``/``false`` (reference §3.16)."""
    m = _CONSTANT.fullmatch(core)
    if not m or m.group(1).count("(") != m.group(3).count(")"):
        return None
    if m.group(1).count("(") > MAX_DEPTH:
        raise _depth_problem(m.group(1).count("("), lead, lead + 1)
    end = lead + len(core)
    span = nodes.Span(*position(source, lead), *position(source, end), lead, end)
    return nodes.BoolConst(m.group(2) == "true", span)


_QUOTED = re.compile(r'"[^"\\]*(?:\\[\s\S][^"\\]*)*"?')
_PAREN_STEP = {"(": 1, ")": -1}


def _paren_depth(text: str) -> int:
    """Depth of ``(`` outside quoted strings: a cheap lower bound of the nesting depth
    (C-speed: an expression of a megabyte is measured in milliseconds)."""
    if text.count("(") <= MAX_DEPTH:
        return text.count("(")
    parens = re.sub(r"[^()]+", "", _QUOTED.sub("", text))
    return max(accumulate(map(_PAREN_STEP.__getitem__, parens)), default=0)


def _depth_problem(depth: int, start: int, end: int) -> Problem:
    return Problem("RL402", f"expression nested {depth} levels deep; the limit is {MAX_DEPTH}",
                    "flatten the expression: remove redundant parentheses and double negations",
                    start, end)


def _check_depth(tree: nodes.Expr) -> None:
    """Reject nesting deeper than MAX_DEPTH (iteratively: the tree may be that deep)."""
    stack = [(tree, 0)]
    deepest, culprit = 0, None
    while stack:
        node, depth = stack.pop()
        if isinstance(node, _LEVELS):
            depth += 1
            if depth > deepest:
                deepest = depth
                if depth == MAX_DEPTH + 1:
                    culprit = node
        stack.extend((child, depth) for child in _children(node))
    if culprit is not None:
        if isinstance(culprit, (nodes.Call, nodes.Quantifier)):
            width = len(culprit.name) + 1
        else:
            width = len(culprit.spelling or "not") if isinstance(culprit, nodes.Not) else 1
        raise _depth_problem(deepest, culprit.span.start, culprit.span.start + width)


_LEVELS = (nodes.Group, nodes.Not, nodes.Call, nodes.Quantifier)


def _children(node):
    match node:
        case nodes.Call(args=args):
            return args
        case nodes.Index(target=t) | nodes.Unpack(target=t):
            return (t,)
        case nodes.Comparison(left=a, right=b):
            return (a, b)
        case nodes.Not(operand=o) | nodes.Group(expr=o) | nodes.Quantifier(arg=o):
            return (o,)
        case nodes.Logical(operands=ops):
            return ops
    return ()


def _diagnostic(source: str, p: Problem) -> Diagnostic:
    line, column = position(source, p.start)
    end_line, end_column = position(source, max(p.end, p.start))
    return Diagnostic(p.code, p.message, line, column, end_line, end_column, p.hint,
                      source=source)
