"""Go's ``regexp`` package for both template engines, matching in time linear in the input.

Templates match container values (host names, labels) that anyone able to
start a container controls, so a backtracking matcher is out: Python's ``re``
takes minutes on ``^([a-z0-9]+-?)*[a-z0-9]+$`` against 48 letters and a ``_``.
Patterns are checked with Go's grammar and error messages and rewritten for
RE2 (:mod:`.regexp_syntax`); RE2 (the ``google-re2`` wheel) does the matching,
with Go's leftmost-first semantics, and this module adds Go's loops on top:
FindAll and ReplaceAll skip an empty match right after a match, ReplaceAll
expands ``$1``/``${name}`` as ``Regexp.Expand`` does, Split follows Go's rules.

Matching runs on UTF-8 bytes, as Go does: an empty match advances one
character, whatever its width, and an empty-width match RE2 finds between
the bytes of one character (``\\B``) is skipped.  Python strings that hold lone surrogates (the
engine's spelling of invalid UTF-8 bytes) are matched as Go sees such bytes,
one U+FFFD each, and the text returned keeps the original characters.

Known differences from Go 1.25 (README, "Regular expressions"): RE2's Unicode
15.1 tables (Go: 15.0); patterns whose RE2 program needs more than 8 MiB fail
with Go's "expression too large" (Go accepts some, such as ``\\pL{1000}``); and
RE2 matches more than Go where a lazy ``+?`` applies straight to a greedy ``*``
whose body prefers the empty match (``(?:(?:|a)*)+?``).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import re2

from .regexp_syntax import TOO_LARGE, RegexpSyntaxError, re2_options, translate
from .unicode import category

__all__ = ["Regexp", "RegexpSyntaxError", "compile", "quote_meta"]

_SURROGATES_TO_FFFD = {cp: 0xFFFD for cp in range(0xD800, 0xE000)}


class _Subject:
    """A text as RE2 scans it (UTF-8 bytes) and the way back from byte offsets to the text."""

    __slots__ = ("text", "data", "_ascii", "_bounds")

    def __init__(self, text: str) -> None:
        self.text = text
        self._ascii = text.isascii()
        self._bounds: list[int] | None = None
        if self._ascii:
            self.data = text.encode("ascii")
            return
        try:
            self.data = text.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates: Go reads each invalid byte as U+FFFD
            cleaned = text.translate(_SURROGATES_TO_FFFD)
            self.data = cleaned.encode("utf-8")
            widths = (1 if c < "\x80" else 2 if c < "\u0800" else 3 if c < "\U00010000" else 4 for c in cleaned)
            self._bounds = [0, *itertools.accumulate(widths)]

    def slice(self, start: int, end: int) -> str:
        if self._ascii:
            return self.text[start:end]
        if self._bounds is None:
            return self.data[start:end].decode("utf-8")
        return self.text[bisect.bisect_left(self._bounds, start) : bisect.bisect_left(self._bounds, end)]

    def search(self, rx: Any, pos: int) -> Any:
        """RE2's leftmost match at or after ``pos``, starting between characters as in Go.

        RE2 steps through bytes, so an empty-width ``\\B`` also holds inside a multi-byte
        character, where Go never looks; such a match is skipped.
        """
        data = self.data
        while True:
            m = rx.search(data, pos)
            if m is None:
                return None
            pos = m.start()
            if pos == len(data) or data[pos] & 0xC0 != 0x80:
                return m
            while pos < len(data) and data[pos] & 0xC0 == 0x80:
                pos += 1

    def rune_width(self, pos: int) -> int:
        """Bytes in the character at ``pos`` (0 at the end), as Go's utf8.DecodeRune counts them."""
        if pos >= len(self.data):
            return 0
        lead = self.data[pos]
        return 1 if lead < 0x80 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4


class Regexp:
    """A compiled Go regexp.  Methods take and return ``str``; offsets never leave this class."""

    __slots__ = ("expr", "names", "_plain", "_groups")

    def __init__(self, expr: str) -> None:
        translation = translate(expr)
        self.expr = expr
        self.names = translation.names  # by group index; "" for group 0 and unnamed groups
        # Without captures RE2 can answer from its DFA alone: the capturing program serves
        # only what reads groups (ReplaceAll's $1, the Submatch methods).
        plain = re2_options()
        plain.never_capture = True
        pattern = translation.pattern.encode("utf-8")
        self._plain = _re2_compile(expr, pattern, plain)
        self._groups = _re2_compile(expr, pattern, re2_options()) if len(self.names) > 1 else self._plain

    def __repr__(self) -> str:
        return f"Regexp({self.expr!r})"

    @property
    def num_subexp(self) -> int:
        return len(self.names) - 1

    # -- the Go API --

    def match_string(self, text: str) -> bool:
        return _Subject(text).search(self._plain, 0) is not None

    def find_string(self, text: str) -> str:
        subject = _Subject(text)
        m = subject.search(self._plain, 0)
        return subject.slice(*m.span()) if m else ""

    def find_all_string(self, text: str, n: int) -> list[str]:
        """Go's FindAllString; an empty list where Go returns nil."""
        subject = _Subject(text)
        return [subject.slice(*m.span()) for m in self._all_matches(subject, n, self._plain)]

    def find_string_submatch(self, text: str) -> list[str] | None:
        """Go's FindStringSubmatch: the match, then each group ("" when it took no part); None: no match."""
        subject = _Subject(text)
        m = subject.search(self._groups, 0)
        return None if m is None else self._submatches(subject, m)

    def find_all_string_submatch(self, text: str, n: int) -> list[list[str]]:
        """Go's FindAllStringSubmatch; an empty list where Go returns nil."""
        subject = _Subject(text)
        return [self._submatches(subject, m) for m in self._all_matches(subject, n, self._groups)]

    def replace_all_literal_string(self, text: str, repl: str) -> str:
        return self._replace(_Subject(text), self._plain, lambda subject, m: repl)

    def replace_all_string(self, text: str, template: str) -> str:
        """Go's ReplaceAllString: ``$1``, ``${1}``, ``$name``, ``${name}`` and ``$$`` in ``template``."""
        if "$" not in template:
            return self.replace_all_literal_string(text, template)
        return self._replace(_Subject(text), self._groups, lambda subject, m: self._expand(template, subject, m))

    def split(self, text: str, n: int) -> list[str] | None:
        """Go's ``Regexp.Split``; None is Go's nil slice (``n == 0``)."""
        if n == 0:
            return None
        if self.expr and not text:
            return [""]
        subject = _Subject(text)
        pieces: list[str] = []
        begin = end = 0
        for start, stop in (m.span() for m in self._all_matches(subject, n, self._plain)):
            if n > 0 and len(pieces) == n - 1:
                break
            end = start
            if stop != 0:
                pieces.append(subject.slice(begin, end))
            begin = stop
        if end != len(subject.data):
            pieces.append(subject.slice(begin, len(subject.data)))
        return pieces

    # -- Go's loops --

    def _all_matches(self, subject: _Subject, n: int, rx: Any) -> list[Any]:
        """Go's allMatches: after an empty match move one character on, and drop an
        empty match that starts where the previous match ended."""
        data = subject.data
        if n < 0:
            n = len(data) + 1
        found: list[Any] = []
        pos = 0
        prev_end = -1
        while len(found) < n and pos <= len(data):
            m = subject.search(rx, pos)
            if m is None:
                break
            start, end = m.span()
            accept = True
            if end == pos:
                if start == prev_end:
                    accept = False
                pos += subject.rune_width(pos) or 1
            else:
                pos = end
            prev_end = end
            if accept:
                found.append(m)
        return found

    def _replace(self, subject: _Subject, rx: Any, replacement: Callable[[_Subject, Any], str]) -> str:
        """Go's replaceAll: no replacement for an empty match right after a match."""
        data = subject.data
        out: list[str] = []
        last_end = 0
        pos = 0
        while pos <= len(data):
            m = subject.search(rx, pos)
            if m is None:
                break
            start, end = m.span()
            out.append(subject.slice(last_end, start))
            if end > last_end or start == 0:
                out.append(replacement(subject, m))
            last_end = end
            width = subject.rune_width(pos)
            pos = pos + width if pos + width > end else pos + 1 if pos + 1 > end else end
        out.append(subject.slice(last_end, len(data)))
        return "".join(out)

    def _submatches(self, subject: _Subject, m: Any) -> list[str]:
        return [subject.slice(*m.span(i)) if m.start(i) >= 0 else "" for i in range(len(self.names))]

    def _expand(self, template: str, subject: _Subject, m: Any) -> str:
        """Go's ``Regexp.Expand`` for one match."""
        out: list[str] = []
        rest = template
        while True:
            before, dollar, rest = rest.partition("$")
            out.append(before)
            if not dollar:
                return "".join(out)
            if rest.startswith("$"):
                out.append("$")
                rest = rest[1:]
                continue
            name, after = _template_name(rest)
            if name is None:
                out.append("$")  # malformed: the "$" is text
                continue
            rest = after
            index = self._group_index(name, m)
            if index >= 0:
                out.append(subject.slice(*m.span(index)))

    def _group_index(self, name: str, m: Any) -> int:
        """The group ``$name`` stands for in this match, or -1 (Go then inserts nothing)."""
        number = _group_number(name)
        if number >= 0:
            return number if number < len(self.names) and m.start(number) >= 0 else -1
        for index, group_name in enumerate(self.names):
            if group_name == name and m.start(index) >= 0:  # the first that took part
                return index
        return -1


def _re2_compile(expr: str, pattern: bytes, options: re2.Options) -> Any:
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        if "too large" in str(exc):
            raise RegexpSyntaxError(TOO_LARGE, expr) from None
        raise RegexpSyntaxError(str(exc), expr) from None


def _is_name_char(c: str) -> bool:
    kind = category(c)  # Go: unicode.IsLetter, IsDigit, '_'
    return kind[0] == "L" or kind == "Nd" or c == "_"


def _template_name(text: str) -> tuple[str | None, str]:
    """The group name at the start of ``text`` (after a ``$``), braced or not, and what follows."""
    brace = text.startswith("{")
    body = text[1:] if brace else text
    end = 0
    while end < len(body) and _is_name_char(body[end]):
        end += 1
    if end == 0:
        return None, text
    if brace:
        if end >= len(body) or body[end] != "}":
            return None, text
        return body[:end], body[end + 1 :]
    return body[:end], body[end:]


def _group_number(name: str) -> int:
    """``name`` as a group number, or -1: Go reads at most 9 ASCII digits and no leading zero."""
    if not name.isascii() or not name.isdigit() or len(name) > 9 or (name[0] == "0" and len(name) > 1):
        return -1
    return int(name)


@lru_cache(maxsize=256)
def compile(pattern: str) -> Regexp:  # noqa: A001 - Go's name
    """``regexp.Compile`` (cached: templates repeat their patterns); raises :class:`RegexpSyntaxError`."""
    return Regexp(pattern)


_META = frozenset("\\.+*?()|[]{}^$")


def quote_meta(text: str) -> str:
    """Go's ``regexp.QuoteMeta``."""
    return "".join("\\" + ch if ch in _META else ch for ch in text)
