"""RulesWatcher: reload on change, atomic swap, a broken file keeps the old engine."""

from __future__ import annotations

import json
import os
import time

import pytest

from rulelang import Request, Response, RulesetError, RulesWatcher

REQ = "http_request_cache_settings"


def write(path, cache: bool | str) -> None:
    if isinstance(cache, str):
        path.write_text(cache)
    else:
        path.write_text(json.dumps({"phase": REQ, "rules": [
            {"expression": "true", "action": "set_cache_settings",
             "action_parameters": {"cache": cache}}]}))
    # a new mtime even on file systems with coarse timestamps
    stamp = time.time() + 10 * (write.calls + 1)
    write.calls += 1
    os.utime(path, (stamp, stamp))


write.calls = 0


def eligible(watcher: RulesWatcher) -> bool:
    request = Request.from_wire("GET", "/page", [("Host", "www.example.com")])
    return watcher.engine.request_phase(request).eligible


def test_reload_on_change_and_broken_file_keeps_the_old_engine(tmp_path):
    rules = tmp_path / "rules.json"
    write(rules, True)
    seen, errors = [], []
    watcher = RulesWatcher(tmp_path, on_reload=seen.append, on_error=errors.append)
    assert eligible(watcher) and not watcher.check()
    first = watcher.engine
    write(rules, False)
    assert watcher.check() and not eligible(watcher) and seen == [watcher.engine]
    assert watcher.engine.fingerprint != first.fingerprint
    write(rules, '{"phase": "' + REQ + '", "rules": [{"expression": "http.host eq",'
                 ' "action": "set_cache_settings", "action_parameters": {"cache": true}}]}')
    kept = watcher.engine
    assert not watcher.check()
    assert watcher.engine is kept and watcher.diagnostics and errors == [watcher.diagnostics]
    write(rules, True)
    assert watcher.check() and eligible(watcher) and watcher.diagnostics == []


def test_a_pending_request_finishes_on_the_engine_it_started_on(tmp_path):
    rules = tmp_path / "rules.json"
    write(rules, True)
    watcher = RulesWatcher(rules)
    pending = watcher.engine.request_phase(
        Request.from_wire("GET", "/page", [("Host", "h")]))
    write(rules, False)
    assert watcher.check()
    assert pending.response_phase(Response(200, {"Cache-Control": "max-age=60"})).stored


def test_new_and_removed_files_count_as_changes(tmp_path):
    write(tmp_path / "a.json", True)
    watcher = RulesWatcher(tmp_path)
    write(tmp_path / "b.json", False)
    assert watcher.check() and not eligible(watcher)
    (tmp_path / "b.json").unlink()
    assert watcher.check() and eligible(watcher)


def test_the_first_engine_must_load(tmp_path):
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(RulesetError):
        RulesWatcher(tmp_path / "bad.json")


def test_zone_file_is_watched(tmp_path):
    write(tmp_path / "rules.json", True)
    zone = tmp_path / "zone.yaml"
    zone.write_text("browser_cache_ttl: 60\n")
    watcher = RulesWatcher(tmp_path / "rules.json", zone=zone)
    assert watcher.engine.zone.browser_cache_ttl == 60
    zone.write_text("browser_cache_ttl: 120\n")
    stamp = time.time() + 1000
    os.utime(zone, (stamp, stamp))
    assert watcher.check() and watcher.engine.zone.browser_cache_ttl == 120


def test_polling_thread_reloads(tmp_path):
    rules = tmp_path / "rules.json"
    write(rules, True)
    with RulesWatcher(rules, interval=0.01) as watcher:
        write(rules, False)
        deadline = time.monotonic() + 10
        while eligible(watcher) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not eligible(watcher)
