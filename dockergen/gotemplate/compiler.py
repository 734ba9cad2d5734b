"""Parse trees to Python source, compiled once: a render runs plain Python functions.

Each template (a file or a ``define``) becomes one Python function, in the way
Jinja2 compiles its templates: Go variables are Python locals (the parser has
resolved which declaration each use means), ``range`` is a ``for`` loop and
``break``/``continue`` are Python's, ``if``/``with`` are ``if`` statements, a
function call is a direct call of the Python callable with its arguments
converted inline to the declared Go types (``repeat 3.0 "x"`` is decided at
compile time).  What Go decides from run-time types (field vs method vs map
key, assignability of a value to a parameter) is still decided at run time,
with the common cases (a struct field, a string map key, a string for a
``string`` parameter) tested first in the generated code.

Go reports an execution error at "the node being evaluated" (``at <.Nope>``):
the generated code stores that node in ``State.node`` at the same points as
Go's executor (a store that the next line overwrites is left out).  An
exception raised by a called function is turned into Go's ``error calling
NAME: ...`` from the line it was raised on, so calls need no ``try`` block.
"""

from __future__ import annotations

import keyword
import re
from functools import lru_cache
from collections.abc import Callable, Iterator, Mapping
from types import CodeType, TracebackType
from typing import Any, NamedTuple

from .funcs import Function
from .nodes import (
    ActionNode, BoolNode, BreakNode, ChainNode, CommandNode, ContinueNode, DotNode, FieldNode, IdentifierNode,
    IfNode, ListNode, NilNode, Node, NumberNode, PipeNode, RangeNode, StringNode, TemplateNode, TextNode,
    VariableNode, WithNode, exits_loop,
)
from .nodes import Tree
from .runtime import (
    MAX_DEPTH, Compiled, Fail, MethodSite, State, call_failed, constant_arg, field, find_template, format_fail,
    ideal_value, position, printable, range_items, run_template, validate, zero_of,
)
from .values import (
    ANY, BOOL, DICT, FLOAT64, FLOAT_KINDS, INT, INT_CLASSES, LIST, INT_KINDS, MISSING, STRING, UINT_KINDS, VALUE, Addr, Float32, GoType,
    _STRUCTS, can_be_nil, truth,
)

__all__ = ["State", "Compiled", "Fail", "Program", "generate", "compile_tree", "format_fail", "position", "MAX_DEPTH"]


class _Val(NamedTuple):
    """A value in generated code: a local name or a literal, and its exact Python type when known."""

    expr: str
    static: type | None = None
    constant: bool = False  # written in the template: the same value every time
    plain: bool = False  # never None (nil already made "no value") nor Addr: a function's result


_MISSING_VAL = _Val("MISSING", type(MISSING))
_MAX_LOOPS = 12  # nested loops in one generated function (Python allows 20 blocks)
_MAX_INDENT = 40  # indentation levels in one generated function (Python allows 100)
_MAX_LAZY = 8  # and/or arguments tested in nested ifs; more go through a loop
_CHUNK_LINES = 400  # lines of Python compiled at once (see _Generator.generate)
_UNIT_WEIGHT = 120  # nodes in a loop body compiled as a function of its own (see gen_unit)


def _breaks(body: ListNode) -> bool:
    """Whether a list has a ``{{break}}`` of the range around it (not of a range inside)."""
    stack: list[Any] = list(body.nodes)
    while stack:
        item = stack.pop()
        if isinstance(item, BreakNode):
            return True
        if isinstance(item, (IfNode, WithNode)):
            stack.extend(item.list.nodes)
            if item.else_list is not None:
                stack.extend(item.else_list.nodes)
    return False


def _heavier(node: Node, limit: int) -> bool:
    """Whether a subtree has more than ``limit`` nodes (the generated code grows with them);
    counting stops there, so asking at every level of a deep template stays cheap."""
    count = 0
    for item in _subtree(node):
        if not isinstance(item, ListNode):
            count += 1
            if count > limit:
                return True
    return False


# Go types whose values are exactly one Python type: a value of that type needs no conversion.
_EXACT = {id(STRING): str, id(INT): int, id(BOOL): bool, id(FLOAT64): float, id(DICT): dict, id(LIST): list}
# Results trusted to be exactly their declared type (a DICT parameter may also pass a GoMap on).
_RESULT = {id(STRING): str, id(INT): int, id(BOOL): bool}


@lru_cache(maxsize=1)
def _container_functions() -> frozenset[Any]:
    from .memo import container_functions

    return container_functions()


class _Failing(NamedTuple):
    message: str


def _ideal(node: NumberNode) -> Any:
    """:func:`runtime.ideal_value` at compile time: an overflow becomes a failing argument."""
    try:
        return ideal_value(node)
    except OverflowError as exc:
        return _Failing(str(exc))


def _constant(node: Node, t: GoType) -> Any:
    """An argument written as a constant, converted to ``t``, or the error Go gives for it."""
    kind = t.kind
    text = str(node)
    if t is ANY or t is VALUE or (kind == "interface" and t.name == "interface {}"):
        if isinstance(node, BoolNode):
            return node.value
        if isinstance(node, StringNode):
            return node.text
        if isinstance(node, NumberNode):
            return _ideal(node)
    elif kind == "bool":
        return node.value if isinstance(node, BoolNode) else _Failing(f"expected bool; found {text}")
    elif kind in INT_KINDS:
        if isinstance(node, NumberNode) and node.is_int:
            # constant_arg knows the named integer types (time.Duration)
            return constant_arg(node, t)(_ConstState(), None)
        return _Failing(f"expected integer; found {text}")
    elif kind in UINT_KINDS:
        if isinstance(node, NumberNode) and node.is_uint:
            return INT_CLASSES[kind](node.uint_value)
        return _Failing(f"expected unsigned integer; found {text}")
    elif kind in FLOAT_KINDS:
        if isinstance(node, NumberNode) and node.is_float:
            return Float32(node.float_value) if kind == "float32" else node.float_value
        return _Failing(f"expected float; found {text}")
    elif kind in ("complex64", "complex128"):
        if isinstance(node, NumberNode) and node.is_complex:
            return node.complex_value
        return _Failing(f"expected complex; found {text}")
    elif kind == "string":
        if isinstance(node, StringNode):
            return node.text
        return _Failing(f"expected string; found {text}")
    return _Failing(f"can't handle {text} for arg of type {t}")


class _ConstState:
    """Enough of a state to evaluate a constant argument at compile time."""

    node = None


def _plain_field_classes(name: str) -> tuple[frozenset[type], frozenset[type]]:
    """Struct classes on which ``.name`` is the Python attribute ``name``: (as it is, wrapped in
    Addr).  Other receivers take the general path (:func:`runtime.field`)."""
    plain, wrapped = set(), set()
    for cls, info in list(_STRUCTS.items()):
        if name in info.methods or not name[:1].isupper() or name not in info.field_types:
            continue
        if info.attribute(name) != name:
            continue
        field_type = info.field_types[name]
        if field_type.struct is not None and field_type.struct.methods:
            if info.pointer:
                wrapped.add(cls)
        else:
            plain.add(cls)
    return frozenset(plain), frozenset(wrapped)


class _Function:
    """A nested function being generated (a method argument's thunk, an outlined list): defined
    at the top of the template's function, so that its own nesting starts afresh."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, tuple[Node, str] | None]] = []
        self.assigned: set[str] = set()  # Go variables it assigns: ``nonlocal``


class _Generator:
    """Writes the Python source of one template tree."""

    def __init__(self, tree: Tree, funcs: Mapping[str, Function], builtins: dict[str, Function]) -> None:
        self.tree = tree
        self.funcs = funcs
        self.builtins = builtins
        self.lines: list[tuple[str, tuple[Node, str] | None]] = []  # (source line, call it makes)
        self.defs: list[tuple[str, tuple[Node, str] | None]] = []  # nested functions, at the top
        self.n_defs = 0
        self._field_classes: dict[str, tuple[frozenset[type], frozenset[type]]] = {}
        self.n_units = 0
        self.unit_sources: list[str] = []  # long loop bodies, compiled on their own
        self.unit_exit = ""  # what a return out of the function being written must do first
        self.indent = 1
        self.consts: dict[str, Any] = {}  # the generated code's constants by name (_k0, _k1...)
        self._consts: dict[Any, str] = {}
        # Locals are few and reused (a frame with thousands of them would make every nested
        # template call allocate a new piece of CPython's frame stack): temporaries live in a
        # stack released after each statement, variables are named by their run-time slot,
        # the locals of ``with`` and ``range`` by their nesting depth.
        self.sp = 0
        self.depth = 0
        # For each source generate() returns: its line -> (node, function name) of a call there.
        self.calls_by_source: list[dict[int, tuple[Node, str]]] = []
        self.nested_assigned: set[str] = set()  # Go variables nested functions assign
        self.vars: list[tuple[str, str]] = [("$", "v0")]  # the run-time variable stack: (Go name, local)
        self.scope = 1  # where the variables of the list being written start on that stack
        # Go names interface{} as the type of a field error's receiver when it is an element of
        # an interface{} collection: the dot of such a range, its element variable.  Each is
        # known at run time only, in the range's flag local (q + depth); "False" elsewhere.
        self.dot_iface = "False"
        self.var_iface: dict[int, str] = {}  # stack index of a range's element variable -> flag
        # A variable some ``=`` assigns (``range $x = ...`` makes it interface{} or not each time)
        # keeps its flag in a local of its own, set wherever the variable is.
        self.reassigned = _reassigned(tree.root)
        self.var_flags: dict[int, str] = {}  # stack index -> that local
        self.flags: list[str] = []  # the flags of the ranges being written
        self.dot = "dot"
        self.cur_node: str | None = None  # what State.node holds here, when the generator knows
        self.last_store: int | None = None  # index of a node store nothing has followed yet
        self.fn: _Function | None = None  # the nested function being written, if any
        self.loop_depth = 0

    # -- output ----------------------------------------------------------------

    def emit(self, line: str, call: tuple[Node, str] | None = None, pure: bool = False) -> int:
        """Write one line; ``call``: the node and name of the function it calls, to blame if
        that function raises; ``pure``: it can neither fail nor look at ``State.node``, so a
        node stored before it and overwritten after it was never needed."""
        self.lines.append(("    " * self.indent + line, call))
        if not pure:
            self.last_store = None
        return len(self.lines) - 1

    def new(self) -> str:
        """A temporary, live until the statement that allocated it ends (see :meth:`release`)."""
        self.sp += 1
        return f"t{self.sp}"

    def release(self, mark: int) -> None:
        self.sp = mark

    def const(self, value: Any) -> str:
        """A name in the generated module's namespace for ``value``."""
        key = (type(value), value) if isinstance(value, (str, int, float, bool)) else id(value)
        name = self._consts.get(key)
        if name is None:
            name = self._consts[key] = f"_k{len(self._consts)}"
            self.consts[name] = value
        return name

    def literal(self, value: Any) -> _Val:
        """A constant as an expression (Python literals for the exact basic types)."""
        t = type(value)
        if value is None:
            return _Val("None", type(None), True)
        if value is MISSING:
            return _MISSING_VAL
        if t in (str, bool) or (t is int and abs(value) < 2**62):
            return _Val(repr(value) if t is not str or len(value) < 200 else self.const(value), t, True)
        return _Val(self.const(value), t if t in (int, float) else None, True)

    def at(self, node: Node) -> None:
        """``s.at(node)``: record the node being evaluated."""
        name = self.const(node)
        if self.cur_node == name:
            return
        if self.last_store is not None:
            del self.lines[self.last_store]  # overwritten before anything could read it
        index = self.emit(f"st.node = {name}")
        self.last_store = index
        self.cur_node = name

    def unknown_node(self) -> None:
        self.cur_node = None

    def fail(self, message: str) -> None:
        """Raise Go's error at the current node (the code after it is never reached)."""
        self.emit(f"raise st.fail({self.const(message)})")

    def block(self) -> "_Indent":
        return _Indent(self)

    # -- variables ---------------------------------------------------------------

    def find(self, slot: int, name: str) -> int | None:
        """Where variable ``name`` is on the run-time stack as the executor finds it (by slot,
        then by name)."""
        stack = self.vars
        if 0 <= slot < len(stack) and stack[slot][0] == name:
            return slot
        for index in range(len(stack) - 1, -1, -1):
            if stack[index][0] == name:
                return index
        return None

    def resolve(self, slot: int, name: str) -> str | None:
        """The local holding variable ``name``."""
        index = self.find(slot, name)
        return None if index is None else self.vars[index][1]

    def live_locals(self) -> list[str]:
        """The locals a nested list can see: the variables' (and their flags), and the range
        flags of its dots."""
        return list(dict.fromkeys([local for _, local in self.vars] + self.live_var_flags() + self.flags))

    def live_var_flags(self) -> list[str]:
        return [flag for index, flag in self.var_flags.items() if index < len(self.vars)]

    def assign(self, local: str, value: _Val) -> None:
        self.emit(f"{local} = {value.expr}", pure=True)
        if self.fn is not None:
            self.fn.assigned.add(local)

    def declare(self, name: str, value: _Val) -> None:
        """Push variable ``name``.  It takes the local of a variable of the same name that it hides
        for good (declared in the same list, so popped with it: ``$_ := ...`` again and again),
        else the first local no live variable holds."""
        local = flag = None
        for index in range(len(self.vars) - 1, self.scope - 1, -1):
            if self.vars[index][0] == name:
                local, flag = self.vars[index][1], self.var_flags.get(index)
                break
        if local is None:
            local = self.free_local()
        self.var_iface.pop(len(self.vars), None)
        self.var_flags.pop(len(self.vars), None)
        self.vars.append((name, local))
        self.assign(local, value)
        if name in self.reassigned:
            if flag is None:
                flag = self.free_local()
            self.var_iface[len(self.vars) - 1] = self.var_flags[len(self.vars) - 1] = flag
            self.assign(flag, _Val("False"))

    def free_local(self) -> str:
        """A ``v`` local no live variable or flag holds."""
        held = {held for _, held in self.vars} | set(self.live_var_flags())
        return next(f"v{n}" for n in range(len(held) + 1) if f"v{n}" not in held)

    def set_flag(self, slot: int, name: str, iface: str) -> None:
        """After ``=`` assigned variable ``name``: whether it now holds an interface{} element."""
        index = self.find(slot, name)
        flag = self.var_flags.get(index) if index is not None else None
        if flag is not None:
            self.assign(flag, _Val(iface))

    # -- statements ------------------------------------------------------------

    def gen_list(self, node: ListNode | None) -> None:
        if node is None:
            return
        for child in node.nodes:
            self.gen_node(child)

    def gen_body(self, node: ListNode | None) -> None:
        """A nested list: at least one statement.

        Deeply nested lists go into a function of their own: Python limits the nesting of
        blocks (20 loops) and of indentation (100 levels) within one function."""
        if node is not None and _heavier(node, _UNIT_WEIGHT):
            self.gen_unit(node)
            return
        if self.loop_depth >= _MAX_LOOPS or self.indent >= _MAX_INDENT:
            self.gen_outlined(node)
            return
        start = len(self.lines)
        self.gen_list(node)
        if len(self.lines) == start:
            self.emit("pass")

    def gen_outlined(self, node: ListNode | None) -> None:
        """``node`` as a nested function called here; ``break``/``continue`` in it that belong to
        a loop out here come back as its result (1, 2)."""
        self.pass_on(self.call_nested_list(node), self.loop_depth)
        self.unknown_node()

    def call_nested_list(self, node: ListNode | None) -> str:
        """A nested function that writes ``node``, called here: the local holding what it
        returns (0 when it ran to its end; a ``break``/``continue`` inside gives 1/2)."""
        def body() -> str:
            self.gen_list(node)
            return "0"
        name = self.nested_function(body)
        result = self.new()
        self.emit(f"{result} = {name}(st, {self.dot})")
        return result

    def pass_on(self, result: str, loops: int) -> None:
        """After a nested piece ran: its ``break``/``continue`` (1, 2) act on a loop out here,
        else any result leaves this function too."""
        if loops:
            self.emit(f"if {result} == 1: break")
            self.emit(f"if {result} == 2: continue")
        else:
            self.emit(f"if {result}: {self.unit_exit}return {result}")

    def gen_node(self, node: Node) -> None:
        mark = self.sp
        self._gen_node(node)
        self.release(mark)

    def _gen_node(self, node: Node) -> None:
        if isinstance(node, TextNode):
            self.emit(f"w({self.literal(node.text).expr})", pure=True)
        elif isinstance(node, ActionNode):
            self.gen_action(node)
        elif isinstance(node, IfNode):
            self.gen_if_with(node, with_=False)
        elif isinstance(node, WithNode):
            self.gen_if_with(node, with_=True)
        elif isinstance(node, RangeNode):
            self.gen_range(node)
        elif isinstance(node, TemplateNode):
            self.gen_template(node)
        elif isinstance(node, BreakNode):
            self.emit("break" if self.loop_depth else f"{self.unit_exit}return 1")
        elif isinstance(node, ContinueNode):
            self.emit("continue" if self.loop_depth else f"{self.unit_exit}return 2")
        else:  # pragma: no cover
            raise AssertionError(f"unknown node {node!r}")

    def gen_action(self, node: ActionNode) -> None:
        self.at(node)
        value = self.gen_pipeline(node.pipe)
        if node.pipe.decl:
            return
        if value.static is str:
            self.emit(f"w({value.expr})", pure=True)
            return
        node_name = self.const(node)
        self.emit(f"if type({value.expr}) is str: w({value.expr})", pure=True)
        self.emit(f"else: st.node = {node_name}; w(printable(st, {node_name}, {value.expr}))", pure=True)
        self.unknown_node()

    def truth_test(self, value: _Val) -> str:
        if value.static in (bool, str):
            return value.expr
        return f"truth({value.expr})"

    def gen_if_with(self, node: IfNode | WithNode, with_: bool) -> None:
        depth = len(self.vars)
        mark = self.sp
        outer_scope = self.scope
        self.scope = depth
        value = self.gen_pipeline(node.pipe)
        after_pipe = self.scope = len(self.vars)
        self.emit(f"if {self.truth_test(value)}:")
        saved_dot = self.dot, self.dot_iface
        self.depth += 1
        with self.block():
            if with_:
                self.dot = f"d{self.depth}"
                self.dot_iface = "False"
                self.emit(f"{self.dot} = {value.expr}")
            self.release(mark)
            self.gen_body(node.list)
        self.dot, self.dot_iface = saved_dot
        self.depth -= 1
        del self.vars[after_pipe:]
        if node.else_list is not None:
            self.emit("else:")
            with self.block():
                self.gen_body(node.else_list)
        del self.vars[depth:]
        self.scope = outer_scope
        self.unknown_node()

    def gen_range(self, node: RangeNode) -> None:
        self.at(node)
        depth = len(self.vars)
        mark = self.sp
        outer_scope = self.scope
        self.scope = depth
        value = self.gen_pipeline(node.pipe)
        after_pipe = self.scope = len(self.vars)
        decl = node.pipe.decl
        self.depth += 1
        pairs, track, ran, outer_item, key, elem, iface = (f"{c}{self.depth}" for c in "pkriaeq")
        self.emit(f"{pairs}, {track}, {iface} = range_items(st, {value.expr}, {len(decl) > 1})")
        self.release(mark)
        if decl and not node.pipe.is_assign and after_pipe - 1 not in self.var_flags:
            self.var_iface[after_pipe - 1] = iface  # the element's variable
        if node.else_list is not None:
            self.emit(f"{ran} = False")
        self.emit(f"{outer_item} = st.item")
        loop = self.range_memo(node, after_pipe - (0 if node.pipe.is_assign else len(decl)))
        self.emit(f"for {key}, {elem} in {pairs}:")
        saved_dot = self.dot, self.dot_iface
        self.flags.append(iface)
        with self.block():
            self.unknown_node()
            self.emit(f"if {track}: st.item = {elem}")
            if node.else_list is not None:
                self.emit(f"{ran} = True")
            if decl:
                locals_ = [self.vars[after_pipe - len(decl) + i][1] for i in range(len(decl))] \
                    if not node.pipe.is_assign else [self.resolve(v.slot, v.ident[0]) for v in decl]
                values = [_Val(elem)] if len(decl) == 1 else [_Val(key), _Val(elem)]
                for variable, local, item in zip(decl, locals_, values):
                    if local is None:
                        self.fail(f"undefined variable: {variable.ident[0]}")
                    else:
                        self.assign(local, item)
                        self.set_flag(variable.slot, variable.ident[0], iface if item.expr == elem else "False")
            if loop is not None:  # an iteration whose inputs are unchanged: its output again
                self.emit(f"if {loop} is not None:")
                with self.block():
                    self.emit(f"o{self.depth} = st.calls.enter(st, {loop}, {key}, {elem})")
                    self.emit(f"if o{self.depth} is True: continue")
            self.dot, self.dot_iface = elem, iface
            self.loop_depth += 1
            self.gen_body(node.list)
            self.loop_depth -= 1
            if loop is not None:
                self.emit(f"if {loop} is not None and o{self.depth} is not None: st.calls.leave(st, o{self.depth})")
            del self.vars[after_pipe:]
        self.dot, self.dot_iface = saved_dot
        self.depth -= 1
        self.emit(f"st.item = {outer_item}")
        if node.else_list is not None:
            self.emit(f"if not {ran}:")
            with self.block():
                if _breaks(node.else_list):
                    self.gen_range_else(node.else_list)
                else:
                    self.gen_body(node.else_list)
        self.flags.pop()
        del self.vars[depth:]
        self.scope = outer_scope
        self.unknown_node()

    def range_memo(self, node: RangeNode, outer: int) -> str | None:
        """Before a range's loop, while a watcher remembers (``st.calls``, :mod:`.memo`): the
        local that holds the loop's inputs from around it, for each iteration to be written
        again when its own inputs (key, element) are unchanged too.  Those from around it are
        the variables of the scope there (``self.vars[:outer]``) that the body names.  None: a
        body that ends the loop early is never remembered."""
        if node.pipe.is_assign or exits_loop(node.list):
            return None
        own = {variable.ident[0] for variable in node.pipe.decl}
        names, locals_ = [], []
        for name in sorted(_referenced(node.list) - own):
            local = next((held for seen, held in reversed(self.vars[:outer]) if seen == name), None)
            if local is not None:
                names.append(name)
                locals_.append(local)
        loop, site = f"m{self.depth}", self.const(node)
        values = "".join(f"{local}, " for local in locals_)
        self.emit(f"{loop} = None if st.calls is None or {site} not in st.calls.ranges else "
                  f"st.calls.start(st, {site}, {self.const(tuple(names))}, ({values}))")
        return loop

    def gen_range_else(self, body: ListNode) -> None:
        """A range's else branch with a ``{{break}}`` of its own: Go's range catches it (the
        branch just ends); a ``{{continue}}`` goes on to the loop around."""
        result = self.call_nested_list(body)
        self.emit(f"if {result} == 2: " + ("continue" if self.loop_depth else f"{self.unit_exit}return 2"))
        self.unknown_node()

    def gen_template(self, node: TemplateNode) -> None:
        self.at(node)
        compiled = self.new()
        self.emit(f"{compiled} = find_template(st, {self.const(node.name)})")
        value = self.gen_pipeline(node.pipe) if node.pipe is not None else _MISSING_VAL
        self.emit(f"run_template(st, {compiled}, {value.expr}, {self.const(node)})")

    # -- pipelines and commands ---------------------------------------------------

    def gen_pipeline(self, pipe: PipeNode) -> _Val:
        self.at(pipe)
        value: _Val | None = None
        for cmd in pipe.cmds:
            value = self.gen_command(cmd, value)
            if value.expr == "None":
                value = _MISSING_VAL
            elif value.static is None and not value.plain and value.expr != "MISSING" and not value.constant:
                # A nil result is "no value"; a variable or dot keeps its own value.
                if value.expr[0] == "t":
                    self.emit(f"if {value.expr} is None: {value.expr} = MISSING", pure=True)
                else:
                    out = self.new()
                    self.emit(f"{out} = MISSING if {value.expr} is None else {value.expr}", pure=True)
                    value = _Val(out)
        assert value is not None
        for variable in pipe.decl:
            name = variable.ident[0]
            if pipe.is_assign:
                local = self.resolve(variable.slot, name)
                if local is None:
                    self.fail(f"undefined variable: {name}")
                else:
                    self.assign(local, value)
                    self.set_flag(variable.slot, name, "False")
            else:
                self.declare(name, value)
        return value

    def gen_command(self, cmd: CommandNode, final: _Val | None) -> _Val:
        first = cmd.args[0]
        args = cmd.args
        if isinstance(first, FieldNode):
            return self.gen_field_chain(first, None, first.ident, args, final)
        if isinstance(first, ChainNode):
            return self.gen_chain(first, args, final)
        if isinstance(first, IdentifierNode):
            return self.gen_function(first, cmd, args[1:], final)
        if isinstance(first, PipeNode):
            self.not_a_function(args, final)
            return self.gen_pipeline(first)
        if isinstance(first, VariableNode):
            return self.gen_variable(first, args, final)
        self.at(first)
        self.not_a_function(args, final)
        if isinstance(first, BoolNode):
            return self.literal(first.value)
        if isinstance(first, StringNode):
            return self.literal(first.text)
        if isinstance(first, DotNode):
            return _Val(self.dot)
        if isinstance(first, NilNode):
            self.fail("nil is not a command")
            return _MISSING_VAL
        if isinstance(first, NumberNode):
            value = _ideal(first)
            if isinstance(value, _Failing):
                self.fail(value.message)
                return _MISSING_VAL
            return self.literal(value)
        raise AssertionError(first)  # pragma: no cover - the parser allows nothing else

    def not_a_function(self, args: list[Node], final: _Val | None) -> None:
        if len(args) > 1 or final is not None:
            self.fail(f"can't give argument to non-function {args[0]}")

    def gen_variable(self, node: VariableNode, args: list[Node], final: _Val | None) -> _Val:
        name = node.ident[0]
        index = self.find(node.slot, name)
        self.at(node)
        if index is None:
            self.fail(f"undefined variable: {name}")
            return _MISSING_VAL
        local = self.vars[index][1]
        if len(node.ident) == 1:
            self.not_a_function(args, final)
            return _Val(local)
        return self.gen_field_chain(node, _Val(local), node.ident[1:], args, final, self.var_iface.get(index, "False"))

    def gen_chain(self, node: ChainNode, args: list[Node], final: _Val | None) -> _Val:
        self.at(node)
        if isinstance(node.node, NilNode):
            self.fail(f"indirection through explicit nil in {node}")
            return _MISSING_VAL
        receiver = self.gen_arg(node.node, None)
        return self.gen_field_chain(node, receiver, node.fields, args, final)

    def gen_field_chain(self, node: Node, receiver: _Val | None, names: list[str], args: list[Node],
                        final: _Val | None, iface: str = "False") -> _Val:
        """``.A.B.C`` (on dot, a variable or a parenthesised pipeline); the last may be a method.

        ``iface``: whether Go sees the receiver as an interface{} (for error texts); the
        receivers after it are judged from the one that held them."""
        if receiver is None:
            self.at(node)
            receiver = _Val(self.dot)
            iface = self.dot_iface
        elif not receiver.expr.isidentifier():  # a literal: ``(1).X`` would read as a float
            out = self.new()
            self.emit(f"{out} = {receiver.expr}", pure=True)
            receiver = _Val(out, receiver.static)
        value = receiver
        held = f", {iface}" if iface != "False" else ""
        for name in names[:-1]:
            previous = value
            value = self.gen_field(node, name, value, held)
            held = f", False, {previous.expr}, {self.const(name)}"
        last = names[-1]
        if len(args) > 1 or final is not None:
            return self.gen_method(node, last, value, args[1:], final, held)
        return self.gen_field(node, last, value, held)

    def gen_field(self, node: Node, name: str, receiver: _Val, held: str = "") -> _Val:
        """``receiver.name`` without arguments: struct fields and string map keys inline."""
        out = self.new()
        r = receiver.expr
        general = f"field(st, {self.dot}, {self.const(node)}, {self.const(name)}, {r}, None, MISSING, False{held})"
        if not name.isidentifier() or keyword.iskeyword(name):
            self.emit(f"{out} = {general}")
            self.unknown_node()
            return _Val(out)
        found = self._field_classes.get(name)
        if found is None:
            found = self._field_classes[name] = _plain_field_classes(name)
        plain, wrapped = found
        kind = self.new()
        self.emit(f"{kind} = type({r})", pure=True)
        self.emit(f"if {kind} is dict: {out} = {r}.get({name!r}, MISSING)")
        if plain:
            self.emit(f"elif {kind} in {self.const(plain)}: {out} = {r}.{name}")
        if wrapped:
            self.emit(f"elif {kind} in {self.const(wrapped)}: {out} = Addr({r}.{name})")
        self.emit(f"else: {out} = {general}")
        self.unknown_node()
        return _Val(out)

    def gen_method(self, node: Node, name: str, receiver: _Val, args: list[Node], final: _Val | None,
                   held: str = "") -> _Val:
        """``receiver.name arg...``: which method it is, and so how its arguments convert, is
        known at run time only; the arguments are evaluated by thunks when the call needs them."""
        thunks = [self.gen_thunk(arg) if isinstance(arg, (FieldNode, VariableNode, PipeNode, IdentifierNode,
                                                          ChainNode)) else "None" for arg in args]
        site = self.new()
        self.emit(f"{site} = MethodSite({self.const(node)}, {self.const(name)}, {self.const(tuple(args))}, "
                  f"({''.join(t + ', ' for t in thunks)}), {final is not None})")
        out = self.new()
        final_expr = final.expr if final is not None else "MISSING"
        self.emit(f"{out} = field(st, {self.dot}, {self.const(node)}, {self.const(name)}, {receiver.expr}, "
                  f"{site}, {final_expr}, True{held})")
        self.unknown_node()
        return _Val(out)

    def gen_thunk(self, node: Node) -> str:
        """A nested function evaluating ``node`` as it is (a method argument)."""
        return self.nested_function(lambda: self.gen_raw(node).expr)

    def nested_function(self, body: Callable[[], str]) -> str:
        """A nested ``def NAME(st, dot)`` whose body ``body()`` writes, returning what it gives.

        It is defined at the top of the template's function (its closures see the template's
        locals); Go variables it assigns are ``nonlocal`` there."""
        self.n_defs += 1
        name = f"f{self.n_defs}"
        saved = (self.lines, self.indent, self.dot, self.cur_node, self.fn, self.loop_depth, self.sp, self.unit_exit)
        fn = self.fn = _Function()
        self.lines = fn.lines
        self.unit_exit = ""
        self.indent = 2
        self.sp = 0
        self.dot = "dot"
        self.cur_node = None
        self.last_store = None
        self.loop_depth = 0
        self.emit(f"return {body()}")
        self.lines, self.indent, self.dot, self.cur_node, self.fn, self.loop_depth, self.sp, self.unit_exit = saved
        self.last_store = None
        self.defs.append((f"    def {name}(st, dot):", None))
        if fn.assigned:
            self.defs.append(("        nonlocal " + ", ".join(sorted(fn.assigned)), None))
            self.nested_assigned |= fn.assigned
        self.defs.extend(fn.lines)
        return name

    def gen_unit(self, body: ListNode) -> None:
        """A long list as functions compiled on their own (see :meth:`generate`), cut between
        its actions into pieces of at most ``_CHUNK_LINES`` or so, called in turn.  The
        variables a piece uses go in through a dict, those it assigns come back through it;
        ``break``/``continue`` come back as its result (1, 2)."""
        live = self.live_locals()
        saved = (self.lines, self.defs, self.indent, self.dot, self.cur_node, self.fn, self.loop_depth, self.sp,
                 self.nested_assigned, self.unit_exit)
        self.indent, self.dot, self.fn, self.loop_depth, self.sp, self.nested_assigned = 1, "dot", None, 0, 0, set()
        self.n_units += 1
        exit_mark = self.unit_exit = f"@exit{self.n_units}@"  # stores before a return, known at the end
        pieces = []
        for child in body.nodes:
            self.lines, self.defs, self.last_store = [], [], None
            pieces.append((self.lines, self.defs, self.live_locals()))
            self.gen_node(child)
        live_at_end = self.live_locals()
        (self.lines, self.defs, self.indent, self.dot, self.cur_node, self.fn, self.loop_depth, self.sp,
         self.nested_assigned, self.unit_exit) = saved
        self.last_store = None
        calls = []
        groups = _groups(pieces)
        for index, group in enumerate(groups):
            self.n_units += 1
            name = f"unit{self.n_units}"
            after = groups[index + 1][0][2] if index + 1 < len(groups) else live_at_end
            lines = [line for piece in group for line in piece[1]] + [line for piece in group for line in piece[0]]
            used, assigned, nonlocal_ = _variables(lines)
            loads = [local for local in group[0][2] if local in used]
            back = [local for local in live if local in assigned]
            store = "".join(f"U[{local!r}] = {local}; " for local in back)
            lines = [(text.replace(exit_mark, store), call) for text, call in lines]
            head = [(f"def {name}(st, dot, U):", None), ("    w = st.write", None)]
            head += [(f"    {local} = U[{local!r}]", None) for local in loads]
            head += [(f"    {local} = MISSING", None) for local in sorted(nonlocal_ - set(loads))]
            tail = [(f"    U[{local!r}] = {local}", None) for local in after if local in assigned]
            self.unit_sources.append(self._source([*head, *lines, *tail, ("    return 0", None)]))
            calls.append((name, loads, back))
        shared, result = self.new(), self.new()
        given = [local for local in live if any(local in loads for _, loads, _ in calls)]
        self.emit(f"{shared} = {{{', '.join(f'{local!r}: {local}' for local in given)}}}")
        for name, _, back in calls:
            self.emit(f"{result} = {name}(st, {self.dot}, {shared})")
            for local in back:
                self.emit(f"{local} = {shared}[{local!r}]", pure=True)
            self.pass_on(result, self.loop_depth)
        self.unknown_node()

    def gen_raw(self, node: Node) -> _Val:
        """``node`` evaluated as an argument of no particular type."""
        if isinstance(node, FieldNode):
            return self.gen_field_chain(node, None, node.ident, [node], None)
        if isinstance(node, VariableNode):
            return self.gen_variable(node, [node], None)
        if isinstance(node, PipeNode):
            return self.gen_pipeline(node)
        if isinstance(node, IdentifierNode):
            return self.gen_function(node, node, [], None)
        if isinstance(node, ChainNode):
            return self.gen_chain(node, [node], None)
        raise AssertionError(node)  # pragma: no cover

    # -- function calls -------------------------------------------------------------

    def gen_function(self, ident: IdentifierNode, call_node: Node, args: list[Node], final: _Val | None) -> _Val:
        name = ident.name
        fn = self.funcs.get(name)
        builtin = fn is None
        if fn is None:
            fn = self.builtins[name]
        self.at(ident)
        params, variadic = fn.params, fn.variadic
        n_in = len(args) + (final is not None)
        if variadic is not None and n_in < len(params):
            self.fail(f"wrong number of args for {name}: want at least {len(params)} got {len(args)}")
            return _MISSING_VAL
        if variadic is None and n_in != len(params):
            self.fail(f"wrong number of args for {name}: want {len(params)} got {n_in}")
            return _MISSING_VAL
        types = [params[i] if i < len(params) else variadic for i in range(n_in)]
        if builtin and name in ("and", "or"):
            return self.gen_and_or(name == "or", args, final, types)
        special = _SPECIAL.get(fn.call)
        if special is not None:
            value = special(self, _Call(fn, name, call_node, args, final, types))
            if value is not None:
                return value
        argv = [self.gen_arg(node, t) for node, t in zip(args, types)]
        if final is not None:
            argv.append(self.convert(final, types[-1]))
        texts = [v.expr for v in argv]
        if builtin and name == "call":  # None: the function comes piped, unnamed
            texts.insert(0, self.const(str(args[0])) if args else "None")
        if fn.needs_state:
            texts.insert(0, "st")
        out = self.new()
        if fn.memo and texts and all(v.constant for v in argv):
            # Constant arguments (``exists "/etc/nginx/vhost.d/default"`` in a loop): asked once
            # per render.  Others are usually all different: remembering them would cost memory.
            key = self.const((fn.call, *(v.expr for v in argv)))
            self.emit(f"{out} = st.memo.get({key}, st)")
            self.emit(f"if {out} is st: {out} = st.memo[{key}] = {self.const(fn.call)}({', '.join(texts)})",
                      (call_node, name))
        elif fn.call in _container_functions():  # answers remembered across a watcher's renders
            call = f"{self.const(fn.call)}({', '.join(texts)})"
            remembered = f"st.calls.function({self.const(fn.call)}, ({''.join(text + ', ' for text in texts)}))"
            self.emit(f"{out} = {call} if st.calls is None else {remembered}", (call_node, name))
        else:
            self.emit(f"{out} = {self.const(fn.call)}({', '.join(texts)})", (call_node, name))
        if fn.memo and not fn.needs_state:  # a remembered template call holds while these answers do
            asked = f"({self.const(fn.call)}, ({''.join(text + ', ' for text in texts)}), {out})"
            self.emit(f"if st.reads is not None: st.reads.append({asked})", pure=True)
        if fn.result.kind == "interface":
            self.emit(f"if {out} is None: {out} = MISSING", pure=True)
        return _Val(out, _RESULT.get(id(fn.result)), plain=True)

    def gen_and_or(self, want: bool, args: list[Node], final: _Val | None, types: list[GoType]) -> _Val:
        """``and``/``or``: arguments evaluated one by one, up to the first that decides."""
        out = self.new()
        self.emit(f"{out} = MISSING", pure=True)
        opened = 0
        steps: list[tuple[Node | None, GoType]] = [(node, t) for node, t in zip(args, types)]
        if final is not None:
            steps.append((None, types[-1]))
        looped = len(steps) > _MAX_LAZY  # a loop left at the deciding argument, rather than deep ifs
        if looped:
            self.emit("while True:")
            self.indent += 1
        for i, (node, t) in enumerate(steps):
            value = self.gen_arg(node, t) if node is not None else self.convert(final, t)  # type: ignore[arg-type]
            self.emit(f"{out} = {value.expr}", pure=True)
            if i < len(steps) - 1 and node is not None:
                test = self.truth_test(_Val(out, value.static))
                if looped:
                    self.emit(f"if not {test}: break" if not want else f"if {test}: break")
                    self.unknown_node()
                else:
                    self.emit(f"if {test}:" if not want else f"if not {test}:")
                    self.indent += 1
                    opened += 1
        if looped:
            self.emit("break")
            self.indent -= 1
        self.indent -= opened
        self.last_store = None
        self.unknown_node()
        return _Val(out)

    # -- specialised calls -----------------------------------------------------------

    def operands(self, call: "_Call") -> list[_Val]:
        """The arguments as they are (piped value last), for a call whose parameters take any
        value: a guard tests their Python types, the general call converts them."""
        values = [self.gen_arg(node, None) for node in call.args]
        return values + ([call.final] if call.final is not None else [])

    def general_call(self, call: "_Call", values: list[_Val], out: str) -> None:
        """``out = fn(values...)`` with Go's conversions, which cannot fail for these types."""
        texts = []
        for value, t in zip(values, call.types):
            if t is VALUE or t is ANY:
                texts.append(self.convert(value, t).expr if t is VALUE else self.to_any(value).expr)
            else:
                assert value.static is _EXACT.get(id(t)), (call.name, t)  # constants checked at compile time
                texts.append(value.expr)
        self.emit(f"{out} = {self.const(call.fn.call)}({', '.join(texts)})", (call.node, call.name))

    def guarded(self, call: "_Call", values: list[_Val], guard: str, fast: str, static: type | None = None) -> _Val:
        """``fast`` when ``guard`` holds (it gives what the function would), else the call."""
        out = self.new()
        if guard == "True":
            self.emit(f"{out} = {fast}", pure=True)
        elif guard == "False":
            self.general_call(call, values, out)
            static = _RESULT.get(id(call.fn.result))
        else:
            self.emit(f"if {guard}: {out} = {fast}")
            self.emit("else:")
            with self.block():
                self.general_call(call, values, out)
        # A nil interface{} result (index's too: a reflect.Value of one) is "no value" to the next command.
        if (call.fn.result.kind == "interface" or call.fn.result is VALUE) and static is None:
            self.emit(f"if {out} is None: {out} = MISSING", pure=True)
        return _Val(out, static, plain=True)

    def to_any(self, value: _Val) -> _Val:
        """An ``interface{}`` parameter's value: missing is nil, a struct is copied out of Addr."""
        if value.static is not None or value.expr in ("None", "MISSING"):
            return _Val("None") if value.expr == "MISSING" else value
        out = self.new()
        if value.plain:
            self.emit(f"{out} = None if {value.expr} is MISSING else {value.expr}", pure=True)
        else:
            self.emit(f"{out} = None if {value.expr} is MISSING else "
                      f"{value.expr}.value if type({value.expr}) is Addr else {value.expr}", pure=True)
        return _Val(out)

    # -- arguments ---------------------------------------------------------------

    def gen_arg(self, node: Node, t: GoType | None) -> _Val:
        """Evaluate ``node`` as an argument of parameter type ``t`` (None: as it is)."""
        if isinstance(node, DotNode):
            self.at(node)
            if t is None:
                return _Val(self.dot)
            if t is ANY:  # an interface{} parameter gets nil for a missing dot
                return self.to_any(_Val(self.dot))
            return self.convert(_Val(self.dot), t)
        if isinstance(node, NilNode):
            self.at(node)
            if t is None or can_be_nil(t):
                return self.literal(zero_of(t) if t is not None else None)
            self.fail(f"cannot assign nil to {t}")
            return _MISSING_VAL
        if isinstance(node, (FieldNode, VariableNode, PipeNode, IdentifierNode, ChainNode)):
            self.at(node)
            value = self.gen_raw(node)
            if t is None:
                return value
            if t is ANY:
                return self.to_any(value)
            return self.convert(value, t)
        constant = _constant(node, ANY if t is None else t)
        self.at(node)
        if isinstance(constant, _Failing):
            self.fail(constant.message)
            return _MISSING_VAL
        return self.literal(constant)

    def convert(self, value: _Val, t: GoType) -> _Val:
        """Go's validateType: ``value`` made to fit parameter type ``t``, or Go's error."""
        if t is VALUE:
            if value.static is not None or value.plain:
                return value
            out = self.new()
            self.emit(f"{out} = {value.expr}.value if type({value.expr}) is Addr else {value.expr}", pure=True)
            return _Val(out)
        exact = _EXACT.get(id(t))
        if exact is not None and value.static is exact:
            return value
        out = self.new()
        general = f"validate(st, {value.expr}, {self.const(t)})"
        if exact is not None:
            self.emit(f"{out} = {value.expr} if type({value.expr}) is {exact.__name__} else {general}")
            return _Val(out, exact)
        self.emit(f"{out} = {general}")
        return _Val(out)

    # -- the function -------------------------------------------------------------

    def generate(self) -> list[str]:
        """The Python sources: one, or for a long template several compiled one by one.

        Compiling a function of thousands of lines takes megabytes that the C allocator keeps
        afterwards; so a long template is cut between its top-level actions into functions of
        at most ``_CHUNK_LINES`` or so, run in turn by ``render``.  The variables live across
        the cut pass through a dict (loaded at a piece's start, stored at its end)."""
        pieces = []
        for node in self.tree.root.nodes if self.tree.root is not None else []:
            live = self.live_locals()
            self.lines, self.defs, self.last_store = [], [], None
            self.gen_node(node)
            pieces.append((self.lines, self.defs, live))
        if sum(len(lines) + len(defs) for lines, defs, _ in pieces) <= _CHUNK_LINES:
            lines = [line for piece in pieces for line in piece[0]]
            defs = [line for piece in pieces for line in piece[1]]
            head = [("def render(st, dot):", None), ("    w = st.write", None), ("    v0 = dot", None)]
            # A variable a nested function assigns must be bound in the template's function.
            head += [(f"    {local} = MISSING", None) for local in sorted(self.nested_assigned - {"v0"})]
            return [*self.unit_sources, self._source([*head, *defs, *lines, ("    return None", None)])]
        chunks = _groups(pieces)
        live_at_end = self.live_locals()
        sources = self.unit_sources
        for index, chunk in enumerate(chunks):
            after = chunks[index + 1][0][2] if index + 1 < len(chunks) else live_at_end
            body = [line for piece in chunk for line in piece[1]] + [line for piece in chunk for line in piece[0]]
            used, assigned, nonlocal_ = _variables(body)
            loads = [local for local in chunk[0][2] if local in used]
            head = [(f"def render{index}(st, dot, V):", None), ("    w = st.write", None)]
            head += [(f"    {local} = V[{local!r}]", None) for local in loads]
            head += [(f"    {local} = MISSING", None) for local in sorted(nonlocal_ - set(loads))]
            tail = [(f"    V[{local!r}] = {local}", None) for local in after if local in assigned]
            sources.append(self._source([*head, *body, *tail, ("    return None", None)]))
        calls = "".join(f"    render{index}(st, dot, V)\n" for index in range(len(chunks)))
        sources.append(f"def render(st, dot):\n    V = {{'v0': dot}}\n{calls}    return None\n")
        self.calls_by_source.append({})
        return sources

    def _source(self, lines: list[tuple[str, tuple[Node, str] | None]]) -> str:
        self.calls_by_source.append({number: call for number, (_, call) in enumerate(lines, 1) if call is not None})
        return "\n".join(text for text, _ in lines) + "\n"


# A literal (template text), never spanning lines: the lines are searched joined, as one text.
_STRING = re.compile(r"'[^'\\\n]*(?:\\.[^'\\\n]*)*'|\"[^\"\\\n]*(?:\\.[^\"\\\n]*)*\"")
# The locals' names, and an assignment to one: patterns that start with a letter, which re finds
# fast (four times faster than ``\b[vq]\d+\b``); whether a match is a whole word is checked apart.
_LOCALS = (re.compile(r"v\d+"), re.compile(r"q\d+"))
_ASSIGNED = re.compile(r"v\d+ = ")
_NONLOCAL = re.compile(r"^[ \t]*nonlocal (.*)$", re.MULTILINE)


def _words(pattern: re.Pattern[str], text: str, trailing: int = 0) -> set[str]:
    """The matches of ``pattern`` in ``text`` that start a word and, but for their last
    ``trailing`` characters, end one."""
    found = set()
    end = len(text)
    for match in pattern.finditer(text):
        start, stop = match.span()
        stop -= trailing
        before = text[start - 1] if start else " "
        after = text[stop] if stop < end else " "
        if not (before.isalnum() or before == "_" or after.isalnum() or after == "_"):
            found.add(text[start:stop])
    return found


def _subtree(root: Node | None) -> Iterator[Node]:
    """Every node of ``root``'s subtree down to the commands' arguments (lists, branches,
    actions, pipelines, commands, chains and what they hold), depth first, each when reached:
    a caller that stops early walks no further."""
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        yield node
        if isinstance(node, ListNode):
            stack.extend(node.nodes)
        elif isinstance(node, (ActionNode, TemplateNode)):
            stack.append(node.pipe)
        elif isinstance(node, (IfNode, WithNode, RangeNode)):
            stack.extend((node.pipe, node.list, node.else_list))
        elif isinstance(node, PipeNode):
            stack.extend(node.cmds)
        elif isinstance(node, CommandNode):
            stack.extend(node.args)
        elif isinstance(node, ChainNode):
            stack.append(node.node)


def _reassigned(root: Node | None) -> frozenset[str]:
    """The names of the variables some ``=`` in ``root`` assigns."""
    return frozenset(variable.ident[0] for node in _subtree(root)
                     if isinstance(node, PipeNode) and node.is_assign for variable in node.decl)


def _referenced(root: Node | None) -> frozenset[str]:
    """The names of the variables ``root`` declares or uses (``$`` included)."""
    names: set[str] = set()
    for node in _subtree(root):
        if isinstance(node, PipeNode):
            names.update(variable.ident[0] for variable in node.decl)
        elif isinstance(node, VariableNode):
            names.add(node.ident[0])
    return frozenset(names)


def _variables(lines: list[tuple[str, Any]]) -> tuple[set[str], set[str], set[str]]:
    """The Go variables' locals some generated lines use, assign, and declare ``nonlocal``
    (the names are ``v`` and a number: nothing else in the code looks like them)."""
    text = _STRING.sub("", "\n".join(line for line, _ in lines))
    nonlocal_ = {name.strip() for found in _NONLOCAL.findall(text) for name in found.split(",")}
    used = _words(_LOCALS[0], text) | _words(_LOCALS[1], text)
    return used, _words(_ASSIGNED, text, trailing=3) | nonlocal_, nonlocal_


def _groups(pieces: list[tuple[list, list, list[str]]]) -> list[list[tuple[list, list, list[str]]]]:
    """Consecutive pieces (lines, nested functions, variables live at their start) grouped
    into about ``_CHUNK_LINES`` lines each (a longer piece alone)."""
    groups: list[list[tuple[list, list, list[str]]]] = [[]]
    size = 0
    for piece in pieces:
        if size and size + len(piece[0]) + len(piece[1]) > _CHUNK_LINES:
            groups.append([])
            size = 0
        groups[-1].append(piece)
        size += len(piece[0]) + len(piece[1])
    return groups


class _Call(NamedTuple):
    """A call being compiled: the function, how the template names it, where, its arguments."""

    fn: Function
    name: str
    node: Node
    args: list[Node]
    final: _Val | None
    types: list[GoType]


# --- specialised calls ---------------------------------------------------------------
# Functions whose common case is a line of Python: a guard on the operands' exact Python
# types, the function's answer for them, and the call itself otherwise.  Each is keyed by
# the function object, so a function map that names something else gets the plain call.
# A handler that has evaluated the operands must compile the call (the guard may be False).


def _all_of(values: list[_Val], t: type) -> str:
    """A guard: every operand is of exact type ``t`` ("False" when one is known not to be)."""
    if any(v.static not in (None, t) for v in values):
        return "False"
    return " and ".join(f"type({v.expr}) is {t.__name__}" for v in values if v.static is not t) or "True"


def _compare(op: str) -> Callable[[_Generator, _Call], _Val | None]:
    def special(gen: _Generator, call: _Call) -> _Val | None:
        if len(call.types) != 2:
            return None
        a, b = values = gen.operands(call)
        known = {a.static, b.static} - {None}
        # Strings compare equal as Python's; Go orders them by their UTF-8 bytes: ints only.
        kind = known.pop() if len(known) == 1 else str if op in ("==", "!=") else int
        guard = _all_of(values, kind) if kind is int or (kind is str and op in ("==", "!=")) else "False"
        return gen.guarded(call, values, guard, f"{a.expr} {op} {b.expr}", bool)
    return special


def _special_not(gen: _Generator, call: _Call) -> _Val:
    (x,) = gen.operands(call)
    out = gen.new()
    gen.emit(f"{out} = not {gen.truth_test(x)}")
    return _Val(out, bool)


def _special_len(gen: _Generator, call: _Call) -> _Val:
    (x,) = values = gen.operands(call)
    guard = "False" if x.static is not None else f"type({x.expr}) is list or type({x.expr}) is dict"
    return gen.guarded(call, values, guard, f"len({x.expr})", int)


def _special_index(gen: _Generator, call: _Call) -> _Val | None:
    if len(call.types) != 2:
        return None
    m, k = values = gen.operands(call)
    guard = "False" if m.static is not None else f"type({m.expr}) is dict"
    key = _all_of([k], str)
    guard = "False" if "False" in (guard, key) else guard if key == "True" else f"{guard} and {key}"
    return gen.guarded(call, values, guard, f"{m.expr}.get({k.expr})")


def _printf_verbs(text: str) -> list[str] | None:
    """The verbs of a format made only of ``%s``, ``%v``, ``%d`` and ``%%`` (None otherwise)."""
    verbs = []
    i = 0
    while True:
        i = text.find("%", i)
        if i < 0:
            return verbs
        verb = text[i + 1:i + 2]
        if verb not in ("s", "v", "d", "%"):
            return None
        if verb != "%":
            verbs.append(verb)
        i += 2


def _special_printf(gen: _Generator, call: _Call) -> _Val | None:
    if not call.args or not isinstance(call.args[0], StringNode):
        return None
    verbs = _printf_verbs(call.args[0].text)
    if verbs is None or len(verbs) != len(call.types) - 1:
        return None
    values = gen.operands(call)
    guards = []
    for verb, value in zip(verbs, values[1:]):
        kind = int if verb == "d" else str if verb == "s" else value.static if value.static in (str, int) else str
        guards.append(_all_of([value], kind))
    guard = "False" if "False" in guards else " and ".join(g for g in guards if g != "True") or "True"
    python_format = call.args[0].text.replace("%v", "%s")
    operands = "".join(v.expr + ", " for v in values[1:])
    return gen.guarded(call, values, guard, f"{gen.const(python_format)} % ({operands})", str)


def _special_first(gen: _Generator, call: _Call) -> _Val:
    (x,) = values = gen.operands(call)
    guard = "False" if x.static is not None else f"isinstance({x.expr}, list)"
    return gen.guarded(call, values, guard, f"{x.expr}[0] if {x.expr} else None")


# Python truth is Go's for these (missing and nil are false both ways).
_PLAIN_TRUTH = frozenset((str, list, dict, bool, int, float, type(None), type(MISSING)))


def _special_default(gen: _Generator, call: _Call) -> _Val | None:
    if len(call.types) != 2:
        return None
    fallback, given = values = gen.operands(call)
    if fallback.static is None:
        guard = "False"
    elif given.static is not None:
        guard = "True"
    else:
        guard = f"type({given.expr}) in {gen.const(_PLAIN_TRUTH)}"
    return gen.guarded(call, values, guard, f"{given.expr} if {given.expr} else {fallback.expr}")


def _converted(gen: _Generator, call: _Call) -> list[str]:
    """The arguments converted as for the call itself (their errors included)."""
    values = [gen.gen_arg(node, t) for node, t in zip(call.args, call.types)]
    if call.final is not None:
        t = call.types[-1]
        values.append(gen.to_any(call.final) if t is ANY else gen.convert(call.final, t))
    return [v.expr for v in values]


def _inline(make: Callable[[list[str]], str], static: type | None = None,
            iface: bool = False) -> Callable[[_Generator, _Call], _Val]:
    """A function that is one expression of its converted arguments (``hasKey``, ``get``...)."""
    def special(gen: _Generator, call: _Call) -> _Val:
        texts = _converted(gen, call)
        out = gen.new()
        gen.emit(f"{out} = {make(texts)}", (call.node, call.name))
        if iface:
            gen.emit(f"if {out} is None: {out} = MISSING", pure=True)
        return _Val(out, static, plain=True)
    return special


def _set_inline(gen: _Generator, call: _Call) -> _Val:
    d, k, v = _converted(gen, call)
    out = gen.new()
    gen.emit(f"if type({d}) is dict: {d}[{k}] = {v}; {out} = {d}")  # a typed or nil map: the call
    gen.emit(f"else: {out} = {gen.const(call.fn.call)}({d}, {k}, {v})", (call.node, call.name))
    return _Val(out, plain=True)


def _dict_inline(gen: _Generator, call: _Call) -> _Val | None:
    if call.final is not None or not all(isinstance(n, StringNode) for n in call.args[0::2]):
        return None
    texts = _converted(gen, call)
    if len(texts) % 2:
        texts.append("''")
    items = ", ".join(f"{texts[i]}: {texts[i + 1]}" for i in range(0, len(texts), 2))
    out = gen.new()
    gen.emit(f"{out} = {{{items}}}", pure=True)
    return _Val(out, plain=True)


_Handler = Callable[[_Generator, _Call], "_Val | None"]


def _builtin_specials() -> dict[Callable[..., Any], _Handler]:
    from . import builtins

    return {
        builtins.eq: _compare("=="), builtins.ne: _compare("!="), builtins.lt: _compare("<"),
        builtins.le: _compare("<="), builtins.gt: _compare(">"), builtins.ge: _compare(">="),
        builtins.not_: _special_not, builtins.len_: _special_len, builtins.index: _special_index,
        builtins.printf: _special_printf,
    }


def _list_specials() -> dict[Callable[..., Any], _Handler]:
    from .sprig import lists

    return {
        lists.FUNCTIONS["first"].call: _special_first,
        lists.FUNCTIONS["list"].call: _inline(lambda a: f"[{', '.join(a)}]"),
    }


def _default_specials() -> dict[Callable[..., Any], _Handler]:
    from .sprig import defaults

    return {
        defaults.default: _special_default,
        defaults.ternary: _inline(lambda a: f"{a[0]} if {a[2]} else {a[1]}", iface=True),
    }


def _dict_specials() -> dict[Callable[..., Any], _Handler]:
    from .sprig import dicts

    return {
        dicts.set_: _set_inline,
        dicts.get: _inline(lambda a: f"{a[0]}[{a[1]}] if {a[1]} in {a[0]} else ''", iface=True),
        dicts.has_key: _inline(lambda a: f"{a[1]} in {a[0]}", bool),
        dicts.dict_: _dict_inline,
    }


class _Specials:
    """The handlers above by function object, each module's taken when a template first
    calls one of its functions (a template that calls none imports none of them)."""

    _BY_MODULE = {
        f"{__package__}.builtins": _builtin_specials, f"{__package__}.sprig.lists": _list_specials,
        f"{__package__}.sprig.defaults": _default_specials, f"{__package__}.sprig.dicts": _dict_specials,
    }

    def __init__(self) -> None:
        self._table: dict[Callable[..., Any], _Handler] = {}
        self._seen: set[str] = set()

    def get(self, call: Callable[..., Any]) -> _Handler | None:
        module = getattr(call, "__module__", "")
        if module not in self._seen:
            self._seen.add(module)
            make = self._BY_MODULE.get(module)
            if make is not None:
                self._table.update(make())
        return self._table.get(call)


_SPECIAL = _Specials()


class _Indent:
    def __init__(self, gen: _Generator) -> None:
        self.gen = gen

    def __enter__(self) -> None:
        self.gen.indent += 1
        self.gen.last_store = None

    def __exit__(self, *exc: object) -> None:
        self.gen.indent -= 1
        self.gen.last_store = None
        self.gen.cur_node = None


def _code_objects(code: CodeType) -> set[CodeType]:
    found = {code}
    for item in code.co_consts:
        if isinstance(item, CodeType):
            found |= _code_objects(item)
    return found


class Program(NamedTuple):
    """One tree's generated Python: everything a run needs besides the run-time helpers, and
    what the disk cache keeps (:mod:`.cache`) so that a later process neither generates nor
    compiles it again."""

    sources: list[str]  # the functions' source: the template's, and its units (see generate)
    calls: list[dict[int, tuple[Node, str]]]  # per source: line -> (node, function name) of a call
    consts: dict[str, Any]  # the constants the code names (_k0, _k1...): nodes, functions, types...
    codes: list[CodeType | None]  # each source compiled, once it was (a unit: when it first ran)


# The run-time helpers every generated module names.
_RUNTIME: dict[str, Any] = {
    "MISSING": MISSING, "Addr": Addr, "truth": truth, "validate": validate, "field": field,
    "printable": printable, "range_items": range_items, "find_template": find_template,
    "run_template": run_template, "MethodSite": MethodSite, "Fail": Fail,
}


def generate(tree: Tree, funcs: Mapping[str, Function], builtins: dict[str, Function]) -> Program:
    """The Python for one tree, not compiled yet."""
    gen = _Generator(tree, funcs, builtins)
    sources = gen.generate()
    return Program(sources, gen.calls_by_source, gen.consts, [None] * len(sources))


def compile_tree(tree: Tree, funcs: Mapping[str, Function], builtins: dict[str, Function],
                 program: Program | None = None) -> Compiled:
    """One tree as a :class:`Compiled` whose Python is made when it first runs (``program``:
    already generated, e.g. read from the disk cache)."""
    if program is not None:
        return Compiled(tree, build=lambda: (_link(tree, program), program))

    def build() -> tuple[Callable[[State, Any], None], Program]:
        made = generate(tree, funcs, builtins)
        return _link(tree, made), made
    return Compiled(tree, build=build)


def _link(tree: Tree, program: Program) -> Callable[[State, Any], None]:
    """The run function of a program: its code executed in a namespace of its own."""
    sources, codes = program.sources, program.codes
    namespace = {**_RUNTIME, **program.consts}
    calls: dict[tuple[str, int], tuple[Node, str]] = {}
    seen: set[CodeType] = set()

    def load(index: int) -> None:
        code = codes[index]
        if code is None:
            filename = f"<template {tree.name!r} of {tree.parse_name}" + (f", part {index}>" if len(sources) > 1 else ">")
            code = codes[index] = compile(sources[index], filename, "exec")
        exec(code, namespace)  # noqa: S102 - our own generated code
        seen.update(_code_objects(code))
        calls.update(((code.co_filename, line), call) for line, call in program.calls[index].items())

    def later(index: int, name: str) -> Callable[..., Any]:
        def first_call(*args: Any) -> Any:
            load(index)  # replaces this stub in the namespace
            return namespace[name](*args)
        return first_call

    # Long bodies are compiled when first run: a branch a render never takes costs nothing.
    for index, source in enumerate(sources):
        if source.startswith("def unit"):
            name = source[4:source.index("(")]
            namespace[name] = later(index, name)
        else:
            load(index)
    body: Callable[[State, Any], None] = namespace["render"]

    def run(st: State, dot: Any) -> None:
        saved = st.tree
        st.tree = tree
        try:
            body(st, dot)
        except (Fail, RecursionError):
            raise
        except Exception as exc:
            failure = _call_failure(st, exc, seen, calls)
            if failure is None:
                raise
            raise failure from None
        st.tree = saved

    return run


def _call_failure(st: State, exc: Exception, codes: set[CodeType],
                  calls: dict[tuple[str, int], tuple[Node, str]]) -> Fail | None:
    """Go's ``error calling NAME`` for an exception a called function raised, found from the
    line of the generated code it came through; None for anything else."""
    where = None
    tb: TracebackType | None = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code in codes:
            where = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    info = calls.get(where) if where is not None else None
    if info is None:
        return None
    return call_failed(st, info[0], info[1], exc)
