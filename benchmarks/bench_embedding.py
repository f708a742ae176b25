"""Per-request engine cost for a proxy: the two-phase API against ``evaluate``.

Run: ``python benchmarks/bench_embedding.py``.  On the example rules (corpus/example) and
its samples that have a response, each repeated 60 times, it times, per request:

* ``evaluate x2`` — ``evaluate(request)`` before the origin and ``evaluate(request,
  response)`` after it: what a proxy had to do before the two-phase API (the baseline);
* ``evaluate x1`` — one ``evaluate(request, response)``;
* ``two-phase`` — ``request_phase(request)`` then ``response_phase(response)``, reasons
  never read (a proxy's MISS);
* ``two-phase + reasons`` — the same, reading ``decision.reasons``;
* ``request_phase`` — the request side only (a proxy's HIT needs just eligibility and key).

Every request is a fresh ``Request`` (built before timing) so no method profits from
another's field cache.  The methods are interleaved in 7 rounds; the medians and the
ratios to the baseline are printed.  Times are CPU time of this process
(``time.process_time``), steadier than wall time on a shared machine.  The decisions are checked equal before timing.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rulelang import Request, Response
from rulelang.engine import Engine

ROUNDS = 7
REPEAT = 60


def samples() -> list[dict]:
    lines = (ROOT / "corpus/example/samples.jsonl").read_text().splitlines()
    found = [json.loads(line) for line in lines if line.strip()]
    return [s for s in found if "response" in s] * REPEAT


def fresh(items: list[dict]) -> list[tuple[Request, Response]]:
    return [(Request.from_dict(s["request"], timestamp=1_767_225_600),
             Response.from_dict(s["response"])) for s in items]


def evaluate_twice(engine: Engine, pairs) -> None:
    for request, response in pairs:
        engine.evaluate(request)
        engine.evaluate(request, response)


def evaluate_once(engine: Engine, pairs) -> None:
    for request, response in pairs:
        engine.evaluate(request, response)


def two_phase(engine: Engine, pairs) -> None:
    for request, response in pairs:
        engine.request_phase(request).response_phase(response)


def two_phase_reasons(engine: Engine, pairs) -> None:
    for request, response in pairs:
        engine.request_phase(request).response_phase(response).reasons  # noqa: B018


def request_only(engine: Engine, pairs) -> None:
    for request, _ in pairs:
        engine.request_phase(request)


METHODS = {"evaluate x2 (baseline)": evaluate_twice, "evaluate x1": evaluate_once,
           "two-phase": two_phase, "two-phase + reasons": two_phase_reasons,
           "request_phase (HIT)": request_only}


def main() -> None:
    engine = Engine.from_files(ROOT / "corpus/example/cache-rules.json",
                               ROOT / "corpus/example/cache-response-rules.json")
    items = samples()
    for request, response in fresh(items[:20]):
        assert (engine.request_phase(request).response_phase(response).to_dict()
                == engine.evaluate(request, response).to_dict()["decision"])
    times: dict[str, list[float]] = {name: [] for name in METHODS}
    for _ in range(ROUNDS):
        for name, method in METHODS.items():
            pairs = fresh(items)
            start = time.process_time()
            method(engine, pairs)
            times[name].append((time.process_time() - start) / len(pairs))
    base = statistics.median(times["evaluate x2 (baseline)"])
    print(f"{len(items)} requests a round, {ROUNDS} rounds, medians per request")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:24} {median * 1e6:8.1f} µs   {median / base:5.2f}x baseline")


if __name__ == "__main__":
    main()
