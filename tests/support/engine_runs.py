"""Run the phase engine on one request and read its cache decision (for the tests of the
parts of the decision the worked examples do not reach)."""

from __future__ import annotations

from rulelang.engine import Engine

DATE = "Thu, 01 Jan 2026 00:00:00 GMT"
REQUEST = "http_request_cache_settings"
RESPONSE = "http_response_cache_settings"


def evaluate(url: str = "https://example.com/a.png", headers: dict | None = None, *,
             status: int = 200, method: str = "GET", request_headers: dict | None = None,
             rules: list | None = None, response_rules: list | None = None,
             zone: dict | None = None, date: bool = True) -> dict:
    """The decision (``Outcome.to_dict()["decision"]``) for one request and origin response;
    the response carries ``Date: DATE`` unless ``date`` is false."""
    response_headers = dict(headers or {})
    if date:
        response_headers.setdefault("Date", DATE)
    rulesets = []
    if rules:
        rulesets.append({"kind": "zone", "phase": REQUEST, "rules": rules})
    if response_rules:
        rulesets.append({"kind": "zone", "phase": RESPONSE, "rules": response_rules})
    engine = Engine(rulesets, zone=zone)
    outcome = engine.evaluate({"method": method, "url": url, "headers": request_headers or {}},
                              {"status": status, "headers": response_headers})
    return outcome.to_dict()["decision"]


def rule(ref: str | None = None, expression: str = "true", **params) -> dict:
    """A request-phase set_cache_settings rule with these parameters."""
    out = {"expression": expression, "action": "set_cache_settings",
           "action_parameters": params}
    if ref:
        out["ref"] = ref
    return out


def key(url: str, headers: dict | None = None, cache_key: dict | None = None,
        zone: dict | None = None) -> str:
    """The cache key of a request, with a custom key rule when ``cache_key`` is given."""
    rules = [rule(cache_key=cache_key)] if cache_key else None
    return evaluate(url, request_headers=headers, rules=rules, zone=zone)["cache_key"]


def make_rule(expression: str, params: dict, action: str = "set_cache_settings",
              **extra) -> dict:
    """A rule of any action with these parameters (``enabled``, ``ref`` … as ``extra``)."""
    return {"expression": expression, "action": action, "action_parameters": params, **extra}


def two_phase_engine(request_rules=(), response_rules=(), **kwargs) -> Engine:
    """An Engine over one request-phase and one response-phase rule set."""
    return Engine([{"phase": REQUEST, "rules": list(request_rules)},
                   {"phase": RESPONSE, "rules": list(response_rules)}], **kwargs)
