"""The ``--report`` file: one self-contained HTML page (inline CSS and SVG, no script, no
network) with the summary of each rule set, the per-rule counts, and a chart of the hit
ratio over time for every rule set, drawn with matplotlib (the ``replay`` extra)."""

from __future__ import annotations

import html
import io
import math
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from rulelang.cache.lifetime import CACHE_STATUSES
from rulelang.errors import RuleLangError

__all__ = ["chart_svg", "check_available", "render_html", "write_report"]

#: Points on the time axis at most (the per-minute counts are summed into wider buckets).
MAX_POINTS = 240
_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")


def check_available() -> None:
    """Raise :class:`RuleLangError` when matplotlib is not installed."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise RuleLangError("--report needs matplotlib: pip install 'rulelang[replay]'"
                            ) from None


def _buckets(series: Sequence[tuple[int, int, int]], width: int
             ) -> list[tuple[int, int, int]]:
    out: dict[int, list[int]] = {}
    for start, n, h in series:
        slot = out.setdefault(start - start % width, [0, 0])
        slot[0] += n
        slot[1] += h
    return [(s, n, h) for s, (n, h) in sorted(out.items())]


def _width(all_series: Sequence[Sequence[tuple[int, int, int]]]) -> int:
    starts = [s for series in all_series for s, _, _ in series]
    if not starts:
        return 60
    span = max(starts) - min(starts) + 60
    minutes = max(1, math.ceil(span / 60 / MAX_POINTS))
    return 60 * minutes


def chart_svg(all_series: Sequence[Sequence[tuple[int, int, int]]], titles: Sequence[str]
              ) -> str:
    """An SVG line chart of hit ratio over time, one line a rule set, with the request
    volume shaded behind."""
    import matplotlib
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
    from matplotlib.figure import Figure

    matplotlib.rcParams["svg.hashsalt"] = "rulelang-replay"  # stable element ids
    width = _width(all_series)
    fig = Figure(figsize=(9, 3.6), dpi=100)
    ax = fig.add_subplot()
    volume = ax.twinx()
    for i, (series, title) in enumerate(zip(all_series, titles, strict=True)):
        points = _buckets(series, width)
        if not points:
            continue
        xs = date2num([datetime.fromtimestamp(s, UTC) for s, _, _ in points])
        ratios = [100 * h / n if n else 0 for _, n, h in points]
        ax.plot(xs, ratios, color=_COLOURS[i % len(_COLOURS)], linewidth=1.6, label=title,
                zorder=3)
        if i == 0:
            volume.fill_between(xs, [n for _, n, _ in points], step="mid", color="#cccccc",
                                alpha=0.5, linewidth=0, zorder=1)
    ax.set_ylim(0, 100)
    ax.set_ylabel("hit ratio (%)")
    volume.set_ylabel(f"requests per {width // 60} min", color="#888888")
    volume.tick_params(axis="y", colors="#888888")
    ax.set_zorder(volume.get_zorder() + 1)
    ax.patch.set_visible(False)
    ax.grid(True, alpha=0.3)
    ax.set_xlabel("time (UTC)")
    locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.legend(loc="lower right")
    fig.autofmt_xdate()
    fig.tight_layout()
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    return text[text.index("<svg"):]


_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;
max-width:1000px;color:#222;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em}
table{border-collapse:collapse;margin:.5em 0}
th,td{padding:.25em .8em;border-bottom:1px solid #ddd;text-align:right}
th:first-child,td:first-child{text-align:left}
tr.key td{font-weight:bold}
.note{color:#666}.warn{color:#a60}
svg{max-width:100%;height:auto}
"""


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def render_html(results: Sequence[dict], series: Sequence[Sequence[tuple[int, int, int]]],
                titles: Sequence[str], bad_lines: int, logs: Sequence[str]) -> str:
    """The report page."""
    e = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             "<title>rulelang replay</title>", f"<style>{_CSS}</style></head><body>",
             "<h1>rulelang replay</h1>",
             f'<p class="note">Logs: {e(", ".join(logs))}</p>']
    for title, result in zip(titles, results, strict=True):
        parts.append(f'<p class="note">{e(title)}: {e(", ".join(result["rules"]))}</p>')
    parts.append("<h2>Hit ratio over time</h2>")
    parts.append(chart_svg(series, titles))
    parts.append("<h2>Summary</h2><table><tr><th></th>"
                 + "".join(f"<th>{e(t)}</th>" for t in titles) + "</tr>")
    rows: list[tuple[str, list[str], bool]] = [
        ("requests", [f"{r['requests']:,}" for r in results], False)]
    rows += [(s, [f"{r['statuses'].get(s, 0):,}" for r in results], False)
             for s in CACHE_STATUSES]
    rows += [("hit ratio", [_pct(r["hit_ratio"]) for r in results], True),
             ("byte hit ratio", [_pct(r["byte_hit_ratio"]) for r in results], True),
             ("origin requests", [f"{r['origin_requests']:,}" for r in results], False),
             ("origin bytes", [f"{r['origin_bytes']:,}" for r in results], False)]
    if results and results[0]["observed_agreement"] is not None:
        rows.append(("agrees with CacheCacheStatus",
                     [_pct(r["observed_agreement"]) if i == 0 else ""
                      for i, r in enumerate(results)], False))
    for label, cells, key in rows:
        parts.append(f'<tr{" class=key" if key else ""}><td>{e(label)}</td>'
                     + "".join(f"<td>{e(c)}</td>" for c in cells) + "</tr>")
    parts.append("</table>")
    for title, result in zip(titles, results, strict=True):
        parts.append(f"<h2>Rules — {e(title)}</h2><table><tr><th>rule</th><th>matched</th>"
                     "<th>hits</th><th>hit ratio</th></tr>")
        for rule in result["per_rule"]:
            ratio = rule["hits"] / rule["matched"] if rule["matched"] else None
            parts.append(f"<tr><td>{e(str(rule['ref']))}</td><td>{rule['matched']:,}</td>"
                         f"<td>{rule['hits']:,}</td><td>{_pct(ratio)}</td></tr>")
        parts.append("</table>")
    missing = results[0]["missing_inputs"] if results else []
    if missing:
        parts.append(f'<p class="warn">Not in the logs (absent, not invented): '
                     f'{e(", ".join(missing))}</p>')
    if bad_lines:
        parts.append(f'<p class="warn">{bad_lines:,} bad lines were skipped.</p>')
    parts.append('<p class="note">Made by rulelang replay.</p></body></html>')
    return "\n".join(parts) + "\n"


def write_report(result: Any, path: str, titles: Sequence[str]) -> None:
    """Write the report of a :class:`~rulelang.replay.run.ReplayResult` to ``path``
    (atomically: a failed write leaves no half-written file)."""
    check_available()
    page = render_html(result.to_dicts(), [s.series() for s in result.summaries], titles,
                       result.bad.count, result.options.logs)
    from rulelang.replay.pipeline import atomic_writer

    f, tmp = atomic_writer(path, ".html")
    try:
        with f:
            f.write(page)
        os.replace(tmp, path)
    except OSError as e:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise RuleLangError(f"{path}: cannot write the report: {e.strerror or e}") from None
