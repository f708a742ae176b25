"""The mitmproxy addon through mitmproxy's own test helpers (tflow, taddons): the hooks
mitmdump calls, with a clock the test moves."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("mitmproxy")

from mitmproxy import http
from mitmproxy.test import taddons, tflow

from rulelang.adapters.mitmproxy_addon import RulelangCache, request_from_flow

REQ = "http_request_cache_settings"


def flow(path: str, *, headers=(), host="upstream.internal", port=8080) -> http.HTTPFlow:
    f = tflow.tflow()
    f.request.host, f.request.port, f.request.path = host, port, path
    f.request.headers = http.Headers([(b"Host", b"www.example.com"),
                                      *((n.encode(), v.encode()) for n, v in headers)])
    f.client_conn.peername = ("::ffff:127.0.0.1", 5555)
    return f


def answer(f: http.HTTPFlow, status: int, body: bytes, **headers: str) -> None:
    f.response = http.Response.make(status, body, [(n.replace("_", "-").encode(), v.encode())
                                                   for n, v in headers.items()])


@pytest.fixture
def addon(tmp_path):
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"phase": REQ, "rules": [
        {"expression": 'ip.src in {127.0.0.0/8} and http.host eq "www.example.com"',
         "action": "set_cache_settings", "action_parameters": {"cache": True}}]}))
    cache = RulelangCache()
    with taddons.context(cache) as tctx:
        tctx.configure(cache, rulelang_rules=[str(rules)])
        now = [1_800_000_000.0]
        cache.clock = lambda: now[0]
        yield cache, now


def test_request_from_flow_uses_the_public_host_not_the_upstream():
    f = flow("/a?x=1", headers=[("Cookie", "a=1"), ("Cookie", "b=2")])
    request = request_from_flow(f)
    assert request.url == "http://www.example.com/a?x=1"
    assert request.header_values("cookie") == ["a=1", "b=2"]
    assert str(request.client_ip) == "127.0.0.1"
    assert request_from_flow(f, public_url="https://shop.example").url == \
        "https://shop.example/a?x=1"


def test_miss_hit_and_revalidation(addon):
    cache, now = addon
    first = flow("/page")
    cache.request(first)
    assert first.response is None
    answer(first, 200, b"hello", Cache_Control="max-age=10", ETag='"v1"', Cache_Tag="t")
    cache.response(first)
    assert first.response.headers["CF-Cache-Status"] == "MISS"
    assert "Cache-Tag" not in first.response.headers
    now[0] += 4
    second = flow("/page")
    cache.request(second)
    assert second.response is not None and second.response.content == b"hello"
    assert (second.response.headers["CF-Cache-Status"], second.response.headers["Age"]) == (
        "HIT", "4")
    now[0] += 10
    third = flow("/page", headers=[("If-None-Match", '"visitor"')])
    cache.request(third)
    assert third.response is None and third.request.headers["If-None-Match"] == '"v1"'
    answer(third, 304, b"", ETag='"v1"')
    cache.response(third)
    assert (third.response.status_code, third.response.content) == (200, b"hello")
    assert (third.response.headers["CF-Cache-Status"], third.response.headers["Age"]) == (
        "REVALIDATED", "0")


def test_ineligible_requests_pass_with_dynamic(addon):
    cache, _ = addon
    f = flow("/page")
    f.client_conn.peername = ("203.0.113.9", 1)
    cache.request(f)
    answer(f, 200, b"x", Cache_Control="max-age=60")
    cache.response(f)
    assert f.response.headers["CF-Cache-Status"] == "DYNAMIC"
    assert f.response.headers["Cache-Control"] == "max-age=60"


def test_mitmdump_with_the_addon_over_loopback(tmp_path):
    """`mitmdump -s <addon path>` in reverse mode in front of a real origin."""
    import shutil
    import socket
    import subprocess
    import sys
    import threading
    import time
    import urllib.request
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from pathlib import Path

    import rulelang.adapters.mitmproxy_addon as module

    mitmdump = shutil.which("mitmdump") or str(Path(sys.executable).with_name("mitmdump"))
    if not Path(mitmdump).exists():
        pytest.skip("mitmdump is not installed")

    class Origin(BaseHTTPRequestHandler):
        hits = 0

        def do_GET(self):
            Origin.hits += 1
            self.send_response(200)
            self.send_header("Cache-Control", "max-age=600")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    origin = ThreadingHTTPServer(("127.0.0.1", 0), Origin)
    threading.Thread(target=origin.serve_forever, daemon=True).start()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"phase": REQ, "rules": [{
        "expression": 'http.host eq "www.example.com"', "action": "set_cache_settings",
        "action_parameters": {"cache": True}}]}))
    process = subprocess.Popen(
        [mitmdump, "--mode", f"reverse:http://127.0.0.1:{origin.server_address[1]}",
         "--listen-host", "127.0.0.1", "--listen-port", str(port), "-q",
         "-s", module.__file__, "--set", f"rulelang_rules={rules}",
         "--set", "keep_host_header=true"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        assert process.poll() is None, process.stderr.read().decode()
        statuses = []
        for _ in range(2):
            request = urllib.request.Request(f"http://127.0.0.1:{port}/page",
                                             headers={"Host": "www.example.com"})
            with urllib.request.urlopen(request, timeout=20) as response:
                statuses.append(response.headers["CF-Cache-Status"])
                assert response.read() == b"ok"
        assert statuses == ["MISS", "HIT"] and Origin.hits == 1
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
        origin.shutdown()
        origin.server_close()
