"""Rules that reload themselves: :class:`RulesWatcher` (interfaces.md §5).

A watcher builds an :class:`~rulelang.engine.Engine` from rules paths (files,
directories, globs — as :meth:`Engine.from_files`) and rebuilds it when a file changes,
appears or disappears.  The new engine replaces the old one in a single assignment, so
a reader always gets a complete engine: a request that began on the old rules finishes
on them (``engine.request_phase(...)`` keeps its engine).  A file that does not load
keeps the running engine; its diagnostics are kept in :attr:`RulesWatcher.diagnostics`
and passed to ``on_error``.

Change detection compares each file's modification time, size and inode (polled by
:meth:`check`, or every ``interval`` seconds by the thread :meth:`start` runs) — no
extra dependency, and it works on every file system.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterable
from os import PathLike
from pathlib import Path
from typing import Any, Self

from rulelang.cache.zone import Zone
from rulelang.engine import Engine
from rulelang.errors import Diagnostic, Location, RuleLangError, RulesetError
from rulelang.rules.paths import rule_files

__all__ = ["RulesWatcher", "load_zone"]

_Signature = tuple[tuple[str, int, int, int], ...]


def load_zone(path: str | PathLike) -> dict:
    """A zone settings file (JSON or YAML object of cache-phases §0 settings)."""
    import yaml

    from rulelang.files import load_yaml

    try:
        text = Path(path).read_text("utf-8-sig")
        value = json.loads(text) if str(path).endswith(".json") else load_yaml(text)
    except (OSError, UnicodeError, ValueError, yaml.YAMLError, RecursionError) as exc:
        raise RulesetError([Diagnostic("RS001", f"{path}: cannot read the zone file: {exc}",
                                       location=Location(file=str(path)))]) from None
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RulesetError([Diagnostic("RS001", f"{path}: a zone file holds an object of "
                                       "zone settings", location=Location(file=str(path)))])
    return value


class RulesWatcher:
    """An engine that follows its rules files.

    ``paths`` as for :meth:`Engine.from_files`; ``zone`` a dict, a
    :class:`~rulelang.cache.zone.Zone` or the path of a zone file (watched too);
    ``lists`` the ``$name`` lists.  Building the first engine raises
    :class:`~rulelang.errors.RulesetError` when the rules are broken; later reloads
    never raise.  ``on_reload(engine)`` is called after a swap, ``on_error(diagnostics)``
    when a change could not be loaded.
    """

    def __init__(self, paths: str | PathLike | Iterable[str | PathLike], *,
                 zone: dict | Zone | str | PathLike | None = None, lists: dict | None = None,
                 interval: float = 1.0,
                 on_reload: Callable[[Engine], Any] | None = None,
                 on_error: Callable[[list[Diagnostic]], Any] | None = None) -> None:
        self._paths = [paths] if isinstance(paths, (str, PathLike)) else list(paths)
        self._zone = zone
        self._lists = lists
        self.interval = interval
        self.on_reload = on_reload
        self.on_error = on_error
        self.diagnostics: list[Diagnostic] = []
        self.reloads = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._signature = self._sign()
        self.engine: Engine = self._build()

    # -- building ---------------------------------------------------------------------------

    def _zone_value(self) -> dict | Zone | None:
        if isinstance(self._zone, (str, PathLike)):
            return load_zone(self._zone)
        return self._zone

    def _build(self) -> Engine:
        try:
            return Engine.from_files(self._paths, zone=self._zone_value(), lists=self._lists)
        except RulesetError:
            raise
        except RuleLangError as exc:  # a bad zone setting
            raise RulesetError([Diagnostic("RS001", str(exc))]) from None

    def _sign(self) -> _Signature:
        try:
            files = rule_files(self._paths)
        except RulesetError:
            files = []
        if isinstance(self._zone, (str, PathLike)):
            files.append(os.fspath(self._zone))
        out = []
        for name in files:
            try:
                st = os.stat(name)
                out.append((name, st.st_mtime_ns, st.st_size, st.st_ino))
            except OSError:
                out.append((name, -1, -1, -1))
        return tuple(out)

    # -- reloading --------------------------------------------------------------------------

    def check(self) -> bool:
        """Reload when a file changed since the last look; ``True`` when the engine was
        replaced."""
        signature = self._sign()
        if signature == self._signature:
            return False
        return self.reload(signature)

    def reload(self, signature: _Signature | None = None) -> bool:
        """Build the engine again now; ``True`` when it was replaced, ``False`` (the old
        engine kept, :attr:`diagnostics` set) when the rules do not load."""
        with self._lock:
            self._signature = signature if signature is not None else self._sign()
            try:
                engine = self._build()
            except RulesetError as exc:
                self.diagnostics = list(exc.diagnostics)
                if self.on_error is not None:
                    self.on_error(self.diagnostics)
                return False
            self.diagnostics = []
            self.engine = engine  # one assignment: readers see the old or the new engine
            self.reloads += 1
        if self.on_reload is not None:
            self.on_reload(engine)
        return True

    # -- the polling thread -----------------------------------------------------------------

    def start(self) -> Self:
        """Check for changes every ``interval`` seconds in a daemon thread."""
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="rulelang-watcher",
                                            daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the polling thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.check()
            except Exception as exc:  # noqa: BLE001 - a watcher thread must not die
                self.diagnostics = [Diagnostic("RS001", f"reload failed: {exc!r}")]

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
