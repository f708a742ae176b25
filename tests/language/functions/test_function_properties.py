"""Properties of the functions (hypothesis): each agrees with a plain Python model of its
definition and never raises on arbitrary input."""

from __future__ import annotations

import ipaddress

from hypothesis import given, settings
from hypothesis import strategies as st
from support.functions import call

from rulelang.language.functions.text import url_decode_once
from rulelang.schema.values import MISSING

ip = ipaddress.ip_address


@given(data=st.binary(max_size=60), sep=st.binary(min_size=1, max_size=3),
       limit=st.integers(1, 128))
def test_split_agrees_with_bytes_split(data: bytes, sep: bytes, limit: int) -> None:
    assert call("split", data, sep, limit) == tuple(data.split(sep, limit - 1))


@given(data=st.binary(max_size=40), start=st.integers(-50, 50),
       end=st.none() | st.integers(-50, 50))
def test_substring_agrees_with_slicing(data: bytes, start: int, end: int | None) -> None:
    args = (data, start) if end is None else (data, start, end)
    assert call("substring", *args) == data[start:end]


def _naive_recursive(data: bytes, unicode: bool) -> bytes:
    while True:
        decoded = url_decode_once(data, unicode)
        if decoded == data:
            return data
        data = decoded


@settings(max_examples=500)
@given(parts=st.lists(st.sampled_from([b"%", b"25", b"2", b"5", b"4", b"1", b"u", b"00",
                                       b"+", b"2B", b"a", b"\xff", b"D8"]), max_size=12),
       unicode=st.booleans())
def test_recursive_url_decode_reaches_the_same_fixed_point(parts: list[bytes],
                                                           unicode: bool) -> None:
    data = b"".join(parts)
    options = b"ru" if unicode else b"r"
    assert call("url_decode", data, options) == _naive_recursive(data, unicode)


@given(data=st.binary(max_size=40))
def test_base64_round_trip(data: bytes) -> None:
    assert call("decode_base64", call("encode_base64", data)) == data
    assert call("decode_base64", call("encode_base64", data, b"p")) == data


@given(data=st.binary(max_size=40))
def test_decode_base64_never_raises(data: bytes) -> None:
    result = call("decode_base64", data)
    assert result is MISSING or isinstance(result, bytes)


@given(data=st.binary(max_size=80))
def test_json_lookup_never_raises(data: bytes) -> None:
    assert call("lookup_json_integer", data, b"a") is MISSING or True
    call("lookup_json_string", data, 0)


@given(value=st.ip_addresses())
def test_to_string_of_ips_round_trips(value: ipaddress.IPv4Address | ipaddress.IPv6Address
                                      ) -> None:
    textual = call("to_string", value)
    assert ip(textual.decode()) == value
    assert textual == textual.lower()


@given(data=st.binary(max_size=30), sep=st.binary(min_size=1, max_size=3),
       limit=st.integers(1, 128))
def test_split_parts_join_back_to_the_input(data: bytes, sep: bytes, limit: int) -> None:
    parts = call("split", data, sep, limit)
    assert 1 <= len(parts) <= limit and sep.join(parts) == data


@given(groups=st.lists(st.integers(0, 0xFFFF), min_size=8, max_size=8))
def test_to_string_of_ipv6_is_rust_display(groups: list[int]) -> None:
    address = ipaddress.IPv6Address(b"".join(g.to_bytes(2, "big") for g in groups))
    text = call("to_string", address).decode()
    if groups[:6] == [0, 0, 0, 0, 0, 0xFFFF]:
        assert text == f"::ffff:{address.ipv4_mapped}"
        return
    # the longest run of two or more zero groups (the first on a tie) becomes ::
    best, length = -1, 1
    for start in range(8):
        run = 0
        while start + run < 8 and groups[start + run] == 0:
            run += 1
        if run > length:
            best, length = start, run
    hexes = [f"{g:x}" for g in groups]
    expected = (":".join(hexes) if best < 0 else
                ":".join(hexes[:best]) + "::" + ":".join(hexes[best + length:]))
    assert text == expected
