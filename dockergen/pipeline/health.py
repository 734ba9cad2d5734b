"""Health-aware routing (``-only-healthy``): which containers are ready to receive traffic.

The filter works on the containers a config renders, after the engine's list
and before the template, so every template (Jinja2 or Go) gets it without a
line of template code.  Docker reports health only for containers with a
healthcheck: the others are always ready, as they are for docker-gen.
"""

from __future__ import annotations

from collections.abc import Iterable

from dockergen.model import RuntimeContainer

HEALTH_LABEL = "dockergen.health"  # "ignore": route the container whatever its health
_NO_HEALTHCHECK = ("", "none")  # "none" is the API's word for a disabled healthcheck


def health_ignored(container: RuntimeContainer) -> bool:
    """Has the container opted out of health-aware routing (``dockergen.health=ignore``)?"""
    value = (container.Labels or {}).get(HEALTH_LABEL, "")
    return value.strip().lower() == "ignore"


def ready(container: RuntimeContainer) -> bool:
    """Healthy, without a healthcheck, or opted out: such a container may receive traffic."""
    status = container.State.Health.Status
    return status in _NO_HEALTHCHECK or status == "healthy" or health_ignored(container)


def split_by_health(containers: Iterable[RuntimeContainer]) -> tuple[list[RuntimeContainer], list[RuntimeContainer]]:
    """``(ready, not ready)``, each in the order given (templates rely on Docker's order)."""
    kept: list[RuntimeContainer] = []
    left_out: list[RuntimeContainer] = []
    for container in containers:
        (kept if ready(container) else left_out).append(container)
    return kept, left_out
