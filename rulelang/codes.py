"""The catalogue of diagnostic codes: the one list, read by the checker, the
validator, the CLI (``--select``/``--ignore``), the docs and the tests.

Each entry has a severity and a one-line title.  ``docs/diagnostics.md``
documents every code with an example; a test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Code", "CODES"]


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    severity: str  # "error" | "warning" | "info"
    title: str


def _table(rows: list[tuple[str, str, str]]) -> dict[str, Code]:
    return {c: Code(c, s, t) for c, s, t in rows}


#: Expression diagnostics (parser, type checker, compiler).
EXPRESSION_CODES = _table([
    ("RL100", "error", "empty expression"),
    ("RL101", "error", "unexpected character or token"),
    ("RL102", "error", "unterminated string"),
    ("RL103", "error", "invalid escape in a quoted string"),
    ("RL104", "error", "invalid raw string delimiter"),
    ("RL105", "error", "invalid integer literal"),
    ("RL106", "error", "invalid IP address, CIDR or range"),
    ("RL107", "error", "invalid byte-string literal"),
    ("RL108", "error", "invalid set"),
    ("RL109", "error", "invalid list name"),
    ("RL110", "error", "misplaced value, parenthesis or literal"),
    ("RL201", "error", "unknown field"),
    ("RL202", "error", "unknown function"),
    ("RL203", "error", "field not available in this phase"),
    ("RL204", "error", "function not available in this phase"),
    ("RL205", "error", "operator not supported for this type"),
    ("RL206", "error", "operand of the wrong type"),
    ("RL207", "error", "expression is not a Boolean filter"),
    ("RL208", "error", "logical operator mixes Bool and Array<Bool>"),
    ("RL209", "error", "invalid index"),
    ("RL210", "error", "misuse of [*]"),
    ("RL211", "error", "invalid any()/all() argument"),
    ("RL212", "error", "invalid list reference"),
    ("RL213", "error", "value expression of the wrong type"),
    ("RL301", "error", "wrong number of arguments"),
    ("RL302", "error", "argument of the wrong type"),
    ("RL303", "error", "literal where a value is required, or the reverse"),
    ("RL304", "error", "invalid constant argument"),
    ("RL305", "error", "invalid regular expression"),
    ("RL306", "error", "invalid wildcard pattern"),
    ("RL307", "error", "invalid replacement string"),
    ("RL308", "error", "more than one regex_replace/wildcard_replace"),
    ("RL401", "error", "expression too long"),
    ("RL402", "error", "expression nested too deeply"),
    ("RL501", "warning", "infix starts_with/ends_with is a rulelang extension"),
    ("RL502", "warning", "case-converted value compared with a literal of the other case"),
    ("RL503", "warning", "header map key with upper-case letters never matches"),
    ("RL504", "warning", "path extension compared with upper-case or dotted literal"),
    ("RL505", "warning", "request method compared with a lower-case literal"),
    ("RL506", "warning", "ordering operator on IP addresses"),
    ("RL507", "warning", "mapped comparisons over different arrays are zipped"),
    ("RL508", "warning", "split() with limit 1 never splits"),
    ("RL509", "warning", "$N without braces in a replacement"),
    ("RL510", "warning", "comparison is constant for every present value"),
    ("RL511", "info", "matches needs a Business or Enterprise plan"),
    ("RL512", "info", "field availability in the cache phases is not documented"),
    ("RL513", "info", "all() is true when its array is missing"),
])

#: Ruleset diagnostics (loading and validating rules files).  Owned by rulelang.ruleset.
RULESET_CODES: dict[str, Code] = _table([
])

#: Every code, expression and ruleset.
CODES: dict[str, Code] = {**EXPRESSION_CODES, **RULESET_CODES}
