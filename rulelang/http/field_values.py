"""Type-checked conversion of user-supplied field values and schema defaults.

A sample's ``fields`` object gives values in JSON/Python form (``str``, ``int``,
``bool``, lists, objects, IP text).  :func:`convert_fields` checks each name
against the schema and each value against the field's type, and returns the
engine's internal form (see :mod:`rulelang.values`).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Mapping
from typing import Any

from rulelang.errors import RuleLangError
from rulelang.schema import catalogue as schema
from rulelang.schema.types import Type
from rulelang.schema.values import MISSING
from rulelang.suggest import closest

__all__ = ["convert_fields", "convert_value", "default_value", "parse_ip"]

_INT_MIN, _INT_MAX = -(2 ** 63), 2 ** 63 - 1
_IP_TYPES = (ipaddress.IPv4Address, ipaddress.IPv6Address)


def parse_ip(value: Any, what: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """An IPv4 or IPv6 address from text (or an address object); :class:`RuleLangError`
    naming ``what`` otherwise.  Zone indexes (``%eth0``) are refused."""
    if isinstance(value, _IP_TYPES):
        if getattr(value, "scope_id", None):
            raise RuleLangError(f"{what}: an IP address with a zone index is not allowed")
        return value
    if not isinstance(value, str):
        raise RuleLangError(f"{what}: expected an IP address as a string, got "
                            f"{type(value).__name__}")
    try:
        # inet_pton is ten times faster than ipaddress and as strict for dotted quads.
        return ipaddress.IPv4Address(socket.inet_pton(socket.AF_INET, value))
    except (OSError, ValueError):
        pass
    if "%" in value:
        raise RuleLangError(f"{what}: {value!r} has a zone index; give a plain IP address")
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        raise RuleLangError(f"{what}: {value!r} is not an IPv4 or IPv6 address") from None


def _text(value: str, what: str) -> bytes:
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError:
        raise RuleLangError(f"{what}: the text is not valid Unicode "
                            "(it contains a lone surrogate)") from None


def convert_value(t: Type, value: Any, what: str) -> Any:
    """Convert ``value`` to the internal form of type ``t``; ``None`` is missing.

    Raises :class:`RuleLangError` mentioning ``what`` when the value does not have
    the type.
    """
    if value is None:
        return MISSING
    return _convert(t, value, what)


def _convert(t: Type, value: Any, what: str) -> Any:
    kind = t.kind
    if kind == "String":
        if isinstance(value, str):
            return _text(value, what)
        if isinstance(value, bytes):
            return value
    elif kind == "Int":
        if isinstance(value, int) and not isinstance(value, bool):
            if _INT_MIN <= value <= _INT_MAX:
                return value
            raise RuleLangError(f"{what}: {value} is outside the signed 64-bit range")
    elif kind == "Bool":
        if isinstance(value, bool):
            return value
    elif kind == "IP":
        return parse_ip(value, what)
    elif kind == "Array":
        if isinstance(value, (list, tuple)):
            return tuple(_convert(t.element, v, f"{what}[{i}]") for i, v in enumerate(value))
    elif kind == "Map" and isinstance(value, Mapping):
        items = []
        for k, v in value.items():
            if isinstance(k, str):
                key = _text(k, what)
            elif isinstance(k, bytes):
                key = k
            else:
                raise RuleLangError(f"{what}: map keys must be strings, got {k!r}")
            items.append((key, _convert(t.element, v, f"{what}[{k!r}]")))
        return dict(sorted(items))
    raise RuleLangError(f"{what}: expected a value of type {t}, got "
                        f"{type(value).__name__} {_short(value)}")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def default_value(info: schema.FieldInfo) -> Any:
    """The internal value a field takes when it is neither derived nor supplied."""
    return convert_value(info.type, info.default, f"default of {info.name}")


def _unknown_field(name: Any, where: str) -> RuleLangError:
    if not isinstance(name, str):
        return RuleLangError(f"{where}field names must be strings, got {name!r}")
    excluded = schema.excluded_fields().get(name)
    if excluded is not None:
        return RuleLangError(f"{where}field {name!r} is not available in the cache phases: "
                             f"{excluded['reason']}")
    close = _closest_field(name)
    hint = f"; did you mean {close!r}?" if close else ""
    return RuleLangError(f"{where}unknown field {name!r}{hint}")


def _closest_field(name: str) -> str | None:
    """The known field ``name`` most likely means (see :func:`rulelang.suggest.closest`)."""
    return closest(name, schema.fields(), cutoff=0.6)


def convert_fields(values: Any, where: str = "") -> dict[str, Any]:
    """Check a ``fields`` mapping (field name → value) and convert it to internal values.

    ``where`` (e.g. ``"sample 3: "``) prefixes error messages.
    """
    if not isinstance(values, Mapping):
        raise RuleLangError(f"{where}'fields' must be an object mapping field names to "
                            f"values, got {type(values).__name__}")
    known = schema.fields()
    out = {}
    for name, value in values.items():
        info = known.get(name) if isinstance(name, str) else None
        if info is None:
            raise _unknown_field(name, where)
        out[name] = convert_value(info.type, value, f"{where}field {name!r}")
    return out
