"""Run-time helpers of the string functions (language reference §8.3, §8.4).

Pure functions on the internal values of :mod:`rulelang.values`; none of them raises
for any input.  :mod:`rulelang.builtins` binds them to calls.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import json
from collections.abc import Sequence

from rulelang.schema.values import MISSING

__all__ = [
    "INT_MAX", "INT_MIN", "decode_base64", "encode_base64", "format_ip", "lookup_json",
    "remove_query_args", "timed_hmac_valid", "url_decode", "uuid_from_bytes",
]

INT_MIN = -(1 << 63)
INT_MAX = (1 << 63) - 1

_HEX = frozenset(b"0123456789abcdefABCDEF")
_STD_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


# --------------------------------------------------------------------------- url_decode


def _decode_at(data: bytes | bytearray, i: int, unicode: bool) -> tuple[bytes, int] | None:
    """Decode the escape starting at ``data[i]``; return (bytes, length) or None."""
    b = data[i]
    if b == 0x2B:  # '+'
        return b" ", 1
    if b != 0x25:  # '%'
        return None
    if i + 2 < len(data) and data[i + 1] in _HEX and data[i + 2] in _HEX:
        return bytes((int(bytes(data[i + 1:i + 3]), 16),)), 3
    if unicode and data[i + 1:i + 2] in (b"u", b"U") and i + 6 <= len(data) and all(
            c in _HEX for c in data[i + 2:i + 6]):
        cp = int(bytes(data[i + 2:i + 6]), 16)
        if 0xD800 <= cp <= 0xDFFF:
            return None
        return chr(cp).encode("utf-8"), 6
    return None


def url_decode_once(data: bytes, unicode: bool) -> bytes:
    """One decoding pass: ``%HH``, ``+`` and (with ``unicode``) ``%uHHHH``."""
    if b"%" not in data and b"+" not in data:
        return data
    out = bytearray()
    i, n = 0, len(data)
    while i < n:
        found = _decode_at(data, i, unicode) if data[i] in (0x25, 0x2B) else None
        if found is None:
            out.append(data[i])
            i += 1
        else:
            out += found[0]
            i += found[1]
    return bytes(out)


def url_decode(data: bytes, *, recursive: bool = False, unicode: bool = False) -> bytes:
    """``url_decode`` (§8.3); ``recursive`` decodes until the value stops changing.

    The recursive form runs in one pass: every decoded byte is pushed back onto the
    output and the tail is decoded again while it forms an escape, which reaches the
    same fixed point as repeating whole passes, in linear time.
    """
    if not recursive:
        return url_decode_once(data, unicode)
    out = bytearray()
    for b in data:
        out.append(b)
        _settle(out, unicode)
    return bytes(out)


def _settle(out: bytearray, unicode: bool) -> None:
    """Decode escapes that end at the tail of ``out``, repeatedly."""
    while True:
        n = len(out)
        for length in (1, 3, 6):
            start = n - length
            if start < 0:
                continue
            found = _decode_at(out, start, unicode)
            if found is not None and found[1] == length:
                del out[start:]
                out += found[0]
                break
        else:
            return


# --------------------------------------------------------------------------- base64


def decode_base64(data: bytes) -> bytes | object:
    """Standard Base64 with optional padding; anything invalid is :data:`MISSING`."""
    body = data.rstrip(b"=")
    pad = len(data) - len(body)
    if pad > 2 or (pad and len(data) % 4) or len(body) % 4 == 1:
        return MISSING
    if not all(c in _STD_ALPHABET for c in body):
        return MISSING
    try:
        out = base64.b64decode(body + b"=" * (-len(body) % 4), validate=True)
    except (binascii.Error, ValueError):
        return MISSING
    if base64.b64encode(out).rstrip(b"=") != body:  # non-zero trailing bits
        return MISSING
    return out


def encode_base64(data: bytes, *, url_safe: bool, padding: bool) -> bytes:
    """``encode_base64``: standard or URL-safe alphabet, ``=`` padding only on request."""
    out = base64.urlsafe_b64encode(data) if url_safe else base64.b64encode(data)
    return out if padding else out.rstrip(b"=")


# --------------------------------------------------------------------------- JSON


class _Float:
    """Marks a JSON number written with a fraction or an exponent."""

    __slots__ = ()


_FLOAT = _Float()


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def _parse_json(data: bytes) -> object:
    text = data.decode("utf-8")  # RFC 8259: UTF-8 only (json.loads would guess UTF-16/32)
    return json.loads(text, parse_float=lambda _s: _FLOAT, parse_constant=_reject_constant)


def lookup_json(data: bytes, keys: Sequence[bytes | int], want: type) -> object:
    """The node at ``keys`` in the JSON document ``data`` if it is a ``want`` (int/str).

    Integers must be written without fraction or exponent and fit a signed 64-bit
    integer; strings are returned as UTF-8 bytes.  Everything else is :data:`MISSING`.
    """
    try:
        node = _parse_json(data)
    except (ValueError, RecursionError, UnicodeError):
        return MISSING
    for key in keys:
        if isinstance(key, bytes):
            if not isinstance(node, dict):
                return MISSING
            try:
                node = node[key.decode("utf-8")]
            except (UnicodeDecodeError, KeyError):
                return MISSING
        else:
            if not isinstance(node, list) or not 0 <= key < len(node):
                return MISSING
            node = node[key]
    if want is int:
        if isinstance(node, bool) or not isinstance(node, int) or not INT_MIN <= node <= INT_MAX:
            return MISSING
        return node
    if isinstance(node, str):
        try:
            return node.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate escape
            return MISSING
    return MISSING


# --------------------------------------------------------------------------- queries


def remove_query_args(query: bytes, names: frozenset[bytes]) -> bytes:
    """Drop the ``&``-separated parameters whose name (text before ``=``) is in ``names``.

    Empty parameters (from ``&&``) are kept.
    """
    kept = [part for part in query.split(b"&")
            if not part or part.split(b"=", 1)[0] not in names]
    return b"&".join(kept)


# --------------------------------------------------------------------------- IPs


def format_ip(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bytes:
    """IPv4 dotted decimal; IPv6 per RFC 5952, ``::ffff:a.b.c.d`` for IPv4-mapped."""
    if address.version == 4:
        return str(address).encode()
    mapped = address.ipv4_mapped
    if mapped is not None:
        return b"::ffff:" + str(mapped).encode()
    value = int(address)
    groups = [(value >> (112 - 16 * k)) & 0xFFFF for k in range(8)]
    best_start, best_len, k = -1, 0, 0
    while k < 8:
        if groups[k] == 0:
            start = k
            while k < 8 and groups[k] == 0:
                k += 1
            if k - start > best_len:
                best_start, best_len = start, k - start
        else:
            k += 1
    text = [f"{g:x}" for g in groups]
    if best_len < 2:
        return ":".join(text).encode()
    head = ":".join(text[:best_start])
    tail = ":".join(text[best_start + best_len:])
    return f"{head}::{tail}".encode()


# --------------------------------------------------------------------------- misc


def uuid_from_bytes(data: bytes) -> bytes | object:
    """A version-4 UUID built from the first 16 bytes (RFC 9562 §5.4 bits set).

    Fewer than 16 bytes give :data:`MISSING`.
    """
    if len(data) < 16:
        return MISSING
    raw = bytearray(data[:16])
    raw[6] = (raw[6] & 0x0F) | 0x40
    raw[8] = (raw[8] & 0x3F) | 0x80
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}".encode()


def timed_hmac_valid(key: bytes, message_mac: bytes, ttl: int, now: int, separator_len: int,
                     url_safe: bool) -> bool:
    """``is_timed_hmac_valid_v0``: ``message · separator · timestamp · "-" · mac``.

    True when ``mac`` is the Base64 HMAC-SHA256 of ``message + timestamp`` under ``key``
    (URL-encoded standard Base64, or unpadded URL-safe Base64 when ``url_safe``) and
    ``now - timestamp <= ttl``.  A token of any other shape is false.
    """
    # URL-safe Base64 may contain '-': its SHA-256 MAC is always 43 characters
    dash = len(message_mac) - 44 if url_safe else message_mac.rfind(b"-")
    if dash < 10 + separator_len or message_mac[dash:dash + 1] != b"-":
        return False
    stamp = message_mac[dash - 10:dash]
    if not stamp.isdigit():
        return False
    message = message_mac[:dash - 10 - separator_len]
    encoded = message_mac[dash + 1:]
    try:
        if url_safe:
            if b"=" in encoded:
                return False
            mac = base64.urlsafe_b64decode(encoded + b"=" * (-len(encoded) % 4))
        else:
            mac = base64.b64decode(url_decode_once(encoded, False), validate=True)
    except (binascii.Error, ValueError):
        return False
    timestamp = int(stamp)
    expected = hmac.new(key, message + stamp, hashlib.sha256).digest()
    return hmac.compare_digest(mac, expected) and now - timestamp <= ttl

