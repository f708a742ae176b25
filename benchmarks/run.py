"""Run every benchmark in one process: ``python benchmarks/run.py``.

Each section prints rulelang's timings beside a hand-written Python baseline
measured in the same run, and the ratio between them:

* ``bench_expressions``: parse+check+compile per expression; evaluation of
  compiled filters against the same logic over already-extracted values;
* ``bench_fields``: building a ``Request`` and extracting every field against
  the standard library;
* ``bench_engine``: rule sets of 10, 50 and 300 rules over 1,000 requests
  against one hand-written ``if`` chain; load+validate+compile of 300 rules;
* ``bench_phase``: the request phase and the whole job at 10 to 5,000 rules against
  careful and naive hand-written chains (paired, interleaved, CPU time);
* ``bench_embedding``: the two-phase API (with and without reasons) against
  ``evaluate`` per request;
* ``bench_decision``: the whole job split into matching, ``request_phase`` (a HIT) and
  both phases with the decision (a MISS) at 10, 50 and 300 rules;
* ``bench_rules_files``: Terraform loading with sibling files, evaluated locals and
  variables, and unknown values, against the same rules written with literals.

``bench_proxy`` (``rulelang proxy`` against a plain aiohttp proxy) starts server
processes and is run on its own: ``python benchmarks/bench_proxy.py``.

Run it on a quiet machine: the ratios are only as steady as the machine.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_decision
import bench_embedding
import bench_engine
import bench_expressions
import bench_fields
import bench_phase
import bench_rules_files

if __name__ == "__main__":
    for module in (bench_expressions, bench_fields, bench_engine, bench_phase,
                   bench_embedding, bench_decision, bench_rules_files):
        print(f"\n== {module.__name__} " + "=" * (60 - len(module.__name__)))
        if module is bench_phase:
            module.main([])
        else:
            module.main()
