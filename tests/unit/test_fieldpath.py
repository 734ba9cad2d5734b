"""Field paths (docker-gen's deepGet): vectors of section 11 plus Python specifics."""

from __future__ import annotations

from dataclasses import dataclass

import jinja2
import pytest

from dockergen.errors import HelperError
from dockergen.helpers.fieldpath import as_list, deep_get, go_split, is_missing, split_path, unwrap
from dockergen.helpers.functions import dict_
from dockergen.model import Address, RuntimeContainer
from dockergen.helpers.serialize import parseJson
from dockergen.helpers.yamlfmt import fromYaml
from dockergen.helpers.where import where
from template_support import render


@dataclass
class Plain:
    X: str = ""


EMPTY = RuntimeContainer()


@pytest.mark.parametrize(
    ("item", "path", "expected"),
    [
        (RuntimeContainer(ID="expected"), "ID", "expected"),
        (RuntimeContainer(ID="expected"), ".ID", "expected"),
        (RuntimeContainer(Env={"key": "value"}), "Env.key", "value"),
        ({"Env": "quux"}, "Env", "quux"),
        ({"": {"": {"": "foo"}}}, "...", "foo"),
        ({"Env": {"foo.bar.baz.qux": "quux"}}, "Env.foo.bar.baz.qux", "quux"),
        ({"Env": {"foo.bar": {"baz.qux": "quux"}}}, "Env.foo.bar.baz.qux", "quux"),
        (Plain(X="foo"), "X", "foo"),
        # "pointer to that struct": Python objects are references already.
        (Plain(X="foo"), ".X", "foo"),
        # The pointer-to-pointer vector (-> nil) has no Python counterpart.
        (["foo", "bar"], "1", "bar"),
        ([], "0", None),
        ([], "-1", None),
        ([], "foo", None),
        # Go's fixed arrays are tuples here.
        (("foo", "bar"), "1", "bar"),
        (("foo",), "1", None),
        (("foo",), "-1", None),
        (("foo",), "foo", None),
    ],
)
def test_reflect_vectors(item: object, path: str, expected: object) -> None:
    assert deep_get(item, path) == expected


def test_empty_path_is_the_item_itself() -> None:
    assert deep_get(EMPTY, "") is EMPTY


def test_present_empty_value_is_not_missing() -> None:
    container = RuntimeContainer(Env={"EMPTY": ""})
    assert deep_get(container, "Env.EMPTY") == ""
    assert deep_get(container, "Env.NOPE") is None


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("Labels.com.docker.compose.project", "demo"),
        ("Labels.com.docker.compose", None),
        ("Labels.com", None),
        ("Addresses.0.Port", "80"),
        ("Addresses.1.Port", None),
        ("Addresses.+0.Port", None),
        ("Addresses.０.Port", None),  # a full-width digit is no index
        ("Image.Repository", "nginx"),
        ("State.Health.Status", ""),
        ("Nope", None),
        ("ID.upper", None),  # strings have no fields, even methods
        ("Equals", None),  # methods are not fields
        ("Env.VIRTUAL_HOST.x", None),
    ],
)
def test_container_paths(path: str, expected: object) -> None:
    container = RuntimeContainer(
        ID="1",
        Env={"VIRTUAL_HOST": "a.com"},
        Labels={"com.docker.compose.project": "demo"},
        Addresses=[Address(Port="80")],
    )
    container.Image.Repository = "nginx"
    assert deep_get(container, path) == expected


def test_nil_labels_and_mounts() -> None:
    container = RuntimeContainer(Labels=None, Mounts=None)
    assert deep_get(container, "Labels.x") is None
    assert deep_get(container, "Mounts.0") is None


def test_plain_objects_expose_public_attributes_only() -> None:
    class Thing:
        def __init__(self) -> None:
            self.name = "n"
            self._secret = "s"

        def method(self) -> str:
            return "m"

    thing = Thing()
    assert deep_get(thing, "name") == "n"
    assert deep_get(thing, "_secret") is None
    assert deep_get(thing, "method") is None
    assert deep_get(thing, "missing") is None


def test_mapping_with_non_string_keys() -> None:
    assert deep_get({1: "a"}, "1") is None
    assert deep_get({"1": "a"}, "1") == "a"


def test_path_must_be_a_string() -> None:
    with pytest.raises(HelperError, match="field path must be a string"):
        deep_get(EMPTY, 1)  # type: ignore[arg-type]


def test_split_path_is_cached_and_strips_one_dot() -> None:
    assert split_path("") is None
    assert split_path(".ID") == ("ID",)
    assert split_path("..ID") == ("", "ID")
    assert split_path("Env.X") is split_path("Env.X")


def test_undefined_is_missing() -> None:
    undefined = jinja2.Undefined()
    assert is_missing(None) and is_missing(undefined)
    assert not is_missing("") and not is_missing(0) and not is_missing(False)
    assert unwrap(undefined) is None
    assert unwrap("") == ""
    assert deep_get(undefined, "x") is None
    assert deep_get({"a": undefined}, "a") is None
    assert deep_get(undefined, "") is None


# EXTRA (VERIFIED) vectors of section 11.


@pytest.mark.parametrize(
    "nested",
    [dict_("a", dict_("b", "c")), parseJson('{"a":{"b":"c"}}'), fromYaml("a:\n  b: c")],
    ids=["dict", "parseJson", "fromYaml"],
)
def test_runtime_nested_maps_can_be_descended(nested: object) -> None:
    # Deliberate improvement (spec section 8 item 13): Go cannot descend
    # through interface-typed map values and finds 0 items; Python has no
    # such typing, so the path works on parsed/`dict` maps too.
    assert len(where([nested], "a.b", "c")) == 1


def test_where_extra_vectors() -> None:
    containers = [RuntimeContainer(ID="1")]
    assert render('{{ where(c, "Addresses.0.Port", "80")|length }}', c=containers) == "0"
    assert render('{{ where(c, "", "1")|length }}', c=containers) == "0"
    assert render('{{ where(c, ".ID", "1")|length }}', c=containers) == "1"


def test_as_list() -> None:
    assert as_list([1], "f") == [1]
    assert as_list((1,), "f") == (1,)
    assert as_list((x for x in [1, 2]), "f") == [1, 2]
    for bad in ("string", None, jinja2.Undefined(), {"a": 1}, 3, RuntimeContainer()):
        with pytest.raises(HelperError, match="must pass an array or slice to 'f'"):
            as_list(bad, "f")


@pytest.mark.parametrize(
    ("text", "sep", "n", "expected"),
    [
        ("a,b,,c", ",", -1, ["a", "b", "", "c"]),
        ("", ",", -1, [""]),
        ("abc", "", -1, ["a", "b", "c"]),
        ("", "", -1, []),
        ("a,b,c", ",", 0, []),
        ("a,b,c", ",", 1, ["a,b,c"]),
        ("a,b,c", ",", 2, ["a", "b,c"]),
        ("abc", "", 2, ["a", "bc"]),
    ],
)
def test_go_split(text: str, sep: str, n: int, expected: list[str]) -> None:
    assert go_split(text, sep, n) == expected
