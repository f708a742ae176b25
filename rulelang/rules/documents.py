"""Read rules files into plain values while remembering where every part sits.

Each reader returns :class:`Document` objects: the rule-set value (dicts, lists,
strings, numbers — the JSON shape of the Rulesets API) plus a map from the path of
every value (``("rules", 3, "action_parameters", "edge_ttl", "mode")``) to its
1-based line and column in the file.  JSON and YAML come back as they are written;
Terraform ``cloudflare_ruleset`` resources are translated to the JSON shape
(:mod:`rulelang.rules.terraform`); which reader reads a file is decided in
:mod:`rulelang.rules.files`.  Anything unreadable raises :class:`LoadError` carrying one
diagnostic; no other exception leaves this module.  :func:`path_text` is the one way a
document path is printed.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml

from rulelang.errors import Diagnostic, Location
from rulelang.files import (
    MAX_NESTING,
    NestedTooDeeply,
    compose_yaml_all,
    json_nesting_offset,
    line_col,
    shorten,
)

__all__ = ["Document", "LoadError", "PathKey", "Pos", "Template", "Unknown", "document_from_value", "fail", "path_text",
           "read_json", "read_yaml"]

Pos = tuple[int, int]
PathKey = tuple[Any, ...]


class Unknown:
    """A value the file does not fix: Terraform computes it (``var.ttl`` without a
    default, ``each.value.host``, a function call).  ``text`` is how the file writes it.
    The loaders check everything around an unknown value and nothing that depends on it."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return f"Unknown({self.text!r})"


class Template(Unknown):
    """A string with interpolations Terraform fills in (``"http.host eq \\"${var.host}\\""``).

    ``source`` is the string as the file writes it (the ``${…}`` kept); ``parts`` its
    pieces: literal text, or ``(start, end, text)`` for an interpolation at
    ``source[start:end]`` whose value is ``text`` (``None`` when Terraform decides it).
    A string whose interpolations are all known is read as its value, and its
    template kept in ``Document.rewrites`` so that positions still map into the file.
    """

    __slots__ = ("parts", "source")

    def __init__(self, source: str, parts: list[str | tuple[int, int, str | None]]):
        super().__init__(source)
        self.source = source
        self.parts = parts

    @property
    def unknown(self) -> int:
        """How many interpolations Terraform decides."""
        return sum(1 for p in self.parts if not isinstance(p, str) and p[2] is None)


@dataclass
class Document:
    """One rule-set document: its value and where each of its parts sits in the file.

    ``positions`` maps a value's path to the line and column where the value starts;
    ``content_starts`` maps the path of a string to the position of its first
    character when that differs from ``position + 1 column`` (YAML plain or block
    scalars, Terraform heredocs).  ``key_positions`` maps the path of an object
    member to where its key is written, so that a problem with the member itself (an
    unknown key) points at the key.
    """

    value: Any
    file: str | None = None
    format: str = "dict"
    positions: dict[PathKey, Pos] = field(default_factory=dict)
    content_starts: dict[PathKey, Pos] = field(default_factory=dict)
    key_positions: dict[PathKey, Pos] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    label: str = ""
    #: Paths whose value Terraform decides (``rules[0].action_parameters.edge_ttl.default``)
    #: → how the file writes it; each is reported once (RS008).
    unknowns: dict[PathKey, str] = field(default_factory=dict)
    #: Strings whose ``${…}`` interpolations were filled in from the file: path → the
    #: string as written, to place diagnostics of an expression in the file.
    rewrites: dict[PathKey, Template] = field(default_factory=dict)
    #: Items of ``$name`` lists the file itself defines (an octorules ``lists:`` section);
    #: used when the caller supplies no lists.
    lists: dict[str, list] | None = None
    #: Set when the document is not a cache rule set that should be checked (a ruleset of
    #: another phase); its ``diagnostics`` say why, as notes.
    skipped: bool = False

    def position(self, path: PathKey) -> Pos | None:
        """Line and column of the value at ``path`` (or of its nearest enclosing value)."""
        while True:
            pos = self.positions.get(path)
            if pos is not None or not path:
                return pos
            path = path[:-1]

    def key_position(self, path: PathKey) -> Pos | None:
        """Line and column of the key of the member at ``path`` (else of its value)."""
        return self.key_positions.get(path) or self.position(path)

    def content_start(self, path: PathKey) -> Pos | None:
        """Line and column of the first character of the string at ``path``."""
        pos = self.content_starts.get(path)
        if pos is not None:
            return pos
        pos = self.positions.get(path)
        if pos is None:
            return self.position(path)
        return (pos[0], pos[1] + 1)

    def rebase(self, prefix: PathKey, new_prefix: PathKey = ()) -> None:
        """Re-key every path that starts with ``prefix`` so that it starts with ``new_prefix``."""
        n = len(prefix)
        for name in ("positions", "content_starts", "key_positions"):
            old = getattr(self, name)
            setattr(self, name, {new_prefix + k[n:]: v for k, v in old.items()
                                 if k[:n] == prefix})


class LoadError(Exception):
    """A file that cannot be read as a rule set; carries one diagnostic."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def fail(code: str, message: str, file: str | None, line: int | None = None,
          column: int | None = None, hint: str = "", path: str = "") -> LoadError:
    return LoadError(Diagnostic(code, message, hint=hint,
                                location=Location(file, path, line, column)))


# --------------------------------------------------------------------------- paths

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")


def path_text(path: Iterable[Any]) -> str:
    """How a document path is printed: ``("rules", 3, "expression")`` → ``rules[3].expression``;
    a key that is not a plain name is quoted (``rules[0]["a b"]``)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and _NAME.match(part):
            out += f".{part}" if out else part
        else:
            out += "[" + _quote(part) + "]"
    return out


def _quote(part: Any) -> str:
    try:
        return json.dumps(part, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(part)


def document_from_value(value: Any, label: str = "") -> Document:
    """A document for an in-memory value (no file, no positions)."""
    return Document(value=value, label=label)


# --------------------------------------------------------------------------- JSON

# Strings as "unrolled loops": Python's regex engine then keeps no backtracking state per
# character, so a string of 50 MB costs its own size and no more.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+', re.DOTALL)
_NESTING_HINT = (f"rules files nest a few levels deep; rulelang refuses more than "
                 f"{MAX_NESTING} (is this file generated by mistake?)")


class _LineIndex:
    """Offsets → 1-based (line, column)."""

    def __init__(self, text: str):
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def __call__(self, offset: int) -> Pos:
        i = bisect.bisect_right(self._starts, offset) - 1
        return (i + 1, offset - self._starts[i] + 1)


def _too_deep(file: str | None, text: str, offset: int) -> LoadError:
    line, col = line_col(text, offset)
    return fail("RS011", f"the document is nested more than {MAX_NESTING} levels deep",
                 file, line, col, hint=_NESTING_HINT)


def read_json(text: str, file: str | None) -> Document:
    """The one document of a JSON text, with the position of every value."""
    deep = json_nesting_offset(text)
    if deep is not None:
        raise _too_deep(file, text, deep)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise fail("RS002", f"invalid JSON: {exc.msg}", file, exc.lineno, exc.colno,
                    hint="JSON needs double quotes, no trailing commas and no comments"
                    ) from None
    except RecursionError:  # pragma: no cover - json_nesting_offset refuses it first
        raise fail("RS011", f"the document is nested more than {MAX_NESTING} levels deep",
                    file, hint=_NESTING_HINT) from None
    doc = Document(value=value, file=file, format="json")
    _json_positions(text, doc)
    return doc


def _json_positions(text: str, doc: Document) -> None:
    """Record the start of every value of ``text`` (already known to be valid JSON)."""
    where = _LineIndex(text)
    positions = doc.positions
    # A frame is [path, is_object, key_or_index, expecting_key, seen_keys].
    stack: list[list] = []
    for m in _JSON_TOKEN.finditer(text):
        tok = m.group()
        c = tok[0]
        if c in "}]":
            stack.pop()
            continue
        if c == ",":
            top = stack[-1]
            if top[1]:
                top[3] = True
            else:
                top[2] += 1
            continue
        if c == ":":
            stack[-1][3] = False
            continue
        if stack:
            top = stack[-1]
            if top[1] and top[3]:
                key = json.loads(tok) if "\\" in tok else tok[1:-1]
                here = where(m.start())
                if key in top[4]:
                    doc.diagnostics.append(Diagnostic(
                        "RS009", f"duplicate key {shorten(key, 60)!r}{_first_at(top[4][key])}; "
                        f"JSON keeps only the last one",
                        location=Location(doc.file, path_text(top[0]), *here)))
                else:
                    top[4][key] = here
                top[2] = key
                doc.key_positions[top[0] + (key,)] = here
                continue
            path = top[0] + (top[2],)
        else:
            path = ()
        positions[path] = where(m.start())
        if c == "{":
            stack.append([path, True, None, True, {}])
        elif c == "[":
            stack.append([path, False, 0, False, None])


def _first_at(pos: Pos | None) -> str:
    return f" (first at line {pos[0]}, column {pos[1]})" if pos else ""


# --------------------------------------------------------------------------- YAML

def read_yaml(text: str, file: str | None) -> list[Document]:
    """Every document of a YAML stream, with the position of every value."""
    docs = []
    try:
        for node, loader in compose_yaml_all(text, duplicates="keep"):
            value = loader.construct_document(node)
            doc = Document(value=value, file=file, format="yaml")
            _yaml_positions(node, (), doc, set())
            docs.append(doc)
    except NestedTooDeeply as exc:
        mark = exc.problem_mark
        raise fail("RS011", f"the document is nested more than {MAX_NESTING} levels deep",
                    file, mark.line + 1 if mark else None, mark.column + 1 if mark else None,
                    hint=_NESTING_HINT) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        problem = exc.problem or exc.context or "syntax error"
        raise fail("RS003", f"invalid YAML: {problem}", file, line, col) from None
    except (yaml.YAMLError, RecursionError, TypeError, ValueError) as exc:
        raise fail("RS003", f"invalid YAML: {shorten(str(exc))}", file) from None
    if not docs:
        raise fail("RS005", "the YAML file is empty", file, 1, 1,
                    hint='a rules file holds {"rules": [...]}')
    return docs


def _yaml_positions(node: yaml.Node, path: PathKey, doc: Document, seen: set[int]) -> None:
    if id(node) in seen:
        return
    seen.add(id(node))
    mark = node.start_mark
    doc.positions[path] = (mark.line + 1, mark.column + 1)
    if isinstance(node, yaml.ScalarNode):
        if node.style in ("|", ">"):
            doc.content_starts[path] = _block_scalar_start(node)
        elif not node.style:
            doc.content_starts[path] = (mark.line + 1, mark.column + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, child in enumerate(node.value):
            _yaml_positions(child, path + (i,), doc, seen)
    elif isinstance(node, yaml.MappingNode):
        keys: dict[str, Pos] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key = key_node.value
            if key in keys:
                km = key_node.start_mark
                doc.diagnostics.append(Diagnostic(
                    "RS009", f"duplicate key {shorten(key, 60)!r}{_first_at(keys[key])}; "
                    f"YAML keeps only the last one",
                    location=Location(doc.file, path_text(path), km.line + 1, km.column + 1)))
            else:
                keys[key] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            _yaml_positions(value_node, path + (key,), doc, seen)
            km = key_node.start_mark
            doc.key_positions[path + (key,)] = (km.line + 1, km.column + 1)
            if isinstance(value_node, yaml.CollectionNode) and not value_node.flow_style:
                # a block collection starts on the line after its key; problems with
                # the whole object are reported where it is named
                doc.positions[path + (key,)] = (km.line + 1, km.column + 1)


def _block_scalar_start(node: yaml.ScalarNode) -> Pos:
    """Where the first content character of a ``|``/``>`` block scalar sits."""
    buf = node.start_mark.buffer
    if buf is None:
        return (node.start_mark.line + 2, 1)
    nl = buf.find("\n", node.start_mark.pointer)
    if nl < 0:
        return (node.start_mark.line + 1, node.start_mark.column + 1)
    i = nl + 1
    line = node.start_mark.line + 2
    while True:
        j = i
        while j < len(buf) and buf[j] == " ":
            j += 1
        if j < len(buf) and buf[j] == "\n":
            i, line = j + 1, line + 1
            continue
        return (line, j - i + 1)
