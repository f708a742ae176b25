"""Cache-Control-family parsing, directive edits, serialization and HTTP dates (PD-12)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rulelang.cache.cache_control import (
    MAX_DELTA_SECONDS,
    Directive,
    apply_edit,
    delta_seconds,
    find,
    parse_directives,
    parse_http_date,
    serialize,
)


def parse(*fields: str) -> tuple[list[Directive], list[str]]:
    notes: list[str] = []
    return parse_directives(list(fields), "Cache-Control", notes), notes


@pytest.mark.parametrize("fields, names", [
    (["public, max-age=600"], ["public", "max-age"]),
    (["public", "max-age=600"], ["public", "max-age"]),
    (["Public, MAX-AGE=600"], ["public", "max-age"]),
    (["  no-cache ,\tmax-age = 5 "], ["no-cache", "max-age"]),
    ([",,, public,,"], ["public"]),
    (["x-custom=\"a, b\", public"], ["x-custom", "public"]),
    (['content="ESI/1.0"'], ["content"]),
    (["max-age=5, max-age=10"], ["max-age", "max-age"]),
    ([""], []),
])
def test_directive_names(fields, names):
    directives, _ = parse(*fields)
    assert [d.name for d in directives] == names


@pytest.mark.parametrize("text", ["=5", "@@@", "max age=5", '"quoted"', "é=1"])
def test_item_without_a_directive_name_is_dropped_and_reported(text):
    directives, notes = parse(f"{text}, public")
    assert [d.name for d in directives] == ["public"]
    assert any("not a directive name" in n for n in notes)


@pytest.mark.parametrize("text, qualifiers", [
    ('private="Set-Cookie, X-A"', ("Set-Cookie", "X-A")),
    ("private=Set-Cookie", ("Set-Cookie",)),
    ('no-cache="X-A,,X-B"', ("X-A", "X-B")),
    ('private', None),
])
def test_qualifiers(text, qualifiers):
    directives, _ = parse(text + ", max-age=5")
    assert directives[0].qualifiers == qualifiers
    assert directives[1].name == "max-age"


def test_empty_qualifier_list_reads_as_bare_directive():
    directives, notes = parse('private=""')
    assert directives == [Directive("private")]
    assert notes


def test_unterminated_quote_does_not_raise():
    directives, _ = parse('private="a, max-age=5')
    assert directives[0].name == "private"


@pytest.mark.parametrize("value, seconds, noted", [
    ("600", 600, False),
    ("0", 0, False),
    ("1.5", 1, True),
    ("1.", 1, True),
    (".5", 0, True),
    ('"60"', 60, False),
    ("000120", 120, False),
    (str(MAX_DELTA_SECONDS), MAX_DELTA_SECONDS, False),
    ("2147483649", MAX_DELTA_SECONDS, True),
    ("9" * 5000, MAX_DELTA_SECONDS, True),
    ("-1", None, True),
    ("abc", None, True),
    ("1e3", None, True),
    ("", None, True),
    ("٣", None, True),
    ("0x10", None, True),
    ("1.2.3", None, True),
    (".", None, True),
])
def test_delta_seconds(value, seconds, noted):
    notes: list[str] = []
    assert delta_seconds(Directive("max-age", value), "Cache-Control", notes) == seconds
    assert bool(notes) == noted


def test_bare_duration_directive_counts_as_absent():
    notes: list[str] = []
    assert delta_seconds(Directive("max-age"), "Cache-Control", notes) is None
    assert notes


def test_first_occurrence_wins_even_when_invalid():
    directives, _ = parse("max-age=abc, max-age=10")
    assert delta_seconds(find(directives, "max-age"), "Cache-Control", []) is None
    directives, _ = parse("max-age=5, max-age=10")
    assert delta_seconds(find(directives, "max-age"), "Cache-Control", []) == 5


@pytest.mark.parametrize("text, expected", [
    ("public, max-age=600", "public, max-age=600"),
    ("Max-Age=1.5", "max-age=1.5"),
    ('private="A,B"', 'private="A, B"'),
    ('x-ext="some value"', 'x-ext="some value"'),
    ("", None),
])
def test_serialize(text, expected):
    directives, _ = parse(text)
    assert serialize(directives) == expected


@pytest.mark.parametrize("start, name, edit, expected", [
    ("max-age=60, public", "max-age", {"operation": "set", "value": 10}, "max-age=10, public"),
    ("public", "max-age", {"operation": "set", "value": 10}, "public, max-age=10"),
    ("max-age=1, public, max-age=2", "max-age", {"operation": "set", "value": 9},
     "max-age=9, public"),
    ("no-cache, public, no-cache", "no-cache", {"operation": "remove"}, "public"),
    ("public", "private", {"operation": "set", "qualifiers": ["X-A", "X-B"]},
     'public, private="X-A, X-B"'),
    ('private="X-A"', "private", {"operation": "set"}, "private"),
    ("", "immutable", {"operation": "set"}, "immutable"),
    ("public", "no-store", {"operation": "remove"}, "public"),
])
def test_apply_edit(start, name, edit, expected):
    directives, _ = parse(start)
    edited = apply_edit(directives, name, edit)
    assert serialize(edited) == expected
    assert all(d.rule_set for d in edited if d.name == name)


@pytest.mark.parametrize("text, expected", [
    ("Thu, 01 Jan 2026 00:00:00 GMT", datetime(2026, 1, 1, tzinfo=UTC)),
    ("Thursday, 01-Jan-26 00:00:00 GMT", datetime(2026, 1, 1, tzinfo=UTC)),
    ("Thu Jan  1 00:00:00 2026", datetime(2026, 1, 1, tzinfo=UTC)),
    ("Thu, 01 Jan 2026 01:00:00 +0100", datetime(2026, 1, 1, tzinfo=UTC)),
    ("0", None),
    ("", None),
    ("-1", None),
    ("tomorrow", None),
    ("Thu, 99 Jan 2026 00:00:00 GMT", None),
    ("Thu, 01 Jan 99999 00:00:00 GMT", None),
    ("Thu, 01 Jan 2026 00:00:00 +9999", None),
    (None, None),
])
def test_parse_http_date(text, expected):
    assert parse_http_date(text) == expected


@given(st.lists(st.text(max_size=60), max_size=4))
def test_parsing_never_raises(fields):
    notes: list[str] = []
    directives = parse_directives(fields, "Cache-Control", notes)
    for d in directives:
        delta_seconds(d, "Cache-Control", notes)
    serialize(directives)


@given(st.text(max_size=60))
def test_date_parsing_never_raises(text):
    result = parse_http_date(text)
    assert result is None or result.tzinfo is not None
