"""Adapters: the engine inside the servers people run (interfaces.md §5).

Each module imports only its own framework, and only when it is imported itself:

* :mod:`rulelang.adapters.asgi` — an ASGI middleware (Starlette, FastAPI, any ASGI app);
  needs no package.
* :mod:`rulelang.adapters.wsgi` — a WSGI middleware (Flask, Django, any WSGI app); needs
  no package.
* :mod:`rulelang.adapters.aiohttp_web` — an aiohttp.web middleware (extra ``aiohttp``).
* :mod:`rulelang.adapters.mitmproxy_addon` — a mitmproxy addon with a cache
  (``mitmdump -s`` with its path; extra ``mitmproxy``).

The middlewares put Cloudflare's view on an application's responses: the rules decide,
and the response gets the visitor's headers of the :class:`~rulelang.Decision`
(``CF-Cache-Status``, the browser ``Cache-Control``, stripped headers, no ``Cache-Tag``).
They do not cache — ``rulelang proxy`` and the mitmproxy addon do.  Each takes an
:class:`~rulelang.Engine` or a :class:`~rulelang.RulesWatcher`, a ``public_url``
(what visitors type: the rules see that scheme and host, not the server's listening
address), and ``on_decision(request, decision)``, called for every request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from rulelang.engine import Engine
from rulelang.errors import RuleLangError

__all__ = ["Rules", "engine_of", "public_origin"]

#: An engine, or something with a current ``engine`` (a RulesWatcher).
Rules = Any
OnDecision = Callable[[Any, Any], Any]


def engine_of(rules: Rules) -> Engine:
    """The engine to start a request on now."""
    return rules if isinstance(rules, Engine) else rules.engine


def public_origin(public_url: str | None) -> tuple[str | None, str | None]:
    """``(scheme, host[:port])`` of a public URL, or ``(None, None)``."""
    if not public_url:
        return None, None
    parts = urlsplit(public_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RuleLangError(f"public_url {public_url!r}: expected https://host[:port]")
    return parts.scheme, parts.netloc
