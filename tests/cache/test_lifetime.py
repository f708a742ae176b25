"""The cache over time (cache-phases.md §4.20): rulelang.cache.lifetime."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rulelang.cache.lifetime import (
    EXPIRED,
    HIT,
    MISS,
    REVALIDATED,
    SERVED_FROM_CACHE,
    STALE,
    UPDATING,
    Cache,
    CachedObject,
    OriginAnswer,
    PurgeError,
)
from rulelang.errors import RuleLangError


def obj(key="k", t=0.0, ttl=100, **kw):
    kw.setdefault("url", f"https://www.example.com/{key}")
    kw.setdefault("host", "www.example.com")
    return CachedObject(key, t, ttl, **kw)


def request(cache, key, t, answer):
    """One request as the replay makes it: lookup, then the origin's answer at once."""
    found = cache.lookup(key, t)
    if found.status == HIT:
        return cache.complete(found, t, None)
    return cache.complete(found, t, answer)


def full(key="k", t=0.0, ttl=100, **kw):
    return OriginAnswer(obj=obj(key, t, ttl, **kw))


NOT_MODIFIED = OriginAnswer(not_modified=True)


# (time, answer factory, expected status, expected age); one key, stored at t=0 with ttl 100.
TIMELINES = {
    "miss-then-hit-with-age": (
        {}, [(0, full(), MISS, None), (10.9, None, HIT, 10), (99.99, None, HIT, 99)]),
    "expired-without-validators": (
        {}, [(0, full(), MISS, None), (100, full(t=100), EXPIRED, None),
             (150, None, HIT, 50)]),
    "expired-with-etag-304-revalidated-resets-age": (
        {"etag": '"v1"'},
        [(0, full(etag='"v1"'), MISS, None), (130, NOT_MODIFIED, REVALIDATED, 0),
         (140, None, HIT, 10)]),
    "last-modified-is-a-validator": (
        {"last_modified": "Wed, 21 Oct 2015 07:28:00 GMT"},
        [(0, full(last_modified="x"), MISS, None), (100, NOT_MODIFIED, REVALIDATED, 0)]),
    "304-without-validators-is-a-full-answer-that-stored-nothing": (
        {}, [(0, full(), MISS, None), (100, NOT_MODIFIED, EXPIRED, None),
             (101, full(t=101), MISS, None)]),
    "updating-inside-swr-window-then-hit-on-refresh": (
        {}, [(0, full(serve_stale_allowed=True, stale_while_revalidate=30), MISS, None),
             (120, full(t=120, serve_stale_allowed=True, stale_while_revalidate=30),
              UPDATING, 120),
             (121, None, HIT, 1)]),
    "swr-window-past-is-expired": (
        {}, [(0, full(serve_stale_allowed=True, stale_while_revalidate=30), MISS, None),
             (130, full(t=130), EXPIRED, None)]),
    "swr-without-serve-stale-allowed-is-expired": (
        {}, [(0, full(stale_while_revalidate=30), MISS, None), (110, full(t=110), EXPIRED, None)]),
    "refetch-not-stored-removes-object": (
        {}, [(0, full(), MISS, None), (100, OriginAnswer(status="BYPASS"), EXPIRED, None),
             (101, OriginAnswer(status="BYPASS"), "BYPASS", None)]),
    "unreachable-origin-stale-where-allowed": (
        {}, [(0, full(serve_stale_allowed=True), MISS, None), (500, None, STALE, 500),
             (501, None, STALE, 501)]),
    "ttl-zero-always-revalidated": (
        {}, [(0, full(ttl=0, etag='"a"'), MISS, None), (0, NOT_MODIFIED, REVALIDATED, 0),
             (5, NOT_MODIFIED, REVALIDATED, 0)]),
}


@pytest.mark.parametrize("name", sorted(TIMELINES))
def test_timeline(name):
    _, steps = TIMELINES[name]
    cache = Cache()
    for t, answer, status, age in steps:
        served = request(cache, "k", t, answer)
        assert (served.status, served.age) == (status, age), (name, t)


def test_unreachable_without_stale_is_an_error():
    cache = Cache()
    request(cache, "k", 0, full())
    served = request(cache, "k", 200, None)
    assert served.status == EXPIRED and served.error and served.age is None
    assert "k" in cache  # the old copy is kept for the next try


def test_conditional_only_with_validators():
    cache = Cache()
    cache.store(obj("a", etag='"1"'))
    cache.store(obj("b"))
    assert cache.lookup("a", 200).conditional
    assert not cache.lookup("b", 200).conditional


def test_proxy_background_refresh_keeps_updating_until_answer():
    cache = Cache()
    cache.store(obj(serve_stale_allowed=True, stale_while_revalidate=10, etag='"1"'))
    first = cache.lookup("k", 105)
    assert (first.status, first.refresh, first.age) == (UPDATING, True, 105)
    second = cache.lookup("k", 200)  # past T + W, but the refresh is still running
    assert (second.status, second.refresh) == (UPDATING, False)
    served = cache.complete(first, 201, NOT_MODIFIED)
    assert served.status == UPDATING
    after = cache.lookup("k", 202)
    assert (after.status, after.age) == (HIT, 1)


def test_abandoned_refresh_tries_again():
    cache = Cache()
    cache.store(obj(serve_stale_allowed=True, stale_while_revalidate=50))
    assert cache.lookup("k", 110).refresh
    cache.abandon_refresh("k")
    assert cache.lookup("k", 111).refresh


def test_complete_after_purge_does_not_resurrect():
    cache = Cache()
    cache.store(obj(etag='"1"'))
    found = cache.lookup("k", 150)
    cache.purge(everything=True)
    served = cache.complete(found, 151, NOT_MODIFIED)
    assert served.status == REVALIDATED and "k" not in cache


def test_from_decision_reads_dict_and_attributes():
    decision = {"stored": True, "edge_ttl": 60, "cache_key": "https://a/x",
                "serve_stale_allowed": True, "cache_tags": ["T1"]}
    o = CachedObject.from_decision(decision, 5.0, host="a", url="https://a/x", size=3,
                                   stale_while_revalidate=9)
    assert (o.key, o.edge_ttl, o.stale_while_revalidate, o.cache_tags, o.size) == (
        "https://a/x", 60, 9, ("T1",), 3)
    assert CachedObject.from_decision({"stored": False, "edge_ttl": None}, 0) is None

    class Typed:
        stored, edge_ttl, cache_key, serve_stale_allowed, cache_tags = True, 0, "k", False, ()
        stale_while_revalidate = 4
    assert CachedObject.from_decision(Typed(), 1).stale_while_revalidate == 4


def test_purge_by_each_selector():
    cache = Cache()
    cache.store(obj("a", url="https://WWW.example.com/img/a.png", cache_tags=("Img",)))
    cache.store(obj("b", url="https://www.example.com/img/b.png", host="www.example.com"))
    cache.store(obj("c", url="https://api.example.com/v1", host="api.example.com"))
    cache.store(obj("d", url="http://www.example.com/css/d.css"))
    assert cache.purge(files=["https://www.example.com/img/a.png"]) == 1
    assert cache.purge(tags=["nothing"]) == 0
    assert cache.purge(prefixes=["www.example.com/img/"]) == 1
    assert cache.purge(hosts=["API.example.com"]) == 1
    assert cache.purge_request({"purge_everything": True}) == 1
    assert len(cache) == 0 and cache.bytes == 0


def test_purge_tags_case_insensitive():
    cache = Cache()
    cache.store(obj("a", cache_tags=("Product-1",)))
    cache.store(obj("b", cache_tags=("other",)))
    assert cache.purge_request({"tags": ["product-1"]}) == 1
    assert [o.key for o in cache.objects()] == ["b"]


@pytest.mark.parametrize("body", [
    None, [], {}, {"files": "x"}, {"files": [""]}, {"tags": [1]}, {"zap": []},
    {"purge_everything": "yes"}, {"purge_everything": True, "files": ["x"]},
])
def test_purge_request_rejects_bad_bodies(body):
    with pytest.raises(PurgeError) as info:
        Cache().purge_request(body)
    assert isinstance(info.value, RuleLangError)


def test_purge_files_accepts_objects_with_url():
    cache = Cache()
    cache.store(obj("a", url="https://www.example.com/a"))
    assert cache.purge_request({"files": [{"url": "https://www.example.com/a",
                                           "headers": {}}]}) == 1


def test_lru_bound_evicts_least_recently_used():
    cache = Cache(max_bytes=10)
    cache.store(obj("a", size=4))
    cache.store(obj("b", size=4))
    cache.lookup("a", 1)  # a is now the most recently used
    assert cache.store(obj("c", size=4)) == ["b"]
    assert sorted(o.key for o in cache.objects()) == ["a", "c"] and cache.bytes == 8
    assert cache.store(obj("huge", size=11)) == [] and "huge" not in cache


def test_keep_expired_drops_by_time_alone():
    cache = Cache(keep_expired=50)
    cache.store(obj("a", ttl=100, etag='"1"'))
    cache.store(obj("b", ttl=10, stale_while_revalidate=5))
    assert cache.sweep(64) == 0
    assert cache.sweep(65) == 1 and "b" not in cache
    # lookups drop lazily, so sweeping late changes nothing
    assert cache.lookup("a", 150).status is None


def test_revalidate_updates_and_rejects_unknown():
    cache = Cache(keep_expired=0)
    cache.store(obj(ttl=10))
    cache.revalidate("k", 20, edge_ttl=30)
    assert cache.lookup("k", 49).status == HIT
    assert cache.sweep(49) == 0 and cache.sweep(50) == 1
    assert Cache().revalidate("k", 1) is None
    cache.store(obj())
    with pytest.raises(RuleLangError):
        cache.revalidate("k", 1, size=3)


@pytest.mark.parametrize("kwargs", [{"max_bytes": -1}, {"keep_expired": -1}])
def test_bad_bounds(kwargs):
    with pytest.raises(RuleLangError):
        Cache(**kwargs)


ACTIONS = st.lists(st.tuples(
    st.sampled_from("abcd"), st.floats(0, 50), st.integers(0, 30), st.booleans(),
    st.integers(0, 20), st.booleans(), st.sampled_from(["full", "304", "down", "none"]),
    st.integers(0, 9)), max_size=60)


@settings(max_examples=150, deadline=None)
@given(ACTIONS, st.sampled_from([None, 0, 25]), st.sampled_from([None, 20]))
def test_properties(actions, keep_expired, max_bytes):
    """Age only on served statuses; bounds hold; the served status follows the lookup."""
    cache = Cache(keep_expired=keep_expired, max_bytes=max_bytes)
    t = 0.0
    for key, dt, ttl, stale, swr, etag, kind, size in actions:
        t += dt
        found = cache.lookup(key, t)
        answer = {"full": OriginAnswer(obj=obj(key, t, ttl, serve_stale_allowed=stale,
                                               stale_while_revalidate=swr,
                                               etag='"e"' if etag else None, size=size)),
                  "304": NOT_MODIFIED, "down": None,
                  "none": OriginAnswer(status="BYPASS")}[kind]
        served = cache.complete(found, t, answer if found.status != HIT else None)
        assert (served.age is not None) == (served.status in SERVED_FROM_CACHE)
        if found.status == HIT:
            assert found.obj.is_fresh(t)
        if found.status is None:
            assert served.status in (MISS, "BYPASS")
        cache.sweep(t)
        assert cache.bytes == sum(o.size for o in cache.objects())
        if max_bytes is not None:
            assert cache.bytes <= max_bytes
        if keep_expired is not None:
            for o in cache.objects():
                assert t < o.stored_at + o.edge_ttl + o.stale_while_revalidate + keep_expired
