"""where family: vectors of section 9 and the where rows of section 18."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import jinja2
import pytest

from dockergen.errors import HelperError
from dockergen.model import Address, GoTime, Health, RuntimeContainer, State
from dockergen.helpers.where import (
    strict_equal,
    whereAll,
    whereAny,
    whereLabelExists,
    whereLabelValueMatches,
)
from template_support import render

C = RuntimeContainer


@dataclass
class Valued:
    Value: int


W = [
    C(ID="1", Env={"VIRTUAL_HOST": "demo1.localhost"}, Addresses=[Address(IP="172.16.42.1", Port="80", Proto="tcp")]),
    C(ID="2", Env={"VIRTUAL_HOST": "demo2.localhost"}, Addresses=[Address(IP="172.16.42.1", Port="9999", Proto="tcp")]),
    C(ID="3", Env={"VIRTUAL_HOST": "demo3.localhost"}),
    C(ID="4", Env={"VIRTUAL_HOST": "demo2.localhost"}),
]
V = [Valued(5), Valued(3), Valued(5)]


@pytest.mark.parametrize(
    ("source", "ctx", "expected"),
    [
        ('{{ where(c, "Env.VIRTUAL_HOST", "demo1.localhost")|length }}', W, "1"),
        ('{{ where(c, "Env.VIRTUAL_HOST", "demo2.localhost")|length }}', W, "2"),
        ('{{ where(c, "Env.VIRTUAL_HOST", "demo3.localhost")|length }}', W, "1"),
        ('{{ where(c, "Env.NOEXIST", "demo3.localhost")|length }}', W, "0"),
        ('{{ where(c.Addresses, "Port", "80")|length }}', W[0], "1"),
        ('{{ where(c.Addresses, "Port", "80")|length }}', W[1], "0"),
        ('{{ where(c, "Value", 5)|length }}', V, "2"),
        ('{{ whereNot(c, "Env.VIRTUAL_HOST", "demo1.localhost")|length }}', W, "3"),
        ('{{ whereNot(c, "Env.VIRTUAL_HOST", "demo2.localhost")|length }}', W, "2"),
        ('{{ whereNot(c, "Env.VIRTUAL_HOST", "demo3.localhost")|length }}', W, "3"),
        ('{{ whereNot(c, "Env.NOEXIST", "demo3.localhost")|length }}', W, "4"),
        ('{{ whereNot(c.Addresses, "Port", "80")|length }}', W[0], "0"),
        ('{{ whereNot(c.Addresses, "Port", "80")|length }}', W[1], "1"),
        ('{{ whereNot(c, "Value", 5)|length }}', V, "1"),
        # The same through the filter form, Go's pipe style.
        ('{{ c|where("Env.VIRTUAL_HOST", "demo2.localhost")|length }}', W, "2"),
        ('{{ c.Addresses|whereNot("Port", "80")|length }}', W[1], "1"),
    ],
)
def test_where_and_where_not(source: str, ctx: object, expected: str) -> None:
    assert render(source, c=ctx) == expected


X = [
    C(ID="1", Env={"VIRTUAL_HOST": "demo1.localhost", "VIRTUAL_PATH": "/api"}),
    C(ID="2", Env={"VIRTUAL_HOST": "demo2.localhost"}),
    C(ID="3", Env={"VIRTUAL_HOST": "demo3.localhost", "VIRTUAL_PATH": "/api"}),
    C(ID="4", Env={"VIRTUAL_PROTO": "https"}),
]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('{{ whereExist(c, "Env.VIRTUAL_HOST")|length }}', "3"),
        ('{{ whereExist(c, "Env.VIRTUAL_PATH")|length }}', "2"),
        ('{{ whereExist(c, "Env.NOT_A_KEY")|length }}', "0"),
        ('{{ whereExist(c, "Env.VIRTUAL_PROTO")|length }}', "1"),
        ('{{ whereNotExist(c, "Env.VIRTUAL_HOST")|length }}', "1"),
        ('{{ whereNotExist(c, "Env.VIRTUAL_PATH")|length }}', "2"),
        ('{{ whereNotExist(c, "Env.NOT_A_KEY")|length }}', "4"),
        ('{{ whereNotExist(c, "Env.VIRTUAL_PROTO")|length }}', "3"),
        ('{{ c|whereExist("Env.VIRTUAL_PATH")|length }}', "2"),
    ],
)
def test_where_exist(source: str, expected: str) -> None:
    assert render(source, c=X) == expected


Y = [
    C(ID="1", Env={"VIRTUAL_HOST": "demo1.localhost"}),
    C(ID="2", Env={"VIRTUAL_HOST": "demo2.localhost,demo4.localhost"}),
    C(ID="3", Env={"VIRTUAL_HOST": "bar,demo3.localhost,foo"}),
    C(ID="4", Env={"VIRTUAL_HOST": "demo2.localhost"}),
]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('{{ whereAny(c, "Env.VIRTUAL_HOST", ",", split("demo1.localhost", ","))|length }}', "1"),
        ('{{ whereAny(c, "Env.VIRTUAL_HOST", ",", split("demo2.localhost,lala", ","))|length }}', "2"),
        ('{{ whereAny(c, "Env.VIRTUAL_HOST", ",", split("something,demo3.localhost", ","))|length }}', "1"),
        ('{{ whereAny(c, "Env.NOEXIST", ",", split("demo3.localhost", ","))|length }}', "0"),
        ('{{ whereAll(c, "Env.VIRTUAL_HOST", ",", split("demo1.localhost", ","))|length }}', "1"),
        ('{{ whereAll(c, "Env.VIRTUAL_HOST", ",", split("demo2.localhost,lala", ","))|length }}', "0"),
        ('{{ whereAll(c, "Env.VIRTUAL_HOST", ",", split("demo3.localhost", ","))|length }}', "1"),
        ('{{ whereAll(c, "Env.NOEXIST", ",", split("demo3.localhost", ","))|length }}', "0"),
        ('{{ c|whereAny("Env.VIRTUAL_HOST", ",", ["demo4.localhost"])|length }}', "1"),
    ],
)
def test_where_any_all(source: str, expected: str) -> None:
    assert render(source, c=Y) == expected


def test_where_all_quirks() -> None:
    # Kept from Go: duplicates in the wanted list never match (the common
    # pieces are counted distinct against the list's length) ...
    assert whereAll(Y, "Env.VIRTUAL_HOST", ",", ["demo1.localhost", "demo1.localhost"]) == []
    # ... and an empty wanted list matches every item that has the field.
    assert [c.ID for c in whereAll(Y + [C(ID="5")], "Env.VIRTUAL_HOST", ",", [])] == ["1", "2", "3", "4"]


def test_where_any_all_argument_errors() -> None:
    with pytest.raises(HelperError, match="must be strings"):
        whereAny(Y, "Env.VIRTUAL_HOST", ",", [1])
    with pytest.raises(HelperError, match="must pass an array"):
        whereAny(Y, "Env.VIRTUAL_HOST", ",", "demo1.localhost")


LE = [
    C(ID="1", Labels={"com.example.foo": "foo", "com.example.bar": "bar"}),
    C(ID="2", Labels={"com.example.bar": "bar"}),
]
LM = [
    C(ID="1", Labels={"com.example.foo": "foo", "com.example.bar": "bar"}),
    C(ID="2", Labels={"com.example.bar": "BAR"}),
]


@pytest.mark.parametrize(
    ("source", "ctx", "expected"),
    [
        ('{{ whereLabelExists(c, "com.example.foo")|length }}', LE, "1"),
        ('{{ whereLabelExists(c, "com.example.bar")|length }}', LE, "2"),
        ('{{ whereLabelExists(c, "com.example.baz")|length }}', LE, "0"),
        ('{{ whereLabelDoesNotExist(c, "com.example.foo")|length }}', LE, "1"),
        ('{{ whereLabelDoesNotExist(c, "com.example.bar")|length }}', LE, "0"),
        ('{{ whereLabelDoesNotExist(c, "com.example.baz")|length }}', LE, "2"),
        ('{{ whereLabelValueMatches(c, "com.example.foo", "^foo$")|length }}', LM, "1"),
        ('{{ whereLabelValueMatches(c, "com.example.foo", "\\\\d+")|length }}', LM, "0"),
        ('{{ whereLabelValueMatches(c, "com.example.bar", "^bar$")|length }}', LM, "1"),
        # Go's regexp: an inline flag may follow "^" (Python's re refuses that).
        ('{{ whereLabelValueMatches(c, "com.example.bar", "^(?i)bar$")|length }}', LM, "2"),
        ('{{ whereLabelValueMatches(c, "com.example.bar", ".*")|length }}', LM, "2"),
        ('{{ whereLabelValueMatches(c, "com.example.baz", ".*")|length }}', LM, "0"),
        ('{{ c|whereLabelValueMatches("com.example.bar", "AR")|length }}', LM, "1"),
    ],
)
def test_label_helpers(source: str, ctx: object, expected: str) -> None:
    assert render(source, c=ctx) == expected


def test_label_regex_is_a_search_not_a_full_match() -> None:
    assert len(whereLabelValueMatches(LM, "com.example.bar", "a")) == 1


def test_label_helpers_need_containers() -> None:
    with pytest.raises(HelperError, match="no Labels"):
        whereLabelExists(["a"], "x")
    with pytest.raises(HelperError, match="no Labels"):
        whereLabelExists([{"Labels": {"x": "1"}}], "x")
    assert whereLabelExists([C(ID="1", Labels=None)], "x") == []


def test_bad_regex_is_a_helper_error() -> None:
    with pytest.raises(HelperError) as info:
        whereLabelValueMatches(LM, "com.example.bar", "(")
    assert str(info.value) == "'whereLabelValueMatches': error parsing regexp: missing closing ): `(`"
    with pytest.raises(HelperError, match="must be a string"):
        whereLabelValueMatches(LM, "com.example.bar", 1)


@pytest.mark.parametrize(
    ("pattern", "ids"),
    [
        ("(?U)^ba.+", ["1", "3"]),  # Go's ungreedy flag (Python's re has none)
        ("(?i)^bar\\z", ["1", "2"]),  # \z, Go's end of text
        ("^\\pL+$", ["1", "2"]),
        ("^[[:upper:]]+$", ["2"]),
        ("^bar$", ["1"]),  # $ is the end of the text only
    ],
)
def test_regex_is_go_syntax(pattern: str, ids: list[str]) -> None:
    labelled = [*LM, C(ID="3", Labels={"com.example.bar": "bar\n"})]
    assert [c.ID for c in whereLabelValueMatches(labelled, "com.example.bar", pattern)] == ids


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        # Python's re takes these; Go's regexp (and so both engines) does not.
        ("(?=b)", "invalid or unsupported Perl syntax: `(?=`"),
        ("(b)\\1", "invalid escape sequence: `\\1`"),
        ("bar\\Z", "invalid escape sequence: `\\Z`"),
        ("b{,2}x{1001}", "invalid repeat count: `{1001}`"),
    ],
)
def test_python_only_syntax_is_refused(pattern: str, message: str) -> None:
    with pytest.raises(HelperError) as info:
        render('{{ whereLabelValueMatches(c, "com.example.bar", p)|length }}', c=LM, p=pattern)
    assert str(info.value) == f"'whereLabelValueMatches': error parsing regexp: {message}"


# Section 18 rows.

C1 = C(
    ID="1",
    Name="one",
    Env={"VIRTUAL_HOST": "a.com,b.com", "PORT": "80"},
    Labels={"com.example.foo": "x"},
    Addresses=[Address(IP="10.0.0.1", Port="80", Proto="tcp")],
    State=State(Running=True, Health=Health(Status="healthy")),
)
C2 = C(ID="2", Name="two", Env={"VIRTUAL_HOST": "b.com"})


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('{{ where(c, "State.Running", true)|length }}', "1"),
        ('{{ where(c, "State.Running", "true")|length }}', "0"),
        ('{{ where(c, "Env.PORT", 80)|length }}', "0"),
        ('{{ whereAll(c, "Env.VIRTUAL_HOST", ",", split("b.com,b.com", ","))|length }}', "0"),
        ('{{ where(whereLabelExists(c, "com.example.foo"), "ID", "1")|length }}', "1"),
        # Go rejects a `where` result here (a generic list, not []RuntimeContainer).
        # Python lists carry no such type, so this works on purpose.
        ('{{ whereLabelExists(where(c, "ID", "1"), "com.example.foo")|length }}', "1"),
    ],
)
def test_template_rows(source: str, expected: str) -> None:
    assert render(source, c=[C1, C2]) == expected


def test_where_any_on_a_bool_field_is_an_error() -> None:
    with pytest.raises(HelperError, match="must be a string"):
        render('{{ whereAny(c, "State.Running", ",", split("true", ","))|length }}', c=[C1, C2])


def test_missing_value_matches_missing_field() -> None:
    # A missing map key reaches the helper as jinja2.Undefined and counts as None,
    # which deep-equals a missing field (Go: nil == nil).
    assert render('{{ where(c, "Env.NOPE", c[0].Env.NOPE)|length }}', c=[C1, C2]) == "2"


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        (True, 1, False),
        (1, True, False),
        (1, 1.0, False),
        ("80", 80, False),
        (None, None, True),
        (None, jinja2.Undefined(), True),
        ([1, "a"], (1, "a"), True),
        ([True], [1], False),
        ({"a": [1]}, {"a": [1]}, True),
        ({1: "x"}, {True: "x"}, False),
        ({"a": 1}, {"a": 1, "b": 2}, False),
        ("x", "x", True),
        (GoTime.zero(), datetime(1, 1, 1, tzinfo=timezone.utc), True),
    ],
)
def test_strict_equal(a: object, b: object, equal: bool) -> None:
    assert strict_equal(a, b) is equal


def test_non_list_input_is_refused() -> None:
    with pytest.raises(HelperError, match="must pass an array or slice to 'where'"):
        render('{{ where("x", "ID", "1") }}')
    with pytest.raises(HelperError, match="must pass an array or slice to 'where'"):
        render('{{ where(nothing, "ID", "1") }}')


def test_ten_thousand_containers_render() -> None:
    # Timing belongs in bench/ (no timing asserts in tests); this checks the results at scale.
    containers = [
        C(
            ID=str(i),
            Name=f"c{i}",
            Env={"VIRTUAL_HOST": f"h{i % 50}.example.com,x{i % 7}.example.com", "VIRTUAL_PORT": "80"},
            Labels={"com.docker.compose.project": f"p{i % 10}"},
            Addresses=[Address(IP="10.0.0.1", Port="80", Proto="tcp")],
        )
        for i in range(10_000)
    ]
    source = (
        '{% for host, cs in groupByMulti(whereExist(c, "Env.VIRTUAL_HOST"), "Env.VIRTUAL_HOST", ",").items() %}'
        '{{ host }} {{ where(cs, "Env.VIRTUAL_PORT", "80")|length }}\n'
        "{% endfor %}"
        '{{ groupByLabel(c, "com.docker.compose.project")|length }}'
        '{{ sortObjectsByKeysAsc(c, "ID")|length }}'
    )
    output = render(source, c=containers)
    lines = output.splitlines()
    assert len(lines) == 50 + 7 + 1  # one line per host, then the two counts
    assert "h0.example.com 200" in lines and "x0.example.com 1429" in lines
    assert output.endswith("1010000")
