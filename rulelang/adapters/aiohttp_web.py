"""An aiohttp.web middleware (extra ``aiohttp``).

::

    from aiohttp import web
    from rulelang.adapters.aiohttp_web import cloudflare_cache_middleware

    app = web.Application(middlewares=[cloudflare_cache_middleware(
        engine, public_url="https://www.example.com")])

Each response gets the visitor's headers of the decision (see :mod:`rulelang.adapters`).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from rulelang.adapters import OnDecision, Rules, engine_of, public_origin
from rulelang.http.messages import Request, Response

__all__ = ["cloudflare_cache_middleware", "request_from_aiohttp", "response_from_aiohttp"]


def request_from_aiohttp(request: web.BaseRequest, *, public_url: str | None = None,
                         fields: dict | None = None) -> Request:
    """The :class:`Request` of an aiohttp server request (raw path, raw header bytes with
    repeats, the peer address)."""
    scheme, host = public_origin(public_url)
    peer = request.transport.get_extra_info("peername") if request.transport else None
    return Request.from_wire(request.method, request.raw_path, request.raw_headers,
                             scheme=scheme or request.scheme, host=host,
                             client_ip=peer[0] if isinstance(peer, tuple) and peer else None,
                             http_version=(request.version.major, request.version.minor),
                             fields=fields)


def response_from_aiohttp(response: web.StreamResponse) -> Response:
    """The :class:`Response` of an aiohttp server response (before it is sent)."""
    return Response.from_wire(response.status, list(response.headers.items()))


def cloudflare_cache_middleware(rules: Rules, *, public_url: str | None = None,
                                on_decision: OnDecision | None = None) -> Any:
    """A middleware that runs the rules on every request and response."""
    public_origin(public_url)

    @web.middleware
    async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
        rules_request = request_from_aiohttp(request, public_url=public_url)
        pending = engine_of(rules).request_phase(rules_request)
        def apply(response: web.StreamResponse) -> None:
            decision = pending.response_phase(response_from_aiohttp(response))
            if on_decision is not None:
                on_decision(rules_request, decision)
            headers = decision.visitor_headers(list(response.headers.items()))
            response.headers.clear()
            response.headers.extend(headers)

        try:
            response = await handler(request)
        except web.HTTPException as exc:  # a raised response is a response too
            apply(exc)
            raise
        apply(response)
        return response

    return middleware
