"""Tokens to trees: one tree for the text, one per ``define``/``block``.

The grammar and error texts are Go's (spec §3).  Function and variable names
are checked here, as Go does at parse time, so a typo fails before anything
is executed.
"""

from __future__ import annotations

from collections.abc import Container

from . import lexer as L
from .errors import ParseError
from .lexer import Token
from .nodes import (
    ActionNode, BoolNode, BreakNode, ChainNode, CommandNode, ContinueNode, DotNode, ElseNode,
    EndNode, FieldNode, IdentifierNode, IfNode, ListNode, NilNode, Node, NumberNode, PipeNode,
    RangeNode, StringNode, TemplateNode, TextNode, Tree, VariableNode, WithNode, is_empty_tree,
)
from .unquote import UnquoteError, unquote, unquote_char

__all__ = ["Tree", "parse"]  # Tree is the nodes module's (a run from the disk cache never loads the parser)


class _Parser:
    def __init__(self, parse_name: str, source: str, tokens: list[Token], funcs: Container[str],
                 trees: dict[str, Tree]) -> None:
        self.parse_name = parse_name
        self.source = source
        self.tokens = tokens
        self.i = 0
        self.last = len(tokens) - 1  # reading past the end keeps giving EOF (or the error)
        self.seen = 0  # the furthest token looked at: Go reports errors at its line
        self.funcs = funcs
        self.trees = trees
        self.vars: list[str] = ["$"]  # Go's names in scope (an assignment adds one too)
        self.slots: list[str] = ["$"]  # the run-time variable stack, as far as the text tells
        self.range_depth = 0
        self.action_line = 0

    # -- token stream ----------------------------------------------------------

    def next(self) -> Token:
        i = self.i
        if i > self.last:
            i = self.last
        if i > self.seen:
            self.seen = i
        self.i += 1
        return self.tokens[i]

    def backup(self, count: int = 1) -> None:
        self.i -= count

    def peek(self) -> Token:
        i = self.i
        if i > self.last:
            i = self.last
        if i > self.seen:
            self.seen = i
        return self.tokens[i]

    def next_non_space(self) -> Token:
        """The next token that is not white space (the parser's most frequent call: inlined)."""
        tokens, last = self.tokens, self.last
        i = self.i
        while True:
            at = i if i <= last else last
            token = tokens[at]
            i += 1
            if token.type != L.SPACE:
                break
        if at > self.seen:
            self.seen = at
        self.i = i
        return token

    def peek_non_space(self) -> Token:
        token = self.next_non_space()
        self.i -= 1
        return token

    # -- errors ------------------------------------------------------------------

    def error(self, message: str, line: int | None = None) -> None:
        """A parse error at the line of the last token read (or at ``line``)."""
        if line is None:
            line = self.tokens[self.seen].line
        raise ParseError(f"template: {self.parse_name}:{line}: {message}", self.parse_name, line)

    def unexpected(self, token: Token, context: str) -> None:
        if token.type == L.ERROR:
            extra = ""
            if self.action_line and self.action_line != token.line:
                extra = f" in action started at {self.parse_name}:{self.action_line}"
                if token.value.endswith(" action"):
                    extra = extra[len(" in action"):]
            self.error(token.value + extra)
        self.error(f"unexpected {token.describe()} in {context}")

    def expect(self, type_: str, context: str) -> Token:
        token = self.next_non_space()
        if token.type != type_:
            self.unexpected(token, context)
        return token

    # -- structure ---------------------------------------------------------------

    def parse_file(self, name: str) -> None:
        """The whole text: defines go to ``trees``, the rest is the tree called ``name``."""
        root = ListNode(self.peek().pos)
        while self.peek().type != L.EOF:
            if self.peek().type == L.LEFT:
                start = self.i
                self.next()
                token = self.next_non_space()
                if token.type == L.KEYWORD and token.value == "define":
                    self.definition()
                    continue
                self.i = start
            node = self.text_or_action()
            if isinstance(node, (EndNode, ElseNode)):
                self.error(f"unexpected {node}")
            root.nodes.append(node)
        self.add(Tree(name, self.parse_name, root, self.source))

    def add(self, tree: Tree) -> None:
        old = self.trees.get(tree.name)
        if old is None or is_empty_tree(old.root):
            self.trees[tree.name] = tree
            return
        if not is_empty_tree(tree.root):
            self.error(f'template: multiple definition of template "{tree.name}"')

    def sub_tree(self, name: str, context: str, error_line: int | None = None) -> None:
        """Parse a define/block body as a template of its own (fresh variables).

        Go reads the body with a parser of its own: a lexical error in it names no action
        started outside it, and a wrong end is reported at the line where the enclosing
        parser stopped (``error_line``, a block's ``}}``)."""
        saved = self.vars, self.slots, self.range_depth, self.action_line
        self.vars, self.slots, self.range_depth, self.action_line = ["$"], ["$"], 0, 0  # its own actions only
        body, end = self.item_list()
        if not isinstance(end, EndNode):
            self.error(f"unexpected {end} in {context}", error_line)
        self.add(Tree(name, self.parse_name, body, self.source))
        self.vars, self.slots, self.range_depth, self.action_line = saved

    def definition(self) -> None:
        context = "define clause"
        token = self.next_non_space()
        if token.type not in (L.STRING, L.RAW_STRING):
            self.unexpected(token, context)
        name = self.unquote(token.value)
        self.expect(L.RIGHT, context)
        self.sub_tree(name, context)

    def item_list(self) -> tuple[ListNode, Node]:
        body = ListNode(self.peek_non_space().pos)
        while self.peek_non_space().type != L.EOF:
            node = self.text_or_action()
            if isinstance(node, (EndNode, ElseNode)):
                return body, node
            body.nodes.append(node)
        self.error("unexpected EOF")
        raise AssertionError  # pragma: no cover

    def text_or_action(self) -> Node:
        token = self.next_non_space()
        if token.type == L.TEXT:
            return TextNode(token.pos, token.value)
        if token.type == L.LEFT:
            self.action_line = token.line
            try:
                return self.action()
            finally:
                # Cleared, not restored, as Go does: after an inner action (the {{else}} of
                # {{else if ...}} included) errors no longer name where the outer one started.
                self.action_line = 0
        self.unexpected(token, "input")
        raise AssertionError  # pragma: no cover

    def action(self) -> Node:
        token = self.next_non_space()
        if token.type == L.KEYWORD:
            word = token.value
            if word == "block":
                return self.block_control()
            if word == "break":
                return self.loop_control(token, BreakNode, "{{break}}")
            if word == "continue":
                return self.loop_control(token, ContinueNode, "{{continue}}")
            if word == "else":
                return self.else_control()
            if word == "end":
                return EndNode(self.expect(L.RIGHT, "end").pos)
            if word == "if":
                return IfNode(*self.control("if"))
            if word == "range":
                return RangeNode(*self.control("range"))
            if word == "template":
                return self.template_control()
            if word == "with":
                return WithNode(*self.control("with"))
        self.backup()
        token = self.peek()
        return ActionNode(token.pos, token.line, self.pipeline("command", L.RIGHT))

    def loop_control(self, keyword: Token, cls: type, text: str) -> Node:
        token = self.next_non_space()
        if token.type != L.RIGHT:
            self.unexpected(token, text)
        if self.range_depth == 0:
            self.error(f"{text} outside {{{{range}}}}")
        return cls(keyword.pos, keyword.line)

    def else_control(self) -> Node:
        peek = self.peek_non_space()
        if peek.type == L.KEYWORD and peek.value in ("if", "with"):
            return ElseNode(peek.pos, peek.line)
        token = self.expect(L.RIGHT, "else")
        return ElseNode(token.pos, token.line)

    def control(self, context: str) -> tuple[int, int, PipeNode, ListNode, ListNode | None]:
        depth, slot_depth = len(self.vars), len(self.slots)
        pipe = self.pipeline(context, L.RIGHT)
        after_pipe = len(self.slots)
        if context == "range":
            self.range_depth += 1
        body, end = self.item_list()
        if context == "range":
            self.range_depth -= 1
        else_list = None
        if isinstance(end, ElseNode):
            del self.slots[after_pipe:]  # the else branch runs without the body's variables
            peek = self.peek()
            if context in ("if", "with") and peek.type == L.KEYWORD and peek.value == context:
                self.next()
                else_list = ListNode(end.pos)
                cls = IfNode if context == "if" else WithNode
                else_list.nodes.append(cls(*self.control(context)))
            else:
                else_list, end = self.item_list()
                if not isinstance(end, EndNode):
                    self.error(f"expected end; found {end}")
        del self.vars[depth:]
        del self.slots[slot_depth:]
        return pipe.pos, pipe.line, pipe, body, else_list

    def template_control(self) -> Node:
        context = "template clause"
        token = self.next_non_space()
        name = self.template_name(token, context)
        pipe = None
        if self.next_non_space().type != L.RIGHT:
            self.backup()
            pipe = self.pipeline(context, L.RIGHT)
        return TemplateNode(token.pos, token.line, name, pipe)

    def template_name(self, token: Token, context: str) -> str:
        if token.type not in (L.STRING, L.RAW_STRING):
            self.unexpected(token, context)
        return self.unquote(token.value)

    def block_control(self) -> Node:
        context = "block clause"
        token = self.next_non_space()
        name = self.template_name(token, context)
        pipe = self.pipeline(context, L.RIGHT)
        self.sub_tree(name, context, self.tokens[self.seen].line)
        return TemplateNode(token.pos, token.line, name, pipe)

    # -- pipelines ---------------------------------------------------------------

    def pipeline(self, context: str, end: str) -> PipeNode:
        token = self.peek_non_space()
        pipe = PipeNode(token.pos, token.line)
        while True:  # declarations
            v = self.peek_non_space()
            if v.type != L.VARIABLE:
                break
            self.next_non_space()
            after = self.peek()
            nxt = self.peek_non_space()
            if nxt.type in (L.ASSIGN, L.DECLARE):
                pipe.is_assign = nxt.type == L.ASSIGN
                self.next_non_space()
                pipe.decl.append(VariableNode(v.pos, [v.value]))
                self.vars.append(v.value)
                self.place(pipe)
                break
            if nxt.type == L.COMMA:
                self.next_non_space()
                pipe.decl.append(VariableNode(v.pos, [v.value]))
                self.vars.append(v.value)
                if context == "range" and len(pipe.decl) < 2:
                    if self.peek_non_space().type in (L.VARIABLE, L.RIGHT, L.RPAREN):
                        continue
                    self.error("range can only initialize variables")
                self.error(f"too many declarations in {context}")
            # Not a declaration: put the variable back.
            while self.tokens[min(self.i, self.last)] is not v:
                self.backup()
            del after
            break
        while True:
            token = self.next_non_space()
            if token.type == end:
                self.check_pipeline(pipe, context)
                return pipe
            if token.type in (L.BOOL, L.CHAR_CONST, L.COMPLEX, L.DOT, L.FIELD, L.IDENT, L.NUMBER,
                              L.NIL, L.RAW_STRING, L.STRING, L.VARIABLE, L.LPAREN):
                self.backup()
                pipe.cmds.append(self.command())
            else:
                self.unexpected(token, context)

    def place(self, pipe: PipeNode) -> None:
        """Give the declared (or assigned) variables their run-time stack slots."""
        for variable in pipe.decl:
            name = variable.ident[0]
            if pipe.is_assign:
                variable.slot = self.slot_of(name)
            else:
                variable.slot = len(self.slots)
                self.slots.append(name)

    def slot_of(self, name: str) -> int:
        for index in range(len(self.slots) - 1, -1, -1):
            if self.slots[index] == name:
                return index
        return -1

    def check_pipeline(self, pipe: PipeNode, context: str) -> None:
        if not pipe.cmds:
            self.error(f"missing value for {context}")
        for i, cmd in enumerate(pipe.cmds[1:]):
            if isinstance(cmd.args[0], (BoolNode, DotNode, NilNode, NumberNode, StringNode)):
                self.error(f"non executable command in pipeline stage {i + 2}")

    def command(self) -> CommandNode:
        cmd = CommandNode(self.peek_non_space().pos)
        while True:
            self.peek_non_space()
            operand = self.operand()
            if operand is not None:
                cmd.args.append(operand)
            token = self.next()
            if token.type == L.SPACE:
                continue
            if token.type in (L.RIGHT, L.RPAREN):
                self.backup()
            elif token.type != L.PIPE:
                self.unexpected(token, "operand")
            break
        if not cmd.args:
            self.error("empty command")
        return cmd

    def operand(self) -> Node | None:
        node = self.term()
        if node is None:
            return None
        if self.peek().type == L.FIELD:
            chain_pos = self.peek().pos
            fields: list[str] = []
            while self.peek().type == L.FIELD:
                fields.append(self.next().value[1:])
            if isinstance(node, FieldNode):
                return FieldNode(chain_pos, node.ident + fields)
            if isinstance(node, VariableNode):
                return VariableNode(chain_pos, node.ident + fields, node.slot)
            if isinstance(node, (BoolNode, StringNode, NumberNode, NilNode, DotNode)):
                from .fmt import go_quote

                self.error(f"unexpected . after term {go_quote(str(node))}")
            return ChainNode(chain_pos, node, fields)
        return node

    def term(self) -> Node | None:
        token = self.next_non_space()
        kind = token.type
        if kind == L.IDENT:
            if token.value not in self.funcs:
                self.error(f'function "{token.value}" not defined')
            return IdentifierNode(token.pos, token.value)
        if kind == L.DOT:
            return DotNode(token.pos)
        if kind == L.NIL:
            return NilNode(token.pos)
        if kind == L.VARIABLE:
            name = token.value
            if name not in self.vars:
                self.error(f'undefined variable "{name}"')
            return VariableNode(token.pos, [name], self.slot_of(name))
        if kind == L.FIELD:
            return FieldNode(token.pos, [token.value[1:]])
        if kind == L.BOOL:
            return BoolNode(token.pos, token.value == "true")
        if kind in (L.CHAR_CONST, L.COMPLEX, L.NUMBER):
            return self.number(token)
        if kind == L.LPAREN:
            return self.pipeline("parenthesized pipeline", L.RPAREN)
        if kind in (L.STRING, L.RAW_STRING):
            return StringNode(token.pos, token.value, self.unquote(token.value))
        self.backup()
        return None

    def unquote(self, quoted: str) -> str:
        try:
            return unquote(quoted)
        except UnquoteError as exc:
            self.error(str(exc))
            raise AssertionError from None  # pragma: no cover

    def number(self, token: Token) -> NumberNode:
        try:
            return make_number(token)
        except UnquoteError as exc:
            self.error(str(exc))
            raise AssertionError from None  # pragma: no cover


_INT64 = (-(2**63), 2**63 - 1)
_UINT64_MAX = 2**64 - 1


def _parse_int(text: str) -> int | None:
    """Go's ParseInt/ParseUint with base 0, without a range check (None if malformed)."""
    from .sprig.coerce import parse_go_int_literal

    value = parse_go_int_literal(text)
    if value is not None:
        return value
    # Too large for int64: parse again without the range limit.
    s = text.lstrip("+-")
    sign = -1 if text.startswith("-") else 1
    low = s.lower()
    try:
        if low.startswith("0x"):
            return sign * int(s[2:].replace("_", ""), 16)
        if low.startswith("0b"):
            return sign * int(s[2:].replace("_", ""), 2)
        if low.startswith("0o"):
            return sign * int(s[2:].replace("_", ""), 8)
        if len(s) > 1 and s[0] == "0":
            return sign * int(s[1:].replace("_", ""), 8)
        if s and s[0] != "_" and s[-1] != "_" and "__" not in s and all(c.isdigit() or c == "_" for c in s):
            return sign * int(s.replace("_", ""))
    except ValueError:
        return None
    return None


def make_number(token: Token) -> NumberNode:
    """A NumberNode with every kind the constant can be (Go's rules, spec §2.5)."""
    from .sprig.coerce import parse_go_float

    text = token.value
    node = NumberNode(token.pos, text)
    if token.type == L.CHAR_CONST:
        code, tail = unquote_char(text[1:], "'")
        if isinstance(code, str):  # a \x or octal escape: the byte's value
            code = ord(code) - 0xDC00 if ord(code) >= 0xDC80 else ord(code)
        if tail != "'":
            raise UnquoteError(f"malformed character constant: {text}")
        node.is_int = node.is_uint = node.is_float = True
        node.int_value = node.uint_value = code
        node.float_value = float(code)
        return node
    if token.type == L.COMPLEX or text.endswith("i"):
        if token.type == L.NUMBER:  # an imaginary constant: ParseFloat of what precedes the i
            imaginary = parse_go_float(text[:-1])
            if imaginary is None:
                raise UnquoteError(f"illegal number syntax: \"{text}\"")
            value = complex(0, imaginary)
        else:
            value = _scan_complex(text)
        node.is_complex = True
        node.complex_value = value
        if value.imag == 0:
            _real_kinds(node, value.real)
        return node
    value = _parse_int(text)
    if value is not None and _INT64[0] <= value <= _INT64[1]:
        node.is_int = True
        node.int_value = value
    if value is not None and 0 <= value <= _UINT64_MAX and not text.startswith("-"):
        node.is_uint = True
        node.uint_value = value
    if node.is_int and node.int_value == 0:  # "-0" is unsigned too, as in Go
        node.is_uint = True
        node.uint_value = 0
    if node.is_int:
        node.is_float = True
        node.float_value = float(node.int_value)
    elif node.is_uint:
        node.is_float = True
        node.float_value = float(node.uint_value)
    else:
        f = parse_go_float(text)
        if f is not None:
            if not any(c in text for c in ".eEpP") or text.lower().startswith(("0x", "-0x", "+0x")) and not any(
                    c in text for c in ".pP"):
                raise UnquoteError(f'integer overflow: "{text}"')
            _real_kinds(node, f)
    if not (node.is_int or node.is_uint or node.is_float):
        raise UnquoteError(f'illegal number syntax: "{text}"')
    return node


def _float_token(text: str, i: int) -> int:
    """End of the float fmt.Sscan reads at ``i`` (its floatToken, partial NaN/Inf reads included)."""
    n = len(text)

    def accept(chars: str) -> bool:
        nonlocal i
        if i < n and text[i] in chars:
            i += 1
            return True
        return False

    if accept("nN") and accept("aA") and accept("nN"):
        return i
    accept("+-")
    if accept("iI") and accept("nN") and accept("fF"):  # an "i" alone is read, then the test fails
        return i
    digits, exponent = "0123456789_", "eEpP"
    if accept("0") and accept("xX"):
        digits, exponent = "0123456789abcdefABCDEF_", "pP"
    while accept(digits):
        pass
    if accept("."):
        while accept(digits):
            pass
    if accept(exponent):
        accept("+-")
        while accept("0123456789_"):
            pass
    return i


def _scan_complex(text: str) -> complex:
    """A ``1+2i`` constant as Go reads it (fmt.Sscan): each part goes through strconv.ParseFloat."""
    from .fmt import go_quote
    from .sprig.coerce import parse_go_float, parse_go_float_error

    middle = _float_token(text, 0)
    end = _float_token(text, middle)
    if text[middle:middle + 1] not in ("+", "-") or text[end:end + 1] != "i":
        raise UnquoteError("syntax error scanning complex number")
    parts = []
    for part in (text[:middle], text[middle:end]):
        value = parse_go_float(part)
        if value is None:
            raise UnquoteError(f"strconv.ParseFloat: parsing {go_quote(part)}: {parse_go_float_error(part)}")
        parts.append(value)
    return complex(parts[0], parts[1])


def _real_kinds(node: NumberNode, f: float) -> None:
    node.is_float = True
    node.float_value = f
    if f == int(f) if f == f and abs(f) != float("inf") else False:
        i = int(f)
        if _INT64[0] <= i <= _INT64[1]:
            node.is_int = True
            node.int_value = i
        if 0 <= i <= _UINT64_MAX:
            node.is_uint = True
            node.uint_value = i


def parse(name: str, text: str, funcs: Container[str], trees: dict[str, Tree] | None = None) -> dict[str, Tree]:
    """Parse ``text`` as the template ``name``; returns every tree it defines (``name`` included).

    ``trees`` collects the definitions of earlier files (a later non-empty define
    replaces an earlier one; within one text a second one is an error).
    """
    own: dict[str, Tree] = {}
    parser = _Parser(name, text, L.lex(text), funcs, own)
    parser.parse_file(name)
    if trees is not None:
        for tree_name, tree in own.items():
            old = trees.get(tree_name)
            if old is not None and is_empty_tree(tree.root):
                continue
            trees[tree_name] = tree
    return own
