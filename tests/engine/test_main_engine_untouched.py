"""No test stopped, restarted or replaced the host's main Docker engine.

Tests may only touch their own containers and the test-only engines of
tests/extra_engine.py.  The main dockerd (the one in /var/run/docker.pid) is
recorded when the session starts (``main_engine_at_start`` in tests/conftest.py);
tests/conftest.py runs this module after every other test.
"""

from __future__ import annotations

import pytest

from main_engine import PIDFILE, main_engine_process


def test_the_main_engine_is_the_one_the_session_started_with(main_engine_at_start):
    if main_engine_at_start is None:
        pytest.skip(f"no dockerd named by {PIDFILE} when the session started (an engine elsewhere): nothing to guard")
    now = main_engine_process()
    assert now == main_engine_at_start, (
        f"the main engine changed during the session: {main_engine_at_start} at the start, "
        f"{now or 'no running dockerd'} now ({PIDFILE}); a test stopped or restarted it"
    )
