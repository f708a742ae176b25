"""Readers (and writers) of the language's literal forms (reference §3.6–§3.12).

The parser keeps unquoted literals as :class:`rulelang.nodes.Bare` text because
their type depends on the left operand (§5.2); the type checker reads them here
once it knows that type.  The parser uses the string readers directly.

Every reader raises :class:`LiteralError` with a diagnostic code, a message, a
hint and the offending region (``offset``/``length`` within the literal text).

Helpers for the checker:

- :func:`bare_forms` — which forms (``int``, ``int_range``, ``ip``, ``cidr``,
  ``ip_range``, ``bytes``) a bare text can be read as, whatever the context;
- :func:`check_bare` — ``None`` when the text is valid in at least one form,
  else the error of the form it most resembles (the parser reports it);
- :func:`is_cidr`, :func:`is_range` — CIDR/range shapes, which are allowed
  only inside sets (the checker reports them elsewhere).
"""

from __future__ import annotations

import ipaddress
import re

from rulelang.schema.types import INT, IP, STRING, Type

__all__ = [
    "MAX_RAW_HASHES",
    "LiteralError",
    "bare_forms",
    "check_bare",
    "decode_quoted",
    "decode_raw",
    "is_cidr",
    "is_range",
    "parse_byte_string",
    "parse_cidr",
    "parse_function_literal",
    "parse_int",
    "parse_int_range",
    "parse_ip",
    "parse_ip_range",
    "parse_set_element",
    "quote_bytes",
    "raw_string",
    "read_regex",
]

#: The most ``#`` a raw-string delimiter may have (§3.7).
MAX_RAW_HASHES = 255
_I64_MIN, _I64_MAX = -(2 ** 63), 2 ** 63 - 1


class LiteralError(Exception):
    """A literal that cannot be read: ``code`` (``RL102``…), ``message``, ``hint``,
    and the bad region as ``offset``/``length`` within the literal's own text."""

    def __init__(self, code: str, message: str, hint: str = "", offset: int = 0,
                 length: int = 0):
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint
        self.offset = offset
        self.length = length


# --------------------------------------------------------------------------- strings

_OCT = "01234567"
_HEX = "0123456789abcdefABCDEF"


def _utf8(text: str, offset: int) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise LiteralError("RL101", "the text contains a lone surrogate (not valid Unicode)",
                           "remove the invalid character", offset + exc.start, 1) from None


def decode_quoted(text: str) -> bytes:
    """Decode a quoted string token (with its quotes) per §3.6 into bytes.

    Escapes: ``\\"`` ``\\\\`` ``\\xHH`` ``\\OOO`` (≤ ``\\377``); anything else is RL103.
    A missing closing quote is RL102.
    """
    if len(text) < 2 or not text.startswith('"') or not text.endswith('"') or \
            _ends_escaped(text):
        raise LiteralError("RL102", "unterminated string: could not find the ending quote",
                           'close the string with "', 0, len(text))
    inner = text[1:-1]
    if "\\" not in inner:
        return _utf8(inner, 1)
    out = bytearray()
    i, n = 0, len(inner)
    while i < n:
        j = inner.find("\\", i)
        if j < 0:
            out += _utf8(inner[i:], i + 1)
            break
        out += _utf8(inner[i:j], i + 1)
        c = inner[j + 1] if j + 1 < n else ""
        if c in ('"', "\\"):
            out.append(ord(c))
            i = j + 2
        elif c == "x":
            hh = inner[j + 2:j + 4]
            if len(hh) != 2 or any(h not in _HEX for h in hh):
                bad = 2 + len(hh)
                raise LiteralError("RL103", f"invalid escape {_show(inner[j:j + 4])}: \\x needs "
                                   "exactly two hex digits", 'write \\x41 for "A"', j + 1, bad)
            out.append(int(hh, 16))
            i = j + 4
        elif c and c in _OCT:
            ooo = inner[j + 1:j + 4]
            if len(ooo) != 3 or any(o not in _OCT for o in ooo):
                bad = len(ooo) + 1
                raise LiteralError("RL103", f"invalid escape {_show(inner[j:j + 4])}: an octal "
                                   "escape needs exactly three octal digits (0-7)",
                                   'write \\101 for "A" or \\000 for NUL', j + 1, bad)
            value = int(ooo, 8)
            if value > 0o377:
                raise LiteralError("RL103", f"invalid escape \\{ooo}: octal escapes go up to "
                                   "\\377", "use a value from \\000 to \\377", j + 1, 4)
            out.append(value)
            i = j + 4
        else:
            shown = "\\" + c if c else "\\"
            raise LiteralError("RL103", f"invalid escape {_show(shown)} in a quoted string",
                               _escape_hint(c), j + 1, 1 + len(c))
    return bytes(out)


def _show(s: str) -> str:
    return "`" + s.replace("\n", "\\n") + "`"


def _escape_hint(c: str) -> str:
    named = {"n": "\\x0a", "t": "\\x09", "r": "\\x0d", "0": "\\000"}
    if c in named:
        return f"there are no C escapes; write {named[c]} instead of \\{c}"
    if c == "'":
        return "a single quote needs no escape inside a double-quoted string"
    if c == "u":
        return "write the character itself, or its UTF-8 bytes as \\xHH escapes"
    return ('only \\" \\\\ \\xHH and \\OOO are escapes; write \\\\ for a backslash, '
            'or use a raw string r"..."')


def _ends_escaped(text: str) -> bool:
    """True when the final quote of ``text`` is escaped by an odd run of backslashes."""
    k = len(text) - 2
    run = 0
    while k >= 1 and text[k] == "\\":
        run += 1
        k -= 1
    return run % 2 == 1


_RAW_RE = re.compile(r'r(#*)"(.*)"(#*)\Z', re.DOTALL)


def decode_raw(text: str) -> str:
    """The content of a raw string token ``r#"..."#`` (§3.7), taken verbatim."""
    m = _RAW_RE.match(text)
    if not m or m.group(1) != m.group(3):
        raise LiteralError("RL102", "unterminated raw string", 'end it with " followed by as '
                           'many # as it starts with', 0, len(text))
    hashes = len(m.group(1))
    if hashes > MAX_RAW_HASHES:
        raise LiteralError("RL104", f"raw string delimiter has {hashes} '#', the limit is "
                           f"{MAX_RAW_HASHES}", "use fewer # around the raw string", 1, hashes)
    return m.group(2)


def read_regex(text: str) -> str:
    """The pattern handed to the regex compiler for a ``matches`` operand (§3.9).

    Raw strings are verbatim.  In a quoted string every backslash pair is kept as
    written, except ``\\"`` outside a character class, which becomes ``"``.
    """
    if text.startswith("r"):
        return decode_raw(text)
    if len(text) < 2 or text[0] != '"':
        raise LiteralError("RL102", "unterminated regex string", 'close it with "', 0, len(text))
    out: list[str] = []
    in_class = False
    i, n = 1, len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            if i + 1 >= n:
                break
            nxt = text[i + 1]
            out.append(nxt if (nxt == '"' and not in_class) else "\\" + nxt)
            i += 2
            continue
        if c == '"' and not in_class:
            if i != n - 1:
                break
            return "".join(out)
        if c == "[":
            in_class = True
        elif c == "]":
            in_class = False
        out.append(c)
        i += 1
    raise LiteralError("RL102", "unterminated regex string: could not find the ending quote",
                       'close it with "; a " inside [...] does not end the string', 0, len(text))


def quote_bytes(value: bytes) -> str:
    """A quoted string literal that decodes to ``value``: printable text as is,
    ``\\"`` and ``\\\\`` escaped, every other byte as ``\\xHH``."""
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    out = ['"']
    if text is not None:
        for ch in text:
            if ch in '"\\':
                out.append("\\" + ch)
            elif ch.isprintable():
                out.append(ch)
            else:
                out.extend(f"\\x{b:02x}" for b in ch.encode("utf-8"))
    else:
        for b in value:
            if b in (0x22, 0x5C):
                out.append("\\" + chr(b))
            elif 0x20 <= b < 0x7F:
                out.append(chr(b))
            else:
                out.append(f"\\x{b:02x}")
    out.append('"')
    return "".join(out)


def raw_string(content: str) -> str | None:
    """The shortest raw string ``r#"…"#`` whose content is ``content`` (None if > 255 #)."""
    hashes = 0
    while '"' + "#" * hashes in content:
        hashes += 1
        if hashes > MAX_RAW_HASHES:
            return None
    h = "#" * hashes
    return f'r{h}"{content}"{h}'


# --------------------------------------------------------------------------- integers

_DEC = re.compile(r"-?[0-9]+\Z")
_HEXNUM = re.compile(r"0x[0-9A-Fa-f]+\Z")


def parse_int(text: str) -> int:
    """Read an integer literal (§3.10): decimal (``-`` allowed, then always decimal),
    ``0x`` hex, leading-``0`` octal; signed 64-bit.  Errors are RL105."""
    if _DEC.match(text):
        if text.startswith("-"):
            value = int(text[1:], 10) * -1
        elif len(text) > 1 and text[0] == "0":
            bad = next((i for i, ch in enumerate(text) if ch in "89"), None)
            if bad is not None:
                raise LiteralError("RL105", f"invalid integer `{text}`: a leading 0 makes it "
                                   f"octal and `{text[bad]}` is not an octal digit",
                                   "remove the leading zeros for a decimal number", bad, 1)
            value = int(text, 8)
        else:
            value = int(text, 10)
    elif _HEXNUM.match(text):
        value = int(text, 16)
    else:
        raise LiteralError("RL105", f"invalid integer `{text}`", _int_hint(text), 0, len(text))
    if not _I64_MIN <= value <= _I64_MAX:
        raise LiteralError("RL105", f"integer `{text}` is outside the signed 64-bit range",
                           "integers go from -9223372036854775808 to 9223372036854775807",
                           0, len(text))
    return value


def _int_hint(text: str) -> str:
    if text.startswith("+"):
        return "integers have no + sign; write the digits alone"
    if text.startswith(("-0x", "-0X")):
        return "hexadecimal and octal integers cannot be negative"
    if text.startswith("0X"):
        return "the hexadecimal prefix is a lower-case 0x"
    if text in ("0x", "-"):
        return "digits must follow"
    if "_" in text:
        return "integers have no digit separators"
    if re.fullmatch(r"-?[0-9]+\.[0-9]+", text):
        return "there are no fractional numbers; Int is a whole number"
    if re.fullmatch(r"-?[0-9]+[eE][0-9]+", text):
        return "there is no exponent notation; write all the digits"
    if re.fullmatch(r"-?[0-9]+[A-Za-z_][A-Za-z0-9_]*", text):
        return "put a space between a number and the word that follows it"
    return "write a decimal, 0x hexadecimal or 0-prefixed octal integer"


def parse_int_range(text: str) -> tuple[int, int]:
    """Read ``a..b`` of two integers with ``a <= b`` (§3.12)."""
    lo_text, sep, hi_text = text.partition("..")
    if sep and not (lo_text and hi_text):
        raise LiteralError("RL105", f"incomplete range `{text}`", "write first..last with no "
                           "spaces around `..`, e.g. 300..399", 0, len(text))
    if not sep:
        raise LiteralError("RL105", f"`{text}` is not an integer range", "write first..last",
                           0, len(text))
    lo = _at(parse_int, lo_text, 0)
    hi = _at(parse_int, hi_text, len(lo_text) + 2)
    if lo > hi:
        raise LiteralError("RL106", f"integer range `{text}` is reversed: {lo} is greater "
                           f"than {hi}", f"write {hi_text}..{lo_text}", 0, len(text))
    return lo, hi


def _at(reader, part: str, offset: int):
    try:
        return reader(part)
    except LiteralError as exc:
        exc.offset += offset
        if not exc.length:
            exc.length = len(part)
        raise


# --------------------------------------------------------------------------- IP addresses

_V4 = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}\Z")
_V4ISH = re.compile(r"[0-9.]+\Z")


def parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """Read an IPv4 dotted quad or an IPv6 address (RFC 4291 text forms); canonical
    forms only (no leading zeros, no short IPv4 forms, no zone).  Errors are RL106."""
    try:
        if ":" in text:
            if "%" in text:
                raise ValueError
            return ipaddress.IPv6Address(text)
        if _V4.match(text):
            return ipaddress.IPv4Address(text)
    except ValueError:
        pass
    hint = "write an IPv4 dotted quad such as 192.0.2.1 or an IPv6 address such as 2001:db8::1"
    if _V4ISH.match(text):
        parts = text.split(".")
        if len(parts) < 4:
            hint = f"write all four parts of the address, e.g. {'.'.join(parts + ['0'] * (4 - len(parts)))}"
        elif any(len(p) > 1 and p.startswith("0") for p in parts):
            hint = "remove the leading zeros: " + ".".join(str(int(p or 0)) for p in parts)
        elif any(p and int(p) > 255 for p in parts):
            hint = "each part of an IPv4 address is 0-255"
    return _raise("RL106", f"invalid IP address `{text}`", hint, text)


def _raise(code: str, message: str, hint: str, text: str):
    raise LiteralError(code, message, hint, 0, len(text))


def parse_cidr(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """Read ``addr/len`` (§3.11): length ≤ 32 (IPv4) or ≤ 128 (IPv6), host bits zero."""
    addr_text, _, len_text = text.partition("/")
    addr = _at(parse_ip, addr_text, 0)
    limit = addr.max_prefixlen
    if not re.fullmatch(r"[0-9]{1,3}", len_text) or int(len_text) > limit:
        raise LiteralError("RL106", f"invalid prefix length `/{len_text}` in `{text}`",
                           f"the prefix length of an IPv{addr.version} CIDR is 0-{limit}",
                           len(addr_text), len(len_text) + 1)
    net = ipaddress.ip_network((addr, int(len_text)), strict=False)
    if net.network_address != addr:
        raise LiteralError("RL106", f"invalid CIDR `{text}`: host part of address was not zero",
                           f"did you mean {net}?", 0, len(text))
    return net


def parse_ip_range(text: str):
    """Read ``first..last`` of two addresses of one family with ``first <= last``."""
    a_text, _, b_text = text.partition("..")
    if not (a_text and b_text):
        raise LiteralError("RL106", f"incomplete range `{text}`", "write first..last with no "
                           "spaces around `..`, e.g. 10.0.0.1..10.0.0.9", 0, len(text))
    first = _at(parse_ip, a_text, 0)
    last = _at(parse_ip, b_text, len(a_text) + 2)
    if first.version != last.version:
        raise LiteralError("RL106", f"IP range `{text}` mixes IPv{first.version} and "
                           f"IPv{last.version}", "both ends of a range must be the same family",
                           0, len(text))
    if first > last:
        raise LiteralError("RL106", f"IP range `{text}` is reversed", f"write {b_text}..{a_text}",
                           0, len(text))
    return first, last


# --------------------------------------------------------------------------- byte strings

_BYTES = re.compile(r"[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2})+\Z")
_BYTES_ISH = re.compile(r"[0-9A-Fa-f]{2}(?:[:.\-][0-9A-Fa-f]{0,2})+\Z")


def parse_byte_string(text: str) -> bytes:
    """Read ``61:62`` (two hex digits per byte, ``:`` between, at least two bytes)."""
    if _BYTES.match(text):
        return bytes.fromhex(text.replace(":", ""))
    if re.fullmatch(r"[0-9A-Fa-f]{2}", text):
        hint = "a byte string needs at least two bytes; use a quoted string for one byte"
    elif text.endswith(":"):
        hint = "remove the trailing `:`"
    elif "-" in text or "." in text:
        hint = "separate the bytes with `:` (as in 61:62)"
    else:
        hint = "write two hex digits per byte, separated by `:` (as in 61:62)"
    return _raise("RL107", f"invalid byte string `{text}`", hint, text)


# --------------------------------------------------------------------------- bare forms

def is_cidr(text: str) -> bool:
    """True when ``text`` has the shape of a CIDR (``addr/len``)."""
    return "/" in text


def is_range(text: str) -> bool:
    """True when ``text`` has the shape of a range (``a..b``)."""
    return ".." in text


_READERS = {
    "int": parse_int, "int_range": parse_int_range, "ip": parse_ip, "cidr": parse_cidr,
    "ip_range": parse_ip_range, "bytes": parse_byte_string,
}


def bare_forms(text: str) -> dict[str, object]:
    """Every form ``text`` can be read as, with its value (empty when none)."""
    out = {}
    for name, reader in _READERS.items():
        try:
            out[name] = reader(text)
        except LiteralError:
            pass
    return out


def _likely_form(text: str) -> str:
    if "/" in text:
        return "cidr"
    if ".." in text:
        a = text.partition("..")[0]
        return "ip_range" if (":" in a or a.count(".") >= 2) else "int_range"
    if _BYTES_ISH.match(text) and "::" not in text and not re.fullmatch(r"[0-9.]+", text):
        return "bytes"
    if re.match(r"[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}", text) and "::" not in text:
        return "bytes"  # 61:62and, 61:62r"x": a byte string glued to what follows
    if ":" in text or text.count(".") >= 2:
        return "ip"
    return "int"


#: Bare texts that are valid integers whatever they look like (decimal without a
#: leading zero, at most 18 digits; short hex): the common case, read without trying
#: every form (a set of 2,000 numbers must parse in milliseconds).
_SURELY_VALID = re.compile(r"-?(?:0|[1-9][0-9]{0,17})|0x[0-9A-Fa-f]{1,15}")


def check_bare(text: str) -> LiteralError | None:
    """``None`` when ``text`` is valid as at least one bare form; otherwise the error
    of the form it most resembles (never raised: returned)."""
    if _SURELY_VALID.fullmatch(text):
        return None
    for reader in _READERS.values():
        try:
            reader(text)
        except LiteralError:
            continue
        return None
    try:
        _READERS[_likely_form(text)](text)
    except LiteralError as exc:
        return exc
    return LiteralError("RL101", f"invalid literal `{text}`", "", 0, len(text))


def parse_set_element(text: str, kind: str):
    """Read one bare set element for a left operand of type ``kind``.

    ``"Int"`` → ``("int", n)`` | ``("range", lo, hi)``;
    ``"IP"`` → ``("ip", addr)`` | ``("cidr", network)`` | ``("range", first, last)``;
    ``"String"`` → ``("bytes", b)``.  Errors are LiteralError (RL105/RL106/RL107).
    """
    if kind == "Int":
        if is_range(text):
            return ("range", *parse_int_range(text))
        return ("int", parse_int(text))
    if kind == "IP":
        if is_cidr(text):
            return ("cidr", parse_cidr(text))
        if is_range(text):
            return ("range", *parse_ip_range(text))
        return ("ip", parse_ip(text))
    if kind == "String":
        return ("bytes", parse_byte_string(text))
    raise ValueError(f"no set elements of kind {kind!r}")


_INT_BEFORE_COLON = re.compile(r"(-?(?:0x[0-9A-Fa-f]+|[0-9]+)):")


def _escaped(text: str) -> str:
    try:
        return "".join(f"\\x{b:02x}" for b in parse_byte_string(text))
    except LiteralError:
        return text


def parse_function_literal(text: str) -> tuple[Type, object]:
    """Read a bare function argument in the engine's order (§5.2): IP address, then
    integer, then byte string.  Returns ``(type, value)``."""
    for typ, reader in ((IP, parse_ip), (INT, parse_int)):
        try:
            return typ, reader(text)
        except LiteralError:
            continue
    glued = _INT_BEFORE_COLON.match(text)
    if glued:
        # The engine reads an integer first and stops at the `:`, so `61:62` is the
        # integer 61 followed by garbage there, not the byte string "ab".
        raise LiteralError(
            "RL107", f"`{text}` reads as the integer {glued.group(1)} followed by "
            f"`{text[glued.end(1):]}`: a byte string cannot start with decimal digits in a "
            "function argument", f'write it as a quoted string, e.g. "{_escaped(text)}"',
            0, len(text))
    try:
        return STRING, parse_byte_string(text)
    except LiteralError:
        pass
    form = _likely_form(text)
    if form in ("cidr", "ip_range", "int_range"):
        raise LiteralError("RL106", f"`{text}` is not allowed as a function argument",
                           "CIDRs and ranges are allowed only inside sets", 0, len(text))
    _READERS[form](text)  # raises: every reader already failed above
    raise LiteralError("RL101", f"invalid literal `{text}`", "", 0, len(text))
