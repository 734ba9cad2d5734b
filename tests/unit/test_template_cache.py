"""dockergen.jinja.cache (and dockergen.cache_dir): compiled Jinja2 templates reused from disk, safely, and never in the way."""

from __future__ import annotations

import os
from pathlib import Path

import jinja2
import pytest

from dockergen.cache_dir import CACHE_DIR_VARIABLE, cache_root
from dockergen.jinja.cache import bytecode_cache
from dockergen.jinja.engine import JinjaTemplate
from dockergen.model import Docker, RuntimeContainer
from dockergen.pipeline.render import RenderInput


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv(CACHE_DIR_VARIABLE, str(directory))
    return directory


def render(template: Path) -> str:
    data = RenderInput([RuntimeContainer(ID="a" * 64, Name="web")], Docker(), {})
    return JinjaTemplate(str(template)).render(data)


def cached_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("jinja-*/__jinja2_*.cache"))


def test_a_second_run_loads_the_compiled_template_instead_of_compiling(cache_dir, tmp_path, monkeypatch) -> None:
    template = tmp_path / "names.tmpl"
    template.write_text("{% for c in containers %}{{ c.Name }}\n{% endfor %}")
    assert render(template) == "web\n"
    assert len(cached_files(cache_dir)) == 1

    def no_compiling(*args, **kwargs):
        raise AssertionError("compiled although the cache holds it")

    monkeypatch.setattr(jinja2.Environment, "compile", no_compiling)
    assert render(template) == "web\n"


def test_an_edited_template_is_compiled_again(cache_dir, tmp_path) -> None:
    template = tmp_path / "names.tmpl"
    template.write_text("{% for c in containers %}{{ c.Name }}{% endfor %}\n")
    assert render(template) == "web\n"
    template.write_text("{% for c in containers %}<{{ c.Name }}>{% endfor %}\n")
    assert render(template) == "<web>\n"


def test_the_cache_directory_is_private(cache_dir, tmp_path) -> None:
    template = tmp_path / "t.tmpl"
    template.write_text("x\n")
    render(template)
    for directory in [cache_dir, *cache_dir.glob("jinja-*")]:
        assert directory.stat().st_mode & 0o777 == 0o700


def test_a_directory_others_can_write_to_is_not_used(cache_dir, tmp_path) -> None:
    cache_dir.mkdir(mode=0o700)
    os.chmod(cache_dir, 0o777)  # e.g. DOCKERGEN_CACHE_DIR=/tmp: its files would be code someone else wrote
    assert bytecode_cache(["x"]) is None
    template = tmp_path / "t.tmpl"
    template.write_text("{{ containers|length }}\n")
    assert render(template) == "1\n"
    assert cached_files(cache_dir) == []


def test_a_cache_that_cannot_be_created_is_skipped(tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv(CACHE_DIR_VARIABLE, str(blocker / "cache"))  # below a regular file
    template = tmp_path / "t.tmpl"
    template.write_text("ok\n")
    assert render(template) == "ok\n"


def test_a_corrupt_cache_file_is_a_miss(cache_dir, tmp_path) -> None:
    template = tmp_path / "t.tmpl"
    template.write_text("{{ containers[0].Name }}\n")
    render(template)
    for path in cached_files(cache_dir):
        path.write_bytes(b"garbage")
    assert render(template) == "web\n"


def test_where_the_cache_lives(monkeypatch) -> None:
    assert cache_root(environ={CACHE_DIR_VARIABLE: ""}) == ""  # turned off
    assert cache_root(environ={CACHE_DIR_VARIABLE: "/srv/c"}) == "/srv/c"
    assert cache_root(environ={"XDG_CACHE_HOME": "/x"}) == "/x/dockergen"
    monkeypatch.setenv("HOME", "/home/u")
    assert cache_root(environ={}) == "/home/u/.cache/dockergen"


def test_the_option_wins_over_the_environment() -> None:
    environ = {CACHE_DIR_VARIABLE: "/srv/c", "XDG_CACHE_HOME": "/x"}
    assert cache_root("/elsewhere", environ) == "/elsewhere"
    assert cache_root("", environ) == ""  # -template-cache "" turns it off
    assert cache_root("off", environ) == ""


def test_an_empty_setting_turns_the_cache_off(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(CACHE_DIR_VARIABLE, "")
    assert bytecode_cache(["x"]) is None
