"""Functions inside whole expressions (language reference §8.3, with §3.6, §5.3, §9):
compiled and evaluated on a request, so string escapes reach the regex and wildcard
arguments exactly as written, and MISSING arguments behave as in filters.  Every
expected value is worked out by hand from the spec.
"""

from __future__ import annotations

import pytest

import rulelang
from rulelang.schema.values import MISSING

RESPONSE = "http_response_cache_settings"


def value(expression: str, url: str = "https://example.com/", headers: object = None,
          host: str | None = None) -> object:
    if host is not None:
        headers = [("Host", host), *(headers or [])]
    request = rulelang.Request(method="GET", url=url, headers=headers or {})
    return rulelang.compile_expression(expression, phase=RESPONSE, expect="any").evaluate(request)


# ------------------------------------------------------------------ whole expressions

VALUES = [
    # (expression, request: host or url/headers, expected value)
    # §3.6 escapes are decoded before the regex / wildcard sees the argument
    ('regex_replace(http.host, "\\x2e", "-")', {"host": "a.b"}, "-.b"),     # regex `.`
    ('regex_replace(http.host, "\\\\x2e", "-")', {"host": "xa.b"}, "xa-b"),  # regex `\x2e`
    ('regex_replace(http.host, "\\\\.", "-")', {"host": "a.b"}, "a-b"),
    ('regex_replace(http.host, r"\\.", "-")', {"host": "a.b"}, "a-b"),
    ('regex_replace(http.host, "\\134.", "-")', {"host": "a.b"}, "a-b"),     # octal `\`
    ('regex_replace(http.host, r"\\\\", "a")', {"host": "a\\b"}, "aab"),
    ('regex_replace(http.host, "\\\\\\\\", "a")', {"host": "a\\b"}, "aab"),
    ('regex_replace(http.host, "^(?i)A", "${0}${0}")', {"host": "ab"}, "aab"),
    ('wildcard_replace(http.request.uri.path, "/a\\\\*/*", "${1}")',
     {"url": "https://e.com/a*/b"}, "b"),
    ('wildcard_replace(http.request.uri.path, r"/a\\*/*", "${1}")',
     {"url": "https://e.com/a*/b"}, "b"),
    ('wildcard_replace(http.request.uri.path, r"/a\\*/*", "${1}")',
     {"url": "https://e.com/ax/b"}, "/ax/b"),
    ('remove_bytes(http.host, "\\x2e\\x77")', {"host": "www.cloudflare.com"}, "cloudflarecom"),
    # §8.3 examples that read fields
    ('remove_query_args(http.request.uri.query, "country")',
     {"url": "https://e.com/?order=asc&country=GB"}, "order=asc"),
    ('remove_query_args(http.request.uri.query, "b", "c")',
     {"url": "https://e.com/?a=1&b&c=3"}, "a=1"),
    ('split(http.request.headers["x-categories"][0], ",", 3)',
     {"headers": {"X-Categories": "groceries,electronics,diy,auto"}},
     ["groceries", "electronics", "diy,auto"]),
    ('substring(http.request.uri.path, -2)', {"url": "https://e.com/asdfghjk"}, "jk"),
    ('url_decode(http.request.uri.path)', {"url": "https://e.com/%2520"}, "/%20"),
    ('url_decode(http.request.uri.path, "r")', {"url": "https://e.com/%2520"}, "/ "),
    ('lookup_json_string(http.request.headers["x-j"][0], "networks", 1)',
     {"headers": {"X-J": '{ "networks": ["other_company", "cloudflare"] }'}}, "cloudflare"),
    ('concat("/", http.request.accepted_languages[0], http.request.uri.path)',
     {"url": "https://e.com/my-path"}, "//my-path"),
    # MISSING arguments
    ('lower(http.request.headers["x-absent"][0])', {}, None),
    ('regex_replace(http.request.headers["x-absent"][0], "a", "b")', {}, None),
    ('wildcard_replace(http.request.headers["x-absent"][0], "*", "b")', {}, None),
    ('url_decode(http.request.headers["x-absent"][0], "r")', {}, None),
    ('decode_base64(http.request.headers["x-b"][*])',
     {"headers": [("X-B", "MTIz"), ("X-B", "!!"), ("X-B", "YQ")]}, ["123", "a"]),
]


def _missing_to_none(result: object) -> object:
    return None if result is MISSING else result


@pytest.mark.parametrize(("expression", "request_", "expected"), VALUES)
def test_whole_expression_value(expression: str, request_: dict, expected: object) -> None:
    result = _missing_to_none(value(expression, **request_))
    if isinstance(result, tuple):
        result = list(result)
    assert result == expected


FILTERS = [
    ('starts_with(http.request.headers["x-absent"][0], "a")', False),
    ('not starts_with(http.request.headers["x-absent"][0], "a")', True),
    ('lower(http.request.headers["x-absent"][0]) ne "a"', False),
    ('len(http.request.headers["x-absent"]) >= 0', False),
    ('ends_with(http.host, "")', True),
]


@pytest.mark.parametrize(("expression", "expected"), FILTERS)
def test_missing_values_in_filters(expression: str, expected: bool) -> None:
    compiled = rulelang.compile_expression(expression, phase=RESPONSE)
    assert compiled.matches(rulelang.Request(method="GET", url="https://e.com/")) is expected
