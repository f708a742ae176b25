"""Sample files: a JSON array of samples, JSON Lines, or a HAR 1.2 capture.

:func:`iter_samples` detects the format and reads the file as a stream — one sample
in memory at a time — so a file of a million samples does not sit in memory.  Every
sample carries its index and the line where it starts, and every error names the
file, the sample (index and name) and the line.

JSON arrays and HAR files are read with a small incremental reader built on the C
JSON decoder (``json.JSONDecoder.raw_decode``): it decodes one array element at a
time from a sliding buffer and counts lines as it goes, which a generic event
parser such as ijson cannot report.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO

from rulelang.errors import RuleLangError
from rulelang.files import (
    MAX_NESTING,
    TextStream,
    display_name,
    json_nesting_offset,
    open_text,
)
from rulelang.http.messages import Request, Response

__all__ = ["NON_HTTP_SCHEMES", "Sample", "har_entry_to_dict", "iter_samples",
           "parse_timestamp", "sample_from_dict"]

_SAMPLE_KEYS = ("name", "request", "response", "timestamp")
_CHUNK = 1 << 16
_WS = frozenset(" \t\r\n")
_FIRST_LINE_LIMIT = 1 << 22
_HAR_START = re.compile(r'\{\s*(?:"log"\s*:|\Z)')
#: URL schemes of HAR entries that are not HTTP requests (browser exports hold them):
#: skipped and counted, never an error.
NON_HTTP_SCHEMES = ("data:", "blob:", "ws:", "wss:", "chrome-extension:", "moz-extension:",
                    "about:", "chrome:", "file:")
_HTTP_VERSIONS = {"http/1.0": "HTTP/1.0", "http/1.1": "HTTP/1.1", "h2": "HTTP/2",
                  "http/2": "HTTP/2", "http/2.0": "HTTP/2", "h3": "HTTP/3", "http/3": "HTTP/3",
                  "http/3.0": "HTTP/3"}


class _NotSamples(RuleLangError):
    """The file is not a samples file at all: always raised, never collected."""


@dataclass(frozen=True)
class Sample:
    """One request (and optionally its response) from a samples file.

    ``index`` is the sample's 0-based position in the file; ``line`` the 1-based line
    where it starts (``None`` when it did not come from a file).
    """

    name: str | None
    index: int
    line: int | None
    request: Request
    response: Response | None
    #: When the request was made (Unix seconds): the sample's ``timestamp`` or a HAR
    #: entry's ``startedDateTime``; ``None`` when the file does not say.
    timestamp: float | None = None

    @property
    def label(self) -> str:
        """The name when there is one, else ``#index``."""
        return self.name if self.name is not None else f"#{self.index}"


def _where(source: str, line: int | None, index: int, name: Any = None) -> str:
    place = source or ""
    if line is not None:
        place = f"{place}:{line}" if place else f"line {line}"
    label = f"sample {index}"
    if isinstance(name, str):
        label += f" ({name!r})"
    return f"{place}: {label}" if place else label


def sample_from_dict(d: dict, *, index: int = 0, line: int | None = None, source: str = "",
                     url_normalization: str = "rfc3986",
                     timestamp: float | None = None) -> Sample:
    """Build a :class:`Sample` from one sample object (interfaces.md §2).

    ``index``, ``line`` and ``source`` (the file name) place the sample in error
    messages; ``url_normalization`` and ``timestamp`` go to the :class:`Request`.
    """
    if not isinstance(d, dict):
        raise RuleLangError(f"{_where(source, line, index)}: a sample must be a JSON object, "
                            f"got {_json_kind(d)}")
    name = d.get("name")
    where = _where(source, line, index, name)
    for key in d:
        if key not in _SAMPLE_KEYS:
            raise RuleLangError(f"{where}: unknown key {key!r} "
                                f"(expected {', '.join(_SAMPLE_KEYS)})")
    if name is not None and not isinstance(name, str):
        raise RuleLangError(f"{where}: 'name' must be a string, got {_json_kind(name)}")
    if "request" not in d:
        raise RuleLangError(f"{where}: 'request' is required")
    if d.get("timestamp") is not None:
        try:
            timestamp = parse_timestamp(d["timestamp"])
        except ValueError as e:
            raise RuleLangError(f"{where}: 'timestamp': {e}") from None
    request = Request.from_dict(d["request"], where=where, url_normalization=url_normalization,
                                timestamp=timestamp)
    raw_response = d.get("response")
    response = None if raw_response is None else Response.from_dict(raw_response, where=where)
    return Sample(name, index, line, request, response, timestamp)


def parse_timestamp(value: Any) -> float:
    """Unix seconds from an RFC 3339 date and time or a Unix time (a number or a string of
    digits).  A Unix time is read by its size, as Logpush writes them: seconds, or
    milli-, micro- or nanoseconds (from 10^11, 10^14, 10^17 up).  Raises ``ValueError``
    with a message for anything else."""
    if isinstance(value, bool):
        raise ValueError("expected RFC 3339 or Unix seconds, got a boolean")  # noqa: TRY004
    number: float | None = None
    if isinstance(value, (int, float)):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", text):
            number = float(text) if "." in text else int(text)
        else:
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                raise ValueError(f"{value!r} is neither RFC 3339 nor Unix seconds") from None
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            return moment.timestamp()
    else:
        raise ValueError(  # noqa: TRY004 - the caller turns it into a positioned error
            f"expected RFC 3339 or Unix seconds, got {_json_kind(value)}")
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{value!r} is not a time")
    for limit, scale in ((10**17, 10**9), (10**14, 10**6), (10**11, 10**3)):
        if number >= limit:
            return number / scale
    return float(number)


def _json_kind(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
            type(None): "null"}.get(type(value), "a number")


# --------------------------------------------------------------------------- HAR

def har_entry_to_dict(entry: Any, index: int) -> tuple[dict, float | None]:
    """Convert one HAR 1.2 ``log.entries`` item to a sample object and its clock reading.

    The request keeps HAR's method, URL and header list (HTTP/2 pseudo-headers are
    dropped; ``:authority`` stands in for a missing Host header).  HAR's ``cookies``
    become a Cookie header only when the headers have none, and ``queryString`` is
    appended only when the URL has no query.  ``httpVersion`` becomes
    ``http.request.version``; ``startedDateTime`` the request's timestamp.  A
    response with status 0 (no response received) is left out.
    """
    what = f"entries[{index}]"
    if not isinstance(entry, dict):
        raise RuleLangError(f"{what}: a HAR entry must be an object, got {_json_kind(entry)}")
    req = entry.get("request")
    if not isinstance(req, dict):
        raise RuleLangError(f"{what}: 'request' must be an object")
    method, url = req.get("method") or "GET", req.get("url")
    headers = _har_pairs(req.get("headers"), f"{what}.request.headers")
    authority = [v for n, v in headers if n.lower() == ":authority"]
    headers = [(n, v) for n, v in headers if not n.startswith(":")]
    lower = {n.lower() for n, _ in headers}
    if authority and "host" not in lower:
        headers.insert(0, ("Host", authority[0]))
    cookies = _har_pairs(req.get("cookies"), f"{what}.request.cookies")
    if cookies and "cookie" not in lower:
        headers.append(("Cookie", "; ".join(f"{n}={v}" for n, v in cookies)))
    query = _har_pairs(req.get("queryString"), f"{what}.request.queryString")
    if query and isinstance(url, str) and "?" not in url:
        url = url.split("#", 1)[0] + "?" + "&".join(f"{n}={v}" for n, v in query)
    sample: dict[str, Any] = {"name": f"{what} {method} {url}",
                              "request": {"method": method, "url": url,
                                          "headers": [list(p) for p in headers]}}
    version = req.get("httpVersion")
    if isinstance(version, str) and version.lower() in _HTTP_VERSIONS:
        sample["request"]["fields"] = {"http.request.version": _HTTP_VERSIONS[version.lower()]}
    resp = entry.get("response")
    if isinstance(resp, dict) and resp.get("status") not in (0, None):
        pairs = _har_pairs(resp.get("headers"), f"{what}.response.headers")
        sample["response"] = {"status": resp.get("status"),
                              "headers": [list(p) for p in _split_set_cookie(pairs)]}
    return sample, _har_time(entry.get("startedDateTime"), what)


def har_skip_reason(entry: Any) -> str | None:
    """The URL scheme (``data:``, ``ws:`` …) of a HAR entry that is not an HTTP request,
    or ``None`` for an HTTP entry (or one too broken to tell: it is reported then)."""
    req = entry.get("request") if isinstance(entry, dict) else None
    url = req.get("url") if isinstance(req, dict) else None
    if isinstance(url, str):
        lower = url[:20].lower()
        for scheme in NON_HTTP_SCHEMES:
            if lower.startswith(scheme):
                return scheme
    return None


def _split_set_cookie(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Firefox joins the Set-Cookie headers of a response with newlines in one HAR
    header; each line is a header of its own."""
    out: list[tuple[str, str]] = []
    for name, value in pairs:
        if "\n" in value and name.lower() == "set-cookie":
            out.extend((name, v.strip("\r")) for v in value.split("\n") if v.strip())
        else:
            out.append((name, value))
    return out


def _har_pairs(items: Any, what: str) -> list[tuple[Any, Any]]:
    if items is None:  # HAR 1.2 makes them required; exports leave them out
        return []
    if not isinstance(items, list):
        raise RuleLangError(f"{what}: expected a list of {{name, value}} objects")
    pairs = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or "name" not in item or "value" not in item:
            raise RuleLangError(f"{what}[{i}]: expected an object with 'name' and 'value'")
        name, value = item["name"], item["value"]
        if not isinstance(name, str) or not isinstance(value, str):
            raise RuleLangError(f"{what}[{i}]: 'name' and 'value' must be strings, got "
                                f"{_json_kind(name)} and {_json_kind(value)}")
        pairs.append((name, value))
    return pairs


def _har_time(text: Any, what: str) -> float | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp()
    except (TypeError, ValueError, OverflowError, OSError):
        raise RuleLangError(f"{what}: startedDateTime {text!r} is not an ISO 8601 "
                            "date and time") from None


# --------------------------------------------------------------------------- streaming JSON

class _JSONStream:
    """Incremental reader of one JSON document: values are decoded one at a time from a
    sliding buffer, and the current line number is kept."""

    def __init__(self, f: TextIO, source: str) -> None:
        self.f, self.source = f, source
        self.buf, self.pos, self.line, self.eof = "", 0, 1, False
        self.decoder = json.JSONDecoder()

    def error(self, message: str, line: int | None = None) -> RuleLangError:
        return RuleLangError(f"{self.source}:{line or self.line}: {message}")

    def _fill(self) -> bool:
        if self.eof:
            return False
        chunk = self.f.read(max(_CHUNK, len(self.buf) - self.pos))
        if not chunk:
            self.eof = True
            return False
        self.buf = self.buf[self.pos:] + chunk
        self.pos = 0
        return True

    def _advance(self, end: int) -> None:
        self.line += self.buf.count("\n", self.pos, end)
        self.pos = end

    def peek(self) -> str:
        """The next non-whitespace character ('' at the end), not consumed."""
        while True:
            buf, pos = self.buf, self.pos
            while pos < len(buf) and buf[pos] in _WS:
                pos += 1
            self._advance(pos)
            if pos < len(buf):
                return buf[pos]
            if not self._fill():
                return ""

    def expect(self, char: str, what: str) -> None:
        found = self.peek()
        if found != char:
            shown = repr(found) if found else "the end of the file"
            raise self.error(f"expected {char!r} {what}, found {shown}"
                             + (" (the file is truncated)" if not found else ""))
        self._advance(self.pos + 1)

    def value(self, label: str = "") -> tuple[Any, int]:
        """Decode the next value; return it with the line where it starts.

        ``label`` (e.g. ``"sample 3"``) names the value in error messages."""
        named = f"{label}: " if label else ""
        if not self.peek():
            raise self.error(f"{named}expected a JSON value, found the end of the file "
                             "(the file is truncated)")
        while True:
            try:
                obj, end = self.decoder.raw_decode(self.buf, self.pos)
            except RecursionError:
                raise self._too_deep(named, self.pos, len(self.buf)) from None
            except json.JSONDecodeError as e:
                near_end = "Unterminated string" in e.msg or e.pos >= len(self.buf) - 16
                if near_end and self._fill():
                    continue
                line = self.line + self.buf.count("\n", self.pos, e.pos)
                reason = " (the file is truncated)" if near_end else ""
                raise self.error(f"{named}invalid JSON: {e.msg}{reason}", line) from None
            if end == len(self.buf) and self._fill():
                continue  # a number may go on in the next chunk
            if json_nesting_offset(self.buf, self.pos, end) is not None:
                raise self._too_deep(named, self.pos, end)
            start = self.line
            self._advance(end)
            return obj, start

    def _too_deep(self, named: str, start: int, end: int) -> RuleLangError:
        at = json_nesting_offset(self.buf, start, end)
        line = self.line + self.buf.count("\n", self.pos, at if at is not None else start)
        return self.error(f"{named}nested more than {MAX_NESTING} levels deep", line)

    def items(self, what: str) -> Iterator[tuple[int, Any, int]]:
        """``(index, value, line)`` for each element of the array that starts here."""
        self.expect("[", f"to open {what}")
        if self.peek() == "]":
            self._advance(self.pos + 1)
            return
        index = 0
        while True:
            obj, line = self.value(f"sample {index}")
            yield index, obj, line
            index += 1
            if self.expect_one_of(",]", f"after element {index - 1} of {what}") == "]":
                return

    def expect_one_of(self, chars: str, what: str) -> str:
        found = self.peek()
        if not found or found not in chars:
            shown = repr(found) if found else "the end of the file (the file is truncated)"
            raise self.error(f"expected {' or '.join(map(repr, chars))} {what}, found {shown}")
        self._advance(self.pos + 1)
        return found

    def members(self, what: str) -> Iterator[str]:
        """Yield each key of the object that starts here; the caller reads its value."""
        self.expect("{", f"to open {what}")
        if self.peek() == "}":
            self._advance(self.pos + 1)
            return
        while True:
            key, _ = self.value()
            if not isinstance(key, str):
                raise self.error(f"expected a key in {what}")
            self.expect(":", f"after key {key!r} in {what}")
            yield key
            if self.expect_one_of(",}", f"in {what}") == "}":
                return

    def end(self) -> None:
        found = self.peek()
        if found:
            raise self.error(f"unexpected {found!r} after the end of the JSON document")


# --------------------------------------------------------------------------- files

def iter_samples(path: str | os.PathLike, errors: list | None = None, *,
                 url_normalization: str = "rfc3986",
                 skipped: list | None = None) -> Iterator[Sample]:
    """Yield the samples of a JSON array, JSON Lines or HAR 1.2 file, streaming.

    ``path`` may be ``-`` (standard input), a pipe or a FIFO: the file is read once,
    front to back, and never seeked.

    A bad sample raises :class:`RuleLangError` naming the file, the sample and its
    line — or, when ``errors`` is a list, is appended there and reading goes on
    (a file cut short or broken JSON stops reading after the error is recorded).
    A file that is empty, unreadable or in none of the three formats always raises.
    HAR entries that are not HTTP requests (``data:``, ``blob:``, ``ws:``/``wss:``,
    ``chrome-extension:`` … URLs) are skipped; with a ``skipped`` list, each is
    appended there as ``(index, scheme)``.

    The format: ``[`` first means a JSON array; a ``.har`` suffix a HAR capture; a
    ``.jsonl``/``.ndjson`` suffix JSON Lines.  Otherwise the first non-blank line
    decides: one JSON object with ``log`` is a (minified) HAR capture, another JSON
    value JSON Lines; a line that is not JSON on its own is the start of a
    pretty-printed HAR capture when it is ``{`` alone or opens with ``{"log":``, and
    a broken first line of JSON Lines otherwise.
    """
    source = display_name(path)
    try:
        with open_text(path) as f:
            yield from _read(_Replay(f), source, errors, url_normalization, skipped)
    except OSError as e:
        raise RuleLangError(f"{source}: cannot read: {e.strerror or e}") from None
    except UnicodeDecodeError as e:
        raise RuleLangError(f"{source}: not UTF-8 text ({e.reason} at byte {e.start})") from None


class _Replay:
    """A text stream read once, front to back, that can give back what was read while
    the format was being detected (pipes cannot seek)."""

    def __init__(self, f: TextStream) -> None:
        self.f = f
        self.kept = ""

    def peek_first_line(self) -> tuple[str, str]:
        """The first non-blank character and the first non-blank line (at most
        :data:`_FIRST_LINE_LIMIT` characters), keeping everything read for replay."""
        while True:
            head = self.kept.lstrip()
            nl = head.find("\n")
            if head and (nl >= 0 or len(head) >= _FIRST_LINE_LIMIT):
                line = head[:nl] if nl >= 0 else head
                return head[0], line[:_FIRST_LINE_LIMIT].strip()
            chunk = self.f.read(_CHUNK)
            if not chunk:
                return (head[:1], head.strip())
            self.kept += chunk

    def read(self, n: int = -1) -> str:
        """What is there, up to about ``n`` characters (what detection kept first)."""
        if self.kept:
            if n < 0:
                out, self.kept = self.kept + self.f.read(), ""
                return out
            out, self.kept = self.kept[:n], self.kept[n:]
            return out
        return self.f.read(n)

    def __iter__(self) -> Iterator[str]:
        rest, chunk, self.kept = "", self.kept, ""
        while True:
            chunk = chunk or self.f.read(_CHUNK)
            if not chunk:
                if rest:
                    yield rest
                return
            lines = (rest + chunk).split("\n")
            chunk = ""
            rest = lines.pop()
            for line in lines:
                yield line + "\n"


def _read(f: _Replay, source: str, errors: list | None, norm: str,
          skipped: list | None) -> Iterator[Sample]:
    first_char, first_line = f.peek_first_line()
    if not first_char:
        raise RuleLangError(f"{source}: the file is empty (expected a JSON array, JSON Lines "
                            "or a HAR capture)")
    stream_format = _detect(source, first_char, first_line)
    if stream_format == "jsonl":
        yield from _read_jsonl(f, source, errors, norm)
        return
    stream = _JSONStream(f, source)  # type: ignore[arg-type]
    try:
        if stream_format == "array":
            for index, obj, line in stream.items("the samples array"):
                sample = _checked(errors, sample_from_dict, obj, index=index, line=line,
                                  source=source, url_normalization=norm)
                if sample is not None:
                    yield sample
        else:
            yield from _read_har(stream, source, errors, norm, skipped)
        stream.end()
    except _NotSamples:
        raise
    except RuleLangError as e:
        if errors is None:
            raise
        errors.append(e)


def _detect(source: str, first_char: str, first_line: str) -> str:
    suffix = os.path.splitext(source)[1].lower()
    if first_char == "[":
        return "array"
    if first_char != "{":
        raise RuleLangError(f"{source}: not a samples file: expected a JSON array, JSON Lines "
                            f"or a HAR capture, found {first_char!r} at the start")
    if suffix == ".har":
        return "har"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    try:
        first = json.loads(first_line)
    except RecursionError:
        return "jsonl"  # reported line by line
    except json.JSONDecodeError:
        # Not one JSON value: either the first line of an object spread over several
        # lines (a pretty-printed HAR capture opens with a lone '{' or with '{"log":'),
        # or a broken first line of JSON Lines, reported there line by line.
        return "har" if _HAR_START.match(first_line) else "jsonl"
    return "har" if isinstance(first, dict) and "log" in first else "jsonl"


def _checked(errors: list | None, build, *args, **kwargs) -> Sample | None:
    try:
        return build(*args, **kwargs)
    except RuleLangError as e:
        if errors is None:
            raise
        errors.append(e)
        return None


def _read_jsonl(f: Any, source: str, errors: list | None, norm: str) -> Iterator[Sample]:
    index = 0
    for lineno, text in enumerate(f, 1):
        text = text.strip()
        if not text:
            continue
        deep = json_nesting_offset(text)
        try:
            if deep is not None:
                raise RecursionError
            obj = json.loads(text)
        except RecursionError:
            deep = json_nesting_offset(text) or 0
            error = RuleLangError(f"{_where(source, lineno, index)}: nested more than "
                                  f"{MAX_NESTING} levels deep (column {deep + 1})")
            if errors is None:
                raise error from None
            errors.append(error)
        except json.JSONDecodeError as e:
            truncated = e.pos >= len(text) - 1 or "Unterminated string" in e.msg
            what = "truncated JSON" if truncated else "invalid JSON"
            error = RuleLangError(f"{_where(source, lineno, index)}: {what}: {e.msg} "
                                  f"(column {e.colno})")
            if errors is None:
                raise error from None
            errors.append(error)
        else:
            sample = _checked(errors, sample_from_dict, obj, index=index, line=lineno,
                              source=source, url_normalization=norm)
            if sample is not None:
                yield sample
        index += 1


def _read_har(stream: _JSONStream, source: str, errors: list | None,
              norm: str, skipped: list | None = None) -> Iterator[Sample]:
    found = saw_log = False
    for key in stream.members("the HAR document"):
        if key != "log":
            stream.value()
            continue
        saw_log = True
        for log_key in stream.members("'log'"):
            if log_key != "entries":
                stream.value()
                continue
            found = True
            if stream.peek() != "[":
                raise _NotSamples(f"{source}:{stream.line}: ""the HAR capture has no entries list: "
                                   "'log.entries' must be an array")
            for index, entry, line in stream.items("'log.entries'"):
                scheme = har_skip_reason(entry)
                if scheme is not None:
                    if skipped is not None:
                        skipped.append((index, scheme))
                    continue
                sample = _checked(errors, _har_sample, entry, index, line, source, norm)
                if sample is not None:
                    yield sample
    if not saw_log:
        raise _NotSamples(f"{source}: not a samples file: one JSON object without 'log' (not a "
                          "HAR capture); put samples in a JSON array, or one per line "
                          "(JSON Lines)")
    if not found:
        raise _NotSamples(f"{source}: the HAR capture has no 'log.entries' "
                            "(is this a HAR 1.2 file?)")


def _har_sample(entry: Any, index: int, line: int, source: str, norm: str) -> Sample:
    try:
        d, timestamp = har_entry_to_dict(entry, index)
    except RuleLangError as e:
        raise RuleLangError(f"{_where(source, line, index)}: {e}") from None
    sample = sample_from_dict(d, index=index, line=line, source=source,
                              url_normalization=norm, timestamp=timestamp)
    return Sample(sample.name, sample.index, sample.line, sample.request, sample.response,
                  timestamp)
