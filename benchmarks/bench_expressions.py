"""Expression benchmark: compile cost, and evaluation against a hand-written floor.

Run: ``python benchmarks/bench_expressions.py``.  For each representative
expression it prints the parse+check+compile time, the evaluation time of the
compiled closure (``expr.run``, what the phase engine calls) on a request whose
fields were already extracted (warm), the same through the ``expr.matches``
method, and the same logic hand-written in Python over the same
already-extracted values (the floor), with the ratio of ``run`` to the floor.  Figures are from one process, so the
ratios compare like with like; absolute times depend on the machine.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rulelang import Request, Response, compile_expression
from rulelang.schema.values import MISSING

REQ = Request(method="GET", url="https://www.example.com/api/v2/users/42.json?lang=en&page=3",
              headers=[["Host", "www.example.com"], ["User-Agent", "Mozilla/5.0 (X11; Linux)"],
                       ["Cookie", "session=abc123; theme=dark"], ["Accept", "application/json"],
                       ["Accept-Language", "en-GB,en;q=0.8"], ["X-Tags", "a,b,c,d"]],
              client_ip="203.0.113.7", fields={"ip.src.country": "GB"})
RESP = Response(status=200, headers=[["Cache-Control", "public, max-age=60"],
                                     ["Content-Type", "application/json"]])


def _hdr(v, name):
    vals = v["http.request.headers"].get(name)
    return vals[0] if vals else MISSING


# (expression, hand-written equivalent over extracted values `v`)
CASES = [
    ('http.host eq "www.example.com"', lambda v: v["http.host"] == b"www.example.com"),
    ('starts_with(http.request.uri.path, "/api/")',
     lambda v: v["http.request.uri.path"].startswith(b"/api/")),
    ('http.request.uri.path starts_with "/api/"',
     lambda v: v["http.request.uri.path"].startswith(b"/api/")),
    ('http.request.uri.path.extension in {"css" "js" "png" "jpg" "json"}',
     lambda v: v["http.request.uri.path.extension"] in {b"css", b"js", b"png", b"jpg", b"json"}),
    ('http.request.uri.path matches "^/api/v[0-9]+/"', None),
    ('http.request.full_uri wildcard "https://*.example.com/api/*"', None),
    ('http.request.headers["accept"][0] contains "json"',
     lambda v: (h := _hdr(v, b"accept")) is not MISSING and b"json" in h),
    ('any(http.request.headers.names[*] eq "Cookie")',
     lambda v: any(n == b"Cookie" for n in v["http.request.headers.names"])),
    ('ip.src in {203.0.113.0/24 198.51.100.0/24}', None),
    ('http.response.code in {200 203 300..399}',
     lambda v: v["http.response.code"] in {200, 203} or 300 <= v["http.response.code"] <= 399),
    ('ssl and not http.cookie contains "session=" or http.host eq "static.example.com"',
     lambda v: (v["ssl"] and b"session=" not in v["http.cookie"])
     or v["http.host"] == b"static.example.com"),
    ('lower(http.request.uri.args["lang"][0]) eq "en"',
     lambda v: (a := v["http.request.uri.args"].get(b"lang")) is not None and a[0].lower() == b"en"),
    ('len(split(http.request.headers["x-tags"][0], ",", 64)) ge 3',
     lambda v: (h := _hdr(v, b"x-tags")) is not MISSING and len(h.split(b",", 63)) >= 3),
]


def _floor_for(source):
    """Hand-written equivalents that need objects built once (like the compiler does)."""
    import ipaddress

    import re2
    if "matches" in source:
        rx = re2.compile(rb"^/api/v[0-9]+/")
        return lambda v: rx.search(v["http.request.uri.path"]) is not None
    if "wildcard" in source:
        rx = re2.compile(rb"(?is)https://.*?\.example\.com/api/.*")
        return lambda v: rx.fullmatch(v["http.request.full_uri"]) is not None
    nets = [ipaddress.ip_network("203.0.113.0/24"), ipaddress.ip_network("198.51.100.0/24")]
    return lambda v: any(v["ip.src"] in n for n in nets)


def bench(fn, number):
    best = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        best.append((time.perf_counter() - t0) / number)
    return min(best)


def main() -> None:
    from rulelang.http.fields import extract_all
    values = extract_all(REQ, RESP)
    print(f"{'expression':<62} {'compile µs':>10} {'run ns':>7} {'matches':>7} {'floor ns':>8} "
          f"{'ratio':>6}")
    ratios, compiles = [], []
    for source, floor in CASES:
        floor = floor or _floor_for(source)
        compile_s = bench(lambda source=source: compile_expression(source, phase="response"), 200)
        expr = compile_expression(source, phase="response")
        expected = expr.matches(REQ, RESP)
        assert floor(values) == expected, source
        run = expr.run
        eval_s = bench(lambda run=run: run(REQ, RESP), 20000)
        matches_s = bench(lambda expr=expr: expr.matches(REQ, RESP), 20000)
        floor_s = bench(lambda floor=floor: floor(values), 20000)
        ratio = eval_s / floor_s
        ratios.append(ratio)
        compiles.append(compile_s)
        print(f"{source[:62]:<62} {compile_s * 1e6:>10.1f} {eval_s * 1e9:>7.0f} "
              f"{matches_s * 1e9:>7.0f} {floor_s * 1e9:>8.0f} {ratio:>6.2f}")
    print(f"\ncompile (parse+check+compile): median {statistics.median(compiles) * 1e3:.3f} ms, "
          f"max {max(compiles) * 1e3:.3f} ms per expression")
    print(f"evaluation (run) / hand-written floor: median {statistics.median(ratios):.2f}x, "
          f"max {max(ratios):.2f}x")


if __name__ == "__main__":
    main()
