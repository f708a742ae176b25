"""``--engine dask`` gives exactly the local engine's results, on a real LocalCluster."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("dask.distributed")

import itertools

from support.logpush import EXAMPLE_RULES, cache_everything

from rulelang.replay import EngineSpec, ReplayOptions, replay
from rulelang.replay.distributed import bucket_of, partitions
from rulelang.replay.generate import main as generate
from rulelang.replay.inputs import detect_kind

LINES = 20_000


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    path = tmp_path_factory.mktemp("dask") / "day.jsonl"
    assert generate(["--lines", str(LINES), "--seed", "5", "--urls", "3000",
                     "-o", str(path)]) == 0
    # a bad line in the middle: both engines report it with its number
    lines = path.read_text().splitlines(keepends=True)
    lines[1234] = "{not json\n"
    # and a purge at noon: every bucket applies it at its time
    lines[LINES // 2] = json.dumps({"EdgeStartTimestamp": "2026-01-01T12:00:00Z",
                                    "purge": {"purge_everything": True}}) + "\n"
    path.write_text("".join(lines))
    return path


def test_dask_and_local_agree_on_a_generated_day(log, tmp_path):
    specs = [EngineSpec(EXAMPLE_RULES), cache_everything(tmp_path, ttl=600)]
    results = {}
    for engine in ("local", "dask"):
        out = tmp_path / f"{engine}.jsonl"
        result = replay(ReplayOptions(specs, [str(log)], engine=engine,
                                      workers=1 if engine == "local" else 2,
                                      per_request=str(out), partition_bytes=1 << 20))
        results[engine] = (result.to_dicts(), [s.series() for s in result.summaries],
                           [(b.line, b.reason) for b in result.bad.kept], out.read_bytes())
    local, dask = results["local"], results["dask"]
    assert local[0][0]["requests"] == LINES - 2
    assert local[2] == [(1235, ("invalid JSON: Expecting property name enclosed in double "
                                "quotes (column 2)"))]
    assert dask[0] == local[0]
    assert dask[1] == local[1]
    assert dask[2] == local[2]
    assert dask[3] == local[3]
    statuses = local[0][0]["statuses"]
    assert statuses["HIT"] > 0 and statuses["REVALIDATED"] > 0 and statuses["EXPIRED"] > 0


def test_partitions_cover_every_byte_and_count_lines(log):
    source = detect_kind(0, str(log))
    parts = partitions([source], 64 << 10)
    assert len(parts) > 10
    data = log.read_bytes()
    assert parts[0][1] == 0 and parts[-1][2] == len(data)
    for (_, _, end, _), (_, start, _, first) in itertools.pairwise(parts):
        assert end == start and data[start - 1:start] == b"\n"
        assert first == data[:start].count(b"\n") + 1


def test_buckets_are_stable_across_processes():
    code = ("from rulelang.replay.distributed import bucket_of; "
            "print([bucket_of(c, k, 16) for c in ('LHR', None) for k in ('/a', '/b', 'é')])")
    seen = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}, check=True).stdout
            for seed in ("1", "2")}
    assert seen == {str([bucket_of(c, k, 16) for c in ("LHR", None)
                         for k in ("/a", "/b", "é")]) + "\n"}
    assert bucket_of(None, "k", 7) == bucket_of("", "k", 7)
