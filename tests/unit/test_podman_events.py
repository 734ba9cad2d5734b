"""Podman's event stream made to look like Docker's, and Docker's filter rules applied locally.

The raw events are shaped as podman 4.3's compat API sends them (recorded here).
"""

from __future__ import annotations

import time

import pytest

from dockergen.daemon.events import DEFAULT_EVENT_FILTER, Event, merge_event_filters
from dockergen.daemon.podman import HealthFollowUp, as_docker_event, is_podman, matches
from dockergen.errors import DockerAPIError

CID = "6f69eaa3388d8c9030bbed6dea818b3d24e5ea4893375b3431cb0a2018cc57d4"


def podman_event(action: str, kind: str = "container", **attributes: str) -> dict:
    attrs = {"containerExitCode": "0", "image": "localhost/dockergen-test/busybox:latest", "name": "web", "podId": ""}
    if kind == "network":
        attrs["image"] = ""
    attrs.update(attributes)
    return {
        "status": action, "id": CID, "from": attrs["image"], "Type": kind, "Action": action,
        "Actor": {"ID": CID, "Attributes": attrs}, "scope": "local",
        "time": 1796229045, "timeNano": 1796229045068206446,
    }


PODMAN_VERSION = {
    "Components": [{"Name": "Podman Engine", "Version": "4.3.1"}, {"Name": "Conmon", "Version": "2.1.6"}],
    "Version": "4.3.1", "ApiVersion": "1.41",
}
DOCKER_VERSION = {
    "Components": [{"Name": "Engine", "Version": "20.10.24"}, {"Name": "containerd", "Version": "1.6"}],
    "Version": "20.10.24", "ApiVersion": "1.41",
}


def test_podman_is_told_from_docker_by_its_engine_component():
    assert is_podman(PODMAN_VERSION)
    assert not is_podman(DOCKER_VERSION)
    assert not is_podman({}) and not is_podman({"Components": None})


def test_remove_is_destroy_and_keeps_its_container():
    event = Event.from_api(as_docker_event(podman_event("remove")))
    assert (event.type, event.action, event.container_id) == ("container", "destroy", CID)


def test_network_events_name_their_container_and_no_network():
    raw = as_docker_event(podman_event("connect", kind="network"))
    event = Event.from_api(raw)
    assert (event.type, event.action, event.container_id) == ("network", "connect", CID)
    assert "name" not in event.attributes  # Podman's "name" is the container's, not a network's
    assert matches(raw, {"type": ["network"], "container": [CID[:12]]})


def test_the_default_filter_keeps_what_docker_would_send_and_drops_podman_noise():
    kept = [a for a in ("create", "init", "start", "kill", "die", "died", "cleanup", "remove", "exec_died",
                        "health_status", "rename", "pause", "unpause", "stop", "exec")
            if matches(as_docker_event(podman_event(a)), DEFAULT_EVENT_FILTER)]
    assert kept == ["create", "start", "die", "died", "remove", "health_status", "rename", "pause", "unpause", "stop"]
    assert matches(as_docker_event(podman_event("disconnect", kind="network")), DEFAULT_EVENT_FILTER)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"label": ["dgpm"]}, True),  # a bare key, which Podman's own filter never matches
        ({"label": ["dgpm=1"]}, True),
        ({"label": ["dgpm=2"]}, False),
        ({"label": ["other", "dgpm"]}, True),  # alternatives
        ({"label": ["dgpm"], "event": ["stop"]}, False),  # every key must match
        ({"event": ["destroy"]}, True),
        ({"event": ["remove"]}, True),  # Podman's name is accepted too
        ({"type": ["container"]}, True),
        ({"type": ["network", "image"]}, False),
        ({"container": ["web"]}, True),
        ({"container": [CID[:12]]}, True),
        ({"container": ["db"]}, False),
        ({"image": ["dockergen-test/busybox"]}, True),
        ({"image": ["localhost/dockergen-test/busybox:latest"]}, True),
        ({"image": ["busybox"]}, False),
        ({"scope": ["local"]}, True),
        ({"scope": ["swarm"]}, False),
        ({"service": ["web"]}, False),  # nothing Podman sends has a service
        ({"label": []}, True),
    ],
)
def test_filters_follow_dockers_rules(filters, expected):
    assert matches(as_docker_event(podman_event("remove", dgpm="1")), filters) is expected


def test_user_event_filters_on_top_of_the_defaults():
    filters = merge_event_filters({"label": ["com.example.proxy"]})
    assert matches(as_docker_event(podman_event("start", **{"com.example.proxy": "yes"})), filters)
    assert not matches(as_docker_event(podman_event("start")), filters)


@pytest.mark.parametrize("wanted", ["nginx", "nginx:latest", "library/nginx", "docker.io/library/nginx:latest"])
def test_image_filters_compare_the_short_names(wanted):
    raw = as_docker_event(podman_event("start", image="docker.io/library/nginx:latest"))
    assert matches(raw, {"image": [wanted]})
    assert not matches(raw, {"image": ["nginx:1.22"]})


class SlowHealthApi:
    """Inspect answers the old status for the first ``lag`` calls, as Podman does after its event."""

    def __init__(self, old: str, new: str, lag: int) -> None:
        self.answers = [old] * lag + [new]
        self.calls = 0

    def inspect_container(self, container_id: str) -> dict:
        self.calls += 1
        if not self.answers:
            raise DockerAPIError(404, "no such container")
        status = self.answers[0] if len(self.answers) == 1 else self.answers.pop(0)
        return {"State": {"Health": {"Status": status}}}


def follow_up(api, twice: bool = False, before: str | None = None) -> list:
    import threading

    delivered: list = []
    follower = HealthFollowUp(api, delivered.append, threading.Event())
    follower.DELAYS = (0.01,) * len(HealthFollowUp.DELAYS)
    follower.follow("event", CID, before)
    if twice:
        follower.follow("event", CID, before)  # while the first polls: one poll per container at a time
    for _ in range(200):
        if not follower._pending:
            break
        time.sleep(0.005)
    return delivered


def test_a_health_event_is_delivered_again_once_inspect_shows_the_new_status():
    api = SlowHealthApi("healthy", "unhealthy", lag=4)
    assert follow_up(api, twice=True) == ["event"]
    assert api.calls == 5


def test_the_status_before_the_check_comes_from_the_event_not_a_racing_inspect():
    # The result is already stored at the first poll: compared with the event's HealthStatus
    # (the previous result), it is a change all the same.
    api = SlowHealthApi("unhealthy", "unhealthy", lag=0)
    assert follow_up(api, before="healthy") == ["event"]
    assert api.calls == 1


def test_no_change_no_second_delivery_and_a_bounded_number_of_polls():
    api = SlowHealthApi("healthy", "healthy", lag=0)
    assert follow_up(api) == []
    assert api.calls == 1 + len(HealthFollowUp.DELAYS)


def test_a_removed_container_ends_the_polls():
    api = SlowHealthApi("healthy", "healthy", lag=0)
    api.answers = []
    assert follow_up(api) == [] and api.calls == 1
