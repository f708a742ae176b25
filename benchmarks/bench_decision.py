"""The whole job a proxy needs per request, split, against bench_phase's careful chain.

Run: ``python benchmarks/bench_decision.py``.  For bench_engine's request-phase rule sets
of 10, 50 and 300 rules and its 1,000 varied requests, each given an origin response
(a few typical ones, in turn), it times per request:

* ``chain`` — bench_phase's careful hand-written ``if`` chain, reading each sample dict
  with the standard library (``urlsplit``, one lower-cased header dict) inside the timed
  loop; checked to give the engine's matches on every sample;
* ``request_phase`` — ``engine.request_phase(request)``: matching plus the request-side
  decision (eligibility, cache key): a proxy's HIT;
* ``whole job`` — ``request_phase(request).response_phase(response)``, reasons not read:
  both phases and the whole decision, a proxy's MISS;
* ``matching only`` — the same rules in an engine built with ``decide=False``
  (``request_phase`` without the decision).

Requests are fresh (built before timing) in every round so nothing profits from another
method's field cache.  Methods are interleaved in 7 rounds; it prints CPU-time medians
and the medians of the per-round ratios to the chain.  The decision is checked to be the
one ``evaluate`` gives before timing.
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_engine import REQ, make_rule, make_samples
from bench_phase import CAREFUL_READ, careful_condition, make_chain

from rulelang import Request, Response
from rulelang.engine import Engine

ROUNDS = 7
RESPONSES = (
    {"status": 200, "headers": {"Date": "Thu, 01 Jan 2026 00:00:00 GMT",
                                "Content-Type": "text/css",
                                "Cache-Control": "public, max-age=600", "ETag": '"c55"'}},
    {"status": 200, "headers": {"Date": "Thu, 01 Jan 2026 00:00:00 GMT",
                                "Content-Type": "image/png", "Set-Cookie": "t=4f2a; Path=/",
                                "Cache-Control": "max-age=3600"}},
    {"status": 404, "headers": {"Date": "Thu, 01 Jan 2026 00:00:00 GMT",
                                "Content-Type": "application/json"}},
    {"status": 200, "headers": {"Date": "Thu, 01 Jan 2026 00:00:00 GMT",
                                "Content-Type": "text/html", "Cache-Control": "no-cache"}},
)


def chain_job(chain, samples) -> None:
    for sample in samples:
        chain(sample)


def request_job(engine: Engine, pairs) -> None:
    for request, _ in pairs:
        engine.request_phase(request)


def whole_job(engine: Engine, pairs) -> None:
    for request, response in pairs:
        engine.request_phase(request).response_phase(response)


def run_size(n: int) -> None:
    body = {"phase": REQ, "rules": [make_rule(i)[0] for i in range(n)]}
    engine = Engine([body])
    bare = Engine([body], decide=False)
    chain = make_chain(n, careful_condition, CAREFUL_READ, re.compile)
    dicts = make_samples(n)
    responses = [RESPONSES[i % len(RESPONSES)] for i in range(len(dicts))]

    def fresh():
        return [(Request.from_dict(d), Response.from_dict(r)) for d, r in zip(dicts, responses)]

    for (request, response), sample in zip(fresh(), dicts):
        outcome = engine.evaluate(request, response)
        assert [r.index for r in outcome.matched[REQ]] == chain(sample)[0]
        assert (engine.request_phase(request).response_phase(response).to_dict()
                == outcome.to_dict()["decision"])
    methods = {
        "chain": lambda pairs: chain_job(chain, dicts),
        "matching only": lambda pairs: request_job(bare, pairs),
        "request_phase (HIT)": lambda pairs: request_job(engine, pairs),
        "whole job (MISS)": lambda pairs: whole_job(engine, pairs),
    }
    times: dict[str, list[float]] = {name: [] for name in methods}
    for _ in range(ROUNDS):
        for name, method in methods.items():
            pairs = fresh()
            start = time.process_time()
            method(pairs)
            times[name].append((time.process_time() - start) / len(pairs))
    print(f"{n} rules, {len(dicts)} requests a round, {ROUNDS} rounds")
    for name, values in times.items():
        ratio = statistics.median(v / c for v, c in zip(values, times["chain"]))
        print(f"  {name:22} {statistics.median(values) * 1e6:8.1f} µs   {ratio:5.2f}x chain")


def main() -> None:
    for n in (10, 50, 300):
        run_size(n)


if __name__ == "__main__":
    main()
