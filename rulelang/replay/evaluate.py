"""The request and response phases for every request of a log: what the rules decide about
each request on its own, before the cache over time is simulated.

The decision of one request does not depend on what is in the cache, so this step is a
parallel map (a process pool locally, a map over partitions on Dask).  Its output is
small, picklable :class:`Line` records that the simulation sorts and replays.

The engine is reached through :func:`decide` only, with the two-phase API
(``Engine.request_phase``): the Cache Rules run once per request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from rulelang.cache.decision import response_side
from rulelang.errors import RuleLangError
from rulelang.http.messages import Request, Response
from rulelang.replay.inputs import LogRequest

__all__ = ["EngineSpec", "Evaluated", "Line", "Purge", "Record", "RuleInfo", "build_engine", "build_engines", "decide",
           "evaluate_request", "rule_table"]


@dataclass(frozen=True)
class EngineSpec:
    """How to build one rule set's engine anywhere (a worker process, a Dask worker):
    the rules files and the zone settings.  Engines hold compiled closures and are not
    sent between processes; this is."""

    rules: tuple[str, ...]
    zone: Mapping[str, Any] | None = None

    def key(self) -> tuple:
        return (self.rules, repr(sorted((self.zone or {}).items())))


_ENGINES: dict[tuple, Any] = {}


def build_engine(spec: EngineSpec) -> Any:
    """The engine of ``spec``, built once per process."""
    key = spec.key()
    engine = _ENGINES.get(key)
    if engine is None:
        from rulelang.engine import Engine

        engine = Engine(list(spec.rules), zone=dict(spec.zone) if spec.zone else None)
        if len(_ENGINES) > 8:
            _ENGINES.clear()
        _ENGINES[key] = engine
    return engine


_ENGINE_SETS: dict[tuple, tuple] = {}


def build_engines(specs: Sequence[EngineSpec]) -> tuple:
    """The engines of ``specs``, as one tuple that stays the same object within a process
    (the decisions memo of :func:`evaluate_request` is kept per tuple)."""
    key = tuple(spec.key() for spec in specs)
    engines = _ENGINE_SETS.get(key)
    if engines is None:
        engines = tuple(build_engine(spec) for spec in specs)
        if len(_ENGINE_SETS) > 8:
            _ENGINE_SETS.clear()
        _ENGINE_SETS[key] = engines
    return engines


class RuleInfo(NamedTuple):
    """A rule as the per-rule summary names it."""

    phase: str
    rule_index: int
    ref: str


def _rule_refs(engine: Any) -> list:
    """The engine's rule references (the objects its outcomes list as ``matched``), request
    phase first, in evaluation order.  The engine keeps them in private attributes; this is
    the one place that reads them."""
    plan = getattr(engine, "_request_plan", None)
    request = ([item[1] for item in plan] if plan is not None
               else [rule.ref for rule in getattr(engine, "_request", ())])
    return request + [rule.ref for rule in getattr(engine, "_response", ())]


def rule_table(engine: Any) -> list[RuleInfo]:
    """Every enabled rule of the engine, request phase first, in evaluation order."""
    return [RuleInfo(ref.phase, ref.index, ref.ref or ref.id or ref.label())
            for ref in _rule_refs(engine)]


class Evaluated(NamedTuple):
    """One rule set's decision about one request.

    ``status`` is the §4 status a new response gets (``MISS``, ``BYPASS``, ``DYNAMIC``);
    ``store`` is ``None`` when the response is not stored, else ``(edge_ttl,
    serve_stale_allowed, stale_while_revalidate, cache_tags, etag, last_modified)``;
    ``matched`` the positions (in :func:`rule_table`) of the matching rules.
    """

    key: str
    eligible: bool
    status: str
    store: tuple | None
    matched: tuple[int, ...]


class Purge(NamedTuple):
    """A purge of the log, in the simulation's stream: ``purge`` holds
    :meth:`~rulelang.cache.lifetime.Cache.purge`'s keyword arguments."""

    t: float
    file: int
    line: int
    timestamp: float | None
    purge: dict[str, Any]


class Line(NamedTuple):
    """One request of the log with every rule set's decision: what the simulation reads.

    ``t`` is the time the simulation uses (``timestamp``, or 0 when the log has none);
    ``validators`` the origin response's ``(ETag, Last-Modified)``; ``not_modified`` that
    the log shows a 304 from the origin; ``unreachable`` that it shows no origin answer.
    """

    t: float
    file: int
    line: int
    timestamp: float | None
    colo: str | None
    host: str
    url: str
    size: int
    validators: tuple[str | None, str | None]
    not_modified: bool
    unreachable: bool
    observed: str | None
    decisions: tuple[Evaluated, ...]


#: What the simulation reads, in time order: requests and purges.
Record = Line | Purge


# id(engine) -> (engine, {id(rule ref): position}); the engine is kept so its id stays its own.
_ORDINALS: dict[int, tuple[Any, dict[int, int]]] = {}


def _ordinal_table(engine: Any) -> dict[int, int]:
    entry = _ORDINALS.get(id(engine))
    if entry is None:
        if len(_ORDINALS) > 16:
            _ORDINALS.clear()
        entry = (engine, {id(ref): i for i, ref in enumerate(_rule_refs(engine))})
        _ORDINALS[id(engine)] = entry
    return entry[1]


def decide(engine: Any, request: Request, response: Response | None) -> Evaluated:
    """The adapter: one request through both phases of ``engine``, as an :class:`Evaluated`.

    The two-phase API (interfaces.md §5): the Cache Rules run once
    (``Engine.request_phase``), the Cache Response Rules once, and the typed
    :class:`~rulelang.cache.decision.Decision` is made on the fast path (no reason
    strings).  ``Pending.response_phase`` does not say which response rules matched, which
    the per-rule counts need, so the response phase is run here with the engine's own
    matcher — the one place that reads it.
    """
    pending = engine.request_phase(request)
    matched_refs = list(pending.matched)
    if response is None:
        decision = pending.response_phase(None)
    else:
        matched_response, actions = engine._match_response(request, response)
        matched_refs.extend(matched_response)
        decision = response_side(request, pending.side, response, actions)
    ordinals = _ordinal_table(engine)
    matched = tuple(sorted(ordinals[id(ref)] for ref in matched_refs if id(ref) in ordinals))
    eligible = bool(decision.eligible)
    status = decision.cache_status or ("MISS" if eligible else "DYNAMIC")
    store = None
    if response is not None and decision.edge_ttl is not None:
        stripped = set(decision.stripped_headers or ())
        etag = _first(response, "etag") if "etag" not in stripped else None
        modified = _first(response, "last-modified") if "last-modified" not in stripped \
            else None
        stale = bool(decision.serve_stale_allowed)
        store = (int(decision.edge_ttl), stale,
                 int(decision.stale_while_revalidate) if stale else 0,
                 tuple(decision.cache_tags or ()), etag, modified)
    return Evaluated(str(decision.cache_key or request.url), eligible, status, store, matched)


def _first(message: Any, name: str) -> str | None:
    values = message.header_values(name)
    return values[0] if values else None


#: Decisions remembered per process (see :func:`evaluate_request`); cleared when full;
#: 0 turns the memo off.
MEMO_SIZE = 1 << 16
_TIME_FIELDS = frozenset({"http.request.timestamp.sec", "http.request.timestamp.msec"})
# id(engines tuple) -> (engines, reads time, reads the client address, memo)
_MEMOS: dict[int, tuple[Any, bool, bool, dict]] = {}


def _fields_read(engine: Any) -> frozenset[str]:
    names: set[str] = set()
    for ruleset in engine.rulesets:
        for rule in ruleset.rules:
            for compiled in (rule.compiled, rule.tag_expression):
                if compiled is not None:
                    names |= set(compiled.fields)
            if rule.enabled and (rule.compiled is None or (
                    rule.tag_expression is None and rule.action == "set_cache_tags"
                    and "expression" in rule.action_parameters)):
                return frozenset({"*"})  # not compiled here: assume it reads anything
    return frozenset(names)


def _memo(engines: Sequence[Any]) -> tuple[bool, bool, dict]:
    entry = _MEMOS.get(id(engines))
    if entry is None or entry[0] is not engines:
        reads = frozenset().union(*(_fields_read(e) for e in engines))
        anything = "*" in reads
        entry = (engines, anything or bool(reads & _TIME_FIELDS),
                 anything or any(n.startswith("ip.") for n in reads), {})
        if len(_MEMOS) > 8:
            _MEMOS.clear()
        _MEMOS[id(engines)] = entry
    return entry[1], entry[2], entry[3]


def _memo_key(request: Request, response: Response | None, time: bool, address: bool
              ) -> tuple:
    """Every input of the decision: the request (its time and client address only when a
    rule can read them, or ``Expires`` may be measured against the request's clock) and
    the response."""
    rh = None if response is None else (response.status, tuple(response.headers))
    if not time and response is not None and response.header_values("expires"):
        time = True
    return (request.method, request.url, tuple(request.headers),
            tuple(sorted(request.fields.items())),
            str(request.client_ip) if address else None,
            request.timestamp if time else None, rh)


def _decide_all(engines: Sequence[Any], request: Request, response: Response | None
                ) -> tuple[Evaluated, ...]:
    if not MEMO_SIZE:
        return tuple(decide(engine, request, response) for engine in engines)
    time, address, memo = _memo(engines)
    key = _memo_key(request, response, time, address)
    decisions = memo.get(key)
    if decisions is None:
        decisions = tuple(decide(engine, request, response) for engine in engines)
        if len(memo) >= MEMO_SIZE:
            memo.clear()
        memo[key] = decisions
    return decisions


def evaluate_request(engines: Sequence[Any], item: LogRequest) -> Line:
    """Every rule set's decision about one logged request.

    The decision is a function of the request and the response alone, and logs repeat
    the same request many times; so decisions are remembered, keyed by every input they
    depend on (:func:`_memo_key`), :data:`MEMO_SIZE` at most per process.
    """
    request, response = item.request, item.response
    try:
        decisions = _decide_all(engines, request, response)
    except RuleLangError:
        raise
    except Exception as exc:  # a defect, reported with the line
        raise RuleLangError(f"evaluation failed: {exc!r}") from exc
    validators: tuple[str | None, str | None] = (None, None)
    if response is not None:
        validators = (_first(response, "etag"), _first(response, "last-modified"))
    return Line(item.timestamp if item.timestamp is not None else 0.0, item.file, item.line,
                item.timestamp, item.colo, request.url_host, request.url, item.size,
                validators, item.origin_status == 304, item.origin_unreachable, item.observed,
                decisions)
