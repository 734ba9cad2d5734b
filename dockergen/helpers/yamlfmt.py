"""YAML helpers that write and read YAML the way docker-gen's yaml.v3 does.

Writing: lower-cased field names, 4-space indentation, sequences indented
under their key, strings quoted when they would read back as another type.
PyYAML's emitter cannot produce that layout, so this module has a small
emitter of its own.  Reading (:mod:`dockergen.helpers.yamldecode`) uses PyYAML's
parser with yaml.v3's scalar rules (``yes``/``on`` stay strings, ``0x10`` is
16) and its refusals (repeated keys, alias bombs).  ``yaml`` is imported on
first use to keep start-up cheap.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta, timezone
from functools import cmp_to_key
from typing import Any

from ..errors import HelperError
from ..limits import LimitError, digits_value
from .fieldpath import describe, is_missing
from ..golang.json import format_float as go_float
from ..golang.unicode import category, is_letter
from .serialize import PlainRules, _text, rfc3339, to_plain

__all__ = ["fromYaml", "mustFromYaml", "toYaml", "mustToYaml", "resolve_plain"]


# --- YAML scalars (yaml.v3's resolve) ----------------------------------------

_TAG = "tag:yaml.org,2002:"
NULL, BOOL, INT, FLOAT, STR, TIMESTAMP, MERGE = (
    _TAG + name for name in ("null", "bool", "int", "float", "str", "timestamp", "merge")
)
_RESOLVE_MAP: dict[str, tuple[str, Any]] = {}
for _words, _entry in (
    (("true", "True", "TRUE"), (BOOL, True)),
    (("false", "False", "FALSE"), (BOOL, False)),
    (("", "~", "null", "Null", "NULL"), (NULL, None)),
    ((".nan", ".NaN", ".NAN"), (FLOAT, math.nan)),
    ((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), (FLOAT, math.inf)),
    (("-.inf", "-.Inf", "-.INF"), (FLOAT, -math.inf)),
):
    for _word in _words:
        _RESOLVE_MAP[_word] = _entry
del _words, _entry, _word

_MAP_HINT = frozenset("yYnNtTfFoO~")


class _Patterns:
    """Regular expressions compiled on first use: import time matters for the CLI."""

    _SOURCES = {
        "dot_float": r"\.[0-9]+(?:[eE][-+]?[0-9]+)?",
        "yaml_float": r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?",
        "go_int": r"([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)",
        "timestamp": (
            r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
            r"(?:(?:[Tt]([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:\.([0-9]+))?(Z|[-+][0-9]{2}:[0-9]{2}))"
            r"|(?: ([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:\.([0-9]+))?))?"
        ),
        "base60": r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?",
        "simple": r"[A-Za-z][A-Za-z0-9_./-]*",
    }

    def __getattr__(self, name: str) -> re.Pattern[str]:
        pattern = re.compile(self._SOURCES[name])
        setattr(self, name, pattern)
        return pattern


_RE = _Patterns()
_OLD_BOOLS = frozenset(
    ("y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off", "OFF")
)


def _go_int(text: str) -> int | None:
    match = _RE.go_int.fullmatch(text)
    if match is None:
        return None
    sign, body = match.groups()
    if len(body) > 1 and body[0] == "0" and body[1] in "01234567":  # Go: 017 is octal
        value = digits_value(body, 8)
    elif body[1:2] in ("x", "X", "o", "O", "b", "B"):
        value = digits_value(body[2:], {"x": 16, "o": 8, "b": 2}[body[1].lower()])
    else:
        value = digits_value(body)
    if value is None:  # beyond 64 bits
        return None
    if sign == "-":
        value = -value
    if sign and -(2**63) <= value < 2**63:
        return value
    if not sign and value < 2**64:
        return value
    return None


def _timestamp(text: str) -> datetime | None:
    match = _RE.timestamp.fullmatch(text)
    if match is None:
        return None
    g = match.groups()
    try:
        if g[3] is not None:
            hour, minute, second, fraction, zone = g[3], g[4], g[5], g[6], g[7]
        else:
            hour, minute, second, fraction, zone = g[8] or 0, g[9] or 0, g[10] or 0, g[11], None
        tz = timezone.utc
        if zone and zone != "Z":
            offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
            tz = timezone(-offset if zone[0] == "-" else offset)
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        from ..model import GoTime

        year = int(g[0])
        cycles = 1 if year < 1 else 0  # year 0 is held 400 years on (GoTime.cycles)
        stamp = GoTime(
            year + 400 * cycles, int(g[1]), int(g[2]), int(hour), int(minute), int(second), micro, tzinfo=tz
        )
        stamp.cycles = -cycles
        return stamp
    except ValueError:
        return None


def resolve_plain(text: str) -> tuple[str, Any]:
    """The tag and value yaml.v3 gives an unquoted scalar (YAML 1.2 style)."""
    if text in _RESOLVE_MAP:
        return _RESOLVE_MAP[text]
    first = text[0]
    if first in _MAP_HINT:
        return STR, text
    if first == ".":
        if _RE.dot_float.fullmatch(text):
            return FLOAT, float(text)
        return STR, text
    if first == "<" and text == "<<":
        return MERGE, text
    if not (first.isascii() and (first.isdigit() or first in "+-")):
        return STR, text
    stamp = _timestamp(text)
    if stamp is not None:
        return TIMESTAMP, stamp
    plain = text.replace("_", "")
    number = _go_int(plain)
    if number is not None:
        return INT, number
    if _RE.yaml_float.fullmatch(plain):
        value = float(plain)
        if math.isfinite(value):
            return FLOAT, value
    return STR, text


# --- YAML emitter -----------------------------------------------------------


def _is_letter(char: str) -> bool:
    return is_letter(char)  # unicode.IsLetter, in Go's Unicode


def _yaml_key_less(a: Any, b: Any) -> bool:
    # yaml.v3's map key order: numbers by value, then strings "naturally"
    # (digit runs compared as numbers, non-letters before letters except after a digit).
    a_num = isinstance(a, (int, float))
    b_num = isinstance(b, (int, float))
    if a_num and b_num:
        if float(a) != float(b):
            return float(a) < float(b)
        ka, kb = _key_kind(a), _key_kind(b)
        if ka != kb:
            return ka < kb
        return a < b
    if not (isinstance(a, str) and isinstance(b, str)):
        return _key_kind(a) < _key_kind(b)
    i = _common_prefix(a, b)
    if i == min(len(a), len(b)):
        return len(a) < len(b)
    ca, cb = a[i], b[i]
    letter_a, letter_b = _is_letter(ca), _is_letter(cb)
    if letter_a and letter_b:
        return ca < cb
    if letter_a or letter_b:  # letters go last, but first after a common digit ("1x" < "1:")
        return letter_a if i and category(a[i - 1]) == "Nd" else letter_b
    an = bn = 0
    if (ca == "0" or cb == "0") and i:
        before = _DIGITS.match(a[i - 1::-1]).group()  # the digits just before, reversed
        if before.strip("0"):
            an = bn = 1
    ai = _DIGITS.match(a, i).end()
    bi = _DIGITS.match(b, i).end()
    an = _run_value(an, a[i:ai])
    bn = _run_value(bn, b[i:bi])
    if an != bn:
        return an < bn
    if ai != bi:
        return ai < bi
    return ca < cb


_DIGITS = re.compile(r"\d*")  # Unicode decimal digits, as str.isdecimal and Go's unicode.IsDigit


def _common_prefix(a: str, b: str) -> int:
    """The length of the longest common prefix, found by comparing halves (C speed)."""
    lo, hi = 0, min(len(a), len(b))
    if a[:hi] == b[:hi]:
        return hi
    while lo < hi:  # a[:lo] == b[:lo], and no longer prefix than hi is common
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _run_value(value: int, run: str) -> int:
    """``value`` followed by the digits of ``run``, in yaml.v3's int64 arithmetic.

    10**64 is a multiple of 2**64, so only the last 64 digits of a long run
    count: a run of a million digits costs no more than one of 64.
    """
    if len(run) > 64:
        value, run = 0, run[-64:]
    for char in run:
        value = value * 10 + ord(char) - 48
    return _wrap64(value)


def _wrap64(value: int) -> int:
    value &= 0xFFFFFFFFFFFFFFFF
    return value - (1 << 64) if value >= 1 << 63 else value


def _key_kind(value: Any) -> int:
    # Go reflect.Kind numbers, which yaml.v3 falls back to across types.
    if isinstance(value, bool):
        return 1
    if isinstance(value, int):
        return 2
    if isinstance(value, float):
        return 14
    if value is None:
        return 20
    if isinstance(value, str):
        return 24
    return 25


def _yaml_key_cmp(a: Any, b: Any) -> int:
    if _yaml_key_less(a, b):
        return -1
    if _yaml_key_less(b, a):
        return 1
    return 0


_YAML_KEY_ORDER = cmp_to_key(_yaml_key_cmp)

_BREAKS = frozenset("\r\n\x85\u2028\u2029")
_FLOW_START = frozenset("#,[]{}&*!|>'\"%@`")
_FLOW_INSIDE = frozenset(",?[]{}")
_DQ_ESCAPES = {
    "\0": "\\0", "\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f",
    "\r": "\\r", "\x1b": "\\e", '"': '\\"', "\\": "\\\\", "\x85": "\\N", "\xa0": "\\_",
    "\u2028": "\\L", "\u2029": "\\P",
}


def _printable(char: str) -> bool:
    code = ord(char)
    return (
        code == 0x0A
        or 0x20 <= code <= 0x7E
        or 0xA0 <= code <= 0xD7FF
        or (0xE000 <= code <= 0xFFFD and code != 0xFEFF)
    )


def _analyze(text: str) -> tuple[bool, bool, bool, bool]:
    """(multiline, block_plain_allowed, single_quoted_allowed, block_allowed), as libyaml decides."""
    if not text:
        return False, True, True, False
    block_indicators = text.startswith(("---", "...")) and len(text) >= 3
    line_breaks = special = tabs = False
    leading_space = leading_break = trailing_space = trailing_break = False
    break_space = space_break = previous_space = previous_break = False
    preceded_by_whitespace = True
    last = len(text) - 1
    for i, char in enumerate(text):
        followed_by_whitespace = i == last or text[i + 1] in " \t"
        if i == 0:
            if char in _FLOW_START:
                block_indicators = True
            elif char in "?:" and followed_by_whitespace:
                block_indicators = True
            elif char == "-" and followed_by_whitespace:
                block_indicators = True
        elif char == ":" and followed_by_whitespace:
            block_indicators = True
        elif char == "#" and preceded_by_whitespace:
            block_indicators = True
        if char == "\t":
            tabs = True
        elif not _printable(char):
            special = True
        if char == " ":
            if i == 0:
                leading_space = True
            if i == last:
                trailing_space = True
            if previous_break:
                break_space = True
            previous_space, previous_break = True, False
        elif char in _BREAKS:
            line_breaks = True
            if i == 0:
                leading_break = True
            if i == last:
                trailing_break = True
            if previous_space:
                space_break = True
            previous_space, previous_break = False, True
        else:
            previous_space = previous_break = False
        preceded_by_whitespace = char in " \t\0" or char in _BREAKS
    block_plain = single = block = True
    if leading_space or leading_break or trailing_space or trailing_break:
        block_plain = False
    if trailing_space:
        block = False
    if break_space:
        block_plain = single = False
    if space_break or tabs or special:
        block_plain = single = False
    if space_break or special:
        block = False
    if line_breaks or block_indicators:
        block_plain = False
    return line_breaks, block_plain, single, block


def _double_quoted(text: str) -> str:
    out = ['"']
    for char in text:
        if _printable(char) and char not in _BREAKS and char != '"' and char != "\\":
            out.append(char)
            continue
        escaped = _DQ_ESCAPES.get(char)
        if escaped is None:
            code = ord(char)
            if code <= 0xFF:
                escaped = f"\\x{code:02X}"
            elif code <= 0xFFFF:
                escaped = f"\\u{code:04X}"
            else:
                escaped = f"\\U{code:08X}"
        out.append(escaped)
    out.append('"')
    return "".join(out)


def _literal_header(text: str) -> str:
    header = "|"
    if text[:1] == " " or text[:1] in _BREAKS:
        header += "4"  # yaml.v3 writes its best indent as the indentation indicator
    if not text or text[-1] not in _BREAKS:
        header += "-"
    elif len(text) == 1 or text[-2] in _BREAKS:
        header += "+"
    return header


_INVALID_BYTE = re.compile("[\udc80-\udcff]")  # a byte of invalid UTF-8, kept by surrogateescape


def _binary(text: str) -> str | None:
    """yaml.v3 writes a string that is not valid UTF-8 as ``!!binary`` base64, in lines
    of 70 characters (each ended by a line break) when longer; None for valid text."""
    if _INVALID_BYTE.search(text) is None:
        return None
    import base64

    encoded = base64.b64encode(text.encode("utf-8", "surrogateescape")).decode("ascii")
    if len(encoded) <= 70:
        return encoded
    return "".join(encoded[i:i + 70] + "\n" for i in range(0, len(encoded), 70))


def _string_scalar(text: str, is_key: bool) -> tuple[str, str]:
    """(style, rendered) for a string: ``plain``, ``single``, ``double``, ``literal`` or
    ``binary`` (a literal block of base64 lines: see :func:`_block_lines`)."""
    if not text:
        return "double", '""'
    binary = _binary(text)
    if binary is not None:
        return ("binary", "!!binary " + _literal_header(binary)) if "\n" in binary else ("plain", "!!binary " + binary)
    if _RE.simple.fullmatch(text):
        # Fast path for names and hosts: a letter first and no indicators
        # inside, so only the true/false/null/yes/no words need quoting.
        if text in _RESOLVE_MAP or text in _OLD_BOOLS:
            return "double", f'"{text}"'
        return "plain", text
    if "\n" in text:
        style = "literal"
    elif (
        # "<<" is text to yaml.v3's resolver (only a mapping key merges).
        resolve_plain(text)[0] in (STR, MERGE)
        and text not in _OLD_BOOLS
        and not (":" in text and _RE.base60.fullmatch(text))
    ):
        style = "plain"
    else:
        style = "double"
    _, block_plain, single, block = _analyze(text)  # a multi-line key is a ? key: not here
    if style == "plain" and (not block_plain or (not text and is_key)):
        style = "single"
    if style == "single" and not single:
        style = "double"
    if style == "literal" and (not block or is_key):
        style = "double"
    if style == "plain":
        return style, text
    if style == "single":
        return style, "'" + text.replace("'", "''") + "'"
    if style == "double":
        return style, _double_quoted(text)
    return style, _literal_header(text)


def _scalar(value: Any, is_key: bool = False) -> tuple[str, str]:
    if value is None:
        return "plain", "null"
    if value is True:
        return "plain", "true"
    if value is False:
        return "plain", "false"
    if type(value) is int:
        return "plain", str(value)
    if type(value) is float:
        if math.isnan(value):
            return "plain", ".nan"
        if math.isinf(value):
            return "plain", ".inf" if value > 0 else "-.inf"
        return "plain", go_float(value)
    if isinstance(value, datetime):
        return "plain", rfc3339(value)
    if type(value) is str:
        return _string_scalar(value, is_key)
    if isinstance(value, list) and not value:
        return "plain", "[]"
    if isinstance(value, dict) and not value:
        return "plain", "{}"
    raise HelperError(f"yaml: cannot encode {describe(value)}")  # pragma: no cover


_LINE_START = re.compile("(^|[\r\n\x85\u2028\u2029])(?=[^\r\n\x85\u2028\u2029])")
_AFTER_BREAK = re.compile("([\r\n\x85\u2028\u2029])(?=[^\r\n\x85\u2028\u2029])")


def _indented(text: str, indent: int, pattern: re.Pattern[str] = _LINE_START) -> str:
    """``text`` with ``indent`` spaces before each line's first character, as yaml.v3 writes it.

    U+2028, U+2029 (and NEL, CR) are line breaks to YAML: yaml.v3 writes them
    as they are inside single-quoted and literal scalars, and indents the next
    character as it would the next line's (an empty line gets no spaces).
    """
    return pattern.sub("\\1" + " " * indent, text)


def _block_lines(style: str, text: str, value: Any, indent: int) -> tuple[str, list[str]]:
    """A scalar placed at ``indent``: the rest of its first line and what follows it.

    What follows is one piece of text that ends with its own line break when
    the scalar's last character is one (see :func:`_joined`).
    """
    if style == "single":
        return "'" + _indented(text[1:-1], indent, _AFTER_BREAK) + "'", []  # the quotes are not indented
    if style == "binary":
        value = _binary(value)
    elif style != "literal":
        return text, []
    if value[:1] in _BREAKS:  # yaml.v3 ends the header line with the scalar's first line break
        if value[0] != "\n":
            text += value[0]
        value = value[1:]
    return text, [_indented(value, indent)] if value else []


def _joined(lines: list[str]) -> str:
    """The emitted pieces, each ended by a newline unless it ends with a line break of its own."""
    return "".join(line if line[-1:] in _BREAKS else line + "\n" for line in lines)


def _emit_scalar(value: Any, head: str, indent: int, lines: list[str]) -> None:
    """``head`` then the scalar ``value``, whose continuation lines are indented by ``indent``."""
    style, text = _scalar(value)
    first, more = _block_lines(style, text, value, indent)
    lines.append(f"{head} {first}" if head else first)
    lines.extend(more)


def _emit_value(value: Any, head: str, in_sequence: bool, parent: int, lines: list[str]) -> None:
    """Write ``value`` after ``head`` (``"key:"`` or ``"-"``, already indented)."""
    # yaml.v3 indents a node in a sequence past the "- ", elsewhere to the next multiple of 4.
    indent = parent + 2 if in_sequence else 4 * ((parent + 4) // 4)
    if isinstance(value, (dict, list)) and value:
        if in_sequence:
            # Block collections start on the dash line; content skips the "- ".
            _emit_block(value, indent, head + " ", lines)
        else:
            lines.append(head)
            _emit_block(value, indent, " " * indent, lines)
        return
    _emit_scalar(value, head, indent, lines)


def _complex_key(key: Any) -> bool:
    """yaml.v3 writes a key that is not "simple" (multi-line, or over 128 bytes) after ``? ``."""
    if not isinstance(key, str):
        return False
    binary = _binary(key)
    if binary is not None:
        return "\n" in binary
    return any(char in key for char in _BREAKS) or len(key.encode("utf-8", "surrogateescape")) > 128


def _emit_complex_entry(key: str, item: Any, indent: int, lead: str, lines: list[str]) -> None:
    """``? KEY`` then ``: VALUE``, the key styled as a value would be (a block if multi-line)."""
    pad = " " * indent
    inner = 4 * ((indent + 4) // 4)
    _emit_scalar(key, f"{lead}?", inner, lines)
    if isinstance(item, (dict, list)) and item:  # a collection starts on the ":" line, at its indent
        _emit_block(item, inner, pad + ":" + " " * (inner - indent - 1), lines)
    else:
        _emit_value(item, pad + ":", False, indent, lines)


def _emit_block(value: dict[Any, Any] | list[Any], indent: int, lead: str, lines: list[str]) -> None:
    pad = " " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            if _complex_key(key):
                _emit_complex_entry(key, item, indent, lead, lines)
            else:
                _, key_text = _scalar(key, is_key=True)
                _emit_value(item, f"{lead}{key_text}:", False, indent, lines)
            lead = pad
    else:
        for item in value:
            _emit_value(item, f"{lead}-", True, indent, lines)
            lead = pad


def _dump_yaml(value: Any, rules: PlainRules | None = None) -> str:
    plain = to_plain(value, yaml=True, map_key_order=_YAML_KEY_ORDER, rules=rules)
    lines: list[str] = []
    if isinstance(plain, (dict, list)) and plain:
        _emit_block(plain, 0, "", lines)
    else:
        _emit_scalar(plain, "", 4, lines)
    return _joined(lines)


def mustToYaml(value: Any, *, rules: PlainRules | None = None) -> str:  # noqa: N802
    """YAML as yaml.v3 writes it (ends with a newline); unencodable values fail the render.

    ``rules`` give the Go engine's view of its values (struct fields, pointers).
    """
    return _dump_yaml(value, rules)


def toYaml(value: Any, *, rules: PlainRules | None = None) -> str:  # noqa: N802
    """Like :func:`mustToYaml`, but ``""`` for a value that cannot be encoded (as in Go)."""
    try:
        return _dump_yaml(value, rules)
    except LimitError:
        raise  # a bound is a render error, never an unencodable value
    except HelperError:
        return ""


# --- YAML loader ------------------------------------------------------------

def _yaml_error(exc: Exception) -> str:
    # yaml.v3 reports "yaml: line N: problem" with its own (0-based, +1 for
    # scanner errors) line arithmetic; reproduce it so messages match.
    import yaml

    if isinstance(exc, yaml.reader.ReaderError) and not 0xD800 <= exc.character <= 0xDFFF:
        return "yaml: control characters are not allowed"  # yaml.v3's reader, no position
    problem = getattr(exc, "problem", None) or str(exc)
    scanner = isinstance(exc, yaml.scanner.ScannerError)
    line = 0
    for mark in (getattr(exc, "context_mark", None), getattr(exc, "problem_mark", None)):
        if mark is not None and mark.line != 0:
            line = mark.line + (1 if scanner else 0)
            break
    where = f"line {line}: " if line else ""
    return f"yaml: {where}{problem}"


def _reader_problem(data: bytes) -> str:
    """What yaml.v3's reader says of a document that is not valid UTF-8: the first problem,
    reading from the start (a control character before the bad byte is that one)."""
    i, n = 0, len(data)
    while i < n:
        lead = data[i]
        width = 1 if lead < 0x80 else 2 if lead >> 5 == 6 else 3 if lead >> 4 == 14 else 4 if lead >> 3 == 30 else 0
        if not width:
            return "invalid leading UTF-8 octet"
        if i + width > n:
            return "incomplete UTF-8 octet sequence"
        code = lead & (0x7F, 0x1F, 0x0F, 0x07)[width - 1]
        for byte in data[i + 1:i + width]:
            if byte >> 6 != 2:
                return "invalid trailing UTF-8 octet"
            code = code << 6 | byte & 0x3F
        if code < (0, 0x80, 0x800, 0x10000)[width - 1]:
            return "invalid length of a UTF-8 sequence"
        if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
            return "invalid Unicode character"
        if not (code in (0x9, 0xA, 0xD, 0x85) or 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF
                or 0xE000 <= code <= 0xFFFD or code >= 0x10000):
            return "control characters are not allowed"
        i += width
    return "invalid leading UTF-8 octet"  # pragma: no cover - called only on invalid UTF-8


def mustFromYaml(text: Any) -> Any:  # noqa: N802
    """Decode the first YAML document; invalid YAML fails the render.

    yaml.v3's rules apply (see :mod:`dockergen.helpers.yamldecode`): repeated mapping
    keys, excessive aliasing and self-containing anchors are errors too.
    """
    import yaml

    from .yamldecode import decode_yaml

    source = _text("mustFromYaml", text)
    if _INVALID_BYTE.search(source) is not None:
        raise HelperError("yaml: " + _reader_problem(source.encode("utf-8", "surrogateescape")))
    try:
        return decode_yaml(source)
    except yaml.YAMLError as exc:
        raise HelperError(_yaml_error(exc)) from None


def fromYaml(text: Any) -> Any:  # noqa: N802
    """Decode the first YAML document; ``None`` when it is invalid."""
    if is_missing(text):
        return None
    try:
        return mustFromYaml(text)
    except LimitError:
        raise  # a bound is a render error, never an invalid document
    except HelperError:
        return None
