"""Samples from standard input, pipes and FIFOs (read once, never seeked), and HAR
captures as browsers save them."""

from __future__ import annotations

import json
import os
import sys
import threading

import pytest

from rulelang.errors import RuleLangError
from rulelang.http.samples import iter_samples

SAMPLES = [{"name": f"s{i}", "request": {"url": f"https://a.example/{i}"}} for i in range(5)]
JSONL = "".join(json.dumps(s) + "\n" for s in SAMPLES)
ARRAY = json.dumps(SAMPLES, indent=2)
HAR = json.dumps({"log": {"version": "1.2", "entries": [
    {"request": {"method": "GET", "url": s["request"]["url"], "headers": []},
     "response": {"status": 200, "headers": []}} for s in SAMPLES]}})


@pytest.mark.parametrize("text", [JSONL, ARRAY, HAR, "\n\n" + JSONL, "  " + ARRAY])
def test_every_format_reads_from_a_fifo(tmp_path, text):
    fifo = tmp_path / "samples"
    os.mkfifo(fifo)

    def feed():
        with open(fifo, "w") as f:
            f.write(text)

    writer = threading.Thread(target=feed)
    writer.start()
    try:
        urls = [s.request.url for s in iter_samples(fifo)]
    finally:
        writer.join(timeout=30)
    assert urls == [s["request"]["url"] for s in SAMPLES]


@pytest.mark.parametrize("text", [JSONL, ARRAY, HAR])
def test_dash_reads_standard_input(monkeypatch, text):
    read, write = os.pipe()
    os.write(write, text.encode())
    os.close(write)
    monkeypatch.setattr(sys, "stdin", os.fdopen(read, "r"))
    try:
        samples = list(iter_samples("-"))
    finally:
        sys.stdin.close()
    assert [s.request.url for s in samples] == [s["request"]["url"] for s in SAMPLES]


def test_errors_on_stdin_name_it(monkeypatch):
    read, write = os.pipe()
    os.write(write, b'{"request": {"url": "https://a.example/"}}\n{"request": 1}\n')
    os.close(write)
    monkeypatch.setattr(sys, "stdin", os.fdopen(read, "r"))
    try:
        with pytest.raises(RuleLangError, match=r"^<stdin>:2: sample 1"):
            list(iter_samples("-"))
    finally:
        sys.stdin.close()


def test_a_first_line_longer_than_a_read_chunk(tmp_path):
    # a minified HAR capture: one line of several read chunks
    entries = [{"request": {"url": f"https://a.example/{'x' * 5000}{i}", "headers": []}}
               for i in range(100)]
    path = tmp_path / "capture"
    path.write_text(json.dumps({"log": {"entries": entries}}))
    assert len(list(iter_samples(path))) == 100


def _entry(url: str, **extra) -> dict:
    entry = {"request": {"method": "GET", "url": url, "headers": [], "httpVersion": "h2"},
             "response": {"status": 200, "headers": []}}
    entry.update(extra)
    return entry


def test_browser_har_skips_non_http_entries_and_counts_them(tmp_path):
    entries = [_entry("https://a.example/"), _entry("data:image/png;base64,iVBORw0KGgo="),
               _entry("blob:https://a.example/1234"), _entry("wss://a.example/socket"),
               _entry("ws://a.example/socket"), _entry("chrome-extension://abc/x.js"),
               _entry("https://a.example/app.js")]
    path = tmp_path / "capture.har"
    path.write_text(json.dumps({"log": {"version": "1.2", "entries": entries}}))
    skipped: list = []
    samples = list(iter_samples(path, skipped=skipped))
    assert [s.request.url for s in samples] == ["https://a.example/",
                                                "https://a.example/app.js"]
    assert [s.index for s in samples] == [0, 6]
    assert [scheme for _, scheme in skipped] == ["data:", "blob:", "wss:", "ws:",
                                                 "chrome-extension:"]


def test_firefox_multi_line_set_cookie_is_split(tmp_path):
    entry = _entry("https://a.example/")
    entry["response"]["headers"] = [{"name": "Set-Cookie", "value": "a=1; Path=/\nb=2\n"},
                                    {"name": "Cache-Control", "value": "max-age=60"}]
    path = tmp_path / "firefox.har"
    path.write_text(json.dumps({"log": {"entries": [entry]}}))
    (sample,) = iter_samples(path)
    assert sample.response.header_values("set-cookie") == ["a=1; Path=/", "b=2"]


def test_har_optional_fields_may_be_missing_or_extra(tmp_path):
    entries = [
        {"request": {"url": "https://a.example/1"}},  # no method, headers, cookies …
        {"request": {"url": "https://a.example/2", "headers": [], "cookies": None,
                     "queryString": None, "headersSize": -1, "bodySize": 0,
                     "_initiator": {"type": "script"}, "comment": ""},
         "response": {"status": 200, "content": {"size": 0}, "_transferSize": 0},
         "cache": {}, "timings": {"send": 0, "wait": 1, "receive": 0}, "pageref": "p1",
         "serverIPAddress": "[::1]", "_priority": "High"},
        {"request": {"url": "https://a.example/3", "headers": []},
         "response": {"status": 0, "headers": []}},  # no response received
    ]
    path = tmp_path / "capture.har"
    path.write_text(json.dumps({"log": {"version": "1.2", "creator": {"name": "x"},
                                        "pages": [], "entries": entries}}))
    samples = list(iter_samples(path))
    assert [s.request.url for s in samples] == [f"https://a.example/{i}" for i in (1, 2, 3)]
    assert samples[0].request.method == "GET"
    assert samples[1].response.status == 200 and samples[2].response is None
