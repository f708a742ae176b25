"""The synthetic Logpush generator and the HTML report."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from rulelang.replay.generate import generate, main
from rulelang.replay.inputs import LOGPUSH_FIELDS


def test_same_seed_same_bytes_also_gzip(tmp_path):
    for name in ("a.jsonl", "b.jsonl", "a.jsonl.gz", "b.jsonl.gz"):
        assert main(["--lines", "500", "--seed", "3", "-o", str(tmp_path / name)]) == 0
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    assert (tmp_path / "a.jsonl.gz").read_bytes() == (tmp_path / "b.jsonl.gz").read_bytes()
    assert main(["--lines", "500", "--seed", "4", "-o", str(tmp_path / "c.jsonl")]) == 0
    assert (tmp_path / "c.jsonl").read_bytes() != (tmp_path / "a.jsonl").read_bytes()
    assert not list(tmp_path.glob("*.part"))


def test_a_realistic_mix():
    records = list(generate(5000, seed=2, urls=2000))
    assert all(set(r) == set(LOGPUSH_FIELDS) for r in records)
    times = [r["EdgeStartTimestamp"] for r in records]
    assert times[0].startswith("2026-01-01T00:00") and times[-1].startswith("2026-01-01T23")
    colos = Counter(r["EdgeColoCode"] for r in records)
    assert len(colos) >= 6
    kinds = Counter(r["ClientRequestURI"].split("/")[1] for r in records)
    assert {"static", "api", "blog"} <= set(kinds)
    urls = Counter(r["ClientRequestURI"] for r in records)
    top = urls.most_common(1)[0][1]
    assert top > 20 * (5000 / len(urls))  # Zipf: the head is far above the mean
    assert Counter(r["CacheCacheStatus"] for r in records)["hit"] > 0
    assert any(r["ClientRequestMethod"] == "POST" for r in records)


def test_bad_arguments(capsys):
    with pytest.raises(SystemExit):
        main(["--lines", "-1"])


def test_report_is_self_contained(tmp_path):
    pytest.importorskip("matplotlib")
    from rulelang.replay.report import render_html

    result = {"rules": ["r.json"], "requests": 2, "statuses": {"HIT": 1, "MISS": 1},
              "hit_ratio": 0.5, "byte_hit_ratio": 0.5, "origin_requests": 1,
              "origin_bytes": 10, "per_rule": [{"ref": "<b>x</b>", "matched": 2, "hits": 1}],
              "observed_agreement": None, "missing_inputs": ["ClientIP"]}
    series = [(1767225600, 1, 0), (1767225660, 1, 1)]
    page = render_html([result, result], [series, series], ["current", "what-if"], 3,
                       ["log.jsonl"])
    assert page.count("<svg") == 1 and "&lt;b&gt;x&lt;/b&gt;" in page
    assert "3 bad lines" in page and "ClientIP" in page
    assert "<script" not in page and "<link" not in page
    json.dumps(page)  # plain text
