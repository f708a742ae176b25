""""Did you mean …?": the one place that picks the closest known name."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["closest"]


def closest(name: str, candidates: Iterable[str], *, cutoff: float = 0.75) -> str | None:
    """The candidate ``name`` most likely means, or ``None``.

    The same name in another case wins (field names and keywords are lower case, so
    ``HTTP.HOST`` means ``http.host``); otherwise the closest spelling above
    ``cutoff`` (difflib's ratio).
    """
    known = sorted(set(candidates))
    by_lower = {k.lower(): k for k in known}
    folded = name.strip().lower()
    if folded in by_lower and by_lower[folded] != name:
        return by_lower[folded]
    match = difflib.get_close_matches(folded, list(by_lower), n=1, cutoff=cutoff)
    return by_lower[match[0]] if match else None
