"""Lint analyses beyond one expression: the settings of a rule (RS4xx) and the rule set
as a whole (RS207, RS5xx), the latter proven with z3 where it is installed."""

from __future__ import annotations

from rulelang.language.expression import CompiledExpression
from rulelang.rules.ruleset import Rule

__all__ = ["compiled"]


def compiled(rule: Rule) -> CompiledExpression:
    """The compiled filter of a rule loaded by ``load_ruleset`` (always present there)."""
    if rule.compiled is None:
        raise ValueError(f"rule {rule.index} has no compiled filter")
    return rule.compiled
