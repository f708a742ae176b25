"""Terraform templates as Rules-language text: an expression written with ``${…}``
interpolations becomes text the checker can read — each interpolation replaced by its value
or, where only Terraform can decide it, by a stand-in literal — with a map back, so a
diagnostic about that text is placed in the template as written."""

from __future__ import annotations

from dataclasses import replace

from rulelang.errors import Diagnostic
from rulelang.render import offset_of
from rulelang.rules.documents import Template

__all__ = ["Spans", "inside_string", "remap", "template_texts"]


#: What an unknown interpolation stands for while a template expression is checked:
#: inside a quoted string, some text; elsewhere a Boolean field, a string or a number,
#: whichever makes the expression well typed.
_STAND_INS = ("ssl", '"x"', "0")

Spans = list[tuple[int, int, int, int]]


def template_texts(template: Template) -> list[tuple[str, Spans]]:
    """The template's text with each interpolation replaced by its value or, when
    Terraform decides it, by a stand-in — for each choice of stand-in — with the map back
    (start and end in the new text, start and end in the original)."""
    out = []
    for stand_in in _STAND_INS:
        text = ""
        spans = []
        for part in template.parts:
            if isinstance(part, str):
                text += part
                continue
            start, end, known = part
            piece = known if known is not None else "x" if inside_string(text) else stand_in
            spans.append((len(text), len(text) + len(piece), start, end))
            text += piece
        out.append((text, spans))
        if all(isinstance(p, str) or p[2] is not None or inside_string(
                template.source[:p[0]]) for p in template.parts):
            break  # no interpolation outside a string is unknown: one text is enough
    return out


def inside_string(text: str) -> bool:
    """Whether the end of ``text`` (an expression prefix) is inside a quoted string."""
    inside = False
    i = 0
    while i < len(text):
        c = text[i]
        if inside and c == "\\":
            i += 2
            continue
        if c == '"':
            inside = not inside
        i += 1
    return inside


def remap(d: Diagnostic, source: str, text: str, spans: Spans) -> Diagnostic:
    """``d`` (about ``text``, the template with stand-ins) placed in ``source``."""
    def back(line: int, column: int, end: bool) -> tuple[int, int]:
        off = offset_of(text, line, column)
        if off is None:
            return line, column
        delta = 0
        for new_start, new_end, old_start, old_end in spans:
            if off < new_start or (end and off == new_start):
                break
            if off < new_end or (end and off == new_end):
                off, delta = (old_end if end else old_start), 0
                break
            delta += (old_end - old_start) - (new_end - new_start)
        off += delta
        before = source[:off]
        return before.count("\n") + 1, off - (before.rfind("\n") + 1) + 1

    line, column = back(d.line, d.column, False)
    end_line, end_column = back(d.end_line, d.end_column, True)
    return replace(d, line=line, column=column, end_line=end_line, end_column=end_column,
                   source=source)
