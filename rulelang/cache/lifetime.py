"""The cache over time (cache-phases.md §4.20): stored objects, lookups, refreshes, purges.

One implementation shared by ``rulelang replay`` and ``rulelang proxy``, so the two cannot
disagree.  Pure logic: no I/O, no clock — every call takes the time ``t`` as a number of
seconds (any epoch, but one epoch per cache) — and nothing from the proxy or the replay.

API
---

``CachedObject(key, stored_at, edge_ttl, *, etag=None, last_modified=None,
serve_stale_allowed=False, stale_while_revalidate=0, cache_tags=(), host="", url="", size=0,
payload=None)``
    One stored response.  ``payload`` is opaque to the model (the proxy keeps headers and body
    there; the replay keeps nothing).  ``CachedObject.from_decision(decision, t, ...)`` builds
    one from a decision (``rulelang.Decision`` or the ``decision`` dict of interfaces.md §4):
    ``cache_key``, ``edge_ttl``, ``serve_stale_allowed``, ``cache_tags`` are read from it;
    it returns ``None`` when the decision did not store the response.  Methods ``age(t)``,
    ``is_fresh(t)``, ``in_stale_window(t)``; property ``has_validators``.

``Cache(*, max_bytes=None, keep_expired=None)``
    The objects of one data centre.  ``max_bytes`` bounds the sum of object sizes (least
    recently used objects are evicted first; an object larger than the bound is not stored).
    ``keep_expired`` is how many seconds an object is kept after it can no longer be served
    (``stored_at + edge_ttl + stale_while_revalidate``) for a conditional request; after that
    it is dropped, by time alone, so memory is bounded by the objects still alive.  ``None``
    keeps expired objects until they are replaced, purged or evicted by size.

    ``lookup(key, t) -> Lookup``
        §4.20 steps 1–4 for an eligible request: ``Lookup.status`` is ``"HIT"`` (fresh),
        ``"UPDATING"`` (expired, inside the stale-while-revalidate window and
        ``serve_stale_allowed``, or a background refresh is already running), ``"EXPIRED"``
        (expired otherwise: ask the origin, conditionally when ``Lookup.conditional``) or
        ``None`` (absent: ask the origin; the answer is a ``MISS`` or as §4 decides).
        ``Lookup.age`` is the ``Age`` for the served statuses, else ``None``.
        ``Lookup.refresh`` is true for the one ``UPDATING`` lookup that started the
        background refresh (the caller asks the origin and then calls ``complete``).
    ``complete(lookup, t, answer) -> Served``
        What the origin's answer does, and the status the visitor sees.  ``answer`` is an
        ``OriginAnswer(not_modified, obj, status)`` — ``not_modified`` for a 304 to the
        conditional request, else ``obj`` is the new ``CachedObject`` (``None`` when the
        response phase did not store it) and ``status`` the §4 status of the new response
        (``MISS``, ``BYPASS``, ``DYNAMIC``) — or ``None`` when the origin could not be
        reached.  Absent: store, the decision's status.  ``EXPIRED``: 304 → ``REVALIDATED``
        (``t0 = t``, Age 0); a full response → ``EXPIRED``, the object replaced (or removed
        when not stored); unreachable → ``STALE`` with its Age where ``serve_stale_allowed``,
        else ``EXPIRED`` with ``Served.error`` true.  ``UPDATING`` (a refresh): the object is
        refreshed the same way and the visitor's status stays ``UPDATING``.

        Replay calls ``complete`` right after ``lookup`` with the log line's response ("the
        refresh completes right after the request that started it"); the proxy calls it for
        an UPDATING lookup when its background request returns — until then further lookups
        get ``UPDATING`` — and ``abandon_refresh(key)`` if that request fails.
    ``store(obj)``, ``revalidate(key, t, **updates)``, ``remove(key)``, ``get(key)``
        The low-level operations ``complete`` is made of.  ``store`` returns the keys it
        evicted to make room.
    ``purge(everything=False, files=(), tags=(), hosts=(), prefixes=()) -> int``
        Removes the objects named (URLs compared with scheme and host lower-cased; tags and
        hosts case-insensitively; a prefix is ``host/path-prefix``, with or without a scheme)
        and returns how many.  ``purge_request(body)`` takes the body of Cloudflare's purge
        API (``{"purge_everything": true}``, ``{"files": [...]}``, ...) and raises
        ``PurgeError`` on a malformed one; ``parse_purge(body)`` checks a body and returns
        ``purge``'s keyword arguments (to check once and apply to many caches).
    ``sweep(t) -> int``
        Drops the objects whose ``keep_expired`` time has passed (lookups do the same lazily,
        so when ``sweep`` runs never changes an answer).
    ``len(cache)``, ``cache.bytes``, ``key in cache``, ``cache.objects()``.

Statuses: the constants ``HIT``, ``MISS``, ``EXPIRED``, ``REVALIDATED``, ``UPDATING``,
``STALE``, ``BYPASS``, ``DYNAMIC``; ``SERVED_FROM_CACHE`` is the set counted as hits
(interfaces.md §7).
"""

from __future__ import annotations

import heapq
import math
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from rulelang.errors import RuleLangError

__all__ = [
    "BYPASS",
    "CACHE_STATUSES",
    "DYNAMIC",
    "EXPIRED",
    "HIT",
    "MISS",
    "REVALIDATED",
    "SERVED_FROM_CACHE",
    "STALE",
    "UPDATING",
    "Cache",
    "CachedObject",
    "Lookup",
    "OriginAnswer",
    "PurgeError",
    "Served",
    "parse_purge",
]

HIT = "HIT"
MISS = "MISS"
EXPIRED = "EXPIRED"
REVALIDATED = "REVALIDATED"
UPDATING = "UPDATING"
STALE = "STALE"
BYPASS = "BYPASS"
DYNAMIC = "DYNAMIC"
#: Every status the cache over time can give, in the order summaries list them.
CACHE_STATUSES = (HIT, MISS, EXPIRED, REVALIDATED, UPDATING, STALE, BYPASS, DYNAMIC)
#: Responses served from cache: the hits of ``hit_ratio`` (interfaces.md §7).
SERVED_FROM_CACHE = frozenset({HIT, UPDATING, STALE, REVALIDATED})


class PurgeError(RuleLangError):
    """A purge request body that is not one of Cloudflare's purge API shapes."""


def _field(decision: Any, name: str, default: Any = None) -> Any:
    if isinstance(decision, Mapping):
        return decision.get(name, default)
    return getattr(decision, name, default)


@dataclass(slots=True, eq=False)
class CachedObject:
    """One stored response (§4.20): stored at ``stored_at`` for ``edge_ttl`` seconds."""

    key: str
    stored_at: float
    edge_ttl: int
    etag: str | None = None
    last_modified: str | None = None
    serve_stale_allowed: bool = False
    stale_while_revalidate: int = 0
    cache_tags: tuple[str, ...] = ()
    host: str = ""
    url: str = ""
    size: int = 0
    payload: Any = None
    refreshing: bool = field(default=False, compare=False)
    _generation: int = field(default=0, repr=False, compare=False)

    @classmethod
    def from_decision(cls, decision: Any, t: float, *, host: str = "", url: str = "",
                      etag: str | None = None, last_modified: str | None = None,
                      size: int = 0, stale_while_revalidate: int | None = None,
                      payload: Any = None) -> CachedObject | None:
        """The object a decision stores at ``t``, or ``None`` when it stores nothing.

        ``etag``/``last_modified`` are the validators of the stored response (after any
        ``strip_*`` rule).  ``stale_while_revalidate`` defaults to the decision's own
        ``stale_while_revalidate`` when it has one, else 0.
        """
        ttl = _field(decision, "edge_ttl")
        if ttl is None or _field(decision, "stored") is False:
            return None
        if stale_while_revalidate is None:
            stale_while_revalidate = _field(decision, "stale_while_revalidate") or 0
        return cls(str(_field(decision, "cache_key") or url), t, int(ttl), etag=etag,
                   last_modified=last_modified,
                   serve_stale_allowed=bool(_field(decision, "serve_stale_allowed")),
                   stale_while_revalidate=int(stale_while_revalidate),
                   cache_tags=tuple(_field(decision, "cache_tags") or ()), host=host, url=url,
                   size=int(size), payload=payload)

    @property
    def has_validators(self) -> bool:
        """The object can be revalidated with ``If-None-Match``/``If-Modified-Since``."""
        return self.etag is not None or self.last_modified is not None

    def age(self, t: float) -> int:
        """The ``Age`` header value at ``t``: whole seconds since it was stored, ≥ 0."""
        return max(0, math.floor(t - self.stored_at))

    def is_fresh(self, t: float) -> bool:
        """``t − t0 < T``: served without asking the origin."""
        return t - self.stored_at < self.edge_ttl

    def in_stale_window(self, t: float) -> bool:
        """Expired but servable as ``UPDATING``: ``serve_stale_allowed`` and ``t − t0 < T + W``."""
        return (self.serve_stale_allowed
                and t - self.stored_at < self.edge_ttl + self.stale_while_revalidate)

    def _drop_at(self, keep_expired: float | None) -> float | None:
        if keep_expired is None:
            return None
        return self.stored_at + self.edge_ttl + self.stale_while_revalidate + keep_expired


class Lookup(NamedTuple):
    """The result of :meth:`Cache.lookup`; ``status`` is ``None`` when nothing was found."""

    key: str
    status: str | None
    obj: CachedObject | None
    age: int | None
    conditional: bool = False
    refresh: bool = False


class OriginAnswer(NamedTuple):
    """The origin's answer to the request a lookup led to.

    ``not_modified``: a 304 to the conditional request.  Otherwise ``obj`` is the object the
    response phase stores (``None``: not stored) and ``status`` the §4 status of the new
    response (``MISS``, ``BYPASS`` or ``DYNAMIC``).
    """

    not_modified: bool = False
    obj: CachedObject | None = None
    status: str = MISS


class Served(NamedTuple):
    """What the visitor gets: the ``CF-Cache-Status``, the ``Age`` (``None``: no header),
    and ``error`` when an expired object could be neither refreshed nor served stale."""

    status: str
    age: int | None
    obj: CachedObject | None
    error: bool = False


class Cache:
    """The stored objects of one data centre, over time (see the module docstring)."""

    __slots__ = ("_bytes", "_deadlines", "_generation", "_objects", "keep_expired", "max_bytes")

    def __init__(self, *, max_bytes: int | None = None, keep_expired: float | None = None):
        if max_bytes is not None and max_bytes < 0:
            raise RuleLangError(f"max_bytes must be 0 or more, not {max_bytes}")
        if keep_expired is not None and keep_expired < 0:
            raise RuleLangError(f"keep_expired must be 0 or more, not {keep_expired}")
        self.max_bytes = max_bytes
        self.keep_expired = keep_expired
        self._objects: OrderedDict[str, CachedObject] = OrderedDict()
        self._bytes = 0
        self._deadlines: list[tuple[float, int, str]] = []
        self._generation = 0

    # -- inspection ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._objects)

    def __contains__(self, key: object) -> bool:
        return key in self._objects

    @property
    def bytes(self) -> int:
        """The sum of the stored objects' sizes."""
        return self._bytes

    def objects(self) -> Iterator[CachedObject]:
        """The stored objects, least recently used first."""
        return iter(list(self._objects.values()))

    def get(self, key: str) -> CachedObject | None:
        """The object stored under ``key`` (no recency update, no expiry check)."""
        return self._objects.get(key)

    # -- the model ----------------------------------------------------------------------------

    def lookup(self, key: str, t: float) -> Lookup:
        """§4.20 steps 1–4 for an eligible request at ``t``."""
        obj = self._objects.get(key)
        if obj is not None and self._dropped(obj, t):
            self.remove(key)
            obj = None
        if obj is None:
            return Lookup(key, None, None, None)
        self._objects.move_to_end(key)
        if obj.is_fresh(t):
            return Lookup(key, HIT, obj, obj.age(t))
        if obj.refreshing:
            return Lookup(key, UPDATING, obj, obj.age(t))
        if obj.in_stale_window(t):
            obj.refreshing = True
            return Lookup(key, UPDATING, obj, obj.age(t), refresh=True)
        return Lookup(key, EXPIRED, obj, None, conditional=obj.has_validators)

    def complete(self, lookup: Lookup, t: float, answer: OriginAnswer | None) -> Served:
        """Apply the origin's ``answer`` (``None``: unreachable) to a lookup's object."""
        status, old = lookup.status, lookup.obj
        if status is None:
            if answer is None:
                return Served(MISS, None, None, error=True)
            if answer.obj is not None:
                self.store(answer.obj)
            return Served(answer.status, None, answer.obj)
        if status == HIT:
            return Served(HIT, lookup.age, old)
        current = self._objects.get(lookup.key)
        if current is not old:
            old = None  # replaced or purged while the origin was asked
        if answer is None:
            if old is not None:
                old.refreshing = False
            if status == UPDATING:
                return Served(UPDATING, lookup.age, lookup.obj)
            if lookup.obj is not None and lookup.obj.serve_stale_allowed:
                return Served(STALE, lookup.obj.age(t), lookup.obj)
            return Served(EXPIRED, None, None, error=True)
        if answer.not_modified and lookup.obj is not None and lookup.obj.has_validators:
            refreshed = self.revalidate(lookup.key, t) if old is not None else None
            if status == UPDATING:
                return Served(UPDATING, lookup.age, lookup.obj)
            return Served(REVALIDATED, 0, refreshed or lookup.obj)
        if answer.obj is not None:
            self.store(answer.obj)
        elif old is not None:
            self.remove(lookup.key)
        if status == UPDATING:
            return Served(UPDATING, lookup.age, lookup.obj)
        return Served(EXPIRED, None, answer.obj)

    def abandon_refresh(self, key: str) -> None:
        """The background refresh of ``key`` failed: the next expired lookup tries again."""
        obj = self._objects.get(key)
        if obj is not None:
            obj.refreshing = False

    # -- low-level operations -----------------------------------------------------------------

    def store(self, obj: CachedObject) -> list[str]:
        """Store (or replace) ``obj``; returns the keys evicted to stay within ``max_bytes``."""
        self.remove(obj.key)
        if self.max_bytes is not None and obj.size > self.max_bytes:
            return []
        obj.refreshing = False
        self._generation += 1
        obj._generation = self._generation
        self._objects[obj.key] = obj
        self._bytes += obj.size
        drop = obj._drop_at(self.keep_expired)
        if drop is not None:
            heapq.heappush(self._deadlines, (drop, obj._generation, obj.key))
        evicted: list[str] = []
        if self.max_bytes is not None:
            while self._bytes > self.max_bytes:
                oldest = next(iter(self._objects))
                self.remove(oldest)
                evicted.append(oldest)
        return evicted

    def revalidate(self, key: str, t: float, **updates: Any) -> CachedObject | None:
        """A 304 refreshed ``key`` at ``t``: ``t0 = t`` (Age resets); ``updates`` may set
        ``edge_ttl``, ``serve_stale_allowed``, ``stale_while_revalidate``, validators or
        ``payload`` from the 304's headers.  Returns the object, ``None`` if it is gone."""
        obj = self._objects.get(key)
        if obj is None:
            return None
        for name, value in updates.items():
            if name not in ("edge_ttl", "serve_stale_allowed", "stale_while_revalidate",
                            "etag", "last_modified", "payload", "cache_tags"):
                raise RuleLangError(f"revalidate cannot update {name!r}")
            setattr(obj, name, value)
        obj.stored_at = t
        obj.refreshing = False
        self._generation += 1
        obj._generation = self._generation
        drop = obj._drop_at(self.keep_expired)
        if drop is not None:
            heapq.heappush(self._deadlines, (drop, obj._generation, key))
        self._objects.move_to_end(key)
        return obj

    def remove(self, key: str) -> bool:
        """Remove ``key``; ``True`` when it was stored."""
        obj = self._objects.pop(key, None)
        if obj is None:
            return False
        self._bytes -= obj.size
        return True

    def sweep(self, t: float) -> int:
        """Drop the objects whose ``keep_expired`` time has passed at ``t``; returns how many."""
        dropped = 0
        heap = self._deadlines
        while heap and heap[0][0] <= t:
            _, generation, key = heapq.heappop(heap)
            obj = self._objects.get(key)
            if obj is not None and obj._generation == generation:
                self.remove(key)
                dropped += 1
        if len(heap) > 2 * len(self._objects) + 64:
            self._deadlines = [d for d in heap if (o := self._objects.get(d[2])) is not None
                               and o._generation == d[1]]
            heapq.heapify(self._deadlines)
        return dropped

    def _dropped(self, obj: CachedObject, t: float) -> bool:
        drop = obj._drop_at(self.keep_expired)
        return drop is not None and drop <= t

    # -- purge --------------------------------------------------------------------------------

    def purge(self, *, everything: bool = False, files: Iterable[str] = (),
              tags: Iterable[str] = (), hosts: Iterable[str] = (),
              prefixes: Iterable[str] = ()) -> int:
        """Remove the objects named; returns how many were removed (§4.20 step 6)."""
        if everything:
            count = len(self._objects)
            self._objects.clear()
            self._deadlines.clear()
            self._bytes = 0
            return count
        file_set = {_url_key(u) for u in files}
        tag_set = {t.casefold() for t in tags}
        host_set = {h.lower() for h in hosts}
        prefix_list = [_prefix_key(p) for p in prefixes]
        doomed = [key for key, obj in self._objects.items()
                  if (file_set and _url_key(obj.url) in file_set)
                  or (tag_set and any(tag.casefold() in tag_set for tag in obj.cache_tags))
                  or (host_set and obj.host.lower() in host_set)
                  or (prefix_list and _prefixed(obj.url, prefix_list))]
        for key in doomed:
            self.remove(key)
        return len(doomed)

    def purge_request(self, body: Any) -> int:
        """A purge with the body of Cloudflare's purge API; returns how many objects went."""
        return self.purge(**parse_purge(body))


def parse_purge(body: Any) -> dict[str, Any]:
    """The keyword arguments of :meth:`Cache.purge` for a body of Cloudflare's purge API;
    :class:`PurgeError` when it is not one."""
    if not isinstance(body, Mapping) or not body:
        raise PurgeError("a purge body is a JSON object such as "
                         '{"purge_everything": true} or {"files": [...]}')
    unknown = sorted(set(body) - {"purge_everything", "files", "tags", "hosts", "prefixes"})
    if unknown:
        raise PurgeError(f"unknown purge key {unknown[0]!r}: expected purge_everything, "
                         "files, tags, hosts or prefixes")
    everything = body.get("purge_everything", False)
    if not isinstance(everything, bool):
        raise PurgeError("purge_everything must be true or false")
    lists: dict[str, list[str]] = {}
    for name in ("files", "tags", "hosts", "prefixes"):
        items = body.get(name, [])
        if not isinstance(items, list):
            raise PurgeError(f"{name} must be a list")
        values = []
        for item in items:
            if name == "files" and isinstance(item, Mapping):
                item = item.get("url")
            if not isinstance(item, str) or not item:
                raise PurgeError(f"{name} must hold non-empty strings, not {item!r}")
            values.append(item)
        lists[name] = values
    if everything and any(lists.values()):
        raise PurgeError("purge_everything cannot be combined with files, tags, hosts "
                         "or prefixes")
    return {"everything": everything, **lists}


def _split_scheme(url: str) -> tuple[str, str]:
    scheme, sep, rest = url.partition("://")
    return (scheme.lower(), rest) if sep else ("", url)


def _url_key(url: str) -> str:
    scheme, rest = _split_scheme(url)
    host, slash, path = rest.partition("/")
    return f"{scheme}://{host.lower()}{slash}{path}"


def _prefix_key(prefix: str) -> str:
    _, rest = _split_scheme(prefix)
    host, slash, path = rest.partition("/")
    return f"{host.lower()}{slash}{path}"


def _prefixed(url: str, prefixes: list[str]) -> bool:
    target = _prefix_key(url)
    return any(target.startswith(p) for p in prefixes)
