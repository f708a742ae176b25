"""Cache tags: Cache-Tag header normalization (§4.15, PD-26) and operations (PD-07)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rulelang.cache.tags import (
    MAX_HEADER_BYTES,
    apply_tag_operation,
    normalize_tags,
    parse_cache_tag_header,
)


@pytest.mark.parametrize("fields, tags", [
    (["tag1,,,tag2"], ["tag1", "tag2"]),
    (["tag1, tag2"], ["tag1", "tag2"]),
    (["tag1", "tag2,tag3"], ["tag1", "tag2", "tag3"]),
    (["Tag1,tag1,TAG1"], ["Tag1"]),
    (["\ttag1\t, ,"], ["tag1"]),
    (["a b,c"], ["c"]),
    (["caf\u00e9,ok"], ["ok"]),
    (["x\x7fy,ok"], ["ok"]),
    ([",,,"], []),
    ([], []),
])
def test_header_normalization(fields, tags):
    assert parse_cache_tag_header(fields, []) == tags


def test_invalid_tags_are_reported():
    notes: list[str] = []
    parse_cache_tag_header(["a b,ok"], notes)
    assert any("'a b'" in n for n in notes)


def test_only_tags_within_16kb_are_kept():
    tag = "t" * 99
    tags = [f"{tag}{i:04d}" for i in range(200)]  # 104 bytes each with the comma
    header = ",".join(tags)
    assert len(header) > MAX_HEADER_BYTES
    kept = parse_cache_tag_header([header], notes := [])
    assert kept == tags[:len(kept)]
    assert sum(len(t) + 1 for t in kept) - 1 <= MAX_HEADER_BYTES
    assert len(",".join(tags[:len(kept) + 1])) > MAX_HEADER_BYTES
    assert notes


def test_rule_tags_are_split_on_commas_and_not_limited():
    assert normalize_tags(["a, b,c", "B"], "rule", []) == ["a", "b", "c"]
    assert len(normalize_tags(["x" * 20000], "rule", [])) == 1


@pytest.mark.parametrize("current, operation, tags, expected", [
    (["a", "b"], "add", ["B", "c"], ["a", "b", "c"]),
    (["a", "b"], "remove", ["A"], ["b"]),
    (["a", "b"], "set", ["x", "X"], ["x"]),
    (["a"], "set", [], []),
    (["a"], "unknown", ["b"], ["a"]),
])
def test_operations(current, operation, tags, expected):
    assert apply_tag_operation(current, operation, tags) == expected


@given(st.lists(st.text(max_size=50), max_size=5))
def test_normalized_tags_are_printable_unique_and_never_raise(fields):
    tags = parse_cache_tag_header(fields, [])
    assert len({t.lower() for t in tags}) == len(tags)
    assert all(t and all(0x21 <= ord(c) <= 0x7E and c != "," for c in t) for t in tags)


# -- the 16 KB limit (§4.15, PD-26) ------------------------------------------------------

def test_tag_ending_exactly_at_16384_bytes_is_kept_despite_trailing_blank():
    # The tag occupies bytes 0..16383: entirely within the first 16,384 bytes.
    notes: list[str] = []
    tags = parse_cache_tag_header(["x" * 16384 + " ,y"], notes)
    assert tags == ["x" * 16384]


def test_tag_crossing_16384_bytes_is_dropped_with_those_after_it():
    notes: list[str] = []
    tags = parse_cache_tag_header(["a," + "x" * 16383 + ",b"], notes)  # x ends at 16385
    assert tags == ["a"]
    assert any("16384" in n for n in notes)


def test_tag_limit_counts_the_joined_fields():
    # two fields joined with "," (one byte): 8191 + 1 + 8192 = 16384 bytes exactly
    tags = parse_cache_tag_header(["a" * 8191, "b" * 8192, "c"], [])
    assert tags == ["a" * 8191, "b" * 8192]


def test_rule_tags_are_not_limited_to_16kb():
    big = [f"t{i:05d}" for i in range(4000)]   # 4000 * 7 bytes > 16 KB
    assert normalize_tags([",".join(big)], "rule", []) == big


@given(st.lists(st.text(alphabet="aAbB ,\t-x\u00e9", max_size=8), max_size=8))
def test_tag_normalization_is_idempotent(values):
    once = normalize_tags(values, "rule", [])
    assert normalize_tags(once, "rule", []) == once
    assert len({t.lower() for t in once}) == len(once)
    assert all(t and all(0x21 <= ord(c) <= 0x7E for c in t) for t in once)


@pytest.mark.parametrize("current, operation, tags, expected", [
    (["A", "b"], "add", ["a", "c", "C"], ["A", "b", "c"]),
    (["A", "b"], "remove", ["B"], ["A"]),
    (["A", "b"], "set", ["x", "X"], ["x"]),
    ([], "remove", ["x"], []),
])
def test_tag_operations(current, operation, tags, expected):
    assert apply_tag_operation(current, operation, tags) == expected
