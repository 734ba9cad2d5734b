"""Rendering with both engines for the hostile-value tests.

Every test here feeds a value a container could carry (a label, an
environment variable) crafted to hit one helper's worst case, and checks the
bounded outcome: the right result, or a render error naming dockergen's
limit.  Each input is sized so that, without its bound, the test would run
for minutes or allocate gigabytes; with it, the whole suite takes seconds.
"""

from __future__ import annotations

import jinja2
import pytest

from dockergen.gotemplate.errors import ExecError
from dockergen.gotemplate.template import TemplateSet
from dockergen.gotemplate.values import STRING, new_map
from dockergen.jinja.engine import make_environment

__all__ = ["go", "go_error", "jinja", "jinja_error"]


def go(source: str, **env: str) -> str:
    """``source`` run by the Go engine with ``.`` a ``map[string]string`` of ``env``."""
    return TemplateSet([("t", source)]).execute(new_map(STRING, STRING, env))


def go_error(source: str, **env: str) -> str:
    """The message of the execution error ``source`` must end with."""
    with pytest.raises(ExecError) as info:
        go(source, **env)
    return str(info.value)


def jinja(source: str, **context: object) -> str:
    """``source`` rendered by dockergen's Jinja2 environment (helpers, bounded builtins)."""
    return make_environment(jinja2.DictLoader({})).from_string(source).render(**context)


def jinja_error(source: str, error: type[BaseException], **context: object) -> str:
    """The message of the ``error`` rendering ``source`` raises."""
    with pytest.raises(error) as info:
        jinja(source, **context)
    return str(info.value)
