"""Build one-rule rule sets and read the problems the validator reports about them."""

from __future__ import annotations

from rulelang import RulesetError
from rulelang.rules.ruleset import load_ruleset
from rulelang.rules.validate import validate_action

REQ, RESP = "http_request_cache_settings", "http_response_cache_settings"
SCS, TAGS, CC = "set_cache_settings", "set_cache_tags", "set_cache_control"


def one_rule(params, phase=REQ, action=SCS, **rule_fields):
    """A rule set of one rule (expression ``true``) with these action parameters."""
    rule = {"expression": "true", "action": action, "action_parameters": params}
    rule.update(rule_fields)
    return {"phase": phase, "rules": [rule]}


def problems(body, plan=None) -> set[tuple[str, str]]:
    """``(code, path)`` of every error, or the empty set when the rule set loads."""
    try:
        load_ruleset(body, plan=plan)
    except RulesetError as exc:
        return {(d.code, d.location.path) for d in exc.diagnostics}
    return set()


def error_codes(body, plan=None) -> set[str]:
    """The codes of :func:`problems`."""
    return {code for code, _ in problems(body, plan)}


#: Document paths of the one rule's parameters.
P = "rules[0].action_parameters"
EDGE = P + ".edge_ttl"
SCT = EDGE + ".status_code_ttl"


def edge(*entries, mode="respect_origin", **extra):
    """``edge_ttl`` parameters with these ``status_code_ttl`` entries."""
    return {"edge_ttl": {"mode": mode, "status_code_ttl": list(entries), **extra}}


def custom_key(**custom):
    """``cache_key.custom_key`` parameters."""
    return {"cache_key": {"custom_key": custom}}


def collect(phase: str, action: str, params: dict, plan: str | None = None):
    """Run ``validate_action`` alone: ``([(code, path)], normalized parameters)``."""
    found: list[tuple[str, str]] = []

    def report(code, path, message, hint="", key=False):
        assert message
        found.append((code, ".".join(str(p) for p in path)))

    normalized = validate_action(phase, action, params, ("p",), report, plan)
    return found, normalized
