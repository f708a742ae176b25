"""Request facts and what may be cached by default (cache-phases §4.2, §4.11).

* the URL split into scheme, host, port, path and raw query;
* the path and extension as the fields ``http.request.uri.path`` and
  ``http.request.uri.path.extension`` define them (PD-03);
* the 56 default cached file extensions and ``/robots.txt``;
* the Cache Deception Armor table of accepted media types per extension (PD-23).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = [
    "DEFAULT_CACHED_EXTENSIONS",
    "DEFAULT_PORTS",
    "RequestFacts",
    "deception_armor_accepts",
    "default_eligible",
    "request_facts",
]

#: The default cached file extensions [Default cache behavior].
DEFAULT_CACHED_EXTENSIONS = frozenset(
    ["7z", "avi", "avif", "apk", "bin", "bmp", "bz2", "class", "css", "csv", "doc", "docx", "dmg", "ejs", "eot", "eps", "exe", "flac", "gif", "gz", "ico", "iso", "jar", "jpg", "jpeg", "js", "mid", "midi", "mkv", "mp3", "mp4", "ogg", "otf", "pdf", "pict", "pls", "png", "ppt", "pptx", "ps", "rar", "svg", "svgz", "swf", "tar", "tif", "tiff", "ttf", "webm", "webp", "woff", "woff2", "xls", "xlsx", "zip", "zst"])

DEFAULT_PORTS = {"http": 80, "https": 443}

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

try:  # the field model, when it is available, is the one definition of path/extension
    from .fields import field_reader as _field_reader
except ImportError:  # pragma: no cover - only before rulelang.fields exists
    _field_reader = None


@dataclass(frozen=True, slots=True)
class RequestFacts:
    """What the decision needs to know about the request URL (cache-phases §4.2)."""

    method: str
    scheme: str
    host: str
    port: int | None
    path: str
    query: str
    extension: str


def _field_text(name: str, request, fallback: str) -> str:
    if _field_reader is None:
        return fallback
    try:
        value = _field_reader(name)(request, None)
    except Exception:  # noqa: BLE001 - a broken field read falls back to the URL
        return fallback
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else fallback


def _extension(path: str) -> str:
    segment = path.rsplit("/", 1)[-1]
    dot = segment.rfind(".")
    return "" if dot <= 0 else segment[dot + 1:].lower()


def request_facts(request, notes: list[str]) -> RequestFacts:
    """Split the request URL; an unreadable URL or port is reported, never raised."""
    method = str(getattr(request, "method", "GET") or "GET").upper()
    url = str(getattr(request, "url", "") or "")
    try:
        parts = urlsplit(url)
        scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
        raw_path, query = parts.path or "/", parts.query
    except ValueError:
        notes.append(f"request URL {url!r} could not be read; its path is taken as '/'")
        scheme, host, raw_path, query, parts = "https", "", "/", "", None
    try:
        port = parts.port if parts is not None else None
    except ValueError:
        notes.append(f"request URL {url!r} has an invalid port; the scheme's default is used")
        port = None
    if port is None:
        port = DEFAULT_PORTS.get(scheme)
    path = _field_text("http.request.uri.path", request, raw_path)
    extension = _field_text("http.request.uri.path.extension", request, _extension(path))
    return RequestFacts(method, scheme, host, port, path, query, extension)


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
