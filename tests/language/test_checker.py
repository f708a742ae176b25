"""Type-checker diagnostics: every checker code with its span, message and hint,
and the warnings of language.md §10.2.  Rows come from §13.1 where it has them."""

import pytest

from rulelang import ExpressionError, compile_expression

RESPONSE = "http_response_cache_settings"
REQUEST = "http_request_cache_settings"

ERRORS = [
    # expression, phase, code, column of the first diagnostic
    ("http.request.uri.pathx eq \"/\"", RESPONSE, "RL201", 1),
    ("HTTP.HOST eq \"a\"", RESPONSE, "RL201", 1),
    ("lowercase(http.host) eq \"a\"", RESPONSE, "RL202", 1),
    ("http.response.code eq 200", REQUEST, "RL203", 1),
    ("cf.response.1xxx_code eq 100", RESPONSE, "RL203", 1),
    ("has_key(http.request.headers, \"rsc\")", RESPONSE, "RL204", 1),
    ("trim(http.host) eq \"a\"", RESPONSE, "RL204", 1),
    ("ssl eq true", RESPONSE, "RL205", 5),
    ("http.response.code contains 1", RESPONSE, "RL205", 20),
    ("ip.src & 1", RESPONSE, "RL205", 8),
    ("ip.src matches \"1\"", RESPONSE, "RL205", 8),
    ("http.request.headers[\"x\"] eq \"a\"", RESPONSE, "RL205", 27),
    ("ip.src contains \"1\"", RESPONSE, "RL205", 8),
    ("http.host eq 1", RESPONSE, "RL206", 14),
    ("http.response.code eq \"200\"", RESPONSE, "RL206", 23),
    ("ip.src eq \"1.2.3.4\"", RESPONSE, "RL206", 11),
    ("http.response.code eq http.host", RESPONSE, "RL206", 23),
    ("http.host", RESPONSE, "RL207", 1),
    ("http.request.headers.names[*] eq \"a\"", RESPONSE, "RL207", 1),
    ("http.request.headers.names[*] eq \"a\" or ssl", RESPONSE, "RL208", 1),
    ("http.request.headers[0][0] eq \"a\"", RESPONSE, "RL209", 1),
    ("http.request.headers.names[\"a\"] eq \"a\"", RESPONSE, "RL209", 1),
    ("any(http.host eq http.request.headers.names[*])", RESPONSE, "RL210", 18),
    ("concat(\"a\", http.request.headers.names[*]) eq \"a\"", RESPONSE, "RL210", 13),
    ("any(ssl)", RESPONSE, "RL211", 5),
    ("any(http.request.headers.names)", RESPONSE, "RL211", 5),
    ("any(starts_with(http.request.headers[\"a\"][*], \"x\")[*])", RESPONSE, "RL211", 5),
    ("ssl in $x", RESPONSE, "RL212", 8),
    ("http.host in $missing", RESPONSE, "RL212", 14),
    ("concat(http.host) eq \"x\"", RESPONSE, "RL301", 1),
    ("lower(http.host, \"x\") eq \"a\"", RESPONSE, "RL301", 1),
    ("split(http.host, \",\") eq \"a\"", RESPONSE, "RL301", 1),
    ("concat(http.host, 1) eq \"x\"", RESPONSE, "RL302", 19),
    ("lower(http.response.code) eq \"a\"", RESPONSE, "RL302", 7),
    ("len(http.request.headers) eq 1", RESPONSE, "RL302", 5),
    ("to_string(http.host) eq \"a\"", RESPONSE, "RL302", 11),
    ("starts_with(\"abc\", \"a\")", RESPONSE, "RL303", 13),
    ("url_decode(\"a%20b\") eq \"a b\"", RESPONSE, "RL303", 12),
    ("split(http.host, http.host, 2)[0] eq \"a\"", RESPONSE, "RL303", 18),
    ("split(http.host, \",\", 0)[0] eq \"a\"", RESPONSE, "RL304", 23),
    ("split(http.host, \",\", 129)[0] eq \"a\"", RESPONSE, "RL304", 23),
    ("url_decode(http.host, \"x\") eq \"a\"", RESPONSE, "RL304", 23),
    ("remove_query_args(http.host, \"a\") eq \"\"", RESPONSE, "RL304", 19),
    ("http.request.uri.path matches \"^/a(?=b)\"", RESPONSE, "RL305", 31),
    ("http.request.uri.path matches \"(a)\\1\"", RESPONSE, "RL305", 31),
    ("http.request.uri.path matches \"\\p{Hangul}+\"", RESPONSE, "RL305", 31),
    ("http.host matches \"a{1000000}\"", RESPONSE, "RL305", 19),
    ("http.request.uri.path wildcard \"/a**\"", RESPONSE, "RL306", 32),
    ("http.host wildcard r\"a\\?\"", RESPONSE, "RL306", 20),
    ("http.host wildcard \"*a*b*c*d*e*f*g*h*i*j*\"", RESPONSE, "RL306", 20),
    ("regex_replace(http.host, \"a\", \"${1}\") eq \"b\"", RESPONSE, "RL307", 31),
    (("regex_replace(http.host, \"a\", \"b\") eq \"c\" and "
      "regex_replace(http.host, \"a\", \"b\") eq \"c\""), RESPONSE, "RL308", 47),
    ("true and ssl", RESPONSE, "RL201", 1),
]


@pytest.mark.parametrize("source,phase,code,column", ERRORS, ids=lambda x: str(x))
def test_error(source, phase, code, column):
    with pytest.raises(ExpressionError) as info:
        compile_expression(source, phase=phase)
    first = info.value.diagnostics[0]
    assert (first.code, first.column) == (code, column), str(info.value)
    assert first.severity == "error"
    assert first.message
    assert "^" in str(info.value)


def test_unknown_field_suggests_the_closest_name():
    with pytest.raises(ExpressionError) as info:
        compile_expression('http.request.uri.pathx eq "/"')
    assert "http.request.uri.path" in info.value.diagnostics[0].hint


def test_every_error_is_reported_in_one_pass():
    with pytest.raises(ExpressionError) as info:
        compile_expression('http.hots eq "a" and lowercase(http.host) eq "b" or ssl eq 1')
    assert [d.code for d in info.value.diagnostics] == ["RL201", "RL202", "RL205"]


def test_value_expression_of_the_wrong_type():
    with pytest.raises(ExpressionError) as info:
        compile_expression("lower(http.host)", phase=RESPONSE, expect="Array<String>")
    assert info.value.diagnostics[0].code == "RL213"


def test_trailing_unpack_in_a_value_expression():
    with pytest.raises(ExpressionError) as info:
        compile_expression("http.response.headers.names[*]", phase=RESPONSE,
                           expect="Array<String>")
    assert info.value.diagnostics[0].code == "RL210"


WARNINGS = [
    ('http.request.uri.path starts_with "/api/"', "RL501"),
    ('lower(http.host) eq "WWW.example.com"', "RL502"),
    ('upper(http.host) ne "www"', "RL502"),
    ('lower(http.host) in {"WWW.A.COM" "b"}', "RL502"),
    ('http.request.method in {"get" "POST"}', "RL505"),
    ('http.request.uri.path.extension in {".JPG"}', "RL504"),
    ('http.response.headers["Surrogate-Keys"][0] eq "a"', "RL503"),
    ('http.request.uri.path.extension eq ".JPG"', "RL504"),
    ('http.request.method eq "get"', "RL505"),
    ("ip.src lt 10.0.0.0", "RL506"),
    ('any((http.request.headers.names[*] eq "a" and http.request.cookies["x"][*] eq "b"))',
     "RL507"),
    ('split(http.host, ",", 1)[0] eq "a"', "RL508"),
    ('regex_replace(http.host, "(a)", "$1") eq "a"', "RL509"),
    ('http.host contains ""', "RL510"),
    ('http.host wildcard "*"', "RL510"),
    ("http.host in {}", "RL510"),
    ('http.host matches ""', "RL510"),
    ('http.host matches "a"', "RL511"),
    ("cf.waf.score lt 20", "RL512"),
    ('all(http.request.headers["x"][*] eq "a")', "RL513"),
]


@pytest.mark.parametrize("source,code", WARNINGS)
def test_warning(source, code):
    expr = compile_expression(source, phase=RESPONSE)
    assert code in [d.code for d in expr.diagnostics]
    assert all(d.severity in ("warning", "info") for d in expr.diagnostics)


@pytest.mark.parametrize("source", [
    'lower(http.host) gt "A"',              # ordering is not case-exact: no RL502
    'lower(http.host) matches "WWW"',
    'lower(http.host) in {"www.a.com"}',
    'http.request.method in {"GET" "HEAD"}',
])
def test_no_case_warning_where_the_comparison_can_match(source):
    codes = [d.code for d in compile_expression(source).diagnostics]
    assert not {"RL502", "RL504", "RL505"} & set(codes)


def test_bool_spellings_of_expect_mean_a_filter():
    for expect in ("bool", "Bool", "Boolean"):
        assert compile_expression("ssl", expect=expect).type == "Bool"
    with pytest.raises(ExpressionError):
        compile_expression("ssl", expect=5)


def test_strict_mode_rejects_the_infix_extension():
    with pytest.raises(ExpressionError) as info:
        compile_expression('http.request.uri.path starts_with "/api/"', strict=True)
    assert info.value.diagnostics[0].code == "RL501"


def test_clean_expression_has_no_diagnostics():
    expr = compile_expression('starts_with(http.request.uri.path, "/api/")')
    assert expr.diagnostics == []
    assert expr.fields == frozenset({"http.request.uri.path"})
    assert expr.type == "Bool"
