"""Big inputs: a 50 MB rules file and ``rulelang eval`` of a million samples (issue 12).

Run: ``python benchmarks/bench_big_inputs.py [--samples N] [--rules-mb M] [--quick]``.

1. **A 50 MB rules file**, in two shapes: one rule whose description is a single 50 MB
   string (the worst case of the old position scanner, whose string regex kept
   backtracking state for every character: ~128 bytes a character, 6.4 GB and 39 s), and
   2,000 rules of 25 KB each.  ``lint`` runs in a fresh process each time; the figures
   are its wall time and peak resident memory (``VmHWM``, polled).  In-process, the old and
   the new scanner regex are compared on a 2 MB string (interleaved rounds, medians of
   time and of tracemalloc's peak): the baseline is the old expression itself.
2. **eval of N samples** (default 1,000,000, JSON Lines, the example site's samples with
   distinct URLs) with the example rules, stdout to /dev/null, progress on (stderr is a
   pipe: plain lines every 10 s): ``--format json``, text rows (what a pipe gets) and
   ``--summary``, each with wall time, samples per second and peak memory; the json run
   again on N/10 samples shows that memory is flat (the same peak for ten times fewer
   samples).  The old text layout (a rich table per sample) is timed on 2,000 samples
   against rows on the same 2,000, interleaved.

No figure here is a test: ``pytest`` never runs this file.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "corpus" / "example"
RULELANG = Path(sys.executable).parent / "rulelang"

OLD_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+', re.DOTALL)
NEW_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+', re.DOTALL)


def _peak_mb(pid: int, stop: threading.Event, out: list[float]) -> None:
    """Poll the child's VmHWM (peak resident memory since its exec): ``ru_maxrss`` from
    wait4 would include the memory of this process at fork time."""
    status = Path(f"/proc/{pid}/status")
    while not stop.is_set():
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    out.append(int(line.split()[1]) / 1024)
        except OSError:
            return
        stop.wait(0.05)


def run(args: list[str], stdout=subprocess.DEVNULL, env: dict | None = None) -> dict:
    """Run a child process; its wall time, peak resident memory (MB) and stderr."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=stdout, stderr=subprocess.PIPE,
                            env={**os.environ, **(env or {})})
    peaks: list[float] = []
    stop = threading.Event()
    poller = threading.Thread(target=_peak_mb, args=(proc.pid, stop, peaks))
    poller.start()
    err = proc.stderr.read()
    proc.wait()
    stop.set()
    poller.join()
    return {"seconds": time.perf_counter() - start, "peak_mb": max(peaks, default=0.0),
            "rc": proc.returncode, "stderr": err.decode("utf-8", "replace")}


# --------------------------------------------------------------------------- 1. rules file

def rules_files(tmp: Path, megabytes: int) -> dict[str, Path]:
    size = megabytes << 20
    base = {"expression": 'starts_with(http.request.uri.path, "/static/")',
            "action": "set_cache_settings", "action_parameters": {"cache": True}}
    one = {"phase": "http_request_cache_settings",
           "rules": [{**base, "ref": "big", "description": "d" * size}]}
    many = {"phase": "http_request_cache_settings",
            "rules": [{**base, "ref": f"r{i}", "description": "d" * (size // 2000)}
                      for i in range(2000)]}
    out = {}
    for name, doc in ((f"one {megabytes} MB string", one),
                      (f"2,000 rules of {size // 2000 >> 10} KB", many)):
        path = tmp / f"rules-{len(out)}.json"
        path.write_text(json.dumps(doc, indent=1))
        out[name] = path
    return out


def scanner_comparison(rounds: int) -> dict:
    text = '{"description": "' + "d" * (2 << 20) + '"}'
    times: dict[str, list[float]] = {"old": [], "new": []}
    peaks: dict[str, list[float]] = {"old": [], "new": []}
    for _ in range(rounds):
        for name, pattern in (("old", OLD_TOKEN), ("new", NEW_TOKEN)):
            tracemalloc.start()
            start = time.perf_counter()
            tokens = sum(1 for _ in pattern.finditer(text))
            times[name].append(time.perf_counter() - start)
            peaks[name].append(tracemalloc.get_traced_memory()[1] / (1 << 20))
            tracemalloc.stop()
            assert tokens == 5
    return {name: (statistics.median(times[name]), statistics.median(peaks[name]))
            for name in times}


# --------------------------------------------------------------------------- 2. eval

def samples_file(path: Path, n: int) -> None:
    base = [json.loads(line) for line in (EXAMPLE / "samples.jsonl").read_text().splitlines()
            if line.strip()]
    with path.open("w") as f:
        for i in range(n):
            sample = json.loads(json.dumps(base[i % len(base)]))
            sample["name"] = f"{sample.get('name', 's')}-{i}"
            url = sample["request"]["url"]
            sample["request"]["url"] = url + ("&" if "?" in url else "?") + f"n={i}"
            f.write(json.dumps(sample) + "\n")


def eval_run(samples: Path, *extra: str) -> dict:
    args = [str(RULELANG), "eval", "--rules", str(EXAMPLE), "--samples", str(samples),
            *extra]
    result = run(args, env={"NO_COLOR": "1", "RULELANG_PROGRESS_INTERVAL": "10"})
    assert result["rc"] == 0, result["stderr"][-2000:]
    result["progress_lines"] = sum(1 for line in result["stderr"].splitlines()
                                   if line.startswith("evaluating "))
    result["last_progress"] = next((line for line in reversed(result["stderr"].splitlines())
                                    if line.startswith("evaluating ")), "")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--rules-mb", type=int, default=50)
    parser.add_argument("--quick", action="store_true",
                        help="10,000 samples and a 5 MB rules file (a smoke run)")
    args = parser.parse_args()
    if args.quick:
        args.samples, args.rules_mb = 10_000, 5
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        print(f"1. a {args.rules_mb} MB rules file: lint in a fresh process")
        for name, path in rules_files(tmp, args.rules_mb).items():
            code = "import sys; from rulelang.linter import lint; lint(sys.argv[1])"
            r = run([sys.executable, "-c", code, str(path)])
            assert r["rc"] == 0, r["stderr"][-2000:]
            size = path.stat().st_size / (1 << 20)
            print(f"   {name:22} {size:6.1f} MB: {r['seconds']:6.2f} s, "
                  f"peak {r['peak_mb']:7.1f} MB")
        comparison = scanner_comparison(rounds=5)
        (old_t, old_m), (new_t, new_m) = comparison["old"], comparison["new"]
        print(f"   scanner regex on a 2 MB string (median of 5, interleaved): old "
              f"{old_t * 1000:.0f} ms / {old_m:.0f} MB, new {new_t * 1000:.1f} ms / "
              f"{new_m:.1f} MB (time x{old_t / new_t:.0f})")

        n = args.samples
        print(f"2. eval of {n:,} samples (JSON Lines), stdout to /dev/null, progress on")
        big = tmp / "samples.jsonl"
        samples_file(big, n)
        print(f"   samples file: {big.stat().st_size / (1 << 20):.0f} MB")
        for label, extra in (("--format json", ("--format", "json")),
                             ("text rows (piped)", ()),
                             ("--summary", ("--summary",))):
            r = eval_run(big, "--progress", *extra)
            print(f"   {label:18} {r['seconds']:7.1f} s, {n / r['seconds']:7,.0f} samples/s, "
                  f"peak {r['peak_mb']:6.1f} MB, {r['progress_lines']} progress lines")
        print(f"   last progress line: {r['last_progress']}")
        small = tmp / "tenth.jsonl"
        samples_file(small, max(n // 10, 1))
        r = eval_run(small, "--format", "json")
        print(f"   --format json, {max(n // 10, 1):,} samples: peak {r['peak_mb']:.1f} MB "
              f"(flat memory: compare with the run above)")
        few = tmp / "few.jsonl"
        samples_file(few, 2000)
        table, rows = [], []
        for _ in range(3):
            table.append(eval_run(few, "--layout", "table")["seconds"])
            rows.append(eval_run(few, "--layout", "rows")["seconds"])
        t, w = statistics.median(table), statistics.median(rows)
        print(f"   2,000 samples, median of 3 interleaved: tables {2000 / t:,.0f} samples/s, "
              f"rows {2000 / w:,.0f} samples/s (x{t / w:.1f}; includes ~0.3 s start-up)")


if __name__ == "__main__":
    main()
