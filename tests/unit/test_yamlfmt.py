"""fromYaml/mustFromYaml follow yaml.v3's refusals: repeated keys, alias bombs, object tags.

docker-gen decodes with yaml.v3, which PyYAML's defaults differ from: PyYAML
keeps the last of two equal keys, expands any number of aliases and builds
Python objects for some tags.  Both template engines share these helpers.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest

from dockergen.errors import HelperError
from dockergen.gotemplate.errors import ExecError
from dockergen.gotemplate.template import TemplateSet
from dockergen.helpers.yamlfmt import fromYaml, mustFromYaml
from dockergen.limits import MAX_NESTING, LimitError
from template_support import render


def must_fail(text: str) -> str:
    with pytest.raises(HelperError) as info:
        mustFromYaml(text)
    assert fromYaml(text) is None  # the non-must helper swallows every refusal
    return str(info.value)


# --- duplicate mapping keys -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\na: 2", 'line 2: mapping key "a" already defined at line 1'),
        ("{a: 1, a: 2}", 'line 1: mapping key "a" already defined at line 1'),
        ("a: 1\nb:\n  c: 1\n  c: 2\n", 'line 4: mapping key "c" already defined at line 3'),
        ("x: {k: [1, {z: 1, z: 2}]}", 'line 1: mapping key "z" already defined at line 1'),
        ("- a: 1\n- b:\n    - {c: 1}\n    - c: 1\n      c: 2", 'line 5: mapping key "c" already defined at line 4'),
        # Keys compare by source text, not by value: "1" and 1 collide.
        ('"1": a\n1: b', 'line 2: mapping key "1" already defined at line 1'),
        ("<<: {a: 1}\n<<: {b: 2}", 'line 2: mapping key "<<" already defined at line 1'),
        ('"a\\tb": 1\n"a\\tb": 2', 'line 2: mapping key "a\\tb" already defined at line 1'),
        ("? [a]\n: 1\n? [b]\n: 2", 'line 3: mapping key "" already defined at line 1'),
    ],
)
def test_duplicate_keys_are_errors(text: str, message: str) -> None:
    assert must_fail(text) == "yaml: unmarshal errors:\n  " + message


def test_every_repeat_is_reported_against_every_earlier_key() -> None:
    assert must_fail("a: 1\na: 2\nb: 0\na: 3") == (
        "yaml: unmarshal errors:\n"
        '  line 2: mapping key "a" already defined at line 1\n'
        '  line 4: mapping key "a" already defined at line 1\n'
        '  line 4: mapping key "a" already defined at line 2'
    )


def test_errors_from_several_mappings_are_collected() -> None:
    assert must_fail("x: {a: 1, a: 2}\ny:\n  b: 1\n  b: 2") == (
        "yaml: unmarshal errors:\n"
        '  line 1: mapping key "a" already defined at line 1\n'
        '  line 4: mapping key "b" already defined at line 3'
    )


def test_distinct_keys_and_merged_keys_are_not_duplicates() -> None:
    assert mustFromYaml("a: 1\nA: 2\n'a ': 3") == {"a": 1, "A": 2, "a ": 3}
    # An explicit key may override a merged one (the merge spec's rule).
    assert mustFromYaml("base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3") == {
        "base": {"x": 1, "y": 2},
        "d": {"x": 1, "y": 3},
    }


def test_only_the_first_document_is_checked() -> None:
    assert mustFromYaml("a: 1\n---\na: 2\na: 3") == {"a": 1}


# --- aliases ----------------------------------------------------------------


def alias_bomb(levels: int, width: int) -> str:
    lines = ["l0: &l0 [" + ", ".join(["lol"] * width) + "]"]
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * width) + "]")
    return "\n".join(lines)


@pytest.mark.parametrize(("levels", "width"), [(9, 9), (30, 30)])
def test_alias_bomb_is_refused_fast(levels: int, width: int) -> None:
    text = alias_bomb(levels, width)
    started = time.perf_counter()
    message = must_fail(text)  # runs both helpers
    # Not a speed benchmark: an unbounded expansion (9^9 nodes and more) would never finish.
    assert time.perf_counter() - started < 10
    assert message == "yaml: document contains excessive aliasing"


def test_merge_key_bomb_is_refused() -> None:
    lines = ["m0: &m0 {a: 1, b: 2, c: 3}"]
    for level in range(1, 12):
        refs = ", ".join([f"*m{level - 1}"] * 5)
        lines.append(f"m{level}: &m{level}\n  <<: *m{level - 1}\n  k{level}: [{refs}]")
    started = time.perf_counter()
    assert must_fail("\n".join(lines)) == "yaml: document contains excessive aliasing"
    assert time.perf_counter() - started < 10  # bounded, not built (see above)


def test_ordinary_aliases_expand_into_fresh_copies() -> None:
    data = mustFromYaml("a: &x {k: [1, 2]}\nb: *x\nc: [*x, *x]\ns: &s text\nt: *s")
    assert data == {"a": {"k": [1, 2]}, "b": {"k": [1, 2]}, "c": [{"k": [1, 2]}] * 2, "s": "text", "t": "text"}
    # Go builds a new value per alias; shared Python objects would let one
    # template's change to a value show through another name.
    assert data["a"] is not data["b"] and data["a"]["k"] is not data["b"]["k"]
    assert data["c"][0] is not data["c"][1]


def test_a_moderately_aliased_document_is_accepted() -> None:
    # 200 aliases of a 20-entry mapping: ~4000 expanded nodes, well in budget.
    entries = ", ".join(f"k{i}: {i}" for i in range(20))
    text = f"base: &b {{{entries}}}\nuses:\n" + "".join("  - *b\n" for _ in range(200))
    data = mustFromYaml(text)
    assert len(data["uses"]) == 200 and data["uses"][199]["k19"] == 19


@pytest.mark.parametrize("text", ["a: &x [1, *x]", "a: &x {b: {c: *x}}"])
def test_an_anchor_containing_itself_is_an_error(text: str) -> None:
    assert must_fail(text) == "yaml: anchor 'x' value contains itself"


def test_an_alias_key_is_not_a_repeat_of_its_anchor() -> None:
    # yaml.v3 compares an alias key as an alias, not by the text it points to.
    assert mustFromYaml("&a k: 1\n*a : 2") == {"k": 2}


# --- plain data only --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- !!python/object/apply:os.system ['echo hi']", [["echo hi"]]),
        ("a: !!python/name:os.system", {"a": ""}),
        ("a: !foo bar", {"a": "bar"}),
        ("a: !!set {x, y}", {"a": {"x": None, "y": None}}),
        ("a: !!omap [{x: 1}]", {"a": [{"x": 1}]}),
        ("a: !!binary aGVsbG8=", {"a": "hello"}),  # a Go string, not bytes
        ("a: !!str 12\nb: !!int 12\nc: !!float 1", {"a": "12", "b": 12, "c": 1.0}),
    ],
)
def test_tags_never_build_objects(text: str, expected: object) -> None:
    assert mustFromYaml(text) == expected


def test_only_plain_types_come_out() -> None:
    data = mustFromYaml("s: x\ni: 1\nf: 1.5\nb: true\nn: null\nt: 2001-12-14\nl: [1]\nm: {k: v}\nq: 'yes'")
    assert {key: type(value) for key, value in data.items() if key != "t"} == {
        "s": str, "i": int, "f": float, "b": bool, "n": type(None), "l": list, "m": dict, "q": str,
    }
    assert data["t"] == datetime(2001, 12, 14, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &x 1\n<<: *x", "yaml: map merge requires map or sequence of maps as the value"),
        ("[[1]]: 2", "yaml: invalid map key"),
        ("a: !!binary '%%%'", "yaml: !!binary value contains invalid base64 data"),
    ],
)
def test_other_refusals(text: str, message: str) -> None:
    assert must_fail(text) == message


def test_nesting_is_bounded_by_dockergen_then_libyaml() -> None:
    # The walk keeps its own stack; what it returns stays within dockergen's limit, so
    # that encoders, printing and comparisons can always walk it again.
    assert mustFromYaml("[" * MAX_NESTING + "]" * MAX_NESTING) is not None
    with pytest.raises(LimitError, match="nested deeper than dockergen's limit of 100 levels"):
        mustFromYaml("[" * 990 + "]" * 990)
    assert must_fail("[" * 3000 + "]" * 3000).endswith("exceeded maximum nesting depth")


def test_a_10kb_document_decodes() -> None:
    text = "".join(
        f'host{i}.example.com:\n  "/path{i}":\n    port: {8000 + i}\n    dest: "/x{i}"\n  /other:\n    port: 80\n'
        for i in range(115)
    )
    assert len(text) > 10_000
    decoded = mustFromYaml(text)
    assert len(decoded) == 115 and decoded["host7.example.com"]["/path7"] == {"port": 8007, "dest": "/x7"}


# --- both engines -----------------------------------------------------------


def test_go_engine_must_from_yaml_fails_with_go_text() -> None:
    templates = TemplateSet([("t", r'{{ mustFromYaml "a: 1\na: 2" }}')])
    with pytest.raises(ExecError) as info:
        templates.execute(None)
    assert str(info.value) == (
        'template: t:1:3: executing "t" at <mustFromYaml "a: 1\\na: 2">: error calling mustFromYaml: '
        'yaml: unmarshal errors:\n  line 2: mapping key "a" already defined at line 1'
    )


def test_go_engine_from_yaml_gives_nil() -> None:
    assert TemplateSet([("t", r'[{{ fromYaml "a: 1\na: 2" }}]')]).execute(None) == "[<no value>]"
    text = r'{{ $y := fromYaml "a: &x {k: 1}\nb: [*x, *x]" }}{{ $y.b }} {{ printf "%T" $y.b }}'
    assert TemplateSet([("t", text)]).execute(None) == "[map[k:1] map[k:1]] []interface {}"


def test_jinja_helpers_follow_the_same_rules() -> None:
    assert render("{{ 'a: 1\\na: 2' | fromYaml }}") == "None"
    with pytest.raises(HelperError, match="already defined at line 1"):
        render("{{ mustFromYaml('a: 1\\na: 2') }}")
    assert render("{{ fromYaml(bomb) }}", bomb=alias_bomb(9, 9)) == "None"
