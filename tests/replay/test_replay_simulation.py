"""The replay over time: statuses, Age, data centres, order, summaries (interfaces.md §7)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.logpush import EXAMPLE_RULES, T0, cache_everything, record, write_log

T0_TEXT = "2026-01-01T00:00:10Z"

from rulelang.replay import EngineSpec, ReplayOptions, replay
from rulelang.replay.sorting import ExternalSorter


def run(tmp_path, records, spec=None, **options):
    log = write_log(tmp_path / "log.jsonl", records)
    spec = spec or cache_everything(tmp_path)
    out = tmp_path / "per-request.jsonl"
    result = replay(ReplayOptions([spec], [str(log)], per_request=str(out), workers=1,
                                  **options))
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    return result, rows


def statuses(rows):
    return [(r["cache_status"], r["age"]) for r in rows]


ETAG = {"etag": '"v1"'}
SWR = {"cache-control": "max-age=100, stale-while-revalidate=50"}

# (records, expected (status, age) per request); ttl 100 from the one Cache Rule.
TIMELINES = {
    "miss-hit-expired": (
        [record(0), record(10.5), record(100), record(150)],
        [("MISS", None), ("HIT", 10), ("EXPIRED", None), ("HIT", 50)]),
    "revalidated-when-the-validators-match": (
        [record(0, response_headers=ETAG), record(120, response_headers=ETAG),
         record(130, response_headers=ETAG)],
        [("MISS", None), ("REVALIDATED", 0), ("HIT", 10)]),
    "expired-when-the-validators-changed": (
        [record(0, response_headers=ETAG), record(120, response_headers={"etag": '"v2"'})],
        [("MISS", None), ("EXPIRED", None)]),
    "logged-304-revalidates": (
        [record(0, response_headers=ETAG), record(120, origin=304)],
        [("MISS", None), ("REVALIDATED", 0)]),
    "per-data-centre": (
        [record(0, colo="LHR"), record(1, colo="FRA"), record(2, colo="LHR"),
         record(3, colo=None), record(4, colo=None)],
        [("MISS", None), ("MISS", None), ("HIT", 2), ("MISS", None), ("HIT", 1)]),
    "same-time-in-input-order": (
        [record(0, "/b.css"), record(0, "/b.css"), record(0, "/b.css")],
        [("MISS", None), ("HIT", 0), ("HIT", 0)]),
    "not-eligible-is-dynamic": (
        [record(0, method="POST"), record(1, method="POST")],
        [("DYNAMIC", None), ("DYNAMIC", None)]),
}


@pytest.mark.parametrize("name", sorted(TIMELINES))
def test_timelines(tmp_path, name):
    records, expected = TIMELINES[name]
    _, rows = run(tmp_path, records)
    assert statuses(rows) == expected


def test_response_rules_set_the_edge_lifetime(tmp_path):
    spec = EngineSpec(EXAMPLE_RULES)
    api = "/api/v1/items"
    ok = {"cache-control": "public, max-age=60"}
    records = [record(0, api, response_headers=ok), record(30, api, response_headers=ok),
               record(70, api, response_headers=ok), record(80, api, response_headers=ok),
               record(200, api, origin=0, edge=522)]
    _, rows = run(tmp_path, records, spec)
    # the example's api_edge_s_maxage rule sets s-maxage=300 and stale-while-revalidate=60
    # so the origin's max-age=60 does not count and the copy is fresh for 300 s
    assert statuses(rows) == [("MISS", None), ("HIT", 30), ("HIT", 70), ("HIT", 80),
                              ("HIT", 200)]


def test_updating_inside_the_window_then_hit_on_the_refreshed_copy(tmp_path):
    spec = EngineSpec((str(_origin_rules(tmp_path)),))
    records = [record(0, "/a.css", response_headers=SWR),
               record(120, "/a.css", response_headers=SWR),
               record(121, "/a.css", response_headers=SWR),
               record(400, "/a.css", response_headers=SWR)]
    _, rows = run(tmp_path, records, spec)
    assert statuses(rows) == [("MISS", None), ("UPDATING", 120), ("HIT", 1), ("EXPIRED", None)]


def test_stale_when_the_log_shows_no_origin_answer(tmp_path):
    spec = EngineSpec((str(_origin_rules(tmp_path)),))
    records = [record(0, "/a.css", response_headers=SWR),
               record(500, "/a.css", origin=0, edge=502)]
    _, rows = run(tmp_path, records, spec)
    assert statuses(rows) == [("MISS", None), ("STALE", 500)]


def _origin_rules(tmp_path):
    """A Cache Rule that makes everything eligible and follows the origin's headers."""
    path = tmp_path / "origin.json"
    path.write_text(json.dumps({"phase": "http_request_cache_settings", "rules": [
        {"ref": "eligible", "expression": "true", "action": "set_cache_settings",
         "action_parameters": {"cache": True}}]}))
    return path


def test_summary_counts_and_shape(tmp_path):
    records = [record(0, size=100, observed="miss"), record(1, size=100, observed="HIT"),
               record(2, size=300, observed="hit", method="POST"), record(3, size=100)]
    result, _ = run(tmp_path, records)
    [d] = result.to_dicts()
    assert list(d) == ["rules", "requests", "statuses", "hit_ratio", "byte_hit_ratio",
                       "origin_requests", "origin_bytes", "per_rule", "observed_agreement",
                       "missing_inputs"]
    assert d["requests"] == 4
    assert d["statuses"] == {"HIT": 2, "MISS": 1, "EXPIRED": 0, "REVALIDATED": 0,
                             "UPDATING": 0, "STALE": 0, "BYPASS": 0, "DYNAMIC": 1}
    assert d["hit_ratio"] == 0.5 and d["byte_hit_ratio"] == pytest.approx(200 / 600)
    assert (d["origin_requests"], d["origin_bytes"]) == (2, 400)
    assert d["per_rule"] == [{"ref": "all", "matched": 4, "hits": 2}]
    # agreement over the three lines with a CacheCacheStatus, case-insensitive
    assert d["observed_agreement"] == pytest.approx(2 / 3, abs=1e-6)
    assert "ClientIP" in d["missing_inputs"] and "EdgeColoCode" not in d["missing_inputs"]


def test_per_request_shape_and_input_order_for_out_of_order_logs(tmp_path):
    records = [record(5, "/x.css"), record(1, "/x.css"), record(3, "/x.css", colo=None)]
    _, rows = run(tmp_path, records, run_size=1)
    assert [r["line"] for r in rows] == [1, 2, 3]
    assert [r["cache_status"] for r in rows] == ["HIT", "MISS", "MISS"]
    assert rows[0] == {"line": 1, "timestamp": "2026-01-01T00:00:05Z", "colo": "LHR",
                       "cache_key": "https://www.example.com/x.css", "cache_status": "HIT",
                       "age": 4, "observed": None}


def test_bad_lines_are_counted_and_the_run_goes_on(tmp_path):
    result, rows = run(tmp_path, [record(0), "{broken", record(1), "[]"])
    assert result.bad.count == 2 and [b.line for b in result.bad.kept] == [2, 4]
    assert [r["line"] for r in rows] == [1, 3]


def test_compare_rules_replays_the_same_traffic(tmp_path):
    log = write_log(tmp_path / "log.jsonl", [record(0), record(50), record(150)])
    short = cache_everything(tmp_path, ttl=10, name="short.json")
    long = cache_everything(tmp_path, ttl=1000, name="long.json")
    result = replay(ReplayOptions([short, long], [str(log)], workers=1))
    a, b = result.to_dicts()
    assert a["statuses"]["HIT"] == 0 and b["statuses"]["HIT"] == 2
    assert b["observed_agreement"] is None


def test_no_timestamps_means_one_instant_in_input_order(tmp_path):
    records = [{k: v for k, v in record(t).items() if k != "EdgeStartTimestamp"}
               for t in (0, 1000, 5000)]
    result, rows = run(tmp_path, records)
    assert statuses(rows) == [("MISS", None), ("HIT", 0), ("HIT", 0)]
    assert rows[0]["timestamp"] is None
    assert "EdgeStartTimestamp" in result.to_dicts()[0]["missing_inputs"]


def test_gzip_and_pool_give_the_same_answer(tmp_path):
    import gzip
    records = [record(t * 7 % 300, f"/f{t % 5}.js") for t in range(300)]
    plain = write_log(tmp_path / "log.jsonl", records)
    packed = tmp_path / "log.jsonl.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    spec = cache_everything(tmp_path)
    one = replay(ReplayOptions([spec], [str(plain)], workers=1)).to_dicts()
    two = replay(ReplayOptions([spec], [str(packed)], workers=2)).to_dicts()
    assert one[0] | {"rules": None} == two[0] | {"rules": None}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 1000)), max_size=200),
       st.integers(1, 50))
def test_external_sort_is_a_stable_sort(items, run_size):
    from rulelang.replay import sorting
    saved, sorting.MAX_RUNS = sorting.MAX_RUNS, 3  # runs are merged on the way too
    try:
        sorter = ExternalSorter(lambda x: x[0], run_size=run_size)
        for item in items:
            sorter.add(item)
        assert list(sorter) == sorted(items, key=lambda x: x[0])
    finally:
        sorting.MAX_RUNS = saved


def test_the_decision_memo_changes_nothing(tmp_path, monkeypatch):
    """Rules that read the client address and the clock, on a generated log: the same
    per-request results with the memo and without."""
    from rulelang.replay import evaluate
    from rulelang.replay.generate import main as generate

    log = tmp_path / "day.jsonl"
    generate(["--lines", "1500", "--seed", "9", "--urls", "200", "-o", str(log)])
    rules = tmp_path / "reads.json"
    rules.write_text(json.dumps({"phase": "http_request_cache_settings", "rules": [
        {"ref": "by_ip", "expression": 'ip.src in {203.0.113.0/25}',
         "action": "set_cache_settings", "action_parameters": {"cache": True}},
        {"ref": "by_clock", "expression": "http.request.timestamp.sec gt 1767268800",
         "action": "set_cache_settings", "action_parameters": {"cache": False}}]}))
    spec = EngineSpec((str(rules), EXAMPLE_RULES[1]))
    outputs = []
    for size in (evaluate.MEMO_SIZE, 0):
        monkeypatch.setattr(evaluate, "MEMO_SIZE", size)
        evaluate._MEMOS.clear()
        out = tmp_path / f"per-{size}.jsonl"
        result = replay(ReplayOptions([spec], [str(log)], per_request=str(out), workers=1))
        outputs.append((result.to_dicts(), out.read_text()))
    assert outputs[0] == outputs[1]
    per_rule = outputs[0][0][0]["per_rule"]
    assert 0 < per_rule[0]["matched"] < 1500 and 0 < per_rule[1]["matched"] < 1500


def test_purges_in_the_log_empty_every_data_centre(tmp_path):
    tagged = {"cache-tag": "product-1"}
    records = [
        record(0, "/a.css", response_headers=tagged), record(1, "/b.css"),
        record(2, "/a.css", colo="FRA", response_headers=tagged),
        {"timestamp": T0_TEXT, "purge": {"tags": ["PRODUCT-1"]}},
        record(11, "/a.css", response_headers=tagged), record(12, "/b.css"),
        record(13, "/a.css", colo="FRA", response_headers=tagged),
        {"EdgeStartTimestamp": T0 + 20, "purge": {"purge_everything": True}},
        record(21, "/b.css"),
    ]
    result, rows = run(tmp_path, records)
    assert [(r["line"], r["cache_status"]) for r in rows] == [
        (1, "MISS"), (2, "MISS"), (3, "MISS"), (5, "MISS"), (6, "HIT"), (7, "MISS"),
        (9, "MISS")]
    assert result.to_dicts()[0]["requests"] == 7 and result.bad.count == 0


@pytest.mark.parametrize(("purge", "message"), [
    ({"purge": {"tags": "x"}}, "tags must be a list"),
    ({"purge": {"purge_everything": True}, "extra": 1}, "'purge' and a time only"),
    ({"purge": {"files": []}, "timestamp": "later"}, "purge time"),
])
def test_bad_purge_lines(tmp_path, purge, message):
    result, _ = run(tmp_path, [record(0), purge])
    assert [b.line for b in result.bad.kept] == [2] and message in result.bad.kept[0].reason
