"""The cache key (cache-phases §4.17) in the project's canonical form (PD-28).

::

    key      = url *( "|" segment )
    url      = scheme "://" host [ ":" port ] path [ "?" query ]
    segment  = name "=" value        ; "%" and "|" in values written as %25 and %7C

The default key holds the URL (origin scheme), the ``Origin`` header and the
method-override and forwarding headers Cloudflare always keys on; a rule's
``cache_key`` settings filter the query string, sort it, and add headers,
cookies, host and visitor features.

Decisions: a rule's ``ignore_query_strings_order`` decides sorting in both
directions (``false`` turns a zone-wide Query String Sort off, since Cache Rules
override zone settings, §3.1 item 4); an IPv6 host keeps its brackets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rulelang.cache.eligibility import DEFAULT_CACHED_EXTENSIONS, RequestFacts
from rulelang.cache.response_views import text_index

__all__ = ["DEFAULT_KEY_HEADERS", "cache_key", "device_type"]

#: Headers always part of the default key, in key order (after ``Origin``).
DEFAULT_KEY_HEADERS = ("x-http-method-override", "x-http-method", "x-method-override",
                       "x-forwarded-host", "x-host", "x-forwarded-scheme", "x-original-url",
                       "x-rewrite-url", "forwarded")


def _escape(value: str) -> str:
    return value.replace("%", "%25").replace("|", "%7C")


class _Headers:
    """A request's headers by lower-case name: the request's one index when it is a
    :class:`~rulelang.http.Request`, else its ``header_values``."""

    __slots__ = ("_index", "_request")

    def __init__(self, request: Any) -> None:
        self._request = request
        self._index = text_index(request)

    def values(self, name: str) -> Sequence[str]:
        index = self._index
        if index is None:
            return self._request.header_values(name) or ()
        return index.get(name) or ()

    def any_of(self, names: frozenset[str]) -> bool:
        """Whether any of ``names`` is present (``True`` when it cannot tell cheaply)."""
        index = self._index
        return index is None or not names.isdisjoint(index)


def _header(headers: _Headers, name: str) -> str | None:
    values = headers.values(name.lower())
    return ",".join(values) if values else None


_EMPTY: Mapping[str, Any] = {}


def _mapping(value: Any) -> Mapping[str, Any]:
    """A settings object; anything that is not a mapping counts as empty."""
    if value.__class__ is dict:
        return value
    return value if value is not None and isinstance(value, Mapping) else _EMPTY


def _cookies(request: _Headers) -> dict[str, str]:
    jar: dict[str, str] = {}
    for field in request.values("cookie"):
        for pair in field.split(";"):
            name, sep, value = pair.partition("=")
            name = name.strip()
            if name and sep and name not in jar:
                jar[name] = value.strip()
    return jar


def _names(value: Any) -> list[str]:
    """A configured list of names; anything that is not a list counts as empty."""
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else []


def device_type(user_agent: str | None) -> str:
    """``tablet``, ``mobile`` or ``desktop`` from a User-Agent (PD-28)."""
    ua = (user_agent or "").lower()
    if "ipad" in ua or "tablet" in ua or ("android" in ua and "mobile" not in ua):
        return "tablet"
    if "mobi" in ua or "iphone" in ua or "android" in ua:
        return "mobile"
    return "desktop"


def _query_list(setting: Any) -> tuple[str, Any] | None:
    """``("include"|"exclude", True | list)`` from a normalized or legacy form."""
    if not isinstance(setting, Mapping):
        return None
    for side in ("include", "exclude"):
        part = setting.get(side)
        if part is None:
            continue
        if part == "*" or part == ["*"]:
            return side, True
        if isinstance(part, list):
            return side, [str(p) for p in part]
        if isinstance(part, Mapping):
            if part.get("all") is True:
                return side, True
            if isinstance(part.get("list"), list):
                return side, [str(p) for p in part["list"]]
    return None


def _query(facts: RequestFacts, custom: Mapping, sort: bool, zone, notes: list[str]) -> str:
    if not facts.query:
        return ""
    params = [p for p in facts.query.split("&") if p]
    setting = custom.get("query_string")
    rule = None if setting is None else _query_list(setting)
    if rule is not None:
        side, names = rule
        if names is True:
            params = [] if side == "exclude" else params
        else:
            wanted = set(names)
            params = [p for p in params if (p.partition("=")[0] in wanted) == (side == "include")]
    elif zone.caching_level == "ignore_query_string" and \
            facts.extension in DEFAULT_CACHED_EXTENSIONS and params:
        notes.append("cache key: caching level Ignore Query String drops the query string")
        params = []
    if sort:
        params = sorted(params, key=lambda p: tuple(s.encode("utf-8", "surrogatepass")
                                                    for s in p.partition("=")[::2]))
    return "&".join(params)


def cache_key(request, facts: RequestFacts, settings: Mapping, zone, notes: list[str]) -> str:
    """The canonical cache key of ``request`` under the stacked ``cache_key``
    ``settings`` (a mapping in API parameter names) and the ``zone``."""
    settings = _mapping(settings)
    custom = _mapping(settings.get("custom_key"))
    if custom:
        scheme = facts.scheme
    else:
        scheme = "http" if zone.ssl_mode in ("off", "flexible") else facts.scheme
    host = facts.host
    if custom and _mapping(custom.get("host")).get("resolved") is True and zone.resolved_host:
        host = zone.resolved_host.lower()
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    port = "" if facts.port in (80, 443, None) else f":{facts.port}"
    # a rule's setting beats the zone's Query String Sort either way (§3.1 item 4, PD-35)
    rule_sort = settings.get("ignore_query_strings_order")
    sort = rule_sort if isinstance(rule_sort, bool) else zone.query_string_sort
    query = _query(facts, custom, sort, zone, notes)
    key = f"{scheme}://{host}{port}{facts.path}" + (f"?{query}" if query else "")
    segments = _segments(_Headers(request), request, settings, custom)
    if not segments:
        return key
    return "|".join([key, *(f"{n}={_escape(v)}" for n, v in segments)])


def _segments(headers: _Headers, request: Any, settings: Mapping, custom: Mapping
              ) -> list[tuple[str, str]]:
    """The key's segments after the URL, in key order: the default headers, then the
    rule's headers, cookies and visitor features."""
    if not custom:
        segments = _default_segments(headers, _EMPTY)
        if settings.get("cache_by_device_type") is True:
            segments.extend(_user_segments(headers, request, settings, _EMPTY))
        return segments
    header = _mapping(custom.get("header"))
    segments = _default_segments(headers, header)
    if header:
        segments.extend(_header_segments(headers, header))
    cookie = _mapping(custom.get("cookie"))
    if cookie:
        segments.extend(_cookie_segments(headers, cookie))
    user = _mapping(custom.get("user"))
    if user or settings.get("cache_by_device_type") is True:
        segments.extend(_user_segments(headers, request, settings, user))
    return segments


#: Every header the default key may hold.
_DEFAULT_KEYED = frozenset(("origin", *DEFAULT_KEY_HEADERS))


def _default_segments(request: _Headers, header: Mapping) -> list[tuple[str, str]]:
    """``Origin`` (unless excluded) and the headers Cloudflare always keys on."""
    segments: list[tuple[str, str]] = []
    if not request.any_of(_DEFAULT_KEYED):
        return segments
    origin = _header(request, "origin")
    if origin is not None and header.get("exclude_origin") is not True:
        segments.append(("origin", origin))
    for name in DEFAULT_KEY_HEADERS:
        value = _header(request, name)
        if value is None:
            continue
        if name == "x-forwarded-scheme" and value.strip().lower() in ("http", "https"):
            continue
        segments.append((name, value))
    return segments


def _header_segments(request: _Headers, header: Mapping) -> list[tuple[str, str]]:
    """``custom_key.header``: included headers, ``contains`` matches, presence checks."""
    segments: list[tuple[str, str]] = []
    for name in sorted({n.lower() for n in _names(header.get("include"))}):
        value = _header(request, name)
        if value is not None:
            segments.append((f"h.{name}", value))
    contains = _mapping(header.get("contains"))
    for name in sorted(contains, key=lambda n: str(n).lower()):
        value = (_header(request, str(name)) or "").lower()
        matched = [v for v in _names(contains[name]) if value and v.lower() in value]
        if matched:
            segments.append((f"h.{str(name).lower()}", ",".join(matched)))
    for name in sorted({n.lower() for n in _names(header.get("check_presence"))}):
        segments.append((f"hp.{name}", "1" if _header(request, name) is not None else "0"))
    return segments


def _cookie_segments(request: _Headers, cookie: Mapping) -> list[tuple[str, str]]:
    """``custom_key.cookie``: included cookies and presence checks."""
    if not cookie:
        return []
    jar = _cookies(request)
    segments = [(f"c.{name}", jar[name]) for name in sorted(set(_names(cookie.get("include"))))
                if name in jar]
    segments.extend((f"cp.{name}", "1" if name in jar else "0")
                    for name in sorted(set(_names(cookie.get("check_presence")))))
    return segments


def _user_segments(headers: _Headers, request: Any, settings: Mapping, user: Mapping
                   ) -> list[tuple[str, str]]:
    """Device type, country and first language of the visitor, as configured."""
    segments: list[tuple[str, str]] = []
    if settings.get("cache_by_device_type") is True or user.get("device_type") is True:
        segments.append(("device", device_type(_header(headers, "user-agent"))))
    if user.get("geo") is True:
        segments.append(("geo", _country(headers, request)))
    if user.get("lang") is True:
        language = _header(headers, "accept-language")
        if language is not None:
            first = language.split(",", 1)[0].split(";", 1)[0].strip()
            if first:
                segments.append(("lang", first))
    return segments


def _country(headers: _Headers, request: Any) -> str:
    country = _header(headers, "cf-ipcountry")
    if country:
        return country.strip()
    fields = getattr(request, "fields", None)
    if isinstance(fields, Mapping):
        for name in ("ip.src.country", "ip.geoip.country"):
            value = fields.get(name)
            if isinstance(value, bytes):
                value = value.decode("utf-8", "replace")
            if isinstance(value, str) and value:
                return value
    return "XX"
