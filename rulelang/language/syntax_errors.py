"""Explain syntax errors: turn lark's exceptions into diagnostics for the trap the
user fell into (reference §10.1, RL101–RL110).

Each ``_r_*`` rule looks at the error position, what the parser expected there
and the token before it, and returns a :class:`Problem` or ``None``; the first
rule that recognises the situation wins, else a generic "unexpected …" is given.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from lark import Token
from lark.exceptions import UnexpectedInput

__all__ = ["Problem", "diagnose", "position", "token_bounds"]


class Problem(Exception):
    """A syntax error found while building the AST: code, message, hint, offsets."""

    def __init__(self, code: str, message: str, hint: str, start: int, end: int):
        super().__init__(message)
        self.code, self.message, self.hint, self.start, self.end = code, message, hint, start, end


def token_bounds(tok: Token) -> tuple[int, int]:
    """Where a lexed token starts and ends, as offsets into the text.

    lark types a token's positions ``Optional`` (a token made by hand has none); every
    token here comes from the lexer, which always sets them.
    """
    start, end = tok.start_pos, tok.end_pos
    if start is None or end is None:
        raise ValueError(f"token {tok!r} was not made by the lexer: it has no position")
    return start, end


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in code points) of ``offset`` in ``text``."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


_COMPARE = {"ORDER_OP", "BITAND", "CONTAINS", "MATCHES", "WILDCARD", "IN", "AFFIX"}
_LOGIC = {"AND", "OR", "XOR"}
_LITERALS = {"STRING", "RAW", "BARE", "REGEX_STRING"}
_KEYWORDS = {"and", "or", "xor", "not", "eq", "ne", "lt", "le", "gt", "ge", "contains",
             "matches", "wildcard", "strict", "in", "bitwise_and", "any", "all",
             "starts_with", "ends_with"}
_OPERATORS = ("eq ne lt le gt ge contains matches wildcard, strict wildcard, in, bitwise_and "
              "(== != < <= > >= ~ &), or a logical operator: and or xor (&& || ^^)")
_DESCRIBE = {
    "NAME": "a field or function", "NOT": "`not`", "LPAR": "`(`", "RPAR": "`)`",
    "QUANT": "`any(`/`all(`", "STRING": "a string", "RAW": "a raw string",
    "REGEX_STRING": "a regex string", "BARE": "a number, address or byte string",
    "ORDER_OP": "a comparison operator", "IN": "`in`", "AND": "`and`", "OR": "`or`",
    "XOR": "`xor`", "COMMA": "`,`", "RBRACKET": "`]`", "RBRACE": "`}`", "LBRACE": "`{`",
    "LISTREF": "a $list", "STAR": "`*`", "LBRACKET": "`[`", "$END": "the end",
    "AFFIX": "`starts_with`/`ends_with`", "BITAND": "`&`", "CONTAINS": "`contains`",
    "MATCHES": "`matches`", "WILDCARD": "`wildcard`",
}
_RAW = re.compile(r'r(?P<hashes>#*)"[\s\S]*?"(?P=hashes)')
_BARE_RUN = re.compile(r"[0-9A-Za-z_.:/\-]*")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*|[0-9A-Za-z_.:/\-]+")


@dataclass(frozen=True, slots=True)
class _At:
    """Where the parser gave up, as the ``_r_*`` rules read it.

    ``pos``/``end`` bound the unexpected input and ``word`` is its text; ``found`` is
    its token type (``"$END"`` at the end, ``None`` when the lexer could not read a
    token there); ``expected`` the token types the parser would have taken; ``before``
    the tokens read up to ``pos`` and ``prev`` the last of them.
    """

    text: str
    pos: int
    end: int
    word: str
    found: str | None
    expected: frozenset[str]
    prev: Token | None
    before: list[Token]


def _tokens_before(text: str, end: int, lex: Callable[[str], Iterable[Token]]) -> list[Token]:
    """The tokens of ``text[:end]`` as far as the root lexer can read them."""
    out: list[Token] = []
    try:
        out.extend(lex(text[:end]))
    except (UnexpectedInput, Problem):
        pass
    return out


def diagnose(text: str, exc: UnexpectedInput, lex: Callable[[str], Iterable[Token]]) -> Problem:
    """Explain lark's exception for ``text`` as a :class:`Problem` naming the trap it is.

    ``lex(text)`` yields the root lexer's tokens (to find what came before).
    """
    at = _where(text, exc, lex)
    for rule in _RULES:
        result = rule(at)
        if result is not None:
            return result
    return _unexpected(at)


def _where(text: str, exc: UnexpectedInput, lex: Callable[[str], Iterable[Token]]) -> _At:
    """Where the parser gave up, and what it found and wanted there."""
    tok = getattr(exc, "token", None)
    if tok is not None and tok.type == "$END":
        tok = None
        pos = len(text.rstrip(" \r\n"))
    elif tok is not None:
        pos = tok.start_pos
    else:
        # UnexpectedCharacters and UnexpectedEOF always carry a position (lark types it
        # Optional because UnexpectedToken may lack one; that case has a token)
        pos = exc.pos_in_stream if exc.pos_in_stream is not None else len(text)
    expected = frozenset(getattr(exc, "expected", None) or getattr(exc, "allowed", None) or ())
    before = _tokens_before(text, pos, lex)
    prev = before[-1] if before else None
    found = tok.type if tok is not None else ("$END" if pos >= len(text.rstrip(" \r\n"))
                                               else None)
    m = _WORD.match(text, pos)
    word = m.group() if m else text[pos:pos + 1]
    end = pos + max(1, len(word)) if found != "$END" else pos
    if tok is not None:
        end = tok.end_pos
        word = text[pos:end]
    return _At(text, pos, end, word, found, expected, prev, before)


def _unexpected(at: _At) -> Problem:
    """The generic message when no rule recognises the situation."""
    want = ", ".join(sorted({_DESCRIBE.get(e, e) for e in at.expected if not e.startswith("__")}))
    if at.found == "$END":
        shown = "end of the expression"
    elif at.word.isprintable() and at.word.strip():
        shown = f"`{at.word}`"
    else:
        shown = f"character U+{ord(at.word[0]):04X}"
    return Problem("RL101", f"unexpected {shown}", f"expected {want}" if want else "", at.pos,
                   at.end)


def _r_whitespace(at: _At) -> Problem | None:
    text, pos = at.text, at.pos
    ch = text[pos:pos + 1]
    if ch and ch.isspace() and ch not in " \r\n":
        stop = pos
        while stop < len(text) and text[stop].isspace() and text[stop] not in " \r\n":
            stop += 1
        what = "a TAB" if ch == "\t" else f"the whitespace character U+{ord(ch):04X}"
        return Problem("RL101", f"{what} between tokens",
                "replace tabs with spaces: only space, CR and LF may separate tokens",
                pos, stop)
    return None


def _r_punctuation(at: _At) -> Problem | None:
    text, pos, found, expected = at.text, at.pos, at.found, at.expected
    two, ch = text[pos:pos + 2], text[pos:pos + 1]
    if ch == "'":
        close = text.find("'", pos + 1)
        stop = close + 1 if close > 0 and "\n" not in text[pos:close] else pos + 1
        return Problem("RL101", "strings use double quotes, not single quotes",
                f'write "{text[pos + 1:stop - 1]}" instead of {text[pos:stop]}', pos, stop)
    if ch == "#" or two == "//":
        stop = text.find("\n", pos)
        stop = len(text) if stop < 0 else stop
        return Problem("RL101", f"`{ch if ch == '#' else two}` does not start a comment: the "
                "language has no comments", "remove the comment", pos, stop)
    if two == "=~":
        return Problem("RL101", "`=~` is not an operator", "use `matches` or `~`", pos, pos + 2)
    if ch == "=":
        written = text[max(0, pos - 2):pos + 1]
        if written in ("===", "!=="):
            return Problem("RL101", f"`{written}` is not an operator",
                    f"use `{written[:2]}` or `{'eq' if written[0] == '=' else 'ne'}`",
                    pos - 2, pos + 1)
        return Problem("RL101", "`=` is not an operator", "use `==` or `eq` to compare", pos, pos + 1)
    if two == "<>":
        return Problem("RL101", "`<>` is not an operator", "use `!=` or `ne`", pos, pos + 2)
    if ch == "|" and two != "||":
        return Problem("RL101", "`|` is not an operator", "use `||` or `or`", pos, pos + 1)
    if two == ".." and "RBRACE" in expected:
        return Problem("RL101", "a range is written without spaces around `..`",
                "write first..last, e.g. 300..399", pos, pos + 2)
    if ch == "+" and text[pos + 1:pos + 2].isdigit():
        return Problem("RL105", "integers have no `+` sign", "write the digits alone", pos, pos + 1)
    if ch == "-" and found is None and "BARE" in expected:
        return Problem("RL105", "a minus sign must touch its digits", "write -5, not - 5",
                pos, pos + 1)
    return None


def _r_strings(at: _At) -> Problem | None:
    (text, pos, word, found, expected, prev) = (
        at.text, at.pos, at.word, at.found, at.expected, at.prev)
    start = pos - 1 if (text[pos:pos + 1] in ('"', "#") and prev is not None
                        and prev.type == "NAME" and prev == "r"
                        and prev.end_pos == pos) else pos
    raw = None
    if text[start:start + 1] == "r" and (found is None or start < pos or word == "r"):
        whole = _RAW.match(text, start)
        if whole:
            return Problem("RL110", "a raw string cannot stand here: a literal is never the "
                           "left operand or a filter", "put the field or function first, e.g. "
                           'http.host eq r"a"', start, whole.end())
        raw = re.match(r'r(#*)(.?)', text[start:], re.DOTALL)
    if raw and (raw.group(1) or raw.group(2) == '"'):
        hashes = len(raw.group(1))
        if hashes > 255:
            return Problem("RL104", f"raw string delimiter has {hashes} '#', the limit is 255",
                    "use fewer #", start + 1, start + 1 + hashes)
        if raw.group(2) != '"':
            return Problem("RL104", "`r#` must be followed by more `#` or by `\"`",
                    'write a raw string as r"..." or r#"..."#', start, start + 2 + hashes)
        return Problem("RL102", "unterminated raw string",
                f'end it with "{"#" * hashes}', start, len(text))
    if found is None and text[pos:pos + 1] == '"':
        return Problem("RL102", "unterminated string: could not find the ending quote",
                'close the string with "; write \\" for a quote inside it', pos, len(text))
    if found == "STRING" and "REGEX_STRING" in expected:
        return Problem("RL102", "unterminated regex string: could not find the ending quote",
                'a " inside [...] does not end a regex string; close the string with "',
                pos, len(text))
    return None


def _r_sets(at: _At) -> Problem | None:
    text, pos, end, word, found, expected = at.text, at.pos, at.end, at.word, at.found, at.expected
    if "RBRACE" in expected:
        if text[pos:pos + 1] == ",":
            return Problem("RL108", "set elements are separated by spaces, not commas",
                    'write {"a" "b"} or {80 443}', pos, pos + 1)
        if found not in ("$END", None) and "BARE" in expected:
            return Problem("RL108", f"`{word}` cannot be a set element",
                    "set elements are literals: strings, numbers, addresses, CIDRs or ranges",
                    pos, end)
    if "LISTREF" in expected and found in _LITERALS | {"NAME"}:
        return Problem("RL108", "`in` needs a set in braces or a $list",
                f"write in {{{text[pos:end]}}}", pos, end)
    if found == "LISTREF":
        return Problem("RL101", f"a list reference `{text[pos:end]}` can only follow `in`",
                       "write `field in $name`", pos, end)
    if found == "LBRACE" or text[pos:pos + 1] == "{":
        return Problem("RL108", "a set `{...}` is only allowed after `in`",
                "use `in {...}`, or combine comparisons with `or`", pos, pos + 1)
    return None


def _r_operator(at: _At) -> Problem | None:
    """Errors where an operator was expected, after a value."""
    pos, end, word, found, expected, prev = at.pos, at.end, at.word, at.found, at.expected, at.prev
    if prev is not None and prev.type == "NAME" and prev.lower() in _KEYWORDS and \
            prev != prev.lower() and prev.lower() not in ("any", "all"):
        return Problem("RL101", f"`{prev}` is not a keyword: keywords are lower-case",
                f"write `{prev.lower()}`", *token_bounds(prev))
    if not expected & (_COMPARE | _LOGIC) or found in _COMPARE | _LOGIC | {"$END", "RPAR"}:
        return None
    if not (word[:1].isalpha() or word[:1] == "_"):
        if found in _LITERALS:
            wanted = "an operator" if expected & _COMPARE else "`and`, `or`, `xor` or the end"
            return Problem("RL101", f"expected {wanted}, found `{word}`",
                           "a comparison has one operator and one right operand", pos, end)
        return None
    lower = word.lower()
    if lower in _KEYWORDS and word != lower:
        return Problem("RL101", f"`{word}` is not a keyword: keywords are lower-case",
                f"write `{lower}`", pos, pos + len(word))
    if word == "strict":
        return Problem("RL101", "`strict wildcard` is written with exactly one space",
                "write `strict wildcard`", pos, pos + len(word))
    if word == "not" and expected & _COMPARE:
        return Problem("RL101", "`not` goes before the whole comparison",
                "write `not field contains \"x\"`, not `field not contains \"x\"`",
                pos, pos + 3)
    if expected & _COMPARE:
        return Problem("RL101", f"expected an operator, found `{word}`", f"operators: {_OPERATORS}",
                pos, pos + len(word))
    return Problem("RL101", f"expected `and`, `or`, `xor` or the end, found `{word}`",
            "combine comparisons with a logical operator", pos, pos + len(word))


def _r_misplaced(at: _At) -> Problem | None:
    text, pos, end, found, expected, prev = at.text, at.pos, at.end, at.found, at.expected, at.prev
    if found in _COMPARE | _LOGIC and expected <= {"$END", "LBRACKET"}:
        return Problem("RL101", f"a value expression cannot contain `{text[pos:end]}`",
                       "write a single field or function call, optionally indexed", pos, end)
    if found in _COMPARE and not expected & _COMPARE and expected & _LOGIC:
        return Problem("RL110", f"`{text[pos:end]}` cannot follow a comparison: comparisons "
                "cannot be chained", "combine comparisons with `and`/`or`, e.g. "
                "`a eq b and b eq c`", pos, end)
    if text[pos:pos + 1] == ":" and prev is not None and prev.type == "NAME" and \
            prev.end_pos == pos and re.fullmatch(r"[0-9A-Fa-f]*", prev):
        run = _BARE_RUN.match(text, pos)  # `*`: always matches, if only the empty run
        stop = run.end() if run else pos
        return Problem("RL110", "a literal cannot be the left operand of a comparison",
                       "put the field or function first, e.g. ip.src eq 2001:db8::1",
                       token_bounds(prev)[0], stop)
    if found in _LITERALS and "NAME" in expected and not expected & _LITERALS:
        return Problem("RL110", "a literal cannot be the left operand of a comparison",
                'put the field or function first, e.g. http.host eq "example.com"', pos, end)
    if found == "LPAR" and expected & _LITERALS:
        close = _matching_paren(text, pos)
        return Problem("RL110", "parentheses around a value are not allowed",
                "remove the parentheses: they only group logical expressions", pos, close)
    if found == "LBRACKET":
        return Problem("RL110", "an index `[...]` can only follow a field, a function call or "
                "another index", "index a field such as http.request.headers[\"x\"][0]",
                pos, end)
    return None


def _r_operator_as_function(at: _At) -> Problem | None:
    """``contains(…)``/``wildcard(…)``: functions of third-party schemes (reference §8.5),
    operator keywords here; reported as functions not available, with the operator form."""
    text, pos, end, word, expected = at.text, at.pos, at.end, at.word, at.expected
    if word in ("contains", "wildcard") and "NAME" in expected and \
            text[end:].lstrip(" \r\n").startswith("("):
        return Problem("RL204", f"{word}() is not available in the cache phases",
                       f'use the operator instead: `http.host {word} "…"`', pos, end)
    return None


def _matching_paren(text: str, pos: int) -> int:
    depth = 0
    for i in range(pos, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return i + 1
    return pos + 1


def _r_structure(at: _At) -> Problem | None:
    """Unfinished or unbalanced structure: the expression ends too early, a stray ``)``,
    a bad index, a logical operator without an operand before it."""
    (text, pos, end, word, found, expected, prev, before) = (
        at.text, at.pos, at.end, at.word, at.found, at.expected, at.prev, at.before)
    unclosed = _unclosed_parens(before)
    if found == "$END":
        problem = _unfinished(text, pos, expected, prev, unclosed)
        if problem is not None:
            return problem
    if found == "RPAR" and "RPAR" not in expected:
        problem = _stray_rpar(pos, end, expected, prev, unclosed)
        if problem is not None:
            return problem
    if "STAR" in expected and found != "$END":
        return Problem("RL209", f"invalid index `{word}`",
                       'write an array index [0], a map key ["key"] or [*]', pos, end)
    if found in _LOGIC and "NAME" in expected:
        return Problem("RL101", f"expected an operand, found `{text[pos:end]}`",
                "each logical operator needs an expression on both sides", pos, end)
    return None


def _unclosed_parens(before: list[Token]) -> list[Token]:
    """The ``(`` tokens among ``before`` that no ``)`` closes, innermost last."""
    stack: list[Token] = []
    for t in before:
        if t.type == "LPAR":
            stack.append(t)
        elif t.type == "RPAR" and stack:
            stack.pop()
    return stack


def _unfinished(text: str, pos: int, expected: frozenset[str], prev: Token | None,
                unclosed: list[Token]) -> Problem | None:
    """The expression ends where more was needed: an operand, ``)``, ``}`` or ``]``."""
    if prev is not None and prev.type in _COMPARE:
        what = "a set or $list" if prev.type == "IN" else "a value"
        return Problem("RL101", f"the expression ends after `{prev}`: {what} must follow",
                       "complete the comparison, e.g. http.host eq \"a\"", *token_bounds(prev))
    if prev is not None and prev.type in _LOGIC | {"NOT"} and (
            "NAME" in expected or expected & _LITERALS):
        return Problem("RL101", f"dangling operator `{prev}`: an operand must follow it",
                       "complete the expression or remove the operator", *token_bounds(prev))
    if unclosed and ("RPAR" in expected or "NAME" in expected):
        start, stop = token_bounds(unclosed[-1])
        return Problem("RL101", "missing `)`", f"close the `(` opened at column "
                       f"{position(text, start)[1]}", start, stop)
    if "RBRACE" in expected:
        return Problem("RL108", "missing `}` at the end of the set", "close the set with }",
                       pos, pos)
    if "RBRACKET" in expected:
        return Problem("RL101", "missing `]`", "close the index with ]", pos, pos)
    return None


def _stray_rpar(pos: int, end: int, expected: frozenset[str], prev: Token | None,
                unclosed: list[Token]) -> Problem | None:
    """A ``)`` where none can stand: after ``(``, without a ``(``, or before an operand."""
    if prev is not None and prev.type == "LPAR":
        return Problem("RL101", "empty parentheses", "put an expression inside, or remove them",
                       token_bounds(prev)[0], end)
    if not unclosed:
        return Problem("RL101", "unmatched `)`", "remove it, or add the matching `(`", pos, end)
    if "NAME" in expected:
        return Problem("RL101", "expected an operand before `)`", "complete the expression",
                       pos, end)
    return None


_RULES = (_r_whitespace, _r_operator_as_function, _r_strings, _r_punctuation, _r_sets, _r_misplaced, _r_operator,
          _r_structure)
