"""Loopback harness for the proxy tests: an origin server and a ``rulelang proxy``
started by the test on 127.0.0.1 (ephemeral ports), a real aiohttp client, a clock the
test moves by hand.  Every wait is bounded."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from rulelang.engine import Engine
from rulelang.proxy.server import ProxyConfig, ProxyServer
from rulelang.proxy.store import MemoryStore

REQ, RESP = "http_request_cache_settings", "http_response_cache_settings"


class Clock:
    """A clock the test sets by hand."""

    def __init__(self, t: float = 1_800_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@dataclass
class Origin:
    """An origin whose routes are plain functions of the aiohttp request."""

    routes: dict[str, Callable[[web.Request], Any]]
    seen: list[tuple[str, str, dict]] = field(default_factory=list)
    delay: float = 0.0
    runner: web.AppRunner | None = None
    url: str = ""

    def count(self, path: str) -> int:
        return sum(1 for _, p, _ in self.seen if p == path)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.seen.append((request.method, request.path_qs, dict(request.headers)))
        if self.delay:
            await asyncio.sleep(self.delay)
        route = self.routes.get(request.path)
        if route is None:
            return web.Response(status=404, text="no such page")
        result = route(request)
        return await result if asyncio.iscoroutine(result) else result

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        host, port = self.runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None


@dataclass
class Harness:
    origin: Origin
    proxy: ProxyServer
    url: str
    client: aiohttp.ClientSession
    clock: Clock

    async def get(self, path: str, method: str = "GET", **kwargs: Any
                  ) -> tuple[int, Any, bytes]:
        headers = {"Host": "www.example.com", **kwargs.pop("headers", {})}
        async with self.client.request(method, self.url + path, headers=headers,
                                       **kwargs) as response:
            return response.status, response.headers, await response.read()

    async def control(self, method: str, name: str, body: Any = None) -> tuple[int, Any]:
        async with self.client.request(method, f"{self.url}/.rulelang/{name}",
                                       json=body) as response:
            try:
                return response.status, await response.json(content_type=None)
            except ValueError:
                return response.status, await response.text()

    async def settle(self, predicate: Callable[[], bool], seconds: float = 5.0) -> bool:
        """Wait (bounded) for background work such as a stale refresh."""
        for _ in range(int(seconds / 0.01)):
            if predicate():
                return True
            await asyncio.sleep(0.01)
        return predicate()


def rules_engine(request_rules=(), response_rules=(), **kwargs) -> Engine:
    return Engine([{"phase": REQ, "rules": list(request_rules)},
                   {"phase": RESP, "rules": list(response_rules)}], **kwargs)


@contextlib.asynccontextmanager
async def running(routes: dict, *, rules: Any = None, store: MemoryStore | None = None,
                  clock: Clock | None = None, public_url: str | None = None,
                  log: Any = None, origin: Origin | None = None, max_body: int = 1 << 26,
                  idle_timeout: float = 75.0):
    origin = origin or Origin(routes)
    if origin.runner is None:
        await origin.start()
    clock = clock or Clock()
    proxy = ProxyServer(rules if rules is not None else rules_engine(),
                        store if store is not None else MemoryStore(10_000_000),
                        ProxyConfig(origin.url, public_url, log, max_body=max_body,
                                    idle_timeout=idle_timeout),
                        clock=clock)
    runner = proxy.runner()
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    timeout = aiohttp.ClientTimeout(total=20)
    async with aiohttp.ClientSession(timeout=timeout, auto_decompress=False) as client:
        try:
            yield Harness(origin, proxy, f"http://{host}:{port}", client, clock)
        finally:
            await runner.cleanup()
            await origin.stop()


@pytest.fixture
def run():
    """``run(coroutine)``: the test's scenario on a fresh event loop, at most 60 s."""
    def runner(coro):
        return asyncio.run(asyncio.wait_for(coro, 60))
    return runner


@pytest.fixture
def kit():
    """The harness pieces, as a fixture (test modules do not import each other)."""
    class Kit:
        pass
    k = Kit()
    k.running, k.Clock, k.Origin, k.rules_engine = running, Clock, Origin, rules_engine
    k.REQ, k.RESP = REQ, RESP
    return k
