"""Render a template string with every docker-gen helper, for the helpers' unit tests."""

from __future__ import annotations

import jinja2

from dockergen.jinja.catalogue import FILTERS, GLOBALS


def render(source: str, **context: object) -> str:
    """``source`` rendered with the helpers as globals and filters (and Jinja2's plain Undefined)."""
    env = jinja2.Environment(undefined=jinja2.Undefined)
    env.globals.update(GLOBALS)
    env.filters.update(FILTERS)
    return env.from_string(source).render(**context)
