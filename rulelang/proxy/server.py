"""The ``rulelang proxy`` HTTP server on aiohttp (interfaces.md §6, cache-phases §4.20).

For each visitor request: the Cache Rules run once (:meth:`Engine.request_phase`); an
ineligible request goes to the origin as it is; an eligible one looks up its cache key
in the store — ``HIT`` is served from the store with ``Age``, a miss asks the origin
(concurrent misses on one key make one origin request), an expired object is
revalidated with its validators, a stale one served as ``UPDATING`` while it is
refreshed in the background, or as ``STALE`` when the origin cannot be reached.  The
Cache Response Rules run on the origin's answer (:meth:`Pending.response_phase`) and the
:class:`~rulelang.cache.decision.Decision` says what is stored, for how long, and which
headers the visitor gets.

``POST /.rulelang/purge`` takes Cloudflare's purge API bodies; ``GET /.rulelang/status``
returns the counters.  docs/proxy.md is the user's page.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web
from multidict import CIMultiDict

from rulelang.cache.lifetime import (
    EXPIRED,
    HIT,
    MISS,
    SERVED_FROM_CACHE,
    UPDATING,
    Lookup,
    OriginAnswer,
    PurgeError,
)
from rulelang.engine import Engine, Pending
from rulelang.errors import Diagnostic, RuleLangError
from rulelang.http.messages import HOP_BY_HOP, Request, Response
from rulelang.http.wire import client_address
from rulelang.proxy.ranges import ranged
from rulelang.proxy.store import MemoryStore, Stored, served_headers, validators
from rulelang.watch import RulesWatcher

__all__ = ["ProxyConfig", "ProxyServer", "serve"]

#: Hop-by-hop headers and Content-Length (aiohttp recomputes it): never forwarded.
_HOP = HOP_BY_HOP | {"content-length"}
#: Visitor headers not sent to the origin on a cache fill: the cache asks for the whole
#: object, and answers conditions and ranges itself.
_CONDITIONAL = frozenset({"if-none-match", "if-modified-since", "if-match",
                          "if-unmodified-since", "if-range", "range"})
_CONTROL = "/.rulelang/"
_VERSIONS = {(1, 1): "HTTP/1.1", (1, 0): "HTTP/1.0", (2, 0): "HTTP/2"}
_LOOP_TOKEN = "rulelang-proxy"
#: A Host header (RFC 9110 §7.2): a reg-name, IPv4 or bracketed IPv6 literal, an optional port.
_HOST = re.compile(r"(?:\[[0-9A-Fa-f:.]+(?:%25[\w.~-]+)?\]|[A-Za-z0-9._~!$&'()*+,;=%-]+)"
                   r"(?::[0-9]{0,5})?")
#: Cloudflare's default Proxy Read Timeout: seconds between two reads from the origin
#: (a Cache Rule's ``read_timeout`` replaces it per request).
ORIGIN_TIMEOUT = 100.0
#: Seconds to connect to the origin.
CONNECT_TIMEOUT = 15.0
#: The largest origin body held in memory (see ProxyConfig.max_body).
MAX_BODY = 64 * 1024 * 1024
_CHUNK = 64 * 1024
#: Seconds an idle (or half-sent) visitor connection is kept open.
IDLE_TIMEOUT = 75.0


@dataclass(frozen=True)
class ProxyConfig:
    """What ``rulelang proxy`` is told: the origin, the public URL the rules see
    (``None``: the ``Host`` header and ``X-Forwarded-Proto``), and where to log."""

    origin: str
    public_url: str | None = None
    access_log: TextIO | None = None
    #: the read timeout when no rule sets ``read_timeout``
    origin_timeout: float = ORIGIN_TIMEOUT
    connect_timeout: float = CONNECT_TIMEOUT
    #: Bodies up to this size are read whole (and may be stored); larger ones are
    #: streamed to the visitor and never stored, so memory stays bounded.
    max_body: int = MAX_BODY
    #: Seconds a connection may stay idle — including one that has sent only part of its
    #: request headers (a slowloris) — before it is closed.
    idle_timeout: float = IDLE_TIMEOUT


class _Fetched:
    """The origin's answer: status, headers (hop-by-hop removed) and body.  ``stream`` is
    the still-open origin response when the body was larger than ``max_body``: ``body``
    then holds only its first bytes, and the rest is streamed, never stored."""

    __slots__ = ("body", "headers", "response", "sized", "status", "stream")

    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes,
                 stream: aiohttp.ClientResponse | None = None,
                 length: str | None = None,
                 seen: list[tuple[str, str]] | None = None) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.stream = stream
        #: the origin gave the body's length (Content-Length): ranges may be cut from it
        self.sized = length is not None
        # the rules and the decision see the origin's Content-Length (size limit, ranges)
        # where the origin put it: ``seen`` is the headers with it kept
        self.response = Response.from_wire(status, headers if seen is None else seen)

    def close(self) -> None:
        """Let go of a streamed origin response."""
        if self.stream is not None:
            self.stream.release()
            self.stream = None

    def header(self, name: str) -> str | None:
        lname = name.lower()
        return next((v for n, v in self.headers if n.lower() == lname), None)


class OriginError(Exception):
    """The origin could not be reached or did not answer in time."""

    status = 502
    title = "origin unreachable"


class OriginTimeout(OriginError):
    """The origin was reached but sent nothing for the read timeout: Cloudflare's ``524``."""

    status = 524
    title = "a timeout occurred"


class ProxyServer:
    """One caching reverse proxy: rules (a :class:`RulesWatcher` or a fixed
    :class:`Engine`), a store, and the origin it fronts.  ``clock`` gives the time in
    seconds (default :func:`time.time`; tests pass their own)."""

    def __init__(self, rules: RulesWatcher | Engine, store: MemoryStore, config: ProxyConfig,
                 *, clock: Callable[[], float] = time.time) -> None:
        self.rules = rules
        self.store = store
        self.config = config
        self.clock = clock
        origin = urlsplit(config.origin)
        if origin.scheme not in ("http", "https") or not origin.netloc:
            raise RuleLangError(f"--origin {config.origin!r}: expected http://host[:port] "
                                "or https://host[:port]")
        self._origin = f"{origin.scheme}://{origin.netloc}{origin.path.rstrip('/')}"
        public = urlsplit(config.public_url) if config.public_url else None
        if public is not None and (public.scheme not in ("http", "https")
                                   or not public.netloc):
            raise RuleLangError(f"--public-url {config.public_url!r}: expected "
                                "https://host[:port]")
        self._public = public
        self._inflight: dict[str, asyncio.Future] = {}
        self._background: set[asyncio.Task] = set()
        self._session: aiohttp.ClientSession | None = None
        self._timeouts: dict[float, aiohttp.ClientTimeout] = {}
        self._clients: dict[str, Any] = {}
        self.counts: Counter[str] = Counter()
        self.errors: list[str] = []

    @property
    def engine(self) -> Engine:
        """The engine requests start on now."""
        rules = self.rules
        return rules.engine if isinstance(rules, RulesWatcher) else rules

    def _timeout(self, read_timeout: int | None) -> aiohttp.ClientTimeout:
        """The origin timeouts for a request: ``read_timeout`` seconds between two reads
        (the rule's, else ``origin_timeout``), ``connect_timeout`` to connect."""
        seconds = float(read_timeout or self.config.origin_timeout)
        timeout = self._timeouts.get(seconds)
        if timeout is None:
            timeout = self._timeouts[seconds] = aiohttp.ClientTimeout(
                total=None, sock_connect=self.config.connect_timeout, sock_read=seconds)
        return timeout

    # -- the aiohttp application ------------------------------------------------------------

    def app(self) -> web.Application:
        """The aiohttp application (every path goes to :meth:`handle`)."""
        # a request body is read whole only for a cache lookup (GET/HEAD, bounded here);
        # other requests stream theirs to the origin
        app = web.Application(client_max_size=MAX_BODY, middlewares=[self._guard])
        app.router.add_route("*", "/{tail:.*}", self.handle)
        app.on_startup.append(self._start)
        app.on_cleanup.append(self._stop)
        return app

    def runner(self) -> web.AppRunner:
        """An aiohttp runner for :meth:`app` with the proxy's connection limits: idle and
        half-sent connections closed after ``idle_timeout``; a request line or header line
        of more than 8190 bytes, or more than 128 headers, answered ``400``."""
        return web.AppRunner(self.app(), access_log=None, handle_signals=False,
                             keepalive_timeout=self.config.idle_timeout)

    async def _start(self, app: web.Application) -> None:
        self._session = aiohttp.ClientSession(
            auto_decompress=False, timeout=self._timeout(None),
            connector=aiohttp.TCPConnector(limit=0))

    async def _stop(self, app: web.Application) -> None:
        for task in list(self._background):
            task.cancel()
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
        self.store.close()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Serve one visitor request; never lets an exception reach aiohttp."""
        started = time.perf_counter()
        response: web.StreamResponse
        try:
            if request.path.startswith(_CONTROL):
                response = await self._control(request)
            else:
                response = await self._proxy(request)
        except web.HTTPException as exc:  # aiohttp's own answer, e.g. 413 for a huge body
            response = exc
        except Exception as exc:  # noqa: BLE001 - the proxy keeps running, the visitor is told
            self._note(exc)
            response = _error(500, f"rulelang proxy: internal error: {type(exc).__name__}: "
                                   f"{exc}")
        self._log(request, response, started)
        return response

    @web.middleware
    async def _guard(self, request: web.Request, handler: Any) -> web.StreamResponse:
        """Refuse what no reverse proxy should serve before routing sees it (``CONNECT``
        and ``OPTIONS *`` would otherwise be aiohttp's bare 404)."""
        refused = self._refuse(request)
        if refused is not None:
            self._log(request, refused, time.perf_counter())
            return refused
        return await handler(request)

    def _refuse(self, request: web.Request) -> web.Response | None:
        """A request no reverse proxy should serve (aiohttp has already refused what does
        not parse): a ``400``/``405`` that closes the connection, or ``None``."""
        why = None
        status = 400
        target = request.raw_path
        hosts = request.headers.getall("Host", ())
        if request.method == "CONNECT":
            status, why = 405, "CONNECT is for forward proxies; this is a reverse proxy"
        elif not target.startswith("/"):
            why = (f"request target {target[:100]!r}: a reverse proxy takes a path "
                   "(origin-form, /path?query), not a URL or '*'")
        elif len(hosts) > 1:
            why = "more than one Host header"
        elif hosts and not _HOST.fullmatch(hosts[0]):
            why = f"invalid Host header {hosts[0][:100]!r}: expected host[:port]"
        elif not hosts and (request.version >= (1, 1) or self._public is None):
            why = "no Host header" + ("" if request.version >= (1, 1) else
                                      " (HTTP/1.0 without one needs --public-url)")
        if why is None:
            return None
        self.counts["refused"] += 1
        response = _error(status, f"rulelang proxy: {why}",
                          allow="GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
                          if status == 405 else None)
        response.force_close()
        return response

    def _note(self, exc: Exception) -> None:
        """Keep the last 20 unexpected errors for the status endpoint."""
        self.errors.append(f"{type(exc).__name__}: {exc}")
        del self.errors[:-20]

    # -- control endpoints ------------------------------------------------------------------

    async def _control(self, request: web.Request) -> web.Response:
        name = request.path[len(_CONTROL):]
        if name == "status":
            if request.method not in ("GET", "HEAD"):
                return _error(405, "use GET /.rulelang/status", allow="GET, HEAD")
            return web.json_response(self.status())
        if name == "purge":
            if request.method != "POST":
                return _error(405, "use POST /.rulelang/purge with a purge API body",
                              allow="POST")
            try:
                body = json.loads(await request.read() or b"null")
                purged = self.store.purge(body)
            except (ValueError, PurgeError) as exc:
                return web.json_response(
                    {"success": False, "errors": [{"code": 1000, "message": str(exc)}],
                     "messages": [], "result": None}, status=400)
            self.counts["purges"] += 1
            return web.json_response({"success": True, "errors": [], "messages": [],
                                      "result": {"purged": purged}})
        return _error(404, f"no such endpoint {request.path!r}: /.rulelang/status or "
                           "/.rulelang/purge")

    def status(self) -> dict:
        """The ``GET /.rulelang/status`` object."""
        rules = self.rules
        diagnostics: list[Diagnostic] = (rules.diagnostics if isinstance(rules, RulesWatcher)
                                         else [])
        statuses = {k: v for k, v in self.counts.items() if k.isupper()}
        return {
            "fingerprint": self.engine.fingerprint,
            "objects": self.store.objects,
            "bytes": self.store.bytes,
            "store": self.store.kind,
            "hits": sum(v for k, v in statuses.items() if k in SERVED_FROM_CACHE),
            "misses": sum(v for k, v in statuses.items() if k not in SERVED_FROM_CACHE),
            "requests": self.counts["requests"],
            "statuses": dict(sorted(statuses.items())),
            "reloads": getattr(rules, "reloads", 0),
            "rules_errors": [d.to_dict() for d in diagnostics],
            "recent_errors": list(self.errors),
        }

    # -- proxying ---------------------------------------------------------------------------

    def _client(self, request: web.Request) -> Any:
        """The visitor's address, parsed once per peer address (the parse is a good part
        of building a request; a proxy sees the same few addresses again and again)."""
        peer = request.transport.get_extra_info("peername") if request.transport else None
        text = peer[0] if isinstance(peer, tuple) and peer else None
        if not isinstance(text, str):
            return None
        address = self._clients.get(text)
        if address is None:
            if len(self._clients) >= 4096:
                self._clients.clear()
            address = self._clients[text] = client_address(text) or False
        return address or None

    def _rules_request(self, request: web.Request) -> Request:
        headers = request.raw_headers
        if self._public is not None:
            scheme, host = self._public.scheme, self._public.netloc
        else:
            proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
            scheme, host = (proto if proto in ("http", "https") else request.scheme), None
        version = request.version
        return Request.from_wire(request.method, request.raw_path, headers, scheme=scheme,
                                 host=host, client_ip=self._client(request),
                                 http_version=_VERSIONS.get(version) or version[:2])

    async def _proxy(self, request: web.Request) -> web.StreamResponse:
        self.counts["requests"] += 1
        if _LOOP_TOKEN in request.headers.get("CDN-Loop", "").lower():
            return _error(508, "rulelang proxy: loop detected (--origin points back at this "
                               "proxy or another rulelang proxy in a circle)")
        rules_request = self._rules_request(request)
        pending = self.engine.request_phase(rules_request)
        if not pending.eligible:
            return await self._pass(request, pending,
                                    request.content if request.body_exists else b"")
        body = await request.read()
        key = pending.cache_key
        t = self.clock()
        lookup = self.store.lookup(key, t)
        if lookup.status == HIT:
            return self._from_cache(request, lookup.obj, HIT, lookup.age)
        if lookup.status == UPDATING:
            if lookup.refresh:
                self._refresh(request, pending, lookup)
            return self._from_cache(request, lookup.obj, UPDATING, lookup.age)
        leader = self._inflight.get(key)
        if leader is not None:  # collapse onto the request already asking the origin
            with contextlib.suppress(Exception):
                await asyncio.shield(leader)
            again = self.store.lookup(key, self.clock())
            if again.status == HIT:
                return self._from_cache(request, again.obj, HIT, again.age)
            return await self._pass(request, pending, body)
        future = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            return await self._fill(request, pending, lookup, body)
        finally:
            del self._inflight[key]
            future.set_result(None)

    async def _fill(self, request: web.Request, pending: Pending, lookup: Lookup,
                    body: bytes) -> web.StreamResponse:
        """A miss or an expired object: ask the origin (conditionally when the object has
        validators), decide, store, answer."""
        extra = validators(lookup) if lookup.status == EXPIRED else {}
        try:
            fetched = await self._fetch(request, pending, body, fill=True, extra=extra)
        except OriginError as exc:
            served = self.store.complete(lookup, self.clock(), None)
            if served.error or served.obj is None:
                return _origin_error(exc)
            return self._from_cache(request, served.obj, served.status, served.age)
        t = self.clock()
        if fetched.status == 304 and lookup.status == EXPIRED and extra:
            served = self.store.complete(lookup, t, OriginAnswer(not_modified=True))
            return self._from_cache(request, served.obj, served.status, served.age)
        decision = pending.response_phase(fetched.response)
        visitor = decision.visitor_headers(fetched.headers, cache_status="")
        obj = self._object(decision, pending, fetched, t, visitor)
        served = self.store.complete(lookup, t, OriginAnswer(
            obj=obj, status=decision.cache_status or MISS))
        status = served.status
        visitor.append(("CF-Cache-Status", status))  # what visitor_headers would add
        return await self._respond(request, fetched, visitor, status, ranges=True)

    def _object(self, decision: Any, pending: Pending, fetched: _Fetched, t: float,
                visitor: list[tuple[str, str]] | None = None) -> Any:
        if fetched.stream is not None:
            return None  # larger than max_body: streamed, not stored
        return self.store.object_for(decision, pending.request, fetched.status,
                                     fetched.headers, fetched.body, t, sized=fetched.sized,
                                     visitor=visitor)

    def _refresh(self, request: web.Request, pending: Pending, lookup: Lookup) -> None:
        """The background revalidation of an object served as UPDATING."""
        async def refresh() -> None:
            fetched = await self._fetch(request, pending, b"", fill=True,
                                        extra=validators(lookup))
            if fetched.stream is not None:  # too large to store
                fetched.close()
                self.store.abandon_refresh(lookup.key)
                return
            t = self.clock()
            if fetched.status == 304:
                self.store.complete(lookup, t, OriginAnswer(not_modified=True))
                return
            decision = pending.response_phase(fetched.response)
            self.store.complete(lookup, t, OriginAnswer(
                obj=self._object(decision, pending, fetched, t),
                status=decision.cache_status or MISS))

        async def run() -> None:
            try:
                await refresh()
            except Exception as exc:  # noqa: BLE001 - the next expired lookup tries again
                if not isinstance(exc, OriginError):
                    self._note(exc)
                self.store.abandon_refresh(lookup.key)

        task = asyncio.get_running_loop().create_task(run())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _pass(self, request: web.Request, pending: Pending,
                    body: bytes | aiohttp.StreamReader) -> web.StreamResponse:
        """Not looked up: forward as it is, decide (DYNAMIC, BYPASS…), store nothing."""
        try:
            fetched = await self._fetch(request, pending, body, fill=False, extra={})
        except OriginError as exc:
            return _origin_error(exc)
        decision = pending.response_phase(fetched.response)
        status = decision.cache_status or ("MISS" if pending.eligible else "DYNAMIC")
        return await self._respond(request, fetched, decision.visitor_headers(
            fetched.headers, cache_status=status), status)

    async def _fetch(self, request: web.Request, pending: Pending,
                     body: bytes | aiohttp.StreamReader, *, fill: bool,
                     extra: dict[str, str]) -> _Fetched:
        assert self._session is not None
        try:
            response = await self._session.request(
                pending.origin_method, self._origin + request.raw_path,
                timeout=self._timeout(pending.read_timeout),
                headers=_multi(_origin_headers(request, fill, extra)),
                data=body if isinstance(body, aiohttp.StreamReader) or body else None,
                allow_redirects=False,
                skip_auto_headers=("User-Agent", "Accept-Encoding"))
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise _origin_failure(exc) from None
        pairs = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in response.raw_headers]
        kept = [(n, v) for n, v in pairs if n.lower() not in _HOP]
        length = response.headers.get("Content-Length")
        seen = None if length is None else [
            (n, v) for n, v in pairs if n.lower() not in _HOP or n.lower() == "content-length"]
        try:
            whole, payload = await _read_up_to(response, self.config.max_body)
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            response.release()
            raise _origin_failure(exc) from None
        if not whole:  # too large to hold: the caller streams the rest
            return _Fetched(response.status, kept, payload, stream=response, length=length,
                            seen=seen)
        response.release()
        return _Fetched(response.status, kept, payload, length=length, seen=seen)

    # -- answers ----------------------------------------------------------------------------

    def _from_cache(self, request: web.Request, obj: Any, status: str,
                    age: int | None) -> web.StreamResponse:
        stored: Stored = obj.payload
        body = stored.body if stored.body is not None else self.store.body(obj)
        if body is None:
            return _error(502, "rulelang proxy: a stored body could not be read")
        self.counts[status] += 1
        code, headers, body = ranged(
            request.method, request.headers.get("Range"), request.headers.get("If-Range"),
            stored.status, served_headers(obj, status, age), body, sized=stored.sized,
            etag=obj.etag, last_modified=obj.last_modified)
        return _response(request, code, headers, body)

    async def _respond(self, request: web.Request, fetched: _Fetched,
                       headers: list[tuple[str, str]], status: str, *,
                       ranges: bool = False) -> web.StreamResponse:
        """The origin's answer to the visitor; with ``ranges`` (a cache fill, asked for
        the whole object) the visitor's ``Range`` is cut from it here."""
        self.counts[status] += 1
        if fetched.stream is None:
            code, body = fetched.status, fetched.body
            if ranges:
                code, headers, body = ranged(
                    request.method, request.headers.get("Range"),
                    request.headers.get("If-Range"), code, headers, body,
                    sized=fetched.sized, etag=fetched.header("ETag"),
                    last_modified=fetched.header("Last-Modified"))
            return _response(request, code, headers, body)
        out = web.StreamResponse(status=fetched.status, headers=_multi(
            [(n, v) for n, v in headers if n.lower() not in _HOP]))
        try:
            await out.prepare(request)
            await out.write(fetched.body)  # what was read before the size was known
            async for chunk in fetched.stream.content.iter_chunked(_CHUNK):
                await out.write(chunk)
            await out.write_eof()
        except (TimeoutError, aiohttp.ClientError, OSError, ConnectionError):
            pass  # the origin or the visitor went away mid-body: nothing more to send
        finally:
            fetched.close()
        return out

    def _log(self, request: web.Request, response: web.StreamResponse, started: float) -> None:
        out = self.config.access_log
        if out is None:
            return
        ms = (time.perf_counter() - started) * 1000
        status = response.headers.get("CF-Cache-Status", "-")
        line = (f'{request.remote or "-"} - - [{time.strftime("%d/%b/%Y:%H:%M:%S %z")}] '
                f'"{request.method} {request.raw_path} HTTP/{request.version.major}.'
                f'{request.version.minor}" {response.status} '
                f'{response.content_length if response.content_length is not None else "-"} '
                f'{status} {ms:.1f}ms\n')
        try:
            out.write(line)
            out.flush()
        except (OSError, ValueError):
            pass


def _origin_failure(exc: BaseException) -> OriginError:
    """A read timeout (connected, then nothing for ``read_timeout`` seconds) is Cloudflare's
    524; anything else (refused, reset, no connection in time) the origin is unreachable."""
    text = str(exc) or type(exc).__name__
    if isinstance(exc, aiohttp.SocketTimeoutError):
        return OriginTimeout(f"the origin sent nothing for the read timeout ({text})")
    return OriginError(text)


def _origin_error(exc: OriginError) -> web.Response:
    return _error(exc.status, f"rulelang proxy: {exc.title}: {exc}")


def _origin_headers(request: web.Request, fill: bool,
                    extra: dict[str, str]) -> list[tuple[str, str]]:
    """The visitor's headers for the origin: hop-by-hop ones dropped (and conditional ones
    on a cache fill), forwarding headers and the loop token added, then ``extra``."""
    headers = [(n, v) for n, v in request.headers.items()
               if n.lower() not in _HOP and not (fill and n.lower() in _CONDITIONAL)]
    peer = request.remote or ""
    forwarded = request.headers.get("X-Forwarded-For")
    headers.append(("X-Forwarded-For", f"{forwarded}, {peer}" if forwarded else peer))
    headers.append(("X-Forwarded-Proto", request.scheme))
    headers.append(("CDN-Loop", _LOOP_TOKEN))  # as Cloudflare sends "cloudflare"
    headers.extend(extra.items())
    return headers


async def _read_up_to(response: aiohttp.ClientResponse, limit: int) -> tuple[bool, bytes]:
    """``(True, body)`` when the body has at most ``limit`` bytes, else ``(False, the
    bytes read so far)`` — the rest is still to be read from ``response``."""
    length = response.content_length
    if length is not None and length > limit:
        return False, b""
    if length is not None:
        return True, await response.read()
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(_CHUNK):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return False, b"".join(chunks)
    return True, b"".join(chunks)


def _multi(headers: list[tuple[str, str]]) -> Any:
    return CIMultiDict(headers)


def _response(request: web.Request, status: int, headers: list[tuple[str, str]],
              body: bytes) -> web.Response:
    """``headers`` are hop-by-hop free already (the origin's were filtered when read);
    aiohttp sends no body to a HEAD request, and keeps its Content-Length."""
    return web.Response(status=status, body=body, headers=CIMultiDict(headers))


def _error(status: int, message: str, *, allow: str | None = None) -> web.Response:
    headers = {"Allow": allow} if allow else None
    return web.Response(status=status, text=message + "\n", headers=headers)


class _ClientFaults(logging.Filter):
    """Drops aiohttp's tracebacks for requests that did not parse: the client was told
    (``400``) and the proxy is fine, so they are not the operator's errors."""

    def filter(self, record: logging.LogRecord) -> bool:
        from aiohttp.http_exceptions import HttpProcessingError

        info = record.exc_info
        return not (info and isinstance(info[1], HttpProcessingError))


_CLIENT_FAULTS = _ClientFaults()


async def serve(server: ProxyServer, host: str, port: int, *, reload: bool = False,
                interval: float = 1.0, ready: Callable[[str, int], Any] | None = None,
                stop: asyncio.Event | None = None) -> None:
    """Run ``server`` on ``host:port`` until ``stop`` is set (or forever); with
    ``reload`` the rules are checked every ``interval`` seconds; SIGHUP reloads them."""
    logging.getLogger("aiohttp.server").addFilter(_CLIENT_FAULTS)  # once: filters are a set
    runner = server.runner()
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0]
    if ready is not None:
        ready(bound[0], bound[1])
    loop = asyncio.get_running_loop()
    rules = server.rules

    def hup() -> None:
        if isinstance(rules, RulesWatcher):
            loop.run_in_executor(None, rules.reload)

    if sys.platform != "win32":
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal.SIGHUP, hup)
    stop = stop or asyncio.Event()
    try:
        while not stop.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)
            if reload and isinstance(rules, RulesWatcher):
                # built in a worker thread: requests keep being served on the old rules
                await loop.run_in_executor(None, rules.check)
    finally:
        if sys.platform != "win32":
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signal.SIGHUP)
        await runner.cleanup()
