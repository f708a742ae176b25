"""Request facts and what may be cached by default (cache-phases §4.2, §4.11).

* the URL split into scheme, host, port, path and raw query;
* the path and extension as the fields ``http.request.uri.path`` and
  ``http.request.uri.path.extension`` define them (PD-03);
* the 56 default cached file extensions and ``/robots.txt``;
* the Cache Deception Armor table of accepted media types per extension (PD-23).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rulelang.http.fields import field_reader

__all__ = [
    "DEFAULT_CACHED_EXTENSIONS",
    "RequestFacts",
    "deception_armor_accepts",
    "default_eligible",
    "request_facts",
]

#: The default cached file extensions [Default cache behavior].
DEFAULT_CACHED_EXTENSIONS = frozenset(
    ["7z", "avi", "avif", "apk", "bin", "bmp", "bz2", "class", "css", "csv", "doc", "docx", "dmg", "ejs", "eot", "eps", "exe", "flac", "gif", "gz", "ico", "iso", "jar", "jpg", "jpeg", "js", "mid", "midi", "mkv", "mp3", "mp4", "ogg", "otf", "pdf", "pict", "pls", "png", "ppt", "pptx", "ps", "rar", "svg", "svgz", "swf", "tar", "tif", "tiff", "ttf", "webm", "webp", "woff", "woff2", "xls", "xlsx", "zip", "zst"])


_JPEG = ("image/jpeg", "image/pjpeg", "image/webp", "image/avif")
_OGG = ("audio/ogg", "video/ogg", "application/ogg")
_JS = ("application/javascript", "text/javascript", "application/x-javascript",
       "application/ecmascript", "text/ecmascript")

#: PD-23: media types accepted for each checked extension.
_ARMOR: dict[str, tuple[str, ...]] = {
    "jpg": _JPEG, "jpeg": _JPEG,
    "png": ("image/png", "image/webp", "image/avif"),
    "gif": ("image/gif", "image/webp", "video/webm"),
    "webp": ("image/webp",), "avif": ("image/avif",),
    "bmp": ("image/bmp", "image/x-ms-bmp"),
    "ico": ("image/x-icon", "image/vnd.microsoft.icon"),
    "svg": ("image/svg+xml",), "svgz": ("image/svg+xml",),
    "tif": ("image/tiff",), "tiff": ("image/tiff",),
    "css": ("text/css",), "js": _JS,
    "woff": ("font/woff", "application/font-woff"), "woff2": ("font/woff2",),
    "ttf": ("font/ttf", "font/sfnt", "application/x-font-ttf"),
    "otf": ("font/otf", "font/sfnt"), "eot": ("application/vnd.ms-fontobject",),
    "pdf": ("application/pdf",), "zip": ("application/zip", "application/x-zip-compressed"),
    "gz": ("application/gzip", "application/x-gzip"),
    "mp4": ("video/mp4",), "webm": ("video/webm",), "mp3": ("audio/mpeg",), "ogg": _OGG,
    "csv": ("text/csv",),
}



@dataclass(frozen=True, slots=True)
class RequestFacts:
    """What the decision needs to know about the request URL (cache-phases §4.2)."""

    method: str
    scheme: str
    host: str
    port: int
    path: str
    query: str
    extension: str


_READERS: dict[str, Any] = {}


def _field_text(name: str, request) -> str:
    """A String field's value as text: the field model is the one definition of the
    path, the extension and the query."""
    reader = _READERS.get(name)
    if reader is None:
        reader = _READERS[name] = field_reader(name)
    value = reader(request, None)
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else ""


def request_facts(request, notes: list[str]) -> RequestFacts:
    """The facts of §4.2, read from the request's own URL split and its fields (the
    path, extension and raw query are the values rules see)."""
    return RequestFacts(
        method=request.method, scheme=request.scheme, host=request.url_host,
        port=request.port, path=_field_text("http.request.uri.path", request) or "/",
        query=_field_text("raw.http.request.uri.query", request),
        extension=_field_text("http.request.uri.path.extension", request))


def default_eligible(facts: RequestFacts) -> bool:
    """Eligibility without a rule: a default extension, or exactly ``/robots.txt``."""
    return facts.extension in DEFAULT_CACHED_EXTENSIONS or facts.path == "/robots.txt"


def deception_armor_accepts(extension: str, content_type: str | None) -> bool:
    """Whether Cache Deception Armor lets ``content_type`` be cached for ``extension``.

    Extensions outside the PD-23 table, a missing ``Content-Type`` and
    ``application/octet-stream`` always pass; media types compare lower-cased
    without parameters.
    """
    accepted = _ARMOR.get(extension)
    if accepted is None or content_type is None:
        return True
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/octet-stream" or media in accepted
