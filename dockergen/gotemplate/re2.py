"""Go's ``regexp`` (RE2 syntax and match-iteration rules) on top of Python's ``re``.

Templates written for Go must match exactly what Go matches, and fail with
Go's messages for what RE2 rejects.  Python's ``re`` differs in many places:
``\\d \\w \\s \\b`` are Unicode there, ``$`` also matches before a final
newline, ``(?i)`` may not appear mid-pattern, there are back-references and
look-arounds, no POSIX or ``\\p`` classes, ``x{,3}`` is a repetition, and
``finditer``/``sub`` return empty matches next to other matches.

So the pattern is parsed here with RE2's grammar (errors are Go's
``error parsing regexp: CODE: `TEXT` ``), and re-emitted as a Python pattern
in which every construct carries its own flags (``(?i:..)``, ``(?s:.)``),
classes are explicit code-point ranges, and captures are numbered groups
(Go's names live in :attr:`GoRegexp.names`).  :class:`GoRegexp` then offers
Go's FindAll/ReplaceAll/Split loops.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = ["RegexpSyntaxError", "GoRegexp", "compile_go", "quote_meta", "must_compile_message"]

_MAX_RUNE = 0x10FFFF
_MAX_REPEAT = 1000


class RegexpSyntaxError(Exception):
    """A pattern RE2 rejects; ``str()`` is Go's ``*syntax.Error`` text."""

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

# --- character classes as sorted code-point ranges --------------------------------

Ranges = list[tuple[int, int]]


def _normalize(ranges: Ranges) -> Ranges:
    out: Ranges = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


def _negate(ranges: Ranges) -> Ranges:
    out: Ranges = []
    nxt = 0
    for lo, hi in _normalize(ranges):
        if lo > nxt:
            out.append((nxt, lo - 1))
        nxt = hi + 1
    if nxt <= _MAX_RUNE:
        out.append((nxt, _MAX_RUNE))
    return out


def _r(spec: str) -> Ranges:
    """``"0-9A-Z_"`` → ranges."""
    out: Ranges = []
    i = 0
    while i < len(spec):
        if i + 2 < len(spec) and spec[i + 1] == "-":
            out.append((ord(spec[i]), ord(spec[i + 2])))
            i += 3
        else:
            out.append((ord(spec[i]), ord(spec[i])))
            i += 1
    return out


_PERL = {"d": _r("0-9"), "s": _r("\t\n\f\r "), "w": _r("0-9A-Za-z_")}
_POSIX = {
    "alnum": _r("0-9A-Za-z"), "alpha": _r("A-Za-z"), "ascii": [(0, 0x7F)], "blank": _r("\t "),
    "cntrl": [(0, 0x1F), (0x7F, 0x7F)], "digit": _r("0-9"), "graph": _r("!-~"), "lower": _r("a-z"),
    "print": _r(" -~"), "punct": _r("!-/:-@[-`{-~"), "space": _r("\t\n\v\f\r "), "upper": _r("A-Z"),
    "word": _r("0-9A-Za-z_"), "xdigit": _r("0-9A-Fa-f"),
}


@lru_cache(maxsize=1)
def _category_ranges() -> dict[str, Ranges]:
    """Ranges per two-letter Unicode category (one scan, on first use of ``\\p``)."""
    table: dict[str, Ranges] = {}
    start = 0
    current = unicodedata.category("\0")
    for cp in range(1, _MAX_RUNE + 2):
        cat = unicodedata.category(chr(cp)) if cp <= _MAX_RUNE else ""
        if cat != current:
            table.setdefault(current, []).append((start, cp - 1))
            start, current = cp, cat
    return table


_SCRIPT_PREFIXES = {"Han": ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH")}


@lru_cache(maxsize=64)
def _unicode_table(name: str) -> tuple[tuple[int, int], ...] | None:
    """Go's ``\\p{name}``: Any, a category, or (best effort, by character names) a script."""
    if name == "Any":
        return ((0, _MAX_RUNE),)
    cats = _category_ranges()
    if len(name) == 2 and name in cats and name != "Cn":
        return tuple(cats[name])
    if len(name) == 1 and name in "LMNPSZC":
        ranges: Ranges = []
        for cat, rs in cats.items():
            if cat.startswith(name) and cat != "Cn":
                ranges.extend(rs)
        return tuple(_normalize(ranges))
    if name == "L&":
        return None
    if not name.isalpha() or not name[0].isupper():
        return None
    prefixes = _SCRIPT_PREFIXES.get(name, (name.replace("_", " ").upper() + " ",))
    found: Ranges = []
    for cp in range(0x80 if name != "Latin" else 0x41, _MAX_RUNE + 1):
        if 0xD800 <= cp <= 0xF8FF or 0xF0000 <= cp:
            continue
        char_name = unicodedata.name(chr(cp), "")
        if char_name.startswith(prefixes):
            found.append((cp, cp))
    return tuple(_normalize(found)) or None


# --- parse tree ---------------------------------------------------------------------


@dataclass
class _Node:
    kind: str  # char class dot assert group cat alt rep
    value: Any = None  # code point, ranges, assertion kind, capture index
    fold: bool = False  # (?i) for char/class; (?s) for dot
    items: list["_Node"] | None = None
    min: int = 0
    max: int = -1
    greedy: bool = True
    negated: bool = False  # a case-folded [^...]: value holds the ranges before negation

    def repeat_product(self) -> int:
        """The largest nested ``{n,m}`` product inside (Go limits it to 1000)."""
        best = 1
        for item in self.items or ():
            best = max(best, item.repeat_product())
        if self.kind == "rep" and self.value == "count":
            m = self.max if self.max >= 0 else self.min
            if m > 0:
                best *= m
        return best


class _Parser:
    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.i = 0
        self.fold = self.multiline = self.dotall = self.ungreedy = False
        self.ncap = 0
        self.names: list[str] = [""]

    def fail(self, code: str, text: str) -> None:
        raise RegexpSyntaxError(code, text)

    def parse(self) -> _Node:
        if any("\udc80" <= c <= "\udcff" for c in self.p):
            self.fail(_BAD_UTF8, self.p)
        node = self.alternation()
        if self.i < len(self.p):  # only a ")" stops the top level early
            self.fail(_UNEXPECTED_PAREN, self.p)
        return node

    def alternation(self) -> _Node:
        branches = [self.concat()]
        while self.i < len(self.p) and self.p[self.i] == "|":
            self.i += 1
            branches.append(self.concat())
        return branches[0] if len(branches) == 1 else _Node("alt", items=branches)

    def concat(self) -> _Node:
        items: list[_Node] = []
        last_repeat = -1  # start of the previous token when it was a repetition operator
        p = self.p
        while self.i < len(p) and p[self.i] not in "|)":
            start = self.i
            op = self.repeat_op()
            if op is not None:
                lo, hi, kind = op
                greedy = True
                if self.i < len(p) and p[self.i] == "?":
                    self.i += 1
                    greedy = False
                if last_repeat >= 0:
                    self.fail(_NESTED_REPEAT, p[last_repeat:self.i])
                if not items:
                    self.fail(_MISSING_REPEAT_ARG, p[start:self.i])
                if kind == "count" and (lo < 0 or lo > _MAX_REPEAT or hi > _MAX_REPEAT or (hi >= 0 and lo > hi)):
                    self.fail(_BAD_REPEAT_SIZE, p[start:self.i])
                node = _Node("rep", kind, items=[items[-1]], min=lo, max=hi, greedy=greedy != self.ungreedy)
                if (lo >= 2 or hi >= 2) and node.repeat_product() > _MAX_REPEAT:
                    self.fail(_BAD_REPEAT_SIZE, p[start:self.i])
                items[-1] = node
                last_repeat = start
                continue
            last_repeat = -1
            items.extend(self.atom())
        if len(items) == 1:
            return items[0]
        return _Node("cat", items=items)

    def repeat_op(self) -> tuple[int, int, str] | None:
        c = self.p[self.i]
        if c == "*":
            self.i += 1
            return 0, -1, "star"
        if c == "+":
            self.i += 1
            return 1, -1, "plus"
        if c == "?":
            self.i += 1
            return 0, 1, "quest"
        if c != "{":
            return None
        m = re.compile(r"\{([0-9]+)(,([0-9]*))?\}").match(self.p, self.i)
        if m is None:
            return None
        nums = [m.group(1)] + ([m.group(3)] if m.group(3) else [])
        if any(len(n) > 1 and n[0] == "0" for n in nums):  # Go refuses leading zeros: a literal "{"
            return None
        lo = int(m.group(1)) if len(m.group(1)) <= 8 else -1
        if m.group(2) is None:
            hi = lo
        elif m.group(3):
            hi = int(m.group(3)) if len(m.group(3)) <= 8 else _MAX_REPEAT + 1
        else:
            hi = -1
        self.i = m.end()
        return lo, hi, "count"

    # -- atoms --

    def char(self, cp: int) -> _Node:
        return _Node("char", cp, self.fold)

    def atom(self) -> list[_Node]:
        p = self.p
        c = p[self.i]
        if c == "(":
            return self.group()
        if c == "[":
            return [self.char_class()]
        self.i += 1
        if c == ".":
            return [_Node("dot", fold=self.dotall)]
        if c == "^":
            return [_Node("assert", "bol" if self.multiline else "bot")]
        if c == "$":
            return [_Node("assert", "eol" if self.multiline else "eot")]
        if c != "\\":
            return [self.char(ord(c))]
        self.i -= 1
        nxt = p[self.i + 1 : self.i + 2]
        simple = {"A": "bot", "z": "eot", "b": "wb", "B": "nwb"}
        if nxt in simple:
            self.i += 2
            return [_Node("assert", simple[nxt])]
        if nxt == "C":
            self.fail(_BAD_ESCAPE, "\\C")
        if nxt == "Q":
            end = p.find("\\E", self.i + 2)
            text = p[self.i + 2 :] if end < 0 else p[self.i + 2 : end]
            self.i = len(p) if end < 0 else end + 2
            return [self.char(ord(ch)) for ch in text]
        ranges = self.class_escape()
        if ranges is not None:
            return [_Node("class", _normalize(ranges), self.fold)]
        return [self.char(self.escape())]

    def group(self) -> list[_Node]:
        p = self.p
        start = self.i
        name: str | None = None
        if p.startswith("(?", start):
            rest = p[start:]
            if (len(rest) > 4 and rest[2] == "P" and rest[3] == "<") or (len(rest) > 3 and rest[2] == "<"):
                body = 4 if rest[2] == "P" else 3
                end = rest.find(">")
                if end < 0:
                    self.fail(_BAD_NAMED, rest)
                name = rest[body:end]
                if not name or not all(ch.isascii() and (ch.isalnum() or ch == "_") for ch in name) \
                        or name in self.names:
                    self.fail(_BAD_NAMED, rest[: end + 1])
                self.i = start + end + 1
            else:
                return self.flags_group()
        else:
            self.i += 1
        self.ncap += 1
        index = self.ncap
        self.names.append(name or "")
        return [self.group_body(_Node("group", index))]

    def group_body(self, node: _Node) -> _Node:
        saved = (self.fold, self.multiline, self.dotall, self.ungreedy)
        inner = self.alternation()
        if self.i >= len(self.p) or self.p[self.i] != ")":
            self.fail(_MISSING_PAREN, self.p)
        self.i += 1
        self.fold, self.multiline, self.dotall, self.ungreedy = saved
        node.items = [inner]
        return node

    def flags_group(self) -> list[_Node]:
        p = self.p
        start = self.i
        j = start + 2
        flags = {"i": self.fold, "m": self.multiline, "s": self.dotall, "U": self.ungreedy}
        negate = False
        saw_flag = False
        while j < len(p):
            c = p[j]
            j += 1
            if c in flags:
                flags[c] = not negate
                saw_flag = True
                continue
            if c == "-" and not negate:
                negate = True
                saw_flag = False
                continue
            if c in ":)" and not (negate and not saw_flag):
                self.i = j
                if c == ":":
                    saved = (self.fold, self.multiline, self.dotall, self.ungreedy)
                    self.fold, self.multiline, self.dotall, self.ungreedy = (
                        flags["i"], flags["m"], flags["s"], flags["U"])
                    node = self.group_body(_Node("group", None))
                    self.fold, self.multiline, self.dotall, self.ungreedy = saved
                    return [node]
                self.fold, self.multiline, self.dotall, self.ungreedy = (
                    flags["i"], flags["m"], flags["s"], flags["U"])
                return []
            break
        self.fail(_BAD_PERL, p[start:j])
        return []  # not reached

    def class_escape(self) -> Ranges | None:
        """``\\d \\s \\w`` (and negations) or ``\\pX``/``\\p{Name}`` at ``self.i``, else None."""
        p = self.p
        c = p[self.i + 1 : self.i + 2]
        if c.lower() in _PERL and c:
            self.i += 2
            ranges = _PERL[c.lower()]
            return _negate(ranges) if c.isupper() else list(ranges)
        if c not in ("p", "P"):
            return None
        start = self.i
        negate = c == "P"
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
        if name.startswith("^"):
            negate = not negate
            name = name[1:]
        table = _unicode_table(name) if name else None
        if table is None:
            self.fail(_BAD_RANGE, seq)
        ranges = list(table)
        return _negate(ranges) if negate else ranges

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
            self.fail(_BAD_ESCAPE, p[start : self.i])
        if "0" <= c <= "7":
            value = int(c)
            for _ in range(2):
                if self.i < len(p) and "0" <= p[self.i] <= "7":
                    value = value * 8 + int(p[self.i])
                    self.i += 1
            return value
        if c == "x":
            return self.hex_escape(start)
        controls = {"a": 7, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11}
        if c in controls:
            return controls[c]
        self.fail(_BAD_ESCAPE, p[start : self.i])
        return 0  # not reached

    def hex_escape(self, start: int) -> int:
        p = self.p
        hexdigits = "0123456789abcdefABCDEF"
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
                if c not in hexdigits:
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
        if c not in hexdigits or not second or second not in hexdigits:
            self.fail(_BAD_ESCAPE, p[start : self.i])
        return int(c + second, 16)

    def char_class(self) -> _Node:
        p = self.p
        start = self.i
        self.i += 1
        negate = False
        if self.i < len(p) and p[self.i] == "^":
            negate = True
            self.i += 1
        ranges: Ranges = []
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
                    neg = name.startswith("^")
                    table = _POSIX.get(name[1:] if neg else name)
                    if table is None:
                        self.fail(_BAD_RANGE, text)
                    ranges.extend(_negate(table) if neg else table)
                    self.i = end + 2
                    continue
            if p[self.i] == "\\":
                found = self.class_escape()
                if found is not None:
                    ranges.extend(found)
                    continue
            range_start = self.i
            lo = self.class_char(start)
            hi = lo
            if self.i + 1 < len(p) and p[self.i] == "-" and p[self.i + 1] != "]":
                self.i += 1
                hi = self.class_char(start)
                if hi < lo:
                    self.fail(_BAD_RANGE, p[range_start : self.i])
            ranges.append((lo, hi))
        ranges = _normalize(ranges)
        if negate and self.fold:
            # Go folds case before negating: (?i)[^k] excludes K and U+212A too.
            return _Node("class", ranges, True, negated=True)
        if negate:
            ranges = _negate(ranges)
        return _Node("class", ranges, self.fold)

    def class_char(self, class_start: int) -> int:
        p = self.p
        if self.i >= len(p):
            self.fail(_MISSING_BRACKET, p[class_start:])
        if p[self.i] == "\\":
            return self.escape()
        self.i += 1
        return ord(p[self.i - 1])


# --- emitting a Python pattern --------------------------------------------------------


def _class_char(cp: int) -> str:
    ch = chr(cp)
    if ch.isascii() and ch.isalnum():
        return ch
    return f"\\U{cp:08x}"


def _emit_class(ranges: Ranges) -> str:
    # Go reads an invalid UTF-8 byte as U+FFFD, which Python holds as a lone surrogate.
    has_fffd = any(lo <= 0xFFFD <= hi for lo, hi in ranges)
    cleaned: Ranges = []
    for lo, hi in ranges:
        if hi < 0xD800 or lo > 0xDFFF:
            cleaned.append((lo, hi))
            continue
        if lo < 0xD800:
            cleaned.append((lo, 0xD7FF))
        if hi > 0xDFFF:
            cleaned.append((0xE000, hi))
    if has_fffd:
        cleaned.append((0xDC80, 0xDCFF))
    if not cleaned:
        return "(?!)"
    parts = []
    for lo, hi in _normalize(cleaned):
        parts.append(_class_char(lo) if lo == hi else f"{_class_char(lo)}-{_class_char(hi)}")
    return "[" + "".join(parts) + "]"


_ASSERTIONS = {
    "bol": "(?m:^)", "eol": "(?m:$)", "bot": "\\A", "eot": "\\Z", "wb": "(?a:\\b)", "nwb": "(?a:\\B)",
}


def _emit(node: _Node) -> str:
    kind = node.kind
    if kind == "char":
        text = re.escape(chr(node.value))
        return f"(?i:{text})" if node.fold else text
    if kind == "class":
        text = _emit_class(node.value)
        if node.negated:
            return f"(?:(?!(?i:{text}))(?s:.))"
        return f"(?i:{text})" if node.fold else text
    if kind == "dot":
        return "(?s:.)" if node.fold else "."
    if kind == "assert":
        return _ASSERTIONS[node.value]
    if kind == "group":
        inner = _emit(node.items[0]) if node.items else ""
        return f"({inner})" if node.value is not None else f"(?:{inner})"
    if kind == "cat":
        out = []
        run: list[str] = []
        run_fold = False
        for item in node.items:
            if item.kind == "char" and (not run or item.fold == run_fold):
                run.append(re.escape(chr(item.value)))
                run_fold = item.fold
                continue
            if run:
                out.append(f"(?i:{''.join(run)})" if run_fold else "".join(run))
                run = []
            if item.kind == "char":
                run = [re.escape(chr(item.value))]
                run_fold = item.fold
            else:
                out.append(_emit(item))
        if run:
            out.append(f"(?i:{''.join(run)})" if run_fold else "".join(run))
        return "".join(out)
    if kind == "alt":
        return "(?:" + "|".join(_emit(item) for item in node.items) + ")"
    # repetition
    sub = node.items[0]
    inner = _emit(sub)
    if not ((sub.kind in ("char", "class") and not sub.fold) or (sub.kind == "group" and sub.value is not None)):
        inner = f"(?:{inner})"
    if node.max < 0:
        op = {0: "*", 1: "+"}.get(node.min, f"{{{node.min},}}")
    elif node.min == node.max:
        op = f"{{{node.min}}}"
    elif (node.min, node.max) == (0, 1):
        op = "?"
    else:
        op = f"{{{node.min},{node.max}}}"
    return inner + op + ("" if node.greedy else "?")


# --- the compiled regexp ------------------------------------------------------------------


class GoRegexp:
    """A compiled Go regexp: Python's matcher driven by Go's iteration rules."""

    def __init__(self, pattern: str) -> None:
        parser = _Parser(pattern)
        tree = parser.parse()
        self.expr = pattern
        self.names = parser.names  # index -> Go name ("" for unnamed and group 0)
        self.python = _emit(tree)
        self.regex = re.compile(self.python)

    def match_string(self, text: str) -> bool:
        return self.regex.search(text) is not None

    def find_string(self, text: str) -> str:
        m = self.regex.search(text)
        return m.group(0) if m else ""

    def _all_matches(self, text: str, limit: int) -> list[re.Match[str]]:
        """Go's allMatches: restart at the match end (one rune further after an empty
        match) and drop an empty match that touches the previous match."""
        if limit < 0:
            limit = len(text) + 1
        found: list[re.Match[str]] = []
        pos = 0
        prev_end = -1
        while len(found) < limit and pos <= len(text):
            m = self.regex.search(text, pos)
            if m is None:
                break
            accept = True
            if m.end() == pos:
                if m.start() == prev_end:
                    accept = False
                pos += 1
            else:
                pos = m.end()
            prev_end = m.end()
            if accept:
                found.append(m)
        return found

    def find_all_string(self, text: str, limit: int) -> list[str]:
        return [m.group(0) for m in self._all_matches(text, limit)]

    def _replace(self, text: str, expand: Any) -> str:
        out: list[str] = []
        last_end = 0
        pos = 0
        while pos <= len(text):
            m = self.regex.search(text, pos)
            if m is None:
                break
            out.append(text[last_end : m.start()])
            if m.end() > last_end or m.start() == 0:  # not an empty match right after a match
                out.append(expand(m))
            last_end = m.end()
            pos = max(pos + 1, m.end())
        out.append(text[last_end:])
        return "".join(out)

    def replace_all_literal(self, text: str, repl: str) -> str:
        return self._replace(text, lambda m: repl)

    def replace_all(self, text: str, template: str) -> str:
        return self._replace(text, lambda m: self.expand(template, m))

    def expand(self, template: str, m: re.Match[str]) -> str:
        """Go's ``Regexp.Expand``: ``$1``, ``${1}``, ``$name``, ``${name}``, ``$$``."""
        out: list[str] = []
        i = 0
        n = len(template)
        while i < n:
            j = template.find("$", i)
            if j < 0:
                out.append(template[i:])
                break
            out.append(template[i:j])
            i = j + 1
            if i < n and template[i] == "$":
                out.append("$")
                i += 1
                continue
            name, after = _template_name(template, i)
            if name is None:
                out.append("$")  # malformed: the "$" stays as text
                continue
            i = after
            out.append(self._group_text(name, m))
        return "".join(out)

    def _group_text(self, name: str, m: re.Match[str]) -> str:
        if name.isdigit() and name.isascii():
            index = int(name) if len(name) < 9 else -1
        else:
            index = self.names.index(name) if name in self.names[1:] else -1
            if index == 0:
                index = -1
        if index < 0 or index > len(self.names) - 1:
            return ""
        return m.group(index) or ""

    def split(self, text: str, limit: int) -> list[str] | None:
        """Go's ``Regexp.Split``; ``None`` is Go's nil slice (limit 0)."""
        if limit == 0:
            return None
        if self.expr and not text:
            return [""]
        pieces: list[str] = []
        begin = end = 0
        for m in self._all_matches(text, limit):
            if limit > 0 and len(pieces) == limit - 1:
                break
            end = m.start()
            if m.end() != 0:
                pieces.append(text[begin:end])
            begin = m.end()
        if end != len(text):
            pieces.append(text[begin:])
        return pieces


_NAME_CHARS = re.compile(r"[A-Za-z0-9_]+")


def _template_name(template: str, i: int) -> tuple[str | None, int]:
    """The group name after a ``$`` at ``i`` (braced or not) and where it ends."""
    if i < len(template) and template[i] == "{":
        m = _NAME_CHARS.match(template, i + 1)
        if m is None or m.end() >= len(template) or template[m.end()] != "}":
            return None, i
        return m.group(0), m.end() + 1
    m = _NAME_CHARS.match(template, i)
    if m is None:
        return None, i
    return m.group(0), m.end()


@lru_cache(maxsize=256)
def compile_go(pattern: str) -> GoRegexp:
    """``regexp.Compile``; raises :class:`RegexpSyntaxError` (cached: templates repeat patterns)."""
    return GoRegexp(pattern)


def must_compile_message(pattern: str, error: RegexpSyntaxError) -> str:
    """``regexp.MustCompile``'s panic text: ``regexp: Compile(`(`): error parsing regexp: ...``."""
    from .fmt import can_backquote, go_quote

    quoted = f"`{pattern}`" if can_backquote(pattern) else go_quote(pattern)
    return f"regexp: Compile({quoted}): {error}"


_META = frozenset("\\.+*?()|[]{}^$")


def quote_meta(text: str) -> str:
    """Go's ``regexp.QuoteMeta``."""
    return "".join("\\" + ch if ch in _META else ch for ch in text)
