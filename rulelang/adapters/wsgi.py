"""A WSGI middleware (Flask, Django, any WSGI application); imports nothing.

::

    from rulelang.adapters.wsgi import CloudflareCacheMiddleware
    app.wsgi_app = CloudflareCacheMiddleware(app.wsgi_app, rules=engine,
                                             public_url="https://www.example.com")

Each response gets the visitor's headers of the decision (see :mod:`rulelang.adapters`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from rulelang.adapters import OnDecision, Rules, engine_of, public_origin
from rulelang.http.messages import Request, Response

__all__ = ["CloudflareCacheMiddleware", "request_from_environ", "response_from_start"]


def _bytes(text: str) -> bytes:
    # WSGI strings are "bytes as Latin-1" (PEP 3333)
    return text.encode("latin-1", "replace")


def request_from_environ(environ: dict, *, public_url: str | None = None,
                         fields: dict | None = None) -> Request:
    """The :class:`Request` of a WSGI ``environ`` (PEP 3333 strings read back as bytes).

    WSGI joins repeated headers into one (``Cookie`` with ``;`` by most servers, others
    with ``,``); the original repeats cannot be recovered here.
    """
    scheme, host = public_origin(public_url)
    target = _bytes(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "") or "/")
    if environ.get("QUERY_STRING"):
        target += b"?" + _bytes(environ["QUERY_STRING"])
    headers = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers.append((key[5:].replace("_", "-").title().encode(), _bytes(value)))
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            headers.append((key.replace("_", "-").title().encode(), _bytes(value)))
    if host is None and not environ.get("HTTP_HOST"):
        port = environ.get("SERVER_PORT", "")
        default = "443" if environ.get("wsgi.url_scheme") == "https" else "80"
        host = environ.get("SERVER_NAME", "localhost") + (f":{port}" if port and port != default
                                                          else "")
    return Request.from_wire(environ.get("REQUEST_METHOD", "GET"), target, headers,
                             scheme=scheme or environ.get("wsgi.url_scheme", "http"),
                             host=host, client_ip=environ.get("REMOTE_ADDR"),
                             http_version=environ.get("SERVER_PROTOCOL"), fields=fields)


def response_from_start(status: str, headers: list[tuple[str, str]]) -> Response:
    """The :class:`Response` of a ``start_response(status, headers)`` call."""
    return Response.from_wire(status, [(_bytes(n), _bytes(v)) for n, v in headers])


class CloudflareCacheMiddleware:
    """Runs the rules on every request and response of ``app``."""

    def __init__(self, app: Callable, rules: Rules, *, public_url: str | None = None,
                 on_decision: OnDecision | None = None) -> None:
        self.app = app
        self.rules = rules
        self.public_url = public_url
        self.on_decision = on_decision
        public_origin(public_url)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        request = request_from_environ(environ, public_url=self.public_url)
        pending = engine_of(self.rules).request_phase(request)

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            decision = pending.response_phase(response_from_start(status, headers))
            if self.on_decision is not None:
                self.on_decision(request, decision)
            return start_response(status, decision.visitor_headers(headers), exc_info)

        return self.app(environ, start)
