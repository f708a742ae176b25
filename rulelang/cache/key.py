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

from collections.abc import Mapping
from typing import Any

from rulelang.cache.eligibility import DEFAULT_CACHED_EXTENSIONS, RequestFacts

__all__ = ["DEFAULT_KEY_HEADERS", "cache_key", "device_type"]

#: Headers always part of the default key, in key order (after ``Origin``).
DEFAULT_KEY_HEADERS = ("x-http-method-override", "x-http-method", "x-method-override",
                       "x-forwarded-host", "x-host", "x-forwarded-scheme", "x-original-url",
                       "x-rewrite-url", "forwarded")


def _escape(value: str) -> str:
    return value.replace("%", "%25").replace("|", "%7C")


def _header(request: Any, name: str) -> str | None:
    values = request.header_values(name)
    return ",".join(values) if values else None


def _mapping(value: Any) -> Mapping[str, Any]:
    """A settings object; anything that is not a mapping counts as empty."""
    return value if isinstance(value, Mapping) else {}


def _cookies(request: Any) -> dict[str, str]:
    jar: dict[str, str] = {}
    for field in request.header_values("cookie"):
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


def _query(facts: RequestFacts, settings: Mapping, sort: bool, zone, notes: list[str]) -> str:
    params = [p for p in facts.query.split("&") if p]
    custom = _mapping(settings.get("custom_key"))
    rule = _query_list(custom.get("query_string"))
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
    settings = settings if isinstance(settings, Mapping) else {}
    custom = _mapping(settings.get("custom_key"))
    if custom:
        scheme = facts.scheme
    else:
        scheme = "http" if zone.ssl_mode in ("off", "flexible") else facts.scheme
    host_setting = _mapping(custom.get("host"))
    host = facts.host
    if host_setting.get("resolved") is True and zone.resolved_host:
        host = zone.resolved_host.lower()
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    port = "" if facts.port in (80, 443, None) else f":{facts.port}"
    # a rule's setting beats the zone's Query String Sort either way (§3.1 item 4, PD-35)
    rule_sort = settings.get("ignore_query_strings_order")
    sort = rule_sort if isinstance(rule_sort, bool) else zone.query_string_sort
    query = _query(facts, settings, sort, zone, notes)
    key = f"{scheme}://{host}{port}{facts.path}" + (f"?{query}" if query else "")
    return "|".join([key, *(f"{n}={_escape(v)}" for n, v in
                            _segments(request, settings, custom))])


def _segments(request, settings: Mapping, custom: Mapping) -> list[tuple[str, str]]:
    """The key's segments after the URL, in key order: the default headers, then the
    rule's headers, cookies and visitor features."""
    header = _mapping(custom.get("header"))
    return [*_default_segments(request, header), *_header_segments(request, header),
            *_cookie_segments(request, _mapping(custom.get("cookie"))),
            *_user_segments(request, settings, _mapping(custom.get("user")))]


def _default_segments(request, header: Mapping) -> list[tuple[str, str]]:
    """``Origin`` (unless excluded) and the headers Cloudflare always keys on."""
    segments: list[tuple[str, str]] = []
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


def _header_segments(request, header: Mapping) -> list[tuple[str, str]]:
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


def _cookie_segments(request, cookie: Mapping) -> list[tuple[str, str]]:
    """``custom_key.cookie``: included cookies and presence checks."""
    if not cookie:
        return []
    jar = _cookies(request)
    segments = [(f"c.{name}", jar[name]) for name in sorted(set(_names(cookie.get("include"))))
                if name in jar]
    segments.extend((f"cp.{name}", "1" if name in jar else "0")
                    for name in sorted(set(_names(cookie.get("check_presence")))))
    return segments


def _user_segments(request, settings: Mapping, user: Mapping) -> list[tuple[str, str]]:
    """Device type, country and first language of the visitor, as configured."""
    segments: list[tuple[str, str]] = []
    if settings.get("cache_by_device_type") is True or user.get("device_type") is True:
        segments.append(("device", device_type(_header(request, "user-agent"))))
    if user.get("geo") is True:
        segments.append(("geo", _country(request)))
    if user.get("lang") is True:
        language = _header(request, "accept-language")
        if language is not None:
            first = language.split(",", 1)[0].split(";", 1)[0].strip()
            if first:
                segments.append(("lang", first))
    return segments


def _country(request) -> str:
    country = _header(request, "cf-ipcountry")
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
