"""Byte ranges served from a whole response (RFC 9110 §14), as Cloudflare's cache serves
``Range`` requests from the cached object: ``206`` with ``Content-Range`` for one
satisfiable range, ``416`` with ``Content-Range: bytes */length`` when none is, the whole
``200`` when the request's range cannot be used (not ``bytes=``, malformed, several
ranges, an ``If-Range`` that does not match, or a response whose length the origin did
not give)."""

from __future__ import annotations

__all__ = ["RANGE_NOT_SATISFIABLE", "byte_range", "ranged"]

#: ``byte_range``'s answer for a well-formed range that no byte of the body satisfies.
RANGE_NOT_SATISFIABLE = (-1, -1)


def byte_range(header: str, length: int) -> tuple[int, int] | None:
    """The ``(first, last)`` byte positions (inclusive) the ``Range`` header asks of a body
    of ``length`` bytes; :data:`RANGE_NOT_SATISFIABLE`; or ``None`` when the header is
    to be ignored (not one well-formed ``bytes=`` range)."""
    unit, sep, spec = header.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        return None
    spec = spec.strip()
    if not spec or "," in spec:
        return None  # several ranges: the whole response (no multipart/byteranges)
    first_text, dash, last_text = spec.partition("-")
    first_text, last_text = first_text.strip(), last_text.strip()
    if not dash or not _digits(first_text, empty=True) or not _digits(last_text, empty=True):
        return None
    if not first_text:  # a suffix: the last N bytes
        if not last_text:
            return None
        suffix = int(last_text)
        if suffix == 0 or length == 0:
            return RANGE_NOT_SATISFIABLE
        return max(0, length - suffix), length - 1
    first = int(first_text)
    if last_text and int(last_text) < first:
        return None  # invalid: ignored (RFC 9110 §14.1.1)
    if first >= length:
        return RANGE_NOT_SATISFIABLE
    return first, min(int(last_text), length - 1) if last_text else length - 1


def _digits(text: str, *, empty: bool) -> bool:
    return (empty and not text) or (text.isascii() and text.isdigit() and len(text) < 20)


def ranged(method: str, range_header: str | None, if_range: str | None, status: int,
           headers: list[tuple[str, str]], body: bytes, *, sized: bool,
           etag: str | None, last_modified: str | None
           ) -> tuple[int, list[tuple[str, str]], bytes]:
    """The ``(status, headers, body)`` to send for a ``Range`` request answered from the
    whole ``status``/``headers``/``body`` (unchanged when no range applies).  ``sized``:
    the origin gave the body's length (Cloudflare answers ranges only then)."""
    if (range_header is None or method != "GET" or status != 200 or not sized
            or not _if_range_matches(if_range, etag, last_modified)):
        return status, headers, body
    span = byte_range(range_header, len(body))
    if span is None:
        return status, headers, body
    if span == RANGE_NOT_SATISFIABLE:
        return 416, [*headers, ("Content-Range", f"bytes */{len(body)}")], b""
    first, last = span
    return 206, [*headers, ("Content-Range", f"bytes {first}-{last}/{len(body)}")], \
        body[first:last + 1]


def _if_range_matches(if_range: str | None, etag: str | None,
                      last_modified: str | None) -> bool:
    """RFC 9110 §13.1.5: no ``If-Range``, or one naming the stored representation (a
    strong entity tag equal to its ``ETag``, or exactly its ``Last-Modified`` date)."""
    if if_range is None:
        return True
    value = if_range.strip()
    if value.startswith(('"', "W/")):
        return etag is not None and not value.startswith("W/") and value == etag.strip() \
            and not etag.strip().startswith("W/")
    return last_modified is not None and value == last_modified.strip()
