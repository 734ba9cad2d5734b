"""Sprig's ``semver`` and ``semverCompare`` (§9.15.2), as Masterminds semver v3 behaves.

Templates gate configuration on versions (``semverCompare ">=27.0.0"
.Docker.Version``), so constraint semantics, wildcards and the prerelease
rule have to agree with Go's library, including its partial-version rules
(``=1.2`` behaves like ``1.2.x``, ``>1`` means ``>=2``).  Its regular expressions
are Go's and run on Go's regexp (``dockergen.golang.regexp``): the constraint check
backtracks exponentially in Python's ``re`` (``">1.0 " * 30 + "!"``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ...golang import regexp
from ...limits import MAX_VERSION, LimitError, digits_value
from ..errors import GoError
from ..funcs import Function, define
from ..values import BOOL, BYTES, INT, STRING, UINT64, Method, Uint64, pointer_to, register_struct

__all__ = ["FUNCTIONS", "Version", "parse_version", "Constraints", "parse_constraints", "compare"]

FUNCTIONS: dict[str, Function] = {}

_INVALID = "Invalid Semantic Version"
_VERSION = regexp.compile(
    r"^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?"
    r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
    r"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$"
)


@dataclass(eq=False)
class Version:
    """``*semver.Version``: the parsed parts plus the text it came from."""

    major: int
    minor: int
    patch: int
    pre: str = ""
    metadata: str = ""
    original: str = ""

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.pre:
            text += "-" + self.pre
        if self.metadata:
            text += "+" + self.metadata
        return text

    def _next(self, major: int, minor: int, patch: int) -> "VersionValue":
        prefix = "v" if self.original.startswith("v") else ""
        result = VersionValue(major, minor, patch)
        result.original = prefix + str(result)
        return result

    def inc_patch(self) -> "VersionValue":
        """A prerelease goes to its release; a release to the next patch."""
        return self._next(self.major, self.minor, self.patch if self.pre else self.patch + 1)

    def inc_minor(self) -> "VersionValue":
        return self._next(self.major, self.minor + 1, 0)

    def inc_major(self) -> "VersionValue":
        return self._next(self.major + 1, 0, 0)


class VersionValue(Version):
    """A ``semver.Version`` value (not a pointer), as the ``Inc*`` methods return."""


def _segment(text: str) -> int:
    value = digits_value(text)
    if value is None:
        raise GoError(f'Error parsing version segment: strconv.ParseUint: parsing "{text}": value out of range')
    return value


def parse_version(text: str) -> Version:
    """``semver.NewVersion``: loose parsing (``v`` prefix, missing parts are 0)."""
    groups = _VERSION.find_string_submatch(text)
    if groups is None:
        raise GoError(_INVALID)
    major = _segment(groups[1])
    minor = _segment(groups[2][1:]) if groups[2] else 0
    patch = _segment(groups[3][1:]) if groups[3] else 0
    pre = groups[5]
    for part in pre.split(".") if pre else ():
        if part.isdigit() and len(part) > 1 and part[0] == "0":
            raise GoError("Version segment starts with 0")
    return Version(major, minor, patch, pre, groups[8], text)


def _numeric(identifier: str) -> int | None:
    """``strconv.ParseUint(identifier, 10, 64)``: beyond 64 bits it is not a number."""
    if identifier.isascii() and identifier.isdigit():
        return digits_value(identifier)
    return None


def _compare_identifier(a: str, b: str) -> int:
    if a == b:
        return 0
    if a == "" or b == "":
        return -1 if a == "" else 1
    a_num, b_num = _numeric(a), _numeric(b)
    if a_num is not None and b_num is not None:
        return (a_num > b_num) - (a_num < b_num)
    if (a_num is None) != (b_num is None):
        return -1 if a_num is not None else 1  # numeric identifiers sort below alphanumeric ones
    return 1 if a > b else -1


def _compare_prerelease(a: str, b: str) -> int:
    if a == b:
        return 0
    if not a or not b:
        return 1 if not a else -1  # a release sorts after its prereleases
    left, right = a.split("."), b.split(".")
    for i in range(max(len(left), len(right))):
        result = _compare_identifier(left[i] if i < len(left) else "", right[i] if i < len(right) else "")
        if result:
            return result
    return 0


def compare(a: Version, b: Version) -> int:
    """Semantic-version precedence: -1, 0 or 1; metadata is ignored."""
    for x, y in ((a.major, b.major), (a.minor, b.minor), (a.patch, b.patch)):
        if x != y:
            return 1 if x > y else -1
    return _compare_prerelease(a.pre, b.pre)


# --- constraints -------------------------------------------------------------------------

# Masterminds' patterns, matched by Go's regexp (RE2: linear time, whatever the text).
_CV = (
    r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?"
    r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
    r"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
)
_OPS = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^"
_S = r"[\t\n\f\r ]"
_ONE = regexp.compile(rf"^{_S}*({_OPS}){_S}*({_CV}){_S}*$")
_FIND = regexp.compile(rf"({_OPS}){_S}*({_CV})")
_VALID = regexp.compile(rf"^({_S}*({_OPS}){_S}*({_CV}){_S}*)((?:{_S}+|,{_S}*)({_OPS}){_S}*({_CV}){_S}*)*$")
_RANGE = regexp.compile(rf"{_S}*({_CV}){_S}+-{_S}+({_CV}){_S}*")


def _is_wild(part: str) -> bool:
    return part in ("x", "X", "*")


@dataclass(frozen=True)
class _Comparator:
    """One comparison of a constraint (``>= 1.2``, ``~1.2.3``, ...)."""

    op: str
    version: Version
    precision: int  # how many leading parts were given (0 = "*", 1 = "1", 2 = "1.2", 3 = full)

    def allows(self, v: Version) -> bool:
        if v.pre and not self.version.pre and not (self.op == "!=" and self.precision == 3):
            return False  # prereleases only match comparators that name one (a plain != excepted)
        return _OPERATORS[self.op](v, self.version, self.precision)


def _tilde(v: Version, b: Version, p: int) -> bool:
    if compare(v, b) < 0:
        return False
    if p == 0 or (p == 3 and (b.major, b.minor, b.patch) == (0, 0, 0)):
        return True
    return v.major == b.major and (p == 1 or v.minor == b.minor)


def _equal(v: Version, b: Version, p: int) -> bool:
    return compare(v, b) == 0 if p == 3 else _tilde(v, b, p)


def _not_equal(v: Version, b: Version, p: int) -> bool:
    """Masterminds' rules: a wildcard part never differs; "x" alone (p 0) still compares
    the minor and patch numbers it left at 0 (``!= x`` allows 0.0.1)."""
    if p < 3:
        if v.major != b.major:
            return True
        if p == 1:
            return False
        if v.minor != b.minor:
            return True
        if p == 2:
            return bool(v.pre or b.pre) and _compare_prerelease(v.pre, b.pre) != 0
        if v.patch != b.patch:
            return True
    return compare(v, b) != 0


def _greater(v: Version, b: Version, p: int) -> bool:
    if p == 3 or (p == 0 and v.major == b.major):
        return compare(v, b) > 0
    if v.major != b.major or p == 1:
        return v.major > b.major
    return v.minor > b.minor


def _less_equal(v: Version, b: Version, p: int) -> bool:
    if p == 3:
        return compare(v, b) <= 0
    if v.major > b.major:
        return False
    return not (v.major == b.major and v.minor > b.minor and p != 1)


def _caret(v: Version, b: Version, p: int) -> bool:
    if compare(v, b) < 0:
        return False
    if b.major > 0 or p == 1:
        return v.major == b.major
    if v.major > 0:
        return False
    if b.minor > 0 or p == 2:
        return v.minor == b.minor
    if v.minor > 0:
        return False
    return v.patch == b.patch


_OPERATORS = {
    "": _equal, "=": _equal, "!=": _not_equal,
    ">": _greater, "<": lambda v, b, p: compare(v, b) < 0,
    ">=": lambda v, b, p: compare(v, b) >= 0, "=>": lambda v, b, p: compare(v, b) >= 0,
    "<=": _less_equal, "=<": _less_equal,
    "~": _tilde, "~>": _tilde, "^": _caret,
}


def _parse_comparator(text: str) -> _Comparator:
    groups = _ONE.find_string_submatch(text)
    if groups is None:
        raise GoError(f"improper constraint: {text}")
    major, minor, patch = groups[3], groups[4], groups[5]
    pre = groups[6]
    if _is_wild(major):
        precision, version_text = 0, "0.0.0" + pre
    elif not minor or _is_wild(minor[1:]):
        precision, version_text = 1, f"{major}.0.0{pre}"
    elif not patch or _is_wild(patch[1:]):
        precision, version_text = 2, f"{major}{minor}.0{pre}"
    else:
        precision, version_text = 3, groups[2]
    try:
        version = parse_version(version_text)
    except GoError:
        raise GoError("constraint Parser Error") from None
    return _Comparator(groups[1], version, precision)


@dataclass(frozen=True)
class Constraints:
    """Alternatives (``||``) of comparator lists that must all hold."""

    alternatives: tuple[tuple[_Comparator, ...], ...]

    def check(self, version: Version) -> bool:
        return any(all(c.allows(version) for c in group) for group in self.alternatives)


def _rewrite_ranges(text: str) -> str:
    """``A - B`` becomes ``>= A, <= B``."""
    for groups in _RANGE.find_all_string_submatch(text, -1):
        text = text.replace(groups[0], f">= {groups[1]}, <= {groups[11]} ", 1)
    return text


def parse_constraints(text: str) -> Constraints:
    """``semver.NewConstraint``; errors read ``improper constraint: TEXT``."""
    groups = []
    for part in _rewrite_ranges(text).split("||"):
        if not _VALID.match_string(part):
            raise GoError(f"improper constraint: {part}")
        groups.append(tuple(_parse_comparator(found) for found in _FIND.find_all_string(part, -1)))
    return Constraints(tuple(groups))


# --- the Go type and the template functions ----------------------------------------------

_FIELDS = [
    ("major", UINT64), ("minor", UINT64), ("patch", UINT64), ("pre", STRING),
    ("metadata", STRING), ("original", STRING),
]


def _methods(pointer_type) -> list[Method]:
    def cmp(name: str, fn) -> Method:
        return Method(name, fn, (pointer_type,), BOOL, pointer_receiver=True)

    return [
        Method("Major", lambda v: Uint64(v.major), (), UINT64),
        Method("Minor", lambda v: Uint64(v.minor), (), UINT64),
        Method("Patch", lambda v: Uint64(v.patch), (), UINT64),
        Method("Prerelease", lambda v: v.pre, (), STRING),
        Method("Metadata", lambda v: v.metadata, (), STRING),
        Method("Original", lambda v: v.original, (), STRING, pointer_receiver=True),
        Method("String", lambda v: str(v), (), STRING),
        Method("MarshalJSON", lambda v: f'"{v}"'.encode(), (), BYTES),
        Method("MarshalText", lambda v: str(v).encode(), (), BYTES),
        Method("IncMajor", lambda v: v.inc_major(), (), _VALUE_TYPE),
        Method("IncMinor", lambda v: v.inc_minor(), (), _VALUE_TYPE),
        Method("IncPatch", lambda v: v.inc_patch(), (), _VALUE_TYPE),
        Method("Compare", lambda v, o: compare(v, o), (pointer_type,), INT, pointer_receiver=True),
        cmp("LessThan", lambda v, o: compare(v, o) < 0),
        cmp("LessThanEqual", lambda v, o: compare(v, o) <= 0),
        cmp("GreaterThan", lambda v, o: compare(v, o) > 0),
        cmp("GreaterThanEqual", lambda v, o: compare(v, o) >= 0),
        cmp("Equal", lambda v, o: compare(v, o) == 0),
    ]


# A pointer-natured registration for *semver.Version (what `semver` returns) and a value
# registration for semver.Version (what Inc* return); Go sees one struct type.
_VALUE_TYPE = register_struct(VersionValue, "semver.Version", _FIELDS)
_POINTER_STRUCT = register_struct(Version, "semver.Version", _FIELDS, pointer=True)
VERSION_POINTER = pointer_to(_POINTER_STRUCT)
_POINTER_STRUCT.struct.methods.update({m.name: m for m in _methods(VERSION_POINTER)})
_VALUE_TYPE.struct.methods.update({m.name: m for m in _methods(VERSION_POINTER) if not m.pointer_receiver})


def _check_length(fn: str, what: str, text: str) -> None:
    if len(text) > MAX_VERSION:
        raise LimitError(f"{fn}: a {what} of {len(text)} characters exceeds dockergen's limit of {MAX_VERSION}")


@define(FUNCTIONS, "semver", (STRING,), VERSION_POINTER)
def semver(text: str) -> Version:
    _check_length("semver", "version", text)
    return parse_version(text)


@define(FUNCTIONS, "semverCompare", (STRING, STRING), BOOL)
def semver_compare(constraint: str, version: str) -> bool:
    """Does ``version`` satisfy ``constraint``?  The constraint is checked first."""
    _check_length("semverCompare", "constraint", constraint)
    _check_length("semverCompare", "version", version)
    return parse_constraints(constraint).check(parse_version(version))
