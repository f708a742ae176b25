"""``--engine local``: read the logs, decide every request (a process pool when it helps),
sort by time in bounded memory, simulate, summarise.

:func:`replay` is the library entry point of both engines: it checks the options, runs the
engine asked for and returns a :class:`ReplayResult`.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from rulelang.errors import RuleLangError
from rulelang.replay.evaluate import (
    EngineSpec,
    Line,
    build_engine,
    evaluate_request,
    rule_table,
)
from rulelang.replay.inputs import (
    BadLine,
    SourceFile,
    decode_line,
    detect_kind,
    iter_whole_samples,
    open_binary,
    parse_line,
)
from rulelang.replay.simulate import DEFAULT_KEEP_EXPIRED, Result, Simulator, Summary
from rulelang.replay.sorting import ExternalSorter

__all__ = [
    "CHUNK_LINES",
    "BadLineReport",
    "ReplayOptions",
    "ReplayResult",
    "atomic_writer",
    "chunks",
    "evaluate_chunk",
    "per_request_record",
    "replay",
    "time_key",
]

#: Lines a worker decides at a time.
CHUNK_LINES = 2000
#: Bad lines kept with their message (all are counted).
BAD_LINES_KEPT = 1000
#: Below this many bytes of logs the local engine does not start a process pool.
POOL_THRESHOLD = 4 << 20


@dataclass
class ReplayOptions:
    """What to replay: ``rule_sets`` (the current rules first, then ``--compare-rules``),
    the ``logs``, and how (``engine``, ``workers``, ``scheduler``)."""

    rule_sets: list[EngineSpec]
    logs: list[str]
    per_request: str | None = None
    engine: str = "local"
    workers: int | None = None
    scheduler: str | None = None
    keep_expired: float | None = DEFAULT_KEEP_EXPIRED
    run_size: int = 50_000
    partition_bytes: int = 16 << 20


@dataclass
class BadLineReport:
    """The bad lines: how many, and the first :data:`BAD_LINES_KEPT` of them."""

    count: int = 0
    kept: list[BadLine] = field(default_factory=list)

    def add(self, bad: BadLine) -> None:
        self.count += 1
        if len(self.kept) < BAD_LINES_KEPT:
            self.kept.append(bad)


@dataclass
class ReplayResult:
    """The replay of each rule set: its summary, plus what the inputs lacked."""

    options: ReplayOptions
    refs: list[list[str]]
    summaries: list[Summary]
    missing: set[str]
    bad: BadLineReport

    def to_dicts(self) -> list[dict]:
        """One ``--format json`` object per rule set (interfaces.md §7)."""
        return [summary.to_dict(list(spec.rules), refs, self.missing, agreement=i == 0)
                for i, (spec, refs, summary) in enumerate(zip(
                    self.options.rule_sets, self.refs, self.summaries, strict=True))]


def time_key(line: Line) -> tuple[float, int, int]:
    """Replay order: time, then input order (file, line)."""
    return (line.t, line.file, line.line)


def _input_key(line: Line) -> tuple[int, int]:
    return (line.file, line.line)


def per_request_record(line: Line, index: int, result: Result) -> dict[str, Any]:
    """One ``--per-request`` line (interfaces.md §7)."""
    return {"line": line.line,
            "timestamp": _rfc3339(line.timestamp),
            "colo": line.colo,
            "cache_key": line.decisions[index].key,
            "cache_status": result.status,
            "age": result.age,
            "observed": line.observed}


def _rfc3339(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    try:
        moment = datetime.fromtimestamp(timestamp, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    text = moment.isoformat(timespec="microseconds" if moment.microsecond else "seconds")
    return text.replace("+00:00", "Z")


# -- deciding every request -------------------------------------------------------------------

def evaluate_chunk(specs: Sequence[EngineSpec], source: SourceFile, first_line: int,
                   raw_lines: Sequence[bytes]) -> tuple[list[Line], list[BadLine], set[str]]:
    """Decide the raw lines (the first is line ``first_line`` of ``source``)."""
    engines = [build_engine(spec) for spec in specs]
    lines: list[Line] = []
    bad: list[BadLine] = []
    missing: set[str] = set()
    for offset, raw in enumerate(raw_lines):
        lineno = first_line + offset
        try:
            item = parse_line(source, lineno, decode_line(source, lineno, raw), missing)
            if item is not None:
                lines.append(evaluate_request(engines, item))
        except BadLine as e:
            bad.append(e)
        except RuleLangError as e:
            bad.append(BadLine(source.path, lineno, str(e)))
    return lines, bad, missing


def chunks(source: SourceFile) -> Iterator[tuple[int, list[bytes]]]:
    """The raw lines of a JSON Lines file, :data:`CHUNK_LINES` at a time, with the number
    of the first."""
    try:
        with open_binary(source.path) as f:
            first, texts = 1, []
            for lineno, text in enumerate(f, 1):
                texts.append(text)
                if len(texts) >= CHUNK_LINES:
                    yield first, texts
                    first, texts = lineno + 1, []
            if texts:
                yield first, texts
    except (OSError, EOFError) as e:
        raise RuleLangError(f"{source.path}: cannot read: {e}") from None


def default_workers(logs: Sequence[str]) -> int:
    """One process for small inputs, else the machine's cores (at most 8)."""
    try:
        size = sum(os.path.getsize(p) for p in logs)
    except OSError:
        size = 0
    if size < POOL_THRESHOLD:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def decided_lines(options: ReplayOptions, sources: Sequence[SourceFile], missing: set[str],
                  bad: BadLineReport, progress: Callable[[int], None] | None = None
                  ) -> Iterator[Line]:
    """Every request of the logs with every rule set's decision, in input order."""
    specs = options.rule_sets
    engines = [build_engine(spec) for spec in specs]
    workers = options.workers or default_workers([s.path for s in sources])
    pool = ProcessPoolExecutor(max_workers=workers) if workers > 1 else None
    try:
        for source in sources:
            if source.kind == "samples":
                kept: list[BadLine] = []
                for item in iter_whole_samples(source, missing, kept):
                    for b in kept:
                        bad.add(b)
                    kept.clear()
                    try:
                        yield evaluate_request(engines, item)
                    except RuleLangError as e:
                        bad.add(BadLine(source.path, item.line, str(e)))
                    if progress:
                        progress(1)
                for b in kept:
                    bad.add(b)
                continue
            parts = chunks(source)
            if pool is None:
                for first, texts in parts:
                    yield from _collect(evaluate_chunk(specs, source, first, texts), missing,
                                        bad, progress, len(texts))
                continue
            window: list[tuple[Future, int]] = []
            for first, texts in parts:
                window.append((pool.submit(evaluate_chunk, specs, source, first, texts),
                               len(texts)))
                if len(window) >= 2 * workers + 2:
                    future, n = window.pop(0)
                    yield from _collect(future.result(), missing, bad, progress, n)
            for future, n in window:
                yield from _collect(future.result(), missing, bad, progress, n)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _collect(result: tuple[list[Line], list[BadLine], set[str]], missing: set[str],
             bad: BadLineReport, progress: Callable[[int], None] | None, n: int
             ) -> list[Line]:
    lines, bad_lines, missed = result
    missing |= missed
    for b in bad_lines:
        bad.add(b)
    if progress:
        progress(n)
    return lines


# -- the local engine -------------------------------------------------------------------------

def atomic_writer(path: str, suffix: str = ".tmp") -> tuple[Any, str]:
    """A text file beside ``path`` to write and then move over it (``os.replace``), so
    that a failed run never leaves half a file; the mode is a new file's usual one."""
    directory = os.path.dirname(os.path.abspath(path)) or "."
    try:
        fd, tmp = tempfile.mkstemp(prefix=".rulelang-", suffix=suffix, dir=directory)
        mask = os.umask(0)
        os.umask(mask)
        os.fchmod(fd, 0o666 & ~mask)
    except OSError as e:
        raise RuleLangError(f"{path}: cannot write: {e.strerror or e}") from None
    return os.fdopen(fd, "w", encoding="utf-8"), tmp


def _local(options: ReplayOptions, sources: Sequence[SourceFile], refs: list[list[str]],
           progress: Callable[[int], None] | None) -> tuple[list[Summary], set[str],
                                                            BadLineReport]:
    missing: set[str] = set()
    bad = BadLineReport()
    sorter = ExternalSorter(time_key, run_size=options.run_size)
    in_order, last = True, None
    for line in decided_lines(options, sources, missing, bad, progress):
        key = time_key(line)
        if last is not None and key < last:
            in_order = False
        last = key
        sorter.add(line)
    simulators = [Simulator(i, options.keep_expired) for i in range(len(options.rule_sets))]
    summaries = [Summary(len(r)) for r in refs]
    out = tmp = None
    records: ExternalSorter | None = None
    if options.per_request:
        out, tmp = atomic_writer(options.per_request)
        if not in_order:
            records = ExternalSorter(lambda r: r[0], run_size=options.run_size * 4)
    try:
        for line in sorter:
            for sim, summary in zip(simulators, summaries, strict=True):
                result = sim.step(line)
                summary.add(line, line.decisions[sim.index].matched, result)
                if out is not None and sim.index == 0:
                    text = json.dumps(per_request_record(line, 0, result), ensure_ascii=False)
                    if records is not None:
                        records.add((_input_key(line), text))
                    else:
                        out.write(text + "\n")
        if out is not None:
            if records is not None:
                for _, text in records:
                    out.write(text + "\n")
            out.close()
            os.replace(tmp, options.per_request)
            tmp = None
    finally:
        if out is not None and tmp is not None:
            out.close()
            os.unlink(tmp)
    return summaries, missing, bad


def replay(options: ReplayOptions, progress: Callable[[int], None] | None = None
           ) -> ReplayResult:
    """Replay the logs against each rule set (see the package docstring)."""
    if not options.rule_sets:
        raise RuleLangError("replay needs at least one rule set")
    if not options.logs:
        raise RuleLangError("replay needs at least one log file")
    if options.engine not in ("local", "dask"):
        raise RuleLangError(f"unknown engine {options.engine!r}: local or dask")
    if options.workers is not None and options.workers < 1:
        raise RuleLangError(f"--workers must be 1 or more, not {options.workers}")
    sources = [detect_kind(i, path) for i, path in enumerate(options.logs)]
    refs = [[r.ref for r in rule_table(build_engine(spec))] for spec in options.rule_sets]
    if options.engine == "dask":
        from rulelang.replay.distributed import replay_dask

        summaries, missing, bad = replay_dask(options, sources, refs)
    else:
        summaries, missing, bad = _local(options, sources, refs, progress)
    return ReplayResult(options, refs, summaries, missing, bad)
