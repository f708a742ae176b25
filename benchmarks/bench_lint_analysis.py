"""The rule-set analysis of ``lint`` (RS207, RS5xx) on 300 rules.

Run: ``python benchmarks/bench_lint_analysis.py``.  Two 300-rule sets:

* ``engine``: the rule set of ``bench_engine`` (eight kinds of rules over path, host,
  cookie, query, user agent, method and regexes; few overlaps);
* ``layered``: what the analysis is for — nested path prefixes and wildcards, hosts, methods
  and extensions whose rules override each other, and a catch-all at the end.

For each: the median of 3 runs of ``analyse`` (the solver's work), beside the time to load,
validate and compile the same rules (the baseline every lint pays), and the number of solver
questions.  Target (issue 11): ≤ 2 s for 300 rules.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_engine import REQ, make_rule

from rulelang.analysis.overrides import analyse
from rulelang.rules.ruleset import load_ruleset


def layered_rule(i: int) -> dict:
    group, kind = divmod(i, 6)
    base = f"/g{group % 25}/"
    if kind == 0:
        expr = f'starts_with(http.request.uri.path, "{base}")'
        params = {"cache": True, "edge_ttl": {"mode": "override_origin", "default": 3600}}
    elif kind == 1:
        expr = f'http.request.uri.path wildcard "{base}img/*"'
        params = {"edge_ttl": {"mode": "override_origin", "default": 86400}}
    elif kind == 2:
        expr = (f'starts_with(http.request.uri.path, "{base}img/") and '
                f'http.request.uri.path.extension in {{"png" "jpg"}}')
        params = {"browser_ttl": {"mode": "override_origin", "default": 600}}
    elif kind == 3:
        expr = f'http.host eq "h{group % 10}.example.com" and http.request.method eq "GET"'
        params = {"cache": True}
    elif kind == 4:
        expr = f'http.request.uri.path matches "^{base}api/v[0-9]+/"'
        params = {"cache": False}
    else:
        expr = (f'starts_with(http.request.uri.path, "{base}") or '
                f'http.request.uri.query contains "nocache={group}"')
        params = {"edge_ttl": {"mode": "respect_origin"}}
    if i == 299:
        expr, params = "true", {"cache": False}
    return {"ref": f"r{i}", "expression": expr, "action": "set_cache_settings",
            "action_parameters": params}


def measure(name: str, rules: list[dict]) -> None:
    body = {"phase": REQ, "rules": rules}
    loads, runs = [], []
    found = None
    for _ in range(3):
        start = time.perf_counter()
        rs = load_ruleset(body)
        loads.append(time.perf_counter() - start)
        start = time.perf_counter()
        found = analyse(rs)
        runs.append(time.perf_counter() - start)
    assert found is not None
    load_s, run_s = statistics.median(loads), statistics.median(runs)
    codes: dict[str, int] = {}
    for d in found.diagnostics:
        codes[d.code] = codes.get(d.code, 0) + 1
    print(f"{name:8} 300 rules: analysis {run_s * 1e3:7.0f} ms (median of 3; first run "
          f"{runs[0] * 1e3:.0f} ms), "
          f"load+validate+compile {load_s * 1e3:5.0f} ms, ratio {run_s / load_s:4.1f}x, "
          f"{found.solver_calls} solver questions, findings {dict(sorted(codes.items()))}")


def main() -> None:
    measure("engine", [make_rule(i)[0] for i in range(300)])
    measure("layered", [layered_rule(i) for i in range(300)])


if __name__ == "__main__":
    main()
