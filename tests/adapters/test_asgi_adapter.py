"""The ASGI middleware in a real Starlette app served by uvicorn on 127.0.0.1."""

from __future__ import annotations

import asyncio
import threading
import time
import urllib.request

import pytest

starlette = pytest.importorskip("starlette")
uvicorn = pytest.importorskip("uvicorn")

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from rulelang.adapters.asgi import CloudflareCacheMiddleware, request_from_scope
from rulelang.engine import Engine

REQ = "http_request_cache_settings"
ENGINE = Engine([{"phase": REQ, "rules": [{
    "expression": 'ip.src in {127.0.0.0/8} and http.host eq "www.example.com" and ssl',
    "action": "set_cache_settings", "action_parameters": {"cache": True}}]}])


def page(request):
    return PlainTextResponse("hello", headers={"Cache-Control": "max-age=60",
                                               "Cache-Tag": "a", "ETag": '"e"'})


def serve(app):
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                            lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, thread, f"http://127.0.0.1:{port}"


def test_starlette_app_behind_the_middleware():
    seen = []
    app = Starlette(routes=[Route("/page", page)])
    app.add_middleware(CloudflareCacheMiddleware, rules=ENGINE,
                       public_url="https://www.example.com",
                       on_decision=lambda request, decision: seen.append((request, decision)))
    server, thread, base = serve(app)
    try:
        with urllib.request.urlopen(base + "/page", timeout=20) as response:
            headers, body = response.headers, response.read()
    finally:
        server.should_exit = True
        thread.join(30)
    assert body == b"hello"
    assert headers["CF-Cache-Status"] == "MISS"
    assert headers["Cache-Control"] == "max-age=14400" and "Cache-Tag" not in headers
    request, decision = seen[0]
    assert request.url == "https://www.example.com/page"
    assert str(request.client_ip) == "127.0.0.1" and decision.stored


def test_request_from_scope_reads_raw_bytes_and_repeats():
    scope = {"type": "http", "method": "GET", "raw_path": b"/caf%C3%A9", "query_string": b"a=1",
             "headers": [(b"host", b"h.example"), (b"cookie", b"a=1"), (b"cookie", b"b=2")],
             "client": ("::ffff:10.0.0.1", 1), "scheme": "http", "http_version": "1.1"}
    request = request_from_scope(scope)
    assert request.url == "http://h.example/caf%C3%A9?a=1"
    assert request.header_values("cookie") == ["a=1", "b=2"]
    assert str(request.client_ip) == "10.0.0.1"


def test_non_http_scopes_pass_through():
    calls = []

    async def app(scope, receive, send):
        calls.append(scope["type"])

    asyncio.run(CloudflareCacheMiddleware(app, rules=ENGINE)({"type": "lifespan"}, None, None))
    assert calls == ["lifespan"]
