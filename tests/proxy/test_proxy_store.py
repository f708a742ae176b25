"""The proxy's stores without a server: the directory store's files, restarts, damage,
purges and the LRU bound."""

from __future__ import annotations

import json

from rulelang import Request, Response
from rulelang.cache.lifetime import OriginAnswer
from rulelang.engine import Engine
from rulelang.proxy.store import DirectoryStore, MemoryStore, open_store, validators

ENGINE = Engine([])


def fill(store, path: str, t: float = 1000.0, body: bytes = b"body", **headers: str):
    request = Request.from_wire("GET", path, [("Host", "www.example.com")])
    pending = ENGINE.request_phase(request)
    origin = [("Cache-Control", "max-age=60"), *headers.items()]
    decision = pending.response_phase(Response(200, origin))
    lookup = store.lookup(pending.cache_key, t)
    obj = store.object_for(decision, request, 200, origin, body, t)
    return store.complete(lookup, t, OriginAnswer(obj=obj, status="MISS")), pending.cache_key


def test_directory_store_round_trip_and_damage(tmp_path):
    store = DirectoryStore(tmp_path, 1_000_000)
    served, key = fill(store, "/a.css", ETag='"e"')
    assert served.status == "MISS" and len(list(tmp_path.glob("*.body"))) == 1
    (tmp_path / "junk.meta.json").write_text("{not json")
    (tmp_path / ".tmp-leftover").write_text("x")
    metas = [p for p in tmp_path.glob("*.meta.json") if p.name != "junk.meta.json"]
    meta = json.loads(metas[0].read_text())
    assert meta["key"] == key and meta["etag"] == '"e"'
    again = DirectoryStore(tmp_path, 1_000_000)
    lookup = again.lookup(key, 1010.0)
    assert (lookup.status, lookup.age) == ("HIT", 10)
    assert again.body(lookup.obj) == b"body"
    assert not (tmp_path / "junk.meta.json").exists()
    assert not (tmp_path / ".tmp-leftover").exists()


def test_directory_store_drops_an_object_without_its_body(tmp_path):
    store = DirectoryStore(tmp_path)
    _, key = fill(store, "/a.css")
    for body in tmp_path.glob("*.body"):
        body.unlink()
    again = DirectoryStore(tmp_path)
    assert again.objects == 0 and again.lookup(key, 1000.0).status is None
    assert not list(tmp_path.glob("*.meta.json"))


def test_directory_store_revalidation_survives_a_restart(tmp_path):
    store = DirectoryStore(tmp_path)
    _, key = fill(store, "/v.css", ETag='"v"')
    lookup = store.lookup(key, 1100.0)
    assert lookup.status == "EXPIRED" and validators(lookup) == {"If-None-Match": '"v"'}
    assert store.complete(lookup, 1100.0, OriginAnswer(not_modified=True)).status == \
        "REVALIDATED"
    assert DirectoryStore(tmp_path).lookup(key, 1105.0).age == 5


def test_eviction_and_purge_delete_files(tmp_path):
    store = DirectoryStore(tmp_path, max_bytes=1500)
    for i in range(5):
        fill(store, f"/{i}.css", body=b"x" * 600)
    assert store.bytes <= 1500
    assert len(list(tmp_path.glob("*.body"))) == store.objects
    kept = store.objects
    assert 0 < kept < 5 and store.purge({"purge_everything": True}) == kept
    assert not list(tmp_path.glob("*.body"))


def test_open_store():
    assert isinstance(open_store("memory", 10), MemoryStore)
    assert open_store("memory", None).cache.max_bytes is None
