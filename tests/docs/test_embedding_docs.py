"""docs/embedding.md: its examples run as printed (the overview, the mitmproxy addon through
mitmproxy's hooks, the ASGI app under uvicorn, the aiohttp proxy in front of a real origin),
all on 127.0.0.1 with the example rules in rules/."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import re
import shutil
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs/embedding.md").read_text("utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", DOC, re.DOTALL)
EXAMPLES = {m.group(1): block for block in BLOCKS
            if (m := re.match(r"# example: (\w+)\n", block))}


@pytest.fixture
def site(tmp_path, monkeypatch):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "corpus/example", rules)
    (rules / "samples.jsonl").unlink()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def load(site: Path, name: str, source: str):
    path = site / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(f"embedding_example_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_doc_has_the_three_examples():
    assert set(EXAMPLES) == {"mitmproxy", "asgi", "aiohttp"}


def test_overview_block_runs_and_its_comment_is_true(site):
    overview = BLOCKS[0]
    namespace: dict = {}
    exec(compile(overview, "embedding.md", "exec"), namespace)  # noqa: S102 - the doc's own code
    decision = namespace["decision"]
    claimed = re.search(r"decision\.edge_ttl\s+# (\(.*\))", overview).group(1)
    assert repr((decision.cache_status, decision.stored, decision.edge_ttl)) == claimed


def test_mitmproxy_example(site):
    pytest.importorskip("mitmproxy")
    from mitmproxy import http
    from mitmproxy.test import taddons, tflow

    module = load(site, "cf_rules", EXAMPLES["mitmproxy"])
    addon = module.addons[0]
    with taddons.context(addon):
        flow = tflow.tflow()
        flow.request.host, flow.request.port = "upstream.internal", 8080
        flow.request.path = "/static/app.css"
        flow.request.headers = http.Headers([(b"Host", b"upstream.internal:8080"),
                                             (b"Cookie", b"a=1"), (b"Cookie", b"b=2")])
        flow.client_conn.peername = ("::ffff:127.0.0.1", 50000)
        addon.request(flow)
        pending = flow.metadata["rulelang"]
        assert pending.cache_key == "https://www.example.com/static/app.css"
        assert str(pending.request.client_ip) == "127.0.0.1"
        assert pending.request.header_values("cookie") == ["a=1", "b=2"]
        flow.response = http.Response.make(200, b"body{}", {"Cache-Control": "max-age=60",
                                                            "Cache-Tag": "css"})
        addon.response(flow)
        assert flow.response.headers["CF-Cache-Status"] == "MISS"
        assert flow.response.headers["Cache-Control"] == "max-age=86400"
        assert "Cache-Tag" not in flow.response.headers


def test_asgi_example(site, capsys):
    uvicorn = pytest.importorskip("uvicorn")
    pytest.importorskip("starlette")
    module = load(site, "app", EXAMPLES["asgi"])
    try:
        config = uvicorn.Config(module.app, host="127.0.0.1", port=0, log_level="warning",
                                lifespan="off")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        port = server.servers[0].sockets[0].getsockname()[1]
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/app.css",
                                        timeout=20) as response:
                headers, body = response.headers, response.read()
        finally:
            server.should_exit = True
            thread.join(30)
    finally:
        module.watcher.stop()
    assert body == b"body {}"
    assert headers["CF-Cache-Status"] == "MISS" and "Cache-Tag" not in headers
    assert "MISS 2592000 https://www.example.com/static/app.css" in capsys.readouterr().out


def test_aiohttp_example(site):
    aiohttp = pytest.importorskip("aiohttp")
    from aiohttp import web

    module = load(site, "proxy", EXAMPLES["aiohttp"])

    async def scenario():
        hits = []

        async def asset(request):
            hits.append(request.headers.get("Host"))
            return web.Response(body=b"body{}", headers={"Cache-Control": "max-age=60",
                                                         "Cache-Tag": "css"})
        origin = web.Application()
        origin.router.add_get("/static/app.css", asset)
        runners = []
        for app in (origin, module.make_app()):
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", 0).start()
            runners.append(runner)
        module.ORIGIN = f"http://127.0.0.1:{runners[0].addresses[0][1]}"
        proxy = f"http://127.0.0.1:{runners[1].addresses[0][1]}"
        seen = []
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as client:
                for _ in range(2):
                    async with client.get(proxy + "/static/app.css",
                                          headers={"Host": "www.example.com"}) as response:
                        seen.append((response.headers["CF-Cache-Status"],
                                     response.headers.get("Age"),
                                     "Cache-Tag" in response.headers, await response.read()))
        finally:
            for runner in reversed(runners):
                with contextlib.suppress(Exception):
                    await runner.cleanup()
        return seen, hits

    seen, hits = asyncio.run(asyncio.wait_for(scenario(), 60))
    assert seen == [("MISS", None, False, b"body{}"), ("HIT", "0", False, b"body{}")]
    assert hits == ["www.example.com"]


def test_examples_import_only_their_framework():
    for name, block in EXAMPLES.items():
        imported = set(re.findall(r"^(?:from|import) (\w+)", block, re.MULTILINE))
        others = {"mitmproxy", "starlette", "aiohttp", "uvicorn"} - {name, "starlette"
                                                                   if name == "asgi" else name}
        assert not imported & others, (name, imported)
