"""Small Logpush ``http_requests`` records and rule sets for the replay tests."""

from __future__ import annotations

import json
from pathlib import Path

from rulelang.replay import EngineSpec

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "corpus" / "example"
EXAMPLE_RULES = (str(EXAMPLE / "cache-rules.json"), str(EXAMPLE / "cache-response-rules.json"))
T0 = 1767225600  # 2026-01-01T00:00:00Z


def record(t: float, uri: str = "/static/app.js", *, colo: str | None = "LHR",
           origin: int | None = 200, edge: int | None = 200, size: int | None = 1000,
           observed: str | None = None, response_headers: dict | None = None,
           method: str = "GET", **extra) -> dict:
    """One Logpush record at ``T0 + t``; ``None`` leaves a field out."""
    rec = {"EdgeStartTimestamp": T0 + t, "ClientRequestMethod": method,
           "ClientRequestScheme": "https", "ClientRequestHost": "www.example.com",
           "ClientRequestURI": uri, "EdgeResponseStatus": edge, "OriginResponseStatus": origin,
           "EdgeResponseBytes": size, "CacheCacheStatus": observed, "EdgeColoCode": colo,
           "ResponseHeaders": response_headers}
    rec.update(extra)
    return {k: v for k, v in rec.items() if v is not None}


def write_log(path: Path, records: list) -> Path:
    """Records (dicts, or raw strings written as they are) as JSON Lines."""
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n"
                            for r in records), encoding="utf-8")
    return path


def rules_file(path: Path, phase: str, rules: list[dict]) -> str:
    path.write_text(json.dumps({"phase": phase, "rules": rules}), encoding="utf-8")
    return str(path)


def cache_everything(tmp_path: Path, ttl: int = 100, name: str = "rules.json") -> EngineSpec:
    """One Cache Rule: everything eligible, edge TTL ``ttl`` (override origin)."""
    return EngineSpec((rules_file(tmp_path / name, "http_request_cache_settings", [{
        "ref": "all", "expression": "true", "action": "set_cache_settings",
        "action_parameters": {"cache": True,
                              "edge_ttl": {"mode": "override_origin", "default": ttl}}}]),))
