"""Sprig base64/base32 (spec §9.7): failures return Go's error text as the result."""

import base64
import os

import pytest

from dockergen.gotemplate.sprig.encoding import FUNCTIONS  # noqa: F401 - the table the call fixture uses
from dockergen.gotemplate.values import go_bytes



@pytest.mark.parametrize(
    "name, arg, expected",
    [
        ("b64enc", "héllo", "aMOpbGxv"),
        ("b64enc", "", ""),
        ("b64dec", "aGVsbG8=", "hello"),
        ("b64dec", "aGk=\n", "hi"),
        ("b64dec", "/w==", "\udcff"),
        ("b64dec", "!!!", "illegal base64 data at input byte 0"),
        ("b64dec", "aGVsbG8", "illegal base64 data at input byte 4"),
        ("b64dec", "QQ==QQ==", "illegal base64 data at input byte 4"),
        ("b64dec", "Q===", "illegal base64 data at input byte 1"),
        ("b32enc", "ab", "MFRA===="),
        ("b32enc", "é", "YOUQ===="),
        ("b32dec", "MFRGG===", "abc"),
        ("b32dec", "", ""),
        ("b32dec", "not base32", "illegal base32 data at input byte 0"),
        ("b32dec", "mfrgg===", "illegal base32 data at input byte 0"),
    ],
)
def test_values(call, name, arg, expected):
    assert call(name, arg) == expected


def test_round_trips_of_arbitrary_bytes(call):
    for size in range(0, 40):
        data = os.urandom(size)
        assert go_bytes(call("b64dec", base64.b64encode(data).decode())) == data
        assert go_bytes(call("b32dec", base64.b32encode(data).decode())) == data
