"""Settings that do not do what they say (RS401–RS405), one rule at a time.

- RS401: ``cache: false`` with settings that only matter for cached responses, and no
  later rule that turns caching back on.
- RS402: ``cache: true`` on a rule whose expression only admits methods Cloudflare never
  caches (only ``GET`` and ``HEAD`` are cached; proven with z3 where installed).
- RS403: ``set_cache_control`` edits that contradict each other in one rule.
- RS404: a TTL above one year.
- RS405: a cache-key header that differs for every visitor or connection.
"""

from __future__ import annotations

from collections.abc import Iterator

from rulelang.analysis import compiled
from rulelang.errors import Diagnostic, Location
from rulelang.rules.ruleset import Rule, Ruleset
from rulelang.schema import catalogue as schema

__all__ = ["ONE_YEAR", "settings_findings"]

#: The longest TTL Cloudflare's dashboard offers (Browser Cache TTL and Edge TTL: 1 year).
ONE_YEAR = 31_536_000
#: Settings a ``cache: false`` rule carries in vain (they shape cached responses only).
_CACHED_ONLY = ("edge_ttl", "cache_key", "cache_reserve", "serve_stale", "respect_strong_etags",
                "additional_cacheable_ports")
_CACHEABLE_METHODS = ("GET", "HEAD")
_PER_VISITOR = {"x-forwarded-for": "the visitor's IP address",
                "true-client-ip": "the visitor's IP address",
                "x-real-ip": "the visitor's IP address",
                "forwarded": "the visitor's IP address",
                "keep-alive": "connection details (a hop-by-hop header)",
                "te": "connection details (a hop-by-hop header)",
                "trailer": "connection details (a hop-by-hop header)",
                "transfer-encoding": "connection details (a hop-by-hop header)",
                "proxy-connection": "connection details (a hop-by-hop header)",
                "proxy-authorization": "credentials for a proxy (a hop-by-hop header)"}


def settings_findings(rs: Ruleset) -> list[Diagnostic]:
    """RS401–RS405 for every enabled rule of ``rs``."""
    rules = [r for r in rs.rules if r.enabled]
    out: list[Diagnostic] = []
    for pos, rule in enumerate(rules):
        where = _Where(rule)
        if rs.phase == schema.REQUEST_PHASE and rule.action == "set_cache_settings":
            out.extend(_bypass_with_settings(rule, rules[pos + 1:], where))
            out.extend(_uncacheable_methods(rule, where))
            out.extend(_long_ttls(rule, where))
            out.extend(_per_visitor_headers(rule, where))
        if rule.action == "set_cache_control":
            out.extend(_contradictory_control(rule, where))
    return out


class _Where:
    """Places a finding at a parameter of the rule (falls back to the rule)."""

    def __init__(self, rule: Rule):
        self.rule = rule

    def __call__(self, *path: str | int) -> Location:
        loc = self.rule.location
        suffix = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
        return Location(loc.file, f"{loc.path}.action_parameters{suffix}", loc.line, loc.column)


def _bypass_with_settings(rule: Rule, later: list[Rule], where: _Where) -> Iterator[Diagnostic]:
    params = rule.action_parameters
    if params.get("cache") is not False:
        return
    idle = [k for k in _CACHED_ONLY if k in params]
    if not idle:
        return
    if any(r.action_parameters.get("cache") is True for r in later):
        return  # a later rule may turn caching back on and use these settings
    names = ", ".join(idle)
    yield Diagnostic(
        "RS401", f"rule {rule.index} bypasses the cache (cache: false), so {names} "
        f"{'does' if len(idle) == 1 else 'do'} nothing for the requests it matches",
        hint=f"remove {names}, or set cache: true if these requests should be cached",
        location=where(idle[0]))


def _uncacheable_methods(rule: Rule, where: _Where) -> Iterator[Diagnostic]:
    if rule.action_parameters.get("cache") is not True or rule.compiled is None:
        return
    if "http.request.method" not in rule.compiled.fields or not _only_uncacheable(rule):
        return
    yield Diagnostic(
        "RS402", f"rule {rule.index} makes requests eligible for cache, but it only matches "
        "methods other than GET and HEAD, which Cloudflare never caches",
        hint="match GET (and HEAD) requests, or remove cache: true",
        location=where("cache"))


def _only_uncacheable(rule: Rule) -> bool:
    """Proven: the rule matches some request, and none with a cacheable method."""
    try:
        import z3
    except ImportError:
        return False
    from rulelang.analysis.encode import Encoder
    from rulelang.analysis.overrides import Z3_LOCK
    with Z3_LOCK:
        return _proven_uncacheable(rule, Encoder(), z3)


def _proven_uncacheable(rule: Rule, enc, z3) -> bool:
    formula = enc.encode(compiled(rule).ast).formula
    method = enc.var("http.request.method", "String")
    solver = z3.Solver()
    solver.set("timeout", 1000)
    solver.add(formula)
    if solver.check() != z3.sat:
        return False
    solver.add(z3.Or(*[method == z3.StringVal(m) for m in _CACHEABLE_METHODS]))
    return solver.check() == z3.unsat


def _long_ttls(rule: Rule, where: _Where) -> Iterator[Diagnostic]:
    params = rule.action_parameters
    for key in ("edge_ttl", "browser_ttl"):
        ttl = params.get(key)
        if not isinstance(ttl, dict):
            continue
        default = ttl.get("default")
        if isinstance(default, int) and default > ONE_YEAR:
            yield _long(rule, f"{key}.default", default, where(key, "default"))
        for i, entry in enumerate(ttl.get("status_code_ttl") or ()):
            value = entry.get("value") if isinstance(entry, dict) else None
            if isinstance(value, int) and value > ONE_YEAR:
                yield _long(rule, f"{key}.status_code_ttl[{i}].value", value,
                            where(key, "status_code_ttl", i, "value"))


def _long(rule: Rule, name: str, value: int, location: Location) -> Diagnostic:
    return Diagnostic(
        "RS404", f"{name} of rule {rule.index} is {value} seconds, more than one year: "
        "Cloudflare offers at most a year, and unrequested objects are evicted long before",
        hint=f"use at most {ONE_YEAR} (one year); purge to refresh content early",
        location=location)


def _per_visitor_headers(rule: Rule, where: _Where) -> Iterator[Diagnostic]:
    header = ((rule.action_parameters.get("cache_key") or {}).get("custom_key") or {}) \
        .get("header") or {}
    if not isinstance(header, dict):
        return
    for part in ("include", "check_presence"):
        for i, name in enumerate(header.get(part) or ()):
            what = _PER_VISITOR.get(str(name).strip().lower())
            if what is None or (part == "check_presence" and "hop-by-hop" not in what):
                continue
            yield Diagnostic(
                "RS405", f"the cache key of rule {rule.index} includes {name}, which carries "
                f"{what}: every visitor or connection gets its own cached copy, so the cache "
                "almost never hits", hint=f"remove {name} from the cache key",
                location=where("cache_key", "custom_key", "header", part, i))


def _contradictory_control(rule: Rule, where: _Where) -> Iterator[Diagnostic]:
    params = rule.action_parameters

    def is_set(name: str) -> bool:
        edit = params.get(name)
        return isinstance(edit, dict) and edit.get("operation") == "set"

    conflicts = []
    if is_set("no-store"):
        conflicts += [(n, "no-store") for n in ("max-age", "s-maxage", "stale-while-revalidate",
                                                 "stale-if-error", "immutable", "public")
                      if is_set(n)]
    if is_set("public") and is_set("private"):
        conflicts.append(("public", "private"))
    for name, other in conflicts:
        yield Diagnostic(
            "RS403", f"rule {rule.index} sets both {other} and {name}: {other} wins at every "
            f"cache, so {name} only makes the header contradict itself",
            hint=f"remove {name}, or remove {other} if the response may be stored",
            location=where(name))
