"""Run-time value conventions shared by the compiler, the functions and the field model.

Inside the engine a ``String`` is ``bytes``, an ``Int`` is ``int``, a ``Bool`` is
``bool``, an ``IP`` is an ``ipaddress.IPv4Address``/``IPv6Address``, an ``Array<T>``
is a ``tuple`` (or ``list``) and a ``Map<T>`` is a ``dict`` with ``bytes`` keys whose
iteration order is ascending byte order of the keys.  A sub-expression that has no
value (an absent header, an index past the end, bad JSON...) is :data:`MISSING`.
"""

from __future__ import annotations

import ipaddress
from typing import Any

__all__ = ["MISSING", "Missing", "from_python", "to_python"]


class Missing:
    """The type of :data:`MISSING`; falsy, a singleton."""

    _instance: Missing | None = None

    def __new__(cls) -> Missing:  # noqa: PYI034 - a singleton: always the one instance
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "MISSING"

    def __reduce__(self):
        return (Missing, ())


#: The missing value (the engine's *nil*).
MISSING = Missing()


def to_python(value: Any) -> Any:
    """Convert an internal value to what the public API returns.

    ``bytes`` become ``str`` when they are valid UTF-8 (else they stay ``bytes``);
    arrays become lists, maps dicts with ``str`` keys; :data:`MISSING` becomes ``None``.
    """
    if value is MISSING:
        return None
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value
    if isinstance(value, (list, tuple)):
        return [to_python(v) for v in value]
    if isinstance(value, dict):
        return {to_python(k): to_python(v) for k, v in sorted(value.items())}
    return value


def from_python(value: Any) -> Any:
    """Convert a user-supplied Python value (``fields=`` of a sample) to the internal form.

    ``str`` becomes UTF-8 ``bytes``; lists become tuples; dict keys become bytes and
    the dict is rebuilt in ascending key order.  IP addresses stay as they are.
    """
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (bool, int, bytes)):
        return value
    if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return value
    if isinstance(value, (list, tuple)):
        return tuple(from_python(v) for v in value)
    if isinstance(value, dict):
        items = [(k.encode("utf-8") if isinstance(k, str) else k, from_python(v))
                 for k, v in value.items()]
        return dict(sorted(items))
    if value is None:
        return MISSING
    raise TypeError(f"unsupported value {value!r}")
