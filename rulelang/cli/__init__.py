"""The ``rulelang`` command line: one module a command; they parse arguments, call the library
and print. Only this package imports click and rich.

:func:`main` is the console script's entry point.  It imports the command line itself
only once it is running, so that Ctrl-C at any moment — also while Python is still
importing click, rich and the engine — ends with ``rulelang: interrupted`` and exit
status 130, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    try:
        from rulelang.cli.main import main as run

        # importing the submodule rebinds this package's ``main``: give it back
        sys.modules[__name__].main = main  # type: ignore[attr-defined]
        return run(argv)
    except KeyboardInterrupt:
        return _interrupted()


def _interrupted() -> int:
    try:
        sys.stderr.write("rulelang: interrupted\n")
        sys.stderr.flush()
    except (OSError, ValueError, KeyboardInterrupt):
        pass
    return 130
