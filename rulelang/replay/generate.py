"""A synthetic Cloudflare Logpush ``http_requests`` log, for tests and benchmarks.

``python -m rulelang.replay.generate --lines 1000000 --seed 7 -o day.jsonl.gz``

A day of traffic to the example site (``corpus/example``): URLs drawn from a Zipf
distribution over a fixed set of pages (static assets, API calls, HTML pages, the blog,
the logged-in area), several data centres, a daily cycle of load, the origin's response
headers (``Cache-Control``, validators, ``Set-Cookie``, ``X-Surrogate-Keys``), some
``POST``s, 404s and origin errors.  ``CacheCacheStatus`` comes from a simple stand-in for
Cloudflare's cache (freshness per URL and data centre), so that ``observed_agreement`` has
something to compare with.  Lines are in time order up to a second of jitter, as Logpush
files are.  The same seed always gives the same bytes.
"""

from __future__ import annotations

import argparse
import gzip
import io
import itertools
import json
import math
import os
import random
import sys
from bisect import bisect_right
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO

__all__ = ["generate", "main", "write"]

DAY_START = 1767225600  # 2026-01-01T00:00:00Z
COLOS = (("LHR", 24), ("FRA", 18), ("CDG", 12), ("IAD", 20), ("SJC", 10), ("NRT", 8),
         ("SIN", 5), ("GRU", 3))
COUNTRIES = {"LHR": "gb", "FRA": "de", "CDG": "fr", "IAD": "us", "SJC": "us", "NRT": "jp",
             "SIN": "sg", "GRU": "br"}
AGENTS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0",
          "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) Mobile/15E148 Safari/604.1",
          "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0", "curl/8.5.0")
HOST = "www.example.com"


def _pages(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """``(kind, path)`` for ``count`` pages, in popularity order (rank 1 first)."""
    pages = []
    for i in range(count):
        roll = rng.random()
        if roll < 0.45:
            ext = rng.choice(("css", "js", "png", "woff2", "svg", "webp", "jpg"))
            pages.append(("static", f"/static/{ext}/asset-{i}.{ext}"))
        elif roll < 0.65:
            pages.append(("api", f"/api/v1/products/{i}"
                          + (f"?page={rng.randint(1, 5)}" if rng.random() < 0.3 else "")))
        elif roll < 0.8:
            pages.append(("blog", f"/blog/post-{i}"))
        elif roll < 0.97:
            pages.append(("html", f"/products/{i}.html" if rng.random() < 0.5 else f"/p/{i}"))
        else:
            pages.append(("account", f"/account/orders/{i}"))
    return pages


def _origin(kind: str, rng: random.Random, index: int) -> tuple[int, dict[str, str], int]:
    """The origin's status, headers and body size for a request of this kind."""
    status = 200
    roll = rng.random()
    if roll < 0.015:
        status = 404
    elif roll < 0.017:
        status = 503
    headers: dict[str, str] = {"content-type": "text/html"}
    if kind == "static":
        headers = {"content-type": "application/octet-stream",
                   "cache-control": "public, max-age=86400", "etag": f'"s{index}"'}
        if index % 7 == 0:
            headers["set-cookie"] = "tracker=1; Path=/"
        size = 2000 + (index * 7919) % 200_000
    elif kind == "api":
        headers = {"content-type": "application/json"}
        if index % 3 == 0:
            headers["cache-control"] = "public, max-age=60, stale-while-revalidate=30"
        else:
            headers["cache-control"] = "private, no-cache"
        headers["x-surrogate-keys"] = f"product-{index % 100},api"
        size = 300 + (index * 31) % 4000
    elif kind == "blog":
        headers["last-modified"] = "Wed, 31 Dec 2025 12:00:00 GMT"
        size = 20_000 + (index * 131) % 60_000
    else:
        headers["cache-control"] = "private, max-age=0"
        if kind == "account":
            headers["set-cookie"] = "session=abc; HttpOnly"
        size = 15_000 + (index * 17) % 40_000
    if status != 200:
        headers = {"content-type": "text/html"}
        size = 1200
    return status, headers, size


# The stand-in for Cloudflare's cache: edge lifetime per kind (seconds, 0 = not cached).
_OBSERVED_TTL = {"static": 2592000, "blog": 3600, "api": 60, "html": 0, "account": 0}


def generate(lines: int, seed: int = 1, urls: int = 20000, zipf: float = 1.1
             ) -> Iterator[dict]:
    """The log's records, in (almost) time order."""
    rng = random.Random(seed)
    pages = _pages(rng, urls)
    weights = list(itertools.accumulate(1.0 / (rank ** zipf) for rank in range(1, urls + 1)))
    colos = [c for c, _ in COLOS]
    colo_weights = list(itertools.accumulate(w for _, w in COLOS))
    stored: dict[tuple[str, int], float] = {}
    for n in range(lines):
        moment = DAY_START + _daily(n / max(lines, 1)) + rng.uniform(-0.5, 0.5)
        index = _pick(rng, weights)
        kind, path = pages[index]
        colo = rng.choices(colos, cum_weights=colo_weights)[0]
        method = "POST" if kind == "api" and rng.random() < 0.05 else "GET"
        status, headers, size = _origin(kind, rng, index)
        request_headers = {"accept-encoding": "gzip, br"}
        cookies = {}
        if kind in ("account", "html") and rng.random() < 0.2:
            cookies["session"] = f"u{rng.randint(1, 5000)}"
        if kind == "static" and rng.random() < 0.2:
            path = f"{path}?utm_source=newsletter"
        ttl = _OBSERVED_TTL[kind] if method == "GET" and status in (200, 404) else 0
        if cookies or "set-cookie" in headers and kind != "static":
            ttl = 0
        observed, origin_status = "dynamic", status
        if ttl:
            at = stored.get((colo, index))
            if at is not None and moment - at < ttl:
                observed, origin_status = "hit", 0
            else:
                observed = "miss" if at is None else "expired"
                stored[(colo, index)] = moment
        yield {
            "EdgeStartTimestamp": _rfc3339(moment),
            "ClientRequestMethod": method,
            "ClientRequestScheme": "https",
            "ClientRequestHost": HOST,
            "ClientRequestURI": path,
            "ClientRequestUserAgent": AGENTS[n % len(AGENTS)],
            "ClientIP": f"203.0.113.{rng.randint(1, 254)}",
            "ClientCountry": COUNTRIES[colo],
            "EdgeResponseStatus": status,
            "OriginResponseStatus": origin_status,
            "EdgeResponseBytes": size,
            "CacheCacheStatus": observed,
            "EdgeColoCode": colo,
            "RequestHeaders": request_headers,
            "ResponseHeaders": headers,
            "Cookies": cookies,
        }


def _daily(u: float) -> float:
    """Seconds into the day of the request at ``u`` (0 ≤ u < 1) of the day's requests: a
    daily cycle in which the load at night is a third of the load in the afternoon.
    ``t(u) = D (u + a/2π (sin 2π(u − u0) + sin 2π u0))`` is increasing (a < 1), maps 0 to 0
    and 1 to D; requests are densest where its slope is smallest."""
    a, u0 = 0.5, 0.17
    return 86400 * (u + a / (2 * math.pi) * (math.sin(2 * math.pi * (u - u0))
                                              + math.sin(2 * math.pi * u0)))


def _pick(rng: random.Random, cumulative: list[float]) -> int:
    return min(bisect_right(cumulative, rng.random() * cumulative[-1]), len(cumulative) - 1)


def _rfc3339(moment: float) -> str:
    whole = math.floor(moment)
    millis = round((moment - whole) * 1000)
    if millis == 1000:
        whole, millis = whole + 1, 0
    return datetime.fromtimestamp(whole, UTC).strftime("%Y-%m-%dT%H:%M:%S") + f".{millis:03d}Z"


def write(out: IO[str], lines: int, seed: int = 1, urls: int = 20000) -> int:
    """Write the log to ``out`` as JSON Lines; returns how many lines."""
    count = 0
    for record in generate(lines, seed, urls):
        out.write(json.dumps(record, separators=(",", ":")) + "\n")
        count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rulelang.replay.generate",
        description="Write a synthetic Cloudflare Logpush http_requests log (JSON Lines).")
    parser.add_argument("--lines", type=int, default=10000, help="requests (default 10000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--urls", type=int, default=20000,
                        help="distinct pages (default 20000)")
    parser.add_argument("-o", "--output", default="-",
                        help="output file ('.gz' compresses; default standard output)")
    args = parser.parse_args(argv)
    if args.lines < 0 or args.urls < 1:
        parser.error("--lines must be 0 or more and --urls 1 or more")
    if args.output == "-":
        write(sys.stdout, args.lines, args.seed, args.urls)
        return 0
    tmp = args.output + ".part"
    try:
        with open(tmp, "wb") as raw:
            if args.output.endswith(".gz"):
                # no file name and a fixed time in the gzip header: same seed, same bytes
                with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as packed, \
                        io.TextIOWrapper(packed, encoding="utf-8") as f:
                    write(f, args.lines, args.seed, args.urls)
            else:
                with io.TextIOWrapper(raw, encoding="utf-8") as f:
                    write(f, args.lines, args.seed, args.urls)
        os.replace(tmp, args.output)
    except OSError as e:
        if os.path.exists(tmp):
            os.unlink(tmp)
        print(f"{args.output}: cannot write: {e.strerror or e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
