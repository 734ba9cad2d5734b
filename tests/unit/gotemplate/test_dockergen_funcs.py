"""docker-gen's functions as the Go engine calls them: Go types in and out, Go's error texts."""

from __future__ import annotations

import importlib.util

import pytest

from dockergen.gotemplate.context import load_fixture
from dockergen.gotemplate.dockergen_funcs import FUNCTIONS, GO_PATHS
from dockergen.gotemplate.errors import GoError
from dockergen.gotemplate.values import (
    MAP_STRING_STRING, MISSING, STRING, STRINGS, GoMap, GoSlice, map_of, new_map, type_name,
)
from dockergen.helpers.fieldpath import get_parts, split_path
from reference_support import CONTEXTS


needs_vectors = pytest.mark.skipif(not CONTEXTS.is_dir(), reason="vectors not available")
needs_fmt = pytest.mark.skipif(importlib.util.find_spec("dockergen.gotemplate.fmt") is None, reason="fmt.py not there yet")



def names(items):
    return [c.Name for c in items]


@pytest.fixture
def basic():
    return load_fixture(CONTEXTS / "basic.json")[0]


def test_all_docker_gen_names_declared():
    assert len(FUNCTIONS) == 55
    assert FUNCTIONS["json"].name == "json" and FUNCTIONS["toUpper"].params[0].name == "string"
    assert FUNCTIONS["eval"].needs_state and FUNCTIONS["whereLabelExists"].params[0].name == "context.Context"


@needs_vectors
def test_group_by_types_and_dotted_labels(call, basic):
    groups = call("groupBy", basic, "Labels.com.docker.compose.project")
    assert type_name(groups) == "map[string][]interface {}"
    assert {k: len(v) for k, v in groups.items()} == {"batch": 1, "shop": 4}
    assert type_name(call("groupByKeys", basic, "Name")) == "[]string"
    multi = call("groupByMulti", basic, "Env.VIRTUAL_HOST", ",")
    assert sorted(multi) == ["api.example.com", "app.example.com", "static.example.com", "whoami.example.com", "www.example.com"]


@needs_vectors
def test_group_by_non_string_is_go_panic_text(call, basic):
    with pytest.raises(GoError, match=r"^interface conversion: interface \{\} is bool, not string$"):
        call("groupBy", basic, "State.Running")
    with pytest.raises(GoError, match="is context.DockerImage, not string"):
        call("groupBy", basic, "Image")


def test_deep_get_stops_below_interface_values(call):
    assert call("where", [{"a": {"b": "c"}}], "a.b", "c") == []
    assert len(call("where", [{"t": "x"}], "t", "x")) == 1
    inner = new_map(STRING, STRING, {"b": "c"})
    assert get_parts({"a": inner}, split_path("a.b"), GO_PATHS) is None  # below interface{}
    typed = GoMap(map_of(STRING, MAP_STRING_STRING), {"a": inner})
    assert get_parts(typed, split_path("a.b"), GO_PATHS) == "c"  # statically typed: fine
    assert get_parts(typed, split_path("a"), GO_PATHS) is inner


@needs_vectors
def test_where_is_type_strict_and_walks_slices(call, basic):
    assert names(call("where", basic, "State.Running", False)) == ["shop-db-1"]
    assert call("where", basic, "Env.VIRTUAL_PORT", 80) == []
    assert names(call("where", basic, "Addresses.0.Port", "80")) == ["shop-frontend-1", "whoami", "nginx-proxy", "static-site"]
    assert type_name(call("where", basic, "Name", "x")) == "[]interface {}"
    assert len(call("where", basic, "Networks.-1.Name", "x")) == 0


@needs_vectors
def test_where_label_results_are_contexts(call, basic):
    found = call("whereLabelExists", basic.target, "com.example.backup")
    assert type_name(found) == "context.Context" and names(found) == ["shop-db-1"]
    with pytest.raises(GoError, match=r"^error parsing regexp: missing closing \): `\(`$"):
        call("whereLabelValueMatches", basic.target, "x", "(")


@needs_vectors
def test_sort_objects_numeric_and_stable(call, basic):
    order = names(call("sortObjectsByKeysAsc", basic, "Env.VIRTUAL_PORT"))
    assert order[-3:] == ["static-site", "shop-api-1", "shop-frontend-1"]
    desc = names(call("sortObjectsByKeysDesc", basic, "Labels.com.docker.compose.project"))
    assert desc[:4] == ["shop-frontend-1", "shop-api-1", "shop-db-1", "static-site"]


def test_sort_strings_in_place(call):
    values = GoSlice(STRINGS, ["é", "z", "e", "Z"])
    assert call("sortStringsAsc", values) is values and values == ["Z", "e", "z", "é"]
    call("sortStringsDesc", values)
    assert values == ["é", "z", "e", "Z"]


def test_strings_and_validation(call):
    assert call("split", "", ",") == [""] and type_name(call("split", "a", ",")) == "[]string"
    assert call("splitN", "a,b,c", ",", 2) == ["a", "b,c"] and call("splitN", "a,b,c", ",", 0) == []
    assert call("replace", "abc", "", "-", -1) == "-a-b-c-"
    assert call("comment", "// ", "a\n") == "// a\n// "
    assert call("closest", GoSlice(STRINGS, ["ab", "bc"]), "abc") == "ab"
    assert call("coalesce", None, "", "x") == "" and call("coalesce") is None
    assert call("when", False, 1, 2) == 2
    assert call("contains", {"1": 1}, 1) is False
    assert call("toUpper", "straße") == "STRAßE" and call("sha1", "abc").startswith("a9993e36")
    assert call("mustBeInt", "+3") == "+3"
    with pytest.raises(GoError, match=r"^invalid allowed range 10\.\.1$"):
        call("mustBeIntInRange", 10, 1, "5")
    with pytest.raises(GoError, match=r'^value must be one of \["a" "b"\]; got "c"$'):
        call("mustBeOneOf", ["a", "b"], "c")
    with pytest.raises(GoError, match=r'^strconv.ParseBool: parsing "yes": invalid syntax$'):
        call("parseBool", "yes")
    with pytest.raises(GoError, match="^HSTS value cannot be empty$"):
        call("nginxMustParseHSTS", "  ")


def test_keys_nil_and_maps(call):
    assert call("keys", None) is None
    assert call("keys", GoMap(STRINGS, (), nil=True)) == []  # type is irrelevant here
    assert sorted(call("keys", {"b": 1, "a": 2})) == ["a", "b"]


def test_files(call, tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "b").write_bytes(b"x\r\n\xff")
    (tmp_path / "d" / "a").write_text("")
    assert call("dir", str(tmp_path / "d")) == ["a", "b"] and call("dir", str(tmp_path / "nope")) == []
    assert call("exists", str(tmp_path / "d")) and not call("exists", "")
    assert call("include", str(tmp_path / "d" / "b")) == "x\r\n\udcff"
    assert call("include", str(tmp_path / "d")) == ""


class _State:
    def execute_named(self, name, data):
        return f"{name}:{data!r}"


def test_eval_data_and_arity(call):
    assert call("eval", _State(), "t") == f"t:{MISSING!r}"
    assert call("eval", _State(), "t", None) == f"t:{MISSING!r}"
    assert call("eval", _State(), "t", 1) == "t:1"
    with pytest.raises(GoError, match="^too many arguments$"):
        call("eval", _State(), "t", 1, 2)


@needs_fmt
@needs_vectors
def test_non_slice_errors_print_the_value(call, basic):
    with pytest.raises(GoError, match=r"^must pass an array or slice to 'whereNot'; received x; kind string$"):
        call("whereNot", "x", "Name", "x")
    with pytest.raises(GoError, match=r"to 'sortObjsByKeys'; received \{docker-host-1 .*\}; kind struct$"):
        call("sortObjectsByKeysAsc", basic.data.docker, "Name")
    with pytest.raises(GoError, match=r"^must pass an array or slice of \*RuntimeContainer to 'groupByLabel'; received a$"):
        call("groupByLabelWithDefault", ["a"], "x", "d")
    with pytest.raises(GoError, match=r"^allowed value 1 \(type int\) is not a string$"):
        call("mustBeOneOf", ["a", 1], "a")
    with pytest.raises(GoError, match="^cannot call keys on a non-map value: abc$"):
        call("keys", "abc")
