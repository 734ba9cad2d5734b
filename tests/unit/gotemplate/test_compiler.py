"""The code generator's own concerns: nesting beyond what one Python function allows, few
locals, errors of called functions blamed on the right node from any generated function.

What templates mean is tested against Go's vectors (test_conformance.py) and in
test_executor.py; here the same meaning must survive the generator's choices."""

from __future__ import annotations

from types import CodeType

import pytest

from dockergen.gotemplate import compiler
from dockergen.gotemplate.errors import ExecError
from dockergen.gotemplate.template import TemplateSet

DATA = {"L": [1, 2, 3], "S": ["a", "b"], "M": {"k": "v", "n": 2}}


def run(text: str, data: object = None) -> str:
    return TemplateSet([("t", text)]).execute(DATA if data is None else data)


def outcome(text: str) -> tuple[str, str]:
    try:
        return "ok", run(text)
    except ExecError as exc:
        return "error", f"{exc} | {exc.partial_output}"


def nested(n: int, head: str, middle: str) -> str:
    return head * n + middle + "{{end}}" * n


def test_nested_ranges_beyond_pythons_block_limit() -> None:
    # 25 loops in one function would be a SyntaxError (Python allows 20 nested blocks).
    level = "{{range $i, $e := $.L}}{{if eq $e 1}}{{continue}}{{end}}{{if eq $e 3}}{{break}}{{end}}"
    assert run(nested(25, level, "{{$i}}")) == "1"
    assert run(nested(14, "{{range $.S}}", "{{.}}")) == "ab" * 2**13


def test_nested_ifs_beyond_pythons_indentation_limit() -> None:
    # 120 levels would be an IndentationError (Python allows 100); variables cross the levels.
    text = '{{$a := "A"}}' + nested(120, "{{if $.L}}{{$b := len $.S}}", "{{$a}}{{$b}}")
    assert run(text) == "A2"


def test_nested_withs_change_dot_at_every_level() -> None:
    text = nested(60, "{{with $.M}}{{$x := .k}}", "{{.n}}{{$x}}")
    assert run(text) == "2v"


def test_break_and_continue_cross_an_outlined_body(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compiler, "_MAX_INDENT", 2)
    text = "{{range $.L}}{{if true}}{{if eq . 2}}{{continue}}{{end}}{{if eq . 3}}{{break}}{{end}}{{end}}[{{.}}]{{end}}"
    assert run(text) == "[1]"


def test_and_or_with_many_arguments() -> None:
    ones = "1 " * 20
    assert run("{{and " + ones + "0 5}}") == "0"
    assert run("{{or " + "0 " * 20 + '"x" 5}}') == "x"
    assert run("{{and " + ones + "}}") == "1"
    assert run("{{0 | or " + "0 " * 20 + "}}") == "0"
    assert run('{{"last" | and ' + ones + "}}") == "last"


TEMPLATES = [
    "{{range $i, $e := .L}}{{if eq $e 2}}{{continue}}{{end}}{{$i}}:{{$e}} {{else}}none{{end}}",
    "{{range .L}}{{if eq . 3}}{{break}}{{end}}{{.}}{{end}}|{{range .Nope}}x{{else}}empty{{end}}",
    "{{$x := 0}}{{range .L}}{{$x = .}}{{end}}{{$x}}{{with $y := .M}}{{$y.k}}{{else}}no{{end}}",
    "{{if $v := .M.n}}{{$v}}{{else if .L}}L{{else}}none{{end}}{{with .Nope}}x{{else with .S}}{{len .}}{{end}}",
    "{{and 1 (or 0 .M.k) | printf \"%v\"}} {{or .Nope .M.Nope 0}} {{and .L .S .M}}",
    '{{define "x"}}<{{.}}{{range $.L}}{{.}}{{end}}>{{end}}{{template "x" .}}{{range .S}}{{template "x" .}}{{end}}',
    "{{range $k, $v := .M}}{{$k}}={{$v}};{{end}}{{range 3}}{{.}}{{end}}",
    "{{.L}} {{index .L 1}} {{len .S}} {{slice .S 1}} {{.M.Nope.Deeper}}",
    "{{range .L}}{{if eq . 2}}{{.Nope}}{{end}}{{.}}{{end}}",
    "{{$x := 1}}{{if true}}{{$x := 2}}{{$x}}{{end}}{{$x}}{{if false}}{{else}}{{$x = 3}}{{end}}{{$x}}",
    "{{range .L}}{{printf \"%d\" .}}{{end}}{{printf \"%d\" .S}}",
    "{{index .M 1}}",
    "{{$a := 1}}v1 = v2 = '{{$b := 2}}{{range .L}}v1 = {{$a}}\" v3 = {{end}}{{$b}} v1 = {{$a = 5}}{{$a}}",
]


@pytest.mark.parametrize("text", TEMPLATES)
def test_outlined_bodies_mean_the_same(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = outcome(text)
    # Every nested list in a function of its own, every and/or through its loop.
    monkeypatch.setattr(compiler, "_MAX_LOOPS", 0)
    monkeypatch.setattr(compiler, "_MAX_INDENT", 2)
    monkeypatch.setattr(compiler, "_MAX_LAZY", 1)
    assert outcome(text) == expected


@pytest.mark.parametrize("text", TEMPLATES)
def test_pieces_compiled_apart_mean_the_same(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = outcome(text)
    # Every top-level action and every nested list compiled on its own.
    monkeypatch.setattr(compiler, "_CHUNK_LINES", 0)
    monkeypatch.setattr(compiler, "_UNIT_WEIGHT", 0)
    templates = TemplateSet([("t", text)])
    assert templates.templates["t"].source.count("def ") > 1
    assert outcome(text) == expected


def test_a_long_template_is_compiled_in_pieces() -> None:
    # Compiling thousands of lines at once leaves megabytes with the C allocator.
    body = "".join(f'{{{{$_ := printf "%d" {i}}}}}{{{{if eq $_ "x"}}}}{{{{$_}}}}{{{{end}}}}' for i in range(100))
    loop = "{{range $i, $e := .L}}" + body + "{{$x = $i}}{{if eq $i 1}}{{break}}{{end}}{{end}}"
    text = '{{$x := "-"}}' + (body + loop) * 3 + "{{$x}}"
    source = TemplateSet([("t", text)]).templates["t"].source
    assert max(len(part.splitlines()) for part in source.split("\ndef ")) <= 2 * compiler._CHUNK_LINES
    assert run(text) == "1"


def _locals(code: CodeType) -> int:
    return max([code.co_nlocals] + [_locals(c) for c in code.co_consts if isinstance(c, CodeType)])


def test_a_long_template_keeps_few_locals() -> None:
    # A frame with thousands of locals made each nested template call allocate a new piece
    # of CPython's frame stack (mmap): temporaries and variables are reused.
    text = "".join(f'{{{{$_ := printf "%d" {i}}}}}{{{{if eq $_ "x"}}}}{{{{$y := $_}}}}{{{{$y}}}}{{{{end}}}}'
                   for i in range(2000))
    source = TemplateSet([("t", text)]).templates["t"].source
    code = compile(source, "t", "exec")
    assert _locals(code) < 20


def test_a_function_error_in_a_nested_function_names_its_call() -> None:
    # fail "x" raises inside a method argument's thunk (a nested function of the template).
    from dockergen.gotemplate.values import STRING, Method, register_struct

    class Greeter:
        pass

    register_struct(Greeter, "main.Greeter", [], methods=[Method("Hi", lambda g, who: "hi " + who, (STRING,),
                                                                  STRING)])
    assert run('{{.G.Hi "you"}}', {"G": Greeter()}) == "hi you"
    with pytest.raises(ExecError) as info:
        run('ok {{.G.Hi (fail "boom")}}', {"G": Greeter()})
    assert str(info.value) == 'template: t:1:12: executing "t" at <fail "boom">: error calling fail: boom'
    assert info.value.partial_output == "ok "
    # An assignment inside an argument reaches the template's variable.
    assert run('{{$x := 1}}{{.G.Hi (print ($x = 2))}}{{$x}}', {"G": Greeter()}) == "hi 22"


# --- specialised calls: the same answers (and errors) as the functions themselves -----------

def _values() -> dict:
    from dockergen.gotemplate.context import to_go_container
    from dockergen.gotemplate.values import ANY, INT, STRING, Int64, new_map, new_slice, nil_map
    from dockergen.model import DockerImage, RuntimeContainer

    container = to_go_container(RuntimeContainer(ID="c1", Name="web", Image=DockerImage("", "nginx", "1"),
                                                 Env={"A": "1"}, Labels={"l": "v"}))
    return {
        "S": "a", "E": "", "U": "é", "I": 2, "Z": 0, "I64": Int64(2), "F": 1.5, "T": True, "N": None,
        "L": [1, "a"], "EL": [], "GS": new_slice(STRING, ["x"]), "GI": new_slice(INT, []), "D": {"k": "v"},
        "ED": {}, "GM": new_map(STRING, STRING, {"k": "v"}), "C": container,
        "NM": nil_map(STRING, ANY), "GA": new_map(STRING, ANY, {"k": 1}),
    }


_MAPS = {"D", "ED", "GM", "NM", "GA"}
OPERANDS = ['"a"', "2", ".S", ".E", ".U", ".I", ".Z", ".I64", ".F", ".T", ".N", ".Nope", ".L", ".EL", ".GS",
            ".GI", ".D", ".ED", ".GM", ".C", ".C.Image", "(.C)", "nil", ".NM", ".GA"]
CALLS = [
    "eq {a} {b}", "ne {a} {b}", "lt {a} {b}", "le {a} {b}", "gt {a} {b}", "ge {a} {b}", "{b} | eq {a}",
    "not {a}", "len {a}", "index {a} {b}", 'printf "%s-%v-%d%%" {a} {b} {a}', "printf \"%s\" {a}",
    "first {a}", "default {a} {b}", "{b} | default {a}", 'default "x" {a}', "list {a} {b}",
    "ternary {a} {b} true", "ternary {a} {b} {a}", "set .D2 {a} {b}", "set {a} \"k\" {b}", "get {a} {b}",
    "hasKey {a} {b}",
    'dict "x" {a} "y" {b}', 'dict "x" {a} "z"', '{a} | default "d"',
]


@pytest.mark.parametrize("call", CALLS)
def test_specialised_calls_mean_the_same(call: str, monkeypatch: pytest.MonkeyPatch) -> None:
    values = _values()  # the same container each time: its address is printed
    texts = [f"{{{{{call.format(a=a, b=b)}}}}}" for a in OPERANDS for b in OPERANDS[::3]]

    def outcomes() -> list:
        found = []
        for text in texts:
            data = dict(values, **{k: v for k, v in _values().items() if k in _MAPS}, D2={})  # set changes maps
            try:
                found.append(TemplateSet([("t", text)]).execute(data))
            except ExecError as exc:
                found.append(f"ERROR {exc}")
            except Exception as exc:  # a parse error or a bug: the same either way
                found.append(f"{type(exc).__name__} {exc}")
        return found

    specialised = outcomes()
    monkeypatch.setattr(compiler, "_SPECIAL", {})
    assert specialised == outcomes()


def test_exists_is_asked_once_per_path_and_render(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    asked: list[str] = []
    real_stat = os.stat

    def stat(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(str(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)
    path = tmp_path / "f"
    text = f'{{{{range .L}}}}{{{{exists "{path}"}}}} {{{{end}}}}{{{{exists "{tmp_path}"}}}}'
    templates = TemplateSet([("t", text)])
    assert templates.execute(DATA) == "false false false true"
    assert asked == [str(path), str(tmp_path)]
    path.write_text("")  # the next render sees the file
    assert templates.execute(DATA) == "true true true true"


def test_templates_are_built_when_first_run() -> None:
    # A define that a render never calls costs its parse only (a one-shot run pays no more).
    templates = TemplateSet([("t", '{{define "used"}}u{{end}}{{define "unused"}}{{.Nope}}{{end}}'
                                   '{{template "used"}}')])
    assert templates.execute(DATA) == "u"
    assert templates.templates["unused"].program is None and templates.templates["used"].program is not None
    assert "def render" in templates.templates["unused"].source  # reading it builds it
    assert templates.templates["unused"]._build is None
