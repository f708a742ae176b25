"""Rules files: which file names are rules files, and which reader reads each.

:data:`RULES_SUFFIXES` is the one list of rules-file suffixes (the CLI's directory
walk, ``lint``'s "is this a file name?" test and ``fmt`` all ask here), and
:func:`read_documents` dispatches a file to the JSON, YAML or Terraform reader.
"""

from __future__ import annotations

import re
from os import PathLike, fspath
from pathlib import Path

from rulelang.files import read_bytes
from rulelang.rules.documents import Document, fail, read_json, read_yaml

__all__ = ["RULES_SUFFIXES", "format_of", "read_documents", "read_text", "sniff_format"]

#: Rules-file suffix → the format its reader reads.
_FORMATS = {".json": "json", ".yaml": "yaml", ".yml": "yaml", ".tf": "terraform",
            ".hcl": "terraform"}
#: Every suffix a rules file may have (lower case).
RULES_SUFFIXES: tuple[str, ...] = tuple(_FORMATS)


def format_of(file: str | PathLike | None) -> str | None:
    """``json``, ``yaml`` or ``terraform`` for a rules-file name (``None`` for other names)."""
    if file is None:
        return None
    return _FORMATS.get(Path(fspath(file)).suffix.lower())


def read_documents(source: str | PathLike, fmt: str | None = None) -> list[Document]:
    """Read ``source`` (a path) and return its documents.

    ``fmt`` forces ``json``, ``yaml`` or ``terraform``; otherwise the file's suffix
    decides, and for other suffixes the content is sniffed.
    """
    file = fspath(source)
    try:
        raw = read_bytes(file)  # "-" is standard input
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise fail("RS001", f"cannot read {file}: {reason}", file,
                   hint="check the path and the file's permissions") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise fail("RS001", f"{file} is not UTF-8 text (byte {exc.start})", file, line,
                   hint="save the file as UTF-8") from None
    return read_text(text, file, fmt)


def read_text(text: str, file: str | None, fmt: str | None = None) -> list[Document]:
    """Parse ``text`` in format ``fmt`` (or the format ``file``'s name or content suggests)."""
    fmt = fmt or format_of(file) or sniff_format(text)
    if fmt == "json":
        return [read_json(text, file)]
    if fmt == "yaml":
        return read_yaml(text, file)
    if fmt == "terraform":
        from rulelang.rules.terraform import read_terraform
        return read_terraform(text, file)
    raise ValueError(f"unknown rules format {fmt!r}")


def sniff_format(text: str) -> str:
    """``json``, ``yaml`` or ``terraform`` for a rules text without a telling name."""
    head = text.lstrip()
    if head.startswith(("{", "[")):
        return "json"
    if re.search(r'^\s*resource\s+"', text, re.MULTILINE):
        return "terraform"
    return "yaml"
