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
from dataclasses import dataclass, field, replace
from os import PathLike
from typing import TYPE_CHECKING, Any

from rulelang.errors import Diagnostic, ExpressionError, Location, RuleLangError, RulesetError
from rulelang.rules.documents import (
    Document,
    LoadError,
    Template,
    Unknown,
    document_from_value,
    path_text,
)
from rulelang.rules.files import read_documents
from rulelang.rules.templates import remap, template_texts
from rulelang.rules.validate import ACTIONS, PLAN_RULE_LIMITS, PLANS, validate_action
from rulelang.schema import catalogue as schema

if TYPE_CHECKING:  # compiled on load; imported where used
    from rulelang.language.expression import CompiledExpression

__all__ = ["Rule", "Ruleset", "check_plan", "load_ruleset", "load_rulesets",
           "load_rulesets_noted", "path_text", "recheck_for_plan"]

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
    make :func:`load_ruleset` raise instead).  ``plan`` is the plan it was checked
    for (``None``: no plan checks were made).
    """

    phase: str
    name: str
    kind: str
    rules: tuple[Rule, ...]
    source: str | None = None
    diagnostics: tuple[Diagnostic, ...] = ()
    lists: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    plan: str | None = field(default=None, compare=False, repr=False)


def recheck_for_plan(ruleset: Ruleset, plan: str,
                     lists: Mapping[str, Any] | None = None) -> list[Diagnostic]:
    """The errors a rule set loaded without ``plan`` has under it (plan features,
    minimum TTLs, rule counts, plan-gated fields), placed at its rules in its file."""
    body = {"phase": ruleset.phase, "rules": [
        {"expression": r.expression, "action": r.action,
         "action_parameters": r.action_parameters, "enabled": r.enabled,
         **({"ref": r.ref} if r.ref else {})} for r in ruleset.rules]}
    try:
        load_rulesets(body, lists=lists if lists is not None else ruleset.lists, plan=plan)
    except RulesetError as exc:
        out = []
        for d in exc.diagnostics:
            where = d.location or Location()
            index = _rule_index(where.path)
            if index is not None and index < len(ruleset.rules):
                rule = ruleset.rules[index]
                anchor = rule.expression_location if where.path.startswith(
                    f"rules[{index}].expression") else rule.location
                where = Location(anchor.file, where.path, anchor.line, anchor.column)
            else:
                where = Location(ruleset.source, where.path)
            out.append(d.at(where))
        return out
    return []


def _rule_index(path: str) -> int | None:
    if not path.startswith("rules["):
        return None
    digits = path[6:path.find("]")]
    return int(digits) if digits.isdigit() else None


def check_plan(plan: Any, source: Any = None) -> Diagnostic | None:
    """A diagnostic when ``plan`` is not a known plan name (``None`` is fine)."""
    if plan is None or plan in PLANS:
        return None
    file = str(source) if isinstance(source, (str, PathLike)) else None
    return Diagnostic("RS106", f"unknown plan {plan!r}", hint="plan is one of: "
                      + ", ".join(PLANS), location=Location(file))


# --------------------------------------------------------------------------- public API

def load_ruleset(path_or_obj: Any, phase: str | None = None, *,
                 lists: Mapping[str, Any] | None = None, plan: str | None = None,
                 annotations: bool = False) -> Ruleset:
    """Load, validate and compile one rule set.

    ``path_or_obj`` is a path (``str`` or path-like) to a JSON, YAML or Terraform
    file, or an already parsed dict (a Rulesets API body, an envelope, or a list of
    rules).  ``phase`` (a phase name or ``request``/``response``) is used when the
    file does not name one, and selects among several Terraform resources.
    ``lists`` gives the items of ``$name`` lists; ``plan`` (``free``, ``pro``,
    ``business``, ``enterprise``) turns on plan gating and the plan's rule limit.
    ``annotations=True`` ignores ``$comment``-style documentation keys.

    Raises :class:`~rulelang.errors.RulesetError` with every problem found.
    """
    found = load_rulesets(path_or_obj, phase, lists=lists, plan=plan,
                          annotations=annotations)
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
                  plan: str | None = None, partial: bool = False,
                  annotations: bool = False) -> list[Ruleset]:
    """Every rule set in ``path`` (a Terraform file may hold several resources,
    a YAML file several documents).  With ``phase``, only rule sets of that phase
    are returned.  Raises :class:`~rulelang.errors.RulesetError` when any of them
    has an error, listing all of them.

    Rule sets of other Cloudflare phases beside the cache ones are skipped with a
    note (RS010).  ``partial=True`` is for checking (what :func:`~rulelang.linter.lint`
    does): a value only Terraform can decide (RS008) and a ``$list`` when no lists
    are given (RL214) are notes and everything around them is checked; the rule
    sets returned then may hold :class:`~rulelang.rules.documents.Unknown` values
    and are not for evaluating.  Without it they are errors.  ``annotations=True``
    ignores documentation keys (``$comment``, any key starting with ``$``) in
    JSON and YAML documents instead of reporting them as unknown keys.
    """
    found, notes = load_rulesets_noted(path, phase, lists=lists, plan=plan, partial=partial,
                                       annotations=annotations)
    if not found and not partial:
        file = str(path) if isinstance(path, (str, PathLike)) else None
        raise RulesetError(notes + [Diagnostic(
            "RS007", "no rule set of a cache phase here", location=Location(file),
            hint="the rule sets found are of other phases (see the notes)")])
    return found


def load_rulesets_noted(path: Any, phase: str | None = None, *,
                        lists: Mapping[str, Any] | None = None, plan: str | None = None,
                        partial: bool = False, annotations: bool = False
                        ) -> tuple[list[Ruleset], list[Diagnostic]]:
    """:func:`load_rulesets`, and the notes about the file that belong to no rule set
    (rule sets of other phases skipped, RS010).  Finding no cache rule set is not an
    error here."""
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
    options = _Options(lists, plan, partial, annotations)
    results = []
    for doc in bodies:
        if annotations:
            doc.value = _without_annotations(doc.value)
        here = options
        if lists is None and doc.lists is not None:
            here = replace(options, lists=doc.lists)  # the file's own lists (octorules)
        results.append(_build(doc, wanted, here, diagnostics))
    errors = [d for d in diagnostics if d.is_error]
    if errors or any(r is None for r in results):
        raise RulesetError(diagnostics)
    built = [r for r in results if r is not None]
    owned = {id(d) for r in built for d in r.diagnostics}
    return built, [d for d in diagnostics if id(d) not in owned]


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
    """Unwrap envelopes, bare lists, ``terraform show -json`` documents and octorules
    files: each result is a document whose value is a rule-set body (a dict) with
    positions relative to that body.  Rule sets of other phases are left out with a
    note (RS010)."""
    from rulelang.rules.foreign import (
        octorules_bodies,
        terraform_config_json_bodies,
        terraform_json_bodies,
    )

    if doc.skipped:
        diagnostics.extend(doc.diagnostics)
        return []
    value = doc.value
    where = Location(doc.file, "", *(doc.position(()) or (None, None)))
    for unwrap in (terraform_json_bodies, terraform_config_json_bodies, octorules_bodies):
        found = unwrap(doc)
        if found is not None:
            out = []
            for sub in found:
                out.extend(_bodies(sub, diagnostics))
            return out
    other = value.get("phase") if isinstance(value, dict) else None
    if isinstance(other, str) and other in schema.OTHER_PHASES:
        diagnostics.extend(doc.diagnostics)
        diagnostics.append(Diagnostic(
            "RS010", f"{doc.label + ': ' if doc.label else ''}phase {other} is not a cache "
            "phase; skipped", location=where))
        return []
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

@dataclass(frozen=True)
class _Options:
    """How rule sets are built: list items, plan, and whether for checking only."""

    lists: Mapping[str, Any] | None
    plan: str | None
    partial: bool = False
    annotations: bool = False


def _is_annotation(key: Any) -> bool:
    return isinstance(key, str) and key.startswith("$")


def _without_annotations(value: Any) -> Any:
    """A copy of ``value`` without documentation keys (``$comment``) in any object; the
    caller's value is left as it was."""
    if isinstance(value, dict):
        return {k: _without_annotations(v) for k, v in value.items()
                if not _is_annotation(k)}
    if isinstance(value, list):
        return [_without_annotations(v) for v in value]
    return value


def _under_unknown(value: Any, path: tuple) -> bool:
    """Whether the value at ``path`` is, or lies inside, a value only Terraform decides."""
    node = value
    for part in path:
        if isinstance(node, Unknown):
            return True
        node = _member(node, part)
        if node is _MISSING:
            return False
    return isinstance(node, Unknown)


_MISSING = object()


def _member(node: Any, part: Any) -> Any:
    """``node[part]`` for an object key or an array index, else ``_MISSING``."""
    if isinstance(node, dict) and part in node:
        return node[part]
    if isinstance(node, list) and isinstance(part, int) and not isinstance(part, bool) \
            and 0 <= part < len(node):
        return node[part]
    return _MISSING


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
                 key: bool = False, severity: str = "") -> None:
        """Report a problem with the value at ``path`` (with ``key``: with the member
        itself, placed at its key — an unknown key).  Nothing is said about a value
        Terraform decides, nor about anything inside one: it is reported once (RS008)."""
        if _under_unknown(self.doc.value, path):
            return
        prefix = f"{self.doc.label}: " if self.doc.label else ""
        self.out.append(Diagnostic(code, prefix + message, hint=hint, severity=severity,
                                   location=self.location(path, key)))

    def unknowns(self, partial: bool) -> None:
        """RS008 once for each value Terraform decides: a note when checking (the rest
        is checked), an error when the rule set is to be evaluated."""
        prefix = f"{self.doc.label}: " if self.doc.label else ""
        for path, text in self.doc.unknowns.items():
            where = path_text(path) or "the resource"
            value = self._value(path)
            if text.startswith(('dynamic "', "for expression ")):
                message = f"{where} comes from {text}"
            elif isinstance(value, Template) and path[-1:] == ("expression",):
                n = value.unknown
                message = (f"{where}: {n} interpolation{'s' if n > 1 else ''} decided by "
                           "Terraform; the expression is checked with a stand-in for each")
            else:
                message = f"{where} = {text} is decided by Terraform" + (
                    "; not checked" if partial else "")
            self.out.append(Diagnostic(
                "RS008", prefix + message, severity="info" if partial else "error",
                hint="the rest of the rule set is checked; to check the values Terraform "
                     "computes, lint the output of `terraform show -json`" if partial else
                     "rulelang evaluates literal values only; load the output of "
                     "`terraform show -json` (or lint the file, which checks the rest)",
                location=Location(self.doc.file, path_text(path),
                                  *(self.doc.position(path) or (None, None)))))

    def expression_location(self, path: tuple) -> Location:
        pos = self.doc.content_start(path) or (None, None)
        return Location(self.doc.file, path_text(path), *pos)


def _build(doc: Document, wanted: str | None, options: _Options,
           diagnostics: list[Diagnostic]) -> Ruleset | None:
    body: dict = doc.value
    lists, plan = options.lists, options.plan
    report = _Reporter(doc, diagnostics)
    start = len(diagnostics)
    diagnostics.extend(doc.diagnostics)
    report.unknowns(options.partial)
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
        rule = _rule(raw, i, phase, report, options)
        if rule is None:
            continue
        built.append(rule)
        _unique_ref(rule, raw, ids, refs, report)
    mine = diagnostics[start:]
    if phase is None or any(d.is_error for d in mine):
        return None
    if isinstance(name, Unknown):
        name = ""
    return Ruleset(phase=phase, name=name, kind="zone", rules=tuple(built),
                   source=doc.file, diagnostics=tuple(mine), lists=lists, plan=plan)


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
    if isinstance(declared, Unknown):
        if wanted is None:
            report.out.append(Diagnostic(
                "RS006", f"{report.doc.label + ': ' if report.doc.label else ''}the phase "
                f"({declared.text}) is decided by Terraform, so nothing can be checked",
                hint="pass phase= / --phase to check the rules for that phase",
                location=report.location(("phase",))))
        return wanted
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


def _rule(raw: Any, i: int, phase: str | None, report: _Reporter,
          options: _Options) -> Rule | None:
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
    params = _rule_parameters(raw, i, phase, action, report, options.plan)
    compiled, tags = _compile_rule(expression, action, params, path, phase, options, report)
    return Rule(index=i, id=texts["id"], ref=texts["ref"] or texts["id"],
                description=texts["description"] or "", enabled=enabled,
                expression=(expression.source if isinstance(expression, Template)
                            else expression or ""),
                action=action or "", action_parameters=params,
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


def _rule_expression(raw: dict, i: int, report: _Reporter) -> str | Template | None:
    """The filter text (a Terraform template when it has unknown interpolations), or
    ``None`` (reported) when it is missing, empty or not text."""
    path = ("rules", i)
    expression = raw.get("expression")
    if isinstance(expression, Template) or (isinstance(expression, str)
                                            and expression.strip()):
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
        return validate_action(phase, action, params, ppath, report, plan,
                               terraform=report.doc.format == "terraform")
    return params


def _compile_rule(expression: str | Template | None, action: str | None, params: dict,
                  path: tuple, phase: str | None, options: _Options,
                  report: _Reporter) -> tuple[Any, Any]:
    """The compiled filter and, for ``set_cache_tags``, the compiled value expression."""
    if phase is None:
        return None, None
    compiled = tags = None
    if isinstance(expression, Template):
        _check_template(expression, phase, "bool", path + ("expression",), options, report)
    elif expression is not None:
        compiled = _compile(expression, phase, "bool", path + ("expression",), options,
                            report)
    tag_source = params.get("expression")
    tag_path = path + ("action_parameters", "expression")
    if action == "set_cache_tags" and isinstance(tag_source, Template):
        _check_template(tag_source, phase, "Array<String>", tag_path, options, report)
    elif action == "set_cache_tags" and isinstance(tag_source, str) and tag_source.strip():
        tags = _compile(tag_source, phase, "Array<String>", tag_path, options, report)
    return compiled, tags


def _check_template(template: Template, phase: str, expect: str, path: tuple,
                    options: _Options, report: _Reporter) -> None:
    """Check an expression with unknown interpolations, each standing for a literal of
    the kind its place needs; only errors are kept (a warning about a stand-in would be
    about text nobody wrote)."""
    from rulelang.language.expression import compile_expression

    where = report.expression_location(path)
    best: list[Diagnostic] | None = None
    for text, spans in template_texts(template):
        try:
            compiled = compile_expression(text, phase=phase, expect=expect,
                                          lists=options.lists,
                                          lists_unknown=options.partial)
            found = [d for d in compiled.diagnostics if d.is_error]
        except ExpressionError as exc:
            found = [d for d in exc.diagnostics if d.is_error]
        except RuleLangError as exc:
            found = [Diagnostic("RL101", str(exc))]
        found = [remap(d, template.source, text, spans) for d in found]
        if best is None or len(found) < len(best):
            best = found
        if not found:
            break
    report.out.extend(d.at(where) for d in best or ())


def _compile(source: str, phase: str, expect: str, path: tuple, options: _Options,
             report: _Reporter):
    from rulelang.language.expression import compile_expression
    where = report.expression_location(path)
    try:
        compiled = compile_expression(source, phase=phase, expect=expect, lists=options.lists,
                                      lists_unknown=options.partial)
    except ExpressionError as exc:
        report.out.extend(_placed(d, path, report).at(where) for d in exc.diagnostics)
        return None
    except RuleLangError as exc:
        report("RL101", path, str(exc))
        return None
    report.out.extend(_placed(d, path, report).at(where) for d in compiled.diagnostics
                      if not (expect != "bool" and d.code in _NOT_IN_TAGS))
    return compiled


def _placed(d: Diagnostic, path: tuple, report: _Reporter) -> Diagnostic:
    """``d`` about the expression at ``path``, mapped back into the string as the file
    writes it when Terraform interpolations were filled in."""
    written = report.doc.rewrites.get(path)
    if written is None:
        return d
    [(text, spans)] = template_texts(written)[:1]
    return remap(d, written.source, text, spans)


#: Findings that are not true of a ``set_cache_tags`` expression: the tag normaliser
#: splits each value at commas afterwards, so ``split(…, ",", 1)`` is fine there.
_NOT_IN_TAGS = frozenset({"RL508"})
