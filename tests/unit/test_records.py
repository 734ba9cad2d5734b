"""dockergen.records.record: a dataclass whose repr and equality are shared functions, behaving as @dataclass's."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import pytest

from dockergen import model
from dockergen.gotemplate import nodes
from dockergen.records import record


def _pair(slots: bool = False, eq: bool = True) -> tuple[type, type]:
    """The same class body made by @dataclass and by @record."""

    def body() -> dict:
        return {
            "__annotations__": {"a": "int", "b": "str", "items": "list", "hidden": "int", "loose": "int"},
            "__doc__": "A sample.",
            "b": "x",
            "items": field(default_factory=list),
            "hidden": field(default=7, repr=False),
            "loose": field(default=0, compare=False),
        }

    plain = dataclass(slots=slots, eq=eq)(type("Sample", (), body()))
    made = record(slots=slots, eq=eq)(type("Sample", (), body()))
    return plain, made


@pytest.mark.parametrize("slots", [False, True])
def test_repr_is_the_dataclass_repr(slots: bool) -> None:
    plain, made = _pair(slots)
    for args in [(1,), (2, "y", [1, "z"]), (-3, "it's", [None, {"k": 1.5}], 9, 4)]:
        assert repr(made(*args)) == repr(plain(*args))
    shown = made(1)
    shown.items.append(shown)  # shown again inside itself: "...", as the dataclass repr says
    twin = plain(1)
    twin.items.append(twin)
    assert repr(shown) == repr(twin) == "Sample(a=1, b='x', items=[...], loose=0)"


@pytest.mark.parametrize("slots", [False, True])
def test_equality_is_the_dataclass_equality(slots: bool) -> None:
    plain, made = _pair(slots)
    nan = float("nan")
    cases = [((1,), (1,)), ((1,), (2,)), ((1, "x", [1]), (1, "x", [1])), ((1, "x", [1]), (1, "x", [2])),
             ((1, "x", [], 1), (1, "x", [], 2)),  # hidden differs: still compared
             ((1, "x", [], 0, 1), (1, "x", [], 0, 2)),  # loose differs: not compared
             ((nan,), (nan,))]  # the same NaN object: equal, as tuples compare
    for left, right in cases:
        assert (made(*left) == made(*right)) == (plain(*left) == plain(*right)), (left, right)
        assert (made(*left) != made(*right)) == (plain(*left) != plain(*right)), (left, right)
    assert made(1).__eq__(plain(1)) is NotImplemented and made(1) != plain(1)
    assert made.__hash__ is None and plain.__hash__ is None
    with pytest.raises(TypeError):
        hash(made(1))


def test_without_equality_objects_are_compared_and_hashed_by_identity() -> None:
    plain, made = _pair(eq=False)
    one = made(1)
    assert one == one and one != made(1) and hash(one) == object.__hash__(one)
    assert made.__eq__ is object.__eq__ and plain.__eq__ is object.__eq__


def test_it_is_a_dataclass_with_slots() -> None:
    _, made = _pair(slots=True)
    obj = made(1, "y")
    assert [f.name for f in dataclasses.fields(made)] == ["a", "b", "items", "hidden", "loose"]
    assert dataclasses.replace(obj, a=5) == made(5, "y") and made.__match_args__ == ("a", "b", "items", "hidden", "loose")
    assert made.__slots__ == ("a", "b", "items", "hidden", "loose") and not hasattr(obj, "__dict__")
    assert made.__repr__.__qualname__ == "Sample.__repr__" and made.__eq__.__qualname__ == "Sample.__eq__"


def test_a_class_keeps_its_own_repr_and_equality() -> None:
    @record()
    class Own:
        """Writes its own."""

        a: int

        def __repr__(self) -> str:
            return "own"

        def __eq__(self, other: object) -> bool:
            return True

        __hash__ = object.__hash__

    assert repr(Own(1)) == "own" and Own(1) == Own(2) and hash(Own(1)) is not None


def test_the_models_print_and_compare_as_before() -> None:
    container = model.RuntimeContainer(ID="abc", Name="web", Env={"A": "1"})
    shown = repr(container)
    assert shown.startswith("RuntimeContainer(ID='abc', Created=GoTime(1, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)")
    assert "Env={'A': '1'}" in shown and "State=State(Running=False, Health=Health(Status=''))" in shown
    assert container == model.RuntimeContainer(ID="abc", Name="web", Env={"A": "1"})
    assert container != model.RuntimeContainer(ID="abc", Name="web", Env={"A": "2"})
    assert repr(nodes.TextNode(3, "hi")) == "TextNode(pos=3, text='hi')"
    assert nodes.TextNode(3, "hi") != nodes.TextNode(3, "hi")  # nodes compare by identity


@pytest.mark.parametrize("slots", [False, True])
def test_frozen_records_hash_and_refuse_assignment_as_dataclasses_do(slots: bool) -> None:
    def body() -> dict:
        return {"__annotations__": {"a": "int", "b": "str", "loose": "int", "solo": "int"}, "__doc__": "Frozen.",
                "b": "x", "loose": field(default=0, compare=False), "solo": field(default=0, hash=False)}

    plain = dataclass(frozen=True, slots=slots)(type("Frozen", (), body()))
    made = record(frozen=True, slots=slots)(type("Frozen", (), body()))
    for args in [(1,), (2, "y"), (3, "z", 5), (3, "z", 5, 6), (float("nan"),)]:
        assert hash(made(*args)) == hash(plain(*args)) and repr(made(*args)) == repr(plain(*args))
        assert (made(*args) == made(*args)) == (plain(*args) == plain(*args))
    obj = made(1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        obj.a = 2  # type: ignore[misc]
    assert dataclasses.replace(obj, a=2) == made(2) and {made(1), made(1)} == {obj}

    one = record(frozen=True)(type("One", (), {"__annotations__": {"a": "int"}, "__doc__": "One field."}))
    assert hash(one(5)) == hash((5,)) and one(5) == one(5)
