"""Locate files that ship inside the wheel (the grammar, the example corpus).

In a wheel they live inside the package (``rulelang/grammar``, ``rulelang/example``);
in a source checkout or an editable install they are read from the repository's
top-level ``grammar/`` and ``corpus/example/`` folders.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

_PKG = Path(__file__).resolve().parent


def _find(in_package: str, in_repo: str) -> Path:
    packaged = _PKG / in_package
    if packaged.exists():
        return packaged
    return _PKG.parent / in_repo


def grammar_path() -> Path:
    """The Lark grammar ``rules.lark``."""
    return _PKG / "language" / "grammar" / "rules.lark"


def example_dir() -> Path:
    """The example rule sets and samples (``corpus/example`` in the repository)."""
    return _find("example", "corpus/example")


def user_cache_dir() -> Path | None:
    """rulelang's directory in the user's cache (``$XDG_CACHE_HOME/rulelang``, else
    ``~/.cache/rulelang``), created private (0700) when missing; ``None`` when it cannot
    be created, is not owned by this user or can be written by others (a pickled
    parser is only ever loaded from a directory only its owner can write), or when
    ``RULELANG_NO_CACHE`` is set to anything but ``""``/``0``."""
    if os.environ.get("RULELANG_NO_CACHE", "") not in ("", "0"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):
        return None
    path = Path(base) / "rulelang"
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = path.stat()
    except OSError:
        return None
    getuid = getattr(os, "getuid", None)
    if getuid is not None and (st.st_uid != getuid() or st.st_mode & 0o022):
        return None
    return path


def parser_cache_file(grammar: str) -> Path | None:
    """Where the analysed parser of ``grammar`` is cached: one file per grammar text,
    rulelang, lark and Python version (``None`` when there is no usable cache)."""
    directory = user_cache_dir()
    if directory is None:
        return None
    import lark

    from rulelang import __version__
    key = hashlib.sha256(f"{grammar}\x00{__version__}\x00{lark.__version__}\x00{sys.version}"
                         .encode()).hexdigest()[:32]
    return directory / f"parser-{key}.lark"


def save_atomically(path: Path, write: Callable[[BinaryIO], object]) -> bool:
    """Write ``path`` through ``write(file)`` into a temporary file beside it, then rename
    it into place, so that a reader never sees half a file; ``False`` (and nothing left
    behind) when that fails."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, path)
        return True
    except Exception:  # noqa: BLE001 - a cache that cannot be written is not used
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return False
