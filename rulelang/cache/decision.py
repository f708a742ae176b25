"""The cache decision: what Cloudflare does with a request and its origin response.

:func:`decide` implements the model of cache-phases §4 for the *first* request
for an object, given the stacked request-phase settings and the matching
response-phase rules that the phase engine computed.  It never evaluates
expressions and never raises on header content: whatever it had to ignore is
said in ``reasons``.  docs/cache-decision.md describes the algorithm and every
project decision it relies on.

Decisions taken here where the specification is open: an informational status
(100–199) is never stored, whatever a header or status code TTL says (PD-17
makes only non-1xx statuses storable); a 304 without a 304 or 200
``status_code_ttl`` entry gets no TTL from ``override_origin`` (§4.9 steps 1–3
read literally); reasons name the rule that last set each deciding setting unit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rulelang.cache.browser_ttl import browser_setting, browser_view
from rulelang.cache.cache_control import Directive, delta_seconds, find, qualifiers_of, serialize
from rulelang.cache.edge_ttl import EdgeResult, ExplicitTTL, edge_lifetime, explicit_ttl
from rulelang.cache.eligibility import (
    DEFAULT_CACHED_EXTENSIONS,
    RequestFacts,
    deception_armor_accepts,
    default_eligible,
    request_facts,
)
from rulelang.cache.key import cache_key
from rulelang.cache.response_views import (
    STRIP_FLAGS,
    ResponseHeaders,
    Views,
    cache_tags,
    directive_views,
    expires_lifetime,
    header_values,
    strip_flags,
)
from rulelang.cache.zone import Zone

__all__ = ["CACHEABLE_METHODS", "ResponseAction", "RuleRef", "decide"]

#: PD-04: the only methods that can be eligible for cache.
CACHEABLE_METHODS = frozenset({"GET", "HEAD"})
_RESPONSE_PHASES = ("http_response_cache_settings", "response")


@dataclass(frozen=True)
class RuleRef:
    """Identifies a matching rule in reasons and in the outcome's ``matched`` lists.

    ``index`` is the 0-based position of the rule in its ruleset.
    """

    phase: str
    index: int
    id: str | None = None
    ref: str | None = None
    description: str = ""

    def to_dict(self) -> dict:
        """The ``matched`` entry of interfaces.md §4."""
        return {"index": self.index, "id": self.id, "ref": self.ref,
                "description": self.description}

    def label(self) -> str:
        """How reasons name the rule: ``rule 2 (ref "static")``, ``response rule 0``."""
        kind = "response rule" if self.phase in _RESPONSE_PHASES else "rule"
        if self.ref:
            return f'{kind} {self.index} (ref "{self.ref}")'
        if self.id:
            return f'{kind} {self.index} (id "{self.id}")'
        if self.description:
            return f'{kind} {self.index} ("{self.description}")'
        return f"{kind} {self.index}"


@dataclass(frozen=True)
class ResponseAction:
    """One matching response-phase rule, in rule order.

    ``params`` are its validated ``action_parameters``; for ``set_cache_tags``
    with an ``expression``, ``tags`` is the evaluated result (``None`` when the
    expression had no value), for ``values`` it may repeat the literal values.
    """

    rule: RuleRef
    action: str
    params: dict
    tags: tuple[str, ...] | None = None


class _Sources:
    """Names the rule that last set a setting unit, for reasons."""

    def __init__(self, sources: Mapping[str, RuleRef] | None) -> None:
        self._sources = sources or {}

    def __call__(self, unit: str, fallback: str = "a request rule") -> str:
        rule = self._sources.get(unit)
        return rule.label() if isinstance(rule, RuleRef) else fallback

    def units(self, prefix: str) -> list[str]:
        """The recorded setting units starting with ``prefix``, in a stable order."""
        return sorted(u for u, r in self._sources.items()
                      if u.startswith(prefix) and isinstance(r, RuleRef))


def _mapping(value: Any) -> Mapping:
    return value if isinstance(value, Mapping) else {}


def _eligibility(facts: RequestFacts, settings: Mapping, zone: Zone, by: _Sources,
                 reasons: list[str]) -> tuple[bool, str]:
    """``(eligible, level)`` with level ``rule`` or ``default`` (cache-phases §4.7)."""
    if facts.method not in CACHEABLE_METHODS:
        reasons.append(f"method {facts.method} is never cached (only GET and HEAD): "
                       "not eligible")
        return False, "default"
    if facts.port in zone.uncacheable_ports:
        extra = settings.get("additional_cacheable_ports")
        if not isinstance(extra, list) or facts.port not in extra:
            reasons.append(f"port {facts.port} has caching disabled: not eligible")
            return False, "default"
        reasons.append(f"port {facts.port} re-enabled by additional_cacheable_ports of "
                       f"{by('additional_cacheable_ports')}")
    cache = settings.get("cache")
    if cache is False:
        reasons.append(f"{by('cache')} bypasses the cache (cache: false): not eligible")
        return False, "rule"
    if cache is True:
        reasons.append(f"{by('cache')} made the request eligible for cache (cache: true)")
        return True, "rule"
    if not default_eligible(facts):
        if facts.extension:
            what = f"extension {facts.extension!r} is not on the default cached-extension list"
        else:
            what = "the path has no file extension, so the default cached-extension list"
            what += " does not apply"
        reasons.append(f"{what} and no rule sets cache: not eligible")
        return False, "default"
    if zone.caching_level == "no_query_string" and facts.query:
        reasons.append("caching level No Query String: a request with a query string is "
                       "not eligible")
        return False, "default"
    if facts.extension in DEFAULT_CACHED_EXTENSIONS:
        reasons.append(f"extension {facts.extension!r} is on the default cached-extension "
                       "list: eligible")
    else:
        reasons.append("/robots.txt is cached by default: eligible")
    return True, "default"


def _occ(zone: Zone, settings: Mapping, actions: Sequence, headers: ResponseHeaders,
         by: _Sources, reasons: list[str]) -> bool:
    """Effective Origin Cache Control (cache-phases §4.5, PD-02, PD-10)."""
    if not zone.is_enterprise:
        occ, why = True, f"always on for the {zone.plan} plan"
    elif isinstance(settings.get("origin_cache_control"), bool):
        occ, why = settings["origin_cache_control"], f"set by {by('origin_cache_control')}"
    else:
        occ, why = zone.default_occ, "zone setting"
    if actions and not occ:
        occ, why = True, f"forced on because {actions[0].rule.label()} matched"
    if headers.values("cloudflare-cdn-cache-control") and not occ:
        occ, why = True, "forced on by the Cloudflare-CDN-Cache-Control header"
    reasons.append(f"Origin Cache Control {'on' if occ else 'off'} ({why})")
    return occ


def _status(response: Any, reasons: list[str]) -> int:
    status = getattr(response, "status", None)
    if isinstance(status, int) and not isinstance(status, bool):
        return status
    try:
        return int(str(status).strip())
    except ValueError:
        reasons.append(f"origin status {status!r} is not a number; read as 0")
        return 0


def _request_clock(request: Any) -> datetime | None:
    """The request's own clock reading (``Request.timestamp``), if it has one (PD-32)."""
    stamp = getattr(request, "timestamp", None)
    if isinstance(stamp, (int, float)) and not isinstance(stamp, bool):
        try:
            return datetime.fromtimestamp(stamp, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return None


def _content_length(headers: ResponseHeaders) -> int | None:
    values = headers.values("content-length")
    text = values[0].strip() if values else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 30 else None


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _request_side(request: Any, zone: Zone, settings: Mapping, request_rules: Sequence[RuleRef],
                  by: _Sources, reasons: list[str]) -> tuple[RequestFacts, bool, str, str]:
    facts = request_facts(request, reasons)
    reasons.append(f"request {facts.method} {getattr(request, 'url', '')} "
                   f"(extension {facts.extension!r}, port {facts.port})")
    for rule in request_rules:
        reasons.append(f"{rule.label()} matched")
    eligible, level = _eligibility(facts, settings, zone, by, reasons)
    key = cache_key(request, facts, _mapping(settings.get("cache_key")), zone, reasons)
    shaping = [f"{unit.removeprefix('cache_key.')} of {by(unit)}"
               for unit in by.units("cache_key.")
               if unit != "cache_key.cache_deception_armor"]
    if shaping:
        reasons.append(f"cache key {key} (from {', '.join(shaping)})")
    return facts, eligible, level, key


def decide(request: Any, response: Any, *, zone: Zone, request_settings: Mapping,
           request_rules: Sequence[RuleRef] = (), response_actions: Sequence[ResponseAction] = (),
           setting_sources: Mapping[str, RuleRef] | None = None) -> dict:
    """The ``decision`` block of interfaces.md §4 for ``request`` and ``response``.

    ``request_settings`` is the stacked request-phase ``set_cache_settings``
    result (API parameter names, validated); ``request_rules`` the matching
    request rules in order; ``response_actions`` the matching response rules in
    order; ``setting_sources`` maps a setting unit (``"cache"``, ``"edge_ttl"``,
    ``"cache_key.custom_key.query_string"`` …) to the rule that last set it.

    ``response`` may be ``None`` (request phase only): then ``eligible``,
    ``cache_key``, ``origin_method`` and ``reasons`` are given, ``cache_status``
    is ``DYNAMIC`` for an ineligible request and ``None`` otherwise, and every
    other output that needs the response is ``None``.
    """
    zone = zone if isinstance(zone, Zone) else Zone.from_dict(zone)
    settings = _mapping(request_settings)
    by = _Sources(setting_sources)
    reasons: list[str] = []
    facts, eligible, level, key = _request_side(request, zone, settings, request_rules, by,
                                                reasons)
    origin_method = "GET" if eligible and facts.method == "HEAD" else facts.method
    if eligible and facts.method == "HEAD":
        reasons.append("HEAD is sent to the origin as GET so the full response can be stored")
    if response is None:
        reasons.append("no origin response: only the request side is decided")
        return _result(eligible, None if eligible else "DYNAMIC", None, None, None, None, key,
                       reasons, occ=None, origin_method=origin_method)
    status = _status(response, reasons)
    actions = list(response_actions)
    if 100 <= status <= 199 and actions:
        reasons.append(f"status {status} is informational: response rules do not apply")
        actions = []
    flags = strip_flags(actions, reasons)
    stripped = frozenset(h for f, h in STRIP_FLAGS.items()
                         if flags.get(f) and header_values(response, h))
    headers = ResponseHeaders(response, stripped)
    occ = _occ(zone, settings, actions, ResponseHeaders(response), by, reasons)
    views = directive_views(headers, actions, reasons)
    tags = cache_tags(headers, actions, reasons)
    expires = expires_lifetime(headers, zone.clock or _request_clock(request), reasons)
    removed = set(stripped)
    if not eligible:
        return _finish(eligible, "DYNAMIC", None, views.visitor, tags, removed, key, reasons,
                       response=response, occ=occ, origin_method=origin_method, status=status,
                       headers=headers, settings=settings, views=views, request=request,
                       flags=flags)
    outcome, explicit, e_eff = _store(request, facts, status, headers, views, occ, expires,
                                      settings, zone, by, reasons)
    ttl = outcome.ttl
    cache_status: str | None
    if ttl is not None and headers.values("set-cookie"):
        ttl, cache_status, cookie_removed = _set_cookie(outcome, explicit, e_eff, occ, level,
                                                        reasons)
        if cookie_removed:
            removed.add("set-cookie")
    else:
        cache_status = outcome.status
    if status == 304:
        reasons.append("origin answered 304 (a revalidation): no first-request cache status")
        cache_status = None
    browser = browser_view(views.visitor, eligible=True, occ=occ, edge_ttl=ttl,
                           setting=browser_setting(settings.get("browser_ttl"),
                                                   zone.browser_cache_ttl, by("browser_ttl")),
                           expires=expires, notes=reasons, reasons=reasons)
    return _finish(eligible, cache_status, ttl, browser, tags, removed, key, reasons,
                   response=response, occ=occ, origin_method=origin_method, status=status,
                   headers=headers, settings=settings, views=views, request=request,
                   flags=flags)


def _store(request: Any, facts: RequestFacts, status: int, headers: ResponseHeaders,
           views: Views, occ: bool, expires: int | None, settings: Mapping,
           zone: Zone, by: _Sources, reasons: list[str]
           ) -> tuple[EdgeResult, ExplicitTTL | None, list[Directive]]:
    """Response-level bypasses, then the edge TTL, size limit and Deception Armor.

    Returns the result, the explicit request-phase TTL and the effective edge
    directives ``E_eff`` (cache-phases §4.9).
    """
    vary = [t.strip() for v in headers.values("vary") for t in v.split(",")]
    if "*" in vary:
        reasons.append("origin sent Vary: *: not stored")
        return EdgeResult(None, "BYPASS", "Vary: *"), None, views.edge
    if occ and header_values(request, "authorization") and not any(
            find(views.edge, d) for d in ("public", "must-revalidate", "s-maxage")):
        reasons.append("request has Authorization and the edge directives have none of "
                       "public, must-revalidate, s-maxage (Origin Cache Control on): not stored")
        return EdgeResult(None, "BYPASS", "Authorization"), None, views.edge
    if 100 <= status <= 199:
        reasons.append(f"status {status} is informational: never stored (PD-17 makes only "
                       "non-1xx statuses storable)")
        return EdgeResult(None, "MISS", "1xx"), None, views.edge
    edge_setting = settings.get("edge_ttl")
    explicit = explicit_ttl(edge_setting, status, by("edge_ttl"))
    if explicit is not None:
        e_eff = [d for d in views.edge if d.name in views.rule_set]
        reasons.append(f"{explicit.source} applies: the origin's cache "
                       "directives are ignored at the edge"
                       + (", response-rule directives still count" if e_eff else ""))
    else:
        e_eff = views.edge
    applicable = expires if views.expires_applicable else None
    if expires is not None and not views.expires_applicable:
        reasons.append(f"Expires ignored at the edge: {views.source_name} is present")
    result = edge_lifetime(
        e_eff, occ=occ, explicit=explicit, expires=applicable if explicit is None else None,
        bypass_by_default=_mapping(edge_setting).get("mode") == "bypass_by_default",
        setting_source=by("edge_ttl"),
        header_present=bool(views.edge) or applicable is not None, status=status,
        response_headers=headers.names(), view=views.source_name, notes=reasons)
    reasons.append(result.reason)
    if result.ttl is None:
        return result, explicit, e_eff
    size = _content_length(headers)
    if size is not None and size > zone.size_limit:
        reasons.append(f"Content-Length {size} exceeds the {zone.size_limit}-byte cacheable "
                       "size limit: not stored")
        return EdgeResult(None, "MISS", "size limit"), explicit, e_eff
    armor = _mapping(settings.get("cache_key")).get("cache_deception_armor") is True
    if armor and result.from_default_table:
        content_type = next(iter(headers.values("content-type")), None)
        if not deception_armor_accepts(facts.extension, content_type):
            reasons.append(f"Cache Deception Armor of {by('cache_key.cache_deception_armor')}: "
                           f"Content-Type {content_type!r} does not match extension "
                           f"{facts.extension!r}: not stored")
            return EdgeResult(None, "MISS", "Cache Deception Armor"), explicit, e_eff
    return result, explicit, e_eff


def _set_cookie(outcome: EdgeResult, explicit: ExplicitTTL | None, e_eff: list[Directive],
                occ: bool, level: str, reasons: list[str]) -> tuple[int | None, str, bool]:
    """``(ttl, cache_status, cookie_removed)`` for a storable response that still
    carries ``Set-Cookie`` (cache-phases §4.12, PD-21, PD-22)."""
    private = find(e_eff, "private")
    if occ and private is not None and any(q.lower() == "set-cookie"
                                           for q in qualifiers_of(private)):
        reasons.append("Set-Cookie: private=\"Set-Cookie\" with Origin Cache Control on: "
                       "stored without the cookie, the visitor still gets it")
        return outcome.ttl, outcome.status, False
    if explicit is not None and explicit.value is not None:
        reasons.append(f"Set-Cookie with an explicit edge TTL ({explicit.source}): stored, "
                       "and the cookie is removed from the response")
        return outcome.ttl, outcome.status, True
    if level == "rule":
        reasons.append("Set-Cookie on a request made eligible by a rule: not stored, the "
                       "cookie is kept (MISS every time)")
        return None, "MISS", False
    if not occ:
        reasons.append("Set-Cookie at the default cache level with Origin Cache Control off: "
                       "stored, and the cookie is removed from the response")
        return outcome.ttl, outcome.status, True
    reasons.append("Set-Cookie at the default cache level with Origin Cache Control on: "
                   "not stored, the cookie is kept")
    return None, "BYPASS", False


def _finish(eligible: bool, cache_status: str | None, ttl: int | None,
            browser: list[Directive], tags: list[str], removed: set[str], key: str,
            reasons: list[str], *, response: Any, occ: bool, origin_method: str, status: int,
            headers: ResponseHeaders, settings: Mapping, views: Views, request: Any,
            flags: Mapping[str, bool]) -> dict:
    stored = ttl is not None
    stripped: list[str] = [h for h in ("etag", "last-modified", "set-cookie")
                           if h in removed and header_values(response, h)]
    serve_stale = _mapping(settings.get("serve_stale"))
    quiet: list[str] = []
    stale = (stored and delta_seconds(find(views.edge, "stale-while-revalidate"), "",
                                      quiet) is not None
             and serve_stale.get("disable_stale_while_updating") is not True
             and (not occ or not any(find(views.edge, d) for d in
                                     ("must-revalidate", "proxy-revalidate", "no-cache"))))
    strip_validators = bool(flags.get("strip_etags") or flags.get("strip_last_modified"))
    reserve = _mapping(settings.get("cache_reserve"))
    size = _content_length(headers)
    minimum = reserve.get("minimum_file_size")
    minimum = minimum if isinstance(minimum, int) else 0
    reserve_write = (reserve.get("eligible") is True and ttl is not None and ttl >= 36000
                     and size is not None and size >= minimum)
    client_status = status
    if eligible and status == 200 and header_values(request, "range") and size is not None:
        client_status = 206
    return _result(eligible, cache_status, ttl, serialize(browser), tags, stripped, key,
                   reasons, occ=occ, origin_method=origin_method, client_status=client_status,
                   smart_edge_revalidation=stored and not strip_validators,
                   cache_reserve_write=reserve_write, serve_stale_allowed=stale)


def _result(eligible: bool, cache_status: str | None, ttl: int | None, browser: str | None,
            tags: list[str] | None, stripped: list[str] | None, key: str, reasons: list[str],
            *, occ: bool | None, origin_method: str, client_status: int | None = None,
            smart_edge_revalidation: bool | None = None, cache_reserve_write: bool | None = None,
            serve_stale_allowed: bool | None = None) -> dict:
    return {
        "eligible": eligible,
        "cache_status": cache_status,
        "edge_ttl": ttl,
        "browser_cache_control": browser,
        "cache_tags": tags,
        "stripped_headers": stripped,
        "cache_key": key,
        "stored": ttl is not None if tags is not None else None,
        "occ": occ,
        "origin_method": origin_method,
        "client_status": client_status,
        "smart_edge_revalidation": smart_edge_revalidation,
        "cache_reserve_write": cache_reserve_write,
        "serve_stale_allowed": serve_stale_allowed,
        "reasons": _dedupe(reasons),
    }
