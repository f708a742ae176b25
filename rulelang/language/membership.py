"""Compiled right-hand sides of ``in``: inline sets and ``$lists``.

The checker builds these once per expression; the compiler turns them into a
membership test with :func:`membership`.  Inline String sets are frozensets of
bytes and small Int sets (ranges up to a few thousand values expanded) are
frozensets of ints; the other forms have their own classes here.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rulelang.schema.types import INT, IP, Type

__all__ = ["IntRanges", "IpSet", "ListItems", "compile_list", "membership"]


@dataclass(frozen=True, slots=True)
class ListItems:
    """The compiled contents of a ``$list`` for one left-operand type."""

    name: str
    kind: str  # "ip" | "int" | "hostname" | "string"
    exact: frozenset = frozenset()
    networks: tuple = ()
    suffixes: tuple[bytes, ...] = ()


@dataclass(frozen=True, slots=True)
class IpSet:
    """A compiled set of IP networks and explicit ranges, per family."""

    networks: tuple = ()
    ranges: tuple = ()

    def __contains__(self, addr) -> bool:
        for net in self.networks:
            if net.version == addr.version and addr in net:
                return True
        for first, last in self.ranges:
            if first.version == addr.version and first <= addr <= last:
                return True
        return False


def compile_list(name: str, items: Any, t: Type, hostname: bool) -> ListItems:
    if isinstance(items, (str, bytes)) or not hasattr(items, "__iter__"):
        raise ValueError("items must be a list")
    items = list(items)
    if t == IP:
        nets = []
        for item in items:
            try:
                nets.append(ipaddress.ip_network(str(item), strict=True))
            except ValueError:
                raise ValueError(f"{item!r} is not an IP address or CIDR") from None
        return ListItems(name, "ip", networks=tuple(nets))
    if t == INT:
        if not all(isinstance(i, int) and not isinstance(i, bool) for i in items):
            raise ValueError("items of an integer (ASN) list must be integers")
        return ListItems(name, "int", exact=frozenset(items))
    values = []
    for item in items:
        if not isinstance(item, (str, bytes)):
            raise TypeError(f"{item!r} is not a string")
        values.append(item.encode("utf-8") if isinstance(item, str) else item)
    if hostname:
        exact = frozenset(v.lower() for v in values if not v.startswith(b"*."))
        suffixes = tuple(v[1:].lower() for v in values if v.startswith(b"*."))
        return ListItems(name, "hostname", exact=exact, suffixes=suffixes)
    return ListItems(name, "string", exact=frozenset(values))


@dataclass(frozen=True, slots=True)
class IntRanges:
    """An Int set with ranges too large to expand: exact values plus inclusive ranges."""

    values: frozenset
    ranges: tuple

    def __contains__(self, v) -> bool:
        return v in self.values or any(lo <= v <= hi for lo, hi in self.ranges)


def membership(const: Any) -> Callable[[Any], bool]:
    """A test ``value in const`` for a present value, for every compiled form."""
    if isinstance(const, frozenset):
        return const.__contains__
    if isinstance(const, IpSet):
        return const.__contains__
    if isinstance(const, ListItems):
        return _list_membership(const)
    return const.__contains__  # IntRanges


def _list_membership(items: ListItems) -> Callable[[Any], bool]:
    if items.kind == "ip":
        nets = items.networks

        def in_ip_list(v):
            return any(v.version == n.version and v in n for n in nets)
        return in_ip_list
    if items.kind == "hostname":
        exact, suffixes = items.exact, items.suffixes

        def in_host_list(v):
            host = v.lower()
            return host in exact or any(
                host.endswith(sfx) and len(host) > len(sfx) for sfx in suffixes)
        return in_host_list
    return items.exact.__contains__
