"""The literal readers of rulelang.literals (reference §3.6–§3.12)."""

import ipaddress

import pytest

from rulelang.language import literals as lit
from rulelang.schema.types import INT, IP, STRING


@pytest.mark.parametrize("text, value", [
    ('""', b""),
    ('"abc"', b"abc"),
    (r'"a\"b"', b'a"b'),
    (r'"a\\b"', b"a\\b"),
    (r'"\x2e\x77"', b".w"),
    (r'"\x4A\x4a"', b"JJ"),
    (r'"\101BC"', b"ABC"),
    (r'"\000"', b"\x00"),
    (r'"\377"', b"\xff"),
    (r'"\xff\x80"', b"\xff\x80"),
    ('"é"', "é".encode()),
    ('"a\tb\nc"', b"a\tb\nc"),
    ("\"it's\"", b"it's"),
])
def test_decode_quoted_reads_every_escape(text, value):
    assert lit.decode_quoted(text) == value


@pytest.mark.parametrize("text, offset, length", [
    (r'"a\n"', 2, 2),
    (r'"a\t"', 2, 2),
    (r'"a\'"', 2, 2),
    (r'"a\/"', 2, 2),
    (r'"\u0041"', 1, 2),
    (r'"\0"', 1, 2),
    (r'"a\x4"', 2, 3),
    (r'"\xzz"', 1, 4),
    (r'"a\18"', 2, 3),
    (r'"\400"', 1, 4),
])
def test_decode_quoted_reports_bad_escape_with_its_span(text, offset, length):
    with pytest.raises(lit.LiteralError) as err:
        lit.decode_quoted(text)
    assert (err.value.code, err.value.offset, err.value.length) == ("RL103", offset, length)
    assert err.value.hint


@pytest.mark.parametrize("text", ['"abc', '"abc\\"', '"', "abc"])
def test_decode_quoted_unterminated_is_rl102(text):
    with pytest.raises(lit.LiteralError) as err:
        lit.decode_quoted(text)
    assert err.value.code == "RL102"


@pytest.mark.parametrize("text, content", [
    ('r"\\d+"', "\\d+"),
    ('r#"a"b"#', 'a"b'),
    ('r##"a"#b"##', 'a"#b'),
    ('r""', ""),
    ('r"a\nb"', "a\nb"),
])
def test_decode_raw_is_verbatim(text, content):
    assert lit.decode_raw(text) == content


def test_decode_raw_rejects_more_than_255_hashes():
    h = "#" * 256
    with pytest.raises(lit.LiteralError) as err:
        lit.decode_raw(f'r{h}"x"{h}')
    assert err.value.code == "RL104"
    assert lit.decode_raw(f'r{h[:255]}"x"{h[:255]}') == "x"


@pytest.mark.parametrize("text, pattern", [
    (r'"^/a\d+$"', r"^/a\d+$"),
    (r'"a\\.b"', r"a\\.b"),
    (r'"a\.b"', r"a\.b"),
    (r'"a\"b"', 'a"b'),
    (r'"[\"]"', r'[\"]'),
    ('"["]"', '["]'),
    (r'r"a\.b"', r"a\.b"),
    (r'"[a\]"]"', r'[a\]"]'),
])
def test_read_regex_follows_the_regex_literal_rules(text, pattern):
    assert lit.read_regex(text) == pattern


@pytest.mark.parametrize("text, value", [
    ("0", 0), ("-0", 0), ("200", 200), ("-5", -5), ("0x1f", 31), ("0xFF", 255), ("010", 8),
    ("0123", 83), ("-010", -10), ("9223372036854775807", 2 ** 63 - 1),
    ("-9223372036854775808", -(2 ** 63)), ("0x7fffffffffffffff", 2 ** 63 - 1),
])
def test_parse_int_reads_decimal_hex_and_octal(text, value):
    assert lit.parse_int(text) == value


@pytest.mark.parametrize("text", [
    "+5", "- 5", "0XFF", "0x", "09", "-0x5", "1_000", "1e3", "1.5", "200and",
    "9223372036854775808", "0x8000000000000000", "-9223372036854775809", "",
])
def test_parse_int_rejects_with_rl105_and_a_hint(text):
    with pytest.raises(lit.LiteralError) as err:
        lit.parse_int(text)
    assert err.value.code == "RL105"
    assert err.value.hint


@pytest.mark.parametrize("text", [
    "192.0.2.1", "0.0.0.0", "255.255.255.255", "2001:db8::1", "2001:DB8::1", "::",
    "::ffff:192.0.2.1", "fe80::1", "ABCD::",
])
def test_parse_ip_reads_canonical_addresses(text):
    assert lit.parse_ip(text) == ipaddress.ip_address(text)


@pytest.mark.parametrize("text, hint_part", [
    ("1.2.3", "four parts"), ("01.2.3.4", "leading zeros"), ("256.0.0.1", "0-255"),
    ("1.2.3.4.5", ""), ("fe80::1%eth0", ""), ("1:2", ""), ("::g", ""),
])
def test_parse_ip_rejects_lenient_forms(text, hint_part):
    with pytest.raises(lit.LiteralError) as err:
        lit.parse_ip(text)
    assert err.value.code == "RL106"
    assert hint_part in err.value.hint


@pytest.mark.parametrize("text, net", [
    ("10.0.0.0/8", "10.0.0.0/8"), ("192.0.2.0/24", "192.0.2.0/24"),
    ("2001:db8::/32", "2001:db8::/32"), ("1.2.3.4/32", "1.2.3.4/32"), ("0.0.0.0/0", "0.0.0.0/0"),
])
def test_parse_cidr(text, net):
    assert lit.parse_cidr(text) == ipaddress.ip_network(net)


@pytest.mark.parametrize("text, hint_part", [
    ("10.0.0.1/8", "did you mean 10.0.0.0/8"), ("10.0.0.0/33", "0-32"),
    ("2001:db8::/129", "0-128"), ("10.0.0.0/", "0-32"), ("10.0.0.0/x", "0-32"),
])
def test_parse_cidr_rejects_host_bits_and_long_prefixes(text, hint_part):
    with pytest.raises(lit.LiteralError) as err:
        lit.parse_cidr(text)
    assert err.value.code == "RL106"
    assert hint_part in err.value.hint


@pytest.mark.parametrize("text, code", [
    ("10.0.0.9..10.0.0.1", "RL106"), ("10.0.0.1..::1", "RL106"), ("10.0.0.1..10.0.0", "RL106"),
])
def test_parse_ip_range_errors(text, code):
    with pytest.raises(lit.LiteralError) as err:
        lit.parse_ip_range(text)
    assert err.value.code == code


def test_parse_ip_range_reads_both_ends():
    assert lit.parse_ip_range("10.0.0.1..10.0.0.9") == (
        ipaddress.ip_address("10.0.0.1"), ipaddress.ip_address("10.0.0.9"))


@pytest.mark.parametrize("text, value", [
    ("300..399", (300, 399)), ("0x10..0x20", (16, 32)), ("-20..-10", (-20, -10)), ("5..5", (5, 5)),
])
def test_parse_int_range(text, value):
    assert lit.parse_int_range(text) == value


@pytest.mark.parametrize("text, code", [("200..100", "RL106"), ("1..x", "RL105"),
                                        ("09..10", "RL105")])
def test_parse_int_range_errors(text, code):
    with pytest.raises(lit.LiteralError) as err:
        lit.parse_int_range(text)
    assert err.value.code == code


@pytest.mark.parametrize("text, value", [
    ("61:62", b"ab"), ("01:2e:f3", b"\x01\x2e\xf3"), ("FF:00", b"\xff\x00"),
])
def test_parse_byte_string(text, value):
    assert lit.parse_byte_string(text) == value


@pytest.mark.parametrize("text, hint_part", [
    ("61", "at least two"), ("61:", "trailing"), ("01-2e", "`:`"), ("01.2e", "`:`"),
    ("6:62", "two hex"), ("zz:zz", "two hex"),
])
def test_parse_byte_string_errors(text, hint_part):
    with pytest.raises(lit.LiteralError) as err:
        lit.parse_byte_string(text)
    assert err.value.code == "RL107"
    assert hint_part in err.value.hint


@pytest.mark.parametrize("text, kind, result", [
    ("200", "Int", ("int", 200)),
    ("300..399", "Int", ("range", 300, 399)),
    ("1.2.3.4", "IP", ("ip", ipaddress.ip_address("1.2.3.4"))),
    ("1.2.3.0/24", "IP", ("cidr", ipaddress.ip_network("1.2.3.0/24"))),
    ("::1..::9", "IP", ("range", ipaddress.ip_address("::1"), ipaddress.ip_address("::9"))),
    ("61:62", "String", ("bytes", b"ab")),
])
def test_parse_set_element_by_left_type(text, kind, result):
    assert lit.parse_set_element(text, kind) == result


@pytest.mark.parametrize("text, kind, code", [
    ("1.2.3.4", "Int", "RL105"), ("200..100", "Int", "RL106"), ("1.2.3", "IP", "RL106"),
    ("10.0.0.1/8", "IP", "RL106"), ("61", "String", "RL107"),
])
def test_parse_set_element_errors(text, kind, code):
    with pytest.raises(lit.LiteralError) as err:
        lit.parse_set_element(text, kind)
    assert err.value.code == code


@pytest.mark.parametrize("text, typ, value", [
    ("1.2.3.4", IP, ipaddress.ip_address("1.2.3.4")),
    ("::1", IP, ipaddress.ip_address("::1")),
    ("10", INT, 10),
    ("-3", INT, -3),
    ("ab:cd", STRING, b"\xab\xcd"),
    ("2c:2c", STRING, b",,"),      # the integer reader stops at `c`, so the bytes reading wins
])
def test_parse_function_literal_tries_ip_then_int_then_bytes(text, typ, value):
    assert lit.parse_function_literal(text) == (typ, value)


@pytest.mark.parametrize("text, code", [("1.2.3.0/24", "RL106"), ("09", "RL105"),
                                        ("1.2.3", "RL106"), ("61:", "RL107"),
                                        ("61:62", "RL107")])  # integer 61, then `:62`
def test_parse_function_literal_errors(text, code):
    with pytest.raises(lit.LiteralError) as err:
        lit.parse_function_literal(text)
    assert err.value.code == code


@pytest.mark.parametrize("text, forms", [
    ("1", {"int"}), ("61:62", {"bytes"}), ("1.2.3.4", {"ip"}), ("1.2.3.0/24", {"cidr"}),
    ("1..2", {"int_range"}), ("::1..::2", {"ip_range"}),
    ("ab:cd:ef:01:23:45:67:89", {"ip", "bytes"}),
])
def test_bare_forms_lists_every_reading(text, forms):
    assert set(lit.bare_forms(text)) == forms
    assert lit.check_bare(text) is None


@pytest.mark.parametrize("text, code", [
    ("09", "RL105"), ("1.5", "RL105"), ("1e3", "RL105"), ("0XFF", "RL105"), ("-0x5", "RL105"),
    ("1.2.3", "RL106"), ("01.2.3.4", "RL106"), ("10.0.0.1/8", "RL106"), ("10.0.0.0/33", "RL106"),
    ("10.0.0.9..10.0.0.1", "RL106"), ("10.0.0.1..::1", "RL106"), ("200..100", "RL106"),
    ("61:", "RL107"), ("01-2e", "RL107"), (":", "RL106"), ("1:2:3", "RL106"),
])
def test_check_bare_names_the_most_likely_form(text, code):
    err = lit.check_bare(text)
    assert err is not None and err.code == code


@pytest.mark.parametrize("text, cidr, rng", [("1.2.3.0/24", True, False), ("1..2", False, True),
                                             ("1.2.3.4", False, False)])
def test_shape_helpers(text, cidr, rng):
    assert (lit.is_cidr(text), lit.is_range(text)) == (cidr, rng)


@pytest.mark.parametrize("value", [b"", b"abc", b'a"b\\c', b"\x00\x01\xff", "é€".encode(),
                                   b"tab\there", b"\xc3"])
def test_quote_bytes_round_trips(value):
    assert lit.decode_quoted(lit.quote_bytes(value)) == value


@pytest.mark.parametrize("content", ["", "a", 'a"b', 'a"#b', 'x"##y"#', "\\d+"])
def test_raw_string_round_trips(content):
    assert lit.decode_raw(lit.raw_string(content)) == content
