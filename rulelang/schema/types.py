"""The types of the Rules language: String, Int, Bool, IP, Array<T>, Map<T>.

A :class:`Type` is an immutable value; the scalar types are module constants and
the containers are built with :func:`array` and :func:`map_of`.  ``str(t)``
prints a type as the language reference does (``Array<String>``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BOOL",
    "INT",
    "IP",
    "STRING",
    "TYPE_ALIASES",
    "Type",
    "array",
    "map_of",
    "parse_type",
]


@dataclass(frozen=True, slots=True)
class Type:
    """A Rules-language type. ``kind`` is one of String, Int, Bool, IP, Array, Map."""

    kind: str
    inner: Type | None = None

    def __str__(self) -> str:
        if self.inner is None:
            return self.kind
        return f"{self.kind}<{self.inner}>"

    @property
    def is_scalar(self) -> bool:
        return self.inner is None

    @property
    def is_array(self) -> bool:
        return self.kind == "Array"

    @property
    def is_map(self) -> bool:
        return self.kind == "Map"

    @property
    def is_collection(self) -> bool:
        return self.inner is not None

    @property
    def element(self) -> Type:
        """The element type of an array or a map (``TypeError`` for a scalar type)."""
        if self.inner is None:
            raise TypeError(f"{self} is not an array or a map: it has no element type")
        return self.inner


STRING = Type("String")
INT = Type("Int")
BOOL = Type("Bool")
IP = Type("IP")

_SCALARS = {"String": STRING, "Int": INT, "Bool": BOOL, "IP": IP}

#: Cloudflare documentation spellings accepted wherever a type name is written.
TYPE_ALIASES = {"Integer": "Int", "Number": "Int", "Boolean": "Bool", "Bytes": "String",
                "IP address": "IP"}


def array(inner: Type) -> Type:
    """``Array<inner>``."""
    return Type("Array", inner)


def map_of(inner: Type) -> Type:
    """``Map<inner>`` (keys are always byte strings)."""
    return Type("Map", inner)


def parse_type(text: str) -> Type:
    """Parse a printed type name such as ``Array<String>`` or ``Map<Array<Int>>``.

    Raises ``ValueError`` for text that is not a type (``TypeError`` for a non-string).
    """
    if not isinstance(text, str):
        raise TypeError(f"a type name must be a string, not {type(text).__name__}")
    s = text.strip()
    s = TYPE_ALIASES.get(s, s)
    if s in _SCALARS:
        return _SCALARS[s]
    for kind, make in (("Array", array), ("Map", map_of)):
        if s.startswith(kind + "<") and s.endswith(">"):
            return make(parse_type(s[len(kind) + 1:-1]))
    raise ValueError(f"not a type: {text!r}")
