"""Diagnostics and the exceptions that carry them.

A :class:`Diagnostic` is data: it is collected, never raised by itself.  The
caller decides to raise an :class:`ExpressionError` or :class:`RulesetError`
that carries the list.  Rendering (caret text here; JSON, SARIF and GitHub
annotations in :mod:`rulelang.render`) is separate from the data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from rulelang.codes import CODES

__all__ = [
    "Diagnostic",
    "ExpressionError",
    "Location",
    "RuleLangError",
    "RulesetError",
]


@dataclass(frozen=True, slots=True)
class Location:
    """Where in a file a diagnostic belongs.

    ``path`` is the place in the document (``rules[2].expression``); ``line`` and
    ``column`` are 1-based positions in the file itself (``None`` when unknown).
    """

    file: str | None = None
    path: str = ""
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where} {self.path}".strip()


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding: a stable ``code``, a ``severity``, a message, a span and a hint.

    ``line``/``column``/``end_line``/``end_column`` are 1-based and refer to the
    expression's own text (the end is exclusive).  ``location`` places the
    expression in a rules file when it came from one.  ``source`` keeps the text
    the span refers to so that the diagnostic can be rendered on its own.
    """

    code: str
    message: str
    line: int = 1
    column: int = 1
    end_line: int = 1
    end_column: int = 1
    hint: str = ""
    severity: str = ""
    location: Location | None = None
    source: str | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.severity:
            object.__setattr__(self, "severity", CODES[self.code].severity)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def at(self, location: Location) -> Diagnostic:
        """The same diagnostic placed at ``location`` in a file."""
        return replace(self, location=location)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "code": self.code, "severity": self.severity, "message": self.message,
            "line": self.line, "column": self.column,
            "end_line": self.end_line, "end_column": self.end_column, "hint": self.hint,
        }
        if self.location is not None:
            d["location"] = {"file": self.location.file, "path": self.location.path,
                             "line": self.location.line, "column": self.location.column}
        return d

    def __str__(self) -> str:
        from rulelang.render import render_text  # one renderer for str() and the CLI

        return render_text([self])


class RuleLangError(ValueError):
    """Base class of every error rulelang raises on purpose."""


class _DiagnosticsError(RuleLangError):
    def __init__(self, diagnostics: Iterable[Diagnostic], source: str | None = None,
                 summary: str = "") -> None:
        self.diagnostics: list[Diagnostic] = list(diagnostics)
        self.source = source
        errors = [d for d in self.diagnostics if d.is_error] or self.diagnostics
        self.summary = summary or (errors[0].message if errors else "invalid input")
        super().__init__(self.summary)

    def __str__(self) -> str:
        shown = [d for d in self.diagnostics if d.is_error] or self.diagnostics
        from rulelang.render import render_text  # one renderer for str() and the CLI

        if self.source is not None:
            shown = [d if d.source is not None else replace(d, source=self.source)
                     for d in shown]
        return render_text(shown) or self.summary


class ExpressionError(_DiagnosticsError):
    """A syntax or type error in an expression; ``.diagnostics`` lists every finding."""


class RulesetError(_DiagnosticsError):
    """A rules file or rule that is not valid; ``.diagnostics`` lists every finding."""


class RequestError(RuleLangError):
    """A request or response taken from the wire that rulelang could not read as given
    (raised by ``from_wire(..., strict=True)``; without ``strict`` it is repaired)."""
