"""The WSGI middleware in front of a WSGI app served by wsgiref on 127.0.0.1."""

from __future__ import annotations

import threading
import urllib.request
from wsgiref.simple_server import WSGIRequestHandler, make_server

from rulelang.adapters.wsgi import CloudflareCacheMiddleware, request_from_environ
from rulelang.engine import Engine

ENGINE = Engine([{"phase": "http_request_cache_settings", "rules": [{
    "expression": 'http.request.uri.path eq "/page"', "action": "set_cache_settings",
    "action_parameters": {"cache": True}}]}])


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Set-Cookie", "s=1"),
                              ("Cache-Control", "public, max-age=60"), ("Cache-Tag", "x")])
    return [b"hello"]


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def test_wsgi_app_behind_the_middleware():
    seen = []
    wrapped = CloudflareCacheMiddleware(app, rules=ENGINE, on_decision=lambda r, d: seen.append(d))
    server = make_server("127.0.0.1", 0, wrapped, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for path, status in (("/page", "MISS"), ("/other", "DYNAMIC")):
            request = urllib.request.Request(f"http://127.0.0.1:{server.server_port}{path}",
                                             headers={"Host": "www.example.com"})
            with urllib.request.urlopen(request, timeout=20) as response:
                assert response.read() == b"hello"
                assert response.headers["CF-Cache-Status"] == status
                assert "Cache-Tag" not in response.headers
    finally:
        server.shutdown()
        server.server_close()
        thread.join(30)
    # Set-Cookie on a request a rule made eligible: not stored, MISS every time (§4.12)
    assert seen[0].stored is False and seen[0].cache_key == "http://www.example.com/page"


def test_request_from_environ():
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/caf\xc3\xa9", "QUERY_STRING": "a=1",
               "SERVER_NAME": "srv", "SERVER_PORT": "8080", "wsgi.url_scheme": "http",
               "REMOTE_ADDR": "::ffff:127.0.0.1", "HTTP_COOKIE": "a=1; b=2",
               "SERVER_PROTOCOL": "HTTP/1.1"}
    request = request_from_environ(environ)
    assert request.url == "http://srv:8080/café?a=1"
    assert str(request.client_ip) == "127.0.0.1"
    assert request_from_environ(environ, public_url="https://www.example.com").url.startswith(
        "https://www.example.com/")
