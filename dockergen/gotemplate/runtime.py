"""What compiled templates call at run time: the execution state, Go's argument checks,
field and method resolution, ``range`` preparation, template calls and error texts.

The code :mod:`.compiler` generates is straight-line Python over these helpers.
It records the node Go would blame in ``State.node`` at the same points as Go's
executor (``s.at(node)``), so error messages name the same node (spec §7).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..limits import check_items
from .deepcall import CHECK_EVERY, needs_fresh_stack, run_on_fresh_stack
from .errors import GoError
from .fmt import action_text, format_indirect, format_v
from .nodes import (
    BoolNode, DotNode, NilNode, Node, NumberNode, StringNode,
)
from .nodes import Tree
from .values import (
    ANY, FLOAT_KINDS, INT_CLASSES, INT_KINDS, MISSING, STRING, UINT_KINDS, VALUE, Addr, Float32, GoMap, GoType,
    Method, NilPointer, Pointer, Uint8, can_be_nil, methods_of, nil_map, nil_slice, struct_info, typeof,
)

__all__ = [
    "State", "Fail", "Compiled", "format_fail", "position", "MAX_DEPTH", "validate", "zero_of", "ideal",
    "constant_arg", "field", "printable", "sorted_keys", "range_items", "find_template", "run_template",
    "call_failed", "MethodSite", "interface_elements",
]

MAX_DEPTH = 100000
Eval = Callable[["State", Any], Any]


class Fail(Exception):
    """An execution error raised by a compiled template; becomes :class:`ExecError`."""

    def __init__(self, message: str, node: Node | None, tree: Tree | None, item: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.node = node
        self.tree = tree
        self.item = item  # the innermost container being ranged over, to blame


class Compiled:
    """A compiled tree: ``run(state, dot)`` writes its output into the state.

    ``build`` (when given) makes the Python on first use: ``run`` starts as a stub that
    builds, and a template that never runs (a ``define`` a render does not call) costs
    nothing but its parse.  ``program`` is what the build made (the compiler's
    ``Program``: the generated sources and what they need), None until then."""

    __slots__ = ("tree", "run", "program", "_build")

    def __init__(self, tree: Tree, run: Callable[["State", Any], None] | None = None,
                 build: Callable[[], tuple[Callable[["State", Any], None], Any]] | None = None) -> None:
        self.tree = tree
        self.program: Any = None
        self._build = build
        self.run = run if build is None else self._first_run  # type: ignore[assignment]

    def _first_run(self, st: "State", dot: Any) -> None:
        self.built()
        self.run(st, dot)

    def built(self) -> "Compiled":
        """Make the Python now if it was left for the first run."""
        if self._build is not None:
            self.run, self.program = self._build()
            self._build = None
        return self

    @property
    def source(self) -> str:
        """The generated Python, for reading."""
        program = self.built().program
        return "\n".join(program.sources) if program is not None else ""


class State:
    """What one execution carries: output, the node being evaluated (for error texts), depth."""

    __slots__ = ("out", "node", "tree", "templates", "depth", "write", "root_name", "item", "memo", "calls", "reads")

    def __init__(self, templates: dict[str, Compiled], tree: Tree, data: Any = None) -> None:
        self.out: list[str] = []
        self.write = self.out.append
        self.node: Node | None = None
        self.tree = tree
        self.templates = templates
        self.depth = 0
        self.root_name = ""  # the set's name, which ``eval`` errors report
        self.item: Any = None  # the innermost pointer-natured struct (container) a range is on
        self.memo: dict[tuple[Any, ...], Any] = {}  # answers of functions declared memo=True
        self.calls: Any = None  # a memo.CallMemo when template calls are remembered across renders
        # While a remembered call runs: (function, arguments, answer) of each memo=True call it makes.
        self.reads: list[tuple[Any, tuple, Any]] | None = None

    def fail(self, message: str) -> Fail:
        return Fail(message, self.node, self.tree, self.item)

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


def ideal_value(node: NumberNode) -> Any:
    """A numeric constant whose type is free: complex, float64 or int by its spelling.

    An integer constant beyond int64 raises OverflowError with Go's message.
    """
    text = node.text
    if node.is_complex:
        return node.complex_value
    hex_int = len(text) > 2 and text[0] == "0" and text[1] in "xX" and not any(c in text for c in "pP")
    if node.is_float and not hex_int and text[0] != "'" and any(c in text for c in ".eEpP"):
        return node.float_value
    if node.is_int:
        return node.int_value
    if node.is_uint:
        raise OverflowError(f"{text} overflows int")
    return MISSING


def ideal(st: State, node: NumberNode) -> Any:
    """:func:`ideal_value` at run time: an overflow fails the render at this node."""
    st.node = node
    try:
        return ideal_value(node)
    except OverflowError as exc:
        raise st.fail(str(exc)) from None


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


# --- fields --------------------------------------------------------------------




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


def field(st: State, dot: Any, node: Node, name: str, receiver: Any, site: "MethodSite | None", final: Any,
          has_args: bool, iface: bool = False, held_by: Any = MISSING, held_as: str = "") -> Any:
    """``receiver.name`` as Go resolves it: method, struct field, map key (spec §4.4).

    Whether Go sees the receiver as an ``interface{}`` (its errors then name that type):
    ``iface`` for the first of a chain (the dot of a range over such elements, its element
    variable), else judged from ``held_by``, the value the receiver was ``.held_as`` of."""
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
                return field(st, dot, node, name, receiver, site, final, has_args, iface, held_by, held_as)
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
            site = MethodSite(node, name, (), (), False)
        return site.call(st, dot, method, target if isinstance(receiver, Pointer) else receiver, final)
    value, is_nil = _indirect(receiver)
    info = struct_info(value)
    if info is not None:
        field_type = info.field_types.get(name)
        if field_type is not None:
            if not name[:1].isupper():
                raise _field_fail(st, "{name} is an unexported field of struct type {type}", name, static_type,
                                  iface, held_by, held_as)
            if has_args:
                raise st.fail(f"{name} has arguments but cannot be invoked as function")
            result = getattr(value, info.attribute(name))
            if field_type.struct is not None and field_type.struct.methods and (info.pointer or addressable):
                return Addr(result)
            if field_type is ANY and result is None:
                return None
            return result
        raise _field_fail(st, "can't evaluate field {name} in type {type}", name, static_type, iface, held_by, held_as)
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
            raise _field_fail(st, "nil pointer evaluating {type}.{name}", name, static_type, iface, held_by, held_as)
    raise _field_fail(st, "can't evaluate field {name} in type {type}", name, static_type, iface, held_by, held_as)


def _field_fail(st: State, form: str, name: str, static_type: Any, iface: bool, held_by: Any, held_as: str) -> Fail:
    """A field error naming the receiver's type, or interface{} when Go sees it so."""
    if held_as:
        iface = _held_as_interface(held_by, held_as)
    return st.fail(form.format(name=name, type="interface {}" if iface else static_type))


def _held_as_interface(holder: Any, name: str) -> bool:
    """Whether ``holder.name`` is interface-typed: an element of an interface{} map, or a
    struct field declared interface{}."""
    if type(holder) is Addr:
        holder = holder.value
    while isinstance(holder, Pointer):
        holder = holder.target
    if isinstance(holder, dict):
        return interface_elements(holder)
    info = struct_info(holder)
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


# --- method calls ---------------------------------------------------------------


class MethodSite:
    """A ``.Method arg...`` site: which method runs is known only from the receiver, so
    its arguments are converted per signature when it is called (once per signature).

    ``thunks`` evaluate the non-constant argument nodes as they are (what the compiled
    code of the template computes for them), in the order of ``args``."""

    __slots__ = ("node", "name", "args", "thunks", "has_final", "_cache")

    def __init__(self, node: Node, name: str, args: tuple[Node, ...] | list[Node], thunks: tuple[Eval | None, ...],
                 has_final: bool) -> None:
        self.node = node
        self.name = name
        self.args = args
        self.thunks = thunks
        self.has_final = has_final
        self._cache: dict[int, Callable[[State, Any, Any, Any], Any]] = {}

    def call(self, st: State, dot: Any, fn: Method, receiver: Any, final: Any) -> Any:
        """Call ``fn`` on ``receiver`` with this site's arguments."""
        run = self._cache.get(id(fn))
        if run is None:
            run = self._cache[id(fn)] = self._runner(fn)
        return run(st, dot, receiver, final)

    def _arg(self, index: int, t: GoType | None) -> Eval:
        """Evaluate argument ``index`` for parameter type ``t`` (None: as it is)."""
        node = self.args[index]
        raw = self.thunks[index]
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
        if raw is None:
            return constant_arg(node, ANY if t is None else t)

        def ev(st: State, dot: Any) -> Any:
            st.node = node
            value = raw(st, dot)
            if t is None:
                return value
            if t is ANY:
                if value is MISSING:
                    return None
                return value.value if type(value) is Addr else value
            return validate(st, value, t)
        return ev

    def _runner(self, fn: Method) -> Callable[[State, Any, Any, Any], Any]:
        params = fn.params
        variadic = fn.variadic
        name = self.name
        node = self.node
        has_final = self.has_final
        n_args = len(self.args)
        n_in = n_args + (1 if has_final else 0)
        error = None
        if variadic is not None:
            if n_in < len(params):
                error = f"wrong number of args for {name}: want at least {len(params)} got {n_args}"
        elif n_in != len(params):
            error = f"wrong number of args for {name}: want {len(params)} got {n_in}"
        error = error or fn.refused or None  # the arguments are counted first, then the results
        if error is not None:
            def run_error(st: State, dot: Any, receiver: Any, final: Any) -> Any:
                raise st.fail(error)
            return run_error
        arg_evals = [self._arg(i, params[i] if i < len(params) else variadic) for i in range(n_args)]
        final_type = (params[n_in - 1] if n_in - 1 < len(params) else variadic) if has_final else None
        call = fn.call
        iface = fn.result.kind == "interface"

        def run(st: State, dot: Any, receiver: Any, final: Any) -> Any:
            argv = [ev(st, dot) for ev in arg_evals]
            if has_final:
                argv.append(validate(st, final, final_type))
            try:
                result = call(receiver, *argv)
            except (Fail, RecursionError):
                raise
            except Exception as exc:  # GoError, or a bug / an unexpected input: still Go's shape
                raise call_failed(st, node, name, exc)
            if result is None and iface:
                return MISSING
            return result
        return run


def call_failed(st: State, node: Node, name: str, exc: BaseException) -> Fail:
    """Go's ``error calling NAME: ...`` at ``node`` (a Python error keeps its cause for debugging)."""
    st.node = node
    fail = st.fail(f"error calling {name}: {exc}")
    if not isinstance(exc, GoError):
        fail.__cause__ = exc
    return fail


# --- range and template calls ----------------------------------------------------


def range_items(st: State, value: Any, two: bool) -> tuple[Iterable[tuple[Any, Any]], bool, bool]:
    """What ``range`` iterates over ``value``: (index or key, element) pairs; whether the
    elements are containers (pointer-natured structs) to blame when the body fails; whether
    they are interface{}-typed for Go (its field errors then name that type)."""
    if type(value) is Addr:
        value = value.value
    while isinstance(value, Pointer):
        value = value.target
    iface = interface_elements(value)
    if isinstance(value, list):
        if not value:
            return (), False, iface
        info = struct_info(value[0])
        if info is not None:
            if info.pointer:
                return enumerate(value), True, iface
            # A slice's elements are addressable, but not what an interface{} element holds.
            if not iface and any(m.pointer_receiver for m in info.methods.values()):
                return [(i, Addr(elem)) for i, elem in enumerate(value)], False, iface
        return enumerate(value), False, iface
    if isinstance(value, dict):
        if len(value) < 2:
            return list(value.items()), False, iface
        return [(key, value[key]) for key in sorted_keys(value)], False, iface
    if isinstance(value, bytes):
        return [(i, Uint8(b)) for i, b in enumerate(value)], False, iface
    if isinstance(value, int) and not isinstance(value, bool):
        if two:
            raise st.fail(f"can't use {format_v(value)} to iterate over more than one variable")
        check_items("range", int(value))  # Go would loop that many times, however many
        ctor = type(value)
        return [(ctor(i), ctor(i)) for i in range(int(value))], False, iface
    if value is MISSING:
        return (), False, iface
    raise st.fail(f"range can't iterate over {format_indirect(value)}")


def interface_elements(value: Any) -> bool:
    """Whether ranging over ``value`` yields ``interface{}``-typed elements ([]interface{}, map[K]interface{})."""
    t = type(value)
    if t is list or t is dict:
        return True
    if not isinstance(value, (list, dict)):
        return False
    elem = value.type.elem  # a GoSlice or GoMap
    return elem is not None and elem.kind == "interface"


def find_template(st: State, name: str) -> "Compiled":
    """The template a ``{{template}}`` action runs, checked as Go does before its argument."""
    compiled = st.templates.get(name)
    if compiled is None:
        raise st.fail(f'template "{name}" not defined')
    if st.depth >= MAX_DEPTH:
        raise st.fail(f"exceeded maximum template depth ({MAX_DEPTH})")
    return compiled


def run_template(st: State, compiled: "Compiled", value: Any, node: Node) -> None:
    """Run ``compiled`` with ``value`` as dot and ``$``, into the same output (or write what
    an earlier call with the same inputs wrote: :mod:`.memo`)."""
    calls = st.calls
    if calls is not None and compiled in calls.plans:
        calls.run(st, compiled, value, node, _run_template)
    else:
        _run_template(st, compiled, value, node)


def _run_template(st: State, compiled: "Compiled", value: Any, node: Node) -> None:
    saved_tree, saved_node = st.tree, st.node
    st.depth += 1
    try:
        if st.depth % CHECK_EVERY == 0 and needs_fresh_stack():  # deep recursion: Go allows 100 000
            run_on_fresh_stack(compiled.run, st, value)
        else:
            compiled.run(st, value)
    except RecursionError:
        # Python's stack ends long before Go's depth limit: fail the way Go does at its limit.
        st.tree, st.node = saved_tree, node
        raise st.fail(f"exceeded maximum template depth ({MAX_DEPTH})") from None
    finally:
        st.depth -= 1
    st.tree, st.node = saved_tree, saved_node
