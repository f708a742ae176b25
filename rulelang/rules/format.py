"""Canonical formatting of the expressions in rules files (the library side of
``rulelang fmt``).

Only the expression strings change (rule ``expression`` and the value expression of
``set_cache_tags``); everything else in the file is kept byte for byte.  Each string is
re-written in its own quoting style (JSON strings; YAML plain, quoted or block scalars;
Terraform strings and heredocs), and the new text is re-read before it is returned: the
new expressions must parse to the same syntax trees as the old ones.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from rulelang.errors import Diagnostic, ExpressionError, Location, RuleLangError
from rulelang.files import NestedTooDeeply, compose_yaml_all, write_bytes_atomically
from rulelang.render import offset_of, quoted_string_offsets
from rulelang.rules.documents import path_text
from rulelang.rules.files import format_of, read_text, sniff_format
from rulelang.rules.foreign import OCTORULES_CACHE_KEYS, octorules_root
from rulelang.schema.catalogue import OTHER_PHASES

__all__ = ["Site", "expression_sites", "format_expression", "format_text", "guess_suffix",
           "path_text", "unified_diff", "write_formatted"]


@dataclass(frozen=True, slots=True)
class Site:
    """One expression string in a rules file: its text, whether it is a value expression
    (``set_cache_tags``) and where its token sits (``start``/``end`` offsets, ``style``)."""

    path: tuple
    source: str
    value: bool
    start: int
    end: int
    style: str  # '"', "'", "plain", "|", ">", "<<"


def format_expression(source: str, value: bool = False) -> str:
    """The canonical text of an expression; raises :class:`ExpressionError`."""
    from rulelang.language.parser import parse
    from rulelang.language.printer import to_source

    return to_source(parse(source, value=value))


def _expression_paths(value: Any, prefix: tuple = ()) -> Iterator[tuple[tuple, str, bool]]:
    """(path, source, is_value) of every expression of every cache rule set in a document:
    rule sets of other phases are left alone, and so are octorules' other phase keys."""
    if not isinstance(value, dict) or value.get("phase") in OTHER_PHASES:
        return
    if isinstance(value.get("result"), dict):
        yield from _expression_paths(value["result"], prefix + ("result",))
    if isinstance(value.get("result"), list):
        for i, item in enumerate(value["result"]):
            yield from _expression_paths(item, prefix + ("result", i))
    octorules = octorules_root(value)
    if octorules is not None:
        zone, at = octorules
        for key in OCTORULES_CACHE_KEYS:
            if isinstance(zone.get(key), list):
                yield from _rule_expressions(zone[key], prefix + at + (key,))
        return
    rules = value.get("rules")
    if isinstance(rules, list):
        yield from _rule_expressions(rules, prefix + ("rules",))


def _rule_expressions(rules: list, prefix: tuple) -> Iterator[tuple[tuple, str, bool]]:
    for i, rule in enumerate(rules):
        if not isinstance(rule, dict):
            continue
        base = prefix + (i,)
        if isinstance(rule.get("expression"), str):
            yield base + ("expression",), rule["expression"], False
        params = rule.get("action_parameters")
        if isinstance(params, dict) and isinstance(params.get("expression"), str):
            yield base + ("action_parameters", "expression"), params["expression"], True


def _yaml_nodes(node: yaml.Node, path: tuple, out: dict) -> None:
    out[path] = node
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode):
                _yaml_nodes(v, path + (k.value,), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _yaml_nodes(v, path + (i,), out)


def _yaml_sites(text: str) -> list[Site]:
    sites = []
    for root, loader in compose_yaml_all(text, duplicates="keep"):
        if root is None:
            continue
        nodes: dict = {}
        _yaml_nodes(root, (), nodes)
        value = loader.construct_document(root)
        for path, source, is_value in _expression_paths(value):
            node = nodes.get(path)
            if not isinstance(node, yaml.ScalarNode):
                continue
            style = node.style or "plain"
            sites.append(Site(path, source, is_value, node.start_mark.index,
                              node.end_mark.index, style))
    return sites


def _token_end(text: str, start: int, hcl: bool) -> tuple[int, str] | None:
    c = text[start:start + 1]
    if c == '"':
        offsets = quoted_string_offsets(text, start, hcl)
        return (offsets[-1] + 1, '"') if offsets else None
    if text.startswith("<<", start):
        nl = text.find("\n", start)
        marker = text[start:nl].lstrip("<-").strip()
        pos = nl + 1
        while pos < len(text):
            end = text.find("\n", pos)
            end = len(text) if end < 0 else end
            if text[pos:end].strip() == marker:
                return end, "<<"
            pos = end + 1
    return None


def _located_sites(path: Path, text: str) -> list[Site]:
    hcl = format_of(path) == "terraform"
    sites = []
    for doc in read_text(text, str(path)):
        for p, source, is_value in _expression_paths(doc.value):
            if p in doc.rewrites:
                continue  # written with ${…} Terraform fills in: left as written
            pos = doc.positions.get(p)
            start = offset_of(text, *pos) if pos else None
            found = _token_end(text, start, hcl) if start is not None else None
            if start is None or found is None:
                raise RuleLangError(f"{path}: cannot find {path_text(p)} in the file "
                                    f"(an expression that is not a quoted string or heredoc?)")
            sites.append(Site(p, source, is_value, start, found[0], found[1]))
    return sites


def expression_sites(path: Path, text: str) -> list[Site]:
    """Every expression of the rules file ``path`` whose text is ``text``."""
    if format_of(path) == "yaml":
        try:
            return _yaml_sites(text)
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
            problem = e.problem or e.context or "syntax error"
            what = "" if isinstance(e, NestedTooDeeply) else "invalid YAML: "
            raise RuleLangError(f"{where}: {what}{problem}") from None
        except yaml.YAMLError as e:
            raise RuleLangError(f"{path}: invalid YAML: {e}".splitlines()[0]) from None
    try:
        return _located_sites(path, text)
    except Exception as e:  # the loader's own error type carries a diagnostic
        d = getattr(e, "diagnostic", None)
        if d is not None:
            loc = d.location
            where = str(path)
            if loc is not None and loc.line is not None:
                where += f":{loc.line}" + (f":{loc.column}" if loc.column is not None else "")
            raise RuleLangError(f"{where}: {d.message}") from None
        raise


def _yaml_plain_ok(s: str) -> bool:
    if not s or "\n" in s or s != s.strip():
        return False
    try:
        return yaml.safe_load(f"k: {s}") == {"k": s}
    except yaml.YAMLError:
        return False


def _encode(site: Site, new: str, text: str, terraform: bool) -> str:
    style = site.style
    if style in ("|", ">", "<<"):
        head_end = text.find("\n", site.start)
        first = text[head_end + 1:site.end]
        line = next((ln for ln in first.split("\n") if ln.strip()), "")
        indent = line[:len(line) - len(line.lstrip(" \t"))]
        body = "\n".join(indent + ln if ln else ln for ln in new.split("\n"))
        if style == "<<":
            header = text[site.start:head_end]
            tail = text[site.start:site.end].rsplit("\n", 1)[1]
            if not header.startswith("<<-"):
                body = new
            return f"{header}\n{body}\n{tail}"
        trailing = text[site.start:site.end]
        end_nl = "\n" if trailing.endswith("\n") else ""
        return f"{style}-\n{body}{end_nl}"
    if style == "'" and "\n" not in new:
        return "'" + new.replace("'", "''") + "'"
    if style == "plain" and _yaml_plain_ok(new):
        return new
    # Keep an ASCII-only string ASCII (the user wrote \u escapes, or the file is ASCII).
    ascii_only = text[site.start:site.end].isascii()
    quoted = json.dumps(new, ensure_ascii=ascii_only)
    if terraform:
        quoted = quoted.replace("${", "$${").replace("%{", "%%{")
    return quoted


def _parse_trees(sites: list[Site]) -> list:
    from rulelang.language.parser import parse

    return [parse(s.source, value=s.value) for s in sites]


def format_text(path: Path, text: str) -> tuple[str, list[tuple[Site, str]], list[Diagnostic]]:
    """The formatted text of a rules file, the expressions that changed (site, new text),
    and the diagnostics of expressions that do not parse (the file is then unchanged)."""
    sites = expression_sites(path, text)
    changes: list[tuple[Site, str]] = []
    problems: list[Diagnostic] = []
    for site in sites:
        try:
            new = format_expression(site.source, site.value)
        except ExpressionError as e:
            line, col = _line_col(text, site.start)
            where = Location(str(path), path_text(site.path), line, col)
            problems.extend(d.at(where) if d.location is None else d for d in e.diagnostics)
            continue
        same = new == site.source or (
            site.style in ("|", ">", "<<")
            and new == site.source.replace("\r\n", "\n").rstrip("\n"))
        if not same:
            changes.append((site, new))
    if problems or not changes:
        return text, [], problems
    terraform = format_of(path) == "terraform"
    out = text
    for site, new in sorted(changes, key=lambda c: c[0].start, reverse=True):
        encoded = _encode(site, new, text, terraform)
        if "\r\n" in text[site.start:site.end + 2]:
            encoded = re.sub(r"(?<!\r)\n", "\r\n", encoded)  # keep the file's CRLF
        out = out[:site.start] + encoded + out[site.end:]
    _verify(path, sites, out)
    return out, changes, problems


def _line_col(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _verify(path: Path, before: list[Site], text: str) -> None:
    """The re-written file must hold the same expressions, each parsing to the same tree."""
    try:
        after = expression_sites(path, text)
        same = len(after) == len(before) and _parse_trees(after) == _parse_trees(before)
    except (RuleLangError, ValueError, yaml.YAMLError):
        same = False
    if not same:
        raise RuleLangError(f"{path}: could not re-write the expressions safely; the file "
                            f"is unchanged (please report this)")


def guess_suffix(text: str) -> str:
    """The file suffix a rules text without a name (standard input) reads as."""
    return {"json": ".json", "terraform": ".tf"}.get(sniff_format(text), ".yaml")


def unified_diff(name: str, before: str, after: str) -> str:
    """A unified diff of a rules file's text before and after formatting (``a/`` and
    ``b/`` labels, as ``git diff`` writes them); line endings shown as they are."""
    import difflib

    lines = difflib.unified_diff(before.splitlines(keepends=True),
                                 after.splitlines(keepends=True),
                                 fromfile=f"a/{name}", tofile=f"b/{name}")
    out = []
    for line in lines:
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return "".join(out)


def write_formatted(path: Path, text: str) -> None:
    """Write the formatted ``text`` over the rules file at ``path`` safely (see
    :func:`rulelang.files.write_bytes_atomically`): bytes as they are (no newline
    translation), the file's UTF-8 byte-order mark kept, the original left byte for byte
    as it was when anything fails (a :class:`RuleLangError` naming the file)."""
    try:
        with open(path, "rb") as f:
            bom = f.read(3) == b"\xef\xbb\xbf"
    except OSError as e:
        raise RuleLangError(f"{path}: cannot read the file ({e.strerror or e})") from None
    write_bytes_atomically(path, (("\ufeff" if bom else "") + text).encode("utf-8"))
