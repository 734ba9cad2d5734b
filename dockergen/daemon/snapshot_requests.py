"""The engine requests an inventory snapshot starts with, in one place.

:class:`dockergen.daemon.inventory.Inventory` makes them; a one-shot run sends them
ahead (:meth:`dockergen.daemon.api.UnixReadClient.prefetch`) before it imports
the rest of dockergen and compiles its templates, so the engine answers
meanwhile.  This module imports nothing heavy for that reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

Filters = Mapping[str, list[str]]

FACTS_CALLS = ("version", "networks")  # asked once per snapshot round, whatever the filters
INFO_CALL = "info"  # the daemon facts proper: asked only for templates that read them (one-shot)


def filters_key(filters: Filters) -> str:
    """Equal filter sets (whatever their order) share one key, so they share one list call."""
    return repr(sorted((key, sorted(values)) for key, values in filters.items()))


def list_arguments(filters: Filters, all: bool = True) -> dict[str, Any]:
    """The keyword arguments of the ``containers()`` call that lists a filter set."""
    return {"all": all, "filters": dict(filters) if filters else None}


def unique_filter_sets(filter_sets: Iterable[Filters]) -> dict[str, Filters]:
    """Filter sets by key, first one of each kind kept."""
    unique: dict[str, Filters] = {}
    for filters in filter_sets:
        unique.setdefault(filters_key(filters), filters)
    return unique


def send_ahead(api: Any, filter_sets: Iterable[Filters]) -> bool:
    """Send a snapshot's first requests, the container lists, now, if ``api`` can (the lean
    unix-socket reader); say whether it did.

    Only the lists: the inspects wait for them, and the engine answers a list later when it
    works on the daemon facts meanwhile (/version and /info take it 10 to 15 ms each).  The
    facts go with the inspects (:func:`send_facts_ahead`).
    """
    prefetch = getattr(api, "prefetch", None)
    if prefetch is None:
        return False
    for filters in unique_filter_sets(filter_sets).values():
        prefetch("containers", **list_arguments(filters))
    return True


def send_facts_ahead(api: Any, info: bool = False) -> None:
    """Send the daemon-fact requests now (``info``: /info too), if ``api`` can; they are needed last."""
    prefetch = getattr(api, "prefetch", None)
    if prefetch is None:
        return
    for name in (*FACTS_CALLS, INFO_CALL) if info else FACTS_CALLS:
        prefetch(name)
