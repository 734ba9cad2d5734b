"""Parse trees to Python closures, and the execution state they run on.

Each node is compiled once into a closure; rendering calls the closures and
never re-inspects the tree.  What can be decided at compile time is: function
lookup, argument conversion of constants (``repeat 3.0 "x"``), whether a
command receives a piped value, the shape of every field chain.  What Go
decides from run-time types (field vs method vs map key, assignability of a
value to a parameter) is decided at run time, as Go does.

Go reports an execution error at "the node being evaluated" (``at <.Nope>``);
the closures record that node in ``State.node`` at the same points as Go's
executor, so the messages match (spec §7).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..limits import check_items
from .errors import GoError
from .deepcall import CHECK_EVERY, needs_fresh_stack, run_on_fresh_stack
from .fmt import action_text, format_indirect, format_v
from .funcs import Function
from .nodes import (
    ActionNode, BoolNode, BreakNode, ChainNode, CommandNode, ContinueNode, DotNode, FieldNode,
    IdentifierNode, IfNode, ListNode, NilNode, Node, NumberNode, PipeNode, RangeNode, StringNode,
    TemplateNode, TextNode, VariableNode, WithNode,
)
from .parser import Tree
from .values import (
    ANY, FLOAT_KINDS, INT_CLASSES, INT_KINDS, MISSING, STRING, UINT_KINDS, VALUE, Addr, Float32, GoMap, GoType,
    Method, NilPointer, Pointer, Uint8, can_be_nil, methods_of, nil_map, nil_slice, struct_info, truth, typeof,
)

__all__ = ["State", "Compiled", "compile_tree", "MAX_DEPTH"]

MAX_DEPTH = 100000
Eval = Callable[["State", Any], Any]


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class Fail(Exception):
    """An execution error raised inside the closures; becomes :class:`ExecError`."""

    def __init__(self, message: str, node: Node | None, tree: Tree | None, item: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.node = node
        self.tree = tree
        self.item = item  # the innermost container being ranged over, to blame
        self.field_error: tuple[str, str] | None = None  # (format, field) when the receiver's type is named


class Compiled:
    """A compiled tree: ``run(state, dot)`` writes its output into the state."""

    __slots__ = ("tree", "run")

    def __init__(self, tree: Tree, run: Callable[["State", Any], None]) -> None:
        self.tree = tree
        self.run = run


class State:
    """What one execution carries: output, variables, depth, the node being evaluated."""

    __slots__ = ("out", "vars", "node", "tree", "templates", "depth", "write", "root_name", "item", "iface_dot")

    def __init__(self, templates: dict[str, Compiled], tree: Tree, data: Any) -> None:
        self.out: list[str] = []
        self.write = self.out.append
        self.vars: list[list[Any]] = [["$", data]]
        self.node: Node | None = None
        self.tree = tree
        self.templates = templates
        self.depth = 0
        self.root_name = ""  # the set's name, which ``eval`` errors report
        self.item: Any = None  # the innermost pointer-natured struct (container) a range is on
        self.iface_dot = False  # dot is an element of an interface{} collection (Go names its type so)
    # -- errors ------------------------------------------------------------------

    def fail(self, message: str) -> Fail:
        return Fail(message, self.node, self.tree, self.item)

    # -- variables ---------------------------------------------------------------

    def var_at(self, slot: int, name: str) -> Any:
        """The variable the parser placed at ``slot`` (checked), else by name as Go looks it up."""
        variables = self.vars
        if 0 <= slot < len(variables):
            entry = variables[slot]
            if entry[0] == name:
                return entry[1]
        return self.var(name)

    def set_var_at(self, slot: int, name: str, value: Any) -> None:
        variables = self.vars
        if 0 <= slot < len(variables):
            entry = variables[slot]
            if entry[0] == name:
                entry[1] = value
                return
        self.set_var(name, value)

    def var(self, name: str) -> Any:
        for entry in reversed(self.vars):
            if entry[0] == name:
                return entry[1]
        raise self.fail(f"undefined variable: {name}")

    def set_var(self, name: str, value: Any) -> None:
        for entry in reversed(self.vars):
            if entry[0] == name:
                entry[1] = value
                return
        raise self.fail(f"undefined variable: {name}")

    # -- used by functions declared with needs_state -------------------------------

    def execute_named(self, name: str, data: Any) -> str:
        """Run template ``name`` with ``data`` into a string (docker-gen's ``eval``)."""
        compiled = self.templates.get(name)
        if compiled is None:
            raise GoError(f'template: no template "{name}" associated with template "{self.root_name}"')
        sub = State(self.templates, compiled.tree, data)
        sub.depth = self.depth + 1
        sub.root_name = self.root_name
        try:
            compiled.run(sub, data)
        except Fail as exc:
            raise GoError(format_fail(exc)) from None
        return "".join(sub.out)


def format_fail(exc: Fail) -> str:
    """Go's execution error text for a failure at ``exc.node`` in ``exc.tree``."""
    tree = exc.tree
    name = tree.name if tree is not None else ""
    if exc.node is None or tree is None:
        return f"template: {name}: {exc.message}"
    line, col = position(tree, exc.node.pos)
    return f'template: {tree.parse_name}:{line}:{col}: executing "{name}" at <{exc.node}>: {exc.message}'


def position(tree: Tree, pos: int) -> tuple[int, int]:
    """1-based line and 0-based byte column of byte offset ``pos`` in the tree's source."""
    data = tree.source.encode("utf-8", "surrogateescape") if not tree.source.isascii() else tree.source
    head = data[:pos]
    newline = "\n" if isinstance(head, str) else b"\n"
    last = head.rfind(newline)
    col = pos if last < 0 else pos - last - 1
    return head.count(newline) + 1, col


# --- argument conversion (spec §4.7) ---------------------------------------------


def zero_of(t: GoType) -> Any:
    """The zero value of a nilable type, as a missing argument becomes."""
    if t is VALUE:
        return MISSING
    kind = t.kind
    if kind == "interface":
        return None
    if kind == "map":
        return nil_map(t.key, t.elem)  # type: ignore[arg-type]
    if kind == "slice":
        return nil_slice(t.elem)  # type: ignore[arg-type]
    if kind == "ptr":
        return NilPointer(t)
    return None


def validate(st: State, value: Any, t: GoType) -> Any:
    """Go's ``validateType``: make ``value`` fit parameter type ``t`` or fail as Go does."""
    if t is VALUE:
        return value.value if type(value) is Addr else value
    if value is MISSING:
        if can_be_nil(t):
            return zero_of(t)
        raise st.fail(f"invalid value; expected {t}")
    if type(value) is Addr:
        if t.kind == "ptr" and t.elem is typeof(value.value):
            return value.value
        value = value.value
    if t is ANY:
        return value
    vt = typeof(value)
    if vt is t:
        return value
    if vt is None:
        raise st.fail(f"wrong type for value; expected {t}; got interface {{}}")
    if vt.kind == "ptr":
        if vt.elem is t:  # one dereference
            if isinstance(value, NilPointer):
                raise st.fail(f"dereference of nil pointer of type {t}")
            return value.target if isinstance(value, Pointer) else value
    if t.kind == "interface" and t.name == "error":
        raise st.fail(f"wrong type for value; expected {t}; got {vt}")
    if _same_underlying(vt, t):
        return value
    raise st.fail(f"wrong type for value; expected {t}; got {vt}")


def _same_underlying(a: GoType, b: GoType) -> bool:
    # Go: assignable when the types are identical or one is unnamed with the same underlying type.
    if a.kind != b.kind or a.kind not in ("slice", "map"):
        return False
    a_named = not a.name.startswith(("[", "map["))
    b_named = not b.name.startswith(("[", "map["))
    if a_named and b_named:
        return False
    return a.elem is b.elem and a.key is b.key


def ideal(st: State, node: NumberNode) -> Any:
    """A numeric constant whose type is free: complex, float64 or int by its spelling."""
    st.node = node
    text = node.text
    if node.is_complex:
        return node.complex_value
    hex_int = len(text) > 2 and text[0] == "0" and text[1] in "xX" and not any(c in text for c in "pP")
    if node.is_float and not hex_int and text[0] != "'" and any(c in text for c in ".eEpP"):
        return node.float_value
    if node.is_int:
        return node.int_value
    if node.is_uint:
        raise st.fail(f"{text} overflows int")
    return MISSING


def constant_arg(node: Node, t: GoType) -> Eval:
    """An argument written as a constant, converted to ``t`` (errors still at run time)."""
    kind = t.kind
    text = str(node)

    def failing(message: str) -> Eval:
        def ev(st: State, dot: Any) -> Any:
            st.node = node
            raise st.fail(message)
        return ev

    def const(value: Any) -> Eval:
        def ev(st: State, dot: Any) -> Any:
            st.node = node
            return value
        return ev

    if t is ANY or t is VALUE or (kind == "interface" and t.name == "interface {}"):
        if isinstance(node, BoolNode):
            return const(node.value)
        if isinstance(node, StringNode):
            return const(node.text)
        if isinstance(node, NumberNode):
            return lambda st, dot: ideal(st, node)
    elif kind == "bool":
        return const(node.value) if isinstance(node, BoolNode) else failing(f"expected bool; found {text}")
    elif kind in INT_KINDS:
        if isinstance(node, NumberNode) and node.is_int:
            ctor = INT_CLASSES[kind] if t.name == kind else None
            value = ctor(node.int_value) if ctor else _named_int(t, node.int_value)
            return const(value)
        return failing(f"expected integer; found {text}")
    elif kind in UINT_KINDS:
        if isinstance(node, NumberNode) and node.is_uint:
            return const(INT_CLASSES[kind](node.uint_value))
        return failing(f"expected unsigned integer; found {text}")
    elif kind in FLOAT_KINDS:
        if isinstance(node, NumberNode) and node.is_float:
            return const(Float32(node.float_value) if kind == "float32" else node.float_value)
        return failing(f"expected float; found {text}")
    elif kind in ("complex64", "complex128"):
        if isinstance(node, NumberNode) and node.is_complex:
            return const(node.complex_value)
        return failing(f"expected complex; found {text}")
    elif kind == "string":
        if isinstance(node, StringNode):
            return const(node.text)
        return failing(f"expected string; found {text}")
    return failing(f"can't handle {text} for arg of type {t}")


def _named_int(t: GoType, value: int) -> Any:
    from .values import Duration

    if t.name == "time.Duration":
        return Duration(value)
    return INT_CLASSES.get(t.kind, int)(value)


# --- the compiler -----------------------------------------------------------------


class _Compiler:
    def __init__(self, tree: Tree, funcs: dict[str, Function], builtins: dict[str, Function]) -> None:
        self.tree = tree
        self.funcs = funcs
        self.builtins = builtins

    # -- statements ------------------------------------------------------------

    def list(self, node: ListNode | None) -> Callable[[State, Any], None]:
        if node is None:
            return lambda st, dot: None
        steps = [self.node(n) for n in node.nodes]
        if not steps:
            return lambda st, dot: None
        if len(steps) == 1:
            return steps[0]

        def run(st: State, dot: Any) -> None:
            for step in steps:
                step(st, dot)
        return run

    def node(self, node: Node) -> Callable[[State, Any], None]:
        if isinstance(node, TextNode):
            text = node.text

            def run_text(st: State, dot: Any) -> None:
                st.write(text)
            return run_text
        if isinstance(node, ActionNode):
            return self.action(node)
        if isinstance(node, IfNode):
            return self.if_with(node, with_=False)
        if isinstance(node, WithNode):
            return self.if_with(node, with_=True)
        if isinstance(node, RangeNode):
            return self.range(node)
        if isinstance(node, TemplateNode):
            return self.template(node)
        if isinstance(node, BreakNode):
            def run_break(st: State, dot: Any) -> None:
                raise _Break
            return run_break
        if isinstance(node, ContinueNode):
            def run_continue(st: State, dot: Any) -> None:
                raise _Continue
            return run_continue
        raise AssertionError(f"unknown node {node!r}")  # pragma: no cover

    def action(self, node: ActionNode) -> Callable[[State, Any], None]:
        pipe = self.pipeline(node.pipe)
        if node.pipe.decl:
            def run_decl(st: State, dot: Any) -> None:
                st.node = node
                pipe(st, dot)
            return run_decl

        def run(st: State, dot: Any) -> None:
            st.node = node
            value = pipe(st, dot)
            if type(value) is str:
                st.write(value)
                return
            st.node = node
            st.write(printable(st, node, value))
        return run

    def if_with(self, node: IfNode | WithNode, with_: bool) -> Callable[[State, Any], None]:
        pipe = self.pipeline(node.pipe)
        body = self.list(node.list)
        other = self.list(node.else_list) if node.else_list is not None else None

        def run(st: State, dot: Any) -> None:
            mark = len(st.vars)
            value = pipe(st, dot)
            shown = value.value if type(value) is Addr else value
            if truth(shown):
                if with_:
                    outer_iface = st.iface_dot
                    st.iface_dot = False
                    try:
                        body(st, value)
                    finally:
                        st.iface_dot = outer_iface
                else:
                    body(st, dot)
            elif other is not None:
                other(st, dot)
            del st.vars[mark:]
        return run

    def range(self, node: RangeNode) -> Callable[[State, Any], None]:
        pipe = self.pipeline(node.pipe)
        body = self.list(node.list)
        other = self.list(node.else_list) if node.else_list is not None else None
        decl = [v.ident[0] for v in node.pipe.decl]
        slots = [v.slot for v in node.pipe.decl]
        assign = node.pipe.is_assign

        def iterate(st: State, index: Any, elem: Any, mark: int) -> None:
            if decl:
                if assign:
                    if len(decl) > 1:
                        st.set_var_at(slots[0], decl[0], index)
                        st.set_var_at(slots[1], decl[1], elem)
                    else:
                        st.set_var_at(slots[0], decl[0], elem)
                else:
                    st.vars[-1][1] = elem
                    if len(decl) > 1:
                        st.vars[-2][1] = index
            try:
                body(st, elem)
            except _Continue:
                pass
            del st.vars[mark:]

        def run(st: State, dot: Any) -> None:
            st.node = node
            outer = len(st.vars)
            value = pipe(st, dot)
            if type(value) is Addr:
                value = value.value
            while isinstance(value, Pointer):
                value = value.target
            mark = len(st.vars)
            ran = False
            outer_iface = st.iface_dot
            st.iface_dot = _interface_elements(value)
            if st.iface_dot and decl and not assign:
                st.vars[-1] = _InterfaceVariable(st.vars[-1])
            try:
                if isinstance(value, list):
                    if value:
                        ran = True
                        info = struct_info(value[0])
                        if info is not None and info.pointer:  # containers: remember which one runs
                            outer_item = st.item
                            for i, elem in enumerate(value):
                                st.item = elem
                                iterate(st, i, elem, mark)
                            st.item = outer_item
                        elif info is not None and any(m.pointer_receiver for m in info.methods.values()):
                            for i, elem in enumerate(value):  # slice elements are addressable in Go
                                iterate(st, i, Addr(elem), mark)
                        else:
                            for i, elem in enumerate(value):
                                iterate(st, i, elem, mark)
                elif isinstance(value, dict):
                    if value:
                        ran = True
                        for key in sorted_keys(value):
                            iterate(st, key, value[key], mark)
                elif isinstance(value, bytes):
                    if value:
                        ran = True
                        for i, b in enumerate(value):
                            iterate(st, i, Uint8(b), mark)
                elif isinstance(value, int) and not isinstance(value, bool):
                    if len(decl) > 1:
                        raise st.fail(f"can't use {format_v(value)} to iterate over more than one variable")
                    check_items("range", int(value))  # Go would loop that many times, however many
                    ctor = type(value)
                    for i in range(int(value)):
                        ran = True
                        elem = ctor(i)
                        iterate(st, elem, elem, mark)
                elif value is MISSING:
                    pass
                else:
                    raise st.fail(f"range can't iterate over {format_indirect(value)}")
            except _Break:
                del st.vars[mark:]
            st.iface_dot = outer_iface
            if not ran and other is not None:
                try:
                    other(st, dot)
                except _Break:  # Go's range catches a {{break}} of its own else branch
                    pass
            del st.vars[outer:]
        return run

    def template(self, node: TemplateNode) -> Callable[[State, Any], None]:
        pipe = self.pipeline(node.pipe) if node.pipe is not None else None
        name = node.name

        def run(st: State, dot: Any) -> None:
            st.node = node
            compiled = st.templates.get(name)
            if compiled is None:
                raise st.fail(f'template "{name}" not defined')
            if st.depth >= MAX_DEPTH:
                raise st.fail(f"exceeded maximum template depth ({MAX_DEPTH})")
            value = pipe(st, dot) if pipe is not None else MISSING
            saved = (st.vars, st.tree, st.node, st.iface_dot)
            st.vars = [["$", value]]
            st.tree = compiled.tree
            st.iface_dot = False
            st.depth += 1
            try:
                if st.depth % CHECK_EVERY == 0 and needs_fresh_stack():  # deep recursion: Go allows 100 000
                    run_on_fresh_stack(compiled.run, st, value)
                else:
                    compiled.run(st, value)
            except RecursionError:
                # Python's stack ends long before Go's depth limit: fail the way Go does at its limit.
                st.node = node
                raise st.fail(f"exceeded maximum template depth ({MAX_DEPTH})") from None
            finally:
                st.depth -= 1
            st.vars, st.tree, st.node, st.iface_dot = saved
        return run

    # -- pipelines and commands ---------------------------------------------------

    def pipeline(self, pipe: PipeNode) -> Eval:
        cmds = [self.command(cmd, i > 0) for i, cmd in enumerate(pipe.cmds)]
        decl = [(v.ident[0], v.slot) for v in pipe.decl]
        assign = pipe.is_assign

        if len(cmds) == 1 and not decl:
            only = cmds[0]

            def run_one(st: State, dot: Any) -> Any:
                st.node = pipe
                value = only(st, dot, MISSING)
                return MISSING if value is None else value
            return run_one

        def run(st: State, dot: Any) -> Any:
            st.node = pipe
            value = MISSING
            for cmd in cmds:
                value = cmd(st, dot, value)
                if value is None:
                    value = MISSING
            for name, slot in decl:
                if assign:
                    st.set_var_at(slot, name, value)
                else:
                    st.vars.append([name, value])
            return value
        return run

    def command(self, cmd: CommandNode, has_final: bool) -> Callable[[State, Any, Any], Any]:
        first = cmd.args[0]
        args = cmd.args
        if isinstance(first, FieldNode):
            return self.field_chain(first, None, first.ident, args, has_final)
        if isinstance(first, ChainNode):
            return self.chain(first, args, has_final)
        if isinstance(first, IdentifierNode):
            return self.function(first, cmd, args, has_final)
        if isinstance(first, PipeNode):
            inner = self.pipeline(first)
            check = self.not_a_function(args, has_final)

            def run_pipe(st: State, dot: Any, final: Any) -> Any:
                check(st)
                return inner(st, dot)
            return run_pipe
        if isinstance(first, VariableNode):
            return self.variable(first, args, has_final)
        check = self.not_a_function(args, has_final)
        if isinstance(first, BoolNode):
            value: Any = first.value
        elif isinstance(first, StringNode):
            value = first.text
        elif isinstance(first, DotNode):
            def run_dot(st: State, dot: Any, final: Any) -> Any:
                st.node = first
                check(st)
                return dot
            return run_dot
        elif isinstance(first, NilNode):
            def run_nil(st: State, dot: Any, final: Any) -> Any:
                st.node = first
                check(st)
                raise st.fail("nil is not a command")
            return run_nil
        elif isinstance(first, NumberNode):
            def run_number(st: State, dot: Any, final: Any) -> Any:
                st.node = first
                check(st)
                return ideal(st, first)
            return run_number
        else:  # pragma: no cover - the parser allows nothing else
            raise AssertionError(first)

        def run_const(st: State, dot: Any, final: Any) -> Any:
            st.node = first
            check(st)
            return value
        return run_const

    @staticmethod
    def not_a_function(args: list[Node], has_final: bool) -> Callable[[State], None]:
        if len(args) > 1 or has_final:
            def check(st: State) -> None:
                raise st.fail(f"can't give argument to non-function {args[0]}")
            return check
        return lambda st: None

    def variable(self, node: VariableNode, args: list[Node], has_final: bool) -> Callable[[State, Any, Any], Any]:
        name = node.ident[0]
        slot = node.slot
        if len(node.ident) == 1:
            if len(args) > 1 or has_final:
                check = self.not_a_function(args, has_final)

                def run_var_args(st: State, dot: Any, final: Any) -> Any:
                    st.node = node
                    st.var_at(slot, name)
                    check(st)
                return run_var_args

            def run_var(st: State, dot: Any, final: Any) -> Any:
                st.node = node
                variables = st.vars
                if slot < len(variables):
                    entry = variables[slot]
                    if entry[0] == name:
                        return entry[1]
                return st.var(name)
            return run_var

        def receiver(st: State, dot: Any) -> Any:
            st.node = node
            return st.var_at(slot, name)
        return self.field_chain(node, receiver, node.ident[1:], args, has_final)

    def chain(self, node: ChainNode, args: list[Node], has_final: bool) -> Callable[[State, Any, Any], Any]:
        if isinstance(node.node, NilNode):
            def run_nil(st: State, dot: Any, final: Any) -> Any:
                st.node = node
                raise st.fail(f"indirection through explicit nil in {node}")
            return run_nil
        inner = self.arg(node.node, None)

        def receiver(st: State, dot: Any) -> Any:
            st.node = node
            return inner(st, dot)
        return self.field_chain(node, receiver, node.fields, args, has_final)

    def field_chain(self, node: Node, receiver: Eval | None, names: list[str], args: list[Node],
                    has_final: bool) -> Callable[[State, Any, Any], Any]:
        """``.A.B.C`` (on dot, a variable or a parenthesised pipeline); the last may be a method."""
        head = names[:-1]
        last = names[-1]
        call_site = _CallSite(self, node, last, args[1:], has_final, False)
        has_args = len(args) > 1 or has_final

        def run(st: State, dot: Any, final: Any) -> Any:
            if receiver is None:
                st.node = node
                value = dot
            else:
                value = receiver(st, dot)
            owner: Any = MISSING  # the receiver of the field that gave ``value`` (MISSING: none yet)
            owner_field = ""
            try:
                for name in head:
                    next_value = field(st, dot, node, name, value, None, final=MISSING, has_args=False)
                    owner, owner_field = value, name
                    value = next_value
                return field(st, dot, node, last, value, call_site, final, has_args)
            except Fail as exc:
                if exc.field_error is not None and _interface_typed(st, node, owner, owner_field):
                    form, name = exc.field_error
                    exc.message = form.format(name=name, type="interface {}")
                    exc.args = (exc.message,)
                raise
        return run

    def function(self, ident: IdentifierNode, cmd: Node, args: list[Node],
                 has_final: bool) -> Callable[[State, Any, Any], Any]:
        name = ident.name
        fn = self.funcs.get(name)
        builtin = False
        if fn is None:
            fn = self.builtins[name]
            builtin = True
        call = _CallSite(self, cmd, name, args[1:], has_final, builtin).runner(fn)

        def run(st: State, dot: Any, final: Any) -> Any:
            st.node = ident
            return call(st, dot, None, final)
        return run

    # -- arguments ---------------------------------------------------------------

    def arg(self, node: Node, t: GoType | None) -> Eval:
        """Evaluate ``node`` as an argument of parameter type ``t`` (None: as it is)."""
        if isinstance(node, DotNode):
            if t is None or t is ANY:
                def ev_dot(st: State, dot: Any) -> Any:
                    st.node = node
                    if t is ANY:  # an interface{} parameter gets nil for a missing dot
                        return dot.value if type(dot) is Addr else None if dot is MISSING else dot
                    return dot
                return ev_dot

            def ev_dot_typed(st: State, dot: Any) -> Any:
                st.node = node
                return validate(st, dot, t)
            return ev_dot_typed
        if isinstance(node, NilNode):
            if t is None or can_be_nil(t):
                zero = zero_of(t) if t is not None else None

                def ev_nil(st: State, dot: Any) -> Any:
                    st.node = node
                    return zero
                return ev_nil

            def ev_nil_bad(st: State, dot: Any) -> Any:
                st.node = node
                raise st.fail(f"cannot assign nil to {t}")
            return ev_nil_bad
        if isinstance(node, FieldNode):
            inner = self.field_chain(node, None, node.ident, [node], False)
        elif isinstance(node, VariableNode):
            inner = self.variable(node, [node], False)
        elif isinstance(node, PipeNode):
            pipe = self.pipeline(node)
            if t is ANY:
                def ev_pipe(st: State, dot: Any) -> Any:
                    st.node = node
                    value = pipe(st, dot)
                    if value is MISSING:
                        return None
                    return value.value if type(value) is Addr else value
                return ev_pipe
            inner = lambda st, dot, final: pipe(st, dot)  # noqa: E731
        elif isinstance(node, IdentifierNode):
            inner = self.function(node, node, [node], False)
        elif isinstance(node, ChainNode):
            inner = self.chain(node, [node], False)
        else:
            if t is None:
                t = ANY
            return constant_arg(node, t)
        if t is None:
            def ev_raw(st: State, dot: Any) -> Any:
                st.node = node
                return inner(st, dot, MISSING)
            return ev_raw

        def ev(st: State, dot: Any) -> Any:
            st.node = node
            value = inner(st, dot, MISSING)
            if t is ANY:
                if value is MISSING:
                    return None
                return value.value if type(value) is Addr else value
            return validate(st, value, t)
        return ev


class _CallSite:
    """One place that calls a function or method: its argument nodes, compiled per signature."""

    __slots__ = ("compiler", "node", "name", "args", "has_final", "builtin", "_cache")

    def __init__(self, compiler: _Compiler, node: Node, name: str, args: list[Node], has_final: bool,
                 builtin: bool) -> None:
        self.compiler = compiler
        self.node = node
        self.name = name
        self.args = args
        self.has_final = has_final
        self.builtin = builtin
        self._cache: dict[int, tuple[Any, ...]] = {}

    def prepare(self, fn: Function | Method) -> tuple[Any, ...]:
        """Compile the arguments for ``fn``'s signature (once per signature)."""
        key = id(fn)
        found = self._cache.get(key)
        if found is not None:
            return found
        params = fn.params
        variadic = fn.variadic
        n_args = len(self.args)
        n_in = n_args + (1 if self.has_final else 0)
        error = None
        if variadic is not None:
            if n_in < len(params):
                error = f"wrong number of args for {self.name}: want at least {len(params)} got {n_args}"
        elif n_in != len(params):
            error = f"wrong number of args for {self.name}: want {len(params)} got {n_in}"
        arg_evals: list[Eval] = []
        final_type = None
        if error is None:
            for i, node in enumerate(self.args):
                t = params[i] if i < len(params) else variadic
                arg_evals.append(self.compiler.arg(node, t))
            if self.has_final:
                final_type = params[n_in - 1] if n_in - 1 < len(params) else variadic
        found = (error, arg_evals, final_type)
        self._cache[key] = found
        return found

    def call(self, st: State, dot: Any, fn: Function | Method, receiver: Any, final: Any) -> Any:
        """Call ``fn`` (a method when ``receiver`` is not None) with this site's arguments."""
        return self.runner(fn)(st, dot, receiver, final)

    def runner(self, fn: Function | Method) -> Callable[[State, Any, Any, Any], Any]:
        """A closure calling ``fn`` here, specialised once for its signature."""
        key = -id(fn)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = (self._make_runner(fn),)
        return found[0]

    def _make_runner(self, fn: Function | Method) -> Callable[[State, Any, Any, Any], Any]:
        error, arg_evals, final_type = self.prepare(fn)
        node = self.node
        name = self.name
        has_final = self.has_final
        if error is not None:
            def run_error(st: State, dot: Any, receiver: Any, final: Any) -> Any:
                raise st.fail(error)
            return run_error
        if self.builtin and (name == "and" or name == "or"):
            want = name == "or"

            def run_lazy(st: State, dot: Any, receiver: Any, final: Any) -> Any:
                value: Any = MISSING
                for ev in arg_evals:
                    value = ev(st, dot)
                    if truth(value) == want:
                        return value
                if has_final:
                    value = validate(st, final, final_type)
                return value
            return run_lazy
        call = fn.call
        iface = fn.result.kind == "interface"
        is_call = self.builtin and name == "call"
        callee_name = str(self.args[0]) if is_call and self.args else None  # None: named by the piped value
        needs_state = isinstance(fn, Function) and fn.needs_state
        if not is_call and not needs_state and isinstance(fn, Function):
            fast = _fast_runner(call, arg_evals, has_final, final_type, iface, node, name)
            if fast is not None:
                return fast

        def run(st: State, dot: Any, receiver: Any, final: Any) -> Any:
            argv = [ev(st, dot) for ev in arg_evals]
            if has_final:
                argv.append(validate(st, final, final_type))
            if is_call:
                argv.insert(0, callee_name)
            if receiver is not None:
                argv.insert(0, receiver)
            elif needs_state:
                argv.insert(0, st)
            try:
                result = call(*argv)
            except GoError as exc:
                st.node = node
                raise st.fail(f"error calling {name}: {exc}") from None
            except (Fail, _Break, _Continue, RecursionError):
                raise
            except Exception as exc:  # a bug or an unexpected input in a function: still Go's shape
                st.node = node
                raise st.fail(f"error calling {name}: {exc}") from exc
            if result is None and iface:
                return MISSING
            return result
        return run


def _fast_runner(call: Callable[..., Any], arg_evals: list[Eval], has_final: bool, final_type: GoType | None,
                 iface: bool, node: Node, name: str) -> Callable[[State, Any, Any, Any], Any] | None:
    """A function call with up to three arguments, without building an argument list.

    The variants below are written out one by one on purpose: calls are the
    hottest path of a render, and a shared helper would cost a Python call each.
    """
    n = len(arg_evals) + (1 if has_final else 0)
    if n > 3:
        return None
    evals = list(arg_evals)
    t = final_type

    def failed(st: State, exc: Exception) -> Fail:
        st.node = node
        return st.fail(f"error calling {name}: {exc}")

    if n == 0:
        def run0(st: State, dot: Any, receiver: Any, final: Any) -> Any:
            try:
                result = call()
            except (Fail, _Break, _Continue, RecursionError):
                raise
            except Exception as exc:
                raise failed(st, exc) from (None if isinstance(exc, GoError) else exc)
            return MISSING if result is None and iface else result
        return run0
    if n == 1:
        if has_final:
            def run1f(st: State, dot: Any, receiver: Any, final: Any) -> Any:
                a = validate(st, final, t)
                try:
                    result = call(a)
                except (Fail, _Break, _Continue, RecursionError):
                    raise
                except Exception as exc:
                    raise failed(st, exc) from (None if isinstance(exc, GoError) else exc)
                return MISSING if result is None and iface else result
            return run1f
        e0 = evals[0]

        def run1(st: State, dot: Any, receiver: Any, final: Any) -> Any:
            a = e0(st, dot)
            try:
                result = call(a)
            except (Fail, _Break, _Continue, RecursionError):
                raise
            except Exception as exc:
                raise failed(st, exc) from (None if isinstance(exc, GoError) else exc)
            return MISSING if result is None and iface else result
        return run1
    if n == 2:
        e0 = evals[0]
        if has_final:
            def run2f(st: State, dot: Any, receiver: Any, final: Any) -> Any:
                a = e0(st, dot)
                b = validate(st, final, t)
                try:
                    result = call(a, b)
                except (Fail, _Break, _Continue, RecursionError):
                    raise
                except Exception as exc:
                    raise failed(st, exc) from (None if isinstance(exc, GoError) else exc)
                return MISSING if result is None and iface else result
            return run2f
        e1 = evals[1]

        def run2(st: State, dot: Any, receiver: Any, final: Any) -> Any:
            a = e0(st, dot)
            b = e1(st, dot)
            try:
                result = call(a, b)
            except (Fail, _Break, _Continue, RecursionError):
                raise
            except Exception as exc:
                raise failed(st, exc) from (None if isinstance(exc, GoError) else exc)
            return MISSING if result is None and iface else result
        return run2
    e0, e1 = evals[0], evals[1]
    if has_final:
        def run3f(st: State, dot: Any, receiver: Any, final: Any) -> Any:
            a = e0(st, dot)
            b = e1(st, dot)
            c = validate(st, final, t)
            try:
                result = call(a, b, c)
            except (Fail, _Break, _Continue, RecursionError):
                raise
            except Exception as exc:
                raise failed(st, exc) from (None if isinstance(exc, GoError) else exc)
            return MISSING if result is None and iface else result
        return run3f
    e2 = evals[2]

    def run3(st: State, dot: Any, receiver: Any, final: Any) -> Any:
        a = e0(st, dot)
        b = e1(st, dot)
        c = e2(st, dot)
        try:
            result = call(a, b, c)
        except (Fail, _Break, _Continue, RecursionError):
            raise
        except Exception as exc:
            raise failed(st, exc) from (None if isinstance(exc, GoError) else exc)
        return MISSING if result is None and iface else result
    return run3


# --- run-time helpers -----------------------------------------------------------


def sorted_keys(mapping: dict) -> list[Any]:
    """Map keys in Go's order: numbers numerically, strings byte-wise, false before true."""
    keys = list(mapping)
    if not keys:
        return keys
    first = keys[0]
    if isinstance(first, str):
        if all(type(k) is str for k in keys):
            try:
                return sorted(keys, key=lambda k: k.encode("utf-8", "surrogateescape")) if not all(
                    k.isascii() for k in keys) else sorted(keys)
            except TypeError:  # pragma: no cover
                pass
    try:
        return sorted(keys)
    except TypeError:
        return sorted(keys, key=lambda k: (type(k).__name__, format_v(k)))


def printable(st: State, node: Node, value: Any) -> str:
    """What an action writes for ``value``; functions and channels cannot be printed."""
    if type(value) is Addr:
        return action_text(value.value, addressable=True)
    t = typeof(value)
    if t is not None and t.kind in ("func", "chan"):
        raise st.fail(f"can't print {node} of type {t}")
    return action_text(value)


def _indirect(value: Any) -> tuple[Any, bool]:
    """Follow pointers: (value, is_nil)."""
    while isinstance(value, Pointer):
        value = value.target
    if isinstance(value, NilPointer):
        return value, True
    return value, False


def field(st: State, dot: Any, node: Node, name: str, receiver: Any, site: _CallSite | None, final: Any,
          has_args: bool) -> Any:
    """``receiver.name`` as Go resolves it: method, struct field, map key (spec §4.4)."""
    t = type(receiver)
    if not has_args:
        # The usual cases first: a struct field (resolved once per class and name), a map key.
        fast = _FIELDS.get((t, name))
        if fast is not None:
            value = getattr(receiver, fast[0])
            return Addr(value) if fast[1] else value
        if t is dict:
            return receiver.get(name, MISSING)
        if t is GoMap and receiver.type.key is STRING and not methods_of(receiver.type):
            return receiver.get(name, MISSING)
        if fast is None and (t, name) not in _NOT_FAST:
            _learn_field(t, name)
            if (t, name) in _FIELDS:
                return field(st, dot, node, name, receiver, site, final, has_args)
    if receiver is MISSING:
        return MISSING
    addressable = False
    if type(receiver) is Addr:
        receiver = receiver.value
        addressable = True
    static_type = typeof(receiver)
    if receiver is None:
        raise st.fail(f"nil pointer evaluating interface {{}}.{name}")
    # Methods, on the pointer type first.
    method = None
    target = receiver
    if isinstance(receiver, Pointer):
        method = methods_of(receiver.type).get(name)
        if method is None:
            target, _ = _indirect(receiver)
            method = methods_of(typeof(target)).get(name)
    else:
        info = struct_info(receiver)
        if info is not None:
            method = info.methods.get(name)
            if method is not None and method.pointer_receiver and not (info.pointer or addressable):
                method = None
        else:
            method = methods_of(static_type).get(name)
    if method is not None:
        if site is None:
            site = _CallSite(_NO_COMPILER, node, name, [], False, False)
        return site.call(st, dot, method, target if isinstance(receiver, Pointer) else receiver, final)
    value, is_nil = _indirect(receiver)
    info = struct_info(value)
    if info is not None:
        field_type = info.field_types.get(name)
        if field_type is not None:
            if not name[:1].isupper():
                raise _field_fail(st, "{name} is an unexported field of struct type {type}", name, static_type)
            if has_args:
                raise st.fail(f"{name} has arguments but cannot be invoked as function")
            result = getattr(value, info.attribute(name))
            if field_type.struct is not None and field_type.struct.methods and (info.pointer or addressable):
                return Addr(result)
            if field_type is ANY and result is None:
                return None
            return result
        raise _field_fail(st, "can't evaluate field {name} in type {type}", name, static_type)
    if isinstance(value, dict):
        key_type = value.type.key if isinstance(value, GoMap) else None
        if key_type is None or key_type.kind == "string":
            if has_args:
                raise st.fail(f"{name} is not a method but has arguments")
            if name in value:
                return value[name]
            return MISSING
    if is_nil and isinstance(value, NilPointer):
        elem = value.type.elem
        if elem is not None and elem.struct is not None and name in elem.struct.field_types:
            raise _field_fail(st, "nil pointer evaluating {type}.{name}", name, static_type)
    raise _field_fail(st, "can't evaluate field {name} in type {type}", name, static_type)


def _field_fail(st: State, form: str, name: str, static_type: Any) -> Fail:
    """A field error naming the receiver's type; a caller that knows better may rename it."""
    exc = st.fail(form.format(name=name, type=static_type))
    exc.field_error = (form, name)
    return exc


class _InterfaceVariable(list):
    """A range variable holding an element of an ``interface{}`` collection."""

    __slots__ = ()


def _interface_elements(value: Any) -> bool:
    """Whether ranging over ``value`` yields ``interface{}``-typed elements ([]interface{}, map[K]interface{})."""
    t = type(value)
    if t is list or t is dict:
        return True
    if not isinstance(value, (list, dict)):
        return False
    elem = value.type.elem  # a GoSlice or GoMap
    return elem is not None and elem.kind == "interface"


def _interface_typed(st: State, node: Node, receiver: Any, name: str) -> bool:
    """Whether Go sees the failing receiver as an ``interface{}`` (so its errors name that type).

    The first receiver is the dot (of a range over an interface{} collection)
    or such a range variable; a later one is a map element or struct field
    whose declared type is interface{}.
    """
    if receiver is MISSING:  # the first field: its receiver is the dot or a variable
        if isinstance(node, FieldNode):
            return st.iface_dot
        if isinstance(node, VariableNode):
            slot, name = node.slot, node.ident[0]
            entry = st.vars[slot] if 0 <= slot < len(st.vars) and st.vars[slot][0] == name else None
            if entry is None:
                entry = next((e for e in reversed(st.vars) if e[0] == name), None)
            return isinstance(entry, _InterfaceVariable)
        return False
    if type(receiver) is Addr:
        receiver = receiver.value
    while isinstance(receiver, Pointer):
        receiver = receiver.target
    if isinstance(receiver, dict):
        return _interface_elements(receiver)
    info = struct_info(receiver)
    return info is not None and info.field_types.get(name) is ANY


# (class, field name) -> (attribute, wrap in Addr): fields that no method shadows.
_FIELDS: dict[tuple[type, str], tuple[str, bool]] = {}
_NOT_FAST: set[tuple[type, str]] = set()


def _learn_field(cls: type, name: str) -> None:
    """Remember how to read ``name`` on instances of ``cls`` when it is a plain exported field."""
    info = _STRUCTS_BY_CLASS(cls)
    if info is None or name in info.methods or not name[:1].isupper() or name not in info.field_types:
        _NOT_FAST.add((cls, name))
        return
    field_type = info.field_types[name]
    wraps = field_type.struct is not None and bool(field_type.struct.methods)
    if wraps and not info.pointer:
        _NOT_FAST.add((cls, name))  # addressable or not depends on how the struct was reached
        return
    _FIELDS[(cls, name)] = (info.attribute(name), wraps)


def _STRUCTS_BY_CLASS(cls: type) -> Any:  # noqa: N802 - a lookup, named like the table it reads
    from .values import _STRUCTS

    return _STRUCTS.get(cls)


class _NoCompiler:
    """Method calls without arguments (chain steps) compile nothing."""

    def arg(self, node: Node, t: GoType | None) -> Eval:  # pragma: no cover
        raise AssertionError("no arguments here")


_NO_COMPILER: Any = _NoCompiler()


def compile_tree(tree: Tree, funcs: dict[str, Function], builtins: dict[str, Function]) -> Compiled:
    """Compile one tree into a :class:`Compiled` run function."""
    body = _Compiler(tree, funcs, builtins).list(tree.root)

    def run(st: State, dot: Any) -> None:
        saved = st.tree
        st.tree = tree
        body(st, dot)
        st.tree = saved
    return Compiled(tree, run)
