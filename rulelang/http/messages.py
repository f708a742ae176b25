"""HTTP requests and responses as the engine sees them.

A :class:`Request` or :class:`Response` is built from keyword arguments or from
the sample format (interfaces.md §2) and checked at once: a malformed URL, an
invalid IP, a bad status or header gives a :class:`~rulelang.errors.RuleLangError`
naming what is wrong.  Field values are *not* computed here: :mod:`rulelang.fields`
derives each one the first time an expression reads it and caches it on the message.

Both classes are immutable once built.  The per-message field cache is the only
state that changes; it is a plain ``dict`` filled with values that depend only on
the message, so evaluating the same message from several threads is safe — a race
can at worst compute a value twice.
"""

from __future__ import annotations

import ipaddress
import re
import time
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any
from urllib.parse import quote

from rulelang.errors import RequestError, RuleLangError
from rulelang.http.field_values import convert_fields, parse_ip
from rulelang.http.urlnorm import check_mode
from rulelang.http.wire import (
    SAFE,
    Repairs,
    clean_headers,
    client_address,
    read_text,
    status_code,
    version_label,
    wire_request,
)
from rulelang.schema.values import to_python

__all__ = ["HOP_BY_HOP", "Headers", "Request", "Response"]

#: Hop-by-hop headers (RFC 9110 §7.6.1, with the obsolete ``proxy-connection`` and the
#: ``trailers`` misspelling seen in the wild): they describe one connection, so a proxy never
#: forwards them and a cache never varies on them.
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-connection", "proxy-authenticate",
                        "proxy-authorization", "te", "trailer", "trailers",
                        "transfer-encoding", "upgrade"})

#: Headers as kept on a message: ``(name as given, value)`` pairs in order.
Headers = tuple[tuple[str, str], ...]

#: The ``fields`` of a request that supplies none (one shared object, so that the
#: compiler's fast paths can test ``request.supplied_fields is NO_FIELDS``).
NO_FIELDS: Mapping[str, Any] = MappingProxyType({})
_NO_FIELDS = NO_FIELDS
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_TOKENS = re.compile(r"(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+\n)*[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_COMMON_METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"))
_URL = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*)://([^/?#]*)([^#]*)", re.DOTALL)
_AUTHORITY = re.compile(
    r"(?:[^@]*@)?"                                          # userinfo (dropped)
    r"(\[[^\]]*\]|[^\x00-\x20\x7f\"<>\\^`{|}@\[\]:/?#]+)"    # host
    r"(?::([0-9]*))?\Z")                                    # port
_REQUEST_KEYS = frozenset(("method", "url", "headers", "client_ip", "fields"))
_RESPONSE_KEYS = frozenset(("status", "headers"))



def _prefix(where: str) -> str:
    return f"{where}: " if where else ""


def _check_text(text: str, what: str) -> None:
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise RuleLangError(f"{what} is not valid Unicode text "
                                "(it contains a lone surrogate)") from None


def parse_headers(headers: Any, what: str) -> Headers:
    """Check headers given as a mapping (value: str or list of str) or as
    ``[name, value]`` pairs, and return them as a tuple of pairs in order."""
    if headers is None:
        return ()
    if type(headers) is dict:
        # Fast path for the common form {name: str}: two joins and one regex, no loop.
        try:
            names, values = "\n".join(headers), "\n".join(headers.values())
        except TypeError:
            pass
        else:
            if _valid_lines(names, values, len(headers)):
                return tuple(headers.items())
    pairs: list[tuple[Any, Any]] = []
    if isinstance(headers, Mapping):
        for name, value in headers.items():
            if isinstance(value, (list, tuple)):
                pairs.extend((name, v) for v in value)
            else:
                pairs.append((name, value))
    elif isinstance(headers, (list, tuple)):
        for i, pair in enumerate(headers):
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                raise RuleLangError(f"{what}[{i}]: expected a [name, value] pair, got "
                                    f"{_short(pair)}")
            pairs.append((pair[0], pair[1]))
    else:
        raise RuleLangError(f"{what}: expected an object or a list of [name, value] pairs, "
                            f"got {type(headers).__name__}")
    # Fast path: one regex over all names and one scan over all values; the item-by-item
    # check below only runs to name the culprit.
    try:
        names = "\n".join([n for n, _ in pairs])
        values = "\n".join([v for _, v in pairs])
    except TypeError:  # a name or a value is not a string: the loop below names it
        valid = False
    else:
        valid = _valid_lines(names, values, len(pairs))
    if not valid:
        for name, value in pairs:
            _check_header(name, value, what)
    return tuple(pairs)


def _valid_lines(names: str, values: str, count: int) -> bool:
    """Whether newline-joined names are all tokens and newline-joined values have no
    line break, NUL or non-ASCII text (the latter is checked line by line instead).

    Both counts of newlines must equal ``count - 1``: a name or a value that itself
    holds a newline would otherwise pass as two valid lines."""
    return (names.count("\n") == count - 1 and bool(_TOKENS.match(names))
            and "\r" not in values and "\x00" not in values
            and values.count("\n") == count - 1 and values.isascii())


def _check_header(name: Any, value: Any, what: str) -> None:
    if not isinstance(name, str) or not _TOKEN.match(name):
        raise RuleLangError(_bad_name(name, what))
    if not isinstance(value, str):
        raise RuleLangError(f"{what} {_short(name)}: the value must be a string, got "
                            f"{type(value).__name__} {_short(value)}")
    if "\n" in value or "\r" in value or "\x00" in value:
        raise RuleLangError(f"{what} {_short(name)}: the value contains a line break or NUL "
                            f"character: {_short(value)}")
    _check_text(value, f"{what} {name!r}")


def _bad_name(name: Any, what: str) -> str:
    if not isinstance(name, str):
        return f"{what}: a header name must be a string, got {_short(name)}"
    if name.startswith(":"):
        return (f"{what}: {_short(name)} is an HTTP/2 pseudo-header, not a header "
                "(give the method and URL instead)")
    if not name:
        return f"{what}: empty header name"
    return f"{what}: {_short(name)} is not a valid header name (letters, digits and !#$%&'*+-.^_`|~)"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def split_url(url: Any, what: str) -> tuple[str, str, str, str, int]:
    """Split an absolute http(s) URL into ``(scheme, authority host part, port text,
    request target, default port)``; see :class:`Request` for the rules."""
    if not isinstance(url, str):
        raise RuleLangError(f"{what}: expected a string, got {type(url).__name__}")
    m = _URL.match(url)
    if m is None:
        raise RuleLangError(f"{what}: {_short(url)} is not an absolute URL "
                            "(expected http://host/path or https://host/path)")
    scheme, authority, target = m.groups()
    scheme = scheme.lower()
    if scheme == "https":
        default_port = 443
    elif scheme == "http":
        default_port = 80
    else:
        raise RuleLangError(f"{what}: scheme {_short(scheme)} is not http or https")
    a = _AUTHORITY.match(authority)
    if a is None:
        raise RuleLangError(f"{what}: {_short(url)} has no valid host in {_short(authority)}")
    host, port = a.groups()
    if host[0] == "[":
        literal = host[1:-1]
        try:
            if "%" in literal:
                raise ValueError
            ipaddress.IPv6Address(literal)
        except ValueError:
            raise RuleLangError(f"{what}: {_short(host)} is not a valid IPv6 address literal") from None
    if port and (len(port) > 5 or int(port) > 65535):
        raise RuleLangError(f"{what}: port {port} is out of range (0-65535)")
    _check_text(url, what)
    return scheme, host, port or "", target, default_port


def _wire_host(host: str, fix: Repairs) -> str:
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


def _check_keys(d: Any, what: str, allowed: frozenset[str], required: str, where: str) -> None:
    if type(d) is dict and required in d and d.keys() <= allowed:
        return  # the usual case, without building the error prefix
    p = _prefix(where)
    if not isinstance(d, Mapping):
        raise RuleLangError(f"{p}{what}: expected an object, got {type(d).__name__}")
    if not d.keys() <= allowed:
        unknown = next(k for k in d if k not in allowed)
        raise RuleLangError(f"{p}{what}: unknown key {_short(unknown)} "
                            f"(expected {', '.join(sorted(allowed))})")
    if required not in d:
        raise RuleLangError(f"{p}{what}: {required!r} is required")


class _Message:
    """What requests and responses share: headers, and the per-message field cache.

    ``field_cache`` maps a field name to its value once read: the compiled rules (closures
    and generated phase functions) read it directly on their hot path.  It belongs to the
    message; read it, never write it.
    """

    __slots__ = ("_headers", "field_cache")

    field_cache: dict[str, Any]
    _headers: Headers

    @property
    def headers(self) -> Headers:
        """``(name as given, value)`` pairs, in order, repeats kept."""
        return self._headers

    def header_values(self, name: str) -> list[str]:
        """Values of every header called ``name`` (case-insensitive), in order."""
        index = self.field_cache.get("#text-index")
        if index is None:  # built once: the cache decision asks for many headers
            index = {}
            for key, value in self._headers:
                index.setdefault(key.lower(), []).append(value)
            self.field_cache["#text-index"] = index
        found = index.get(name.lower())
        return list(found) if found else []

    __hash__ = None  # type: ignore[assignment]


class Request(_Message):
    """An HTTP request: method, absolute URL, headers, client IP and supplied fields.

    ``headers`` is a mapping (a value is a string or a list of strings) or a list of
    ``[name, value]`` pairs; order and repeats are kept, names compare
    case-insensitively.  ``fields`` gives values for fields a plain request cannot
    carry (checked against the schema).  ``url_normalization`` is the zone's mode
    (``rfc3986``, ``cloudflare`` or ``none``); ``timestamp`` is the request's clock
    reading in seconds since the epoch (default: now).
    """

    __slots__ = (
        "_client_ip",
        "_default_port",
        "_host",
        "_method",
        "_norm",
        "_port",
        "_scheme",
        "_target",
        "_timestamp",
        "_url",
        "supplied_fields",
    )

    def __init__(self, method: str = "GET", url: str = "http://localhost/", headers: Any = None,
                 client_ip: str | ipaddress.IPv4Address | ipaddress.IPv6Address | None = None,
                 fields: dict | None = None, *,
                 url_normalization: str = "rfc3986", timestamp: float | None = None) -> None:
        self._init(method, url, headers, client_ip, fields, url_normalization, timestamp, "")

    def _init(self, method, url, headers, client_ip, fields, url_normalization, timestamp,
              where) -> None:
        p = _prefix(where)
        if not isinstance(method, str) or (method not in _COMMON_METHODS
                                           and not _TOKEN.match(method)):
            raise RuleLangError(f"{p}request method: {_short(method)} is not an HTTP method")
        self._method = method.upper()
        self._url = url
        (self._scheme, self._host, self._port, self._target,
         self._default_port) = split_url(url, f"{p}request url")
        self._headers = parse_headers(headers, f"{p}request header")
        self._client_ip = None if client_ip is None else parse_ip(client_ip,
                                                                  f"{p}request client_ip")
        supplied = convert_fields(fields, p) if fields is not None else None
        self.supplied_fields = MappingProxyType(supplied) if supplied else NO_FIELDS
        self._norm = url_normalization if url_normalization == "rfc3986" else check_mode(
            url_normalization)
        if timestamp is None:
            timestamp = time.time()
        elif isinstance(timestamp, bool) or not isinstance(timestamp, (int, float)) or not (
                0 <= timestamp < 2 ** 62):
            raise RuleLangError(f"{p}request timestamp: {_short(timestamp)} is not a number "
                                "of seconds since the epoch")
        self._timestamp = timestamp
        self.field_cache: dict[str, Any] = {}

    # -- read-only attributes ------------------------------------------------------
    @property
    def method(self) -> str:
        """The method, upper-cased."""
        return self._method

    @property
    def url(self) -> str:
        """The URL as given."""
        return self._url

    @property
    def scheme(self) -> str:
        """The URL's scheme, ``http`` or ``https`` (lower case)."""
        return self._scheme

    @property
    def url_host(self) -> str:
        """The URL's host, lower-cased, an IPv6 literal without its brackets (the Host
        header may differ: that is ``http.host``)."""
        host = self._host.lower()
        return host[1:-1] if host.startswith("[") else host

    @property
    def port(self) -> int:
        """The URL's explicit port, else 443 for https and 80 for http."""
        return int(self._port) if self._port else self._default_port

    @property
    def client_ip(self) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
        """The client's address (``ip.src``), or ``None``."""
        return self._client_ip

    @property
    def fields(self) -> Mapping[str, Any]:
        """Supplied field values in internal form (read-only mapping)."""
        return self.supplied_fields

    @property
    def url_normalization(self) -> str:
        """The URL normalization mode: ``rfc3986``, ``cloudflare`` or ``none``."""
        return self._norm

    @property
    def timestamp(self) -> float:
        """The request's clock reading, seconds since the epoch."""
        return self._timestamp

    @classmethod
    def from_dict(cls, d: Any, *, where: str = "", url_normalization: str = "rfc3986",
                  timestamp: float | None = None) -> Request:
        """Build a request from the sample format (``sample["request"]``).

        ``where`` (e.g. ``"samples.jsonl:3: sample 2"``) prefixes error messages;
        ``url_normalization`` and ``timestamp`` are as for the constructor.
        """
        _check_keys(d, "request", _REQUEST_KEYS, "url", where)
        self = cls.__new__(cls)
        self._init(d.get("method", "GET"), d["url"], d.get("headers"), d.get("client_ip"),
                   d.get("fields"), url_normalization, timestamp, where)
        return self

    @classmethod
    def from_wire(cls, method: Any, target: Any, headers: Any = None, *,
                  scheme: str = "https", host: Any = None, client_ip: Any = None,
                  http_version: Any = None, fields: dict | None = None, strict: bool = False,
                  url_normalization: str = "rfc3986", timestamp: float | None = None
                  ) -> Request:
        """A request from what a server has (interfaces.md §5): bytes or text, header
        pairs with repeats, an IPv4-mapped client address (read as IPv4).

        ``target`` is the request target (``/path?query``, or an absolute URL);
        ``scheme`` the public scheme; ``host`` the public ``host[:port]`` when the ``Host``
        header is not what visitors use (then it replaces that header too);
        ``http_version`` (``"HTTP/2"``, ``"2"``, ``(1, 1)``) sets ``http.request.version``
        unless ``fields`` gives it.  Real traffic never raises: what the constructor would
        refuse is repaired as :mod:`rulelang.http.wire` describes; ``strict=True`` raises
        :class:`~rulelang.errors.RequestError` instead.
        """
        fix = Repairs(strict)
        parts = wire_request(method, target, headers, scheme, fix)
        pairs = parts.headers
        if host is None:
            given = next((v for n, v in pairs if n.lower() == "host"), None)
            host_text = (given or parts.authority or parts.target_host or "localhost").strip()
        else:  # the public host: the rules see it in the URL and in the Host header
            host_text = read_text(host, "host", fix).strip()
        if http_version is not None and not (fields and "http.request.version" in fields):
            fields = {**(fields or {}), "http.request.version": version_label(http_version)}
        address = client_address(client_ip, strict=strict)

        def build(host_text: str, target: str) -> Request:
            headers = pairs if host is None else [
                ("Host", host_text), *((n, v) for n, v in pairs if n.lower() != "host")]
            return cls(parts.method, f"{parts.scheme}://{host_text}{target}", headers,
                       address, fields, url_normalization=url_normalization,
                       timestamp=timestamp)

        try:
            return build(host_text, parts.target)
        except RuleLangError as exc:
            if strict:
                raise RequestError(str(exc)) from None
        # a host or target the URL check refuses: the host repaired, then the target's
        # printable ASCII form; what still fails is the caller's own fields
        host_text = _wire_host(host_text, fix)
        try:
            return build(host_text, parts.target)
        except RuleLangError:
            pass
        try:
            return build(host_text, quote(parts.target.encode("utf-8", "replace"), safe=SAFE))
        except RuleLangError as exc:
            raise RequestError(str(exc)) from None

    def to_dict(self) -> dict:
        """The sample-format object of this request (headers as ``[name, value]`` pairs)."""
        out: dict[str, Any] = {"method": self._method, "url": self._url,
                               "headers": [[n, v] for n, v in self._headers]}
        if self._client_ip is not None:
            out["client_ip"] = str(self._client_ip)
        if self.supplied_fields:
            out["fields"] = {k: to_python(v) for k, v in self.supplied_fields.items()}
        return out

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Request):
            return NotImplemented
        return (self.to_dict() == other.to_dict() and self._norm == other._norm
                and self._timestamp == other._timestamp)

    def __repr__(self) -> str:
        return (f"Request({self._method!r}, {self._url!r}, headers={list(self._headers)!r}, "
                f"client_ip={None if self._client_ip is None else str(self._client_ip)!r})")


class Response(_Message):
    """An origin response: status code and headers (same forms as :class:`Request`)."""

    __slots__ = ("_status",)

    def __init__(self, status: int = 200, headers: Any = None) -> None:
        self._init(status, headers, "")

    def _init(self, status, headers, where) -> None:
        p = _prefix(where)
        if isinstance(status, bool) or not isinstance(status, int):
            raise RuleLangError(f"{p}response status: expected an integer, got "
                                f"{type(status).__name__} {_short(status)}")
        if not 100 <= status <= 599:
            raise RuleLangError(f"{p}response status: {status} is not an HTTP status code "
                                "(100-599)")
        self._status = status
        self._headers = parse_headers(headers, f"{p}response header")
        self.field_cache: dict[str, Any] = {}

    @property
    def status(self) -> int:
        """The status code (``http.response.code``)."""
        return self._status

    @classmethod
    def from_dict(cls, d: Any, *, where: str = "") -> Response:
        """Build a response from the sample format (``sample["response"]``)."""
        _check_keys(d, "response", _RESPONSE_KEYS, "status", where)
        self = cls.__new__(cls)
        self._init(d["status"], d.get("headers"), where)
        return self

    @classmethod
    def from_wire(cls, status: Any, headers: Any = None, *, strict: bool = False) -> Response:
        """A response from a server's status (int, text or bytes such as ``b"200 OK"``;
        any 100–999 status is kept, Cloudflare passes 600–999 through; anything else
        raises :class:`~rulelang.errors.RequestError`) and header pairs (bytes or text,
        repeats kept, repaired unless ``strict``)."""
        fix = Repairs(strict)
        self = cls.__new__(cls)
        self._status = status_code(status, fix)
        self._headers = parse_headers(clean_headers(headers, fix)[0], "response header")
        self.field_cache = {}
        return self

    def to_dict(self) -> dict:
        """The sample-format object of this response."""
        return {"status": self._status, "headers": [[n, v] for n, v in self._headers]}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Response):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return f"Response({self._status!r}, headers={list(self._headers)!r})"
