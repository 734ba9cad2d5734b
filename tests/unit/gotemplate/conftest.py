"""Helpers shared by the Go engine's unit tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def call(request: pytest.FixtureRequest) -> Callable[..., Any]:
    """``call(name, *args)``: the test module's ``FUNCTIONS[name]`` (its family's table), called as a template would."""
    functions = request.module.FUNCTIONS
    return lambda name, *args: functions[name].call(*args)
