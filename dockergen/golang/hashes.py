"""Go's crypto/sha1, sha256 and sha512 digests (and BLAKE2b), from CPython's own small hash modules.

``import hashlib`` loads OpenSSL's library: about 4 ms, a few percent of a
one-shot run, paid by any template that hashes one string (nginx-proxy's
template names its upstreams with ``sha1sum``).  The digests are the same
whoever computes them, so the built-in modules (under 1 ms) are used, and
hashlib only where this Python lacks them.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["new"]

# algorithm -> CPython modules that may define it under that name (3.11: _sha256 and _sha512; 3.12: _sha2)
_OWN_MODULES = {
    "sha1": ("_sha1",),
    "sha256": ("_sha256", "_sha2"),
    "sha512": ("_sha512", "_sha2"),
    "blake2b": ("_blake2",),
}
_constructors: dict[str, Any] = {}


def new(name: str, data: bytes = b"", **options: Any) -> Any:
    """A hash object of algorithm ``name`` (``sha1``, ``sha256``, ``sha512``, ``blake2b``) fed ``data``;
    ``options``: the constructor's own (BLAKE2b's ``digest_size``)."""
    constructor = _constructors.get(name)
    if constructor is None:
        constructor = _constructors[name] = _find(name)
    return constructor(data, **options)


def _find(name: str) -> Any:
    for module in _OWN_MODULES[name]:
        try:
            return getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            continue
    import hashlib  # pragma: no cover - a Python built without its own hash modules

    return getattr(hashlib, name)  # pragma: no cover
