"""nginx helpers: quote a value for an nginx config, validate an HSTS header.

``nginxQuote`` leaves values nginx already reads as one token alone and
wraps the rest in quotes, so a container's env value cannot break out of the
directive it is written into.  The predicates below work on character
positions; every character they look at is ASCII, so these equal Go's byte
positions.
"""

from __future__ import annotations

from typing import Any

from ..errors import HelperError
from ..golang.unicode import is_print, trim_space
from ..limits import digits_value
from .fieldpath import describe, is_missing

__all__ = [
    "nginxQuote",
    "nginxMustParseHSTS",
    "go_quote",
    "is_escaped_at",
    "is_quoted_with",
    "is_quoted",
    "has_unescaped_quoting_char",
    "has_unescaped_special_chars",
    "quote_with",
]

_SPECIAL = frozenset("{};# \t")


_GO_ESCAPES = {
    "\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r",
    "\t": "\\t", "\v": "\\v", "\\": "\\\\", '"': '\\"',
}


def go_quote(text: str) -> str:
    """Go's ``%q`` / ``strconv.Quote``, used so error messages read as in docker-gen."""
    out = ['"']
    for char in text:
        escaped = _GO_ESCAPES.get(char)
        if escaped is not None:
            out.append(escaped)
        elif is_print(char):
            out.append(char)
        else:
            code = ord(char)
            if code < 0x80:
                out.append(f"\\x{code:02x}")
            elif code < 0x10000:
                out.append(f"\\u{code:04x}")
            else:
                out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def is_escaped_at(value: str, index: int) -> bool:
    """True when the character at ``index`` follows an odd run of backslashes."""
    if index <= 0 or index >= len(value):
        return False
    run = 0
    i = index - 1
    while i >= 0 and value[i] == "\\":
        run += 1
        i -= 1
    return run % 2 == 1


def is_quoted_with(value: str, quote: str) -> bool:
    """True when ``value`` starts and ends with an unescaped ``quote``."""
    return (
        len(value) >= 2
        and value[0] == quote
        and value[-1] == quote
        and not is_escaped_at(value, len(value) - 1)
    )


def is_quoted(value: str) -> bool:
    """True when ``value`` is wrapped in single or double quotes."""
    return is_quoted_with(value, "'") or is_quoted_with(value, '"')


def has_unescaped_quoting_char(value: str, quote: str) -> bool:
    """True when ``quote`` occurs unescaped somewhere nginx would see it as a quote.

    Opening and closing quotes of a properly quoted value do not count; a
    quote in the middle counts unless the value is wrapped in the other quote.
    """
    other = '"' if quote == "'" else "'"
    last = len(value) - 1
    for i, char in enumerate(value):
        if char != quote:
            continue
        if i == 0:
            if len(value) < 2 or value[-1] != quote or is_escaped_at(value, last):
                return True
        elif i == last:
            if not is_escaped_at(value, i) and value[0] != quote:
                return True
        elif not is_escaped_at(value, i):
            return not is_quoted_with(value, other)
    return False


def has_unescaped_special_chars(value: str) -> bool:
    """True when ``{ } ; #``, space or tab would end or break an nginx token."""
    for i, char in enumerate(value):
        if char not in _SPECIAL:
            continue
        if i == 0:
            return True
        if not is_escaped_at(value, i):
            return not is_quoted(value)
    return False


def quote_with(value: str, quote: str) -> str:
    """Wrap ``value`` in ``quote``; a trailing lone backslash is doubled so it does not escape the quote."""
    if value.endswith("\\") and not is_escaped_at(value, len(value) - 1):
        value += "\\"
    return f"{quote}{value}{quote}"


def _text_arg(fn: str, value: Any) -> str:
    if is_missing(value):
        return ""
    if isinstance(value, str):
        return value
    raise HelperError(f"'{fn}' needs a string; received {describe(value)}")


def nginxQuote(value: Any) -> str:  # noqa: N802 - docker-gen's name
    """Quote ``value`` for an nginx directive only when nginx needs it.

    Whitespace is trimmed; ``""`` stays ``""``.  Line breaks, or both kinds of
    unescaped quote, cannot be made safe and raise an error.
    """
    text = trim_space(_text_arg("nginxQuote", value))
    if not text:
        return ""
    if "\n" in text or "\r" in text:
        raise HelperError(f"value must not contain line breaks: {go_quote(text)}")
    single = has_unescaped_quoting_char(text, "'")
    double = has_unescaped_quoting_char(text, '"')
    if single and double:
        raise HelperError(f"value has both unescaped single and double quotes: {go_quote(text)}")
    if double:
        return quote_with(text, "'")
    if single or has_unescaped_special_chars(text):
        return quote_with(text, '"')
    return text


_HSTS = "Strict-Transport-Security"
_ONE_YEAR = 31536000
_GO_INT_MAX = 2**63 - 1


def nginxMustParseHSTS(value: Any) -> str:  # noqa: N802
    """Validate a Strict-Transport-Security value and return its canonical form.

    ``max-age=N`` (N > 0) is required; ``includeSubDomains`` and ``preload``
    are the only other directives; ``preload`` needs ``includeSubDomains`` and
    at least a year.  Output: ``max-age=N[; includeSubDomains[; preload]]``.
    """
    from .functions import _go_case  # (functions imports this module)

    text = trim_space(_text_arg("nginxMustParseHSTS", value))
    if not text.isascii():  # strings.ToLower maps rune by rune; an invalid byte becomes U+FFFD
        text = "".join("\ufffd" if "\udc80" <= ch <= "\udcff" else ch for ch in text)
    text = _go_case(text, upper=False)
    if not text:
        raise HelperError("HSTS value cannot be empty")
    max_age = 0
    subdomains = preload = False
    for raw in text.split(";"):
        directive = trim_space(raw)
        if directive.startswith("max-age="):
            digits = directive[len("max-age=") :]
            value = digits_value(digits) if digits and digits.isascii() and digits.isdigit() else None
            if value is None or value > _GO_INT_MAX:
                raise HelperError(f"invalid {_HSTS} max-age directive: {directive}")
            max_age = value
        elif directive == "includesubdomains":
            subdomains = True
        elif directive == "preload":
            preload = True
        else:
            raise HelperError(f"unknown {_HSTS} directive: {directive}")
    if max_age <= 0:
        raise HelperError(f"{_HSTS} max-age directive must be greater than 0")
    if preload and not subdomains:
        raise HelperError(f"{_HSTS} preload directive requires includeSubDomains to be set")
    if preload and max_age < _ONE_YEAR:
        raise HelperError(
            f"{_HSTS} preload directive requires max-age to be at least {_ONE_YEAR} seconds (1 year)"
        )
    result = f"max-age={max_age}"
    if subdomains:
        result += "; includeSubDomains"
    if preload:
        result += "; preload"
    return result
