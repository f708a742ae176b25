"""``lint``: every diagnostic for a rules file, a rule-set dict or one expression.

Linting never raises for bad input: an unreadable file, invalid JSON/YAML/HCL, an
unknown phase — each becomes a diagnostic.  Beyond the validator (cache-phases
§2.6) and the expression checker, lint checks each rule's settings (RS4xx) and the
rule set as a whole (RS207, RS5xx: settings that later rules always override, proven
with z3 — see docs/lint-checks.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rulelang.config import Config, select_codes
from rulelang.errors import Diagnostic, ExpressionError, RuleLangError, RulesetError
from rulelang.rules.files import RULES_SUFFIXES
from rulelang.rules.ruleset import Ruleset, check_plan, load_rulesets_noted
from rulelang.schema import catalogue as schema

__all__ = ["UNUSABLE_INPUT", "comment_ignores", "lint"]

#: Codes that say a file is not a rules file lint can check at all (it cannot be read, is
#: not valid JSON/YAML/HCL, is not a rule set, or its phase is unknown).
UNUSABLE_INPUT = frozenset({"RS001", "RS002", "RS003", "RS004", "RS005", "RS006", "RS007",
                            "RS011"})


def lint(target: Any, phase: str | None = None, *, lists: Mapping[str, Any] | None = None,
         plan: str | None = None, annotations: bool = False,
         config: Config | None = None) -> list[Diagnostic]:
    """Every diagnostic for ``target``, sorted by position.

    ``target`` is a path to a rules file, a rule-set dict (or list of rules), or —
    with ``phase`` — the text of one expression.  ``phase`` also supplies the phase
    of a file that does not name one.  ``lists`` and ``plan`` are as for
    :func:`~rulelang.ruleset.load_ruleset`; without ``lists`` a ``$name`` list is
    accepted with a note (RL214), with them an unknown name is an error.  Values only
    Terraform can decide are notes (RS008) and everything around them is checked;
    rule sets of other phases are skipped with a note (RS010).  ``annotations=True``
    ignores ``$comment``-style documentation keys.

    ``config`` (a :class:`~rulelang.config.Config`) supplies ``plan`` and ``lists`` when
    they are not given, and its select/ignore, per-file and per-rule ignores filter the
    result.  ``# rulelang: ignore[CODE, ...]`` comments in YAML and Terraform files,
    on a rule's first line or the line above it, suppress warnings and notes of that
    rule (errors are never suppressed: Cloudflare would reject the rule).
    """
    if config is not None:
        plan = plan if plan is not None else config.plan
        lists = lists if lists is not None else config.lists
    bad_plan = check_plan(plan, target)
    if bad_plan is not None:
        return [bad_plan]
    if isinstance(target, str) and phase is not None and not _is_file(target):
        return _filtered(_lint_expression(target, phase, lists), None, config)
    try:
        rulesets, notes = load_rulesets_noted(target, phase, lists=lists, plan=plan,
                                              partial=True, annotations=annotations)
    except RulesetError as exc:
        return _filtered(_sorted(exc.diagnostics), target, config)
    found: list[Diagnostic] = list(notes)
    comments: dict[str, dict[int, tuple[str, ...]]] = {}
    for rs in rulesets:
        mine = list(rs.diagnostics) + _rule_set_findings(rs)
        found.extend(_suppressed(mine, rs, config, comments))
    return _filtered(_sorted(found), target, config)


_IGNORE_COMMENT = re.compile(r"#\s*rulelang:\s*ignore\[([^\]]*)\]", re.IGNORECASE)
_RULE_PATH = re.compile(r"rules\[(\d+)\](?![\w\[])")


def comment_ignores(path: str) -> dict[int, tuple[str, ...]]:
    """``line → codes`` of the ``# rulelang: ignore[...]`` comments of a YAML or
    Terraform file (nothing for other files, or when it cannot be read)."""
    if not path.lower().endswith((".yaml", ".yml", ".tf", ".hcl")):
        return {}
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    out = {}
    for number, line in enumerate(text.splitlines(), 1):
        m = _IGNORE_COMMENT.search(line)
        if m:
            out[number] = tuple(c.strip().upper() for c in re.split(r"[,\s]+", m.group(1))
                                if c.strip())
    return out


def _suppressed(diags: list[Diagnostic], rs: Ruleset, config: Config | None,
                comments: dict[str, dict[int, tuple[str, ...]]]) -> list[Diagnostic]:
    """``diags`` of ``rs`` without those its rules' comments or per-rule ignores name."""
    if rs.source and rs.source not in comments:
        comments[rs.source] = comment_ignores(rs.source)
    marks = comments.get(rs.source or "", {})
    ignored: dict[int, tuple[str, ...]] = {}
    for rule in rs.rules:
        codes: tuple[str, ...] = ()
        line = rule.location.line
        if line is not None:
            codes += marks.get(line, ()) + marks.get(line - 1, ())
        if config is not None:
            codes += config.ignored_for_rule(rs.source, rule.ref)
        if codes:
            ignored[rule.index] = codes
    if not ignored:
        return diags
    out = []
    for d in diags:
        m = _RULE_PATH.match(d.location.path) if d.location is not None else None
        codes = ignored.get(int(m.group(1)), ()) if m else ()
        if codes and not d.is_error and d.code.startswith(codes):
            continue
        out.append(d)
    return out


def _filtered(diags: list[Diagnostic], target: Any, config: Config | None
              ) -> list[Diagnostic]:
    """Config select/ignore and per-file ignores (errors of unreadable input are kept)."""
    if config is None:
        return diags
    out = []
    for d in diags:
        file = d.location.file if d.location is not None and d.location.file else (
            str(target) if isinstance(target, (str, Path)) else None)
        ignore = config.ignore + config.ignored_in_file(file)
        if d.code in UNUSABLE_INPUT or select_codes(d.code, config.select, ignore):
            out.append(d)
    return out


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


def _rule_set_findings(rs: Ruleset) -> list[Diagnostic]:
    """The settings checks (RS4xx) and the rule-set analysis (RS207, RS5xx)."""
    from rulelang.analysis.overrides import analyse
    from rulelang.analysis.settings import settings_findings
    found = settings_findings(rs)
    found.extend(analyse(rs).diagnostics)
    return found
