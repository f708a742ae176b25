"""The pattern translator behind :mod:`rulelang.regex`: the engine's regex dialect
(Rust ``regex``, Unicode mode off, bytes) rewritten for RE2.  See the docstring of
:mod:`rulelang.regex` for what is translated, how, and what is rejected.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rulelang.language.patterns.bytesets import (
    ASCII,
    FULL,
    POSIX,
    chars,
    escape_byte,
    fold,
    ranges,
    span,
)

__all__ = ["MAX_REPEAT", "PatternError", "Restart", "translate"]

#: RE2's largest repetition count.
MAX_REPEAT = 1000
_META = set("\\.+*?()|[]{}^$#&-~")
_PERL = {"d": "digit", "s": "space", "w": "word"}
_UNICODE_WS = (r"\x{9}-\x{d}\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}"
               r"\x{202f}\x{205f}\x{3000}")
_UNICODE_WORD = r"\p{L}\p{M}\p{Nd}\p{Pc}"
#: Rust's ``char::is_whitespace`` (the White_Space property), which the engine's
#: parser skips in ``(?x)`` mode and around the numbers of ``{m,n}``.  Python's
#: ``str.isspace`` also counts U+001C–U+001F, which the engine treats as literals.
_WHITE_SPACE = frozenset("\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"
                         + "".join(map(chr, range(0x2000, 0x200B))))
#: ``(?…`` constructs of backtracking engines: what follows ``(?``, and its name.
_UNSUPPORTED_GROUPS = (("=", "look-ahead"), ("!", "negative look-ahead"),
                       ("<=", "look-behind"), ("<!", "negative look-behind"),
                       (">", "atomic groups"), ("P=", "named backreferences"),
                       ("P>", "recursion"), ("#", "comment groups"), ("|", "branch reset"))
#: Escapes of control characters: ``\a \f \t \n \r \v``.
_CONTROL_ESCAPES = {"a": 7, "f": 12, "t": 9, "n": 10, "r": 13, "v": 11}
_GC_LONG = {
    "letter": "L", "casedletter": "LC", "uppercaseletter": "Lu", "lowercaseletter": "Ll",
    "titlecaseletter": "Lt", "modifierletter": "Lm", "otherletter": "Lo", "mark": "M",
    "number": "N", "decimalnumber": "Nd", "digit": "Nd", "letternumber": "Nl",
    "othernumber": "No", "punctuation": "P", "connectorpunctuation": "Pc",
    "dashpunctuation": "Pd", "symbol": "S", "mathsymbol": "Sm", "currencysymbol": "Sc",
    "separator": "Z", "spaceseparator": "Zs", "other": "C", "control": "Cc",
}


class PatternError(Exception):
    """An invalid regex (RL305), wildcard (RL306) or replacement (RL307).

    Also used for the warning RL509 that :func:`parse_replacement` records.
    """

    def __init__(self, code: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint

    def __repr__(self) -> str:
        return f"PatternError({self.code!r}, {self.message!r}, {self.hint!r})"


class Restart(Exception):
    """Raised in byte mode when the pattern turns Unicode mode on."""


#: One escape read by :meth:`Translator.common_escape`: ("char", code point), ("byte",
#: value), ("perl", letter), ("unicode", (p or P, name)) or ("assert", RE2 text).
_Escape = (tuple[Literal["char", "byte"], int] | tuple[Literal["perl", "assert"], str]
           | tuple[Literal["unicode"], tuple[str, str]])


@dataclass(slots=True)
class _Frame:
    prefix: bytes
    i: bool
    u: bool
    x: bool
    pieces: list  # [bytes, kind]; kind: atom, quantified, bar, flag

    def add(self, text: bytes, kind: str = "atom") -> None:
        self.pieces.append([text, kind])


class Translator:
    """Translates one engine pattern to an RE2 pattern (see the module docstring)."""

    def __init__(self, pattern: str, utf8: bool) -> None:
        self.p = pattern
        self.n = len(pattern)
        self.pos = 0
        self.utf8 = utf8
        self.names: set[str] = set()

    # ----------------------------------------------------------------- helpers
    def error(self, message: str, hint: str = "") -> PatternError:
        where = f" at offset {self.pos}" if self.pos < self.n else " at the end"
        return PatternError("RL305", f"invalid regex: {message}{where}", hint)

    def peek(self, k: int = 0) -> str:
        i = self.pos + k
        return self.p[i] if i < self.n else ""

    def skip_space(self, frame: _Frame) -> None:
        if not frame.x:
            return
        while self.pos < self.n:
            c = self.p[self.pos]
            if c in _WHITE_SPACE:
                self.pos += 1
            elif c == "#":
                end = self.p.find("\n", self.pos)
                self.pos = self.n if end < 0 else end + 1
            else:
                return

    # ----------------------------------------------------------------- driver
    def translate(self) -> bytes:
        frames = [_Frame(b"", False, False, False, [])]
        while True:
            frame = frames[-1]
            self.skip_space(frame)
            if self.pos >= self.n:
                break
            c = self.p[self.pos]
            if c == "(":
                self.open_group(frames)
            elif c == ")":
                if len(frames) == 1:
                    raise self.error("unopened group", "remove the ')' or escape it as '\\)'")
                self.pos += 1
                frames.pop()
                body = b"".join(text for text, _ in frame.pieces)
                frames[-1].add(frame.prefix + body + b")")
            elif c == "|":
                self.pos += 1
                frame.add(b"|", "bar")
            elif c in "*+?{":
                self.quantifier(frame)
            elif c == "[":
                frame.add(self.char_class(frame))
            elif c == "\\":
                frame.add(self.escape(frame))
            elif c == ".":
                self.pos += 1
                frame.add(b".")
            elif c in "^$":
                self.pos += 1
                frame.add(c.encode())
            else:
                self.pos += 1
                frame.add(self.literal(frame, ord(c)))
        if len(frames) > 1:
            raise self.error("unclosed group", "add the missing ')'")
        return b"".join(text for text, _ in frames[0].pieces)

    def literal(self, frame: _Frame, cp: int) -> bytes:
        """A literal character (outside a class) given by code point."""
        if cp < 0x80:
            return escape_byte(cp)
        utf8 = chr(cp).encode("utf-8")
        if self.utf8:
            return b"(?-i:" + utf8 + b")" if frame.i and not frame.u else utf8
        return b"(?:" + b"".join(b"\\x%02x" % b for b in utf8) + b")"

    def raw_byte(self, b: int) -> bytes:
        if b < 0x80:
            return escape_byte(b)
        if self.utf8:
            raise self.error(
                f"the raw byte \\x{b:02x} cannot be combined with (?u) in rulelang",
                "rulelang compiles patterns that use (?u) in UTF-8 mode; write the character "
                "itself or drop (?u)")
        return b"\\x%02x" % b

    # ----------------------------------------------------------------- groups
    def open_group(self, frames: list[_Frame]) -> None:
        """At ``(``: a plain or named capture group, or a flag group ``(?flags)`` /
        ``(?flags:…)``; the engine's backtracking constructs are rejected."""
        frame = frames[-1]
        self.pos += 1
        if self.peek() != "?":
            frames.append(_Frame(b"(", frame.i, frame.u, frame.x, []))
            return
        self.pos += 1
        rest = self.p[self.pos:self.pos + 3]
        self.reject_unsupported_group(rest)
        if rest.startswith(("P<", "<")):
            self.pos += 2 if rest.startswith("P") else 1
            self.capture_name()
            frames.append(_Frame(b"(", frame.i, frame.u, frame.x, []))
            return
        self.flag_group(frames)

    def reject_unsupported_group(self, rest: str) -> None:
        """Reject ``(?…`` constructs that need backtracking (``rest`` follows ``(?``)."""
        for lead, what in _UNSUPPORTED_GROUPS:
            if rest.startswith(lead):
                raise self.error(f"unsupported feature: {what}",
                                 "the engine (like RE2) has no backtracking features; "
                                 "rewrite the pattern without them")

    def capture_name(self) -> None:
        """Read a capture group's name up to its ``>``: valid and not seen before."""
        end = self.p.find(">", self.pos)
        if end < 0:
            raise self.error("unclosed capture group name")
        name = self.p[self.pos:end]
        if not name or not (name[0] == "_" or name[0].isalpha()) or not all(
                ch in "_.[]" or ch.isalnum() for ch in name):
            raise self.error(f"invalid capture group name {name!r}",
                             "a name starts with a letter or '_' and has letters, "
                             "digits, '_', '.', '[' or ']'")
        if name in self.names:
            raise self.error(f"duplicate capture group name {name!r}")
        self.names.add(name)
        self.pos = end + 1

    def flag_group(self, frames: list[_Frame]) -> None:
        """``(?flags)`` sets flags for the rest of the group it is in; ``(?flags:`` opens a
        non-capturing group with them."""
        frame = frames[-1]
        on = self.read_flags()
        if on.get("u") and not self.utf8:
            raise Restart
        kept = "".join(f for f in on if f in "imsU" and on[f])
        off = "".join(f for f in on if f in "imsU" and not on[f])
        flags = (kept + ("-" + off if off else "")).encode()
        i = on.get("i", frame.i)
        u = on.get("u", frame.u)
        x = on.get("x", frame.x)
        closer = self.peek()
        self.pos += 1
        if closer == ")":
            frame.i, frame.u, frame.x = i, u, x
            frame.add(b"(?" + flags + b")" if flags else b"", "flag")
        else:
            frames.append(_Frame(b"(?" + flags + b":", i, u, x, []))

    def read_flags(self) -> dict[str, bool]:
        """Read flag letters up to ``:`` or ``)`` (not consumed); return each flag's new
        state (``False`` after ``-``), in the order written."""
        on: dict[str, bool] = {}
        negate = False
        while True:
            c = self.peek()
            if not c:
                raise self.error("expected a flag but got the end of the regex")
            if c in ":)":
                break
            self.pos += 1
            if c == "-":
                if negate:
                    raise self.error("repeated flag negation '-'")
                negate = True
                continue
            if c == "R":
                raise self.error("the CRLF flag R is not supported by rulelang",
                                 "known difference: RE2 has no CRLF mode; match '\\r?$' "
                                 "instead")
            if c not in "imsUux":
                raise self.error(f"unrecognized flag {c!r}",
                                 "flags are i, m, s, U, u and x")
            if c in on:
                raise self.error(f"duplicate flag {c!r}")
            on[c] = not negate
        if negate and self.p[self.pos - 1] == "-":
            raise self.error("dangling flag negation operator '-'")
        if not on and self.peek() == ")":
            raise self.error("empty flag group '(?)'")
        return on

    # ----------------------------------------------------------------- repetition
    def quantifier(self, frame: _Frame) -> None:
        if not frame.pieces or frame.pieces[-1][1] in ("bar", "flag"):
            raise self.error("repetition operator missing expression",
                             "escape the operator with '\\' to match it literally")
        c = self.p[self.pos]
        self.pos += 1
        if c == "{":
            text = self.counted(frame)
            self.skip_space(frame)  # the engine allows `a{2} ?` (lazy) in (?x) mode
        else:
            text = c.encode()
        if self.peek() == "?":
            self.pos += 1
            text += b"?"
        last = frame.pieces[-1]
        if last[1] == "quantified":
            last[0] = b"(?:" + last[0] + b")"
        last[0] += text
        last[1] = "quantified"

    def counted(self, frame: _Frame) -> bytes:
        def number() -> int:
            # as the engine's parse_decimal: white space around the number is always
            # allowed; (?x) also allows it (and comments) between the digits
            while self.peek() in _WHITE_SPACE and self.pos < self.n:
                self.pos += 1
            digits = []
            while self.peek().isdigit() and self.peek().isascii():
                digits.append(self.peek())
                self.pos += 1
                self.skip_space(frame)
            while self.peek() in _WHITE_SPACE and self.pos < self.n:
                self.pos += 1
                self.skip_space(frame)
            if not digits:
                if self.pos >= self.n:
                    raise self.error("unclosed counted repetition")
                raise self.error("repetition quantifier expects a valid decimal",
                                 "write '\\{' for a literal brace")
            value = int("".join(digits))
            if value > 0xFFFFFFFF:
                raise self.error("repetition count is too large")
            return value

        self.skip_space(frame)
        low = number()
        high: int | None = low
        if self.peek() == ",":
            self.pos += 1
            self.skip_space(frame)
            high = None if self.peek() == "}" else number()
        if self.peek() != "}":
            raise self.error("unclosed counted repetition")
        self.pos += 1
        if high is not None and low > high:
            raise self.error(f"invalid repetition range {{{low},{high}}}: start > end")
        biggest = max(low, high or 0)
        if biggest > MAX_REPEAT:
            raise self.error(
                f"counted repetition {biggest} exceeds {MAX_REPEAT}",
                "known difference: RE2 limits counted repetition to 1000 (the Cloudflare "
                "engine accepts larger counts up to its 10 MiB compiled-size limit); "
                "split the repetition, e.g. (?:a{1000})a{5}")
        if high is None:
            return b"{%d,}" % low
        return b"{%d}" % low if high == low else b"{%d,%d}" % (low, high)

    # ----------------------------------------------------------------- escapes
    def hex_escape(self, kind: str) -> tuple[int, bool]:
        """Parse after ``\\x``/``\\u``/``\\U``; return (code point, is a fixed ``\\xHH``)."""
        if self.peek() == "{":
            end = self.p.find("}", self.pos)
            digits = self.p[self.pos + 1:end] if end > 0 else ""
            if end < 0 or not digits or len(digits) > 8 or not all(
                    ch in "0123456789abcdefABCDEF" for ch in digits):
                raise self.error("invalid hexadecimal escape",
                                 "write \\x{HHHH} with 1 to 8 hex digits")
            self.pos = end + 1
            fixed = False
        else:
            width = {"x": 2, "u": 4, "U": 8}[kind]
            digits = self.p[self.pos:self.pos + width]
            if len(digits) != width or not all(ch in "0123456789abcdefABCDEF" for ch in digits):
                raise self.error(f"\\{kind} needs exactly {width} hex digits")
            self.pos += width
            fixed = kind == "x"
        cp = int(digits, 16)
        if cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF:
            raise self.error("hexadecimal literal is not a Unicode scalar value")
        return cp, fixed

    def common_escape(self, in_class: bool) -> _Escape:
        """Parse one escape (after the backslash has been seen).

        Returns ("char", code point), ("byte", value), ("perl", letter), ("unicode",
        text of \\p/\\P), or ("assert", RE2 text).
        """
        self.pos += 1
        c = self.peek()
        if not c:
            raise self.error("incomplete escape sequence", "a pattern cannot end with '\\'")
        self.pos += 1
        if c.isdigit() and c.isascii():
            raise self.error("backreferences are not supported",
                             "octal escapes are read as backreferences by the engine; "
                             "write \\xHH for a byte")
        if c in "xuU":
            cp, fixed = self.hex_escape(c)
            return ("byte", cp) if fixed and cp < 0x100 else ("char", cp)
        if c in "pP":
            return "unicode", (c, self.property_name())
        if c in "dDsSwW":
            return "perl", c
        if c in _CONTROL_ESCAPES:
            return "char", _CONTROL_ESCAPES[c]
        if c in "AzbB<>":
            return "assert", self.assertion(c, in_class)
        if c == "Z":
            raise self.error("\\Z is not supported", "use \\z for the end of the value")
        if c in _META or (c.isascii() and not c.isalnum() and c not in "<>"):
            return "char", ord(c)
        raise self.error(f"unrecognized escape sequence \\{c}",
                         "escape only punctuation; \\e, \\Q…\\E, \\k, \\C and \\G are "
                         "not supported")

    def property_name(self) -> str:
        """The name of a Unicode class after ``\\p``/``\\P``: ``{Name}`` or one letter."""
        if self.peek() == "{":
            end = self.p.find("}", self.pos)
            if end < 0:
                raise self.error("unclosed Unicode class")
            name = self.p[self.pos + 1:end]
            self.pos = end + 1
            return name
        name = self.peek()
        if not name:
            raise self.error("incomplete Unicode class")
        self.pos += 1
        return name

    def assertion(self, c: str, in_class: bool) -> str:
        """The RE2 text of the assertion ``\\c`` (``A z b B``); the engine's ``\\<``, ``\\>``
        and ``\\b{…}`` are rejected, and no assertion may stand in a class."""
        if in_class:
            raise self.error(f"invalid escape sequence \\{c} in a character class")
        if c in "<>" or (c == "b" and self.p.startswith(
                ("{start}", "{end}", "{start-half}", "{end-half}"), self.pos)):
            raise self.error(
                f"the word-boundary assertion \\{c}{'{…}' if c == 'b' else ''} is not "
                "supported by rulelang", "known difference (RE2): use \\b")
        return "\\" + c

    def escape(self, frame: _Frame) -> bytes:
        match self.common_escape(False):
            case ("char", cp):
                return self.literal(frame, cp)
            case ("byte", b):
                return self.literal(frame, b) if frame.u else self.raw_byte(b)
            case ("assert", text):
                if text in ("\\b", "\\B") and frame.u:
                    raise self.error(f"Unicode word boundary {text} is not supported",
                                     "known difference: RE2's \\b is ASCII-only; write "
                                     f"(?-u:{text}) for an ASCII word boundary")
                return text.encode()
            case ("unicode", prop):
                return self.unicode_class(frame, prop)
            case ("perl", letter):
                if frame.u:
                    return self.unicode_perl(letter, False)
                return self.emit_set(frame, self.perl_set(letter))
        raise AssertionError("unreachable")  # pragma: no cover

    def unicode_class(self, frame: _Frame, value: tuple[str, str]) -> bytes:
        letter, name = value
        if not frame.u:
            raise self.error("Unicode not allowed here",
                             f"\\{letter} classes need Unicode mode: write (?u) before them, "
                             "e.g. (?u)\\p{Hangul}+")
        negated = name.startswith("^")
        name = name[1:] if negated else name
        for prefix in ("script=", "sc=", "general_category=", "gc=", "script:", "sc:",
                       "gc:"):
            if name.lower().startswith(prefix):
                name = name[len(prefix):]
        loose = name.replace("_", "").replace(" ", "").replace("-", "").lower()
        if loose in ("cs", "surrogate"):
            # RE2 knows the category, the engine does not (a Rust char is never one)
            raise self.error(f"Unicode property value not found: \\{letter}{{{name}}}",
                             "surrogate code points cannot occur in the engine's text")
        name = _GC_LONG.get(loose, name)
        if negated:
            letter = "P" if letter == "p" else "p"
        return f"\\{letter}{{{name}}}".encode()

    def unicode_perl(self, letter: str, in_class: bool) -> bytes:
        low = letter.lower()
        neg = letter != low
        if low == "d":
            return b"\\P{Nd}" if neg else b"\\p{Nd}"
        body = (_UNICODE_WS if low == "s" else _UNICODE_WORD).encode()
        if in_class:
            if neg:
                raise self.error(f"\\{letter} inside a Unicode class is not supported",
                                 "known difference: write it outside the class")
            return body
        return b"[^" + body + b"]" if neg else b"[" + body + b"]"

    @staticmethod
    def perl_set(letter: str) -> int:
        mask = POSIX[_PERL[letter.lower()]]
        return mask if letter.islower() else FULL ^ mask

    def emit_set(self, frame: _Frame, mask: int) -> bytes:
        """An explicit RE2 class for a byte set."""
        if self.utf8:
            high = mask >> 128
            if high not in (0, ASCII):
                raise self.error(
                    "a class that splits the bytes \\x80-\\xFF cannot be combined with (?u)",
                    "rulelang compiles patterns that use (?u) in UTF-8 mode")
            parts = [b"%s-%s" % (escape_byte(a), escape_byte(b)) if a != b else escape_byte(a)
                     for a, b in ranges(mask & ASCII)]
            if high:
                parts.append(b"\\x{80}-\\x{10ffff}")
            body = b"[" + b"".join(parts) + b"]" if parts else b"[^\\x00-\\x{10ffff}]"
            return b"(?-i:" + body + b")" if frame.i else body
        if mask == 0:
            return b"[^\\x00-\\xff]"
        return b"[" + b"".join(
            b"\\x%02x-\\x%02x" % (a, b) if a != b else b"\\x%02x" % a
            for a, b in ranges(mask)) + b"]"

    # ----------------------------------------------------------------- classes
    def char_class(self, frame: _Frame) -> bytes:
        if frame.u:
            return self.unicode_bracket(frame)
        return self.emit_set(frame, self.byte_bracket(frame))

    def class_open(self, frame: _Frame) -> tuple[bool, str]:
        """Consume ``[``, ``^`` and the leading literals; return (negated, literals).

        As in the engine, any number of ``-`` right after ``[`` or ``[^`` are literal
        (so ``[--a]`` is the class of ``-`` and ``a``, not a difference), and a ``]``
        there is literal when no ``-`` came first (``[]a]``, ``[^]a]``).
        """
        self.pos += 1
        self.skip_space(frame)
        negated = self.peek() == "^"
        if negated:
            self.pos += 1
            self.skip_space(frame)
        literals = ""
        while self.peek() == "-":
            literals += "-"
            self.pos += 1
            self.skip_space(frame)
        if not literals and self.peek() == "]":
            literals = "]"
            self.pos += 1
            self.skip_space(frame)
        return negated, literals

    def posix(self) -> tuple[str, bool] | None:
        """At a ``[`` inside a class: an ASCII class ``[:name:]``/``[:^name:]``.

        As in the engine, the name runs to the first ``:``, which must be followed by
        ``]``, and must be one of the fourteen names (case-sensitive); otherwise this is
        not an ASCII class but a nested class (``[[:foo:]]`` is the class of ``:fo``),
        and ``None`` is returned without consuming anything.
        """
        if not self.p.startswith("[:", self.pos):
            return None
        start = self.pos + 2
        negated = self.p.startswith("^", start)
        if negated:
            start += 1
        colon = self.p.find(":", start)
        if colon < 0 or not self.p.startswith(":]", colon):
            return None
        name = self.p[start:colon]
        if name not in POSIX:
            return None
        self.pos = colon + 2
        return name, negated

    def class_item_start(self, frame: _Frame) -> str:
        """Skip to the next class item and return its first character; ``""`` when the
        class closes here (the ``]`` is consumed)."""
        self.skip_space(frame)
        c = self.peek()
        if not c:
            raise self.error("unclosed character class", "add the missing ']'")
        if c == "]":
            self.pos += 1
        return "" if c == "]" else c

    def byte_bracket(self, frame: _Frame) -> int:
        negated, literals = self.class_open(frame)
        result: int | None = None
        op = ""
        union = chars(literals)
        while True:
            c = self.class_item_start(frame)
            if not c:
                break
            two = self.p[self.pos:self.pos + 2]
            if two in ("&&", "--", "~~"):
                self.pos += 2
                result = union if result is None else self.apply(frame, result, op, union)
                op, union = two, 0
                continue
            if c == "[":
                found = self.posix()
                if found:
                    union |= POSIX[found[0]] ^ (FULL if found[1] else 0)
                else:
                    union |= self.byte_bracket(frame)
                continue
            union |= self.byte_range(frame)
        mask = union if result is None else self.apply(frame, result, op, union)
        if frame.i:
            mask = fold(mask)
        return FULL ^ mask if negated else mask

    def apply(self, frame: _Frame, left: int, op: str, right: int) -> int:
        if frame.i:
            left, right = fold(left), fold(right)
        if op == "&&":
            return left & right
        if op == "--":
            return left & ~right & FULL
        return left ^ right

    def byte_item(self, frame: _Frame) -> tuple[str, int]:
        """One class item: ("byte", b) for a literal, ("set", mask) for a class."""
        if self.peek() != "\\":
            cp = ord(self.p[self.pos])
            self.pos += 1
            if cp > 0x7F:
                raise self.error("Unicode not allowed here",
                                 "a non-ASCII character in a class needs (?u); for bytes "
                                 "write \\xHH")
            return "byte", cp
        match self.common_escape(True):
            case ("byte", b):
                return "byte", b
            case ("char", cp):
                if cp > 0x7F:
                    raise self.error("Unicode not allowed here",
                                     "in a class, write bytes as \\xHH or turn on (?u)")
                return "byte", cp
            case ("perl", letter):
                return "set", self.perl_set(letter)
            case ("unicode", prop):
                self.unicode_class(frame, prop)  # raises: not in Unicode mode
        raise AssertionError("unreachable")

    def byte_range(self, frame: _Frame) -> int:
        kind, first = self.byte_item(frame)
        self.skip_space(frame)
        if self.peek() != "-" or self.next_after_dash(frame) in ("]", "-", ""):
            return first if kind == "set" else 1 << first
        self.pos += 1
        self.skip_space(frame)
        kind2, last = self.byte_item(frame)
        if kind == "set" or kind2 == "set":
            raise self.error("invalid range boundary, must be a literal")
        if first > last:
            raise self.error("invalid character class range: start > end")
        return span(first, last)

    def next_after_dash(self, frame: _Frame) -> str:
        keep = self.pos
        self.pos += 1
        self.skip_space(frame)
        c = self.peek()
        self.pos = keep
        return c

    def unicode_bracket(self, frame: _Frame) -> bytes:
        """A class in Unicode mode: passed to RE2 item by item (no nesting, no set ops)."""
        negated, literals = self.class_open(frame)
        out = [b"[^" if negated else b"["]
        out += [b"\\" + c.encode() for c in literals]
        while True:
            c = self.class_item_start(frame)
            if not c:
                break
            two = self.p[self.pos:self.pos + 2]
            found = self.posix() if c == "[" else None
            if found:
                out.append(f"[:{'^' if found[1] else ''}{found[0]}:]".encode())
                continue
            if two in ("&&", "--", "~~") or c == "[":
                raise self.error("nested classes and class set operations are not supported "
                                 "in Unicode mode", "known difference: list the members, or "
                                 "use them outside (?u)")
            out.append(self.unicode_item(frame))
            self.skip_space(frame)
            if self.peek() == "-" and self.next_after_dash(frame) not in ("]", "-", ""):
                self.pos += 1
                self.skip_space(frame)
                out.append(b"-" + self.unicode_item(frame))
        body = b"".join(out) + b"]"
        return body

    def unicode_item(self, frame: _Frame) -> bytes:
        if self.peek() != "\\":
            ch = self.p[self.pos]
            self.pos += 1
            return b"\\x{%x}" % ord(ch)
        match self.common_escape(True):
            case ("char" | "byte", cp):
                return b"\\x{%x}" % cp
            case ("perl", letter):
                return self.unicode_perl(letter, True)
            case ("unicode", prop):
                return self.unicode_class(frame, prop)
        raise AssertionError("unreachable")  # pragma: no cover


def translate(pattern: str) -> tuple[bytes, bool]:
    """Translate ``pattern``; return (RE2 pattern bytes, needs UTF-8 mode).

    Raises :class:`PatternError` RL305 for what the engine rejects or what RE2 cannot
    run the same way.
    """
    try:
        return Translator(pattern, False).translate(), False
    except Restart:
        return Translator(pattern, True).translate(), True
