"""Table-driven evaluation of every comparison and logical operator, per type,
with the engine's edge cases (missing values, IPv4 vs IPv6, byte order...).

Field values are given directly through ``Request(fields=...)`` so that these
tests exercise the operators, not the field derivations.
"""

import pytest

from rulelang import Request, Response, compile_expression

HOST = {"http.host": "www.Example.com"}
CODE = {}  # http.response.code comes from the Response


def req(**fields):
    return Request(url="https://www.example.com/", fields=fields)


STRING_CASES = [
    # expression, value of http.host, expected
    ('http.host eq "www.Example.com"', "www.Example.com", True),
    ('http.host == "www.example.com"', "www.Example.com", False),
    ('http.host ne "x"', "www.Example.com", True),
    ('http.host != "www.Example.com"', "www.Example.com", False),
    ('http.host lt "www.Example.comz"', "www.Example.com", True),
    ('http.host lt "www.Example.com"', "www.Example.com", False),
    ('http.host le "www.Example.com"', "www.Example.com", True),
    ('http.host gt "B"', "a", True),              # 0x61 > 0x42: byte order, not case-folded
    ('http.host ge "ab"', "abc", True),
    ('http.host < "abc"', "ab", True),            # a proper prefix sorts first
    ('http.host contains "Example"', "www.Example.com", True),
    ('http.host contains "example"', "www.Example.com", False),
    ('http.host contains ""', "anything", True),
    ('http.host contains 61:62', "xaby", True),
    ('http.host matches "^www\\."', "www.Example.com", True),
    ('http.host ~ "(?i)EXAMPLE"', "www.Example.com", True),
    ('http.host matches "^example"', "www.Example.com", False),
    ('http.host matches ""', "", True),
    ('http.host wildcard "WWW.example.*"', "www.Example.com", True),
    ('http.host strict wildcard "WWW.example.*"', "www.Example.com", False),
    ('http.host strict wildcard "www.Example.*"', "www.Example.com", True),
    ('http.host wildcard "*.example.com"', "example.com", False),
    ('http.host wildcard ""', "", True),
    ('http.host wildcard "a?"', "ab", False),
    ('http.host wildcard "a?"', "a?", True),
    ('http.host in {"a" "www.Example.com"}', "www.Example.com", True),
    ('http.host in {"a""b"}', "b", True),
    ('http.host in {}', "", False),
    ('http.host in {61:62}', "ab", True),
    ('http.host eq 61:62', "ab", True),
    ('http.host starts_with "www."', "www.Example.com", True),
    ('http.host ends_with ".com"', "www.Example.com", True),
    ('http.host ends_with ".org"', "www.Example.com", False),
    ('not http.host starts_with "x"', "www.Example.com", True),
    ('http.host eq "é"', "é", True),
    ('http.host eq "\\xc3\\xa9"', "é", True),
    ('http.host eq r#"a"b"#', 'a"b', True),
]


@pytest.mark.parametrize("source,host,expected", STRING_CASES)
def test_string_operators(source, host, expected):
    assert compile_expression(source).matches(req(**{"http.host": host})) is expected


INT_CASES = [
    ("http.response.code eq 200", 200, True),
    ("http.response.code == 0xc8", 200, True),
    ("http.response.code eq 0310", 200, True),       # octal 0310 = 200
    ("http.response.code ne 200", 200, False),
    ("http.response.code lt 300", 200, True),
    ("http.response.code le 199", 200, False),
    ("http.response.code gt 199", 200, True),
    ("http.response.code ge 201", 200, False),
    ("http.response.code in {200 300..399}", 304, True),
    ("http.response.code in {200 300..399}", 404, False),
    ("http.response.code in {300..300}", 300, True),
    ("http.response.code & 1", 201, True),
    ("http.response.code bitwise_and 1", 200, False),
    ("http.response.code & 0", 201, False),
]


@pytest.mark.parametrize("source,status,expected", INT_CASES)
def test_int_operators(source, status, expected):
    expr = compile_expression(source, phase="response")
    assert expr.matches(req(), Response(status=status)) is expected


def test_negative_integer_literals():
    expr = compile_expression("cf.bot_management.score in {-5..-1}")
    assert expr.matches(req(**{"cf.bot_management.score": -3})) is True
    assert compile_expression("cf.bot_management.score eq -010").matches(
        req(**{"cf.bot_management.score": -10})) is True  # a minus sign selects decimal


IP_CASES = [
    ("ip.src eq 192.0.2.1", "192.0.2.1", True),
    ("ip.src ne 192.0.2.1", "192.0.2.2", True),
    ("ip.src eq ::ffff:192.0.2.1", "192.0.2.1", False),
    ("ip.src ne ::ffff:192.0.2.1", "192.0.2.1", True),
    ("ip.src in {192.0.2.0/24}", "192.0.2.200", True),
    ("ip.src in {192.0.2.0/24}", "::ffff:192.0.2.1", False),
    ("ip.src in {198.51.100.1 198.51.100.3..198.51.100.7 192.0.2.0/24 2001:db8::/32}",
     "198.51.100.5", True),
    ("ip.src in {198.51.100.1 198.51.100.3..198.51.100.7}", "198.51.100.2", False),
    ("ip.src in {2001:db8::/32}", "2001:db8::1", True),
    ("ip.src eq 2001:DB8::1", "2001:db8::1", True),
    ("ip.src lt 10.0.0.0", "9.255.255.255", True),
    ("ip.src lt ::1", "9.255.255.255", False),       # different families are incomparable
    ("ip.src ge ::1", "9.255.255.255", False),
    ("ip.src in {}", "192.0.2.1", False),
]


@pytest.mark.parametrize("source,client_ip,expected", IP_CASES)
def test_ip_operators(source, client_ip, expected):
    expr = compile_expression(source)
    assert expr.matches(Request(url="https://a.example/", client_ip=client_ip)) is expected


MISSING_CASES = [
    # language.md §5.3: every comparison on a missing value is false, `not` of it true
    ('http.request.headers["x-absent"][0] eq "a"', False),
    ('http.request.headers["x-absent"][0] ne "a"', False),
    ('http.request.headers["x-absent"][0] contains ""', False),
    ('http.request.headers["x-absent"][0] matches ""', False),
    ('http.request.headers["x-absent"][0] wildcard "*"', False),
    ('http.request.headers["x-absent"][0] in {"a"}', False),
    ('http.request.headers["x-absent"][0] lt "z"', False),
    ('not http.request.headers["x-absent"][0] eq "a"', True),
    ('http.request.headers.names[99] eq "a"', False),
    ('starts_with(http.request.headers["x-absent"][0], "a")', False),
    ('not starts_with(http.request.headers["x-absent"][0], "a")', True),
    ('any(http.request.headers["x-absent"][*] eq "a")', False),
    ('all(http.request.headers["x-absent"][*] eq "a")', True),
    ('http.host eq http.request.headers["x-absent"][0]', False),
    ('http.host ne http.request.headers["x-absent"][0]', False),
    ('len(http.request.headers["x-absent"]) ge 0', False),
    ('not len(http.request.headers["x-absent"]) ge 0', True),
    ('concat("a", http.request.headers["x-absent"][0]) eq "a"', True),
    # a missing Boolean is false wherever it stands, also inside parentheses and xor
    ('(starts_with(http.request.headers["x-absent"][0], "a")) xor ssl', True),
    ('not (starts_with(http.request.headers["x-absent"][0], "a"))', True),
    ('(starts_with(http.request.headers["x-absent"][0], "a"))', False),
]


@pytest.mark.parametrize("source,expected", MISSING_CASES)
def test_missing_values(source, expected):
    r = Request(url="https://a.example/", headers={"Host": "a.example"})
    expr = compile_expression(source)
    assert expr.matches(r) is expected
    assert expr.evaluate(r) is expected


LOGIC_CASES = [
    ("ssl", True), ("not ssl", False), ("!ssl", False), ("not not ssl", True), ("!!ssl", True),
    ("ssl and ssl", True), ("ssl && not ssl", False), ("ssl or not ssl", True),
    ("not ssl || not ssl", False), ("ssl xor ssl", False), ("ssl ^^ not ssl", True),
    ("ssl xor ssl xor ssl", True),                     # odd number of true operands
    ("not ssl or ssl and ssl", True),                  # or binds loosest
    ("not (ssl or ssl)", False),
    ("(not ssl) and ssl", False),
    ("not ssl and ssl", False),
    ("ssl or ssl xor ssl and not ssl", True),          # a or (b xor (c and d))
    ("true", True), ("(false)", False), ("((true))", True),
]


@pytest.mark.parametrize("source,expected", LOGIC_CASES)
def test_logical_operators(source, expected):
    assert compile_expression(source).matches(Request(url="https://a.example/")) is expected


ARRAY_CASES = [
    ('any(http.request.headers["accept"][*] == "application/json")', True),
    ('all(http.request.headers["accept"][*] == "application/json")', False),
    ('any(http.request.headers.names[*] eq "Accept")', True),
    ('any(lower(http.request.headers.names[*])[*] eq "accept")', True),
    ('any(starts_with(http.request.headers["accept"][*], "text/"))', True),
    ('all(not http.request.headers["accept"][*] in {"a" "b"})', True),
    ('any((http.request.headers.names[*] eq "Host" and http.request.headers.values[*] eq "a.example"))', True),
    ('any((http.request.headers.names[*] eq "Host" and http.request.headers.values[*] eq "x"))', False),
    ('any(http.request.headers[*][0] eq "a.example")', True),
    ('any(http.request.headers[*][*] eq "application/json")', True),
    ('len(http.request.headers["accept"]) eq 2', True),
    ('any(len(http.request.headers["accept"][*])[*] eq 9)', True),
    ('http.request.headers["accept"][1] eq "application/json"', True),
    ('http.request.headers["accept"][2] eq "application/json"', False),
]


@pytest.mark.parametrize("source,expected", ARRAY_CASES)
def test_arrays_maps_and_quantifiers(source, expected):
    r = Request(url="https://a.example/", headers=[["Host", "a.example"], ["Accept", "text/html"],
                                                   ["Accept", "application/json"]])
    assert compile_expression(source).matches(r) is expected


def test_value_expressions():
    r = Request(url="https://a.example/?a=1", headers=[["X-Tags", "a,b,c"]])
    tags = compile_expression('split(http.request.headers["x-tags"][0], ",", 64)',
                              expect="Array<String>")
    assert tags.evaluate(r) == ["a", "b", "c"]
    assert tags.type == "Array<String>"
    names = compile_expression("lower(http.request.headers.names[*])", expect="any")
    assert names.evaluate(r) == ["x-tags"]
    missing = compile_expression('split(http.request.headers["x-none"][0], ",", 64)',
                                 expect="Array<String>")
    assert missing.evaluate(r) is None


def test_lists():
    lists = {"offices": ["192.0.2.0/24", "2001:db8::/32"], "hosts": ["example.com", "*.cdn.example"],
             "asns": [13335]}
    office = compile_expression("ip.src in $offices", lists=lists)
    assert office.matches(Request(client_ip="192.0.2.9")) is True
    assert office.matches(Request(client_ip="2001:db8::9")) is True
    assert office.matches(Request(client_ip="198.51.100.1")) is False
    hosts = compile_expression("http.host in $hosts", lists=lists)
    assert hosts.matches(Request(url="https://EXAMPLE.com/")) is True
    assert hosts.matches(Request(url="https://a.cdn.example/")) is True
    assert hosts.matches(Request(url="https://cdn.example/")) is False
    asn = compile_expression("ip.src.asnum in $asns", lists=lists)
    assert asn.matches(Request(fields={"ip.src.asnum": 13335})) is True
    assert compile_expression("not ip.src in $offices", lists=lists).matches(
        Request(client_ip="198.51.100.1")) is True


def test_a_response_field_supplied_by_one_request_does_not_leak_to_another():
    expr = compile_expression("http.response.code eq 404", phase="response")
    resp = Response(status=200)
    assert expr.matches(Request(), resp) is False
    assert expr.matches(Request(fields={"http.response.code": 404}), resp) is True
    assert expr.matches(Request(), resp) is False
