"""Docker container list filters, evaluated locally on inspect data.

A watcher that asked the engine to list every container after each event
would pay for all N containers on every event.  For the filter keys below the
engine's rules are simple enough to apply to the one container an event is
about; for any other key (``expose``, ``publish``, ``ancestor``, ``volume``,
``before``, ...) :func:`can_match_locally` says no and the list call is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

LOCAL_KEYS = frozenset({"label", "status", "name", "id", "network", "health"})


class Facts(NamedTuple):
    """The parts of an inspect that filters need and the template context does not keep."""

    status: str = ""
    name: str = ""  # with the engine's leading "/"
    labels: Mapping[str, str] = MappingProxyType({})
    networks: frozenset[str] = frozenset()  # names and IDs
    health: str = "none"

    @classmethod
    def from_inspect(cls, data: Mapping[str, Any]) -> "Facts":
        state = data.get("State") or {}
        networks = ((data.get("NetworkSettings") or {}).get("Networks")) or {}
        names_and_ids = set(networks)
        names_and_ids.update((n or {}).get("NetworkID") or "" for n in networks.values())
        names_and_ids.discard("")
        return cls(
            status=state.get("Status") or ("running" if state.get("Running") else "exited"),
            name=data.get("Name") or "",
            labels=dict((data.get("Config") or {}).get("Labels") or {}),
            networks=frozenset(names_and_ids),
            health=((state.get("Health") or {}).get("Status")) or "none",
        )

    def stopped(self) -> "Facts":
        return Facts(status="exited", name=self.name, labels=self.labels, networks=self.networks, health=self.health)


def can_match_locally(filters: Mapping[str, list[str]]) -> bool:
    return all(key in LOCAL_KEYS for key in filters)


def _search(pattern: str, text: str) -> bool:
    """The engine's name/id match: equal, or Go's regexp matches somewhere (a bad pattern never does)."""
    if pattern == text:
        return True
    from dockergen.golang import regexp  # here: most configs filter by label only

    try:
        return regexp.compile(pattern).match_string(text)
    except regexp.RegexpSyntaxError:
        return False


def has_label(labels: Mapping[str, str], selector: str) -> bool:
    """A ``KEY`` or ``KEY=VALUE`` selector, as the engine's ``label`` filters read it."""
    key, has_value, value = selector.partition("=")
    return key in labels and (not has_value or labels[key] == value)


def matches(container_id: str, facts: Facts, filters: Mapping[str, list[str]]) -> bool:
    """Whether the engine would list this container for these filters (keys in LOCAL_KEYS only).

    Values of one key are alternatives, except ``label`` where every value must
    hold; different keys must all hold.
    """
    for key, values in filters.items():
        if not values:
            continue
        if key == "label":
            if not all(has_label(facts.labels, value) for value in values):
                return False
        elif key == "status":
            if facts.status not in values:
                return False
        elif key == "health":
            if facts.health not in values:
                return False
        elif key == "name":
            if not any(_search(value, facts.name) for value in values):
                return False
        elif key == "id":
            if not any(container_id.startswith(value) or _search(value, container_id) for value in values):
                return False
        elif key == "network":
            if not any(value in facts.networks for value in values):
                return False
        else:
            raise KeyError(f"filter key {key!r} cannot be evaluated locally")
    return True
