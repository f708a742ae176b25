"""``rulelang trace URL``: one request (built from curl-like flags) through the rule
sets, showing every rule, whether it matched and — when it did not — which part of its
expression was false and the values it saw; then the decision and its reasons."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import click
from rich.text import Text

from rulelang.cli.common import (
    CONFIG_OPTION,
    PHASE,
    consoles,
    load_rule_paths,
    phase_label,
    project_config,
)
from rulelang.cli.eval import decision_rows, describe_rule
from rulelang.errors import RuleLangError
from rulelang.language.nodes import (
    Bare,
    Call,
    Comparison,
    Group,
    Logical,
    Not,
    Quantifier,
    Regex,
    Set,
    String,
)
from rulelang.schema.catalogue import PHASES

__all__ = ["explain_false", "trace_command", "trace_rules"]

_LITERALS = (String, Bare, Regex, Set)


def _show(value: Any) -> str:
    if value is None:
        return "missing"
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


class _Explainer:
    """Says which part of one expression was false for one request, from the values the
    compiler recorded while evaluating it (:meth:`CompiledExpression.explain`): one
    evaluation, by the same closures that decided whether the rule matched."""

    def __init__(self, values: Mapping[int, Any]):
        from rulelang.language.printer import to_source

        self.to_source = to_source
        self.values = values

    def value(self, node, expect: str) -> tuple[bool, Any]:
        """(known, value) of the sub-expression ``node``: known when it was evaluated."""
        if id(node) not in self.values:
            return False, None
        value = self.values[id(node)]
        return True, (value is True) if expect == "bool" else value

    def operands(self, node) -> list[str]:
        """``field = value`` lines for the non-literal operands of a comparison or call."""
        match node:
            case Comparison(left=left, right=right):
                parts = [left] + ([] if isinstance(right, _LITERALS) else [right])
            case Call(args=args):
                parts = [a for a in args if not isinstance(a, _LITERALS)]
            case Quantifier(arg=arg):
                parts = [arg]
            case _:
                parts = []
        for part in list(parts):
            if isinstance(part, Call):
                parts.extend(a for a in part.args if not isinstance(a, _LITERALS))
        lines = []
        for part in parts:
            known, value = self.value(part, "any")
            if known:
                lines.append(f"{self.to_source(part)} = {_show(value)}")
        return lines

    def why_false(self, node, depth: int = 0) -> list[tuple[int, str]]:
        """Lines (indent, text) saying why ``node`` evaluated to false."""
        match node:
            case Group(expr=inner):
                return self.why_false(inner, depth)
            case Logical(op="and", operands=ops):
                for op in ops:
                    known, value = self.value(op, "bool")
                    if known and not value:
                        return [(depth, f"false: {self.to_source(op)}")] + \
                            self._below(op, depth + 1)
                return []
            case Logical(op="or", operands=ops):
                out = [(depth, f"none of the {len(ops)} alternatives is true:")]
                for op in ops:
                    out.append((depth + 1, f"false: {self.to_source(op)}"))
                    out.extend(self._below(op, depth + 2))
                return out
            case Not(operand=inner):
                return [(depth, f"true, so `not` makes it false: {self.to_source(inner)}")] + \
                    [(depth + 1, line) for line in self.operands(inner)]
            case _:
                return [(depth, f"false: {self.to_source(node)}")] + self._below(node, depth + 1)

    def _below(self, node, depth: int) -> list[tuple[int, str]]:
        while isinstance(node, Group):
            node = node.expr
        if isinstance(node, (Logical, Not)):
            return self.why_false(node, depth)
        return [(depth, line) for line in self.operands(node)]


def explain_false(source: str | Any, phase: str, request, response=None,
                  lists: Mapping | None = None) -> list[tuple[int, str]]:
    """Why the filter is false for this request: (indent, text) lines naming the false
    sub-expression and the values of the fields it compares.  ``source`` is the
    expression text or an already compiled expression."""
    from rulelang.language.expression import compile_expression

    compiled = source
    if isinstance(source, str):
        try:
            compiled = compile_expression(source, phase=phase,
                                          lists=dict(lists) if lists else None)
        except RuleLangError:
            return []
    _result, steps = compiled.explain(request, response)
    return _Explainer({id(step.node): step.value for step in steps}).why_false(compiled.ast)


def _rule_field(rule: Any, name: str, default: Any = None) -> Any:
    if isinstance(rule, Mapping):
        return rule.get(name, default)
    return getattr(rule, name, default)


def _expression_source(rule: Any) -> str:
    expr = _rule_field(rule, "expression", "")
    return expr if isinstance(expr, str) else getattr(expr, "source", str(expr))


def trace_rules(rulesets: Sequence, outcome: Mapping, request, response,
                lists: Mapping | None = None) -> list[dict]:
    """Every rule of every rule set with ``matched`` and, for a rule that did not match,
    ``why_not``: the lines of :func:`explain_false`."""
    matched = {(phase, r.get("index")) for phase, rules in (outcome.get("matched") or {}).items()
               for r in rules}
    out = []
    for rs in rulesets:
        phase = rs.phase
        ran = phase == PHASES[0] or response is not None
        for i, rule in enumerate(rs.rules):
            index = _rule_field(rule, "index", i)
            entry = {"phase": phase, "index": index, "id": _rule_field(rule, "id"),
                     "ref": _rule_field(rule, "ref"),
                     "description": _rule_field(rule, "description") or "",
                     "expression": _expression_source(rule),
                     "enabled": _rule_field(rule, "enabled", True) is not False,
                     "matched": (phase, index) in matched}
            if not ran:
                entry["why_not"] = ["the response phase did not run (no response given)"]
            elif not entry["enabled"]:
                entry["why_not"] = ["the rule is disabled"]
            elif not entry["matched"]:
                compiled = _rule_field(rule, "compiled") or entry["expression"]
                entry["why_not"] = [
                    "  " * depth + text for depth, text in
                    explain_false(compiled, phase, request, response, lists)]
            out.append(entry)
    return out


def _header_pairs(values: Sequence[str], option: str) -> list[tuple[str, str]]:
    pairs = []
    for v in values:
        name, sep, value = v.partition(":")
        if not sep or not name.strip():
            raise click.BadParameter(f"expected 'Name: value', got {v!r}", param_hint=option)
        pairs.append((name.strip(), value.strip()))
    return pairs


def _field_values(values: Sequence[str]) -> dict:
    """``--field NAME=VALUE`` pairs: VALUE is the text itself for a String field (so
    ``ip.src.country=GB`` and ``http.x=1`` need no quoting), else JSON when it parses."""
    from rulelang.schema.catalogue import fields

    schema = fields()
    out = {}
    for v in values:
        name, sep, raw = v.partition("=")
        name = name.strip()
        if not sep or not name:
            raise click.BadParameter(f"expected NAME=VALUE, got {v!r}", param_hint="--field")
        if name not in schema:
            raise click.BadParameter(f"unknown field {name!r} (`rulelang fields` lists them)",
                                     param_hint="--field")
        if str(schema[name].type) == "String":
            out[name] = raw
            continue
        try:
            out[name] = json.loads(raw)
        except ValueError:
            out[name] = raw
    return out


class _Status(click.ParamType):
    """An HTTP status code, 100 to 999."""

    name = "CODE"

    def convert(self, value, param, ctx):
        try:
            code = int(str(value).strip())
        except ValueError:
            code = None
        if code is None or not 100 <= code <= 999:
            self.fail(f"expected an HTTP status code from 100 to 999, got {value!r}", param,
                      ctx)
        return code


def _print_trace(out, rulesets, entries, outcome, request, response) -> None:
    line = f"{request.method} {request.url}"
    line += f" → {response.status}" if response is not None else \
        "  (no response: only the request phase ran; add --status to model the response)"
    out.print(Text(line, style="bold"), soft_wrap=True)
    if not rulesets:
        out.print(Text("no --rules given: Cloudflare's default behaviour, without rules",
                       style="dim"), soft_wrap=True)
    for phase in PHASES:
        mine = [e for e in entries if e["phase"] == phase]
        out.print()
        out.print(Text(f"{phase_label(phase)} ({phase})", style="bold underline"))
        if not mine:
            out.print(Text("  no rules", style="dim"))
        for e in mine:
            mark, style = ("✓", "green") if e["matched"] else ("✗", "red")
            if not e["enabled"]:
                mark, style = ("-", "dim")
            out.print(Text(f"  {mark} {describe_rule(e)}", style=style), soft_wrap=True)
            out.print(Text(f"      {e['expression']}", style="dim"), soft_wrap=True)
            for why in e.get("why_not", []):
                out.print(Text(f"      {why}"), soft_wrap=True)
    decision = outcome.get("decision") or {}
    out.print()
    out.print(Text("Decision", style="bold underline"))
    rows = decision_rows(decision, response is not None)
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        out.print(f"  {label.ljust(width)}  {value}", soft_wrap=True)
    reasons = decision.get("reasons") or []
    if reasons:
        out.print()
        out.print(Text("Why", style="bold underline"))
        for i, reason in enumerate(reasons, 1):
            out.print(f"  {i}. {reason}", soft_wrap=True)


@click.command("trace")
@click.argument("url")
@click.option("--rules", "rules", multiple=True, metavar="PATH",
              help="Rules file or directory of rules files (repeatable).")
@click.option("-X", "--request", "method", default="GET", show_default=True,
              metavar="METHOD", help="Request method.")
@click.option("-H", "--header", "headers", multiple=True, metavar="'Name: value'",
              help="Request header (repeatable).")
@click.option("--status", type=_Status(), default=None,
              help="Origin response status; runs the response phase.")
@click.option("--response-header", "response_headers", multiple=True,
              metavar="'Name: value'", help="Origin response header (repeatable).")
@click.option("--client-ip", default=None, metavar="IP", help="The visitor's IP address.")
@click.option("--field", "fields", multiple=True, metavar="NAME=VALUE",
              help="Value of a field a plain request cannot carry, e.g. ip.src.country=GB.")
@click.option("--phase", type=PHASE, default=None,
              help="Phase of rules files that do not name theirs.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Text, or one JSON object.")
@CONFIG_OPTION
def trace_command(url: str, rules: tuple[str, ...], method: str, headers: tuple[str, ...],
                  status: int | None, response_headers: tuple[str, ...],
                  client_ip: str | None, fields: tuple[str, ...], phase: str | None,
                  fmt: str, config_path: str | None) -> int:
    """Trace one request to URL through the rules: each rule, whether it matched and
    why not, then the cache decision with its reasons.

    \b
    Example:
      rulelang trace --rules cache-rules.json https://www.example.com/ \\
          -H 'Cookie: session=1' --status 200 --response-header 'Cache-Control: max-age=60'
    """
    from rulelang.engine import Engine
    from rulelang.http.messages import Request, Response

    out, err = consoles()
    config = project_config(config_path)
    rulesets = load_rule_paths(rules, phase, err, lists=config.lists,
                               plan=config.plan) if rules else []
    try:
        request = Request(method=method, url=url, headers=_header_pairs(headers, "-H"),
                          client_ip=client_ip, fields=_field_values(fields))
    except RuleLangError as e:
        if str(e).startswith("field "):  # a --field value of the wrong type
            raise click.BadParameter(str(e), param_hint="--field") from None
        raise
    response = None
    if status is not None or response_headers:
        response = Response(status=status or 200,
                            headers=_header_pairs(response_headers, "--response-header"))
    engine = Engine(rulesets, zone=config.engine_zone(), lists=config.lists)
    outcome = engine.evaluate(request, response).to_dict()
    entries = trace_rules(rulesets, outcome, request, response)
    if fmt == "json":
        click.echo(json.dumps({"sample": url, **outcome, "trace": entries},
                              ensure_ascii=False))
    else:
        _print_trace(out, rulesets, entries, outcome, request, response)
    return 0
