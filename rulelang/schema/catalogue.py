"""The one registry of phases, fields and functions.

Fields come from ``schema/fields.json`` (a copy of the project's field schema);
functions are the table :data:`FUNCTIONS` below.  The checker, the compiler,
the CLI (``rulelang fields`` / ``rulelang functions``), the docs and the tests
all read this module; there is no second list.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from rulelang.schema.types import Type, parse_type

__all__ = [
    "CACHE_PHASE_FUNCTIONS",
    "FUNCTIONS",
    "OTHER_PHASES",
    "PHASES",
    "PHASE_LABELS",
    "REQUEST_PHASE",
    "RESPONSE_PHASE",
    "FieldInfo",
    "Function",
    "Param",
    "excluded_fields",
    "field",
    "fields",
    "function",
    "normalize_phase",
]

REQUEST_PHASE = "http_request_cache_settings"
RESPONSE_PHASE = "http_response_cache_settings"
PHASES = (REQUEST_PHASE, RESPONSE_PHASE)
#: What Cloudflare's dashboard calls the rules of each phase.
PHASE_LABELS = {REQUEST_PHASE: "Cache Rules", RESPONSE_PHASE: "Cache Response Rules"}
_ALIASES = {"request": REQUEST_PHASE, "response": RESPONSE_PHASE}
#: Cloudflare's other ruleset phases (its API's phase list): rule sets of these phases sit
#: beside the cache ones in real files and are skipped, not refused.
OTHER_PHASES = frozenset({
    "ddos_l4", "ddos_l7", "http_config_settings", "http_custom_errors",
    "http_log_custom_fields", "http_ratelimit", "http_request_dynamic_redirect",
    "http_request_firewall_custom", "http_request_firewall_managed",
    "http_request_late_transform", "http_request_origin", "http_request_redirect",
    "http_request_sanitize", "http_request_sbfm", "http_request_transform",
    "http_response_compression", "http_response_firewall_managed",
    "http_response_headers_transform", "magic_transit", "magic_transit_ids_managed",
    "magic_transit_managed", "magic_transit_ratelimit"})


def normalize_phase(name: str) -> str:
    """Return the full phase name for ``name`` (a phase name or the alias
    ``request``/``response``); raise ``ValueError`` for anything else."""
    if name in PHASES:
        return name
    if name in _ALIASES:
        return _ALIASES[name]
    raise ValueError(
        f"unknown phase {name!r}: expected one of {', '.join(PHASES)} (or request/response)")


@cache
def _schema() -> dict[str, Any]:
    text = resources.files("rulelang.schema").joinpath("fields.json").read_text("utf-8")
    return json.loads(text)


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """One field of the schema (see ``fields.json`` → ``keys`` for the meaning)."""

    name: str
    type: Type
    group: str
    phases: frozenset[str]
    availability: str
    origin: str
    default: Any
    description: str
    derivation: str
    deprecated_alias_of: str | None
    raw: dict


@cache
def fields() -> dict[str, FieldInfo]:
    """Every field of both cache phases, by name, in schema order."""
    out = {}
    for f in _schema()["fields"]:
        out[f["name"]] = FieldInfo(
            name=f["name"], type=parse_type(f["type"]), group=f["group"],
            phases=frozenset(f["phases"]), availability=f.get("availability", "general"),
            origin=f.get("origin", "supplied"), default=f.get("default"),
            description=f.get("description", ""), derivation=f.get("derivation", ""),
            deprecated_alias_of=f.get("deprecated_alias_of"), raw=f)
    return out


def field(name: str) -> FieldInfo | None:
    """The field called ``name``, or ``None``."""
    return fields().get(name)


@cache
def excluded_fields() -> dict[str, dict]:
    """Fields of the language that the cache phases do not offer, with the reason."""
    return {f["name"]: f for f in _schema().get("excluded_fields", [])}


def url_normalization() -> dict:
    return _schema()["url_normalization"]


# --------------------------------------------------------------------------- functions

@dataclass(frozen=True, slots=True)
class Param:
    """A function parameter.

    ``types`` are printed types, possibly generic (``Array<T>``, ``T``).
    ``kind``: ``any`` (literal or value), ``literal`` (must be written as a
    literal) or ``value`` (must not be a literal: a field, index or call).
    """

    name: str
    types: tuple[str, ...]
    kind: str = "any"
    optional: bool = False
    variadic: bool = False


@dataclass(frozen=True, slots=True)
class Function:
    """A function of the language: signature, result, availability and a summary."""

    name: str
    params: tuple[Param, ...]
    returns: str
    summary: str
    cache_phases: bool = True
    min_args: int = 0

    @property
    def max_args(self) -> int | None:
        if any(p.variadic for p in self.params):
            return None
        return len(self.params)

    def signature(self) -> str:
        parts = []
        for p in self.params:
            s = f"{p.name}: {'|'.join(p.types)}"
            if p.kind != "any":
                s += f" {p.kind}"
            if p.optional:
                s = f"[{s}]"
            if p.variadic:
                s += ", …"
            parts.append(s)
        returns = "|".join(self.params[0].types) if self.returns == "$1" else self.returns
        return f"{self.name}({', '.join(parts)}) -> {returns}"


def _fn(name, params, returns, summary, cache_phases=True, min_args=None):
    if min_args is None:
        min_args = sum(1 for p in params if not p.optional)
    return Function(name, tuple(params), returns, summary, cache_phases, min_args)


P = Param
_S = ("String",)
_I = ("Int",)

#: Every documented function (language reference §8), in catalogue order.
FUNCTIONS: dict[str, Function] = {f.name: f for f in [
    _fn("any", [P("values", ("Array<Bool>",), "value")], "Bool",
        "true when at least one element is true"),
    _fn("all", [P("values", ("Array<Bool>",), "value")], "Bool",
        "true when every element is true (true for an empty array)"),
    _fn("concat", [P("a", ("String", "Array<T>")), P("b", ("String", "Array<T>"), variadic=True)],
        "$1", "joins strings or appends arrays; missing arguments are skipped", min_args=2),
    _fn("decode_base64", [P("source", _S, "value")], "String",
        "decodes standard Base64; invalid input is missing"),
    _fn("ends_with", [P("source", _S, "value"), P("suffix", _S)], "Bool",
        "true when source ends with suffix"),
    _fn("len", [P("value", ("String", "Array<T>"))], "Int",
        "byte length of a string or number of elements of an array"),
    _fn("lookup_json_integer", [P("json", _S), P("key", ("String", "Int"), "literal",
                                                   variadic=True)], "Int",
        "the integer at a key path in a JSON document", min_args=2),
    _fn("lookup_json_string", [P("json", _S), P("key", ("String", "Int"), "literal",
                                                  variadic=True)], "String",
        "the string at a key path in a JSON document", min_args=2),
    _fn("lower", [P("value", _S)], "String", "ASCII lower-case"),
    _fn("regex_replace", [P("source", _S), P("regex", _S, "literal"),
                          P("replacement", _S, "literal")], "String",
        "replaces the first regex match; ${N} inserts a capture group"),
    _fn("remove_bytes", [P("source", _S), P("bytes", _S)], "String",
        "removes every byte that occurs in bytes"),
    _fn("remove_query_args", [P("query", _S, "value"), P("name", _S, "literal", variadic=True)],
        "String", "removes the named parameters from http.request.uri.query", min_args=2),
    _fn("split", [P("input", _S), P("separator", _S, "literal"), P("limit", _I, "literal")],
        "Array<String>", "splits at every separator into at most limit parts"),
    _fn("starts_with", [P("source", _S, "value"), P("prefix", _S)], "Bool",
        "true when source starts with prefix"),
    _fn("substring", [P("value", _S, "value"), P("start", _I, "literal"),
                      P("end", _I, "literal", optional=True)], "String",
        "bytes from start up to end (negative offsets count from the end)"),
    _fn("to_string", [P("value", ("Int", "Bool", "IP"))], "String",
        "decimal integer, true/false, or IP address text"),
    _fn("upper", [P("value", _S)], "String", "ASCII upper-case"),
    _fn("url_decode", [P("source", _S, "value"), P("options", _S, "literal", optional=True)],
        "String", "decodes %HH and +; options r (recursive), u (%uHHHH)"),
    _fn("wildcard_replace", [P("source", _S, "value"), P("pattern", _S, "literal"),
                             P("replacement", _S, "literal"),
                             P("flags", _S, "literal", optional=True)], "String",
        "replaces a whole-value wildcard match; ${N} inserts the N-th * capture"),
    # Documented, but not available in the cache phases (reference §8.4, §8.5).
    _fn("cidr", [P("address", ("IP",), "value"), P("v4_bits", _I, "literal"),
                 P("v6_bits", _I, "literal")], "IP", "network address of an IP", False),
    _fn("cidr6", [P("address", ("IP",), "value"), P("v6_bits", _I, "literal")], "IP",
        "network address of an IPv6 address", False),
    _fn("coalesce", [P("a", ("T",)), P("b", ("T",), variadic=True)], "$1",
        "the first argument that is not missing", False, min_args=2),
    _fn("encode_base64", [P("input", _S), P("flags", _S, "literal", optional=True)], "String",
        "Base64 encoding", False),
    _fn("has_key", [P("map", ("Map<T>",)), P("key", _S)], "Bool",
        "true when the key is in the map", False),
    _fn("has_value", [P("collection", ("Map<T>", "Array<T>")), P("value", ("T",))], "Bool",
        "true when some element equals value", False),
    _fn("join", [P("items", ("Array<String>",)), P("separator", _S)], "String",
        "joins strings with a separator", False),
    _fn("sha256", [P("input", _S)], "String", "SHA-256 digest", False),
    _fn("uuidv4", [P("source", _S)], "String", "random UUIDv4 from the given bytes", False),
    _fn("is_timed_hmac_valid_v0", [P("key", _S, "literal"), P("message_mac", _S),
                                   P("ttl", _I, "literal"), P("now", _I),
                                   P("separator_len", _I, "literal", optional=True),
                                   P("flags", _S, "literal", optional=True)], "Bool",
        "validates a timed HMAC token", False),
    _fn("is_jwt_present", [P("token_configuration_id", _S, "literal")], "Bool",
        "API Shield JWT presence", False),
    _fn("is_jwt_valid", [P("token_configuration_id", _S, "literal")], "Bool",
        "API Shield JWT validation", False),
    _fn("bit_slice", [P("protocol", _S), P("offset_start", _I), P("offset_end", _I)], "Int",
        "Magic Firewall packet bits", False),
    # Known only from a third-party scheme (reference §8.5): never available here.
    _fn("sha512", [P("input", _S)], "String", "third-party scheme only", False),
    _fn("hmac", [P("input", _S), P("algorithm", _S, "literal"), P("key", _S, "literal")],
        "String", "third-party scheme only", False),
    _fn("ip_in_range", [P("ip", ("IP",)), P("range", _S, "literal")], "Bool",
        "third-party scheme only", False),
    _fn("hash_in_range", [P("input", _S)], "Bool", "third-party scheme only", False),
    _fn("trim", [P("s", _S), P("chars", _S, optional=True)], "String",
        "third-party scheme only", False),
    _fn("trim_start", [P("s", _S), P("chars", _S, optional=True)], "String",
        "third-party scheme only", False),
    _fn("trim_end", [P("s", _S), P("chars", _S, optional=True)], "String",
        "third-party scheme only", False),
    _fn("wildcard", [P("s", _S), P("pattern", _S)], "Bool", "third-party scheme only", False),
    _fn("contains", [P("s", _S), P("needle", _S)], "Bool", "third-party scheme only", False),
]}

#: The functions available in both cache phases (reference §8.2).
CACHE_PHASE_FUNCTIONS = frozenset(n for n, f in FUNCTIONS.items() if f.cache_phases)


def function(name: str) -> Function | None:
    """The function called ``name``, or ``None``."""
    return FUNCTIONS.get(name)
