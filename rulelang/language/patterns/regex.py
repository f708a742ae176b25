"""Regular expressions of ``matches`` and ``regex_replace`` (language reference §6.4).

The engine's dialect is the Rust ``regex`` crate with Unicode mode and UTF-8 mode off:
the haystack is raw bytes and ``.`` is one byte.  ``rulelang`` runs patterns on RE2
(``google-re2``), which is linear-time, after translating them with a small parser of
its own (:mod:`rulelang.regex_syntax`).  Python's ``re`` never sees a user pattern.

How a pattern is translated:

- **Byte mode** (no ``(?u)`` anywhere, the usual case): RE2 runs in Latin-1 mode, so
  one pattern character is one haystack byte.  A non-ASCII character written in the
  pattern becomes the group of its UTF-8 bytes (``é`` → ``(?:\\xc3\\xa9)``);
  ``\\xHH`` is the single byte ``HH``; ``\\x{HHHH}``, ``\\uHHHH`` and ``\\U…`` are the
  UTF-8 bytes of that code point.  Every character class (``[…]``, ``\\d``, ``\\s``,
  ``\\w``, POSIX classes, nesting, negation, the set operations ``&&`` ``--`` ``~~``,
  ASCII case folding under ``(?i)``) is evaluated here, exactly as the engine does,
  into a set of bytes and emitted as an explicit RE2 class.  A non-ASCII character
  inside a class, ``\\p``/``\\P`` and ``\\x{…}`` above ``\\x7F`` in a class are
  "Unicode not allowed here" errors, as in the engine.
- **Unicode patterns** (some ``(?u)`` or ``(?u:…)`` turns Unicode mode on): the whole
  pattern is compiled in RE2's UTF-8 mode.  Inside the Unicode scope ``.``, classes,
  ``\\p{…}`` and ``(?i)`` work on code points as in the engine; ``\\d`` becomes
  ``\\p{Nd}``, ``\\s`` the White_Space set, and ``\\w`` ``[\\p{L}\\p{M}\\p{Nd}\\p{Pc}]``
  (the engine also counts the few ``Other_Alphabetic`` symbols and ``Join_Control``).
  Known differences, each reported as RL305 rather than matched differently:
  ``\\b``/``\\B`` inside the Unicode scope (RE2's are ASCII-only: write
  ``(?-u:\\b)``), nested classes and set operations inside the Unicode scope, and
  raw bytes ``\\x80``–``\\xFF`` outside it.  Outside the Unicode scope of such a
  pattern ``.`` and negated classes match one whole UTF-8 character instead of one
  byte (a class that splits the bytes ``\\x80``–``\\xFF`` is rejected).
- ``(?x)`` is honoured by the translator (whitespace and ``#`` comments are dropped,
  also inside classes and counted repetitions, as in the engine).  Group names are
  checked with the engine's rules and then dropped (replacements use numbers only).
- Not supported, RL305 with a hint: backreferences and octal escapes (``\\1``,
  ``\\0``), look-around, atomic groups, ``\\Z``, ``\\e``, ``\\Q…\\E`` and other
  unknown escapes; and, as known differences from the engine, the word-boundary
  assertions ``\\<`` ``\\>`` ``\\b{start}``…, the CRLF flag ``R``, counted repetition
  above 1000 (RE2's limit; the engine accepts more up to its 10 MiB size limit), and
  nested repetitions whose product exceeds 1000.
- Stacked repetitions (``x{2}{3}``, ``x**``), accepted by the engine, are wrapped in
  groups for RE2.  The compiled program is limited to 10 MiB, like the engine.
- The translator follows the engine's parser (``regex-syntax``) in its corners:
  ``[:name:]`` inside a class with an unknown name is a nested class
  (``[[:foo:]]`` = ``[:fo]``); leading ``-`` after ``[``/``[^`` are literals
  (``[--a]``); white space (Rust's White_Space, not ``str.isspace``) is allowed
  around the numbers of ``{m,n}`` and, under ``(?x)``, between their digits and
  before a lazy ``?``.  ``\\p{Cs}`` is rejected as by the engine.
- Further known differences (RL305, the engine accepts): Unicode property names RE2
  does not know (binary properties such as ``\\p{Alphabetic}``, ``Age``/``scx``
  values, script abbreviations such as ``\\p{Latn}``, loose spellings such as
  ``\\p{greek}``, scripts newer than RE2's tables) and ``(?x)`` white space inside
  ``\\xHH``/``\\x{…}``.  The differential test against the engine's parser
  (``tests/language/patterns/test_regex_differential.py``) lists them all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import re2

from rulelang.language.patterns.regex_syntax import PatternError, translate

__all__ = [
    "PatternError",
    "Regex",
    "Replacement",
    "compile_regex",
    "latin1_options",
    "parse_replacement",
]

#: The engine's ``regex_compiled_size_limit``.
SIZE_LIMIT = 10 * 1024 * 1024
#: At most this many ``${N}`` references in one replacement (§8.3).
MAX_REFERENCES = 8


def latin1_options(*, never_capture: bool = False) -> re2.Options:
    """RE2 options for byte matching (Latin-1), quiet, with the engine's size limit."""
    options = re2.Options()
    options.encoding = re2.Options.Encoding.LATIN1
    options.log_errors = False
    options.max_mem = SIZE_LIMIT
    options.never_capture = never_capture
    return options


@dataclass(frozen=True, slots=True)
class Replacement:
    """A parsed replacement template: literal bytes and group numbers, in order.

    ``warnings`` holds RL509 findings (``$N`` written without braces).
    """

    template: bytes
    parts: tuple[bytes | int, ...]
    references: int
    warnings: tuple[PatternError, ...] = ()

    def expand(self, groups: Sequence[bytes | None]) -> bytes:
        """The replacement text for the captured ``groups`` (index 0 = whole match)."""
        return b"".join(p if isinstance(p, bytes) else (groups[p] or b"") for p in self.parts)


def parse_replacement(template: bytes, groups: int) -> Replacement:
    """Parse a ``regex_replace``/``wildcard_replace`` replacement (§8.3).

    ``${N}`` inserts group ``N`` (``N`` ≤ ``groups``), ``$$`` inserts ``$``; ``$N``
    without braces is read as ``${N}`` with a warning RL509; any other ``$`` and more
    than eight references raise :class:`PatternError` RL307.
    """
    parts: list[bytes | int] = []
    warnings: list[PatternError] = []
    literal = bytearray()
    refs = 0
    i, n = 0, len(template)
    while i < n:
        b = template[i]
        if b != 0x24:  # '$'
            literal.append(b)
            i += 1
            continue
        nxt = template[i + 1:i + 2]
        if nxt == b"$":
            literal.append(0x24)
            i += 2
            continue
        if nxt == b"{":
            end = template.find(b"}", i + 2)
            digits = template[i + 2:end] if end > 0 else b""
            if end < 0 or not digits.isdigit():
                raise PatternError(
                    "RL307", f"invalid reference at byte {i} of the replacement",
                    "write ${N} with a group number, or $$ for a literal '$'")
            i = end + 1
        elif nxt.isdigit():
            j = i + 1
            while j < n and template[j:j + 1].isdigit():
                j += 1
            digits = template[i + 1:j]
            warnings.append(PatternError(
                "RL509", f"${digits.decode()} without braces is read as "
                f"${{{digits.decode()}}}", f"write ${{{digits.decode()}}}"))
            i = j
        else:
            raise PatternError("RL307", f"'$' at byte {i} of the replacement is not a "
                               "reference", "write $$ for a literal '$' or ${N} for a group")
        number = int(digits)
        if number > groups:
            raise PatternError("RL307", f"the replacement refers to group {number}, but the "
                               f"pattern has only {groups}",
                               "groups are numbered from 1; ${0} is the whole match")
        refs += 1
        if refs > MAX_REFERENCES:
            raise PatternError("RL307", f"the replacement has more than {MAX_REFERENCES} "
                               "references", "at most eight ${N} references are allowed")
        if literal:
            parts.append(bytes(literal))
            literal.clear()
        parts.append(number)
    if literal:
        parts.append(bytes(literal))
    return Replacement(bytes(template), tuple(parts), refs, tuple(warnings))


#: Characters that may follow a backslash in a pattern's fixed leading text.
_ESCAPED_LITERALS = frozenset("\\.+*?()|[]{}^$/-")
_META = frozenset(".[]{}()*+?^$|\\")


def leading_text(pattern: str) -> bytes:
    """The fixed text every match of ``pattern`` starts with at the start of the value:
    ``b"/api/"`` for ``^/api/v[0-9]+``; ``b""`` when there is none (no ``^`` first, an
    alternation anywhere, or no plain ASCII literal after the ``^``).

    Conservative by construction: it reads only plain printable ASCII characters and
    escaped punctuation, and stops before any character a quantifier applies to."""
    if not pattern.startswith("^") or "|" in pattern:
        return b""
    out: list[str] = []
    i, n = 1, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n or pattern[i + 1] not in _ESCAPED_LITERALS:
                break
            literal, step = pattern[i + 1], 2
        elif c in _META or not (c.isascii() and c.isprintable()):
            break
        else:
            literal, step = c, 1
        if i + step < n and pattern[i + step] in "*+?{":
            break
        out.append(literal)
        i += step
    return "".join(out).encode("ascii")


def tester(compiled: Any, anchor: str, prefix: bytes = b"") -> Callable[[bytes], bool]:
    """The fastest ``data -> bool`` test of a compiled ``re2`` pattern.

    ``anchor`` is ``"search"`` (anywhere) or ``"full"`` (the whole value); ``prefix``
    is fixed text every match starts with (:func:`leading_text`), checked with
    ``bytes.startswith`` before RE2 is called.  The
    ``re2`` module's ``search``/``fullmatch`` run a Python generator and build a match
    object per call; when the module exposes its compiled ``RE2`` object, the test
    calls it directly (checked once against the public API), else it falls back to
    the public methods.
    """
    public = compiled.search if anchor == "search" else compiled.fullmatch
    regexp = getattr(compiled, "_regexp", None)
    anchors = getattr(getattr(re2, "_re2", None), "RE2", None)
    anchors = getattr(anchors, "Anchor", None)
    where = getattr(anchors, "UNANCHORED" if anchor == "search" else "ANCHOR_BOTH", None)
    if regexp is not None and where is not None and hasattr(regexp, "Match"):
        match = regexp.Match

        if prefix:
            def test(data: bytes) -> bool:
                return data.startswith(prefix) and match(where, data, 0, len(data))[0][0] >= 0
        else:
            def test(data: bytes) -> bool:
                return match(where, data, 0, len(data))[0][0] >= 0
        try:
            agrees = all(test(probe) == (public(probe) is not None)
                         for probe in (b"", b"a", b"\xff\n"))
        except (AttributeError, IndexError, TypeError, ValueError):
            agrees = False  # an re2 build whose internals differ: use the public API
        if agrees:
            return test
    if prefix:
        return lambda data: data.startswith(prefix) and public(data) is not None
    return lambda data: public(data) is not None


class Regex:
    """A compiled ``matches`` / ``regex_replace`` pattern; immutable, thread-safe.

    ``test`` is the fastest ``data -> bool`` search (what the compiler calls);
    ``prefix`` the fixed text every match starts with (``b""`` when there is none).
    """

    __slots__ = ("_capture", "_search", "groups", "pattern", "prefix", "test", "translated",
                 "utf8")

    pattern: str
    translated: bytes
    utf8: bool
    groups: int
    prefix: bytes
    test: Callable[[bytes], bool]
    _search: Any  # compiled re2 patterns (the re2 module ships no type information)
    _capture: Any

    def __init__(self, pattern: str) -> None:
        translated, utf8 = translate(pattern)
        search = _compile(translated, utf8, never_capture=True)
        capture = _compile(translated, utf8, never_capture=False)
        prefix = leading_text(pattern)
        for name, value in (("pattern", pattern), ("translated", translated), ("utf8", utf8),
                            ("groups", capture.groups), ("_search", search),
                            ("_capture", capture), ("prefix", prefix),
                            ("test", tester(search, "search", prefix))):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Regex objects are immutable")

    def __repr__(self) -> str:
        return f"Regex({self.pattern!r})"

    def search(self, data: bytes) -> bool:
        """True when the pattern matches anywhere in ``data``."""
        return self.test(data)

    def replace_first(self, data: bytes, template: Replacement) -> bytes:
        """``data`` with its leftmost match replaced by ``template``; unchanged if none."""
        match = self._capture.search(data)
        if match is None:
            return data
        start, end = match.span()
        groups = [match.group(g) for g in range(self.groups + 1)]
        return data[:start] + template.expand(groups) + data[end:]


def _compile(translated: bytes, utf8: bool, *, never_capture: bool):
    options = latin1_options(never_capture=never_capture)
    if utf8:
        options.encoding = re2.Options.Encoding.UTF8
    try:
        return re2.compile(translated, options)
    except re2.error as exc:
        text = exc.args[0] if exc.args else b""
        text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        if "too large" in text or "program size" in text:
            raise PatternError("RL305", "compiled regex exceeds the size limit of 10 MiB",
                               "simplify the pattern or reduce repetition counts") from None
        hint = ""
        if "repetition" in text:
            hint = ("known difference: RE2 limits nested repetition to a total count of 1000 "
                    "(the engine only limits the compiled size)")
        elif "character class" in text:
            hint = ("rulelang (RE2) knows general categories (L, Lu, Nd, …) and script names "
                    "(Greek, Hangul, …) in \\p{…}")
        raise PatternError("RL305", f"invalid regex: {text}", hint) from None


def compile_regex(pattern: str) -> Regex:
    """Compile a regex given as text (after the regex-literal rules of §3.9).

    Raises :class:`PatternError` RL305 for anything the engine rejects or that
    ``rulelang`` cannot run identically (see the module docstring).
    """
    return Regex(pattern)
