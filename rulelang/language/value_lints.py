"""Warnings about what a field can hold (RL52x) and about logic (RL54x).

These run once over a type-checked expression (see ``docs/lint-checks.md``):

- RL520–RL527: a literal that the field can never hold, so the comparison is never
  (or, negated, always) true at Cloudflare — a path without its leading ``/``, a host
  with ``https://``, a glob written in ``eq`` or as a regex, a media type in upper case.
- RL540–RL544: duplicate set members, ``and`` chains that are never true, ``or`` chains
  that are always true, ``true``/``false`` inside a filter, unescaped dots in host
  regexes.

The logic checks are exact on the fragment they look at (comparisons of a plain field,
or ``lower``/``upper`` of one, with string literals), and silent elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from rulelang.language.lints import Finding
from rulelang.language.nodes import (
    BoolConst,
    Call,
    Comparison,
    Expr,
    Field,
    Group,
    Logical,
    Not,
    Regex,
    Set,
    String,
    walk,
)

__all__ = ["expression_findings"]

_PATH_FIELDS = frozenset({"http.request.uri.path", "raw.http.request.uri.path",
                          "http.request.uri", "raw.http.request.uri"})
_FULL_URI = frozenset({"http.request.full_uri", "raw.http.request.full_uri"})
_QUERY = frozenset({"http.request.uri.query", "raw.http.request.uri.query"})
_NO_QUESTION_MARK = frozenset({"http.request.uri.path", "raw.http.request.uri.path", "http.host",
                               "http.request.uri.path.extension",
                               "raw.http.request.uri.path.extension",
                               "http.request.uri.path.basename"})
_URL_FIELDS = _PATH_FIELDS | _FULL_URI | _NO_QUESTION_MARK
_LOWER_CASE = frozenset({"http.response.content_type.media_type"})
#: Operators (and functions) that compare a literal as it is written.
_LITERAL_OPS = frozenset({"eq", "ne", "in", "contains", "starts_with", "ends_with"})
#: Operators whose literal must match the value from its first character.
_ANCHORED_OPS = frozenset({"eq", "ne", "in", "starts_with", "wildcard", "strict wildcard"})


class _Test(NamedTuple):
    """One string test: ``key`` is the field (``lower(f)`` for a converted one)."""

    key: str
    field: str
    op: str
    literal: String


def _field_of(node: Expr) -> tuple[str, str] | None:
    while isinstance(node, Group):
        node = node.expr
    if isinstance(node, Field):
        return node.name, node.name
    if (isinstance(node, Call) and node.name in ("lower", "upper") and len(node.args) == 1
            and isinstance(node.args[0], Field)):
        return f"{node.name}({node.args[0].name})", node.args[0].name
    return None


def _tests(node: Expr) -> list[_Test]:
    """The string tests a comparison or starts_with()/ends_with() call makes."""
    if isinstance(node, Comparison):
        left, op, right = node.left, node.op, node.right
    elif isinstance(node, Call) and node.name in ("starts_with", "ends_with") \
            and len(node.args) == 2:
        left, op, right = node.args[0], node.name, node.args[1]
    else:
        return []
    found = _field_of(left)
    if found is None:
        return []
    key, name = found
    if isinstance(right, String):
        return [_Test(key, name, op, right)]
    if isinstance(right, Set) and op == "in":
        return [_Test(key, name, op, e) for e in right.elements if isinstance(e, String)]
    return []


def expression_findings(expr: Expr) -> Iterator[Finding]:
    """Every RL52x and RL54x finding in a checked expression."""
    for node in walk(expr):
        for test in _tests(node):
            yield from _value_findings(test)
        if isinstance(node, Comparison) and node.op == "matches" \
                and isinstance(node.right, Regex):
            yield from _regex_findings(node)
        if isinstance(node, Set):
            yield from _duplicates(node)
        if isinstance(node, Logical) and node.op in ("and", "or"):
            yield from _logic_findings(node)
    yield from _constants(expr)


# --------------------------------------------------------------------------- RL52x


def _show(value: bytes) -> str:
    return value.decode("utf-8", "replace")


def _value_findings(t: _Test) -> Iterator[Finding]:
    lit, op, name = t.literal.value, t.op, t.field
    span = t.literal.span
    never = "always true" if op == "ne" else "never true"
    shown = _show(lit)
    if op in ("eq", "ne", "in") and len(lit) > 1 and (
            lit.startswith(b"^") or lit.endswith(b"$") or b".*" in lit or b"\\." in lit
            or b"\\d" in lit):
        yield Finding("RL525", f"{op} compares text exactly, so the regular expression "
                      "syntax in this literal is taken as plain characters", span,
                      f'use matches "{shown}", or write the exact value')
        return
    if name in _PATH_FIELDS and op in _ANCHORED_OPS and lit and not lit.startswith(b"/") \
            and not (op.endswith("wildcard") and lit.startswith(b"*")):
        yield Finding("RL520", f"{name} always starts with \"/\", so this comparison is "
                      f"{never}", span, f'write "/{shown}"')
    if name == "http.host":
        if b"://" in lit or lit.lower().startswith((b"http:", b"https:")):
            bare = shown.split("://", 1)[-1].split("/", 1)[0]
            yield Finding("RL521", f"http.host is the host name alone, never a URL with a "
                          f"scheme, so this comparison is {never}", span,
                          f'write "{bare}", or compare http.request.full_uri')
        elif b"/" in lit and op != "wildcard":
            yield Finding("RL521", f"http.host never contains \"/\" (the path is in "
                          f"http.request.uri.path), so this comparison is {never}", span,
                          f'write "{shown.split("/", 1)[0]}" and test the path separately')
        elif (op in ("eq", "ne", "in") and re.fullmatch(rb"[^\[\]:]+:\d+", lit)):
            yield Finding("RL521", "http.host carries a port only when the visitor sends one "
                          "(a non-standard port), so this never matches requests on ports 80 "
                          "and 443", span, f'write "{shown.rsplit(":", 1)[0]}"')
    if name in _FULL_URI and op in _ANCHORED_OPS and lit \
            and not (op.endswith("wildcard") and lit.startswith(b"*")):
        low = lit.lower()
        if not any(low.startswith(s) or s.startswith(low) for s in (b"http://", b"https://")):
            yield Finding("RL522", f"{name} is an absolute URL (https://host/path?query), so "
                          f"this comparison is {never}", span,
                          'write the whole URL, e.g. "' + _absolute(shown) + '"')
    if name in _QUERY and op in _ANCHORED_OPS and lit.startswith(b"?"):
        yield Finding("RL523", f"{name} does not include the leading \"?\", so this "
                      f"comparison is {never}", span, f'write "{shown[1:]}"')
    if op in _LITERAL_OPS and t.key == name and name in _URL_FIELDS:
        star = b"*" in lit
        question = b"?" in lit and name in _NO_QUESTION_MARK
        if star or question:
            char = "*" if star else "?"
            yield Finding("RL524", f"{op} compares \"{char}\" literally (it is not a wildcard "
                          "here), so this only matches a value that contains it",
                          span, f'use wildcard: {name} wildcard "{shown}"')
    if name in _LOWER_CASE and t.key == name and op in _LITERAL_OPS and lit != lit.lower():
        yield Finding("RL527", f"{name} is lower-cased, so this literal with upper-case "
                      f"letters is {never}", span, f'write "{shown.lower()}"')


def _absolute(shown: str) -> str:
    if shown.startswith("/"):
        return "https://example.com" + shown
    if "." in shown.split("/", 1)[0]:
        return "https://" + shown.split("://", 1)[-1]
    return "https://example.com/" + shown


_GLOB = re.compile(r"(?<!\\)(?:/\*|^\*\.)")


def _regex_findings(node: Comparison) -> Iterator[Finding]:
    pattern = node.right.pattern  # type: ignore[union-attr]
    found = _field_of(node.left)
    if _GLOB.search(pattern) and not re.search(r"(?<!\\)/\*[^$)|]", pattern):
        fixed = re.sub(r"(?<!\\)/\*", "/.*", pattern)
        yield Finding("RL526", "in a regular expression \"*\" repeats the character before "
                      "it, so \"/*\" means any number of slashes, not any text", node.right.span,
                      f'write matches "{fixed}", or use wildcard')
    if found is not None and found[1] == "http.host" and _unescaped_dot(pattern):
        yield Finding("RL544", "an unescaped \".\" matches any character, so this host "
                      "regex also matches other hosts (\"wwwXexample.com\")", node.right.span,
                      f'write r"{_escape_dots(pattern)}"')


def _unescaped_dot(pattern: str) -> bool:
    return _DOT.search(pattern) is not None


_DOT = re.compile(r"(?<![\\\[])(?<=[A-Za-z0-9])\.(?=[A-Za-z0-9])")


def _escape_dots(pattern: str) -> str:
    return _DOT.sub(r"\\.", pattern)


# --------------------------------------------------------------------------- RL540


def _duplicates(node: Set) -> Iterator[Finding]:
    seen: set = set()
    for el in node.elements:
        key = el.value if isinstance(el, String) else getattr(el, "text", None)
        if key is None:
            continue
        if key in seen:
            text = getattr(el, "text", "") or _show(key)
            yield Finding("RL540", f"{text} is already in this set", el.span,
                          "remove the duplicate (a near miss may have been meant)")
        seen.add(key)


# --------------------------------------------------------------------------- RL541/RL542


class _Literal(NamedTuple):
    """A string test with its polarity: ``positive`` unless under one ``not``."""

    key: str
    op: str
    values: frozenset[bytes]
    positive: bool


def _literal(node: Expr, positive: bool = True) -> _Literal | None:
    while isinstance(node, Group):
        node = node.expr
    if isinstance(node, Not):
        return _literal(node.operand, not positive)
    tests = _tests(node)
    if not tests or (isinstance(node, Comparison) and node.op == "in"
                     and isinstance(node.right, Set)
                     and len(tests) != len(node.right.elements)):
        return None
    op = tests[0].op
    if op == "ne":
        op, positive = "eq", not positive
    if op not in ("eq", "in", "contains", "starts_with", "ends_with"):
        return None
    return _Literal(tests[0].key, "eq" if op == "in" else op,
                    frozenset(t.literal.value for t in tests), positive)


def _holds(lit: _Literal, value: bytes) -> bool:
    if lit.op == "eq":
        hit = value in lit.values
    else:
        (needle,) = lit.values
        hit = (needle in value if lit.op == "contains" else value.startswith(needle)
               if lit.op == "starts_with" else value.endswith(needle))
    return hit == lit.positive


def _unsatisfiable(lits: list[_Literal]) -> bool:
    """Whether the conjunction of ``lits`` (all on one key) can never hold: decided
    exactly when one of them pins the value to a finite set."""
    finite = [lit for lit in lits if lit.op == "eq" and lit.positive]
    if not finite:
        return False
    candidates = set.intersection(*(set(lit.values) for lit in finite))
    return not any(all(_holds(lit, v) for lit in lits) for v in candidates)


def _logic_findings(node: Logical) -> Iterator[Finding]:
    flip = node.op == "or"  # an or is always true when the and of its negations is never true
    by_key: dict[str, list[_Literal]] = {}
    for operand in node.operands:
        lit = _literal(operand)
        if lit is None or (len(lit.values) != 1 and lit.op != "eq"):
            continue
        if flip:
            lit = lit._replace(positive=not lit.positive)
        by_key.setdefault(lit.key, []).append(lit)
    for key, lits in by_key.items():
        if len(lits) > 1 and _unsatisfiable(lits):
            if flip:
                yield Finding("RL542", f"this or is always true: every value of {key} "
                              "passes one of its tests", node.span,
                              "use and, or in {…} / not … in {…}")
            else:
                yield Finding("RL541", f"this and is never true: no value of {key} passes "
                              "all of its tests", node.span,
                              "use or, or drop the test that excludes the others")
            return


# --------------------------------------------------------------------------- RL543


def _constants(expr: Expr) -> Iterator[Finding]:
    """RL543: the filter ``false`` (the language has no other Boolean literal)."""
    top = expr
    while isinstance(top, Group):
        top = top.expr
    if isinstance(top, BoolConst) and not top.value:
        yield Finding("RL543", "this filter is false, so the rule never matches", top.span,
                      "disable the rule (enabled: false) instead, or write the real condition")
