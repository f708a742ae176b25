"""Byte sets for the regex translator: a set of bytes is an ``int`` bit mask (bit
``b`` set = byte ``b`` in the set).  The engine compiles classes with Unicode mode
off, so every class of a byte pattern is worked out here, exactly, and emitted to
RE2 as explicit byte ranges.
"""

from __future__ import annotations

__all__ = ["ASCII", "FULL", "POSIX", "chars", "escape_byte", "fold", "ranges", "span"]

#: Every byte; the ASCII bytes.
FULL = (1 << 256) - 1
ASCII = (1 << 128) - 1


def ranges(mask: int) -> list[tuple[int, int]]:
    """The set as sorted inclusive ``(first, last)`` byte ranges."""
    out, b = [], 0
    while b < 256:
        if mask >> b & 1:
            start = b
            while b < 256 and mask >> b & 1:
                b += 1
            out.append((start, b - 1))
        else:
            b += 1
    return out


def span(a: int, b: int) -> int:
    """The bytes ``a`` to ``b`` inclusive."""
    return ((1 << (b - a + 1)) - 1) << a


def chars(text: str) -> int:
    """The bytes of the (Latin-1) characters of ``text``."""
    mask = 0
    for c in text:
        mask |= 1 << ord(c)
    return mask


#: The POSIX classes ``[[:name:]]`` (ASCII only, as in the engine).
POSIX = {
    "alnum": span(48, 57) | span(65, 90) | span(97, 122),
    "alpha": span(65, 90) | span(97, 122),
    "ascii": span(0, 127),
    "blank": chars("\t "),
    "cntrl": span(0, 31) | 1 << 127,
    "digit": span(48, 57),
    "graph": span(33, 126),
    "lower": span(97, 122),
    "print": span(32, 126),
    "punct": span(33, 47) | span(58, 64) | span(91, 96) | span(123, 126),
    "space": chars("\t\n\v\f\r "),
    "upper": span(65, 90),
    "word": span(48, 57) | span(65, 90) | span(97, 122) | 1 << 95,
    "xdigit": span(48, 57) | span(65, 70) | span(97, 102),
}


def fold(mask: int) -> int:
    """ASCII case folding of a byte set."""
    upper, lower = mask >> 65 & (1 << 26) - 1, mask >> 97 & (1 << 26) - 1
    return mask | upper << 97 | lower << 65


def escape_byte(b: int) -> bytes:
    """Byte ``b`` written for RE2: itself, ``\\`` + punctuation, or ``\\xHH``."""
    c = chr(b)
    if c.isascii() and (c.isalnum() or c == "_"):
        return c.encode()
    if 0x21 <= b <= 0x7E:
        return b"\\" + c.encode()
    return b"\\x%02x" % b


