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
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from os import PathLike
from typing import TYPE_CHECKING, Any, NamedTuple

from rulelang.cache.decision import ResponseAction, RuleRef, decide
from rulelang.cache.zone import Zone
from rulelang.errors import Diagnostic, RuleLangError, RulesetError
from rulelang.http.messages import Request, Response
from rulelang.rules.ruleset import Rule, Ruleset, load_rulesets
from rulelang.schema.catalogue import REQUEST_PHASE, RESPONSE_PHASE

if TYPE_CHECKING:  # the expression compiler is imported where rules are compiled
    from rulelang.language.expression import CompiledExpression

__all__ = [
    "REQUEST_UNITS",
    "RESPONSE_UNITS",
    "Engine",
    "Outcome",
    "overlay_settings",
    "request_units",
    "settings_from_units",
]

#: Setting units of the request phase in output order (cache-phases §3.2, PD-06).
REQUEST_UNITS: tuple[tuple[str, ...], ...] = (
    ("cache",), ("edge_ttl",), ("browser_ttl",),
    ("cache_key", "ignore_query_strings_order"), ("cache_key", "cache_deception_armor"),
    ("cache_key", "cache_by_device_type"),
    ("cache_key", "custom_key", "query_string"), ("cache_key", "custom_key", "header"),
    ("cache_key", "custom_key", "cookie"), ("cache_key", "custom_key", "user"),
    ("cache_key", "custom_key", "host"),
    ("cache_reserve",), ("serve_stale",), ("respect_strong_etags",),
    ("origin_error_page_passthru",), ("origin_cache_control",), ("read_timeout",),
    ("additional_cacheable_ports",),
)
#: The response phase's stacked scalars.
RESPONSE_UNITS = ("strip_etags", "strip_set_cookie", "strip_last_modified")
_UNIT_NAMES = {unit: ".".join(unit) for unit in REQUEST_UNITS}
_UNIT_ORDER = {unit: i for i, unit in enumerate(REQUEST_UNITS)}


def request_units(params: Mapping[str, Any]) -> tuple[tuple[tuple[str, ...], Any], ...]:
    """The setting units a request-phase ``set_cache_settings`` rule sets, with values."""
    out = []
    for unit in REQUEST_UNITS:
        node: Any = params
        for part in unit:
            if not isinstance(node, Mapping) or part not in node:
                break
            node = node[part]
        else:
            out.append((unit, node))
    return tuple(out)


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_copy(v) for v in value]
    return value


def settings_from_units(units: Mapping[tuple[str, ...], Any]) -> dict:
    """Nested API-shaped settings from a unit → value map, in the canonical unit order."""
    out: dict = {}
    for unit in sorted(units, key=_UNIT_ORDER.__getitem__):
        node = out
        for part in unit[:-1]:
            node = node.setdefault(part, {})
        node[unit[-1]] = _copy(units[unit])
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


#: What :class:`Engine` loads: a rule set, its dict form, or a path to a rules file.
_RulesetSource = Ruleset | dict[str, Any] | str | PathLike[str]


class Engine:
    """Both cache phases compiled once; :meth:`evaluate` runs them on a sample.

    ``rulesets`` are :class:`~rulelang.ruleset.Ruleset` objects, dicts or paths (a
    Terraform file may hold several).  ``zone`` holds the zone settings of
    cache-phases §0 (a dict or :class:`~rulelang.zone.Zone`); ``lists`` the items
    of ``$name`` lists.  Raises :class:`~rulelang.errors.RulesetError` when any rule
    set has an error: an engine is never built from part of the rules.
    """

    __slots__ = ("_decide", "_request_plan", "_response", "rulesets", "zone")

    def __init__(self, rulesets: _RulesetSource | Iterable[_RulesetSource], *,
                 zone: dict[str, Any] | Zone | None = None,
                 lists: Mapping[str, Any] | None = None, decide: bool = True) -> None:
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
                loaded.append(item)
                continue
            try:
                loaded.extend(load_rulesets(item, lists=lists, plan=plan))
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
        self._decide = decide

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
                                 _copy(rule.action_parameters), units, tags))
        return out

    def evaluate(self, request: Request | dict[str, Any],
                 response: Response | dict[str, Any] | None = None) -> Outcome:
        """Run the request phase, then (with ``response``) the response phase.

        ``request``/``response`` are :class:`~rulelang.http.Request` /
        :class:`~rulelang.http.Response` objects or their dict form.
        """
        if not isinstance(request, Request):
            request = Request.from_dict(request)
        if response is not None and not isinstance(response, Response):
            response = Response.from_dict(response)
        matched_request: list[RuleRef] = []
        units: dict[tuple[str, ...], Any] = {}
        sources: dict[tuple[str, ...], RuleRef] = {}
        ref = None
        try:
            for run, ref, rule_units in self._request_plan:
                if run(request, None) is True:
                    matched_request.append(ref)
                    for unit, value in rule_units:
                        units[unit] = value
                        sources[unit] = ref
            matched_response: list[RuleRef] = []
            actions: list[ResponseAction] = []
            if response is not None and not 100 <= response.status <= 199:
                for rule in self._response:
                    ref = rule.ref
                    if rule.matches(request, response) is True:
                        matched_response.append(rule.ref)
                        actions.append(_action(rule, request, response))
        except RuleLangError:
            raise
        except Exception as exc:  # a defect, reported with the rule it happened in
            where = f" in {ref.label()}" if ref is not None else ""
            raise RuleLangError(f"evaluation failed{where}: {exc!r}") from exc
        request_settings = settings_from_units(units)
        decision = None
        if self._decide:
            decision = decide(request, response, zone=self.zone,
                              request_settings=request_settings,
                              request_rules=matched_request, response_actions=actions,
                              setting_sources={_UNIT_NAMES[u]: r for u, r in sources.items()})
        return Outcome(
            matched={REQUEST_PHASE: matched_request, RESPONSE_PHASE: matched_response},
            request_settings=request_settings,
            response_settings=_response_settings(actions),
            decision=decision)


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
