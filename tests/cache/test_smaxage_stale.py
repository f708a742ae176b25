"""With Origin Cache Control on, ``s-maxage=N`` implies ``proxy-revalidate``: it forbids
serving stale content (cache-phases.md, the Origin Cache Control table, corrected)."""

from __future__ import annotations

import pytest
from support.engine_runs import evaluate, rule


@pytest.mark.parametrize("cache_control, occ, expected", [
    ("s-maxage=60, stale-while-revalidate=30", True, False),
    ("max-age=120, s-maxage=60, stale-while-revalidate=30", True, False),
    ("s-maxage=60, stale-while-revalidate=30", False, True),   # OCC off: ignored
    ("max-age=60, stale-while-revalidate=30", True, True),     # no s-maxage: stale allowed
])
def test_s_maxage_forbids_stale_with_origin_cache_control(cache_control, occ, expected):
    decision = evaluate(headers={"Cache-Control": cache_control},
                        rules=[rule(origin_cache_control=occ)])
    assert decision["serve_stale_allowed"] is expected
