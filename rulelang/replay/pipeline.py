"""What both replay engines share: the options and result, reading and deciding the logs
in chunks (a process pool when it helps), the per-request record, atomic output files."""

from __future__ import annotations

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
    Purge,
    Record,
    build_engines,
    evaluate_request,
)
from rulelang.replay.inputs import (
    BadLine,
    PurgeRequest,
    SourceFile,
    decode_line,
    iter_whole_samples,
    open_binary,
    parse_line,
)
from rulelang.replay.simulate import DEFAULT_KEEP_EXPIRED, Result, Summary

__all__ = [
    "CHUNK_LINES",
    "BadLineReport",
    "ReplayOptions",
    "ReplayResult",
    "atomic_writer",
    "chunks",
    "decided_lines",
    "default_workers",
    "evaluate_chunk",
    "input_key",
    "per_request_record",
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


def time_key(line: Record) -> tuple[float, int, int]:
    """Replay order: time, then input order (file, line)."""
    return (line.t, line.file, line.line)


def input_key(line: Record) -> tuple[int, int]:
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
                   raw_lines: Sequence[bytes]) -> tuple[list[Record], list[BadLine], set[str]]:
    """Decide the raw lines (the first is line ``first_line`` of ``source``)."""
    engines = build_engines(specs)
    lines: list[Record] = []
    bad: list[BadLine] = []
    missing: set[str] = set()
    for offset, raw in enumerate(raw_lines):
        lineno = first_line + offset
        try:
            item = parse_line(source, lineno, decode_line(source, lineno, raw), missing)
            if isinstance(item, PurgeRequest):
                t = item.timestamp if item.timestamp is not None else 0.0
                lines.append(Purge(t, item.file, item.line, item.timestamp, item.purge))
            elif item is not None:
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
    """The pool's size: none for small logs; else one worker per core but one (the main
    process reads, sorts and simulates meanwhile), at most 8, and no pool below two
    workers (on two cores a pool measured slower than one process)."""
    try:
        size = sum(os.path.getsize(p) for p in logs)
    except OSError:
        size = 0
    if size < POOL_THRESHOLD:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    workers = min(cores - 1, 8)
    return workers if workers >= 2 else 1


def decided_lines(options: ReplayOptions, sources: Sequence[SourceFile], missing: set[str],
                  bad: BadLineReport, progress: Callable[[int], None] | None = None
                  ) -> Iterator[Record]:
    """Every request of the logs with every rule set's decision, in input order."""
    specs = options.rule_sets
    engines = build_engines(specs)
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


def _collect(result: tuple[list[Record], list[BadLine], set[str]], missing: set[str],
             bad: BadLineReport, progress: Callable[[int], None] | None, n: int
             ) -> list[Record]:
    lines, bad_lines, missed = result
    missing |= missed
    for b in bad_lines:
        bad.add(b)
    if progress:
        progress(n)
    return lines


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


