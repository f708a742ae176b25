"""``rulelang proxy``: a local Cloudflare cache in front of an origin (interfaces.md §6).

* :mod:`rulelang.proxy.store` — where stored responses live: in memory (LRU, bounded in
  bytes) or in a directory that survives restarts; both on the one cache-over-time model
  of :mod:`rulelang.cache.lifetime`.  No third-party imports.
* :mod:`rulelang.proxy.server` — the HTTP reverse proxy on aiohttp (the ``proxy`` extra).

docs/proxy.md describes the behaviour and the decisions taken.
"""
