"""docker-gen's own helpers: field paths, closest, include, and the Jinja2 builtins beside them."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from dockergen.helpers.fieldpath import deep_get
from dockergen.helpers.functions import closest, include
from dockergen.limits import MAX_SCAN, MAX_TEXT, LimitError
from dockergen.model import DockerImage, RuntimeContainer

from .support import go, go_error, jinja, jinja_error


def _container(**labels: str) -> RuntimeContainer:
    return RuntimeContainer(ID="c" * 64, Name="c", Image=DockerImage.split("a:b"), Labels=labels)


def test_a_path_of_many_dots_is_walked_in_linear_time() -> None:
    # A map key may hold dots, so each join of the remaining parts was built and looked
    # up: a million parts cost 10**12 characters of joins per container.
    long_path = "Labels" + ".b" * 1_000_000
    container = _container(**{"a.a": "2", "x": "1"})
    assert deep_get(container, long_path) is None
    assert deep_get(container, "Labels.a.a") == "2"
    assert deep_get(_container(**{"a" * 50_000 + ".b": "k"}), "Labels." + "a" * 50_000 + ".b") == "k"
    env = {"a.a": "x", "P": "b" + ".b" * 1_000_000}
    assert go('{{ len (where (list .) .P "x") }} {{ len (where (list .) "a.a" "x") }}', **env) == "0 1"
    containers = [_container(**{"com.docker.compose.project": "p"}), _container(x="1")]
    assert jinja(
        "{{ where(cs, p, '1')|length }} {{ where(cs, 'Labels.com.docker.compose.project', 'p')|length }}",
        cs=containers, p=long_path,
    ) == "0 1"


def test_long_paths_and_layouts_are_not_kept_in_caches() -> None:
    # 512 cached 1 MB paths (each a tuple of 500 000 parts) would hold gigabytes.
    from dockergen.gotemplate.sprig.dates import _tokenize_cached
    from dockergen.helpers.fieldpath import _split_cached

    paths, layouts = _split_cached.cache_info().currsize, _tokenize_cached.cache_info().currsize
    for i in range(5):
        assert deep_get(_container(), f"Labels.{i}" + ".a" * 500_000) is None
        assert go("{{ date .L now | len }}", L="qrstu"[i] + "x" * 500_000) == "500001"
    assert _split_cached.cache_info().currsize == paths
    assert _tokenize_cached.cache_info().currsize == layouts
    assert deep_get(_container(x="1"), "Labels.x") == "1"  # short ones are still remembered
    assert _split_cached.cache_info().currsize in (paths, paths + 1)


def test_closest_over_a_long_list_and_a_long_text_is_budgeted() -> None:
    candidates = [f"z{i}!" for i in range(100_000)]  # none occurs: each search reads all the text
    with pytest.raises(LimitError, match=f"closest: scanning .* exceeds dockergen's limit of {MAX_SCAN}"):
        closest(candidates, "y" * 1_000_000)
    assert closest(["a.example.com", "example.com", "zz"], "www.a.example.com") == "a.example.com"
    assert closest(candidates[:50], "y" * 1_000_000) == ""  # a short list reads the text 50 times: fine


def test_include_reads_at_most_the_limit_and_never_waits(tmp_path: Path) -> None:
    with pytest.raises(LimitError, match=f"include: the file is longer than dockergen's limit of {MAX_TEXT}"):
        include("/dev/zero")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    result: list[str] = []
    reader = threading.Thread(target=lambda: result.append(include(str(fifo))), daemon=True)
    reader.start()
    reader.join(30)  # generous: a blocking open would never return
    assert result == [""]
    text = tmp_path / "t.txt"
    text.write_bytes(b"a\r\nb\rc\xff")
    assert include(str(text)) == "a\nb\nc\ufffd"
    assert include(str(text), raw=True) == "a\r\nb\rc\udcff"
    assert "include: the file is longer" in go_error('{{ include "/dev/zero" }}')


def test_jinja_replace_filter_is_bounded_like_the_helpers() -> None:
    message = jinja_error("{{ s|replace('', s) }}", LimitError, s="x" * 5000)
    assert message == f"replace: a result of 25010000 characters exceeds dockergen's limit of {MAX_TEXT}"
    assert jinja("{{ 'aaaaargh'|replace('a', \"d'oh, \", 2) }}") == "d'oh, d'oh, aaargh"
    assert jinja("{{ s|replace('a', 'b') }}", s="a" * 1000) == "b" * 1000
