"""Rule sets inside other tools' documents: ``terraform show -json`` and octorules.

Each function takes a document read from JSON or YAML and returns the rule-set
documents inside it (a body ``{"phase": …, "rules": [...]}`` each, with positions
re-keyed to that body, so that problems point into the original file), or ``None``
when the document is not of its kind.

- ``terraform show -json`` (state) and ``terraform show -json PLANFILE`` /
  ``terraform plan -json`` output: every managed ``cloudflare_ruleset`` resource of
  ``values`` or ``planned_values``, in the root module and in child modules.  ``null``
  attributes are left out as Terraform's provider does; directive names of
  ``set_cache_control`` are spelled with hyphens (PD-33).  Resources of other phases
  become skipped documents with a note (RS010).
- octorules zone files: phase keys at the top (``cache_rules`` is
  ``http_request_cache_settings``; octorules has no key for the response phase), the
  action implied (``set_cache_settings``), the per-rule ``octorules:`` metadata
  removed and rules marked ``octorules: {ignored: true}`` left out as octorules
  leaves them out.  The other phase keys are skipped with a note (RS010).
"""

from __future__ import annotations

import json
import re
from typing import Any

from rulelang.errors import Diagnostic, Location
from rulelang.rules.documents import Document, PathKey, Template, Unknown, path_text
from rulelang.schema.catalogue import REQUEST_PHASE

__all__ = ["OCTORULES_CACHE_KEYS", "OCTORULES_PHASES", "is_octorules", "is_rules_document",
           "octorules_bodies", "octorules_root", "terraform_config_json_bodies",
           "terraform_json_bodies"]

#: octorules' phase keys (octorules-cloudflare's phase table) → Cloudflare phase.
OCTORULES_PHASES = {
    "redirect_rules": "http_request_dynamic_redirect",
    "url_rewrite_rules": "http_request_transform",
    "request_header_rules": "http_request_late_transform",
    "response_header_rules": "http_response_headers_transform",
    "config_rules": "http_config_settings",
    "origin_rules": "http_request_origin",
    "cache_rules": REQUEST_PHASE,
    "compression_rules": "http_response_compression",
    "custom_error_rules": "http_custom_errors",
    "waf_custom_rules": "http_request_firewall_custom",
    "waf_managed_rules": "http_request_firewall_managed",
    "rate_limiting_rules": "http_ratelimit",
    "bot_fight_rules": "http_request_sbfm",
    "sensitive_data_detection": "http_response_firewall_managed",
    "http_ddos_rules": "ddos_l7",
    "bulk_redirect_rules": "http_request_redirect",
    "log_custom_fields": "http_log_custom_fields",
    "network_ddos_rules": "ddos_l4",
    "network_firewall_rules": "magic_transit",
    "network_firewall_managed": "magic_transit_managed",
    "network_firewall_ratelimit": "magic_transit_ratelimit",
    "network_firewall_ids": "magic_transit_ids_managed",
    "url_normalization": "http_request_sanitize",
}
#: octorules' keys that are not phases (settings, lists, account rulesets).
_OCTORULES_OTHER = frozenset({"custom_rulesets", "lists", "page_shield_policies"})
#: The cache phases under an octorules key, with the action a rule gets when it names none.
_OCTORULES_CACHE = {"cache_rules": (REQUEST_PHASE, "set_cache_settings")}
#: The octorules keys whose rules rulelang checks (and ``fmt`` formats).
OCTORULES_CACHE_KEYS = tuple(_OCTORULES_CACHE)
#: Attributes of the resource that are not part of the Rulesets API body.
_RESOURCE_ONLY = ("zone_id", "account_id", "id")


def _sub(doc: Document, value: Any, moves: list[tuple[PathKey, PathKey]],
         label: str) -> Document:
    """A document for ``value`` whose positions are ``doc``'s, re-keyed by ``moves``
    (old prefix → new prefix, the first that matches wins)."""
    out = Document(value=value, file=doc.file, format=doc.format, label=label)
    for name in ("positions", "content_starts", "key_positions"):
        old = getattr(doc, name)
        new = getattr(out, name)
        for key, pos in old.items():
            for prefix, to in moves:
                if key[:len(prefix)] == prefix:
                    new[to + key[len(prefix):]] = pos
                    break
    return out


def _note(doc: Document, path: PathKey, message: str, code: str = "RS010") -> Document:
    """A skipped document carrying one diagnostic (a note that a rule set of another phase
    was skipped, or ``code``)."""
    skipped = Document(value=None, file=doc.file, format=doc.format, skipped=True)
    skipped.diagnostics.append(Diagnostic(
        code, message, location=Location(doc.file, path_text(path),
                                         *(doc.position(path) or (None, None)))))
    return skipped


def is_rules_document(value: Any) -> bool:
    """Whether a parsed JSON/YAML document holds rule sets in a shape rulelang reads (a
    rule set, an API envelope, ``terraform show -json`` output, an octorules file), as
    opposed to a samples file or a case file."""
    if not isinstance(value, dict) or "cases" in value:
        return False
    return "rules" in value or "result" in value or is_octorules(value) or (
        _is_terraform_json(value) and "cloudflare_ruleset" in json.dumps(value)) or \
        bool(_config_resources(value))


# --------------------------------------------------------------------------- Terraform

def _is_terraform_json(value: Any) -> bool:
    return (isinstance(value, dict) and "format_version" in value
            and any(isinstance(value.get(k), dict) for k in ("values", "planned_values")))


def _modules(module: Any, path: PathKey):
    """(resource, path) of every resource of ``module`` and its child modules."""
    if not isinstance(module, dict):
        return
    for i, res in enumerate(module.get("resources") or ()):
        yield res, path + ("resources", i)
    for i, child in enumerate(module.get("child_modules") or ()):
        yield from _modules(child, path + ("child_modules", i))


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


#: Attributes the API computes (never written by the user): left out when unknown in a plan.
_COMPUTED = frozenset({"id", "version", "last_updated", "ref"})
_AFTER_APPLY = "(known after apply)"


def _after_unknown(value: dict) -> dict[str, Any]:
    """address → ``change.after_unknown`` of each resource of a plan document."""
    out = {}
    for change in value.get("resource_changes") or ():
        if isinstance(change, dict) and isinstance(change.get("change"), dict):
            out[str(change.get("address"))] = change["change"].get("after_unknown")
    return out


def _mark_unknown(body: Any, marks: Any, at: PathKey, sub: Document) -> None:
    """Put an :class:`Unknown` wherever a plan's ``after_unknown`` says the value is
    known only after apply (``planned_values`` leaves such a value out, which would
    otherwise read as a missing expression or TTL)."""
    if isinstance(marks, dict) and isinstance(body, dict):
        items = [(k, m) for k, m in marks.items() if k not in _COMPUTED]
    elif isinstance(marks, list) and isinstance(body, list):
        items = [(i, m) for i, m in enumerate(marks) if i < len(body)]
    else:
        return
    for key, mark in items:
        if mark is True:
            body[key] = Unknown(_AFTER_APPLY)
            sub.unknowns[at + (key,)] = _AFTER_APPLY
        elif (isinstance(body, dict) and key in body) or isinstance(body, list):
            _mark_unknown(body[key], mark, at + (key,), sub)


# ------------------------------------------------- Terraform's JSON syntax (*.tf.json)

#: Meta-arguments and attributes of the resource that are not part of the API body.
_CONFIG_ONLY = frozenset({"zone_id", "account_id", "provider", "lifecycle", "depends_on",
                          "count", "for_each", "//"})
_LABELS = frozenset({"name", "description"})
_INTERPOLATION = re.compile(r"(?<!\$)\$\{[^{}]*\}")


def _config_resources(value: Any) -> list[tuple[str, Any, PathKey]]:
    """(name, body, path) of every ``cloudflare_ruleset`` of a Terraform JSON-syntax
    configuration (``{"resource": {"cloudflare_ruleset": {"name": {…}}}}``, the
    ``resource`` value and each resource possibly written as an array)."""
    if not isinstance(value, dict):
        return []
    found = []
    blocks = value.get("resource")
    groups = list(enumerate(blocks)) if isinstance(blocks, list) else [(None, blocks)]
    for i, group in groups:
        base: PathKey = ("resource",) if i is None else ("resource", i)
        if not isinstance(group, dict) or not isinstance(group.get("cloudflare_ruleset"), dict):
            continue
        for name, body in group["cloudflare_ruleset"].items():
            at = base + ("cloudflare_ruleset", name)
            bodies = list(enumerate(body)) if isinstance(body, list) else [(None, body)]
            found += [(str(name), b, at if j is None else at + (j,)) for j, b in bodies]
    return found


def _config_value(value: Any, at: PathKey, sub: Document) -> Any:
    """A JSON-syntax value as the API reads it: a string with ``${…}`` is decided by
    Terraform (an expression becomes a :class:`Template`, checked with stand-ins);
    ``$${`` is a literal ``${``."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "//":
                continue  # a comment property
            item = _config_value(item, at + (key,), sub)
            if isinstance(item, Unknown) and key in _LABELS and not at:
                sub.unknowns.pop((key,), None)  # a label only: left out, not reported
                continue
            out[key] = item
        return out
    if isinstance(value, list):
        return [_config_value(item, at + (i,), sub) for i, item in enumerate(value)]
    if not isinstance(value, str) or ("${" not in value and "%{" not in value):
        return value
    found = list(_INTERPOLATION.finditer(value))
    if "%{" in value.replace("%%{", "") or not found:
        if not found and "%{" not in value.replace("%%{", ""):
            return value.replace("$${", "${")
        sub.unknowns[at] = value
        return Unknown(value)
    if at[-1:] != ("expression",):
        sub.unknowns[at] = value
        return Unknown(value)
    parts: list[str | tuple[int, int, str | None]] = []
    pos = 0
    for m in found:
        if m.start() > pos:
            parts.append(value[pos:m.start()].replace("$${", "${"))
        parts.append((m.start(), m.end(), None))
        pos = m.end()
    if pos < len(value):
        parts.append(value[pos:].replace("$${", "${"))
    sub.unknowns[at] = value
    return Template(value, parts)


def terraform_config_json_bodies(doc: Document) -> list[Document] | None:
    """The cache rule sets of a Terraform configuration in JSON syntax (``main.tf.json``,
    what CDK for Terraform writes): each ``cloudflare_ruleset`` resource, its values
    converted the way Terraform converts them, ``${…}`` decided by Terraform."""
    from rulelang.rules.terraform import hyphenate_directives

    resources = _config_resources(doc.value)
    if not resources:
        return None
    out = []
    for name, body, path in resources:
        label = f"cloudflare_ruleset.{name}"
        if not isinstance(body, dict):
            out.append(_note(doc, path, f"{label}: a resource is an object of its "
                                        "attributes", code="RS005"))
            continue
        phase = body.get("phase")
        if isinstance(phase, str) and "${" not in phase and phase not in (
                REQUEST_PHASE, "http_response_cache_settings"):
            out.append(_note(doc, path, f"{label}: phase {phase} is not a cache phase; "
                                        "skipped"))
            continue
        kept = {k: v for k, v in body.items() if k not in _CONFIG_ONLY}
        sub = _sub(doc, kept, [(path, ())], label)
        sub.format = "terraform"
        sub.value = _config_value(kept, (), sub)
        hyphenate_directives(sub.value, sub)
        out.append(sub)
    return out


def terraform_json_bodies(doc: Document) -> list[Document] | None:
    """The cache rule sets of a ``terraform show -json`` state or plan document."""
    from rulelang.rules.terraform import hyphenate_directives

    value = doc.value
    if not _is_terraform_json(value):
        return None
    top = "planned_values" if isinstance(value.get("planned_values"), dict) else "values"
    root = value[top].get("root_module")
    unknown = _after_unknown(value) if top == "planned_values" else {}
    out = []
    for res, path in _modules(root, (top, "root_module")):
        if not isinstance(res, dict) or res.get("type") != "cloudflare_ruleset" \
                or res.get("mode", "managed") != "managed":
            continue
        address = str(res.get("address") or f"cloudflare_ruleset.{res.get('name')}")
        body = res.get("values")
        if not isinstance(body, dict):
            continue
        phase = body.get("phase")
        if isinstance(phase, str) and phase not in (REQUEST_PHASE, "http_response_cache_settings"):
            out.append(_note(doc, path, f"{address}: phase {phase} is not a cache phase; "
                                        "skipped"))
            continue
        body = _without_nulls({k: v for k, v in body.items() if k not in _RESOURCE_ONLY})
        sub = _sub(doc, body, [(path + ("values",), ())], address)
        _mark_unknown(body, unknown.get(address), (), sub)
        hyphenate_directives(body, sub)
        out.append(sub)
    if not out:
        out.append(_note(doc, (), "no cloudflare_ruleset resource in this Terraform JSON "
                                  "document", code="RS007"))
    return out


# --------------------------------------------------------------------------- octorules

def _is_octorules_zone(value: Any) -> bool:
    if not isinstance(value, dict) or not value or "rules" in value or "phase" in value:
        return False
    keys = [k for k in value if isinstance(k, str)]
    return any(k in OCTORULES_PHASES for k in keys) and all(
        k in OCTORULES_PHASES or k in _OCTORULES_OTHER or k.startswith("cloudflare_")
        for k in keys)


def octorules_root(value: Any) -> tuple[dict, PathKey] | None:
    """The Cloudflare part of an octorules zone file and its path: the file itself when
    its phase keys are at the top, or its ``cloudflare:`` block in a multi-provider file
    (one block a provider: ``cloudflare:``, ``bunny:``, ``aws:`` …); ``None`` when
    ``value`` is not an octorules file."""
    if _is_octorules_zone(value):
        return value, ()
    if isinstance(value, dict) and _is_octorules_zone(value.get("cloudflare")) and all(
            isinstance(k, str) and isinstance(v, dict) for k, v in value.items()):
        return value["cloudflare"], ("cloudflare",)
    return None


def is_octorules(value: Any) -> bool:
    """Whether ``value`` is an octorules zone file (phase keys at the top, or under
    ``cloudflare:`` in a multi-provider file)."""
    return octorules_root(value) is not None


def _octorules_lists(value: dict) -> dict[str, list] | None:
    """The items of the lists an octorules file defines (``lists: [{name, items}]``);
    ``None`` when it defines none.  An item may be written ``{ip: …}``/``{value: …}``."""
    found: dict[str, list] = {}
    for entry in value.get("lists") or ():
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) \
                or not isinstance(entry.get("items"), list):
            continue
        items = []
        for item in entry["items"]:
            if isinstance(item, dict):
                item = next((item[k] for k in ("ip", "value", "asn", "hostname")
                             if k in item), None)
            if isinstance(item, (str, int)) and not isinstance(item, bool):
                items.append(item)
        found[entry["name"]] = items
    return found or None


def octorules_bodies(doc: Document) -> list[Document] | None:
    """The cache rule sets of an octorules zone file (with the lists it defines)."""
    found = octorules_root(doc.value)
    if found is None:
        return None
    value, at = found
    lists = _octorules_lists(value)
    out = []
    for key, rules in value.items():
        if key not in _OCTORULES_CACHE:
            if key in OCTORULES_PHASES:
                out.append(_note(doc, at + (key,), f"octorules {key} "
                                 f"({OCTORULES_PHASES[key]}) is not a cache phase; skipped"))
            continue
        phase, action = _OCTORULES_CACHE[key]
        if not isinstance(rules, list):
            body = {"phase": phase, "rules": rules}
            out.append(_sub(doc, body, [(at + (key,), ("rules",))], key))
            continue
        kept: list[Any] = []
        moves: list[tuple[PathKey, PathKey]] = [(at + (key,), ("rules",))]
        for j, rule in enumerate(rules):
            if isinstance(rule, dict):
                meta = rule.get("octorules")
                if isinstance(meta, dict) and meta.get("ignored") is True:
                    moves.insert(0, (at + (key, j), ("(ignored)", j)))
                    continue
                rule = {k: v for k, v in rule.items() if k != "octorules"}
                rule.setdefault("action", action)
            moves.insert(0, (at + (key, j), ("rules", len(kept))))
            kept.append(rule)
        sub = _sub(doc, {"phase": phase, "rules": kept}, moves, key)
        sub.lists = lists
        out.append(sub)
    return out
