"""Call one function of the catalogue the way the checker binds it."""

from __future__ import annotations

import ipaddress

from rulelang.language.functions.core import NOT_LITERAL, bind
from rulelang.schema import catalogue as schema
from rulelang.schema.types import BOOL, INT, IP, STRING, Type, array, map_of


def _type(value: object) -> Type:
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return INT
    if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return IP
    if isinstance(value, tuple):
        return array(_type(value[0]) if value else STRING)
    if isinstance(value, dict):
        return map_of(_type(next(iter(value.values()))) if value else STRING)
    return STRING


def call(name: str, *args: object) -> object:
    """Bind ``name`` as the checker would (literal parameters as literals), then run it."""
    params = schema.FUNCTIONS[name].params
    literals = [arg if params[min(i, len(params) - 1)].kind == "literal" else NOT_LITERAL
                for i, arg in enumerate(args)]
    return bind(name, literals, [_type(a) for a in args])(*args)


#: Functions of the catalogue that the cache phases do not offer (binding them is RL204).
UNAVAILABLE = ["is_jwt_present", "is_jwt_valid", "bit_slice", "sha512", "hmac", "ip_in_range",
               "hash_in_range", "trim", "trim_start", "trim_end", "wildcard", "contains"]
