"""Request collapsing over loopback when the leader's answer is not stored: each waiter
then gets its own origin answer (docs/proxy.md, "Request collapsing")."""

from __future__ import annotations

import asyncio
import itertools

from aiohttp import web


def test_waiters_ask_the_origin_themselves_when_the_answer_was_not_stored(run, kit):
    counter = itertools.count()

    def personal(request: web.Request) -> web.Response:
        n = next(counter)
        return web.Response(body=f"for visitor {n}".encode(),
                            headers={"Cache-Control": "private",
                                     "Set-Cookie": f"session={n}"})

    async def scenario():
        async with kit.running({"/me.js": personal}) as h:
            h.origin.delay = 0.2
            results = await asyncio.gather(*(h.get("/me.js") for _ in range(6)))
            assert h.origin.count("/me.js") == 6
            # not stored: never a HIT (the model calls `private` with a cookie a MISS)
            assert {r[1]["CF-Cache-Status"] for r in results} == {"MISS"}
            bodies = {r[2] for r in results}
            cookies = {r[1]["Set-Cookie"] for r in results}
            assert len(bodies) == 6 and len(cookies) == 6  # nobody got another's answer
            _, state = await h.control("GET", "status")
            assert state["objects"] == 0
    run(scenario())
