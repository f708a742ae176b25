"""The holdout corpus: real cache rule files collected after issue 10 was built.

corpus/holdout/expected.json gives, for each file, its source and Cloudflare's
verdict (accept: lint reports no error; reject: exactly these error codes) and the
warnings lint should give (none unless listed).  Unlike corpus/realworld, these files
were not used while building the loaders, so this test measures fidelity on cases
the implementation did not see.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.verdicts import check_table, check_verdict, load_expected

ROOT = Path(__file__).resolve().parents[2] / "corpus"
HOLDOUT = ROOT / "holdout"
EXPECTED = load_expected(HOLDOUT)


def test_every_holdout_file_has_a_verdict_and_a_source():
    check_table(HOLDOUT, EXPECTED, at_least=25)


def test_the_holdout_is_not_the_realworld_corpus():
    seen = {p.read_bytes() for p in (ROOT / "realworld").iterdir()}
    assert not [p.name for p in HOLDOUT.iterdir() if p.read_bytes() in seen]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_holdout_verdict_as_cloudflare_gives_it(name):
    check_verdict(HOLDOUT, name, EXPECTED[name])
