"""The functions of the Rules language (language reference §8): binding and run time.

:func:`bind` is called once per call site, at compile time, after the checker has
matched the arguments against :data:`rulelang.schema.FUNCTIONS`.  It validates the
constant arguments (patterns, replacements, options, limits), compiles what can be
compiled, and returns ``impl(*values)``: a function of the run-time values of all
arguments, in order, that returns the result or :data:`~rulelang.values.MISSING`
and never raises.  Non-fatal findings (RL508, RL509) come from
:func:`bind_with_warnings`.

A mapped first argument (``f(x[*], …)``) is the compiler's business: it calls
``impl`` once per element (``types[0]`` is then the element type).
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from rulelang.language.functions import text
from rulelang.language.patterns.regex import (
    PatternError,
    Replacement,
    compile_regex,
    parse_replacement,
)
from rulelang.language.patterns.wildcard import DEFAULT_STAR_LIMIT, compile_wildcard
from rulelang.schema.types import Type
from rulelang.schema.values import MISSING

__all__ = ["NOT_LITERAL", "ArgumentProblem", "Impl", "bind", "bind_with_warnings"]

Impl = Callable[..., object]

#: A run-time argument of an implementation (see :mod:`rulelang.schema.values`).  Its
#: Python type follows from the static type the checker proved for the call, which a
#: Python type checker cannot see; an implementation tests only for MISSING.
Value = Any

_T = TypeVar("_T")


class ArgumentProblem(Exception):
    """An invalid constant argument (an error) or a finding about one (a warning).

    ``index`` is the 0-based argument the problem is about, when there is one.
    """

    def __init__(self, code: str, message: str, index: int | None = None, hint: str = "",
                 severity: str = "error") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.index = index
        self.hint = hint
        self.severity = severity

    def __repr__(self) -> str:
        return f"ArgumentProblem({self.code!r}, {self.message!r}, index={self.index!r})"


class _NotLiteral:
    __slots__ = ()

    def __repr__(self) -> str:
        return "NOT_LITERAL"


#: ``literals[i]`` for an argument that was not written as a literal.
NOT_LITERAL: object = _NotLiteral()


class _Binding:
    """What a binder sees: the call's literals and types, and a place for warnings."""

    def __init__(self, name: str, literals: Sequence[object], types: Sequence[Type],
                 star_limit: int | None) -> None:
        self.name = name
        self.literals = list(literals)
        self.types = list(types)
        self.star_limit = star_limit
        self.warnings: list[ArgumentProblem] = []

    def given(self, i: int) -> bool:
        return i < len(self.literals)

    def literal(self, i: int, what: str, kind: type[_T]) -> _T:
        value = self.literals[i] if self.given(i) else NOT_LITERAL
        if value is NOT_LITERAL or not isinstance(value, kind) or isinstance(value, bool):
            raise ArgumentProblem("RL303", f"argument {i + 1} ({what}) of {self.name}() must be "
                                  f"a literal {'string' if kind is bytes else 'integer'}", i,
                                  f"write the {what} itself in the expression")
        return value

    def letters(self, i: int, what: str, allowed: bytes, hint: str) -> bytes:
        """An optional literal of option letters from ``allowed``, each at most once."""
        value = self.literal(i, what, bytes) if self.given(i) else b""
        if any(c not in allowed for c in value) or len(set(value)) != len(value):
            shown = value.decode("utf-8", "replace")[:40]
            raise ArgumentProblem("RL304", f"invalid {self.name}() {what} {shown!r}", i, hint)
        return value

    def pattern_problem(self, problem: PatternError, i: int) -> ArgumentProblem:
        return ArgumentProblem(problem.code, problem.message, i, problem.hint)

    def replacement(self, i: int, groups: int) -> Replacement:
        template = self.literal(i, "replacement", bytes)
        try:
            rep = parse_replacement(template, groups)
        except PatternError as problem:
            raise self.pattern_problem(problem, i) from None
        self.warnings += [ArgumentProblem(w.code, w.message, i, w.hint, "warning")
                          for w in rep.warnings]
        return rep


# --------------------------------------------------------------------------- §8.3


def _concat(b: _Binding) -> Impl:
    if b.types and b.types[0].is_array:
        def concat_arrays(*values: Value) -> object:
            present = [v for v in values if v is not MISSING]
            if not present:
                return MISSING
            return tuple(item for v in present for item in v)
        return concat_arrays

    def concat_strings(*values: Value) -> object:
        present = [v for v in values if v is not MISSING]
        return b"".join(present) if present else MISSING
    return concat_strings


def _decode_base64(b: _Binding) -> Impl:
    return lambda s: MISSING if s is MISSING else text.decode_base64(s)


def _ends_with(b: _Binding) -> Impl:
    return lambda s, x: MISSING if s is MISSING or x is MISSING else s.endswith(x)


def _starts_with(b: _Binding) -> Impl:
    return lambda s, x: MISSING if s is MISSING or x is MISSING else s.startswith(x)


def _len(b: _Binding) -> Impl:
    return lambda v: MISSING if v is MISSING else len(v)


def _lookup_json(want: type) -> Callable[[_Binding], Impl]:
    def binder(b: _Binding) -> Impl:
        keys = []
        for i in range(1, len(b.literals)):
            value = b.literals[i]
            if value is NOT_LITERAL or isinstance(value, bool) or not isinstance(
                    value, (bytes, int)):
                raise ArgumentProblem("RL303", f"key {i} of {b.name}() must be a literal "
                                      "string or integer", i, 'e.g. "product" or 0')
            if isinstance(value, int) and not 0 <= value <= text.INT_MAX:
                raise ArgumentProblem("RL304", f"array index {value} in {b.name}() is "
                                      "negative", i, "array indexes start at 0")
            keys.append(value)
        path = tuple(keys)
        return lambda doc, *_keys: MISSING if doc is MISSING else text.lookup_json(
            doc, path, want)
    return binder


def _case(convert: Callable[[bytes], bytes]) -> Callable[[_Binding], Impl]:
    # bytes.lower()/upper() change ASCII letters only, as the engine does
    return lambda b: lambda v: MISSING if v is MISSING else convert(v)


def _regex_replace(b: _Binding) -> Impl:
    raw = b.literal(1, "regex", bytes)
    try:
        source = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ArgumentProblem("RL305", "the regex is not valid UTF-8", 1,
                              "write non-ASCII bytes as \\\\xHH escapes") from None
    try:
        rx = compile_regex(source)
    except PatternError as problem:
        raise b.pattern_problem(problem, 1) from None
    rep = b.replacement(2, rx.groups)
    return lambda s, _rx, _rep: MISSING if s is MISSING else rx.replace_first(s, rep)


def _remove_bytes(b: _Binding) -> Impl:
    return lambda s, drop: MISSING if s is MISSING or drop is MISSING else s.translate(
        None, drop)


def _remove_query_args(b: _Binding) -> Impl:
    names = frozenset(b.literal(i, "parameter name", bytes) for i in range(1, len(b.literals)))
    return lambda q, *_names: MISSING if q is MISSING else text.remove_query_args(q, names)


def _split(b: _Binding) -> Impl:
    sep = b.literal(1, "separator", bytes)
    limit = b.literal(2, "limit", int)
    if not sep:
        raise ArgumentProblem("RL304", "the separator of split() must not be empty", 1,
                              'e.g. split(x, ",", 10)')
    if not 1 <= limit <= 128:
        raise ArgumentProblem("RL304", f"the limit of split() must be 1 to 128, not {limit}", 2,
                              "the limit is the largest number of parts")
    if limit == 1:
        b.warnings.append(ArgumentProblem(
            "RL508", "split() with limit 1 never splits: the result is the whole input", 2,
            "use a larger limit, e.g. 10", "warning"))
    splits = limit - 1
    return lambda s, _sep, _limit: MISSING if s is MISSING else tuple(s.split(sep, splits))


def _substring(b: _Binding) -> Impl:
    start = b.literal(1, "start", int)
    end = b.literal(2, "end", int) if b.given(2) else None
    return lambda v, *_offsets: MISSING if v is MISSING else v[start:end]


def _to_string(b: _Binding) -> Impl:
    def to_string(v: Value) -> object:
        if v is MISSING:
            return MISSING
        if isinstance(v, bool):
            return b"true" if v else b"false"
        if isinstance(v, int):
            return b"%d" % v
        return text.format_ip(v)
    return to_string


def _url_decode(b: _Binding) -> Impl:
    options = b.letters(1, "options", b"ru",
                        'options are "r" (recursive) and "u" (%uHHHH), each at most once')
    recursive, unicode = b"r"[0] in options, b"u"[0] in options
    return lambda s, *_o: MISSING if s is MISSING else text.url_decode(
        s, recursive=recursive, unicode=unicode)


def _wildcard_replace(b: _Binding) -> Impl:
    flags = b.literal(3, "flags", bytes) if b.given(3) else b""
    if flags not in (b"", b"s"):
        raise ArgumentProblem("RL304", f"invalid wildcard_replace() flags {flags!r}"[:200], 3,
                              'the only flag is "s" (case-sensitive)')
    try:
        wc = compile_wildcard(b.literal(1, "pattern", bytes), case_sensitive=flags == b"s",
                              star_limit=b.star_limit)
    except PatternError as problem:
        raise b.pattern_problem(problem, 1) from None
    rep = b.replacement(2, wc.stars)

    def wildcard_replace(s: Value, *_rest: Value) -> object:
        if s is MISSING:
            return MISSING
        captured = wc.captures(s)
        return s if captured is None else rep.expand((s, *captured))
    return wildcard_replace


# --------------------------------------------------------------------------- §8.4


def _bits(b: _Binding, i: int, top: int) -> int:
    bits = b.literal(i, "prefix length", int)
    if not 1 <= bits <= top:
        raise ArgumentProblem("RL304", f"the prefix length must be 1 to {top}, not {bits}", i,
                              f"IPv{4 if top == 32 else 6} prefixes have 1 to {top} bits")
    return bits


def _network(v4_bits: int | None, v6_bits: int) -> Impl:
    def network(ip: Value, *_bits: Value) -> object:
        if ip is MISSING:
            return MISSING
        if ip.version == 4:
            if v4_bits is None:
                return ip
            return ipaddress.IPv4Address(int(ip) & ~((1 << (32 - v4_bits)) - 1))
        return ipaddress.IPv6Address(int(ip) & ~((1 << (128 - v6_bits)) - 1))
    return network


def _cidr(b: _Binding) -> Impl:
    return _network(_bits(b, 1, 32), _bits(b, 2, 128))


def _cidr6(b: _Binding) -> Impl:
    return _network(None, _bits(b, 1, 128))


def _coalesce(b: _Binding) -> Impl:
    def coalesce(*values: object) -> object:
        return next((v for v in values if v is not MISSING), MISSING)
    return coalesce


def _encode_base64(b: _Binding) -> Impl:
    flags = b.letters(1, "flags", b"up", 'flags are "u" (URL-safe) and "p" (padding), e.g. "up"')
    url_safe, padding = b"u"[0] in flags, b"p"[0] in flags
    return lambda s, *_f: MISSING if s is MISSING else text.encode_base64(
        s, url_safe=url_safe, padding=padding)


def _has_key(b: _Binding) -> Impl:
    return lambda m, k: MISSING if m is MISSING or k is MISSING else k in m


def _has_value(b: _Binding) -> Impl:
    def has_value(c: Value, v: Value) -> object:
        if c is MISSING or v is MISSING:
            return MISSING
        items = c.values() if isinstance(c, dict) else c
        # type() keeps True from equalling 1 and an IPv4 address its mapped IPv6 form
        return any(type(x) is type(v) and x == v for x in items)
    return has_value


def _join(b: _Binding) -> Impl:
    return lambda items, sep: MISSING if items is MISSING or sep is MISSING else sep.join(items)


def _sha256(b: _Binding) -> Impl:
    return lambda s: MISSING if s is MISSING else hashlib.sha256(s).digest()


def _uuidv4(b: _Binding) -> Impl:
    return lambda s: MISSING if s is MISSING else text.uuid_from_bytes(s)


def _timed_hmac(b: _Binding) -> Impl:
    key = b.literal(0, "key", bytes)
    ttl = b.literal(2, "ttl", int)
    separator_len = b.literal(4, "separator length", int) if b.given(4) else 0
    flags = b.literal(5, "flags", bytes) if b.given(5) else b""
    if separator_len < 0:
        raise ArgumentProblem("RL304", "the separator length must not be negative", 4)
    if flags not in (b"", b"s"):
        raise ArgumentProblem("RL304", f"invalid is_timed_hmac_valid_v0() flags {flags!r}"[:200],
                              5, 'the only flag is "s" (URL-safe Base64 without padding)')

    def valid(_key: Value, message_mac: Value, _ttl: Value, now: Value,
              *_rest: Value) -> object:
        if message_mac is MISSING or now is MISSING:
            return MISSING
        return text.timed_hmac_valid(key, message_mac, ttl, now, separator_len, flags == b"s")
    return valid


def _unavailable(b: _Binding) -> Impl:
    raise ArgumentProblem("RL204", f"{b.name}() is not available in the cache phases and "
                          "cannot be evaluated by rulelang", None,
                          "it belongs to other Cloudflare products (§8.4, §8.5)")


_BINDERS: dict[str, Callable[[_Binding], Impl]] = {
    "concat": _concat,
    "decode_base64": _decode_base64,
    "ends_with": _ends_with,
    "len": _len,
    "lookup_json_integer": _lookup_json(int),
    "lookup_json_string": _lookup_json(str),
    "lower": _case(bytes.lower),
    "regex_replace": _regex_replace,
    "remove_bytes": _remove_bytes,
    "remove_query_args": _remove_query_args,
    "split": _split,
    "starts_with": _starts_with,
    "substring": _substring,
    "to_string": _to_string,
    "upper": _case(bytes.upper),
    "url_decode": _url_decode,
    "wildcard_replace": _wildcard_replace,
    "cidr": _cidr,
    "cidr6": _cidr6,
    "coalesce": _coalesce,
    "encode_base64": _encode_base64,
    "has_key": _has_key,
    "has_value": _has_value,
    "join": _join,
    "sha256": _sha256,
    "uuidv4": _uuidv4,
    "is_timed_hmac_valid_v0": _timed_hmac,
    **{name: _unavailable for name in (
        "is_jwt_present", "is_jwt_valid", "bit_slice", "sha512", "hmac", "ip_in_range",
        "hash_in_range", "trim", "trim_start", "trim_end", "wildcard", "contains")},
}


def bind_with_warnings(name: str, literals: Sequence[object], types: Sequence[Type], *,
                       star_limit: int | None = DEFAULT_STAR_LIMIT
                       ) -> tuple[Impl, list[ArgumentProblem]]:
    """Bind a call of ``name``; return its implementation and its warnings.

    ``literals[i]`` is the decoded constant of argument ``i`` (bytes, int or an
    ``ipaddress`` object) or :data:`NOT_LITERAL`; ``types[i]`` its static type.
    ``star_limit`` bounds the ``*`` of a ``wildcard_replace`` pattern.  Raises
    :class:`ArgumentProblem` (RL204, RL303–RL307) for a call that cannot be compiled,
    and ``ValueError`` for a name that is not a function (``any``/``all`` are
    quantifiers, compiled by the compiler).
    """
    binder = _BINDERS.get(name)
    if binder is None:
        raise ValueError(f"{name!r} is not a function that can be bound")
    binding = _Binding(name, literals, types, star_limit)
    impl = binder(binding)
    return impl, binding.warnings


def bind(name: str, literals: Sequence[object], types: Sequence[Type], *,
         star_limit: int | None = DEFAULT_STAR_LIMIT) -> Impl:
    """Bind a call of ``name`` and return ``impl(*values)``; see :func:`bind_with_warnings`."""
    return bind_with_warnings(name, literals, types, star_limit=star_limit)[0]
