"""Across the rule set: settings that later rules always override (RS207, RS501), rules
that never match (RS502), catch-alls placed after the rules they override (RS503),
duplicate rules (RS504), and what could not be decided (RS505).

Last match wins per setting unit (cache-phases.md §3.2).  A unit ``u`` set by rule ``i``
never takes effect when every request that ``i`` matches is also matched by a later rule
that sets ``u``: ``A_i ⇒ A_j1 ∨ A_j2 ∨ …``.  That implication is proven with z3
(:mod:`rulelang.analysis.encode`); when z3 is missing or gives up, nothing is claimed.

Cost: one solver call per rule and distinct set of later rules (not per pair); later
rules that share no variable with the rule are pruned (they cannot help cover it unless
they match everything); each rule's satisfiability and validity are decided once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rulelang.analysis import compiled
from rulelang.errors import Diagnostic
from rulelang.rules.ruleset import Rule, Ruleset
from rulelang.schema import catalogue as schema

__all__ = ["Analysis", "analyse", "rule_units"]

#: z3's Python API shares one context between threads: one analysis at a time.
Z3_LOCK = threading.Lock()

#: Per solver call, and for the whole rule set.
CHECK_TIMEOUT_MS = 500
TOTAL_BUDGET_S = 8.0
#: Candidates tried alone, and the size of the union tried after them.
SINGLE_TRIES = 3
#: A later rule matching this share of a rule's probes, but not all, is a near miss (RS506).
NEAR_MISS = 0.75
UNION_SIZE = 8


def rule_units(rule: Rule, phase: str) -> tuple[tuple[str, ...], ...]:
    """The setting units a rule sets, each overridden by a later matching rule that sets
    it too: request ``set_cache_settings`` units (§3.2), the response ``strip_*`` flags,
    and each ``set_cache_control`` directive (the last edit of a directive wins)."""
    from rulelang.rules.units import RESPONSE_UNITS, request_units
    params = rule.action_parameters
    if rule.action == "set_cache_settings":
        if phase == schema.RESPONSE_PHASE:
            return tuple((k,) for k in RESPONSE_UNITS if k in params)
        return tuple(unit for unit, _ in request_units(params))
    if rule.action == "set_cache_control":
        return tuple(("cache_control", name) for name in params)
    return ()


def _unit_name(unit: tuple[str, ...]) -> str:
    return ".".join(unit)


def label(rule: Rule) -> str:
    """``rule 3 ("Static assets")`` — the index, and the description or ref if any."""
    name = rule.description or rule.ref or ""
    return f'rule {rule.index} ("{name}")' if name else f"rule {rule.index}"


def _names(rules: Iterable[Rule]) -> str:
    items = [label(r) for r in rules]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


@dataclass
class Analysis:
    """What the analysis proved about one rule set, by rule index."""

    never_matches: set[int] = field(default_factory=set)
    matches_everything: set[int] = field(default_factory=set)
    #: rule index → unit → the later rules that together override it
    overridden: dict[int, dict[tuple[str, ...], tuple[int, ...]]] = field(default_factory=dict)
    #: rule index → unit → (a later rule that overrides it almost everywhere, a request
    #: where it still takes effect, as field values)
    partial: dict[int, dict[tuple[str, ...], tuple[int, dict[str, Any]]]] = field(
        default_factory=dict)
    #: rule index → the parts outside the solver's fragment the answer depends on
    #: (empty: the solver gave up)
    undecided: dict[int, list[str]] = field(default_factory=dict)
    solver: bool = True
    #: how many questions the solver was asked (for the benchmark)
    solver_calls: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)


def _z3_available() -> bool:
    try:
        import z3  # noqa: F401
    except ImportError:
        return False
    return True


def analyse(rs: Ruleset) -> Analysis:
    """Prove what can be proven about ``rs`` and return it with its diagnostics."""
    rules = [r for r in rs.rules if r.enabled and r.compiled is not None]
    out = Analysis()
    out.diagnostics.extend(_duplicates(rules))
    units = {r.index: rule_units(r, rs.phase) for r in rules}
    if not _z3_available():
        out.solver = False
        _without_solver(rules, units, out)
        return out
    with Z3_LOCK:  # z3's Python API shares one context between threads
        _Prover(rules, units, out).run()
    _report(rules, units, out)
    return out


def _duplicates(rules: list[Rule]) -> list[Diagnostic]:
    from rulelang.language.nodes import Group
    from rulelang.language.printer import to_source
    seen: dict[str, Rule] = {}
    found = []
    for rule in rules:
        ast = compiled(rule).ast
        while isinstance(ast, Group):
            ast = ast.expr
        text = to_source(ast)
        first = seen.get(text)
        if first is None:
            seen[text] = rule
            continue
        if first.action == rule.action:
            found.append(Diagnostic(
                "RS504", f"{label(rule)} has the same expression as {label(first)}",
                hint=f"merge the settings of the two rules into {label(first)}",
                location=rule.location))
    return found


def _without_solver(rules: list[Rule], units: dict[int, tuple], out: Analysis) -> None:
    """Without z3: only a later rule whose expression is ``true`` is known to cover."""
    for i, rule in enumerate(rules):
        for later in rules[i + 1:]:
            if later.expression.strip() in ("true", "(true)") and units[rule.index] \
                    and set(units[rule.index]) <= set(units[later.index]):
                out.overridden[rule.index] = {u: (later.index,) for u in units[rule.index]}
                out.matches_everything.add(later.index)
                break
    _report(rules, units, out)
    shared = any(set(units[a.index]) & set(units[b.index])
                 for i, a in enumerate(rules) for b in rules[i + 1:])
    if shared:
        out.diagnostics.append(Diagnostic(
            "RS505", "which settings later rules override was only checked for catch-all "
            "rules: the solver (z3-solver) is not installed",
            hint="pip install 'rulelang[lint-proofs]'", location=rules[0].location))


class _Prover:
    def __init__(self, rules: list[Rule], units: dict[int, tuple], out: Analysis):
        import z3

        from rulelang.analysis.encode import Encoder
        from rulelang.analysis.probes import Probes
        self.z3 = z3
        self.rules = rules
        self.units = units
        self.out = out
        self.encoder = Encoder()
        self.solver = z3.Solver()
        self.solver.set("timeout", CHECK_TIMEOUT_MS)
        self.deadline = time.monotonic() + TOTAL_BUDGET_S
        self.enc = {r.index: self.encoder.encode(compiled(r).ast) for r in rules}
        self.text = {r.index: str(self.enc[r.index].formula.sexpr()) for r in rules}
        self.memo: dict[tuple, tuple[int, ...] | None] = {}
        self.probes = Probes(rules)
        self.sat: dict[int, bool | None] = {}
        self.valid: dict[int, bool | None] = {}
        self.core: list = []
        self.near: int | None = None

    def check(self, *formulas, assumptions=()) -> Any:
        """Check ``formulas`` (under ``assumptions``, keeping the unsat core in
        ``self.core``); ``unknown`` once the time budget is spent."""
        if time.monotonic() > self.deadline:
            return self.z3.unknown
        self.out.solver_calls += 1
        self.solver.push()
        try:
            self.solver.add(*formulas)
            result = self.solver.check(*assumptions)
            self.core = (self.solver.unsat_core() if result == self.z3.unsat and assumptions
                         else [])
            return result
        finally:
            self.solver.pop()

    def decide(self, result) -> bool | None:
        if result == self.z3.sat:
            return True
        if result == self.z3.unsat:
            return False
        return None

    def run(self) -> None:
        z3 = self.z3
        probes = self.probes
        for r in self.rules:
            f = self.enc[r.index].formula
            # a probe the rule matches (misses) shows it is satisfiable (not valid)
            self.sat[r.index] = True if probes.yes[r.index] else self.decide(self.check(f))
            self.valid[r.index] = (None if self.sat[r.index] is None else
                                   False if not self.sat[r.index] or probes.no[r.index] else
                                   _negate(self.decide(self.check(z3.Not(f)))))
            if self.sat[r.index] is False:
                self.out.never_matches.add(r.index)
            if self.valid[r.index]:
                self.out.matches_everything.add(r.index)
        for pos, rule in enumerate(self.rules):
            if self.sat[rule.index] is not True or not self.units[rule.index]:
                continue
            self.cover(rule, self.rules[pos + 1:])

    def cover(self, rule: Rule, later: list[Rule]) -> None:
        mine = self.enc[rule.index]
        seen = self.probes.yes[rule.index]
        groups: dict[tuple[int, ...], list[tuple[str, ...]]] = {}
        for unit in self.units[rule.index]:
            # later rules that can help cover this one: they match everything, or they
            # share a field with it and some probe matches both (or probes cannot tell:
            # no probe matches this rule, or parts outside the solver's fragment).
            # Dropping a candidate can only lose a proof, never make a wrong one.
            candidates = tuple(
                j.index for j in later
                if unit in self.units[j.index] and self.sat[j.index] is not False
                and (self.valid[j.index] or (mine.names & self.enc[j.index].names and (
                    not seen or self.probes.yes[j.index] & seen
                    or self.enc[j.index].atoms))))
            if candidates:
                groups.setdefault(candidates, []).append(unit)
        for candidates, units in groups.items():
            # the same question for the same expressions (duplicate rules) is asked once
            key = (self.text[rule.index], tuple(self.text[j] for j in candidates))
            if key in self.memo:
                where = self.memo[key]
                core = where if where is None else tuple(candidates[k] for k in where)
            else:
                self.near = None
                core = self.covering(rule, candidates)
                if core == ():
                    self.opaque_cover(rule, candidates)
                    self.near_miss(rule, units)
                self.memo[key] = core if core is None else tuple(
                    candidates.index(j) for j in core)
            if core is None:
                self.out.undecided.setdefault(rule.index, [])
            elif core:
                found = self.out.overridden.setdefault(rule.index, {})
                for unit in units:
                    found[unit] = core

    def covering(self, rule: Rule, candidates: tuple[int, ...]) -> tuple[int, ...] | None:
        """Later rules that together match every request ``rule`` matches: ``()`` when
        they do not (or no proof was found), ``None`` when the solver gave up.

        Probes pick the questions: the candidates that match every probe of ``rule`` are
        tried alone first; then the union of the few that overlap it most.  Leaving
        candidates out can only miss a proof, never make a wrong one."""
        z3 = self.z3
        valid = [j for j in candidates if self.valid[j]]
        if valid:
            return (valid[-1],)
        probes = self.probes
        mine = probes.yes[rule.index]
        ranked = sorted(candidates, key=lambda j: (-(probes.yes[j] & mine).bit_count(), -j))
        if probes.uncovered(rule.index, candidates):
            best = ranked[0]
            shared = (probes.yes[best] & mine).bit_count()
            if shared >= 2 and shared >= NEAR_MISS * mine.bit_count():
                self.near = best
            return ()
        gave_up = False
        for j in [j for j in ranked if not mine & ~probes.yes[j]][:SINGLE_TRIES]:
            result = self.check(self.enc[rule.index].formula, z3.Not(self.enc[j].formula))
            if result == z3.unsat:
                return (j,)
            gave_up |= result != z3.sat
            if result == z3.sat and self.near is None:
                self.near = j  # every probe agrees, yet a request escapes: a near miss
        group = tuple(sorted(ranked[:UNION_SIZE]))
        if len(group) < 2 or probes.uncovered(rule.index, group):
            return None if gave_up else ()
        flags = [z3.Bool(f"__cover_{rule.index}_{j}") for j in group]
        guards = [z3.Implies(p, z3.Not(self.enc[j].formula)) for p, j in zip(flags, group)]
        result = self.check(self.enc[rule.index].formula, *guards, assumptions=flags)
        if result == z3.sat:
            return ()
        if result != z3.unsat:
            return None
        core_names = {str(c) for c in self.core}
        core = tuple(j for p, j in zip(flags, group) if str(p) in core_names) or group
        return self.minimal(rule, core)

    def near_miss(self, rule: Rule, units: list[tuple[str, ...]]) -> None:
        """A later rule that overlaps ``rule`` almost everywhere but not quite: keep an
        example request where ``rule``'s settings still take effect."""
        j = self.near
        if j is None or self.enc[rule.index].atoms or self.enc[j].atoms:
            return
        example = self.probes.escaping(rule.index, j)
        if example is None:
            by_index = {r.index: r for r in self.rules}
            example = _witness(self.encoder, compiled(rule).ast, compiled(by_index[j]).ast,
                               self.z3)
        if example:
            found = self.out.partial.setdefault(rule.index, {})
            for unit in units:
                found[unit] = (j, example)

    def opaque_cover(self, rule: Rule, candidates: tuple[int, ...]) -> None:
        """Not covered as encoded; but would the later rules cover it if their parts
        outside the solver's fragment (atoms) were all true, or all false?  Then the answer
        depends on them."""
        z3 = self.z3
        mine = self.enc[rule.index].atoms
        opaque = sorted({a for j in candidates for a in self.enc[j].atoms} - mine)
        if not opaque:
            return
        for value in (True, False):  # the opaque parts all true, then all false
            fixed = [(self.encoder.vars[a], z3.BoolVal(value)) for a in opaque]
            rest = [z3.Not(z3.substitute(self.enc[j].formula, *fixed)) for j in candidates]
            if self.check(self.enc[rule.index].formula, *rest) == z3.unsat:
                self.out.undecided.setdefault(rule.index,
                                              [a.removeprefix("atom:") for a in opaque])
                return

    def minimal(self, rule: Rule, core: tuple[int, ...]) -> tuple[int, ...]:
        """One later rule alone when one suffices (the last one first), else ``core``."""
        z3 = self.z3
        if len(core) == 1:
            return core
        for j in reversed(core[-8:]):
            f = z3.And(self.enc[rule.index].formula, z3.Not(self.enc[j].formula))
            if self.check(f) == z3.unsat:
                return (j,)
        return core


def _show(value: Any) -> str:
    import json
    return json.dumps(value) if isinstance(value, str) else str(value).lower() \
        if isinstance(value, bool) else str(value)


def _negate(value: bool | None) -> bool | None:
    return None if value is None else not value


def _report(rules: list[Rule], units: dict[int, tuple], out: Analysis) -> None:
    by_index = {r.index: r for r in rules}
    culprits: dict[int, list[int]] = {}
    for rule in rules:
        i = rule.index
        if i in out.never_matches and rule.expression.strip() not in ("false", "(false)"):
            out.diagnostics.append(Diagnostic(
                "RS502", f"{label(rule)} never matches: no request satisfies its expression",
                hint="fix the expression (see the warnings on it), or delete the rule",
                location=rule.location))
            continue
        covered = out.overridden.get(i, {})
        if not covered:
            continue
        for core in set(covered.values()):
            for j in core:
                culprits.setdefault(j, []).append(i)
        if set(covered) == set(units[i]):
            overriders = sorted({j for core in covered.values() for j in core})
            out.diagnostics.append(Diagnostic(
                "RS207", f"{label(rule)} never takes effect: for every request it matches, "
                f"{_names(by_index[j] for j in overriders)} "
                f"{'sets' if len(overriders) == 1 else 'set'} all of its settings again "
                "afterwards (the last match wins)",
                hint=f"move it below {label(by_index[overriders[-1]])}, narrow the later "
                "rule, or delete this one", location=rule.location))
            continue
        for unit, core in sorted(covered.items()):
            out.diagnostics.append(Diagnostic(
                "RS501", f"the {_unit_name(unit)} setting of {label(rule)} never takes "
                f"effect: {_names(by_index[j] for j in core)} "
                f"{'matches' if len(core) == 1 else 'match'} every request it matches and "
                f"{'sets' if len(core) == 1 else 'set'} {_unit_name(unit)} afterwards",
                hint=f"move {_unit_name(unit)} into a rule below {label(by_index[core[-1]])}, "
                f"or remove it from {label(rule)}", location=rule.location))
    for j, victims in sorted(culprits.items()):
        rule = by_index[j]
        if j not in out.matches_everything or not victims:
            continue
        victims = sorted(set(victims))
        out.diagnostics.append(Diagnostic(
            "RS503", f"{label(rule)} matches every request and comes after "
            f"{_names(by_index[v] for v in victims)}, overriding "
            f"{'its' if len(victims) == 1 else 'their'} settings",
            hint="move the catch-all rule to the top: the last match wins, so specific rules "
            "belong below it", location=rule.location))
    for i, partial in sorted(out.partial.items()):
        by_later: dict[int, list[tuple[str, ...]]] = {}
        for unit, (j, _) in partial.items():
            if unit not in out.overridden.get(i, {}):
                by_later.setdefault(j, []).append(unit)
        for j, units_of in sorted(by_later.items()):
            example = partial[units_of[0]][1]
            names = ", ".join(_unit_name(u) for u in sorted(units_of))
            shown = ", ".join(f"{k} = {_show(v)}" for k, v in example.items())
            out.diagnostics.append(Diagnostic(
                "RS506", f"{label(by_index[j])} also sets {names} and matches most requests "
                f"that {label(by_index[i])} matches, but not all: {label(by_index[i])}'s "
                f"{names} still {'applies' if len(units_of) == 1 else 'apply'} to e.g. "
                f"{shown}",
                hint=f"if {label(by_index[j])} should win everywhere, widen its expression; "
                f"if not, this is fine", location=by_index[i].location))
    for i, parts in sorted(out.undecided.items()):
        if i in out.overridden:
            continue
        why = ("the solver gave up" if not parts else "it depends on "
               + ", ".join(f"`{p}`" for p in parts[:3]) + ", which the solver does not model")
        out.diagnostics.append(Diagnostic(
            "RS505", f"whether later rules override settings of {label(by_index[i])} could "
            f"not be decided: {why}",
            hint="check with rulelang trace on a request this rule matches",
            location=by_index[i].location))


def witness(rs: Ruleset, earlier: int, later: int) -> dict[str, Any] | None:
    """Field values of a request that rule ``earlier`` matches and rule ``later`` does not
    (``{field: value}``, for ``Request(fields=...)``), or ``None`` when there is none, it
    could not be decided, or the example would rest on parts outside the solver's fragment.
    """
    import z3

    from rulelang.analysis.encode import Encoder
    by_index = {r.index: r for r in rs.rules if r.compiled is not None}
    if earlier not in by_index or later not in by_index:
        return None
    with Z3_LOCK:
        return _witness(Encoder(), compiled(by_index[earlier]).ast,
                        compiled(by_index[later]).ast, z3)


def _witness(encoder, earlier_ast, later_ast, z3) -> dict[str, Any] | None:
    a = encoder.encode(earlier_ast)
    b = encoder.encode(later_ast)
    if a.atoms or b.atoms:
        return None
    solver = z3.Solver()
    solver.set("timeout", CHECK_TIMEOUT_MS)
    solver.add(a.formula, z3.Not(b.formula))
    # examples in printable ASCII without backslashes, so that z3 prints them as they are
    printable = z3.Union(z3.Range(" ", "["), z3.Range("]", "~"))
    for name in a.names | b.names:
        var = encoder.vars[name]
        if var.sort() == z3.StringSort():
            solver.add(z3.InRe(var, z3.Star(printable)))
    if solver.check() != z3.sat:
        return None
    model = solver.model()
    out: dict[str, Any] = {}
    for name in sorted(a.names | b.names):
        value = model.eval(encoder.vars[name], model_completion=True)
        if z3.is_string_value(value):
            out[name] = value.as_string()
        elif z3.is_int_value(value):
            out[name] = value.as_long()
        else:
            out[name] = z3.is_true(value)
    return out
