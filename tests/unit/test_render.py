"""dockergen.pipeline.render: blank-line removal (vectors §6.2, §6.3) and the Jinja2 template list
(spec §2.5 multi-template, error locations, reload, differences 1 and 4).
"""

from __future__ import annotations

import textwrap
from datetime import timezone

import pytest

from dockergen.errors import RenderError
from dockergen.model import Docker, DockerImage, GoTime, RuntimeContainer
from dockergen.engine import _is_blank
from dockergen.pipeline.render import RenderInput, remove_blank_lines


@pytest.fixture
def helpers():
    """Template tests need the helper module (make_environment imports it)."""
    return pytest.importorskip("dockergen.jinja.catalogue")


# -- 6.2 isBlank -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, blank",
    [
        ("", True),
        (" ", True),
        ("   ", True),
        ("\t", True),
        ("\t\n\u000b\u000c\r\u0085\u00a0", True),
        ("a", False),
        (" a ", False),
        ("a ", False),
        (" a", False),
        ("日本語", False),
        # EXTRA (VERIFIED): Go's unicode.IsSpace, not Python's str.isspace
        ("\u001c", False),
        ("\u001d\u001e\u001f", False),
        (" \u001f ", False),
        ("\u200b", False),
        ("\u3000", True),
        ("\u2028\u2029\u1680\u2000\u200a\u202f\u205f", True),
    ],
)
def test_is_blank(text, blank):
    assert _is_blank(text) is blank


# -- 6.3 removeBlankLines --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", ""),
        ("\r\n\r\n", ""),
        ("line1\nline2", "line1\nline2"),
        ("line1\n\nline2", "line1\nline2"),
        ("\n\n\n\nline1\n\nline2", "line1\nline2"),
        ("\n\n\n\n\n  \n \n \n", ""),
        ("line1\r\nline2", "line1\r\nline2"),
        ("line1\r\n\r\nline2", "line1\r\nline2"),
        ("line1\n", "line1\n"),
        ("line1\r\n", "line1\r\n"),
        # EXTRA (VERIFIED)
        ("a\n \t\nb", "a\nb"),
        ("a\n   ", "a\n"),
        ("a\n\u00a0\nb", "a\nb"),
        ("a\r\nb\r\n\r\n", "a\r\nb\r\n"),
        ("\n", ""),
        ("a\n\n", "a\n"),
        ("  x  \n", "  x  \n"),
        ("a\rb\n\r\n", "a\rb\n"),
        # EXTRA: characters Go does not count as space keep their line
        ("a\n\u001c\nb", "a\n\u001c\nb"),
        ("a\n\u200b\nb", "a\n\u200b\nb"),
        ("a\n\u3000\nb", "a\nb"),
        ("a\u2028b\n", "a\u2028b\n"),  # only "\n" separates lines
        ("    indented\n\n\tkept\n", "    indented\n\tkept\n"),
    ],
)
def test_remove_blank_lines(text, expected):
    assert remove_blank_lines(text) == expected


def test_remove_blank_lines_matches_the_line_by_line_rule_on_random_text():
    """The one-pass removal against the rule written out line by line, on Go's spaces and
    the characters Python alone counts as space (U+001C..U+001F)."""
    import random

    from dockergen.golang.unicode import is_space

    def by_lines(text: str) -> str:
        *pieces, last = text.split("\n")
        kept = [piece + "\n" for piece in pieces if not all(is_space(c) for c in piece)]
        return "".join(kept) + ("" if all(is_space(c) for c in last) else last)

    rnd = random.Random(21)
    alphabet = ["\n", "\n", " ", "\t", "\r", "\v", "\f", "\x1c", "\x1f", "\x85", "\xa0", "\u2028", "\u3000", "a", "é"]
    for _ in range(20000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(14)))
        assert remove_blank_lines(text) == by_lines(text), repr(text)


# -- templates -------------------------------------------------------------------------------




def data(*containers, env=None, docker=None, current=None) -> RenderInput:
    return RenderInput(
        containers=list(containers),
        docker=docker or Docker(),
        env={} if env is None else env,
        current_container=current,
    )


ONE = RuntimeContainer(ID="1", Name="one", Env={"VIRTUAL_HOST": "a.com", "PORT": "80"})


@pytest.fixture
def make(helpers, write):
    from dockergen.pipeline.render import Template

    def make(spec_files: dict[str, str], keep_blank_lines: bool = False):
        paths = [write(name, text, dedent=False) for name, text in spec_files.items()]
        return Template(";".join(paths), keep_blank_lines=keep_blank_lines)

    return make


def test_single_template(make):
    template = make({"t.tmpl": "{% for c in containers %}{{ c.Name }}={{ c.Env.VIRTUAL_HOST }};{% endfor %}\n"})
    assert template.render(data(ONE, RuntimeContainer(Name="two", Env={"VIRTUAL_HOST": "b.com"}))) == "one=a.com;two=b.com;\n"


def test_four_context_names(make):
    template = make(
        {
            "t.tmpl": "{{ containers|length }}|{{ docker.Name }}|{{ env.HOME }}|"
            "{{ current_container.ID if current_container else 'none' }}"
        }
    )
    text = template.render(data(ONE, env={"HOME": "/root"}, docker=Docker(Name="host")))
    assert text == "1|host|/root|none"
    assert template.render(data(current=ONE)).endswith("|1")


def test_multi_template_vector(make):
    # Jinja2 port of spec §2.5 (vectors §18 multi-template row): `{{ template "helper.tmpl" . }}`
    # becomes an include by base name, `{{ define "x" }}` a macro imported from that file.
    template = make(
        {
            "main.tmpl": 'main[{% include "helper.tmpl" %}]{% from "helper.tmpl" import x %}{{ x() }}{{ containers|length }}',
            "sub/helper.tmpl": "helper{% macro x() %}X{% endmacro %}",
        }
    )
    assert template.render(data(ONE)) == "main[helper]X1"


def test_multi_template_include_by_base_name(make):
    template = make(
        {
            "main.tmpl": 'main[{% include "helper.tmpl" %}]{{ containers|length }}',
            "sub/helper.tmpl": "helper",
        }
    )
    assert template.render(data(ONE)) == "main[helper]1"


def test_included_template_sees_the_context(make):
    template = make(
        {
            "main.tmpl": '{% for c in containers %}{% include "item.tmpl" %}{% endfor %}',
            "parts/item.tmpl": "[{{ c.Name }}:{{ containers|length }}]",
        }
    )
    assert template.render(data(ONE, RuntimeContainer(Name="two"))) == "[one:2][two:2]"


def test_later_file_with_same_base_name_wins(make):
    template = make(
        {
            "main.tmpl": '{% include "helper.tmpl" %}',
            "a/helper.tmpl": "first",
            "b/helper.tmpl": "second",
        }
    )
    assert template.render(data()) == "second"


def test_first_file_is_rendered(make):
    template = make({"x/first.tmpl": "first", "y/second.tmpl": "second"})
    assert template.render(data()) == "first"


def test_syntax_error_reports_file_and_line(make, write):
    path = write("bad.tmpl", "line 1\n{% if %}\nline 3\n")
    from dockergen.pipeline.render import Template

    with pytest.raises(RenderError) as info:
        Template(path)
    assert info.value.template == path
    assert info.value.line == 2
    assert str(info.value).startswith(f"{path}:2: ")


def test_syntax_error_in_second_file_reported_at_load(make, write):
    from dockergen.pipeline.render import Template

    main = write("main.tmpl", '{% include "helper.tmpl" %}')
    helper = write("sub/helper.tmpl", "ok\nok\n{{ unclosed \n")
    with pytest.raises(RenderError) as info:
        Template(f"{main};{helper}")
    assert info.value.template == helper
    assert info.value.line == 3


def test_runtime_error_reports_file_and_line(make):
    template = make({"div.tmpl": "line 1\nline 2\n{{ 1 // 0 }}\nline 4\n"})
    with pytest.raises(RenderError) as info:
        template.render(data())
    assert info.value.template == template.main
    assert info.value.line == 3
    assert "division" in str(info.value).lower()
    assert str(info.value).startswith(f"{template.main}:3: ")


def test_runtime_error_in_included_file_names_that_file(make):
    template = make(
        {
            "main.tmpl": 'a\n{% include "helper.tmpl" %}\n',
            "sub/helper.tmpl": "x\ny\n{{ 1 // 0 }}\n",
        }
    )
    with pytest.raises(RenderError) as info:
        template.render(data())
    assert info.value.template == template.paths[1]
    assert info.value.line == 3


def test_missing_template_file(helpers, tmp_path):
    from dockergen.pipeline.render import Template

    path = str(tmp_path / "nope.tmpl")
    with pytest.raises(RenderError, match="does not exist") as info:
        Template(path)
    assert info.value.template == path
    assert path in str(info.value)


def test_missing_second_template_file(helpers, write, tmp_path):
    from dockergen.pipeline.render import Template

    main = write("main.tmpl", "x")
    missing = str(tmp_path / "sub" / "helper.tmpl")
    with pytest.raises(RenderError) as info:
        Template(f"{main};{missing}")
    assert info.value.template == missing


def test_template_is_a_directory(helpers, tmp_path):
    from dockergen.pipeline.render import Template

    with pytest.raises(RenderError, match="directory"):
        Template(str(tmp_path))


def test_include_of_missing_template_is_a_render_error(make):
    template = make({"main.tmpl": 'x\n{% include "nope.tmpl" %}'})
    with pytest.raises(RenderError, match="nope.tmpl") as info:
        template.render(data())
    assert info.value.template == template.main


def test_reload_keeps_old_template_on_syntax_error(make):
    template = make({"r.tmpl": "old {{ containers|length }}"})
    assert template.render(data(ONE)) == "old 1"
    with open(template.main, "w", encoding="utf-8") as handle:
        handle.write("new\n{% for %}\n")
    with pytest.raises(RenderError) as info:
        template.reload()
    assert info.value.line == 2
    assert template.render(data(ONE)) == "old 1"
    with open(template.main, "w", encoding="utf-8") as handle:
        handle.write("new {{ containers|length }}")
    template.reload()
    assert template.render(data(ONE)) == "new 1"


def test_reload_picks_up_changed_include(make):
    template = make({"main.tmpl": '[{% include "helper.tmpl" %}]', "sub/helper.tmpl": "v1"})
    assert template.render(data()) == "[v1]"
    with open(template.paths[1], "w", encoding="utf-8") as handle:
        handle.write("v2")
    template.reload()
    assert template.render(data()) == "[v2]"


def test_blank_lines_removed_by_default(make):
    source = "a\n\n   \n{% if true %}\nb\n{% endif %}\n\t\nc\n"
    assert make({"b.tmpl": source}).render(data()) == "a\nb\nc\n"


def test_keep_blank_lines(make):
    source = "a\n\n   \n{% if true %}\nb\n{% endif %}\n\t\nc\n"
    assert make({"b.tmpl": source}, keep_blank_lines=True).render(data()) == "a\n\n   \n\nb\n\n\t\nc\n"


def test_trailing_newline_kept(make):
    assert make({"n.tmpl": "x\n"}).render(data()) == "x\n"
    assert make({"n.tmpl": "x"}).render(data()) == "x"


def test_undefined_keys_render_empty(make):
    # difference 4: a missing key renders "" and is falsy (Go prints <no value>)
    template = make(
        {
            "u.tmpl": "[{{ env.NOPE }}][{{ containers[0].Env.NOPE }}][{{ containers[0].Labels.nope }}]"
            "{% if containers[0].Env.NOPE %}yes{% else %}no{% endif %}"
            "[{{ containers[0].Env.NOPE or 'd' }}][{{ containers[0].Env.get('NOPE', 'g') }}]"
        }
    )
    c = RuntimeContainer(Env={"A": "1"}, Labels={})
    assert template.render(data(c, env={})) == "[][][]no[d][g]"


def test_go_style_printing_of_context_values(make):
    template = make({"p.tmpl": "{% for c in containers %}{{ c.Image }}|{{ c.Image.Repository }}|{{ c.Created }}{% endfor %}"})
    c = RuntimeContainer(
        Image=DockerImage("r.io", "a/b", "1"), Created=GoTime(2023, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    )
    assert template.render(data(c)) == "r.io/a/b:1|a/b|2023-01-02 03:04:05 +0000 UTC"


def test_template_paths_and_main(make):
    template = make({"main.tmpl": "x", "sub/helper.tmpl": "y"})
    assert len(template.paths) == 2
    assert template.main == template.paths[0]
    assert template.spec == ";".join(template.paths)


def test_render_input_from_snapshot_defaults_env_to_process(monkeypatch):
    monkeypatch.setenv("DOCKERGEN_TEST_MARKER", "yes")

    class Snap:
        containers = [ONE]
        docker = Docker(Name="d")
        current_container = None

    made = RenderInput.from_snapshot(Snap())
    assert made.env["DOCKERGEN_TEST_MARKER"] == "yes"
    assert made.containers == [ONE]
    assert RenderInput.from_snapshot(Snap(), env={"A": "1"}).env == {"A": "1"}


def test_multiline_source_dedent_sanity(make):
    source = textwrap.dedent(
        """\
        {% for c in containers %}
        upstream {{ c.Name }} {
            server {{ c.Env.VIRTUAL_HOST }}:{{ c.Env.PORT }};
        }
        {% endfor %}
        """
    )
    assert make({"u.tmpl": source}).render(data(ONE)) == "upstream one {\n    server a.com:80;\n}\n"


@pytest.mark.parametrize("suffix", [";", ";;x.tmpl"])
def test_empty_entry_in_template_list_is_reported_with_the_list(helpers, write, suffix):
    from dockergen.pipeline.render import Template

    main = write("main.tmpl", "x")
    with pytest.raises(RenderError) as info:
        Template(main + suffix)
    assert main in str(info.value)


def test_error_names_the_loop_container_not_current_container(tmp_path):
    from dockergen.model import RuntimeContainer
    from dockergen.pipeline.render import RenderInput, Template

    template = tmp_path / "t.tmpl"
    template.write_text("{{ current_container.Name }}\n{% for c in containers %}{{ 1 // c.Env.ZERO|int }}{% endfor %}\n")
    me = RuntimeContainer(ID="self", Name="dockergen")
    broken = RuntimeContainer(ID="b", Name="broken", Env={"ZERO": "0"})
    with pytest.raises(RenderError) as info:
        Template(str(template)).render(RenderInput([broken], None, {}, me))
    assert "(rendering container broken)" in str(info.value)
    (tmp_path / "u.tmpl").write_text("{{ current_container.Name }} {{ 1 // 0 }}\n")
    with pytest.raises(RenderError) as info:
        Template(str(tmp_path / "u.tmpl")).render(RenderInput([], None, {}, me))
    assert "rendering container" not in str(info.value)


# -- which templates read the daemon facts (a one-shot asks /info only for them) ------------------


@pytest.mark.parametrize(
    "text, reads",
    [
        ("{% for c in containers %}{{ c.Name }}{% endfor %}", False),
        ("{# the docker daemon is not read here #}{{ containers|length }}", False),
        ("{{ docker.Name }}", True),
        ("{% set d = docker %}{{ d.Version }}", True),
        ("{% macro m() %}{{ docker.ApiVersion }}{% endmacro %}{{ m() }}", True),
        ("{% if containers %}{{ docker }}{% endif %}", True),
        ('{% include "other.tmpl" %}', True),  # the included template sees the same context
        ('{% import "other.tmpl" as o %}{{ o }}', True),
        ('{% extends "other.tmpl" %}', True),
    ],
)
def test_which_templates_read_the_daemon_facts(tmp_path, helpers, text, reads) -> None:
    from dockergen.pipeline.render import Template

    (tmp_path / "other.tmpl").write_text("{{ containers|length }}")
    main = tmp_path / "main.tmpl"
    main.write_text(text)
    assert Template(str(main), engine="jinja2").uses_daemon_facts is reads


def test_a_listed_file_that_reads_the_facts_counts(tmp_path, helpers) -> None:
    from dockergen.pipeline.render import Template

    (tmp_path / "main.tmpl").write_text("{{ containers|length }}")
    (tmp_path / "part.tmpl").write_text("{{ docker.Name }}")
    assert Template(f"{tmp_path / 'main.tmpl'};{tmp_path / 'part.tmpl'}", engine="jinja2").uses_daemon_facts


def test_go_templates_always_get_the_daemon_facts(tmp_path) -> None:
    from dockergen.pipeline.render import Template

    main = tmp_path / "main.tmpl"
    main.write_text("{{ range $ }}{{ .Name }}{{ end }}")  # `json $` would show them: never left out
    assert Template(str(main), engine="go").uses_daemon_facts
