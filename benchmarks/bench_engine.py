"""Phase-engine benchmark: realistic request-phase rule sets against a hand-written chain.

Run: ``python benchmarks/bench_engine.py``.  For rule sets of 10, 50 and 300 rules
(the Free, Business and Enterprise limits) it evaluates 1,000 varied requests with
``Engine.evaluate`` (stacking only, ``decide=False``, and with the cache decision)
and with the same rules hand-written as one Python ``if`` chain over values that
were extracted from each request beforehand.  Engine figures are given warm (each
request's fields already read once, as the chain's values are) and cold (fresh
requests, field extraction included).  It also times loading + validating +
compiling the 300-rule set from a JSON file.  Every sample's result is checked to
be the same for the engine and the chain before anything is timed.

Targets (issue 4): warm engine ≤ 2× the hand-written chain at 300 rules;
load + validate + compile of 300 rules ≤ 150 ms.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rulelang import Request
from rulelang.engine import Engine
from rulelang.rules.ruleset import load_ruleset

REQ = "http_request_cache_settings"
EXTENSIONS = ("css", "js", "png", "jpg", "html", "json", "")


def make_rule(i: int) -> tuple[dict, str, list[str]]:
    """Rule ``i``: (rule object, Python condition over extracted values, unit assignments)."""
    kind = i % 8
    if kind == 0:
        expr = f'starts_with(http.request.uri.path, "/s{i}/")'
        cond = f"path.startswith(b'/s{i}/')"
        params = {"cache": True, "edge_ttl": {"mode": "override_origin", "default": 60 * (i + 1)}}
    elif kind == 1:
        expr = (f'http.request.uri.path.extension in {{"css" "js" "png"}} and '
                f'http.host eq "h{i}.example.com"')
        cond = f"ext in EXT_{i} and host == b'h{i}.example.com'"
        params = {"cache": True, "browser_ttl": {"mode": "override_origin", "default": 600}}
    elif kind == 2:
        expr = f'http.host eq "h{i}.example.com"'
        cond = f"host == b'h{i}.example.com'"
        params = {"cache": False}
    elif kind == 3:
        expr = f'http.cookie contains "sess{i}="'
        cond = f"b'sess{i}=' in cookie"
        params = {"cache": False}
    elif kind == 4:
        expr = f'http.request.uri.query contains "v={i}"'
        cond = f"b'v={i}' in query"
        params = {"cache_key": {"cache_by_device_type": True}}
    elif kind == 5:
        expr = f'http.user_agent contains "Bot{i}" or http.request.uri.path eq "/p{i}"'
        cond = f"b'Bot{i}' in ua or path == b'/p{i}'"
        params = {"respect_strong_etags": True}
    elif kind == 6:
        expr = f'http.request.method eq "GET" and starts_with(http.request.uri.path, "/api/v{i}/")'
        cond = f"method == b'GET' and path.startswith(b'/api/v{i}/')"
        params = {"cache": True,
                  "cache_key": {"custom_key": {"query_string": {"exclude": {"all": True}}}}}
    else:
        expr = f'http.request.uri.path matches "^/r{i}/[0-9]+$"'
        cond = f"RX_{i}.search(path) is not None"
        params = {"cache": True, "serve_stale": {"disable_stale_while_updating": True}}
    sets = []
    for key, value in params.items():
        if key == "cache_key":
            for sub, subvalue in value.items():
                if sub == "custom_key":
                    for part, pv in subvalue.items():
                        sets.append(f"s.setdefault('cache_key', {{}}).setdefault('custom_key', "
                                    f"{{}})[{part!r}] = {pv!r}")
                else:
                    sets.append(f"s.setdefault('cache_key', {{}})[{sub!r}] = {subvalue!r}")
        else:
            sets.append(f"s[{key!r}] = {value!r}")
    rule = {"ref": f"r{i}", "description": f"rule {i}", "expression": expr,
            "action": "set_cache_settings", "action_parameters": params}
    return rule, cond, sets


def make_chain(n: int):
    """The rules hand-written as one if chain (generated source, compiled once)."""
    import re2
    lines = ["def chain(v):",
             "    path, ext, host, cookie, query, ua, method = v",
             "    m = []", "    s = {}"]
    env = {"re2": re2}
    for i in range(n):
        _, cond, sets = make_rule(i)
        if i % 8 == 1:
            env[f"EXT_{i}"] = frozenset({b"css", b"js", b"png"})
        if i % 8 == 7:
            env[f"RX_{i}"] = re2.compile(f"^/r{i}/[0-9]+$".encode())
        lines.append(f"    if {cond}:")
        lines.append(f"        m.append({i})")
        lines.extend("        " + line for line in sets)
    lines.append("    return m, s")
    exec("\n".join(lines), env)  # noqa: S102 - our own generated code, no user input
    return env["chain"]


def make_samples(n_rules: int, count: int = 1000, seed: int = 7) -> list[dict]:
    rnd = random.Random(seed)
    samples = []
    for _ in range(count):
        k = rnd.randrange(n_rules + 20)
        ext = rnd.choice(EXTENSIONS)
        path = rnd.choice([f"/s{k}/img.{ext}" if ext else f"/s{k}/page", f"/api/v{k}/items",
                           f"/r{k}/{rnd.randrange(1000)}", f"/p{k}", f"/static/app.{ext or 'js'}"])
        query = rnd.choice(["", f"?v={k}", f"?v={k}&utm_source=x", "?page=2"])
        headers = {"User-Agent": rnd.choice(["Mozilla/5.0", f"Bot{k}/1.0", "curl/8.5"])}
        if rnd.random() < 0.4:
            headers["Cookie"] = f"sess{rnd.randrange(n_rules + 20)}=abc; theme=dark"
        samples.append({"method": rnd.choice(["GET", "GET", "GET", "POST", "HEAD"]),
                        "url": f"https://h{rnd.randrange(n_rules + 5)}.example.com{path}{query}",
                        "headers": headers})
    return samples


def extracted(request: Request) -> tuple:
    from rulelang.http.fields import extract_all
    v = extract_all(request, None)
    return (v["http.request.uri.path"], v["http.request.uri.path.extension"], v["http.host"],
            v["http.cookie"], v["http.request.uri.query"], v["http.user_agent"],
            v["http.request.method"])


def best_of(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    print(f"{'rules':>5} {'chain µs':>9} {'engine µs':>10} {'ratio':>6} "
          f"{'cold µs':>8} {'+decision µs':>12}   (per request, 1,000 requests)")
    for n in (10, 50, 300):
        run_size(n)
    load_time()


def run_size(n: int) -> None:
    """Check, then time, the n-rule set: one line of the table."""
    body = {"phase": REQ, "rules": [make_rule(i)[0] for i in range(n)]}
    engine = Engine([body], decide=False)
    full = Engine([body])
    chain = make_chain(n)
    dicts = make_samples(n)
    requests = [Request.from_dict(d) for d in dicts]
    values = [extracted(r) for r in requests]
    hits = 0
    for request, v in zip(requests, values):
        outcome = engine.evaluate(request)
        matched, settings = chain(v)
        assert [r.index for r in outcome.matched[REQ]] == matched
        assert outcome.request_settings == settings, (request.url, matched)
        hits += len(matched)
    chain_s = best_of(lambda: [chain(v) for v in values])
    engine_s = best_of(lambda: [engine.evaluate(r) for r in requests])
    cold_s = best_of(lambda: [engine.evaluate(Request.from_dict(d)) for d in dicts], 3)
    build_s = best_of(lambda: [Request.from_dict(d) for d in dicts], 3)
    full_s = best_of(lambda: [full.evaluate(r) for r in requests], 3)
    per = 1e6 / len(requests)
    print(f"{n:>5} {chain_s * per:>9.1f} {engine_s * per:>10.1f} "
          f"{engine_s / chain_s:>6.2f} {(cold_s - build_s) * per:>8.1f} "
          f"{full_s * per:>12.1f}   ({hits / len(requests):.2f} matches/request)")


def load_time() -> None:
    """Load + validate + compile of the 300-rule set from a JSON file."""
    body = {"phase": REQ, "rules": [make_rule(i)[0] for i in range(300)]}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rules-300.json"
        path.write_text(json.dumps(body, indent=2))
        load_s = best_of(lambda: Engine([load_ruleset(path)]), 5)
        only_load = best_of(lambda: load_ruleset(path), 5)
    print(f"\nload + validate + compile, 300 rules from JSON: {load_s * 1e3:.1f} ms "
          f"(of which load_ruleset {only_load * 1e3:.1f} ms)")


if __name__ == "__main__":
    main()
