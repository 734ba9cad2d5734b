"""Sprig defaults, ternary and JSON called directly (vectors: sprig-defaults, JSON cases)."""

from datetime import timedelta, timezone

import pytest

from dockergen.gotemplate.errors import GoError
from dockergen.gotemplate.sprig.defaults import FUNCTIONS  # noqa: F401 - the table the call fixture uses
from dockergen.gotemplate.values import MISSING, STRING, NilPointer, nil_map, nil_slice, pointer_to, INT
from dockergen.model import GoTime



def test_default_empty_coalesce(call):
    for value in ("", 0, False, None, [], {}, 0.0, MISSING, NilPointer(pointer_to(INT))):
        assert call("default", "d", value) == "d" and call("empty", value)
    for value in ("x", 1, True, [0], " "):
        assert call("default", "d", value) == value and not call("empty", value)
    assert call("default", "d") == "d"
    assert call("coalesce", 0, "", "x") == "x" and call("coalesce", "", None, []) is None
    assert call("all", 1, "x", True) and not call("all", 1, "") and call("all")
    assert call("any", 0, "", "x") and not call("any")
    assert call("ternary", "yes", "no", False) == "no"


def test_to_json(call):
    assert call("toJson", {"b": 1, "a": [1, "x", None, 1.5, True]}) == '{"a":[1,"x",null,1.5,true],"b":1}'
    assert [call("toJson", v) for v in ("s", None, 1e21, 1e-7, 1e6, -0.0)] == ['"s"', "null", "1e+21", "1e-7", "1000000", "-0"]
    assert call("toJson", "<a&b>\u2028") == '"\\u003ca\\u0026b\\u003e\\u2028"'
    assert call("toRawJson", {"html": "<b>&</b>", "n": 1}) == '{"html":"<b>&</b>","n":1}'
    assert call("toJson", "\udcff\n\x01\b") == '"\\ufffd\\n\\u0001\\b"'
    assert call("toJson", b"hi") == '"aGk="'
    assert call("toJson", [nil_slice(STRING), nil_map(STRING, STRING), {}]) == "[null,null,{}]"
    assert call("toPrettyJson", {"b": [1, 2], "a": {}, "c": []}) == '{\n  "a": {},\n  "b": [\n    1,\n    2\n  ],\n  "c": []\n}'
    created = GoTime(2024, 6, 30, 23, 59, 59, 123456, tzinfo=timezone(timedelta(hours=2)))
    created.extra_ns = 789
    assert call("toJson", created) == '"2024-06-30T23:59:59.123456789+02:00"'
    assert call("toJson", GoTime.zero()) == '"0001-01-01T00:00:00Z"'


def test_to_json_errors(call):
    assert call("toJson", {"f": 1.5j}) == "" and call("toPrettyJson", float("nan")) == ""
    for name in ("mustToJson", "mustToPrettyJson", "toRawJson", "mustToRawJson"):
        with pytest.raises(GoError, match="^json: unsupported type: complex128$"):
            call(name, [2j])
    with pytest.raises(GoError, match=r"^json: unsupported value: \+Inf$"):
        call("mustToJson", float("inf"))


def test_from_json(call):
    value = call("fromJson", '{"a":1,"b":[true,null,"x"]}')
    assert value == {"a": 1.0, "b": [True, None, "x"]} and type(value["a"]) is float
    assert call("fromJson", "{") is None and call("fromJson", "") is None
    assert call("mustFromJson", "12345678901234567890") == 1.2345678901234567e19


@pytest.mark.parametrize("text,message", [
    ("[1,", "unexpected end of JSON input"),
    ("", "unexpected end of JSON input"),
    ("{} x", "invalid character 'x' after top-level value"),
    ("{bad", "invalid character 'b' looking for beginning of object key string"),
    ("bad", "invalid character 'b' looking for beginning of value"),
    ("[1,]", "invalid character ']' looking for beginning of value"),
    ('{"a" 1}', "invalid character '1' after object key"),
    ('{"a":1 "b"}', "invalid character '\"' after object key:value pair"),
    ("[1 2]", "invalid character '2' after array element"),
    ('"a\nb"', "invalid character '\\n' in string literal"),
    ('"\\x"', "invalid character 'x' in string escape code"),
    ("nul", "invalid character ' ' in literal null (expecting 'l')"),  # Go's scanner feeds a space at the end
    ("nux", "invalid character 'x' in literal null (expecting 'l')"),
    ("'a'", "invalid character '\\'' looking for beginning of value"),
    ("1e400", "json: cannot unmarshal number 1e400 into Go value of type float64"),
])
def test_from_json_errors(call, text, message):
    with pytest.raises(GoError) as info:
        call("mustFromJson", text)
    assert str(info.value) == message
