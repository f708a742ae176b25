"""``Cache-Control``-family headers: parsing, directive edits and serialization.

The same directive syntax is used by ``Cache-Control``, ``CDN-Cache-Control``,
``Cloudflare-CDN-Cache-Control`` and ``Surrogate-Control`` (cache-phases §4.6,
PD-11/PD-12).  Parsing never fails: anything that cannot be read is left out and
described in the ``notes`` list the caller passes in, so that the cache decision
can explain what it ignored.

Also here: HTTP dates (``Date``, ``Expires``) read with the standard library.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from rulelang.schema import actions

__all__ = [
    "DURATION_DIRECTIVES",
    "MAX_DELTA_SECONDS",
    "QUALIFIER_DIRECTIVES",
    "Directive",
    "Quiet",
    "apply_edit",
    "delta_seconds",
    "explaining",
    "find",
    "join_fields",
    "parse_directives",
    "parse_http_date",
    "qualifiers_of",
    "remove_directive",
    "serialize",
    "set_directive",
]

#: RFC 9111 §1.2.2: delta-seconds above this value are read as this value.
MAX_DELTA_SECONDS = 2147483648

#: Directives whose argument is a number of seconds (a set, for lookups).
DURATION_DIRECTIVES = frozenset(actions.DURATION_DIRECTIVES)

#: Directives whose optional argument is a list of header names (a set, for lookups).
QUALIFIER_DIRECTIVES = frozenset(actions.QUALIFIER_DIRECTIVES)

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_DECIMAL = re.compile(r"([0-9]*)(?:\.([0-9]*))?")


@dataclass(frozen=True, slots=True)
class Directive:
    """One directive: its lower-case ``name`` and its argument.

    ``value`` is the argument exactly as received (quotes included), or ``None``
    for a bare directive.  ``qualifiers`` is the list of header names of a
    ``private``/``no-cache`` argument (``None`` when bare).  ``rule_set`` marks a
    directive written by a Cache Response Rule (its value is rendered canonically).
    """

    name: str
    value: str | None = None
    qualifiers: tuple[str, ...] | None = None
    rule_set: bool = False

    def render(self) -> str:
        """The directive as it appears in a serialized header (cache-phases §4.14)."""
        if self.qualifiers:
            return f'{self.name}="{", ".join(self.qualifiers)}"'
        if self.value is None:
            return self.name
        return f"{self.name}={self.value}"


class Quiet(list):
    """A notes sink that keeps nothing: the decision's fast path (no reasons asked for)
    passes one, and the steps skip formatting what nobody will read."""

    __slots__ = ()

    def append(self, item: object) -> None:
        return None

    def extend(self, items: object) -> None:
        return None


def explaining(notes: list[str]) -> bool:
    """Whether ``notes`` keeps what is appended (``False`` for a :class:`Quiet` sink)."""
    return notes.__class__ is not Quiet


def join_fields(values: Iterable[str]) -> str:
    """Several header fields with the same name joined with ``", "`` (PD-12)."""
    return ", ".join(values)


def _split_outside_quotes(text: str) -> list[str]:
    items, current, quoted, escaped = [], [], False, False
    for ch in text:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\" and quoted:
            current.append(ch)
            escaped = True
        elif ch == '"':
            current.append(ch)
            quoted = not quoted
        elif ch == "," and not quoted:
            items.append("".join(current))
            current = []
        else:
            current.append(ch)
    items.append("".join(current))
    return items


def _unquote(value: str) -> tuple[str, bool]:
    """The text of a quoted string (escapes removed) and whether it was quoted."""
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1]), True
    return value, False


def parse_directives(values: Iterable[str], header: str, notes: list[str]) -> list[Directive]:
    """Parse the fields of one header (``values``, one string per field line).

    Directives are split on commas outside double quotes and names are lower-cased.
    An item without a valid token name is dropped and reported in ``notes`` under
    ``header``; unknown directives are kept (they are part of the header).
    """
    text = join_fields(values)
    if len(text) > _CACHED_TEXT:
        return _parse(text, header, notes)
    # a proxy sees the same few header values many times: each is parsed once
    directives, said = _parse_cached(text, header)
    if said:
        notes.extend(said)
    return list(directives)


#: Header values up to this length are parsed once and remembered (a bounded cache).
_CACHED_TEXT = 256


@lru_cache(maxsize=1024)
def _parse_cached(text: str, header: str) -> tuple[tuple[Directive, ...], tuple[str, ...]]:
    said: list[str] = []
    return tuple(_parse(text, header, said)), tuple(said)


def _parse(text: str, header: str, notes: list[str]) -> list[Directive]:
    directives: list[Directive] = []
    for item in _split_outside_quotes(text) if '"' in text else text.split(","):
        item = item.strip(" \t")
        if not item:
            continue
        name, sep, raw = item.partition("=")
        name, raw = name.strip(" \t").lower(), raw.strip(" \t")
        if not _TOKEN.fullmatch(name):
            notes.append(f"ignored {header} item {item!r}: not a directive name")
            continue
        if not sep:
            directives.append(Directive(name))
            continue
        qualifiers = None
        if name in QUALIFIER_DIRECTIVES:
            listed, _ = _unquote(raw)
            names = tuple(q.strip(" \t") for q in listed.split(",") if q.strip(" \t"))
            if not names:
                notes.append(f"{header}: {name} with an empty header list read as bare {name}")
                directives.append(Directive(name))
                continue
            qualifiers = names
        directives.append(Directive(name, raw, qualifiers))
    return directives


def find(directives: Iterable[Directive], name: str) -> Directive | None:
    """The first occurrence of ``name`` (PD-12: the first duplicate wins)."""
    for d in directives:
        if d.name == name:
            return d
    return None


def qualifiers_of(directive: Directive) -> tuple[str, ...]:
    """The header names qualifying ``directive`` (empty for a bare directive)."""
    return directive.qualifiers or ()


def delta_seconds(directive: Directive | None, header: str, notes: list[str]) -> int | None:
    """The whole seconds of a duration directive, or ``None`` when it does not count.

    PD-12: fractions are rounded down, values above :data:`MAX_DELTA_SECONDS` are
    capped, negative, missing or non-numeric values make the directive absent
    (reported in ``notes``).
    """
    if directive is None:
        return None
    value = directive.value
    if value is None:
        notes.append(f"ignored {header} {directive.name} without a value")
        return None
    if len(value) < 10 and value.isdigit() and value.isascii():
        return int(value)  # the common case: plain digits, below the cap, nothing to say
    text, _ = _unquote(value)
    match = _DECIMAL.fullmatch(text.strip(" \t"))
    if not match or not (match.group(1) or match.group(2)):
        notes.append(f"ignored {header} {directive.name}={directive.value}: not a "
                     "non-negative number of seconds")
        return None
    digits = match.group(1).lstrip("0") or "0"
    seconds = MAX_DELTA_SECONDS if len(digits) > 10 else min(int(digits), MAX_DELTA_SECONDS)
    if match.group(2) is not None:
        notes.append(f"{header} {directive.name}={directive.value} rounded down to {seconds}")
    if seconds == MAX_DELTA_SECONDS and digits != str(MAX_DELTA_SECONDS):
        notes.append(f"{header} {directive.name}={directive.value} capped at {MAX_DELTA_SECONDS}")
    return seconds


def set_directive(directives: list[Directive], new: Directive) -> list[Directive]:
    """Replace the first occurrence of ``new.name`` in place, dropping later
    duplicates, or append ``new`` when absent (cache-phases §3.5)."""
    out: list[Directive] = []
    placed = False
    for d in directives:
        if d.name != new.name:
            out.append(d)
        elif not placed:
            out.append(new)
            placed = True
    if not placed:
        out.append(new)
    return out


def remove_directive(directives: list[Directive], name: str) -> list[Directive]:
    """Every occurrence of ``name`` removed."""
    return [d for d in directives if d.name != name]


def apply_edit(directives: list[Directive], name: str, edit: Mapping) -> list[Directive]:
    """Apply one ``set_cache_control`` directive edit (``{"operation": ...}``)."""
    if edit.get("operation") == "remove":
        return remove_directive(directives, name)
    value = edit.get("value")
    qualifiers = edit.get("qualifiers")
    if name in DURATION_DIRECTIVES and isinstance(value, int) and not isinstance(value, bool):
        return set_directive(directives, Directive(name, str(value), rule_set=True))
    if name in QUALIFIER_DIRECTIVES and qualifiers:
        names = tuple(str(q) for q in qualifiers)
        rendered = '"' + ", ".join(names) + '"'
        return set_directive(directives, Directive(name, rendered, names, rule_set=True))
    return set_directive(directives, Directive(name, rule_set=True))


def serialize(directives: Iterable[Directive]) -> str | None:
    """Directives joined with ``", "`` in order; ``None`` for an empty list."""
    text = ", ".join(d.render() for d in directives)
    return text or None


def parse_http_date(value: str | None) -> datetime | None:
    """An HTTP date as an aware UTC datetime, or ``None`` when it cannot be read."""
    if value is None:
        return None
    value = value.strip()
    # a proxy sees the same few Date/Expires values many times: each is read once
    return _cached_http_date(value) if len(value) <= 64 else _read_http_date(value)


def _read_http_date(value: str) -> datetime | None:
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


_cached_http_date = lru_cache(maxsize=512)(_read_http_date)
