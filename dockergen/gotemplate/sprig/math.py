"""Sprig's integer math, float math and number conversions (spec §9.4, §9.5, §9.8).

Integer functions convert every operand with Sprig's loose ``toInt64`` and
compute in int64 with Go's wrap-around and truncating division.  The float
functions ``addf``... compute in exact decimal arithmetic (Sprig uses
shopspring/decimal), which is why ``addf 0.1 0.2`` is ``0.3``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ..errors import GoError
from ..funcs import Function, define
from ..values import ANY, FLOAT64, INT, INT64, STRING, Int64
from .coerce import clamped_int10, to_float64, to_int64, wrap_int64

__all__ = ["FUNCTIONS"]

if TYPE_CHECKING:
    from decimal import Decimal

FUNCTIONS: dict[str, Function] = {}

_DIVIDE_BY_ZERO = "runtime error: integer divide by zero"
_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1


# --- integers ----------------------------------------------------------------


@define(FUNCTIONS, "add", (), INT64, variadic=ANY)
def add(*values: Any) -> Int64:
    return Int64(wrap_int64(sum(to_int64(v) for v in values)))


@define(FUNCTIONS, "add1", (ANY,), INT64)
def add1(value: Any) -> Int64:
    return Int64(wrap_int64(to_int64(value) + 1))


@define(FUNCTIONS, "sub", (ANY, ANY), INT64)
def sub(a: Any, b: Any) -> Int64:
    return Int64(wrap_int64(to_int64(a) - to_int64(b)))


@define(FUNCTIONS, "mul", (ANY,), INT64, variadic=ANY)
def mul(first: Any, *rest: Any) -> Int64:
    product = to_int64(first)
    for value in rest:
        product = wrap_int64(product * to_int64(value))
    return Int64(product)


def _go_quotient(a: int, b: int) -> int:
    """Go's ``/`` on int64: truncates toward zero (Python's ``//`` floors)."""
    if b == 0:
        raise GoError(_DIVIDE_BY_ZERO)
    q = abs(a) // abs(b)
    return wrap_int64(q if (a < 0) == (b < 0) else -q)


@define(FUNCTIONS, "div", (ANY, ANY), INT64)
def div(a: Any, b: Any) -> Int64:
    return Int64(_go_quotient(to_int64(a), to_int64(b)))


@define(FUNCTIONS, "mod", (ANY, ANY), INT64)
def mod(a: Any, b: Any) -> Int64:
    x, y = to_int64(a), to_int64(b)
    if y == 0:
        raise GoError(_DIVIDE_BY_ZERO)
    remainder = abs(x) % abs(y)  # Go's %: the sign of the dividend
    return Int64(-remainder if x < 0 else remainder)


@define(FUNCTIONS, "max", (ANY,), INT64, variadic=ANY, aliases=("biggest",))
def max_(first: Any, *rest: Any) -> Int64:
    return Int64(max([to_int64(first), *(to_int64(v) for v in rest)]))


@define(FUNCTIONS, "min", (ANY,), INT64, variadic=ANY)
def min_(first: Any, *rest: Any) -> Int64:
    return Int64(min([to_int64(first), *(to_int64(v) for v in rest)]))


@define(FUNCTIONS, "randInt", (INT, INT), INT)
def rand_int(low: int, high: int) -> int:
    if high - low <= 0:
        raise GoError("invalid argument to Intn")
    import random  # only for randInt: a template doing sums does not load it

    return random.randrange(low, high)


# --- floats (exact decimal arithmetic) --------------------------------------------

_DIVISION_PLACES = 16  # shopspring/decimal's DivisionPrecision
# decimal and fractions are imported by the float functions themselves: a template that
# only adds integers (as nginx-proxy's does) should not pay milliseconds to load them.


def _decimal(value: Any) -> Decimal:
    """shopspring's ``NewFromFloat``: the float's shortest decimal form."""
    from decimal import Decimal

    number = to_float64(value)
    if not math.isfinite(number):
        raise GoError(f"Cannot create a Decimal from {_special(number)}")
    return Decimal(repr(number))


def _special(number: float) -> str:
    if math.isnan(number):
        return "NaN"
    return "+Inf" if number > 0 else "-Inf"


def _divide(a: Decimal, b: Decimal) -> Decimal:
    """``a / b`` rounded to 16 fractional digits, ties away from zero."""
    from decimal import Decimal
    from fractions import Fraction

    if b == 0:
        raise GoError("decimal division by 0")
    scaled = Fraction(a) / Fraction(b) * 10**_DIVISION_PLACES
    whole, remainder = divmod(abs(scaled.numerator), scaled.denominator)
    if 2 * remainder >= scaled.denominator:
        whole += 1
    if scaled < 0:
        whole = -whole
    return Decimal(whole).scaleb(-_DIVISION_PLACES)


def _fold(first: Any, rest: tuple[Any, ...], operation: str) -> float:
    from decimal import localcontext

    with localcontext() as ctx:
        ctx.prec = 5000  # wide enough to keep every sum and product of float64s exact
        ctx.Emax = 999_999
        ctx.Emin = -999_999
        total = _decimal(first)
        for value in rest:
            operand = _decimal(value)
            if operation == "+":
                total = total + operand
            elif operation == "-":
                total = total - operand
            elif operation == "*":
                total = total * operand
            else:
                total = _divide(total, operand)
        result = float(total)
    return 0.0 if result == 0 else result  # a decimal has no negative zero


@define(FUNCTIONS, "addf", (), FLOAT64, variadic=ANY)
def addf(*values: Any) -> float:
    return _fold(0.0, values, "+")


@define(FUNCTIONS, "add1f", (ANY,), FLOAT64)
def add1f(value: Any) -> float:
    return _fold(value, (1,), "+")


@define(FUNCTIONS, "subf", (ANY,), FLOAT64, variadic=ANY)
def subf(first: Any, *rest: Any) -> float:
    return _fold(first, rest, "-")


@define(FUNCTIONS, "mulf", (ANY,), FLOAT64, variadic=ANY)
def mulf(first: Any, *rest: Any) -> float:
    return _fold(first, rest, "*")


@define(FUNCTIONS, "divf", (ANY,), FLOAT64, variadic=ANY)
def divf(first: Any, *rest: Any) -> float:
    return _fold(first, rest, "/")


def _go_max(a: float, b: float) -> float:
    """Go's ``math.Max``: +Inf wins, then NaN propagates, +0 beats -0."""
    if math.isinf(a) and a > 0 or math.isinf(b) and b > 0:
        return math.inf
    if math.isnan(a) or math.isnan(b):
        return math.nan
    if a == 0 and b == 0:
        return a if math.copysign(1, a) > 0 else b
    return a if a > b else b


def _go_min(a: float, b: float) -> float:
    """Go's ``math.Min``: -Inf wins, then NaN propagates, -0 beats +0."""
    if math.isinf(a) and a < 0 or math.isinf(b) and b < 0:
        return -math.inf
    if math.isnan(a) or math.isnan(b):
        return math.nan
    if a == 0 and b == 0:
        return a if math.copysign(1, a) < 0 else b
    return a if a < b else b


@define(FUNCTIONS, "maxf", (ANY,), FLOAT64, variadic=ANY)
def maxf(first: Any, *rest: Any) -> float:
    result = to_float64(first)
    for value in rest:
        result = _go_max(result, to_float64(value))
    return result


@define(FUNCTIONS, "minf", (ANY,), FLOAT64, variadic=ANY)
def minf(first: Any, *rest: Any) -> float:
    result = to_float64(first)
    for value in rest:
        result = _go_min(result, to_float64(value))
    return result


def _whole(number: float, up: bool) -> float:
    """``math.Floor``/``math.Ceil``, keeping infinities, NaN and the sign of zero."""
    if not math.isfinite(number) or number == 0:
        return number
    result = float(math.ceil(number) if up else math.floor(number))
    return math.copysign(result, number) if result == 0 else result


@define(FUNCTIONS, "floor", (ANY,), FLOAT64)
def floor(value: Any) -> float:
    return _whole(to_float64(value), up=False)


@define(FUNCTIONS, "ceil", (ANY,), FLOAT64)
def ceil(value: Any) -> float:
    return _whole(to_float64(value), up=True)


def _go_pow10(n: int) -> float:
    """Go's ``math.Pow(10, n)``: repeated squaring of frexp parts, so not always the float
    nearest 10**n (``Pow(10, 39)`` is one ulp off, and Sprig's ``round`` shows it)."""
    if n == 0:
        return 1.0
    if n == 1:
        return 10.0
    if abs(n) >= 1 << 63:
        return 0.0 if n < 0 else math.inf
    fraction, exponent = 1.0, 0
    x1, xe = math.frexp(10.0)
    i = abs(n)
    while i:
        if xe < -(1 << 12) or (1 << 12) < xe:  # far out of range: overflow or underflow follows
            exponent += xe
            break
        if i & 1:
            fraction *= x1
            exponent += xe
        x1 *= x1
        xe <<= 1
        if x1 < 0.5:
            x1 += x1
            xe -= 1
        i >>= 1
    if n < 0:
        fraction, exponent = 1 / fraction, -exponent
    try:
        return math.ldexp(fraction, exponent)
    except OverflowError:
        return math.inf


@define(FUNCTIONS, "round", (ANY, INT), FLOAT64, variadic=FLOAT64)
def round_(value: Any, places: int, *round_on: float) -> float:
    """Sprig's round: scale, then ceil when the fraction reaches ``round_on`` (default .5), else floor."""
    threshold = round_on[0] if round_on else 0.5
    scale = _go_pow10(places)
    scaled = scale * to_float64(value)
    fraction = math.modf(scaled)[0] if math.isfinite(scaled) else (math.nan if math.isnan(scaled) else 0.0)
    rounded = _whole(scaled, up=fraction >= threshold)
    return rounded / scale if scale != 0 else math.copysign(math.inf, rounded) if rounded else math.nan


# --- conversions ----------------------------------------------------------------------


@define(FUNCTIONS, "atoi", (STRING,), INT)
def atoi(text: str) -> int:
    """``strconv.Atoi`` with the error ignored: 0, or the clamped value on overflow."""
    return clamped_int10(text)


@define(FUNCTIONS, "int", (ANY,), INT)
def to_int(value: Any) -> int:
    return to_int64(value)


@define(FUNCTIONS, "int64", (ANY,), INT64)
def to_int64_(value: Any) -> Int64:
    return Int64(to_int64(value))


@define(FUNCTIONS, "float64", (ANY,), FLOAT64)
def to_float(value: Any) -> float:
    return to_float64(value)


@define(FUNCTIONS, "toDecimal", (ANY,), INT64)
def to_decimal(value: Any) -> Int64:
    """The value printed with ``%v``, read as a base-8 integer; 0 when that fails."""
    if type(value) is str:
        text = value
    elif type(value) is int:  # (named integer types such as time.Month print their String)
        text = str(value)
    else:
        from ..fmt import format_v

        text = format_v(value)
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not digits or any(c not in "01234567" for c in digits):
        return Int64(0)
    number = int(text, 8)
    if not _INT64_MIN <= number <= _INT64_MAX:
        return Int64(0)
    return Int64(number)
