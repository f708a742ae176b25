"""An outcome described for people: rule labels, TTLs in words, the decision as
(label, text) rows in the order of cache-phases.md §4.1.  ``rulelang eval`` and
``rulelang trace`` print these rows; they are plain text, with no terminal styling."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["decision_rows", "describe_rule", "humanize_ttl", "message_line"]


def humanize_ttl(seconds: object) -> str:
    """``86400`` → ``86400 s (1 d)``; ``None`` → ``not stored``."""
    if seconds is None:
        return "not stored"
    if not isinstance(seconds, int) or isinstance(seconds, bool):
        return str(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds} s ({seconds // size} {unit})"
    return f"{seconds} s"


def describe_rule(rule: Mapping) -> str:
    """``#0 cache_static — Cache static assets`` from a matched-rule entry of an outcome."""
    label = f"#{rule.get('index')}"
    name = rule.get("ref") or rule.get("id")
    if name:
        label += f" {name}"
    if rule.get("description"):
        label += f" — {rule['description']}"
    return label


def _json_value(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) if value else "none"
    return str(value)


def decision_rows(decision: Mapping, response: bool = True) -> list[tuple[str, str]]:
    """The decision as (label, text) rows, in the order of cache-phases.md §4.1; without
    a ``response`` only what the request decides (eligibility and the cache key)."""
    if not response:
        rows = [("eligible", _json_value(decision.get("eligible"))),
                ("cache status", "decided when the origin answers (the sample has no response)")]
        if decision.get("cache_key"):
            rows.append(("cache key", str(decision["cache_key"])))
        return rows
    rows = [("eligible", _json_value(decision.get("eligible"))),
            ("cache status", _json_value(decision.get("cache_status"))),
            ("edge TTL", humanize_ttl(decision.get("edge_ttl"))),
            ("browser Cache-Control", _json_value(decision.get("browser_cache_control"))),
            ("cache tags", _json_value(decision.get("cache_tags") or [])),
            ("stripped headers", _json_value(decision.get("stripped_headers") or []))]
    if decision.get("cache_key"):
        rows.append(("cache key", str(decision["cache_key"])))
    return rows


def message_line(request: Any, response: Any) -> str:
    """``GET https://… → 200 (Cache-Control: …)``: one line naming a sample's messages."""
    line = f"{request.method} {request.url}"
    if response is not None:
        line += f" → {response.status}"
        cc = response.header_values("cache-control")
        if cc:
            line += f" (Cache-Control: {', '.join(cc)})"
    else:
        line += " (no response: request phase only)"
    return line
