"""Schema drift: rulelang's action-parameter names against Cloudflare's official Python SDK.

The ``cloudflare`` package (a test dependency only) types the Rulesets API's rule
parameters as TypedDicts. Every parameter the SDK knows for set_cache_settings,
set_cache_control and set_cache_tags must be one rulelang validates, and the other way
round, so that the next API change fails here instead of in a user's lint.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable, Mapping

from cloudflare.types.rulesets import rule_create_params as sdk

from rulelang.rules.validate import PARAMETERS

#: Names rulelang accepts that the SDK does not type: none today.  A deliberate extra
#: goes here with its reason.
RULELANG_ONLY: set[tuple[str, ...]] = set()


def _alias(hint) -> str | None:
    for meta in getattr(hint, "__metadata__", ()):
        alias = getattr(meta, "alias", None)
        if alias:
            return alias
    return None


def _strip(hint):
    """The TypedDicts a hint stands for (through Required, Annotated, Union, lists and
    maps of them); empty for a leaf."""
    origin = typing.get_origin(hint)
    if origin is typing.Annotated:
        return _strip(typing.get_args(hint)[0])
    if hasattr(hint, "__required_keys__"):
        return [hint]
    args = typing.get_args(hint)
    if origin is typing.Union:
        return [t for a in args for t in _strip(a)]
    if origin is not None and args and isinstance(origin, type) and (
            issubclass(origin, Mapping) or issubclass(origin, Iterable)):
        return _strip(args[-1])
    if origin is not None and args:  # Required[...], NotRequired[...]
        return [t for a in args for t in _strip(a)]
    return []


def _tree(typed_dicts) -> dict:
    out: dict = {}
    for td in typed_dicts:
        hints = typing.get_type_hints(td, include_extras=True)
        for name, hint in hints.items():
            key = _alias(hint) or _alias(typing.get_args(hint)[0] if typing.get_args(hint)
                                         else hint) or name
            inner = _strip(hint)
            if inner:
                sub = out.get(key) if isinstance(out.get(key), dict) else {}
                out[key] = {**sub, **_tree(inner)}
            else:
                out.setdefault(key, None)
    return out


def _leaves(tree, prefix=()) -> set[tuple[str, ...]]:
    out = set()
    for key, sub in tree.items():
        out.add(prefix + (key,))
        if isinstance(sub, dict):
            out |= _leaves(sub, prefix + (key,))
    return out


SDK = {
    "set_cache_settings": _tree([sdk.SetCacheSettingsRuleActionParameters]),
    "set_cache_control": _tree([sdk.SetCacheControlRuleActionParameters]),
    "set_cache_tags": _tree(_strip(sdk.SetCacheTagsRuleActionParameters)),
}


def test_the_sdk_is_read():
    assert "edge_ttl" in SDK["set_cache_settings"]
    assert "s-maxage" in SDK["set_cache_control"]
    assert {"operation", "values", "expression"} <= set(SDK["set_cache_tags"])


def test_every_sdk_parameter_is_known_to_rulelang():
    for action, tree in SDK.items():
        missing = _leaves(tree) - _leaves(PARAMETERS[action])
        assert not missing, f"{action}: the SDK has {sorted(missing)}; add them to validate.py"


def test_every_rulelang_parameter_is_in_the_sdk():
    for action, tree in SDK.items():
        extra = _leaves(PARAMETERS[action]) - _leaves(tree) - RULELANG_ONLY
        assert not extra, f"{action}: rulelang accepts {sorted(extra)}, unknown to the SDK"


def _literals(typed_dict, name: str) -> set[str]:
    hint = typing.get_type_hints(typed_dict)[name]
    while typing.get_origin(hint) is not typing.Literal:
        hint = typing.get_args(hint)[0]
    return set(typing.get_args(hint))


def test_enumerations_agree():
    from rulelang.rules import validate

    assert _literals(sdk.SetCacheSettingsRuleActionParametersEdgeTTL, "mode") == set(
        validate.EDGE_TTL_MODES)
    assert _literals(sdk.SetCacheSettingsRuleActionParametersBrowserTTL, "mode") == set(
        validate.BROWSER_TTL_MODES)
    assert _literals(sdk.SetCacheSettingsRuleActionParametersOriginRangeRequests,
                     "mode") == set(validate.ORIGIN_RANGE_MODES)
    assert _literals(sdk.SetCacheSettingsRuleActionParametersVaryDefault, "action") == set(
        validate.VARY_ACTIONS)
    assert _literals(sdk.SetCacheSettingsRuleActionParametersVaryHeaders, "action") == set(
        validate.VARY_ACTIONS)
