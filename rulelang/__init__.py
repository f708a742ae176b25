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

from __future__ import annotations

# Nothing is imported here at run time, not even typing: ``import rulelang`` is the first
# thing the ``rulelang`` script does, and Ctrl-C must find the command line's handler in
# place (rulelang.cli.main) rather than a half-imported package (docs/robustness.md).
TYPE_CHECKING = False

if TYPE_CHECKING:  # the names below are imported on first use; type checkers see them here
    from typing import Any

    from rulelang.cache.decision import Decision as Decision
    from rulelang.engine import Engine as Engine
    from rulelang.engine import Outcome as Outcome
    from rulelang.engine import Pending as Pending
    from rulelang.errors import Diagnostic as Diagnostic
    from rulelang.errors import ExpressionError as ExpressionError
    from rulelang.errors import Location as Location
    from rulelang.errors import RequestError as RequestError
    from rulelang.errors import RuleLangError as RuleLangError
    from rulelang.errors import RulesetError as RulesetError
    from rulelang.http.messages import Request as Request
    from rulelang.http.messages import Response as Response
    from rulelang.language.expression import CompiledExpression as CompiledExpression
    from rulelang.language.expression import compile_expression as compile_expression
    from rulelang.linter import lint as lint
    from rulelang.rules.ruleset import Rule as Rule
    from rulelang.rules.ruleset import Ruleset as Ruleset
    from rulelang.rules.ruleset import load_ruleset as load_ruleset
    from rulelang.rules.ruleset import load_rulesets as load_rulesets
    from rulelang.watch import RulesWatcher as RulesWatcher

# Public names defined in other modules, imported on first use so that
# ``import rulelang`` stays cheap.
_LAZY = {
    "Diagnostic": "rulelang.errors",
    "ExpressionError": "rulelang.errors",
    "Location": "rulelang.errors",
    "RuleLangError": "rulelang.errors",
    "RulesetError": "rulelang.errors",
    "compile_expression": "rulelang.language.expression",
    "CompiledExpression": "rulelang.language.expression",
    "Request": "rulelang.http.messages",
    "Response": "rulelang.http.messages",
    "load_ruleset": "rulelang.rules.ruleset",
    "Ruleset": "rulelang.rules.ruleset",
    "Rule": "rulelang.rules.ruleset",
    "Engine": "rulelang.engine",
    "Outcome": "rulelang.engine",
    "load_rulesets": "rulelang.rules.ruleset",
    "lint": "rulelang.linter",
    # embedding (interfaces.md §5); reachable as attributes, not part of __all__
    "Decision": "rulelang.cache.decision",
    "Pending": "rulelang.engine",
    "RequestError": "rulelang.errors",
    "RulesWatcher": "rulelang.watch",
}

__all__ = [  # noqa: RUF022 - grouped: errors first, then the lazily imported API
    "Diagnostic", "ExpressionError", "Location", "RuleLangError", "RulesetError",
    "compile_expression", "CompiledExpression", "Request", "Response", "load_ruleset",
    "load_rulesets", "Ruleset", "Rule", "Engine", "Outcome", "lint",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'rulelang' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
