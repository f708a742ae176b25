"""Terraform ``cloudflare_ruleset`` resources as rule-set documents.

python-hcl2 parses the file; this module walks its parse tree once, turning every
literal into a Python value and remembering its line and column.  Both provider
syntaxes are read: v4 blocks (``rules { … }``, ``edge_ttl { … }``) and v5
attributes (``rules = [{ … }]``).  The result is the Rulesets API's JSON shape
(cache-phases.md §1.4): a repeated block becomes an array, a single block an object
(``rules`` and ``status_code_ttl`` are always arrays), ``null`` attributes are left
out as Terraform does, and ``set_cache_control`` directive names are spelled with
hyphens (PD-33).  Variables, function calls and other expressions that need
Terraform to evaluate them are reported (RS008), never guessed.
"""

from __future__ import annotations

import re
from typing import Any

from rulelang.errors import Diagnostic, Location
from rulelang.rules.documents import Document, LoadError, PathKey, Pos, path_text

__all__ = ["read_terraform", "terraform_directive_name"]

#: Blocks that the provider always models as lists, even when written once.
_LIST_BLOCKS = frozenset({"rules", "status_code_ttl"})
#: Attributes of the resource that are not part of the Rulesets API body.
_TERRAFORM_ONLY = frozenset({"zone_id", "account_id", "provider", "lifecycle", "depends_on",
                             "count", "for_each"})


#: Resource attributes that only label the rule set: a value Terraform must evaluate
#: (a variable, a function call) is left out rather than refused.
_LABELS = frozenset({"name", "description"})


class _Unsupported(Exception):
    def __init__(self, message: str, pos: Pos):
        super().__init__(message)
        self.pos = pos


def terraform_directive_name(name: str) -> str:
    """The API spelling of a Terraform ``set_cache_control`` directive name (PD-33)."""
    return name.replace("_", "-")


def read_terraform(text: str, file: str | None) -> list[Document]:
    """Every ``cloudflare_ruleset`` resource of ``text`` as a document."""
    try:
        import hcl2
        from lark.exceptions import LarkError, UnexpectedInput
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise LoadError(Diagnostic("RS004", f"python-hcl2 is not installed ({exc})",
                                   location=Location(file))) from None
    try:
        tree = hcl2.parses_to_tree(text)
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
    walker = _Walker(text, file)
    docs = []
    for block in _children(_first(tree, "body"), "block"):
        name, labels, body = _block_parts(block)
        if name != "resource" or len(labels) != 2 or labels[0] != "cloudflare_ruleset":
            continue
        doc = Document(value=None, file=file, format="terraform",
                       label=f"cloudflare_ruleset.{labels[1]}")
        walker.doc = doc
        try:
            value = walker.body(body, ())
        except _Unsupported as exc:
            raise LoadError(Diagnostic(
                "RS008", f"{doc.label}: {exc}", location=Location(file, "", *exc.pos),
                hint="rulelang reads literal values only; write the value itself "
                     "or run `terraform show -json` and load that")) from None
        for key in _TERRAFORM_ONLY:
            value.pop(key, None)
        _hyphenate_directives(value, doc)
        doc.value = value
        doc.positions[()] = _pos(block)
        docs.append(doc)
    if not docs:
        raise LoadError(Diagnostic(
            "RS007", "no cloudflare_ruleset resource in this Terraform file",
            location=Location(file, "", 1, 1),
            hint='rules are read from resource "cloudflare_ruleset" "<name>" { … }'))
    return docs


def _hyphenate_directives(ruleset: dict, doc: Document) -> None:
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
        except _Unsupported:
            if not path and key in _LABELS:
                return  # a label only: `name = var.name` is left out
            raise
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
                    raise _Unsupported(
                        f"dynamic block {labels[0] if labels else ''!r} needs Terraform to "
                        "expand it", _pos(c))
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
                values.append(self.body(_block_parts(block)[2], sub))
            out[name] = values if as_list else values[0]
        return out

    # ----------------------------------------------------------------- expressions
    def value(self, node, path: PathKey) -> Any:
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
            return int(_identifier(node))
        elif d == "float_lit":
            text = _identifier(node)
            number = float(text)
            return int(number) if number.is_integer() and "." not in text else number
        elif d == "unary_op":
            op = _identifier(node)
            if op == "-":
                inner = self.value(node.children[-1], path)
                if isinstance(inner, (int, float)) and not isinstance(inner, bool):
                    return -inner
        elif d == "tuple":
            items = []
            for i, child in enumerate(c for c in node.children if _data(c) is not None
                                      and _data(c) != "new_line_or_comment"):
                self.doc.positions[path + (i,)] = _pos(child)
                items.append(self.value(child, path + (i,)))
            return items
        elif d == "object":
            out: dict[str, Any] = {}
            for elem in _children(node, "object_elem"):
                key = self.object_key(elem.children[0])
                self.member(out, key, elem.children[0], elem.children[-1], path)
            return out
        elif d in ("heredoc_template", "heredoc_template_trim"):
            return self.heredoc(node, path, trim=d == "heredoc_template_trim")
        raise _Unsupported(f"{self.snippet(node)!r} is not a literal value", _pos(node))

    def object_key(self, node) -> str:
        inner = node
        while _data(inner) in ("object_elem_key", "expr_term") and len(inner.children) == 1:
            inner = inner.children[0]
        if _data(inner) == "identifier" or _data(inner) == "keyword":
            return _identifier(inner)
        if _data(inner) == "string":
            return self.string(inner, ())
        raise _Unsupported(f"object key {self.snippet(node)!r} is not a name or a string",
                           _pos(node))

    def string(self, node, path: PathKey) -> str:
        parts = []
        for t in node.children:
            if _data(t) == "string_part":
                for sub in t.children:
                    if hasattr(sub, "type"):
                        parts.append(self.token_text(sub))
                    else:
                        raise _Unsupported(
                            f"interpolation {self.snippet(sub)!r} needs Terraform to "
                            "evaluate it", _pos(sub))
            elif hasattr(t, "type") and t.type == "STRING_CHARS":
                parts.append(self.token_text(t))
        return "".join(parts)

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

    def heredoc(self, node, path: PathKey, trim: bool) -> str:
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
        if re.search(r"(?<!\$)\$\{|(?<!%)%\{", content):
            raise _Unsupported("heredoc with an interpolation needs Terraform to evaluate it",
                               (tok.line, tok.column))
        content = content.replace("$${", "${").replace("%%{", "%{")
        self.doc.content_starts[path] = (tok.line + 1 + skipped, lead + 1)
        return content

    def duplicate(self, key: str, path: PathKey, pos: Pos) -> None:
        self.doc.diagnostics.append(Diagnostic(
            "RS009", f"duplicate key {key!r}; only the last one is used",
            location=Location(self.file, path_text(path), *pos),
            hint="Terraform itself refuses an attribute given twice; delete one"))

    def snippet(self, node) -> str:
        toks = _tokens(node)
        if not toks:
            return "?"
        start = getattr(toks[0], "start_pos", None)
        end = getattr(toks[-1], "end_pos", None)
        if start is None or end is None:
            return " ".join(str(t) for t in toks)
        text = self.text[start:end]
        return text if len(text) <= 60 else text[:57] + "..."
