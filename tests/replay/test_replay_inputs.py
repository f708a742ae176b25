"""Replay inputs: the Logpush field mapping, timestamps, samples and HAR, bad lines."""

from __future__ import annotations

import gzip
import json

import pytest
from support.logpush import T0, record, write_log

from rulelang.errors import RuleLangError
from rulelang.http.samples import parse_timestamp
from rulelang.replay.inputs import (
    LOGPUSH_FIELDS,
    BadLine,
    detect_kind,
    iter_whole_samples,
    parse_line,
)


@pytest.mark.parametrize(("value", "seconds"), [
    ("2026-01-01T00:00:00Z", T0), ("2026-01-01T01:00:00+01:00", T0),
    ("2026-01-01T00:00:00.250Z", T0 + 0.25), (T0, T0), (str(T0), T0),
    (T0 * 10**9, T0), (T0 * 1000 + 5, T0 + 0.005), (T0 * 10**6, T0), (1.5, 1.5),
])
def test_timestamps(value, seconds):
    assert parse_timestamp(value) == pytest.approx(seconds)


@pytest.mark.parametrize("value", [True, "yesterday", -1, float("nan"), [], "12:00"])
def test_bad_timestamps(value):
    with pytest.raises(ValueError):
        parse_timestamp(value)


def _one(tmp_path, rec, missing=None):
    path = write_log(tmp_path / "log.jsonl", [rec])
    source = detect_kind(0, str(path))
    assert source.kind == "logpush"
    return parse_line(source, 1, path.read_text().splitlines()[0],
                      missing if missing is not None else set())


def test_logpush_mapping(tmp_path):
    item = _one(tmp_path, record(
        5, "/a.png?x=1", origin=0, edge=200, size=77, observed="hit", colo="FRA",
        ClientIP="203.0.113.9", ClientCountry="de", ClientRequestUserAgent="UA/1",
        RequestHeaders={"accept-language": "de"}, Cookies={"session": "s1"},
        response_headers={"cache-control": "max-age=60", "etag": '"e"'}))
    req, resp = item.request, item.response
    assert req.url == "https://www.example.com/a.png?x=1" and req.method == "GET"
    assert req.header_values("host") == ["www.example.com"]
    assert req.header_values("user-agent") == ["UA/1"]
    assert req.header_values("cookie") == ["session=s1"]
    assert req.header_values("accept-language") == ["de"]
    assert str(req.client_ip) == "203.0.113.9" and req.fields["ip.src.country"] in ("DE", b"DE")
    # origin 0 (served from cache): the edge's status and headers stand for the response
    assert resp.status == 200 and resp.header_values("etag") == ['"e"']
    assert (item.timestamp, item.colo, item.size, item.observed) == (T0 + 5, "FRA", 77, "hit")
    assert not item.origin_unreachable


def test_origin_status_wins_over_edge_and_304_reads_as_the_edge_status(tmp_path):
    assert _one(tmp_path, record(0, origin=404, edge=200)).response.status == 404
    item = _one(tmp_path, record(0, origin=304, edge=200))
    assert item.response.status == 200 and item.origin_status == 304


def test_edge_error_without_origin_is_unreachable(tmp_path):
    assert _one(tmp_path, record(0, origin=0, edge=522)).origin_unreachable


def test_absent_fields_are_absent_and_reported(tmp_path):
    missing: set[str] = set()
    rec = {"ClientRequestHost": "www.example.com", "ClientRequestURI": "/x.css"}
    item = _one(tmp_path, rec, missing)
    assert missing == set(LOGPUSH_FIELDS) - {"ClientRequestHost", "ClientRequestURI"}
    assert item.timestamp is None and item.colo is None and item.response is None
    assert item.observed is None and item.size == 0
    assert item.request.header_values("user-agent") == []
    assert item.request.client_ip is None


@pytest.mark.parametrize(("text", "message"), [
    ("not json", "invalid JSON"),
    ("[1, 2]", "expected a JSON object"),
    (json.dumps({"ClientRequestURI": "/x"}), "no ClientRequestHost"),
    (json.dumps({"ClientRequestHost": "a.example"}), "no ClientRequestURI"),
    (json.dumps(record(0, EdgeStartTimestamp="soon")), "EdgeStartTimestamp"),
    (json.dumps(record(0, ClientRequestMethod="GE T")), "not an HTTP method"),
    (json.dumps(record(0, EdgeResponseStatus="abc", OriginResponseStatus=None)),
     "EdgeResponseStatus must be a number"),
    (json.dumps(record(0, RequestHeaders=["a"])), "RequestHeaders must be an object"),
])
def test_bad_lines_name_the_line(tmp_path, text, message):
    path = write_log(tmp_path / "log.jsonl", [record(0), text])
    source = detect_kind(0, str(path))
    with pytest.raises(BadLine) as info:
        parse_line(source, 2, path.read_text().splitlines()[1], set())
    assert info.value.line == 2 and message in str(info.value)
    assert str(info.value).startswith(f"{path}:2: ")


def test_gzip_logs_are_detected(tmp_path):
    path = tmp_path / "log.jsonl.gz"
    with gzip.open(path, "wt") as f:
        f.write(json.dumps(record(0)) + "\n")
    source = detect_kind(3, str(path))
    assert (source.kind, source.gzip, source.index) == ("logpush", True, 3)


def test_samples_jsonl_with_timestamps(tmp_path):
    path = write_log(tmp_path / "s.jsonl", [
        {"timestamp": "2026-01-01T00:00:10Z", "request": {"url": "https://a.example/x.css"},
         "response": {"status": 200}}])
    source = detect_kind(0, str(path))
    assert source.kind == "samples-jsonl"
    missing: set[str] = set()
    item = parse_line(source, 1, path.read_text(), missing)
    assert item.timestamp == T0 + 10 and missing == set()


def test_har_entries_keep_their_time(tmp_path):
    har = {"log": {"version": "1.2", "entries": [
        {"startedDateTime": "2026-01-01T00:00:03.000Z",
         "request": {"method": "GET", "url": "https://a.example/y.js", "headers": []},
         "response": {"status": 200, "headers": [{"name": "Content-Length", "value": "12"}]}},
    ]}}
    path = tmp_path / "cap.har"
    path.write_text(json.dumps(har, indent=1))
    source = detect_kind(0, str(path))
    assert source.kind == "samples"
    bad: list = []
    items = list(iter_whole_samples(source, set(), bad))
    assert [(i.timestamp, i.size) for i in items] == [(T0 + 3, 12)] and bad == []


@pytest.mark.parametrize("content", [b"", b"\n\n"])
def test_empty_files_are_errors(tmp_path, content):
    path = tmp_path / "empty.jsonl"
    path.write_bytes(content)
    with pytest.raises(RuleLangError, match="empty"):
        detect_kind(0, str(path))


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(RuleLangError, match="no such file"):
        detect_kind(0, str(tmp_path / "nope.jsonl"))
    with pytest.raises(RuleLangError, match="directory"):
        detect_kind(0, str(tmp_path))


def test_a_bad_sample_in_a_json_array_is_reported_with_its_line(tmp_path):
    path = tmp_path / "samples.json"
    path.write_text('[{"request": {"url": "https://a.example/x.css"}, "timestamp": 5},\n'
                    ' {"request": {"url": "nope"}},\n'
                    ' {"request": {"url": "https://a.example/y.css"}, "timestamp": "soon"},\n'
                    ' {"request": {"url": "https://a.example/z.css"}}]\n')
    source = detect_kind(0, str(path))
    bad: list = []
    missing: set[str] = set()
    items = list(iter_whole_samples(source, missing, bad))
    assert [(i.line, i.timestamp) for i in items] == [(1, 5.0), (4, None)]
    assert [(b.line, "url" in b.reason or "timestamp" in b.reason) for b in bad] == [
        (2, True), (3, True)]
    assert missing == {"timestamp", "response"}


def test_blank_lines_before_the_first_record(tmp_path):
    path = tmp_path / "log.jsonl"
    path.write_text("\n\n  \n" + json.dumps(record(0)) + "\n")
    assert detect_kind(0, str(path)).kind == "logpush"
