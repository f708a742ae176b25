"""Properties of the parser and the printer (hypothesis)."""


import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rulelang.errors import ExpressionError
from rulelang.language import nodes as n
from rulelang.language.parser import parse
from rulelang.language.printer import to_source

# --------------------------------------------------------------------------- any text

TOKENS = [
    "http.host", "ip.src", "ssl", "lower", "any", "all", "not", "!", "and", "&&", "or", "||",
    "xor", "^^", "eq", "==", "!=", "<", ">=", "contains", "matches", "~", "wildcard",
    "strict wildcard", "in", "&", "starts_with", "(", ")", "[", "]", "[*]", "{", "}", ",",
    '"a"', '"\\x41"', '"\\n"', 'r#"x"#', 'r"', '"', "'a'", "1", "-5", "0x1f", "09",
    "1.2.3.4", "::1", "10.0.0.0/8", "1..2", "61:62", "$list", "$Bad", "#", "=", "\t", "\n",
    " ", "\u00a0", "\x00", "true", "false", "@", "..", ":",
]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(st.characters(codec=None), max_size=200))
def test_any_text_parses_or_raises_expression_error(text):
    _parse_or_error(text)


@settings(max_examples=200)
@given(st.binary(max_size=200))
def test_any_bytes_as_text_parses_or_raises_expression_error(data):
    _parse_or_error(data.decode("latin-1"))
    _parse_or_error(data.decode("utf-8", "surrogateescape"))


@settings(max_examples=500)
@given(st.lists(st.sampled_from(TOKENS), max_size=30), st.sampled_from([" ", ""]))
def test_token_soup_parses_or_raises_expression_error(tokens, sep):
    _parse_or_error(sep.join(tokens))
    _parse_or_error(sep.join(tokens), value=True)


def _parse_or_error(text, **kw):
    try:
        parse(text, **kw)
    except ExpressionError as err:
        assert err.diagnostics
        for d in err.diagnostics:
            assert d.line >= 1 and d.column >= 1
            assert (d.end_line, d.end_column) >= (d.line, d.column)


# --------------------------------------------------------------------------- random trees

FIELDS = ["http.host", "ip.src", "ssl", "http.request.headers", "cf.client.bot",
          "http.response.code", "a.b_1", "x"]
FUNCTIONS = ["lower", "concat", "len", "f_1"]
BARES = ["0", "1", "-5", "0x1f", "010", "200", "192.0.2.1", "::1", "fe80::1", "ABCD::",
         "10.0.0.0/8", "2001:db8::/32", "300..399", "-20..-10", "1.2.3.4..1.2.3.9", "61:62",
         "01:2e:f3"]
ORDER = ["eq", "ne", "lt", "le", "gt", "ge"]

names = st.sampled_from(FIELDS)
strings = st.builds(n.String, st.binary(max_size=12))
bares = st.builds(n.Bare, st.sampled_from(BARES))
regexes = st.builds(n.Regex, st.text(st.characters(exclude_categories=["Cs"]), max_size=12))
list_refs = st.builds(n.ListRef, st.from_regex(r"[a-z0-9_](?:[a-z0-9_.]{0,6}[a-z0-9_])?",
                                               fullmatch=True))
keys = st.one_of(st.integers(0, 2 ** 32 - 1),
                 st.text(st.characters(exclude_categories=["Cs"]), max_size=6)
                 .map(lambda s: s.encode()))


def values(filters):
    return st.recursive(
        st.builds(n.Field, names),
        lambda inner: st.one_of(
            st.builds(n.Index, inner, keys),
            st.builds(n.Unpack, inner),
            st.builds(n.Call, st.sampled_from(FUNCTIONS),
                      st.lists(arguments(inner, filters), max_size=3).map(tuple)),
        ),
        max_leaves=4,
    )


def arguments(vals, filters):
    """Function arguments the parser accepts: a logical chain must start with `(`,
    `not` or a quantifier, and parentheses never wrap a non-Boolean value."""
    return st.one_of(strings, bares, vals, filters.filter(_argument_ok))


def _argument_ok(e):
    if isinstance(e, n.Logical):
        return isinstance(_leftmost(e), (n.Group, n.Not, n.Quantifier))
    if isinstance(e, n.Group) and isinstance(e.expr, (n.Field, n.Call, n.Index, n.Unpack)):
        return e.expr == n.Field("ssl")
    return True


def _leftmost(e):
    while isinstance(e, n.Logical):
        e = e.operands[0]
    return e


def comparisons(vals):
    return st.one_of(
        st.builds(n.Comparison, vals, st.sampled_from(ORDER), st.one_of(strings, bares, vals)),
        st.builds(n.Comparison, vals, st.just("bitwise_and"), st.one_of(bares, vals)),
        st.builds(n.Comparison, vals, st.just("contains"), st.one_of(strings, bares)),
        st.builds(n.Comparison, vals, st.just("matches"), regexes),
        st.builds(n.Comparison, vals,
                  st.sampled_from(["wildcard", "strict wildcard", "starts_with", "ends_with"]),
                  strings),
        st.builds(n.Comparison, vals, st.just("in"),
                  st.one_of(list_refs, st.builds(n.Set, st.lists(st.one_of(strings, bares),
                                                                 max_size=4).map(tuple)))),
    )


def _not_logical(e):
    return not isinstance(e, n.Logical)


def _logical(op, operands):
    rank = {"or": 1, "xor": 2, "and": 3}
    ok = [o for o in operands
          if not isinstance(o, n.Logical) or rank[o.op] > rank[op]]
    return n.Logical(op, tuple(ok)) if len(ok) >= 2 else ok[0] if ok else n.Field("ssl")


def filters():
    base = st.deferred(lambda: tree)
    vals = values(base)
    atoms = st.one_of(comparisons(vals), vals.filter(lambda v: v != n.Field("true")))
    tree = st.recursive(
        atoms,
        lambda inner: st.one_of(
            st.builds(n.Not, inner.filter(_not_logical)),
            st.builds(n.Group, inner),
            st.builds(n.Quantifier, st.sampled_from(["any", "all"]),
                      inner.filter(_not_logical)),
            st.builds(_logical, st.sampled_from(["and", "or", "xor"]),
                      st.lists(inner, min_size=2, max_size=4)),
        ),
        max_leaves=8,
    )
    return tree


FILTERS = filters()


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow,
                                                   HealthCheck.filter_too_much])
@given(FILTERS)
def test_printed_random_trees_parse_back_to_the_same_tree(tree):
    text = to_source(tree)
    assert parse(text) == tree, text


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow,
                                                   HealthCheck.filter_too_much])
@given(FILTERS)
def test_printing_is_idempotent(tree):
    text = to_source(tree)
    assert to_source(parse(text)) == text


# --------------------------------------------------------------------------- random text

def test_only_expression_error_escapes_random_text():
    r = random.Random(5)
    alphabet = list('()[]{}"\\\',$*!=<>&|^~#-.:/rx0a9 \t\n\r\u00a0\x00é') + ["and", "not", "eq"]
    for _ in range(3000):
        text = "".join(r.choice(alphabet) for _ in range(r.randint(0, 40)))
        try:
            parse(text)
        except ExpressionError:
            pass
