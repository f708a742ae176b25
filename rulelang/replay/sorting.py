"""An external merge sort: items sorted by a key in bounded memory.

Items are kept in memory up to ``run_size``; then each run is sorted and written to a
temporary file (pickled in batches), and iteration merges the runs.  A sort that fits
in one run never touches the disk.
"""

from __future__ import annotations

import heapq
import pickle
import tempfile
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

__all__ = ["MAX_RUNS", "ExternalSorter"]

_BATCH = 1024
#: Runs on disk at most (then they are merged into one).
MAX_RUNS = 128


class ExternalSorter:
    """Collect items with :meth:`add`, then iterate once to get them sorted by ``key``
    (a stable sort: equal keys keep the order they were added in)."""

    def __init__(self, key: Callable[[Any], Any], run_size: int = 50_000,
                 tmpdir: str | None = None):
        self._key = key
        self._run_size = max(1, run_size)
        self._tmpdir = tmpdir
        self._items: list = []
        self._runs: list[BinaryIO] = []
        self.count = 0

    @property
    def spilled(self) -> bool:
        """Whether runs went to disk."""
        return bool(self._runs)

    def add(self, item: Any) -> None:
        self._items.append(item)
        self.count += 1
        if len(self._items) >= self._run_size:
            self._spill()

    def _spill(self) -> None:
        self._items.sort(key=self._key)
        f = tempfile.TemporaryFile(dir=self._tmpdir)  # noqa: SIM115 - closed in __iter__
        items = self._items
        for i in range(0, len(items), _BATCH):
            pickle.dump(items[i:i + _BATCH], f, protocol=pickle.HIGHEST_PROTOCOL)
        f.seek(0)
        self._runs.append(f)
        self._items = []
        if len(self._runs) >= MAX_RUNS:
            self._compact()

    def _compact(self) -> None:
        """Merge the runs into one, so that no more than :data:`MAX_RUNS` files are open
        (earlier runs hold earlier items: the merge keeps the sort stable)."""
        f = tempfile.TemporaryFile(dir=self._tmpdir)  # noqa: SIM115 - closed in __iter__
        batch: list = []
        for item in heapq.merge(*(_read(run) for run in self._runs), key=self._key):
            batch.append(item)
            if len(batch) >= _BATCH:
                pickle.dump(batch, f, protocol=pickle.HIGHEST_PROTOCOL)
                batch = []
        if batch:
            pickle.dump(batch, f, protocol=pickle.HIGHEST_PROTOCOL)
        for run in self._runs:
            run.close()
        f.seek(0)
        self._runs = [f]

    def __iter__(self) -> Iterator[Any]:
        try:
            if not self._runs:
                self._items.sort(key=self._key)
                items, self._items = self._items, []
                yield from items
                return
            if self._items:
                self._spill()
            yield from heapq.merge(*(_read(f) for f in self._runs), key=self._key)
        finally:
            self.close()

    def close(self) -> None:
        """Drop the runs (also done when iteration ends)."""
        for f in self._runs:
            f.close()
        self._runs = []
        self._items = []

    def __del__(self) -> None:  # pragma: no cover - files are closed by iteration
        self.close()


def _read(f: BinaryIO) -> Iterator[Any]:
    while True:
        try:
            batch = pickle.load(f)
        except EOFError:
            return
        yield from batch


