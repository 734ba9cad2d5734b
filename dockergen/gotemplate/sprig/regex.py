"""Sprig's regular-expression functions (spec §9.2), on Go's regexp (``dockergen.golang.regexp``).

The non-``must`` variants use ``regexp.MustCompile``, so a bad pattern
panics with ``regexp: Compile(`(`): error parsing regexp: ...``; the
``must`` variants return the bare syntax error; ``regexMatch`` alone
swallows it and answers false.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...golang import regexp
from ...golang.regexp import Regexp, RegexpSyntaxError
from ..errors import GoError
from ..fmt import can_backquote, go_quote
from ..funcs import Function, define
from ..values import BOOL, INT, STRING, STRINGS, new_slice, nil_slice

__all__ = ["FUNCTIONS"]

FUNCTIONS: dict[str, Function] = {}


def must_compile_message(pattern: str, error: RegexpSyntaxError) -> str:
    """``regexp.MustCompile``'s panic text: ``regexp: Compile(`(`): error parsing regexp: ...``."""
    quoted = f"`{pattern}`" if can_backquote(pattern) else go_quote(pattern)
    return f"regexp: Compile({quoted}): {error}"


def _compile_panicking(pattern: str) -> Regexp:
    try:
        return regexp.compile(pattern)
    except RegexpSyntaxError as exc:
        raise GoError(must_compile_message(pattern, exc)) from None


def _compile_error(pattern: str) -> Regexp:
    try:
        return regexp.compile(pattern)
    except RegexpSyntaxError as exc:
        raise GoError(str(exc)) from None


def _strings(items: list[str] | None) -> list[str]:
    """Go returns a nil ``[]string`` when nothing was found."""
    return new_slice(STRING, items) if items else nil_slice(STRING)


def _pair(name: str, params: tuple, result: Any, body: Callable[..., Any]) -> None:
    """Register ``name`` (panicking compile) and ``mustName`` (error-returning compile)."""
    must = "must" + name[0].upper() + name[1:]
    define(FUNCTIONS, name, params, result)(lambda pattern, *args: body(_compile_panicking(pattern), *args))
    define(FUNCTIONS, must, params, result)(lambda pattern, *args: body(_compile_error(pattern), *args))


@define(FUNCTIONS, "regexMatch", (STRING, STRING), BOOL)
def regex_match(pattern: str, text: str) -> bool:
    """Sprig ignores the compile error here: an invalid pattern simply does not match."""
    try:
        return regexp.compile(pattern).match_string(text)
    except RegexpSyntaxError:
        return False


@define(FUNCTIONS, "mustRegexMatch", (STRING, STRING), BOOL)
def must_regex_match(pattern: str, text: str) -> bool:
    return _compile_error(pattern).match_string(text)


_pair("regexFind", (STRING, STRING), STRING, lambda rx, text: rx.find_string(text))
_pair(
    "regexFindAll", (STRING, STRING, INT), STRINGS,
    lambda rx, text, n: _strings(rx.find_all_string(text, n)),
)
_pair(
    "regexReplaceAll", (STRING, STRING, STRING), STRING, lambda rx, text, repl: rx.replace_all_string(text, repl)
)
_pair(
    "regexReplaceAllLiteral", (STRING, STRING, STRING), STRING,
    lambda rx, text, repl: rx.replace_all_literal_string(text, repl),
)


def _split(rx: Regexp, text: str, n: int) -> list[str]:
    pieces = rx.split(text, n)
    return nil_slice(STRING) if pieces is None else new_slice(STRING, pieces)


_pair("regexSplit", (STRING, STRING, INT), STRINGS, _split)


@define(FUNCTIONS, "regexQuoteMeta", (STRING,), STRING)
def regex_quote_meta(text: str) -> str:
    return regexp.quote_meta(text)
