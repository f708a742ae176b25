"""The fields of the client and the clock (fields.json: ip.src and the supplied geo and bot
fields, method, version, timestamps), every value worked out by hand from the
``derivation`` text."""

import ipaddress

import pytest
from support.fields import E, check, rows, value, value_text

import rulelang
from rulelang.http.fields import field_reader
from rulelang.http.messages import Request
from rulelang.schema.values import MISSING


@rows([
    ({"method": "post"}, {"http.request.method": "POST", "http.request.version": "HTTP/1.1"}),
    ({"method": "PURGE"}, {"http.request.method": "PURGE"}),
    ({}, {"http.request.method": "GET"}),
    ({"method": "hEaD", "fields": {"http.request.version": "HTTP/3"}},
     {"http.request.method": "HEAD", "http.request.version": "HTTP/3"}),
    ({"timestamp": 1484063137.25}, {"http.request.timestamp.sec": 1484063137,
                                    "http.request.timestamp.msec": 250}),
    ({"timestamp": 1.9995}, {"http.request.timestamp.sec": 1,
                             "http.request.timestamp.msec": 999}),
    ({"timestamp": 0}, {"http.request.timestamp.sec": 0, "http.request.timestamp.msec": 0}),
    ({"timestamp": 5.5, "fields": {"http.request.timestamp.sec": 1484063137}},
     {"http.request.timestamp.sec": 1484063137, "http.request.timestamp.msec": 0}),
    ({"fields": {"http.request.timestamp.sec": 7, "http.request.timestamp.msec": 8}},
     {"http.request.timestamp.sec": 7, "http.request.timestamp.msec": 8}),
])
def test_method_version_timestamps(req, expected):
    check(req, expected)


def test_timestamp_defaults_to_the_clock_at_construction(monkeypatch):
    import rulelang.http.messages
    monkeypatch.setattr(rulelang.http.messages.time, "time", lambda: 1700000000.125)
    req = Request()
    assert value("http.request.timestamp.sec", req) == 1700000000
    assert value("http.request.timestamp.msec", req) == 125


@rows([
    ({"client_ip": "203.0.113.7"}, {"ip.src": ipaddress.ip_address("203.0.113.7")}),
    ({"client_ip": "2001:DB8::1"}, {"ip.src": ipaddress.ip_address("2001:db8::1")}),
    ({}, {"ip.src": None, "cf.edge.server_ip": None}),
    ({"client_ip": "10.0.0.1", "fields": {"ip.src": "198.51.100.1"}},
     {"ip.src": ipaddress.ip_address("198.51.100.1")}),
    ({"fields": {"ip.src": None}, "client_ip": "10.0.0.1"}, {"ip.src": None}),
    ({"fields": {"ip.src.country": "GB", "ip.src.asnum": 13335}},
     {"ip.src.country": "GB", "ip.geoip.country": "GB", "ip.geoip.asnum": 13335,
      "ip.src.continent": "", "ip.src.is_in_european_union": False}),
    ({"fields": {"ip.geoip.country": "FR"}}, {"ip.src.country": "FR", "ip.geoip.country": "FR"}),
    ({}, {"cf.waf.score": 100, "cf.edge.client_tcp": True, "cf.bot_management.score": 0,
          "cf.bot_management.detection_ids": [], "cf.llm.prompt.custom_topic_categories": {},
          "http.request.body.raw": "", "cf.zone.plan": ""}),
    ({"fields": {"cf.bot_management.detection_ids": [33554817, 1],
                 "cf.llm.prompt.custom_topic_categories": {"b": 2, "a": 1},
                 "cf.edge.server_ip": "2001:db8::2"}},
     {"cf.bot_management.detection_ids": [33554817, 1],
      "cf.llm.prompt.custom_topic_categories": {"a": 1, "b": 2},
      "cf.edge.server_ip": ipaddress.ip_address("2001:db8::2")}),
])
def test_ip_and_supplied_fields(req, expected):
    check(req, expected)


# --------------------------------------------------------------------------- awkward clients and clocks

@pytest.mark.parametrize("client_ip,expected", [
    ("203.0.113.7", "203.0.113.7"),
    ("2001:DB8::1", "2001:db8::1"),
    ("::ffff:203.0.113.7", "::ffff:cb00:7107"),
])
def test_ip_src(client_ip, expected):
    assert value_text("ip.src", Request(url=E, client_ip=client_ip)) == expected


def test_ipv4_mapped_client_ip_is_an_ipv6_value():
    got = field_reader("ip.src")(Request(url=E, client_ip="::ffff:203.0.113.7"), None)
    assert isinstance(got, ipaddress.IPv6Address)
    assert not rulelang.compile_expression("ip.src eq 203.0.113.7").matches(
        Request(url=E, client_ip="::ffff:203.0.113.7"))


def test_missing_client_ip_is_missing():
    req = Request(url=E)
    assert field_reader("ip.src")(req, None) is MISSING
    assert not rulelang.compile_expression("ip.src ne 1.2.3.4").matches(req)


@pytest.mark.parametrize("timestamp,fields,sec,msec", [
    (1484063137.25, None, 1484063137, 250),
    (1484063137.9999, None, 1484063137, 999),
    (1484063137, {"http.request.timestamp.sec": 5}, 5, 0),
    (1484063137.5, {"http.request.timestamp.msec": 7}, 1484063137, 7),
])
def test_timestamps(timestamp, fields, sec, msec):
    req = Request(url=E, timestamp=timestamp, fields=fields)
    assert value_text("http.request.timestamp.sec", req) == sec
    assert value_text("http.request.timestamp.msec", req) == msec
