"""The syntax corpus (corpus/expressions/syntax_*.txt), decoded: <TAB>, <CR>, <LF> and
<NBSP> marks become the characters they name."""

from __future__ import annotations

from support.paths import EXPRESSIONS

CORPUS = EXPRESSIONS
_CHARS = {"<TAB>": "\t", "<CR>": "\r", "<LF>": "\n", "<NBSP>": "\u00a0"}


def _decode(text: str) -> str:
    for mark, char in _CHARS.items():
        text = text.replace(mark, char)
    return text


def _lines(name):
    return [line for line in (CORPUS / name).read_text("utf-8").splitlines()
            if line and not line.startswith("#")]


VALID = [_decode(line) for line in _lines("syntax_valid.txt")]
INVALID = [(code, where, _decode(expr))
           for code, where, expr in (line.split("\t", 2) for line in _lines("syntax_invalid.txt"))]
