"""Shared fixtures for tests that run against a REAL Docker engine.

Run everything through ``bash scripts/test`` -- it starts dockerd and imports
the test image.  Engine fixtures FAIL (never skip) when the engine is missing.

Fixtures (see tests/engine_support.py for the helpers behind them):

* ``docker_api``       session: ``docker.APIClient`` from the environment (DOCKER_HOST...)
* ``engine``           session: ``EngineSession`` (session label, create/remove helpers)
* ``test_image``       session: ``TEST_IMAGE`` after checking it exists
* ``make_container``   function factory -> ``Container`` (removed at test end)
* ``make_containers``  function factory ``(n, *cmd, **kw)`` -> list, created in parallel
* ``make_network``     function factory -> network inspect dict (removed after containers)
* ``wait_for``         the ``engine_support.wait_for`` function, as a fixture
* ``main_engine_at_start`` session, autouse: the main dockerd when the session began
  (checked by tests/engine/test_main_engine_untouched.py, which always runs last)
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

import pytest

import engine_support
from engine_support import LABEL_KEY, TEST_IMAGE, EngineSession, EngineUnavailable, wait_for as _wait_for
from main_engine import main_engine_process

__all__ = ["TEST_IMAGE", "LABEL_KEY"]

# Compiled templates (both engines) go to a directory of this test session, not to ~/.cache
# (dockergen.cache_dir); the CLI processes the tests start inherit it.
os.environ.setdefault("DOCKERGEN_CACHE_DIR", tempfile.mkdtemp(prefix="dockergen-test-cache-"))

_ENGINE_DIR = Path(__file__).resolve().parent / "engine"
_ENGINE_FIXTURES = {"docker_api", "engine", "test_image", "engine_scope", "make_container", "make_containers", "make_network"}
_LAST_MODULE = "test_main_engine_untouched.py"  # runs after every other test, by the sort below


def pytest_collection_modifyitems(config, items):
    # Anything that uses the engine fixtures (or lives in tests/engine/) is an engine test.
    for item in items:
        if _ENGINE_DIR in item.path.parents or _uses_engine_fixtures(item):
            if item.get_closest_marker("engine") is None:
                item.add_marker(pytest.mark.engine)
    # The main-engine check comes after every other test (tests/unit sorts after tests/engine).
    items.sort(key=lambda item: item.path.name == _LAST_MODULE)


def _uses_engine_fixtures(item: pytest.Item) -> bool:
    """Whether a test uses this file's engine fixtures (a unit test's own ``engine`` fixture does not count)."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    for name in _ENGINE_FIXTURES.intersection(item.fixturenames):
        definitions = info.name2fixturedefs.get(name) or ()
        if definitions and definitions[-1].func.__module__ == __name__:
            return True
    return False


@pytest.fixture(scope="session", autouse=True)
def main_engine_at_start():
    """The main engine's dockerd before any test ran (None when the default pid file names none)."""
    return main_engine_process()


@pytest.fixture(scope="session")
def docker_api():
    try:
        return engine_support.connect()
    except EngineUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def engine(docker_api):
    eng = EngineSession(docker_api)
    _containers, _networks, errors = eng.sweep_stale()
    for err in errors:
        warnings.warn(f"could not remove leftover of an earlier test run: {err}", stacklevel=1)
    yield eng
    for err in eng.cleanup():
        warnings.warn(f"test session cleanup: {err}", stacklevel=1)


@pytest.fixture(scope="session")
def test_image(engine):
    if not engine.image_exists(TEST_IMAGE):
        pytest.fail(f"test image {TEST_IMAGE} is missing. {engine_support.HINT}", pytrace=False)
    return TEST_IMAGE


@pytest.fixture
def engine_scope(engine, test_image):
    scope = engine.scope()
    yield scope
    for err in scope.cleanup():
        warnings.warn(f"test cleanup: {err}", stacklevel=1)


@pytest.fixture
def make_container(engine_scope):
    """``make_container(*cmd, name=None, env=None, labels=None, expose=None, publish=None,
    networks=None, healthcheck=None, mounts=None, devices=None, start=True, **extra)``.

    Default command ``sleep 3600``; ``publish`` values: None = random host port,
    int = that port, both on 127.0.0.1, or ``(host_ip, port_or_None)``.  ``extra``
    keywords go to ``create_host_config`` except container-level ones (user,
    hostname, entrypoint, working_dir, stop_signal, stop_timeout, tty, ...).
    """
    return engine_scope.container


@pytest.fixture
def make_containers(engine_scope):
    """``make_containers(n, *cmd, name=None, **kw)``: n containers created and started in
    parallel (8 workers); ``name`` may contain ``{i}``."""
    return engine_scope.containers


@pytest.fixture
def make_network(engine_scope):
    """``make_network(name=None, *, internal=False, labels=None, driver="bridge", **kw)``."""
    return engine_scope.network


@pytest.fixture
def wait_for():
    return _wait_for


@pytest.fixture(scope="module")
def swarm(engine, test_image):
    """``SwarmSession`` on the test-only swarm engine: a new single-node swarm for each test module,
    stopped after it (so no extra dockerd runs beside the main one during other tests)."""
    from extra_engine import SWARM
    from swarm_support import SwarmSession

    session = SwarmSession()
    yield session
    for err in session.cleanup():
        warnings.warn(f"swarm cleanup: {err}", stacklevel=1)
    SWARM.stop()
