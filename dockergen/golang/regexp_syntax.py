"""Go's regular-expression grammar, checked here and written out again for RE2.

Go's ``regexp`` and RE2 (the C++ library behind the ``re2`` module, which
matches in time linear in the input) share one syntax and one matching model,
but not every detail.  Go has its own error messages and limits (repeat counts
up to 1000, also multiplied through nested repeats; parse trees at most 1000
deep), rejects ``\\C`` that RE2 accepts, allows duplicate group names, and since
Go 1.25 reads ``\\p{...}`` names loosely (``\\p{letter}``, ``\\p{Greek }``) and
knows ``Any``, ``ASCII``, ``Assigned``, ``LC`` and ``Cn`` (its ``\\p{C}`` also
holds unassigned code points), while RE2 knows neither those names nor the
script names with an underscore or an inner capital, which Go 1.25 rejects.

So a pattern is parsed here with Go's grammar, in one pass without recursion
(Go accepts a thousand nested groups, deeper than Python's stack), and written
out in the part of RE2's syntax that means the same in both: every flag is
applied where it acts (``(?i:k)``, ``(?s:.)``, ``(?m:^)``, ``*?`` for ``(?U)``),
so the output sets no flag for what follows; literals are ``\\x{...}``; groups
are plain ``(...)`` (Go's names stay here); classes are written by
:mod:`.regexp_classes`.
"""

from __future__ import annotations

from typing import NamedTuple

import re2

from .regexp_classes import Part, Range, class_text, is_posix_name, unicode_class

__all__ = ["RegexpSyntaxError", "Translation", "translate", "re2_options", "MAX_REPEAT", "MAX_HEIGHT"]

MAX_REPEAT = 1000  # Go's largest repeat count, also the cap on nested counts multiplied together
MAX_HEIGHT = 1000  # Go's deepest parse tree
MAX_PROGRAM_BYTES = 8 << 20  # RE2's memory budget per compiled pattern (its default, made explicit)
_MAX_RUNE = 0x10FFFF


class RegexpSyntaxError(Exception):
    """A pattern Go rejects; ``str()`` is Go's ``*syntax.Error`` text."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(f"error parsing regexp: {code}: `{text}`")
        self.code = code
        self.text = text


_MISSING_PAREN = "missing closing )"
_UNEXPECTED_PAREN = "unexpected )"
_MISSING_BRACKET = "missing closing ]"
_BAD_ESCAPE = "invalid escape sequence"
_BAD_RANGE = "invalid character class range"
_BAD_NAMED = "invalid named capture"
_BAD_PERL = "invalid or unsupported Perl syntax"
_NESTED_REPEAT = "invalid nested repetition operator"
_BAD_REPEAT_SIZE = "invalid repeat count"
_MISSING_REPEAT_ARG = "missing argument to repetition operator"
_TRAILING_BACKSLASH = "trailing backslash at end of expression"
_BAD_UTF8 = "invalid UTF-8"
_TOO_DEEP = "expression nests too deeply"
TOO_LARGE = "expression too large"


def re2_options() -> re2.Options:
    """RE2's options for a translated pattern: UTF-8, leftmost-first (Go's default), quiet."""
    options = re2.Options()
    options.max_mem = MAX_PROGRAM_BYTES
    options.log_errors = False
    return options


# --- the translator -------------------------------------------------------------------


class _Flags(NamedTuple):
    fold: bool = False  # i
    multiline: bool = False  # m
    dotall: bool = False  # s
    ungreedy: bool = False  # U


class _Item(NamedTuple):
    """One piece of a concatenation, already in RE2 syntax."""

    text: str
    height: int = 1  # of Go's parse tree for this piece
    product: int = 1  # largest product of repeat counts on a path down from here (Go's nested-repeat rule)
    char: int = -1  # the code point, for a literal character (runs of them are one node in Go)
    fold: bool = False  # a literal character under (?i)
    single: bool = False  # one character wide (literal, class, dot): Go merges alternations of these
    atomic: bool = True  # a repetition operator may follow the text as it is
    captures: int = 0  # capturing groups inside


class _Frame:
    """An open group: its alternatives so far and the flags to restore when it closes."""

    __slots__ = ("capture", "saved", "branches", "items")

    def __init__(self, capture: bool, saved: _Flags) -> None:
        self.capture = capture
        self.saved = saved
        self.branches: list[list[_Item]] = []
        self.items: list[_Item] = []


class Translation(NamedTuple):
    pattern: str  # for RE2
    names: tuple[str, ...]  # Go's group names by index ("" for group 0 and unnamed groups)


def _literal(cp: int) -> str:
    return chr(cp) if cp < 0x80 and chr(cp).isalnum() else f"\\x{{{cp:x}}}"


def _digits(text: str, i: int) -> tuple[str, int]:
    j = i
    while j < len(text) and "0" <= text[j] <= "9":
        j += 1
    return text[i:j], j


def _char_item(cp: int, fold: bool) -> _Item:
    return _Item(f"(?i:{_literal(cp)})" if fold else _literal(cp), char=cp, fold=fold, single=True)


_CONTROLS = {"a": 7, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11}
_HEXDIGITS = "0123456789abcdefABCDEF"


class _Translator:
    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.i = 0
        self.flags = _Flags()
        self.names: list[str] = [""]

    def fail(self, code: str, text: str) -> None:
        raise RegexpSyntaxError(code, text)

    def check_height(self, height: int) -> None:
        if height > MAX_HEIGHT:
            self.fail(_TOO_DEEP, self.p)

    def run(self) -> Translation:
        p = self.p
        for at, c in enumerate(p):  # the engine holds a Go string's invalid bytes as these
            if "\udc80" <= c <= "\udcff":
                self.fail(_BAD_UTF8, p[at:])
        stack = [_Frame(False, self.flags)]
        last_repeat = -1  # start of the previous token when it was a repetition operator
        while self.i < len(p):
            frame = stack[-1]
            c = p[self.i]
            if c == "|":
                self.i += 1
                frame.branches.append(frame.items)
                frame.items = []
                last_repeat = -1
                continue
            if c == ")":
                if len(stack) == 1:
                    self.fail(_UNEXPECTED_PAREN, p)
                self.i += 1
                stack.pop()
                self.flags = frame.saved
                stack[-1].items.append(self.close(frame))
                last_repeat = -1
                continue
            start = self.i
            op = self.repeat_op()
            if op is not None:
                # Go's order: the count's size, then "?", nesting, a missing operand.
                lo, hi, kind = op
                if kind == "count" and (lo < 0 or lo > MAX_REPEAT or hi > MAX_REPEAT or (hi >= 0 and lo > hi)):
                    self.fail(_BAD_REPEAT_SIZE, p[start : self.i])
                greedy = not p.startswith("?", self.i)
                self.i += not greedy
                if last_repeat >= 0:
                    self.fail(_NESTED_REPEAT, p[last_repeat : self.i])
                if not frame.items:
                    self.fail(_MISSING_REPEAT_ARG, p[start : self.i])
                frame.items[-1] = self.repeat(frame.items[-1], op, greedy, p[start : self.i])
                last_repeat = start
                continue
            last_repeat = -1
            if c == "(":
                opened = self.open_group()
                if opened is not None:
                    stack.append(opened)
                continue
            frame.items.extend(self.atom())
        if len(stack) > 1:
            self.fail(_MISSING_PAREN, p)
        body = self.content(stack[0])
        self.check_height(body.height)
        return Translation(body.text, tuple(self.names))

    # -- structure --

    def content(self, frame: _Frame) -> _Item:
        """A group's alternatives as one item."""
        parts = [self.concat(items) for items in (*frame.branches, frame.items)]
        if len(parts) == 1:
            return parts[0]
        single = all(part.single for part in parts)  # Go makes one character class of these
        return _Item(
            "|".join(part.text for part in parts),
            height=1 if single else 1 + max(part.height for part in parts),
            product=max(part.product for part in parts),
            single=single,
            atomic=False,
            captures=sum(part.captures for part in parts),
        )

    def concat(self, items: list[_Item]) -> _Item:
        if len(items) == 1:
            return items[0]
        out: list[str] = []
        run: list[str] = []
        run_fold = False
        for item in items:
            if item.char >= 0 and run and item.fold == run_fold:
                run.append(_literal(item.char))
                continue
            if run:
                out.append(f"(?i:{''.join(run)})" if run_fold else "".join(run))
                run = []
            if item.char >= 0:
                run = [_literal(item.char)]
                run_fold = item.fold
            else:
                out.append(item.text)
        if run:
            out.append(f"(?i:{''.join(run)})" if run_fold else "".join(run))
        literal = all(item.char >= 0 and item.fold == items[0].fold for item in items)  # also when empty
        return _Item(
            "".join(out),
            height=1 if literal else 1 + max(item.height for item in items),
            product=max((item.product for item in items), default=1),
            atomic=False,
            captures=sum(item.captures for item in items),
        )

    def close(self, frame: _Frame) -> _Item:
        body = self.content(frame)
        if frame.capture:
            height = body.height + 1
            self.check_height(height)
            return _Item(f"({body.text})", height, body.product, captures=body.captures + 1)
        self.check_height(body.height)
        return body if body.atomic else body._replace(text=f"(?:{body.text})", atomic=True)  # (?:x) is x

    def repeat(self, sub: _Item, op: tuple[int, int, str], greedy: bool, text: str) -> _Item:
        lo, hi, kind = op
        product = sub.product
        inner = sub.text if sub.atomic else f"(?:{sub.text})"
        if kind == "count":
            count = hi if hi >= 0 else lo
            product = 1 if hi == 0 else max(count, 1) * sub.product  # Go does not look inside x{0}
            if (lo >= 2 or hi >= 2) and product > MAX_REPEAT:
                self.fail(_BAD_REPEAT_SIZE, text)
            if hi == 0:  # nor may RE2, which would count the repeats inside: keep only the groups
                inner = "(?:" + "()" * sub.captures + ")"
            suffix = f"{{{lo}}}" if lo == hi else f"{{{lo},}}" if hi < 0 else f"{{{lo},{hi}}}"
        else:
            suffix = kind
        height = sub.height + 1
        self.check_height(height)
        greedy = greedy != self.flags.ungreedy
        return _Item(inner + suffix + ("" if greedy else "?"), height, product, atomic=False, captures=sub.captures)

    def repeat_op(self) -> tuple[int, int, str] | None:
        """A repetition operator at ``self.i`` as (min, max or -1, kind), else None.

        A ``{`` that does not start a well-formed count (``{,3}``, ``{01}``) is a literal.
        """
        p = self.p
        c = p[self.i]
        if c in "*+?":
            self.i += 1
            return (0, -1, c) if c == "*" else (1, -1, c) if c == "+" else (0, 1, c)
        if c != "{":
            return None
        low, j = _digits(p, self.i + 1)
        high = low
        if j < len(p) and p[j] == ",":
            high, j = _digits(p, j + 1)
            high = high or "-"
        if not low or j >= len(p) or p[j] != "}":
            return None
        if any(len(n) > 1 and n[0] == "0" for n in (low, high)):  # Go refuses leading zeros
            return None
        self.i = j + 1
        lo = int(low) if len(low) <= 8 else -1
        hi = -1 if high == "-" else int(high) if len(high) <= 8 else MAX_REPEAT + 1
        return lo, hi, "count"

    def open_group(self) -> _Frame | None:
        """A group at ``(``: a new frame, or None for a flag setting such as ``(?i)``."""
        p = self.p
        start = self.i
        if not p.startswith("(?", start):
            self.i += 1
            self.names.append("")
            return _Frame(True, self.flags)
        rest = p[start:]
        if (len(rest) > 4 and rest[2] == "P" and rest[3] == "<") or (len(rest) > 3 and rest[2] == "<"):
            body = 4 if rest[2] == "P" else 3
            end = rest.find(">")
            if end < 0:
                self.fail(_BAD_NAMED, rest)
            name = rest[body:end]
            if not name or not all(ch.isascii() and (ch.isalnum() or ch == "_") for ch in name):
                self.fail(_BAD_NAMED, rest[: end + 1])
            self.i = start + end + 1
            self.names.append(name)  # Go allows the same name twice; $name finds the first that matched
            return _Frame(True, self.flags)
        return self.flag_group()

    def flag_group(self) -> _Frame | None:
        p = self.p
        start = self.i
        j = start + 2
        flags = self.flags._asdict()
        letters = {"i": "fold", "m": "multiline", "s": "dotall", "U": "ungreedy"}
        negate = False
        saw_flag = False
        while j < len(p):
            c = p[j]
            j += 1
            if c in letters:
                flags[letters[c]] = not negate
                saw_flag = True
                continue
            if c == "-" and not negate:
                negate = True
                saw_flag = False
                continue
            if c in ":)" and not (negate and not saw_flag):
                self.i = j
                saved = self.flags
                self.flags = _Flags(**flags)
                return _Frame(False, saved) if c == ":" else None
            break
        self.fail(_BAD_PERL, p[start:j])
        return None  # not reached

    # -- atoms --

    def atom(self) -> list[_Item]:
        p = self.p
        c = p[self.i]
        flags = self.flags
        if c == "[":
            return [self.char_class()]
        self.i += 1
        if c == ".":
            return [_Item("(?s:.)" if flags.dotall else ".", single=True)]
        if c == "^":
            return [_Item("(?m:^)" if flags.multiline else "\\A")]
        if c == "$":
            return [_Item("(?m:$)" if flags.multiline else "\\z")]
        if c != "\\":
            return [_char_item(ord(c), flags.fold)]
        self.i -= 1
        nxt = p[self.i + 1 : self.i + 2]
        if nxt in ("A", "z", "b", "B"):
            self.i += 2
            return [_Item("\\" + nxt)]
        if nxt == "C":  # RE2's "any byte"; Go refuses it
            self.fail(_BAD_ESCAPE, "\\C")
        if nxt == "Q":
            end = p.find("\\E", self.i + 2)
            text = p[self.i + 2 :] if end < 0 else p[self.i + 2 : end]
            self.i = len(p) if end < 0 else end + 2
            return [_char_item(ord(ch), flags.fold) for ch in text]
        part = self.class_escape()
        if part is not None:
            return [_Item(class_text([part], False, flags.fold), single=True)]
        return [_char_item(self.escape(), flags.fold)]

    def class_escape(self) -> Part | None:
        """``\\d \\s \\w`` (and negations) or ``\\pX``/``\\p{Name}`` at ``self.i``, else None."""
        p = self.p
        c = p[self.i + 1 : self.i + 2]
        if c and c in "dswDSW":
            self.i += 2
            return "\\" + c
        if c not in ("p", "P"):
            return None
        start = self.i
        negated = c == "P"
        if p[start + 2 : start + 3] == "{":
            end = p.find("}", start)
            if end < 0:
                self.fail(_BAD_RANGE, p[start:])
            seq = p[start : end + 1]
            name = p[start + 3 : end]
            self.i = end + 1
        else:
            seq = p[start : start + 3]
            name = seq[2:]
            self.i = start + len(seq)
        part = unicode_class(name, negated)
        if part is None:
            self.fail(_BAD_RANGE, seq)
        return part

    def escape(self) -> int:
        """One escaped character at ``self.i`` (a backslash); Go's escape rules."""
        p = self.p
        start = self.i
        if start + 1 >= len(p):
            self.fail(_TRAILING_BACKSLASH, "")
        c = p[start + 1]
        self.i = start + 2
        if c.isascii() and not c.isalnum():
            return ord(c)
        if "1" <= c <= "7" and not (self.i < len(p) and "0" <= p[self.i] <= "7"):
            self.fail(_BAD_ESCAPE, p[start : self.i])  # a back-reference
        if "0" <= c <= "7":
            value = int(c)
            for _ in range(2):
                if self.i < len(p) and "0" <= p[self.i] <= "7":
                    value = value * 8 + int(p[self.i])
                    self.i += 1
            return value
        if c == "x":
            return self.hex_escape(start)
        if c in _CONTROLS:
            return _CONTROLS[c]
        self.fail(_BAD_ESCAPE, p[start : self.i])
        return 0  # not reached

    def hex_escape(self, start: int) -> int:
        p = self.p
        if self.i >= len(p):
            self.fail(_BAD_ESCAPE, p[start : self.i])
        c = p[self.i]
        self.i += 1
        if c == "{":
            value, count = 0, 0
            while True:
                if self.i >= len(p):
                    self.fail(_BAD_ESCAPE, p[start : self.i])
                c = p[self.i]
                self.i += 1
                if c == "}":
                    break
                if c not in _HEXDIGITS:
                    self.fail(_BAD_ESCAPE, p[start : self.i])
                value = value * 16 + int(c, 16)
                if value > _MAX_RUNE:
                    self.fail(_BAD_ESCAPE, p[start : self.i])
                count += 1
            if count == 0:
                self.fail(_BAD_ESCAPE, p[start : self.i])
            return value
        second = p[self.i : self.i + 1]
        if second:
            self.i += 1
        if c not in _HEXDIGITS or not second or second not in _HEXDIGITS:
            self.fail(_BAD_ESCAPE, p[start : self.i])
        return int(c + second, 16)

    def char_class(self) -> _Item:
        p = self.p
        start = self.i
        self.i += 1
        negated = False
        if self.i < len(p) and p[self.i] == "^":
            negated = True
            self.i += 1
        parts: list[Part] = []
        first = True
        while True:
            if self.i >= len(p):
                self.fail(_MISSING_BRACKET, p[start:])
            if p[self.i] == "]" and not first:
                self.i += 1
                break
            first = False
            if p.startswith("[:", self.i):
                end = p.find(":]", self.i + 2)
                if end >= 0:
                    text = p[self.i : end + 2]
                    name = text[2:-2]
                    if not is_posix_name(name):
                        self.fail(_BAD_RANGE, text)
                    parts.append(text)
                    self.i = end + 2
                    continue
            if p[self.i] == "\\":
                found = self.class_escape()
                if found is not None:
                    parts.append(found)
                    continue
            range_start = self.i
            lo = self.class_char(start)
            hi = lo
            if self.i + 1 < len(p) and p[self.i] == "-" and p[self.i + 1] != "]":
                self.i += 1
                hi = self.class_char(start)
                if hi < lo:
                    self.fail(_BAD_RANGE, p[range_start : self.i])
            parts.append(Range(lo, hi))
        return _Item(class_text(parts, negated, self.flags.fold), single=True)

    def class_char(self, class_start: int) -> int:
        p = self.p
        if self.i >= len(p):
            self.fail(_MISSING_BRACKET, p[class_start:])
        if p[self.i] == "\\":
            return self.escape()
        self.i += 1
        return ord(p[self.i - 1])


def translate(pattern: str) -> Translation:
    """Check ``pattern`` with Go's grammar and limits; raises :class:`RegexpSyntaxError`."""
    return _Translator(pattern).run()
