"""Sample files: JSON array, JSON Lines and HAR 1.2 — reading, round trips, bad input."""

import json

import pytest
from support.paths import SAMPLES

from rulelang.errors import RuleLangError
from rulelang.http.fields import field_reader
from rulelang.http.samples import Sample, har_entry_to_dict, iter_samples, sample_from_dict
from rulelang.schema.values import to_python

CORPUS = SAMPLES


def dicts(samples):
    return [(s.name, s.request.to_dict(), s.response and s.response.to_dict()) for s in samples]


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD = {"name": "ok", "request": {"url": "https://e.com/a"}}


# --------------------------------------------------------------------------- the corpus files

def test_json_array_file():
    samples = list(iter_samples(CORPUS / "basic.json"))
    assert [(s.index, s.line, s.name) for s in samples] == [
        (0, 2, "logo"), (1, 17, "api without response"), (2, 27, None)]
    first = samples[0]
    assert first.request.fields["ip.src.country"] == b"GB"
    assert first.response.header_values("set-cookie") == ["a=1", "b=2"]
    assert samples[1].response is None and samples[1].request.method == "POST"
    assert to_python(field_reader("http.host")(samples[1].request, None)) == \
        "API.example.com:8080"


def test_json_lines_file_equals_the_json_array_file():
    lines = list(iter_samples(CORPUS / "basic.jsonl"))
    assert [s.line for s in lines] == [1, 2, 3]
    assert dicts(lines) == dicts(iter_samples(CORPUS / "basic.json"))


def test_har_file():
    first, second = iter_samples(CORPUS / "capture.har")
    assert first.name == "entries[0] GET https://www.example.com/img/logo.png?v=3"
    assert (first.index, first.line, second.index) == (0, 7, 1)
    # pseudo-headers dropped, :authority becomes Host, the Cookie header is kept as sent
    assert first.request.headers == (
        ("Host", "www.example.com"), ("user-agent", "curl/8.5"),
        ("cookie", "session=abc; theme=dark"), ("accept-language", "en-US,en;q=0.9"))
    assert first.request.fields == {"http.request.version": b"HTTP/2"}
    assert first.request.timestamp == 1767225600.25
    assert first.response.status == 200
    assert first.response.header_values("Set-Cookie") == ["a=1", "b=2"]
    # HAR cookies become a Cookie header when there is none; queryString fills a bare URL
    assert second.request.header_values("cookie") == ["sid=x y"]
    assert second.request.url == "http://api.example.com:8080/v1/users?id=7&id=8"
    assert second.response is None  # status 0: no response was received
    assert second.request.timestamp == 1767225601.0


# --------------------------------------------------------------------------- round trips

def _samples_for_round_trip():
    return list(iter_samples(CORPUS / "basic.json"))


def _har_of(samples):
    entries = []
    for s in samples:
        r = s.request.to_dict()
        entry = {"startedDateTime": "2026-01-01T00:00:00Z",
                 "request": {"method": r["method"], "url": r["url"], "httpVersion": "HTTP/1.1",
                             "headers": [{"name": n, "value": v} for n, v in r["headers"]],
                             "cookies": [], "queryString": []},
                 "response": {"status": 0, "headers": []}}
        if s.response is not None:
            entry["response"] = {"status": s.response.status, "headers": [
                {"name": n, "value": v} for n, v in s.response.headers]}
        entries.append(entry)
    return {"log": {"version": "1.2", "creator": {"name": "t", "version": "1"},
                    "entries": entries}}


@pytest.mark.parametrize("fmt", ["array", "array-compact", "jsonl", "har", "har-compact"])
def test_round_trip(tmp_path, fmt):
    samples = _samples_for_round_trip()
    objs = [{"name": s.name, "request": s.request.to_dict(),
             **({"response": s.response.to_dict()} if s.response else {})} for s in samples]
    if fmt == "array":
        path = write(tmp_path, "s.json", json.dumps(objs, indent=2))
    elif fmt == "array-compact":
        path = write(tmp_path, "s.json", json.dumps(objs))
    elif fmt == "jsonl":
        path = write(tmp_path, "s.jsonl", "\n".join(json.dumps(o) for o in objs) + "\n\n")
    else:
        har = _har_of(samples)
        path = write(tmp_path, "s.txt", json.dumps(har, indent=1 if fmt == "har" else None))
    again = list(iter_samples(path))
    want = [(d["request"], d.get("response")) for d in objs]
    got = [(s.request.to_dict(), s.response and s.response.to_dict()) for s in again]
    if fmt.startswith("har"):
        for w in want:
            w[0].pop("client_ip", None)
            w[0].pop("fields", None)
        for g in got:
            g[0].pop("fields")  # http.request.version from httpVersion
        want = [(w[0], w[1]) for w in want]
    assert got == want
    assert [s.index for s in again] == list(range(len(objs)))


def test_array_lines_are_exact_across_chunk_boundaries(tmp_path):
    objs = [{"name": f"s{i}", "request": {"url": f"https://e.com/{i}",
                                          "headers": {"X-Pad": "p" * (i % 300)}}}
            for i in range(2500)]
    objs[2400] = {"name": "bad", "request": {"url": "ftp://e.com/"}}
    text = json.dumps(objs, indent=2)
    assert len(text) > 3 * 65536
    path = write(tmp_path, "big.json", text)
    errors = []
    samples = list(iter_samples(path, errors))
    lines = text.split("\n")
    assert len(samples) == 2499 and len(errors) == 1
    for s in samples[::97]:
        assert lines[s.line - 1].strip() == "{" and f'"s{s.index}"' in lines[s.line]
    bad_line = next(i for i, ln in enumerate(lines, 1) if '"bad"' in ln) - 1
    assert f"big.json:{bad_line}: sample 2400 ('bad'):" in str(errors[0])
    assert "scheme 'ftp'" in str(errors[0])


def test_long_values_and_numbers_split_across_chunks(tmp_path):
    long_value = "v" * 200_000
    objs = [{"request": {"url": "https://e.com/", "headers": {"X-Long": long_value}}},
            {"request": {"url": "https://e.com/", "fields": {"ip.src.asnum": 1234567890123}}}]
    path = write(tmp_path, "long.json", json.dumps(objs))
    first, second = iter_samples(path)
    assert first.request.header_values("x-long") == [long_value]
    assert second.request.fields["ip.src.asnum"] == 1234567890123


def test_reading_is_a_stream(tmp_path):
    path = write(tmp_path, "s.json", "[" + json.dumps(GOOD) + ",\n" + '{"request": ')
    it = iter_samples(path)
    assert next(it).name == "ok"
    with pytest.raises(RuleLangError, match=r"s.json:2: .*truncated"):
        next(it)


# --------------------------------------------------------------------------- bad files

@pytest.mark.parametrize("name,text,message", [
    ("e.json", "", "the file is empty"),
    ("e.json", "  \n\n", "the file is empty"),
    ("x.json", "hello", "not a samples file"),
    ("x.json", "[1, 2", r"x.json:1: sample 0: a sample must be a JSON object, got a number"),
    ("x.json", '[{"request": {"url": "http://e/"}}] x', "unexpected 'x' after the end"),
    ("x.json", '[{"request": {"url": "http://e/"}}', "truncated"),
    ("x.json", '[{"request": {"url": "http://e/"}} {"request": 1}]', "expected ',' or ']'"),
    ("x.json", '[\n{"request": {"url": tru}}]', r"x.json:2: sample 0: invalid JSON: Expecting value"),
    ("x.har", '{"log": {"version": "1.2"}}', "the HAR capture has no 'log.entries'"),
    ("x.txt", '{\n "log": {\n  "pages": []\n }\n}', "the HAR capture has no 'log.entries'"),
    ("x.har", '{"log": {"entries": {}}}', "'log.entries' must be an array"),
    ("x.json", '{\n "name": "n",\n "request": {"url": "http://e/"}\n}',
     "one JSON object without"),
    ("x.har", ('{"log": {"entries": [{"request": {"url": "http://e/"}, '
              '"response": {"status": "200"}}]}}'), "response status: expected an integer"),
    ("x.har", ('{"log": {"entries": [{"request": {"url": "http://e/", "headers": '
              '[{"name": "A"}]}}]}}'), r"request.headers\[0\]: expected an object with"),
    ("x.har", ('{"log": {"entries": [{"startedDateTime": "yesterday", "request": '
              '{"url": "http://e/"}}]}}'), "not an ISO 8601"),
    ("x.har", '{"log": {"entries": [7]}}', "a HAR entry must be an object"),
    ("x.jsonl", '{"request": {"url": "http://e/"}}\n{"request": {"url": "ht', "truncated JSON"),
    ("x.jsonl", '{"request": {"url": "http://e/"}, "expected": {}}', "unknown key 'expected'"),
    ("x.jsonl", '{"name": 3, "request": {"url": "http://e/"}}', "'name' must be a string"),
    ("x.jsonl", '{"name": "n"}', "'request' is required"),
    ("x.jsonl", '{"request": {"url": "http://e/", "client_ip": "1.2.3.400"}}',
     "not an IPv4 or IPv6"),
])
def test_bad_files_give_clear_errors(tmp_path, name, text, message):
    path = write(tmp_path, name, text)
    with pytest.raises(RuleLangError, match=message) as info:
        list(iter_samples(path))
    assert name in str(info.value)


def test_missing_and_non_utf8_files(tmp_path):
    with pytest.raises(RuleLangError, match="cannot read"):
        list(iter_samples(tmp_path / "absent.json"))
    path = tmp_path / "latin1.json"
    path.write_bytes(b'[{"request": {"url": "http://e/\xe9"}}]')
    with pytest.raises(RuleLangError, match="not UTF-8"):
        list(iter_samples(path))


def test_json_lines_with_bad_lines_go_on_and_count_them(tmp_path):
    text = "\n".join([json.dumps(GOOD), '{"request": {"url"', "", json.dumps(GOOD), "[1]",
                      json.dumps({"request": {"url": "https://e.com/", "method": 5}}),
                      json.dumps(GOOD)])
    path = write(tmp_path, "mixed.jsonl", text)
    errors = []
    samples = list(iter_samples(path, errors))
    assert [(s.index, s.line) for s in samples] == [(0, 1), (2, 4), (5, 7)]
    assert [str(e).split(": ", 2)[:2] for e in errors] == [
        [f"{path}:2", "sample 1"], [f"{path}:5", "sample 3"], [f"{path}:6", "sample 4"]]
    assert "truncated JSON" in str(errors[0])
    assert "must be a JSON object, got an array" in str(errors[1])
    assert "not an HTTP method" in str(errors[2])


def test_array_with_a_bad_sample_goes_on_when_collecting(tmp_path):
    objs = [GOOD, {"request": {"url": "https://e.com/", "bogus": 1}}, GOOD]
    path = write(tmp_path, "a.json", json.dumps(objs, indent=1))
    errors = []
    assert len(list(iter_samples(path, errors))) == 2
    assert len(errors) == 1 and "unknown key 'bogus'" in str(errors[0])
    with pytest.raises(RuleLangError, match="sample 1"):
        list(iter_samples(path))


# --------------------------------------------------------------------------- sample_from_dict

def test_sample_from_dict():
    s = sample_from_dict({"name": "n", "request": {"url": "http://e/"},
                          "response": {"status": 204}}, index=4, line=9, source="f.json")
    assert isinstance(s, Sample) and (s.name, s.index, s.line) == ("n", 4, 9)
    assert s.response.status == 204 and s.label == "n"
    assert sample_from_dict({"request": {"url": "http://e/"}, "response": None}).response is None
    assert sample_from_dict({"request": {"url": "http://e/"}}, index=3).label == "#3"


@pytest.mark.parametrize("d,message", [
    ([], "sample 0: a sample must be a JSON object, got an array"),
    ({"request": {"url": "http://e/"}, "extra": 1}, "unknown key 'extra'"),
    ({"name": "x", "request": {"url": "ftp://e/"}}, r"f.json:2: sample 0 \('x'\): request url"),
    ({"request": {"url": "http://e/"}, "response": {"status": 1000}}, "not an HTTP status"),
])
def test_sample_from_dict_errors(d, message):
    with pytest.raises(RuleLangError, match=message):
        sample_from_dict(d, line=2, source="f.json")


@pytest.mark.parametrize("version,expected", [("HTTP/1.0", "HTTP/1.0"), ("h2", "HTTP/2"),
                                              ("HTTP/2.0", "HTTP/2"), ("h3", "HTTP/3"),
                                              ("spdy/3", None)])
def test_har_http_versions(version, expected):
    d, _ = har_entry_to_dict({"request": {"url": "http://e/", "httpVersion": version}}, 0)
    assert d["request"].get("fields", {}).get("http.request.version") == expected


# --------------------------------------------------------------------------- bad samples name file, sample and line


@pytest.mark.parametrize("name,text,message", [
    ("a.json", "[\n" + json.dumps(GOOD) + ',\n{"name": "n2", "request": {"url": tru}}\n]',
     r"a.json:3: sample 1: invalid JSON"),
    ("a.json", "[\n" + json.dumps(GOOD) + ",\n", r"a.json:3: sample 1: expected a JSON value"),
    ("a.json", "[" + json.dumps(GOOD) + ", 5]",
     r"a.json:1: sample 1: a sample must be a JSON object"),
    ("a.json", "[\n" + json.dumps(GOOD) + ',\n{"name": "n2", "request": {"url": "ftp://x/"}}]',
     r"a.json:3: sample 1 \('n2'\): request url: scheme 'ftp'"),
    ("a.jsonl", json.dumps(GOOD) + '\n\n{"name": "b", "request": {"url": 5}}\n',
     r"a.jsonl:3: sample 1 \('b'\): request url: expected a string"),
    ("a.jsonl", json.dumps(GOOD) + "\nnope\n", r"a.jsonl:2: sample 1: invalid JSON"),
    ("c.har", ('{"log": {"entries": [\n{"request": {"url": "https://e.com/", "cookies": '
              '[{"name": 1, "value": {}}]}}]}}'),
     r"c.har:2: sample 0: .*cookies\[0\]: 'name' and 'value' must be strings"),
    ("c.har", ('{"log": {"entries": [\n{"request": {"url": "https://e.com/", "queryString": '
              '[{"name": "q", "value": null}]}}]}}'),
     r"c.har:2: sample 0: .*queryString\[0\]: 'name' and 'value' must be strings"),
    ("c.har", ('{"log": {"entries": [{"request": {"url": "https://e.com/"}},\n{"request": '
              '{"url": "https://e.com/", "method": "G T"}}]}}'),
     r"c.har:2: sample 1 \('entries\[1\] G T https://e.com/'\): request method"),
    ("c.har", '{"log": {"entries": [{"request": {"url": "https://e.com/"}},\n{"request": ',
     r"c.har:2: sample 1: .*truncated"),
])
def test_every_bad_sample_names_file_sample_and_line(tmp_path, name, text, message):
    path = write(tmp_path, name, text)
    with pytest.raises(RuleLangError, match=message):
        list(iter_samples(path))


def test_json_lines_go_on_past_bad_lines_and_collect_each(tmp_path):
    lines = [json.dumps(GOOD), "{", json.dumps({"request": {"url": "x"}}), "",
             json.dumps({"name": "h", "request": {"url": "https://e.com/",
                                                  "headers": {"a\nb": "1"}}}),
             json.dumps(GOOD)]
    path = write(tmp_path, "m.jsonl", "\n".join(lines) + "\n")
    errors = []
    samples = list(iter_samples(path, errors))
    assert [(s.index, s.line) for s in samples] == [(0, 1), (4, 6)]
    assert len(errors) == 3
    assert [str(e).removeprefix(f"{path}:").split(": ")[:2] for e in errors] == [
        ["2", "sample 1"], ["3", "sample 2"], ["5", "sample 3 ('h')"]]


def test_json_lines_with_a_first_line_longer_than_the_read_chunk(tmp_path):
    """A .json file of JSON Lines whose first sample is bigger than one read chunk is
    still JSON Lines (it used to be taken for a HAR capture)."""
    big = {"name": "big", "request": {"url": "https://e.com/", "headers": {"X": "a" * 70000}}}
    path = write(tmp_path, "big.json", json.dumps(big) + "\n" + json.dumps(GOOD) + "\n")
    assert [(s.name, s.line) for s in iter_samples(path)] == [("big", 1), ("ok", 2)]


def test_a_broken_first_line_of_json_lines_is_one_bad_sample(tmp_path):
    path = write(tmp_path, "b.json", '\n{"name": "x", "request": \n' + json.dumps(GOOD) + "\n")
    errors = []
    assert [(s.index, s.line) for s in iter_samples(path, errors)] == [(1, 3)]
    assert len(errors) == 1 and f"{path}:2: sample 0: truncated JSON" in str(errors[0])


@pytest.mark.parametrize("text", [
    '{\n  "log": {\n    "entries": [{"request": {"url": "https://e.com/"}}]\n  }\n}',
    '{"log": {"entries": [\n{"request": {"url": "https://e.com/"}}]}}',
    json.dumps({"log": {"entries": [{"request": {"url": "https://e.com/",
                                                 "headers": [{"name": "X",
                                                              "value": "a" * 70000}]}}]}}),
])
def test_har_captures_are_recognised_without_the_har_suffix(tmp_path, text):
    (sample,) = iter_samples(write(tmp_path, "capture.json", text))
    assert sample.name == "entries[0] GET https://e.com/"
