"""Read fields of a request as the compiled rules do, in public (Python) values."""

from __future__ import annotations

import ipaddress

import pytest

from rulelang.http.fields import field_reader
from rulelang.http.messages import Request, Response
from rulelang.schema.values import to_python

#: The origin most field tables build their URLs on.
E = "https://example.com"


def value(name, request, response=None):
    """The public value of field ``name``."""
    return to_python(field_reader(name)(request, response))


def value_text(name, request, response=None):
    """The public value of field ``name``, an IP address as its text."""
    got = value(name, request, response)
    if isinstance(got, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return str(got)
    return got


def check(req_kwargs, expected, response=None):
    """Build a Request (and Response) from keywords; every field of ``expected`` has its value."""
    req = Request(**req_kwargs)
    resp = None if response is None else Response(**response)
    got = {name: value(name, req, resp) for name in expected}
    assert got == expected


def rows(table):
    """Parametrize a test over ``(request keywords, expected values)`` rows."""
    return pytest.mark.parametrize("req,expected", table, ids=[str(i) for i in range(len(table))])
