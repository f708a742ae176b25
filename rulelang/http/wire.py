"""Reading requests and responses from what a server has in hand (interfaces.md §5).

``Request.from_wire``/``Response.from_wire`` (in :mod:`rulelang.http.messages`) take a
method, a request target, header pairs with repeats, ``bytes`` or text — what an HTTP
server library gives — and build the message the rules should see; this module holds
the reading and repairing they share.

Real traffic never raises: what the message constructors would refuse is repaired, and
``strict=True`` raises :class:`~rulelang.errors.RequestError` instead.  The repairs:

* bytes are read as UTF-8, and as Latin-1 where they are not UTF-8 (header values),
  percent-encoded where they are not UTF-8 (the request target);
* an IPv4-mapped client address (``::ffff:192.0.2.1``) is read as IPv4, as Cloudflare
  does; a zone index (``fe80::1%eth0``), brackets and a port are dropped; an address
  that cannot be read becomes ``None``;
* a header whose name is not a token is dropped; a line break or NUL in a value becomes
  a space; HTTP/2 pseudo-headers are dropped (``:authority`` gives the host);
* the host is ``host=`` if given (it then replaces the ``Host`` header too, so that
  ``http.host`` is the public name), else the ``Host`` header, else ``:authority``, else the
  host of an absolute-form target, else ``localhost``; an unusable host becomes
  ``localhost`` and an out-of-range port is dropped; an IPv6 zone index is dropped;
* ``ws``/``wss`` targets are read as ``http``/``https``; a target that does not start
  with ``/`` (``*``, ``example.com:443``) is read as ``/``;
* a method that is not an HTTP token is read as ``UNKNOWN`` (never cacheable);
* the status of a response is an int or text such as ``b"200 OK"``: any 100–999 status
  is kept (Cloudflare passes 600–999 through); anything else raises ``RequestError``,
  strict or not, since no server produces it.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple
from urllib.parse import quote

from rulelang.errors import RequestError

__all__ = [
    "SAFE",
    "Repairs",
    "WireRequest",
    "clean_headers",
    "client_address",
        "read_text",
    "status_code",
    "version_label",
        "wire_request",
]

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_TOKENS = re.compile(r"(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+\n)*[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_SCHEMES = {"http": "http", "https": "https", "ws": "http", "wss": "https"}
_ABSOLUTE = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*)://([^/?#]*)(.*)\Z", re.DOTALL)
_STATUS = re.compile(r"\s*([0-9]{3})(?:\s|\Z)")


class Repairs:
    """Collects what had to be repaired; raises at once in strict mode."""

    __slots__ = ("strict",)

    def __init__(self, strict: bool) -> None:
        self.strict = strict

    def __call__(self, message: str) -> None:
        if self.strict:
            raise RequestError(message)


#: Characters kept as they are when a non-UTF-8 target is percent-encoded.
SAFE = "".join(chr(c) for c in range(0x21, 0x7f) if chr(c) not in '"<>\\^`{|}')


def read_text(value: Any, what: str, fix: Repairs, *, percent: bool = False) -> str:
    """Text from str or bytes; bytes that are not UTF-8 are read as Latin-1, or
    percent-encoded with ``percent`` (a request target)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            fix(f"{what}: {raw[:40]!r} is not UTF-8")
            return quote(raw, safe=SAFE) if percent else raw.decode("latin-1")
    raise RequestError(f"{what}: expected str or bytes, got {type(value).__name__}")


def _pairs(headers: Any, fix: Repairs) -> list[tuple[str, str]]:
    if headers is None:
        return []
    items: Iterable = headers.items() if isinstance(headers, Mapping) else headers
    out: list[tuple[str, str]] = []
    for item in items:
        try:
            name, value = item
        except (TypeError, ValueError):
            raise RequestError(f"header {item!r}: expected a (name, value) pair") from None
        if isinstance(value, (list, tuple)):
            out.extend((read_text(name, "header name", fix),
                        read_text(v, f"header {name!r}", fix)) for v in value)
        else:
            out.append((read_text(name, "header name", fix),
                        read_text(value, f"header {name!r}", fix)))
    return out


def _clean(pairs: list[tuple[str, str]], fix: Repairs) -> tuple[list, str | None]:
    """Drop what ``parse_headers`` would refuse; returns the headers and ``:authority``."""
    authority = None
    out = []
    for name, value in pairs:
        if name.startswith(":"):
            if name.lower() == ":authority":
                authority = value
            continue
        if not _TOKEN.match(name):
            fix(f"header name {name!r} is not a token")
            continue
        if "\r" in value or "\n" in value or "\x00" in value:
            fix(f"header {name!r}: the value contains a line break or NUL")
            value = re.sub(r"[\r\n\x00]", " ", value)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            fix(f"header {name!r}: the value is not valid Unicode text")
            value = value.encode("utf-8", "replace").decode("utf-8")
        out.append((name, value))
    return out, authority


def client_address(value: Any, *, strict: bool = False
                   ) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """A client address as Cloudflare reads it: IPv4-mapped IPv6 as IPv4, without a zone
    index, brackets or port.  ``None`` for ``None`` and (unless ``strict``) for text that
    is no address."""
    fix = Repairs(strict)
    if value is None:
        return None
    if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        address = value
    else:
        given = read_text(value, "client address", fix).strip()
        try:  # a plain dotted quad: ten times faster than ipaddress alone
            return ipaddress.IPv4Address(socket.inet_pton(socket.AF_INET, given))
        except (OSError, ValueError):
            pass
        host = given
        if host.startswith("["):
            host = host[1:].partition("]")[0]
        elif host.count(":") == 1:  # IPv4 with a port
            host = host.partition(":")[0]
        host = host.partition("%")[0]
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            fix(f"client address {given!r} is not an IP address")
            return None
        if host != given:
            fix(f"client address {given!r} has a zone index, brackets or a port")
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.scope_id:
            return ipaddress.IPv6Address(str(address).partition("%")[0])
    return address


def version_label(value: Any) -> str:
    """``HTTP/1.1``, ``HTTP/2`` … from ``"2"``, ``b"HTTP/1.1"`` or ``(2, 0)``."""
    if isinstance(value, tuple):
        major, minor = (list(value) + [0])[:2]
        return f"HTTP/{major}" if major >= 2 else f"HTTP/{major}.{minor}"
    label = value.decode("ascii", "replace") if isinstance(value, bytes) else str(value)
    label = label.strip().upper()
    if not label.startswith("HTTP/"):
        label = f"HTTP/{label}"
    return {"HTTP/2.0": "HTTP/2", "HTTP/3.0": "HTTP/3"}.get(label, label)




def clean_headers(headers: Any, fix: Repairs) -> tuple[list[tuple[str, str]], str | None]:
    """Header pairs (or a mapping) of str or bytes as text, without what a message
    would refuse; returns them and the ``:authority`` pseudo-header's value."""
    fast = _well_formed(headers)
    if fast is not None:
        return fast, None
    return _clean(_pairs(headers, fix), fix)


def _well_formed(headers: Any) -> list[tuple[str, str]] | None:
    """The common case in one pass: pairs all of bytes (or all of str), names tokens,
    values UTF-8 without line breaks or NUL.  ``None``: read them one by one."""
    if not isinstance(headers, (list, tuple)) or not headers:
        return [] if headers is not None and not headers else None
    try:
        if isinstance(headers[0][0], bytes):
            names = b"\n".join([n for n, _ in headers]).decode("ascii")
            values = b"\n".join([v for _, v in headers]).decode("utf-8")
        else:
            names = "\n".join([n for n, _ in headers])
            values = "\n".join([v for _, v in headers])
            values.encode("utf-8")
    except (TypeError, ValueError, IndexError):  # mixed types, bad bytes, not pairs
        return None
    count = len(headers) - 1
    if (names.count("\n") != count or values.count("\n") != count
            or not _TOKENS.match(names) or "\r" in values or "\x00" in values):
        return None
    return list(zip(names.split("\n"), values.split("\n"), strict=True))


def status_code(status: Any, fix: Repairs) -> int:
    """A status from an int or text such as ``b"200 OK"``; 100–999 or RequestError."""
    code = status
    if not isinstance(status, int) or isinstance(status, bool):
        value = read_text(status, "status", fix)
        m = _STATUS.match(value)
        if m is None:
            raise RequestError(f"response status {value[:40]!r} is not a three-digit status")
        code = int(m.group(1))
    if not 100 <= code <= 999:
        raise RequestError(f"response status {code} is outside 100-999")
    return code


class WireRequest(NamedTuple):
    """A request target read from the wire: what :meth:`Request.from_wire` checks next."""

    method: str
    scheme: str
    host: str | None
    target: str
    headers: list[tuple[str, str]]
    authority: str | None
    target_host: str | None


def wire_request(method: Any, target: Any, headers: Any, scheme: Any, fix: Repairs
                 ) -> WireRequest:
    """Method, scheme and target read and repaired; the host is left to the caller."""
    method_text = read_text(method, "method", fix).upper()
    if not _TOKEN.match(method_text):
        fix(f"method {method_text!r} is not an HTTP method")
        method_text = "UNKNOWN"
    target_text = read_text(target, "request target", fix, percent=True)
    scheme_text = _SCHEMES.get(read_text(scheme, "scheme", fix).lower(), "https")
    pairs, authority = clean_headers(headers, fix)
    absolute = _ABSOLUTE.match(target_text)
    target_host = None
    if absolute is not None:
        given = absolute.group(1).lower()
        if given in _SCHEMES:
            scheme_text = _SCHEMES[given]
        else:
            fix(f"request target scheme {given!r} is not http(s) or ws(s)")
        target_host, target_text = absolute.group(2), absolute.group(3)
    if not target_text.startswith("/"):
        if target_text and not target_text.startswith("?"):
            fix(f"request target {target_text!r} is not a path")
            target_text = "/"
        else:
            target_text = "/" + target_text
    return WireRequest(method_text, scheme_text, None, target_text, pairs, authority,
                       target_host)
