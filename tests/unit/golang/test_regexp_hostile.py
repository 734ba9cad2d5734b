"""Hostile patterns and inputs through every regular-expression entry point.

Each case makes a backtracking matcher (Python's ``re``, the old engine) take
astronomically long: exponential in the input's length, on 100 KB inputs.  RE2
answers in time linear in the input, so these tests assert only the answers;
a regression to backtracking hangs them, and the suite's overall timeout
catches it.  No timing is asserted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dockergen.daemon.filters import Facts, matches
from dockergen.golang import regexp
from dockergen.model import Docker, RuntimeContainer
from dockergen.pipeline.render import RenderInput, Template

SIZE = 100_000
CHAIN = 60  # a?{n}a{n} written out: 2**60 ways to fail for a backtracker

# (pattern, text that must not match, text that must match): the failing text is where a
# backtracker tries every way to split the run of letters before giving up.
HOSTILE = [
    pytest.param("^([a-z0-9]+-?)*[a-z0-9]+$", "a" * SIZE + "_", "a" * SIZE, id="hostname"),
    pytest.param("(a+)+$", "a" * SIZE + "b", "b" + "a" * SIZE, id="nested-plus"),
    pytest.param("(a|aa)+$", "a" * SIZE + "b", "a" * SIZE, id="overlapping-alternation"),
    pytest.param("^(a|a?)+$", "a" * SIZE + "b", "a" * SIZE, id="optional-alternation"),
    pytest.param("^" + "a?" * CHAIN + "a" * CHAIN + "$", "a" * SIZE, "a" * CHAIN, id="optional-chain"),
    pytest.param("^(\\w+\\s?)*$", "word " * (SIZE // 5) + "!", "word " * (SIZE // 5), id="words"),
]


def go_render(source: str, tmp_path: Path, containers: list[RuntimeContainer], env: dict[str, str]) -> str:
    path = tmp_path / "main.tmpl"
    path.write_text(source)
    return Template(str(path), engine="go", keep_blank_lines=True).render(
        RenderInput(containers=containers, docker=Docker(), env=env)
    )


def jinja_render(source: str, tmp_path: Path, containers: list[RuntimeContainer]) -> str:
    path = tmp_path / "main.j2"
    path.write_text(source)
    return Template(str(path), engine="jinja2", keep_blank_lines=True).render(
        RenderInput(containers=containers, docker=Docker(), env={})
    )


@pytest.mark.parametrize(("pattern", "bad", "good"), HOSTILE)
def test_the_module(pattern: str, bad: str, good: str) -> None:
    rx = regexp.compile(pattern)
    assert not rx.match_string(bad) and rx.match_string(good)
    assert rx.find_string(bad) == "" and rx.find_string(good) == good.lstrip("b")
    assert rx.find_all_string(bad, -1) == []
    assert rx.replace_all_string(bad, "<$1>") == bad
    assert rx.split(bad, -1) == [bad]


# Every Sprig function once; the hostile text comes from a container, as in the issue.
SPRIG = (
    '{{ $p := .Env.PATTERN }}{{ range $ }}{{ $v := .Env.VIRTUAL_HOST }}'
    "{{ regexMatch $p $v }} {{ mustRegexMatch $p $v }} "
    '{{ len (regexFind $p $v) }} {{ len (mustRegexFind $p $v) }} '
    "{{ len (regexFindAll $p $v -1) }} {{ len (mustRegexFindAll $p $v 5) }} "
    '{{ len (regexReplaceAll $p $v "x$1") }} {{ len (mustRegexReplaceAll $p $v "${1}") }} '
    '{{ len (regexReplaceAllLiteral $p $v "x") }} {{ len (mustRegexReplaceAllLiteral $p $v "") }} '
    "{{ len (regexSplit $p $v -1) }} {{ len (mustRegexSplit $p $v 2) }}"
    "{{ end }}"
)


@pytest.mark.parametrize(("pattern", "bad", "good"), HOSTILE)
def test_sprig_functions_in_a_go_template(pattern: str, bad: str, good: str, tmp_path: Path) -> None:
    container = RuntimeContainer(ID="1", Name="evil", Env={"VIRTUAL_HOST": bad})
    n = str(len(bad))
    expected = " ".join(["false", "false", "0", "0", "0", "0", n, n, n, n, "1", "1"])
    assert go_render(SPRIG, tmp_path, [container], {"PATTERN": pattern}) == expected


@pytest.mark.parametrize(("pattern", "bad", "good"), HOSTILE)
def test_where_label_value_matches_in_both_engines(pattern: str, bad: str, good: str, tmp_path: Path) -> None:
    containers = [
        RuntimeContainer(ID="1", Name="evil", Labels={"host": bad}),
        RuntimeContainer(ID="2", Name="fine", Labels={"host": good}),
    ]
    go = '{{ range whereLabelValueMatches $ "host" .Env.PATTERN }}{{ .Name }}{{ end }}'
    assert go_render(go, tmp_path, containers, {"PATTERN": pattern}) == "fine"
    jinja = "{% for c in whereLabelValueMatches(containers, 'host', pattern) %}{{ c.Name }}{% endfor %}"
    assert jinja_render(jinja.replace("pattern", repr(pattern)), tmp_path, containers) == "fine"


@pytest.mark.parametrize(("pattern", "bad", "good"), HOSTILE)
def test_the_engine_name_filter(pattern: str, bad: str, good: str) -> None:
    # A config's name filter is matched locally against each event's container, as the engine does.
    assert not matches("1", Facts(name=bad), {"name": [pattern]})
    assert matches("1", Facts(name=good), {"name": [pattern]})


def test_semver_constraints() -> None:
    # Sprig's constraint check is a Go regexp with overlapping blanks: 2**n ways to fail.
    from dockergen.gotemplate.errors import GoError
    from dockergen.gotemplate.sprig.semver import parse_constraints

    crafted = ">1.0 " * 2000 + "!"  # 10 KB: each comparator is parsed in Python afterwards
    with pytest.raises(GoError, match="^improper constraint: >1.0 >1.0 "):
        parse_constraints(crafted)
    assert len(parse_constraints(crafted[:-1]).alternatives[0]) == 2000


def test_sprig_float_parsing(tmp_path: Path) -> None:
    # Go's ParseFloat syntax, checked by a regular expression whose digit runs overlap.
    container = RuntimeContainer(ID="1", Name="evil", Env={"VIRTUAL_HOST": "1" * SIZE + "x"})
    source = "{{ range $ }}{{ float64 .Env.VIRTUAL_HOST }} {{ add1f .Env.VIRTUAL_HOST }}{{ end }}"
    assert go_render(source, tmp_path, [container], {}) == "0 1"
