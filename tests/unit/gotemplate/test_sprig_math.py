"""Sprig math called directly, with the values templates pass (vectors: sprig-math)."""

import math

import pytest

from dockergen.gotemplate.errors import GoError
from dockergen.gotemplate.sprig.math import FUNCTIONS  # noqa: F401 - the table the call fixture uses
from dockergen.gotemplate.values import Int64, typeof



@pytest.mark.parametrize("name,args,expected", [
    ("add", (1, 2, 3), 6), ("add", (), 0), ("add", ("1", 2), 3), ("add", (1.9, 1), 2),
    ("add", (True, 1), 2), ("add", (None, 1), 1), ("add", ("x", 1), 1), ("add", ("0x10", 0), 16),
    ("add", ("1.5", 0), 0), ("add", ("3.0", 0), 3), ("add", (9223372036854775807, 1), -(2**63)),
    ("add1", (2.7,), 3), ("sub", (2.9, 0), 2), ("div", (-7, 2), -3), ("div", (10, "5"), 2),
    ("mod", (-7, 3), -1), ("mul", ("2", 2.5), 4), ("mul", (9223372036854775807, 2), -2),
    ("max", (1, 5, 3), 5), ("biggest", (3, "10", -1), 10), ("min", ("3", 10), 3), ("min", (1.9,), 1),
    ("int64", ("0x1F",), 31), ("int64", ("017",), 15), ("toDecimal", ("0777",), 511),
    ("toDecimal", (10,), 8), ("toDecimal", ("-10",), -8), ("toDecimal", ("0o17",), 0),
])
def test_integer_results_are_int64(call, name, args, expected):
    result = call(name, *args)
    assert result == expected and type(result) is Int64


@pytest.mark.parametrize("name", ["div", "mod"])
def test_integer_division_by_zero_panics(call, name):
    with pytest.raises(GoError, match="^runtime error: integer divide by zero$"):
        call(name, 1, "x")


@pytest.mark.parametrize("name,args,expected", [
    ("addf", (0.1, 0.2), 0.3), ("addf", (1.1, 2.2), 3.3), ("addf", (), 0.0), ("add1f", ("2.25",), 3.25),
    ("subf", (0.3, 0.1), 0.2), ("subf", (10, 1, 2, 3.5), 3.5), ("mulf", (0.1, 3), 0.3),
    ("divf", (1, 3), 0.3333333333333333), ("divf", (2, 3), 0.6666666666666667), ("divf", (10, 2, 4), 1.25),
    ("maxf", (1.5, 2, -3), 2.0), ("minf", (1.5, 2, -3), -3.0), ("floor", ("-0.5",), -1.0),
    ("ceil", (0.0001,), 1.0), ("round", (3.14159, 2), 3.14), ("round", (-2.5, 0), -3.0),
    ("round", (1.005, 2), 1.0), ("round", (1234.5678, -2), 1200.0), ("round", (2.345, 2, 0.4), 2.35),
    ("float64", ("inf",), math.inf),
])
def test_float_results(call, name, args, expected):
    result = call(name, *args)
    assert result == expected and type(result) is float


def test_decimal_errors(call):
    with pytest.raises(GoError, match="^decimal division by 0$"):
        call("divf", 1, 0)
    with pytest.raises(GoError, match=r"^Cannot create a Decimal from \+Inf$"):
        call("addf", "inf")


def test_conversions_to_int(call):
    assert [call("int", v) for v in ("42", 3.9, "3.9", "3.0", "0x1F", "08", True, None)] == [42, 3, 0, 3, 31, 0, 1, 0]
    assert typeof(call("int", "1")).name == "int"
    assert [call("atoi", v) for v in ("42", "-3", " 4", "4.0", "0x10", "", "99999999999999999999")] == [
        42, -3, 0, 0, 0, 0, 2**63 - 1]


def test_randint(call):
    assert call("randInt", 5, 6) == 5
    with pytest.raises(GoError, match="^invalid argument to Intn$"):
        call("randInt", 5, 5)
