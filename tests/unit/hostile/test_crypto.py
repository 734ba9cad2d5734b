"""PEM input (a key or certificate a template takes from a label): found in bounded time."""

from __future__ import annotations

import base64

import pytest

from dockergen.gotemplate.sprig.crypto import pem_decode
from dockergen.limits import MAX_SCAN, LimitError

from .support import go, go_error


def test_many_begin_lines_without_an_end_fail_fast() -> None:
    # The lazy pattern searched the rest of the text from every BEGIN line: 36 KB took
    # 3.5 s, and the 900 KB here would take hours.
    text = "-----BEGIN X-----\n" * 50_000
    assert pem_decode(text) is None
    b64 = base64.b64encode(text.encode()).decode()
    assert go_error("{{ buildCustomCert .C .C }}", C=b64).endswith("unable to decode certificate")


def test_many_block_types_are_bounded() -> None:
    text = "".join(f"-----BEGIN X{i}-----\n" for i in range(40_000))
    with pytest.raises(LimitError, match=f"pem: scanning .* exceeds dockergen's limit of {MAX_SCAN}"):
        pem_decode(text)


def test_blocks_are_still_found_after_junk() -> None:
    body = base64.b64encode(b"\x30\x03\x02\x01\x05").decode()
    text = "-----BEGIN A-----\nnot base64!\n-----END A-----\n" + "x:y\n" * 10_000 + (
        f"-----BEGIN B-----\nProc-Type: 4,ENCRYPTED\n\n{body}\n-----END B-----\n"
    )
    assert pem_decode(text) == ("B", b"\x30\x03\x02\x01\x05")
    assert pem_decode("-----BEGIN C-----\n-----END D-----\n") is None
    assert go('{{ (genCA "x" 1).Cert | hasPrefix "-----BEGIN CERTIFICATE-----" }}') == "true"
