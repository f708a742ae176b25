"""A mitmproxy addon: Cloudflare's cache, as the rules decide, inside mitmproxy
(extra ``mitmproxy``).

::

    mitmdump --mode reverse:http://127.0.0.1:8080 -s path/to/rulelang/adapters/mitmproxy_addon.py \\
        --set rulelang_rules=rules/ --set rulelang_public_url=https://www.example.com

Options: ``rulelang_rules`` (paths, directories or globs; reloaded when they change),
``rulelang_zone`` (a zone file), ``rulelang_public_url`` (the URL visitors use — in
reverse mode mitmproxy's own URL is the upstream's, so without it the rules see the
``Host`` header), ``rulelang_cache`` (store responses and answer from the store, default
on) and ``rulelang_max_bytes``.

Every response gets the visitor's headers of the decision and ``CF-Cache-Status``.
With the cache on, an eligible request is looked up (cache-phases §4.20): ``HIT`` is
answered from the store with ``Age`` without contacting the upstream; an expired object
is revalidated with its validators (``REVALIDATED`` on a 304).  mitmproxy runs one flow
at a time through these hooks, so an object in its ``stale-while-revalidate`` window is
refreshed in line (the visitor gets the refreshed response) rather than in the
background, and concurrent misses are not collapsed; ``rulelang proxy`` does both.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from mitmproxy import ctx, exceptions, http

from rulelang.adapters import engine_of, public_origin
from rulelang.cache.lifetime import EXPIRED, HIT, MISS, UPDATING, OriginAnswer
from rulelang.errors import RulesetError
from rulelang.http.messages import Request, Response
from rulelang.proxy.store import MemoryStore, served_headers, validators
from rulelang.watch import RulesWatcher

__all__ = ["RulelangCache", "addons", "request_from_flow", "response_from_flow"]

_CONDITIONAL = ("if-none-match", "if-modified-since", "if-match", "if-unmodified-since",
                "if-range")


def request_from_flow(flow: http.HTTPFlow, *, public_url: str | None = None,
                      fields: dict | None = None) -> Request:
    """The :class:`Request` a flow's visitor sent: the public URL (``public_url``, else the
    ``Host`` header — not the upstream URL of reverse mode), the header pairs as sent
    (repeated ``Cookie`` headers stay separate), the client address."""
    scheme, host = public_origin(public_url)
    request = flow.request
    peer = flow.client_conn.peername if flow.client_conn else None
    return Request.from_wire(request.method, request.path, request.headers.fields,
                             scheme=scheme or request.scheme,
                             host=host or request.host_header or request.pretty_host,
                             client_ip=peer[0] if peer else None,
                             http_version=request.http_version, fields=fields)


def response_from_flow(flow: http.HTTPFlow) -> Response:
    """The :class:`Response` the upstream sent."""
    response = flow.response
    assert response is not None
    return Response.from_wire(response.status_code, response.headers.fields)


class RulelangCache:
    """The addon (see the module docstring)."""

    def __init__(self) -> None:
        self.watcher: RulesWatcher | None = None
        self.store: MemoryStore | None = None
        self.clock = time.time

    def load(self, loader: Any) -> None:
        loader.add_option("rulelang_rules", Sequence[str], [],
                          "Rules files, directories or globs for rulelang.")
        loader.add_option("rulelang_zone", str | None, None, "A rulelang zone settings file.")
        loader.add_option("rulelang_public_url", str | None, None,
                          "The URL visitors use, e.g. https://www.example.com.")
        loader.add_option("rulelang_cache", bool, True,
                          "Store responses and answer eligible requests from the store.")
        loader.add_option("rulelang_max_bytes", int, 256 * 1024 * 1024,
                          "Bound on the stored bytes (least recently used go first).")

    def configure(self, updated: set[str]) -> None:
        options = ctx.options
        if {"rulelang_rules", "rulelang_zone"} & updated and options.rulelang_rules:
            try:
                self.watcher = RulesWatcher(list(options.rulelang_rules),
                                            zone=options.rulelang_zone,
                                            on_error=self._report)
            except RulesetError as exc:
                raise exceptions.OptionsError(f"rulelang: the rules did not load: {exc}"
                                              ) from None
        if "rulelang_public_url" in updated:
            try:
                public_origin(options.rulelang_public_url)
            except ValueError as exc:
                raise exceptions.OptionsError(str(exc)) from None
        if "rulelang_max_bytes" in updated or self.store is None:
            self.store = MemoryStore(options.rulelang_max_bytes)

    @staticmethod
    def _report(diagnostics: list) -> None:
        for diagnostic in diagnostics:
            ctx.log.warn(f"rulelang: {diagnostic.message} (keeping the running rules)")

    def request(self, flow: http.HTTPFlow) -> None:
        if self.watcher is None:
            return
        self.watcher.check()
        rules_request = request_from_flow(flow, public_url=ctx.options.rulelang_public_url)
        pending = engine_of(self.watcher).request_phase(rules_request)
        flow.metadata["rulelang"] = {"pending": pending, "lookup": None}
        if not pending.eligible or not ctx.options.rulelang_cache or self.store is None:
            return
        lookup = self.store.lookup(pending.cache_key, self.clock())
        if lookup.status == HIT:
            self._answer(flow, lookup.obj, HIT, lookup.age)
            return
        if lookup.status == UPDATING and not lookup.refresh:
            self._answer(flow, lookup.obj, UPDATING, lookup.age)
            return
        flow.metadata["rulelang"]["lookup"] = lookup
        for name in _CONDITIONAL:  # the cache asks for the object, not the visitor
            flow.request.headers.pop(name, None)
        flow.request.headers.update(validators(lookup))

    def _answer(self, flow: http.HTTPFlow, obj: Any, status: str, age: int | None) -> None:
        stored = obj.payload
        response = http.Response.make(stored.status, b"", [
            (n.encode("latin-1"), v.encode("latin-1"))
            for n, v in served_headers(obj, status, age)])
        response.raw_content = stored.body or b""  # as stored: Content-Encoding kept
        response.headers["Content-Length"] = str(len(response.raw_content))
        flow.response = response
        flow.metadata["rulelang"]["served"] = True

    def response(self, flow: http.HTTPFlow) -> None:
        state = flow.metadata.get("rulelang")
        if state is None or state.get("served") or flow.response is None:
            return
        pending, lookup = state["pending"], state["lookup"]
        t = self.clock()
        if self._revalidated(flow, lookup, t):
            return
        decision = pending.response_phase(response_from_flow(flow))
        pairs = [(n.decode("latin-1"), v.decode("latin-1"))
                 for n, v in flow.response.headers.fields]
        status = decision.cache_status or ("MISS" if pending.eligible else "DYNAMIC")
        if lookup is not None and self.store is not None:
            obj = self.store.object_for(decision, pending.request, flow.response.status_code,
                                        pairs, flow.response.raw_content or b"", t)
            status = self.store.complete(lookup, t, OriginAnswer(
                obj=obj, status=decision.cache_status or MISS)).status
        flow.response.headers = http.Headers([
            (n.encode("latin-1"), v.encode("latin-1"))
            for n, v in decision.visitor_headers(pairs, cache_status=status)])

    def _revalidated(self, flow: http.HTTPFlow, lookup: Any, t: float) -> bool:
        """A 304 to the cache's own conditional request: answer from the store."""
        if (lookup is None or self.store is None or flow.response is None
                or flow.response.status_code != 304
                or lookup.status not in (EXPIRED, UPDATING) or not validators(lookup)):
            return False
        served = self.store.complete(lookup, t, OriginAnswer(not_modified=True))
        self._answer(flow, served.obj, served.status, served.age)
        return True


addons = [RulelangCache()]
