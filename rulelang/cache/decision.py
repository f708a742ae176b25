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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

from rulelang.cache.browser_ttl import browser_setting, browser_view
from rulelang.cache.cache_control import (
    Directive,
    Quiet,
    delta_seconds,
    explaining,
    find,
    qualifiers_of,
    serialize,
)
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
    text_index,
)
from rulelang.cache.zone import Zone

__all__ = [
    "CACHEABLE_METHODS",
    "Decision",
    "RequestSide",
    "ResponseAction",
    "RuleRef",
    "decide",
    "quiet",
    "request_side",
    "response_side",
]

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
        # a rule's references live as long as its engine: the text is made once
        label = self.__dict__.get("_label")
        if label is None:
            label = self.__dict__["_label"] = self._label()
        return label

    def _label(self) -> str:
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


def _unnamed(unit: str, fallback: str = "a request rule") -> str:
    """Names no rule: the fast path's stand-in for :class:`_Sources` (nobody reads it)."""
    return ""


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


_EMPTY: Mapping = {}


def _mapping(value: Any) -> Mapping:
    if value.__class__ is dict:
        return value
    return value if value is not None and isinstance(value, Mapping) else _EMPTY


def _eligibility(facts: RequestFacts, settings: Mapping, zone: Zone,
                 by: Callable[[str], str], reasons: list[str]) -> tuple[bool, str]:
    """``(eligible, level)`` with level ``rule`` or ``default`` (cache-phases §4.7)."""
    explain = explaining(reasons)
    if facts.method not in CACHEABLE_METHODS:
        if explain:
            reasons.append(f"method {facts.method} is never cached (only GET and HEAD): "
                           "not eligible")
        return False, "default"
    if facts.port in zone.uncacheable_ports:
        extra = settings.get("additional_cacheable_ports")
        if not isinstance(extra, list) or facts.port not in extra:
            if explain:
                reasons.append(f"port {facts.port} has caching disabled: not eligible")
            return False, "default"
        if explain:
            reasons.append(f"port {facts.port} re-enabled by additional_cacheable_ports of "
                           f"{by('additional_cacheable_ports')}")
    cache = settings.get("cache")
    if cache is False:
        if explain:
            reasons.append(f"{by('cache')} bypasses the cache (cache: false): not eligible")
        return False, "rule"
    if cache is True:
        if explain:
            reasons.append(f"{by('cache')} made the request eligible for cache (cache: true)")
        return True, "rule"
    if not default_eligible(facts):
        if explain:
            if facts.extension:
                what = (f"extension {facts.extension!r} is not on the default cached-extension"
                        " list")
            else:
                what = "the path has no file extension, so the default cached-extension list"
                what += " does not apply"
            reasons.append(f"{what} and no rule sets cache: not eligible")
        return False, "default"
    if zone.caching_level == "no_query_string" and facts.query:
        reasons.append("caching level No Query String: a request with a query string is "
                       "not eligible")
        return False, "default"
    if explain:
        reasons.append(f"extension {facts.extension!r} is on the default cached-extension "
                       "list: eligible" if facts.extension in DEFAULT_CACHED_EXTENSIONS
                       else "/robots.txt is cached by default: eligible")
    return True, "default"


def _occ(zone: Zone, settings: Mapping, actions: Sequence, headers: ResponseHeaders,
         sources: Callable[[], _Sources], reasons: list[str]) -> bool:
    """Effective Origin Cache Control (cache-phases §4.5, PD-02, PD-10); ``sources`` gives
    the rule names for the reason."""
    if not explaining(reasons):
        if not zone.is_enterprise:
            return True
        occ = settings.get("origin_cache_control")
        if not isinstance(occ, bool):
            occ = zone.default_occ
        return bool(occ or actions or headers.values("cloudflare-cdn-cache-control"))
    if not zone.is_enterprise:
        occ, why = True, f"always on for the {zone.plan} plan"
    elif isinstance(settings.get("origin_cache_control"), bool):
        occ = settings["origin_cache_control"]
        why = f"set by {sources()('origin_cache_control')}"
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


def _request_header(request: Any, name: str) -> Sequence[str]:
    """The values of request header ``name`` (lower-case), from the request's one index."""
    index = text_index(request)
    if index is None:
        return header_values(request, name)
    return index.get(name) or ()


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


#: The one sink of the fast path: it keeps nothing, so it can be shared.
_QUIET = Quiet()


def quiet() -> list[str]:
    """A reasons sink that drops everything (for the two-phase fast path)."""
    return _QUIET


# --------------------------------------------------------------------------- request side

@dataclass(frozen=True, slots=True)
class RequestSide:
    """The request-side half of the decision (cache-phases §4.2, §4.7, §4.17): computed
    once, before the origin is asked, and reused by the response side.

    ``level`` is ``"rule"`` when a rule's ``cache`` setting decided eligibility,
    ``"default"`` otherwise (it matters for ``Set-Cookie``, §4.12).
    """

    facts: RequestFacts
    eligible: bool
    level: str
    cache_key: str
    origin_method: str
    zone: Zone
    settings: Mapping
    rules: tuple[RuleRef, ...] = ()
    sources: Mapping[str, RuleRef] | None = None

    def by(self) -> _Sources:
        """Names the rule that last set a setting unit, for reasons."""
        return _Sources(self.sources)


def request_side(request: Any, *, zone: Zone, request_settings: Mapping,
                 request_rules: Sequence[RuleRef] = (),
                 setting_sources: Mapping[str, RuleRef] | None = None,
                 reasons: list[str] | None = None) -> RequestSide:
    """Eligibility, cache key and origin method of ``request`` under the stacked
    request-phase settings; the reasons go to ``reasons`` (``None``: none are built)."""
    zone = zone if isinstance(zone, Zone) else Zone.from_dict(zone)
    settings = _mapping(request_settings)
    notes = quiet() if reasons is None else reasons
    explain = explaining(notes)
    by: Callable[[str], str] = _Sources(setting_sources) if explain else _unnamed
    facts = request_facts(request, notes)
    if explain:
        notes.append(f"request {facts.method} {getattr(request, 'url', '')} "
                     f"(extension {facts.extension!r}, port {facts.port})")
        notes.extend(f"{rule.label()} matched" for rule in request_rules)
    eligible, level = _eligibility(facts, settings, zone, by, notes)
    key = cache_key(request, facts, _mapping(settings.get("cache_key")), zone, notes)
    if explain:
        named = _Sources(setting_sources)
        shaping = [f"{unit.removeprefix('cache_key.')} of {named(unit)}"
                   for unit in named.units("cache_key.")
                   if unit != "cache_key.cache_deception_armor"]
        if shaping:
            notes.append(f"cache key {key} (from {', '.join(shaping)})")
    origin_method = "GET" if eligible and facts.method == "HEAD" else facts.method
    if eligible and facts.method == "HEAD":
        notes.append("HEAD is sent to the origin as GET so the full response can be stored")
    return RequestSide(facts, eligible, level, key, origin_method, zone, settings,
                       tuple(request_rules), setting_sources)


# --------------------------------------------------------------------------- response side

@dataclass(slots=True)
class _Origin:
    """The origin response as the decision reads it: status, the matching response rules
    that apply, the strip flags and what they removed, OCC and the directive views.
    Each header the decision reads is looked up in one index of the response."""

    response: Any
    status: int
    actions: tuple[ResponseAction, ...]
    flags: Mapping[str, bool]
    stripped: frozenset[str]
    headers: ResponseHeaders
    occ: bool
    views: Views
    tags: list[str]
    expires: int | None
    size: int | None  # Content-Length when it is a plain number


def _read_origin(request: Any, side: RequestSide, response: Any,
                 response_actions: Sequence[ResponseAction], reasons: list[str]) -> _Origin:
    status = _status(response, reasons)
    actions = tuple(response_actions)
    if 100 <= status <= 199 and actions:
        reasons.append(f"status {status} is informational: response rules do not apply")
        actions = ()
    raw = ResponseHeaders(response)
    flags: Mapping[str, bool]
    if actions:
        flags = strip_flags(actions, reasons)
        stripped = frozenset(h for f, h in STRIP_FLAGS.items() if flags.get(f) and raw.values(h))
    else:
        flags, stripped = _EMPTY, frozenset()
    headers = raw.without(stripped)
    occ = _occ(side.zone, side.settings, actions, raw, side.by, reasons)
    views = directive_views(headers, actions, reasons)
    tags = cache_tags(headers, actions, reasons)
    expires = (expires_lifetime(headers, side.zone.clock or _request_clock(request), reasons)
               if headers.values("expires") else None)
    return _Origin(response, status, actions, flags, stripped, headers, occ, views, tags,
                   expires, _content_length(headers))


def response_side(request: Any, side: RequestSide, response: Any,
                  response_actions: Sequence[ResponseAction] = (),
                  reasons: list[str] | None = None) -> Decision:
    """The whole :class:`Decision` from the request side and the origin ``response``
    (``None``: the request-side-only decision).  With ``reasons=None`` no reason strings
    are built; the decision's ``reasons`` then recomputes them when first read."""
    notes = quiet() if reasons is None else reasons
    if response is None:
        notes.append("no origin response: only the request side is decided")
        decision = _request_only(side)
    else:
        decision = _respond(request, side, _read_origin(request, side, response,
                                                        response_actions, notes), notes)
    why: Any
    if reasons is None:
        why = partial(_explain, request, side, response, tuple(response_actions))
    else:
        why = tuple(_dedupe(reasons))
    object.__setattr__(decision, "_why", why)
    return decision


def _explain(request: Any, side: RequestSide, response: Any,
             actions: tuple[ResponseAction, ...]) -> tuple[str, ...]:
    """The reasons of a decision made without them: the same steps, run again, explaining."""
    reasons: list[str] = []
    again = request_side(request, zone=side.zone, request_settings=side.settings,
                         request_rules=side.rules, setting_sources=side.sources,
                         reasons=reasons)
    response_side(request, again, response, actions, reasons)
    return tuple(_dedupe(reasons))


def _request_only(side: RequestSide) -> Decision:
    return Decision(side.eligible, None if side.eligible else "DYNAMIC", None, None, None, None,
                    side.cache_key, None, None, side.origin_method)


def _respond(request: Any, side: RequestSide, origin: _Origin, reasons: list[str]) -> Decision:
    removed = set(origin.stripped)
    if not side.eligible:
        return _finish(side, origin, request, "DYNAMIC", None, origin.views.visitor, removed)
    outcome, explicit, e_eff = _store(request, side, origin, reasons)
    ttl = outcome.ttl
    cache_status: str | None
    explain = explaining(reasons)
    if ttl is not None and origin.headers.values("set-cookie"):
        ttl, cache_status, cookie_removed = _set_cookie(outcome, explicit, e_eff, origin.occ,
                                                        side.level, reasons)
        if cookie_removed:
            removed.add("set-cookie")
    else:
        cache_status = outcome.status
    if origin.status == 304:
        reasons.append("origin answered 304 (a revalidation): no first-request cache status")
        cache_status = None
    browser = browser_view(origin.views.visitor, eligible=True, occ=origin.occ, edge_ttl=ttl,
                           setting=browser_setting(side.settings.get("browser_ttl"),
                                                   side.zone.browser_cache_ttl,
                                                   side.by()("browser_ttl") if explain else "",
                                                   explain=explain),
                           expires=origin.expires, notes=reasons, reasons=reasons)
    return _finish(side, origin, request, cache_status, ttl, browser, removed)


def _store(request: Any, side: RequestSide, origin: _Origin, reasons: list[str]
           ) -> tuple[EdgeResult, ExplicitTTL | None, list[Directive]]:
    """Response-level bypasses, then the edge TTL, size limit and Deception Armor.

    Returns the result, the explicit request-phase TTL and the effective edge
    directives ``E_eff`` (cache-phases §4.9).
    """
    views, headers, status = origin.views, origin.headers, origin.status
    explain = explaining(reasons)
    by = side.by() if explain else _unnamed
    vary = headers.values("vary")
    if vary and any(t.strip() == "*" for v in vary for t in v.split(",")):
        reasons.append("origin sent Vary: *: not stored")
        return EdgeResult(None, "BYPASS", "Vary: *"), None, views.edge
    if origin.occ and _request_header(request, "authorization") and not any(
            find(views.edge, d) for d in ("public", "must-revalidate", "s-maxage")):
        reasons.append("request has Authorization and the edge directives have none of "
                       "public, must-revalidate, s-maxage (Origin Cache Control on): not stored")
        return EdgeResult(None, "BYPASS", "Authorization"), None, views.edge
    if 100 <= status <= 199:
        reasons.append(f"status {status} is informational: never stored (PD-17 makes only "
                       "non-1xx statuses storable)")
        return EdgeResult(None, "MISS", "1xx"), None, views.edge
    edge_setting = side.settings.get("edge_ttl")
    explicit = explicit_ttl(edge_setting, status, by("edge_ttl"), explain=explain)
    if explicit is not None:
        e_eff = [d for d in views.edge if d.name in views.rule_set]
        if explain:
            reasons.append(f"{explicit.source} applies: the origin's cache "
                           "directives are ignored at the edge"
                           + (", response-rule directives still count" if e_eff else ""))
    else:
        e_eff = views.edge
    expires = origin.expires
    applicable = expires if views.expires_applicable else None
    if expires is not None and not views.expires_applicable and explain:
        reasons.append(f"Expires ignored at the edge: {views.source_name} is present")
    result = edge_lifetime(
        e_eff, occ=origin.occ, explicit=explicit,
        expires=applicable if explicit is None else None,
        bypass_by_default=_mapping(edge_setting).get("mode") == "bypass_by_default",
        setting_source=by("edge_ttl"),
        header_present=bool(views.edge) or applicable is not None, status=status,
        response_headers=headers, view=views.source_name, notes=reasons)
    reasons.append(result.reason)
    if result.ttl is None:
        return result, explicit, e_eff
    return _limits(side, origin, result, reasons), explicit, e_eff


def _limits(side: RequestSide, origin: _Origin, result: EdgeResult,
            reasons: list[str]) -> EdgeResult:
    """The cacheable size limit and Cache Deception Armor over a storable result."""
    size = origin.size
    if size is not None and size > side.zone.size_limit:
        reasons.append(f"Content-Length {size} exceeds the {side.zone.size_limit}-byte "
                       "cacheable size limit: not stored")
        return EdgeResult(None, "MISS", "size limit")
    armor = _mapping(side.settings.get("cache_key")).get("cache_deception_armor") is True
    if armor and result.from_default_table:
        content_type = next(iter(origin.headers.values("content-type")), None)
        if not deception_armor_accepts(side.facts.extension, content_type):
            reasons.append(f"Cache Deception Armor of "
                           f"{side.by()('cache_key.cache_deception_armor')}: "
                           f"Content-Type {content_type!r} does not match extension "
                           f"{side.facts.extension!r}: not stored")
            return EdgeResult(None, "MISS", "Cache Deception Armor")
    return result


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
        if explaining(reasons):
            reasons.append(f"Set-Cookie with an explicit edge TTL ({explicit.source}): "
                           "stored, and the cookie is removed from the response")
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


def _stale_window(views: Views) -> int | None:
    """The edge view's ``stale-while-revalidate`` seconds, ``None`` when absent."""
    return delta_seconds(find(views.edge, "stale-while-revalidate"), "", _QUIET)


#: With Origin Cache Control on, these forbid serving stale content; ``s-maxage`` implies
#: ``proxy-revalidate`` (cache-phases.md §4.10, the row for s-maxage=N; §4.18 as corrected).
_NO_STALE = ("must-revalidate", "proxy-revalidate", "no-cache", "s-maxage")


def _serve_stale(side: RequestSide, origin: _Origin, stored: bool, window: int | None
                 ) -> bool:
    """``serve_stale_allowed`` (cache-phases §4.18); ``window`` is the edge view's
    ``stale-while-revalidate``."""
    views = origin.views
    return (stored and window is not None
            and _mapping(side.settings.get("serve_stale")).get(
                "disable_stale_while_updating") is not True
            and (not origin.occ or not any(find(views.edge, d) for d in _NO_STALE)))


def _reserve_write(side: RequestSide, origin: _Origin, ttl: int | None) -> bool:
    """``cache_reserve_write`` (cache-phases §4.18)."""
    reserve = _mapping(side.settings.get("cache_reserve"))
    size = origin.size
    minimum = reserve.get("minimum_file_size")
    minimum = minimum if isinstance(minimum, int) else 0
    return (reserve.get("eligible") is True and ttl is not None and ttl >= 36000
            and size is not None and size >= minimum)


def _finish(side: RequestSide, origin: _Origin, request: Any, cache_status: str | None,
            ttl: int | None, browser: list[Directive], removed: set[str]) -> Decision:
    stored = ttl is not None
    window = _stale_window(origin.views)
    stripped = (tuple(h for h in ("etag", "last-modified", "set-cookie")
                      if h in removed and origin.headers.original(h)) if removed else ())
    strip_validators = bool(origin.flags.get("strip_etags")
                            or origin.flags.get("strip_last_modified"))
    client_status = origin.status
    if (side.eligible and origin.status == 200 and origin.size is not None
            and _request_header(request, "range")):
        client_status = 206
    return Decision(side.eligible, cache_status, ttl, serialize(browser), tuple(origin.tags),
                    stripped, side.cache_key, stored, origin.occ, side.origin_method,
                    client_status, stored and not strip_validators,
                    _reserve_write(side, origin, ttl), _serve_stale(side, origin, stored, window),
                    window or 0)


# --------------------------------------------------------------------------- the decision

#: Response headers a visitor never receives from the cache (Cloudflare keeps them).
_NEVER_TO_VISITOR = frozenset({"cache-tag", "cf-cache-status", "age"})


@dataclass(frozen=True, slots=True)
class Decision:
    """The modelled cache behaviour for one request (interfaces.md §4 ``decision``,
    cache-phases §4.1 and §4.18): a typed, immutable value.

    ``to_dict()`` is the JSON object of interfaces.md §4.  ``stale_while_revalidate`` (the
    edge view's window in seconds, 0 when absent) is an extra for a cache that lives over
    time (§4.20) and is not part of that object.  ``reasons`` are built the first time
    they are read when the decision was made on the fast path.
    """

    eligible: bool
    cache_status: str | None
    edge_ttl: int | None
    browser_cache_control: str | None
    cache_tags: tuple[str, ...] | None
    stripped_headers: tuple[str, ...] | None
    cache_key: str
    stored: bool | None
    occ: bool | None
    origin_method: str
    client_status: int | None = None
    smart_edge_revalidation: bool | None = None
    cache_reserve_write: bool | None = None
    serve_stale_allowed: bool | None = None
    stale_while_revalidate: int = 0
    _why: Any = field(default=(), compare=False, repr=False)

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why, step by step, in order (the offline twin of Cloudflare Trace)."""
        why = self._why
        if callable(why):
            why = why()
            object.__setattr__(self, "_why", why)
        return why

    def to_dict(self) -> dict:
        """The ``decision`` object of interfaces.md §4."""
        return {
            "eligible": self.eligible,
            "cache_status": self.cache_status,
            "edge_ttl": self.edge_ttl,
            "browser_cache_control": self.browser_cache_control,
            "cache_tags": None if self.cache_tags is None else list(self.cache_tags),
            "stripped_headers": (None if self.stripped_headers is None
                                 else list(self.stripped_headers)),
            "cache_key": self.cache_key,
            "stored": self.stored,
            "occ": self.occ,
            "origin_method": self.origin_method,
            "client_status": self.client_status,
            "smart_edge_revalidation": self.smart_edge_revalidation,
            "cache_reserve_write": self.cache_reserve_write,
            "serve_stale_allowed": self.serve_stale_allowed,
            "reasons": list(self.reasons),
        }

    def visitor_headers(self, origin_headers: Any, *, age: int | None = None,
                        cache_status: str | None = None) -> list[tuple[str, str]]:
        """The headers to send to the visitor for ``origin_headers`` (pairs or a mapping).

        Removes the ``stripped_headers`` and ``Cache-Tag``, replaces ``Cache-Control`` by
        ``browser_cache_control`` (none when that is ``None``), and adds
        ``CF-Cache-Status`` (``cache_status`` or the decision's) and, given ``age``,
        ``Age``; ``cache_status=""`` adds no ``CF-Cache-Status``.  Other headers pass in
        order, repeats kept; hop-by-hop headers are the server's business.
        """
        drop = _NEVER_TO_VISITOR.union(self.stripped_headers or (), ("cache-control",))
        items = origin_headers.items() if isinstance(origin_headers, Mapping) else origin_headers
        out: list[tuple[str, str]] = []
        for name, value in items:
            if isinstance(name, bytes):
                name = name.decode("latin-1")
            if isinstance(value, bytes):
                value = value.decode("latin-1")
            if name.lower() not in drop:
                out.append((name, value))
        if self.browser_cache_control is not None:
            out.append(("Cache-Control", self.browser_cache_control))
        status = self.cache_status if cache_status is None else cache_status
        if status:
            out.append(("CF-Cache-Status", status))
        if age is not None:
            out.append(("Age", str(max(0, int(age)))))
        return out

    def __reduce__(self) -> tuple:
        values = [getattr(self, f) for f in _DECISION_FIELDS]
        return (_rebuild, (*values, self.reasons))


_DECISION_FIELDS = tuple(f for f in Decision.__dataclass_fields__ if f != "_why")


def _rebuild(*values: Any) -> Decision:
    return Decision(*values)


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

    The two halves are :func:`request_side` and :func:`response_side`; this is both,
    with reasons, as a dict.
    """
    reasons: list[str] = []
    side = request_side(request, zone=zone, request_settings=request_settings,
                        request_rules=request_rules, setting_sources=setting_sources,
                        reasons=reasons)
    return response_side(request, side, response, response_actions, reasons).to_dict()
