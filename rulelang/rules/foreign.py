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
from typing import Any

from rulelang.errors import Diagnostic, Location
from rulelang.rules.documents import Document, PathKey, path_text
from rulelang.schema.catalogue import REQUEST_PHASE

__all__ = ["OCTORULES_CACHE_KEYS", "OCTORULES_PHASES", "is_octorules", "is_rules_document",
           "octorules_bodies", "terraform_json_bodies"]

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
        _is_terraform_json(value) and "cloudflare_ruleset" in json.dumps(value))


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


def terraform_json_bodies(doc: Document) -> list[Document] | None:
    """The cache rule sets of a ``terraform show -json`` state or plan document."""
    from rulelang.rules.terraform import hyphenate_directives

    value = doc.value
    if not _is_terraform_json(value):
        return None
    top = "planned_values" if isinstance(value.get("planned_values"), dict) else "values"
    root = value[top].get("root_module")
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
        hyphenate_directives(body, sub)
        out.append(sub)
    if not out:
        out.append(_note(doc, (), "no cloudflare_ruleset resource in this Terraform JSON "
                                  "document", code="RS007"))
    return out


# --------------------------------------------------------------------------- octorules

def is_octorules(value: Any) -> bool:
    """Whether ``value`` is an octorules zone file (phase keys at the top)."""
    if not isinstance(value, dict) or not value or "rules" in value or "phase" in value:
        return False
    keys = [k for k in value if isinstance(k, str)]
    return any(k in OCTORULES_PHASES for k in keys) and all(
        k in OCTORULES_PHASES or k in _OCTORULES_OTHER or k.startswith("cloudflare_")
        for k in keys)


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
    value = doc.value
    if not is_octorules(value):
        return None
    lists = _octorules_lists(value)
    out = []
    for key, rules in value.items():
        if key not in _OCTORULES_CACHE:
            if key in OCTORULES_PHASES:
                out.append(_note(doc, (key,), f"octorules {key} ({OCTORULES_PHASES[key]}) "
                                              "is not a cache phase; skipped"))
            continue
        phase, action = _OCTORULES_CACHE[key]
        if not isinstance(rules, list):
            body = {"phase": phase, "rules": rules}
            out.append(_sub(doc, body, [((key,), ("rules",))], key))
            continue
        kept: list[Any] = []
        moves: list[tuple[PathKey, PathKey]] = [((key,), ("rules",))]
        for j, rule in enumerate(rules):
            if isinstance(rule, dict):
                meta = rule.get("octorules")
                if isinstance(meta, dict) and meta.get("ignored") is True:
                    moves.insert(0, ((key, j), ("(ignored)", j)))
                    continue
                rule = {k: v for k, v in rule.items() if k != "octorules"}
                rule.setdefault("action", action)
            moves.insert(0, ((key, j), ("rules", len(kept))))
            kept.append(rule)
        sub = _sub(doc, {"phase": phase, "rules": kept}, moves, key)
        sub.lists = lists
        out.append(sub)
    return out
