"""The Go engine behind render.Template: errors name file and line, reloads keep the last good version."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockergen.errors import RenderError
from dockergen.model import Docker, DockerImage, RuntimeContainer
from dockergen.pipeline.render import RenderInput, Template


def _containers(*names: str) -> list[RuntimeContainer]:
    return [
        RuntimeContainer(ID=f"{i:064x}", Name=name, Image=DockerImage.split("nginx:1.25"), Env={"PORT": str(80 + i)})
        for i, name in enumerate(names)
    ]


def _data(containers: list[RuntimeContainer]) -> RenderInput:
    return RenderInput(containers, Docker(Name="host"), {"DEFAULT_HOST": "example.com"}, None)


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_renders_docker_gen_context(tmp_path: Path) -> None:
    path = _write(tmp_path, "t.tmpl", "{{ range $ }}{{ .Name }} {{ .Image }} {{ .Env.PORT }}\n{{ end }}{{ $.Env.DEFAULT_HOST }} {{ .Docker.Name }}\n")
    template = Template(path)
    assert template.engine == "go"
    assert template.render(_data(_containers("a", "b"))) == "a nginx:1.25 80\nb nginx:1.25 81\nexample.com host\n"


def test_blank_lines_removed_unless_kept(tmp_path: Path) -> None:
    path = _write(tmp_path, "t.tmpl", "{{ range $ }}\n  {{ .Name }}\n{{ end }}\n")
    assert Template(path).render(_data(_containers("a"))) == "  a\n"
    assert Template(path, keep_blank_lines=True).render(_data(_containers("a"))) == "\n  a\n\n"


def test_exec_error_names_file_line_and_container(tmp_path: Path) -> None:
    path = _write(tmp_path, "t.tmpl", "head\n{{ range $ }}{{ mustBeInt .Env.PORT }}{{ end }}\n")
    containers = _containers("good", "bad")
    containers[1].Env["PORT"] = "eighty"
    with pytest.raises(RenderError) as info:
        Template(path).render(_data(containers))
    error = info.value
    assert (error.template, error.line, error.container) == (path, 2, "bad")
    assert str(error) == (
        f'{path}:2: template: t.tmpl:2:16: executing "t.tmpl" at <mustBeInt .Env.PORT>: '
        'error calling mustBeInt: value must be an integer; got "eighty" (rendering container bad)'
    )


def test_parse_error_in_second_file_names_that_file(tmp_path: Path) -> None:
    main = _write(tmp_path, "main.tmpl", '{{ template "x" }}')
    lib = _write(tmp_path, "lib.tmpl", '{{ define "x" }}\n{{ if }}{{ end }}{{ end }}')
    with pytest.raises(RenderError) as info:
        Template(f"{main};{lib}")
    assert info.value.template == lib
    assert str(info.value) == f"{lib}:2: template: lib.tmpl:2: missing value for if"


def test_reload_keeps_last_good_version(tmp_path: Path) -> None:
    path = _write(tmp_path, "t.tmpl", "{{ len $ }}")
    template = Template(path)
    Path(path).write_text("{{ range }}")
    with pytest.raises(RenderError):
        template.reload()
    assert template.render(_data(_containers("a"))) == "1"
    Path(path).write_text("{{ range $ }}{{ .Name }}{{ end }}")
    template.reload()
    assert template.render(_data(_containers("a"))) == "a"


def test_changed_container_is_seen_although_copies_are_cached(tmp_path: Path) -> None:
    path = _write(tmp_path, "t.tmpl", "{{ range $ }}{{ .Name }}={{ .Env.PORT }};{{ end }}")
    template = Template(path)
    first = _containers("a", "b")
    assert template.render(_data(first)) == "a=80;b=81;"
    replaced = _containers("a", "b")
    replaced[0].Env["PORT"] = "8080"  # a new object, as the inventory makes on change
    assert template.render(_data([replaced[0], first[1]])) == "a=8080;b=81;"


def test_current_container_is_the_listed_one(tmp_path: Path) -> None:
    path = _write(tmp_path, "t.tmpl", "{{ with .CurrentContainer }}{{ .Name }}{{ end }}|{{ eq (index $ 0) $.CurrentContainer }}")
    containers = _containers("self", "other")
    data = RenderInput(containers, Docker(), {}, containers[0])
    assert Template(path).render(data) == "self|true"
