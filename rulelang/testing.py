"""Test cases for rule sets: a YAML case file of requests, responses and expectations,
and the runner behind ``rulelang test`` (format: ``docs/testing-rules.md``).

A case file::

    rules:                      # rules files relative to the case file, or inline rule sets
      - ../example/cache-rules.json
    zone: {plan: enterprise}    # optional zone settings (cache-phases.md §0)
    lists: {}                   # optional values of $lists
    cases:
      - name: the logo is cached for a day
        request: {url: "https://www.example.com/static/logo.png"}
        response: {status: 200}
        expect:
          matched: [cache_static]       # every matching rule, in order (ref, id or description)
          cache_status: MISS            # any field of the decision
          edge_ttl: 86400

:func:`load_cases` reads and checks a case file; :func:`run_cases` evaluates every case
with an :class:`~rulelang.engine.Engine` and returns one :class:`CaseResult` each.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from rulelang.errors import RuleLangError
from rulelang.files import compose_yaml_all, load_yaml, read_bytes
from rulelang.schema.catalogue import normalize_phase
from rulelang.suggest import closest

__all__ = [
    "DECISION_FIELDS",
    "EXPECTATION_KEYS",
    "Case",
    "CaseFile",
    "CaseResult",
    "check_outcome",
    "check_samples",
    "load_cases",
    "looks_like_case_file",
    "run_cases",
]

#: The decision fields of cache-phases.md §4.1 (outputs and derived outputs).  Other
#: fields of the engine's decision can be checked under ``expect: {decision: {...}}``.
DECISION_FIELDS = frozenset({
    "eligible", "cache_status", "edge_ttl", "browser_cache_control", "cache_tags",
    "stripped_headers", "cache_key", "stored", "occ", "origin_method", "client_status",
    "smart_edge_revalidation", "cache_reserve_write", "serve_stale_allowed",
})
#: Expectation keys besides the decision fields.
EXPECTATION_KEYS = frozenset({
    "matched", "not_matched", "reasons", "decision", "request_settings", "response_settings",
})
_FILE_KEYS = frozenset({"rules", "zone", "lists", "cases"})
_CASE_KEYS = frozenset({"name", "request", "response", "expect"})


@dataclass(frozen=True, slots=True)
class Case:
    """One case: a request, an optional response and what must come out."""

    name: str
    index: int
    line: int
    request: dict
    response: dict | None
    expect: dict


@dataclass(frozen=True, slots=True)
class CaseFile:
    """A parsed case file; ``rules`` are paths (resolved against the file) or inline
    rule-set objects."""

    path: Path
    rules: tuple[Path | dict, ...] | None
    zone: dict | None
    lists: dict | None
    cases: tuple[Case, ...]


@dataclass(slots=True)
class CaseResult:
    """The result of one case: ``failures`` says, one line each, what did not hold."""

    case: Case
    failures: list[str] = field(default_factory=list)
    outcome: dict | None = None
    error: str = ""

    @property
    def passed(self) -> bool:
        return not self.failures and not self.error


def _error(path: Path, line: int | None, message: str) -> RuleLangError:
    where = f"{path}:{line}" if line else str(path)
    return RuleLangError(f"{where}: {message}")


def _case_lines(root: Any) -> list[int]:
    """1-based lines of the items of the top-level ``cases`` sequence."""
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if key.value == "cases" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _parse(text: str) -> tuple[Any, list[int]]:
    """The value of a case file's YAML and the lines of its cases, read with the safe
    loader (duplicate keys, alias bombs and deep nesting are errors)."""
    for root, loader in compose_yaml_all(text):
        if loader.check_node():
            raise yaml.YAMLError("a case file holds one YAML document, found several")
        return loader.construct_document(root), _case_lines(root)
    return None, []


def looks_like_case_file(path: str | Path) -> bool:
    """Whether ``path`` is a readable YAML mapping with a ``cases`` key (a case file,
    as opposed to a rules file); never raises."""
    try:
        doc = load_yaml(Path(path).read_text("utf-8"), duplicates="keep")
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError, RecursionError):
        return False
    return isinstance(doc, dict) and "cases" in doc


def load_cases(path: str | Path) -> CaseFile:
    """Read and check the case file at ``path``; raise :class:`RuleLangError` naming the
    file and line of the first problem."""
    path = Path(path)
    try:
        raw = read_bytes(path)  # "-" is standard input
    except FileNotFoundError:
        raise _error(path, None, "no such file") from None
    except IsADirectoryError:
        raise _error(path, None, "is a directory, not a case file") from None
    except OSError as e:
        raise _error(path, None, f"cannot read the file ({e.strerror or e})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise _error(path, raw[:e.start].count(b"\n") + 1,
                     f"not UTF-8 text (byte {e.start}); save the file as UTF-8") from None
    try:
        doc, lines = _parse(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise _error(path, mark.line + 1 if mark else None, f"not valid YAML: {problem}") \
            from None
    if not isinstance(doc, dict) or not isinstance(doc.get("cases"), list):
        raise _error(path, None, "a case file is a YAML mapping with a `cases:` list")
    unknown = set(doc) - _FILE_KEYS
    if unknown:
        key = min(map(str, unknown))
        raise _error(path, None, f"unknown top-level key {key!r}{_did_you_mean(key, _FILE_KEYS)}"
                                 f" (expected {', '.join(sorted(_FILE_KEYS))})")
    rules = doc.get("rules")
    if rules is not None:
        if isinstance(rules, (str, dict)):
            rules = [rules]
        if not isinstance(rules, list) or not all(isinstance(r, (str, dict)) for r in rules):
            raise _error(path, None, "`rules` is a list of rules files or rule-set objects")
        rules = tuple(path.parent / r if isinstance(r, str) else r for r in rules)
    for key in ("zone", "lists"):
        if doc.get(key) is not None and not isinstance(doc[key], dict):
            raise _error(path, None, f"`{key}` is a mapping")
    cases = []
    for i, raw in enumerate(doc["cases"]):
        line = lines[i] if i < len(lines) else None
        cases.append(_check_case(path, i, line or 0, raw))
    return CaseFile(path, rules, doc.get("zone"), doc.get("lists"), tuple(cases))


def _check_case(path: Path, i: int, line: int, raw: Any) -> Case:
    if not isinstance(raw, dict):
        raise _error(path, line, f"case {i + 1} is not a mapping")
    unknown = set(raw) - _CASE_KEYS
    if unknown:
        key = min(map(str, unknown))
        raise _error(path, line, f"case {i + 1}: unknown key {key!r}{_did_you_mean(key, _CASE_KEYS)}"
                                 f" (expected {', '.join(sorted(_CASE_KEYS))})")
    request = raw.get("request")
    if not isinstance(request, dict):
        raise _error(path, line, f"case {i + 1}: `request` is required and is a mapping")
    response = raw.get("response")
    if response is not None and not isinstance(response, dict):
        raise _error(path, line, f"case {i + 1}: `response` is a mapping")
    expect = raw.get("expect") or {}
    if not isinstance(expect, dict):
        raise _error(path, line, f"case {i + 1}: `expect` is a mapping")
    for key in expect:
        if key not in DECISION_FIELDS and key not in EXPECTATION_KEYS:
            hint = _did_you_mean(str(key), DECISION_FIELDS | EXPECTATION_KEYS)
            known = (f" (decision fields: {', '.join(sorted(DECISION_FIELDS))}; also "
                     f"{', '.join(sorted(EXPECTATION_KEYS))})")
            raise _error(path, line, f"case {i + 1}: unknown expectation {key!r}"
                                     f"{hint or known}")
    matched = expect.get("matched")
    if isinstance(matched, dict):
        for phase in matched:
            try:
                normalize_phase(str(phase))
            except ValueError as e:
                raise _error(path, line, f"case {i + 1}: expect.matched: {e}") from None
    name = str(raw.get("name") or f"case {i + 1}")
    return Case(name, i, line, request, response, expect)


def _did_you_mean(key: str, known) -> str:
    close = closest(key, known)
    return f" (did you mean {close!r}?)" if close else ""


def check_samples(case_file: CaseFile) -> None:
    """Raise :class:`RuleLangError` (file, line, case) at the first case whose request or
    response is not a valid sample (interfaces.md §2).  ``rulelang test`` calls it before
    running anything: a broken case file is invalid input (exit 2), not a failed case.
    :func:`run_cases` on its own reports such a case as an error of that case."""
    for case in case_file.cases:
        problem = _sample_problem(case.request, case.response)
        if problem:
            raise _error(case_file.path, case.line or None,
                         f"case {case.index + 1} ({case.name}): {problem}")


def _sample_problem(request: dict, response: dict | None) -> str:
    """What is wrong with a case's request or response (interfaces.md §2), or ''."""
    from rulelang.http.messages import Request, Response

    try:
        Request.from_dict(request)
        if response is not None:
            Response.from_dict(response)
    except (RuleLangError, TypeError, ValueError) as e:
        return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return ""


# --------------------------------------------------------------------------- checking

def _rule_label(rule: Mapping) -> str:
    return str(rule.get("ref") or rule.get("id") or rule.get("description")
               or f"#{rule.get('index')}")


def _names(rule: Mapping) -> set:
    return {rule.get("ref"), rule.get("id"), rule.get("description"), rule.get("index"),
            f"#{rule.get('index')}"} - {None, ""}


def _matched_lists(outcome: Mapping) -> dict[str, list[Mapping]]:
    matched = outcome.get("matched") or {}
    return {phase: list(rules) for phase, rules in matched.items()}


def _check_matched(expected: Any, outcome: Mapping, out: list[str]) -> None:
    by_phase = _matched_lists(outcome)
    if isinstance(expected, dict):
        pairs = []
        for phase, names in expected.items():
            try:
                full = normalize_phase(str(phase))
            except ValueError as e:
                out.append(f"matched: {e}")
                continue
            pairs.append((f"matched ({phase})", names, by_phase.get(full, [])))
    else:
        pairs = [("matched", expected, [r for rules in by_phase.values() for r in rules])]
    for label, names, actual in pairs:
        names = [] if names is None else names if isinstance(names, list) else [names]
        ok = len(names) == len(actual) and all(n in _names(r) for n, r in zip(names, actual))
        if not ok:
            out.append(f"{label}: expected {_show(names)}, got "
                       f"{_show([_rule_label(r) for r in actual])}")


def _check_not_matched(expected: Any, outcome: Mapping, out: list[str]) -> None:
    names = expected if isinstance(expected, list) else [expected]
    actual = [r for rules in _matched_lists(outcome).values() for r in rules]
    for n in names:
        hit = [r for r in actual if n in _names(r)]
        if hit:
            out.append(f"not_matched: rule {_show(n)} matched")


def _subset(expected: Any, actual: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            k in actual and _subset(v, actual[k]) for k, v in expected.items())
    return _same(expected, actual)


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    if isinstance(expected, list) and isinstance(actual, (list, tuple)):
        return len(expected) == len(actual) and all(map(_same, expected, actual))
    return expected == actual


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def check_outcome(expect: Mapping, outcome: Mapping) -> list[str]:
    """What in ``expect`` does not hold for ``outcome`` (the JSON shape of interfaces §4),
    one line each; empty when the case passes."""
    out: list[str] = []
    decision = outcome.get("decision") or {}
    wanted = {k: v for k, v in expect.items() if k in DECISION_FIELDS}
    nested = expect.get("decision") or {}
    if not isinstance(nested, dict):
        out.append("decision: expected a mapping of decision fields")
        nested = {}
    wanted.update(nested)
    for key, value in wanted.items():
        if key not in decision:
            out.append(f"{key}: the decision has no such field")
        elif not _same(value, decision[key]):
            out.append(f"{key}: expected {_show(value)}, got {_show(decision[key])}")
    if "matched" in expect:
        _check_matched(expect["matched"], outcome, out)
    if "not_matched" in expect:
        _check_not_matched(expect["not_matched"], outcome, out)
    for key in ("request_settings", "response_settings"):
        if key in expect and not _subset(expect[key], outcome.get(key)):
            out.append(f"{key}: expected to include {expect[key]!r}, got {outcome.get(key)!r}")
    if "reasons" in expect:
        reasons = [str(r) for r in decision.get("reasons") or []]
        wanted_reasons = expect["reasons"] if isinstance(expect["reasons"], list) \
            else [expect["reasons"]]
        for text in wanted_reasons:
            if not any(str(text) in r for r in reasons):
                out.append(f"reasons: no reason mentions {_show(str(text))}")
    return out


def run_cases(cases: Sequence[Case], rulesets: Sequence, zone: Mapping | None = None,
              lists: Mapping | None = None) -> list[CaseResult]:
    """Evaluate every case against ``rulesets`` (loaded rule sets) and check it."""
    from rulelang.engine import Engine
    from rulelang.http.messages import Request, Response

    engine = Engine(list(rulesets), zone=dict(zone) if zone else None,
                    lists=dict(lists) if lists else None)
    results = []
    for case in cases:
        result = CaseResult(case)
        try:
            request = Request.from_dict(case.request)
            response = Response.from_dict(case.response) if case.response is not None else None
        except (RuleLangError, TypeError, ValueError) as e:
            result.error = f"invalid sample: {e}"
            results.append(result)
            continue
        result.outcome = engine.evaluate(request, response).to_dict()
        result.failures = check_outcome(case.expect, result.outcome)
        results.append(result)
    return results
