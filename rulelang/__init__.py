"""rulelang — a compiler, linter and offline engine for Cloudflare's Rules language
in the two cache phases (``http_request_cache_settings`` and
``http_response_cache_settings``)."""

from .errors import Diagnostic, ExpressionError, Location, RuleLangError, RulesetError

__all__ = ["Diagnostic", "ExpressionError", "Location", "RuleLangError", "RulesetError"]
__version__ = "0.1.0"
