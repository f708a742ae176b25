"""Filters as z3 formulas, for proofs about rules (needs ``z3-solver``).

Every filter becomes a formula over one z3 variable per field (``String``, ``Int`` or
``Bool``).  What the encoding covers exactly: string ``eq ne in contains starts_with
ends_with wildcard strict wildcard matches`` (regexes through
:mod:`rulelang.analysis.patterns`), also on ``lower()``/``upper()`` of a field (ASCII case
conversion: the literal's case variants), the functions ``starts_with()``/``ends_with()``,
integer ``eq ne lt le gt ge in`` (values and ranges), Boolean fields, ``not and or xor``.

Anything else — a header lookup, an IP test, a list, an untranslatable regex, another
function — becomes an *atom*: a fresh variable named by its canonical text, so the same
text is the same atom.  An atom may take any value, so the formula's models include every
real request (with each atom at the value its part has for that request): every proof
that no model exists (unsatisfiable, implied) holds for real requests.  This is what
makes the lint's "never takes effect" sound.  A model found by the solver is turned into
a witness request only when no atom is involved.

Field values are bytes; one z3 character stands for one byte (Latin-1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import z3

from rulelang.analysis.patterns import (
    Untranslatable,
    folded_literal,
    regex_to_z3,
    string_val,
    wildcard_to_z3,
)
from rulelang.language import literals
from rulelang.language.nodes import (
    Bare,
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
from rulelang.language.printer import to_source
from rulelang.schema import catalogue as schema

__all__ = ["Encoded", "Encoder"]


@dataclass
class Encoded:
    """A filter as a formula: ``names`` are the variables it reads (fields and atoms),
    ``atoms`` the names of the opaque parts."""

    formula: z3.BoolRef
    names: frozenset[str]
    atoms: frozenset[str] = field(default_factory=frozenset)


def _latin1(value: bytes) -> z3.SeqRef:
    return string_val(value.decode("latin-1"))


class Encoder:
    """Builds formulas with shared variables, so formulas of one rule set can be
    compared; one encoder per rule set (z3 objects are not shared between threads)."""

    def __init__(self) -> None:
        self.vars: dict[str, Any] = {}
        self._names: set[str] = set()
        self._atoms: set[str] = set()

    def encode(self, expr: Expr) -> Encoded:
        self._names, self._atoms = set(), set()
        formula = self.bool(expr)
        return Encoded(formula, frozenset(self._names), frozenset(self._atoms))

    # ------------------------------------------------------------------ variables

    def var(self, name: str, kind: str) -> Any:
        self._names.add(name)
        found = self.vars.get(name)
        if found is None:
            make = {"String": z3.String, "Int": z3.Int, "Bool": z3.Bool}[kind]
            found = self.vars[name] = make(name)
        return found

    def atom(self, node: Expr) -> z3.BoolRef:
        name = "atom:" + to_source(node)
        self._atoms.add(name)
        # the fields an atom reads count as shared with other formulas (pruning)
        self._names.update(n.name for n in walk(node) if isinstance(n, Field))
        return self.var(name, "Bool")

    # ------------------------------------------------------------------ formulas

    def bool(self, node: Expr) -> z3.BoolRef:
        match node:
            case BoolConst(value=v):
                return z3.BoolVal(v)
            case Group(expr=inner):
                return self.bool(inner)
            case Not(operand=inner):
                return z3.Not(self.bool(inner))
            case Logical(op=op, operands=operands):
                parts = [self.bool(o) for o in operands]
                if op == "and":
                    return z3.And(*parts)
                if op == "or":
                    return z3.Or(*parts)
                out = parts[0]
                for p in parts[1:]:
                    out = z3.Xor(out, p)
                return out
            case Field(name=name) if _type(name) == "Bool":
                return self.var(name, "Bool")
            case Comparison():
                try:
                    return self.comparison(node)
                except Untranslatable:
                    return self.atom(node)
            case Call(name=fn, args=(left, String(value=lit))) if fn in ("starts_with",
                                                                         "ends_with"):
                term = self.term(left, "String")
                if term is None:
                    folded = self.folded(left)
                    if folded is None:
                        return self.atom(node)
                    return self.folded_test(*folded, fn, node.args[1])
                test = z3.PrefixOf if fn == "starts_with" else z3.SuffixOf
                return test(_latin1(lit), term)
        return self.atom(node)

    def term(self, node: Expr, kind: str) -> Any:
        """The variable of a plain field of type ``kind``, or ``None``."""
        while isinstance(node, Group):
            node = node.expr
        if isinstance(node, Field) and _type(node.name) == kind:
            return self.var(node.name, kind)
        return None

    def comparison(self, node: Comparison) -> z3.BoolRef:
        op, right = node.op, node.right
        term = self.term(node.left, "String")
        if term is not None:
            return self.string_test(term, op, right)
        term = self.term(node.left, "Int")
        if term is not None:
            return self.integer_test(term, op, right)
        folded = self.folded(node.left)
        if folded is not None:
            return self.folded_test(*folded, op, right)
        raise Untranslatable("left side")

    def folded(self, node: Expr) -> tuple[Any, str] | None:
        """``(variable, "lower" | "upper")`` for ``lower()``/``upper()`` of a plain String
        field: ASCII case conversion, encoded exactly through the literal's case variants."""
        while isinstance(node, Group):
            node = node.expr
        if isinstance(node, Call) and node.name in ("lower", "upper") and len(node.args) == 1:
            var = self.term(node.args[0], "String")
            if var is not None:
                return var, node.name
        return None

    def folded_test(self, var: Any, fold: str, op: str, right: Expr) -> z3.BoolRef:
        anything = z3.Full(z3.ReSort(z3.StringSort()))
        if op == "in" and isinstance(right, Set):
            members = [e for e in right.elements if isinstance(e, String)]
            if len(members) != len(right.elements):
                raise Untranslatable("set")
            return z3.Or(*[z3.InRe(var, folded_literal(e.value, fold)) for e in members]) \
                if members else z3.BoolVal(False)
        if not isinstance(right, String):
            raise Untranslatable("right side")
        if op in ("wildcard", "strict wildcard"):
            return z3.InRe(var, wildcard_to_z3(right.value, op == "strict wildcard", fold))
        exact = folded_literal(right.value, fold)
        shapes = {"eq": exact, "ne": exact, "contains": z3.Concat(anything, exact, anything),
                  "starts_with": z3.Concat(exact, anything),
                  "ends_with": z3.Concat(anything, exact)}
        if op not in shapes:
            raise Untranslatable(op)
        test = z3.InRe(var, shapes[op])
        return z3.Not(test) if op == "ne" else test

    def string_test(self, term: Any, op: str, right: Expr) -> z3.BoolRef:
        if op == "in" and isinstance(right, Set):
            members = [e for e in right.elements if isinstance(e, String)]
            if len(members) != len(right.elements):
                raise Untranslatable("set")
            return z3.Or(*[term == _latin1(e.value) for e in members]) \
                if members else z3.BoolVal(False)
        if op == "matches" and isinstance(right, Regex):
            return z3.InRe(term, regex_to_z3(right.pattern))
        if not isinstance(right, String):
            raise Untranslatable("right side")
        lit = _latin1(right.value)
        if op == "eq":
            return term == lit
        if op == "ne":
            return term != lit
        if op == "contains":
            return z3.Contains(term, lit)
        if op == "starts_with":
            return z3.PrefixOf(lit, term)
        if op == "ends_with":
            return z3.SuffixOf(lit, term)
        if op in ("wildcard", "strict wildcard"):
            return z3.InRe(term, wildcard_to_z3(right.value, op == "strict wildcard"))
        raise Untranslatable(op)

    def integer_test(self, term: Any, op: str, right: Expr) -> z3.BoolRef:
        if op == "in" and isinstance(right, Set):
            parts = []
            for e in right.elements:
                if not isinstance(e, Bare):
                    raise Untranslatable("set")
                kind, *values = _element(e.text)
                parts.append(term == values[0] if kind == "int"
                             else z3.And(term >= values[0], term <= values[1]))
            return z3.Or(*parts) if parts else z3.BoolVal(False)
        if not isinstance(right, Bare):
            raise Untranslatable("right side")
        kind, value = _element(right.text)
        if kind != "int":
            raise Untranslatable("range")
        tests = {"eq": term == value, "ne": term != value, "lt": term < value,
                 "le": term <= value, "gt": term > value, "ge": term >= value}
        if op not in tests:
            raise Untranslatable(op)
        return tests[op]


def _element(text: str) -> tuple:
    try:
        return literals.parse_set_element(text, "Int")
    except literals.LiteralError:
        raise Untranslatable("integer") from None


def _type(name: str) -> str:
    info = schema.field(name)
    return str(info.type) if info is not None else ""
