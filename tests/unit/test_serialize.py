"""JSON and YAML helpers: section 15 and the serialisation rows of sections 7 and 18."""

from __future__ import annotations

import json as stdlib_json
import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import jinja2
import markupsafe
import pytest
import yaml as pyyaml

from dockergen.errors import HelperError
from dockergen.helpers.functions import dict_, list_
from dockergen.model import Address, GoTime, Mount, RuntimeContainer
from dockergen.golang.json import format_float as go_float
from dockergen.helpers.serialize import fromJson, json, parseJson, rfc3339, to_plain, toJson, toPrettyJson, toRawJson
from dockergen.helpers.yamlfmt import fromYaml, mustFromYaml, mustToYaml, toYaml
from template_support import render

UTC = timezone.utc


# --- YAML (section 15) -------------------------------------------------------

D = {"bool": True, "number": 42, "string": "test", "list": ["foo", "bar"]}
D_YAML = "bool: true\nlist:\n    - foo\n    - bar\nnumber: 42\nstring: test\n"


def test_from_yaml() -> None:
    assert fromYaml(D_YAML) == D
    assert fromYaml('{"bool":true,"list":["foo","bar"],"number":42,"string":"test"}') == D


def test_to_yaml() -> None:
    assert toYaml(D) == D_YAML
    assert mustToYaml(D) == D_YAML


def test_from_yaml_scalars_are_yaml_1_2_style() -> None:
    data = fromYaml("a: yes\nb: on\nc: 1.5\nd: 0x10\ne: null\ng: 2001-12-14\nh: 07\n")
    assert data["a"] == "yes" and data["b"] == "on"
    assert data["c"] == 1.5 and type(data["c"]) is float
    assert data["d"] == 16 and type(data["d"]) is int
    assert data["e"] is None
    assert data["g"] == datetime(2001, 12, 14, tzinfo=UTC)
    assert str(data["g"]) == "2001-12-14 00:00:00 +0000 UTC"
    assert data["h"] == 7 and type(data["h"]) is int


def test_from_yaml_float_one() -> None:
    # Go prints float64(1) as "1"; Jinja2 prints a Python float as "1.0".
    data = fromYaml("c: 1.0")
    assert data == {"c": 1.0} and type(data["c"]) is float


def test_from_yaml_errors() -> None:
    assert fromYaml("a: [1") is None
    with pytest.raises(HelperError) as info:
        mustFromYaml("a: [1")
    if pyyaml.__with_libyaml__:
        assert str(info.value) == "yaml: line 1: did not find expected ',' or ']'"
    else:  # pure-Python PyYAML words its problems differently
        assert str(info.value).startswith("yaml: ")


def test_from_yaml_documents() -> None:
    assert fromYaml("") is None
    assert fromYaml(None) is None
    assert fromYaml("- a\n- b") == ["a", "b"]
    assert fromYaml("1: a\n2: b") == {1: "a", 2: "b"}
    assert fromYaml("a: 1\n---\nb: 2") == {"a": 1}  # the first document, as yaml.v3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true", True),
        ("True", True),
        ("FALSE", False),
        ("yes", "yes"),
        ("off", "off"),
        ("y", "y"),
        ("~", None),
        ("Null", None),
        ("0x1F", 31),
        ("-0x10", -16),
        ("0o17", 15),
        ("017", 15),
        ("0b101", 5),
        ("1_000", 1000),
        ("+5", 5),
        ("08", 8.0),
        ("1e3", 1000.0),
        (".5", 0.5),
        ("-.inf", -math.inf),
        ("18446744073709551615", 2**64 - 1),
        ("99999999999999999999", 1e20),
        ("1:30", "1:30"),
        ("<<", "<<"),
        ("2001-12-14t21:59:43.10+02:00", datetime(2001, 12, 14, 21, 59, 43, 100000, tzinfo=timezone(timedelta(hours=2)))),
        ("2001-12-14 21:59:43", datetime(2001, 12, 14, 21, 59, 43, tzinfo=UTC)),
        ("2001-13-14", "2001-13-14"),
        ("'quoted 1'", "quoted 1"),
    ],
)
def test_from_yaml_plain_scalar_rules(text: str, expected: object) -> None:
    value = fromYaml(f"v: {text}")["v"]
    assert value == expected
    assert type(value) is type(expected) or isinstance(value, type(expected))


def test_from_yaml_nan_and_merge_keys() -> None:
    assert math.isnan(fromYaml("v: .nan")["v"])
    assert fromYaml("a: &x {b: 1}\nc:\n  <<: *x\n  d: 2") == {"a": {"b": 1}, "c": {"b": 1, "d": 2}}


YAML_ROWS = [
    (
        {"b": [1, 2], "a": {"x": "y"}, "c": "yes", "d": "", "e": "multi\nline", "f": "1.0", "g": None},
        'a:\n    x: "y"\nb:\n    - 1\n    - 2\nc: "yes"\nd: ""\ne: |-\n    multi\n    line\nf: "1.0"\ng: null\n',
    ),
    (
        {"t": True, "n": 1.5, "s": "true", "e": "", "z": "0x1", "y": "y"},
        'e: ""\n"n": 1.5\ns: "true"\nt: true\n"y": "y"\nz: "0x1"\n',
    ),
    (["a", {"k": "v"}], "- a\n- k: v\n"),
    ({"k": [{"a": 1, "b": 2}]}, "k:\n    - a: 1\n      b: 2\n"),
    ("x", "x\n"),
    (None, "null\n"),
]


@pytest.mark.parametrize(("value", "expected"), YAML_ROWS)
def test_to_yaml_vectors(value: object, expected: str) -> None:
    assert toYaml(value) == expected


def test_to_yaml_of_a_container() -> None:
    container = RuntimeContainer(ID="2", Name="two", Env={"VIRTUAL_HOST": "b.com"})
    assert toYaml(container) == (
        'id: "2"\n'
        "created: 0001-01-01T00:00:00Z\n"
        "addresses: []\n"
        "networks: []\n"
        "devices: []\n"
        'gateway: ""\n'
        "name: two\n"
        'hostname: ""\n'
        'networkmode: ""\n'
        "image:\n"
        '    registry: ""\n'
        '    repository: ""\n'
        '    tag: ""\n'
        "env:\n"
        "    VIRTUAL_HOST: b.com\n"
        "volumes: {}\n"
        "node:\n"
        '    id: ""\n'
        '    name: ""\n'
        "    address:\n"
        '        ip: ""\n'
        '        ip6linklocal: ""\n'
        '        ip6global: ""\n'
        '        port: ""\n'
        '        hostport: ""\n'
        '        proto: ""\n'
        '        hostip: ""\n'
        "labels: {}\n"
        'ip: ""\n'
        'ip6linklocal: ""\n'
        'ip6global: ""\n'
        "mounts: []\n"
        "state:\n"
        "    running: false\n"
        "    health:\n"
        '        status: ""\n'
        'endpoint: ""\n'  # dockergen's fields: renders across several engines,
        'imageid: ""\n'  # and the image ID
    )
    # Nil labels/mounts print as empty collections in YAML, null in JSON (spec 3.9).
    bare = RuntimeContainer(Labels=None, Mounts=None)
    assert "labels: {}\n" in toYaml(bare) and "mounts: []\n" in toYaml(bare)
    assert '"Labels":null' in json(bare) and '"Mounts":null' in json(bare)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ([[1, 2], [3]], "- - 1\n  - 2\n- - 3\n"),
        ([{"a": {"b": 1}}], "- a:\n    b: 1\n"),
        ({"k": [{"a": {"b": [1]}}]}, "k:\n    - a:\n        b:\n            - 1\n"),
        (["m\nx"], "- |-\n  m\n  x\n"),
        ({"a": "x\n"}, "a: |\n    x\n"),
        ({"a": "x\n\n", "b": 1}, "a: |+\n    x\n\nb: 1\n"),
        ({"a": " lead\nx"}, "a: |4-\n     lead\n    x\n"),
        ({"a": "trailing \nx"}, 'a: "trailing \\nx"\n'),
        ({"a": "a\tb"}, 'a: "a\\tb"\n'),
        ({"a": "tab\n\tx"}, "a: |-\n    tab\n    \tx\n"),
        ({"a": "# c", "b": "a: b", "c": "-", "d": " x", "e": "it's: x"}, "a: '# c'\nb: 'a: b'\nc: '-'\nd: ' x'\ne: 'it''s: x'\n"),
        ({"a": "2001-12-14", "b": "1:30", "c": "<<", "d": "~", "e": "-1", "f": ".5", "g": "1_0"}, 'a: "2001-12-14"\nb: "1:30"\nc: <<\nd: "~"\ne: "-1"\nf: ".5"\ng: "1_0"\n'),
        ({"a": "é", "b": "\U0001f600", "c": "\x07", "d": "\u00a0x"}, 'a: é\nb: "\\U0001F600"\nc: "\\a"\nd: \u00a0x\n'),
        ({"a": "multi\nline"}, "a: |-\n    multi\n    line\n"),
        ({"a": {}, "b": []}, "a: {}\nb: []\n"),
        ({"a": 1e6, "b": 123456.0, "c": 1.0, "d": 1e-5, "e": math.inf, "f": -math.inf}, "a: 1e+06\nb: 123456\nc: 1\nd: 1e-05\ne: .inf\nf: -.inf\n"),
        ({"a": datetime(2023, 1, 2, 3, 4, 5, 120000, tzinfo=UTC)}, "a: 2023-01-02T03:04:05.12Z\n"),
        ({"multi\nkey": 1}, '"multi\\nkey": 1\n'),
        ([], "[]\n"),
        ({}, "{}\n"),
        ("multi\nline", "|-\n    multi\n    line\n"),
        ("", '""\n'),
        (True, "true\n"),
    ],
)
def test_to_yaml_layout(value: object, expected: str) -> None:
    assert toYaml(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        {"b": [1, 2], "a": {"x": "y"}, "c": "yes", "d": "", "e": "multi\nline", "f": "1.0", "g": None},
        {"s": ["a: b", "# x", " lead", "trail ", "\ttab", "null", "0o17", "a\nb\n", "x\n\n\n", "é\U0001f600"]},
        [{"a": [{"b": {"c": ["d", {"e": "f"}]}}]}, [[["deep"]]]],
    ],
)
def test_to_yaml_round_trips(value: object) -> None:
    text = toYaml(value)
    assert fromYaml(text) == value
    assert pyyaml.safe_load(text) == value  # other YAML readers agree


def test_to_yaml_loses_a_leading_line_break_as_yaml_v3_does() -> None:
    # yaml.v3 ends the "|" header line with the text's first line break (checked with Go).
    assert toYaml(["\n"]) == "- |4+\n"
    assert toYaml("\n\nx") == "|4-\n\n    x\n"
    assert fromYaml(toYaml(["\n"])) == [""]


def test_yaml_map_keys_use_yaml_v3_order() -> None:
    # yaml.v3 compares digit runs as numbers and puts non-letters before letters.
    keys = {"a10": 1, "a2": 2, "AB": 3, "A_B": 4, "b": 5, 2: 6, 10: 7}
    assert list(fromYaml(toYaml(keys))) == [2, 10, "A_B", "AB", "a2", "a10", "b"]


def test_to_yaml_errors() -> None:
    assert toYaml(object()) == ""
    with pytest.raises(HelperError, match="cannot serialise"):
        mustToYaml(object())


def test_yaml_filters() -> None:
    assert render("{{ d|toYaml }}", d={"a": 1}) == "a: 1\n"
    assert render('{{ ("a: [1, 2]"|fromYaml).a|length }}') == "2"


# --- JSON ---------------------------------------------------------------------


def test_comment_of_pretty_json() -> None:
    # Section 7, Comment: {{toPrettyJson . | comment "# "}}
    source = '{{ toPrettyJson(ctx)|comment("# ") }}'
    expected = '# {\n#   "bar": "baz",\n#   "foo": "test"\n# }'
    assert render(source, ctx={"bar": "baz", "foo": "test"}) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('{{ json("<a&b>") }}', '"\\u003ca\\u0026b\\u003e"'),
        ('{{ parseJson("{\\"a\\":1}")|json }}', '{"a":1}'),
        ("{{ json(list()) }} {{ json(none) }} {{ json(dict()) }}", "[] null {}"),
        ('{{ toPrettyJson(dict("b", 1, "a", list())) }}', '{\n  "a": [],\n  "b": 1\n}'),
        ('{{ toJson({"b": 1, "a": 2}) }}', '{"a":2,"b":1}'),
        ('{{ toRawJson("<a&b>") }}', '"<a&b>"'),
        ('{{ toPrettyJson("<") }}', '"\\u003c"'),
        ('{{ "x"|toJson }}', '"x"'),
    ],
)
def test_json_rows(source: str, expected: str) -> None:
    assert render(source) == expected


def test_json_of_a_container_keeps_field_names_and_order() -> None:
    container = RuntimeContainer(
        ID="1",
        Created=GoTime(2023, 1, 2, 3, 4, 5, tzinfo=UTC),
        Env={"B": "2", "A": "<1>"},
        Addresses=[Address(IP="10.0.0.1", Port="80", Proto="tcp")],
        Mounts=[Mount(Name="m", RW=True)],
    )
    data = stdlib_json.loads(json(container))
    assert list(data) == [
        "ID", "Created", "Addresses", "Networks", "Devices", "Gateway", "Name", "Hostname",
        "NetworkMode", "Image", "Env", "Volumes", "Node", "Labels", "IP", "IP6LinkLocal",
        "IP6Global", "Mounts", "State", "Endpoint", "ImageID",  # the last two are dockergen's
    ]
    assert data["Created"] == "2023-01-02T03:04:05Z"
    assert list(data["Env"]) == ["A", "B"]
    assert data["Mounts"] == [{"Name": "m", "Source": "", "Destination": "", "Driver": "", "Mode": "", "RW": True}]
    assert "\\u003c1\\u003e" in json(container)
    pretty = toPrettyJson([container])
    assert pretty.startswith('[\n  {\n    "ID": "1",\n    "Created": "2023-01-02T03:04:05Z",')
    assert stdlib_json.loads(pretty) == [data]
    assert json(RuntimeContainer())[:48] == '{"ID":"","Created":"0001-01-01T00:00:00Z","Addre'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.0, "1"),
        (1.5, "1.5"),
        (-0.5, "-0.5"),
        (1e6, "1000000"),
        (1e20, "100000000000000000000"),
        (1e21, "1e+21"),
        (0.00001, "0.00001"),
        (1e-7, "1e-7"),
        (123456789.125, "123456789.125"),
    ],
)
def test_json_floats_like_go(value: float, expected: str) -> None:
    assert json(value) == expected


def test_json_errors() -> None:
    for bad in (math.nan, math.inf, object(), {1.5: "x"}):
        with pytest.raises(HelperError):
            json(bad)
    with pytest.raises(HelperError, match="NaN"):
        toJson([math.nan])


def test_json_escapes_line_separators_even_raw() -> None:
    assert toRawJson("\u2028&") == '"\\u2028&"'
    assert json("\u2029") == '"\\u2029"'
    assert json("é\n\t\x01") == '"é\\n\\t\\u0001"'


@pytest.mark.parametrize(
    ("text", "expected"),
    [("null", None), ("true", True), ("1", 1), ("0.5", 0.5), ('{"enabled":true}', {"enabled": True}), ('[{"enabled":true}]', [{"enabled": True}])],
)
def test_parse_json(text: str, expected: object) -> None:
    # Section 7, ParseJson: Go prints nil as <no value> and true as "true";
    # printing is the renderer's business, the values are checked here.
    assert parseJson(text) == expected
    assert type(parseJson(text)) is type(expected)


def test_parse_json_in_templates() -> None:
    assert render("{{ parseJson(s).enabled is sameas true }}", s='{"enabled":true}') == "True"
    assert render("{{ (parseJson(s)|first).enabled is sameas true }}", s='[{"enabled":true}]') == "True"
    assert render("{{ (s|parseJson)[0] }}", s="[7]") == "7"


@pytest.mark.parametrize("text", ["x", "", "{", "NaN", "[1,]", "1 2"])
def test_parse_json_errors(text: str) -> None:
    with pytest.raises(HelperError, match="invalid JSON"):
        parseJson(text)
    assert fromJson(text) is None


def test_from_json() -> None:
    assert fromJson('{"a": [1]}') == {"a": [1]}
    assert fromJson(jinja2.Undefined()) is None


# --- plain values --------------------------------------------------------------


@dataclass
class Inner:
    Value: int = 1


@dataclass
class Outer:
    Name: str = "n"
    Items: list[Inner] | None = None
    Tags: dict[str, str] | None = None
    Child: Inner | None = None


def test_to_plain() -> None:
    assert to_plain(Outer()) == {"Name": "n", "Items": None, "Tags": None, "Child": None}
    assert to_plain(Outer(), yaml=True) == {"name": "n", "items": [], "tags": {}, "child": None}
    assert to_plain(Outer(Items=[Inner()])) == {"Name": "n", "Items": [{"Value": 1}], "Tags": None, "Child": None}
    assert list(to_plain({"b": 1, "a": 2})) == ["a", "b"]
    assert to_plain({1: "x", "2": "y"}) == {"1": "x", "2": "y"}
    assert to_plain((1, 2)) == [1, 2]
    assert to_plain(jinja2.Undefined()) is None
    assert type(to_plain(markupsafe.Markup("<b>"))) is str
    assert to_plain(GoTime.zero()) == "0001-01-01T00:00:00Z"
    assert isinstance(to_plain(GoTime.zero(), yaml=True), datetime)
    assert to_plain(dict_("k", list_(1))) == {"k": [1]}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (GoTime.zero(), "0001-01-01T00:00:00Z"),
        (datetime(2023, 1, 2, 3, 4, 5, 123000, tzinfo=UTC), "2023-01-02T03:04:05.123Z"),
        (datetime(2023, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=-5, minutes=-30))), "2023-01-02T03:04:05-05:30"),
        (datetime(2023, 1, 2), "2023-01-02T00:00:00Z"),
    ],
)
def test_rfc3339(value: datetime, expected: str) -> None:
    assert rfc3339(value) == expected


@pytest.mark.parametrize(
    ("value", "style", "expected"),
    [
        (1e6, "g", "1e+06"),
        (123456.0, "g", "123456"),
        (1234567.0, "g", "1.234567e+06"),
        (0.0001, "g", "0.0001"),
        (0.00001, "g", "1e-05"),
        (0.0, "g", "0"),
        (-2.5, "f", "-2.5"),
        (1e21, "e", "1e+21"),
        (1.25e-7, "e", "1.25e-07"),
    ],
)
def test_go_float(value: float, style: str, expected: str) -> None:
    assert go_float(value, style) == expected
