"""The whole phase against hand-written Python: honest, paired, interleaved ratios.

Run: ``python benchmarks/bench_phase.py [--rounds N] [--sizes 10,50,300,5000]``.

For rule sets of 10, 50, 300 and 5,000 rules (the last as twenty rule sets of 250 — a plan allows 300 a rule set —
evaluated as one phase) every round times, in a rotating order and in CPU time
(``time.process_time_ns``), one pass over the same fresh request dicts through:

* ``phase``   — ``Engine.request_phase(Request.from_dict(d))`` with ``decide=False``:
  building the request, reading fields, matching, stacking (the request phase);
* ``evaluate`` — ``Engine.evaluate(Request.from_dict(d))``, ``decide=False``: the same
  and an ``Outcome`` (copied settings, the response phase's empty parts);
* ``careful`` — the rules hand-written as one ``if`` chain the way a careful Python
  programmer would: the request read once with the standard library
  (``urllib.parse.urlsplit``, one header dict), ``str`` tests (``in`` on ``str``, which
  is fast; no ``bytes in bytes``), a ``startswith`` guard before a stdlib ``re``
  match, last match wins;
* ``naive``   — the same chain over bytes with ``bytes in bytes`` and ``re2.search``
  (what benchmarks/bench_engine.py compared against until issue 15);
* ``job``     — what a proxy does per request: ``request_phase(request)`` then
  ``.response_phase(response)`` with the cache decision (reasons not read), fresh
  request and response.

Each figure is the median over rounds of the per-round ratio to ``careful``, so a
noisy round moves both sides.  Before anything is timed, every sample's matched
rules and settings are checked to be the same for the engine and both chains.
The load figure is load + validate + compile (generation included) of the 300-rule
set from a JSON file, best of 5.

Targets (issue 15): request phase ≤ 1.0× careful at 300 rules, ≤ 0.5× at 5,000;
whole job ≤ 1.5× at 300; load+validate+compile of 300 rules ≤ 60 ms.
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import make_rule, make_samples

from rulelang import Request, Response
from rulelang.engine import Engine
from rulelang.rules.ruleset import load_ruleset

REQ = "http_request_cache_settings"
RESPONSE = {"status": 200, "headers": {"Content-Type": "text/css",
                                       "Cache-Control": "public, max-age=600",
                                       "Date": "Thu, 01 Jan 2026 00:00:00 GMT"}}


def careful_condition(i: int) -> str:
    """Rule ``i`` of bench_engine.make_rule, written carefully over ``str`` values."""
    kind = i % 8
    if kind == 0:
        return f"path.startswith('/s{i}/')"
    if kind == 1:
        return f"ext in EXT and host == 'h{i}.example.com'"
    if kind == 2:
        return f"host == 'h{i}.example.com'"
    if kind == 3:
        return f"'sess{i}=' in cookie"
    if kind == 4:
        return f"'v={i}' in query"
    if kind == 5:
        return f"'Bot{i}' in ua or path == '/p{i}'"
    if kind == 6:
        return f"method == 'GET' and path.startswith('/api/v{i}/')"
    return f"path.startswith('/r{i}/') and RX_{i}.match(path) is not None"


def naive_condition(i: int) -> str:
    """Rule ``i`` over bytes, with ``bytes in bytes`` and ``re2.search``."""
    kind = i % 8
    if kind == 0:
        return f"path.startswith(b'/s{i}/')"
    if kind == 1:
        return f"ext in EXTB and host == b'h{i}.example.com'"
    if kind == 2:
        return f"host == b'h{i}.example.com'"
    if kind == 6:
        return f"method == b'GET' and path.startswith(b'/api/v{i}/')"
    if kind == 3:
        return f"b'sess{i}=' in cookie"
    if kind == 4:
        return f"b'v={i}' in query"
    if kind == 5:
        return f"b'Bot{i}' in ua or path == b'/p{i}'"
    return f"RX_{i}.search(path) is not None"


CAREFUL_READ = """\
    u = urlsplit(d['url'])
    path = u.path or '/'
    query = u.query
    h = {k.lower(): v for k, v in d.get('headers', {}).items()}
    host = h.get('host') or u.netloc
    cookie = h.get('cookie', '')
    ua = h.get('user-agent', '')
    method = d.get('method', 'GET').upper()
    last = path.rpartition('/')[2]
    dot = last.rfind('.')
    ext = last[dot + 1:].lower() if dot > 0 else ''"""

NAIVE_READ = CAREFUL_READ + """
    path, query, host, cookie, ua, method, ext = (
        path.encode(), query.encode(), host.encode(), cookie.encode(), ua.encode(),
        method.encode(), ext.encode())"""


def make_chain(n: int, condition, read: str, rx_compile):
    """One ``if`` a rule, last match wins per setting unit (generated source: the rules
    are the benchmark's own, no user input)."""
    lines = ["def chain(d):", read, "    m = []", "    s = {}"]
    env = {"urlsplit": urlsplit, "EXT": frozenset({"css", "js", "png"}),
           "EXTB": frozenset({b"css", b"js", b"png"})}
    for i in range(n):
        _, _, sets = make_rule(i)
        if i % 8 == 7:
            env[f"RX_{i}"] = rx_compile(f"^/r{i}/[0-9]+$")
        lines.append(f"    if {condition(i)}:")
        lines.append(f"        m.append({i})")
        lines.extend("        " + line for line in sets)
    lines.append("    return m, s")
    exec("\n".join(lines), env)  # noqa: S102 - the benchmark's own generated code
    return env["chain"]


def _naive_rx(pattern: str):
    import re2
    return re2.compile(pattern.encode())


def engine_for(n: int, decide: bool) -> Engine:
    rules = [make_rule(i)[0] for i in range(n)]
    per = n if n <= 300 else 250
    bodies = [{"phase": REQ, "rules": rules[k:k + per]} for k in range(0, n, per)]
    return Engine(bodies, decide=decide)


def cpu(fn, items) -> int:
    t0 = time.process_time_ns()
    for item in items:
        fn(item)
    return time.process_time_ns() - t0


def run_size(n: int, rounds: int, count: int) -> dict:
    engine = engine_for(n, decide=False)
    full = engine_for(n, decide=True)
    careful = make_chain(n, careful_condition, CAREFUL_READ, re.compile)
    naive = make_chain(n, naive_condition, NAIVE_READ, _naive_rx)
    dicts = make_samples(n, count=count)
    for d in dicts:
        outcome = engine.evaluate(Request.from_dict(d))
        pending = engine.request_phase(Request.from_dict(d))
        matched = [int(r.ref[1:]) for r in outcome.matched[REQ]]
        assert [int(r.ref[1:]) for r in pending.matched] == matched
        for name, chain in (("careful", careful), ("naive", naive)):
            want_m, want_s = chain(d)
            assert matched == want_m, (name, d, matched, want_m)
            assert outcome.request_settings == want_s == pending.settings, (name, d)

    def run_phase(d):
        return engine.request_phase(Request.from_dict(d))

    def run_evaluate(d):
        return engine.evaluate(Request.from_dict(d))

    def run_job(d):
        return full.request_phase(Request.from_dict(d)).response_phase(
            Response.from_dict(RESPONSE))

    runners = {"phase": run_phase, "evaluate": run_evaluate, "careful": careful,
               "naive": naive, "job": run_job}
    ratios: dict[str, list[float]] = {k: [] for k in runners}
    absolute: dict[str, list[float]] = {k: [] for k in runners}
    names = list(runners)
    gc.collect()
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        took = {}
        gc.disable()
        try:
            for name in order:
                took[name] = cpu(runners[name], dicts)
        finally:
            gc.enable()
        for name in names:
            ratios[name].append(took[name] / took["careful"])
            absolute[name].append(took[name] / len(dicts) / 1000)
    return {name: (statistics.median(ratios[name]), statistics.median(absolute[name]))
            for name in names}


def load_time() -> tuple[float, float, float]:
    """(wall ms, CPU ms) of load + validate + compile of 300 rules from JSON, and the CPU
    ms of generating the phase function alone; each the best of 5."""
    body = {"phase": REQ, "rules": [make_rule(i)[0] for i in range(300)]}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rules-300.json"
        path.write_text(json.dumps(body, indent=2))
        wall = cpu_s = gen = float("inf")
        for _ in range(5):
            t0, c0 = time.perf_counter(), time.process_time()
            engine = Engine([load_ruleset(path)])
            wall = min(wall, time.perf_counter() - t0)
            cpu_s = min(cpu_s, time.process_time() - c0)
            del engine
        from rulelang.language.codegen import generate_phase
        checked = [r.compiled.checked for r in load_ruleset(path).rules]
        for _ in range(5):
            c0 = time.process_time()
            generate_phase(checked)
            gen = min(gen, time.process_time() - c0)
    return wall * 1e3, cpu_s * 1e3, gen * 1e3


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--count", type=int, default=300, help="requests per pass")
    parser.add_argument("--sizes", default="10,50,300,5000")
    args = parser.parse_args(argv)
    print(f"{'rules':>5} {'careful µs':>10} {'phase':>8} {'evaluate':>9} {'naive':>8} "
          f"{'job':>8}   (medians of per-round ratios to careful; {args.rounds} rounds × "
          f"{args.count} fresh requests)")
    for n in (int(x) for x in args.sizes.split(",")):
        res = run_size(n, args.rounds, args.count)
        print(f"{n:>5} {res['careful'][1]:>10.1f} {res['phase'][0]:>7.2f}× "
              f"{res['evaluate'][0]:>8.2f}× {res['naive'][0]:>7.2f}× {res['job'][0]:>7.2f}×"
              f"   (phase {res['phase'][1]:.1f} µs, job {res['job'][1]:.1f} µs)")
    wall, cpu_ms, gen = load_time()
    print(f"\nload + validate + compile of 300 rules from JSON: {wall:.1f} ms wall, "
          f"{cpu_ms:.1f} ms CPU (of which generating the phase function {gen:.1f} ms CPU)")


if __name__ == "__main__":
    main()
