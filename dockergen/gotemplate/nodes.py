"""The parse tree.  ``str(node)`` re-renders a node the way Go's error messages show it.

Every node keeps ``pos``, the byte offset of its source text: execution
errors report ``LINE:COL`` computed from it.
"""

from __future__ import annotations

from dataclasses import field
from typing import Any

from dockergen.golang.unicode import trim_space
from dockergen.records import record

__all__ = [
    "Node", "ListNode", "TextNode", "ActionNode", "PipeNode", "CommandNode", "IdentifierNode",
    "VariableNode", "DotNode", "NilNode", "FieldNode", "ChainNode", "BoolNode", "NumberNode",
    "StringNode", "IfNode", "WithNode", "RangeNode", "TemplateNode", "BreakNode", "ContinueNode",
    "EndNode", "ElseNode", "Tree", "is_empty_tree", "exits_loop",
]


class Node:
    """Base of every node; each has ``pos``, the byte offset of its text."""

    __slots__ = ()


@record(slots=True, eq=False)
class ListNode(Node):
    """A sequence of nodes: a template's or a branch's body."""

    pos: int
    nodes: list[Node] = field(default_factory=list)

    def __str__(self) -> str:
        return "".join(str(n) for n in self.nodes)


@record(slots=True, eq=False)
class TextNode(Node):
    """Plain text between actions, written as it is."""

    pos: int
    text: str

    def __str__(self) -> str:
        return self.text


@record(slots=True, eq=False)
class PipeNode(Node):
    """A pipeline, with the variables it declares or assigns (``$x := ...``)."""

    pos: int
    line: int
    is_assign: bool = False
    decl: list["VariableNode"] = field(default_factory=list)
    cmds: list["CommandNode"] = field(default_factory=list)

    def __str__(self) -> str:
        text = ""
        if self.decl:
            text = ", ".join(str(v) for v in self.decl) + (" = " if self.is_assign else " := ")
        return text + " | ".join(str(c) for c in self.cmds)


@record(slots=True, eq=False)
class ActionNode(Node):
    """``{{pipeline}}``: a pipeline whose value is printed."""

    pos: int
    line: int
    pipe: PipeNode

    def __str__(self) -> str:
        return "{{" + str(self.pipe) + "}}"


@record(slots=True, eq=False)
class CommandNode(Node):
    """One command of a pipeline: a function call or an operand with its arguments."""

    pos: int
    args: list[Node] = field(default_factory=list)

    def __str__(self) -> str:
        return " ".join(f"({a})" if isinstance(a, PipeNode) else str(a) for a in self.args)


@record(slots=True, eq=False)
class IdentifierNode(Node):
    """A function name."""

    pos: int
    name: str

    def __str__(self) -> str:
        return self.name


@record(slots=True, eq=False)
class VariableNode(Node):
    """``$x`` or ``$x.Field...``."""

    pos: int
    ident: list[str]  # ["$x", "Field", ...]
    slot: int = -1  # where the variable sits on the run-time stack, when the parser can tell

    def __str__(self) -> str:
        return ".".join(self.ident)


@record(slots=True, eq=False)
class DotNode(Node):
    """``.``, the cursor."""

    pos: int

    def __str__(self) -> str:
        return "."


@record(slots=True, eq=False)
class NilNode(Node):
    """The untyped ``nil``."""

    pos: int

    def __str__(self) -> str:
        return "nil"


@record(slots=True, eq=False)
class FieldNode(Node):
    """``.Field.Field...`` on the cursor."""

    pos: int
    ident: list[str]

    def __str__(self) -> str:
        return "".join("." + name for name in self.ident)


@record(slots=True, eq=False)
class ChainNode(Node):
    """``(pipeline).Field...`` or another operand followed by fields."""

    pos: int
    node: Node
    fields: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        head = f"({self.node})" if isinstance(self.node, PipeNode) else str(self.node)
        return head + "".join("." + name for name in self.fields)


@record(slots=True, eq=False)
class BoolNode(Node):
    """``true`` or ``false``."""

    pos: int
    value: bool

    def __str__(self) -> str:
        return "true" if self.value else "false"


@record(slots=True, eq=False)
class NumberNode(Node):
    """A numeric constant: which Go kinds it can be, and its value as each."""

    pos: int
    text: str
    is_int: bool = False
    is_uint: bool = False
    is_float: bool = False
    is_complex: bool = False
    int_value: int = 0
    uint_value: int = 0
    float_value: float = 0.0
    complex_value: complex = 0j

    def __str__(self) -> str:
        return self.text


@record(slots=True, eq=False)
class StringNode(Node):
    """A string constant: its source text and its value."""

    pos: int
    quoted: str
    text: str

    def __str__(self) -> str:
        return self.quoted


@record(slots=True, eq=False)
class _BranchNode(Node):
    """What ``{{if}}``, ``{{with}}`` and ``{{range}}`` share: a pipeline, a body and an else branch."""

    pos: int
    line: int
    pipe: PipeNode
    list: ListNode
    else_list: ListNode | None = None
    keyword = ""

    def __str__(self) -> str:
        text = "{{" + self.keyword + " " + str(self.pipe) + "}}" + str(self.list)
        if self.else_list is not None:
            text += "{{else}}" + str(self.else_list)
        return text + "{{end}}"


class IfNode(_BranchNode):
    __slots__ = ()
    keyword = "if"


class WithNode(_BranchNode):
    __slots__ = ()
    keyword = "with"


class RangeNode(_BranchNode):
    __slots__ = ()
    keyword = "range"


@record(slots=True, eq=False)
class TemplateNode(Node):
    """``{{template "name" pipeline}}``."""

    pos: int
    line: int
    name: str
    pipe: PipeNode | None

    def __str__(self) -> str:
        quoted = '"' + self.name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if self.pipe is None:
            return "{{template " + quoted + "}}"
        return "{{template " + quoted + " " + str(self.pipe) + "}}"


@record(slots=True, eq=False)
class BreakNode(Node):
    """``{{break}}`` inside a range."""

    pos: int
    line: int

    def __str__(self) -> str:
        return "{{break}}"


@record(slots=True, eq=False)
class ContinueNode(Node):
    """``{{continue}}`` inside a range."""

    pos: int
    line: int

    def __str__(self) -> str:
        return "{{continue}}"


@record(slots=True, eq=False)
class EndNode(Node):
    """``{{end}}``: only seen by the parser."""

    pos: int

    def __str__(self) -> str:
        return "{{end}}"


@record(slots=True, eq=False)
class ElseNode(Node):
    """``{{else}}``: only seen by the parser."""

    pos: int
    line: int

    def __str__(self) -> str:
        return "{{else}}"


def is_empty_tree(node: Any) -> bool:
    """True when a body is only white space (and comments): such a define never replaces another."""
    if node is None:
        return True
    if isinstance(node, ListNode):
        return all(is_empty_tree(n) for n in node.nodes)
    if isinstance(node, TextNode):
        return trim_space(node.text) == ""
    return False


def exits_loop(body: ListNode) -> bool:
    """Whether a range's body has a ``{{break}}`` or ``{{continue}}`` that acts on that range:
    one in a nested range's body is that range's own, one in its else branch is not."""
    stack: list[Node] = list(body.nodes)
    while stack:
        item = stack.pop()
        if isinstance(item, (BreakNode, ContinueNode)):
            return True
        if isinstance(item, _BranchNode):
            if not isinstance(item, RangeNode):
                stack.extend(item.list.nodes)
            if item.else_list is not None:
                stack.extend(item.else_list.nodes)
    return False


class Tree:
    """A parsed template: its name, the file (parse) it came from, its body and source."""

    __slots__ = ("name", "parse_name", "root", "source")

    def __init__(self, name: str, parse_name: str, root: ListNode, source: str) -> None:
        self.name = name
        self.parse_name = parse_name
        self.root = root
        self.source = source

    def __repr__(self) -> str:
        return f"Tree({self.name!r})"
