"""The catalogue of diagnostic codes: the one list, read by the checker, the
validator, the CLI (``--select``/``--ignore``), the docs and the tests.

Each entry has a severity and a one-line title.  ``docs/diagnostics.md``
documents every code with an example; a test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CODES", "Code"]


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    severity: str  # "error" | "warning" | "info"
    title: str


def _table(rows: list[tuple[str, str, str]]) -> dict[str, Code]:
    return {c: Code(c, s, t) for c, s, t in rows}


#: Expression diagnostics (parser, type checker, compiler).
EXPRESSION_CODES = _table([
    ("RL100", "error", "empty expression"),
    ("RL101", "error", "unexpected character or token"),
    ("RL102", "error", "unterminated string"),
    ("RL103", "error", "invalid escape in a quoted string"),
    ("RL104", "error", "invalid raw string delimiter"),
    ("RL105", "error", "invalid integer literal"),
    ("RL106", "error", "invalid IP address, CIDR or range"),
    ("RL107", "error", "invalid byte-string literal"),
    ("RL108", "error", "invalid set"),
    ("RL109", "error", "invalid list name"),
    ("RL110", "error", "misplaced value, parenthesis or literal"),
    ("RL201", "error", "unknown field"),
    ("RL202", "error", "unknown function"),
    ("RL203", "error", "field not available in this phase"),
    ("RL204", "error", "function not available in this phase"),
    ("RL205", "error", "operator not supported for this type"),
    ("RL206", "error", "operand of the wrong type"),
    ("RL207", "error", "expression is not a Boolean filter"),
    ("RL208", "error", "logical operator mixes Bool and Array<Bool>"),
    ("RL209", "error", "invalid index"),
    ("RL210", "error", "misuse of [*]"),
    ("RL211", "error", "invalid any()/all() argument"),
    ("RL212", "error", "invalid list reference"),
    ("RL213", "error", "value expression of the wrong type"),
    ("RL214", "info", "list not supplied: its items are not checked"),
    ("RL301", "error", "wrong number of arguments"),
    ("RL302", "error", "argument of the wrong type"),
    ("RL303", "error", "literal where a value is required, or the reverse"),
    ("RL304", "error", "invalid constant argument"),
    ("RL305", "error", "invalid regular expression"),
    ("RL306", "error", "invalid wildcard pattern"),
    ("RL307", "error", "invalid replacement string"),
    ("RL308", "error", "more than one regex_replace/wildcard_replace"),
    ("RL401", "error", "expression too long"),
    ("RL402", "error", "expression nested too deeply"),
    ("RL501", "warning", "infix starts_with/ends_with is a rulelang extension"),
    ("RL502", "warning", "case-converted value compared with a literal of the other case"),
    ("RL503", "warning", "header map key with upper-case letters never matches"),
    ("RL504", "warning", "path extension compared with upper-case or dotted literal"),
    ("RL505", "warning", "request method compared with a lower-case literal"),
    ("RL506", "warning", "ordering operator on IP addresses"),
    ("RL507", "warning", "mapped comparisons over different arrays are zipped"),
    ("RL508", "warning", "split() with limit 1 never splits"),
    ("RL509", "warning", "$N without braces in a replacement"),
    ("RL510", "warning", "comparison is constant for every present value"),
    ("RL511", "info", "matches needs a Business or Enterprise plan"),
    ("RL512", "info", "field availability in the cache phases is not documented"),
    ("RL513", "info", "all() is true when its array is missing"),
    # RL52x: never or always true given what a field can hold
    ("RL520", "warning", "path literal without a leading slash"),
    ("RL521", "warning", "host literal with a scheme, path or port"),
    ("RL522", "warning", "full URI compared with a value that is not an absolute URL"),
    ("RL523", "warning", "query string literal with a leading question mark"),
    ("RL524", "warning", "wildcard character taken literally"),
    ("RL525", "warning", "regular expression syntax in an eq literal"),
    ("RL526", "warning", "wildcard pattern written as a regular expression"),
    ("RL527", "warning", "media type compared with upper-case letters"),
    # RL54x: logic
    ("RL540", "warning", "duplicate set member"),
    ("RL541", "warning", "condition that is never true"),
    ("RL542", "warning", "condition that is always true"),
    ("RL543", "warning", "filter that is the constant false"),
    ("RL544", "warning", "unescaped dot in a host regular expression"),
])

#: Ruleset diagnostics (loading and validating rules files).  Owned by rulelang.ruleset.
RULESET_CODES: dict[str, Code] = _table([
    # reading the file
    ("RS001", "error", "rules file cannot be read"),
    ("RS002", "error", "invalid JSON"),
    ("RS003", "error", "invalid YAML"),
    ("RS004", "error", "invalid HCL (Terraform)"),
    ("RS005", "error", "not a rule set document"),
    ("RS006", "error", "phase missing, unknown or contradictory"),
    ("RS007", "error", "no single cloudflare_ruleset resource to load"),
    ("RS008", "error", "Terraform value that cannot be evaluated offline"),
    ("RS009", "warning", "duplicate key in an object (the last one is used)"),
    ("RS010", "info", "rule set of another phase skipped"),
    ("RS011", "error", "document nested too deeply"),
    # the rule set
    ("RS101", "error", "cache phases only have zone entry points"),
    ("RS102", "error", "more rules than the plan allows"),
    ("RS103", "error", "duplicate rule reference"),
    ("RS104", "error", "rule set field of the wrong type"),
    ("RS105", "error", "unknown rule set field"),
    ("RS106", "error", "unknown plan"),
    # one rule
    ("RS201", "error", "rule is not an object"),
    ("RS202", "error", "expression missing or empty"),
    ("RS203", "error", "action missing or not allowed in this phase"),
    ("RS204", "error", "action_parameters missing or empty"),
    ("RS205", "error", "rule field of the wrong type"),
    ("RS206", "error", "unknown rule field"),
    ("RS207", "warning", "rule never takes effect"),
    # action parameters: general
    ("RS301", "error", "unknown parameter"),
    ("RS302", "error", "parameter of the wrong type"),
    # set_cache_settings (request phase)
    ("RS310", "error", "invalid edge TTL mode"),
    ("RS311", "error", "override_origin needs a default TTL"),
    ("RS312", "error", "default only applies to override_origin"),
    ("RS313", "error", "edge TTL below the plan minimum"),
    ("RS314", "error", "malformed status code TTL"),
    ("RS315", "error", "status code out of range"),
    ("RS316", "error", "invalid status code TTL value"),
    ("RS317", "warning", "overlapping status code TTLs"),
    ("RS318", "error", "invalid browser TTL"),
    ("RS320", "error", "query_string needs exactly one of include/exclude"),
    ("RS321", "error", "header cannot be part of the cache key"),
    ("RS322", "error", "restricted headers need 1-10 values"),
    ("RS323", "error", "Cloudflare cookies cannot be part of the cache key"),
    ("RS324", "error", "invalid Cache Reserve setting"),
    ("RS325", "error", "invalid read timeout"),
    ("RS326", "error", "invalid port list"),
    ("RS327", "error", "feature requires the Enterprise plan"),
    ("RS328", "error", "cache key settings that cannot be combined"),
    # set_cache_tags
    ("RS330", "error", "invalid tag operation"),
    ("RS331", "error", "invalid cache tag"),
    ("RS332", "error", "invalid tag expression"),
    # set_cache_control
    ("RS340", "error", "unknown Cache-Control directive"),
    ("RS341", "error", "malformed directive"),
    ("RS342", "error", "invalid duration"),
    ("RS343", "error", "invalid qualifiers"),
    ("RS344", "error", "directive takes no value"),
    # RS4xx (lint): settings that do not do what they say
    ("RS401", "info", "settings that do nothing with cache: false"),
    ("RS402", "warning", "caching only methods Cloudflare never caches"),
    ("RS403", "warning", "contradictory Cache-Control edits"),
    ("RS404", "warning", "TTL beyond one year"),
    ("RS405", "warning", "cache key header that Cloudflare rewrites or removes"),
    # RS5xx (lint): the rule set as a whole, proven with a solver
    ("RS501", "warning", "setting never takes effect"),
    ("RS502", "warning", "rule never matches"),
    ("RS503", "warning", "catch-all rule placed after the rules it overrides"),
    ("RS504", "warning", "duplicate rule"),
    ("RS505", "info", "overriding could not be decided"),
    ("RS506", "info", "setting overridden for nearly every request"),
])

#: Every code, expression and ruleset.
CODES: dict[str, Code] = {**EXPRESSION_CODES, **RULESET_CODES}
