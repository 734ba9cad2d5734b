"""Template text to tokens: text runs, and the words inside ``{{ }}`` actions.

The whole input is scanned up front into a list.  A lexical error becomes an
``ERROR`` token at the point where it happened and ends the list, so the
parser reports it only when it gets there (an earlier parse error wins, as in
Go, whose lexer runs in step with the parser).

Positions are byte offsets into the UTF-8 source; lines are 1-based.
"""

from __future__ import annotations

import re

from dockergen.golang.unicode import category, is_print
from dockergen.records import record

__all__ = ["Token", "lex", "KEYWORDS"]

# Token types.
TEXT = "text"
LEFT = "{{"
RIGHT = "}}"
SPACE = "space"
IDENT = "identifier"
FIELD = "field"
VARIABLE = "variable"
DOT = "."
STRING = "string"
RAW_STRING = "raw string"
CHAR_CONST = "char constant"
NUMBER = "number"
COMPLEX = "complex"
BOOL = "bool"
NIL = "nil"
PIPE = "|"
LPAREN = "("
RPAREN = ")"
DECLARE = ":="
ASSIGN = "="
COMMA = ","
CHAR = "char"  # any other printable ASCII character: the parser rejects it
ERROR = "error"
EOF = "EOF"
KEYWORD = "keyword"

KEYWORDS = frozenset(("block", "break", "continue", "define", "else", "end", "if", "range", "template", "with"))

_SPACE = " \t\r\n"
_TERMINATORS = frozenset(_SPACE) | frozenset(".,|:()")
_ASCII_WORD = re.compile(r"[A-Za-z0-9_]*")  # the ASCII letters and digits of a word, at once
_SPACES = re.compile(r"[ \t\r\n]*")


@record(slots=True)
class Token:
    """One lexeme: its kind, its text and where it starts."""

    type: str
    value: str
    pos: int  # byte offset of the token's first byte
    line: int

    def describe(self) -> str:
        """How Go names the token in parse errors: ``<define>``, ``"@"``, ``{{end}}``..."""
        if self.type == EOF:
            return "EOF"
        if self.type == ERROR:
            return self.value
        if self.type in (KEYWORD, DOT, NIL):  # Go's item kinds from itemKeyword on
            return f"<{self.value}>"
        from .fmt import go_quote

        if len(self.value.encode("utf-8", "surrogateescape")) > 10:  # %.10q: 10 runes of a longer text
            return go_quote(self.value[:10]) + "..."
        return go_quote(self.value)


def _is_alnum(ch: str) -> bool:
    """Go's lexer: ``_``, a letter or a decimal digit (``²`` and ``Ⅻ`` are numbers, not digits)."""
    if ch < "\x80":
        return ch == "_" or ch.isalnum()
    kind = category(ch)
    return kind[0] == "L" or kind == "Nd"


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[Token] = []
        self.pos = 0  # character index
        self.line = 1
        self.paren_depth = 0
        # Byte offsets: templates are mostly ASCII, so compute them lazily.
        self._ascii = text.isascii()

    # -- helpers --------------------------------------------------------------

    def byte_pos(self, index: int) -> int:
        if self._ascii:
            return index
        return len(self.text[:index].encode("utf-8", "surrogateescape"))

    def emit(self, type_: str, start: int, end: int, line: int) -> None:
        self.tokens.append(Token(type_, self.text[start:end], start if self._ascii else self.byte_pos(start), line))

    def error(self, message: str, start: int, line: int) -> None:
        self.tokens.append(Token(ERROR, message, self.byte_pos(start), line))

    def at_right_delim(self, i: int) -> tuple[bool, bool]:
        """(at a closing delimiter, with a trim marker) at index ``i``."""
        text = self.text
        if text.startswith("}}", i):
            return True, False
        if i < len(text) and text[i] in _SPACE and text.startswith("-}}", i + 1):
            return True, True
        return False, False

    # -- top level ----------------------------------------------------------

    def run(self) -> list[Token]:
        text = self.text
        n = len(text)
        while True:
            start = self.pos
            found = text.find("{{", start)
            if found < 0:
                if start < n:
                    self.emit(TEXT, start, n, self.line)
                    self.line += text.count("\n", start, n)
                self.pos = n
                self.tokens.append(Token(EOF, "", self.byte_pos(n), self.line))
                return self.tokens
            trim_left = text.startswith("{{-", found) and found + 3 < n and text[found + 3] in _SPACE
            end = found
            if trim_left:
                while end > start and text[end - 1] in _SPACE:
                    end -= 1
            if end > start:
                self.emit(TEXT, start, end, self.line)
            self.line += text.count("\n", start, found)
            self.pos = found
            if not self.action(trim_left):
                return self.tokens

    def action(self, trim_left: bool) -> bool:
        """Scan one action starting at ``{{``; False after an error."""
        text = self.text
        start = self.pos
        after = start + (4 if trim_left else 2)
        if text.startswith("/*", after):
            return self.comment(start, after)
        self.emit(LEFT, start, start + 2, self.line)
        if trim_left and text[start + 3] == "\n":  # the marker's white space may be a line break
            self.line += 1
        self.pos = after
        self.paren_depth = 0
        return self.inside_action()

    def comment(self, start: int, after: int) -> bool:
        text = self.text
        close = text.find("*/", after + 2)
        if close < 0:
            self.error("unclosed comment", start, self.line)
            return False
        i = close + 2
        delim, trim = self.at_right_delim(i)
        if not delim:
            self.error("comment ends before closing delimiter", start, self.line)
            return False
        self.line += text.count("\n", start, i)
        i += 4 if trim else 2
        if trim:
            i = self.skip_space(i)
        self.pos = i
        return True

    def skip_space(self, i: int) -> int:
        text = self.text
        n = len(text)
        while i < n and text[i] in _SPACE:
            if text[i] == "\n":
                self.line += 1
            i += 1
        return i

    # -- inside an action ------------------------------------------------------

    def inside_action(self) -> bool:
        text = self.text
        n = len(text)
        while True:
            i = self.pos
            ch = text[i] if i < n else ""
            delim, trim = self.at_right_delim(i) if ch == "}" or ch in _SPACE else (False, False)
            if delim:
                if self.paren_depth:
                    self.error("unclosed left paren", i, self.line)
                    return False
                if trim:  # the marker is not part of the token: Go names it "}}"
                    self.emit(RIGHT, i + 2, i + 4, self.line)
                    self.pos = self.skip_space(i + 4)
                else:
                    self.emit(RIGHT, i, i + 2, self.line)
                    self.pos = i + 2
                return True
            if i >= n:
                self.error("unclosed action", i, self.line)
                return False
            line = self.line
            if ch in _SPACE:
                j = _SPACES.match(text, i).end()  # type: ignore[union-attr]
                if text.startswith("-}}", j):
                    j -= 1  # the last space belongs to the trim marker " -}}"
                    if j == i:
                        continue  # nothing but the marker: the delimiter comes next
                self.line += text.count("\n", i, j)
                self.emit(SPACE, i, j, line)
                self.pos = j
                continue
            if ch == "=":
                self.emit(ASSIGN, i, i + 1, line)
                self.pos = i + 1
            elif ch == ":":
                if not text.startswith(":=", i):
                    self.error("expected :=", i, line)
                    return False
                self.emit(DECLARE, i, i + 2, line)
                self.pos = i + 2
            elif ch == "|":
                self.emit(PIPE, i, i + 1, line)
                self.pos = i + 1
            elif ch == '"':
                if not self.quote(i):
                    return False
            elif ch == "`":
                close = text.find("`", i + 1)
                if close < 0:
                    self.error("unterminated raw quoted string", i, line)
                    return False
                self.line += text.count("\n", i, close)
                self.emit(RAW_STRING, i, close + 1, line)
                self.pos = close + 1
            elif ch == "$":
                if not self.word(i, i + 1, VARIABLE):
                    return False
            elif ch == "'":
                if not self.char_constant(i):
                    return False
            elif ch == ".":
                nxt = text[i + 1] if i + 1 < n else ""
                if not ("0" <= nxt <= "9"):
                    if not self.word(i, i + 1, FIELD):
                        return False
                elif not self.number(i):
                    return False
            elif ch in "+-" or "0" <= ch <= "9":
                if not self.number(i):
                    return False
            elif _is_alnum(ch):
                if not self.word(i, i, IDENT):
                    return False
            elif ch == "(":
                self.paren_depth += 1
                self.emit(LPAREN, i, i + 1, line)
                self.pos = i + 1
            elif ch == ")":
                self.paren_depth -= 1
                if self.paren_depth < 0:
                    self.error("unexpected right paren", i, line)
                    return False
                self.emit(RPAREN, i, i + 1, line)
                self.pos = i + 1
            elif ch == ",":
                self.emit(COMMA, i, i + 1, line)
                self.pos = i + 1
            elif ord(ch) < 128 and ch.isprintable():
                self.emit(CHAR, i, i + 1, line)
                self.pos = i + 1
            else:
                self.error(f"unrecognized character in action: {_go_rune(ch)}", i, line)
                return False

    def at_terminator(self, i: int) -> bool:
        text = self.text
        if i >= len(text):
            return True
        ch = text[i]
        if ch in _TERMINATORS:
            return True
        return text.startswith("}}", i)

    def word(self, start: int, i: int, kind: str) -> bool:
        """An identifier, ``.field`` or ``$variable`` (``i``: where its letters begin)."""
        text = self.text
        n = len(text)
        j = _ASCII_WORD.match(text, i).end()  # type: ignore[union-attr]
        while j < n and text[j] > "\x7f" and _is_alnum(text[j]):  # letters and digits beyond ASCII
            j = _ASCII_WORD.match(text, j + 1).end()  # type: ignore[union-attr]
        if j == i and kind != IDENT and self.at_terminator(i):  # a lone "." or "$"
            self.emit(DOT if kind == FIELD else VARIABLE, start, i, self.line)
            self.pos = i
            return True
        if j < n and text[j] not in _TERMINATORS and not text.startswith("}}", j):
            self.error(f"bad character {_go_rune(text[j])}", j, self.line)
            return False
        word = text[start:j]
        if kind == IDENT:
            if word in KEYWORDS:
                kind = KEYWORD
            elif word in ("true", "false"):
                kind = BOOL
            elif word == "nil":
                kind = NIL
        self.emit(kind, start, j, self.line)
        self.pos = j
        return True

    def quote(self, start: int) -> bool:
        return self.quoted(start, '"', STRING, "unterminated quoted string")

    def char_constant(self, start: int) -> bool:
        return self.quoted(start, "'", CHAR_CONST, "unterminated character constant")

    def quoted(self, start: int, close: str, kind: str, unterminated: str) -> bool:
        """A ``"..."`` string or ``'.'`` character constant: escapes skipped, no raw newline."""
        text = self.text
        n = len(text)
        i = start + 1
        while i < n:
            ch = text[i]
            if ch == "\\":
                if i + 1 < n and text[i + 1] != "\n":
                    i += 2
                    continue
                break
            if ch == "\n":
                break
            if ch == close:
                self.emit(kind, start, i + 1, self.line)
                self.pos = i + 1
                return True
            i += 1
        self.error(unterminated, start, self.line)
        return False

    def number(self, start: int) -> bool:
        end = self._scan_number(start)
        if end < len(self.text) and _is_alnum(self.text[end]):
            self.error(f'bad number syntax: "{self.text[start:end + 1]}"', start, self.line)
            return False
        kind = NUMBER
        text = self.text
        if end < len(text) and text[end] in "+-":
            # A complex constant: real part, then an imaginary part ending in i.
            end2 = self._scan_number(end)
            if end2 < len(text) and _is_alnum(text[end2]):
                end2 += 1
            elif text[end2 - 1] == "i":
                kind = COMPLEX
                end = end2
            if kind != COMPLEX:
                self.error(f'bad number syntax: "{text[start:end2]}"', start, self.line)
                return False
        self.emit(kind, start, end, self.line)
        self.pos = end
        return True

    def _scan_number(self, i: int) -> int:
        """End of the number at ``i``, by Go's accept rules (it may hold no digit at all)."""
        text = self.text
        n = len(text)
        if i < n and text[i] in "+-":
            i += 1
        digits = "0123456789_"
        if text.startswith(("0x", "0X"), i):
            i += 2
            digits = "0123456789abcdefABCDEF_"
        elif text.startswith(("0o", "0O"), i):
            i += 2
            digits = "01234567_"
        elif text.startswith(("0b", "0B"), i):
            i += 2
            digits = "01_"
        while i < n and text[i] in digits:
            i += 1
        if i < n and text[i] == ".":
            i += 1
            while i < n and text[i] in digits:
                i += 1
        if len(digits) == 11 and i < n and text[i] in "eE":
            i += 1
            if i < n and text[i] in "+-":
                i += 1
            while i < n and text[i] in "0123456789_":
                i += 1
        if len(digits) == 23 and i < n and text[i] in "pP":
            i += 1
            if i < n and text[i] in "+-":
                i += 1
            while i < n and text[i] in "0123456789_":
                i += 1
        if i < n and text[i] == "i":
            i += 1
        return i


def _go_rune(ch: str) -> str:
    """Go's ``%#U``: ``U+002B '+'``."""
    code = ord(ch)
    text = f"U+{code:04X}"
    if is_print(ch):
        text += f" '{ch}'"
    return text


def lex(text: str) -> list[Token]:
    """Scan a whole template; the list ends with an ``EOF`` or an ``ERROR`` token."""
    return _Lexer(text).run()
