"""Regexes and wildcards as z3 regular expressions, where the translation is exact.

The engine matches bytes (RE2 in Latin-1 mode, see :mod:`rulelang.language.patterns.regex`),
so one z3 character stands for one byte (``\\x00``–``\\xff``).  A pattern outside the
supported fragment raises :class:`Untranslatable`; the caller then treats the comparison
as an opaque atom, which keeps every proof sound.

Supported: literal characters and escaped punctuation, ``.`` (any byte but ``\\n``),
``\\d \\w \\s`` and their negations, classes ``[…]``/``[^…]`` of characters, ranges and
those escapes, groups ``(…)``/``(?:…)``, alternation, ``* + ?``, ``{n}``, ``{n,}``,
``{n,m}`` (lazy or greedy: the same language), and ``^``/``$`` at the very start and end
of a pattern without top-level alternation.  Flags, Unicode classes, word boundaries,
POSIX classes, nested classes and non-ASCII characters are not.
"""

from __future__ import annotations

import z3

from rulelang.language.patterns.regex_syntax import PatternError
from rulelang.language.patterns.wildcard import split_wildcard

__all__ = ["Untranslatable", "folded_literal", "regex_to_z3", "string_val", "wildcard_to_z3"]

_BYTES = frozenset(range(256))
_DIGIT = frozenset(range(48, 58))
_WORD = _DIGIT | frozenset(range(65, 91)) | frozenset(range(97, 123)) | {95}
_SPACE = frozenset({9, 10, 11, 12, 13, 32})
_CLASS_ESCAPES = {"d": _DIGIT, "w": _WORD, "s": _SPACE, "D": _BYTES - _DIGIT,
                  "W": _BYTES - _WORD, "S": _BYTES - _SPACE}
_CHAR_ESCAPES = {"n": 10, "t": 9, "r": 13, "f": 12, "v": 11, "a": 7}
_MAX_REPEAT = 1000


def string_val(text: str) -> z3.SeqRef:
    """A z3 string constant of exactly ``text``: z3 reads ``\\u{…}`` escapes in
    constants, so every backslash is written as the escape of itself."""
    return z3.StringVal(text.replace("\\", "\\u{5c}"))


class Untranslatable(Exception):
    """The pattern is outside the fragment translated exactly."""


def _charset(codes: frozenset[int]) -> z3.ReRef:
    """A z3 regex matching one character of ``codes``."""
    if not codes:
        return z3.Empty(z3.ReSort(z3.StringSort()))
    runs: list[tuple[int, int]] = []
    for c in sorted(codes):
        if runs and runs[-1][1] == c - 1:
            runs[-1] = (runs[-1][0], c)
        else:
            runs.append((c, c))
    parts = [z3.Re(string_val(chr(lo))) if lo == hi
             else z3.Range(string_val(chr(lo)), string_val(chr(hi))) for lo, hi in runs]
    return parts[0] if len(parts) == 1 else z3.Union(*parts)


def _text(s: str) -> z3.ReRef:
    return z3.Re(string_val(s))


def _fold(codes: frozenset[int] | set[int]) -> frozenset[int]:
    """``codes`` with the other case of every ASCII letter (``(?i)`` in byte mode)."""
    return frozenset(codes) | {ord(chr(c).swapcase()) for c in codes
                               if chr(c).isascii() and chr(c).isalpha()}


def folded_literal(lit: bytes, fold: str) -> z3.ReRef:
    """The strings whose ``lower()`` (``fold="lower"``) or ``upper()`` is ``lit``: each
    ASCII letter in either case; a letter of the other case can never appear (empty)."""
    parts = []
    for b in lit:
        c = chr(b)
        if c.isascii() and c.isalpha():
            if c.islower() != (fold == "lower"):
                return z3.Empty(z3.ReSort(z3.StringSort()))
            parts.append(_charset(_fold({b})))
        else:
            parts.append(_charset(frozenset({b})))
    if not parts:
        return _text("")
    return parts[0] if len(parts) == 1 else z3.Concat(*parts)


class _Parser:
    def __init__(self, pattern: str, fold: bool = False):
        if any(ord(c) > 127 for c in pattern):
            raise Untranslatable("non-ASCII pattern")
        self.p = pattern
        self.i = 0
        self.fold = fold

    def peek(self) -> str:
        return self.p[self.i] if self.i < len(self.p) else ""

    def take(self) -> str:
        c = self.peek()
        if not c:
            raise Untranslatable("unexpected end")
        self.i += 1
        return c

    def alternation(self, top: bool = False) -> z3.ReRef:
        branches = [self.concat()]
        while self.peek() == "|":
            self.i += 1
            branches.append(self.concat())
        if top and len(branches) > 1:
            self.top_alternation = True
        return branches[0] if len(branches) == 1 else z3.Union(*branches)

    def concat(self) -> z3.ReRef:
        items = []
        while self.peek() not in ("", "|", ")"):
            items.append(self.repeat())
        if not items:
            return _text("")
        return items[0] if len(items) == 1 else z3.Concat(*items)

    def repeat(self) -> z3.ReRef:
        atom = self.atom()
        while True:
            c = self.peek()
            if c == "*":
                self.i += 1
                atom = z3.Star(atom)
            elif c == "+":
                self.i += 1
                atom = z3.Plus(atom)
            elif c == "?":
                self.i += 1
                atom = z3.Option(atom)
            elif c == "{":
                atom = self.counted(atom)
            else:
                return atom
            if self.peek() == "?":  # lazy: the same language
                self.i += 1

    def counted(self, atom: z3.ReRef) -> z3.ReRef:
        end = self.p.find("}", self.i)
        if end < 0:
            raise Untranslatable("brace")
        body = self.p[self.i + 1:end]
        lo_text, comma, hi_text = body.partition(",")
        if not lo_text.isdigit() or (hi_text and not hi_text.isdigit()):
            raise Untranslatable("counted repetition")
        lo = int(lo_text)
        hi = int(hi_text) if hi_text else (lo if not comma else None)
        if lo > _MAX_REPEAT or (hi is not None and (hi > _MAX_REPEAT or hi < lo)):
            raise Untranslatable("repetition count")
        self.i = end + 1
        if hi is None:
            return z3.Concat(z3.Loop(atom, lo, lo), z3.Star(atom)) if lo else z3.Star(atom)
        return z3.Loop(atom, lo, hi)

    def atom(self) -> z3.ReRef:
        c = self.take()
        if c == "(":
            if self.peek() == "?":
                if self.p[self.i:self.i + 2] != "?:":
                    raise Untranslatable("group flags")
                self.i += 2
            inner = self.alternation()
            if self.take() != ")":
                raise Untranslatable("group")
            return inner
        if c == "[":
            return _charset(self.char_class())
        if c == ".":
            return _charset(_BYTES - {10})
        if c == "\\":
            return _charset(_fold(self.escape()) if self.fold else self.escape())
        if c in "^$":
            raise Untranslatable("anchor inside the pattern")
        if c in "*+?{)|":
            raise Untranslatable("misplaced operator")
        if self.fold and c.isalpha():
            return _charset(_fold({ord(c)}))
        return _text(c)

    def escape(self) -> frozenset[int]:
        c = self.take()
        if c in _CLASS_ESCAPES:
            return _CLASS_ESCAPES[c]
        if c in _CHAR_ESCAPES:
            return frozenset({_CHAR_ESCAPES[c]})
        if c == "x":
            digits = self.p[self.i:self.i + 2]
            if len(digits) != 2 or not all(d in "0123456789abcdefABCDEF" for d in digits):
                raise Untranslatable("hex escape")
            self.i += 2
            return frozenset({int(digits, 16)})
        if not c.isalnum() and c.isprintable():
            return frozenset({ord(c)})
        raise Untranslatable(f"escape \\{c}")

    def char_class(self) -> frozenset[int]:
        negate = self.peek() == "^"
        if negate:
            self.i += 1
        codes: set[int] = set()
        first = True
        while True:
            c = self.take()
            if c == "]" and not first:
                break
            first = False
            if c == "[" or (c in "&~-" and self.peek() == c):
                raise Untranslatable("nested class or set operation")
            if c == "\\":
                one = self.escape()
                if len(one) != 1:
                    codes |= one
                    continue
                (lo,) = one
            else:
                lo = ord(c)
            if self.peek() == "-" and self.p[self.i + 1:self.i + 2] not in ("]", ""):
                self.i += 1
                d = self.take()
                if d == "\\":
                    hi_set = self.escape()
                    if len(hi_set) != 1:
                        raise Untranslatable("class range")
                    (hi,) = hi_set
                elif d == "[":
                    raise Untranslatable("class range")
                else:
                    hi = ord(d)
                if hi < lo:
                    raise Untranslatable("class range")
                codes.update(range(lo, hi + 1))
            else:
                codes.add(lo)
        folded = _fold(codes) if self.fold else frozenset(codes)
        return (_BYTES - folded) if negate else folded


def regex_to_z3(pattern: str) -> z3.ReRef:
    """The z3 regex of the strings in which ``pattern`` finds a match (search, not
    full match: unanchored ends take any text).  A leading ``(?i)`` folds ASCII case."""
    fold = pattern.startswith("(?i)")
    pattern = pattern.removeprefix("(?i)")
    start = pattern.startswith("^")
    end = pattern.endswith("$") and not pattern.endswith("\\$")
    body = pattern[1 if start else 0:len(pattern) - 1 if end else len(pattern)]
    parser = _Parser(body, fold)
    parser.top_alternation = False
    re = parser.alternation(top=True)
    if parser.i != len(body):
        raise Untranslatable("unbalanced parenthesis")
    if parser.top_alternation and (start or end):
        raise Untranslatable("anchor with top-level alternation")
    anything = z3.Full(z3.ReSort(z3.StringSort()))
    parts = ([] if start else [anything]) + [re] + ([] if end else [anything])
    return parts[0] if len(parts) == 1 else z3.Concat(*parts)


def wildcard_to_z3(pattern: bytes, case_sensitive: bool, fold: str = "") -> z3.ReRef:
    """The z3 regex of a (strict) wildcard pattern: ``*`` any bytes, ``\\*`` and ``\\\\``
    literal, ASCII letters folded unless ``case_sensitive``; the whole value must match.
    With ``fold`` (``"lower"``/``"upper"``), the strings whose ``lower()``/``upper()`` a
    strict wildcard matches.  The pattern was validated by the checker."""
    try:
        pieces = split_wildcard(pattern)
    except PatternError:
        raise Untranslatable("wildcard") from None
    parts: list[z3.ReRef] = []
    for piece in pieces:
        if piece is None:
            parts.append(z3.Full(z3.ReSort(z3.StringSort())))
        elif fold and case_sensitive:
            parts.append(folded_literal(piece, fold))
        else:
            parts += [_charset(frozenset({b}) if case_sensitive else _fold({b})) for b in piece]
    if not parts:
        return _text("")
    return parts[0] if len(parts) == 1 else z3.Concat(*parts)
