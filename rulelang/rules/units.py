"""The setting units of the cache phases (cache-phases.md §3.2, PD-06).

A request-phase ``set_cache_settings`` rule sets some of :data:`REQUEST_UNITS`; for
each unit the last matching rule wins.  The response phase's stacked scalars are
:data:`RESPONSE_UNITS`.  Kept apart from the engine so that the linter can read them
without importing the engine and the cache model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["REQUEST_UNITS", "RESPONSE_UNITS", "request_units"]

#: Setting units of the request phase in output order (cache-phases §3.2, PD-06).
REQUEST_UNITS: tuple[tuple[str, ...], ...] = (
    ("cache",), ("edge_ttl",), ("browser_ttl",),
    ("cache_key", "ignore_query_strings_order"), ("cache_key", "cache_deception_armor"),
    ("cache_key", "cache_by_device_type"),
    ("cache_key", "custom_key", "query_string"), ("cache_key", "custom_key", "header"),
    ("cache_key", "custom_key", "cookie"), ("cache_key", "custom_key", "user"),
    ("cache_key", "custom_key", "host"),
    ("cache_reserve",), ("serve_stale",), ("respect_strong_etags",),
    ("origin_error_page_passthru",), ("origin_cache_control",), ("read_timeout",),
    ("additional_cacheable_ports",),
    # Stacked as whole settings (last match wins) and shown in ``request_settings``; the
    # cache decision does not model them (docs/terraform.md).
    ("vary",), ("shared_dictionary",), ("origin_range_requests",),
)
#: The response phase's stacked scalars.
RESPONSE_UNITS = ("strip_etags", "strip_set_cookie", "strip_last_modified")


def request_units(params: Mapping[str, Any]) -> tuple[tuple[tuple[str, ...], Any], ...]:
    """The setting units a request-phase ``set_cache_settings`` rule sets, with values."""
    out = []
    for unit in REQUEST_UNITS:
        node: Any = params
        for part in unit:
            if not isinstance(node, Mapping) or part not in node:
                break
            node = node[part]
        else:
            out.append((unit, node))
    return tuple(out)
