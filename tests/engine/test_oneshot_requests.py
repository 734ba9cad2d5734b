"""What a one-shot run asks the engine, seen through a counting proxy on its socket.

A one-shot sends its list, version and networks requests before it compiles
the templates, then pipelines the inspects; each is asked exactly once, and a
template error is still reported before anything the engine says.  ``/info``,
one of the engine's most expensive calls, is asked only when a template can
read the daemon facts (``docker``).
"""

from __future__ import annotations

import pytest

from cli_support import run_cli
from counting_proxy import CountingProxy
from dockergen.daemon.endpoint import DEFAULT_UNIX_SOCKET

pytestmark = pytest.mark.engine


@pytest.fixture
def proxy(tmp_path):
    counting = CountingProxy(str(tmp_path / "engine.sock"), DEFAULT_UNIX_SOCKET)
    yield counting
    counting.close()


def test_each_request_is_made_once_and_the_list_comes_first(tmp_path, proxy, engine, make_containers):
    made = make_containers(12, name=f"req-{engine.session_id[:6]}-{{i}}")
    template = tmp_path / "names.tmpl"
    template.write_text("{% for c in containers|sortObjectsByKeysAsc('Name') %}{{ c.Name }}\n{% endfor %}")
    result = run_cli("-endpoint", f"unix://{proxy.path}", "-container-filter", f"label={engine.label_filter}", str(template))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == sorted(c.name for c in made)
    paths = proxy.paths()
    inspects = [p for p in paths if p.startswith("/containers/") and p.endswith("/json") and p != "/containers/json"]
    others = sorted(p for p in paths if p not in inspects)
    assert others == ["/containers/json", "/networks", "/version"]  # the template never reads `docker`
    assert sorted(inspects) == sorted(f"/containers/{c.id}/json" for c in made)
    # Sent ahead alone: the engine answers it sooner when not working on the facts meanwhile;
    # the facts go with the inspects.
    assert paths[0] == "/containers/json"


@pytest.mark.parametrize(
    "text",
    [
        "{{ docker.Name }}|{{ docker.NumContainers > 0 }}|{{ containers|length }}\n",
        "{% macro facts() %}{{ docker.Name }}{% endmacro %}{{ facts() }}|{{ true }}|{{ containers|length }}\n",
        "{{ .Docker.Name }}|{{ gt .Docker.NumContainers 0 }}|{{ len $ }}\n",  # Go: always asked
    ],
)
def test_a_template_that_reads_the_daemon_facts_gets_them(tmp_path, proxy, engine, docker_api, make_containers, text):
    make_containers(2)
    template = tmp_path / "facts.tmpl"
    template.write_text(text)
    result = run_cli("-endpoint", f"unix://{proxy.path}", "-container-filter", f"label={engine.label_filter}", str(template))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().lower() == f"{docker_api.info()['Name']}|true|2"
    assert sorted(p for p in proxy.paths() if not p.startswith("/containers/")) == ["/info", "/networks", "/version"]


def test_a_template_error_comes_before_the_engines_answers(tmp_path, proxy):
    template = tmp_path / "bad.tmpl"
    template.write_text("{% for c in containers %}\n")
    result = run_cli("-endpoint", f"unix://{proxy.path}", str(template))
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1].startswith(f"docker-gen: {template}:")
    proxy.close()  # the engine gone as well: still the template's error first
    result = run_cli("-endpoint", f"unix://{proxy.path}", str(template))
    assert result.stderr.splitlines()[-1].startswith(f"docker-gen: {template}:")
