"""templates/prometheus-images.prom.tmpl and the examples/image-updates notifier.

The inventory must parse with prometheus_client's text parser and name each container's image;
the example config (the real watcher, the real notify script) must report an image change and
stay silent on a re-render that changes nothing.
"""

from __future__ import annotations

import signal
import uuid

import pytest
from prometheus_client.parser import text_string_to_metric_families

from cli_support import REPO, RunningGenerator
from dockergen.daemon.inventory import Inventory
from dockergen.pipeline.render import RenderInput, Template
from engine_support import TEST_IMAGE, wait_for

pytestmark = pytest.mark.engine

CASE_LABEL = "dockergen.test.case"
TEMPLATE = REPO / "templates" / "prometheus-images.prom.tmpl"
EXAMPLE = REPO / "examples" / "image-updates" / "image-updates.toml"
REPOSITORY, TAG = TEST_IMAGE.split(":")


@pytest.fixture
def second_tag(docker_api):
    """The test image under a second tag (no registry: `docker tag`, never a pull)."""
    tag = f"imgupd-{uuid.uuid4().hex[:8]}"
    docker_api.tag(TEST_IMAGE, REPOSITORY, tag)
    yield f"{REPOSITORY}:{tag}"
    docker_api.remove_image(f"{REPOSITORY}:{tag}")  # removes the tag only: the image keeps :latest


def families(text: str) -> dict:
    return {family.name: family for family in text_string_to_metric_families(text)}


def test_inventory_parses_and_names_every_image(make_container, docker_api, engine, second_tag):
    case = uuid.uuid4().hex[:12]
    labels = {CASE_LABEL: case}
    plain = make_container(labels=labels)
    tagged = make_container(
        labels={**labels, "org.opencontainers.image.version": '1.2 "beta"', "org.opencontainers.image.revision": "abc\\def"},
        image=second_tag,
    )
    snapshot = Inventory(docker_api).snapshot({"label": [engine.label_filter, f"{CASE_LABEL}={case}"]})
    text = Template(str(TEMPLATE)).render(RenderInput.from_snapshot(snapshot, env={}))

    found = families(text)  # raises on anything the text format does not allow
    info = {s.labels["container"]: s for s in found["docker_container_image_info"].samples}
    assert set(info) == {plain.name, tagged.name}
    assert info[plain.name].value == 1
    assert info[plain.name].labels == {
        "container": plain.name, "container_id": plain.id[:12], "image": TEST_IMAGE, "registry": "",
        "repository": REPOSITORY, "tag": TAG, "version": "", "revision": "",
        "image_id": docker_api.inspect_image(TEST_IMAGE)["Id"],
    }
    assert info[tagged.name].labels["image"] == second_tag
    assert info[tagged.name].labels["tag"] == second_tag.split(":")[1]
    # quotes and backslashes in label values are escaped, and come back intact
    assert info[tagged.name].labels["version"] == '1.2 "beta"'
    assert info[tagged.name].labels["revision"] == "abc\\def"
    created = {s.labels["container"]: s.value for s in found["docker_container_created_seconds"].samples}
    assert set(created) == {plain.name, tagged.name} and all(v > 1_600_000_000 for v in created.values())
    assert found["docker_containers"].samples[0].value == 2


def test_inventory_without_containers_parses(docker_api, engine):
    snapshot = Inventory(docker_api).snapshot({"label": [engine.label_filter, f"{CASE_LABEL}=none-{uuid.uuid4().hex}"]})
    text = Template(str(TEMPLATE)).render(RenderInput.from_snapshot(snapshot, env={}))
    found = families(text)
    assert found["docker_containers"].samples[0].value == 0
    assert not found["docker_container_image_info"].samples


def test_image_updates_example_notifies_on_change_only(make_container, engine, docker_api, second_tag, tmp_path):
    case = uuid.uuid4().hex[:12]
    dest = tmp_path / "docker_images.prom"
    config = EXAMPLE.read_text()
    assert 'dest = "/var/lib/node_exporter/textfile/docker_images.prom"' in config
    config = config.replace('dest = "/var/lib/node_exporter/textfile/docker_images.prom"', f'dest = "{dest}"')
    config = config.replace('wait = "500ms:2s"', 'wait = "100ms:500ms"')
    config += f'\n[config.ContainerFilter]\nlabel = ["{CASE_LABEL}={case}"]\n'
    config_path = tmp_path / "image-updates.toml"
    config_path.write_text(config)
    notify = "Running 'sh examples/image-updates/notify.sh'"

    name = engine.unique_name("dgt-imgupd")
    first = make_container(name=name, labels={CASE_LABEL: case})
    with RunningGenerator("-config", str(config_path), log_path=tmp_path / "gen.log") as gen:
        wait_for(lambda: "image inventory started: 1 containers" in gen.log(), timeout=20,
                 message="the first notification")
        runs = gen.count(notify)
        assert runs == 1

        # a re-render that changes nothing: no write, no notification
        skipped = gen.count("did not change. Skipping notification")
        gen.signal(signal.SIGHUP)
        wait_for(lambda: gen.count("did not change. Skipping notification") > skipped, timeout=20,
                 message="the unchanged re-render")
        assert gen.count(notify) == runs

        # the container is re-created from another image under the same name
        docker_api.remove_container(first.id, force=True)
        make_container(name=name, labels={CASE_LABEL: case}, image=second_tag)
        change = f"image changed: {name}: {TEST_IMAGE} -> {second_tag}"
        wait_for(lambda: change in gen.log(), timeout=20, message="the image change notification")
        assert gen.log().count(change) == 1
        assert f'image="{second_tag}"' in dest.read_text()
        assert "Error" not in gen.log(), gen.log()
