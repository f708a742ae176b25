"""rulelang proxy over loopback: a real origin, a real aiohttp client, the proxy between.
Time is the test's clock; every wait is bounded."""

from __future__ import annotations

import asyncio
import json
import os
import socket

from aiohttp import web

from rulelang import Request, Response
from rulelang.proxy.store import DirectoryStore, MemoryStore
from rulelang.watch import RulesWatcher


def page(body: bytes, **headers: str):
    def route(request: web.Request) -> web.Response:
        return web.Response(body=body, headers=headers)
    return route


def validated(body: bytes, etag: str, cache_control: str):
    """Answers 304 to a matching If-None-Match."""
    def route(request: web.Request) -> web.Response:
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, headers={"ETag": etag, "Cache-Control": cache_control})
    return route


def test_miss_then_hit_with_age(run, kit):
    async def scenario():
        routes = {"/a.css": page(b"body{}", **{"Cache-Control": "max-age=100",
                                               "Cache-Tag": "css,site",
                                               "Content-Type": "text/css"})}
        async with kit.running(routes) as h:
            status, headers, body = await h.get("/a.css")
            assert (status, headers["CF-Cache-Status"], body) == (200, "MISS", b"body{}")
            assert "Age" not in headers and "Cache-Tag" not in headers
            assert headers["Cache-Control"] == "max-age=14400"  # the zone's Browser Cache TTL
            h.clock.advance(7)
            status, headers, body = await h.get("/a.css")
            assert (status, headers["CF-Cache-Status"], headers["Age"]) == (200, "HIT", "7")
            assert body == b"body{}" and "Cache-Tag" not in headers
            assert h.origin.count("/a.css") == 1
            _, state = await h.control("GET", "status")
            assert (state["objects"], state["hits"], state["misses"]) == (1, 1, 1)
            assert state["fingerprint"] == h.proxy.engine.fingerprint
    run(scenario())


def test_dynamic_and_bypass_are_not_stored(run, kit):
    async def scenario():
        routes = {"/page": page(b"<html>", **{"Cache-Control": "max-age=60"}),
                  "/private.js": page(b"x", **{"Cache-Control": "private"})}
        async with kit.running(routes, rules=kit.rules_engine(zone={"plan": "free"})) as h:
            for _ in range(2):
                _, headers, _ = await h.get("/page")
                assert headers["CF-Cache-Status"] == "DYNAMIC"
                _, headers, _ = await h.get("/private.js")
                assert headers["CF-Cache-Status"] == "BYPASS"
            assert h.origin.count("/page") == 2 and h.origin.count("/private.js") == 2
    run(scenario())


def test_expiry_and_revalidation_with_stored_validators(run, kit):
    async def scenario():
        routes = {"/v.js": validated(b"v1", '"v1"', "max-age=10"),
                  "/n.js": page(b"n", **{"Cache-Control": "max-age=10"})}
        async with kit.running(routes) as h:
            assert (await h.get("/v.js"))[1]["CF-Cache-Status"] == "MISS"
            h.clock.advance(11)
            status, headers, body = await h.get("/v.js")
            assert (status, headers["CF-Cache-Status"], headers["Age"], body) == (
                200, "REVALIDATED", "0", b"v1")
            assert h.origin.seen[-1][2].get("If-None-Match") == '"v1"'
            h.clock.advance(3)
            _, headers, _ = await h.get("/v.js")
            assert (headers["CF-Cache-Status"], headers["Age"]) == ("HIT", "3")
            assert (await h.get("/n.js"))[1]["CF-Cache-Status"] == "MISS"
            h.clock.advance(20)
            _, headers, _ = await h.get("/n.js")
            assert headers["CF-Cache-Status"] == "EXPIRED" and "Age" not in headers
            assert "If-None-Match" not in h.origin.seen[-1][2]
    run(scenario())


def test_stale_while_revalidate_serves_updating_then_refreshed(run, kit):
    async def scenario():
        versions = iter([b"one", b"two", b"three"])

        def route(request):
            return web.Response(body=next(versions), headers={
                "Cache-Control": "max-age=10, stale-while-revalidate=60"})
        async with kit.running({"/s.css": route}) as h:
            assert (await h.get("/s.css"))[2] == b"one"
            h.clock.advance(15)
            _, headers, body = await h.get("/s.css")
            assert (headers["CF-Cache-Status"], headers["Age"], body) == ("UPDATING", "15",
                                                                          b"one")
            assert await h.settle(lambda: h.origin.count("/s.css") == 2)
            assert await h.settle(lambda: not h.proxy._background)
            _, headers, body = await h.get("/s.css")
            assert (headers["CF-Cache-Status"], body) == ("HIT", b"two")
    run(scenario())


def test_stale_when_the_origin_is_down_and_502_otherwise(run, kit):
    async def scenario():
        routes = {"/s.css": page(b"s", **{"Cache-Control": "max-age=10, "
                                                            "stale-while-revalidate=5"}),
                  "/m.css": page(b"m", **{"Cache-Control": "max-age=10, must-revalidate"})}
        async with kit.running(routes) as h:
            await h.get("/s.css")
            await h.get("/m.css")
            await h.origin.stop()
            h.clock.advance(100)
            status, headers, body = await h.get("/s.css")
            assert (status, headers["CF-Cache-Status"], headers["Age"], body) == (
                200, "STALE", "100", b"s")
            status, _, body = await h.get("/m.css")
            assert status == 502 and b"origin unreachable" in body
            status, _, _ = await h.get("/never.css")
            assert status == 502
    run(scenario())


def test_purge_by_tag_files_hosts_prefixes_everything(run, kit):
    async def scenario():
        routes = {f"/{name}.css": page(name.encode(), **{"Cache-Control": "max-age=100",
                                                         "Cache-Tag": f"t-{name}"})
                  for name in ("a", "b", "c", "d")}
        async with kit.running(routes) as h:
            async def fill():
                for name in "abcd":
                    await h.get(f"/{name}.css")
            await fill()
            status, body = await h.control("POST", "purge", {"tags": ["T-A"]})
            assert (status, body["success"], body["result"]) == (200, True, {"purged": 1})
            assert (await h.get("/a.css"))[1]["CF-Cache-Status"] == "MISS"
            assert (await h.get("/b.css"))[1]["CF-Cache-Status"] == "HIT"
            for purge, count in [({"files": ["http://www.example.com/b.css"]}, 1),
                                 ({"prefixes": ["www.example.com/c"]}, 1),
                                 ({"hosts": ["www.example.com"]}, 2)]:
                _, body = await h.control("POST", "purge", purge)
                assert body["result"] == {"purged": count}, purge
            await fill()
            _, body = await h.control("POST", "purge", {"purge_everything": True})
            assert body["result"] == {"purged": 4}
            for bad in [{"tags": "x"}, {"nope": 1}, [], {"purge_everything": "yes"}]:
                status, body = await h.control("POST", "purge", bad)
                assert status == 400 and body["success"] is False and body["errors"]
            status, _ = await h.control("GET", "purge")
            assert status == 405
    run(scenario())


def test_concurrent_misses_make_one_origin_request(run, kit):
    async def scenario():
        routes = {"/big.js": page(b"x" * 1000, **{"Cache-Control": "max-age=100"})}
        async with kit.running(routes) as h:
            h.origin.delay = 0.2
            results = await asyncio.gather(*(h.get("/big.js") for _ in range(10)))
            assert h.origin.count("/big.js") == 1
            statuses = sorted(r[1]["CF-Cache-Status"] for r in results)
            assert statuses == ["HIT"] * 9 + ["MISS"]
            assert all(r[2] == b"x" * 1000 for r in results)
    run(scenario())


def test_reload_with_a_broken_file_keeps_the_running_rules(run, kit, tmp_path):
    rules = tmp_path / "rules.json"

    def write(cache: bool, broken: bool = False) -> None:
        expression = "http.host eq" if broken else 'http.request.uri.path eq "/page"'
        rules.write_text(json.dumps({"phase": kit.REQ, "rules": [{
            "expression": expression, "action": "set_cache_settings",
            "action_parameters": {"cache": cache}}]}))
        stamp = os.stat(rules).st_mtime + write.n
        write.n += 10
        os.utime(rules, (stamp, stamp))
    write.n = 10

    async def scenario():
        write(True)
        watcher = RulesWatcher(rules)
        routes = {"/page": page(b"<p>", **{"Cache-Control": "max-age=100"})}
        async with kit.running(routes, rules=watcher) as h:
            assert (await h.get("/page"))[1]["CF-Cache-Status"] == "MISS"
            before = (await h.control("GET", "status"))[1]["fingerprint"]
            write(True, broken=True)
            assert not watcher.check()
            assert (await h.get("/page"))[1]["CF-Cache-Status"] == "HIT"
            _, state = await h.control("GET", "status")
            assert state["rules_errors"] and state["fingerprint"] == before
            write(False)
            assert watcher.check()
            assert (await h.get("/page"))[1]["CF-Cache-Status"] == "DYNAMIC"
            _, state = await h.control("GET", "status")
            assert state["rules_errors"] == [] and state["fingerprint"] != before
    run(scenario())


def test_bad_requests_get_clear_errors_and_the_proxy_keeps_running(run, kit):
    async def scenario():
        routes = {"/a.css": page(b"a", **{"Cache-Control": "max-age=100"})}
        async with kit.running(routes) as h:
            host, port = h.url.removeprefix("http://").split(":")
            loop = asyncio.get_running_loop()
            for raw in (b"GARBAGE\r\n\r\n", b"GET /a.css HTTP/1.1\r\nBad Header\r\n\r\n",
                        b"GET / HTTP/9.9\r\n\r\n"):
                reply = await loop.run_in_executor(None, _raw, host, int(port), raw)
                assert reply.startswith((b"HTTP/1.1 4", b"HTTP/1.0 4")), reply
            status, _, body = await h.get("/.rulelang/nothing")
            assert status == 404 and b"/.rulelang/status" in body
            status, _, _ = await h.get("/missing.css")
            assert status == 404  # the origin's own 404 passes through
            status, _, body = await h.get("/a.css", headers={"Host": "bad host!"})
            assert status == 400 and b"invalid Host header" in body
            assert (await h.get("/a.css"))[1]["CF-Cache-Status"] in ("MISS", "HIT")
    run(scenario())


def _raw(host: str, port: int, data: bytes) -> bytes:
    with socket.create_connection((host, port), timeout=10) as conn:
        conn.sendall(data)
        chunks = b""
        while len(chunks) < 12:
            got = conn.recv(4096)
            if not got:
                break
            chunks += got
        return chunks


def test_head_is_filled_with_get_and_answered_without_body(run, kit):
    async def scenario():
        routes = {"/h.png": page(b"png" * 10, **{"Cache-Control": "max-age=100"})}
        async with kit.running(routes) as h:
            status, headers, body = await h.get("/h.png", method="HEAD")
            assert (status, headers["CF-Cache-Status"], body) == (200, "MISS", b"")
            assert h.origin.seen[-1][0] == "GET"
            _, headers, body = await h.get("/h.png")
            assert (headers["CF-Cache-Status"], body) == ("HIT", b"png" * 10)
    run(scenario())


def test_public_url_is_what_the_rules_see(run, kit):
    engine = kit.rules_engine([{"expression": 'http.host eq "shop.example" and '
                                              "ssl", "action": "set_cache_settings",
                                "action_parameters": {"cache": True}}])

    async def scenario():
        routes = {"/page": page(b"p", **{"Cache-Control": "max-age=100"})}
        async with kit.running(routes, rules=engine, public_url="https://shop.example") as h:
            assert (await h.get("/page"))[1]["CF-Cache-Status"] == "MISS"
            assert (await h.get("/page"))[1]["CF-Cache-Status"] == "HIT"
            _, body = await h.control("POST", "purge",
                                      {"files": ["https://shop.example/page"]})
            assert body["result"] == {"purged": 1}
        async with kit.running(routes, rules=engine) as h:
            assert (await h.get("/page"))[1]["CF-Cache-Status"] == "DYNAMIC"
    run(scenario())


def test_directory_store_survives_a_restart(run, kit, tmp_path):
    async def scenario():
        origin = kit.Origin({"/d.css": page(b"disk", **{"Cache-Control": "max-age=100",
                                                        "ETag": '"d"'})})
        clock = kit.Clock()
        async with kit.running({}, origin=origin, clock=clock,
                               store=DirectoryStore(tmp_path / "cache", 1_000_000)) as h:
            assert (await h.get("/d.css"))[1]["CF-Cache-Status"] == "MISS"
        assert list((tmp_path / "cache").glob("*.body"))
        assert not list((tmp_path / "cache").glob(".tmp-*"))
        clock.advance(5)
        async with kit.running({}, origin=origin, clock=clock,
                               store=DirectoryStore(tmp_path / "cache", 1_000_000)) as h:
            _, headers, body = await h.get("/d.css")
            assert (headers["CF-Cache-Status"], headers["Age"], body) == ("HIT", "5", b"disk")
            assert origin.count("/d.css") == 1
            _, result = await h.control("POST", "purge", {"purge_everything": True})
            assert result["result"] == {"purged": 1}
        assert not list((tmp_path / "cache").glob("*.body"))
    run(scenario())


def test_memory_store_stays_within_max_bytes(run, kit):
    async def scenario():
        routes = {f"/{i}.js": page(b"x" * 1000, **{"Cache-Control": "max-age=100"})
                  for i in range(20)}
        async with kit.running(routes, store=MemoryStore(5000)) as h:
            for i in range(20):
                await h.get(f"/{i}.js")
            _, state = await h.control("GET", "status")
            assert 0 < state["objects"] < 20 and state["bytes"] <= 5000
            assert (await h.get("/19.js"))[1]["CF-Cache-Status"] == "HIT"
            assert (await h.get("/0.js"))[1]["CF-Cache-Status"] == "MISS"
    run(scenario())


def test_access_log_has_one_line_per_request(run, kit, tmp_path):
    async def scenario(log):
        routes = {"/a.css": page(b"a", **{"Cache-Control": "max-age=100"})}
        async with kit.running(routes, log=log) as h:
            await h.get("/a.css")
            await h.get("/a.css?x=1")

    with open(tmp_path / "access.log", "w") as log:
        run(scenario(log))
    lines = (tmp_path / "access.log").read_text().splitlines()
    assert len(lines) == 2 and '"GET /a.css HTTP/1.1" 200 1 MISS' in lines[0]


def test_stripped_headers_and_browser_cache_control_follow_the_decision(run, kit):
    engine = kit.rules_engine(
        [{"expression": "true", "action": "set_cache_settings",
          "action_parameters": {"cache": True, "edge_ttl": {"mode": "override_origin",
                                                            "default": 60},
                                "browser_ttl": {"mode": "override_origin", "default": 30}}}],
        [{"expression": "true", "action": "set_cache_settings",
          "action_parameters": {"strip_etags": True}}])

    async def scenario():
        origin_headers = {"ETag": '"e"', "Set-Cookie": "s=1", "Cache-Control": "max-age=5"}
        expected = engine.request_phase(Request.from_wire(
            "GET", "/c", [("Host", "www.example.com")], scheme="http")).response_phase(
            Response(200, origin_headers))
        assert expected.stripped_headers == ("etag", "set-cookie")
        routes = {"/c": page(b"c", **origin_headers)}
        async with kit.running(routes, rules=engine) as h:
            for status in ("MISS", "HIT"):
                _, headers, _ = await h.get("/c")
                assert headers["CF-Cache-Status"] == status
                assert "ETag" not in headers and "Set-Cookie" not in headers
                assert headers["Cache-Control"] == expected.browser_cache_control == "max-age=30"
    run(scenario())


def test_bodies_larger_than_max_body_are_streamed_and_not_stored(run, kit):
    big = bytes(range(256)) * 200  # 51,200 bytes

    async def chunked(request):
        response = web.StreamResponse(headers={"Cache-Control": "max-age=100"})
        await response.prepare(request)
        for i in range(0, len(big), 4096):
            await response.write(big[i:i + 4096])
        await response.write_eof()
        return response

    async def scenario():
        routes = {"/big.js": page(big, **{"Cache-Control": "max-age=100"}),
                  "/chunked.js": chunked, "/small.js": page(b"s", **{"Cache-Control":
                                                                    "max-age=100"})}
        async with kit.running(routes, max_body=10_000) as h:
            for path in ("/big.js", "/chunked.js"):
                for _ in range(2):
                    status, headers, body = await h.get(path)
                    assert (status, headers["CF-Cache-Status"], body) == (200, "MISS", big)
                assert h.origin.count(path) == 2
            await h.get("/small.js")
            assert (await h.get("/small.js"))[1]["CF-Cache-Status"] == "HIT"
            _, state = await h.control("GET", "status")
            assert state["objects"] == 1
    run(scenario())


def test_request_bodies_stream_to_the_origin(run, kit):
    async def echo(request):
        data = await request.read()
        return web.Response(text=f"{request.method} {len(data)}")

    async def scenario():
        async with kit.running({"/upload": echo}) as h:
            payload = b"y" * 300_000
            status, headers, body = await h.get("/upload", method="POST", data=payload)
            assert (status, headers["CF-Cache-Status"], body) == (200, "DYNAMIC",
                                                                  b"POST 300000")
    run(scenario())


def test_a_proxy_in_front_of_itself_answers_508(run, kit):
    async def scenario():
        async with kit.running({"/a.css": page(b"a")}) as h:
            status, _, body = await h.get("/a.css", headers={"CDN-Loop": "rulelang-proxy"})
            assert status == 508 and b"loop" in body and not h.origin.seen
            assert (await h.get("/a.css"))[0] == 200
            assert h.origin.seen[-1][2]["CDN-Loop"] == "rulelang-proxy"
    run(scenario())


def test_serve_with_reload_picks_up_a_changed_file(run, tmp_path):
    import aiohttp

    from rulelang.proxy.server import ProxyConfig, ProxyServer, serve

    rules = tmp_path / "rules.json"

    def write(cache: bool, bump: int) -> None:
        rules.write_text(json.dumps({"phase": "http_request_cache_settings", "rules": [{
            "expression": "true", "action": "set_cache_settings",
            "action_parameters": {"cache": cache}}]}))
        stamp = 1_900_000_000 + bump
        os.utime(rules, (stamp, stamp))

    async def scenario():
        write(True, 0)
        watcher = RulesWatcher(rules)
        server = ProxyServer(watcher, MemoryStore(1_000_000),
                             ProxyConfig("http://127.0.0.1:9"))
        stop = asyncio.Event()
        bound: list = []
        task = asyncio.create_task(serve(server, "127.0.0.1", 0, reload=True, interval=0.05,
                                         ready=lambda host, port: bound.append(port),
                                         stop=stop))
        try:
            for _ in range(200):
                if bound:
                    break
                await asyncio.sleep(0.02)
            before = watcher.engine.fingerprint
            write(False, 10)
            for _ in range(200):
                if watcher.engine.fingerprint != before:
                    break
                await asyncio.sleep(0.02)
            async with aiohttp.ClientSession() as client, client.get(
                    f"http://127.0.0.1:{bound[0]}/.rulelang/status") as response:
                state = await response.json()
            assert state["fingerprint"] != before and state["reloads"] == 1
        finally:
            stop.set()
            await asyncio.wait_for(task, 30)
    run(scenario())
