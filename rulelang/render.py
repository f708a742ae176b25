"""Renderers of diagnostics: compiler-like text, JSON, SARIF 2.1.0 and GitHub annotations.

A :class:`~rulelang.errors.Diagnostic` places its span inside the expression's own text
and, when it came from a rules file, its :class:`~rulelang.errors.Location` says where
that expression starts in the file.  Given the file's text (``sources``: file name →
text), :func:`file_region` maps the span to lines and columns *of the file itself*,
undoing the quoting of the format (JSON and YAML escapes, YAML block scalars, Terraform
strings and heredocs), so that an editor or a CI annotation points at the right place.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

from rulelang.codes import CODES


class Place(Protocol):
    """Where a finding sits in a file: what :class:`rulelang.errors.Location` holds."""

    @property
    def file(self) -> str | None: ...
    @property
    def path(self) -> str: ...
    @property
    def line(self) -> int | None: ...
    @property
    def column(self) -> int | None: ...


class Diagnostic(Protocol):
    """What a renderer reads of a :class:`rulelang.errors.Diagnostic`.  The renderers take
    this shape rather than import the class, so ``errors`` (whose ``str()`` is
    :func:`render_text`) and ``render`` do not import each other."""

    @property
    def code(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...
    @property
    def end_line(self) -> int: ...
    @property
    def end_column(self) -> int: ...
    @property
    def hint(self) -> str: ...
    @property
    def source(self) -> str | None: ...
    @property
    def location(self) -> Place | None: ...
    def to_dict(self) -> dict[str, Any]: ...

__all__ = [
    "Region",
    "file_region",
    "offset_of",
    "quoted_string_offsets",
    "render_github",
    "render_json",
    "render_sarif",
    "render_text",
    "render_text_lines",
    "summary_line",
]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SHORT_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n",
                  "r": "\r", "t": "\t", "0": "\0", "a": "\a", "v": "\v", "e": "\x1b",
                  " ": " ", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029"}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}


@dataclass(frozen=True, slots=True)
class Region:
    """A span in a file: 1-based lines and columns, the end column exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int


# --------------------------------------------------------------------------- positions

def offset_of(text: str, line: int, column: int) -> int | None:
    """0-based offset of 1-based (line, column) in ``text``, or None when outside it."""
    if line < 1 or column < 1:
        return None
    pos = 0
    for _ in range(line - 1):
        nl = text.find("\n", pos)
        if nl < 0:
            return None
        pos = nl + 1
    end = text.find("\n", pos)
    end = len(text) if end < 0 else end
    if pos + column - 1 > end + 1:
        return None
    return pos + column - 1


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def quoted_string_offsets(text: str, start: int, hcl: bool = False) -> list[int] | None:
    """File offsets of each character of the double-quoted string opening at ``start``
    (JSON, YAML or — with ``hcl`` — Terraform escapes, whose ``$${``/``%%{`` stand for one
    character), followed by the offset of the closing quote."""
    out: list[int] = []
    i = start + 1
    n = len(text)
    while i < n:
        c = text[i]
        if c == '"':
            out.append(i)
            return out
        if c == "\\" and i + 1 < n:
            e = text[i + 1]
            if e in _HEX_ESCAPES:
                out.append(i)
                i += 2 + _HEX_ESCAPES[e]
                if e == "u" and text[i - 4:i - 2].lower() in ("d8", "d9", "da", "db") and text.startswith("\\u", i):
                    i += 6  # a UTF-16 surrogate pair is one character
            elif e == "\n":  # YAML escaped line break: joins the lines
                i += 2
                while i < n and text[i] in " \t":
                    i += 1
            else:
                out.append(i)
                i += 2 if e in _SHORT_ESCAPES else 1
            continue
        if hcl and c in "$%" and text.startswith(c * 2 + "{", i):  # HCL $${ and %%{
            out.append(i)
            i += 2
            continue
        if c == "\n":  # YAML line folding inside a flow scalar
            out.append(i)
            i += 1
            while i < n and text[i] in " \t":
                i += 1
            continue
        out.append(i)
        i += 1
    return None


def _decode_single(text: str, start: int) -> list[int] | None:
    """Offsets for a YAML single-quoted scalar (``''`` is one quote)."""
    out: list[int] = []
    i = start + 1
    while i < len(text):
        if text[i] == "'":
            if text.startswith("''", i):
                out.append(i)
                i += 2
                continue
            out.append(i)
            return out
        out.append(i)
        i += 1
    return None


def _decode_block(text: str, start: int, heredoc: bool) -> list[int] | None:
    """Offsets for a YAML block scalar (``|``/``>``) or an HCL heredoc starting at ``start``:
    the content lines that follow, less their common indentation."""
    nl = text.find("\n", start)
    if nl < 0:
        return None
    lines = []
    pos = nl + 1
    marker = text[start:nl].strip().lstrip("<-").strip() if heredoc else ""
    while pos < len(text):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        line = text[pos:end]
        if heredoc and line.strip() == marker:
            break
        lines.append((pos, line))
        pos = end + 1
    content = [(p, ln) for p, ln in lines if ln.strip()]
    if not content:
        return None
    strip = not heredoc or text.startswith("<<-", start)
    indent = min(len(ln) - len(ln.lstrip(" \t")) for _, ln in content) if strip else 0
    if not heredoc:
        first_indent = len(content[0][1]) - len(content[0][1].lstrip(" "))
        kept = []
        for p, ln in lines:
            if ln.strip() and len(ln) - len(ln.lstrip(" ")) < first_indent:
                break
            kept.append((p, ln))
        lines, indent = kept, first_indent
    out: list[int] = []
    for p, ln in lines:
        out.extend(range(p + indent, p + max(indent, len(ln))))
        out.append(p + len(ln))  # the line break (kept or folded: one character either way)
    return out


def _decode_plain(text: str, start: int) -> list[int]:
    """Offsets for unquoted text starting at ``start``: the rest of its line, then the
    following lines indented at least as far (a YAML plain or block scalar's content)."""
    line_start = text.rfind("\n", 0, start) + 1
    indent = start - line_start
    out: list[int] = []
    pos = start
    while True:
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        out.extend(range(pos, end + 1))
        nxt = end + 1
        if nxt >= len(text):
            return out
        line_end = text.find("\n", nxt)
        line = text[nxt:len(text) if line_end < 0 else line_end]
        lead = len(line) - len(line.lstrip(" "))
        if not line.strip() or lead < indent or indent == 0:
            return out
        pos = nxt + indent


def _char_offsets(text: str, start: int, hcl: bool = False) -> list[int] | None:
    c = text[start] if start < len(text) else ""
    if c == '"':
        return quoted_string_offsets(text, start, hcl)
    if c == "'":
        return _decode_single(text, start)
    if c in "|>":
        return _decode_block(text, start, heredoc=False)
    if text.startswith("<<", start):
        return _decode_block(text, start, heredoc=True)
    if start > 0 and text[start - 1] in "\"'":
        return _char_offsets(text, start - 1, hcl)
    return _decode_plain(text, start)


def _token_end(text: str, start: int) -> int:
    """End offset of the scalar value starting at ``start`` (a quoted string, or a word or
    number up to the next delimiter); one character for anything else."""
    c = text[start:start + 1]
    if c in "\"'":
        offsets = (quoted_string_offsets if c == '"' else _decode_single)(text, start)
        if offsets and text.count("\n", start, offsets[-1]) == 0:
            return offsets[-1] + 1
    end = start
    while end < len(text) and text[end] not in ",}]{[\n\r\t #" and (end == start or c not in "{["):
        end += 1
    return max(end, start + 1)


def _expr_offset(source: str | None, line: int, column: int) -> int:
    if source is None:
        return column - 1 if line == 1 else -1
    off = offset_of(source, line, column)
    return -1 if off is None else off


def file_region(d: Diagnostic, sources: Mapping[str, str] | None = None) -> Region | None:
    """Where ``d``'s span lies in its rules file, or ``None`` when it has no file position.

    With the file's text in ``sources`` the span is mapped exactly through the string's
    quoting; without it, the expression's start plus the offset within it is used.
    """
    loc = d.location
    if loc is None or loc.line is None:
        return None
    col = loc.column or 1
    text = (sources or {}).get(loc.file or "")
    start = offset_of(text, loc.line, col) if text is not None else None
    if d.source is None:
        # Not an expression diagnostic: underline the value the location points at.
        if text is None or start is None:
            return Region(loc.line, col, loc.line, col + 1)
        return Region(loc.line, col, *_line_col(text, _token_end(text, start)))
    hcl = (loc.file or "").lower().endswith(".tf")  # Terraform's template escapes
    offsets = _char_offsets(text, start, hcl) if text is not None and start is not None \
        else None
    if offsets and text is not None:
        a = _expr_offset(d.source, d.line, d.column)
        b = _expr_offset(d.source, d.end_line, d.end_column)
        if 0 <= a < len(offsets):
            b = min(max(b, a + 1), len(offsets) - 1) if b >= 0 else a + 1
            ln, c = _line_col(text, offsets[a])
            eln, ec = _line_col(text, offsets[b] if b < len(offsets) else offsets[-1] + 1)
            return Region(ln, c, eln, ec)
    # No text (or an unknown quoting): the expression's start plus the offset within it,
    # assuming one line and a quote before the first character.
    if d.line == 1:
        base = col + (1 if text is None or start is None or text[start:start + 1] in "\"'" else 0)
        return Region(loc.line, base + d.column - 1, loc.line,
                      base + (d.end_column if d.end_line == 1 else d.column + 1) - 1)
    return Region(loc.line + d.line - 1, d.column, loc.line + d.end_line - 1, d.end_column)


# --------------------------------------------------------------------------- text

#: Source lines longer than this are shown as a window around the span (the column in
#: the ``-->`` line stays the real one).
SNIPPET_WIDTH = 160
_CONTEXT = 60


def _clip(line_text: str, start: int, width: int) -> tuple[str, int, int]:
    """A long source line cut to a window around the 1-based column ``start``: the
    shown text, and the span's column and width in it."""
    if len(line_text) <= SNIPPET_WIDTH:
        return line_text, start, width
    width = min(width, SNIPPET_WIDTH - 2 * _CONTEXT)
    lo = max(0, start - 1 - _CONTEXT)
    hi = min(len(line_text), start - 1 + width + _CONTEXT)
    head = "…" if lo > 0 else ""
    tail = "…" if hi < len(line_text) else ""
    return head + line_text[lo:hi] + tail, start - lo + len(head), width


def _caret_lines(line_text: str, gutter: str, start: int, end: int) -> list[tuple[str, str]]:
    line_text, start, width = _clip(line_text, start, max(1, end - start))
    pad = " " * len(gutter)
    return [("gutter", f"{pad}|"), ("source", f"{gutter}| {line_text}"),
            ("caret", f"{pad}| {' ' * (start - 1)}{'^' * width}")]


def _source_line(text: str, number: int) -> str | None:
    """Line ``number`` (1-based) of ``text`` without splitting the whole text."""
    pos = 0
    for _ in range(number - 1):
        pos = text.find("\n", pos) + 1
        if pos == 0:
            return None
    end = text.find("\n", pos)
    return text[pos:] if end < 0 else text[pos:end]


def render_text_lines(diagnostics: Iterable[Diagnostic],
                      sources: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """The text rendering as ``(style, line)`` pairs; the CLI colours them by style
    (``error``, ``warning``, ``info``, ``where``, ``gutter``, ``source``, ``caret``, ``hint``)."""
    out: list[tuple[str, str]] = []
    for d in diagnostics:
        if out:
            out.append(("", ""))
        out.append((d.severity, f"{d.severity}[{d.code}]: {d.message}"))
        region = file_region(d, sources)
        loc = d.location
        text = (sources or {}).get(loc.file or "") if loc is not None else None
        if loc is not None:
            where = loc.file or "<input>"
            if region is not None:
                where += f":{region.line}:{region.column}"
            out.append(("where", f"  --> {where} {loc.path}".rstrip()))
        if region is not None and text is not None:
            src = _source_line(text, region.line) if region.line >= 1 else None
            if src is not None:
                end = region.end_column if region.end_line == region.line else len(src) + 1
                out.extend(_caret_lines(src.rstrip("\r"), f"{region.line} ", region.column, end))
        elif d.source is not None:
            lines = d.source.split("\n")
            if 1 <= d.line <= len(lines):
                src = lines[d.line - 1]
                end = d.end_column if d.end_line == d.line else len(src) + 1
                out.extend(_caret_lines(src, f"{d.line} ", d.column, end))
        if d.hint:
            out.append(("hint", f"  = hint: {d.hint}"))
    return out


def summary_line(diagnostics: Iterable[Diagnostic]) -> str:
    """``Found 2 errors, 1 warning.`` (or ``All checks passed.``)."""
    counts = {"error": 0, "warning": 0, "info": 0}
    for d in diagnostics:
        counts[d.severity] = counts.get(d.severity, 0) + 1
    parts = [f"{n} {name}{'' if n == 1 else 's'}" for name, n in
             (("error", counts["error"]), ("warning", counts["warning"]),
              ("info", counts["info"])) if n]
    return f"Found {', '.join(parts)}." if parts else "All checks passed."


def render_text(diagnostics: Iterable[Diagnostic],
                sources: Mapping[str, str] | None = None) -> str:
    """Compiler-like text: ``error[RL201]: message``, the file and place, the line of the
    file (or of the expression) with a caret under the span, and the hint."""
    return "\n".join(line for _, line in render_text_lines(diagnostics, sources))


# --------------------------------------------------------------------------- machine formats

def render_json(diagnostics: Iterable[Diagnostic],
                sources: Mapping[str, str] | None = None) -> str:
    """A JSON array of diagnostics (``Diagnostic.to_dict()``); those from a file also carry
    ``region``: the span's start and end line/column in the file itself."""
    out = []
    for d in diagnostics:
        item = d.to_dict()
        region = file_region(d, sources)
        if region is not None:
            item["region"] = {"line": region.line, "column": region.column,
                              "end_line": region.end_line, "end_column": region.end_column}
        out.append(item)
    return json.dumps(out, indent=2, ensure_ascii=False)


_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def render_sarif(diagnostics: Iterable[Diagnostic],
                 sources: Mapping[str, str] | None = None, version: str = "") -> str:
    """A SARIF 2.1.0 log with one run; ``tool.driver.rules`` is the code catalogue."""
    diagnostics = list(diagnostics)
    codes = list(CODES)
    codes += sorted({d.code for d in diagnostics} - set(codes))
    index = {c: i for i, c in enumerate(codes)}
    rules = []
    for c in codes:
        info = CODES.get(c)
        rules.append({
            "id": c, "name": c,
            "shortDescription": {"text": info.title if info else c},
            "defaultConfiguration": {"level": _SARIF_LEVEL.get(
                info.severity if info else "error", "error")},
            "helpUri": "https://github.com/rulelang/rulelang/blob/main/docs/diagnostics.md",
        })
    results = []
    artifacts: dict[str, int] = {}
    for d in diagnostics:
        text = d.message + (f"\nhint: {d.hint}" if d.hint else "")
        result: dict = {"ruleId": d.code, "ruleIndex": index[d.code],
                        "level": _SARIF_LEVEL.get(d.severity, "error"),
                        "message": {"text": text}}
        region = file_region(d, sources)
        if d.location is not None and d.location.file:
            physical: dict = {"artifactLocation": {"uri": _uri(d.location.file)}}
            if region is not None:
                physical["region"] = {"startLine": region.line, "startColumn": region.column,
                                      "endLine": region.end_line,
                                      "endColumn": region.end_column}
            loc: dict = {"physicalLocation": physical}
            if d.location.path:
                loc["logicalLocations"] = [{"fullyQualifiedName": d.location.path}]
            result["locations"] = [loc]
        elif d.source is not None:  # an expression given on its own (lint --expr)
            k = artifacts.setdefault(d.source, len(artifacts))
            result["locations"] = [{
                "physicalLocation": {
                    "artifactLocation": {"index": k},
                    "region": {"startLine": d.line, "startColumn": d.column,
                               "endLine": d.end_line, "endColumn": d.end_column}},
                "logicalLocations": [{"fullyQualifiedName": "expression", "kind": "expression"}]}]
        results.append(result)
    driver = {"name": "rulelang", "informationUri": "https://github.com/rulelang/rulelang",
              "rules": rules}
    if version:
        driver["version"] = version
    run: dict = {"tool": {"driver": driver}, "columnKind": "unicodeCodePoints",
                 "results": results}
    if artifacts:
        run["artifacts"] = [{"contents": {"text": text}, "roles": ["analysisTarget"],
                             "description": {"text": "the expression given to lint"}}
                            for text in artifacts]
    log = {"version": "2.1.0", "$schema": SARIF_SCHEMA, "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False)


def _uri(path: str) -> str:
    """A SARIF ``artifactLocation.uri`` for a file name, as the user gave it: a URI
    reference, percent-encoded so that ``%``, ``:``, ``#``, ``?``, ``,`` and spaces stay
    part of the name (``/abs/path`` stays an absolute-path reference); a Windows drive
    path becomes a ``file:///C:/…`` URI."""
    posix = path.replace("\\", "/")
    if len(posix) > 2 and posix[0].isalpha() and posix[1] == ":" and posix[2] == "/":
        return "file:///" + posix[:2] + quote(posix[2:], safe="/")
    return quote(posix, safe="/")


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


_GITHUB_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def render_github(diagnostics: Iterable[Diagnostic],
                  sources: Mapping[str, str] | None = None) -> str:
    """GitHub Actions workflow commands, one a line:
    ``::error file=…,line=…,col=…,endLine=…,endColumn=…,title=RL201::message``."""
    out = []
    for d in diagnostics:
        props = []
        if d.location is not None and d.location.file:
            props.append(f"file={_escape_property(d.location.file)}")
            region = file_region(d, sources)
            if region is not None:
                props += [f"line={region.line}", f"col={region.column}",
                          f"endLine={region.end_line}", f"endColumn={region.end_column}"]
        props.append(f"title={_escape_property(d.code)}")
        message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
        out.append(f"::{_GITHUB_COMMAND.get(d.severity, 'error')} {','.join(props)}::"
                   f"{_escape_data(message)}")
    return "\n".join(out)
