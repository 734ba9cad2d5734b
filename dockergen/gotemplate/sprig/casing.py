"""Sprig's ``snakecase``, ``kebabcase`` and ``camelcase``: huandu/xstrings' word rules.

xstrings cuts text into words by the class of their first rune (a
connector: ``-``, ``_`` or white space; punctuation; an upper-case letter;
another letter; a number; anything else, such as symbols) and joins them with
a connector where two words meet, except next to punctuation or connectors,
so ``v1.2.3+build.5`` becomes ``v1.2.3_+_build.5`` (``+`` is a symbol, ``.``
punctuation).  The classes are Go's ``unicode`` ones, which this module
reproduces rune by rune; an invalid UTF-8 byte (a lone surrogate here) or
U+FFFD belongs to the word around it, as xstrings skips such runes.
"""

from __future__ import annotations

from collections.abc import Callable

from ...golang.unicode import SPACE as _SPACE
from ...golang.unicode import category
from ...helpers.functions import _go_case

__all__ = ["snake_case", "kebab_case", "camel_case", "is_connector"]

# Word kinds, as xstrings names them.
INVALID, NUMBER, UPPER, ALPHABET, CONNECTOR, PUNCT, OTHER = range(7)


def is_connector(char: str) -> bool:
    return char == "-" or char == "_" or char in _SPACE


def _invalid(char: str) -> bool:
    return "\udc80" <= char <= "\udcff" or char == "\ufffd"  # utf8.RuneError either way


_category = category  # Go's Unicode 15.0


def _is_upper(char: str) -> bool:
    return _category(char) == "Lu"


# The ideographs xstrings makes words of their own: "a中b" is a_中_b, where "aあb", "a々b"
# and the ideographs of the later extensions and the compatibility blocks ("a豈b") stay
# one word.  Measured against Go's Sprig, rune by rune.
_HAN_IDEOGRAPHS = ((0x3400, 0x4D85), (0x4E00, 0x9FCC), (0x20000, 0x2A6DF), (0x2A700, 0x2B739), (0x2B740, 0x2B81D))


def _is_letter(char: str) -> bool:
    """xstrings' "alphabet": a letter that is not one of those ideographs."""
    if _category(char)[0] != "L":
        return False
    code = ord(char)
    return code < 0x3400 or not any(low <= code <= high for low, high in _HAN_IDEOGRAPHS)


def _is_number(char: str) -> bool:
    return _category(char)[0] == "N"


def _is_punct(char: str) -> bool:
    return _category(char)[0] == "P"


def _next_valid(text: str, i: int, previous: str | None) -> tuple[str | None, int]:
    """The first valid rune at or after ``i`` and the index after it; ``previous`` if none."""
    n = len(text)
    while i < n:
        char = text[i]
        i += 1
        if not _invalid(char):
            return char, i
    return previous, n


def _run(text: str, pos: int, char: str, keeps: Callable[[str], bool]) -> int:
    """Extend a word from ``pos`` while the next valid rune ``keeps`` the word going."""
    n = len(text)
    while pos < n:
        char, end = _next_valid(text, pos, char)
        if not keeps(char):
            break
        pos = end
    return pos


def _next_word(text: str, start: int) -> tuple[int, int]:
    """(kind, end) of the word that begins at ``start``."""
    n = len(text)
    if start >= n:
        return INVALID, start
    char, pos = _next_valid(text, start, None)
    if char is None:
        return INVALID, pos
    if is_connector(char):
        return CONNECTOR, _run(text, pos, char, is_connector)
    if _is_punct(char):
        return PUNCT, _run(text, pos, char, _is_punct)
    if _is_upper(char):
        if pos >= n:
            return UPPER, pos
        following, end = _next_valid(text, pos, char)
        if following is not None and _is_upper(following):
            # A run of capitals; before a lower-case letter its last one starts the next
            # word ("HTTPStatus" is "HTTP" and "Status").
            last_start, pos, char = pos, end, following
            while pos < n:
                char, end = _next_valid(text, pos, char)
                if not _is_upper(char):
                    break
                last_start, pos = pos, end
            if pos < n and _is_letter(char):
                pos = last_start
        elif following is not None and _is_letter(following):
            pos = _run(text, end, following, lambda c: _is_letter(c) and not _is_upper(c))
        return UPPER, pos
    if _is_letter(char):
        return ALPHABET, _run(text, pos, char, lambda c: _is_letter(c) and not _is_upper(c))
    if _is_number(char):
        return NUMBER, _run(text, pos, char, _is_number)
    return OTHER, _run(
        text, pos, char, lambda c: not (is_connector(c) or _is_letter(c) or _is_number(c) or _is_punct(c)))


class _Words:
    """A cursor over the words of a text: ``kind``, ``word``, and ``advance()``."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.kind = INVALID
        self.word = ""
        self.advance()

    def advance(self) -> None:
        kind, end = _next_word(self.text, self.pos)
        self.kind, self.word, self.pos = kind, self.text[self.pos:end], end

    @property
    def more(self) -> bool:
        return self.pos < len(self.text)


def _lower_into(out: list[str], kind: int, word: str, connector: str) -> None:
    """A word as snake/kebab case writes it: capitals lowered, connectors replaced."""
    if kind != UPPER and kind != CONNECTOR:
        out.append(word)
        return
    for char in word:
        if is_connector(char):
            out.append(connector)
        elif _invalid(char):
            out.append("\ufffd")  # decoding an invalid byte gives RuneError, written back as U+FFFD
        elif _is_upper(char):
            out.append(_go_case(char, upper=False))
        else:
            out.append(char)


def _delimited(text: str, connector: str) -> str:
    """Lower-case words joined by ``connector`` (xstrings' camelCaseToLowerCase)."""
    if not text:
        return ""
    out: list[str] = []
    words = _Words(text)
    joins = (UPPER, ALPHABET, NUMBER, OTHER)  # a connector goes before these after a word

    while words.more:
        if words.kind != CONNECTOR:
            _lower_into(out, words.kind, words.word, connector)
        previous, previous_word = words.kind, words.word
        words.advance()
        if previous == NUMBER:
            while words.kind in (ALPHABET, NUMBER):
                _lower_into(out, words.kind, words.word, connector)
                words.advance()
            if words.kind in joins:
                out.append(connector)
        elif previous == CONNECTOR:
            _lower_into(out, previous, previous_word, connector)
        elif previous == PUNCT:
            pass
        elif words.kind != NUMBER:
            if words.kind in joins:
                out.append(connector)
        elif words.more:
            number = words.word
            words.advance()
            if words.kind != ALPHABET:  # a number sticks to the word before it: "Bld4Floor" → bld4_floor
                _lower_into(out, NUMBER, number, connector)
                if words.kind != CONNECTOR and words.kind != PUNCT:
                    out.append(connector)
            else:  # unless letters follow it: "HTTP2xx" → http_2xx
                out.append(connector)
                _lower_into(out, NUMBER, number, connector)
                while words.kind in (ALPHABET, NUMBER):
                    _lower_into(out, words.kind, words.word, connector)
                    words.advance()
                if words.kind in joins:
                    out.append(connector)
    _lower_into(out, words.kind, words.word, connector)
    return "".join(out)


def snake_case(text: str) -> str:
    return _delimited(text, "_")


def kebab_case(text: str) -> str:
    return _delimited(text, "-")


def camel_case(text: str) -> str:
    """xstrings' ToCamelCase: connectors between words vanish (of a run, all but the last
    stay), the rune after one is upper-cased, leading connectors and a trailing one stay;
    in a word that starts with a capital, the capitals right after it are lowered
    (``GOLANG_IS`` → ``GolangIs``, ``A_bC`` → ``ABC``)."""
    if not text:
        return ""
    runes = ["\ufffd" if _invalid(char) else char for char in text]
    out: list[str] = []
    n = len(runes)
    i = 0
    current = ""
    capital_word = False
    while i < n:  # leading connectors are kept
        char = runes[i]
        i += 1
        if not is_connector(char):
            capital_word = _is_upper(char)
            current = _go_case(char, upper=True)
            break
        out.append(char)
        current = char
    if i >= n:
        out.append(current)  # xstrings writes the last rune once more: "_" gives "__"
        return "".join(out)
    for char in runes[i:]:
        previous, current = current, char
        if is_connector(current) and is_connector(previous):
            out.append(previous)
            continue
        if is_connector(previous):
            capital_word = _is_upper(current)
            current = _go_case(current, upper=True)
            continue
        if capital_word:
            if _is_upper(current):
                current = _go_case(current, upper=False)
            else:
                capital_word = False
        out.append(previous)
    out.append(current)
    return "".join(out)
