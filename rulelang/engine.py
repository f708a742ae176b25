"""The phase engine: every matching rule of both cache phases, stacked.

An :class:`Engine` is built once from validated rule sets — every enabled rule's
filter compiled, every rule's parameters split into the *setting units* of
cache-phases.md §3.2 (PD-06) — and is then immutable and safe to share between
threads.  :meth:`Engine.evaluate` runs the request phase, then (given a response)
the response phase, and returns an :class:`Outcome`:

* request phase: for each setting unit the last matching rule wins;
* response phase: the ``strip_*`` flags stack the same way; ``set_cache_control``
  edits and ``set_cache_tags`` operations are kept in rule order (PD-07, PD-08),
  tag expressions evaluated against the sample (a missing value changes nothing);
* the cache decision (:func:`rulelang.decision.decide`) then applies the response
  phase over the request phase (any matching response rule turns Origin Cache
  Control on, PD-10).

Several rule sets of the same phase are evaluated one after the other, as if
their rules were concatenated.

A proxy uses the same steps in two halves (interfaces.md §5, docs/embedding.md):
:meth:`Engine.request_phase` runs the Cache Rules before the origin is asked and returns
a :class:`Pending`; :meth:`Pending.response_phase` runs the Cache Response Rules on the
origin's answer, on the same engine, and returns a
:class:`~rulelang.cache.decision.Decision` (reasons built only when read).  Matching is
done in one place per phase (``_match_request``, ``_match_response``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime
from os import PathLike
from typing import TYPE_CHECKING, Any, NamedTuple

from rulelang.cache.decision import (
    Decision,
    RequestSide,
    ResponseAction,
    RuleRef,
    request_side,
    response_side,
)
from rulelang.cache.zone import Zone
from rulelang.errors import Diagnostic, RuleLangError, RulesetError
from rulelang.http.messages import NO_FIELDS, Request, Response
from rulelang.rules.paths import rule_files
from rulelang.rules.ruleset import Rule, Ruleset, load_rulesets, recheck_for_plan
from rulelang.rules.units import REQUEST_UNITS, RESPONSE_UNITS, request_units
from rulelang.schema.catalogue import REQUEST_PHASE, RESPONSE_PHASE

if TYPE_CHECKING:  # the expression compiler is imported where rules are compiled
    from rulelang.language.expression import CompiledExpression

__all__ = [
    "REQUEST_UNITS",
    "RESPONSE_UNITS",
    "Engine",
    "Outcome",
    "Pending",
    "overlay_settings",
    "request_units",
    "settings_from_units",
]

_UNIT_NAMES = {unit: ".".join(unit) for unit in REQUEST_UNITS}
_UNIT_ORDER = {unit: i for i, unit in enumerate(REQUEST_UNITS)}


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_copy(v) for v in value]
    return value


def settings_from_units(units: Mapping[tuple[str, ...], Any], *, copy: bool = True) -> dict:
    """Nested API-shaped settings from a unit → value map, in the canonical unit order
    (the values copied unless ``copy=False``: then they are the rules' own)."""
    out: dict = {}
    for unit in sorted(units, key=_UNIT_ORDER.__getitem__):
        node = out
        for part in unit[:-1]:
            node = node.setdefault(part, {})
        node[unit[-1]] = _copy(units[unit]) if copy else units[unit]
    return out


def overlay_settings(base: Mapping[str, Any], top: Mapping[str, Any]) -> dict:
    """``top``'s setting units over ``base``'s: what stacking ``top``'s rules after
    ``base``'s gives (request-phase ``set_cache_settings`` shape)."""
    units = dict(request_units(base))
    units.update(request_units(top))
    return settings_from_units(units)


class Outcome(NamedTuple):
    """What the rules do with one sample (interfaces.md §4); immutable.

    ``matched`` maps each phase to the matching rules in order;
    ``request_settings`` is the stacked request-phase result and
    ``response_settings`` the response-phase one (``strip_*`` flags, the last edit
    of each ``cache_control`` directive, the ``cache_tags`` operations in order with
    their evaluated values); ``decision`` is the modelled cache behaviour (``None``
    when the engine was built with ``decide=False``).
    """

    matched: dict[str, list[RuleRef]]
    request_settings: dict[str, Any]
    response_settings: dict[str, Any]
    decision: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of interfaces.md §4."""
        out = {
            "matched": {phase: [r.to_dict() for r in refs] for phase, refs in self.matched.items()},
            "request_settings": _copy(self.request_settings),
            "response_settings": _copy(self.response_settings),
        }
        if self.decision is not None:
            out["decision"] = _copy(self.decision)
        return out


def _runner(compiled: Any) -> Any:
    """The compiled closure ``(request, response) -> value`` of a filter; a rule matches
    when it returns ``True``."""
    return compiled.run


@dataclass(frozen=True, slots=True)
class _Compiled:
    matches: Any
    ref: RuleRef
    action: str
    params: dict
    units: tuple
    tags: Any  # a compiled tag expression, or the literal tags, or None
    checked: Any = None  # the checked filter (what the phase generator reads)


#: What :class:`Engine` loads: a rule set, its dict form, or a path to a rules file.
_RulesetSource = Ruleset | dict[str, Any] | str | PathLike[str]


class Engine:
    """Both cache phases compiled once; :meth:`evaluate` runs them on a sample.

    ``rulesets`` are :class:`~rulelang.ruleset.Ruleset` objects, dicts or paths (a
    Terraform file may hold several).  ``zone`` holds the zone settings of
    cache-phases §0 (a dict or :class:`~rulelang.zone.Zone`); ``lists`` the items
    of ``$name`` lists; ``annotations=True`` ignores ``$comment``-style documentation
    keys in the rule sets it loads.  A :class:`Ruleset` loaded without the zone's
    plan is checked again for it.  Raises :class:`~rulelang.errors.RulesetError` when
    any rule set has an error: an engine is never built from part of the rules.
    """

    __slots__ = ("_decide", "_fingerprint", "_lists", "_request_fast", "_request_plan",
                 "_response", "_response_fast", "rulesets", "zone")

    def __init__(self, rulesets: _RulesetSource | Iterable[_RulesetSource], *,
                 zone: dict[str, Any] | Zone | None = None,
                 lists: Mapping[str, Any] | None = None, decide: bool = True,
                 annotations: bool = False) -> None:
        if isinstance(rulesets, (Ruleset, dict, str, PathLike)):
            rulesets = [rulesets]
        self.zone = zone if isinstance(zone, Zone) else Zone.from_dict(zone)
        # A plan named by the caller also gates the rules loaded here (plan features,
        # minimum TTLs, rule counts); without one, no plan checks are made (§2.1).
        plan = self.zone.plan if isinstance(zone, Zone) or (
            isinstance(zone, dict) and "plan" in zone) else None
        loaded: list[Ruleset] = []
        problems: list[Diagnostic] = []
        for item in rulesets:
            if isinstance(item, Ruleset):
                # A rule set loaded without this plan is checked again for it
                # (interfaces.md §8): whatever form the rules came in, the same checks.
                if plan is not None and item.plan != plan:
                    problems.extend(recheck_for_plan(item, plan, lists))
                loaded.append(item)
                continue
            try:
                loaded.extend(load_rulesets(item, lists=lists, plan=plan,
                                            annotations=annotations))
            except RulesetError as exc:
                problems.extend(exc.diagnostics)
        if problems:
            raise RulesetError(problems)
        self.rulesets = tuple(loaded)
        request: list[_Compiled] = []
        response: list[_Compiled] = []
        for rs in loaded:
            target = request if rs.phase == REQUEST_PHASE else response
            target.extend(self._compile_rules(rs, lists, problems))
        if problems:
            raise RulesetError(problems)
        self._request_plan = tuple((r.matches, r.ref, r.units) for r in request)
        self._response = tuple(response)
        self._request_fast = _generated(tuple(request))
        self._response_fast = _generated(self._response)
        self._decide = decide
        self._lists = lists
        self._fingerprint: str | None = None

    @classmethod
    def from_files(cls, *paths: str | PathLike | Iterable[str | PathLike],
                   zone: dict | Zone | None = None, lists: dict | None = None) -> Engine:
        """An engine from rules files: each path a file, a directory (every rules file
        under it, hidden ones skipped) or a glob pattern.  Raises
        :class:`~rulelang.errors.RulesetError` when a file is missing or invalid."""
        return cls(rule_files(*paths), zone=zone, lists=lists)

    @property
    def fingerprint(self) -> str:
        """A stable hash of the compiled rules (every rule's phase, place, expression,
        action and parameters), the zone and the lists: equal fingerprints decide alike."""
        if self._fingerprint is None:
            self._fingerprint = _fingerprint(self.rulesets, self.zone, self._lists, self._decide)
        return self._fingerprint

    def __reduce__(self) -> tuple:
        # Compiled closures cannot be pickled: a worker process compiles the rules again
        # from the validated rule sets (without their compiled filters).
        bare = tuple(_without_compiled(rs) for rs in self.rulesets)
        return (_rebuild_engine, (bare, self.zone, self._lists, self._decide))

    @staticmethod
    def _compile_rules(rs: Ruleset, lists: Mapping[str, Any] | None,
                       problems: list[Diagnostic]) -> list[_Compiled]:
        reuse = lists is None or rs.lists is lists or rs.lists == lists
        out = []
        for rule in rs.rules:
            if not rule.enabled:
                continue
            compiled = rule.compiled if reuse else None
            tags: CompiledExpression | tuple[Any, ...] | None = (
                rule.tag_expression if reuse else None)
            if compiled is None or (tags is None and "expression" in rule.action_parameters
                                    and rule.action == "set_cache_tags"):
                compiled, tags = _compile_rule(rule, rs.phase, lists, problems)
                if compiled is None:
                    continue
            if rule.action == "set_cache_tags" and tags is None:
                tags = tuple(rule.action_parameters.get("values", ()))
            ref = RuleRef(rs.phase, rule.index, rule.id, rule.ref, rule.description)
            units = (request_units(rule.action_parameters) if rs.phase == REQUEST_PHASE
                     else tuple((k, rule.action_parameters[k]) for k in RESPONSE_UNITS
                                if rule.action == "set_cache_settings"
                                and k in rule.action_parameters))
            out.append(_Compiled(_runner(compiled), ref, rule.action,
                                 _copy(rule.action_parameters), units, tags,
                                 getattr(compiled, "checked", None)))
        return out

    # -- matching (the one place that decides which rules match) ----------------------

    def _match_request(self, request: Request) -> tuple[list[RuleRef], dict, dict]:
        """The matching request rules in order, and the stacked setting units with the
        rule that last set each."""
        matched: list[RuleRef] = []
        units: dict[tuple[str, ...], Any] = {}
        sources: dict[tuple[str, ...], RuleRef] = {}
        ref = None
        try:
            for _, ref, rule_units in self._matching(self._request_plan, self._request_fast,
                                                     request, None):
                matched.append(ref)
                for unit, value in rule_units:
                    units[unit] = value
                    sources[unit] = ref
        except RuleLangError:
            raise
        except Exception as exc:  # a defect, reported with the rule it happened in
            raise _defect(ref, exc) from exc
        return matched, units, sources

    def _match_response(self, request: Request, response: Response
                        ) -> tuple[list[RuleRef], list[ResponseAction]]:
        """The matching response rules in order, with their actions (cache-phases §4.4:
        none for an informational status)."""
        matched: list[RuleRef] = []
        actions: list[ResponseAction] = []
        if 100 <= response.status <= 199:
            return matched, actions
        ref = None
        try:
            for rule in self._matching(self._response, self._response_fast, request, response):
                ref = rule.ref
                matched.append(rule.ref)
                actions.append(_action(rule, request, response))
        except RuleLangError:
            raise
        except Exception as exc:
            raise _defect(ref, exc) from exc
        return matched, actions

    # -- the two phases ------------------------------------------------------------------

    def request_phase(self, request: Request | dict) -> Pending:
        """Run the Cache Rules once, before the origin is asked (interfaces.md §5).

        The :class:`Pending` result knows eligibility, the cache key, the origin method,
        the matching rules and the stacked settings; its
        :meth:`~Pending.response_phase` finishes the decision on this same engine.
        """
        return self._request_phase(_request(request), None)

    def _request_phase(self, request: Request, reasons: list[str] | None) -> Pending:
        matched, units, sources = self._match_request(request)
        settings = settings_from_units(units, copy=False)  # read-only here; copied when shown
        named = {_UNIT_NAMES[u]: r for u, r in sources.items()}
        side = None
        if self._decide:
            side = request_side(request, zone=self.zone, request_settings=settings,
                                request_rules=matched, setting_sources=named, reasons=reasons)
        return Pending(self, request, tuple(matched), settings, side)

    def evaluate(self, request: Request | dict, response: Response | dict | None = None
                 ) -> Outcome:
        """Run the request phase, then (with ``response``) the response phase.

        ``request``/``response`` are :class:`~rulelang.http.Request` /
        :class:`~rulelang.http.Response` objects or their dict form.  The same steps
        as :meth:`request_phase` then :meth:`Pending.response_phase`, with reasons.
        """
        request = _request(request)
        if response is not None and not isinstance(response, Response):
            response = Response.from_dict(response)
        reasons: list[str] = []
        pending = self._request_phase(request, reasons)
        matched_response, actions = ([], []) if response is None else self._match_response(
            request, response)
        decision = None
        if pending.side is not None:
            decision = response_side(request, pending.side, response, actions,
                                     reasons).to_dict()
        return Outcome(
            matched={REQUEST_PHASE: list(pending.matched), RESPONSE_PHASE: matched_response},
            request_settings=pending.settings,  # a copy
            response_settings=_response_settings(actions),
            decision=decision)

    @staticmethod
    def _matching(rules: tuple, fast: Any, request: Request, response: Response | None
                  ) -> Iterable[Any]:
        """The entries of ``rules`` whose filter is true, in order.

        The phase's generated function answers for requests that supply no ``fields``;
        otherwise (or should it fail) each rule's closure is run, which names the rule
        an error happened in.  Entries are ``_Compiled`` rules or ``(run, ref, units)``."""
        if fast is not None and request.supplied_fields is NO_FIELDS:
            try:
                return map(rules.__getitem__, fast(request, response))
            except Exception:  # noqa: BLE001, S110 - the closures below report it
                pass
        out = []
        for entry in rules:
            run, ref = (entry.matches, entry.ref) if isinstance(entry, _Compiled) else entry[:2]
            try:
                if run(request, response) is True:
                    out.append(entry)
            except RuleLangError:
                raise
            except Exception as exc:  # a defect, reported with the rule it happened in
                raise _defect(ref, exc) from exc
        return out


def _generated(rules: tuple[_Compiled, ...]) -> Any:
    """The generated function of one phase's rules (``None`` when there are no rules or
    a rule was compiled without its checked expression: the closures are used)."""
    if not rules or any(r.checked is None for r in rules):
        return None
    from rulelang.language.codegen import generate_phase
    try:
        return generate_phase([r.checked for r in rules]).run
    except (RecursionError, MemoryError, SyntaxError, ValueError):
        return None  # e.g. a filter nested too deeply for Python's compiler: closures


class Pending:
    """The request phase's result, waiting for the origin's answer (interfaces.md §5).

    ``eligible``, ``cache_key``, ``origin_method``: what a proxy needs before it asks
    the origin (look up or bypass, under which key, with which method); ``matched``
    the matching Cache Rules; ``settings`` their stacked settings.  Immutable;
    :meth:`response_phase` may be called several times (say, once per revalidation).
    """

    __slots__ = ("_settings", "engine", "matched", "request", "side")

    def __init__(self, engine: Engine, request: Request, matched: tuple[RuleRef, ...],
                 settings: dict, side: RequestSide | None) -> None:
        self.engine = engine
        self.request = request
        self.matched = matched
        self._settings = settings
        self.side = side

    @property
    def settings(self) -> dict:
        """The stacked request-phase settings (API parameter names), a fresh copy."""
        return _copy(self._settings)

    @property
    def read_timeout(self) -> int | None:
        """The stacked ``read_timeout`` setting (seconds the edge waits between two reads
        from the origin), ``None`` when no matching rule sets it."""
        value = self._settings.get("read_timeout")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def eligible(self) -> bool:
        """Whether the request may be served from or stored in cache."""
        return self._side().eligible

    @property
    def cache_key(self) -> str:
        """The cache key to look up and store under."""
        return self._side().cache_key

    @property
    def origin_method(self) -> str:
        """The method to send to the origin (``GET`` for an eligible ``HEAD``)."""
        return self._side().origin_method

    def _side(self) -> RequestSide:
        if self.side is None:
            raise RuleLangError("this engine was built with decide=False: no cache decision")
        return self.side

    def response_phase(self, response: Response | dict | None) -> Decision:
        """Run the Cache Response Rules on ``response`` (same engine, same rules as the
        request phase) and finish the :class:`~rulelang.cache.decision.Decision`.
        ``None`` gives the request-side-only decision.  No reason strings are built
        unless ``decision.reasons`` is read."""
        if response is not None and not isinstance(response, Response):
            response = Response.from_dict(response)
        actions: list[ResponseAction] = []
        if response is not None:
            actions = self.engine._match_response(self.request, response)[1]
        return response_side(self.request, self._side(), response, actions)

    def __repr__(self) -> str:
        side = self.side
        if side is None:
            return f"Pending(matched={len(self.matched)})"
        return (f"Pending(eligible={side.eligible}, cache_key={side.cache_key!r}, "
                f"origin_method={side.origin_method!r})")


def _rebuild_engine(rulesets: tuple[Ruleset, ...], zone: Zone, lists: dict | None,
                   decide: bool) -> Engine:
    return Engine(rulesets, zone=zone, lists=lists, decide=decide)


def _without_compiled(rs: Ruleset) -> Ruleset:
    rules = tuple(replace(rule, compiled=None, tag_expression=None) for rule in rs.rules)
    return replace(rs, rules=rules, lists=None)


def _fingerprint(rulesets: Iterable[Ruleset], zone: Zone, lists: Any, decide: bool) -> str:
    body = {
        "rulesets": [{"phase": rs.phase, "rules": [
            [r.index, r.id, r.ref, r.enabled, r.expression, r.action, r.action_parameters]
            for r in rs.rules]}
            # rule order matters within a phase, not across phases
            for rs in sorted(rulesets, key=lambda rs: rs.phase)],
        "zone": {f.name: getattr(zone, f.name) for f in fields(zone)},
        "lists": lists,
        "decide": decide,
    }
    text = json.dumps(body, sort_keys=True, default=_stable, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _stable(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(map(str, value))
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _request(request: Request | dict) -> Request:
    return request if isinstance(request, Request) else Request.from_dict(request)


def _defect(ref: RuleRef | None, exc: Exception) -> RuleLangError:
    where = f" in {ref.label()}" if ref is not None else ""
    return RuleLangError(f"evaluation failed{where}: {exc!r}")


def _action(rule: _Compiled, request: Request, response: Response) -> ResponseAction:
    tags = None
    if rule.action == "set_cache_tags":
        tags = rule.tags
        if not isinstance(tags, tuple):
            value = tags.evaluate(request, response)
            tags = None if value is None else tuple(
                v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
                for v in value)
    return ResponseAction(rule.ref, rule.action, rule.params, tags)


def _response_settings(actions: list[ResponseAction]) -> dict:
    out: dict[str, Any] = {}
    control: dict[str, Any] = {}
    tags: list[dict] = []
    for action in actions:
        if action.action == "set_cache_settings":
            for key in RESPONSE_UNITS:
                if key in action.params:
                    out[key] = action.params[key]
        elif action.action == "set_cache_control":
            for name, edit in action.params.items():
                control.pop(name, None)
                control[name] = _copy(edit)
        elif action.action == "set_cache_tags" and action.tags is not None:
            tags.append({"operation": action.params.get("operation"),
                         "values": list(action.tags)})
    result = {k: out[k] for k in RESPONSE_UNITS if k in out}
    if control:
        result["cache_control"] = control
    if tags:
        result["cache_tags"] = tags
    return result


def _compile_rule(rule: Rule, phase: str, lists: Mapping[str, Any] | None,
                  problems: list[Diagnostic]
                  ) -> tuple[CompiledExpression | None, CompiledExpression | None]:
    from rulelang.errors import ExpressionError
    from rulelang.language.expression import compile_expression
    try:
        compiled = compile_expression(rule.expression, phase=phase, lists=lists)
        tags = None
        if rule.action == "set_cache_tags" and "expression" in rule.action_parameters:
            tags = compile_expression(rule.action_parameters["expression"], phase=phase,
                                      expect="Array<String>", lists=lists)
    except ExpressionError as exc:
        problems.extend(d.at(rule.expression_location) for d in exc.diagnostics)
        return None, None
    return compiled, tags
