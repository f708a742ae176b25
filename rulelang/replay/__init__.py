"""``rulelang replay``: what the rules would do to real traffic, over time (interfaces.md §7).

The pipeline, one module a step:

* ``inputs`` — Logpush ``http_requests`` JSON Lines (plain or gzip) and samples files read
  into requests, with the field mapping of §7; bad lines are collected with their numbers;
* ``evaluate`` — both phases of every rule set for every request (independent of the
  cache, so a parallel map), as compact :class:`~rulelang.replay.evaluate.Line` records;
* ``simulate`` — the cache over time of cache-phases §4.20 (:mod:`rulelang.cache.lifetime`)
  per data centre, in time order, and the :class:`~rulelang.replay.simulate.Summary`;
* ``run`` — the local engine (bounded memory: an external sort by time) and :func:`replay`;
  ``distributed`` — the same on Dask; ``report`` — the self-contained HTML report;
  ``generate`` — a synthetic Logpush log for tests and benchmarks.

docs/replay.md describes the model's choices, the field mapping and the scaling plan.
"""

from rulelang.replay.evaluate import EngineSpec
from rulelang.replay.run import ReplayOptions, ReplayResult, replay

__all__ = ["EngineSpec", "ReplayOptions", "ReplayResult", "replay"]
