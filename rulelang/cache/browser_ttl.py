"""The ``Cache-Control`` header the visitor receives (cache-phases §4.14, PD-24/25/31).

It starts from the visitor view (the origin's ``Cache-Control`` with the
non-``cloudflare_only`` response-rule edits) and applies the OCC-off removal of
``immutable`` and the Browser Cache TTL, which can make browsers cache longer
than the origin asked, never shorter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rulelang.cache.cache_control import (
    Directive,
    delta_seconds,
    explaining,
    find,
    remove_directive,
    set_directive,
)

__all__ = ["browser_setting", "browser_view"]


def browser_setting(rule: Any, zone_ttl: int, rule_name: str = "a request rule", *,
                    explain: bool = True) -> tuple[str, int | None, str]:
    """The effective browser setting as ``(mode, T, origin)``.

    A rule's ``browser_ttl`` beats the zone value even when lower; the zone
    value 0 means Respect Existing Headers (``respect_origin``).  ``rule_name``
    names the rule that set ``browser_ttl``, for reasons (``origin``; left empty with
    ``explain=False``).
    """
    if rule is not None and isinstance(rule, Mapping) and isinstance(rule.get("mode"), str):
        default = rule.get("default")
        ttl = default if isinstance(default, int) and not isinstance(default, bool) else None
        return rule["mode"], ttl, f"browser_ttl of {rule_name}" if explain else ""
    if zone_ttl <= 0:
        return "respect_origin", None, "zone Browser Cache TTL (Respect Existing Headers)"
    return "override_origin", zone_ttl, f"zone Browser Cache TTL {zone_ttl}" if explain else ""


def browser_view(view: list[Directive], *, eligible: bool, occ: bool, edge_ttl: int | None,
                 setting: tuple[str, int | None, str], expires: int | None,
                 notes: list[str], reasons: list[str]) -> list[Directive]:
    """The visitor's directives.

    ``expires`` is the origin's ``Expires − Date`` lifetime, or ``None`` when the
    origin sent no ``Expires``.  Reasons for every rewrite are appended to
    ``reasons``; parse problems of the view to ``notes``.
    """
    if not eligible:
        return view
    say = explaining(reasons)
    if not occ and find(view, "immutable") is not None:
        view = remove_directive(view, "immutable")
        if say:
            reasons.append("visitor Cache-Control: immutable removed (Origin Cache Control off)")
    if edge_ttl is None or edge_ttl <= 0:
        return view
    mode, ttl, origin = setting
    if mode == "respect_origin":
        if say:
            reasons.append(f"visitor Cache-Control left as sent: {origin} is respect_origin")
        return view
    max_age = delta_seconds(find(view, "max-age"), "visitor Cache-Control", notes)
    if mode == "bypass" or (mode == "bypass_by_default" and max_age is None and expires is None):
        if say:
            reasons.append(f"visitor Cache-Control replaced by no-store: {origin} is {mode}")
        return [Directive("no-store")]
    if mode != "override_origin" or ttl is None:
        return view
    if not occ and find(view, "private") is not None:
        view = remove_directive(view, "private")
        if say:
            reasons.append("visitor Cache-Control: private removed (Browser TTL applied with "
                           "Origin Cache Control off)")
    new = Directive("max-age", str(ttl), rule_set=True)
    if max_age is not None:
        if max_age < ttl:
            if say:
                reasons.append(f"visitor max-age {max_age} raised to {ttl} by the {origin}")
            return set_directive(view, new)
        if say:
            reasons.append(f"visitor max-age {max_age} kept: not lower than the {origin}")
        return view
    if expires is not None:
        if expires < ttl:
            if say:
                reasons.append(f"origin Expires lifetime {expires} is below the {origin}: "
                               f"max-age={ttl} added")
            return [*view, new]
        return view
    if not view:
        if say:
            reasons.append(f"origin sent no Cache-Control or Expires: max-age={ttl} from the "
                           f"{origin}")
        return [new]
    if say:
        reasons.append(f"visitor Cache-Control has no max-age: left as sent despite the {origin}")
    return view
