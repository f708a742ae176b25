"""Rules-file loading benchmark: what partial Terraform evaluation costs.

Run: ``python benchmarks/bench_rules_files.py``.  Three measurements, each a ratio
against a baseline timed in the same process, interleaved, medians of 15 rounds:

1. a 50-rule Terraform file alone in its directory (baseline) against the same file
   beside 20 other ``.tf`` files whose ``locals``/``variable`` blocks are read (the
   siblings are parsed once per modification, so this is the warm cost);
2. the same 50 rules written with literals (baseline) against written with ``local.x``,
   ``var.x`` defaults, arithmetic and ``${…}`` templates that rulelang evaluates;
3. ``lint`` of a ``dynamic``/``var.`` file (unknown values, stand-in checks) against
   ``lint`` of the literal file.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rulelang.linter import lint
from rulelang.rules.ruleset import load_rulesets

RULES = 50


def _rule(i: int, evaluated: bool) -> str:
    ttl = "local.day * 7" if evaluated else "604800"
    host = '"http.host eq \\"${local.host}\\" and ' if evaluated else '"http.host eq \\"example.com\\" and '
    return f'''
  rules {{
    ref        = "r{i}"
    expression = {host}starts_with(http.request.uri.path, \\"/p{i}/\\")"
    action     = "set_cache_settings"
    action_parameters {{
      cache = true
      edge_ttl {{
        mode    = "override_origin"
        default = {ttl}
      }}
      browser_ttl {{
        mode    = "override_origin"
        default = {"var.browser" if evaluated else "3600"}
      }}
    }}
  }}'''


def _file(evaluated: bool, unknown: bool = False) -> str:
    head = '''locals {
  day  = 60 * 60 * 24
  host = "example.com"
}
variable "browser" { default = 3600 }
''' if evaluated else ""
    body = "".join(_rule(i, evaluated) for i in range(RULES))
    if unknown:
        body = body.replace('default = 604800', 'default = var.ttl', 5)
        body += '''
  dynamic "rules" {
    for_each = var.extra
    content {
      expression = "http.host eq \\"${rules.value.host}\\""
      action     = "set_cache_settings"
      action_parameters {
        cache = rules.value.cache
      }
    }
  }'''
    return head + f'''resource "cloudflare_ruleset" "c" {{
  zone_id = var.zone_id
  phase   = "http_request_cache_settings"
{body}
}}
'''


def _time(fn, rounds: int = 15) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _pair(name: str, base, other, rounds: int = 15) -> None:
    base_times, other_times = [], []
    for _ in range(rounds):  # interleaved
        base_times.append(_time(base, 1))
        other_times.append(_time(other, 1))
    b, o = statistics.median(base_times), statistics.median(other_times)
    print(f"{name:<58} {b * 1000:8.1f} ms {o * 1000:8.1f} ms  ×{o / b:5.2f}")


def main() -> None:
    with tempfile.TemporaryDirectory() as alone, tempfile.TemporaryDirectory() as crowd:
        literal = _file(False)
        (Path(alone) / "cache.tf").write_text(literal)
        (Path(crowd) / "cache.tf").write_text(literal)
        for i in range(20):
            (Path(crowd) / f"other{i}.tf").write_text(
                f'variable "v{i}" {{ default = {i} }}\nlocals {{ l{i} = "x" }}\n'
                + 'resource "cloudflare_zone" "z" { zone = "example.com" }\n' * 20)
        evaluated = Path(alone) / "evaluated.tf"
        evaluated.write_text(_file(True))
        unknown = Path(alone) / "unknown.tf"
        unknown.write_text(_file(False, unknown=True))
        assert load_rulesets(str(evaluated))[0].rules[0].action_parameters["edge_ttl"] \
            == load_rulesets(str(Path(alone) / "cache.tf"))[0].rules[0] \
            .action_parameters["edge_ttl"]
        print(f"{'':<58} {'baseline':>11} {'measured':>11}  ratio")
        _pair("load, 50 rules: alone vs beside 20 .tf files",
              lambda: load_rulesets(str(Path(alone) / "cache.tf")),
              lambda: load_rulesets(str(Path(crowd) / "cache.tf")))
        _pair("load, 50 rules: literals vs locals/vars/arithmetic/templates",
              lambda: load_rulesets(str(Path(alone) / "cache.tf")),
              lambda: load_rulesets(str(evaluated)))
        _pair("lint, 50 rules: literals vs unknowns + dynamic block",
              lambda: lint(str(Path(alone) / "cache.tf")),
              lambda: lint(str(unknown)))


if __name__ == "__main__":
    main()
