"""Requests and responses from what a server has in hand (interfaces.md §5).

:func:`request_from_wire` and :func:`response_from_wire` (also
``Request.from_wire``/``Response.from_wire``) take a method, a request target, header
pairs with repeats, ``bytes`` or text — what an HTTP server library gives — and build
the :class:`~rulelang.http.messages.Request` the rules should see.

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
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from rulelang.errors import RequestError, RuleLangError
from rulelang.http.messages import Request, Response, parse_headers, split_url

__all__ = ["client_address", "request_from_wire", "response_from_wire"]

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_NOT_TOKEN = re.compile(r"[^!#$%&'*+\-.^_`|~0-9A-Za-z]")
_SCHEMES = {"http": "http", "https": "https", "ws": "http", "wss": "https"}
_ABSOLUTE = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*)://([^/?#]*)(.*)\Z", re.DOTALL)
_STATUS = re.compile(r"\s*([0-9]{3})(?:\s|\Z)")


class _Repairs:
    """Collects what had to be repaired; raises at once in strict mode."""

    __slots__ = ("strict",)

    def __init__(self, strict: bool) -> None:
        self.strict = strict

    def __call__(self, message: str) -> None:
        if self.strict:
            raise RequestError(message)


#: Characters kept as they are when a non-UTF-8 target is percent-encoded.
_SAFE = "".join(chr(c) for c in range(0x21, 0x7f) if chr(c) not in '"<>\\^`{|}')


def _text(value: Any, what: str, fix: _Repairs, *, percent: bool = False) -> str:
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
            return quote(raw, safe=_SAFE) if percent else raw.decode("latin-1")
    raise RequestError(f"{what}: expected str or bytes, got {type(value).__name__}")


def _pairs(headers: Any, fix: _Repairs) -> list[tuple[str, str]]:
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
            out.extend((_text(name, "header name", fix), _text(v, f"header {name!r}", fix))
                       for v in value)
        else:
            out.append((_text(name, "header name", fix), _text(value, f"header {name!r}", fix)))
    return out


def _clean_headers(pairs: list[tuple[str, str]], fix: _Repairs) -> tuple[list, str | None]:
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
    fix = _Repairs(strict)
    if value is None:
        return None
    if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        address = value
    else:
        text = _text(value, "client address", fix).strip()
        host = text
        if host.startswith("["):
            host = host[1:].partition("]")[0]
        elif host.count(":") == 1:  # IPv4 with a port
            host = host.partition(":")[0]
        host = host.partition("%")[0]
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            fix(f"client address {text!r} is not an IP address")
            return None
        if host != text:
            fix(f"client address {text!r} has a zone index, brackets or a port")
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.scope_id:
            return ipaddress.IPv6Address(str(address).partition("%")[0])
    return address


def _host(host: str, fix: _Repairs) -> str:
    """A usable ``host[:port]`` for the URL (an IPv6 zone index and a bad port dropped)."""
    host = host.strip()
    try:
        split_url(f"http://{host}/", "host")
        return host
    except RuleLangError as exc:
        fix(f"host {host!r}: {exc}")
    if host.startswith("["):
        literal, _, rest = host[1:].partition("]")
        literal = literal.partition("%")[0]
        candidate = f"[{literal}]"
    else:
        candidate, _, rest = host.partition(":")
        rest = ":" + rest if rest else ""
    port = rest[1:] if rest.startswith(":") else ""
    if port.isdigit() and len(port) <= 5 and int(port) <= 65535:
        candidate += f":{port}"
    try:
        split_url(f"http://{candidate}/", "host")
        return candidate
    except RuleLangError:
        return "localhost"


def request_from_wire(method: Any, target: Any, headers: Any = None, *, scheme: str = "https",
                      host: Any = None, client_ip: Any = None, http_version: Any = None,
                      fields: dict | None = None, strict: bool = False,
                      url_normalization: str = "rfc3986",
                      timestamp: float | None = None) -> Request:
    """A :class:`Request` from a server's view of it (see the module docstring).

    ``target`` is the request target (``/path?query``, or an absolute URL);
    ``scheme`` the public scheme; ``host`` the public ``host[:port]`` when the
    ``Host`` header is not what visitors use (a reverse proxy: give the public name);
    ``http_version`` (``"HTTP/2"``, ``"2"``, ``(1, 1)``) sets ``http.request.version``
    unless ``fields`` gives it.
    """
    fix = _Repairs(strict)
    method_text = _text(method, "method", fix).upper()
    if not _TOKEN.match(method_text):
        fix(f"method {method_text!r} is not an HTTP method")
        method_text = "UNKNOWN"
    target_text = _text(target, "request target", fix, percent=True)
    scheme = _SCHEMES.get(_text(scheme, "scheme", fix).lower(), "https")
    pairs, authority = _clean_headers(_pairs(headers, fix), fix)
    absolute = _ABSOLUTE.match(target_text)
    target_host = None
    if absolute is not None:
        given = absolute.group(1).lower()
        if given in _SCHEMES:
            scheme = _SCHEMES[given]
        else:
            fix(f"request target scheme {given!r} is not http(s) or ws(s)")
        target_host, target_text = absolute.group(2), absolute.group(3)
    if not target_text.startswith("/"):
        if target_text and not target_text.startswith("?"):
            fix(f"request target {target_text!r} is not a path")
            target_text = "/"
        else:
            target_text = "/" + target_text
    if host is None:
        host_values = [v for n, v in pairs if n.lower() == "host"]
        host = host_values[0] if host_values else authority or target_host or "localhost"
        host_text = _host(_text(host, "host", fix), fix)
    else:  # the public host: the rules see it in the URL and in the Host header
        host_text = _host(_text(host, "host", fix), fix)
        pairs = [("Host", host_text), *((n, v) for n, v in pairs if n.lower() != "host")]
    if http_version is not None and not (fields and "http.request.version" in fields):
        fields = {**(fields or {}), "http.request.version": _version(http_version)}
    address = client_address(client_ip, strict=strict)
    url = f"{scheme}://{host_text}{target_text}"
    try:
        return Request(method_text, url, pairs, address, fields,
                       url_normalization=url_normalization, timestamp=timestamp)
    except RuleLangError as exc:
        if strict or fields:
            raise RequestError(str(exc)) from None
        # the target held something the URL check refuses: keep its printable ASCII form
        fix(str(exc))
        safe = quote(target_text.encode("utf-8", "replace"), safe=_SAFE + "%")
        return Request(method_text, f"{scheme}://{host_text}{safe}", pairs, address, None,
                       url_normalization=url_normalization, timestamp=timestamp)


def _version(value: Any) -> str:
    if isinstance(value, tuple):
        major, minor = (list(value) + [0])[:2]
        return f"HTTP/{major}" if major >= 2 else f"HTTP/{major}.{minor}"
    text = value.decode("ascii", "replace") if isinstance(value, bytes) else str(value)
    text = text.strip().upper()
    if not text.startswith("HTTP/"):
        text = f"HTTP/{text}"
    return {"HTTP/2.0": "HTTP/2", "HTTP/3.0": "HTTP/3"}.get(text, text)


def response_from_wire(status: Any, headers: Any = None, *, strict: bool = False) -> Response:
    """A :class:`Response` from a status (``200``, ``"200"``, ``b"200 OK"``) and header
    pairs; statuses 100–999 are kept (see the module docstring)."""
    fix = _Repairs(strict)
    code = status
    if not isinstance(status, int) or isinstance(status, bool):
        text = _text(status, "status", fix)
        m = _STATUS.match(text)
        if m is None:
            raise RequestError(f"response status {text[:40]!r} is not a three-digit status")
        code = int(m.group(1))
    if not 100 <= code <= 999:
        raise RequestError(f"response status {code} is outside 100-999")
    pairs, _ = _clean_headers(_pairs(headers, fix), fix)
    response = Response.__new__(Response)
    response._status = code
    response._headers = parse_headers(pairs, "response header")
    response._cache = {}
    return response
