"""Package data: where the package finds the example shipped inside it."""

from __future__ import annotations

from pathlib import Path


def test_the_example_corpus_is_where_the_package_finds_it():
    from rulelang.resources import example_dir

    names = sorted(p.name for p in Path(example_dir()).iterdir())
    assert names == ["cache-response-rules.json", "cache-rules.json", "logpush.jsonl.gz",
                     "samples.jsonl"]
