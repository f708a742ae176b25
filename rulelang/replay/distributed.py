"""``--engine dask``: the replay on a Dask cluster (``dask.distributed``; the ``dask`` extra).

1. **Partitions.**  Each plain JSON Lines log is cut at line boundaries into byte ranges
   of about ``partition_bytes`` (one pass over the file counts the lines before each
   range, so every line keeps its number); a gzip file or a JSON array / HAR capture is
   one partition.
2. **Request phase as a map.**  A task per partition reads its range and decides every
   request with every rule set (:func:`rulelang.replay.run.evaluate_chunk`), then splits
   the lines into ``buckets`` by a stable hash of (data centre, cache key) — per rule set,
   since each rule set has its own keys.
3. **Shuffle.**  Each (rule set, bucket) task receives its piece of every partition.
4. **Simulation.**  Each bucket is sorted by (time, file, line) and simulated on its own;
   the cache model is per key, so this gives each request the same answer as one pass
   over the whole log (``--engine local``).
5. **Aggregation.**  The buckets' summaries are added up; ``--per-request`` records come
   back sorted by input position and are merged at the client.

The workers read the log and rules files by their paths: with ``--scheduler``, the files
must be at the same paths on the workers (a shared file system).
"""

from __future__ import annotations

import heapq
import json
import logging
import os
import zlib
from collections.abc import Sequence
from typing import Any

from rulelang.errors import RuleLangError
from rulelang.replay.evaluate import EngineSpec, Purge, Record, build_engines, evaluate_request
from rulelang.replay.inputs import BadLine, SourceFile, iter_whole_samples, open_binary
from rulelang.replay.pipeline import (
    BadLineReport,
    ReplayOptions,
    atomic_writer,
    evaluate_chunk,
    per_request_record,
    time_key,
)
from rulelang.replay.simulate import Simulator, Summary

__all__ = ["bucket_of", "partitions", "replay_dask", "simulate_bucket"]


def bucket_of(colo: str | None, key: str, buckets: int) -> int:
    """The bucket of a (data centre, cache key): a hash that is the same in every process."""
    return zlib.crc32(f"{colo or ''}\x00{key}".encode("utf-8", "surrogatepass")) % buckets


def partitions(sources: Sequence[SourceFile], size: int) -> list[tuple[SourceFile, int, int | None, int]]:
    """``(source, start byte, end byte or None, number of the first line)`` per partition."""
    out: list[tuple[SourceFile, int, int | None, int]] = []
    for source in sources:
        if source.kind == "samples" or source.gzip:
            out.append((source, 0, None, 1))
            continue
        try:
            total = os.path.getsize(source.path)
            with open(source.path, "rb") as f:
                start, line = 0, 1
                while start < total:
                    f.seek(start)
                    block = f.read(size)
                    tail = f.readline() if len(block) == size else b""
                    data = block + tail
                    end = start + len(data)
                    out.append((source, start, end, line))
                    line += data.count(b"\n")
                    start = end
        except OSError as e:
            raise RuleLangError(f"{source.path}: cannot read: {e.strerror or e}") from None
    return out


def _evaluate_partition(part: tuple[SourceFile, int, int | None, int],
                        specs: Sequence[EngineSpec], buckets: int) -> dict[str, Any]:
    source, start, end, first = part
    lines: list[Record] = []
    bad: list[BadLine] = []
    missing: set[str] = set()
    if source.kind == "samples":
        engines = build_engines(specs)
        for item in iter_whole_samples(source, missing, bad):
            try:
                lines.append(evaluate_request(engines, item))
            except RuleLangError as e:
                bad.append(BadLine(source.path, item.line, str(e)))
    elif end is None:
        with open_binary(source.path) as f:
            raw = list(f)
        got, bad, missing = evaluate_chunk(specs, source, first, raw)
        lines = got
    else:
        with open(source.path, "rb") as f:
            f.seek(start)
            data = f.read(end - start)
        raw = data.split(b"\n")
        if raw and raw[-1] == b"":
            raw.pop()
        lines, bad, missing = evaluate_chunk(specs, source, first, raw)
    pieces: list[list[list[Record]]] = [[[] for _ in range(buckets)] for _ in specs]
    purges: list[Record] = []
    for line in lines:
        if isinstance(line, Purge):
            purges.append(line)  # every bucket gets every purge
            continue
        for which, decision in enumerate(line.decisions):
            pieces[which][bucket_of(line.colo, decision.key, buckets)].append(line)
    return {"pieces": pieces, "purges": purges, "bad": bad, "missing": missing}


def _piece(result: dict[str, Any], engine: int, bucket: int) -> list[Record]:
    return result["pieces"][engine][bucket] + result["purges"]


def _meta(result: dict[str, Any]) -> tuple[list[BadLine], set[str]]:
    return result["bad"], result["missing"]


def simulate_bucket(engine: int, rule_count: int, keep_expired: float | None, records: bool,
                    *pieces: list[Record]) -> tuple[Summary, list[tuple[tuple[int, int], str]]]:
    """Simulate one bucket of one rule set in time order; its summary, and (when
    ``records``) its per-request lines sorted by input position."""
    lines = [line for piece in pieces for line in piece]
    lines.sort(key=time_key)
    sim = Simulator(engine, keep_expired)
    summary = Summary(rule_count)
    out: list[tuple[tuple[int, int], str]] = []
    for line in lines:
        if isinstance(line, Purge):
            sim.purge(line)
            continue
        result = sim.step(line)
        summary.add(line, line.decisions[engine].matched, result)
        if records:
            out.append(((line.file, line.line),
                        json.dumps(per_request_record(line, engine, result),
                                   ensure_ascii=False)))
    out.sort(key=lambda r: r[0])
    return summary, out


def _client(options: ReplayOptions) -> tuple[Any, Any]:
    from dask.distributed import Client, LocalCluster

    if options.scheduler:
        try:
            return Client(options.scheduler, timeout="30s"), None
        except (OSError, TimeoutError) as e:
            raise RuleLangError(f"cannot reach the Dask scheduler at {options.scheduler}: {e}"
                                ) from None
    cluster = LocalCluster(n_workers=options.workers or 2, threads_per_worker=1,
                           processes=True, dashboard_address=None, host="127.0.0.1",
                           silence_logs=logging.CRITICAL)
    return Client(cluster), cluster


def replay_dask(options: ReplayOptions, sources: Sequence[SourceFile], refs: list[list[str]]
                ) -> tuple[list[Summary], set[str], BadLineReport]:
    """Run the replay on Dask; the same results as the local engine."""
    specs = options.rule_sets
    parts = partitions(sources, options.partition_bytes)
    quiet = logging.getLogger("distributed")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # shutdown chatter (closed comms) is not the user's news
    try:
        return _run(options, specs, parts, refs)
    finally:
        quiet.setLevel(level)


def _run(options: ReplayOptions, specs: Sequence[EngineSpec], parts: list, refs: list[list[str]]
         ) -> tuple[list[Summary], set[str], BadLineReport]:
    client, cluster = _client(options)
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        buckets = max(4, 4 * workers)
        evaluated = client.map(_evaluate_partition, parts, specs=specs, buckets=buckets,
                               pure=False)
        meta = client.map(_meta, evaluated, pure=False)
        simulated = []
        for e in range(len(specs)):
            for b in range(buckets):
                pieces = [client.submit(_piece, f, e, b, pure=False) for f in evaluated]
                simulated.append(client.submit(
                    simulate_bucket, e, len(refs[e]), options.keep_expired,
                    bool(options.per_request) and e == 0, *pieces, pure=False))
        results = client.gather(simulated)
        bad = BadLineReport()
        missing: set[str] = set()
        for bad_lines, missed in client.gather(meta):
            missing |= missed
            for item in bad_lines:
                bad.add(item)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    summaries = [Summary(len(r)) for r in refs]
    for i, (summary, _) in enumerate(results):
        summaries[i // buckets].merge(summary)
    if options.per_request:
        out, tmp = atomic_writer(options.per_request)
        try:
            with out:
                for _, text in heapq.merge(*(records for _, records in results[:buckets]),
                                           key=lambda r: r[0]):
                    out.write(text + "\n")
            os.replace(tmp, options.per_request)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return summaries, missing, bad
