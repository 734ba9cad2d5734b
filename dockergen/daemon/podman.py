"""Podman's Docker-compatible API: how to tell it from Docker, and where the two differ.

Podman answers the Docker API well enough for inspection, but its event
stream differs (checked against podman 4.3):

* a removed container sends ``remove``, not ``destroy``; a stopped one often
  only ``die``; there are extra actions (``init``, ``cleanup``, ``exec``, ...);
* network ``connect``/``disconnect`` events name the container as the actor
  and carry no network at all;
* its server-side filters do not follow Docker's: ``event=die`` and
  ``event=destroy`` match nothing, and so do a bare label key and ``scope``;
* a ``health_status`` event comes before the check's result can be read:
  inspect still shows the previous status for most of a second.

So on Podman the event stream is read unfiltered and the events are made to
look like Docker's, then filtered here with Docker's rules, and a health
event is delivered again once inspect shows its new status
(:class:`HealthFollowUp`).  Everything else (inspect, lists) is used as the
engine reports it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from dockergen.daemon.api import api_errors
from dockergen.daemon.filters import has_label
from dockergen.model import DockerImage

# What Podman calls an action, under Docker's name.
_DOCKER_ACTIONS = {"remove": "destroy", "died": "die"}


def is_podman(version: Mapping[str, Any]) -> bool:
    """True when a ``/version`` answer comes from Podman (it lists a "Podman Engine" component)."""
    return any(
        (component or {}).get("Name") == "Podman Engine" for component in version.get("Components") or []
    )


def docker_action(action: str) -> str:
    """Podman's name for an event action, as Docker names it."""
    return _DOCKER_ACTIONS.get(action, action)


def as_docker_event(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A raw Podman event, shaped like the one Docker sends for the same change."""
    event = dict(raw)
    action = (raw.get("Action") or raw.get("status") or "").split(":", 1)[0]
    event["Action"] = docker_action(action)
    if raw.get("Type") == "network":
        # Docker: Actor = the network, Attributes.container = the container.
        # Podman: Actor = the container, and no network at all.
        actor = dict(raw.get("Actor") or {})
        attributes = dict(actor.get("Attributes") or {})
        attributes.setdefault("container", actor.get("ID", ""))
        for misleading in ("name", "image"):  # the container's, where Docker puts the network's
            attributes.pop(misleading, None)
        event["Actor"] = {"ID": "", "Attributes": attributes}
    return event


def matches(event: Mapping[str, Any], filters: Mapping[str, list[str]]) -> bool:
    """Docker's event filter rules: values of one key are alternatives, all keys must match.

    ``event`` accepts Podman's names as well as Docker's.  A key that no
    Podman event can satisfy (``service``, ``node``, a network name on a
    network event, ...) matches nothing, as on a Docker engine without them.
    """
    return all(not wanted or _KEYS.get(key, _nothing)(event, wanted) for key, wanted in filters.items())


def _attributes(event: Mapping[str, Any]) -> Mapping[str, str]:
    return (event.get("Actor") or {}).get("Attributes") or {}


def _kind(event: Mapping[str, Any]) -> str:
    return event.get("Type") or "container"


def _event(event: Mapping[str, Any], wanted: list[str]) -> bool:
    return docker_action(event.get("Action", "")) in {docker_action(w) for w in wanted}


def _type(event: Mapping[str, Any], wanted: list[str]) -> bool:
    return _kind(event) in wanted


def _label(event: Mapping[str, Any], wanted: list[str]) -> bool:
    return any(has_label(_attributes(event), label) for label in wanted)


def _container(event: Mapping[str, Any], wanted: list[str]) -> bool:
    attributes = _attributes(event)
    if _kind(event) == "network":
        return any(_same_object(w, attributes.get("container", ""), "") for w in wanted)
    actor_id = (event.get("Actor") or {}).get("ID", "")
    return any(_same_object(w, actor_id, attributes.get("name", "")) for w in wanted)


def _image(event: Mapping[str, Any], wanted: list[str]) -> bool:
    image = _attributes(event).get("image", "")
    return _kind(event) == "container" and any(_same_image(w, image) for w in wanted)


def _scope(event: Mapping[str, Any], wanted: list[str]) -> bool:
    return "local" in wanted


def _any(event: Mapping[str, Any], wanted: list[str]) -> bool:
    return True  # ``daemon``: one engine per stream, its own events


def _nothing(event: Mapping[str, Any], wanted: list[str]) -> bool:
    return False


_KEYS: dict[str, Callable[[Mapping[str, Any], list[str]], bool]] = {
    "event": _event, "type": _type, "label": _label, "container": _container, "image": _image,
    "scope": _scope, "daemon": _any,
}


def _same_object(wanted: str, object_id: str, name: str) -> bool:
    return bool(wanted) and (wanted == name or (object_id != "" and object_id.startswith(wanted)))


def _same_image(wanted: str, image: str) -> bool:
    """Podman reports images fully qualified (``localhost/x:latest``): compare the short forms too."""
    return wanted in (image, _short_image(image)) or _short_image(wanted) == _short_image(image)


def _short_image(image: str) -> str:
    """``docker.io/library/nginx`` and ``nginx:latest`` alike become ``nginx:latest``."""
    parts = DockerImage.split(image)
    return f"{parts.Repository.removeprefix('library/')}:{parts.Tag or 'latest'}"


class HealthFollowUp:
    """Delivers a Podman health event again once inspect shows a status other than before the check.

    Podman sends ``health_status`` as a check starts, with the previous
    result as its ``HealthStatus``, and stores the new result when the
    check's exec ends, up to a second later.  So inspect is polled until it
    differs from that previous result (when the event carries none, from
    what inspect shows first).  The polls back off (about 6 s in all): a
    periodic check that changes nothing costs a handful of inspects and no
    render.  One poller per container; another event for it starts its polls
    over.
    """

    DELAYS = (0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2)

    def __init__(self, api: Any, deliver: Callable[[Any], None], stop: threading.Event) -> None:
        self.api = api
        self.deliver = deliver
        self.stop = stop
        self._lock = threading.Lock()
        # container ID -> (events seen while its poller runs, the status before the latest check)
        self._pending: dict[str, tuple[int, str | None]] = {}

    def follow(self, event: Any, container_id: str, status_before: str | None) -> None:
        with self._lock:
            polling = container_id in self._pending
            count = self._pending[container_id][0] if polling else 0
            self._pending[container_id] = (count + 1, status_before)
        if not polling:
            threading.Thread(target=self._poll, args=(event, container_id), name="podman-health", daemon=True).start()

    def _poll(self, event: Any, container_id: str) -> None:
        handled = 0
        while True:
            with self._lock:
                count, before = self._pending[container_id]
                if count == handled or self.stop.is_set():
                    del self._pending[container_id]  # under the lock: a later event starts a new poller
                    return
                handled = count
            self._settle(event, container_id, handled, before)

    def _settle(self, event: Any, container_id: str, handled: int, before: str | None) -> None:
        """Poll until the status differs from ``before`` (then deliver), the container is gone,
        time is up or another event comes."""
        if before is None:
            before = self._status(container_id)
        for delay in self.DELAYS:
            if before is None or self.stop.wait(delay):
                return
            with self._lock:
                if self._pending[container_id][0] != handled:
                    return
            now = self._status(container_id)
            if now != before:
                if now is not None:
                    self.deliver(event)
                return

    def _status(self, container_id: str) -> str | None:
        """The container's health status now, or None when it cannot be read (gone, engine down)."""
        try:
            state = self.api.inspect_container(container_id).get("State") or {}
        except api_errors():
            return None
        return str((state.get("Health") or {}).get("Status") or "")
