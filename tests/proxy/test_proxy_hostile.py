"""rulelang proxy against hostile HTTP over a raw loopback socket: each malformed request
gets a clear 4xx or a closed connection, nothing reaches the origin that should not, and
the proxy keeps serving.  Every socket read is bounded in time and size."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest
from aiohttp import web


def page(body: bytes, **headers: str):
    def route(request: web.Request) -> web.Response:
        return web.Response(body=body, headers=headers)
    return route


def exchange(host: str, port: int, data: bytes, *, wait: float = 10.0,
             half: bool = False) -> bytes:
    """Send ``data`` (as much as the peer takes), then read the reply until the proxy
    closes the connection, a whole reply head has arrived, or ``wait`` seconds pass.
    ``half``: do not send more; just wait for the proxy to act."""
    deadline = time.monotonic() + wait
    with socket.create_connection((host, port), timeout=wait) as conn:
        try:
            conn.sendall(data)
        except OSError:  # the proxy closed while we were still sending: also an answer
            pass
        reply = b""
        while time.monotonic() < deadline and len(reply) < 1 << 20:
            conn.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                got = conn.recv(65536)
            except TimeoutError:
                break
            except OSError:
                break
            if not got:
                break
            reply += got
            if not half and b"\r\n\r\n" in reply:
                break
        return reply


async def talk(h, data: bytes, **kwargs) -> bytes:
    """:func:`exchange` with the harness's proxy, off the event loop."""
    host, port = h.url.removeprefix("http://").split(":")
    return await asyncio.get_running_loop().run_in_executor(
        None, lambda: exchange(host, int(port), data, **kwargs))


def status_of(reply: bytes) -> int | None:
    """The status of a reply, ``None`` when the connection was closed without one."""
    if not reply:
        return None
    line = reply.split(b"\r\n", 1)[0].split()
    assert line[0] in (b"HTTP/1.0", b"HTTP/1.1"), reply[:200]
    return int(line[1])


GOOD = b"GET /a.css HTTP/1.1\r\nHost: www.example.com\r\nConnection: close\r\n\r\n"

HOSTILE = {
    "bad request line": b"GARBAGE\r\n\r\n",
    "bad method token": b"G{T /a.css HTTP/1.1\r\nHost: www.example.com\r\n\r\n",
    "unknown version": b"GET /a.css HTTP/9.9\r\nHost: www.example.com\r\n\r\n",
    "header without colon": b"GET /a.css HTTP/1.1\r\nHost: www.example.com\r\nBad Header\r\n\r\n",
    "header line too long": b"GET /a.css HTTP/1.1\r\nHost: www.example.com\r\nX-Long: "
                            + b"a" * 20_000 + b"\r\n\r\n",
    "too many headers": b"GET /a.css HTTP/1.1\r\nHost: www.example.com\r\n"
                        + b"".join(b"X-H%d: v\r\n" % i for i in range(500)) + b"\r\n",
    "request line too long": b"GET /" + b"a" * 20_000 + b".css HTTP/1.1\r\nHost: x\r\n\r\n",
    "no host": b"GET /a.css HTTP/1.1\r\n\r\n",
    "two hosts": b"GET /a.css HTTP/1.1\r\nHost: www.example.com\r\nHost: evil.example\r\n\r\n",
    "host with space": b"GET /a.css HTTP/1.1\r\nHost: bad host!\r\n\r\n",
    "host with path": b"GET /a.css HTTP/1.1\r\nHost: www.example.com/x\r\n\r\n",
    "host with userinfo": b"GET /a.css HTTP/1.1\r\nHost: user@www.example.com\r\n\r\n",
    "host with bad port": b"GET /a.css HTTP/1.1\r\nHost: www.example.com:80x\r\n\r\n",
    "empty host": b"GET /a.css HTTP/1.1\r\nHost: \r\n\r\n",
    "absolute-form target": b"GET http://evil.example/a.css HTTP/1.1\r\n"
                            b"Host: www.example.com\r\n\r\n",
    "asterisk-form target": b"OPTIONS * HTTP/1.1\r\nHost: www.example.com\r\n\r\n",
    "CONNECT": b"CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n",
    "TLS hello": bytes.fromhex("160301020001000200030300") + b"\x00" * 64,
    "binary noise": bytes(range(256)) * 4,
    "CL and TE": b"POST /a.css HTTP/1.1\r\nHost: www.example.com\r\nContent-Length: 4\r\n"
                 b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled.css HTTP/1.1\r\n"
                 b"Host: www.example.com\r\n\r\n",
    "two content-lengths": b"POST /a.css HTTP/1.1\r\nHost: www.example.com\r\n"
                           b"Content-Length: 4\r\nContent-Length: 40\r\n\r\nabcd",
    "bad content-length": b"POST /a.css HTTP/1.1\r\nHost: www.example.com\r\n"
                          b"Content-Length: -1\r\n\r\n",
    "obfuscated TE": b"POST /a.css HTTP/1.1\r\nHost: www.example.com\r\n"
                     b"Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
    "bad chunk size": b"POST /a.css HTTP/1.1\r\nHost: www.example.com\r\n"
                      b"Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
    "bare LF smuggling": b"GET /a.css HTTP/1.1\nHost: www.example.com\nContent-Length: 0\n\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_request_gets_a_4xx_or_a_close_and_the_proxy_keeps_serving(run, kit, name):
    async def scenario():
        routes = {"/a.css": page(b"a", **{"Cache-Control": "max-age=100"}),
                  "/smuggled.css": page(b"s")}
        async with kit.running(routes) as h:
            reply = await talk(h, HOSTILE[name])
            status = status_of(reply)
            assert status is None or 400 <= status <= 499, reply[:300]
            if status is not None:
                assert b"\r\n\r\n" in reply  # a whole answer, not a torn one
            assert h.origin.count("/smuggled.css") == 0
            assert not any(p.startswith("http") or p == "*" for _, p, _ in h.origin.seen)
            # the proxy keeps serving, on a fresh connection
            ok = await talk(h, GOOD)
            assert status_of(ok) == 200, ok[:300]
            _, state = await h.control("GET", "status")
            assert state["recent_errors"] == []
    run(scenario())


def test_a_ten_megabyte_header_is_refused_without_reading_it_all(run, kit):
    async def scenario():
        async with kit.running({"/a.css": page(b"a")}) as h:
            data = (b"GET /a.css HTTP/1.1\r\nHost: www.example.com\r\nX-Huge: "
                    + b"h" * (10 * 1024 * 1024) + b"\r\n\r\n")
            reply = await talk(h, data)
            status = status_of(reply)
            assert status is None or 400 <= status <= 499, reply[:300]
            assert h.origin.seen == []
            ok = await talk(h, GOOD)
            assert status_of(ok) == 200
    run(scenario())


def test_half_sent_headers_are_dropped_after_the_idle_timeout(run, kit):
    async def scenario():
        async with kit.running({"/a.css": page(b"a")}, idle_timeout=1.0) as h:
            partial = b"GET /a.css HTTP/1.1\r\nHost: www.example.com\r\nX-Slow: 1"
            started = time.monotonic()
            # the proxy closes the connection; the wait is bounded at 15 s either way
            reply = await talk(h, partial, wait=15.0, half=True)
            assert time.monotonic() - started < 14, "the half-sent request was kept open"
            assert status_of(reply) in (None, 400, 408), reply[:300]
            assert h.origin.seen == []
            ok = await talk(h, GOOD)
            assert status_of(ok) == 200
    run(scenario())


def test_requests_pipelined_after_a_bad_one_are_not_served(run, kit):
    async def scenario():
        async with kit.running({"/a.css": page(b"a"), "/b.css": page(b"b")}) as h:
            data = (b"GET /a.css HTTP/1.1\r\nHost: bad host\r\n\r\n"
                    b"GET /b.css HTTP/1.1\r\nHost: www.example.com\r\n\r\n")
            reply = await talk(h, data, wait=5.0, half=True)
            assert status_of(reply) == 400
            assert h.origin.count("/b.css") == 0
    run(scenario())


def test_a_bad_request_pipelined_before_a_good_one_closes_the_connection(run, kit):
    async def scenario():
        async with kit.running({"/b.css": page(b"b")}) as h:
            data = (b"GET /a.css HTTP/1.1\r\nHost: www.example.com\r\nBad Header\r\n\r\n"
                    b"GET /b.css HTTP/1.1\r\nHost: www.example.com\r\n\r\n")
            reply = await talk(h, data, wait=5.0, half=True)
            assert status_of(reply) == 400 and reply.count(b"HTTP/1.") == 1
            assert h.origin.count("/b.css") == 0
    run(scenario())


def test_serve_logs_no_traceback_for_requests_that_do_not_parse(run, caplog):
    from rulelang.engine import Engine
    from rulelang.proxy.server import ProxyConfig, ProxyServer, serve
    from rulelang.proxy.store import MemoryStore

    async def scenario():
        server = ProxyServer(Engine([]), MemoryStore(1000), ProxyConfig("http://127.0.0.1:9"))
        stop = asyncio.Event()
        bound: list = []
        task = asyncio.create_task(serve(server, "127.0.0.1", 0, interval=0.05,
                                         ready=lambda host, port: bound.append(port),
                                         stop=stop))
        try:
            for _ in range(250):
                if bound:
                    break
                await asyncio.sleep(0.02)
            loop = asyncio.get_running_loop()
            for data in (b"GARBAGE\r\n\r\n", bytes(range(256))):
                reply = await loop.run_in_executor(None, exchange, "127.0.0.1", bound[0], data)
                assert status_of(reply) == 400
        finally:
            stop.set()
            await asyncio.wait_for(task, 10)

    with caplog.at_level("DEBUG", logger="aiohttp.server"):
        run(scenario())
    assert not [r for r in caplog.records if r.exc_info], caplog.text[:500]
