"""Sprig reflection functions called directly (vectors: sprig-reflection)."""

from dockergen.gotemplate.sprig.reflection import FUNCTIONS  # noqa: F401 - the table the call fixture uses
from dockergen.gotemplate.values import Int64, STRING, new_slice



def test_type_and_kind_names(call):
    values = [1, "s", 1.5, None, [], {}, True, Int64(2), new_slice(STRING, ["a"])]
    assert [call("typeOf", v) for v in values] == [
        "int", "string", "float64", "<nil>", "[]interface {}", "map[string]interface {}", "bool", "int64", "[]string"]
    assert [call("kindOf", v) for v in values] == [
        "int", "string", "float64", "invalid", "slice", "map", "bool", "int64", "slice"]
    assert call("typeIs", "int", 1) and not call("typeIs", "int64", 1) and call("typeIs", "<nil>", None)
    assert call("typeIsLike", "int", 1) and not call("typeIsLike", "string", 1)
    assert call("kindIs", "invalid", None) and not call("kindIs", "string", 1)


def test_deep_equal(call):
    assert call("deepEqual", [1, 2], [1, 2]) and not call("deepEqual", [1], ["1"])
    assert not call("deepEqual", 1, 1.0) and not call("deepEqual", 2, Int64(2))
    assert call("deepEqual", None, None) and call("deepEqual", {"a": 1}, {"a": 1})
