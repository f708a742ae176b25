"""How each derived field of ``fields.json`` is computed from a request or response.

Every function here implements one field's ``derivation`` text.  A request
derivation is ``fn(request, value)`` where ``value(request, name)`` reads another
request field (cached, with ``fields`` overrides applied) — so ``http.request.uri``
is built from the *value* of ``http.request.uri.path``, as the reference words it.
A response derivation is ``fn(response)``.  Intermediate results shared by several
fields (the header index, the query split) are cached on the message under keys
that start with ``#`` and so never clash with field names.

Decisions where ``fields.json`` is silent: ``raw.http.request.uri.query`` ("identical
to http.request.uri.query") is read from the request target, so a value supplied for
``http.request.uri.query`` does not reach the raw fields — raw fields keep the request
as it arrived, as they ignore URL rewrites.  ``http.request.timestamp.msec`` is 0 when
only ``http.request.timestamp.sec`` is supplied (that second carries no clock reading).
An IPv4-mapped ``client_ip`` (``::ffff:a.b.c.d``) stays an IPv6 value (language.md
§3.11: it never equals the IPv4 address).

All results are in the engine's internal form: ``bytes``, ``int``, ``bool``,
``ipaddress`` objects, tuples, and dicts with ``bytes`` keys in ascending order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_to_bytes

from rulelang.http.urlnorm import normalize_path
from rulelang.schema.values import MISSING

__all__ = ["REQUEST_DERIVATIONS", "RESPONSE_DERIVATIONS"]

Value = Callable[[Any, str], Any]

_QVALUE = re.compile(rb"(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)\Z")
_OWS = b" \t"


# --------------------------------------------------------------------------- headers

def header_index(message: Any) -> dict[str, list[bytes]]:
    """Lower-case header name → the values of every line with that name, in order."""
    index = message.field_cache.get("#index")
    if index is None:
        index = {}
        for name, value in message._headers:
            key = name.lower()
            entry = index.get(key)
            encoded = value.encode("utf-8")
            if entry is None:
                index[key] = [encoded]
            else:
                entry.append(encoded)
        message.field_cache["#index"] = index
    return index


def _first(message: Any, name: str) -> bytes:
    values = header_index(message).get(name)
    return values[0] if values else b""


def _headers_map(message: Any) -> dict[bytes, tuple[bytes, ...]]:
    index = header_index(message)
    return {k.encode("ascii"): tuple(index[k]) for k in sorted(index)}


def _header_names(message: Any) -> tuple[bytes, ...]:
    return tuple(n.encode("ascii") for n, _ in message._headers)


def _header_values(message: Any) -> tuple[bytes, ...]:
    return tuple(v.encode("utf-8") for _, v in message._headers)


def _media_type(message: Any) -> bytes:
    return _first(message, "content-type").split(b";", 1)[0].strip(_OWS).lower()


# --------------------------------------------------------------------------- URL

def _raw_path(req: Any, value: Value) -> bytes:
    path = req._target.partition("?")[0]
    return path.encode("utf-8") if path else b"/"


def _path(req: Any, value: Value) -> bytes:
    return normalize_path(value(req, "raw.http.request.uri.path"), req._norm)


def _query(req: Any, value: Value) -> bytes:
    return req._target.partition("?")[2].encode("utf-8")


def _has_question_mark(req: Any) -> bool:
    return "?" in req._target


def _uri_from(path_field: str, query_field: str) -> Callable[[Any, Value], bytes]:
    def uri(req: Any, value: Value) -> bytes:
        path = value(req, path_field)
        query = value(req, query_field)
        if query or _has_question_mark(req):
            return path + b"?" + query
        return path
    return uri


def _full_uri_from(uri_field: str) -> Callable[[Any, Value], bytes]:
    def full_uri(req: Any, value: Value) -> bytes:
        return req._scheme.encode("ascii") + b"://" + value(req, "http.host") + value(
            req, uri_field)
    return full_uri


def last_segment_extension(path: bytes) -> bytes:
    """The extension of the last path segment (text after its last dot), or ``b''`` when
    the segment has no dot or starts with its only dot."""
    segment = path.rpartition(b"/")[2]
    dot = segment.rfind(b".")
    return segment[dot + 1:] if dot > 0 else b""


def _extension(req: Any, value: Value) -> bytes:
    return last_segment_extension(value(req, "http.request.uri.path")).lower()


def _raw_extension(req: Any, value: Value) -> bytes:
    return last_segment_extension(value(req, "raw.http.request.uri.path"))


def _basename(req: Any, value: Value) -> bytes:
    return value(req, "http.request.uri.path").rpartition(b"/")[2]


def split_query(query: bytes) -> list[tuple[bytes, bytes]]:
    """``(name, value)`` pairs of a query string: split on ``&``, empty pieces skipped,
    name before the first ``=``, value after it (``b''`` without ``=``); no decoding."""
    pairs = []
    for piece in query.split(b"&"):
        if piece:
            name, _, val = piece.partition(b"=")
            pairs.append((name, val))
    return pairs


def _query_pairs(req: Any, value: Value, query_field: str) -> list[tuple[bytes, bytes]]:
    key = "#args " + query_field
    pairs = req.field_cache.get(key)
    if pairs is None:
        pairs = req.field_cache[key] = split_query(value(req, query_field))
    return pairs


def _args_from(query_field: str):
    def args(req: Any, value: Value) -> dict[bytes, tuple[bytes, ...]]:
        grouped: dict[bytes, list[bytes]] = {}
        for name, val in _query_pairs(req, value, query_field):
            grouped.setdefault(name, []).append(val)
        return {k: tuple(grouped[k]) for k in sorted(grouped)}

    def names(req: Any, value: Value) -> tuple[bytes, ...]:
        return tuple(n for n, _ in _query_pairs(req, value, query_field))

    def values(req: Any, value: Value) -> tuple[bytes, ...]:
        return tuple(v for _, v in _query_pairs(req, value, query_field))
    return args, names, values


def _host(req: Any, value: Value) -> bytes:
    values = header_index(req).get("host")
    if values:
        return values[0]
    host = req._host if not req._port else f"{req._host}:{req._port}"
    return host.encode("utf-8")


def _server_port(req: Any, value: Value) -> int:
    return int(req._port) if req._port else req._default_port


# --------------------------------------------------------------------------- cookies, languages

def parse_cookies(headers: list[bytes]) -> dict[bytes, tuple[bytes, ...]]:
    """The ``http.request.cookies`` map of a list of Cookie header values."""
    grouped: dict[bytes, list[bytes]] = {}
    for header in headers:
        for piece in header.split(b";"):
            piece = piece.strip(_OWS)
            if not piece:
                continue
            name, eq, val = piece.partition(b"=")
            if eq:
                name = name.rstrip(_OWS)
                val = val.lstrip(_OWS)
            if b"%" in name:
                name = unquote_to_bytes(name)
            if name:
                grouped.setdefault(name, []).append(val)
    return {k: tuple(grouped[k]) for k in sorted(grouped)}


def _weight(params: list[bytes]) -> int | None:
    """The q-weight in thousandths from ``;``-parameters; ``None`` when it is not a valid
    qvalue (RFC 9110)."""
    for param in params:
        name, _, q = param.partition(b"=")
        if name.strip(_OWS).lower() == b"q":
            q = q.strip(_OWS)
            if not _QVALUE.match(q):
                return None
            whole, _, frac = q.partition(b".")
            return int(whole) * 1000 + int((frac + b"000")[:3])
    return 1000


def accepted_languages(headers: list[bytes]) -> tuple[bytes, ...]:
    """Language tags of Accept-Language header values, highest q-weight first."""
    weighted: list[tuple[int, int, bytes]] = []
    for header in headers:
        for item in header.split(b","):
            tag, *params = item.split(b";")
            tag = tag.strip(_OWS)
            if not tag or tag == b"*":
                continue
            weight = _weight(params)
            if weight:
                weighted.append((-weight, len(weighted), tag))
    weighted.sort()
    return tuple(tag for _, _, tag in weighted)


# --------------------------------------------------------------------------- tables

def _timestamp_msec(req: Any, value: Value) -> int:
    if "http.request.timestamp.sec" in req.supplied_fields:
        # The seconds came from the sample, not from a clock reading: no milliseconds.
        return 0
    return int(req._timestamp * 1000) % 1000


def _args_fields(prefix: str, query_field: str) -> dict[str, Callable]:
    args, names, values = _args_from(query_field)
    return {prefix: args, prefix + ".names": names, prefix + ".values": values}


#: Field name → ``fn(request, value)`` for every derived request field.
REQUEST_DERIVATIONS: dict[str, Callable[[Any, Value], Any]] = {
    "http.request.full_uri": _full_uri_from("http.request.uri"),
    "http.request.uri": _uri_from("http.request.uri.path", "http.request.uri.query"),
    "http.request.uri.path": _path,
    "http.request.uri.path.extension": _extension,
    "http.request.uri.path.basename": _basename,
    "http.request.uri.query": _query,
    **_args_fields("http.request.uri.args", "http.request.uri.query"),
    "raw.http.request.full_uri": _full_uri_from("raw.http.request.uri"),
    "raw.http.request.uri": _uri_from("raw.http.request.uri.path", "raw.http.request.uri.query"),
    "raw.http.request.uri.path": _raw_path,
    "raw.http.request.uri.path.extension": _raw_extension,
    "raw.http.request.uri.query": _query,
    **_args_fields("raw.http.request.uri.args", "raw.http.request.uri.query"),
    "http.host": _host,
    "http.cookie": lambda req, value: b"; ".join(header_index(req).get("cookie", ())),
    "http.referer": lambda req, value: _first(req, "referer"),
    "http.user_agent": lambda req, value: _first(req, "user-agent"),
    "http.x_forwarded_for":
        lambda req, value: b", ".join(header_index(req).get("x-forwarded-for", ())),
    "http.request.method": lambda req, value: req._method.encode("ascii"),
    "http.request.headers": lambda req, value: _headers_map(req),
    "http.request.headers.names": lambda req, value: _header_names(req),
    "http.request.headers.values": lambda req, value: _header_values(req),
    "http.request.cookies":
        lambda req, value: parse_cookies(header_index(req).get("cookie", [])),
    "http.request.accepted_languages":
        lambda req, value: accepted_languages(header_index(req).get("accept-language", [])),
    "http.request.timestamp.sec": lambda req, value: int(req._timestamp),
    "http.request.timestamp.msec": _timestamp_msec,
    "ssl": lambda req, value: req._scheme == "https",
    "ip.src": lambda req, value: MISSING if req._client_ip is None else req._client_ip,
    "cf.edge.server_port": _server_port,
}

#: Field name → ``fn(response)`` for every derived response field.
RESPONSE_DERIVATIONS: dict[str, Callable[[Any], Any]] = {
    "http.response.code": lambda resp: resp._status,
    "http.response.headers": _headers_map,
    "http.response.headers.names": _header_names,
    "http.response.headers.values": _header_values,
    "raw.http.response.headers": _headers_map,
    "raw.http.response.headers.names": _header_names,
    "raw.http.response.headers.values": _header_values,
    "http.response.content_type.media_type": _media_type,
}
