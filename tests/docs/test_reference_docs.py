"""Keep docs/language.md and docs/diagnostics.md true to the code.

- diagnostics.md has one ``## CODE — title`` section per code of ``rulelang.codes.CODES``,
  with the catalogue's title and severity; its ``expression`` example produces the code
  (as an error, or among the warnings/infos), and the ``Message:`` line and the caret
  rendering shown are the real ones.  Ruleset examples (``json``/``yaml``/``hcl``
  blocks) are written to a file and linted.
- language.md: every ``signature`` line is ``schema.FUNCTIONS[name].signature()`` and
  every cache-phase function has one; every ``expression`` block compiles (or fails
  with the code named by ``error=``); every ``evaluate`` line gives the value shown for
  the example request of §10.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from support.paths import DOCS

from rulelang import ExpressionError, Request, Response, compile_expression, lint
from rulelang.codes import CODES
from rulelang.schema.catalogue import CACHE_PHASE_FUNCTIONS, FUNCTIONS

_FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
_HEADING = re.compile(r"^## (\S+) — (.+)$", re.MULTILINE)
_META = re.compile(r"^(phase|expect|plan|strict|lists): (.+)$")
_FILE_EXT = {"json": ".json", "yaml": ".yaml", "hcl": ".tf"}


def _blocks(text: str) -> list[tuple[str, str]]:
    """``(info string, body)`` of every fenced block, in order."""
    return [(m.group(1).strip(), m.group(2)) for m in _FENCE.finditer(text)]


# --------------------------------------------------------------------------- diagnostics.md


@dataclass
class Section:
    code: str
    title: str
    body: str
    meta: dict[str, str] = field(default_factory=dict)

    def blocks(self, tag: str) -> list[str]:
        return [body for info, body in _blocks(self.body) if info == tag]

    def line(self, prefix: str) -> str | None:
        for line in self.body.splitlines():
            if line.startswith(prefix):
                return line[len(prefix):].strip()
        return None


def _sections() -> dict[str, Section]:
    text = (DOCS / "diagnostics.md").read_text("utf-8")
    heads = list(_HEADING.finditer(text))
    out: dict[str, Section] = {}
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        body = text[m.end():end]
        meta = {}
        for line in body.lstrip("\n").splitlines():
            found = _META.match(line)
            if not found:
                break
            meta[found.group(1)] = found.group(2).strip()
        assert m.group(1) not in out, f"two sections for {m.group(1)}"
        out[m.group(1)] = Section(m.group(1), m.group(2).strip(), body, meta)
    return out


SECTIONS = _sections()


def test_every_code_has_one_section_with_its_title_and_severity():
    assert set(SECTIONS) == set(CODES)
    for code, section in SECTIONS.items():
        assert section.title == CODES[code].title, code
        assert section.line("Severity:") == CODES[code].severity, code


def _expression_source(section: Section) -> str:
    plain = section.blocks("expression")
    built = section.blocks("python expression")
    assert len(plain) + len(built) == 1, f"{section.code}: one expression example expected"
    if plain:
        return plain[0].removesuffix("\n")
    # an example too long to print: a Python expression building the text
    return eval(built[0], {"__builtins__": {}})


def _diagnostics_of(source: str, meta: dict[str, str]):
    try:
        compiled = compile_expression(source, phase=meta.get("phase", "response"),
                                      expect=meta.get("expect", "bool"),
                                      strict=meta.get("strict") == "true",
                                      lists_unknown=meta.get("lists") == "unknown")
    except ExpressionError as exc:
        return exc.diagnostics
    return compiled.diagnostics


def _code_span(text: str | None) -> str | None:
    """The text of an inline ``` `` … `` ``` code span."""
    if text is None:
        return None
    assert text.startswith("`` ") and text.endswith(" ``"), text
    return text[3:-3]


def _check_shown(section: Section, found) -> None:
    """The section's ``Message:`` line and caret block are those of the diagnostic."""
    mine = [d for d in found if d.code == section.code]
    assert mine, f"{section.code} not produced; got {[d.code for d in found]}"
    d = mine[0]
    assert _code_span(section.line("Message:")) == d.message, section.code
    assert _code_span(section.line("Hint:")) == (d.hint or None), section.code
    place = section.line("Place:")
    if place is not None:
        assert _code_span(place) == d.location.path, section.code
    for shown in section.blocks("text"):
        assert shown.removesuffix("\n") == str(d), section.code


EXPRESSION_CODES = sorted(c for c in SECTIONS if c.startswith("RL"))
RULESET_CODES = sorted(c for c in SECTIONS if c.startswith("RS"))


@pytest.mark.parametrize("code", EXPRESSION_CODES)
def test_expression_example_produces_its_code(code):
    section = SECTIONS[code]
    found = _diagnostics_of(_expression_source(section), section.meta)
    _check_shown(section, found)


@pytest.mark.parametrize("code", RULESET_CODES)
def test_ruleset_example_produces_its_code(code, tmp_path):
    section = SECTIONS[code]
    files = [(tag, body) for tag, body in _blocks(section.body) if tag in _FILE_EXT]
    paths = section.blocks("path")
    assert len(files) + len(paths) == 1, f"{code}: one rules-file example expected"
    if paths:  # a file that cannot be read
        target = paths[0].strip()
    else:
        tag, body = files[0]
        target = str(tmp_path / ("rules" + _FILE_EXT[tag]))
        Path(target).write_text(body, "utf-8")
    found = lint(target, section.meta.get("phase"), plan=section.meta.get("plan"))
    _check_shown(section, found)


# --------------------------------------------------------------------------- language.md

LANGUAGE = (DOCS / "language.md").read_text("utf-8")
LANGUAGE_BLOCKS = _blocks(LANGUAGE)
SIGNATURES = [line for info, body in LANGUAGE_BLOCKS if info == "signature"
              for line in body.splitlines() if line.strip()]
EXPRESSIONS = [(info, body.removesuffix("\n")) for info, body in LANGUAGE_BLOCKS
               if info.split(" ")[0] == "expression"]
EVALUATIONS = [line for info, body in LANGUAGE_BLOCKS if info == "evaluate"
               for line in body.splitlines() if line.strip()]


def test_language_doc_has_examples_of_every_kind():
    assert len(SIGNATURES) == len(FUNCTIONS)
    assert len(EXPRESSIONS) >= 8 and len(EVALUATIONS) >= 60


@pytest.mark.parametrize("line", SIGNATURES)
def test_signature_line_is_the_schemas(line):
    name = line.split("(", 1)[0]
    assert name in FUNCTIONS, name
    assert line == FUNCTIONS[name].signature()


def test_every_function_is_documented_once():
    names = [line.split("(", 1)[0] for line in SIGNATURES]
    assert sorted(names) == sorted(FUNCTIONS)
    # the cache-phase functions each have their own heading
    headings = set(re.findall(r"^#### (.+)$", LANGUAGE, re.MULTILINE))
    documented = {n.strip("` ") for h in headings for n in h.split(",")}
    assert CACHE_PHASE_FUNCTIONS <= documented


@pytest.mark.parametrize("info, source", EXPRESSIONS, ids=[s[:60] for _, s in EXPRESSIONS])
def test_language_expression_block(info, source):
    wanted = re.search(r"error=(RL\d+)", info)
    if wanted is None:
        assert not [d for d in compile_expression(source, phase="response").diagnostics
                    if d.is_error]
        return
    with pytest.raises(ExpressionError) as err:
        compile_expression(source, phase="response")
    assert wanted.group(1) in [d.code for d in err.value.diagnostics]


def _example():
    bodies = [body for info, body in LANGUAGE_BLOCKS if info == "json sample"]
    assert len(bodies) == 1
    sample = json.loads(bodies[0])
    return (Request.from_dict(sample["request"], timestamp=1_700_000_000),
            Response.from_dict(sample["response"]), sample["lists"])


REQUEST, RESPONSE, LISTS = _example()


@pytest.mark.parametrize("line", EVALUATIONS)
def test_evaluate_line(line):
    source, _, shown = line.partition(" ⇒ ")
    assert shown, f"no ⇒ in {line!r}"
    compiled = compile_expression(source, phase="response", expect="any", lists=LISTS)
    assert compiled.evaluate(REQUEST, RESPONSE) == json.loads(shown)


@pytest.mark.parametrize("name", ["language.md", "diagnostics.md", "decisions.md"])
def test_relative_links_point_to_existing_docs(name):
    text = (DOCS / name).read_text("utf-8")
    for target in re.findall(r"\]\(([A-Za-z0-9_.-]+\.md)(?:#[^)]*)?\)", text):
        assert (DOCS / target).is_file(), f"{name} links to missing {target}"
