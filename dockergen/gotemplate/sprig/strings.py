"""Sprig's string and string-list functions (spec §9.1, §9.3).

Go strings are bytes, so ``substr``, ``trunc``, ``abbrev`` and ``wrap`` cut
UTF-8 bytes; goutils' ``nospace`` and ``initials`` even treat each byte as a
character.  Case mapping is Go's rune-by-rune simple mapping and white space
is Go's ``unicode.IsSpace``; Python's defaults differ on both.
"""

from __future__ import annotations

import string as _string
from typing import Any

from ...golang import hashes
from ...golang.strings import split_n as go_split
from ...golang.unicode import BYTE_SPACE as _BYTE_SPACE
from ...golang.unicode import category
from ...golang.unicode import is_space as go_isspace
from ...golang.unicode import trim_space as go_trim_space
from ...helpers.functions import _go_case
from ...limits import check_replace, check_text
from ..errors import GoError
from ..funcs import Function, define
from ..values import (
    ANY, BOOL, INT, MAP_STRING_STRING, STRING, STRINGS, GoSlice, from_go_bytes, go_bytes, go_len,
    new_map, new_slice,
)
from .casing import camel_case, kebab_case, snake_case
from .coerce import check_go_alloc, is_list_like, list_items, strval

__all__ = ["FUNCTIONS", "go_split", "strslice"]

FUNCTIONS: dict[str, Function] = {}

# --- shared rune helpers ----------------------------------------------------------

def _fix_invalid(text: str) -> str:
    # strings.Map (behind ToUpper/ToLower/Title) and []rune(s) turn each invalid byte into U+FFFD.
    if text.isascii():
        return text
    return "".join("\ufffd" if "\udc80" <= c <= "\udcff" else c for c in text)


def _to_title(char: str) -> str:
    """``unicode.ToTitle`` of one rune (simple mapping)."""
    mapped = char.title()
    if len(mapped) == 1:
        return mapped
    return _go_case(char, upper=True)


def _is_letter(char: str) -> bool:
    return category(char)[0] == "L"


def _is_upper(char: str) -> bool:
    return category(char) == "Lu"


def _is_lower(char: str) -> bool:
    return category(char) == "Ll"


def _is_title(char: str) -> bool:
    return category(char) == "Lt"


# --- simple functions ---------------------------------------------------------------


@define(FUNCTIONS, "hello", (), STRING)
def hello() -> str:
    return "Hello!"


@define(FUNCTIONS, "trim", (STRING,), STRING)
def trim(text: str) -> str:
    return go_trim_space(text)


@define(FUNCTIONS, "trimAll", (STRING, STRING), STRING, aliases=("trimall",))
def trim_all(cutset: str, text: str) -> str:
    """``strings.Trim``: the cut set is a set of runes, not a prefix/suffix."""
    if not cutset:
        return text
    if len(cutset) <= _SHORT_CUTSET:
        return text.strip(cutset)
    # str.strip scans the whole cut set for every character it strips: with a
    # long cut set (a container value) that is quadratic, a set lookup is not.
    chars = frozenset(cutset)
    start, end = 0, len(text)
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return text[start:end]


_SHORT_CUTSET = 64


@define(FUNCTIONS, "trimPrefix", (STRING, STRING), STRING)
def trim_prefix(prefix: str, text: str) -> str:
    return text.removeprefix(prefix)


@define(FUNCTIONS, "trimSuffix", (STRING, STRING), STRING)
def trim_suffix(suffix: str, text: str) -> str:
    return text.removesuffix(suffix)


@define(FUNCTIONS, "upper", (STRING,), STRING)
def upper(text: str) -> str:
    return _go_case(_fix_invalid(text), upper=True)


@define(FUNCTIONS, "lower", (STRING,), STRING)
def lower(text: str) -> str:
    return _go_case(_fix_invalid(text), upper=False)


def _title_separator(char: str) -> bool:
    # strings.Title: ASCII letters, digits and "_" continue a word, other ASCII
    # separates; beyond ASCII only letters/digits continue and only spaces separate.
    if char <= "\x7f":
        return not (char.isalnum() or char == "_")
    if _is_letter(char) or category(char) == "Nd":
        return False
    return go_isspace(char)


@define(FUNCTIONS, "title", (STRING,), STRING)
def title(text: str) -> str:
    out = []
    prev = " "
    for char in _fix_invalid(text):
        out.append(_to_title(char) if _title_separator(prev) else char)
        prev = char
    return "".join(out)


@define(FUNCTIONS, "untitle", (STRING,), STRING)
def untitle(text: str) -> str:
    """Lower-case the first rune of each white-space separated word (goutils Uncapitalize,
    which works on runes: an invalid byte becomes U+FFFD)."""
    out = []
    at_start = True
    for char in _fix_invalid(text):
        if go_isspace(char):
            at_start = True
            out.append(char)
        elif at_start:
            out.append(_go_case(char, upper=False))
            at_start = False
        else:
            out.append(char)
    return "".join(out)


@define(FUNCTIONS, "substr", (INT, INT, STRING), STRING)
def substr(start: int, end: int, text: str) -> str:
    """Byte offsets, with Go's slice-bounds panics for the cases Sprig does not guard."""
    data = go_bytes(text)
    size = len(data)
    if start < 0:
        if end < 0:
            raise GoError(f"runtime error: slice bounds out of range [:{end}]")
        if end > size:
            raise GoError(f"runtime error: slice bounds out of range [:{end}] with length {size}")
        return from_go_bytes(data[:end])
    if end < 0 or end > size:
        if start > size:
            raise GoError(f"runtime error: slice bounds out of range [{start}:{size}]")
        return from_go_bytes(data[start:])
    if start > end:
        raise GoError(f"runtime error: slice bounds out of range [{start}:{end}]")
    return from_go_bytes(data[start:end])


@define(FUNCTIONS, "repeat", (INT, STRING), STRING)
def repeat(count: int, text: str) -> str:
    if count < 0:
        raise GoError("strings: negative Repeat count")
    size = go_len(text) * count
    if count and size >= 2**63:
        raise GoError("strings: Repeat output length overflow")
    check_go_alloc(size)  # Go's own refusal, then dockergen's bound
    check_text("repeat", len(text) * count)
    return text * count


@define(FUNCTIONS, "nospace", (STRING,), STRING)
def nospace(text: str) -> str:
    """goutils DeleteWhiteSpace: tests bytes as runes and re-encodes the kept bytes as runes."""
    data = go_bytes(text)
    kept = [b for b in data if b not in _BYTE_SPACE]
    if len(kept) == len(data):
        return text
    return "".join(map(chr, kept))


@define(FUNCTIONS, "trunc", (INT, STRING), STRING)
def trunc(count: int, text: str) -> str:
    data = go_bytes(text)
    if count < 0 and len(data) + count > 0:
        return from_go_bytes(data[len(data) + count:])
    if count >= 0 and len(data) > count:
        return from_go_bytes(data[:count])
    return text


def _abbreviate(data: bytes, width: int) -> bytes:
    if len(data) <= width:
        return data
    return data[: width - 3] + b"..."


@define(FUNCTIONS, "abbrev", (INT, STRING), STRING)
def abbrev(width: int, text: str) -> str:
    if width < 4:
        return text
    return from_go_bytes(_abbreviate(go_bytes(text), width))


@define(FUNCTIONS, "abbrevboth", (INT, INT, STRING), STRING)
def abbrevboth(left: int, right: int, text: str) -> str:
    """Apache commons' AbbreviateFull on bytes, with Sprig's guard for invalid widths."""
    if right < 4 or (left > 0 and right < 7):
        return text
    data = go_bytes(text)
    size = len(data)
    if size == 0 or size <= right:
        return text
    offset = min(left, size)
    keep = right - 3
    if size - offset < keep:
        offset = size - keep
    if offset <= 4:
        return from_go_bytes(data[:keep] + b"...")
    if offset + keep < size:
        inner = data[offset:]
        if keep < 4:
            return ""  # goutils reports an error; Sprig ignores it and gets ""
        return from_go_bytes(b"..." + _abbreviate(inner, keep))
    return from_go_bytes(b"..." + data[size - keep:])


@define(FUNCTIONS, "initials", (STRING,), STRING)
def initials(text: str) -> str:
    """First byte of each word (goutils), re-encoded as a rune, so non-ASCII is mangled."""
    out = []
    at_start = True
    for b in go_bytes(text):
        if b in _BYTE_SPACE:
            at_start = True
        elif at_start:
            out.append(chr(b))
            at_start = False
    return "".join(out)


def _random_from(what: str, alphabet: str, count: int) -> str:
    """``count`` characters drawn uniformly from ``alphabet`` (at most 256 of them).

    Random bytes are mapped in bulk; the bytes beyond the largest multiple of
    the alphabet's size are dropped, so no character is more likely than another.
    """
    if count <= 0:
        return ""
    check_go_alloc(count, 4)  # goutils builds a []rune: Go's own refusal, then dockergen's bound
    check_text(what, count)
    size = len(alphabet)
    usable = 256 - 256 % size
    table = bytes(ord(alphabet[b % size]) if b < usable else 0 for b in range(256))
    dropped = bytes(range(usable, 256))
    import secrets  # loaded by the templates that draw random strings, not by every one using this family

    out = bytearray()
    while len(out) < count:
        out += secrets.token_bytes(count - len(out) + 16).translate(table, dropped)
    return out[:count].decode("ascii")


_ALPHA = _string.ascii_letters
_DIGITS = _string.digits
_ASCII = "".join(chr(c) for c in range(32, 127))


@define(FUNCTIONS, "randAlphaNum", (INT,), STRING)
def rand_alpha_num(count: int) -> str:
    return _random_from("randAlphaNum", _ALPHA + _DIGITS, count)


@define(FUNCTIONS, "randAlpha", (INT,), STRING)
def rand_alpha(count: int) -> str:
    return _random_from("randAlpha", _ALPHA, count)


@define(FUNCTIONS, "randNumeric", (INT,), STRING)
def rand_numeric(count: int) -> str:
    return _random_from("randNumeric", _DIGITS, count)


@define(FUNCTIONS, "randAscii", (INT,), STRING)
def rand_ascii(count: int) -> str:
    return _random_from("randAscii", _ASCII, count)


@define(FUNCTIONS, "swapcase", (STRING,), STRING)
def swapcase(text: str) -> str:
    """goutils SwapCase: a lower-case rune after white space becomes title case (runes: an
    invalid byte becomes U+FFFD)."""
    out = []
    after_space = True
    for char in _fix_invalid(text):
        if _is_upper(char) or _is_title(char):
            out.append(_go_case(char, upper=False))
        elif _is_lower(char):
            out.append(_to_title(char) if after_space else _go_case(char, upper=True))
        else:
            out.append(char)
        after_space = go_isspace(char)
    return "".join(out)


@define(FUNCTIONS, "shuffle", (STRING,), STRING)
def shuffle(text: str) -> str:
    """The characters in random order (goutils uses math/rand: no secret to keep).

    ``SystemRandom`` asked the kernel once per character: seconds for a long value.
    """
    import random  # see _random_from

    chars = list(text)
    random.shuffle(chars)
    return "".join(chars)


# --- snake / kebab / camel case (casing.py) ------------------------------------------


@define(FUNCTIONS, "snakecase", (STRING,), STRING)
def snakecase(text: str) -> str:
    return snake_case(text)


@define(FUNCTIONS, "kebabcase", (STRING,), STRING)
def kebabcase(text: str) -> str:
    return kebab_case(text)


@define(FUNCTIONS, "camelcase", (STRING,), STRING)
def camelcase(text: str) -> str:
    return camel_case(text)


# --- wrapping and padding ------------------------------------------------------------


def _wrap(data: bytes, width: int, newline: bytes, long_words: bool, what: str) -> bytes:
    """goutils WrapCustom (Apache commons WordUtils.wrap) on bytes.

    Each line adds ``newline``, which may be as long as the text: the result is
    checked against dockergen's size limit as it grows.
    """
    if not data:
        return data
    if not newline:
        newline = b"\n"
    width = max(width, 1)
    out = bytearray()
    size = len(data)
    offset = 0
    while size - offset > width:
        check_text(what, len(out))
        if data[offset] == 0x20:
            offset += 1
            continue
        space = data.rfind(b" ", offset, offset + width + 1)
        if space >= offset:
            out += data[offset:space] + newline
            offset = space + 1
        elif long_words:
            out += data[offset : offset + width] + newline
            offset += width
        else:
            space = data.find(b" ", offset + width)
            if space >= 0:
                out += data[offset:space] + newline
                offset = space + 1
            else:
                out += data[offset:]
                offset = size
    out += data[offset:]
    return bytes(out)


@define(FUNCTIONS, "wrap", (INT, STRING), STRING)
def wrap(width: int, text: str) -> str:
    return from_go_bytes(_wrap(go_bytes(text), width, b"\n", False, "wrap"))


@define(FUNCTIONS, "wrapWith", (INT, STRING, STRING), STRING)
def wrap_with(width: int, sep: str, text: str) -> str:
    return from_go_bytes(_wrap(go_bytes(text), width, go_bytes(sep), True, "wrapWith"))


@define(FUNCTIONS, "indent", (INT, STRING), STRING)
def indent(spaces: int, text: str, what: str = "indent") -> str:
    pad = repeat(spaces, " ")
    check_text(what, len(pad) + len(text) + text.count("\n") * len(pad))
    return pad + text.replace("\n", "\n" + pad)


@define(FUNCTIONS, "nindent", (INT, STRING), STRING)
def nindent(spaces: int, text: str) -> str:
    return "\n" + indent(spaces, text, "nindent")


# --- tests, quoting, replacing -----------------------------------------------------------


@define(FUNCTIONS, "contains", (STRING, STRING), BOOL, aliases=("sprigContains",))
def contains(substring: str, text: str) -> bool:
    return substring in text


@define(FUNCTIONS, "hasPrefix", (STRING, STRING), BOOL)
def has_prefix(prefix: str, text: str) -> bool:
    return text.startswith(prefix)


@define(FUNCTIONS, "hasSuffix", (STRING, STRING), BOOL)
def has_suffix(suffix: str, text: str) -> bool:
    return text.endswith(suffix)


@define(FUNCTIONS, "quote", (), STRING, variadic=ANY)
def quote(*values: Any) -> str:
    from ..fmt import go_quote

    return " ".join(go_quote(strval(v)) for v in values if v is not None)


@define(FUNCTIONS, "squote", (), STRING, variadic=ANY)
def squote(*values: Any) -> str:
    """Single quotes around ``%v``, without any escaping (Sprig's behaviour)."""
    from ..fmt import format_v

    return " ".join(f"'{format_v(v)}'" for v in values if v is not None)


@define(FUNCTIONS, "cat", (), STRING, variadic=ANY)
def cat(*values: Any) -> str:
    from ..fmt import format_v

    return " ".join(format_v(v) for v in values if v is not None)


@define(FUNCTIONS, "replace", (STRING, STRING, STRING), STRING, aliases=("sprigReplace",))
def replace(old: str, new: str, text: str) -> str:
    check_replace("replace", text, old, new)
    return text.replace(old, new)


@define(FUNCTIONS, "plural", (STRING, STRING, INT), STRING)
def plural(one: str, many: str, count: int) -> str:
    return one if count == 1 else many


@define(FUNCTIONS, "sha1sum", (STRING,), STRING)
def sha1sum(text: str) -> str:
    return hashes.new("sha1", go_bytes(text)).hexdigest()


@define(FUNCTIONS, "sha256sum", (STRING,), STRING)
def sha256sum(text: str) -> str:
    return hashes.new("sha256", go_bytes(text)).hexdigest()


@define(FUNCTIONS, "sha512sum", (STRING,), STRING)
def sha512sum(text: str) -> str:
    return hashes.new("sha512", go_bytes(text)).hexdigest()


@define(FUNCTIONS, "adler32sum", (STRING,), STRING)
def adler32sum(text: str) -> str:
    import zlib  # a few hundred microseconds: only templates that use it pay for it

    return str(zlib.adler32(go_bytes(text)))


@define(FUNCTIONS, "toString", (ANY,), STRING)
def to_string(value: Any) -> str:
    return strval(value)


# --- string lists ----------------------------------------------------------------------


def strslice(value: Any) -> list[str]:
    """Sprig's ``strslice``: a ``[]string`` as it is, other slices element-wise without nils."""
    if isinstance(value, GoSlice) and value.type is STRINGS:
        return value
    if is_list_like(value):
        return new_slice(STRING, [strval(v) for v in list_items(value) if v is not None])
    if value is None:
        return new_slice(STRING)
    return new_slice(STRING, [strval(value)])


def _indexed_map(parts: list[str]) -> dict:
    return new_map(STRING, STRING, ((f"_{i}", part) for i, part in enumerate(parts)))


@define(FUNCTIONS, "splitList", (STRING, STRING), STRINGS)
def split_list(sep: str, text: str) -> list[str]:
    return new_slice(STRING, go_split(text, sep))


@define(FUNCTIONS, "split", (STRING, STRING), MAP_STRING_STRING, aliases=("sprigSplit",))
def split(sep: str, text: str) -> dict:
    return _indexed_map(go_split(text, sep))


@define(FUNCTIONS, "splitn", (STRING, INT, STRING), MAP_STRING_STRING, aliases=("sprigSplitn",))
def splitn(sep: str, count: int, text: str) -> dict:
    return _indexed_map(go_split(text, sep, count))


@define(FUNCTIONS, "join", (STRING, ANY), STRING)
def join(sep: str, value: Any) -> str:
    return sep.join(strslice(value))


@define(FUNCTIONS, "toStrings", (ANY,), STRINGS)
def to_strings(value: Any) -> list[str]:
    return strslice(value)


@define(FUNCTIONS, "sortAlpha", (ANY,), STRINGS)
def sort_alpha(value: Any) -> list[str]:
    """Byte-wise sort; a ``[]string`` is sorted in place, as Go's sort.Strings does."""
    if not is_list_like(value):
        return new_slice(STRING, [strval(value)])
    items = strslice(value)
    items.sort(key=go_bytes)
    return items
