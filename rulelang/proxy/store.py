"""Stored responses for ``rulelang proxy``: the cache over time of cache-phases §4.20
(:class:`rulelang.cache.lifetime.Cache`) plus the bytes of each response.

:class:`MemoryStore` keeps everything in memory, least recently used objects evicted
first once the stored bytes pass ``max_bytes``.  :class:`DirectoryStore` does the same
and also writes each object to a directory (``<sha256 of the key>.body`` then
``.meta.json``, each written to a temporary file and renamed into place, so a crash never
leaves a half-written object); a new store on the same directory loads them back.
The bodies of a directory store are read from disk when served, not kept in memory.

Both are used from one thread (the proxy's event loop); they do no locking.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rulelang.cache.lifetime import Cache, CachedObject, Lookup, OriginAnswer, Served

__all__ = [
    "DirectoryStore",
    "MemoryStore",
    "Stored",
    "open_store",
    "served_headers",
    "validators",
]

#: Bytes counted for an object besides its body and headers (bookkeeping).
_OVERHEAD = 256


@dataclass(frozen=True, slots=True)
class Stored:
    """A stored response: origin status, the headers the visitor gets (without
    ``CF-Cache-Status`` and ``Age``), and the body (``None`` when it lives on disk).
    ``sized``: the origin gave the body's length (``Content-Length``), so byte ranges
    may be served from it (Cloudflare's rule for range requests)."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    sized: bool = True

    def size(self, body_size: int) -> int:
        """Bytes this object counts against ``max_bytes``."""
        return body_size + sum(len(n) + len(v) + 4 for n, v in self.headers) + _OVERHEAD


class MemoryStore:
    """Objects in memory, bounded by ``max_bytes`` (``None``: unbounded)."""

    kind = "memory"

    def __init__(self, max_bytes: int | None = None) -> None:
        self.cache = Cache(max_bytes=max_bytes)

    def lookup(self, key: str, t: float) -> Lookup:
        """§4.20 steps 1–4 (see :meth:`rulelang.cache.lifetime.Cache.lookup`)."""
        return self.cache.lookup(key, t)

    def complete(self, lookup: Lookup, t: float, answer: OriginAnswer | None) -> Served:
        """Apply the origin's answer (see :meth:`rulelang.cache.lifetime.Cache.complete`)."""
        return self.cache.complete(lookup, t, answer)

    def abandon_refresh(self, key: str) -> None:
        """A background refresh failed."""
        self.cache.abandon_refresh(key)

    def object_for(self, decision: Any, request: Any, status: int,
                   headers: list[tuple[str, str]], body: bytes, t: float, *,
                   sized: bool = True, visitor: list[tuple[str, str]] | None = None
                   ) -> CachedObject | None:
        """The object the decision stores for the origin's answer (status, headers with
        hop-by-hop ones removed, body) to ``request`` at ``t``; ``None``: not stored.
        The visitor's headers are kept (``visitor``: already computed with
        ``decision.visitor_headers(headers, cache_status="")``), the validators unless a
        rule stripped them."""
        if not decision.stored or status == 304:
            return None
        if visitor is None:
            visitor = decision.visitor_headers(headers, cache_status="")
        stored = Stored(status, tuple(visitor), body, sized)
        stripped = decision.stripped_headers or ()
        return CachedObject.from_decision(
            decision, t, host=request.url_host, url=request.url,
            etag=None if "etag" in stripped else _first(headers, "etag"),
            last_modified=None if "last-modified" in stripped else _first(headers,
                                                                          "last-modified"),
            size=stored.size(len(body)), payload=stored)

    def body(self, obj: CachedObject) -> bytes | None:
        """The stored body (``None`` when it cannot be read any more)."""
        return obj.payload.body

    def purge(self, body: Any) -> int:
        """A purge with Cloudflare's purge API body; raises ``PurgeError``."""
        return self.cache.purge_request(body)

    @property
    def objects(self) -> int:
        """How many objects are stored."""
        return len(self.cache)

    @property
    def bytes(self) -> int:
        """How many bytes they count."""
        return self.cache.bytes

    def close(self) -> None:
        """Nothing to release."""


class DirectoryStore(MemoryStore):
    """Objects in ``directory`` as well, loaded back by the next store on it."""

    kind = "directory"

    def __init__(self, directory: str | os.PathLike, max_bytes: int | None = None) -> None:
        super().__init__(max_bytes)
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._files: set[str] = set()
        self._load()

    # -- files ----------------------------------------------------------------------------

    def _name(self, key: str) -> str:
        return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()

    def _write(self, path: Path, data: bytes) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def _save(self, obj: CachedObject, body: bytes | None) -> None:
        name = self._name(obj.key)
        stored: Stored = obj.payload
        if body is not None:
            self._write(self.directory / f"{name}.body", body)
        meta = {"key": obj.key, "stored_at": obj.stored_at, "edge_ttl": obj.edge_ttl,
                "etag": obj.etag, "last_modified": obj.last_modified,
                "serve_stale_allowed": obj.serve_stale_allowed,
                "stale_while_revalidate": obj.stale_while_revalidate,
                "cache_tags": list(obj.cache_tags), "host": obj.host, "url": obj.url,
                "size": obj.size, "status": stored.status, "sized": stored.sized,
                "headers": [list(h) for h in stored.headers]}
        self._write(self.directory / f"{name}.meta.json",
                    json.dumps(meta, ensure_ascii=False).encode("utf-8", "surrogatepass"))
        self._files.add(obj.key)

    def _delete(self, key: str) -> None:
        name = self._name(key)
        for suffix in (".meta.json", ".body"):
            with contextlib.suppress(OSError):
                os.unlink(self.directory / f"{name}{suffix}")
        self._files.discard(key)

    def _load(self) -> None:
        metas = sorted(self.directory.glob("*.meta.json"),
                       key=lambda p: p.stat().st_mtime_ns)
        for path in metas:
            try:
                meta = json.loads(path.read_text("utf-8"))
                stored = Stored(int(meta["status"]),
                                tuple((str(n), str(v)) for n, v in meta["headers"]), None,
                                bool(meta.get("sized", True)))
                obj = CachedObject(
                    str(meta["key"]), float(meta["stored_at"]), int(meta["edge_ttl"]),
                    etag=meta.get("etag"), last_modified=meta.get("last_modified"),
                    serve_stale_allowed=bool(meta.get("serve_stale_allowed")),
                    stale_while_revalidate=int(meta.get("stale_while_revalidate") or 0),
                    cache_tags=tuple(meta.get("cache_tags") or ()), host=str(meta["host"]),
                    url=str(meta["url"]), size=int(meta["size"]), payload=stored)
            except (OSError, ValueError, KeyError, TypeError):
                # a foreign or damaged file: not ours to keep
                with contextlib.suppress(OSError):
                    path.unlink()
                continue
            if not (self.directory / f"{path.name[:-len('.meta.json')]}.body").exists():
                path.unlink(missing_ok=True)
                continue
            for evicted in self.cache.store(obj):
                self._delete(evicted)
            self._files.add(obj.key)
        for tmp in self.directory.glob(".tmp-*"):
            with contextlib.suppress(OSError):
                tmp.unlink()

    def _reconcile(self) -> None:
        """Delete the files of objects the model dropped (evicted, purged, replaced)."""
        if len(self._files) == len(self.cache) and all(k in self.cache for k in self._files):
            return
        for key in [k for k in self._files if k not in self.cache]:
            self._delete(key)

    # -- the store interface --------------------------------------------------------------

    def complete(self, lookup: Lookup, t: float, answer: OriginAnswer | None) -> Served:
        served = super().complete(lookup, t, answer)
        new = None if answer is None else answer.obj
        if new is not None and self.cache.get(new.key) is new:
            stored: Stored = new.payload
            self._save(new, stored.body)
            new.payload = Stored(stored.status, stored.headers, None,  # the body is on disk
                                 stored.sized)
        elif answer is not None and answer.not_modified:
            obj = self.cache.get(lookup.key)
            if obj is not None:
                self._save(obj, None)  # the new stored_at survives a restart
        self._reconcile()
        return served

    def body(self, obj: CachedObject) -> bytes | None:
        try:
            return (self.directory / f"{self._name(obj.key)}.body").read_bytes()
        except OSError:
            return None

    def purge(self, body: Any) -> int:
        count = super().purge(body)
        self._reconcile()
        return count


def _first(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((v for n, v in headers if n.lower() == name), None)


def validators(lookup: Lookup) -> dict[str, str]:
    """The conditional headers that revalidate a lookup's object (none when it has no
    validators or the lookup is not conditional)."""
    obj = lookup.obj
    if obj is None or not lookup.conditional:
        return {}
    out = {}
    if obj.etag is not None:
        out["If-None-Match"] = obj.etag
    if obj.last_modified is not None:
        out["If-Modified-Since"] = obj.last_modified
    return out


def served_headers(obj: CachedObject, status: str, age: int | None) -> list[tuple[str, str]]:
    """The visitor's headers for a response served from ``obj``."""
    headers = [*obj.payload.headers, ("CF-Cache-Status", status)]
    if age is not None:
        headers.append(("Age", str(age)))
    return headers


def open_store(spec: str, max_bytes: int | None) -> MemoryStore:
    """``memory`` or a directory path, as ``--store`` takes it."""
    if spec == "memory":
        return MemoryStore(max_bytes)
    return DirectoryStore(spec, max_bytes)
