"""Execution: the compiler's closures and the built-ins, on small Python data.

Every expected text is what Go's text/template gives for the same template
and Go data (the Python values stand for Go values as ``values.py`` says).
Error messages are compared whole: Go's ``template: NAME:LINE:COL: executing
"T" at <NODE>: MSG`` shape, with COL the 0-based byte column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dockergen.gotemplate.builtins import BUILTINS
from dockergen.gotemplate.compiler import Fail, State, compile_tree, format_fail
from dockergen.gotemplate.errors import ExecError, GoError, ParseError
from dockergen.gotemplate.parser import parse
from dockergen.gotemplate.template import TemplateSet
from dockergen.gotemplate.values import (
    ANY, INT, INT64, MISSING, STRING, UINT8, Int64, Method, NilPointer, Uint8, map_of, new_map, new_slice,
    pointer_to, register_struct, slice_of,
)


# --- a tiny Go struct of our own ------------------------------------------------------


class Box:
    """Stands for ``main.Box{Name string; Inner interface{}; private string; N int}``."""

    def __init__(self, name: str, inner: Any = None, n: int = 0) -> None:
        self.Name = name
        self.Inner = inner
        self.private = "p"
        self.N = n


def _sum(box: Box, a: int, b: int) -> int:
    return a + b


def _fail(box: Box) -> str:
    raise GoError("boom")


def _greet(box: Box, who: str) -> str:
    return f"hi {who} from {box.Name}"


def _shout(box: Box) -> str:
    return box.Name.upper() + "!"


_BOX_FIELDS = [("Name", STRING), ("Inner", ANY), ("private", STRING), ("N", INT)]
_BOX_METHODS = [
    Method("Sum", _sum, (INT, INT), INT),
    Method("Fail", _fail, (), STRING),
    Method("Greet", _greet, (STRING,), STRING),
    Method("Shout", _shout, (), STRING, pointer_receiver=True),
]
BOX = register_struct(Box, "main.Box", _BOX_FIELDS, methods=_BOX_METHODS)


class BoxPtr(Box):
    """A ``*main.Box``: pointer-receiver methods apply."""


BOX_PTR = register_struct(BoxPtr, "main.Box", _BOX_FIELDS, pointer=True, methods=_BOX_METHODS)


def data() -> dict:
    return {
        "L": ["x", "y", "z"],
        "Str": new_slice(STRING, ["x", "y", "z"]),
        "M": new_map(STRING, STRING, {"a": "1", "b": "2", "k": "v"}),
        "MI": {"s": "str", "n": None, "i": 1, "f": 2.5},
        "IM": new_map(INT, STRING, {2: "b", 1: "a", 10: "c"}),
        "U": Uint8(7),
        "I64": Int64(3),
        "B": Box("bx"),
        "P": BoxPtr("pb"),
        "NP": NilPointer(pointer_to(BOX)),
        "E": [],
        "Nil": None,
        "Z": 0,
        "F": 1.5,
        "S": "héllo",
        "Bytes": b"ab",
    }


class Data:
    """Stands for ``main.Data``, a struct with typed fields: Go names a field's own type in
    errors, where through ``data()`` (a ``map[string]interface{}``) it names ``interface {}``."""

    def __init__(self) -> None:
        self.B = Box("bx")
        self.NP = NilPointer(pointer_to(BOX))
        self.M = new_map(STRING, STRING, {"a": "1"})
        self.MI = {"s": "str", "n": None}
        self.IM = new_map(INT, STRING, {1: "a"})
        self.S = "héllo"
        self.U = Uint8(7)
        self.L = ["x"]
        self.I64 = Int64(3)


DATA = register_struct(Data, "main.Data", [
    ("B", BOX), ("NP", pointer_to(BOX)), ("M", map_of(STRING, STRING)), ("MI", map_of(STRING, ANY)),
    ("IM", map_of(INT, STRING)), ("S", STRING), ("U", UINT8), ("L", slice_of(ANY)), ("I64", INT64),
])


def run(text: str, value: Any = None, *, use_default: bool = True) -> str:
    return TemplateSet([("t", text)]).execute(data() if value is None and use_default else value)


def fail(text: str, value: Any = None) -> tuple[str, str]:
    """(Go's error text, the output written before the error)."""
    with pytest.raises(ExecError) as info:
        run(text, value)
    return str(info.value), info.value.partial_output


def message(text: str, value: Any = None) -> str:
    return fail(text, value)[0]


def run_builtins_only(text: str) -> str:
    """Run with only text/template's built-ins (docker-gen's map hides the built-in ``slice``)."""
    trees = parse("t", text, BUILTINS)
    compiled = {name: compile_tree(tree, {}, BUILTINS) for name, tree in trees.items()}
    value = data()
    state = State(compiled, trees["t"], value)
    try:
        compiled["t"].run(state, value)
    except Fail as exc:
        return "ERR " + format_fail(exc)
    return "".join(state.out)


# --- truthiness -----------------------------------------------------------------------


@pytest.mark.parametrize(("expr", "truth"), [
    ("0", False), ("1", True), ("0.0", False), ("-0.0", False), ("0i", False), ("1i", True),
    ('""', False), ('" "', True), ('"0"', True), ('"false"', True), ("false", False), ("true", True),
    (".E", False), (".L", True), (".M", True), ("(dict)", False), (".Nope", False), (".Nil", False),
    (".NP", False), (".B", True), (".P", True), (".U", True), (".Z", False), (".Bytes", True),
    (".I64", True), (".Str", True), ("(list)", False),
])
def test_truthiness_in_if(expr: str, truth: bool) -> None:
    assert run("{{if " + expr + "}}T{{else}}F{{end}}") == ("T" if truth else "F")


def test_truthiness_in_not_and_with() -> None:
    assert run("{{not 0}} {{not .B}} {{not .NP}} {{not .E}} {{not \"x\"}}") == "true false true true false"
    assert run("{{with 0}}a{{else with 1}}[{{.}}]{{else}}c{{end}}") == "[1]"
    assert run("{{with .Nope}}a{{else}}{{len .}}{{end}}") == "16"  # else keeps the outer dot


def test_bare_nil_is_not_a_command() -> None:
    assert message("{{if nil}}x{{end}}") == 'template: t:1:5: executing "t" at <nil>: nil is not a command'


# --- and / or / not ---------------------------------------------------------------------


def test_and_or_return_values_not_bools() -> None:
    assert run('{{and 1 0 2}}|{{and 1 2}}|{{or 0 "" "x"}}|{{or 0 ""}}|{{printf "%T" (and 1 "x")}}') == "0|2|x||string"


def test_and_or_stop_evaluating_once_decided() -> None:
    assert run("{{and .NP .NP.Name}}|{{or .B.Name .NP.Name}}|{{or 1 (fail \"x\")}}|{{and 0 (fail \"x\")}}") == \
        "<nil>|bx|1|0"


def test_and_or_missing_values() -> None:
    assert run('{{and 1 .Nope}}|{{or 0 .Nope}}|{{printf "%v" (or 0 .Nope)}}') == "<no value>|<no value>|<nil>"


def test_piped_value_is_evaluated_before_and() -> None:
    # .NP is an element of a map[string]interface{}: Go names the interface type
    assert message("{{.NP.Name | and 0}}") == \
        'template: t:1:5: executing "t" at <.NP.Name>: nil pointer evaluating interface {}.Name'


def test_and_or_not_arity() -> None:
    assert message("{{and}}") == 'template: t:1:2: executing "t" at <and>: wrong number of args for and: want at least 1 got 0'
    assert message("{{not 1 2}}") == 'template: t:1:2: executing "t" at <not>: wrong number of args for not: want 1 got 2'


# --- comparisons ----------------------------------------------------------------------


def test_eq_family() -> None:
    assert run('{{eq 1 2 3 1}}|{{eq "a" "a"}}|{{eq "a" "a" 1}}|{{eq .Nope "x"}}|{{eq nil nil}}|{{eq .NP nil}}') == \
        "true|true|true|false|true|true"
    assert run("{{eq true true}} {{eq 1.5 1.5}} {{eq 2i 2i}} {{ne 1 2}} {{ne \"a\" \"a\"}}") == "true true true true false"


def test_int_vs_uint_compare_mathematically() -> None:
    assert run("{{eq .U 7}} {{lt -1 .U}} {{eq .U -1}} {{gt .U 300}} {{eq .I64 3}} {{lt .I64 .U}}") == \
        "true true false false true true"


def test_ordering() -> None:
    assert run('{{lt "B" "a"}} {{lt "ab" "a"}} {{le 2 2}} {{gt 3 2}} {{ge 1 2}} {{lt 1.5 2.5}} {{gt "é" "z"}}') == \
        "true false true true false true true"


@pytest.mark.parametrize(("text", "error"), [
    ("{{eq 1 1.0}}", "error calling eq: incompatible types for comparison: int and float64"),
    ('{{eq "a" 1 "a"}}', "error calling eq: incompatible types for comparison: string and int"),
    ("{{eq true 1}}", "error calling eq: incompatible types for comparison: bool and int"),
    ("{{eq .I64 1.5}}", "error calling eq: incompatible types for comparison: int64 and float64"),
    ("{{eq .L .L}}", "error calling eq: non-comparable type [x y z]: []interface {}"),
    ("{{eq .Str .Str}}", "error calling eq: non-comparable type [x y z]: []string"),
    ("{{eq 1}}", "error calling eq: missing argument for comparison"),
    ("{{lt true false}}", "error calling lt: invalid type for comparison"),
    ("{{lt nil 1}}", "error calling lt: invalid type for comparison"),
    ("{{lt .Nope 1}}", "error calling lt: invalid type for comparison"),
    ("{{lt 1i 2i}}", "error calling lt: invalid type for comparison"),
    ('{{lt 1 "a"}}', "error calling lt: incompatible types for comparison: int and string"),
    ("{{ge 1 1.0}}", "error calling ge: incompatible types for comparison: int and float64"),
])
def test_comparison_errors(text: str, error: str) -> None:
    node = text[2:-2]
    assert message(text) == f'template: t:1:2: executing "t" at <{node}>: {error}'


def test_comparison_arity() -> None:
    assert message("{{ne 1 2 3}}") == 'template: t:1:2: executing "t" at <ne>: wrong number of args for ne: want 2 got 3'
    assert message("{{eq}}") == 'template: t:1:2: executing "t" at <eq>: wrong number of args for eq: want at least 1 got 0'


# --- index, len, slice --------------------------------------------------------------------


def test_index() -> None:
    assert run('{{index .L 1}}|{{index .M "a"}}|{{index .MI "n"}}|{{index .MI "nope"}}|{{index .M "nope"}}') == \
        "y|1|<no value>|<no value>|"
    assert run('{{index .S 1}}|{{index .L}}|{{index .IM 2}}|{{index .IM .U}}|{{index .Bytes 0 | printf "%T"}}') == \
        "195|[x y z]|b||uint8"
    assert run("{{index .L (len (slice .L 2))}}|{{index .L .U}}", dict(data(), L=list("abcdefgh"))) == "g|h"


def test_index_nested_and_piped() -> None:
    assert run('{{index (dict "a" (list 1 (dict "b" "deep"))) "a" 1 "b"}}') == "deep"
    # The piped value is the last argument: this indexes the dot (a map) with 1.
    assert message("{{.L | index . 1}}") == \
        'template: t:1:7: executing "t" at <index . 1>: error calling index: value has type int; should be string'


@pytest.mark.parametrize(("args", "error"), [
    (".L 3", "reflect: slice index out of range"),
    (".L 5", "index out of range: 5"),
    (".L -1", "index out of range: -1"),
    (".L 1.0", "cannot index slice/array with type float64"),
    (".L nil", "cannot index slice/array with nil"),
    ('.L "a"', "cannot index slice/array with type string"),
    (".S 6", "reflect: string index out of range"),
    (".M 1", "value has type int; should be string"),
    (".NP 1", "index of nil pointer"),
    (".Nope 1", "index of untyped nil"),
    ("3 1", "can't index item of type int"),
])
def test_index_errors(args: str, error: str) -> None:
    assert message("{{index " + args + "}}") == \
        f'template: t:1:2: executing "t" at <index {args}>: error calling index: {error}'


def test_len() -> None:
    assert run("{{len .L}} {{len .S}} {{len .M}} {{len .E}} {{len .Bytes}} {{len \"日本\"}} {{printf \"%T\" (len .L)}}") == \
        "3 6 3 0 2 6 int"


@pytest.mark.parametrize(("arg", "error"), [
    ("3", "len of type int"),
    (".NP", "len of nil pointer"),
    (".Nope", "reflect: call of reflect.Value.Type on zero Value"),
    ("nil", "reflect: call of reflect.Value.Type on zero Value"),
])
def test_len_errors(arg: str, error: str) -> None:
    assert message("{{len " + arg + "}}") == f'template: t:1:2: executing "t" at <len {arg}>: error calling len: {error}'


def test_builtin_slice() -> None:
    assert run_builtins_only(
        '{{slice .L 1}}|{{slice .L 1 2}}|{{slice .L}}|{{slice .S 1 3}}|{{slice .L 0 1 2}}|{{printf "%T" (slice .Str 1)}}'
    ) == "[y z]|[y]|[x y z]|é|[x]|[]string"


@pytest.mark.parametrize(("args", "error"), [
    (".S 1 2 3", "cannot 3-index slice a string"),
    (".L 2 1", "invalid slice index: 2 > 1"),
    (".L 4", "index out of range: 4"),
    (".L 0 4", "index out of range: 4"),
    (".L 1 2 3 4", "too many slice indexes: 4"),
    (".Nope", "slice of untyped nil"),
    ("3", "can't slice item of type int"),
    ('.L "a"', "cannot index slice/array with type string"),
])
def test_builtin_slice_errors(args: str, error: str) -> None:
    assert run_builtins_only("{{slice " + args + "}}") == \
        f'ERR template: t:1:2: executing "t" at <slice {args}>: error calling slice: {error}'


def test_docker_gen_slice_is_sprigs() -> None:
    assert run("{{slice (list 1 2 3) 1}}") == "[2 3]"


# --- printing -------------------------------------------------------------------------------


def test_missing_vs_nil_printing() -> None:
    assert run('{{.Nope}}|{{.Nil}}|{{.NP}}|{{print nil}}|{{printf "%v" .Nope}}|{{.MI.n}}|{{printf "%v" .MI.n}}|{{print .NP}}') == \
        "<no value>|<no value>|<nil>|<nil>|<nil>|<no value>|<nil>|<nil>"
    assert run("{{$x := .Nope}}{{$x}}|{{.M.nope}}|{{.MI.nope.deeper}}") == "<no value>|<no value>|<no value>"


def test_printing_values() -> None:
    assert run("{{.E}}|{{.M}}|{{.L}}|{{.B}}|{{.IM}}|{{.U}}|{{.F}}|{{.Bytes}}") == \
        "[]|map[a:1 b:2 k:v]|[x y z]|{bx <nil> p 0}|map[1:a 2:b 10:c]|7|1.5|[97 98]"


def test_constants_are_typed_by_spelling() -> None:
    assert run('{{printf "%T %T %T %T %T %T" 1 1.0 1e3 0x10 \'a\' 2i}}') == "int float64 float64 int int complex128"
    assert run("{{1.0}} {{1e3}} {{0x1F}} {{017}} {{'a'}} {{.5}} {{-0x10}} {{1e6}}") == "1 1000 31 15 97 0.5 -16 1e+06"
    assert run('{{$f := 3.0}}{{printf "%T" $f}}|{{$n := 3}}{{printf "%T" $n}}') == "float64|int"


def test_print_family_and_escapers() -> None:
    assert run('{{print "a" 1 "b"}}|{{print 1 2}}|{{print nil 1}}|{{println 1 "a"}}|{{print .Nope}}|{{print}}') == \
        "a1b|1 2|<nil> 1|1 a\n|<nil>|"
    assert run("{{html \"<a href='x'>&\\\"</a>\"}}|{{html 1 2}}|{{html .Nope}}") == \
        "&lt;a href=&#39;x&#39;&gt;&amp;&#34;&lt;/a&gt;|1 2|&lt;no value&gt;"
    assert run('{{js "a\'b<c>\\n="}}|{{urlquery "a b&c"}}|{{urlquery 1 2}}') == "a\\'b\\u003Cc\\u003E\\u000A\\u003D|a+b%26c|1+2"
    assert run('{{printf "%d" "x"}}|{{printf "%d %d" 1}}|{{printf "x" 1}}') == "%!d(string=x)|1 %!d(MISSING)|x%!(EXTRA int=1)"


def test_overflowing_constant() -> None:
    assert message("{{ 18446744073709551615 }}") == \
        'template: t:1:3: executing "t" at <18446744073709551615>: 18446744073709551615 overflows int'


# --- pipelines and commands --------------------------------------------------------------


def test_pipelines_pass_the_last_argument() -> None:
    assert run('{{"a" | printf "%s-%s" "b"}}|{{1 | printf "%d%d" 2 | printf "[%s]"}}|{{"x" | html | printf "%q"}}') == \
        'b-a|[21]|"x"'
    assert run('{{ print "x" | }}') == "x"


@pytest.mark.parametrize(("text", "error"), [
    ('{{ "a" "b" }}', 'at <"a">: can\'t give argument to non-function "a"'),
    ("{{ . 1 }}", "at <.>: can't give argument to non-function ."),
    ("{{ 1 \"a\" |}}", "at <1>: can't give argument to non-function 1"),
    ("{{ (print 1) 2 }}", "at <(print 1) 2>: can't give argument to non-function print 1"),
    ("{{ nil }}", "at <nil>: nil is not a command"),
    ("{{ 1 | printf }}", "at <printf>: wrong type for value; expected string; got int"),
])
def test_command_errors(text: str, error: str) -> None:
    got = message(text)
    assert got.startswith('template: t:1:') and got.endswith(error), got


def test_column_of_non_function_variable() -> None:
    assert message("{{ $x := 1 }}{{ $x 2 }}") == \
        'template: t:1:16: executing "t" at <$x>: can\'t give argument to non-function $x'


# --- variables -------------------------------------------------------------------------------


def test_variable_scoping() -> None:
    assert run("{{$x := 1}}{{if true}}{{$x := 2}}{{$x}}{{end}}{{$x}}") == "21"
    assert run("{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}") == "2"
    assert run("{{$x := 0}}{{range $i, $e := .L}}{{$x = $i}}{{end}}{{$x}}") == "2"
    assert run("{{$i := 9}}{{range $i, $e := .L}}{{end}}{{$i}}") == "9"
    assert run("{{$i := 9}}{{$e := 0}}{{range $i, $e = .L}}{{end}}{{$i}}{{$e}}") == "2z"
    assert run("{{$e := 0}}{{range $e = .L}}{{end}}{{$e}}") == "z"
    assert run("{{with $x := 5}}{{$x}}{{.}}{{end}}") == "55"


def test_declaration_prints_nothing_and_dollar_is_the_data() -> None:
    assert run("a{{$x := 1}}b{{$.U}}{{with .B}}{{$.U}}{{.Name}}{{end}}") == "ab77bx"
    assert run("{{$ = 1}}{{$}}") == "1"


def test_variables_hold_missing_and_nil() -> None:
    assert run("{{$x := .Nope}}{{$x}}|{{$y := .Nil}}{{$y}}|{{$z := .NP}}{{$z}}") == "<no value>|<no value>|<nil>"


@pytest.mark.parametrize(("text", "where"), [
    ("{{ $x = 1 }}", "t:1:8: executing \"t\" at <1>"),
    ("{{ $x := $x }}", "t:1:9: executing \"t\" at <$x>"),
    ("{{ if 0 }}{{ $x := 1 }}{{ else }}{{ $x }}{{ end }}", "t:1:36: executing \"t\" at <$x>"),
])
def test_undefined_variable_at_execution(text: str, where: str) -> None:
    assert message(text) == f"template: {where}: undefined variable: $x"


def test_unicode_variable_and_field_names() -> None:
    assert run("{{$ñ := 1}}{{$ñ}}{{.Ñ}}", {"Ñ": "é"}) == "1é"


# --- range ------------------------------------------------------------------------------------


def test_range_kinds() -> None:
    assert run("{{range $k, $v := .M}}{{$k}}={{$v}};{{end}}|{{range .IM}}{{.}}{{end}}|{{range $i, $e := .L}}{{$i}}{{$e}}{{end}}") == \
        "a=1;b=2;k=v;|abc|0x1y2z"
    assert run('{{range 3}}{{.}}{{end}}|{{range 0}}x{{else}}empty{{end}}|{{range -2}}x{{else}}neg{{end}}|{{range .I64}}{{printf "%T" .}}{{end}}') == \
        "012|empty|neg|int64int64int64"
    assert run('{{range .Bytes}}{{printf "%T%v " . .}}{{end}}') == "uint897 uint898 "
    assert run("{{range $k, $v := .IM}}{{$k}}{{$v}}{{end}}") == "1a2b10c"


def test_range_map_keys_sorted_bytewise() -> None:
    assert run("{{range $k, $v := .}}{{$k}}{{end}}", {"b": 1, "a": 2, "é": 3, "B": 4, "z": 5}) == "Babzé"


def test_range_else_and_missing() -> None:
    assert run("{{range .Nope}}x{{else}}none{{end}}|{{range .E}}x{{else}}e{{end}}|{{range .M}}{{else}}never{{end}}") == "none|e|"
    assert run("{{range $e := .E}}x{{else}}{{$e}}{{end}}") == "[]"
    assert run("{{range $i, $e := .Nope}}x{{else}}[{{$i}}{{$e}}]{{end}}") == "[<no value><no value>]"


def test_range_dot_and_dollar() -> None:
    assert run("{{range .L}}{{.}}{{$.U}}{{end}}") == "x7y7z7"


def test_break_and_continue() -> None:
    assert run("{{range $i, $e := .L}}{{if eq $i 1}}{{continue}}{{end}}{{if eq $i 2}}{{break}}{{end}}{{$e}}{{end}}") == "x"
    assert run("{{range .L}}{{range $.L}}{{break}}{{end}}{{.}}{{end}}") == "xyz"  # inner break only
    assert run("{{range .L}}{{if eq . \"y\"}}{{continue}}{{end}}{{.}}{{end}}") == "xz"
    assert run("{{range 5}}{{if eq . 3}}{{break}}{{end}}{{.}}{{end}}") == "012"
    assert run("{{range .E}}{{break}}{{else}}else{{end}}") == "else"


def test_break_keeps_variables_declared_before_it_out_of_scope() -> None:
    assert run("{{$x := 0}}{{range .L}}{{$y := 1}}{{$x = $y}}{{break}}{{end}}{{$x}}") == "1"


@pytest.mark.parametrize(("text", "error"), [
    ("{{ range .NP }}{{ end }}", 't:1:9: executing "t" at <.NP>: range can\'t iterate over <nil>'),
    ("{{ range .S }}{{ end }}", 't:1:9: executing "t" at <.S>: range can\'t iterate over héllo'),
    ("{{ range .F }}{{ end }}", 't:1:9: executing "t" at <.F>: range can\'t iterate over 1.5'),
    ("{{ range .B }}{{ end }}", 't:1:9: executing "t" at <.B>: range can\'t iterate over {bx <nil> p 0}'),
    ("{{ range $i, $v := 3 }}{{ end }}", 't:1:19: executing "t" at <3>: can\'t use 3 to iterate over more than one variable'),
])
def test_range_errors(text: str, error: str) -> None:
    assert message(text) == "template: " + error


# --- fields, methods, structs ------------------------------------------------------------------


def test_struct_fields_and_methods() -> None:
    assert run('{{.B.Name}} {{.B.Sum 1 2}} {{.B.Greet "bob"}} {{"z" | .B.Greet}} {{.B.Sum 3.0 1e1}} {{.B.N}}') == \
        "bx 3 hi bob from bx hi z from bx 13 0"


def test_pointer_receiver_method_needs_a_pointer() -> None:
    assert run("{{.P.Shout}}") == "PB!"
    assert message("{{.B.Shout}}", Data()) == \
        'template: t:1:4: executing "t" at <.B.Shout>: can\'t evaluate field Shout in type main.Box'


def test_pointer_receiver_method_on_slice_element() -> None:
    assert run("{{range .}}{{.Shout}}{{end}}", new_slice(BOX, [Box("a"), Box("b")])) == "A!B!"


@pytest.mark.parametrize(("text", "error"), [
    ("{{ .B.Nope }}", "t:1:5: executing \"t\" at <.B.Nope>: can't evaluate field Nope in type main.Box"),
    ("{{ .B.private }}", "t:1:5: executing \"t\" at <.B.private>: private is an unexported field of struct type main.Box"),
    ("{{ .B.Sum 1 }}", "t:1:5: executing \"t\" at <.B.Sum>: wrong number of args for Sum: want 2 got 1"),
    ("{{ .B.Greet }}", "t:1:5: executing \"t\" at <.B.Greet>: wrong number of args for Greet: want 1 got 0"),
    ('{{ .B.Sum "a" 2 }}', "t:1:10: executing \"t\" at <\"a\">: expected integer; found \"a\""),
    ("{{ .B.Sum 1.5 1 }}", "t:1:10: executing \"t\" at <1.5>: expected integer; found 1.5"),
    ("{{ .B.Sum .I64 1 }}", "t:1:10: executing \"t\" at <.I64>: wrong type for value; expected int; got int64"),
    ("{{ .B.Greet 1 }}", "t:1:12: executing \"t\" at <1>: expected string; found 1"),
    ("{{ .B.Greet nil }}", "t:1:12: executing \"t\" at <nil>: cannot assign nil to string"),
    ("{{ .B.Greet .MI.nope }}", "t:1:15: executing \"t\" at <.MI.nope>: invalid value; expected string"),
    ("{{ .B.Greet .U }}", "t:1:12: executing \"t\" at <.U>: wrong type for value; expected string; got uint8"),
    ("{{ .B.Fail }}", "t:1:5: executing \"t\" at <.B.Fail>: error calling Fail: boom"),
    ("{{ .B.Name 1 }}", "t:1:5: executing \"t\" at <.B.Name>: Name has arguments but cannot be invoked as function"),
    ("{{ .M.a 1 }}", "t:1:5: executing \"t\" at <.M.a>: a is not a method but has arguments"),
    ("{{ .NP.Name }}", "t:1:6: executing \"t\" at <.NP.Name>: nil pointer evaluating *main.Box.Name"),
    ("{{ .NP.Zzz }}", "t:1:6: executing \"t\" at <.NP.Zzz>: can't evaluate field Zzz in type *main.Box"),
    ("{{ .B.Inner.x }}", "t:1:5: executing \"t\" at <.B.Inner.x>: nil pointer evaluating interface {}.x"),
    ("{{ .MI.n.x }}", "t:1:6: executing \"t\" at <.MI.n.x>: nil pointer evaluating interface {}.x"),
    ("{{ .IM.x }}", "t:1:6: executing \"t\" at <.IM.x>: can't evaluate field x in type map[int]string"),
    ("{{ .S.x }}", "t:1:5: executing \"t\" at <.S.x>: can't evaluate field x in type string"),
    ("{{ .MI.s.x }}", "t:1:6: executing \"t\" at <.MI.s.x>: can't evaluate field x in type interface {}"),
    ("{{ .M.a.x }}", "t:1:5: executing \"t\" at <.M.a.x>: can't evaluate field x in type string"),
    ("{{ .U.x }}", "t:1:5: executing \"t\" at <.U.x>: can't evaluate field x in type uint8"),
    ("{{ .L.x }}", "t:1:5: executing \"t\" at <.L.x>: can't evaluate field x in type []interface {}"),
])
def test_field_and_method_errors(text: str, error: str) -> None:
    assert message(text, Data()) == "template: " + error


def test_fields_of_interface_elements_name_interface() -> None:
    # Elements of a map[string]interface{} (the dict data) are interface-typed for Go.
    assert message("{{ .B.Nope }}") == \
        'template: t:1:5: executing "t" at <.B.Nope>: can\'t evaluate field Nope in type interface {}'
    assert message("{{ with .B }}{{ .Nope }}{{ end }}") == \
        'template: t:1:16: executing "t" at <.Nope>: can\'t evaluate field Nope in type main.Box'
    assert message("{{ range .L }}{{ .Nope }}{{ end }}") == \
        'template: t:1:17: executing "t" at <.Nope>: can\'t evaluate field Nope in type interface {}'
    assert message("{{ range .Str }}{{ .Nope }}{{ end }}") == \
        'template: t:1:19: executing "t" at <.Nope>: can\'t evaluate field Nope in type string'


def test_fields_on_missing_are_missing() -> None:
    assert run("{{.MI.nope.x}}|{{.Nope.a.b}}|{{(.Nope).a}}|{{$.Nope.x}}") == "<no value>|<no value>|<no value>|<no value>"
    assert run('{{.X "a"}}|{{.}}', MISSING, use_default=False) == "<no value>|<no value>"  # arguments ignored


def test_nil_data_is_missing() -> None:
    assert run('{{.X "a"}}|{{.}}', None, use_default=False) == "<no value>|<no value>"


def test_chain_on_parenthesised_pipeline() -> None:
    assert run('{{(dict "a" (dict "b" 1)).a.b}}') == "1"
    assert run("{{(.B).Name}}") == "bx"


# --- define / template / block -----------------------------------------------------------------


def test_template_invocation_sets_dot_and_dollar() -> None:
    assert run('{{define "T"}}[{{.}}]{{end}}{{template "T" "a"}}{{template "T"}}') == "[a][<no value>]"
    assert run('{{define "T"}}{{$}}{{end}}{{$x := 1}}{{template "T" .Z}}') == "0"
    assert run('{{template "x"}}{{define "x"}}late{{end}}') == "late"


def test_block_defines_and_runs() -> None:
    assert run('a{{block "b" .L}}{{len .}}{{end}}c') == "a3c"


def test_recursion() -> None:
    text = '{{define "r"}}{{if .}}{{len .}}{{template "r" (rest .)}}{{end}}{{end}}{{template "r" (list 1 2 3)}}'
    assert run(text) == "321"


def test_unknown_template_keeps_partial_output() -> None:
    assert fail('ok {{ template "nope" }}') == (
        'template: t:1:15: executing "t" at <{{template "nope"}}>: template "nope" not defined', "ok ")


def test_template_arguments_error() -> None:
    assert message('{{define "x"}}{{end}}{{ template "x" 1 2 }}') == \
        'template: t:1:37: executing "t" at <1>: can\'t give argument to non-function 1'


def test_error_inside_a_define_names_both_templates() -> None:
    text = 'line1\n{{define "sub"}}\n  {{.Nope}}\n{{end}}x {{template "sub" .B}}'
    assert fail(text) == (
        'template: t:3:4: executing "sub" at <.Nope>: can\'t evaluate field Nope in type main.Box', "line1\nx \n  ")


def test_max_depth() -> None:
    # Exactly Go's limit: calls 0 to 99 999 run (100 000 levels), the next is refused (gotmpl-oracle's answer).
    text = '{{define "inf"}}{{if ge . 99998}}{{.}} {{end}}{{template "inf" (add1 .)}}{{end}}{{template "inf" 0}}'
    assert fail(text) == (
        'template: t:1:57: executing "inf" at <{{template "inf" (add1 .)}}>: exceeded maximum template depth (100000)',
        "99998 99999 ")


def test_recursion_deeper_than_pythons_stack() -> None:
    # Go allows 100 000 levels; Python's stack alone would stop at a few hundred (deepcall.py).
    text = '{{define "d"}}{{if lt . 5000}}{{range 1}}{{template "d" (add $ 1)}}{{end}}{{else}}{{.}}{{end}}{{end}}'
    assert run(text + '{{template "d" 0}}') == "5000"


# --- several sources (ParseFiles) --------------------------------------------------------------


def test_first_source_runs_and_later_define_wins() -> None:
    sources = [("main.tmpl", '[{{template "x"}}]{{define "x"}}main{{end}}'), ("lib.tmpl", '{{define "x"}}lib{{end}}')]
    assert TemplateSet(sources).execute({}) == "[lib]"


def test_empty_define_never_replaces() -> None:
    sources = [("main.tmpl", '[{{template "x"}}]{{define "x"}}main{{end}}'),
               ("lib.tmpl", '{{define "x"}}  \n{{/* nothing */}}{{end}}')]
    assert TemplateSet(sources).execute({}) == "[main]"


def test_sources_see_each_others_templates_and_names() -> None:
    sources = [("main.tmpl", '{{template "lib.tmpl" .}}|{{template "y" .}}'), ("lib.tmpl", 'lib{{define "y"}}Y{{.}}{{end}}')]
    assert TemplateSet(sources).execute(1) == "lib|Y1"
    assert TemplateSet(sources).execute(2, name="lib.tmpl") == "lib"


def test_multiple_definition_in_one_source_is_an_error() -> None:
    with pytest.raises(ParseError) as info:
        TemplateSet([("a.tmpl", "ok"), ("b.tmpl", '{{define "x"}}1{{end}}\n{{define "x"}}2{{end}}')])
    assert str(info.value) == 'template: b.tmpl:2: template: multiple definition of template "x"'


def test_error_in_a_define_from_another_file_names_that_file() -> None:
    sources = [("main.tmpl", '{{template "y" .}}'), ("lib.tmpl", '\n{{define "y"}}{{.Nope.x}}{{end}}')]
    with pytest.raises(ExecError) as info:
        TemplateSet(sources).execute({"Nope": 1})
    assert str(info.value) == \
        'template: lib.tmpl:2:21: executing "y" at <.Nope.x>: can\'t evaluate field x in type interface {}'
    assert (info.value.name, info.value.line) == ("lib.tmpl", 2)


def test_unknown_template_from_the_host() -> None:
    with pytest.raises(ExecError) as info:
        TemplateSet([("main.tmpl", "x")]).execute({}, name="nope")
    assert str(info.value) == 'template: no template "nope" associated with template "main.tmpl"'


def test_from_files(tmp_path: Path) -> None:
    (tmp_path / "main.tmpl").write_bytes(b'{{template "x"}}\xff\r\n')
    (tmp_path / "lib.tmpl").write_text('{{define "x"}}lib{{end}}')
    spec = f"{tmp_path / 'main.tmpl'};{tmp_path / 'lib.tmpl'}"
    output = TemplateSet.from_files(spec).execute({})
    assert output.encode("utf-8", "surrogateescape") == b"lib\xff\r\n"


# --- positions and partial output ---------------------------------------------------------------


def test_columns_are_bytes_after_non_ascii_text() -> None:
    assert fail("é{{ .B.Nope }}", Data()) == (
        'template: t:1:7: executing "t" at <.B.Nope>: can\'t evaluate field Nope in type main.Box', "é")
    assert fail('日本語\n  {{ "é" }} {{ .B.Nope }}', Data()) == (
        'template: t:2:18: executing "t" at <.B.Nope>: can\'t evaluate field Nope in type main.Box', "日本語\n  é ")


def test_column_of_an_argument_on_a_continuation_line() -> None:
    assert fail('{{ 1 }}{{ .B.Sum 1\n "a" }}') == (
        'template: t:2:1: executing "t" at <"a">: expected integer; found "a"', "1")


def test_crlf_template_keeps_carriage_returns_and_lines() -> None:
    assert run("a\r\n{{ 1 }}\r\n") == "a\r\n1\r\n"
    assert message("a\r\n{{ .B.Nope }}", Data()) == \
        'template: t:2:5: executing "t" at <.B.Nope>: can\'t evaluate field Nope in type main.Box'


def test_trim_markers_across_lines() -> None:
    assert run("a \n\t {{- 3 -}} \r\n\n b") == "a3b"
    assert run('{{- define "x" -}}\n  body\n{{- end -}}\n[{{template "x"}}]') == "[body]"
    assert run("a\n{{- if true }}\n  b\n{{- end }}\nc") == "a\n  b\nc"
    assert run("{{23 -}} < {{- 45}}") == "23<45"
    assert run("x {{3 -}}\n \n  y") == "x 3y"
    assert run("a {{- /* c */ -}} b|a {{/* c */}} b|a {{- /* c */}} b") == "ab|a  b|a b"
    assert run("a\u00a0{{- 1 -}}\u00a0b") == "a\u00a01\u00a0b"


def test_raw_strings_lose_carriage_returns() -> None:
    assert run("{{`a\r\nb`}}") == "a\nb"
    assert run('{{"a\\r\\n"}}') == "a\r\n"


def test_partial_output_with_error_after_a_loop() -> None:
    assert fail("{{range .L}}{{.}}{{end}}-{{.B.Fail}}") == (
        'template: t:1:29: executing "t" at <.B.Fail>: error calling Fail: boom', "xyz-")


def test_partial_output_inside_a_failing_range() -> None:
    assert fail('{{range .L}}{{if eq . "z"}}{{.x}}{{end}}{{.}}{{end}}')[1] == "xy"


def test_exec_error_carries_file_and_line() -> None:
    with pytest.raises(ExecError) as info:
        TemplateSet([("main.tmpl", "a\nb\n{{.B.Fail}}")]).execute(data())
    assert (info.value.name, info.value.line, info.value.stage) == ("main.tmpl", 3, "exec")


# --- call ---------------------------------------------------------------------------------------


def test_call() -> None:
    value = dict(data(), Fn=lambda x: x * 10)
    assert run("{{call .Fn 4}}", value) == "40"
    assert message("{{call .Nope}}") == 'template: t:1:2: executing "t" at <call .Nope>: error calling call: call of nil'
    assert message("{{call .S}}") == \
        'template: t:1:2: executing "t" at <call .S>: error calling call: non-function .S of type string'


def test_call_arity() -> None:
    value = dict(data(), Fn2=lambda x, y: x + y)
    assert message("{{call .Fn2 1}}", value) == \
        'template: t:1:2: executing "t" at <call .Fn2 1>: error calling call: wrong number of args for .Fn2: got 1 want 2'
