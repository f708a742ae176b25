"""``--engine local``: decide every request (a process pool when it helps), sort by time in
bounded memory (an external merge sort), simulate in one pass, summarise."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from typing import Any

from rulelang.replay.evaluate import Purge
from rulelang.replay.inputs import SourceFile
from rulelang.replay.pipeline import (
    BadLineReport,
    ReplayOptions,
    atomic_writer,
    decided_lines,
    input_key,
    per_request_record,
    time_key,
)
from rulelang.replay.simulate import Simulator, Summary
from rulelang.replay.sorting import ExternalSorter

__all__ = ["replay_local"]


def replay_local(options: ReplayOptions, sources: Sequence[SourceFile], refs: list[list[str]],
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
    target = options.per_request
    out: Any = None
    tmp: str | None = None
    records: ExternalSorter | None = None
    if target:
        out, tmp = atomic_writer(target)
        if not in_order:
            records = ExternalSorter(lambda r: r[0], run_size=options.run_size * 4)
    try:
        for line in sorter:
            if isinstance(line, Purge):
                for sim in simulators:
                    sim.purge(line)
                continue
            for sim, summary in zip(simulators, summaries, strict=True):
                result = sim.step(line)
                summary.add(line, line.decisions[sim.index].matched, result)
                if out is not None and sim.index == 0:
                    text = json.dumps(per_request_record(line, 0, result), ensure_ascii=False)
                    if records is not None:
                        records.add((input_key(line), text))
                    else:
                        out.write(text + "\n")
        if out is not None and tmp is not None and target:
            if records is not None:
                for _, text in records:
                    out.write(text + "\n")
            out.close()
            os.replace(tmp, target)
            tmp = None
    finally:
        if out is not None and tmp is not None:
            out.close()
            os.unlink(tmp)
    return summaries, missing, bad
