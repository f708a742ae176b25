"""Settings that do not do what they say (RS401–RS405), one rule at a time."""

from __future__ import annotations

from rulelang.errors import Diagnostic
from rulelang.rules.ruleset import Ruleset

__all__ = ["settings_findings"]


def settings_findings(rs: Ruleset) -> list[Diagnostic]:
    return []
