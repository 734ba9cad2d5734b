"""Jinja2's own ``range`` and ``replace``, bounded like dockergen's helpers.

Templates loop with ``range`` and rewrite text with ``|replace`` (the filter
form of docker-gen's ``replace``); both take their counts and texts from
container values as readily as any helper.  ``range(env.N|int)`` would loop
as long as a container asks, and ``|replace("", big)`` would square the size
of a value, so each refuses what :mod:`dockergen.limits` refuses.
"""

from __future__ import annotations

from typing import Any

import jinja2
from jinja2.filters import do_replace

from ..limits import check_items, check_replace

__all__ = ["range_", "replace"]


def range_(*args: int) -> range:
    """Python's ``range``, refused beyond dockergen's item limit."""
    numbers = range(*args)
    check_items("range", len(numbers))
    return numbers


@jinja2.pass_eval_context
def replace(eval_ctx: Any, s: Any, old: Any, new: Any, count: int | None = None) -> str:
    """Jinja2's ``replace`` filter, refused when its result would exceed dockergen's size limit."""
    check_replace("replace", str(s), str(old), str(new), -1 if count is None else count)
    return do_replace(eval_ctx, s, old, new, count)  # type: ignore[no-any-return]
