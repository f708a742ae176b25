"""rulelang proxy and the Cache Rules' ``read_timeout`` over loopback: a real origin that
goes quiet, a real aiohttp client.  Every wait is bounded (the origin's silence ends when
the test releases it, at most a few seconds)."""

from __future__ import annotations

import asyncio

from aiohttp import web


def quiet_origin(release: asyncio.Event, body: bytes, cache_control: str):
    """Answers at once while ``release`` is set; otherwise stays silent until it is
    (or 5 s pass), then answers."""
    def route(request: web.Request):
        async def answer() -> web.Response:
            if not release.is_set():
                try:
                    await asyncio.wait_for(release.wait(), 5)
                except TimeoutError:
                    pass
            return web.Response(body=body, headers={"Cache-Control": cache_control})
        return answer()
    return route


def timeout_rule(kit, seconds: int, **extra) -> dict:
    return {"expression": 'http.request.uri.path wildcard "/slow*"',
            "action": "set_cache_settings",
            "action_parameters": {"cache": True, "read_timeout": seconds, **extra}}


def test_read_timeout_of_the_rule_gives_524(run, kit):
    async def scenario():
        release = asyncio.Event()
        routes = {"/slow.css": quiet_origin(release, b"s", "max-age=100"),
                  "/other.css": quiet_origin(release, b"o", "max-age=100")}
        engine = kit.rules_engine([timeout_rule(kit, 1)], zone={"plan": "enterprise"})
        async with kit.running(routes, rules=engine) as h:
            status, headers, body = await h.get("/slow.css")
            assert status == 524 and b"a timeout occurred" in body
            assert "CF-Cache-Status" not in headers
            # a path no rule times out keeps Cloudflare's default (100 s): it waits
            other = asyncio.ensure_future(h.get("/other.css"))
            await asyncio.sleep(1.3)
            assert not other.done()
            release.set()
            status, headers, body = await asyncio.wait_for(other, 10)
            assert (status, headers["CF-Cache-Status"], body) == (200, "MISS", b"o")
            # the proxy keeps serving, and the slow path works once the origin answers
            status, headers, body = await h.get("/slow.css")
            assert (status, headers["CF-Cache-Status"], body) == (200, "MISS", b"s")
            _, state = await h.control("GET", "status")
            assert state["recent_errors"] == []
    run(scenario())


def test_read_timeout_on_an_expired_object_serves_stale_where_allowed(run, kit):
    async def scenario():
        release = asyncio.Event()
        release.set()
        routes = {"/slow/s.css": quiet_origin(release, b"s", "max-age=10, "
                                                            "stale-while-revalidate=5"),
                  "/slow/m.css": quiet_origin(release, b"m", "max-age=10, must-revalidate")}
        engine = kit.rules_engine([timeout_rule(kit, 1)], zone={"plan": "enterprise"})
        async with kit.running(routes, rules=engine) as h:
            assert (await h.get("/slow/s.css"))[1]["CF-Cache-Status"] == "MISS"
            assert (await h.get("/slow/m.css"))[1]["CF-Cache-Status"] == "MISS"
            release.clear()
            h.clock.advance(100)  # past max-age and the stale-while-revalidate window
            status, headers, body = await h.get("/slow/s.css")
            assert (status, headers["CF-Cache-Status"], headers["Age"], body) == (
                200, "STALE", "100", b"s")
            status, headers, _ = await h.get("/slow/m.css")  # must-revalidate: no stale
            assert status == 524 and "CF-Cache-Status" not in headers
            release.set()
    run(scenario())


def test_an_unreachable_origin_is_502_not_524(run, kit):
    async def scenario():
        async with kit.running({}) as h:
            await h.origin.stop()
            status, _, body = await h.get("/gone.css")
            assert status == 502 and b"origin unreachable" in body
    run(scenario())
