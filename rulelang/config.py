"""Project configuration: ``[tool.rulelang]`` in ``pyproject.toml``, or ``rulelang.toml``.

Found from the current directory upwards (the first directory holding a ``rulelang.toml``,
or a ``pyproject.toml`` with a ``[tool.rulelang]`` table, wins), or named with
``--config``.  Keys (interfaces.md §8; see docs/lint-checks.md)::

    [tool.rulelang]                 # in rulelang.toml: the same keys at the top level
    plan = "pro"                    # plan checks, as --plan
    lists = { blocked = "lists/blocked.txt" }   # $name lists: a file, or an inline array
    lists-file = "lists.json"       # a JSON object of name → items, as --lists
    select = ["RL", "RS"]           # codes or family prefixes
    ignore = ["RL511", "RS505"]
    zone = { browser_cache_ttl = 14400 }        # zone settings for eval, trace and test

    [tool.rulelang.per-file-ignores]
    "legacy/*.json" = ["RS5"]       # glob, relative to the configuration's directory

    [tool.rulelang.per-rule-ignores]
    "static-assets" = ["RS501"]     # by rule ref, in every file
    "rules/cache.tf::old" = ["RS207"]  # by file (glob) and rule ref

Paths in the configuration are relative to the file that holds it.  Every problem is a
:class:`~rulelang.errors.RuleLangError` that names the file and the key.
"""

from __future__ import annotations

import fnmatch
import json
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rulelang.codes import CODES
from rulelang.errors import RuleLangError

__all__ = ["Config", "find_config", "load_config", "read_list_file"]

CONFIG_FILES = ("rulelang.toml", "pyproject.toml")
_KEYS = frozenset({"plan", "lists", "lists-file", "select", "ignore", "zone",
                   "per-file-ignores", "per-rule-ignores"})


@dataclass(frozen=True)
class Config:
    """A loaded configuration.  ``lists`` holds the items themselves; ``root`` is the
    directory globs and paths are relative to."""

    path: Path | None = None
    root: Path = field(default_factory=Path.cwd)
    plan: str | None = None
    lists: dict[str, list] | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    zone: dict[str, Any] = field(default_factory=dict)
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    per_rule_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def ignored_in_file(self, file: str | None) -> tuple[str, ...]:
        """The code prefixes ignored in ``file`` (per-file ignores)."""
        if not file or not self.per_file_ignores:
            return ()
        names = _relative_names(file, self.root)
        return tuple(c for pattern, codes in self.per_file_ignores.items()
                     if any(fnmatch.fnmatch(n, pattern) for n in names) for c in codes)

    def ignored_for_rule(self, file: str | None, ref: str | None) -> tuple[str, ...]:
        """The code prefixes ignored for the rule ``ref`` of ``file``."""
        if not ref or not self.per_rule_ignores:
            return ()
        names = _relative_names(file, self.root) if file else []
        out: list[str] = []
        for key, codes in self.per_rule_ignores.items():
            pattern, sep, wanted = key.rpartition("::")
            if not sep:
                wanted, pattern = key, ""
            if wanted != ref:
                continue
            if pattern and not any(fnmatch.fnmatch(n, pattern) for n in names):
                continue
            out.extend(codes)
        return tuple(out)

    def engine_zone(self) -> dict[str, Any] | None:
        """The zone settings for an Engine: ``zone`` plus ``plan`` (when set)."""
        zone = dict(self.zone)
        if self.plan is not None:
            zone.setdefault("plan", self.plan)
        return zone or None


def _relative_names(file: str, root: Path) -> list[str]:
    path = Path(file)
    names = [path.as_posix()]
    try:
        names.append(path.resolve().relative_to(root.resolve()).as_posix())
    except (ValueError, OSError):
        pass
    return names


def find_config(start: str | Path | None = None) -> Path | None:
    """The configuration file that applies in ``start`` (default: the current
    directory), searching upwards; ``None`` when there is none."""
    here = Path(start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / "rulelang.toml"
        if candidate.is_file():
            return candidate
        candidate = directory / "pyproject.toml"
        if candidate.is_file() and _has_tool_table(candidate):
            return candidate
    return None


def _has_tool_table(path: Path) -> bool:
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return isinstance(data.get("tool"), dict) and "rulelang" in data["tool"]


def load_config(path: str | Path | None = None, *, search_from: str | Path | None = None
                ) -> Config:
    """Load ``path`` (or the configuration :func:`find_config` finds); an empty
    :class:`Config` when there is none."""
    if path is None:
        path = find_config(search_from)
        if path is None:
            return Config()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise RuleLangError(f"{path}: cannot read the configuration: "
                            f"{exc.strerror or exc}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RuleLangError(f"{path}: invalid TOML: {exc}") from None
    table = data
    if path.name == "pyproject.toml" or "tool" in data:
        tool = data.get("tool")
        table = tool.get("rulelang", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise RuleLangError(f"{path}: [tool.rulelang] must be a table")
    return _parse(table, path)


def _parse(table: Mapping[str, Any], path: Path) -> Config:
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise RuleLangError(f"{path}: unknown key {unknown[0]!r} in the rulelang "
                            f"configuration (keys: {', '.join(sorted(_KEYS))})")
    root = path.parent
    plan = table.get("plan")
    if plan is not None and not isinstance(plan, str):
        raise RuleLangError(f"{path}: plan must be a string such as \"pro\"")
    lists = _lists(table, root, path)
    zone = table.get("zone", {})
    if not isinstance(zone, dict):
        raise RuleLangError(f"{path}: zone must be a table of zone settings")
    return Config(
        path=path, root=root, plan=plan, lists=lists,
        select=_codes(table.get("select", []), path, "select"),
        ignore=_codes(table.get("ignore", []), path, "ignore"),
        zone=dict(zone),
        per_file_ignores=_code_table(table.get("per-file-ignores", {}), path,
                                     "per-file-ignores"),
        per_rule_ignores=_code_table(table.get("per-rule-ignores", {}), path,
                                     "per-rule-ignores"))


def _codes(value: Any, path: Path, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleLangError(f"{path}: {key} must be a list of codes such as [\"RL5\", \"RS501\"]")
    out = []
    for item in value:
        code = item.strip().upper()
        if code == "ALL":
            code = ""
        elif not any(c.startswith(code) for c in CODES):
            raise RuleLangError(f"{path}: {key}: unknown diagnostic code {item!r} (codes look "
                                "like RL201; prefixes such as RS5 name a family)")
        out.append(code)
    return tuple(out)


def _code_table(value: Any, path: Path, key: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        raise RuleLangError(f"{path}: [{key}] must be a table of name = [codes]")
    return {str(k): _codes(v, path, f"{key}.{k}") for k, v in value.items()}


def _lists(table: Mapping[str, Any], root: Path, path: Path) -> dict[str, list] | None:
    out: dict[str, list] = {}
    if "lists-file" in table:
        file = table["lists-file"]
        if not isinstance(file, str):
            raise RuleLangError(f"{path}: lists-file must be a path")
        try:
            data = json.loads((root / file).read_text("utf-8"))
        except OSError as exc:
            raise RuleLangError(f"{path}: lists-file {file}: {exc.strerror or exc}") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise RuleLangError(f"{path}: lists-file {file}: invalid JSON: {exc}") from None
        if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
            raise RuleLangError(f"{path}: lists-file {file} must hold a JSON object of "
                                "list name → array of items")
        out.update(data)
    lists = table.get("lists", {})
    if not isinstance(lists, dict):
        raise RuleLangError(f"{path}: lists must be a table of name = file or [items]")
    for name, value in lists.items():
        if isinstance(value, str):
            out[name] = read_list_file(root / value, f"{path}: lists.{name}")
        elif isinstance(value, list):
            out[name] = list(value)
        else:
            raise RuleLangError(f"{path}: lists.{name} must be a file name or an array")
    return out or None


def read_list_file(path: str | Path, where: str = "") -> list:
    """The items of a list file: a JSON array, or one item a line (``#`` comments and
    blank lines skipped)."""
    where = where or str(path)
    try:
        text = Path(path).read_text("utf-8")
    except OSError as exc:
        raise RuleLangError(f"{where}: cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise RuleLangError(f"{where}: {path} is not UTF-8 text") from None
    if text.lstrip().startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RuleLangError(f"{where}: {path}: invalid JSON: {exc}") from None
        if not isinstance(items, list):
            raise RuleLangError(f"{where}: {path} must hold a JSON array")
        return items
    return [line.split("#", 1)[0].strip() for line in text.splitlines()
            if line.split("#", 1)[0].strip()]


def select_codes(code: str, select: Sequence[str], ignore: Sequence[str]) -> bool:
    """Whether ``code`` passes ``select`` (all when empty) and no ``ignore`` prefix."""
    return ((not select or code.startswith(tuple(select)))
            and not (ignore and code.startswith(tuple(ignore))))
