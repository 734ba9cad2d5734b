"""The lean Engine API client answers what the docker SDK answers, on the real engine."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from dockergen.daemon.endpoint import DEFAULT_UNIX_SOCKET
from dockergen.daemon.api import UnixReadClient
from dockergen.errors import DockerAPIError

pytestmark = pytest.mark.engine


@pytest.fixture
def reader() -> UnixReadClient:
    return UnixReadClient(DEFAULT_UNIX_SOCKET)


def test_version_and_networks_match_the_sdk(reader, docker_api) -> None:
    assert reader.version()["ApiVersion"] == docker_api.version()["ApiVersion"]
    assert {n["Id"] for n in reader.networks()} == {n["Id"] for n in docker_api.networks()}


def test_list_and_inspect_match_the_sdk(reader, docker_api, engine, make_containers) -> None:
    # 30 containers: the list answer is far larger than one write buffer, so it arrives in chunks.
    make_containers(30, labels={"com.example.api": "lean"})
    filters = {"label": [engine.label_filter, "com.example.api=lean"]}
    listed = reader.containers(filters=filters)
    assert sorted(c["Id"] for c in listed) == sorted(c["Id"] for c in docker_api.containers(filters=filters))
    assert len(listed) == 30
    ids = [c["Id"] for c in listed]
    with ThreadPoolExecutor(8) as pool:  # a connection per thread, each kept alive across requests
        inspected = list(pool.map(reader.inspect_container, ids))
    # Pipelined over 4 connections, with one unknown container among them.
    pipelined = reader.inspect_containers([*ids[:15], "dockergen-no-such-container", *ids[15:]], connections=4)
    assert isinstance(pipelined.pop(15), DockerAPIError)
    assert [data["Id"] for data in pipelined] == ids
    assert [data["Config"]["Env"] for data in pipelined] == [data["Config"]["Env"] for data in inspected]
    for data in inspected:
        expected = docker_api.inspect_container(data["Id"])
        assert (data["Name"], data["Config"]["Env"], data["NetworkSettings"]["Networks"].keys()) == (
            expected["Name"],
            expected["Config"]["Env"],
            expected["NetworkSettings"]["Networks"].keys(),
        )


def test_prefetched_answers_are_the_engines(reader, docker_api, engine, make_container) -> None:
    make_container(labels={"com.example.api": "prefetch"})
    filters = {"label": [engine.label_filter, "com.example.api=prefetch"]}
    for name in ("version", "info", "networks"):
        reader.prefetch(name)
    reader.prefetch("containers", all=True, filters=filters)
    assert reader.version()["ApiVersion"] == docker_api.version()["ApiVersion"]
    assert reader.info()["ID"] == docker_api.info()["ID"]
    assert len(reader.containers(all=True, filters=filters)) == 1


def test_an_unknown_container_is_a_404(reader) -> None:
    with pytest.raises(DockerAPIError) as caught:
        reader.inspect_container("dockergen-no-such-container")
    assert caught.value.response.status_code == 404
    assert "No such container" in str(caught.value)
