"""Terraform ``cloudflare_ruleset`` resources as rule-set documents.

python-hcl2 parses the file; this module walks its parse tree once, turning every
literal into a Python value and remembering its line and column.  Both provider
syntaxes are read: v4 blocks (``rules { … }``, ``edge_ttl { … }``) and v5
attributes (``rules = [{ … }]``).  The result is the Rulesets API's JSON shape
(cache-phases.md §1.4): a repeated block becomes an array, a single block an object
(``rules`` and ``status_code_ttl`` are always arrays), ``null`` attributes are left
out as Terraform does, and ``set_cache_control`` directive names are spelled with
hyphens (PD-33).

Terraform is evaluated partially, as far as the file fixes the values
(docs/terraform.md): constant arithmetic, comparisons and conditionals; ``local.x``
and the defaults of ``variable`` blocks (of this file and the other ``.tf`` files
beside it) where they are literal; ``"${…}"`` templates whose parts are known.
Whatever Terraform alone can decide (``var.x`` without a default, ``each.value``, a
``dynamic`` block's iterator, a function call) becomes an
:class:`~rulelang.rules.documents.Unknown` recorded in ``Document.unknowns``; a
string with unknown interpolations becomes a
:class:`~rulelang.rules.documents.Template`.  ``dynamic`` blocks are read from their
``content`` (one element standing for all of them).  Rule sets whose ``phase`` is
another Cloudflare phase are returned as skipped documents carrying one note (RS010).
Nothing is guessed: an unknown value is never replaced by a made-up one.
"""

from __future__ import annotations

import math
import operator
import re
from pathlib import Path
from typing import Any

from rulelang.errors import Diagnostic, Location
from rulelang.files import MAX_NESTING, json_nesting_offset, line_col
from rulelang.rules.documents import (
    Document,
    LoadError,
    PathKey,
    Pos,
    Template,
    Unknown,
    path_text,
)
from rulelang.schema.catalogue import OTHER_PHASES

__all__ = ["hyphenate_directives", "read_terraform", "terraform_directive_name",
           "terraform_number"]

#: Blocks that the provider always models as lists, even when written once.
_LIST_BLOCKS = frozenset({"rules", "status_code_ttl"})
#: Attributes of the resource that are not part of the Rulesets API body.
_TERRAFORM_ONLY = frozenset({"zone_id", "account_id", "provider", "lifecycle", "depends_on",
                             "count", "for_each"})


#: Resource attributes that only label the rule set: a value Terraform must evaluate
#: (a variable, a function call) is left out rather than refused.
_LABELS = frozenset({"name", "description"})


#: How deep locals may refer to each other before rulelang stops following them.
_MAX_DEPTH = 32
#: The arithmetic and comparison operators of HCL (cache values only need these).
_BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "%": operator.mod,
           "==": operator.eq, "!=": operator.ne, "<": operator.lt, ">": operator.gt,
           "<=": operator.le, ">=": operator.ge}
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?\Z")
#: The largest string rulelang builds from interpolations (a rule set sent to the API
#: is far smaller), and the largest number it computes (far beyond any TTL or port).
_MAX_TEXT = 1_000_000
_MAX_BITS = 256


class _Unsupported(Exception):
    def __init__(self, message: str, pos: Pos, hint: str = "Terraform refuses this value"):
        super().__init__(message)
        self.pos = pos
        self.hint = hint


def _checked_number(value: Any, what: str, pos: Pos) -> Any:
    """``value`` when it is a number rulelang can carry (finite, at most 256 bits);
    raises :class:`_Unsupported` for anything bigger (no TTL, port or status is)."""
    too_big = (isinstance(value, float) and not math.isfinite(value)) or (
        isinstance(value, int) and not isinstance(value, bool)
        and value.bit_length() > _MAX_BITS)
    if too_big:
        raise _Unsupported(f"{what} is a number out of range", pos,
                           "no cache setting takes a number this large")
    return value


def terraform_number(value: Any) -> int | float | None:
    """``value`` as a number the way Terraform converts it (``"8080"`` → 8080); ``None``
    when it is not a number or a numeric string."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        n = float(value)
        return int(n) if n.is_integer() and not re.search(r"[.eE]", value) else n
    return None


def _terraform_string(value: Any) -> str | None:
    """A known scalar as Terraform interpolates it (``None`` for anything else)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return value
    return None


def terraform_directive_name(name: str) -> str:
    """The API spelling of a Terraform ``set_cache_control`` directive name (PD-33)."""
    return name.replace("_", "-")


def _parse(text: str, file: str | None):
    """The HCL parse tree of ``text``; raises :class:`LoadError` (RS004) when invalid."""
    try:
        import hcl2
        from lark.exceptions import LarkError, UnexpectedInput
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise LoadError(Diagnostic("RS004", f"python-hcl2 is not installed ({exc})",
                                   location=Location(file))) from None
    deep = json_nesting_offset(text, syntax="hcl")
    if deep is not None:
        raise LoadError(Diagnostic(
            "RS011", f"the document is nested more than {MAX_NESTING} levels deep",
            location=Location(file, "", *line_col(text, deep)),
            hint=f"rules files nest a few levels deep; rulelang refuses more than "
                 f"{MAX_NESTING} (is this file generated by mistake?)"))
    try:
        return hcl2.parses_to_tree(text)
    except UnexpectedInput as exc:
        token = getattr(exc, "token", None)
        text_of_token = str(token).split("\n")[0].strip()[:40] if token is not None else ""
        if not text_of_token or getattr(token, "type", "") == "$END":
            problem = "the file ends too early (an unclosed `{`, `[`, `(` or string?)"
        else:
            problem = f"unexpected `{text_of_token}`"
        raise LoadError(Diagnostic(
            "RS004", f"invalid HCL: {problem}",
            location=Location(file, "", getattr(exc, "line", None),
                              getattr(exc, "column", None)),
            hint="check braces, quotes and '=' between names and values")) from None
    except (LarkError, RecursionError, ValueError) as exc:
        raise LoadError(Diagnostic("RS004", f"invalid HCL: {exc}",
                                   location=Location(file))) from None


def read_terraform(text: str, file: str | None) -> list[Document]:
    """Every ``cloudflare_ruleset`` resource of ``text`` as a document (resources of
    other phases as skipped documents with a note)."""
    tree = _parse(text, file)
    try:
        docs = _read_resources(tree, text, file)
    except RecursionError:
        raise LoadError(Diagnostic(
            "RS004", "the Terraform file is nested too deeply to read",
            location=Location(file, "", 1, 1),
            hint="split deeply nested expressions into locals")) from None
    if not docs:
        raise LoadError(Diagnostic(
            "RS007", "no cloudflare_ruleset resource in this Terraform file",
            location=Location(file, "", 1, 1),
            hint='rules are read from resource "cloudflare_ruleset" "<name>" { … }'))
    return docs


def _read_resources(tree, text: str, file: str | None) -> list[Document]:
    walker = _Walker(text, file)
    walker.scope = _Scope(text, tree, file)
    docs = []
    #: (phase, zone_id as written) → the resource that is that zone's entry point
    entry_points: dict[tuple[str, str], str] = {}
    for block in _children(_first(tree, "body"), "block"):
        name, labels, body = _block_parts(block)
        if name == "resource" and labels == ["cloudflare_ruleset"]:
            raise LoadError(Diagnostic(
                "RS004", 'resource "cloudflare_ruleset" has no name',
                location=Location(file, "", *_pos(block)),
                hint='Terraform needs two labels: resource "cloudflare_ruleset" "<name>" { … }'))
        if name != "resource" or len(labels) != 2 or labels[0] != "cloudflare_ruleset":
            continue
        doc = Document(value=None, file=file, format="terraform",
                       label=f"cloudflare_ruleset.{labels[1]}")
        walker.doc = doc
        try:
            other = _other_phase(walker, body)
        except _Unsupported:
            other = None  # the phase itself is refused: reported when the body is read
        if other is not None:
            doc.skipped = True
            doc.positions[()] = _pos(block)
            doc.diagnostics.append(Diagnostic(
                "RS010", f"{doc.label}: phase {other} is not a cache phase; skipped",
                location=Location(file, "", *_pos(block))))
            docs.append(doc)
            continue
        try:
            value = walker.body(body, ())
        except _Unsupported as exc:
            raise LoadError(Diagnostic(
                "RS008", f"{doc.label}: {exc}", location=Location(file, "", *exc.pos),
                hint="rulelang reads literal values only; write the value itself "
                     "or run `terraform show -json` and load that")) from None
        for key in _TERRAFORM_ONLY:
            value.pop(key, None)
        hyphenate_directives(value, doc)
        doc.value = value
        doc.positions[()] = _pos(block)
        _second_entry_point(walker, body, value, doc, entry_points)
        docs.append(doc)
    return docs


def _second_entry_point(walker: _Walker, body, value: dict, doc: Document,
                        entry_points: dict[tuple[str, str], str]) -> None:
    """RS101 when ``doc`` is a second zone rule set of the same cache phase for the zone
    another resource of the file already names the same way (``zone_id`` written
    identically, no ``count``/``for_each``): each phase has one entry point rule set
    a zone, and Cloudflare refuses to create another."""
    phase, kind = value.get("phase"), value.get("kind", "zone")
    if not isinstance(phase, str) or kind != "zone":
        return
    zone = None
    for c in _children(body, "attribute"):
        name = _identifier(c.children[0])
        if name in ("count", "for_each", "account_id"):
            return
        if name == "zone_id":
            zone = " ".join(walker.raw(c.children[-1]).split())
    if zone is None:
        return
    first = entry_points.setdefault((phase, zone), doc.label)
    if first != doc.label:
        doc.diagnostics.append(Diagnostic(
            "RS101", f"{doc.label}: a second {phase} rule set for zone_id = {zone} "
            f"(the first is {first}); Cloudflare has one entry point rule set a phase "
            "and zone and refuses to create another",
            location=Location(walker.file, "", *doc.positions[()]),
            hint=f"move these rules into {first}"))


def _other_phase(walker: _Walker, body) -> str | None:
    """The resource's phase when it is a literal phase of another product."""
    for c in _children(body, "attribute"):
        if _identifier(c.children[0]) == "phase":
            value = walker.value(c.children[-1], None)
            return value if isinstance(value, str) and value in OTHER_PHASES else None
    return None


#: Parsed sibling files, by (path, modification time, size): `lint dir/` reads each
#: ``.tf`` file's siblings once, not once per file.
_SIBLINGS: dict[tuple[str, int, int], tuple[Any, str] | None] = {}


def _sibling_tree(path: Path) -> tuple[Any, str] | None:
    """The parse tree and text of a ``.tf`` file beside the one being read, or ``None``
    when it cannot be read or parsed (it is then simply not used)."""
    try:
        st = path.stat()
    except OSError:
        return None
    key = (str(path), st.st_mtime_ns, st.st_size)
    if key not in _SIBLINGS:
        found = None
        if st.st_size <= 2_000_000:
            try:
                text = path.read_text("utf-8-sig")
                found = (_parse(text, str(path)), text)
            except (OSError, UnicodeError, LoadError):
                found = None
        if len(_SIBLINGS) >= 256:
            _SIBLINGS.clear()
        _SIBLINGS[key] = found
    return _SIBLINGS[key]


class _Scope:
    """The ``locals`` and ``variable`` defaults of a Terraform directory, read from the
    file itself and the other ``.tf`` files beside it (those that parse)."""

    def __init__(self, text: str, tree, file: str | None):
        self.locals: dict[str, tuple[Any, str]] = {}
        self.variables: dict[str, tuple[Any, str]] = {}
        self._collect(tree, text)
        if file is not None:
            here = Path(file)
            try:
                siblings = sorted(p for p in here.parent.glob("*.tf") if p != here)[:200]
            except OSError:
                siblings = []
            for other in siblings:
                parsed = _sibling_tree(other)
                if parsed is not None:
                    self._collect(*parsed)

    def _collect(self, tree, text: str) -> None:
        for block in _children(_first(tree, "body"), "block"):
            name, labels, body = _block_parts(block)
            if name == "locals":
                for c in _children(body, "attribute"):
                    self.locals.setdefault(_identifier(c.children[0]), (c.children[-1], text))
            elif name == "variable" and len(labels) == 1:
                for c in _children(body, "attribute"):
                    if _identifier(c.children[0]) == "default":
                        self.variables.setdefault(labels[0], (c.children[-1], text))


def hyphenate_directives(ruleset: dict, doc: Document) -> None:
    """Spell the ``set_cache_control`` directive names of ``ruleset`` the API's way
    (``s_maxage`` → ``s-maxage``), moving their positions in ``doc`` along."""
    rules = ruleset.get("rules")
    if not isinstance(rules, list):
        return
    for i, rule in enumerate(rules):
        if not isinstance(rule, dict) or rule.get("action") != "set_cache_control":
            continue
        params = rule.get("action_parameters")
        if not isinstance(params, dict):
            continue
        base = ("rules", i, "action_parameters")
        renamed = {}
        for key, val in params.items():
            new = terraform_directive_name(key) if isinstance(key, str) else key
            renamed[new] = val
            if new != key:
                for table in (doc.positions, doc.content_starts, doc.key_positions):
                    for path in [p for p in table if p[:4] == base + (key,)]:
                        table[base + (new,) + path[4:]] = table.pop(path)
        rule["action_parameters"] = renamed


# --------------------------------------------------------------------------- tree helpers

def _data(node) -> str | None:
    return getattr(node, "data", None)


def _children(node, name: str):
    return [c for c in getattr(node, "children", ()) if _data(c) == name]


def _first(node, name: str):
    for c in getattr(node, "children", ()):
        if _data(c) == name:
            return c
    return None


def _tokens(node):
    if hasattr(node, "scan_values"):
        return [t for t in node.scan_values(lambda v: hasattr(v, "line"))]
    return [node] if hasattr(node, "line") else []


def _pos(node) -> Pos:
    toks = _tokens(node)
    for t in toks:
        if t.type not in ("NL_OR_COMMENT",):
            return (t.line, t.column)
    return (1, 1)


def _identifier(node) -> str:
    toks = _tokens(node)
    return str(toks[0]) if toks else ""


def _block_parts(block: Any) -> tuple[str, list[str], Any]:
    """A block's type name, its labels and its body (a lark tree; ``None`` when empty)."""
    name = ""
    labels: list[str] = []
    body = None
    for c in block.children:
        d = _data(c)
        if d in ("identifier", "keyword") and not name:
            name = _identifier(c)
        elif d == "string":
            labels.append("".join(str(t) for t in _tokens(c) if t.type == "STRING_CHARS"))
        elif d == "identifier":
            labels.append(_identifier(c))
        elif d == "body":
            body = c
    return name, labels, body


_ESCAPE = re.compile(r'\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.))', re.DOTALL)
_SIMPLE = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


class _Walker:
    """Turns HCL parse-tree nodes into values, recording positions in ``doc``."""

    def __init__(self, text: str, file: str | None):
        self.text = text
        self.file = file
        self.doc: Document
        self.scope: _Scope | None = None
        #: the locals and variables being evaluated, outermost first (a cycle is an error)
        self._following: dict[str, None] = {}
        #: what each local and variable evaluated to (or the error it raised), so that a
        #: value used many times is computed once
        self._values: dict[str, Any] = {}

    # ----------------------------------------------------------------- bodies
    def member(self, out: dict, key: str, key_node, value_node, path: PathKey) -> None:
        """Read ``key = value`` (an attribute or an object element) into ``out``,
        recording the positions of the key and of the value."""
        if key in out:
            self.duplicate(key, path, _pos(key_node))
        self.doc.key_positions[path + (key,)] = _pos(key_node)
        self.doc.positions[path + (key,)] = _pos(value_node)
        try:
            value = self.value(value_node, path + (key,))
        except _Unsupported as exc:
            # Terraform itself would refuse it (`1 / 0`, `"a" * 2`): an error here, and
            # nothing that depends on the value is checked.
            self.doc.diagnostics.append(Diagnostic(
                "RS008", f"{self.doc.label}: {exc}", hint=exc.hint,
                location=Location(self.file, path_text(path + (key,)), *exc.pos)))
            out[key] = Unknown(self.snippet(value_node))
            return
        if isinstance(value, Unknown):
            if key in _LABELS:
                return  # a label only: `name = var.name` is left out
            self.doc.unknowns[path + (key,)] = value.text
        if value is not None:
            out[key] = value

    def body(self, body, path: PathKey) -> dict:
        out: dict[str, Any] = {}
        blocks: dict[str, list] = {}
        for c in getattr(body, "children", ()):
            d = _data(c)
            if d == "attribute":
                key = _identifier(c.children[0])
                value_node = c.children[-1]
                if not path and key in _TERRAFORM_ONLY:
                    continue  # never read: `zone_id = var.zone_id` is fine
                self.member(out, key, c.children[0], value_node, path)
            elif d == "block":
                name, labels, _ = _block_parts(c)
                if name == "dynamic":
                    if not labels:
                        raise _Unsupported("a dynamic block needs a name", _pos(c))
                    name = labels[0]
                blocks.setdefault(name, []).append(c)
                out.setdefault(name, None)
        for name, group in blocks.items():
            as_list = name in _LIST_BLOCKS or len(group) > 1
            values = []
            for i, block in enumerate(group):
                sub = path + ((name, i) if as_list else (name,))
                self.doc.positions[sub] = _pos(block)
                if i == 0:
                    self.doc.key_positions[path + (name,)] = _pos(block)
                values.append(self.body(self.block_body(block, sub), sub))
            out[name] = values if as_list else values[0]
        return out

    def block_body(self, block, path: PathKey):
        """The body a block's value is read from: its own, or a ``dynamic`` block's
        ``content`` (recorded as one element standing for all that Terraform makes)."""
        name, labels, body = _block_parts(block)
        if name != "dynamic":
            return body
        source = "?"
        content = None
        for c in getattr(body, "children", ()):
            if _data(c) == "attribute" and _identifier(c.children[0]) == "for_each":
                source = self.snippet(c.children[-1])
            elif _data(c) == "block" and _block_parts(c)[0] == "content":
                content = _block_parts(c)[2]
        if content is None:
            raise _Unsupported(f'dynamic block "{labels[0]}" has no content block', _pos(block))
        self.doc.unknowns[path] = (f'dynamic "{labels[0]}" (for_each = {source}): its '
                                   "content is checked once, for every element")
        return content

    # ----------------------------------------------------------------- expressions
    def value(self, node, path: PathKey | None) -> Any:
        """The value of an expression node: a Python value, or an :class:`Unknown`
        for what only Terraform can decide.  ``path`` (``None`` inside an operand)
        is where the positions of tuple and object members are recorded."""
        d = _data(node)
        if d == "expr_term":
            kids = [k for k in node.children if _data(k) != "new_line_or_comment"
                    and not (hasattr(k, "type") and k.type in ("LPAR", "RPAR"))]
            if len(kids) == 1:
                return self.value(kids[0], path)
        elif d == "string":
            return self.string(node, path)
        elif d == "literal_value":
            word = _identifier(node)
            return {"true": True, "false": False, "null": None}.get(word, word)
        elif d == "int_lit":
            text = _identifier(node)
            if len(text) > 80:
                raise _Unsupported(f"the number {text[:20]}... is out of range", _pos(node),
                                   "no cache setting takes a number this large")
            return int(text)
        elif d == "float_lit":
            text = _identifier(node)
            number = _checked_number(float(text), text[:40], _pos(node))
            if number.is_integer() and "." not in text:
                return _checked_number(int(number), text[:40], _pos(node))
            return number
        elif d == "unary_op":
            return self.unary(node)
        elif d == "binary_op":
            return self.binary(node)
        elif d == "conditional":
            return self.conditional(node)
        elif d in ("get_attr_expr_term", "index_expr_term"):
            return self.reference(node)
        elif d == "tuple":
            items = []
            for i, child in enumerate(c for c in node.children if _data(c) is not None
                                      and _data(c) != "new_line_or_comment"):
                sub = None if path is None else path + (i,)
                if sub is not None:
                    self.doc.positions[sub] = _pos(child)
                item = self.value(child, sub)
                if sub is not None and isinstance(item, Unknown):
                    self.doc.unknowns[sub] = item.text
                items.append(item)
            return items
        elif d == "object":
            out: dict[str, Any] = {}
            for elem in _children(node, "object_elem"):
                key = self.object_key(elem.children[0])
                if isinstance(key, Unknown):
                    return Unknown(self.snippet(node))
                if path is None:
                    out[key] = self.value(elem.children[-1], None)
                else:
                    self.member(out, key, elem.children[0], elem.children[-1], path)
            return out
        elif d in ("heredoc_template", "heredoc_template_trim"):
            return self.heredoc(node, path, trim=d == "heredoc_template_trim")
        elif d == "for_tuple_expr" and path is not None:
            return self.for_tuple(node, path)
        return Unknown(self.snippet(node))

    def for_tuple(self, node, path: PathKey) -> list | Unknown:
        """``[for r in X : {…}]``: Terraform makes one element a member of ``X`` (those
        the ``if`` keeps); rulelang reads the template once, standing for all of them,
        with the iterator's values unknown (as a ``dynamic`` block's ``content``)."""
        kids = self.operands(node)
        intro = next((k for k in kids if _data(k) == "for_intro"), None)
        body = next((k for k in kids if _data(k) not in ("for_intro", "for_cond")), None)
        if intro is None or body is None:
            return Unknown(self.snippet(node))
        sub = path + (0,)
        self.doc.positions[sub] = _pos(body)
        item = self.value(body, sub)
        if isinstance(item, Unknown):
            return Unknown(self.snippet(node))
        head = " ".join(self.raw(intro).split()).rstrip(" :")
        self.doc.unknowns[path] = (f"for expression [{head} : …]: its template is "
                                   "checked once, for every element")
        return [item]

    def operands(self, node) -> list:
        return [c for c in node.children if _data(c) is not None
                and _data(c) != "new_line_or_comment"]

    def unary(self, node) -> Any:
        op = _identifier(node)
        inner = self.value(node.children[-1], None)
        if isinstance(inner, Unknown):
            return Unknown(self.snippet(node))
        if op == "-":
            n = terraform_number(inner)
            if n is not None:
                return -n
        elif op == "!" and isinstance(inner, bool):
            return not inner
        raise _Unsupported(f"{self.snippet(node)!r}: {op} does not apply to "
                           f"{inner!r}", _pos(node))

    def binary(self, node) -> Any:
        left_node, term = self.operands(node)[:2]
        op_node, right_node = self.operands(term)[:2]
        op = _identifier(op_node)
        left = self.value(left_node, None)
        right = self.value(right_node, None)
        if isinstance(left, Unknown) or isinstance(right, Unknown):
            if op == "&&" and (left is False or right is False):
                return False
            if op == "||" and (left is True or right is True):
                return True
            return Unknown(self.snippet(node))
        if op in ("&&", "||"):
            if isinstance(left, bool) and isinstance(right, bool):
                return (left and right) if op == "&&" else (left or right)
        elif op in ("==", "!="):
            return _BINARY[op](left, right)
        else:
            a, b = terraform_number(left), terraform_number(right)
            if a is not None and b is not None:
                _checked_number(a, repr(left)[:40], _pos(node))
                _checked_number(b, repr(right)[:40], _pos(node))
                try:
                    if op == "/":
                        result = a / b
                        return int(result) if float(result).is_integer() else result
                    result = _BINARY[op](a, b)
                except ZeroDivisionError:
                    raise _Unsupported(f"{self.snippet(node)!r} divides by zero",
                                       _pos(node)) from None
                what = f"{self.snippet(node)!r}"
                result = _checked_number(result, what, _pos(node))
                if isinstance(result, float) and result.is_integer() and op in "+-*%":
                    return _checked_number(int(result), what, _pos(node))
                return result
        raise _Unsupported(f"{self.snippet(node)!r}: {op} does not apply to "
                           f"{left!r} and {right!r}", _pos(node))

    def conditional(self, node) -> Any:
        cond, then, other = self.operands(node)[:3]
        test = self.value(cond, None)
        if isinstance(test, bool):
            return self.value(then if test else other, None)
        return Unknown(self.snippet(node))

    def reference(self, node) -> Any:
        """``var.x``, ``local.x`` (and attributes or indexes of them) when the directory
        fixes them; anything else (``each.value``, a resource attribute) is unknown."""
        steps: list = []
        base = node
        while _data(base) in ("get_attr_expr_term", "index_expr_term", "expr_term"):
            kids = self.operands(base)
            if _data(base) == "expr_term":
                if len(kids) != 1:
                    break
                base = kids[0]
                continue
            if _data(base) == "get_attr_expr_term":
                steps.append(_identifier(_first(kids[1], "identifier") or kids[1]))
            else:
                inner = self.operands(kids[1])
                steps.append(self.value(inner[0], None) if inner else Unknown("?"))
            base = kids[0]
        steps.reverse()
        unknown = Unknown(self.snippet(node))
        if _data(base) != "identifier" or not steps or self.scope is None:
            return unknown
        root, name = _identifier(base), steps[0]
        table = {"var": self.scope.variables, "local": self.scope.locals}.get(root)
        key = f"{root}.{name}"
        if table is None or name not in table:
            return unknown
        if key in self._following:
            chain = " → ".join(self._following) + f" → {key}"
            raise _Unsupported(f"{key} refers to itself ({chain})", _pos(node),
                               "Terraform refuses a cycle between locals; break it")
        if len(self._following) >= _MAX_DEPTH:
            return Unknown(f"{self.snippet(node)} (locals nested more than {_MAX_DEPTH} "
                           "deep are not followed)")
        if key in self._values:
            value = self._values[key]
        else:
            found_node, text = table[name]
            self._following[key] = None
            saved = self.text
            self.text = text
            try:
                value = self.value(found_node, None)
            except _Unsupported as exc:
                value = exc
            finally:
                self.text = saved
                del self._following[key]
            self._values[key] = value
        if isinstance(value, _Unsupported):
            raise value
        for step in steps[1:]:
            listed = isinstance(value, list) and isinstance(step, int) and not \
                isinstance(step, bool) and 0 <= step < len(value)
            if not (listed or (isinstance(value, dict) and isinstance(step, str)
                               and step in value)):
                return unknown
            value = value[step]
        return unknown if isinstance(value, Unknown) else value

    def object_key(self, node) -> str | Unknown:
        inner = node
        while _data(inner) in ("object_elem_key", "expr_term") and len(inner.children) == 1:
            inner = inner.children[0]
        if _data(inner) == "identifier" or _data(inner) == "keyword":
            return _identifier(inner)
        if _data(inner) == "string":
            key = self.string(inner)
            return key if isinstance(key, str) else Unknown(key.text)
        return Unknown(self.snippet(node))

    def string(self, node, path: PathKey | None = None) -> str | Unknown:
        """A quoted string; with interpolations, their values when the directory fixes
        them, else a :class:`Template`."""
        source = ""
        parts: list[str | tuple[int, int, str | None]] = []

        def literal(text: str) -> None:
            nonlocal source
            source += text
            if parts and isinstance(parts[-1], str):
                parts[-1] += text
            else:
                parts.append(text)

        for t in node.children:
            pieces = t.children if _data(t) == "string_part" else [t]
            for sub in pieces:
                if hasattr(sub, "type"):
                    if sub.type != "DBLQUOTE":
                        literal(self.token_text(sub))
                    continue
                if _data(sub) != "interpolation":
                    # a %{ if … } / %{ for … } directive: the text itself depends on it
                    return Unknown(self.snippet(node))
                inner = [k for k in getattr(sub, "children", ()) if _data(k) is not None]
                value = self.value(inner[0], None) if inner else Unknown(self.snippet(sub))
                text = None if isinstance(value, Unknown) else _terraform_string(value)
                raw = self.raw(sub)
                parts.append((len(source), len(source) + len(raw), text))
                source += raw
        if all(isinstance(p, str) for p in parts):
            return source
        template = Template(source, parts)
        if template.unknown:
            return template
        if sum(len(p) if isinstance(p, str) else len(p[2] or "") for p in parts) > _MAX_TEXT:
            raise _Unsupported(f"{self.snippet(node)!r} is longer than {_MAX_TEXT:,} "
                               "characters", _pos(node),
                               "no rule set the API takes holds a value this long")
        if path is not None:
            self.doc.rewrites[path] = template
        return "".join(p if isinstance(p, str) else p[2] or "" for p in parts)

    def token_text(self, tok) -> str:
        if tok.type == "ESCAPED_INTERPOLATION":
            return str(tok)[1:]
        if tok.type == "ESCAPED_DIRECTIVE":
            return str(tok)[1:]
        if tok.type == "DBLQUOTE":
            return ""

        def unescape(m: re.Match) -> str:
            if m.group(1) or m.group(2):
                code = int(m.group(1) or m.group(2), 16)
                if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                    raise _Unsupported(f"invalid escape {m.group()!r}", (tok.line, tok.column))
                return chr(code)
            if m.group(3) in _SIMPLE:
                return _SIMPLE[m.group(3)]
            raise LoadError(Diagnostic(
                "RS004", f"invalid escape sequence {m.group()!r} in a string",
                location=Location(self.file, "", tok.line, tok.column + m.start()),
                hint='HCL strings know \\n \\r \\t \\" \\\\ \\uNNNN and \\UNNNNNNNN; '
                     "write a backslash as \\\\"))
        return _ESCAPE.sub(unescape, str(tok))

    def heredoc(self, node, path: PathKey | None, trim: bool) -> str | Unknown:
        tok = _tokens(node)[0]
        raw = str(tok)
        first_nl = raw.find("\n")
        marker = raw[:first_nl].lstrip("<-").strip()
        lines = raw[first_nl + 1:].split("\n")
        for j in range(len(lines) - 1, -1, -1):
            if lines[j].strip() == marker:
                lines = lines[:j]
                break
        first = next((s for s in lines if s.strip()), "")
        lead = len(first) - len(first.lstrip(" \t"))
        skipped = next((i for i, s in enumerate(lines) if s.strip()), 0)
        if trim:
            widths = [len(s) - len(s.lstrip(" \t")) for s in lines if s.strip()]
            indent = min(widths, default=0)
            lines = [s[indent:] for s in lines]
        content = "".join(s + "\n" for s in lines)
        if path is not None:
            self.doc.content_starts[path] = (tok.line + 1 + skipped, lead + 1)
        if re.search(r"(?<!%)%\{", content):
            return Unknown(self.snippet(node))  # a template directive decides the text
        found = list(re.finditer(r"(?<!\$)\$\{[^{}]*\}", content))
        if not found:
            return content.replace("$${", "${").replace("%%{", "%{")
        parts: list[str | tuple[int, int, str | None]] = []
        at = 0
        for m in found:
            if m.start() > at:
                parts.append(content[at:m.start()])
            parts.append((m.start(), m.end(), None))
            at = m.end()
        if at < len(content):
            parts.append(content[at:])
        return Template(content, parts)

    def duplicate(self, key: str, path: PathKey, pos: Pos) -> None:
        self.doc.diagnostics.append(Diagnostic(
            "RS009", f"duplicate key {key!r}; only the last one is used",
            location=Location(self.file, path_text(path), *pos),
            hint="Terraform itself refuses an attribute given twice; delete one"))

    def raw(self, node) -> str:
        """The text of ``node`` as the file writes it."""
        toks = _tokens(node)
        start = getattr(toks[0], "start_pos", None) if toks else None
        end = getattr(toks[-1], "end_pos", None) if toks else None
        if start is None or end is None:
            return " ".join(str(t) for t in toks) or "?"
        return self.text[start:end]

    def snippet(self, node) -> str:
        text = " ".join(self.raw(node).split())
        return text if len(text) <= 60 else text[:57] + "..."
