"""rulelang.files: the safe YAML loader, the nesting limit, shortened values and atomic
writes, each checked on the input that used to break it."""

from __future__ import annotations

import errno
import os
import stat

import pytest
from support.hostile import ALIAS_BOMB, DEEP

from rulelang.errors import RuleLangError
from rulelang.files import (
    MAX_NESTING,
    DuplicateKey,
    NestedTooDeeply,
    YAMLLimitError,
    json_nesting_offset,
    load_yaml,
    load_yaml_all,
    shorten,
    write_bytes_atomically,
)

# --------------------------------------------------------------------------- YAML


def test_an_alias_bomb_is_refused_with_its_line():
    with pytest.raises(YAMLLimitError) as info:
        load_yaml(ALIAS_BOMB)
    assert "alias bomb" in info.value.problem
    assert info.value.problem_mark.line + 1 <= ALIAS_BOMB.count("\n")


def test_ordinary_aliases_still_work():
    text = "base: &b {a: 1, b: [1, 2]}\nx: *b\ny: *b\nz: [*b, *b, *b]\n"
    value = load_yaml(text)
    assert value["x"] == value["z"][2] == {"a": 1, "b": [1, 2]}


@pytest.mark.parametrize("text", [
    "x: " + DEEP + "\n",
    "x: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n",
    "".join(" " * i + "- \n" for i in range(0, 400, 2)) + " " * 400 + "- 1\n",
])
def test_deep_yaml_is_refused_not_a_recursion_error(text):
    with pytest.raises(NestedTooDeeply) as info:
        load_yaml(text)
    assert f"more than {MAX_NESTING} levels" in info.value.problem
    assert info.value.problem_mark is not None


def test_nesting_up_to_the_limit_loads():
    depth = MAX_NESTING - 1  # the document's mapping is one level
    value = load_yaml("x: " + "[" * depth + "]" * depth)["x"]
    levels = 1
    while value:
        value, levels = value[0], levels + 1
    assert levels == depth


def test_a_duplicate_key_is_an_error_naming_both_places():
    text = "cases:\n  - request: {url: x}\n    expect: {a: 1}\n    expect: {a: 2}\n"
    with pytest.raises(DuplicateKey) as info:
        load_yaml(text)
    assert "duplicate key 'expect' (first at line 3, column 5)" in info.value.problem
    assert info.value.problem_mark.line + 1 == 4


def test_duplicates_can_be_left_to_the_caller():
    assert load_yaml("a: 1\na: 2\n", duplicates="keep") == {"a": 2}


def test_every_document_of_a_stream_has_the_limits():
    with pytest.raises(YAMLLimitError):
        list(load_yaml_all("a: 1\n---\n" + ALIAS_BOMB))


# --------------------------------------------------------------------------- JSON nesting


@pytest.mark.parametrize("text, offset", [
    ("[]", None),
    ("[" * MAX_NESTING + "]" * MAX_NESTING, None),
    ("[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1), MAX_NESTING),
    ('{"a": "' + "[" * 500 + '"}', None),  # brackets in a string do not count
    ('{"a": "\\"' + "{" * 500 + '"}', None),  # nor after an escaped quote
    ('["\\\\", ' + "[" * 200 + "]" * 200 + "]", 7 + MAX_NESTING - 1),
    ("[1, " * 150 + "]" * 150, 4 * MAX_NESTING),
])
def test_json_nesting_offset(text, offset):
    assert json_nesting_offset(text) == offset


def test_json_nesting_offset_in_a_slice_and_in_hcl():
    text = "x" * 10 + DEEP
    assert json_nesting_offset(text, 10) == 10 + MAX_NESTING
    assert json_nesting_offset(text, 0, 10) is None
    hcl = 'a = "((((" # ((((\nb = ' + "(" * 150 + ")" * 150
    assert json_nesting_offset(hcl, syntax="hcl") == hcl.index("b = ") + 4 + MAX_NESTING


# --------------------------------------------------------------------------- shorten


def test_shorten_keeps_short_text_and_says_how_much_it_cut():
    assert shorten("abc") == "abc"
    long = "a" * 10 + "b" * 1_000_000 + "c" * 10
    short = shorten(long, 100)
    assert len(short) < 140
    assert short.startswith("aaaaaaaaaa") and short.endswith("cccccccccc")
    assert "more characters" in short


# --------------------------------------------------------------------------- atomic writes


def test_write_replaces_the_file_and_keeps_its_mode(tmp_path):
    path = tmp_path / "r.json"
    path.write_bytes(b"old")
    os.chmod(path, 0o640)
    write_bytes_atomically(path, b"new\r\n")
    assert path.read_bytes() == b"new\r\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]


def test_write_through_a_symlink_replaces_the_target(tmp_path):
    target = tmp_path / "real.yaml"
    target.write_bytes(b"old")
    link = tmp_path / "link.yaml"
    link.symlink_to(target.name)
    write_bytes_atomically(link, b"new")
    assert link.is_symlink() and target.read_bytes() == b"new"


@pytest.mark.parametrize("fail_at", ["write", "fsync", "replace"])
def test_a_failed_write_leaves_the_original_and_no_temporary_file(tmp_path, monkeypatch,
                                                                  fail_at):
    path = tmp_path / "r.json"
    original = b'{"rules": []}\n' * 1000
    path.write_bytes(original)

    def boom(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, fail_at, boom)
    with pytest.raises(RuleLangError) as info:
        write_bytes_atomically(path, b"x" * 100_000)
    monkeypatch.undo()
    assert str(path) in str(info.value) and "No space left" in str(info.value)
    assert "unchanged" in str(info.value)
    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]


# --------------------------------------------------------------------------- other readers


@pytest.mark.parametrize("text", ["x: " + DEEP + "\n", "x: 1\n" + ALIAS_BOMB, "a: 1\na: 2\n"])
def test_zone_files_use_the_safe_loader(tmp_path, text):
    from rulelang.errors import RulesetError
    from rulelang.watch import load_zone

    path = tmp_path / "zone.yaml"
    path.write_text(text)
    with pytest.raises(RulesetError) as info:
        load_zone(path)
    assert str(path) in str(info.value.diagnostics[0].message)


def test_replay_log_lines_nested_deeply_are_bad_lines():
    from rulelang.replay.inputs import BadLine, SourceFile, parse_line

    source = SourceFile(0, "log.jsonl", "logpush", False)
    with pytest.raises(BadLine, match="nested more than 100 levels deep"):
        parse_line(source, 7, '{"ClientRequestURI": ' + DEEP + "}", set())


def test_write_keeps_the_owner_when_allowed(tmp_path):
    path = tmp_path / "r.json"
    path.write_bytes(b"old")
    if os.getuid() != 0:
        pytest.skip("only root may give a file to another user")
    os.chown(path, 1234, 5678)
    write_bytes_atomically(path, b"new")
    st = path.stat()
    assert (st.st_uid, st.st_gid) == (1234, 5678) and path.read_bytes() == b"new"


def test_a_new_file_gets_the_usual_mode(tmp_path):
    path = tmp_path / "new.json"
    umask = os.umask(0o022)
    try:
        write_bytes_atomically(path, b"{}")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
