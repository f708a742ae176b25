"""The cache decision model (cache-phases.md §4): given the stacked settings of both phases,
what Cloudflare's cache does with one request.

``decision`` is the entry point; it reads ``zone`` (zone settings), ``eligibility``, ``key``
(the cache key), ``response_views`` (the origin headers as the edge and the visitor see them,
with ``cache_control`` and ``tags``), ``edge_ttl`` and ``browser_ttl``.
"""
