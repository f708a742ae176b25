"""The zone-wide settings the cache decision needs (cache-phases §0, PD-01).

They are not part of any ruleset.  The defaults are the context in which the
worked examples and conformance vectors are evaluated; every one can be
overridden, in Python or through :meth:`Zone.from_dict` (the ``zone=`` argument
of :class:`rulelang.Engine`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from rulelang.errors import RuleLangError
from rulelang.schema.actions import PLANS

__all__ = ["CACHING_LEVELS", "DEFAULT_UNCACHEABLE_PORTS", "PLANS", "SSL_MODES", "Zone"]

SSL_MODES = ("off", "flexible", "full", "strict")
#: Cloudflare's caching levels; the API names basic/simplified/aggressive are accepted too.
CACHING_LEVELS = ("no_query_string", "ignore_query_string", "standard")
_LEVEL_ALIASES = {"basic": "no_query_string", "simplified": "ignore_query_string",
                  "aggressive": "standard"}
_SSL_ALIASES = {"full_strict": "strict", "full (strict)": "strict"}
DEFAULT_UNCACHEABLE_PORTS = frozenset({2052, 2053, 2082, 2083, 2086, 2087, 2095, 2096,
                                       8880, 8443})


@dataclass(frozen=True)
class Zone:
    """Zone-wide cache settings (cache-phases §0).

    * ``plan`` — ``free`` | ``pro`` | ``business`` | ``enterprise``.
    * ``origin_cache_control`` — zone-level Origin Cache Control; ``None`` means the
      plan default (PD-02: always on below Enterprise, off on Enterprise).  Only an
      Enterprise zone can turn it off.
    * ``browser_cache_ttl`` — zone Browser Cache TTL in seconds; 0 = Respect
      Existing Headers.
    * ``query_string_sort`` — zone Query String Sort.
    * ``caching_level`` — ``standard`` (query string in the key),
      ``ignore_query_string`` (query dropped from the key of default-cacheable
      files) or ``no_query_string`` (default-cacheable files with a query string
      are not cached).
    * ``ssl_mode`` — ``off`` | ``flexible`` | ``full`` | ``strict``; decides the
      origin scheme of the default cache key.
    * ``uncacheable_ports`` — proxied ports with caching disabled (PD-05).
    * ``resolved_host`` — the host name resolved to reach the origin, for
      ``custom_key.host.resolved`` (``None`` = the request host).
    * ``clock`` — the time used for ``Expires`` when the response has no ``Date``
      (PD-32); ``None`` = the current time.
    * ``max_cacheable_size`` — largest storable object in bytes (PD-37);
      ``None`` = the plan limit (512 MB, 5 GB on Enterprise).
    """

    plan: str = "enterprise"
    origin_cache_control: bool | None = None
    browser_cache_ttl: int = 14400
    query_string_sort: bool = False
    caching_level: str = "standard"
    ssl_mode: str = "full"
    uncacheable_ports: frozenset[int] = field(default=DEFAULT_UNCACHEABLE_PORTS)
    resolved_host: str | None = None
    clock: datetime | None = None
    max_cacheable_size: int | None = None

    def __post_init__(self) -> None:
        _check(self)
        if self.clock is not None and self.clock.tzinfo is None:
            object.__setattr__(self, "clock", self.clock.replace(tzinfo=UTC))

    @property
    def is_enterprise(self) -> bool:
        """Whether the zone is on the Enterprise plan."""
        return self.plan == "enterprise"

    @property
    def default_occ(self) -> bool:
        """Zone-level Origin Cache Control after the plan rule of PD-02."""
        if not self.is_enterprise or self.origin_cache_control is None:
            return not self.is_enterprise
        return self.origin_cache_control

    @property
    def size_limit(self) -> int:
        """The largest object Cloudflare stores for this zone (PD-37)."""
        if self.max_cacheable_size is not None:
            return self.max_cacheable_size
        return 5 * 1024 ** 3 if self.is_enterprise else 512 * 1024 ** 2

    @classmethod
    def from_dict(cls, d: dict | None) -> Zone:
        """A zone from a JSON-like mapping; missing keys keep their defaults.

        Raises :class:`~rulelang.errors.RuleLangError` on an unknown key or a value
        of the wrong type.  ``clock`` may be an ISO 8601 string, an HTTP date or a
        Unix timestamp; ``uncacheable_ports`` a list of integers.
        """
        if d is None:
            return cls()
        if isinstance(d, Zone):
            return d
        if not isinstance(d, dict):
            raise RuleLangError(f"zone settings must be an object, not {type(d).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(str(k) for k in d if k not in known)
        if unknown:
            raise RuleLangError(f"unknown zone setting {unknown[0]!r}; "
                                f"known settings: {', '.join(sorted(known))}")
        values = dict(d)
        if "uncacheable_ports" in values:
            ports = values["uncacheable_ports"]
            if not isinstance(ports, (list, tuple, set, frozenset)) or not all(
                    _is_int(p) for p in ports):
                raise RuleLangError("zone setting 'uncacheable_ports' must be a list of ports "
                                    f"(integers 1-65535), not {ports!r}")
            values["uncacheable_ports"] = frozenset(ports)
        if "clock" in values:
            values["clock"] = _clock(values["clock"])
        for name, aliases in (("caching_level", _LEVEL_ALIASES), ("ssl_mode", _SSL_ALIASES),
                              ("plan", {})):
            if isinstance(values.get(name), str):
                text = values[name].strip().lower()
                values[name] = aliases.get(text, text)
        return cls(**values)


def _clock(value: Any) -> datetime | None:
    from rulelang.cache.cache_control import parse_http_date

    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise RuleLangError(f"zone setting 'clock' is out of range: {value!r}") from None
    if isinstance(value, str):
        try:
            parsed: datetime | None = datetime.fromisoformat(value.strip())
        except ValueError:
            parsed = parse_http_date(value)
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise RuleLangError("zone setting 'clock' must be an ISO 8601 time, an HTTP date or "
                        f"a Unix timestamp, not {value!r}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check(zone: Zone) -> None:
    def fail(name: str, expected: str) -> None:
        raise RuleLangError(f"zone setting {name!r} must be {expected}, "
                            f"not {getattr(zone, name)!r}")

    if zone.plan not in PLANS:
        fail("plan", "one of " + ", ".join(PLANS))
    if zone.origin_cache_control is not None and not isinstance(zone.origin_cache_control, bool):
        fail("origin_cache_control", "true, false or null")
    if not _is_int(zone.browser_cache_ttl) or zone.browser_cache_ttl < 0:
        fail("browser_cache_ttl", "an integer number of seconds >= 0")
    if not isinstance(zone.query_string_sort, bool):
        fail("query_string_sort", "a boolean")
    if zone.caching_level not in CACHING_LEVELS:
        fail("caching_level", "one of " + ", ".join(CACHING_LEVELS))
    if zone.ssl_mode not in SSL_MODES:
        fail("ssl_mode", "one of " + ", ".join(SSL_MODES))
    if not isinstance(zone.uncacheable_ports, frozenset) or not all(
            _is_int(p) and 1 <= p <= 65535 for p in zone.uncacheable_ports):
        fail("uncacheable_ports", "a set of port numbers 1-65535")
    if zone.resolved_host is not None and not isinstance(zone.resolved_host, str):
        fail("resolved_host", "a host name or null")
    if zone.clock is not None and not isinstance(zone.clock, datetime):
        fail("clock", "a datetime or null")
    if zone.max_cacheable_size is not None and (
            not _is_int(zone.max_cacheable_size) or zone.max_cacheable_size < 0):
        fail("max_cacheable_size", "a non-negative integer or null")
