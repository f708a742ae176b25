"""``rulelang replay`` end to end (interfaces.md §7)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from support.logpush import EXAMPLE, EXAMPLE_RULES, cache_everything, record, write_log

from rulelang.cli.main import main


def run(capsys, *args):
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_no_arguments_replays_the_shipped_example(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "rulelang", "replay"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "hit ratio" in proc.stdout and "static_assets" in proc.stdout
    assert "the example log and rules" in proc.stderr


def test_json_has_the_shape_of_section_7(capsys, tmp_path):
    code, out, _ = run(capsys, "replay", "--rules", *EXAMPLE_RULES,
                       str(EXAMPLE / "logpush.jsonl.gz"), "--format", "json")
    assert code == 0
    [d] = [json.loads(line) for line in out.splitlines()]
    assert set(d) == {"rules", "requests", "statuses", "hit_ratio", "byte_hit_ratio",
                      "origin_requests", "origin_bytes", "per_rule", "observed_agreement",
                      "missing_inputs"}
    assert d["rules"] == list(EXAMPLE_RULES) and d["requests"] == 3000
    assert sum(d["statuses"].values()) == 3000
    matched = {r["ref"]: r["matched"] for r in d["per_rule"]}
    assert matched["static_assets"] > 0 and matched["static_strip_set_cookie"] > 0
    assert "legacy_downloads_bypass" not in matched  # disabled rules are not listed
    assert 0 < d["observed_agreement"] <= 1 and d["missing_inputs"] == []


def test_compare_rules_side_by_side(capsys, tmp_path):
    short = cache_everything(tmp_path, ttl=1, name="short.json").rules[0]
    long = cache_everything(tmp_path, ttl=86400, name="long.json").rules[0]
    log = write_log(tmp_path / "log.jsonl", [record(t) for t in range(0, 50, 5)])
    code, out, _ = run(capsys, "replay", "--rules", short, "--compare-rules", long,
                       str(log))
    assert code == 0
    assert "current rules" in out and "--compare-rules" in out
    row = next(line for line in out.splitlines() if line.strip().startswith("hit ratio"))
    assert re.findall(r"[\d.]+%", row) == ["0.0%", "90.0%"]
    code, out, _ = run(capsys, "replay", "--rules", short, "--compare-rules", long,
                       str(log), "--format", "json")
    first, second = (json.loads(line) for line in out.splitlines())
    assert (first["hit_ratio"], second["hit_ratio"]) == (0.0, 0.9)


def test_per_request_and_report(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    log = write_log(tmp_path / "log.jsonl", [record(0, observed="miss"), record(1)])
    spec = cache_everything(tmp_path)
    per, report = tmp_path / "per.jsonl", tmp_path / "r.html"
    code, _, _ = run(capsys, "replay", "--rules", *spec.rules, str(log),
                     "--per-request", str(per), "--report", str(report))
    assert code == 0
    rows = [json.loads(line) for line in per.read_text().splitlines()]
    assert [(r["line"], r["cache_status"], r["age"], r["observed"]) for r in rows] == [
        (1, "MISS", None, "miss"), (2, "HIT", 1, None)]
    page = report.read_text()
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page
    assert "<script" not in page and not re.search(r'(src|href)="(https?:)?//', page)


def test_bad_lines_are_listed_and_exit_2_after_the_results(capsys, tmp_path):
    log = write_log(tmp_path / "log.jsonl", [record(0), "garbage", record(1)])
    spec = cache_everything(tmp_path)
    code, out, err = run(capsys, "replay", "--rules", *spec.rules, str(log), "--format",
                         "json")
    assert code == 2
    assert json.loads(out)["requests"] == 2
    assert f"{log}:2: invalid JSON" in err and "1 bad line skipped" in err


@pytest.mark.parametrize(("args", "message"), [
    (["replay", "--rules", "RULES"], "no LOGS given"),
    (["replay", "LOG"], "--rules is required"),
    (["replay", "--rules", "RULES", "missing.jsonl"], "missing.jsonl: no such file"),
    (["replay", "--rules", "RULES", "LOG", "--scheduler", "tcp://x:1"],
     "--scheduler needs --engine dask"),
    (["replay", "--rules", "RULES", "LOG", "--workers", "0"], "--workers"),
    (["replay", "--rules", "RULES", "LOG", "--zone", "ZONE"], "unknown zone setting"),
])
def test_usage_errors_exit_2(capsys, tmp_path, args, message):
    log = write_log(tmp_path / "log.jsonl", [record(0)])
    (tmp_path / "zone.json").write_text('{"plna": "pro"}')
    rules = cache_everything(tmp_path).rules[0]
    args = [{"RULES": rules, "LOG": str(log), "ZONE": str(tmp_path / "zone.json"),
             "missing.jsonl": str(tmp_path / "missing.jsonl")}.get(a, a) for a in args]
    code, _, err = run(capsys, *args)
    assert code == 2 and message in err


def test_an_invalid_rules_file_shows_its_diagnostics(capsys, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"phase": "http_request_cache_settings", "rules": [
        {"expression": "http.nope eq 1", "action": "set_cache_settings",
         "action_parameters": {"cache": True}}]}))
    log = write_log(tmp_path / "log.jsonl", [record(0)])
    code, _, err = run(capsys, "replay", "--rules", str(bad), str(log))
    assert code == 2 and "http.nope" in err


def test_zone_file_is_used(capsys, tmp_path):
    zone = tmp_path / "zone.yaml"
    zone.write_text("plan: enterprise\n")
    log = write_log(tmp_path / "log.jsonl", [record(0, "/a.png"), record(1, "/a.png")])
    code, out, _ = run(capsys, "replay", "--rules", *EXAMPLE_RULES, str(log), "--zone",
                       str(zone), "--format", "json")
    assert code == 0 and json.loads(out)["statuses"]["HIT"] == 1


def test_engine_dask_on_a_scheduler_address_gives_the_local_answer(capsys, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    log = write_log(tmp_path / "log.jsonl",
                    [record(t, f"/f{t % 3}.css", colo=("LHR", "FRA")[t % 2])
                     for t in range(0, 400, 7)] + ["oops"])
    spec = cache_everything(tmp_path)
    code, local, _ = run(capsys, "replay", "--rules", *spec.rules, str(log), "--format",
                         "json")
    assert code == 2
    # threads in this process, reached by an in-process address: no network server
    with distributed.LocalCluster(n_workers=1, processes=False,
                                  dashboard_address=None) as cluster:
        code, remote, err = run(capsys, "replay", "--rules", *spec.rules, str(log),
                                "--format", "json", "--engine", "dask", "--scheduler",
                                cluster.scheduler_address)
    assert code == 2 and f"{log}:59: invalid JSON" in err
    assert json.loads(remote) == json.loads(local)
