"""The vocabulary of the cache actions, one list per fact: Cloudflare plans and the
``Cache-Control`` directives a Cache Response Rule may edit (and the origin may send).

The rules-file validator (``rules/validate``) checks rule parameters against these lists;
the cache decision (``cache/``) parses and applies the same directives and plans.
"""

from __future__ import annotations

__all__ = [
    "BOOLEAN_DIRECTIVES",
    "DIRECTIVES",
    "DURATION_DIRECTIVES",
    "PLANS",
    "QUALIFIER_DIRECTIVES",
]

#: Cloudflare plans, cheapest first.
PLANS = ("free", "pro", "business", "enterprise")

#: Directives whose argument is a number of seconds.
DURATION_DIRECTIVES = ("max-age", "s-maxage", "stale-if-error", "stale-while-revalidate")

#: Directives whose optional argument is a list of header names.
QUALIFIER_DIRECTIVES = ("private", "no-cache")

#: Directives without an argument.
BOOLEAN_DIRECTIVES = ("no-store", "no-transform", "must-revalidate", "proxy-revalidate",
                      "must-understand", "public", "immutable")

#: Every directive a ``set_cache_control`` action may name.
DIRECTIVES = DURATION_DIRECTIVES + QUALIFIER_DIRECTIVES + BOOLEAN_DIRECTIVES
