"""Worst-case expressions at the length limit, and over-long input rejected with RL401:
``python benchmarks/bench_parser_limits.py``.

Prints the best of five parse times of each worst case (about 30 ms on an idle machine)
beside the parse of a typical 4,096-character expression measured in the same run, and the
time to reject a megabyte with RL401 (which never runs the grammar)."""

from __future__ import annotations

import time

from rulelang.errors import ExpressionError
from rulelang.language.parser import parse

WORST = {
    "and chain": "x" + "&&x" * 1364,
    "or/and mix": "x" + "||x&&x" * 682,
    "set of ints": "x in{" + "1 " * 2045 + "}",
    "set of strings": "x in{" + '""' * 2045 + "}",
    "set of IPs": "ip.src in{" + "1.2.3.4 " * 509 + "}",
    "call arguments": "f(" + "x," * 2045 + "x)",
    "index chain": "x" + "[0]" * 1364,
    "negations": "!" * 4090 + "ssl",
    "parentheses": "(" * 2046 + "x" + ")" * 2046,
    "escapes": 'x eq "' + "\\x41" * 1020 + '"',
    "regex classes": 'x matches "' + "[a]" * 1360 + '"',
    "dangling": "x and " * 682 + "x or",
}
TYPICAL = " or ".join(f'http.host eq "h{i}.example.com"' for i in range(140))[:4096]


def _best(text: str, rounds: int = 5) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        try:
            parse(text)
        except ExpressionError:
            pass
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parse("ssl")
    typical = _best(TYPICAL)
    print(f"{'input':<18} {'ms':>8} {'× typical':>10}")
    print(f"{'typical':<18} {typical * 1000:8.2f} {1.0:10.2f}")
    for name, text in WORST.items():
        t = _best(text)
        print(f"{name:<18} {t * 1000:8.2f} {t / typical:10.2f}")
    for label, text in (("1 MB of 'ssl and'", "ssl and " * 131072), ("1 MB of '('", "(" * 1_000_000)):
        print(f"{label:<18} {_best(text) * 1000:8.2f}  (RL401)")


if __name__ == "__main__":
    main()
