"""A request traced through rule sets: every rule, whether it matched and — when it did not —
the lines of :func:`~rulelang.language.explain.explain_false` saying which part of its
expression was false.  ``rulelang trace`` prints this; a library user can read it too."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rulelang.language.explain import explain_false
from rulelang.schema.catalogue import PHASES

__all__ = ["trace_rules"]


def _rule_field(rule: Any, name: str, default: Any = None) -> Any:
    if isinstance(rule, Mapping):
        return rule.get(name, default)
    return getattr(rule, name, default)


def _expression_source(rule: Any) -> str:
    expr = _rule_field(rule, "expression", "")
    return expr if isinstance(expr, str) else getattr(expr, "source", str(expr))


def trace_rules(rulesets: Sequence, outcome: Mapping, request, response,
                lists: Mapping | None = None) -> list[dict]:
    """Every rule of every rule set with ``matched`` and, for a rule that did not match,
    ``why_not``: the lines of :func:`explain_false`."""
    matched = {(phase, r.get("index")) for phase, rules in (outcome.get("matched") or {}).items()
               for r in rules}
    out = []
    for rs in rulesets:
        phase = rs.phase
        ran = phase == PHASES[0] or response is not None
        for i, rule in enumerate(rs.rules):
            index = _rule_field(rule, "index", i)
            entry = {"phase": phase, "index": index, "id": _rule_field(rule, "id"),
                     "ref": _rule_field(rule, "ref"),
                     "description": _rule_field(rule, "description") or "",
                     "expression": _expression_source(rule),
                     "enabled": _rule_field(rule, "enabled", True) is not False,
                     "matched": (phase, index) in matched}
            if not ran:
                entry["why_not"] = ["the response phase did not run (no response given)"]
            elif not entry["enabled"]:
                entry["why_not"] = ["the rule is disabled"]
            elif not entry["matched"]:
                compiled = _rule_field(rule, "compiled") or entry["expression"]
                entry["why_not"] = [
                    "  " * depth + text for depth, text in
                    explain_false(compiled, phase, request, response, lists)]
            out.append(entry)
    return out
