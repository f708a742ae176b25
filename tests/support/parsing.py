"""The first diagnostic of an expression that must not parse."""

from __future__ import annotations

import pytest

from rulelang.errors import Diagnostic, ExpressionError
from rulelang.language.parser import parse


def first_error(text: str, **kw: object) -> Diagnostic:
    """Parse ``text`` (keywords as for ``parse``), expect ExpressionError, give its first
    diagnostic."""
    with pytest.raises(ExpressionError) as err:
        parse(text, **kw)  # type: ignore[arg-type]
    return err.value.diagnostics[0]
