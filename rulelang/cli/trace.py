"""``rulelang trace URL``: one request (built from curl-like flags) through the rule
sets, showing every rule, whether it matched and — when it did not — which part of its
expression was false and the values it saw; then the decision and its reasons."""

from __future__ import annotations

import json
from collections.abc import Sequence

import click
from rich.text import Text

from rulelang.cli.common import (
    CONFIG_OPTION,
    PHASE,
    consoles,
    load_rule_paths,
    phase_label,
    plan_and_list_options,
    plan_lists_zone,
    project_config,
)
from rulelang.describe import decision_rows, describe_rule
from rulelang.errors import RuleLangError
from rulelang.files import MAX_NESTING, json_nesting_offset, shorten
from rulelang.schema.catalogue import PHASES
from rulelang.trace import trace_rules


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
        if json_nesting_offset(raw) is not None:
            raise click.BadParameter(f"the value of {name} is nested more than {MAX_NESTING} "
                                     f"levels deep", param_hint="--field")
        try:
            out[name] = json.loads(raw)
        except (ValueError, RecursionError):
            out[name] = raw
    return out


class _Status(click.ParamType):
    """An HTTP status code of a response, 100 to 599 (what :class:`Response` takes)."""

    name = "CODE"

    def convert(self, value, param, ctx):
        try:
            code = int(str(value).strip())
        except ValueError:
            code = None
        if code is None or not 100 <= code <= 599:
            self.fail(f"expected an HTTP status code from 100 to 599, got {shorten(repr(value), 40)}",
                      param, ctx)
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
              help="Origin response status (100-599); runs the response phase.")
@click.option("--response-header", "response_headers", multiple=True,
              metavar="'Name: value'", help="Origin response header (repeatable).")
@click.option("--client-ip", default=None, metavar="IP", help="The visitor's IP address.")
@click.option("--field", "fields", multiple=True, metavar="NAME=VALUE",
              help="Value of a field a plain request cannot carry, e.g. ip.src.country=GB.")
@click.option("--phase", type=PHASE, default=None,
              help="Phase of rules files that do not name theirs.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Text, or one JSON object.")
@plan_and_list_options
@CONFIG_OPTION
def trace_command(url: str, rules: tuple[str, ...], method: str, headers: tuple[str, ...],
                  status: int | None, response_headers: tuple[str, ...],
                  client_ip: str | None, fields: tuple[str, ...], phase: str | None,
                  fmt: str, plan: str | None, list_items: tuple[str, ...],
                  lists_file: str | None, config_path: str | None) -> int:
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
    if "://" not in url and not url.startswith("-"):
        raise click.BadParameter(f"{shorten(url, 200)!r} has no scheme; did you mean "
                                 f"'https://{shorten(url, 200)}'?", param_hint="URL")
    plan, lists, zone = plan_lists_zone(project_config(config_path), plan, list_items,
                                        lists_file)
    rulesets = load_rule_paths(rules, phase, err, lists=lists, plan=plan) if rules else []
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
    outcome = Engine(rulesets, zone=zone, lists=lists).evaluate(request, response).to_dict()
    entries = trace_rules(rulesets, outcome, request, response)
    if fmt == "json":
        click.echo(json.dumps({"sample": url, **outcome, "trace": entries},
                              ensure_ascii=False))
    else:
        _print_trace(out, rulesets, entries, outcome, request, response)
    return 0
