"""Which Docker list filters dockergen evaluates itself (tests/engine/test_local_filters.py: that it agrees with the engine)."""

from __future__ import annotations

from dockergen.daemon.filters import can_match_locally


def test_unsupported_keys_fall_back_to_the_engine():
    assert not can_match_locally({"expose": ["1-65535"]})
    assert not can_match_locally({"label": ["a"], "ancestor": ["busybox"]})
    assert can_match_locally({})
