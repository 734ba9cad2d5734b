"""docker-gen's integration test, ported: dockergen running inside a container finds itself.

The busybox test image has no Python, so the host's Python, virtualenv and
checkout are bind-mounted read-only at their own paths.
"""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path

import pytest

from cli_support import REPO

pytestmark = pytest.mark.engine

TEMPLATE = """\
{# docker-gen's test.tmpl: the leading comment line leaves a blank line that is removed #}
{"Docker": {{ docker|toPrettyJson }}, "Env": {{ env|toPrettyJson }},
 "CurrentContainer": {{ current_container|toPrettyJson }}, "Containers": {{ containers|toPrettyJson }}}
"""


def host_python_mounts() -> list[str]:
    python = Path(sys.executable).resolve()
    prefix = Path(sys.base_prefix).resolve()
    mounts = {"/usr": "/usr", "/usr/lib": "/lib", "/etc/ssl": "/etc/ssl"}
    if Path("/usr/lib64").exists():
        mounts["/usr/lib64"] = "/lib64"
    mounts[str(prefix)] = str(prefix)
    mounts[str(REPO)] = str(REPO)
    assert python.exists()
    return [f"{source}:{target}:ro" for source, target in mounts.items()]


def test_current_container_inside_a_container(tmp_path, make_container, wait_for):
    tag = uuid.uuid4().hex[:8]
    (tmp_path / "test.tmpl").write_text(TEMPLATE)
    venv_python = REPO / ".venv" / "bin" / "python"
    python = str(venv_python if venv_python.exists() else sys.executable)
    generator = make_container(
        python, "-m", "dockergen", "-watch", "/out/test.tmpl", "/out/rendered",
        labels={"com.github.nginx-proxy.docker-gen": "", "t": tag},
        env={
            "DOCKER_CONTAINER_FILTERS": f"label=t={tag}",
            "DOCKER_HOST": "unix:///tmp/docker.sock",
            "PYTHONDONTWRITEBYTECODE": "1",
        },
        mounts=["/var/run/docker.sock:/tmp/docker.sock:ro", f"{tmp_path}:/out", *host_python_mounts()],
    )
    rendered = tmp_path / "rendered"
    wait_for(lambda: rendered.exists() and rendered.read_text().strip().endswith("}"), timeout=20,
             message="dockergen in a container did not render")
    data = json.loads(rendered.read_text())
    assert data["Docker"]["CurrentContainerID"] == generator.id
    assert data["CurrentContainer"]["ID"] == generator.id
    assert [c["ID"] for c in data["Containers"]] == [generator.id]
    assert data["Env"]["DOCKER_HOST"] == "unix:///tmp/docker.sock"
    assert data["Containers"][0]["Labels"]["com.github.nginx-proxy.docker-gen"] == ""
