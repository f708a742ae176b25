"""How long Cloudflare stores a response: the edge TTL (cache-phases §4.9, §4.10).

Two steps: :func:`explicit_ttl` reads the stacked request-phase ``edge_ttl``
setting for the origin status (status code TTLs, ``override_origin``), and
:func:`edge_lifetime` walks the complete precedence — the Origin Cache Control
table over the effective edge directives, header lifetimes, the explicit TTL,
``bypass_by_default`` and the default TTL per status.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rulelang.cache.cache_control import (
    Directive,
    delta_seconds,
    explaining,
    find,
    qualifiers_of,
)

__all__ = [
    "DEFAULT_STATUS_TTLS",
    "OVERRIDE_STATUSES",
    "EdgeResult",
    "ExplicitTTL",
    "edge_lifetime",
    "explicit_ttl",
    "status_code_ttl_value",
]

#: Default edge TTL per origin status [Default cache behavior › Edge TTL].
DEFAULT_STATUS_TTLS = {200: 7200, 206: 7200, 301: 7200, 302: 1200, 303: 1200, 404: 180, 410: 180}

#: PD-13: statuses to which an ``override_origin`` default applies.
OVERRIDE_STATUSES = frozenset({200, 206, 301, 302, 303, 404, 410})


@dataclass(frozen=True, slots=True)
class ExplicitTTL:
    """A request-phase TTL for this status: ``value`` seconds (−1 = do not store),
    or ``value is None`` when ``override_origin`` has no TTL for the status (PD-13).
    ``source`` describes where it came from, for reasons."""

    value: int | None
    source: str


@dataclass(frozen=True, slots=True)
class EdgeResult:
    """The outcome of the edge TTL precedence.

    ``ttl`` is ``None`` when the response is not stored.  ``status`` is the
    first-request ``CF-Cache-Status`` that this step implies (PD-19).
    ``from_default_table`` tells that no origin header or rule gave a lifetime
    (Cache Deception Armor only checks those, PD-23).  ``reason`` is empty when the
    decision was made without reasons.
    """

    ttl: int | None
    status: str
    reason: str
    from_default_table: bool = False


def status_code_ttl_value(value: Any) -> int | None:
    """An entry's value in seconds: ``"no-store"`` = −1, ``"no-cache"`` = 0."""
    if value == "no-store":
        return -1
    if value == "no-cache":
        return 0
    if isinstance(value, int) and not isinstance(value, bool) and value >= -1:
        return value
    return None


def _entry_matches(entry: Mapping, status: int) -> bool:
    code = entry.get("status_code")
    if isinstance(code, int) and not isinstance(code, bool):
        return code == status
    bounds = entry.get("status_code_range")
    if isinstance(bounds, Mapping) and (bounds.get("from") is not None or
                                        bounds.get("to") is not None):
        low, high = bounds.get("from", 100), bounds.get("to", 999)
        low = low if isinstance(low, int) else 100
        high = high if isinstance(high, int) else 999
        return low <= status <= high
    return False


def _describe_entry(entry: Mapping) -> str:
    if "status_code" in entry:
        return f"status_code_ttl entry for {entry['status_code']}"
    bounds = entry.get("status_code_range") or {}
    return (f"status_code_ttl entry for {bounds.get('from', 100)}-{bounds.get('to', 999)}")


def _find_entry(entries: Iterable, status: int) -> Mapping | None:
    for entry in entries:
        if isinstance(entry, Mapping) and _entry_matches(entry, status) and \
                status_code_ttl_value(entry.get("value")) is not None:
            return entry
    return None


def explicit_ttl(edge_ttl: Any, status: int, rule_name: str = "", *,
                 explain: bool = True) -> ExplicitTTL | None:
    """The explicit request-phase TTL for ``status``, or ``None`` when there is none.

    A matching ``status_code_ttl`` entry wins (a 304 without its own entry uses
    the 200 entry); otherwise ``override_origin`` gives its ``default`` for the
    statuses of PD-13 (and for 304, which takes what a 200 would get: §4.9 item 4,
    "with the 304 → 200 fallback") and "no usable TTL" for any other status.  ``rule_name``
    (the rule that set ``edge_ttl``) is named in the result's ``source``; with
    ``explain=False`` the ``source`` is left empty (nobody reads it).
    """
    if edge_ttl is None or not isinstance(edge_ttl, Mapping):
        return None
    entries = edge_ttl.get("status_code_ttl")
    entries = entries if isinstance(entries, list) else []
    of = f" of {rule_name}" if rule_name else ""
    entry = _find_entry(entries, status)
    suffix = ""
    if entry is None and status == 304:
        entry, suffix = _find_entry(entries, 200), " (a 304 takes the 200 entry)"
    if entry is not None:
        return ExplicitTTL(status_code_ttl_value(entry.get("value")),
                           _describe_entry(entry) + of + suffix if explain else "")
    if edge_ttl.get("mode") == "override_origin":
        default = edge_ttl.get("default")
        # §4.9 item 4: "the override default (with the 304 → 200 fallback)": a 304
        # revalidates a 200, so it takes the default a 200 would get.
        scope_status = 200 if status == 304 else status
        if scope_status in OVERRIDE_STATUSES and isinstance(default, int) and \
                not isinstance(default, bool):
            if not explain:
                return ExplicitTTL(default, "")
            return ExplicitTTL(default, f"edge_ttl override_origin default{of}"
                               + (" (a 304 takes the 200 default)" if status == 304 else ""))
        if not explain:
            return ExplicitTTL(None, "")
        return ExplicitTTL(None, f"edge_ttl override_origin{of} (its default does not apply "
                                 f"to status {status}, PD-13)")
    return None


def _refusal(occ: bool, why: str) -> EdgeResult:
    return EdgeResult(None, "BYPASS" if occ else "MISS", why)


def edge_lifetime(e_eff: list[Directive], *, occ: bool, explicit: ExplicitTTL | None,
                  expires: int | None, bypass_by_default: bool, header_present: bool,
                  status: int, response_headers: Container[str], view: str,
                  notes: list[str], setting_source: str = "a request rule") -> EdgeResult:
    """Walk the edge TTL precedence of cache-phases §4.9 over ``e_eff``.

    ``expires`` is the applicable ``Expires − Date`` lifetime (``None`` when
    absent or not applicable); ``response_headers`` the lower-case names of the
    (stripped) response headers (any container), for ``no-cache=<headers>``; ``view``
    names the directive source in reasons; ``setting_source`` the rule that set
    ``edge_ttl``.  When ``notes`` keeps nothing (the fast path) the result's ``reason``
    is left empty.
    """
    say = explaining(notes)
    occ_text = "Origin Cache Control " + ("on" if occ else "off")
    if find(e_eff, "no-store") is not None:
        return _refusal(occ, f"{view} has no-store: not stored" if say else "")
    private = find(e_eff, "private")
    if private is not None:
        if not qualifiers_of(private):
            return _refusal(occ, f"{view} has private: not stored by a shared cache"
                            if say else "")
        if not occ:
            return _refusal(occ, f"{view} has {private.render()} and {occ_text}: not stored"
                            if say else "")
    no_cache = find(e_eff, "no-cache")
    if no_cache is not None:
        named = qualifiers_of(no_cache)
        if not occ:
            return _refusal(occ, f"{view} has {no_cache.render()} and {occ_text}: not stored"
                            if say else "")
        if not named:
            return EdgeResult(0, "BYPASS", f"{view} has no-cache and {occ_text}: stored with "
                                           "edge TTL 0 (always revalidated)" if say else "")
        present = [h for h in named if h.lower() in response_headers]
        if present:
            return EdgeResult(0, "BYPASS", f"{view} has {no_cache.render()} and the response "
                                           f"has {present[0]}: stored with edge TTL 0"
                              if say else "")
    for name in ("s-maxage", "max-age"):
        directive = find(e_eff, name)
        seconds = delta_seconds(directive, view, notes)
        if directive is not None and seconds is not None:
            where = "a response rule's" if directive.rule_set else view
            return _lifetime(seconds, f"{where} {name}={seconds}" if say else "", occ,
                             occ_text, say)
    if expires is not None:
        return _lifetime(expires, f"Expires - Date = {expires}" if say else "", occ, occ_text,
                         say)
    if explicit is not None and explicit.value is not None:
        if explicit.value < 0:
            return _refusal(occ, f"{explicit.source} is -1 (no-store): not stored"
                            if say else "")
        return EdgeResult(explicit.value, "MISS", f"edge TTL {explicit.value} from "
                                                  f"{explicit.source}" if say else "")
    if explicit is not None:
        return EdgeResult(None, "MISS", f"{explicit.source}: not stored" if say else "")
    if bypass_by_default and not header_present:
        return EdgeResult(None, "MISS", f"edge_ttl bypass_by_default of {setting_source} and "
                                        "the origin sent no cache header: not stored"
                          if say else "")
    default = DEFAULT_STATUS_TTLS.get(status)
    if default is not None:
        return EdgeResult(default, "MISS", f"no lifetime from the origin: default edge TTL "
                                           f"{default} for status {status}" if say else "", True)
    return EdgeResult(None, "MISS", f"no lifetime from the origin and status {status} has no "
                                    "default edge TTL: not stored" if say else "")


def _lifetime(seconds: int, what: str, occ: bool, occ_text: str, say: bool) -> EdgeResult:
    if seconds > 0:
        return EdgeResult(seconds, "MISS", f"edge TTL {seconds} from {what}" if say else "")
    if occ:
        return EdgeResult(0, "BYPASS", f"{what} is a zero lifetime and {occ_text}: stored with "
                                       "edge TTL 0 (always revalidated)" if say else "")
    return EdgeResult(None, "MISS", f"{what} is a zero lifetime and {occ_text}: not stored"
                      if say else "")
