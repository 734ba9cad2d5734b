"""Where the read-only reference material lives: ``../shared/`` beside the checkout.

A git worktree sits deeper (``/work/wt/NAME``), so the parents are searched;
tests that need the material skip with a message when it is absent.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["SHARED", "VECTORS", "CONTEXTS", "ORACLE"]

_CHECKOUT = Path(__file__).resolve().parents[1]


def _shared() -> Path:
    for parent in _CHECKOUT.parents:
        if (parent / "shared").is_dir():
            return parent / "shared"
    return _CHECKOUT.parent / "shared"


SHARED = _shared()
VECTORS = SHARED / "go-template-vectors"
CONTEXTS = VECTORS / "contexts"
ORACLE = SHARED / "reference" / "gotmpl-oracle"
