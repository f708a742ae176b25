"""The origin response as the cache decision sees it (cache-phases §4.4–§4.6, §4.15).

From the matching Cache Response Rules: the stacked strip flags, the ``Cache-Control``
directive edits applied to the edge and visitor views (PD-08), and the cache tag
operations (PD-07).  From the origin headers: the edge source (PD-11), the
visitor view, and the ``Expires`` lifetime (PD-12, PD-32).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from rulelang.cache.cache_control import (
    Directive,
    apply_edit,
    explaining,
    parse_directives,
    parse_http_date,
)
from rulelang.cache.tags import apply_tag_operation, normalize_tags, parse_cache_tag_header
from rulelang.http.messages import _Message

__all__ = [
    "EDGE_SOURCES",
    "STRIP_FLAGS",
    "ResponseHeaders",
    "Views",
    "cache_tags",
    "directive_views",
    "expires_lifetime",
    "header_values",
    "strip_flags",
    "text_index",
]

#: The response-phase ``set_cache_settings`` flags and the header each removes.
STRIP_FLAGS = {"strip_etags": "etag", "strip_last_modified": "last-modified",
               "strip_set_cookie": "set-cookie"}

#: Edge-view sources in precedence order, with their display names.
EDGE_SOURCES = (("cloudflare-cdn-cache-control", "Cloudflare-CDN-Cache-Control"),
                ("cdn-cache-control", "CDN-Cache-Control"),
                ("surrogate-control", "Surrogate-Control"),
                ("cache-control", "Cache-Control"))
_SOURCE_NAMES = dict(EDGE_SOURCES)


def header_values(message: Any, name: str) -> list[str]:
    """The values of header ``name`` of a request or response (none without a message)."""
    if message is None:
        return []
    if isinstance(message, _Message):  # checked text already, and a fresh list
        return message.header_values(name)
    return [v if isinstance(v, str) else str(v) for v in message.header_values(name) or ()]


def text_index(message: Any) -> Mapping[str, list[str]] | None:
    """Lower-case header name → its values, for a :class:`Request`/:class:`Response`,
    built in one pass over the headers; ``None`` for any other message type (its
    ``header_values`` is then asked name by name).  The lists are shared: read only.

    The index is the one :meth:`_Message.header_values` keeps in the message's field
    cache, so a message's headers are indexed once whoever asks first."""
    if not isinstance(message, _Message):
        return None
    cache = message.field_cache
    index = cache.get("#text-index")
    if index is None:
        index = {}
        for key, value in message.headers:
            key = key.lower()
            entry = index.get(key)
            if entry is None:
                index[key] = [value]
            else:
                entry.append(value)
        cache["#text-index"] = index
    return index


_NONE: tuple[str, ...] = ()


class ResponseHeaders:
    """The origin response headers after the ``strip_*`` flags (cache-phases §4.6 step 1):
    one index of the headers, read once, shared by every view of the same response."""

    __slots__ = ("_index", "response", "stripped")

    def __init__(self, response: Any, stripped: frozenset[str] = frozenset(),
                 index: Mapping[str, list[str]] | None = None) -> None:
        self.response = response
        self.stripped = stripped
        self._index = text_index(response) if index is None else index

    def without(self, stripped: frozenset[str]) -> ResponseHeaders:
        """The same headers with ``stripped`` removed (the index is shared)."""
        return ResponseHeaders(self.response, stripped, self._index) if stripped else self

    def values(self, name: str) -> Sequence[str]:
        """The values of ``name`` (lower-case) after stripping; read only."""
        if name in self.stripped:
            return _NONE
        index = self._index
        if index is None:
            return header_values(self.response, name)
        return index.get(name) or _NONE

    def original(self, name: str) -> Sequence[str]:
        """The values of ``name`` (lower-case) as the origin sent them, stripped or not."""
        index = self._index
        if index is None:
            return header_values(self.response, name)
        return index.get(name) or _NONE

    def __contains__(self, name: object) -> bool:
        """Whether header ``name`` (lower-case) is still present."""
        return isinstance(name, str) and bool(self.values(name))

    def names(self) -> frozenset[str]:
        """Lower-case names of the headers still present."""
        if self._index is not None:
            return frozenset(self._index).difference(self.stripped)
        names = {str(pair[0]).lower() for pair in self.response.headers}
        return frozenset(names - self.stripped)


def strip_flags(actions: Sequence, reasons: list[str]) -> dict[str, bool]:
    """The stacked ``strip_*`` flags of the matching response rules (last wins)."""
    flags: dict[str, bool] = {}
    explain = explaining(reasons)
    for action in actions:
        if action.action != "set_cache_settings" or not isinstance(action.params, Mapping):
            continue
        for flag in STRIP_FLAGS:
            if flag in action.params:
                flags[flag] = action.params[flag] is True
                if explain:
                    reasons.append(f"{action.rule.label()} sets {flag}: "
                                   f"{'true' if flags[flag] else 'false'}")
    return flags


@dataclass
class Views:
    """The edge and visitor directive views after the response-rule edits (PD-08)."""

    edge: list[Directive]
    visitor: list[Directive]
    source: str | None
    rule_set: set[str] = field(default_factory=set)

    @property
    def source_name(self) -> str:
        """The display name of the edge source, for reasons."""
        return _SOURCE_NAMES.get(self.source or "", "the edge directives")

    @property
    def expires_applicable(self) -> bool:
        """``Expires`` counts only with ``Cache-Control`` or no edge source (PD-11)."""
        return self.source in (None, "cache-control")


def directive_views(headers: ResponseHeaders, actions: Sequence,
                    reasons: list[str]) -> Views:
    """Build both views from the origin headers and apply every ``set_cache_control``
    edit in rule order, then key order; ``cloudflare_only`` edits touch only the edge."""
    source = None
    for name, _ in EDGE_SOURCES:
        if headers.values(name):
            source = name
            break
    visitor = parse_directives(headers.values("cache-control"), "Cache-Control", reasons)
    if source == "cache-control":
        edge = list(visitor)
    elif source is None:
        edge = []
    else:
        display = _SOURCE_NAMES[source]
        edge = parse_directives(headers.values(source), display, reasons)
    views = Views(edge, visitor, source)
    explain = explaining(reasons)
    if source is not None and explain:
        reasons.append(f"edge directives come from {views.source_name}"
                       + ("" if source == "cache-control" else
                          "; Cache-Control only goes to the visitor"))
    for action in actions:
        if action.action != "set_cache_control" or not isinstance(action.params, Mapping):
            continue
        for name, edit in action.params.items():
            if not isinstance(edit, Mapping) or edit.get("operation") not in ("set", "remove"):
                if explain:
                    reasons.append(f"{action.rule.label()}: ignored malformed edit of {name!r}")
                continue
            name = str(name).lower()
            only_edge = edit.get("cloudflare_only") is True
            views.edge = apply_edit(views.edge, name, edit)
            if not only_edge:
                views.visitor = apply_edit(views.visitor, name, edit)
            if edit["operation"] == "set":
                views.rule_set.add(name)
            else:
                views.rule_set.discard(name)
            if explain:
                reasons.append(f"{action.rule.label()} {edit['operation']}s {name}"
                               + (" (cloudflare_only: edge only)" if only_edge else ""))
    return views


def cache_tags(headers: ResponseHeaders, actions: Sequence, reasons: list[str]) -> list[str]:
    """The origin's ``Cache-Tag`` tags, then every ``set_cache_tags`` operation."""
    tags = parse_cache_tag_header(headers.values("cache-tag"), reasons)
    explain = explaining(reasons)
    for action in actions:
        if action.action != "set_cache_tags" or not isinstance(action.params, Mapping):
            continue
        label, operation = action.rule.label(), action.params.get("operation")
        if "expression" in action.params:
            values = action.tags
            if values is None:
                reasons.append(f"{label}: its tag expression has no value; tags unchanged")
                continue
        else:
            values = action.params.get("values")
        if not isinstance(values, (list, tuple)) or operation not in ("add", "remove", "set"):
            reasons.append(f"{label}: ignored malformed set_cache_tags parameters")
            continue
        normalized = normalize_tags([str(v) for v in values], label, reasons)
        tags = apply_tag_operation(tags, operation, normalized)
        if explain:
            reasons.append(f"{label} {operation} tags {normalized}: now {tags}")
    return tags


def expires_lifetime(headers: ResponseHeaders, clock: datetime | None,
                     reasons: list[str]) -> int | None:
    """``Expires − Date`` in whole seconds floored at 0, or ``None`` without ``Expires``.

    ``Date`` is the response's own; without a readable one the zone clock (or
    the current time) is used (PD-32).  An unreadable ``Expires`` is expired.
    """
    expires = headers.values("expires")
    if not expires:
        return None
    date_values = headers.values("date")
    now = parse_http_date(date_values[0]) if date_values else None
    if now is None:
        if date_values:
            reasons.append(f"ignored unreadable Date {date_values[0]!r}")
        now = clock or datetime.now(UTC)
    when = parse_http_date(expires[0])
    if when is None:
        reasons.append(f"Expires {expires[0]!r} is not a date: counts as already expired")
        return 0
    try:
        return max(0, int((when - now).total_seconds() // 1))
    except OverflowError:
        return 0
