"""The field schema and the function catalogue are loaded from data, once."""

from pathlib import Path

import pytest
from support.paths import SHARED_SPEC

from rulelang.codes import CODES
from rulelang.schema import catalogue as schema
from rulelang.schema.types import INT, STRING, array, map_of, parse_type

SPEC = SHARED_SPEC / "fields.json"


@pytest.mark.skipif(not SPEC.exists(), reason="shared spec not beside the checkout")
def test_packaged_field_schema_is_the_spec_copy():
    packaged = Path(schema.__file__).parent / "fields.json"
    assert packaged.read_bytes() == SPEC.read_bytes()


@pytest.mark.parametrize("text,expected", [
    ("String", STRING), ("Bytes", STRING), ("Integer", INT),
    ("Array<String>", array(STRING)), ("Map<Array<Int>>", map_of(array(INT))),
])
def test_parse_type(text, expected):
    assert parse_type(text) == expected
    assert str(parse_type(str(expected))) == str(expected)


@pytest.mark.parametrize("bad", ["", "Array<>", "Map<Foo>", "string", "Array<String"])
def test_parse_type_rejects(bad):
    with pytest.raises(ValueError):
        parse_type(bad)


def test_every_field_has_a_known_phase_and_type():
    fs = schema.fields()
    assert len(fs) >= 170
    for f in fs.values():
        assert f.phases <= set(schema.PHASES)
        assert f.group in ("request", "response")
        if f.group == "response":
            assert f.phases == {schema.RESPONSE_PHASE}


def test_nineteen_functions_in_the_cache_phases():
    assert len(schema.CACHE_PHASE_FUNCTIONS) == 19
    assert "has_key" not in schema.CACHE_PHASE_FUNCTIONS


def test_phase_aliases():
    assert schema.normalize_phase("request") == schema.REQUEST_PHASE
    assert schema.normalize_phase("response") == schema.RESPONSE_PHASE
    with pytest.raises(ValueError):
        schema.normalize_phase("http_request_firewall_custom")


def test_codes_have_valid_severities():
    assert {c.severity for c in CODES.values()} <= {"error", "warning", "info"}
