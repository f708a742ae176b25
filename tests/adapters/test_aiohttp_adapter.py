"""The aiohttp.web middleware in a real aiohttp app on 127.0.0.1, called by aiohttp's
client."""

from __future__ import annotations

import asyncio

import pytest

aiohttp = pytest.importorskip("aiohttp")

from aiohttp import web

from rulelang.adapters.aiohttp_web import cloudflare_cache_middleware
from rulelang.engine import Engine

ENGINE = Engine([{"phase": "http_request_cache_settings", "rules": [{
    "expression": 'http.cookie contains "session"', "action": "set_cache_settings",
    "action_parameters": {"cache": False}}]}])


async def image(request):
    return web.Response(body=b"png", headers={"Cache-Control": "max-age=60", "Cache-Tag": "i"})


async def gone(request):
    raise web.HTTPNotFound(headers={"Cache-Tag": "i"})


def test_aiohttp_app_behind_the_middleware():
    async def scenario():
        seen = []
        app = web.Application(middlewares=[cloudflare_cache_middleware(
            ENGINE, public_url="https://www.example.com",
            on_decision=lambda r, d: seen.append((r, d)))])
        app.router.add_get("/a.png", image)
        app.router.add_get("/gone.png", gone)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        out = []
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as client:
                for path, cookie in (("/a.png", None), ("/a.png", "session=1"),
                                     ("/gone.png", None)):
                    headers = {"Cookie": cookie} if cookie else {}
                    async with client.get(f"http://{host}:{port}{path}",
                                          headers=headers) as response:
                        out.append((response.status, response.headers.get("CF-Cache-Status"),
                                    "Cache-Tag" in response.headers))
        finally:
            await runner.cleanup()
        return out, seen

    out, seen = asyncio.run(asyncio.wait_for(scenario(), 60))
    assert out == [(200, "MISS", False), (200, "DYNAMIC", False), (404, "MISS", False)]
    assert seen[0][0].url == "https://www.example.com/a.png"
