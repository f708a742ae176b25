"""Wildcard patterns of ``wildcard``, ``strict wildcard`` and ``wildcard_replace`` (§6.5).

``*`` matches any run of bytes (including none); ``\\*`` is a literal ``*`` and
``\\\\`` a literal ``\\``; every other byte, ``?`` included, is itself.  Any other
escape, a trailing ``\\``, ``**`` and more stars than the limit are errors (RL306).
``wildcard`` folds ASCII letters only (A–Z ≡ a–z); ``strict wildcard`` compares
bytes exactly.  The whole value must match.

A pattern is compiled once into an anchored RE2 program in Latin-1 (byte) mode —
literal bytes escaped, letters as ``[aA]`` classes when case-insensitive, each ``*``
as a lazy ``(.*?)`` under ``(?s)`` — so matching is linear-time, and the lazy groups
give the captures of ``wildcard_replace`` (each ``*`` the shortest text that still
lets the rest match).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import re2

from rulelang.language.patterns.regex import latin1_options, tester
from rulelang.language.patterns.regex_syntax import PatternError

__all__ = ["DEFAULT_STAR_LIMIT", "Wildcard", "compile_wildcard", "split_wildcard"]

#: The default star limit (the engine build Cloudflare-like tools use; §9).
DEFAULT_STAR_LIMIT = 10


def _parse(pattern: bytes) -> list[bytes | None]:
    """Split a pattern into literal byte runs and ``None`` for each ``*``."""
    parts: list[bytes | None] = []
    literal = bytearray()
    i, n = 0, len(pattern)
    while i < n:
        b = pattern[i]
        if b == 0x5C:  # backslash
            if i + 1 >= n:
                raise PatternError("RL306", "invalid wildcard: incomplete escape sequence "
                                   "(the pattern ends with '\\')",
                                   "write \\\\ for a literal backslash")
            nxt = pattern[i + 1]
            if nxt not in (0x2A, 0x5C):
                shown = chr(nxt) if 0x20 < nxt < 0x7F else f"\\x{nxt:02x}"
                raise PatternError("RL306", f"invalid wildcard: invalid escape sequence "
                                   f"\\{shown} at byte {i}",
                                   "only \\* (a literal star) and \\\\ (a literal backslash) "
                                   "are escapes; '?' needs no escape")
            literal.append(nxt)
            i += 2
        elif b == 0x2A:  # star
            if i + 1 < n and pattern[i + 1] == 0x2A:
                raise PatternError("RL306", f"invalid wildcard: double star at byte {i}",
                                   "one '*' already matches any run of bytes")
            if literal:
                parts.append(bytes(literal))
                literal.clear()
            parts.append(None)
            i += 1
        else:
            literal.append(b)
            i += 1
    if literal:
        parts.append(bytes(literal))
    return parts


def split_wildcard(pattern: bytes) -> list[bytes | None]:
    """The literal byte runs of a pattern (escapes undone) and ``None`` for each ``*``;
    :class:`PatternError` (RL306) for an invalid pattern."""
    return _parse(pattern)


def _literal_regex(run: bytes, case_sensitive: bool) -> bytes:
    out = []
    for b in run:
        c = chr(b)
        if not case_sensitive and c.isascii() and c.isalpha():
            out.append(b"[%s%s]" % (c.lower().encode(), c.upper().encode()))
        elif c.isascii() and (c.isalnum() or c == "_"):
            out.append(c.encode())
        else:
            out.append(b"\\x%02x" % b)
    return b"".join(out)


class Wildcard:
    """A compiled wildcard pattern; immutable and safe to share between threads."""

    __slots__ = ("_capture", "_match", "case_sensitive", "pattern", "stars", "test")

    pattern: bytes
    case_sensitive: bool
    stars: int
    test: Callable[[bytes], bool]
    _match: Any  # compiled re2 patterns (the re2 module ships no type information)
    _capture: Any

    def __init__(self, pattern: bytes, case_sensitive: bool, star_limit: int | None) -> None:
        parts = _parse(pattern)
        stars = sum(1 for p in parts if p is None)
        if star_limit is not None and stars > star_limit:
            raise PatternError("RL306", f"wildcard has {stars} star metacharacters, but the "
                               f"limit is {star_limit}",
                               "use fewer '*', or a regex with matches")
        body = b"(?s)" + b"".join(b"(.*?)" if p is None else _literal_regex(p, case_sensitive)
                                  for p in parts)
        try:
            match = re2.compile(body, latin1_options(never_capture=True))
            capture = re2.compile(body, latin1_options())
        except re2.error as exc:  # only a pathological size can get here
            raise PatternError("RL306", f"invalid wildcard: {exc}",
                               "the pattern is too large") from None
        for name, value in (("pattern", bytes(pattern)), ("case_sensitive", case_sensitive),
                            ("stars", stars), ("_match", match), ("_capture", capture),
                            ("test", tester(match, "full"))):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Wildcard objects are immutable")

    def __repr__(self) -> str:
        kind = "strict " if self.case_sensitive else ""
        return f"Wildcard({kind}{self.pattern!r})"

    def match(self, value: bytes) -> bool:
        """True when the whole of ``value`` matches the pattern."""
        return self.test(value)

    def captures(self, value: bytes) -> tuple[bytes, ...] | None:
        """The text of each ``*`` (shortest first, left to right), or ``None`` on no match."""
        m = self._capture.fullmatch(value)
        if m is None:
            return None
        return tuple(m.group(g) or b"" for g in range(1, self.stars + 1))


def compile_wildcard(pattern: bytes, *, case_sensitive: bool,
                     star_limit: int | None = DEFAULT_STAR_LIMIT) -> Wildcard:
    """Compile a wildcard ``pattern`` (bytes after string decoding, §3.6).

    ``case_sensitive`` is true for ``strict wildcard`` and ``wildcard_replace(…, "s")``.
    ``star_limit`` (``None``: unlimited) bounds the number of unescaped ``*``.
    Raises :class:`~rulelang.regex.PatternError` RL306 for an invalid pattern.
    """
    return Wildcard(pattern, case_sensitive, star_limit)
