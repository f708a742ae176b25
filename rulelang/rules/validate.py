"""Validation of ``action_parameters`` (cache-phases.md §2, validator rows V9–V40).

:func:`validate_action` checks one rule's parameters for its action and phase,
reports every problem through a callback (code, path, message, hint) and returns
the parameters normalised: integral floats become ints, tags are trimmed, and the
legacy ``query_string`` spellings become ``{"all": true}`` / ``{"list": [...]}``
(PD-29 f; ``{"list": ["*"]}`` alone counts as ``"*"`` — only a ``"*"`` mixed with
names is rejected).  It never raises for bad input.

In Terraform files (``terraform=True``) values are converted the way Terraform
converts them for the provider's schema: ``"8080"`` is the number 8080 and
``"true"`` the Boolean true.  Elsewhere a quoted number is an error that says so.

The schema follows Cloudflare's API as its Python SDK describes it (a test compares
the two): ``vary``, ``shared_dictionary`` and ``origin_range_requests`` are
parameters; ``edge_ttl.default`` may be 0; an empty ``query_string`` is accepted;
overlapping ``status_code_ttl`` entries and a ``browser_ttl`` default with
``respect_origin`` are warnings (the API accepts both; the first entry that matches
wins and the default does nothing); ``cache_by_device_type`` together with
``custom_key.user`` is refused as the API refuses it (RS328).  Expressions inside the parameters (the
``set_cache_tags`` ``expression``) are compiled by the caller.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rulelang.http.messages import HOP_BY_HOP
from rulelang.rules.terraform import terraform_number
from rulelang.schema.actions import (
    BOOLEAN_DIRECTIVES,
    DIRECTIVES,
    DURATION_DIRECTIVES,
    PLANS,
    QUALIFIER_DIRECTIVES,
)
from rulelang.schema.catalogue import REQUEST_PHASE

__all__ = [
    "ACTIONS",
    "BOOLEAN_DIRECTIVES",
    "DIRECTIVES",
    "DURATION_DIRECTIVES",
    "PARAMETERS",
    "PLANS",
    "PLAN_MIN_EDGE_TTL",
    "PLAN_RULE_LIMITS",
    "QUALIFIER_DIRECTIVES",
    "validate_action",
]

Report = Callable[..., None]
Path = tuple[Any, ...]

PLAN_RULE_LIMITS = {"free": 10, "pro": 25, "business": 50, "enterprise": 300}
PLAN_MIN_EDGE_TTL = {"free": 7200, "pro": 3600, "business": 1, "enterprise": 1}

#: Actions accepted in each phase (§1.5).
ACTIONS = {
    "http_request_cache_settings": ("set_cache_settings",),
    "http_response_cache_settings": ("set_cache_settings", "set_cache_tags", "set_cache_control"),
}

EDGE_TTL_MODES = ("respect_origin", "override_origin", "bypass_by_default")
BROWSER_TTL_MODES = ("respect_origin", "override_origin", "bypass_by_default", "bypass")
TAG_OPERATIONS = ("add", "remove", "set")
DIRECTIVE_OPERATIONS = ("set", "remove")
MAX_DURATION = 2147483647

_REQUEST_BOOLEANS = ("cache", "respect_strong_etags", "origin_error_page_passthru",
                     "origin_cache_control")
_STRIP_KEYS = ("strip_etags", "strip_set_cookie", "strip_last_modified")
_QS_SELECTOR = {"all": None, "list": None}

#: The parameter names of each action, as a tree (``None`` for a leaf): the one list the
#: validator reads and the drift test compares with Cloudflare's Python SDK.  An array
#: of objects or a map of objects is described by its element.
PARAMETERS: dict[str, dict[str, Any]] = {
    "set_cache_settings": {
        **dict.fromkeys(_REQUEST_BOOLEANS),
        "edge_ttl": {"mode": None, "default": None, "status_code_ttl": {
            "status_code": None, "status_code_range": {"from": None, "to": None},
            "value": None}},
        "browser_ttl": {"mode": None, "default": None},
        "cache_key": {
            "ignore_query_strings_order": None, "cache_deception_armor": None,
            "cache_by_device_type": None,
            "custom_key": {
                "query_string": {"include": _QS_SELECTOR, "exclude": _QS_SELECTOR},
                "header": {"include": None, "check_presence": None, "contains": None,
                           "exclude_origin": None},
                "cookie": {"include": None, "check_presence": None},
                "user": {"device_type": None, "geo": None, "lang": None},
                "host": {"resolved": None}}},
        "cache_reserve": {"eligible": None, "minimum_file_size": None},
        "serve_stale": {"disable_stale_while_updating": None},
        "read_timeout": None,
        "additional_cacheable_ports": None,
        "vary": {"default": {"action": None},
                 "headers": {"action": None, "media_types": None, "languages": None}},
        "shared_dictionary": {"match_pattern": None},
        "origin_range_requests": {"mode": None},
        **dict.fromkeys(_STRIP_KEYS),
    },
    "set_cache_tags": {"operation": None, "values": None, "expression": None},
    "set_cache_control": {
        name: {"operation": None,
               **({"value": None} if name in DURATION_DIRECTIVES else
                  {"qualifiers": None} if name in QUALIFIER_DIRECTIVES else {}),
               "cloudflare_only": None}
        for name in DIRECTIVES},
}


def _keys(*path: str) -> tuple[str, ...]:
    """The parameter names at ``path`` of :data:`PARAMETERS` (``"set_cache_settings",
    "edge_ttl"``)."""
    node: Any = PARAMETERS
    for name in path:
        node = node[name]
    return tuple(node)


_REQUEST_KEYS = tuple(k for k in _keys("set_cache_settings") if k not in _STRIP_KEYS)
_CUSTOM = ("set_cache_settings", "cache_key", "custom_key")
_CUSTOM_KEY = _keys(*_CUSTOM)
VARY_ACTIONS = ("bypass", "passthrough", "normalize")
ORIGIN_RANGE_MODES = ("on", "off", "default")
_FORBIDDEN_HEADERS = frozenset({
    "connection", "content-length", "cache-control", "if-match", "if-modified-since",
    "if-none-match", "if-unmodified-since", "range", "upgrade", "cookie", "host", "origin"})
_RESTRICTED_HEADERS = frozenset({
    "accept", "accept-charset", "accept-encoding", "accept-datetime", "accept-language",
    "referer", "user-agent"})
_VARY_NAME = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")
#: Headers ``vary.headers`` may not name (Cloudflare's Cache Rules settings: "hop-by-hop
#: or cache-control headers, such as connection, host and cache-control"; the
#: hop-by-hop ones are RFC 9110 §7.6.1's).
_VARY_REFUSED = HOP_BY_HOP | {"host", "cache-control"}
_TOKEN_CHARS = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz"
                         "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _kind(value: Any) -> str:
    """The JSON name of a value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def as_int(value: Any) -> int | None:
    """``value`` as an integer when it is a JSON number without a fractional part."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


class _Checker:
    """Validates one rule's parameters; ``report(code, path, message, hint="")``."""

    def __init__(self, report: Report, plan: str | None, terraform: bool = False):
        self.report = report
        self.plan = plan
        self.terraform = terraform

    def int_(self, value: Any) -> int | None:
        """``value`` as an integer: a JSON number without a fraction, or in Terraform a
        string Terraform converts to one."""
        if self.terraform and isinstance(value, str):
            value = terraform_number(value)
        return as_int(value)

    def quoted(self, value: Any) -> str:
        """A hint for a quoted number outside Terraform (where quotes do not convert)."""
        if not self.terraform and isinstance(value, str) and as_int(terraform_number(value)) \
                is not None:
            return f" — {value!r} is a string, not a number; write {value.strip()}"
        return ""

    # ------------------------------------------------------------- primitives
    def obj(self, value: Any, path: Path, name: str) -> dict | None:
        if isinstance(value, dict):
            return value
        self.report("RS302", path, f"{name} must be an object, not {_kind(value)}")
        return None

    def keys(self, value: dict, allowed, path: Path, code: str = "RS301",
             hint: str = "") -> None:
        for key in value:
            if key not in allowed:
                expected = ", ".join(allowed)
                self.report(code, path + (key,), f"unknown parameter {key!r}",
                            hint or f"expected one of: {expected}", key=True)

    def boolean(self, value: Any, path: Path, name: str) -> Any:
        if self.terraform and value in ("true", "false"):
            return value == "true"
        if not isinstance(value, bool):
            self.report("RS302", path, f"{name} must be true or false, not {_kind(value)}")
        return value

    def enterprise(self, path: Path, what: str) -> None:
        if self.plan is not None and self.plan != "enterprise":
            self.report("RS327", path, f"{what} needs the Enterprise plan (plan: {self.plan})")

    def names(self, value: Any, path: Path, what: str) -> list[str] | None:
        if not isinstance(value, list):
            self.report("RS302", path, f"{what} must be an array of names, not {_kind(value)}")
            return None
        ok = True
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.report("RS302", path + (i,), f"{what} entries must be non-empty strings")
                ok = False
        return value if ok else None

    # ------------------------------------------------------------- request phase
    def request_settings(self, params: dict, path: Path) -> dict:
        out: dict[str, Any] = {}
        for key, value in params.items():
            sub = path + (key,)
            if key in _STRIP_KEYS:
                self.report("RS301", sub, f"{key!r} is not valid in the request phase",
                            "strip_* settings belong to http_response_cache_settings",
                            key=True)
            elif key not in _REQUEST_KEYS:
                self.report("RS301", sub, f"unknown parameter {key!r} for set_cache_settings",
                            "expected one of: " + ", ".join(_REQUEST_KEYS), key=True)
            elif key in _REQUEST_BOOLEANS:
                out[key] = self.boolean(value, sub, key)
                if key == "origin_cache_control":
                    self.enterprise(sub, "origin_cache_control")
            else:
                out[key] = getattr(self, key)(value, sub)
        return out

    def _ttl(self, value: Any, path: Path, name: str, modes, mode_code: str,
             minimum: int, default_code: str, why: str = "") -> tuple[dict | None, Any]:
        """The shared shape of edge_ttl and browser_ttl: mode, and default only with
        override_origin.  Returns the object (or ``None``) and its normalised copy."""
        ttl = self.obj(value, path, name)
        if ttl is None:
            return None, value
        self.keys(ttl, _keys("set_cache_settings", name), path)
        out = dict(ttl)
        mode = self._mode(ttl, path, modes, mode_code, name)
        if "default" in ttl:
            sub = path + ("default",)
            if mode == "respect_origin" and name == "browser_ttl":
                # The API accepts it (its SDK types allow it); the default does nothing.
                self.report("RS312", sub, "default does nothing with mode respect_origin",
                            "remove default, or use mode override_origin", severity="warning")
            elif mode is not None and mode != "override_origin":
                self.report("RS312", sub, f"default only applies to mode override_origin "
                            f"(mode is {mode!r})", "remove default or change the mode")
            n = self.int_(ttl["default"])
            if n is None or n < minimum:
                self.report(default_code, sub, f"{name}.default must be an integer number of "
                            f"seconds >= {minimum}{why}, not {ttl['default']!r}"
                            + self.quoted(ttl["default"]))
            else:
                out["default"] = n
        elif mode == "override_origin":
            self.report("RS311", path, f"{name} mode override_origin needs a default TTL",
                        'add "default": <seconds>')
        return ttl, out

    def edge_ttl(self, value: Any, path: Path) -> Any:
        # 0 (do not keep at the edge) is accepted by the API; a plan's minimum applies
        # when a plan is named and its minimum is above one second.
        minimum = PLAN_MIN_EDGE_TTL[self.plan] if self.plan is not None else 0
        why = f" (the minimum edge TTL of the {self.plan} plan)" if minimum > 1 else ""
        ttl, out = self._ttl(value, path, "edge_ttl", EDGE_TTL_MODES, "RS310",
                             minimum if minimum > 1 else 0, "RS313", why)
        if ttl is not None and "status_code_ttl" in ttl:
            out["status_code_ttl"] = self.status_code_ttl(ttl["status_code_ttl"],
                                                          path + ("status_code_ttl",))
        return out

    def _mode(self, ttl: dict, path: Path, modes, code: str, name: str) -> str | None:
        if "mode" not in ttl:
            self.report(code, path, f"{name} needs a mode", "mode is one of: " + ", ".join(modes))
            return None
        mode = ttl["mode"]
        if mode not in modes:
            self.report(code, path + ("mode",), f"invalid {name} mode {mode!r}",
                        "mode is one of: " + ", ".join(modes))
            return None
        return mode

    def status_code_ttl(self, value: Any, path: Path) -> Any:
        self.enterprise(path, "status_code_ttl")
        if not isinstance(value, list):
            self.report("RS314", path, f"status_code_ttl must be an array, not {_kind(value)}")
            return value
        spans: list[tuple[int, int, int]] = []
        out = []
        for i, entry in enumerate(value):
            sub = path + (i,)
            if not isinstance(entry, dict):
                self.report("RS314", sub, f"a status_code_ttl entry must be an object, "
                            f"not {_kind(entry)}")
                out.append(entry)
                continue
            self.keys(entry, _keys("set_cache_settings", "edge_ttl", "status_code_ttl"), sub)
            fixed = dict(entry)
            span = self._status_span(entry, sub, fixed)
            if "value" not in entry:
                self.report("RS314", sub, "status_code_ttl entry without a value")
            else:
                v = entry["value"]
                n = self.int_(v)
                if isinstance(v, str) and v in ("no-store", "no-cache"):
                    pass
                elif n is None or n < -1:
                    self.report("RS316", sub + ("value",),
                                f"invalid status code TTL value {v!r}",
                                'use seconds (an integer >= -1), "no-store" or "no-cache"')
                else:
                    fixed["value"] = n
            if span is not None:
                for lo, hi, j in spans:
                    if span[0] <= hi and lo <= span[1]:
                        # The API accepts overlaps (a recorded response holds them).
                        self.report("RS317", sub, f"status_code_ttl entry {i} overlaps entry "
                                    f"{j} (both match {max(lo, span[0])})",
                                    "the API accepts it; make the ranges disjoint so that "
                                    "which TTL applies is clear", severity="warning")
                        break
                spans.append((span[0], span[1], i))
            out.append(fixed)
        return out

    def _status_span(self, entry: dict, path: Path, fixed: dict) -> tuple[int, int] | None:
        has_code, has_range = "status_code" in entry, "status_code_range" in entry
        if has_code == has_range:
            self.report("RS314", path, "a status_code_ttl entry needs exactly one of "
                        "status_code and status_code_range")
            return None
        if has_code:
            code = self._status(entry["status_code"], path + ("status_code",))
            if code is None:
                return None
            fixed["status_code"] = code
            return (code, code)
        sub = path + ("status_code_range",)
        rng = entry["status_code_range"]
        if not isinstance(rng, dict):
            self.report("RS314", sub, f"status_code_range must be an object, not {_kind(rng)}")
            return None
        self.keys(rng, _keys("set_cache_settings", "edge_ttl", "status_code_ttl",
                             "status_code_range"), sub)
        if "from" not in rng and "to" not in rng:
            self.report("RS315", sub, "status_code_range needs from, to or both")
            return None
        bounds: dict[str, int] = {}
        for key in ("from", "to"):
            if key in rng:
                status = self._status(rng[key], sub + (key,))
                if status is None:
                    return None
                bounds[key] = status
        fixed["status_code_range"] = bounds
        lo, hi = bounds.get("from", 100), bounds.get("to", 999)
        if lo > hi:
            self.report("RS315", sub, f"status_code_range from {lo} is above to {hi}")
            return None
        return (lo, hi)

    def _status(self, value: Any, path: Path) -> int | None:
        n = self.int_(value)
        if n is None or not 100 <= n <= 999:
            self.report("RS315", path, f"status code {value!r} is not an integer 100-999"
                        + self.quoted(value))
            return None
        return n

    def browser_ttl(self, value: Any, path: Path) -> Any:
        return self._ttl(value, path, "browser_ttl", BROWSER_TTL_MODES, "RS318", 1, "RS318")[1]

    def cache_key(self, value: Any, path: Path) -> Any:
        key = self.obj(value, path, "cache_key")
        if key is None:
            return value
        flags = tuple(k for k in _keys("set_cache_settings", "cache_key") if k != "custom_key")
        self.keys(key, _keys("set_cache_settings", "cache_key"), path)
        out = dict(key)
        for flag in flags:
            if flag in key:
                out[flag] = self.boolean(key[flag], path + (flag,), f"cache_key.{flag}")
        if "custom_key" in key:
            out["custom_key"] = self.custom_key(key["custom_key"], path + ("custom_key",))
            custom = key["custom_key"]
            if out.get("cache_by_device_type") is True and isinstance(custom, dict) \
                    and "user" in custom:
                self.report("RS328", path + ("cache_by_device_type",),
                            "cache_by_device_type cannot be combined with custom_key.user",
                            "the API refuses both; use custom_key.user.device_type instead")
        return out

    def custom_key(self, value: Any, path: Path) -> Any:
        ck = self.obj(value, path, "custom_key")
        if ck is None:
            return value
        self.keys(ck, _CUSTOM_KEY, path)
        out = dict(ck)
        if "query_string" in ck:
            out["query_string"] = self.query_string(ck["query_string"], path + ("query_string",))
            if out["query_string"] != {"exclude": {"all": True}}:
                self.enterprise(path + ("query_string",),
                                "a custom query_string other than exclude.all")
        for part in ("header", "cookie", "user", "host"):
            if part in ck:
                self.enterprise(path + (part,), f"custom_key.{part}")
                out[part] = getattr(self, "key_" + part)(ck[part], path + (part,))
        return out

    def query_string(self, value: Any, path: Path) -> Any:
        qs = self.obj(value, path, "query_string")
        if qs is None:
            return value
        self.keys(qs, _keys(*_CUSTOM, "query_string"), path)
        present = [k for k in ("include", "exclude") if k in qs]
        if not present:
            return {}  # an empty query_string: the default (the provider's tests send it)
        if len(present) != 1:
            self.report("RS320", path, "query_string needs exactly one of include and exclude"
                        + (" (both are set)" if len(present) == 2 else ""))
            return value
        side = present[0]
        return {side: self._qs_selector(qs[side], path + (side,))}

    def _qs_selector(self, value: Any, path: Path) -> Any:
        if value == "*" or value == ["*"] or (isinstance(value, dict)
                                              and value.get("list") == ["*"] and len(value) == 1):
            return {"all": True}
        if isinstance(value, list):
            value = {"list": value}
        if not isinstance(value, dict):
            self.report("RS320", path, f"expected {{\"all\": true}} or {{\"list\": [...]}}, "
                        f"not {_kind(value)}")
            return value
        self.keys(value, tuple(_QS_SELECTOR), path)
        if ("all" in value) == ("list" in value):
            self.report("RS320", path, "give exactly one of all and list")
            return value
        if "all" in value:
            if value["all"] is not True:
                self.report("RS320", path + ("all",), "all must be true",
                            "to keep no parameters use exclude: {all: true}")
            return {"all": True}
        names = value["list"]
        if self.names(names, path + ("list",), "query_string list") is None:
            return value
        if not names:
            self.report("RS320", path + ("list",), "the parameter list is empty")
        elif "*" in names:
            self.report("RS320", path + ("list",), '"*" cannot be mixed with parameter names',
                        'use {"all": true} for every parameter')
        return {"list": names}

    def key_header(self, value: Any, path: Path) -> Any:
        hdr = self.obj(value, path, "custom_key.header")
        if hdr is None:
            return value
        self.keys(hdr, _keys(*_CUSTOM, "header"), path)
        for part in ("include", "check_presence"):
            if part in hdr:
                names = self.names(hdr[part], path + (part,), f"header.{part}")
                for i, name in enumerate(names or ()):
                    self._header_name(name, path + (part, i), restricted=part == "include")
        if "contains" in hdr:
            self._contains(hdr["contains"], path + ("contains",))
        out = dict(hdr)
        if "exclude_origin" in hdr:
            out["exclude_origin"] = self.boolean(hdr["exclude_origin"],
                                                 path + ("exclude_origin",),
                                                 "header.exclude_origin")
        return out

    def _header_name(self, name: str, path: Path, restricted: bool) -> None:
        low = name.strip().lower()
        if low in _FORBIDDEN_HEADERS or low.startswith("cf-"):
            self.report("RS321", path, f"header {name!r} cannot be part of the cache key")
        elif restricted and low in _RESTRICTED_HEADERS:
            self.report("RS321", path, f"header {name!r} can only be used through contains",
                        f'use "contains": {{"{low}": ["value", ...]}} with 1-10 values')
        elif not set(low) <= _TOKEN_CHARS:
            self.report("RS302", path, f"{name!r} is not a valid header name")

    def _contains(self, value: Any, path: Path) -> None:
        if not isinstance(value, dict):
            self.report("RS302", path, f"header.contains must be an object of header name → "
                        f"values, not {_kind(value)}")
            return
        for name, values in value.items():
            sub = path + (name,)
            if not isinstance(name, str) or not name.strip():
                self.report("RS302", sub, f"{name!r} is not a header name")
                continue
            self._header_name(name, sub, restricted=False)
            if not isinstance(values, list) or not 1 <= len(values) <= 10:
                self.report("RS322", sub, f"header {name!r} in contains needs 1-10 values")
            elif any(not isinstance(v, str) or not v for v in values):
                self.report("RS322", sub, f"header {name!r}: values must be non-empty strings")

    def key_cookie(self, value: Any, path: Path) -> Any:
        ck = self.obj(value, path, "custom_key.cookie")
        if ck is None:
            return value
        self.keys(ck, _keys(*_CUSTOM, "cookie"), path)
        for part in ("include", "check_presence"):
            if part in ck:
                for i, name in enumerate(self.names(ck[part], path + (part,),
                                                    f"cookie.{part}") or ()):
                    if name.lower().startswith("__cf"):
                        self.report("RS323", path + (part, i),
                                    f"cookie {name!r} is a Cloudflare cookie")
        return value

    def _flags(self, value: Any, path: Path, name: str) -> Any:
        """An object of Boolean settings (``custom_key.user``, ``custom_key.host``,
        ``serve_stale``): its keys checked, each value a Boolean; the normalised copy."""
        obj = self.obj(value, path, name)
        if obj is None:
            return value
        allowed = _keys(*_CUSTOM, name.rsplit(".", 1)[-1]) if name.startswith(
            "custom_key.") else _keys("set_cache_settings", name)
        self.keys(obj, allowed, path)
        return {k: self.boolean(v, path + (k,), f"{name.rsplit('.', 1)[-1]}.{k}")
                if k in allowed else v for k, v in obj.items()}

    def key_user(self, value: Any, path: Path) -> Any:
        return self._flags(value, path, "custom_key.user")

    def key_host(self, value: Any, path: Path) -> Any:
        return self._flags(value, path, "custom_key.host")

    def cache_reserve(self, value: Any, path: Path) -> Any:
        cr = self.obj(value, path, "cache_reserve")
        if cr is None:
            return value
        self.keys(cr, _keys("set_cache_settings", "cache_reserve"), path, code="RS324",
                  hint="cache_reserve takes eligible and minimum_file_size"
                  + ("; write eligible, not enabled" if "enabled" in cr else ""))
        out = dict(cr)
        if "eligible" not in cr:
            self.report("RS324", path, "cache_reserve needs eligible (true or false)")
        else:
            out["eligible"] = self.boolean(cr["eligible"], path + ("eligible",),
                                           "cache_reserve.eligible")
        if "minimum_file_size" in cr:
            n = self.int_(cr["minimum_file_size"])
            if n is None or n < 0:
                self.report("RS324", path + ("minimum_file_size",),
                            "minimum_file_size must be an integer number of bytes >= 0")
            else:
                out["minimum_file_size"] = n
        return out

    def serve_stale(self, value: Any, path: Path) -> Any:
        return self._flags(value, path, "serve_stale")

    def read_timeout(self, value: Any, path: Path) -> Any:
        self.enterprise(path, "read_timeout")
        n = self.int_(value)
        if n is None or n < 1:
            self.report("RS325", path, f"read_timeout must be an integer >= 1, not {value!r}"
                        + self.quoted(value))
            return value
        return n

    def additional_cacheable_ports(self, value: Any, path: Path) -> Any:
        self.enterprise(path, "additional_cacheable_ports")
        if not isinstance(value, list):
            self.report("RS326", path, f"additional_cacheable_ports must be an array of port "
                        f"numbers, not {_kind(value)}")
            return value
        seen: set[int] = set()
        out = []
        for i, port in enumerate(value):
            n = self.int_(port)
            if n is None or not 1 <= n <= 65535:
                self.report("RS326", path + (i,), f"{port!r} is not a port number 1-65535"
                            + self.quoted(port))
            elif n in seen:
                self.report("RS326", path + (i,), f"port {n} is listed twice")
            else:
                seen.add(n)
            out.append(n if n is not None else port)
        return out

    def vary(self, value: Any, path: Path) -> Any:
        """How response Vary headers shape the cache key: a ``default`` action and
        per-header overrides (lower-case names; ``media_types`` for ``accept``,
        ``languages`` for ``accept-language``)."""
        vary = self.obj(value, path, "vary")
        if vary is None:
            return value
        self.keys(vary, _keys("set_cache_settings", "vary"), path)
        if "default" not in vary:
            self.report("RS302", path, "vary needs a default ({\"action\": …})",
                        "action is one of: " + ", ".join(VARY_ACTIONS))
        else:
            self._vary_entry(vary["default"], path + ("default",), "vary.default", ())
        headers = vary.get("headers")
        if headers is not None:
            if not isinstance(headers, dict):
                self.report("RS302", path + ("headers",), f"vary.headers must be an object "
                            f"of header name → settings, not {_kind(headers)}")
            else:
                if len(headers) > 50:
                    self.report("RS302", path + ("headers",), "vary.headers takes at most 50 "
                                "headers")
                for name, entry in headers.items():
                    sub = path + ("headers", name)
                    if not isinstance(name, str) or not 1 <= len(name) <= 128 or \
                            not set(name) <= _VARY_NAME:
                        self.report("RS302", sub, f"{name!r} is not a lower-case header name",
                                    "letters a-z, digits, '-' and '_'", key=True)
                    elif name.startswith(("cf-", "cf_")) or name in _VARY_REFUSED:
                        self.report("RS302", sub, f"header {name!r} cannot be configured in "
                                    "vary", "Cloudflare refuses cf- and cf_ headers, "
                                    "hop-by-hop headers, host and cache-control", key=True)
                    extra = (("media_types",) if name == "accept" else
                             ("languages",) if name == "accept-language" else ())
                    self._vary_entry(entry, sub, f"vary.headers[{name!r}]", extra)
        return value

    def _vary_entry(self, value: Any, path: Path, name: str, extra: tuple[str, ...]) -> None:
        entry = self.obj(value, path, name)
        if entry is None:
            return
        self.keys(entry, ("action",) + extra, path)
        action = entry.get("action")
        if "action" not in entry:
            self.report("RS302", path, f"{name} needs an action",
                        "action is one of: " + ", ".join(VARY_ACTIONS))
        elif action not in VARY_ACTIONS:
            self.report("RS302", path + ("action",), f"unknown vary action {action!r}",
                        "action is one of: " + ", ".join(VARY_ACTIONS))
        for key, most, longest in (("media_types", 10, 255), ("languages", 20, 64)):
            if key in entry:
                items = self.names(entry[key], path + (key,), f"{name}.{key}")
                if items is not None and (len(items) > most or any(
                        len(v) > longest or not v.isascii() or not v.isprintable()
                        for v in items)):
                    self.report("RS302", path + (key,), f"{key} takes at most {most} "
                                f"printable ASCII values of up to {longest} characters")

    def shared_dictionary(self, value: Any, path: Path) -> Any:
        """Shared dictionary compression: ``match_pattern`` for Use-As-Dictionary."""
        sd = self.obj(value, path, "shared_dictionary")
        if sd is None:
            return value
        self.keys(sd, _keys("set_cache_settings", "shared_dictionary"), path)
        pattern = sd.get("match_pattern")
        if "match_pattern" not in sd:
            self.report("RS302", path, "shared_dictionary needs a match_pattern",
                        'a URL pattern such as "/app/*.js"')
        elif not isinstance(pattern, str) or not pattern.strip():
            self.report("RS302", path + ("match_pattern",),
                        "match_pattern must be a non-empty URL pattern")
        return value

    def origin_range_requests(self, value: Any, path: Path) -> Any:
        """Whether a large asset is fetched from the origin in ranges (``on``/``off``,
        or ``default``: what the zone does without the rule)."""
        orr = self.obj(value, path, "origin_range_requests")
        if orr is None:
            return value
        self.keys(orr, _keys("set_cache_settings", "origin_range_requests"), path)
        if "mode" not in orr:
            self.report("RS302", path, "origin_range_requests needs a mode",
                        "mode is one of: " + ", ".join(ORIGIN_RANGE_MODES))
        elif orr["mode"] not in ORIGIN_RANGE_MODES:
            self.report("RS302", path + ("mode",),
                        f"unknown origin_range_requests mode {orr['mode']!r}",
                        "mode is one of: " + ", ".join(ORIGIN_RANGE_MODES))
        return value

    # ------------------------------------------------------------- response phase
    def response_settings(self, params: dict, path: Path) -> dict:
        out = dict(params)
        for key, value in params.items():
            sub = path + (key,)
            if key in _STRIP_KEYS:
                out[key] = self.boolean(value, sub, key)
            elif key in _REQUEST_KEYS:
                self.report("RS301", sub, f"{key!r} is not valid in the response phase",
                            "response-phase set_cache_settings only takes "
                            + ", ".join(_STRIP_KEYS), key=True)
            else:
                self.report("RS301", sub, f"unknown parameter {key!r} for set_cache_settings",
                            "expected one of: " + ", ".join(_STRIP_KEYS), key=True)
        return out

    def cache_tags(self, params: dict, path: Path) -> dict:
        self.keys(params, _keys("set_cache_tags"), path)
        out = dict(params)
        op = params.get("operation")
        if "operation" not in params:
            self.report("RS330", path, "set_cache_tags needs an operation (add, remove or set)")
        elif op not in TAG_OPERATIONS:
            self.report("RS330", path + ("operation",), f"unknown tag operation {op!r}",
                        "operation is one of: add, remove, set")
        if ("values" in params) == ("expression" in params):
            self.report("RS330", path, "set_cache_tags needs exactly one of values and "
                        "expression" + (" (both are set)" if "values" in params else ""))
        if "values" in params:
            out["values"] = self._tags(params["values"], path + ("values",), op)
        if "expression" in params:
            expr = params["expression"]
            if not isinstance(expr, str) or not expr.strip():
                self.report("RS332", path + ("expression",),
                            "the tag expression must be a non-empty string")
        return out

    def _tags(self, values: Any, path: Path, op: Any) -> Any:
        if not isinstance(values, list):
            self.report("RS331", path, f"values must be an array of tags, not {_kind(values)}")
            return values
        if not values and op in ("add", "remove"):
            self.report("RS331", path, f"an empty tag list does nothing with {op}",
                        "only set accepts an empty list (it clears the tags)")
        out = []
        for i, tag in enumerate(values):
            if not isinstance(tag, str):
                self.report("RS331", path + (i,), f"a tag must be a string, not {_kind(tag)}")
                out.append(tag)
                continue
            t = tag.strip()
            bad = [c for c in t if not 0x21 <= ord(c) <= 0x7E or c == ","]
            if not t:
                self.report("RS331", path + (i,), "empty tag")
            elif bad:
                self.report("RS331", path + (i,), f"tag {tag!r} contains {bad[0]!r}",
                            "tags are printable ASCII without spaces or commas")
            out.append(t)
        return out

    def cache_control(self, params: dict, path: Path) -> dict:
        out = {}
        for name, edit in params.items():
            out[name] = edit
            sub = path + (name,)
            if name not in DIRECTIVES:
                hint = "known directives: " + ", ".join(DIRECTIVES)
                if isinstance(name, str) and name.replace("_", "-").lower() in DIRECTIVES:
                    hint = (f"write {name.replace('_', '-').lower()!r}; the underscore spelling"
                            " is Terraform's and only accepted in .tf files")
                self.report("RS340", sub, f"unknown Cache-Control directive {name!r}", hint,
                            key=True)
                continue
            out[name] = self.directive(name, edit, sub)
        return out

    def directive(self, name: str, edit: Any, path: Path) -> Any:
        if not isinstance(edit, dict):
            self.report("RS341", path, f"directive {name} must be an object like "
                        f'{{"operation": "set"}}, not {_kind(edit)}')
            return edit
        out = dict(edit)
        allowed = _keys("set_cache_control", name)
        for key in edit:
            if key not in allowed:
                if key in ("value", "qualifiers"):
                    self.report("RS344", path + (key,), f"{name} takes no {key}", key=True)
                else:
                    self.report("RS341", path + (key,), f"unknown key {key!r} in {name}",
                                "expected: " + ", ".join(allowed), key=True)
        op = edit.get("operation")
        if "operation" not in edit:
            self.report("RS341", path, f"directive {name} needs an operation (set or remove)")
        elif op not in DIRECTIVE_OPERATIONS:
            self.report("RS341", path + ("operation",), f"unknown operation {op!r}",
                        "operation is set or remove")
        if "cloudflare_only" in edit:
            out["cloudflare_only"] = self.boolean(edit["cloudflare_only"],
                                                  path + ("cloudflare_only",), "cloudflare_only")
        if name in DURATION_DIRECTIVES:
            if op == "set" and "value" not in edit:
                self.report("RS342", path, f"{name} with operation set needs a value")
            if "value" in edit:
                n = self.int_(edit["value"])
                if op == "remove":
                    self.report("RS342", path + ("value",), f"remove takes no value ({name})")
                elif n is None or not 0 <= n <= MAX_DURATION:
                    self.report("RS342", path + ("value",),
                                f"{name} value must be an integer 0-{MAX_DURATION}, "
                                f"not {edit['value']!r}")
                else:
                    out["value"] = n
        elif name in QUALIFIER_DIRECTIVES and "qualifiers" in edit:
            q = edit["qualifiers"]
            if op == "remove":
                self.report("RS343", path + ("qualifiers",), "remove takes no qualifiers")
            elif not isinstance(q, list) or not all(
                    isinstance(h, str) and h and set(h) <= _TOKEN_CHARS for h in q):
                self.report("RS343", path + ("qualifiers",),
                            "qualifiers must be an array of header names")
        return out


def validate_action(phase: str, action: str, params: dict, path: Path, report: Report,
                    plan: str | None = None, *, terraform: bool = False) -> dict:
    """Check ``params`` for ``action`` in ``phase``; report problems; return them normalised.

    ``path`` is the path of ``action_parameters`` in the document, ``report`` is
    called as ``report(code, path, message, hint="", key=False)`` for every problem
    (``key=True`` when the problem is the member at ``path`` itself, such as an
    unknown key, so that it can be placed at the key rather than at its value).
    """
    checker = _Checker(report, plan, terraform)
    if action == "set_cache_settings":
        if phase == REQUEST_PHASE:
            return checker.request_settings(params, path)
        return checker.response_settings(params, path)
    if action == "set_cache_tags":
        return checker.cache_tags(params, path)
    if action == "set_cache_control":
        return checker.cache_control(params, path)
    return dict(params)
