"""Replay inputs: Logpush ``http_requests`` JSON Lines (plain or gzip), samples files
(JSON Lines, JSON arrays, HAR captures), read into :class:`LogRequest` values.

The Logpush field mapping is interfaces.md §7's; docs/replay.md lists it field by field.
A field a line lacks stays absent (its name goes into the ``missing`` set the readers fill),
except the three a request cannot do without, which take Cloudflare's defaults and are
reported missing all the same: ``ClientRequestMethod`` (``GET``) and
``ClientRequestScheme`` (``https``).  A line without a host or a URI cannot be replayed
and is a bad line.  A bad line raises :class:`BadLine` with its file and line number; the
readers collect them and go on.
"""

from __future__ import annotations

import gzip
import io
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any

from rulelang.errors import RuleLangError
from rulelang.files import MAX_NESTING, json_nesting_offset
from rulelang.http.messages import Request, Response
from rulelang.http.samples import iter_samples, parse_timestamp, sample_from_dict

__all__ = [
    "LOGPUSH_FIELDS",
    "BadLine",
    "LogRequest",
    "PurgeRequest",
    "SourceFile",
    "decode_line",
    "detect_kind",
    "logpush_request",
    "open_binary",
    "open_text",
    "parse_line",
    "purge_request",
    "sample_request",
]

#: The Logpush ``http_requests`` fields the replay reads (interfaces.md §7).
LOGPUSH_FIELDS = (
    "EdgeStartTimestamp", "ClientRequestMethod", "ClientRequestScheme", "ClientRequestHost",
    "ClientRequestURI", "ClientRequestUserAgent", "ClientIP", "ClientCountry",
    "EdgeResponseStatus", "OriginResponseStatus", "EdgeResponseBytes", "CacheCacheStatus",
    "EdgeColoCode", "RequestHeaders", "ResponseHeaders", "Cookies",
)
#: What a samples file can lack that the replay would use.
SAMPLE_INPUTS = ("timestamp", "response")
_GZIP_MAGIC = b"\x1f\x8b"


class BadLine(RuleLangError):
    """A line (or sample) that cannot be replayed; ``line`` is 1-based."""

    def __init__(self, source: str, line: int, message: str):
        super().__init__(f"{source}:{line}: {message}")
        self.source = source
        self.line = line
        self.reason = message

    def __reduce__(self):  # sent between processes (the pool, Dask workers)
        return (BadLine, (self.source, self.line, self.reason))


@dataclass(slots=True)
class LogRequest:
    """One request of a log, with what the log says happened to it.

    ``file`` is the index of the input file, ``line`` the 1-based line (for JSON arrays
    and HAR captures: the line where the sample starts).  ``response`` is the response
    the rules see (``None``: the log has none); ``origin_status`` the logged origin
    status (``0``: the origin was not asked); ``size`` the response's bytes;
    ``observed`` the logged ``CacheCacheStatus``.
    """

    file: int
    line: int
    timestamp: float | None
    colo: str | None
    request: Request
    response: Response | None
    size: int
    observed: str | None = None
    origin_status: int | None = None
    edge_status: int | None = None

    @property
    def origin_unreachable(self) -> bool:
        """The log shows no origin answer for a request that needed one: no response at
        all, or an edge error (5xx) with origin status 0 (§4.20 step 5)."""
        if self.response is None:
            return True
        return (self.origin_status == 0 and self.edge_status is not None
                and self.edge_status >= 500)


@dataclass(slots=True)
class PurgeRequest:
    """A purge in a log (``{"timestamp": …, "purge": {…}}``, the body of Cloudflare's purge
    API): at its time it removes the objects it names from every data centre's cache.
    ``purge`` holds :meth:`rulelang.cache.lifetime.Cache.purge`'s keyword arguments."""

    file: int
    line: int
    timestamp: float | None
    purge: dict[str, Any]


@dataclass(frozen=True, slots=True)
class SourceFile:
    """An input file: its index in the command line, path and kind (``logpush``,
    ``samples-jsonl`` — both read line by line —, ``samples``: a JSON array or HAR)."""

    index: int
    path: str
    kind: str
    gzip: bool


def open_binary(path: str) -> IO[bytes]:
    """A binary reader of ``path``, decompressing gzip (recognised by its magic bytes).
    Lines are split on ``\n`` only, by every engine alike."""
    try:
        with open(path, "rb") as f:
            magic = f.read(2)
        if magic == _GZIP_MAGIC:
            return gzip.open(path, "rb")  # type: ignore[return-value]
        return open(path, "rb")
    except OSError as e:
        raise RuleLangError(f"{path}: cannot read: {e.strerror or e}") from None


def open_text(path: str) -> io.TextIOBase:
    """A text reader of ``path`` (gzip decompressed), lines split on ``\n`` only."""
    return io.TextIOWrapper(open_binary(path), encoding="utf-8-sig", newline="\n")


def decode_line(source: SourceFile, lineno: int, raw: bytes) -> str:
    """One raw line as text; a line that is not UTF-8 is a :class:`BadLine`."""
    if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BadLine(source.path, lineno, f"not UTF-8 text (byte {e.start + 1} of the line)"
                      ) from None


def detect_kind(index: int, path: str) -> SourceFile:
    """Which kind of log ``path`` is, from its first non-blank line."""
    path = os.fspath(path)
    if os.path.isdir(path):
        raise RuleLangError(f"{path}: is a directory; give log files")
    if not os.path.exists(path):
        raise RuleLangError(f"{path}: no such file")
    with open(path, "rb") as f:
        compressed = f.read(2) == _GZIP_MAGIC
    try:
        with open_text(path) as f:
            first = ""
            for count, raw in enumerate(f):
                if raw.strip():
                    first = raw.strip()
                    break
                if count > 100_000:  # a file of blank lines is empty enough
                    break
    except (OSError, EOFError, gzip.BadGzipFile) as e:
        raise RuleLangError(f"{path}: cannot read: {e}") from None
    except UnicodeDecodeError as e:
        raise RuleLangError(f"{path}: not UTF-8 text ({e.reason})") from None
    if not first:
        raise RuleLangError(f"{path}: the file is empty")
    kind = "samples"
    if first.startswith("{"):
        try:
            obj = json.loads(first)
        except (json.JSONDecodeError, RecursionError):
            obj = None
        if isinstance(obj, dict):
            if "request" in obj and "log" not in obj:
                kind = "samples-jsonl"
            elif "log" not in obj:
                kind = "logpush"
        elif not path.endswith(".har"):
            kind = "logpush"  # a broken first line: reported as a bad line
    if compressed and kind == "samples":
        raise RuleLangError(f"{path}: a gzip-compressed JSON array or HAR capture; "
                            "decompress it first (gzip works for JSON Lines)")
    return SourceFile(index, path, kind, compressed)


def parse_line(source: SourceFile, lineno: int, text: str, missing: set[str]
               ) -> LogRequest | PurgeRequest | None:
    """One line of a JSON Lines log; ``None`` for a blank line; :class:`BadLine` when it
    cannot be replayed."""
    text = text.strip()
    if not text:
        return None
    deep = json_nesting_offset(text)
    if deep is not None:
        raise BadLine(source.path, lineno, f"nested more than {MAX_NESTING} levels deep "
                      f"(column {deep + 1})")
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        raise BadLine(source.path, lineno, f"invalid JSON: {e.msg} (column {e.colno})"
                      ) from None
    except RecursionError:  # pragma: no cover - json_nesting_offset refuses it first
        raise BadLine(source.path, lineno, f"nested more than {MAX_NESTING} levels deep"
                      ) from None
    if not isinstance(obj, dict):
        raise BadLine(source.path, lineno, "expected a JSON object")
    try:
        if "purge" in obj:
            return purge_request(source, lineno, obj)
        if source.kind == "samples-jsonl":
            return sample_request(source, lineno, obj, missing)
        return logpush_request(source, lineno, obj, missing)
    except BadLine:
        raise
    except RuleLangError as e:
        raise BadLine(source.path, lineno, str(e)) from None


def purge_request(source: SourceFile, lineno: int, obj: Mapping) -> PurgeRequest:
    """A purge line: ``purge`` (a purge API body) and ``timestamp`` or
    ``EdgeStartTimestamp``."""
    from rulelang.cache.lifetime import parse_purge

    extra = sorted(set(obj) - {"purge", "timestamp", "EdgeStartTimestamp"})
    if extra:
        raise RuleLangError(f"a purge line has 'purge' and a time only, not {extra[0]!r}")
    stamp = obj.get("timestamp", obj.get("EdgeStartTimestamp"))
    timestamp = None
    if stamp is not None:
        try:
            timestamp = parse_timestamp(stamp)
        except ValueError as e:
            raise RuleLangError(f"purge time: {e}") from None
    return PurgeRequest(source.index, lineno, timestamp, parse_purge(obj["purge"]))


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _pairs(value: Any, what: str) -> list[tuple[str, str]]:
    if value is None:
        return []
    if not isinstance(value, Mapping):
        raise RuleLangError(f"{what} must be an object of header names and values")
    out = []
    for name, item in value.items():
        for v in (item if isinstance(item, list) else [item]):
            if v is not None:
                out.append((str(name), _text(v)))
    return out


def _int(obj: Mapping, name: str, missing: set[str]) -> int | None:
    value = obj.get(name)
    if value is None:
        missing.add(name)
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise RuleLangError(f"{name} must be a number, got {value!r}")
    try:
        return int(value)
    except ValueError:
        raise RuleLangError(f"{name} must be a number, got {value!r}") from None


def logpush_request(source: SourceFile, lineno: int, obj: Mapping, missing: set[str]
                    ) -> LogRequest:
    """A Logpush ``http_requests`` record as a :class:`LogRequest` (interfaces.md §7)."""
    for name in LOGPUSH_FIELDS:
        if obj.get(name) is None:
            missing.add(name)
    timestamp = None
    if obj.get("EdgeStartTimestamp") is not None:
        try:
            timestamp = parse_timestamp(obj["EdgeStartTimestamp"])
        except ValueError as e:
            raise RuleLangError(f"EdgeStartTimestamp: {e}") from None
    headers = _pairs(obj.get("RequestHeaders"), "RequestHeaders")
    names = {n.lower() for n, _ in headers}
    host = obj.get("ClientRequestHost")
    if not isinstance(host, str) or not host:
        given = [v for n, v in headers if n.lower() == "host"]
        if not given:
            raise RuleLangError("no ClientRequestHost (and no Host request header): the "
                                "request's URL is unknown")
        host = given[0]
    elif "host" not in names:
        headers.insert(0, ("Host", host))
    uri = obj.get("ClientRequestURI")
    if not isinstance(uri, str) or not uri:
        raise RuleLangError("no ClientRequestURI: the request's URL is unknown")
    scheme = obj.get("ClientRequestScheme") or "https"
    url = uri if uri.lower().startswith(("http://", "https://")) else \
        f"{scheme}://{host}{uri if uri.startswith('/') else '/' + uri}"
    agent = obj.get("ClientRequestUserAgent")
    if isinstance(agent, str) and agent and "user-agent" not in names:
        headers.append(("User-Agent", agent))
    cookies = obj.get("Cookies")
    if isinstance(cookies, Mapping) and cookies and "cookie" not in names:
        headers.append(("Cookie", "; ".join(f"{k}={_text(v)}" for k, v in cookies.items())))
    fields = {}
    country = obj.get("ClientCountry")
    if isinstance(country, str) and country:
        fields["ip.src.country"] = country.upper()
    client_ip = obj.get("ClientIP") or None
    request = Request(obj.get("ClientRequestMethod") or "GET", url, headers,
                      client_ip=client_ip, fields=fields or None, timestamp=timestamp)
    edge = _int(obj, "EdgeResponseStatus", set())
    origin = _int(obj, "OriginResponseStatus", set())
    status = origin if origin not in (None, 0, 304) else edge
    response = None
    if status is not None and 100 <= status <= 999:
        response = Response(status, _pairs(obj.get("ResponseHeaders"), "ResponseHeaders"))
    size = _int(obj, "EdgeResponseBytes", set())
    if size is None:
        size = _content_length(response)
    observed = obj.get("CacheCacheStatus")
    colo = obj.get("EdgeColoCode")
    return LogRequest(source.index, lineno, timestamp, colo if isinstance(colo, str) else None,
                      request, response, max(size, 0),
                      observed if isinstance(observed, str) and observed else None,
                      origin, edge)


def _content_length(response: Response | None) -> int:
    if response is None:
        return 0
    for value in response.header_values("content-length"):
        if value.strip().isdigit():
            return int(value.strip())
    return 0


def sample_request(source: SourceFile, lineno: int, obj: dict, missing: set[str],
                   index: int = 0) -> LogRequest:
    """A sample (interfaces.md §2, with an optional ``timestamp``) as a :class:`LogRequest`."""
    sample = sample_from_dict(obj, index=index, line=lineno, source=source.path)
    return _from_sample(source, lineno, sample, missing)


def _from_sample(source: SourceFile, lineno: int, sample: Any, missing: set[str]) -> LogRequest:
    if sample.timestamp is None:
        missing.add("timestamp")
    if sample.response is None:
        missing.add("response")
    return LogRequest(source.index, lineno, sample.timestamp, None, sample.request,
                      sample.response, _content_length(sample.response))


def iter_whole_samples(source: SourceFile, missing: set[str], bad: list[BadLine]
                       ) -> Iterator[LogRequest]:
    """The samples of a JSON array or HAR capture (streamed by the samples reader)."""
    errors: list = []
    for sample in iter_samples(source.path, errors):
        for e in errors:
            bad.append(_bad_from_error(source.path, e))
        errors.clear()
        yield _from_sample(source, sample.line or sample.index + 1, sample, missing)
    for e in errors:
        bad.append(_bad_from_error(source.path, e))


def _bad_from_error(path: str, error: Exception) -> BadLine:
    text = str(error)
    line = 0
    prefix = f"{path}:"
    if text.startswith(prefix):
        head = text[len(prefix):].split(":", 1)[0]
        if head.isdigit():
            line = int(head)
    message = text.split(": ", 1)[1] if ": " in text else text
    return BadLine(path, line, message)
