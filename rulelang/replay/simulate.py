"""The cache over time for a log: each request of a rule set through its data centre's
:class:`~rulelang.cache.lifetime.Cache`, in time order, and the summary of the results.

The model is per cache key: nothing one key does changes another key's answers (there is
no size bound in a replay, and expired objects are dropped by time alone).  So a log may be
simulated in one pass in time order (``--engine local``) or split by (data centre, cache
key) and each part simulated on its own (``--engine dask``): the answers are the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from rulelang.cache.lifetime import (
    CACHE_STATUSES,
    DYNAMIC,
    SERVED_FROM_CACHE,
    UPDATING,
    Cache,
    CachedObject,
    OriginAnswer,
)
from rulelang.replay.evaluate import Line, Purge

__all__ = ["DEFAULT_KEEP_EXPIRED", "TIMELINE_STEP", "Result", "Simulator", "Summary"]

#: Seconds an expired object stays available for a conditional request after it can no
#: longer be served (docs/replay.md): a day.
DEFAULT_KEEP_EXPIRED = 86400
#: The hit-ratio-over-time series counts requests per minute.
TIMELINE_STEP = 60
_SWEEP_EVERY = 4096


class Result(NamedTuple):
    """What one request got: the status, the ``Age`` (``None``: no header), whether the
    origin was asked, and the bytes the origin sent."""

    status: str
    age: int | None
    origin_request: bool
    origin_bytes: int


class Simulator:
    """The caches of one rule set, one per data centre."""

    __slots__ = ("_count", "caches", "index", "keep_expired")

    def __init__(self, index: int, keep_expired: float | None = DEFAULT_KEEP_EXPIRED):
        self.index = index
        self.keep_expired = keep_expired
        self.caches: dict[str | None, Cache] = {}
        self._count = 0

    def objects(self) -> int:
        """How many objects all the data centres hold."""
        return sum(len(c) for c in self.caches.values())

    def purge(self, purge: Purge) -> int:
        """Apply a purge of the log to every data centre's cache; how many objects went."""
        return sum(cache.purge(**purge.purge) for cache in self.caches.values())

    def step(self, line: Line) -> Result:
        """Replay one request (the lines must come in time order, ties in input order)."""
        ev = line.decisions[self.index]
        t = line.t
        self._count += 1
        if self._count % _SWEEP_EVERY == 0:
            for cache in self.caches.values():
                cache.sweep(t)
        if not ev.eligible:
            return Result(ev.status or DYNAMIC, None, True, line.size)
        found_cache = self.caches.get(line.colo)
        if found_cache is None:
            found_cache = self.caches[line.colo] = Cache(keep_expired=self.keep_expired)
        cache = found_cache
        found = cache.lookup(ev.key, t)
        if found.status == "HIT" or (found.status == UPDATING and not found.refresh):
            return Result(found.status, found.age, False, 0)
        answer: OriginAnswer | None = None
        if not line.unreachable:
            old = found.obj
            if old is not None and old.has_validators and (
                    line.not_modified or _same_validators(old, line.validators)):
                answer = OriginAnswer(not_modified=True)
            else:
                answer = OriginAnswer(obj=_object(line, ev.key, ev.store), status=ev.status)
        served = cache.complete(found, t, answer)
        if answer is None:
            return Result(served.status, served.age, False, 0)
        body = 0 if answer.not_modified else line.size
        return Result(served.status, served.age, True, body)


def _same_validators(obj: CachedObject, validators: tuple[str | None, str | None]) -> bool:
    etag, modified = validators
    if obj.etag is not None and etag is not None:
        return obj.etag == etag
    return obj.last_modified is not None and obj.last_modified == modified


def _object(line: Line, key: str, store: tuple | None) -> CachedObject | None:
    if store is None:
        return None
    ttl, stale, window, tags, etag, modified = store
    return CachedObject(key, line.t, ttl, etag=etag, last_modified=modified,
                        serve_stale_allowed=stale, stale_while_revalidate=window,
                        cache_tags=tags, host=line.host, url=line.url, size=line.size)


class Summary:
    """The counts of one rule set's replay; :meth:`merge` adds another part's counts, so
    parts simulated apart sum to the whole."""

    __slots__ = ("agree", "bytes", "hit_bytes", "hits", "matched", "observed",
                 "origin_bytes", "origin_requests", "requests", "rule_hits", "statuses",
                 "timeline")

    def __init__(self, rule_count: int):
        self.requests = self.hits = self.bytes = self.hit_bytes = 0
        self.origin_requests = self.origin_bytes = 0
        self.statuses = dict.fromkeys(CACHE_STATUSES, 0)
        self.matched = [0] * rule_count
        self.rule_hits = [0] * rule_count
        self.observed = self.agree = 0
        self.timeline: dict[int, list[int]] = {}

    def add(self, line: Line, matched: Iterable[int], result: Result) -> None:
        """Count one request and what it got."""
        status = result.status
        hit = status in SERVED_FROM_CACHE
        self.requests += 1
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.bytes += line.size
        if hit:
            self.hits += 1
            self.hit_bytes += line.size
        if result.origin_request:
            self.origin_requests += 1
            self.origin_bytes += result.origin_bytes
        for i in matched:
            self.matched[i] += 1
            if hit:
                self.rule_hits[i] += 1
        if line.observed is not None:
            self.observed += 1
            if line.observed.upper() == status:
                self.agree += 1
        slot = self.timeline.get(int(line.t // TIMELINE_STEP))
        if slot is None:
            slot = self.timeline[int(line.t // TIMELINE_STEP)] = [0, 0]
        slot[0] += 1
        slot[1] += hit

    def merge(self, other: Summary) -> Summary:
        """Add ``other``'s counts to these; returns ``self``."""
        self.requests += other.requests
        self.hits += other.hits
        self.bytes += other.bytes
        self.hit_bytes += other.hit_bytes
        self.origin_requests += other.origin_requests
        self.origin_bytes += other.origin_bytes
        for status, n in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + n
        self.matched = [a + b for a, b in zip(self.matched, other.matched, strict=True)]
        self.rule_hits = [a + b for a, b in zip(self.rule_hits, other.rule_hits, strict=True)]
        self.observed += other.observed
        self.agree += other.agree
        for minute, (n, h) in other.timeline.items():
            slot = self.timeline.setdefault(minute, [0, 0])
            slot[0] += n
            slot[1] += h
        return self

    def to_dict(self, rules: list[str], refs: list[str], missing: Iterable[str],
                agreement: bool = True) -> dict[str, Any]:
        """The ``--format json`` object of interfaces.md §7."""
        return {
            "rules": list(rules),
            "requests": self.requests,
            "statuses": dict(self.statuses),
            "hit_ratio": _ratio(self.hits, self.requests),
            "byte_hit_ratio": _ratio(self.hit_bytes, self.bytes),
            "origin_requests": self.origin_requests,
            "origin_bytes": self.origin_bytes,
            "per_rule": [{"ref": ref, "matched": m, "hits": h}
                         for ref, m, h in zip(refs, self.matched, self.rule_hits, strict=True)],
            "observed_agreement": (_ratio(self.agree, self.observed)
                                   if agreement and self.observed else None),
            "missing_inputs": sorted(missing),
        }

    def series(self) -> list[tuple[int, int, int]]:
        """``(minute start in Unix seconds, requests, hits)``, in time order."""
        return [(m * TIMELINE_STEP, n, h) for m, (n, h) in sorted(self.timeline.items())]


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 6) if whole else 0.0

