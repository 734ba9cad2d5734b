"""Sprig dict functions and deepCopy called directly (vectors: sprig-dicts)."""

import pytest

from dockergen.gotemplate.errors import GoError
from dockergen.gotemplate.sprig.dicts import FUNCTIONS  # noqa: F401 - the table the call fixture uses



def test_dict_get_set_unset(call):
    assert call("dict", "b", 2, "a", 1) == {"a": 1, "b": 2} and call("dict", "odd") == {"odd": ""}
    d = {"a": 1}
    assert call("get", d, "a") == 1 and call("get", d, "b") == ""
    assert call("set", d, "b", 2) is d and d == {"a": 1, "b": 2}
    assert call("unset", d, "a") is d and d == {"b": 2} and call("unset", {}, "x") == {}
    assert call("hasKey", {"a": None}, "a") and not call("hasKey", {}, "a")


def test_pluck_pick_omit_values(call):
    assert call("pluck", "a", {"a": 1}, {"b": 2}, {"a": 3}) == [1, 3] and call("pluck", "x") == []
    assert call("pick", {"a": 1, "b": 2, "c": 3}, "a", "c", "z") == {"a": 1, "c": 3}
    d = {"x": 1}
    assert call("omit", d, "x") == {} and d == {"x": 1}
    assert sorted(call("values", {"a": "x", "b": "y"})) == ["x", "y"]
    assert sorted(call("keys", {"b": 1}, {"a": 2})) == ["a", "b"]


def test_merge_dst_wins_and_is_mutated(call):
    dst = {"a": 1, "n": {"x": 1}}
    result = call("merge", dst, {"a": 9, "b": 2, "n": {"y": 2}}, {"c": 3})
    assert result is dst and dst == {"a": 1, "b": 2, "c": 3, "n": {"x": 1, "y": 2}}
    assert call("merge", {"a": ""}, {"a": "x"}) == {"a": "x"}
    assert call("mustMerge", {"l": [1]}, {"l": [2, 3]}) == {"l": [1]}
    assert call("merge", {}, {"a": None}) == {}


def test_merge_overwrite_sources_win(call):
    assert call("mergeOverwrite", {"a": 1, "n": {"x": 1}}, {"a": 9, "n": {"y": 2}}) == {"a": 9, "n": {"x": 1, "y": 2}}
    assert call("mergeOverwrite", {"a": 1, "b": 2}, {"a": 0, "b": ""}) == {"a": 0, "b": ""}
    assert call("mustMergeOverwrite", {"l": [1]}, {"l": [2, 3]}) == {"l": [2, 3]}


def test_dig(call):
    d = {"a": {"b": {"c": "found"}}}
    assert call("dig", "a", "b", "c", "default", d) == "found"
    assert call("dig", "a", "x", "default", d) == "default"
    for args, message in [
        (("a", "b", "c", "d", "default", d), "interface conversion: interface {} is string, not map[string]interface {}"),
        (("a", {}), "dig needs at least three arguments"),
        (("a", "def", "notadict"), "interface conversion: interface {} is string, not map[string]interface {}"),
        ((1, "def", {}), "interface conversion: interface {} is int, not string"),
    ]:
        with pytest.raises(GoError) as info:
            call("dig", *args)
        assert str(info.value) == message


def test_deep_copy(call):
    a = {"l": [1, 2], "d": {"x": 1}}
    b = call("deepCopy", a)
    b["d"]["y"] = 2
    b["l"].append(3)
    assert a == {"l": [1, 2], "d": {"x": 1}} and call("mustDeepCopy", 5) == 5
    with pytest.raises(GoError, match=r"^reflect: call of reflect.Value.Type on zero Value$"):
        call("deepCopy", None)
