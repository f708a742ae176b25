"""Replay benchmark: throughput of ``rulelang replay`` and its memory, local and on Dask.

Run: ``python benchmarks/bench_replay.py [--lines 1000000] [--memory 100000,200000,400000]
[--dask-lines 200000] [--workers 2]``.  Needs the ``dask`` extra for the Dask figures.

1. Generates a synthetic Logpush day (``rulelang.replay.generate``, seed 7, 20,000 URLs) of
   ``--lines`` requests, once, in a temporary directory.
2. Local throughput (requests/s) on it, with the example rules (2 rule sets, 9 rules) and
   with 300 request rules (plus the example response rules), one process and a pool of
   ``--workers`` processes.
3. Peak memory (max RSS of a fresh process, one process, no pool) for logs of the sizes in
   ``--memory``: flat in the log's length, bounded by the live cache objects.
4. Dask (a LocalCluster of ``--workers`` workers) against the local engine on the first
   ``--dask-lines`` requests, interleaved, median of ``--repeat`` runs each; the results
   are checked to be identical.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rulelang.replay import EngineSpec, ReplayOptions, evaluate, replay
from rulelang.replay.generate import main as generate

EXAMPLE = ROOT / "corpus" / "example"
EXAMPLE_RULES = (str(EXAMPLE / "cache-rules.json"), str(EXAMPLE / "cache-response-rules.json"))


def rules_300(path: Path) -> str:
    """300 request rules of the kinds a big zone has: path prefixes, extensions, hosts,
    cookies, query strings; most do not match the generated traffic, some do."""
    rules = []
    for i in range(300):
        kind = i % 6
        if kind == 0:
            expr = f'starts_with(http.request.uri.path, "/section-{i}/")'
        elif kind == 1:
            expr = f'http.request.uri.path.extension eq "ext{i}"'
        elif kind == 2:
            expr = f'http.host eq "shop{i}.example.com"'
        elif kind == 3:
            expr = f'http.cookie contains "variant={i}"'
        elif kind == 4:
            expr = f'http.request.uri.query contains "campaign={i}"'
        else:
            expr = f'starts_with(http.request.uri.path, "/static/") and ip.src.country eq "{"GB" if i % 2 else "US"}"'
        params: dict = {"cache": True, "edge_ttl": {"mode": "override_origin",
                                                    "default": 60 * (i + 1)}}
        if i % 10 == 9:
            params = {"cache": False}
        rules.append({"ref": f"rule_{i}", "expression": expr, "action": "set_cache_settings",
                      "action_parameters": params})
    path.write_text(json.dumps({"phase": "http_request_cache_settings", "rules": rules}))
    return str(path)


def timed(specs, logs, **options):
    """One replay from cold: no engine and no remembered decision is kept from a previous
    run (a pool's workers would inherit them)."""
    evaluate._MEMOS.clear()
    evaluate._ENGINE_SETS.clear()
    evaluate._ENGINES.clear()
    start = time.perf_counter()
    result = replay(ReplayOptions(specs, logs, **options))
    return time.perf_counter() - start, result


MEMORY_CHILD = """
import json, resource, sys
sys.path.insert(0, {root!r})
from rulelang.replay import EngineSpec, ReplayOptions, evaluate, replay
from rulelang.replay.simulate import Simulator
seen = []
original = Simulator.step
def step(self, line):
    result = original(self, line)
    if self._count % 50000 == 0:
        seen.append(self.objects())
    return result
Simulator.step = step
result = replay(ReplayOptions([EngineSpec({rules!r})], [{log!r}], workers=1))
print(json.dumps({{"requests": result.summaries[0].requests,
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "max_live_objects": max(seen or [0])}}))
"""


def head(src: Path, dst: Path, n: int) -> Path:
    with open(src, "rb") as f, open(dst, "wb") as out:
        for i, line in enumerate(f):
            if i >= n:
                break
            out.write(line)
    return dst


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--memory", default="100000,200000,400000,800000")
    parser.add_argument("--dask-lines", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip", default="", help="comma list of: local,memory,dask")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        log = tmpdir / "day.jsonl"
        start = time.perf_counter()
        generate(["--lines", str(args.lines), "--seed", "7", "-o", str(log)])
        print(f"generated {args.lines:,} lines ({log.stat().st_size / 1e6:.0f} MB) in "
              f"{time.perf_counter() - start:.1f} s", flush=True)
        example = [EngineSpec(EXAMPLE_RULES)]
        big = [EngineSpec((rules_300(tmpdir / "r300.json"), EXAMPLE_RULES[1]))]
        if "local" not in skip:
            for label, specs in (("example rules", example), ("300 rules", big)):
                for workers in (1, args.workers):
                    seconds, result = timed(specs, [str(log)], workers=workers)
                    d = result.to_dicts()[0]
                    print(f"local, {label}, {workers} process{'es' if workers > 1 else ''}: "
                          f"{args.lines / seconds:,.0f} requests/s ({seconds:.1f} s); "
                          f"hit ratio {d['hit_ratio']:.3f}", flush=True)
        if "memory" not in skip:
            for n in (int(x) for x in args.memory.split(",")):
                if n > args.lines:
                    continue
                part = head(log, tmpdir / f"head-{n}.jsonl", n)
                code = MEMORY_CHILD.format(root=str(ROOT), rules=EXAMPLE_RULES, log=str(part))
                out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                                     text=True, check=True).stdout
                figures = json.loads(out)
                print(f"memory, {n:,} lines: max RSS {figures['max_rss_mb']:.0f} MB, "
                      f"live cache objects ≤ {figures['max_live_objects']:,}", flush=True)
                os.unlink(part)
        if "dask" not in skip:
            part = head(log, tmpdir / "dask.jsonl", args.dask_lines)
            local_times, dask_times = [], []
            for _ in range(args.repeat):
                seconds, local = timed(example, [str(part)], workers=1)
                local_times.append(seconds)
                seconds, dask = timed(example, [str(part)], engine="dask",
                                      workers=args.workers, partition_bytes=16 << 20)
                dask_times.append(seconds)
                assert dask.to_dicts() == local.to_dicts()
            lt, dt = statistics.median(local_times), statistics.median(dask_times)
            print(f"dask vs local on {args.dask_lines:,} lines (median of {args.repeat}, "
                  f"results identical): local 1 process {args.dask_lines / lt:,.0f} "
                  f"requests/s, dask {args.workers} workers {args.dask_lines / dt:,.0f} "
                  f"requests/s (ratio {lt / dt:.2f}; cluster start-up included)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
