"""Sprig semver functions (spec §9.15.2): Masterminds semver v3 rules."""

import pytest

from dockergen.gotemplate.errors import GoError
from dockergen.gotemplate.sprig.semver import FUNCTIONS, compare, parse_version
from dockergen.gotemplate.values import struct_info, type_name

semver = FUNCTIONS["semver"].call
check = FUNCTIONS["semverCompare"].call


def test_versions_print_normalised():
    assert [str(semver(t)) for t in ("1.2.3", "v1.2.3-beta.1+build.5", "1.2", "1", "01.2.3")] == [
        "1.2.3", "1.2.3-beta.1+build.5", "1.2.0", "1.0.0", "1.2.3"]
    assert type_name(semver("1.2.3")) == "*semver.Version"


def test_methods():
    v = semver("1.2.3-beta.1+b5")
    m = struct_info(v).methods
    assert (m["Major"].call(v), m["Prerelease"].call(v), m["Metadata"].call(v), m["Original"].call(v)) == (
        1, "beta.1", "b5", "1.2.3-beta.1+b5")
    assert str(m["IncMinor"].call(semver("1.2.3"))) == "1.3.0"
    assert str(m["IncPatch"].call(semver("1.2.3-rc1"))) == "1.2.3"
    assert m["LessThan"].call(semver("1.2.3"), semver("1.2.4")) is True
    assert [compare(semver(a), semver(b)) for a, b in (("1.2.3", "1.3.0"), ("2.0.0", "1.9.9"), ("1.0.0", "v1.0.0"))] == [-1, 1, 0]


@pytest.mark.parametrize("text, message", [
    ("not-a-version", "Invalid Semantic Version"), ("", "Invalid Semantic Version"),
    ("1.2.3.4", "Invalid Semantic Version"), ("1.0.0-01", "Version segment starts with 0"),
])
def test_invalid_versions(text, message):
    with pytest.raises(GoError, match=f"^{message}$"):
        parse_version(text)


@pytest.mark.parametrize("constraint, version, expected", [
    ("^1.2.0", "1.5.0", True), (">= 2", "1.9", False), ("~1.2", "1.2.9", True), ("~1.2", "1.3.0", False),
    ("1.x", "1.9.9", True), (">1.0, <2.0", "1.5", True), ("<1 || >2", "3.0", True),
    (">=1.0.0", "1.1.0-beta", False), (">=1.0.0-0", "1.1.0-beta", True), ("=1.2", "1.2.5", True),
    ("<=2.x", "2.9.9", True), ("<=2.x", "3.0.0", False), ("*", "1.0.0-alpha", False), ("*", "9.0.0", True),
    ("^0.2.3", "0.2.9", True), ("^0.2.3", "0.3.0", False), ("^0.0.3", "0.0.4", False), ("^0", "0.9.9", True),
    ("1.2 - 1.4.5", "1.4.5", True), ("1.2 - 1.4.5", "1.4.6", False), (">1", "1.9", False), (">1", "2.0", True),
    ("!=1.2.3", "1.2.3", False), ("1.0.0-BETA", "1.0.0-BETA", True),
])
def test_constraints(constraint, version, expected):
    assert check(constraint, version) is expected


def test_prerelease_precedence():
    order = ["1.0.0-1", "1.0.0-2", "1.0.0-BETA", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0"]
    for a, b in zip(order, order[1:]):
        assert compare(semver(a), semver(b)) == -1


def test_constraint_errors():
    with pytest.raises(GoError, match="^improper constraint: nonsense$"):
        check("nonsense", "1.0.0")
    with pytest.raises(GoError, match="^Invalid Semantic Version$"):
        check(">1", "x.y")
