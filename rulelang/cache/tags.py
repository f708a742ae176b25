"""Cache tags: the origin's ``Cache-Tag`` header and ``set_cache_tags`` operations.

Normalization follows cache-phases §4.15 and PD-26: fields joined with ``,``,
items split on commas and trimmed of spaces and tabs, empty items dropped, tags
with inner whitespace or bytes outside 0x21–0x7E dropped, case-insensitive
de-duplication keeping the first spelling and position, and only tags lying
entirely within the first 16,384 bytes of the origin header kept (the tag's own
trimmed bytes; blanks after it do not count).  Operations
compose in rule order (PD-07).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = ["MAX_HEADER_BYTES", "apply_tag_operation", "normalize_tags", "parse_cache_tag_header"]

#: The largest aggregate ``Cache-Tag`` value Cloudflare reads (16 KB).
MAX_HEADER_BYTES = 16384


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _items(raw: bytes, source: str, notes: list[str], limit: int | None) -> list[str]:
    """Valid tags of a comma-separated byte string, in order, not yet de-duplicated."""
    tags: list[str] = []
    offset = 0
    for piece in raw.split(b","):
        start = offset
        offset += len(piece) + 1
        item = piece.strip(b" \t")
        if not item:
            continue
        # the tag itself must lie within the limit; trailing blanks do not count
        end = start + len(piece.rstrip(b" \t"))
        if limit is not None and end > limit:
            notes.append(f"{source}: dropped tag {_decode(item)!r} and those after it: beyond "
                         f"the first {limit} bytes of the header")
            break
        if any(b < 0x21 or b > 0x7E for b in item):
            notes.append(f"{source}: dropped tag {_decode(item)!r}: whitespace or a byte "
                         "outside printable ASCII")
            continue
        tags.append(item.decode("ascii"))
    return tags


def _dedupe(tags: Iterable[str], seen: set[str] | None = None) -> list[str]:
    seen = set() if seen is None else seen
    out = []
    for tag in tags:
        key = tag.lower()
        if key not in seen:
            seen.add(key)
            out.append(tag)
    return out


def parse_cache_tag_header(values: Sequence[str], notes: list[str]) -> list[str]:
    """The normalized tags of the origin's ``Cache-Tag`` fields (``values``)."""
    if not values:
        return []
    raw = _encode(",".join(values))
    return _dedupe(_items(raw, "Cache-Tag", notes, MAX_HEADER_BYTES))


def normalize_tags(values: Iterable[str], source: str, notes: list[str]) -> list[str]:
    """Tags produced by a rule, normalized like the header (comma split included)
    but without the 16 KB limit (PD-26)."""
    out: list[str] = []
    for value in values:
        out.extend(_items(_encode(value), source, notes, None))
    return _dedupe(out)


def apply_tag_operation(current: list[str], operation: str, tags: list[str]) -> list[str]:
    """The tag list after one ``add``, ``remove`` or ``set`` operation (PD-07).

    ``add`` appends tags not already present, ``remove`` deletes tags, ``set``
    replaces the list; tags compare case-insensitively.
    """
    if operation == "set":
        return _dedupe(tags)
    if operation == "remove":
        gone = {t.lower() for t in tags}
        return [t for t in current if t.lower() not in gone]
    if operation == "add":
        seen = {t.lower() for t in current}
        return current + _dedupe(tags, seen)
    return list(current)
