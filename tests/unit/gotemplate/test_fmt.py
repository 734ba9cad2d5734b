"""Go fmt semantics of dockergen.gotemplate.fmt, checked against outputs of Go's fmt."""

from __future__ import annotations

import math

import pytest

from dockergen.gotemplate.fmt import (
    action_text, duration_string, format_float, format_v, go_quote, go_quote_rune, sprint, sprintf, sprintln,
)
from dockergen.gotemplate.values import (
    INT, MISSING, STRING, STRINGS, Duration, Float32, GoMap, Int64, Method, NilPointer, Pointer, Uint8, Uint64,
    map_of, new_slice, nil_map, nil_slice, pointer_to, register_struct, slice_of,
)
from dockergen.model import GoTime


class _Inner:
    def __init__(self, a: str, b: str) -> None:
        self.A, self.B = a, b


INNER = register_struct(_Inner, "main.Inner", [("A", STRING), ("B", STRING)])


class _PtrStringer:
    """A struct whose String has a pointer receiver (like docker-gen's DockerImage)."""

    def __init__(self, name: str) -> None:
        self.Name = name


PS = register_struct(_PtrStringer, "main.PS", [("Name", STRING)],
                methods=[Method("String", lambda s: "PS:" + s.Name, (), STRING, pointer_receiver=True)])


class _ValStringer:
    def __init__(self, name: str) -> None:
        self.Name = name


register_struct(_ValStringer, "main.VS", [("Name", STRING)],
                methods=[Method("String", lambda s: "VS:" + s.Name, (), STRING)])


class _PtrNatured:
    """Instances stand for *main.PP and have a String method."""

    def __init__(self, s: str) -> None:
        self.S = s


PP = register_struct(_PtrNatured, "main.PP", [("S", STRING)], pointer=True,
                     methods=[Method("String", lambda p: p.S, (), STRING, pointer_receiver=True)])


class _Plain:
    def __init__(self, n: int, items: object, ptr: object = None) -> None:
        self.N, self.Items, self.Ptr = n, items, ptr


register_struct(_Plain, "main.Plain", [("N", INT), ("Items", STRINGS), ("Ptr", pointer_to(INNER))], pointer=True)


class _Panics:
    pass


register_struct(_Panics, "main.Panics", [],
                methods=[Method("String", lambda p: (_ for _ in ()).throw(RuntimeError("boom")), (), STRING)])


# --- %v ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value, text", [
    (True, "true"), (False, "false"), (42, "42"), (-7, "-7"), (Int64(5), "5"), (Uint8(104), "104"),
    (Uint64(2**64 - 1), "18446744073709551615"),
    ("s", "s"), ("", ""), (None, "<nil>"), (MISSING, "<nil>"),
    (b"hi", "[104 105]"), ([1, "a b", None, True], "[1 a b <nil> true]"), ([], "[]"),
    ({"b": 2, "a": 1, "k": None}, "map[a:1 b:2 k:<nil>]"), ({}, "map[]"),
    ([{"b": 2, "a": [1, None, "x"]}, []], "[map[a:[1 <nil> x] b:2] []]"),
    (1j, "(0+1i)"), (complex(1, -2), "(1-2i)"), (complex(1.5, 0.25), "(1.5+0.25i)"),
    (new_slice(STRING, ["a b", "c"]), "[a b c]"), (nil_slice(STRING), "[]"), (nil_map(STRING, STRING), "map[]"),
    (GoMap(map_of(INT, STRING), {3: "c", 1: "a", 2: "b"}), "map[1:a 2:b 3:c]"),
    (GoMap(map_of(map_of(STRING, STRING).key, STRING), {"é": 1, "z": 2, "B": 3}), "map[B:3 z:2 é:1]"),
    (NilPointer(pointer_to(INNER)), "<nil>"),
    (Duration(3723_000_000_000), "1h2m3s"), (Duration(0), "0s"),
])
def test_format_v(value: object, text: str) -> None:
    assert format_v(value) == text


@pytest.mark.parametrize("f, text", [
    (0.1, "0.1"), (100.0, "100"), (1.0, "1"), (1e6, "1e+06"), (123456.0, "123456"), (1e-5, "1e-05"),
    (0.0001, "0.0001"), (123456.789, "123456.789"), (1 / 3, "0.3333333333333333"), (1e21, "1e+21"),
    (1234567.0, "1.234567e+06"), (123456789.0, "1.23456789e+08"), (1.7e9, "1.7e+09"), (1e100, "1e+100"),
    (-0.0, "-0"), (0.0, "0"), (math.inf, "+Inf"), (-math.inf, "-Inf"), (math.nan, "NaN"), (250.0, "250"),
    (5e-324, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"),
])
def test_float_v_rule(f: float, text: str) -> None:
    assert format_v(f) == text
    assert format_float(f) == text


def test_float32_shortest() -> None:
    assert format_v(Float32(0.1)) == "0.1"
    assert format_v(Float32(16777216.0)) == "1.6777216e+07"
    assert sprintf("%T", Float32(1)) == "float32"


def test_format_float_strconv() -> None:
    assert format_float(1.5, "f", -1) == "1.5"
    assert format_float(1e21, "f", -1) == "1000000000000000000000"
    assert format_float(1.5, "e", -1) == "1.5e+00"
    assert format_float(0.0, "e", -1) == "0e+00"
    assert format_float(1.0, "b", -1) == "4503599627370496p-52"
    assert format_float(0.0, "b", -1) == "0p-1074"
    assert format_float(3.14159, "g", 3) == "3.14"


# --- structs, pointers, Stringers ---------------------------------------------------------


def test_struct_forms() -> None:
    v = _Inner("a", "b")
    assert format_v(v) == "{a b}"
    assert sprintf("%+v", v) == "{A:a B:b}"
    assert sprintf("%#v", v) == 'main.Inner{A:"a", B:"b"}'
    assert sprintf("%v", [v, v]) == "[{a b} {a b}]"


def test_pointer_top_level_and_nested() -> None:
    inner = _Inner("x", "y")
    ptr = Pointer(inner, pointer_to(INNER))
    assert format_v(ptr) == "&{x y}"
    nested = format_v([ptr])
    assert nested.startswith("[0xc") and nested.endswith("]")
    assert format_v(Pointer([1, 2], pointer_to(slice_of(INT)))) == "&[1 2]"
    assert format_v(Pointer({"a": 1}, pointer_to(map_of(STRING, INT)))) == "&map[a:1]"
    plain = _Plain(3, new_slice(STRING, ["a"]), None)
    assert format_v(plain) == "&{3 [a] <nil>}"
    assert sprintf("%+v", plain) == "&{N:3 Items:[a] Ptr:<nil>}"
    with_ptr = format_v(_Plain(1, nil_slice(STRING), ptr))
    assert with_ptr.startswith("&{1 [] 0xc")
    assert sprintf("%#v", _Plain(1, nil_slice(STRING))) == "&main.Plain{N:1, Items:[]string(nil), Ptr:(*main.Inner)(nil)}"


def test_nil_pointer_verbs() -> None:
    nil = NilPointer(pointer_to(INNER))
    assert sprintf("%v|%+v|%s|%d", nil, nil, nil, nil) == "<nil>|<nil>|%!s(*main.Inner=<nil>)|0"
    assert sprintf("%#v", nil) == "(*main.Inner)(nil)"


def test_stringer_receivers() -> None:
    ps = _PtrStringer("img")
    assert format_v(ps) == "{img}"  # value copy: pointer-receiver String not in its method set
    assert sprintf("%s", ps) == "{img}"
    assert action_text(ps, addressable=True) == "PS:img"
    assert action_text(ps) == "{img}"
    assert format_v(Pointer(ps, pointer_to(PS))) == "PS:img"  # *T's method set has it
    assert format_v([Pointer(ps, pointer_to(PS))]) == "[PS:img]"
    vs = _ValStringer("v")
    assert format_v(vs) == "VS:v"
    assert format_v([vs, {"k": vs}]) == "[VS:v map[k:VS:v]]"
    assert sprintf("%q|%x|%d", vs, vs, vs) == '"VS:v"|56533a76|{%!d(string=v)}'
    assert sprintf("%#v", vs) == 'main.VS{Name:"v"}'


def test_pointer_natured_stringer() -> None:
    pp = _PtrNatured("pp")
    assert format_v(pp) == "pp"
    assert format_v([pp]) == "[pp]"
    assert sprintf("%d", pp) == "&{%!d(string=pp)}"
    assert action_text(pp) == "pp"


def test_panicking_string_method() -> None:
    assert format_v(_Panics()) == "%!v(PANIC=String method: boom)"


def test_time_values() -> None:
    t = GoTime(2017, 12, 31, tzinfo=__import__("datetime").timezone.utc)
    assert format_v(t) == "2017-12-31 00:00:00 +0000 UTC"
    assert format_v([t]) == "[2017-12-31 00:00:00 +0000 UTC]"
    assert sprintf("%s|%T", t, t) == "2017-12-31 00:00:00 +0000 UTC|time.Time"
    assert sprintf("%#v", t) == "time.Date(2017, time.December, 31, 0, 0, 0, 0, time.UTC)"


@pytest.mark.parametrize("ns, text", [
    (0, "0s"), (1, "1ns"), (999, "999ns"), (1500, "1.5µs"), (500_000_000, "500ms"), (1_500_000_000, "1.5s"),
    (95_000_000_000, "1m35s"), (3723_000_000_000, "1h2m3s"), (72 * 3600 * 10**9, "72h0m0s"),
    (-1_500_000_000, "-1.5s"), (3_600_000_000_001, "1h0m0.000000001s"), (-(2**63), "-2562047h47m16.854775808s"),
])
def test_duration_string(ns: int, text: str) -> None:
    assert duration_string(ns) == text
    assert format_v(Duration(ns)) == text


def test_duration_integer_verbs() -> None:
    assert sprintf("%d|%T|%#v", Duration(5), Duration(5), Duration(5)) == "5|time.Duration|5"


# --- action text ---------------------------------------------------------------------------


def test_action_text() -> None:
    assert action_text(MISSING) == "<no value>"
    assert action_text(None) == "<no value>"
    assert action_text(NilPointer(pointer_to(INNER))) == "<nil>"
    assert action_text(Pointer(_Inner("a", "b"), pointer_to(INNER))) == "{a b}"
    assert action_text(_Plain(1, new_slice(STRING, ["x"]))) == "{1 [x] <nil>}"
    assert action_text(Pointer(_PtrStringer("i"), pointer_to(INNER))) == "PS:i"
    assert action_text([None, 1]) == "[<nil> 1]"
    assert action_text(1e6) == "1e+06"


# --- print / println ---------------------------------------------------------------------


def test_sprint_spacing() -> None:
    assert sprint("a", "b") == "ab"
    assert sprint(1, 2) == "1 2"
    assert sprint("a", 1, "b") == "a1b"
    assert sprint(1, "a", 2) == "1a2"
    assert sprint(None, None) == "<nil> <nil>"
    assert sprint("a", None, "b") == "a<nil>b"
    assert sprint([1], 2) == "[1] 2"
    assert sprint() == ""
    assert sprintln("a", "b", 1) == "a b 1\n"
    assert sprintln() == "\n"


# --- printf --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt, args, text", [
    ("%v|%v|%v|%v|%v", (1, "s", True, 1.5, None), "1|s|true|1.5|<nil>"),
    ("%s|%q|%q", ("abc", 'a"b', 65), 'abc|"a\\"b"|\'A\''),
    ("%d|%x|%X|%o|%b|%#x|%#o|%08b", (255, 255, 255, 8, 5, 255, 8, 5), "255|ff|FF|10|101|0xff|010|00000101"),
    ("%O|%#b|%#X|%x|%+d|% d|%5d|%-5d|%05d|%-05d", (8, 5, 255, -255, 5, -5, 42, 42, -42, 42),
     "0o10|0b101|0XFF|-ff|+5|-5|   42|42   |-0042|42   "),
    ("%.3d|%.0d|%5.0d|%08.3d", (7, 0, 0, 5), "007||     |     005"),
    ("%x|% x|%X|%#x|% #x|%.1x|%8x|%-8x|", ("hi", "hi!", "é", "hi", "hi", "hi", "hi", "hi"),
     "6869|68 69 21|C3A9|0x6869|0x68 0x69|68|    6869|6869    |"),
    ("%x|%X|%s|%q|%v|%d", (b"hi", b"hi", b"hi", b"hi", b"hi", b"hi"), '6869|6869|hi|"hi"|[104 105]|[104 105]'),
    ("%#v|%t", (b"hi", b"h"), "[]byte{0x68, 0x69}|[%!t(uint8=104)]"),
    ("%f|%.2f|%5.2f|%-8.3f|%e|%g|%G|%.3g|", (3.14159, 3.14159, 3.14159, 3.14159, 1234.5678, 0.000012, 1e21,
                                             3.14159), "3.141590|3.14| 3.14|3.142   |1.234568e+03|1.2e-05|1E+21|3.14|"),
    ("%.0f %.0f %.0f|%08.3f|%+.1f|% .1f|%+08.2f", (0.5, 1.5, 2.5, -3.14159, 2.0, 2.0, 3.14159),
     "0 2 2|-003.142|+2.0| 2.0|+0003.14"),
    ("%E|%.3e|%F|%g|%g|%.5g|%.3g|%.10g|%.0g", (1234.5678, 0.0, 1.5, 100000.0, 1e6, 1e10, 100.0, 1.0 / 3, 1234.0),
     "1.234568E+03|0.000e+00|1.500000|100000|1e+06|1e+10|100|0.3333333333|1e+03"),
    ("%x|%X|%.2x|%x|%x|%.0x|%b", (3.5, 3.5, 1.0 / 3, 1.0, 0.0, 1.5, 1.0),
     "0x1.cp+01|0X1.CP+01|0x1.55p-02|0x1p+00|0x0p+00|0x1p+01|4503599627370496p-52"),
    ("%#g|%#.0f|%#.0e|%#v", (1.0, 1.0, 1.0, 1.0), "1.00000|1.|1.e+00|1"),
    ("%5.1f|%-6v|%06v|%v|%6.2f|%06f", (math.inf, math.nan, -math.inf, math.nan, math.inf, math.inf),
     " +Inf|NaN   |  -Inf|NaN|  +Inf|  +Inf"),
    ("%v|%.2f|%+v|%8.2f", (complex(1, 2), complex(1, -2.5), complex(1, 2), complex(1, 2)),
     "(1+2i)|(1.00-2.50i)|(1+2i)|(    1.00   +2.00i)"),
    ("[%5s][%-5s][%05d][%+d][% d][%-4d]", ("ab", "ab", 42, 42, 42, 7), "[   ab][ab   ][00042][+42][ 42][7   ]"),
    ("[%*d][%-*s][%*s]", (5, 42, 4, "x", -3, "y"), "[   42][x   ][y  ]"),
    ("%*s|%-*s|%.*f", (5, "ab", 4, "c", 2, 3.14159), "   ab|c   |3.14"),
    ("[%05s][%.2s][%5.1s][%.1q][%6q][%-6q]", ("ab", "héllo", "xyz", "abc", "a", "a"),
     '[000ab][hé][    x]["a"][   "a"]["a"   ]'),  # the 0 flag pads strings with zeros
    ("%05q|%05x|%05x|%05t|%05c|%07v|%05d", ("b", "b", "", True, 65, None, "b"),
     '00"b"|00062|00000|0true|0000A|00<nil>|%!d(string=0000b)'),
    ("%05v|%-05s|% 06x", ([1, "a"], "b", "ab"), "[00001 0000a]|b    |061 62"),
    ("[%3s][%-4s]", ("日本", "é"), "[ 日本][é   ]"),
    ("%t %t|%5t|%t", (True, False, True, 1), "true false| true|%!t(int=1)"),
    ("%c|%U|%#U|%c%c|%c|%q|%q|%+q|%U|%#.6U", (233, 233, 128512, ord("o"), ord("k"), -1, 0, 39, 233, 65, 65),
     "é|U+00E9|U+1F600 '😀'|ok|\ufffd|'\\x00'|'\\''|'\\u00e9'|U+0041|U+000041 'A'"),
    ("100%%|%5%|%-%", (), "100%|%|%"),
    ("%d %d", (1,), "1 %!d(MISSING)"),
    ("%d", (1, 2, "x"), "1%!(EXTRA int=2, string=x)"),
    ("x", (None,), "x%!(EXTRA <nil>)"),
    ("%d|%s|%t", ("str", 5, "x"), "%!d(string=str)|%!s(int=5)|%!t(string=x)"),
    ("%z|%!", (1,), "%!z(int=1)|%!!(MISSING)"),
    ("%!", (1,), "%!!(int=1)"),
    ("abc%", (), "abc%!(NOVERB)"),
    ("%-", (1,), "%!(NOVERB)%!(EXTRA int=1)"),
    ("%*d", ("x", 1), "%!(BADWIDTH)1"),
    ("%.*d", ("x", 1), "%!(BADPREC)1"),
    ("%.*d", (-1, 1), "%!(BADPREC)1"),
    ("%*d", (10_000_000, 1), "%!(BADWIDTH)1"),
    ("%[2]s %[1]s", ("world", "hello"), "hello world"),
    ("%[1]d %[1]x %d", (16, 17), "16 10 17"),
    ("%[3]d", (1, 2), "%!d(BADINDEX)"),
    ("%[0]d|%[x]d|%[1", (1,), "%!d(BADINDEX)|%!d(BADINDEX)|%!(NOVERB)"),
    ("%[2]*[1]d", (2, 5), "    2"),
    ("%d %[1]d", (1, 2), "1 1"),
    ("%.2f%%", (99.5,), "99.50%"),
    ("%5.", (1,), "%!.(int=    1)"),
    ("%v|%s|%d", (None, None, None), "<nil>|%!s(<nil>)|%!d(<nil>)"),
    ("%v|%s|%d", (MISSING, MISSING, MISSING), "<nil>|%!s(<nil>)|%!d(<nil>)"),
    ("%d|%s", ([1, 2], [1, "a", None]), "[1 2]|[%!s(int=1) a <nil>]"),
    ("%q|%5d|%x", (new_slice(STRING, ["x", "y"]), [1, 2], [255, "hi"]), '["x" "y"]|[    1     2]|[ff 6869]'),
    ("%s|%v", ({"a": 1}, {"a": "x"}), "map[a:%!s(int=1)]|map[a:x]"),
    ("%d", (1.5,), "%!d(float64=1.5)"),
    ("%d|%s", (True, 1.5), "%!d(bool=true)|%!s(float64=1.5)"),
    ("%s|%d", (1j, "x"), "%!s(complex128=(0+1i))|%!d(string=x)"),
    ("%T|%T|%T|%T|%T|%T|%T|%T", (1, 1.5, "s", True, None, [1], {"a": 1}, 1j),
     "int|float64|string|bool|<nil>|[]interface {}|map[string]interface {}|complex128"),
    ("%T|%T|%T|%T|%8T|%-4T|", (Int64(1), Uint8(1), b"x", new_slice(STRING, []), 1, 1, ),
     "int64|uint8|[]uint8|[]string|     int|int |"),
    ("%#v|%#v|%#v|%#v|%#v", ([1, "a"], "s", {"b": [1], "a": None}, 5, Uint8(5)),
     '[]interface {}{1, "a"}|"s"|map[string]interface {}{"a":interface {}(nil), "b":[]interface {}{1}}|5|0x5'),
    ("%#v|%#v|%#v", (new_slice(STRING, ["a"]), nil_slice(STRING), GoMap(map_of(STRING, STRING), {"k": "v"})),
     '[]string{"a"}|[]string(nil)|map[string]string{"k":"v"}'),
    ("%+v|%+d|%+q", (5, 5, "é"), '5|+5|"\\u00e9"'),
    ("%#q|%#q|%#+q", ("a`b", "ab", "é"), '"a`b"|`ab`|`é`'),
    ("%x|%X|%#x|%x", (Uint64(2**64 - 1), -1, 0, Int64(-16)), "ffffffffffffffff|-1|0x0|-10"),
    ("%w", (1,), "%!w(int=1)"),
])
def test_sprintf(fmt: str, args: tuple, text: str) -> None:
    assert sprintf(fmt, *args) == text


def test_sprintf_pointer_verb() -> None:
    assert sprintf("%p", [1]).startswith("0xc")
    assert sprintf("%p", 1) == "%!p(int=1)"
    assert sprintf("%p", NilPointer(pointer_to(INNER))) == "0x0"


# --- quoting -------------------------------------------------------------------------------


@pytest.mark.parametrize("s, text", [
    ("q", '"q"'), ("a\tb", '"a\\tb"'), ('"\\', '"\\"\\\\"'), ("\a\b\f\n\r\t\v", '"\\a\\b\\f\\n\\r\\t\\v"'),
    ("\x00\x1f\x7f", '"\\x00\\x1f\\x7f"'), ("é☕日本", '"é☕日本"'), ("\u2028\u00a0\u00ad", '"\\u2028\\u00a0\\u00ad"'),
    ("\U000e0001", '"\\U000e0001"'), ("'", "\"'\""), ("\ufeff", '"\\ufeff"'),
    (b"a\xffb\xc3".decode("utf-8", "surrogateescape"), '"a\\xffb\\xc3"'), ("\ufffd", '"\ufffd"'),
    ("😀", '"😀"'), (" ", '" "'),
])
def test_go_quote(s: str, text: str) -> None:
    assert go_quote(s) == text


def test_go_quote_ascii_and_runes() -> None:
    assert go_quote("é☕", ascii_only=True) == '"\\u00e9\\u2615"'
    assert go_quote("😀", ascii_only=True) == '"\\U0001f600"'
    assert go_quote_rune(65) == "'A'"
    assert go_quote_rune(39) == "'\\''"
    assert go_quote_rune(34) == "'\"'"
    assert go_quote_rune(10) == "'\\n'"
    assert go_quote_rune(0xD800) == "'\ufffd'"
    assert go_quote_rune(0x110000) == "'\ufffd'"
    assert go_quote_rune(0x2028) == "'\\u2028'"


def test_invalid_utf8_strings() -> None:
    s = b"\xffa".decode("utf-8", "surrogateescape")
    assert sprintf("%x", s) == "ff61"
    assert sprintf("%q", s) == '"\\xffa"'
    assert sprintf("%3s|", s) == " " + s + "|"
    assert format_v(s) == s
