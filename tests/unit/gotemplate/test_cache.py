"""dockergen.gotemplate.cache: a template set loaded from disk runs exactly as a fresh compile,
a change to anything it depends on is a miss, and nothing wrong with the cache fails a render."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dockergen.gotemplate import cache as cache_module
from dockergen.gotemplate import compiler
from dockergen.gotemplate.builtins import BUILTINS
from dockergen.gotemplate.cache import TemplateCache
from dockergen.gotemplate.errors import ExecError
from dockergen.gotemplate.funcmap import function_map
from dockergen.gotemplate.template import TemplateSet


@pytest.fixture
def cache(tmp_path: Path) -> TemplateCache:
    made = TemplateCache.at(str(tmp_path / "cache"))
    assert made is not None
    return made


def entries(cache: TemplateCache) -> list[Path]:
    return sorted(Path(cache.directory).glob("*.pickle"))


# --- a cached set is the same set (and every Go vector, in test_conformance.py) ----------------


LONG_BODY = "".join(f"{{{{ $x{i} := {i} }}}}{{{{ $x{i} }}}}," for i in range(80))  # over _UNIT_WEIGHT nodes
BRANCHES = (
    '{{ define "a" }}A{{ end }}{{ define "b" }}B{{ end }}'
    "{{ if .First }}{{ template \"a\" }}{{ range .L }}" + LONG_BODY + "{{ end }}"
    "{{ else }}{{ template \"b\" }}{{ range .L }}<{{ . }}>" + LONG_BODY + "{{ end }}{{ end }}"
)


def test_what_did_not_run_is_made_when_it_first_runs_and_kept_then(cache: TemplateCache) -> None:
    first = TemplateSet([("t", BRANCHES)], cache=cache)
    assert first.execute({"First": True, "L": [1]}) == "A" + "".join(f"{i}," for i in range(80))
    assert cache.writes == 1
    second = TemplateSet([("t", BRANCHES)], cache=cache)
    assert cache.hits == 1
    assert second.templates["b"].program is None  # never ran: to be generated from the loaded tree
    fresh = TemplateSet([("t", BRANCHES)]).execute({"First": False, "L": [1, 2]})
    assert second.execute({"First": False, "L": [1, 2]}) == fresh
    assert cache.writes == 2  # "b" and the else branch's loop body are in the entry now
    third = TemplateSet([("t", BRANCHES)], cache=cache)
    stored = third._loaded
    assert set(stored) == {"t", "a", "b"} and all(code is not None for code in stored["t"].codes)
    assert third.execute({"First": True, "L": [3]}) == first.execute({"First": True, "L": [3]})
    assert cache.writes == 2


FAILING = "{{ range .L }}" + LONG_BODY + '{{ if eq . 2 }}{{ fail "no two" }}{{ end }}{{ end }}'


def test_errors_of_called_functions_are_named_from_the_cached_code(cache: TemplateCache) -> None:
    """A function's failure inside a unit compiled on its own: Go's ``error calling fail`` at the
    call's position, found from the loaded code's line table."""

    def error(templates: TemplateSet) -> tuple[str, str]:
        with pytest.raises(ExecError) as caught:
            templates.execute({"L": [1, 2]})
        return str(caught.value), caught.value.partial_output

    fresh = error(TemplateSet([("t", FAILING)], cache=cache))
    loaded = TemplateSet([("t", FAILING)], cache=cache)
    assert cache.hits == 1 and loaded._loaded["t"].codes.count(None) == 0
    assert error(loaded) == fresh
    assert "error calling fail: no two" in fresh[0] and fresh[0].startswith("template: t:1:")


def test_the_nginx_proxy_template_loads_and_renders_the_same(cache: TemplateCache) -> None:
    from reference_support import SHARED

    workload = SHARED / "reference" / "workloads" / "nginx-proxy-nginx.tmpl"
    if not workload.is_file():
        pytest.skip(f"nginx-proxy's template is not here ({workload})")
    from dockergen.gotemplate.context import make_root
    from dockergen.model import Docker

    root = make_root([], Docker(), {"DEFAULT_HOST": "x.example"}, None)
    fresh = TemplateSet.from_files(str(workload), cache).execute(root)
    loaded = TemplateSet.from_files(str(workload), cache)
    assert cache.hits == 1
    assert loaded.execute(root) == fresh


# --- what makes a miss ----------------------------------------------------------------------


def test_an_edited_template_is_another_entry(cache: TemplateCache) -> None:
    assert TemplateSet([("t", "{{ 1 }}")], cache=cache).execute(None) == "1"
    assert TemplateSet([("t", "{{ 2 }}")], cache=cache).execute(None) == "2"
    assert cache.hits == 0 and len(entries(cache)) == 2
    assert TemplateSet([("t", "{{ 1 }}")], cache=cache).execute(None) == "1"
    assert cache.hits == 1


def test_the_files_their_names_and_order_are_in_the_key(cache: TemplateCache) -> None:
    funcs = function_map()
    a, b = ("a", '{{ define "x" }}A{{ end }}'), ("b", '{{ define "x" }}B{{ end }}')
    keys = {cache.key(sources, funcs) for sources in ([a, b], [b, a], [a], [("c", a[1]), b])}
    assert len(keys) == 4
    assert cache.key([a, b], funcs) == cache.key([a, b], funcs)


def test_a_changed_package_or_function_map_is_another_entry(cache: TemplateCache, monkeypatch) -> None:
    sources = [("t", "{{ upper .X }}")]
    TemplateSet(sources, cache=cache).execute({"X": "a"})
    key = cache.key(sources, function_map())
    assert cache.key(sources, [*function_map(), "newFunction"]) != key
    monkeypatch.setattr(cache_module, "fingerprint", lambda: b"dockergen after an edit")
    assert cache.key(sources, function_map()) != key
    assert TemplateSet(sources, cache=cache).execute({"X": "b"}) == "B"
    assert cache.hits == 0 and len(entries(cache)) == 2


def test_the_fingerprint_covers_the_engines_sources() -> None:
    files = {os.path.basename(path) for source in cache_module._SOURCES for path in cache_module._python_files(source)}
    assert {"lexer.py", "parser.py", "compiler.py", "runtime.py", "values.py", "strings.py", "unicode.py",
            "model.py"} <= files


# --- nothing wrong with the cache fails a render ------------------------------------------------


def _written(cache: TemplateCache, text: str = "{{ .X }}") -> Path:
    TemplateSet([("t", text)], cache=cache).execute({"X": "v"})
    (path,) = entries(cache)
    return path


@pytest.mark.parametrize("damage", [
    lambda data: data[:-1] + bytes([data[-1] ^ 1]),  # a flipped bit
    lambda data: data[: len(data) // 2],  # a write cut short
    lambda data: b"",
    lambda data: b"not a cache entry at all",
    lambda data: b"dockergen Go template cache 0\n" + data[data.index(b"\n") + 1:],  # another format
])
def test_a_damaged_entry_is_a_miss_and_is_written_again(cache: TemplateCache, damage) -> None:
    path = _written(cache)
    path.write_bytes(damage(path.read_bytes()))
    assert TemplateSet([("t", "{{ .X }}")], cache=cache).execute({"X": "v"}) == "v"
    assert cache.hits == 0 and cache.writes == 2
    assert TemplateSet([("t", "{{ .X }}")], cache=cache).execute({"X": "w"}) == "w"
    assert cache.hits == 1


def test_another_entry_under_this_name_is_ignored(cache: TemplateCache) -> None:
    other = _written(cache, "{{ .X }} other")
    key = cache.key([("t", "{{ .X }}")], function_map())
    Path(cache.directory, key + ".pickle").write_bytes(other.read_bytes())
    assert TemplateSet([("t", "{{ .X }}")], cache=cache).execute({"X": "v"}) == "v"
    assert cache.hits == 0


@pytest.mark.skipif(os.getuid() != 0, reason="giving a file to another user needs root")
def test_an_entry_of_another_user_is_ignored(cache: TemplateCache) -> None:
    path = _written(cache)
    os.chown(path, 4242, -1)
    assert TemplateSet([("t", "{{ .X }}")], cache=cache).execute({"X": "v"}) == "v"
    assert cache.hits == 0


def test_a_directory_others_can_write_to_is_not_used(tmp_path: Path) -> None:
    root = tmp_path / "shared"
    root.mkdir(mode=0o700)
    os.chmod(root, 0o777)  # e.g. -template-cache /tmp: its files would be code someone else wrote
    assert TemplateCache.at(str(root)) is None
    os.chmod(root, 0o700)
    (root / "gotemplate").mkdir(mode=0o770)
    os.chmod(root / "gotemplate", 0o770)
    assert TemplateCache.at(str(root)) is None


def test_a_cache_that_cannot_be_created_or_written_is_skipped(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert TemplateCache.at(str(blocker / "cache")) is None  # below a regular file: no directory
    made = TemplateCache.at(str(tmp_path / "cache"))
    assert made is not None
    os.rmdir(made.directory)
    blocker_dir = Path(made.directory)
    blocker_dir.write_text("")  # the directory became a file: every write fails
    assert TemplateSet([("t", "{{ .X }}")], cache=made).execute({"X": "v"}) == "v"
    assert made.writes == 0


def test_off_means_no_cache(monkeypatch, tmp_path: Path) -> None:
    assert TemplateCache.at("") is None
    assert TemplateCache.at("off") is None
    monkeypatch.setenv("DOCKERGEN_CACHE_DIR", "")
    assert TemplateCache.at() is None
    monkeypatch.setenv("DOCKERGEN_CACHE_DIR", str(tmp_path / "env"))
    made = TemplateCache.at()
    assert made is not None and made.directory == str(tmp_path / "env" / "gotemplate")


def test_the_directories_are_private_and_writes_leave_no_temporary_file(cache: TemplateCache) -> None:
    _written(cache)
    for directory in (Path(cache.directory), Path(cache.directory).parent):
        assert directory.stat().st_mode & 0o777 == 0o700
    assert [path.name for path in Path(cache.directory).iterdir()] == [entries(cache)[0].name]
    assert entries(cache)[0].stat().st_mode & 0o777 == 0o600


def test_what_cannot_be_written_exactly_is_not_cached(cache: TemplateCache) -> None:
    """A constant the pickler does not know how to bring back as the same object (here: any
    object) makes the write fail quietly: no entry rather than a wrong one."""
    tree = TemplateSet([("t", "x")]).trees
    program = compiler.Program(["def render(st, dot):\n    return None\n"], [{}], {"_k0": object()}, [None])
    cache.save(cache.key([("t", "x")], function_map()), tree, {"t": program}, function_map(), BUILTINS)
    assert cache.writes == 0 and entries(cache) == []


def test_the_most_recently_used_entries_are_kept(cache: TemplateCache, monkeypatch) -> None:
    monkeypatch.setattr(cache_module, "KEEP", 3)
    for n in range(5):
        TemplateSet([("t", f"{{{{ {n} }}}}")], cache=cache).execute(None)
        path = Path(cache.directory, cache.key([("t", f"{{{{ {n} }}}}")], function_map()) + ".pickle")
        os.utime(path, (1000 + n, 1000 + n))  # written one after the other, a second apart
    kept = {path.name for path in entries(cache)}
    assert len(kept) == 3
    assert kept == {cache.key([("t", f"{{{{ {n} }}}}")], function_map()) + ".pickle" for n in (2, 3, 4)}


# --- the option --------------------------------------------------------------------------------


def test_the_flag_and_the_toml_key_set_where_the_cache_is(write) -> None:
    from dockergen.cli import config_from_flags, parse_args
    from dockergen.config import Config, load_config_files

    assert config_from_flags(parse_args(["-template-cache", "/var/cache/x", "t.tmpl"]), {}).template_cache == "/var/cache/x"
    assert config_from_flags(parse_args(["-template-cache=", "t.tmpl"]), {}).template_cache == ""
    assert config_from_flags(parse_args(["t.tmpl"]), {}).template_cache is None == Config("t").template_cache
    [config] = load_config_files([write("c.toml", '[[config]]\ntemplate = "t"\ntemplatecache = "off"\n')])
    assert config.template_cache == "off"


LONG_COMMENT = "{{/* " + "a template long enough to be worth caching " * 100 + "*/}}"


def test_a_job_keeps_both_engines_compiled_templates_where_the_option_says(make_job, tmp_path: Path) -> None:
    from dockergen.engine import RenderInput
    from dockergen.model import Docker, RuntimeContainer

    data = RenderInput([RuntimeContainer(ID="a" * 64, Name="web")], Docker(), {})
    directory = tmp_path / "elsewhere"
    job, _ = make_job(LONG_COMMENT + "{{ range $ }}{{ .Name }}{{ end }}\n", engine="go", template_cache=str(directory))
    assert job.template.render(data) == "web\n"
    assert len(list((directory / "gotemplate").glob("*.pickle"))) == 1
    job, _ = make_job("{% for c in containers %}{{ c.Name }}{% endfor %}\n", engine="jinja2",
                      template_cache=str(directory))
    assert job.template.render(data) == "web\n"
    assert len(list(directory.glob("jinja-*/__jinja2_*.cache"))) == 1
    job, _ = make_job(LONG_COMMENT + "{{ range $ }}{{ .Name }}.{{ end }}\n", engine="go", template_cache="off")
    assert job.template.render(data) == "web.\n"
    assert len(list((directory / "gotemplate").glob("*.pickle"))) == 1


def test_a_short_go_template_is_compiled_every_time(make_job, tmp_path: Path) -> None:
    """Under WORTH_CACHING characters, compiling costs less than checking the cache."""
    from dockergen.engine import RenderInput
    from dockergen.gotemplate.engine import WORTH_CACHING
    from dockergen.model import Docker

    assert len(LONG_COMMENT) >= WORTH_CACHING
    directory = tmp_path / "cache"
    job, _ = make_job("{{ len $ }}\n", engine="go", template_cache=str(directory))
    assert job.template.render(RenderInput([], Docker(), {})) == "0\n"
    assert list(directory.glob("gotemplate/*")) == []
