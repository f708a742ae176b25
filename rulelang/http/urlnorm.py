"""URL path normalization, as Cloudflare applies it before rules see a request.

``fields.json`` → ``url_normalization`` defines three modes:

``rfc3986`` (default)
    decode percent-encoded unreserved characters; leave reserved characters as they
    are; percent-encode every other byte that is not part of a valid ``%XX`` escape;
    upper-case the hex digits of the remaining escapes; remove dot segments
    (RFC 3986 §5.2.4).
``cloudflare``
    first turn every ``\\`` into ``/`` and merge runs of ``/``, then the rfc3986 steps.
``none``
    the path as received.

Paths are byte strings (the engine's ``String``).  Everything here is a pure
function of its input.
"""

from __future__ import annotations

import re

from rulelang.errors import RuleLangError

__all__ = ["MODES", "check_mode", "normalize_path", "remove_dot_segments"]

#: The normalization modes, by their rulelang names.
MODES = ("rfc3986", "cloudflare", "none")
_MODE_ALIASES = {"rfc3986": "rfc3986", "rfc-3986": "rfc3986", "cloudflare": "cloudflare",
                 "none": "none", "off": "none"}

_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# A path made only of these bytes needs no percent-encoding work at all.
_PLAIN = re.compile(rb"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]*\Z")
# A valid escape, or one byte that is neither unreserved, reserved nor the start of an escape.
_WORK = re.compile(rb"%([0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]")
_SLASHES = re.compile(rb"/{2,}")


def check_mode(mode: str) -> str:
    """Return the canonical name of a normalization mode, or raise :class:`RuleLangError`."""
    canonical = _MODE_ALIASES.get(mode.lower()) if isinstance(mode, str) else None
    if canonical is None:
        raise RuleLangError(
            f"unknown URL normalization mode {mode!r}: expected one of {', '.join(MODES)}")
    return canonical


def _fix_byte(match: re.Match) -> bytes:
    hex_digits = match.group(1)
    if hex_digits is None:
        return b"%%%02X" % match.group(0)[0]
    byte = int(hex_digits, 16)
    if byte in _UNRESERVED:
        return bytes((byte,))
    return b"%" + hex_digits.upper()


def remove_dot_segments(path: bytes) -> bytes:
    """Remove ``.`` and ``..`` segments from an absolute path (RFC 3986 §5.2.4).

    >>> remove_dot_segments(b"/a/b/../c/./d")
    b'/a/c/d'
    """
    if b"." not in path:
        return path
    segments = path.split(b"/")
    if segments[0]:
        # Not absolute: RFC 3986 treats a leading segment like any other.
        segments.insert(0, b"")
    out: list[bytes] = []
    for segment in segments[1:]:
        if segment == b".":
            continue
        if segment == b"..":
            if out:
                out.pop()
            continue
        out.append(segment)
    if segments[-1] in (b".", b".."):
        out.append(b"")
    return b"/" + b"/".join(out)


def normalize_path(path: bytes, mode: str = "rfc3986") -> bytes:
    """Normalize a request path (bytes, without the query) in ``mode``.

    ``mode`` must already be canonical (see :func:`check_mode`).

    >>> normalize_path(b"/%68ello//pa\\\\th")
    b'/hello//pa%5Cth'
    >>> normalize_path(b"/%68ello//pa\\\\th", "cloudflare")
    b'/hello/pa/th'
    """
    if mode == "none":
        return path
    if mode == "cloudflare":
        if b"\\" in path:
            path = path.replace(b"\\", b"/")
        if b"//" in path:
            path = _SLASHES.sub(b"/", path)
    if not _PLAIN.match(path):
        path = _WORK.sub(_fix_byte, path)
    if b"/." in path or path.startswith(b"."):
        path = remove_dot_segments(path)
    return path
