"""Sprig list functions called directly (vectors: sprig-lists)."""

import pytest

from dockergen.gotemplate.errors import GoError
from dockergen.gotemplate.sprig.lists import FUNCTIONS
from dockergen.gotemplate.values import INT, LIST, STRING, GoSlice, Uint8, new_slice, type_name



def test_list_and_pick(call):
    assert call("tuple", 1, "a", None) == [1, "a", None]
    strings = new_slice(STRING, ["a", "b"])
    assert call("first", strings) == "a" and call("mustLast", [1, 2]) == 2
    assert call("first", []) is None
    rest = call("rest", [])
    assert rest == [] and rest.nil and rest.type is LIST
    assert call("initial", [1, 2, 3]) == [1, 2] and type(call("rest", strings)) is list
    assert call("first", b"hi") == 104 and type(call("first", b"hi")) is Uint8


@pytest.mark.parametrize("name,args,message", [
    ("first", ("abc",), "Cannot find first on type string"),
    ("mustFirst", (3,), "Cannot find first on type int"),
    ("mustInitial", (1.5,), "Cannot find initial on type float64"),
    ("rest", ({},), "Cannot find rest on type map"),
    ("push", (1, 2), "Cannot push on type int"),
    ("prepend", ({}, 1), "Cannot prepend on type map"),
    ("concat", ([1], 2), "Cannot concat type int as list"),
    ("mustReverse", (True,), "Cannot find reverse on type bool"),
    ("uniq", ("aab",), "Cannot find uniq on type string"),
    ("without", ("abc", "a"), "Cannot find without on type string"),
    ("mustHas", (1, "1"), "Cannot find has on type string"),
    ("slice", (5, 1), "list should be type of slice or array but int"),
    ("slice", ([1, 2, 3], 2, 9), "reflect.Value.Slice: slice index out of bounds"),
    ("mustChunk", (2, "abc"), "Cannot chunk type string"),
    ("chunk", (0, [1]), "runtime error: makeslice: len out of range"),
    ("compact", ("abc",), "Cannot compact on type string"),
    ("mustPush", (None, 1), "runtime error: invalid memory address or nil pointer dereference"),
    ("first", (None,), "runtime error: invalid memory address or nil pointer dereference"),
])
def test_errors(call, name, args, message):
    with pytest.raises(GoError) as info:
        call(name, *args)
    assert str(info.value) == message


def test_new_lists_leave_the_input_alone(call):
    original = [1, 2]
    assert call("append", original, 3) == [1, 2, 3] and original == [1, 2]
    assert call("prepend", [2, 3], 1) == [1, 2, 3]
    assert call("concat", [1, 2], new_slice(STRING, ["a"]), []) == [1, 2, "a"] and call("concat") == []
    assert call("reverse", [1, 2, 3]) == [3, 2, 1]


def test_deep_equality_is_type_strict(call):
    assert call("uniq", [1, 2, 1, "1", 2, None, None]) == [1, 2, "1", None]
    assert [type(x) for x in call("uniq", [1, 1.0])] == [int, float]
    assert call("uniq", [[1], [1]]) == [[1]]
    assert call("without", [1, 2, 3, 1], 1, 3) == [2] and call("without", [1.0, 2.0], 1) == [1.0, 2.0]
    assert call("has", 2, [1, 2]) and not call("has", "2", [1, 2]) and call("has", None, [None])
    assert not call("has", 1, None) and not call("has", 1, [1.0])


def test_slice_keeps_the_element_type(call):
    assert call("slice", [1, 2, 3, 4, 5], 1, 3) == [2, 3] and call("slice", [1, 2, 3]) == [1, 2, 3]
    part = call("slice", new_slice(STRING, ["a", "b", "c"]), 2)
    assert isinstance(part, GoSlice) and part == ["c"] and type_name(part) == "[]string"
    assert call("slice", [], 5, 9) is None


def test_chunk_and_compact(call):
    chunks = call("chunk", 2, [1, 2, 3, 4, 5])
    assert chunks == [[1, 2], [3, 4], [5]] and type_name(chunks) == "[][]interface {}"
    assert call("chunk", 3, []) == [] and call("chunk", -3, [1]) == [[1]]
    assert call("compact", [1, "", None, 0, "x", False, [], True]) == [1, "x", True]


def test_sequences(call):
    assert call("until", 3) == [0, 1, 2] and call("until", -2) == [0, -1]
    assert type_name(call("until", 1)) == "[]int"
    assert call("untilStep", 0, 10, 3) == [0, 3, 6, 9] and call("untilStep", 10, 0, -4) == [10, 6, 2]
    assert call("untilStep", 0, 5, 0) == [] and call("untilStep", 5, 0, 1) == []
    seqs = [call("seq", *a) for a in [(5,), (3, 1), (2, 5), (1, 2, 10), (10, -3, 1), (), (1, 2, 3, 4), (0,), (0, -2, -5), (5, 1, 0)]]
    assert seqs == ["1 2 3 4 5", "3 2 1", "2 3 4 5", "1 3 5 7 9", "10 7 4 1", "", "", "1 0", "0 -2 -4", ""]
    assert FUNCTIONS["seq"].variadic is INT
