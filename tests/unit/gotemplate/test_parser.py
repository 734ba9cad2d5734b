"""The parser on its own: tree shapes (as Go re-renders them), constants, scoping, definitions, errors.

``str(node)`` is what Go's execution errors show after ``at <...>``, so the
round trip is pinned here as well as the structure.
"""

from __future__ import annotations

import pytest

from dockergen.gotemplate.builtins import BUILTINS
from dockergen.gotemplate.errors import ParseError
from dockergen.gotemplate.nodes import (
    ActionNode, ChainNode, CommandNode, FieldNode, IdentifierNode, IfNode, NumberNode, PipeNode, RangeNode,
    StringNode, TemplateNode, TextNode, VariableNode, WithNode, is_empty_tree,
)
from dockergen.gotemplate.parser import Tree, parse

FUNCS = set(BUILTINS) | {"f", "upper"}


def trees(text: str, name: str = "t") -> dict[str, Tree]:
    return parse(name, text, FUNCS)


def root(text: str) -> list:
    return trees(text)["t"].root.nodes


def only_action(text: str) -> ActionNode:
    nodes = root(text)
    assert len(nodes) == 1 and isinstance(nodes[0], ActionNode)
    return nodes[0]


def parse_error(text: str, name: str = "t") -> str:
    with pytest.raises(ParseError) as info:
        parse(name, text, FUNCS)
    return str(info.value)


# --- shapes -------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "rendered"), [
    ("{{.A.B}}", "{{.A.B}}"),
    ("{{ $.A.B }}", "{{$.A.B}}"),
    ("{{ f  1   \"a\" }}", '{{f 1 "a"}}'),
    ("{{ 1 | f | printf \"%d\" }}", '{{1 | f | printf "%d"}}'),
    ("{{ (print 1).X $.Y }}", "{{(print 1).X $.Y}}"),
    ("{{ (f (f 1)) }}", "{{(f (f 1))}}"),
    ("{{ $x := 1 }}", "{{$x := 1}}"),
    ("{{ $x := 1 }}{{ $x = 2 }}", "{{$x := 1}}{{$x = 2}}"),
    ("{{ `raw` }}", "{{`raw`}}"),
    ('{{ "a\\n" }}', '{{"a\\n"}}'),
    ("{{ 0x1F }} {{ 1e3 }} {{ 'a' }}", "{{0x1F}} {{1e3}} {{'a'}}"),
    ("{{ nil | f }}", "{{nil | f}}"),
    ("{{if .A}}x{{else if .B}}y{{else}}z{{end}}", "{{if .A}}x{{else}}{{if .B}}y{{else}}z{{end}}{{end}}"),
    ("{{with .A}}x{{else with .B}}y{{end}}", "{{with .A}}x{{else}}{{with .B}}y{{end}}{{end}}"),
    ("{{range $i, $e := .L}}{{$e}}{{else}}none{{end}}", "{{range $i, $e := .L}}{{$e}}{{else}}none{{end}}"),
    ("{{range .L}}{{break}}{{continue}}{{end}}", "{{range .L}}{{break}}{{continue}}{{end}}"),
    ('{{template "a"}}{{template `b` .X}}', '{{template "a"}}{{template "b" .X}}'),
])
def test_trees_render_back_as_go_does(text: str, rendered: str) -> None:
    assert str(trees(text)["t"].root) == rendered


def test_field_chain_is_one_field_node() -> None:
    cmd = only_action("{{.A.B.C}}").pipe.cmds[0]
    assert isinstance(cmd.args[0], FieldNode) and cmd.args[0].ident == ["A", "B", "C"]


def test_chain_on_a_parenthesised_pipeline() -> None:
    arg = only_action("{{(f 1).A.B}}").pipe.cmds[0].args[0]
    assert isinstance(arg, ChainNode) and isinstance(arg.node, PipeNode) and arg.fields == ["A", "B"]


def test_variable_with_fields_is_one_variable_node() -> None:
    arg = only_action("{{$.A.B}}").pipe.cmds[0].args[0]
    assert isinstance(arg, VariableNode) and arg.ident == ["$", "A", "B"]


def test_pipeline_commands_and_trailing_pipe() -> None:
    pipe = only_action('{{ "x" | f | }}').pipe
    assert [type(c) for c in pipe.cmds] == [CommandNode, CommandNode]
    assert isinstance(pipe.cmds[1].args[0], IdentifierNode)


def test_declarations_are_recorded_on_the_pipe() -> None:
    pipe = root("{{range $i, $e := .L}}{{end}}")[0].pipe
    assert [v.ident for v in pipe.decl] == [["$i"], ["$e"]] and not pipe.is_assign
    assign = root("{{$x := 1}}{{$x = 2}}")[1].pipe
    assert assign.is_assign and [v.ident for v in assign.decl] == [["$x"]]


def test_else_if_is_a_nested_if_in_the_else_list() -> None:
    node = root("{{if 1}}a{{else if 2}}b{{end}}")[0]
    assert isinstance(node, IfNode)
    assert len(node.else_list.nodes) == 1 and isinstance(node.else_list.nodes[0], IfNode)
    assert node.else_list.nodes[0].else_list is None


def test_control_node_classes() -> None:
    nodes = root("{{if 1}}{{end}}{{with 1}}{{end}}{{range 1}}{{end}}")
    assert [type(n) for n in nodes] == [IfNode, WithNode, RangeNode]


def test_text_nodes_keep_bytes_including_crlf() -> None:
    nodes = root("a\r\n{{1}}\r\n")
    assert isinstance(nodes[0], TextNode) and nodes[0].text == "a\r\n"
    assert nodes[2].text == "\r\n"


def test_node_positions_are_byte_offsets() -> None:
    action = root("é {{ .A }}")[1]
    assert action.pipe.cmds[0].args[0].pos == 6  # "é " is 3 bytes, "{{ " 3 more


def test_field_after_a_term_is_positioned_at_the_first_glued_field() -> None:
    # Go positions a field chain node at its second field token (".s.x" -> ".x").
    arg = only_action("{{ .s.x }}").pipe.cmds[0].args[0]
    assert isinstance(arg, FieldNode) and arg.pos == 5


# --- constants ----------------------------------------------------------------------


def number(text: str) -> NumberNode:
    node = only_action("{{" + text + "}}").pipe.cmds[0].args[0]
    assert isinstance(node, NumberNode)
    return node


@pytest.mark.parametrize(("text", "is_int", "is_uint", "is_float", "value"), [
    ("42", True, True, True, 42),
    ("-3", True, False, True, -3),
    ("0x1F", True, True, True, 31),
    ("017", True, True, True, 15),
    ("0o17", True, True, True, 15),
    ("0b101", True, True, True, 5),
    ("1_000", True, True, True, 1000),
    ("3.0", True, True, True, 3),
    ("1e3", True, True, True, 1000),
    ("1.5", False, False, True, 1.5),
    ("-1.5", False, False, True, -1.5),
    ("0x1p4", True, True, True, 16),
    ("18446744073709551615", False, True, True, 18446744073709551615),
    ("-9223372036854775808", True, False, True, -9223372036854775808),
    ("'a'", True, True, True, 97),
    ("'\\n'", True, True, True, 10),
    ("'é'", True, True, True, 233),
    ("'\\u00e9'", True, True, True, 233),
    ("'\\x41'", True, True, True, 65),
    ("'\\377'", True, True, True, 255),
    ("'\\''", True, True, True, 39),
    ("'\"'", True, True, True, 34),
])
def test_number_kinds(text: str, is_int: bool, is_uint: bool, is_float: bool, value: float) -> None:
    node = number(text)
    assert (node.is_int, node.is_uint, node.is_float) == (is_int, is_uint, is_float)
    got = node.int_value if is_int else node.uint_value if is_uint else node.float_value
    assert got == value


def test_complex_constants() -> None:
    node = number("1+2i")
    assert node.is_complex and node.complex_value == complex(1, 2) and not node.is_int
    imag = number("2i")
    assert imag.is_complex and imag.complex_value == 2j
    real_valued = number("3+0i")
    assert real_valued.is_complex and real_valued.is_int and real_valued.int_value == 3


def string_value(literal: str) -> str:
    node = only_action("{{" + literal + "}}").pipe.cmds[0].args[0]
    assert isinstance(node, StringNode) and node.quoted == literal
    return node.text


@pytest.mark.parametrize(("literal", "value"), [
    (r'"a\tb"', "a\tb"),
    (r'"\a\b\f\n\r\t\v\\\""', "\a\b\f\n\r\t\v\\\""),
    (r'"\x41\101\u00e9\U0001F600"', "AAé😀"),
    (r'"\xc3\xa9"', "é"),  # escaped bytes that form UTF-8 are the character
    (r'"\xff"', "\udcff"),  # a lone byte stays a byte
    ('"日本"', "日本"),
    ("`a\\nb`", "a\\nb"),
    ("`a\nb`", "a\nb"),
    ("`a\r\nb\r`", "a\nb"),  # raw strings lose their carriage returns
    ('"a\\r\\n"', "a\r\n"),  # ... escaped ones are kept
])
def test_string_literals(literal: str, value: str) -> None:
    assert string_value(literal) == value


def test_define_names_may_be_raw_or_escaped() -> None:
    assert set(trees('{{define `a`}}x{{end}}{{define "b\\x63"}}y{{end}}')) == {"a", "bc", "t"}


# --- variables ----------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "{{$x := 1}}{{$x}}",
    "{{$}}{{$.A}}",
    "{{if $x := 1}}{{$x}}{{else}}{{$x}}{{end}}",
    "{{range $i, $e := .}}{{$i}}{{$e}}{{else}}{{$e}}{{end}}",
    "{{with $x := 1}}{{$x}}{{else with $y := 2}}{{$x}}{{$y}}{{end}}",
    "{{$x := 1}}{{if 1}}{{$x = 2}}{{end}}{{$x}}",
    "{{if 1}}{{$x := 1}}{{else}}{{$x}}{{end}}",  # Go keeps a body's variables visible in its else
    "{{$ñ := 1}}{{$ñ}}",
    "{{$x = 1}}",  # Go's parser declares on assignment too; execution fails instead
    "{{$x := $x}}",  # the variable is declared before its pipeline is parsed
])
def test_variables_in_scope(text: str) -> None:
    trees(text)


@pytest.mark.parametrize(("text", "variable"), [
    ("{{$x}}", "$x"),
    ("{{if 1}}{{$x := 1}}{{end}}{{$x}}", "$x"),
    ("{{if $x := 1}}{{end}}{{$x}}", "$x"),
    ("{{range $i, $e := .}}{{end}}{{$e}}", "$e"),
    ("{{$x := 1}}{{define \"d\"}}{{$x}}{{end}}", "$x"),  # a define starts a fresh scope
])
def test_undefined_variables(text: str, variable: str) -> None:
    assert parse_error(text) == f'template: t:1: undefined variable "{variable}"'


# --- definitions --------------------------------------------------------------------


def test_define_and_block_make_their_own_trees() -> None:
    result = trees('{{define "a"}}A{{end}}x{{block "b" .}}B{{end}}y')
    assert set(result) == {"a", "b", "t"}
    assert str(result["a"].root) == "A" and str(result["b"].root) == "B"
    assert str(result["t"].root) == 'x{{template "b" .}}y'
    assert all(tree.parse_name == "t" for tree in result.values())


def test_text_outside_defines_stays_in_the_main_tree() -> None:
    assert str(trees('{{define "a"}}x{{end}}\ny')["t"].root) == "\ny"


def test_empty_definition_does_not_replace_and_does_not_conflict() -> None:
    result = trees('{{define "a"}}x{{end}}{{define "a"}} \n{{/* c */}}\t{{end}}')
    assert str(result["a"].root) == "x"
    result = trees('{{define "a"}} {{end}}{{define "a"}}y{{end}}')
    assert str(result["a"].root) == "y"


def test_later_parse_replaces_earlier_definition_unless_empty() -> None:
    shared: dict[str, Tree] = {}
    parse("one", '{{define "x"}}1{{end}}{{define "y"}}1{{end}}', FUNCS, shared)
    parse("two", '{{define "x"}}2{{end}}{{define "y"}}  {{end}}', FUNCS, shared)
    assert str(shared["x"].root) == "2" and shared["x"].parse_name == "two"
    assert str(shared["y"].root) == "1" and shared["y"].parse_name == "one"
    assert set(shared) == {"one", "two", "x", "y"}


@pytest.mark.parametrize("text", [
    '{{define "a"}}x{{end}}{{define "a"}}y{{end}}',
    '{{block "a" .}}x{{end}}{{define "a"}}y{{end}}',
    '{{define "t"}}x{{end}}main',
])
def test_multiple_definition_in_one_text(text: str) -> None:
    name = "a" if '"a"' in text else "t"
    assert parse_error(text) == f'template: t:1: template: multiple definition of template "{name}"'


@pytest.mark.parametrize("space", ["\u00a0", "\u0085", "\u2003", "\u3000", "\u2028", "\v\f"])
def test_empty_tree_uses_go_unicode_white_space(space: str) -> None:
    assert is_empty_tree(trees(space)["t"].root)


@pytest.mark.parametrize("other", ["\x1c", "\x1f", "\u200b"])
def test_empty_tree_excludes_what_go_does_not_call_space(other: str) -> None:
    assert not is_empty_tree(trees(other)["t"].root)


def test_is_empty_tree() -> None:
    assert is_empty_tree(trees(" \n\t{{/* x */}}\r")["t"].root)
    assert not is_empty_tree(trees("{{1}}")["t"].root)
    assert not is_empty_tree(trees("x")["t"].root)


# --- errors -------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "message"), [
    ("{{if}}x{{end}}", "missing value for if"),
    ("{{range}}{{end}}", "missing value for range"),
    ("{{with}}{{end}}", "missing value for with"),
    ("{{()}}", "missing value for parenthesized pipeline"),
    ("{{}}", "missing value for command"),
    ("{{ }}", "missing value for command"),
    ("{{ $x := }}", "missing value for command"),
    ("{{if .}}x", "unexpected EOF"),
    ('{{define "a"}}', "unexpected EOF"),
    ("{{end}}", "unexpected {{end}}"),
    ("{{else}}", "unexpected {{else}}"),
    ("{{ else if 1 }}", "unexpected {{else}}"),
    ("{{nofunc 1}}", 'function "nofunc" not defined'),
    ("{{.A | 3}}", "non executable command in pipeline stage 2"),
    ("{{.A | f | .}}", "non executable command in pipeline stage 3"),
    ('{{.A | "x"}}', "non executable command in pipeline stage 2"),
    ("{{.A | nil}}", "non executable command in pipeline stage 2"),
    ("{{.A | true}}", "non executable command in pipeline stage 2"),
    ("{{ | .A }}", 'unexpected "|" in command'),
    ("{{break}}", "{{break}} outside {{range}}"),
    ("{{continue}}", "{{continue}} outside {{range}}"),
    ('{{range .}}{{define "x"}}{{end}}{{end}}', "unexpected <define> in command"),
    ('{{range .}}{{template "x"}}{{end}}{{define "x"}}{{break}}{{end}}', "{{break}} outside {{range}}"),
    ("{{range .}}{{break 1}}{{end}}", 'unexpected "1" in {{break}}'),
    ('{{if 1}}{{define "a"}}x{{end}}{{end}}', "unexpected <define> in command"),
    ('{{define "a"}}x{{else}}y{{end}}', "unexpected {{else}} in define clause"),
    ("{{ define }}", 'unexpected "}}" in define clause'),
    ('{{ define "a" 1 }}{{end}}', 'unexpected "1" in define clause'),
    ("{{ template }}", 'unexpected "}}" in template clause'),
    ("{{ template .Name }}", 'unexpected ".Name" in template clause'),
    ("{{ block .Name . }}{{end}}", 'unexpected ".Name" in block clause'),
    ('{{ block "b" }}{{end}}', "missing value for block clause"),
    ("{{ if 1 }}a{{ else }}b{{ else }}c{{ end }}", "expected end; found {{else}}"),
    ("{{ if 1 }}a{{ else with 1 }}b{{ end }}", "unexpected <with> in input"),
    ("{{ $x, $y := 1 }}", "too many declarations in command"),
    ("{{ with $a, $b := . }}{{end}}", "too many declarations in with"),
    ("{{ range $i, $j, $k := . }}{{end}}", "too many declarations in range"),
    ("{{ range $i, 3 }}{{end}}", "range can only initialize variables"),
    ('{{ "x".A }}', 'unexpected . after term "\\"x\\""'),
    ("{{ nil.x }}", 'unexpected . after term "nil"'),
    ("{{ true.x }}", 'unexpected . after term "true"'),
    ("{{ ..x }}", 'unexpected . after term "."'),
    ("{{ .Env.1 }}", 'unexpected ".1" in operand'),
    ("{{ @ }}", 'unexpected "@" in command'),
    ("{{ /* x */ }}", 'unexpected "/" in command'),
    ("{{ if @ }}{{end}}", 'unexpected "@" in if'),
    ("{{ (1 @) }}", 'unexpected "@" in operand'),
    ("{{ 089 }}", 'integer overflow: "089"'),
    ("{{ 99999999999999999999 }}", 'integer overflow: "99999999999999999999"'),
    ("{{ 0x1p }}", 'illegal number syntax: "0x1p"'),
    ("{{ 1_ }}", 'illegal number syntax: "1_"'),
    ("{{ 1__0 }}", 'illegal number syntax: "1__0"'),
    ("{{ 1e400 }}", 'illegal number syntax: "1e400"'),
    ("{{ 'ab' }}", "malformed character constant: 'ab'"),
    ("{{ '' }}", "invalid syntax"),
    ('{{ "\\q" }}', "invalid syntax"),
    ('{{ "\\\'" }}', "invalid syntax"),
    ("{{ '\\\"' }}", "invalid syntax"),
    ('{{ "\\400" }}', "invalid syntax"),
    ('{{ "\\x4" }}', "invalid syntax"),
    ("{{ '\\ud800' }}", "invalid syntax"),
    ('{{ "\\U00110000" }}', "invalid syntax"),
    ("{{ 3abc }}", 'bad number syntax: "3a"'),
    ("{{(1}}", "unclosed left paren"),
    ("{{1)}}", "unexpected right paren"),
    ("{{/* unclosed }}", "unclosed comment"),
])
def test_parse_errors(text: str, message: str) -> None:
    assert parse_error(text) == f"template: t:1: {message}"


def test_error_lines_are_the_offending_tokens_line() -> None:
    assert parse_error("a\nb\n{{ nofunc }}") == 'template: t:3: function "nofunc" not defined'
    assert parse_error("{{ print 1 |\n2 }}") == "template: t:2: non executable command in pipeline stage 2"
    assert parse_error("{{ 1 }}\n{{ \"a") == "template: t:2: unterminated quoted string"
    assert parse_error("{{if 1}}\n\n") == "template: t:3: unexpected EOF"


def test_unclosed_action_names_where_it_started() -> None:
    assert parse_error("{{ 1") == "template: t:1: unclosed action"
    assert parse_error("a\n{{ 1") == "template: t:2: unclosed action"
    assert parse_error("{{ if 1 }}{{ end\n\n") == "template: t:3: unclosed action started at t:1"
    assert parse_error("x\n{{ print\n  (") == "template: t:3: unclosed action started at t:2"


def test_lexical_error_inside_a_multiline_action_names_its_start() -> None:
    assert parse_error('{{ print\n "a') == "template: t:2: unterminated quoted string in action started at t:1"


def test_errors_in_a_define_use_the_parse_name() -> None:
    text = '{{define "inner"}}\n{{ nofunc }}{{end}}'
    assert parse_error(text, name="main.tmpl") == 'template: main.tmpl:2: function "nofunc" not defined'


def test_first_parse_error_wins_over_a_later_lexical_error() -> None:
    assert parse_error('{{ nofunc }}{{ "a') == 'template: t:1: function "nofunc" not defined'


def test_unknown_function_is_checked_against_the_given_names() -> None:
    parse("t", "{{ mine 1 }}", {"mine"})
    with pytest.raises(ParseError):
        parse("t", "{{ printf 1 }}", {"mine"})


def test_template_node_fields() -> None:
    node = root('{{template "a" .X}}')[0]
    assert isinstance(node, TemplateNode) and node.name == "a" and str(node.pipe) == ".X"
    assert root('{{template "a"}}')[0].pipe is None


def test_range_body_ends_break_scope() -> None:
    trees("{{range .}}{{if 1}}{{break}}{{end}}{{end}}")
    assert parse_error("{{range .}}{{end}}{{break}}") == "template: t:1: {{break}} outside {{range}}"
