"""Rule sets: loading every rules format, validating every rule, keeping positions.

``load_ruleset`` reads the Rulesets API body (``{"rules": [...]}``), the same in
the API's ``{"result": …, "success": true}`` envelope, YAML, Terraform
``cloudflare_ruleset`` resources, a bare list of rules, or a plain dict.  Every
rule is validated against cache-phases.md §1–§2 (rows V1–V40 of §2.6) and its
expression compiled for the phase; every problem becomes a
:class:`~rulelang.errors.Diagnostic` placed in the file (``rules[3].action_parameters
.edge_ttl.mode``, line, column).  All problems are collected in one pass and raised
together as :class:`~rulelang.errors.RulesetError`; warnings stay on
:attr:`Ruleset.diagnostics`.

Decisions where the spec is silent: an object or array member, and any problem with
a member itself (an unknown key), is placed at its key, so that a problem has the
same place in every format; ids must be unique and so must refs, a rule without a
``ref`` being known by its ``id`` (V3); unknown rule-set fields are errors like
unknown keys everywhere else (§2.1); a file phase that contradicts ``phase=`` is an
error (RS006) rather than silently preferred.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from os import PathLike
from typing import TYPE_CHECKING, Any

from rulelang.errors import Diagnostic, ExpressionError, Location, RuleLangError, RulesetError
from rulelang.rules.documents import Document, LoadError, document_from_value, path_text
from rulelang.rules.files import read_documents
from rulelang.rules.validate import ACTIONS, PLAN_RULE_LIMITS, PLANS, validate_action
from rulelang.schema import catalogue as schema

if TYPE_CHECKING:  # compiled on load; imported where used
    from rulelang.language.expression import CompiledExpression

__all__ = ["Rule", "Ruleset", "check_plan", "load_ruleset", "load_rulesets", "path_text"]

#: Rule fields the API returns and accepts back; anything else is rejected (§2.1).
_RULE_FIELDS = ("id", "ref", "version", "description", "expression", "action",
                "action_parameters", "enabled", "logging", "last_updated", "position")
_RULESET_FIELDS = ("id", "name", "description", "kind", "phase", "version", "last_updated",
                   "rules")


@dataclass(frozen=True)
class Rule:
    """One rule of a rule set, validated, with its place in the file.

    ``ref`` defaults to ``id`` (§1.3).  ``action_parameters`` is the normalised
    copy the engine uses.  ``location`` is where the rule object starts
    (``path`` ``rules[3]``); ``expression_location`` is the first character of the
    expression text.  ``compiled`` holds the compiled filter (``None`` until a
    rule set is loaded through :func:`load_ruleset`).
    """

    index: int
    id: str | None
    ref: str | None
    description: str
    enabled: bool
    expression: str
    action: str
    action_parameters: dict[str, Any]
    location: Location
    expression_location: Location
    compiled: CompiledExpression | None = field(default=None, compare=False, repr=False)
    tag_expression: CompiledExpression | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Ruleset:
    """The rules of one phase's entry point, in evaluation order.

    ``diagnostics`` holds the warnings and notes found while loading (errors
    make :func:`load_ruleset` raise instead).
    """

    phase: str
    name: str
    kind: str
    rules: tuple[Rule, ...]
    source: str | None = None
    diagnostics: tuple[Diagnostic, ...] = ()
    lists: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)


def check_plan(plan: Any, source: Any = None) -> Diagnostic | None:
    """A diagnostic when ``plan`` is not a known plan name (``None`` is fine)."""
    if plan is None or plan in PLANS:
        return None
    file = str(source) if isinstance(source, (str, PathLike)) else None
    return Diagnostic("RS106", f"unknown plan {plan!r}", hint="plan is one of: "
                      + ", ".join(PLANS), location=Location(file))


# --------------------------------------------------------------------------- public API

def load_ruleset(path_or_obj: Any, phase: str | None = None, *,
                 lists: Mapping[str, Any] | None = None, plan: str | None = None) -> Ruleset:
    """Load, validate and compile one rule set.

    ``path_or_obj`` is a path (``str`` or path-like) to a JSON, YAML or Terraform
    file, or an already parsed dict (a Rulesets API body, an envelope, or a list of
    rules).  ``phase`` (a phase name or ``request``/``response``) is used when the
    file does not name one, and selects among several Terraform resources.
    ``lists`` gives the items of ``$name`` lists; ``plan`` (``free``, ``pro``,
    ``business``, ``enterprise``) turns on plan gating and the plan's rule limit.

    Raises :class:`~rulelang.errors.RulesetError` with every problem found.
    """
    found = load_rulesets(path_or_obj, phase, lists=lists, plan=plan)
    if len(found) == 1:
        return found[0]
    file = path_or_obj if isinstance(path_or_obj, (str, PathLike)) else None
    phases = ", ".join(r.phase for r in found)
    raise RulesetError([Diagnostic(
        "RS007", f"{len(found)} rule sets found ({phases}); load_ruleset needs exactly one",
        hint="pass phase= to pick one, or use load_rulesets",
        location=Location(str(file) if file else None))])


def load_rulesets(path: Any, phase: str | None = None, *,
                  lists: Mapping[str, Any] | None = None,
                  plan: str | None = None) -> list[Ruleset]:
    """Every rule set in ``path`` (a Terraform file may hold several resources,
    a YAML file several documents).  With ``phase``, only rule sets of that phase
    are returned.  Raises :class:`~rulelang.errors.RulesetError` when any of them
    has an error, listing all of them."""
    diagnostics: list[Diagnostic] = []
    bad_plan = check_plan(plan, path)
    if bad_plan is not None:
        raise RulesetError([bad_plan])
    wanted = None
    if phase is not None:
        try:
            wanted = schema.normalize_phase(phase)
        except (ValueError, TypeError) as exc:
            file = str(path) if isinstance(path, (str, PathLike)) else None
            raise RulesetError([Diagnostic("RS006", str(exc), location=Location(file))]
                               ) from None
    try:
        docs = _documents(path)
    except LoadError as exc:
        raise RulesetError([exc.diagnostic]) from None
    bodies = []
    for doc in docs:
        bodies.extend(_bodies(doc, diagnostics))
    if wanted is not None and len(bodies) > 1:
        matching = [b for b in bodies if _declared_phase(b.value) in (wanted, None)]
        bodies = matching or bodies
    results = []
    for doc in bodies:
        results.append(_build(doc, wanted, lists, plan, diagnostics))
    errors = [d for d in diagnostics if d.is_error]
    if errors or any(r is None for r in results):
        raise RulesetError(diagnostics)
    return [r for r in results if r is not None]


# --------------------------------------------------------------------------- documents

def _documents(source: Any) -> list[Document]:
    if isinstance(source, Ruleset):
        raise LoadError(Diagnostic("RS005", "already a Ruleset; no need to load it"))
    if isinstance(source, (str, PathLike)):
        return read_documents(source)
    if isinstance(source, (dict, list)):
        return [document_from_value(source)]
    raise LoadError(Diagnostic(
        "RS005", f"cannot load a rule set from {type(source).__name__}",
        hint="pass a path, a dict such as {\"rules\": [...]}, or a list of rules"))


def _declared_phase(body: Any) -> str | None:
    if isinstance(body, dict) and isinstance(body.get("phase"), str):
        try:
            return schema.normalize_phase(body["phase"])
        except ValueError:
            return None
    return None


def _bodies(doc: Document, diagnostics: list[Diagnostic]) -> list[Document]:
    """Unwrap envelopes and bare lists: each result is a document whose value is a
    rule-set body (a dict) with positions relative to that body."""
    value = doc.value
    where = Location(doc.file, "", *(doc.position(()) or (None, None)))
    if isinstance(value, list):
        doc.value = {"rules": value}
        doc.rebase((), ("rules",))
        return [doc]
    if not isinstance(value, dict):
        diagnostics.append(Diagnostic(
            "RS005", f"a rules file holds an object with \"rules\", not {_kind(value)}",
            location=where, hint='write {"rules": [ {...}, ... ]}'))
        return []
    if "result" in value and ("success" in value or "errors" in value):
        if value.get("success") is False:
            errors = value.get("errors") or []
            text = "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e)
                             for e in errors) or "no details"
            diagnostics.append(Diagnostic(
                "RS005", f"the API response reports a failure: {text}", location=where))
            return []
        result = value["result"]
        if isinstance(result, list):
            out = []
            for i, item in enumerate(result):
                sub = Document(item, doc.file, doc.format, dict(doc.positions),
                               dict(doc.content_starts), dict(doc.key_positions),
                               label=f"result[{i}]")
                if i == 0:
                    sub.diagnostics = doc.diagnostics
                sub.rebase(("result", i))
                out.extend(_bodies(sub, diagnostics))
            return out
        doc.value = result
        doc.rebase(("result",))
        return _bodies(doc, diagnostics)
    if not any(k in value for k in ("rules", "phase", "kind", "name")):
        hint = 'write {"rules": [ {...}, ... ]}'
        if "expression" in value or "action" in value:
            hint = 'this looks like a single rule; wrap it: {"rules": [ {...} ]}'
        diagnostics.append(Diagnostic("RS005", "not a rule set: no \"rules\" array",
                                      location=where, hint=hint))
        return []
    return [doc]


def _kind(value: Any) -> str:
    from rulelang.rules.validate import _kind as kind
    return kind(value)


# --------------------------------------------------------------------------- building

class _Reporter:
    """Turns (code, path, message) into diagnostics placed in ``doc``."""

    def __init__(self, doc: Document, out: list[Diagnostic]):
        self.doc = doc
        self.out = out

    def location(self, path: tuple, key: bool = False) -> Location:
        """Where the value at ``path`` is; an object or array member, or a problem
        with the member itself (``key``), is placed at its key, so that the place is
        the same in JSON, YAML and both Terraform syntaxes."""
        if key or isinstance(self._value(path), (dict, list)):
            pos = self.doc.key_position(path)
        else:
            pos = self.doc.position(path)
        return Location(self.doc.file, path_text(path), *(pos or (None, None)))

    def _value(self, path: tuple) -> Any:
        node = self.doc.value
        for part in path:
            listed = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
            if not listed and not (isinstance(node, dict) and part in node):
                return None
            node = node[part]
        return node

    def __call__(self, code: str, path: tuple, message: str, hint: str = "",
                 key: bool = False) -> None:
        """Report a problem with the value at ``path`` (with ``key``: with the member
        itself, placed at its key — an unknown key)."""
        prefix = f"{self.doc.label}: " if self.doc.label else ""
        self.out.append(Diagnostic(code, prefix + message, hint=hint,
                                   location=self.location(path, key)))

    def expression_location(self, path: tuple) -> Location:
        pos = self.doc.content_start(path) or (None, None)
        return Location(self.doc.file, path_text(path), *pos)


def _build(doc: Document, wanted: str | None, lists, plan: str | None,
           diagnostics: list[Diagnostic]) -> Ruleset | None:
    body: dict = doc.value
    report = _Reporter(doc, diagnostics)
    start = len(diagnostics)
    diagnostics.extend(doc.diagnostics)
    phase = _phase(body, wanted, report)
    for key in body:
        if key not in _RULESET_FIELDS:
            report("RS105", (key,), f"unknown rule set field {key!r}",
                   "a rule set has phase, kind, name, description and rules (and the "
                   "read-only id, version, last_updated)", key=True)
    kind = body.get("kind", "zone")
    if kind != "zone":
        report("RS101", ("kind",), f"kind {kind!r}: the cache phases only have zone entry "
               "points", 'use "kind": "zone"')
    name = body.get("name", "")
    if not isinstance(name, str):
        report("RS104", ("name",), f"name must be a string, not {_kind(name)}")
        name = str(name)
    for key in ("description", "id", "version", "last_updated"):
        if key in body and not isinstance(body[key], str):
            report("RS104", (key,), f"{key} must be a string, not {_kind(body[key])}")
    rules = body.get("rules", [])
    if not isinstance(rules, list):
        report("RS104", ("rules",), f"rules must be an array, not {_kind(rules)}")
        rules = []
    limit = PLAN_RULE_LIMITS[plan or "enterprise"]
    if len(rules) > limit:
        report("RS102", ("rules",), f"{len(rules)} rules; the {plan or 'enterprise'} plan "
               f"allows {limit} per phase (disabled rules count too)")
    built = []
    ids: dict[str, int] = {}
    refs: dict[str, int] = {}
    for i, raw in enumerate(rules):
        rule = _rule(raw, i, phase, report, lists, plan)
        if rule is None:
            continue
        built.append(rule)
        _unique_ref(rule, raw, ids, refs, report)
    mine = diagnostics[start:]
    if phase is None or any(d.is_error for d in mine):
        return None
    return Ruleset(phase=phase, name=name, kind="zone", rules=tuple(built),
                   source=doc.file, diagnostics=tuple(mine), lists=lists)


def _unique_ref(rule: Rule, raw: dict, ids: dict[str, int], refs: dict[str, int],
                report: _Reporter) -> None:
    """V3: ids are unique, and so are refs (a rule without a ref is known by its id)."""
    i = rule.index
    dup_id = rule.id is not None and rule.id in ids
    if rule.id is not None and dup_id:
        report("RS103", ("rules", i, "id"), f"id {rule.id!r} is also used by rule "
               f"{ids[rule.id]}", "every rule needs its own id")
    elif rule.id is not None:
        ids[rule.id] = i
    own_ref = isinstance(raw.get("ref"), str) and raw["ref"] != ""
    if rule.ref is None or (dup_id and not own_ref):
        return
    if rule.ref in refs:
        report("RS103", ("rules", i, "ref" if own_ref else "id"), f"ref {rule.ref!r} is "
               f"also used by rule {refs[rule.ref]}", "every rule needs its own ref")
    else:
        refs[rule.ref] = i


def _phase(body: dict, wanted: str | None, report: _Reporter) -> str | None:
    declared = body.get("phase")
    if declared is None:
        if wanted is None:
            report("RS006", (), "the rule set does not name its phase",
                   "add \"phase\": \"http_request_cache_settings\" (or the response phase), "
                   "or pass phase= / --phase")
        return wanted
    try:
        phase = schema.normalize_phase(declared)
    except (ValueError, TypeError):
        report("RS006", ("phase",), f"unknown phase {declared!r}",
               "the cache phases are " + " and ".join(schema.PHASES))
        return None
    if wanted is not None and wanted != phase:
        report("RS006", ("phase",), f"the file says phase {phase} but {wanted} was asked for")
        return None
    return phase


def _rule(raw: Any, i: int, phase: str | None, report: _Reporter, lists,
          plan: str | None) -> Rule | None:
    """Rule ``i`` validated (§2.6) and compiled; ``None`` when it is not an object."""
    path = ("rules", i)
    if not isinstance(raw, dict):
        report("RS201", path, f"rule {i} must be an object, not {_kind(raw)}")
        return None
    _unknown_rule_fields(raw, path, report)
    texts = _rule_texts(raw, path, report)
    enabled = _rule_enabled(raw, path, report)
    expression = _rule_expression(raw, i, report)
    action = _rule_action(raw, i, phase, report)
    params = _rule_parameters(raw, i, phase, action, report, plan)
    compiled, tags = _compile_rule(expression, action, params, path, phase, lists, report)
    return Rule(index=i, id=texts["id"], ref=texts["ref"] or texts["id"],
                description=texts["description"] or "", enabled=enabled,
                expression=expression or "", action=action or "", action_parameters=params,
                location=report.location(path),
                expression_location=report.expression_location(path + ("expression",)),
                compiled=compiled, tag_expression=tags)


def _unknown_rule_fields(raw: dict, path: tuple, report: _Reporter) -> None:
    for key in raw:
        if key not in _RULE_FIELDS:
            report("RS206", path + (key,), f"unknown rule field {key!r}",
                   "a rule has expression, action, action_parameters, description, "
                   "enabled, ref (and the read-only id, version, last_updated)", key=True)


def _rule_texts(raw: dict, path: tuple, report: _Reporter) -> dict[str, str | None]:
    """The rule's ``id``, ``ref`` and ``description`` (``None`` when absent or not text)."""
    texts = {}
    for key in ("id", "ref", "description"):
        value = raw.get(key)
        if value is not None and not isinstance(value, str):
            report("RS205", path + (key,), f"{key} must be a string, not {_kind(value)}")
            value = None
        texts[key] = value
    return texts


def _rule_enabled(raw: dict, path: tuple, report: _Reporter) -> bool:
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        report("RS205", path + ("enabled",), f"enabled must be true or false, not "
               f"{_kind(enabled)}")
        return True
    return enabled


def _rule_expression(raw: dict, i: int, report: _Reporter) -> str | None:
    """The filter text, or ``None`` (reported) when it is missing, empty or not text."""
    path = ("rules", i)
    expression = raw.get("expression")
    if isinstance(expression, str) and expression.strip():
        return expression
    what = "missing" if expression is None else (
        "empty" if isinstance(expression, str) else f"{_kind(expression)}, not text")
    hint = 'write a filter such as http.host eq "example.com" (or true for every request)'
    if isinstance(expression, bool):
        hint = (f'quote it: expression: "{str(expression).lower()}" — unquoted, YAML and '
                "Terraform read it as a boolean, and the expression is text")
    report("RS202", path + (("expression",) if "expression" in raw else ()),
           f"rule {i}: expression {what}", hint)
    return None


def _rule_action(raw: dict, i: int, phase: str | None, report: _Reporter) -> str | None:
    """The action, or ``None`` (reported) when it is missing or not one of the phase's."""
    path = ("rules", i)
    action = raw.get("action")
    allowed = ACTIONS.get(phase or "", ())
    if action is None:
        report("RS203", path + (("action",) if "action" in raw else ()),
               f"rule {i} has no action",
               "actions in this phase: " + ", ".join(allowed or sum(ACTIONS.values(), ())))
    elif phase is not None and action not in allowed:
        report("RS203", path + ("action",), f"action {action!r} is not allowed in {phase}",
               "actions in this phase: " + ", ".join(allowed))
        return None
    return action


def _rule_parameters(raw: dict, i: int, phase: str | None, action: str | None,
                     report: _Reporter, plan: str | None) -> dict:
    """The validated, normalised ``action_parameters`` (``{}`` when unusable)."""
    path = ("rules", i)
    params = raw.get("action_parameters")
    ppath = path + ("action_parameters",)
    if not isinstance(params, dict) or not params:
        what = ("missing" if params is None else "empty" if params == {}
                else f"{_kind(params)}, not an object")
        report("RS204", ppath if "action_parameters" in raw else path,
               f"rule {i}: action_parameters {what}", "a rule must set at least one setting")
        return {}
    if action is not None and phase is not None:
        return validate_action(phase, action, params, ppath, report, plan)
    return params


def _compile_rule(expression: str | None, action: str | None, params: dict, path: tuple,
                  phase: str | None, lists, report: _Reporter) -> tuple[Any, Any]:
    """The compiled filter and, for ``set_cache_tags``, the compiled value expression."""
    if phase is None:
        return None, None
    compiled = tags = None
    if expression is not None:
        compiled = _compile(expression, phase, "bool", lists, path + ("expression",), report)
    tag_source = params.get("expression")
    if action == "set_cache_tags" and isinstance(tag_source, str) and tag_source.strip():
        tags = _compile(tag_source, phase, "Array<String>", lists,
                        path + ("action_parameters", "expression"), report)
    return compiled, tags


def _compile(source: str, phase: str, expect: str, lists, path: tuple,
             report: _Reporter):
    from rulelang.language.expression import compile_expression
    where = report.expression_location(path)
    try:
        compiled = compile_expression(source, phase=phase, expect=expect, lists=lists)
    except ExpressionError as exc:
        report.out.extend(d.at(where) for d in exc.diagnostics)
        return None
    except RuleLangError as exc:
        report("RL101", path, str(exc))
        return None
    report.out.extend(d.at(where) for d in compiled.diagnostics)
    return compiled
