"""Cost of building a Request and of extracting its fields, against hand-written stdlib code.

Run:  python benchmarks/bench_fields.py [--number N]

Prints, in one run:

1. building a ``Request`` from a sample dict (no field read) vs. a hand-written
   stdlib equivalent (``urlsplit`` + header list + ``ipaddress``);
2. extracting every request field of a typical request (``extract_all``) vs. the
   same values computed by straight-line code with ``urllib.parse`` and friends
   (the "floor": no laziness, no overrides, no caching), checked to be equal;
3. building a request and reading one field (the common case of a rule that reads
   one or two fields) vs. the hand-written code for that one field.
"""

from __future__ import annotations

import argparse
import ipaddress
import re
import timeit
from urllib.parse import unquote_to_bytes, urlsplit

from rulelang.http.field_values import default_value
from rulelang.http.fields import extract_all, field_reader
from rulelang.http.messages import Request
from rulelang.schema import catalogue as schema

SAMPLE = {
    "method": "GET",
    "url": "https://www.example.com/img/./icons/../logo.PNG?v=3&size=large&v=4",
    "headers": {
        "Host": "www.example.com",
        "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
        "Accept": "image/avif,image/webp,*/*",
        "Accept-Language": "en-US,en;q=0.9,fr;q=0.5",
        "Accept-Encoding": "gzip, deflate, br",
        "Cookie": "session=abc123; theme=dark; _ga=GA1.2.3",
        "Referer": "https://www.example.com/index.html",
        "X-Forwarded-For": "198.51.100.7",
    },
    "client_ip": "203.0.113.7",
}

# ----------------------------------------------------------------------------- hand-written floor

_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_WORK = re.compile(rb"%([0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]")


def _fix(m):
    h = m.group(1)
    if h is None:
        return b"%%%02X" % m.group(0)[0]
    b = int(h, 16)
    return bytes((b,)) if b in _UNRESERVED else b"%" + h.upper()


def _dots(path):
    segs = path.split(b"/")
    out = []
    for s in segs[1:]:
        if s == b"..":
            if out:
                out.pop()
        elif s != b".":
            out.append(s)
    if segs[-1] in (b".", b".."):
        out.append(b"")
    return b"/" + b"/".join(out)


def _ext(path):
    seg = path.rpartition(b"/")[2]
    i = seg.rfind(b".")
    return seg[i + 1:] if i > 0 else b""


def _args(query):
    pairs = [p.partition(b"=")[::2] for p in query.split(b"&") if p]
    grouped = {}
    for n, v in pairs:
        grouped.setdefault(n, []).append(v)
    return ({k: tuple(grouped[k]) for k in sorted(grouped)}, tuple(n for n, _ in pairs),
            tuple(v for _, v in pairs))


def _languages(values):
    out = []
    for h in values:
        for item in h.split(b","):
            tag, *params = item.split(b";")
            tag = tag.strip(b" \t")
            if not tag or tag == b"*":
                continue
            w = 1000
            for p in params:
                n, _, q = p.partition(b"=")
                if n.strip(b" \t").lower() == b"q":
                    q = q.strip(b" \t")
                    w = int(float(q) * 1000) if re.fullmatch(
                        rb"0(\.\d{0,3})?|1(\.0{0,3})?", q) else 0
                    break
            if w:
                out.append((-w, len(out), tag))
    return tuple(t for _, _, t in sorted(out))


def _cookies(values):
    grouped = {}
    for h in values:
        for piece in h.split(b";"):
            piece = piece.strip(b" \t")
            if piece:
                n, eq, v = piece.partition(b"=")
                if eq:
                    n, v = n.rstrip(b" \t"), v.lstrip(b" \t")
                n = unquote_to_bytes(n)
                if n:
                    grouped.setdefault(n, []).append(v)
    return {k: tuple(grouped[k]) for k in sorted(grouped)}


def handwritten_request(d):
    """What a user would write with the stdlib to hold a sample request."""
    u = urlsplit(d["url"])
    headers = []
    for k, v in d.get("headers", {}).items():
        headers.extend((k, x) for x in v) if isinstance(v, list) else headers.append((k, v))
    ip = ipaddress.ip_address(d["client_ip"]) if d.get("client_ip") else None
    return d.get("method", "GET").upper(), u, headers, ip


def handwritten_fields(d, supplied_defaults):
    """Every request field of a sample, computed directly (same values as rulelang's)."""
    method, u, headers, ip = handwritten_request(d)
    index = {}
    for n, v in headers:
        index.setdefault(n.lower(), []).append(v.encode())
    raw_path = u.path.encode() or b"/"
    path = _dots(_WORK.sub(_fix, raw_path))
    query = u.query.encode()
    has_q = "?" in d["url"]
    uri = path + b"?" + query if has_q else path
    raw_uri = raw_path + b"?" + query if has_q else raw_path
    host = index["host"][0] if "host" in index else u.netloc.encode()
    scheme = u.scheme.encode()
    args, names, values = _args(query)
    out = dict(supplied_defaults)
    out.update({
        "http.request.full_uri": scheme + b"://" + host + uri,
        "http.request.uri": uri, "http.request.uri.path": path,
        "http.request.uri.path.extension": _ext(path).lower(),
        "http.request.uri.path.basename": path.rpartition(b"/")[2],
        "http.request.uri.query": query, "http.request.uri.args": args,
        "http.request.uri.args.names": names, "http.request.uri.args.values": values,
        "raw.http.request.full_uri": scheme + b"://" + host + raw_uri,
        "raw.http.request.uri": raw_uri, "raw.http.request.uri.path": raw_path,
        "raw.http.request.uri.path.extension": _ext(raw_path),
        "raw.http.request.uri.query": query, "raw.http.request.uri.args": args,
        "raw.http.request.uri.args.names": names, "raw.http.request.uri.args.values": values,
        "http.host": host,
        "http.cookie": b"; ".join(index.get("cookie", [])),
        "http.referer": index.get("referer", [b""])[0],
        "http.user_agent": index.get("user-agent", [b""])[0],
        "http.x_forwarded_for": b", ".join(index.get("x-forwarded-for", [])),
        "http.request.method": method.encode(),
        "http.request.headers": {k.encode(): tuple(index[k]) for k in sorted(index)},
        "http.request.headers.names": tuple(n.encode() for n, _ in headers),
        "http.request.headers.values": tuple(v.encode() for _, v in headers),
        "http.request.cookies": _cookies(index.get("cookie", [])),
        "http.request.accepted_languages": _languages(index.get("accept-language", [])),
        "ssl": u.scheme == "https",
        "ip.src": ip,
        "cf.edge.server_port": u.port or (443 if u.scheme == "https" else 80),
    })
    return out


# ----------------------------------------------------------------------------- measuring

def per_call(fn, number):
    best = min(timeit.repeat(fn, number=number, repeat=5))
    return best / number * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=20000)
    n = parser.parse_args().number

    request_fields = [name for name, info in schema.fields().items() if info.group == "request"]
    derived = {"http.request.timestamp.sec", "http.request.timestamp.msec"}
    supplied_defaults = {name: default_value(schema.fields()[name]) for name in request_fields}

    # The two must agree before their speed is compared.
    req = Request.from_dict(SAMPLE, timestamp=0)
    ours = {k: v for k, v in extract_all(req).items() if k in supplied_defaults}
    floor = handwritten_fields(SAMPLE, supplied_defaults)
    for name in derived:
        floor[name] = ours[name]
    assert ours == floor, {k: (ours[k], floor[k]) for k in ours if ours[k] != floor[k]}

    build = per_call(lambda: Request.from_dict(SAMPLE), n)
    build_floor = per_call(lambda: handwritten_request(SAMPLE), n)
    readers = [field_reader(name) for name in request_fields]

    def extract_ours():
        r = Request.from_dict(SAMPLE)
        return [read(r, None) for read in readers]

    extract = per_call(extract_ours, n // 4) - build
    extract_floor = per_call(lambda: handwritten_fields(SAMPLE, supplied_defaults), n // 4) \
        - build_floor
    read_path = field_reader("http.request.uri.path.extension")
    one = per_call(lambda: read_path(Request.from_dict(SAMPLE), None), n)
    one_floor = per_call(lambda: _ext(_dots(_WORK.sub(_fix, handwritten_request(SAMPLE)[
        1].path.encode()))).lower(), n)
    cached = per_call(lambda: read_path(req, None), n * 5)

    n_derived = sum(1 for name in request_fields
                    if schema.fields()[name].origin == "derived"
                    or schema.fields()[name].deprecated_alias_of)
    print(f"typical request: {len(SAMPLE['headers'])} headers; {len(request_fields)} request "
          f"fields, {n_derived} of them derived or aliases; best of 5 runs")
    rows = [
        ("build Request from a sample dict", build, build_floor),
        ("extract all request fields (after building)", extract, extract_floor),
        ("build + read one field (path.extension)", one, one_floor),
    ]
    print(f"{'operation':46} {'rulelang':>10} {'stdlib':>10} {'ratio':>7}")
    for label, ours_us, floor_us in rows:
        print(f"{label:46} {ours_us:8.2f}µs {floor_us:8.2f}µs {ours_us / floor_us:6.2f}×")
    print(f"{'read a cached field again':46} {cached:8.3f}µs")


if __name__ == "__main__":
    main()
