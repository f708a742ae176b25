"""Reading and writing files safely: the one YAML loader, the nesting limit, standard
input, shortened values in messages, and writes that never leave a file half-written.

Every reader of rulelang (rules files, case files, configuration, samples) goes through
this module for the parts that untrusted input can abuse:

- :func:`load_yaml` / :class:`SafeYAMLLoader`: PyYAML's safe loader with a limit on
  alias expansion (a 1 KB "billion laughs" document is refused instead of growing to
  gigabytes when walked), a nesting limit, and duplicate mapping keys reported with both
  places (an error, or collected for the caller to report as a warning).
- :data:`MAX_NESTING` and :func:`json_nesting_offset`: documents nested deeper than
  :data:`MAX_NESTING` levels are refused with their file and line (diagnostic code
  ``RS011`` in rules files), so that no reader ends in Python's ``RecursionError``.
- :func:`open_text` / :func:`read_bytes`: ``-`` means standard input; pipes and
  ``/dev/stdin`` are read as streams (never seeked).
- :func:`shorten`: long values and lines cut in the middle for messages.
- :func:`write_bytes_atomically`: temporary file in the same directory, flushed and
  fsynced, renamed over the original (mode, owner and a symlink's target kept).

Only :mod:`rulelang.errors` is imported: every room of the library may use this module.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterator
from typing import Any, BinaryIO, Self

import yaml

from rulelang.errors import RuleLangError

__all__ = [
    "MAX_ALIAS_NODES",
    "MAX_NESTING",
    "STDIN",
    "DuplicateKey",
    "NestedTooDeeply",
    "SafeYAMLLoader",
    "TextStream",
    "YAMLLimitError",
    "display_name",
    "is_stdin",
    "json_nesting_offset",
    "line_col",
    "load_yaml",
    "load_yaml_all",
    "open_text",
    "read_bytes",
    "shorten",
    "write_bytes_atomically",
]

#: The deepest nesting of objects/arrays (mappings/sequences, HCL blocks) any reader accepts.
MAX_NESTING = 100
#: A YAML document may not stand for more nodes than this once its aliases are expanded
#: (beyond ten times the nodes actually written).
MAX_ALIAS_NODES = 100_000
#: The name that means standard input.
STDIN = "-"


# --------------------------------------------------------------------------- stdin

def is_stdin(name: str | os.PathLike | None) -> bool:
    """Whether ``name`` is ``-`` (standard input)."""
    return name is not None and os.fspath(name) == STDIN


def display_name(name: str | os.PathLike) -> str:
    """``<stdin>`` for ``-``, else the path as given."""
    return "<stdin>" if is_stdin(name) else os.fspath(name)


_stdin_bytes: bytes | None = None


def read_bytes(name: str | os.PathLike) -> bytes:
    """The bytes of a file, of a pipe or FIFO (read to the end, never seeked), or of
    standard input for ``-`` (read once; later calls get the same bytes, so that a
    diagnostic can show the line it points at).  OSError is left to the caller."""
    global _stdin_bytes
    if is_stdin(name):
        if _stdin_bytes is None:
            _stdin_bytes = sys.stdin.buffer.read()
        return _stdin_bytes
    with open(os.fspath(name), "rb") as f:
        return f.read()


class TextStream:
    """UTF-8 text read from a file, a pipe or stdin as it arrives: ``read(n)`` returns
    what is there (at most ``n`` characters' worth of bytes) instead of waiting for ``n``
    characters, so that a sample written into a pipe is evaluated before the writer
    sends the next one.  A leading byte-order mark is dropped; line endings are kept."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self._done = False

    def read(self, n: int = -1) -> str:
        if self._done:
            return ""
        if n < 0:
            self._done = True
            return self._decoder.decode(self.raw.read(), final=True)
        while True:
            chunk = self.raw.read1(max(n, 1))  # type: ignore[attr-defined]
            if not chunk:
                self._done = True
                return self._decoder.decode(b"", final=True)
            text = self._decoder.decode(chunk)
            if text:
                return text

    def close(self) -> None:
        self.raw.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_text(name: str | os.PathLike) -> TextStream:
    """A UTF-8 :class:`TextStream` for a file, a pipe or ``-`` (standard input).  The
    caller closes it; closing never closes stdin."""
    if is_stdin(name):
        raw: BinaryIO = os.fdopen(os.dup(sys.stdin.fileno()), "rb")
    else:
        raw = open(os.fspath(name), "rb")  # noqa: SIM115 - handed to the caller
    return TextStream(raw)


# --------------------------------------------------------------------------- messages

def shorten(text: str, limit: int = 200) -> str:
    """``text`` cut in the middle to about ``limit`` characters, saying how much is left
    out (``abc… [12345 more characters] …xyz``)."""
    if len(text) <= limit:
        return text
    keep = max(limit // 2 - 12, 8)
    cut = len(text) - 2 * keep
    return f"{text[:keep]}… [{cut} more characters] …{text[-keep:]}"


# --------------------------------------------------------------------------- JSON nesting

_JSON_NEST = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)
# HCL: strings, comments, then brackets and parentheses (heredocs are not skipped: a
# heredoc holding over a hundred unclosed brackets would be refused).
_HCL_NEST = re.compile(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"?|#[^\n]*|//[^\n]*|/\*.*?(?:\*/|\Z)'
                       r'|[\[\]{}()]', re.DOTALL)


def json_nesting_offset(text: str, start: int = 0, end: int | None = None,
                        limit: int = MAX_NESTING, syntax: str = "json") -> int | None:
    """The offset of the first ``[``/``{`` of ``text[start:end]`` that opens a level
    deeper than ``limit`` (strings are skipped), or ``None``.  Linear; a quick count
    answers for the usual document without scanning.  ``syntax="hcl"`` also counts
    parentheses and skips HCL comments."""
    end = len(text) if end is None else end
    opens = text.count("[", start, end) + text.count("{", start, end)
    if syntax == "hcl":
        opens += text.count("(", start, end)
    if opens <= limit:
        return None
    depth = 0
    pattern = _HCL_NEST if syntax == "hcl" else _JSON_NEST
    for m in pattern.finditer(text, start, end):
        c = m.group()[0]
        if c in "[{(":
            depth += 1
            if depth > limit:
                return m.start()
        elif c in "]})":
            depth -= 1
    return None


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``."""
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


# --------------------------------------------------------------------------- YAML

class YAMLLimitError(yaml.MarkedYAMLError):
    """A YAML document over one of the loader's limits (nesting, aliases, duplicate keys).
    A :class:`yaml.MarkedYAMLError`: every reader reports it with its line already."""


class NestedTooDeeply(YAMLLimitError):
    """Nesting over :data:`MAX_NESTING`."""


class DuplicateKey(YAMLLimitError):
    """The same key twice in one mapping (``context_mark`` is the first one)."""


class SafeYAMLLoader(yaml.SafeLoader):
    """PyYAML's safe loader with limits (see the module docstring).

    ``duplicates``: ``"error"`` raises :class:`DuplicateKey` naming both places;
    ``"keep"`` lets the last one win (the caller reports duplicates itself)."""

    duplicates = "error"

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._depth = 0
        self._sizes: dict[int, int] = {}
        self._written = 0

    def compose_document(self) -> Any:
        self._sizes.clear()
        self._written = 0
        return super().compose_document()

    def compose_node(self, parent: Any, index: Any) -> Any:
        alias = self.check_event(yaml.AliasEvent)
        start = self.peek_event().start_mark
        self._depth += 1
        try:
            if self._depth > MAX_NESTING:
                raise NestedTooDeeply(None, None, f"the document is nested more than "
                                      f"{MAX_NESTING} levels deep", start)
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if not alias:
            self._written += 1
        size = self._sizes.get(id(node))
        if size is None:
            size = 1
            if isinstance(node, yaml.SequenceNode):
                size += sum(self._sizes.get(id(c), 1) for c in node.value)
            elif isinstance(node, yaml.MappingNode):
                size += sum(self._sizes.get(id(k), 1) + self._sizes.get(id(v), 1)
                            for k, v in node.value)
            self._sizes[id(node)] = size
            if size > MAX_ALIAS_NODES + 10 * self._written:
                raise YAMLLimitError(None, None, f"aliases expand to {size:,} values, "
                                     f"more than rulelang allows (a YAML alias bomb?); write "
                                     f"the values out or use fewer aliases", start)
        return node

    def compose_mapping_node(self, anchor: Any) -> Any:
        node = super().compose_mapping_node(anchor)
        if self.duplicates == "error":
            seen: dict[str, yaml.Node] = {}
            for key, _ in node.value:
                if not isinstance(key, yaml.ScalarNode):
                    continue
                first = seen.get(key.value)
                if first is not None:
                    m = first.start_mark
                    raise DuplicateKey(
                        None, None, f"duplicate key {shorten(key.value, 60)!r} (first at "
                        f"line {m.line + 1}, column {m.column + 1}); YAML would keep only "
                        f"the last one", key.start_mark)
                seen[key.value] = key
        return node


class _KeepDuplicates(SafeYAMLLoader):
    duplicates = "keep"


def yaml_loader(duplicates: str = "error") -> type[SafeYAMLLoader]:
    """The loader class for ``duplicates`` (``"error"`` or ``"keep"``)."""
    return SafeYAMLLoader if duplicates == "error" else _KeepDuplicates


def load_yaml(text: str, duplicates: str = "error") -> Any:
    """The value of one YAML document (``None`` for an empty one), with the limits.
    Raises :class:`yaml.YAMLError` (its limits as :class:`YAMLLimitError`)."""
    loader = yaml_loader(duplicates)(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def load_yaml_all(text: str, duplicates: str = "error") -> Iterator[Any]:
    """The value of each YAML document of ``text``, with the limits."""
    loader = yaml_loader(duplicates)(text)
    try:
        while loader.check_data():
            yield loader.get_data()
    finally:
        loader.dispose()


def compose_yaml_all(text: str, duplicates: str = "error") -> Iterator[Any]:
    """The node tree of each YAML document of ``text`` with a loader to construct it:
    ``(node, loader)`` pairs."""
    loader = yaml_loader(duplicates)(text)
    try:
        while loader.check_node():
            yield loader.get_node(), loader
    finally:
        loader.dispose()


# --------------------------------------------------------------------------- safe writes

def write_bytes_atomically(path: str | os.PathLike, data: bytes) -> None:
    """Replace the file at ``path`` with ``data`` so that it is always either the old
    file or the new one, never a mix: ``data`` goes to a temporary file in the same
    directory, is flushed and fsynced, takes the original's mode (and owner, where the
    user may set it) and is renamed over the original; a symbolic link is followed and
    its target replaced.  On any failure the temporary file is removed, the original is
    left byte for byte as it was and a :class:`RuleLangError` names the file."""
    given = os.fspath(path)
    target = os.path.realpath(given)
    directory = os.path.dirname(target) or "."
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise RuleLangError(f"{given}: cannot write the file ({e.strerror or e})") from None
    fd, tmp = -1, ""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp",
                                   dir=directory)
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
        os.fsync(fd)
        if st is None:  # a new file: the mode open() would give it
            umask = os.umask(0)
            os.umask(umask)
            os.fchmod(fd, 0o666 & ~umask)
        else:
            os.fchmod(fd, stat.S_IMODE(st.st_mode))
        if st is not None and (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
            try:
                os.fchown(fd, st.st_uid, st.st_gid)
            except OSError:
                pass  # not allowed to give the file away: keep ours
        os.close(fd)
        fd = -1
        os.replace(tmp, target)
        tmp = ""
        _fsync_directory(directory)
    except OSError as e:
        reason = e.strerror or str(e)
        raise RuleLangError(f"{given}: cannot write the file ({reason}); the file is "
                            f"unchanged") from None
    finally:
        if fd >= 0:
            os.close(fd)
        if tmp:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _fsync_directory(directory: str) -> None:
    try:
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)
