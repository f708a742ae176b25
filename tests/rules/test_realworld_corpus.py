"""The real-world corpus: every file gets the verdict Cloudflare gives it.

corpus/realworld/expected.json names, for each file, its source and whether
Cloudflare accepts it (lint reports no error) or rejects it (lint reports exactly
these error codes), and the warnings lint should give (none unless listed).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.verdicts import check_table, check_verdict, load_expected

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "realworld"
EXPECTED = load_expected(CORPUS)


def test_every_file_has_a_verdict_and_a_source():
    check_table(CORPUS, EXPECTED, at_least=30)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_verdict_as_cloudflare_gives_it(name):
    check_verdict(CORPUS, name, EXPECTED[name])


def test_the_corpus_covers_every_source_kind():
    prefixes = {name.split("-")[0] for name in EXPECTED}
    assert {"tf", "cf", "docs", "octorules", "user", "terraform", "reject"} <= prefixes
