"""rulelang — a compiler, linter and offline engine for Cloudflare's Rules language
in the two cache phases (``http_request_cache_settings`` and
``http_response_cache_settings``).

The public API::

    compile_expression(source, phase=..., expect=..., lists=...) -> CompiledExpression
    Request, Response                      # HTTP messages and their field values
    load_ruleset(path_or_obj, phase=None)  # JSON, YAML, Terraform, or a dict
    Engine(rulesets, zone=..., lists=...)  # .evaluate(request, response) -> Outcome
    lint(path_or_expression, phase=None)   # -> list[Diagnostic]
    RuleLangError, ExpressionError, RulesetError, Diagnostic, Location
"""

from importlib import import_module

from .errors import Diagnostic, ExpressionError, Location, RuleLangError, RulesetError

# Public names defined in other modules, imported on first use so that
# ``import rulelang`` stays cheap.
_LAZY = {
    "compile_expression": "rulelang.expression",
    "CompiledExpression": "rulelang.expression",
    "Request": "rulelang.http",
    "Response": "rulelang.http",
    "load_ruleset": "rulelang.ruleset",
    "Ruleset": "rulelang.ruleset",
    "Rule": "rulelang.ruleset",
    "Engine": "rulelang.engine",
    "Outcome": "rulelang.engine",
    "load_rulesets": "rulelang.ruleset",
    "lint": "rulelang.linter",
}

__all__ = [  # noqa: RUF022 - grouped: errors first, then the lazily imported API
    "Diagnostic", "ExpressionError", "Location", "RuleLangError", "RulesetError",
    "compile_expression", "CompiledExpression", "Request", "Response", "load_ruleset",
    "load_rulesets", "Ruleset", "Rule", "Engine", "Outcome", "lint",
]
__version__ = "0.1.0"


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'rulelang' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(__all__)
