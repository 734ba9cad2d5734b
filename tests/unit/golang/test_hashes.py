"""dockergen.golang.hashes: the same digests as hashlib's, without loading hashlib."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest

from dockergen.golang import hashes

INPUTS = [b"", b"abc", "h\u00e9llo.example.com".encode(), bytes(range(256)) * 9]


@pytest.mark.parametrize("name", ["sha1", "sha256", "sha512", "blake2b"])
@pytest.mark.parametrize("data", INPUTS)
def test_each_digest_is_hashlibs(name: str, data: bytes) -> None:
    assert hashes.new(name, data).hexdigest() == hashlib.new(name, data).hexdigest()


def test_options_reach_the_constructor() -> None:
    digest = hashes.new("blake2b", b"abc", digest_size=32)
    assert digest.digest() == hashlib.blake2b(b"abc", digest_size=32).digest()
    digest.update(b"def")
    assert digest.hexdigest() == hashlib.blake2b(b"abcdef", digest_size=32).hexdigest()


def test_hashing_loads_neither_hashlib_nor_openssl() -> None:
    code = (
        "import sys\n"
        "from dockergen.golang import hashes\n"
        "print(*(hashes.new(n, b'abc').hexdigest()[:8] for n in ('sha1', 'sha256', 'sha512', 'blake2b')))\n"
        "print(sorted(m for m in ('hashlib', '_hashlib') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, timeout=60,
                            env={"PYTHONPATH": ":".join(sys.path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["a9993e36 ba7816bf ddaf35a1 ba80a53f", "[]"]
