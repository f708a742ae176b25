"""``rulelang proxy`` against a plain aiohttp pass-through proxy, on HITs and MISSes.

Run: ``python benchmarks/bench_proxy.py [--requests N] [--rounds R]``.  Three server
processes on 127.0.0.1 — an origin (aiohttp, a 1 KB body with ``Cache-Control:
max-age=3600``), ``rulelang proxy`` (the example rules, the memory store, public URL
https://www.example.com) and a plain pass-through proxy written the way the proxy forwards
(one aiohttp ClientSession, hop-by-hop headers dropped, the body read and sent back) — and
a load generator in this process (aiohttp client, 16 requests in flight).

* HIT: the same URL again and again (``/static/app.css``): rulelang serves it from its
  store, the plain proxy forwards each request;
* MISS: a new URL each request (``/static/app.css?v=N``, part of the cache key): both
  forward, rulelang also decides and stores.

Requests/s, the p50/p99 latencies and the proxy process's CPU time per request (user +
system, from /proc on Linux) are medians over rounds that interleave the two proxies; the
ratios are rulelang/plain for CPU per request and latency, plain/rulelang for throughput
(the issue's goal: a HIT costs at most 1.3x the plain proxy, a MISS at most 2x).  On a
shared machine throughput and latency move with the neighbours' load; CPU per request is
the steadiest of the three.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CONCURRENCY = 16
HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
       "trailer", "transfer-encoding", "upgrade", "content-length"}


def _serve(kind: str, origin: str, ports) -> None:
    from aiohttp import web

    async def run() -> None:
        if kind == "origin":
            body = b"x" * 1024

            async def handler(request):
                return web.Response(body=body, content_type="text/css",
                                    headers={"Cache-Control": "max-age=3600"})
            app = web.Application()
            app.router.add_route("*", "/{tail:.*}", handler)
        elif kind == "plain":
            app = _plain_app(origin)
        else:
            from rulelang.engine import Engine
            from rulelang.proxy.server import ProxyConfig, ProxyServer
            from rulelang.proxy.store import MemoryStore

            engine = Engine.from_files(ROOT / "corpus/example/cache-rules.json",
                                       ROOT / "corpus/example/cache-response-rules.json")
            app = ProxyServer(engine, MemoryStore(256 * 1024 * 1024),
                              ProxyConfig(origin, "https://www.example.com")).app()
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        gc.freeze()  # as `rulelang proxy` does once listening; the same for every server
        ports.put(runner.addresses[0][1])
        await asyncio.Event().wait()

    asyncio.run(run())


def _plain_app(origin: str):
    import aiohttp
    from aiohttp import web
    from multidict import CIMultiDict

    async def start(app):
        app["session"] = aiohttp.ClientSession(auto_decompress=False,
                                               connector=aiohttp.TCPConnector(limit=0))

    async def stop(app):
        await app["session"].close()

    async def handler(request):
        headers = [(n, v) for n, v in request.headers.items() if n.lower() not in HOP]
        headers.append(("X-Forwarded-For", request.remote or ""))
        async with request.app["session"].request(
                request.method, origin + request.raw_path, headers=CIMultiDict(headers),
                data=await request.read() or None, allow_redirects=False,
                skip_auto_headers=("User-Agent", "Accept-Encoding")) as upstream:
            body = await upstream.read()
            back = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in upstream.raw_headers
                    if n.decode("latin-1").lower() not in HOP]
        return web.Response(status=upstream.status, body=body, headers=CIMultiDict(back))

    app = web.Application()
    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    app.router.add_route("*", "/{tail:.*}", handler)
    return app


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start(kind: str, origin: str = "") -> tuple[multiprocessing.Process, int]:
    ports: multiprocessing.Queue = multiprocessing.Queue()
    process = multiprocessing.Process(target=_serve, args=(kind, origin, ports), daemon=True)
    process.start()
    return process, ports.get(timeout=60)


async def load(base: str, paths: list[str]) -> tuple[float, list[float], dict]:
    import aiohttp

    latencies: list[float] = []
    statuses: dict[str, int] = {}
    queue = iter(paths)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as client:
        async def worker() -> None:
            for path in queue:
                begin = time.perf_counter()
                async with client.get(base + path, headers={"Host": "www.example.com"}) as r:
                    await r.read()
                    status = r.headers.get("CF-Cache-Status", "-")
                latencies.append(time.perf_counter() - begin)
                statuses[status] = statuses.get(status, 0) + 1
        begin = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - begin
    return len(paths) / elapsed, sorted(latencies), statuses


def _pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    origin_process, origin_port = start("origin")
    origin = f"http://127.0.0.1:{origin_port}"
    plain_process, plain_port = start("plain", origin)
    rule_process, rule_port = start("rulelang", origin)
    bases = {"plain": f"http://127.0.0.1:{plain_port}",
             "rulelang": f"http://127.0.0.1:{rule_port}"}
    pids = {"plain": plain_process.pid, "rulelang": rule_process.pid}
    results: dict[tuple[str, str], list[tuple[float, float, float, float]]] = {}
    counter = 0
    try:
        asyncio.run(load(bases["rulelang"], ["/static/app.css"] * 50))  # warm: one MISS
        for _ in range(args.rounds):
            for case in ("HIT", "MISS"):
                for name in ("plain", "rulelang"):
                    if case == "HIT":
                        paths = ["/static/app.css"] * args.requests
                    else:
                        paths = [f"/static/app.css?v={counter + i}" for i in range(args.requests)]
                        counter += args.requests
                    cpu = _cpu_seconds(pids[name])
                    rate, latencies, statuses = asyncio.run(load(bases[name], paths))
                    cpu = (_cpu_seconds(pids[name]) - cpu) / len(paths)
                    if name == "rulelang":
                        assert set(statuses) == {case}, statuses
                    results.setdefault((case, name), []).append(
                        (rate, _pct(latencies, 0.50), _pct(latencies, 0.99), cpu))
    finally:
        for process in (rule_process, plain_process, origin_process):
            process.terminate()
            process.join(10)
    print(f"{args.requests} requests a run, {CONCURRENCY} in flight, {args.rounds} rounds "
          "(medians)")
    for case in ("HIT", "MISS"):
        rows = {}
        for name in ("plain", "rulelang"):
            runs = results[(case, name)]
            rows[name] = tuple(statistics.median(r[i] for r in runs) for i in range(4))
            rate, p50, p99, cpu = rows[name]
            print(f"  {case:4} {name:8} {rate:8.0f} req/s   p50 {p50 * 1e3:6.2f} ms   "
                  f"p99 {p99 * 1e3:6.2f} ms   CPU {cpu * 1e6:6.0f} µs/request")
        plain, rule = rows["plain"], rows["rulelang"]
        cpu_ratio = rule[3] / plain[3] if plain[3] else float("nan")
        print(f"  {case:4} rulelang/plain: CPU per request {cpu_ratio:.2f}x, "
              f"throughput cost {plain[0] / rule[0]:.2f}x, p50 {rule[1] / plain[1]:.2f}x, "
              f"p99 {rule[2] / plain[2]:.2f}x")


if __name__ == "__main__":
    main()
