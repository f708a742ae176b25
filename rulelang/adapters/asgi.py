"""An ASGI middleware (Starlette, FastAPI, any ASGI 3 application); imports nothing.

::

    from rulelang import Engine
    from rulelang.adapters.asgi import CloudflareCacheMiddleware

    app.add_middleware(CloudflareCacheMiddleware, rules=Engine.from_files("rules/"),
                       public_url="https://www.example.com")          # Starlette/FastAPI
    app = CloudflareCacheMiddleware(app, rules=engine)                # any ASGI app

Each HTTP response gets the visitor's headers of the decision (see
:mod:`rulelang.adapters`).  The response body streams through untouched.
"""

from __future__ import annotations

from typing import Any

from rulelang.adapters import OnDecision, Rules, engine_of, public_origin
from rulelang.http.messages import Request, Response

__all__ = ["CloudflareCacheMiddleware", "request_from_scope", "response_from_message"]


def request_from_scope(scope: dict, *, public_url: str | None = None,
                       fields: dict | None = None) -> Request:
    """The :class:`Request` of an ASGI ``http`` scope: raw path and query, header bytes
    with repeats, the client address (IPv4-mapped read as IPv4)."""
    scheme, host = public_origin(public_url)
    target = scope.get("raw_path") or scope.get("path", "/").encode("utf-8")
    query = scope.get("query_string") or b""
    if query:
        target = bytes(target) + b"?" + bytes(query)
    client = scope.get("client")
    return Request.from_wire(scope.get("method", "GET"), target, scope.get("headers") or [],
                             scheme=scheme or scope.get("scheme", "http"), host=host,
                             client_ip=client[0] if client else None,
                             http_version=scope.get("http_version"), fields=fields)


def response_from_message(message: dict) -> Response:
    """The :class:`Response` of an ASGI ``http.response.start`` message."""
    return Response.from_wire(message.get("status", 200), message.get("headers") or [])


class CloudflareCacheMiddleware:
    """Runs the rules on every HTTP request and response of ``app``."""

    def __init__(self, app: Any, rules: Rules, *, public_url: str | None = None,
                 on_decision: OnDecision | None = None) -> None:
        self.app = app
        self.rules = rules
        self.public_url = public_url
        self.on_decision = on_decision
        public_origin(public_url)  # a bad URL fails here, not on the first request

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        request = request_from_scope(scope, public_url=self.public_url)
        pending = engine_of(self.rules).request_phase(request)

        async def send_with_decision(message: dict) -> None:
            if message.get("type") == "http.response.start":
                decision = pending.response_phase(response_from_message(message))
                if self.on_decision is not None:
                    self.on_decision(request, decision)
                headers = decision.visitor_headers(message.get("headers") or [])
                message = {**message, "headers": [(n.encode("latin-1"), v.encode("latin-1"))
                                                  for n, v in headers]}
            await send(message)

        await self.app(scope, receive, send_with_decision)
