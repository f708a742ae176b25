"""`rulelang proxy` as a user runs it: a subprocess on 127.0.0.1 (port 0), a real origin
server in the test, SIGHUP reloads, SIGTERM stops with exit code 0.  Bounded waits."""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rulelang.cli.main import main

REQ = "http_request_cache_settings"


class _Origin(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<p>hello</p>"
        self.send_response(200)
        self.send_header("Cache-Control", "max-age=600")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def origin():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Origin)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def write_rules(path, cache: bool | None) -> None:
    expression = "http.host eq" if cache is None else 'http.request.uri.path eq "/page"'
    path.write_text(json.dumps({"phase": REQ, "rules": [{
        "expression": expression, "action": "set_cache_settings",
        "action_parameters": {"cache": bool(cache)}}]}))


def get(url: str) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers={"Host": "www.example.com"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def until(predicate, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    return predicate()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGHUP")
def test_proxy_command_serves_reloads_on_sighup_and_stops(origin, tmp_path):
    rules = tmp_path / "rules.json"
    write_rules(rules, True)
    process = subprocess.Popen(
        [sys.executable, "-m", "rulelang", "proxy", "--origin", origin, "--rules", str(rules),
         "--listen", "127.0.0.1:0", "--access-log", str(tmp_path / "access.log")],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in process.stderr], daemon=True).start()
    try:
        first = lines.get(timeout=30)
        assert "listening on http://127.0.0.1:" in first, first
        base = first.split("listening on ")[1].split(" ")[0]
        assert get(base + "/page")[1]["CF-Cache-Status"] == "MISS"
        assert get(base + "/page")[1]["CF-Cache-Status"] == "HIT"
        state = json.loads(get(base + "/.rulelang/status")[2])
        write_rules(rules, None)
        process.send_signal(signal.SIGHUP)
        assert until(lambda: json.loads(get(base + "/.rulelang/status")[2])["rules_errors"])
        assert get(base + "/page")[1]["CF-Cache-Status"] == "HIT"
        write_rules(rules, False)
        process.send_signal(signal.SIGHUP)
        assert until(lambda: json.loads(get(base + "/.rulelang/status")[2])["fingerprint"]
                     != state["fingerprint"])
        assert get(base + "/page")[1]["CF-Cache-Status"] == "DYNAMIC"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
            code = None
    assert code == 0
    log = (tmp_path / "access.log").read_text().splitlines()
    assert any(" MISS " in line for line in log) and any(" DYNAMIC " in line for line in log)
    messages = []
    while not lines.empty():
        messages.append(lines.get())
    assert any("did not load" in m for m in messages)


@pytest.mark.parametrize("args, message", [
    (["--origin", "ftp://x"], "--origin"),
    (["--origin", "http://127.0.0.1:1", "--max-bytes", "lots"], "not a size"),
    (["--origin", "http://127.0.0.1:1", "--listen", "nowhere"], "HOST:PORT"),
    (["--origin", "http://127.0.0.1:1", "--rules", "missing.json"], "did not load"),
])
def test_proxy_command_bad_arguments_exit_2(args, message, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert main(["proxy", *args]) == 2
    assert message in capsys.readouterr().err


def test_proxy_command_without_aiohttp_says_which_extra(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "rulelang.proxy.server", None)
    assert main(["proxy", "--origin", "http://127.0.0.1:1"]) == 2
    assert "rulelang[proxy]" in capsys.readouterr().err




def test_proxy_command_on_a_busy_port_exits_2(capsys):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["proxy", "--origin", "http://127.0.0.1:1",
                     "--listen", f"127.0.0.1:{port}"]) == 2
    assert "cannot listen" in capsys.readouterr().err
