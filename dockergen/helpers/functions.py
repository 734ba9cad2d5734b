"""docker-gen's general helpers (strings, maps, files, validation) and Sprig aliases.

Each helper keeps docker-gen's name and argument order so that templates
port by changing syntax only.  Where docker-gen's name masks a Sprig
function, the Sprig variant is available as ``sprig<Name>``.  A missing
value (Jinja2 undefined) passed where a string is expected counts as ``""``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ..errors import HelperError
from ..golang import hashes
from ..golang import path as go_path
from ..limits import MAX_TEXT, LimitError, check_replace, check_scan
from .fieldpath import as_list, describe, go_split, is_missing
from .nginx import go_quote
from .sort import parse_go_int
from .where import strict_equal

__all__ = [
    "closest", "coalesce", "comment", "comment_filter", "contains", "dir_", "exists",
    "include", "intersect", "keys", "when", "parseBool", "split", "splitN", "replace",
    "toLower", "toUpper", "queryEscape", "sha1", "mustBeOneOf", "mustBeOneOf_filter",
    "mustBeInt", "mustBeIntInRange", "mustBeIntInRange_filter", "sprigCoalesce",
    "sprigContains", "sprigDir", "sprigReplace", "sprigSplit", "sprigSplitn", "hasPrefix",
    "hasSuffix", "trimPrefix", "trimSuffix", "dict_", "list_",
]


def _str(fn: str, value: Any, name: str = "value") -> str:
    if isinstance(value, str):
        return value
    if is_missing(value):
        return ""
    raise HelperError(f"'{fn}': {name} must be a string; received {describe(value)}")


def _int(fn: str, value: Any, name: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise HelperError(f"'{fn}': {name} must be an integer; received {describe(value)}")


def _strings(fn: str, values: Any) -> list[str]:
    items = as_list(values, fn)
    for item in items:
        if not isinstance(item, str):
            raise HelperError(f"'{fn}' needs a list of strings; got {describe(item)}")
    return list(items)


# --- docker-gen helpers -------------------------------------------------------


def closest(values: Any, text: Any) -> str:
    """The longest element of ``values`` found inside ``text`` (first wins ties); ``""`` if none.

    Typical use: pick the certificate name that best covers a virtual host.
    """
    text = _str("closest", text)
    best = ""
    best_len = 0
    scanned = 0  # each search may read all of text: a long list times a long text is bounded
    for value in _strings("closest", values):
        size = len(value.encode("utf-8", "surrogatepass"))  # Go compares byte lengths
        if size > best_len and len(value) <= len(text):
            scanned += len(text)
            check_scan("closest", scanned)
            if value in text:
                best, best_len = value, size
    return best


def coalesce(*values: Any) -> Any:
    """The first argument that is not missing; ``""``, ``0`` and ``False`` count as present."""
    for value in values:
        if not is_missing(value):
            return value
    return None


def comment(delim: Any, text: Any) -> str:
    """Prefix ``delim`` to every line of ``text``, including after a trailing newline."""
    delim = _str("comment", delim, "the delimiter")
    text = _str("comment", text)
    check_replace("comment", delim + text, "\n", "\n" + delim)
    return delim + text.replace("\n", "\n" + delim)


def comment_filter(text: Any, delim: Any) -> str:
    """``text|comment("# ")``: Jinja2 filters take the subject first, like Go's pipe takes it last."""
    return comment(delim, text)


def contains(mapping: Any, key: Any) -> bool:
    """True when ``mapping`` is a map holding ``key`` (type-strict: ``42`` is not ``"42"``)."""
    if not isinstance(mapping, Mapping):
        return False
    if isinstance(key, str):
        return key in mapping  # a str key can only equal a str key
    return any(strict_equal(k, key) for k in mapping)


def dir_(path: Any) -> list[str]:
    """Names in directory ``path``, sorted; ``[]`` (and a logged warning) when unreadable."""
    path = _str("dir", path, "the path")
    try:
        return sorted(os.listdir(path))
    except (OSError, ValueError) as exc:
        import logging

        reason = getattr(exc, "strerror", None) or "invalid argument"  # ValueError: a NUL byte
        reason = reason[:1].lower() + reason[1:]
        logging.getLogger(__name__).warning("Template error: open %s: %s", path, reason)
        return []


def exists(path: Any) -> bool:
    """True when ``path`` exists; errors other than "not found" fail the render."""
    path = _str("exists", path, "the path")
    try:
        os.stat(path)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise HelperError(f"exists: stat {path}: {exc.strerror or exc}") from None
    return True


def include(path: Any, *, raw: bool = False) -> str:
    """The text of file ``path``; ``""`` when it cannot be read.

    ``raw`` keeps the bytes exactly, as Go strings do: invalid UTF-8 survives
    as surrogate escapes and ``\r\n`` is not translated.  A path can come
    from a container value: a FIFO (or a terminal) is read without waiting for
    a writer, and a file longer than dockergen's limit (``/dev/zero``) is refused.
    """
    errors, newline = ("surrogateescape", "") if raw else ("replace", None)
    try:
        fd = os.open(_str("include", path, "the path"), os.O_RDONLY | os.O_NONBLOCK)
        with open(fd, "rb") as handle:
            data = handle.read(MAX_TEXT + 1)
    except (OSError, ValueError, HelperError):
        return ""
    if len(data) > MAX_TEXT:
        raise LimitError(f"include: the file is longer than dockergen's limit of {MAX_TEXT} bytes")
    text = data.decode("utf-8", errors)
    return text if raw else text.replace("\r\n", "\n").replace("\r", "\n")


def intersect(first: Any, second: Any) -> list[str]:
    """Distinct strings present in both lists, sorted (Go's order is random)."""
    other = set(_strings("intersect", second))
    return sorted({value for value in _strings("intersect", first) if value in other})


def keys(mapping: Any) -> list[Any] | None:
    """The keys of a map, sorted; ``None`` for a missing map."""
    if is_missing(mapping):
        return None
    if not isinstance(mapping, Mapping):
        raise HelperError(f"cannot call keys on a non-map value: {describe(mapping)}")
    try:
        return sorted(mapping)
    except TypeError:  # keys of mixed types
        return sorted(mapping, key=lambda k: (type(k).__name__, repr(k)))


def when(condition: Any, if_true: Any, if_false: Any) -> Any:
    """``if_true`` when ``condition`` is ``True``, else ``if_false``; the condition must be a bool."""
    if not isinstance(condition, bool):
        raise HelperError(f"'when': the condition must be a bool; received {describe(condition)}")
    return if_true if condition else if_false


_TRUE = frozenset(("1", "t", "T", "TRUE", "true", "True"))
_FALSE = frozenset(("0", "f", "F", "FALSE", "false", "False"))


def parseBool(text: Any) -> bool:  # noqa: N802 - docker-gen's name
    """Go's ``strconv.ParseBool``: ``1 t T TRUE true True`` and their false twins only."""
    text = _str("parseBool", text)
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise HelperError(f"strconv.ParseBool: parsing {go_quote(text)}: invalid syntax")


def split(text: Any, sep: Any) -> list[str]:
    """Go's ``strings.Split``: ``""`` gives ``[""]``, an empty ``sep`` splits characters."""
    return go_split(_str("split", text), _str("split", sep, "the separator"))


def splitN(text: Any, sep: Any, count: Any) -> list[str]:  # noqa: N802
    """Go's ``strings.SplitN``: at most ``count`` parts, the last holding the rest."""
    return go_split(
        _str("splitN", text), _str("splitN", sep, "the separator"), _int("splitN", count, "the count")
    )


def replace(text: Any, old: Any, new: Any, count: Any = -1) -> str:
    """Go's ``strings.Replace``; ``count`` < 0 (the default) replaces all."""
    fn = "replace"
    text, old, new = _str(fn, text), _str(fn, old, "the old text"), _str(fn, new, "the new text")
    count = _int(fn, count, "the count")
    check_replace(fn, text, old, new, count)
    return text.replace(old, new, count)


def _go_case(text: str, upper: bool) -> str:
    # Go maps rune by rune (simple case mapping); Python's full mapping turns
    # "ß" into "SS" and lowers a final "Σ" to "ς".
    if text.isascii():
        return text.upper() if upper else text.lower()
    out = []
    for char in text:
        mapped = char.upper() if upper else char.lower()
        if len(mapped) != 1:
            if upper:
                title = char.title()
                mapped = title if len(title) == 1 else char
            else:
                mapped = mapped[0]  # "İ" -> "i" + combining dot: Go gives "i"
        out.append(mapped)
    return "".join(out)


def toLower(text: Any) -> str:  # noqa: N802
    """Lower-case, character by character as Go does."""
    return _go_case(_str("toLower", text), upper=False)


def toUpper(text: Any) -> str:  # noqa: N802
    """Upper-case, character by character as Go does (``straße`` → ``STRAßE``)."""
    return _go_case(_str("toUpper", text), upper=True)


def queryEscape(text: Any) -> str:  # noqa: N802
    """Go's ``url.QueryEscape``: space becomes ``+``, only ``A-Z a-z 0-9 - _ . ~`` stay; the
    string's bytes are escaped, invalid UTF-8 (held as surrogate escapes) included."""
    from urllib.parse import quote_plus

    return quote_plus(_str("queryEscape", text), safe="", errors="surrogateescape")


def sha1(text: Any) -> str:
    """Lower-case hex SHA-1 of the UTF-8 text (Sprig's ``sha1sum``)."""
    return hashes.new("sha1", _str("sha1", text).encode("utf-8", "surrogateescape")).hexdigest()


def mustBeOneOf(allowed: Any, value: Any) -> str:  # noqa: N802
    """``value`` if it is one of ``allowed``; otherwise the render fails, naming the choices."""
    choices = as_list(allowed, "mustBeOneOf")
    for choice in choices:
        if not isinstance(choice, str):
            raise HelperError(f"allowed value {choice!r} is not a string")
    value = _str("mustBeOneOf", value)
    if value in choices:
        return value
    listed = " ".join(go_quote(choice) for choice in choices)
    raise HelperError(f"value must be one of [{listed}]; got {go_quote(value)}")


def mustBeOneOf_filter(value: Any, allowed: Any) -> str:  # noqa: N802
    """``value|mustBeOneOf(["a", "b"])``: the subject-first form for Jinja2 filters."""
    return mustBeOneOf(allowed, value)


_INT64 = (-(2**63), 2**63 - 1)


def mustBeIntInRange(low: Any, high: Any, value: Any) -> str:  # noqa: N802
    """``value`` unchanged if it is a base-10 integer within ``[low, high]``; else fail."""
    fn = "mustBeIntInRange"
    low = _int(fn, low, "the minimum")
    high = _int(fn, high, "the maximum")
    if low > high:
        raise HelperError(f"invalid allowed range: minimum {low} is greater than maximum {high}")
    value = _str(fn, value)
    if value == "":
        raise HelperError("value must be an integer; got an empty value")
    number = parse_go_int(value)
    if number is None:
        raise HelperError(f"value must be an integer; got {go_quote(value)}")
    if not low <= number <= high:
        raise HelperError(f"value must be an integer between {low} and {high}; got {go_quote(value)}")
    return value


def mustBeIntInRange_filter(value: Any, low: Any, high: Any) -> str:  # noqa: N802
    """``value|mustBeIntInRange(1, 10)``: the subject-first form for Jinja2 filters."""
    return mustBeIntInRange(low, high, value)


def mustBeInt(value: Any) -> str:  # noqa: N802
    """``value`` unchanged if it is a base-10 int64 (``"+5"`` and ``"007"`` pass); else fail."""
    return mustBeIntInRange(_INT64[0], _INT64[1], value)


# --- Sprig variants ----------------------------------------------------------


def sprigCoalesce(*values: Any) -> Any:  # noqa: N802
    """Sprig's ``coalesce``: the first non-empty argument (``""``, ``0``, ``[]`` are empty)."""
    for value in values:
        if not is_missing(value) and value:
            return value
    return None


def sprigContains(substring: Any, text: Any) -> bool:  # noqa: N802
    """Sprig's ``contains``: ``substring`` occurs in ``text``."""
    return _str("sprigContains", substring) in _str("sprigContains", text)


def sprigDir(path: Any) -> str:  # noqa: N802
    """Sprig's ``dir``: everything but the last element of a slash path (Go ``path.Dir``)."""
    path = _str("sprigDir", path)
    return go_path.dir(path)


def sprigReplace(old: Any, new: Any, text: Any) -> str:  # noqa: N802
    """Sprig's ``replace old new text``: replace every occurrence."""
    fn = "sprigReplace"
    text, old, new = _str(fn, text), _str(fn, old), _str(fn, new)
    check_replace(fn, text, old, new)
    return text.replace(old, new)


def _numbered(parts: list[str]) -> dict[str, str]:
    return {f"_{i}": part for i, part in enumerate(parts)}


def sprigSplit(sep: Any, text: Any) -> dict[str, str]:  # noqa: N802
    """Sprig's ``split sep text``: a dict ``{"_0": ..., "_1": ...}``."""
    return _numbered(go_split(_str("sprigSplit", text), _str("sprigSplit", sep)))


def sprigSplitn(sep: Any, count: Any, text: Any) -> dict[str, str]:  # noqa: N802
    """Sprig's ``splitn sep n text``: like :func:`sprigSplit`, at most ``n`` parts."""
    fn = "sprigSplitn"
    return _numbered(go_split(_str(fn, text), _str(fn, sep), _int(fn, count, "the count")))


def hasPrefix(prefix: Any, text: Any) -> bool:  # noqa: N802
    """Sprig's ``hasPrefix prefix text``."""
    return _str("hasPrefix", text).startswith(_str("hasPrefix", prefix))


def hasSuffix(suffix: Any, text: Any) -> bool:  # noqa: N802
    """Sprig's ``hasSuffix suffix text``."""
    return _str("hasSuffix", text).endswith(_str("hasSuffix", suffix))


def trimPrefix(prefix: Any, text: Any) -> str:  # noqa: N802
    """Sprig's ``trimPrefix prefix text``: remove ``prefix`` once if present."""
    return _str("trimPrefix", text).removeprefix(_str("trimPrefix", prefix))


def trimSuffix(suffix: Any, text: Any) -> str:  # noqa: N802
    """Sprig's ``trimSuffix suffix text``: remove ``suffix`` once if present."""
    return _str("trimSuffix", text).removesuffix(_str("trimSuffix", suffix))


def _go_key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if is_missing(key):
        return "<nil>"
    return str(key)


def dict_(*pairs: Any, **named: Any) -> dict[str, Any]:
    """Sprig's ``dict "k1" v1 "k2" v2``; Jinja2's ``dict(k1=v1)`` keeps working.

    A trailing key without a value maps to ``""``.  Keys are sorted, so a loop
    over the dict runs in the order Go's ``range`` over a map does.
    """
    result: dict[str, Any] = {}
    for i in range(0, len(pairs), 2):
        result[_go_key(pairs[i])] = pairs[i + 1] if i + 1 < len(pairs) else ""
    result.update(named)
    return {key: result[key] for key in sorted(result)}


def list_(*items: Any) -> list[Any]:
    """Sprig's ``list a b c``: a new list of the arguments."""
    return list(items)
