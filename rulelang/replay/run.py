"""The library entry point of ``rulelang replay``: :func:`replay` checks the options, runs
the engine asked for (:mod:`~rulelang.replay.local` or :mod:`~rulelang.replay.distributed`)
and returns a :class:`~rulelang.replay.pipeline.ReplayResult`."""

from __future__ import annotations

from collections.abc import Callable

from rulelang.errors import RuleLangError
from rulelang.replay.evaluate import build_engine, rule_table
from rulelang.replay.inputs import detect_kind
from rulelang.replay.pipeline import ReplayOptions, ReplayResult

__all__ = ["ReplayOptions", "ReplayResult", "replay"]


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
        try:
            import dask.distributed  # noqa: F401 - only to say what is missing
        except ImportError:
            raise RuleLangError("the dask engine needs Dask: pip install 'rulelang[dask]'"
                                ) from None
        from rulelang.replay.distributed import replay_dask

        summaries, missing, bad = replay_dask(options, sources, refs)
    else:
        from rulelang.replay.local import replay_local

        summaries, missing, bad = replay_local(options, sources, refs, progress)
    return ReplayResult(options, refs, summaries, missing, bad)
