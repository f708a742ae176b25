"""``lint``: every diagnostic for a rules file, a rule-set dict or one expression.

Linting never raises for bad input: an unreadable file, invalid JSON/YAML/HCL, an
unknown phase — each becomes a diagnostic.  Beyond the validator (cache-phases
§2.6) and the expression checker, lint reports rules that can never take effect
(RS207): every setting they make is set again by a later rule whose expression is
``true``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rulelang.errors import Diagnostic, ExpressionError, RuleLangError, RulesetError
from rulelang.rules.files import RULES_SUFFIXES
from rulelang.rules.ruleset import Ruleset, check_plan, load_rulesets_noted
from rulelang.schema import catalogue as schema

__all__ = ["lint"]


def lint(target: Any, phase: str | None = None, *, lists: Mapping[str, Any] | None = None,
         plan: str | None = None, annotations: bool = False) -> list[Diagnostic]:
    """Every diagnostic for ``target``, sorted by position.

    ``target`` is a path to a rules file, a rule-set dict (or list of rules), or —
    with ``phase`` — the text of one expression.  ``phase`` also supplies the phase
    of a file that does not name one.  ``lists`` and ``plan`` are as for
    :func:`~rulelang.ruleset.load_ruleset`; without ``lists`` a ``$name`` list is
    accepted with a note (RL214), with them an unknown name is an error.  Values only
    Terraform can decide are notes (RS008) and everything around them is checked;
    rule sets of other phases are skipped with a note (RS010).  ``annotations=True``
    ignores ``$comment``-style documentation keys.
    """
    bad_plan = check_plan(plan, target)
    if bad_plan is not None:
        return [bad_plan]
    if isinstance(target, str) and phase is not None and not _is_file(target):
        return _lint_expression(target, phase, lists)
    try:
        rulesets, notes = load_rulesets_noted(target, phase, lists=lists, plan=plan,
                                              partial=True, annotations=annotations)
    except RulesetError as exc:
        return _sorted(exc.diagnostics)
    found: list[Diagnostic] = list(notes)
    for rs in rulesets:
        found.extend(rs.diagnostics)
        found.extend(_ineffective_rules(rs))
    return _sorted(found)


def _is_file(text: str) -> bool:
    """Whether ``text`` names a rules file rather than being an expression: an existing
    file, or a name ending in a rules-file extension (a missing ``rules.json`` is an
    unreadable file, RS001, not an expression with an unknown field)."""
    if "\n" in text or len(text) > 4096:
        return False
    if text.lower().endswith(RULES_SUFFIXES) and not any(c in text for c in ' "\'()'):
        return True
    try:
        return Path(text).is_file()
    except (OSError, ValueError):
        return False


def _lint_expression(source: str, phase: str, lists) -> list[Diagnostic]:
    from rulelang.language.expression import compile_expression
    try:
        full = schema.normalize_phase(phase)
    except (ValueError, TypeError) as exc:
        return [Diagnostic("RS006", str(exc))]
    try:
        return list(compile_expression(source, phase=full, lists=lists,
                                       lists_unknown=True).diagnostics)
    except ExpressionError as exc:
        return list(exc.diagnostics)
    except RuleLangError as exc:
        return [Diagnostic("RL101", str(exc))]


def _sorted(diagnostics) -> list[Diagnostic]:
    def key(d: Diagnostic):
        loc = d.location
        return ((loc.file or "") if loc else "", (loc.line or 0) if loc else 0,
                (loc.column or 0) if loc else 0)
    return sorted(diagnostics, key=key)


def _settings_of(rule, phase: str) -> set[tuple]:
    from rulelang.engine import RESPONSE_UNITS, request_units
    if rule.action != "set_cache_settings":
        return set()
    if phase == schema.RESPONSE_PHASE:
        return {(k,) for k in RESPONSE_UNITS if k in rule.action_parameters}
    return {unit for unit, _ in request_units(rule.action_parameters)}


def _ineffective_rules(rs: Ruleset) -> list[Diagnostic]:
    """RS207: a rule all of whose settings a later always-true rule sets again."""
    out = []
    enabled = [r for r in rs.rules if r.enabled]
    for i, rule in enumerate(enabled):
        mine = _settings_of(rule, rs.phase)
        if not mine:
            continue
        for later in enabled[i + 1:]:
            if later.expression.strip() in ("true", "(true)") and mine <= _settings_of(later, rs.phase):
                out.append(Diagnostic(
                    "RS207", f"rule {rule.index} never takes effect: rule {later.index} "
                    "matches every request and sets the same settings afterwards",
                    hint="move the catch-all rule first, or delete this rule",
                    location=rule.location))
                break
    return out
