"""Range requests through rulelang proxy over loopback: the cache asks the origin for the
whole object, stores it, and cuts the visitor's range from it (as Cloudflare serves
ranges from cache); plus the range arithmetic, table-driven."""

from __future__ import annotations

import pytest
from aiohttp import web

from rulelang.proxy.ranges import RANGE_NOT_SATISFIABLE, byte_range, ranged
from rulelang.proxy.store import DirectoryStore

BODY = bytes(range(100))


def sized(request: web.Request) -> web.Response:
    return web.Response(body=BODY, headers={"Cache-Control": "max-age=100", "ETag": '"e1"',
                                            "Last-Modified": "Thu, 01 Jan 2026 00:00:00 GMT"})


async def unsized(request: web.Request) -> web.StreamResponse:
    """A chunked answer: no Content-Length."""
    response = web.StreamResponse(headers={"Cache-Control": "max-age=100"})
    response.enable_chunked_encoding()
    await response.prepare(request)
    await response.write(BODY)
    await response.write_eof()
    return response


def echo_range(request: web.Request) -> web.Response:
    """A dynamic page that answers ranges itself."""
    return web.Response(status=206 if "Range" in request.headers else 200,
                        body=b"origin:" + request.headers.get("Range", "none").encode())


def test_a_range_miss_fills_the_whole_object_and_later_ranges_hit(run, kit, tmp_path):
    async def scenario():
        routes = {"/v.mp4": sized}
        async with kit.running(routes, store=DirectoryStore(tmp_path, 10_000_000)) as h:
            status, headers, body = await h.get("/v.mp4", headers={"Range": "bytes=10-19"})
            assert (status, headers["CF-Cache-Status"], body) == (206, "MISS", BODY[10:20])
            assert headers["Content-Range"] == "bytes 10-19/100"
            assert headers["Content-Length"] == "10"
            assert "Range" not in h.origin.seen[-1][2]  # the cache asked for the whole object
            status, headers, body = await h.get("/v.mp4", headers={"Range": "bytes=-5"})
            assert (status, headers["CF-Cache-Status"], body) == (206, "HIT", BODY[-5:])
            assert headers["Content-Range"] == "bytes 95-99/100" and headers["Age"] == "0"
            status, headers, body = await h.get("/v.mp4")
            assert (status, headers["CF-Cache-Status"], body) == (200, "HIT", BODY)
            assert "Content-Range" not in headers
            assert h.origin.count("/v.mp4") == 1
    run(scenario())


@pytest.mark.parametrize("headers,status,body,content_range", [
    ({"Range": "bytes=90-"}, 206, BODY[90:], "bytes 90-99/100"),
    ({"Range": "bytes=95-500"}, 206, BODY[95:], "bytes 95-99/100"),
    ({"Range": "bytes=-500"}, 206, BODY, "bytes 0-99/100"),
    ({"Range": "bytes=100-"}, 416, b"", "bytes */100"),
    ({"Range": "bytes=-0"}, 416, b"", "bytes */100"),
    ({"Range": "bytes=0-1,5-6"}, 200, BODY, None),  # several ranges: the whole object
    ({"Range": "bytes=5-2"}, 200, BODY, None),  # invalid: ignored
    ({"Range": "items=0-5"}, 200, BODY, None),
    ({"Range": "bytes=x-5"}, 200, BODY, None),
    ({"Range": "bytes=0-3", "If-Range": '"e1"'}, 206, BODY[:4], "bytes 0-3/100"),
    ({"Range": "bytes=0-3", "If-Range": '"old"'}, 200, BODY, None),
    ({"Range": "bytes=0-3", "If-Range": 'W/"e1"'}, 200, BODY, None),  # weak: never matches
    ({"Range": "bytes=0-3", "If-Range": "Thu, 01 Jan 2026 00:00:00 GMT"}, 206, BODY[:4],
     "bytes 0-3/100"),
    ({"Range": "bytes=0-3", "If-Range": "Fri, 02 Jan 2026 00:00:00 GMT"}, 200, BODY, None),
])
def test_ranges_served_from_the_cached_object(run, kit, headers, status, body,
                                              content_range):
    async def scenario():
        async with kit.running({"/v.mp4": sized}) as h:
            await h.get("/v.mp4")  # MISS: stored
            got_status, got_headers, got_body = await h.get("/v.mp4", headers=headers)
            assert (got_status, got_headers["CF-Cache-Status"], got_body) == (
                status, "HIT", body)
            assert got_headers.get("Content-Range") == content_range
            assert h.origin.count("/v.mp4") == 1
    run(scenario())


def test_head_with_a_range_gets_the_whole_head(run, kit):
    async def scenario():
        async with kit.running({"/v.mp4": sized}) as h:
            await h.get("/v.mp4")
            status, headers, body = await h.get("/v.mp4", "HEAD", headers={"Range": "bytes=0-3"})
            assert (status, headers["CF-Cache-Status"], body) == (200, "HIT", b"")
            assert headers["Content-Length"] == "100"
    run(scenario())


def test_without_content_length_the_whole_object_is_served(run, kit):
    async def scenario():
        async with kit.running({"/c.mp4": unsized}) as h:
            for expected in ("MISS", "HIT"):
                status, headers, body = await h.get("/c.mp4", headers={"Range": "bytes=0-3"})
                assert (status, headers["CF-Cache-Status"], body) == (200, expected, BODY)
                assert "Content-Range" not in headers
    run(scenario())


def test_an_ineligible_range_request_goes_to_the_origin_as_it_is(run, kit):
    async def scenario():
        async with kit.running({"/page": echo_range}) as h:
            status, headers, body = await h.get("/page", headers={"Range": "bytes=0-3"})
            assert (status, headers["CF-Cache-Status"], body) == (
                206, "DYNAMIC", b"origin:bytes=0-3")
    run(scenario())


def test_collapsed_range_requests_share_one_fill(run, kit):
    import asyncio

    async def scenario():
        async with kit.running({"/v.mp4": sized}) as h:
            h.origin.delay = 0.2
            spans = [(i * 10, i * 10 + 9) for i in range(5)]
            results = await asyncio.gather(*(
                h.get("/v.mp4", headers={"Range": f"bytes={a}-{b}"}) for a, b in spans))
            assert h.origin.count("/v.mp4") == 1
            for (a, b), (status, _, body) in zip(spans, results, strict=True):
                assert (status, body) == (206, BODY[a:b + 1])
    run(scenario())


@pytest.mark.parametrize("header,length,expected", [
    ("bytes=0-0", 10, (0, 0)),
    ("bytes=0-", 10, (0, 9)),
    ("bytes=9-", 10, (9, 9)),
    ("bytes=10-", 10, RANGE_NOT_SATISFIABLE),
    ("bytes=-1", 10, (9, 9)),
    ("bytes=-10", 10, (0, 9)),
    ("bytes=-11", 10, (0, 9)),
    ("bytes=-1", 0, RANGE_NOT_SATISFIABLE),
    ("bytes=0-", 0, RANGE_NOT_SATISFIABLE),
    ("BYTES = 2-3", 10, (2, 3)),
    ("bytes=3-2", 10, None),
    ("bytes=-", 10, None),
    ("bytes=", 10, None),
    ("bytes", 10, None),
    ("bytes=1-2,4-5", 10, None),
    ("bytes=+1-2", 10, None),
    ("bytes=1-2x", 10, None),
    ("bytes=١-٢", 10, None),  # non-ASCII digits are not digits here
    ("bytes=" + "9" * 30 + "-", 10, None),
])
def test_byte_range(header, length, expected):
    assert byte_range(header, length) == expected


def test_ranged_leaves_non_200_and_unsized_answers_whole():
    headers = [("A", "b")]
    for status, is_sized in ((404, True), (200, False)):
        assert ranged("GET", "bytes=0-1", None, status, headers, b"abcd", sized=is_sized,
                      etag=None, last_modified=None) == (status, headers, b"abcd")


def test_whether_the_length_was_known_survives_a_restart(run, kit, tmp_path):
    async def scenario():
        async with kit.running({"/c.mp4": unsized, "/v.mp4": sized},
                               store=DirectoryStore(tmp_path, 10_000_000)) as h:
            await h.get("/c.mp4")
            await h.get("/v.mp4")
        async with kit.running({}, store=DirectoryStore(tmp_path, 10_000_000)) as h:
            status, headers, body = await h.get("/c.mp4", headers={"Range": "bytes=0-3"})
            assert (status, headers["CF-Cache-Status"], body) == (200, "HIT", BODY)
            status, headers, body = await h.get("/v.mp4", headers={"Range": "bytes=0-3"})
            assert (status, headers["CF-Cache-Status"], body) == (206, "HIT", BODY[:4])
            assert h.origin.seen == []
    run(scenario())


def test_response_rules_see_the_origin_content_length(run, kit):
    async def scenario():
        rule = {"expression": 'http.response.headers["content-length"][0] eq "100"',
                "action": "set_cache_tags",
                "action_parameters": {"operation": "add", "values": ["hundred"]}}
        async with kit.running({"/v.mp4": sized},
                               rules=kit.rules_engine(response_rules=[rule])) as h:
            await h.get("/v.mp4")
            _, body = await h.control("POST", "purge", {"tags": ["hundred"]})
            assert body["result"] == {"purged": 1}
    run(scenario())
