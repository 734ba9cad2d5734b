"""Remembered ``{{template}}`` calls: a watcher's next render reuses what an event did not change.

In watch mode every event renders the whole template again.  With nginx-proxy's template
most of that work is ``{{ template "upstream" ... }}`` and ``{{ template "location" ... }}``
per host, whose output depends on a few values of the argument, and an event changes one
host.  A call's output is taken from the previous render (or from earlier in this one) when:

1. the called template provably reads nothing but its argument and files through
   ``exists``, and changes nothing its caller can see (:func:`analyse`, below: every
   function it calls is known to be free of side effects, ``set``/``unset``/``merge`` write
   only to maps the call itself made, ``env``, ``now``, random functions, ``eval``,
   ``include`` and ``call`` rule it out);
2. the values it reads, at the argument paths the analysis found (``.VPath``,
   ``.globals.networks``, ...), are the same: a fingerprint of each (:func:`fingerprint`)
   compares content for strings, numbers, maps and lists, and identity for structs (the
   containers' Go-typed copies, which the engine reuses only while a container is
   unchanged, and which no function can change once no template of the set sorts a
   slice in place: such a set is never remembered);
3. every ``exists`` it asked gives the same answer now.

Only the output is remembered (a template returns nothing else), entries live for one
render after their last use, and a failing call is never remembered.

A ``range`` iteration is remembered the same way (nginx-proxy's server loop, one server
block per host), when its body provably assigns no variable of the scope around the loop,
writes only to maps it made, and ends no iteration but its own (no ``break``/``continue``
of that loop): its inputs are then the key, the element and the variables around the
loop at the paths the body follows (:class:`_BodyWalker`), plus the ``exists`` answers it
got.  Those from around the loop cannot change while it runs: they are looked at once per
loop (:meth:`CallMemo.start`), each iteration's own once per iteration (:meth:`CallMemo.enter`).
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Mapping
from typing import Any

from dockergen.helpers.absent import AbsentFiles

from .funcs import Function
from .nodes import (
    ActionNode, ChainNode, CommandNode, DotNode, FieldNode, IdentifierNode, IfNode, ListNode, Node, PipeNode,
    RangeNode, StringNode, TemplateNode, TextNode, Tree, VariableNode, WithNode, exits_loop,
)
from .runtime import field
from .values import MISSING, Addr, GoMap, GoSlice, NilPointer, Pointer, _STRUCTS

__all__ = [
    "Summary", "analyse", "analyse_ranges", "fingerprint", "CallMemo", "PURE", "MUTATORS", "COPIES", "IN_PLACE",
    "CONTAINER_FUNCTIONS", "container_functions",
]

# Functions that read only their arguments, change none of them and give the same answer for
# the same arguments.  A name counts only while the function map gives the function it had
# when this list was checked (see _classify).
PURE = frozenset((
    # text/template's built-ins (``call`` calls an unknown function: not listed)
    "and", "or", "not", "len", "index", "slice", "print", "println", "printf", "html", "js", "urlquery",
    "eq", "ne", "lt", "le", "gt", "ge",
    # Sprig: strings (less the random ones and sortAlpha, which sorts a []string in place)
    "abbrev", "abbrevboth", "adler32sum", "camelcase", "cat", "contains", "hasPrefix", "hasSuffix", "hello",
    "indent", "initials", "join", "kebabcase", "lower", "nindent", "nospace", "plural", "quote", "repeat",
    "replace", "sha1sum", "sha256sum", "sha512sum", "snakecase", "split", "splitList", "splitn",
    "sprigContains", "sprigReplace", "sprigSplit", "sprigSplitn", "squote", "substr", "swapcase", "title",
    "toString", "toStrings", "trim", "trimAll", "trimPrefix", "trimSuffix", "trimall", "trunc", "untitle",
    "upper", "wrap", "wrapWith",
    # regular expressions, encodings, paths
    "mustRegexFind", "mustRegexFindAll", "mustRegexMatch", "mustRegexReplaceAll", "mustRegexReplaceAllLiteral",
    "mustRegexSplit", "regexFind", "regexFindAll", "regexMatch", "regexQuoteMeta", "regexReplaceAll",
    "regexReplaceAllLiteral", "regexSplit", "b32dec", "b32enc", "b64dec", "b64enc",
    "base", "clean", "dir", "ext", "isAbs", "osBase", "osClean", "osDir", "osExt", "osIsAbs", "sprigDir",
    # lists (each returns a new list)
    "append", "chunk", "compact", "concat", "first", "has", "initial", "last", "list", "mustAppend",
    "mustChunk", "mustCompact", "mustFirst", "mustHas", "mustInitial", "mustLast", "mustPrepend", "mustPush",
    "mustRest", "mustReverse", "mustSlice", "mustUniq", "mustWithout", "prepend", "push", "rest", "reverse",
    "seq", "tuple", "uniq", "until", "untilStep", "without",
    # dicts that only read (dict itself is a constructor, set/unset/merge write)
    "dig", "get", "hasKey", "keys", "omit", "pick", "pluck", "values",
    # defaults, reflection, math (less randInt), semver, URLs
    "all", "any", "coalesce", "default", "empty", "fromJson", "mustFromJson", "mustToJson", "mustToPrettyJson",
    "mustToRawJson", "ternary", "toJson", "toPrettyJson", "toRawJson",
    "deepEqual", "kindIs", "kindOf", "typeIs", "typeIsLike", "typeOf",
    "add", "add1", "add1f", "addf", "atoi", "biggest", "ceil", "div", "divf", "float64", "floor", "int", "int64",
    "max", "maxf", "min", "minf", "mod", "mul", "mulf", "round", "sub", "subf", "toDecimal",
    "semver", "semverCompare", "urlJoin", "urlParse", "fail",
    # docker-gen's (less eval/include, which run templates, and the in-place string sorts)
    "closest", "coalesce", "comment", "contains", "fromYaml", "groupBy", "groupByKeys", "groupByLabel",
    "groupByLabelWithDefault", "groupByMulti", "groupByWithDefault", "intersect", "json", "mustBeInt",
    "mustBeIntInRange", "mustBeOneOf", "mustFromYaml", "mustToYaml", "nginxMustParseHSTS", "nginxQuote",
    "parseBool", "parseJson", "queryEscape", "sha1", "sortObjectsByKeysAsc", "sortObjectsByKeysDesc",
    "sprigCoalesce", "toLower", "toUpper", "toYaml", "when", "where", "whereAll", "whereAny", "whereExist",
    "whereLabelDoesNotExist", "whereLabelExists", "whereLabelValueMatches", "whereNot", "whereNotExist",
))
# Functions that write to the map they are given first (and return it).
MUTATORS = frozenset(("set", "unset", "merge", "mustMerge", "mergeOverwrite", "mustMergeOverwrite"))
# Functions that read their argument whole and return a copy sharing nothing with it: a map
# the template made (its own to write to).
COPIES = frozenset(("deepCopy", "mustDeepCopy"))
# Functions that change a typed slice in place (a container's, say): a set calling one is never remembered.
IN_PLACE = frozenset(("sortStringsAsc", "sortStringsDesc", "sortAlpha"))

# docker-gen's functions over container lists (grouping, filtering, sorting): their answers
# are remembered too when the list holds only containers (struct copies, compared by
# identity) and the other arguments are plain values (see CallMemo.function).
CONTAINER_FUNCTIONS = frozenset((
    "groupBy", "groupByKeys", "groupByLabel", "groupByLabelWithDefault", "groupByMulti", "groupByWithDefault",
    "where", "whereAll", "whereAny", "whereExist", "whereLabelDoesNotExist", "whereLabelExists",
    "whereLabelValueMatches", "whereNot", "whereNotExist", "sortObjectsByKeysAsc", "sortObjectsByKeysDesc",
))


def container_functions() -> frozenset[Any]:
    """The callables of :data:`CONTAINER_FUNCTIONS` (the compiler routes their calls through
    ``CallMemo.function`` while a render remembers)."""
    from .funcmap import function_map

    functions = function_map()
    return frozenset(functions[name].call for name in CONTAINER_FUNCTIONS)


_MAX_PATH = 12  # a longer field path is read whole at this length (``$x = $x.next`` in a loop)

# --- the analysis ----------------------------------------------------------------------
# An abstract value is a frozenset of atoms: ("path", names) is the value at that field path
# of the template's argument, not yet looked at; ("fresh", site) a map the template made
# with ``dict`` at that call (its constant keys' values known); OTHER anything else, made
# from what was already counted as read.

OTHER = ("other",)
_OTHER = frozenset((OTHER,))
_ROOT = frozenset((("path", ()),))


class Summary:
    """What a template does with its argument: the paths it reads (whole values), whether it
    writes to the argument's own map (``set $ "ip" ...``, allowed to a caller that passes a
    map it made), and whether it stays within that (``ok``)."""

    __slots__ = ("ok", "writes_arg", "reads")

    def __init__(self, ok: bool = True, writes_arg: bool = False, reads: frozenset = frozenset()) -> None:
        self.ok = ok
        self.writes_arg = writes_arg
        self.reads: frozenset[tuple[str, ...]] = reads

    def state(self) -> tuple:
        return self.ok, self.writes_arg, self.reads

    @property
    def memoisable(self) -> bool:
        return self.ok and not self.writes_arg


class _Walker:
    """One template's abstract run, repeated until nothing it learns grows (variables assigned
    later in a loop reach their earlier uses)."""

    def __init__(self, tree: Tree, summaries: Mapping[str, Summary], kinds: Mapping[str, str]) -> None:
        self.tree = tree
        self.summaries = summaries
        self.kinds = kinds  # function name -> "pure", "mutator", "tracked", "in_place" or "unknown"
        self.vars: dict[int, frozenset] = {0: _ROOT}  # declaring node's id -> value ($ is 0)
        self.sites: dict[int, dict[str, frozenset]] = {}
        self.reads: set[tuple[str, ...]] = set()
        self.ok = True
        self.writes_arg = False
        self.in_place = False
        self.collect: dict[RangeNode, list[tuple[str, int]]] | None = None  # the scope at each range, when asked

    def run(self) -> Summary:
        while True:
            before = self._size()
            self.scope: list[tuple[str, int]] = [("$", 0)]
            if self.tree.root is not None:
                self.walk_list(self.tree.root, _ROOT)
            if self._size() == before:
                break
        return Summary(self.ok, self.writes_arg, frozenset(_minimal(self.reads)))

    def _size(self) -> tuple:
        return (len(self.reads), self.ok, self.writes_arg, sum(len(v) for v in self.vars.values()),
                sum(len(v) for s in self.sites.values() for v in s.values()), len(self.sites))

    # -- effects on abstract values ------------------------------------------------------

    def consume(self, value: frozenset, seen: set[int] | None = None) -> None:
        """The whole of ``value`` may be looked at."""
        for atom in value:
            if atom[0] == "path":
                self.reads.add(atom[1])
            elif atom[0] == "fresh":
                seen = seen if seen is not None else set()
                if atom[1] not in seen:
                    seen.add(atom[1])
                    for entry in list(self.sites.get(atom[1], {}).values()):
                        self.consume(entry, seen)

    def mutate(self, value: frozenset) -> None:
        """``value`` is written to: fine for a map this template made, or its argument's own map."""
        for atom in value:
            if atom == ("path", ()):
                self.writes_arg = True
            elif atom[0] != "fresh":
                self.ok = False

    def field(self, value: frozenset, name: str) -> frozenset:
        out: set = set()
        for atom in value:
            if atom[0] == "path":
                if len(atom[1]) >= _MAX_PATH:
                    self.reads.add(atom[1])
                    out.add(OTHER)
                else:
                    out.add(("path", atom[1] + (name,)))
            elif atom[0] == "fresh":
                out.update(self.sites.get(atom[1], {}).get(name, ()))
                out.add(OTHER)  # a key set later holds what set/merge counted as read
            else:
                out.add(OTHER)
        return frozenset(out)

    def at_path(self, value: frozenset, path: tuple[str, ...]) -> frozenset:
        for name in path:
            value = self.field(value, name)
        return value

    # -- the tree --------------------------------------------------------------------------

    def lookup(self, name: str) -> int | None:
        for index in range(len(self.scope) - 1, -1, -1):
            if self.scope[index][0] == name:
                return self.scope[index][1]
        return None

    def assign(self, key: int | None, value: frozenset) -> None:
        if key is None:  # undefined: the template fails there
            return
        self.vars[key] = self.vars.get(key, frozenset()) | value

    def walk_list(self, node: ListNode | None, dot: frozenset) -> None:
        if node is None:
            return
        mark = len(self.scope)
        for child in node.nodes:
            self.walk_node(child, dot)
        del self.scope[mark:]

    def walk_node(self, node: Node, dot: frozenset) -> None:
        if isinstance(node, ActionNode):
            value = self.pipe(node.pipe, dot)
            if not node.pipe.decl:
                self.consume(value)  # printed
        elif isinstance(node, (IfNode, WithNode)):
            mark = len(self.scope)
            value = self.pipe(node.pipe, dot)
            self.consume(value)  # its truth
            self.walk_list(node.list, value if isinstance(node, WithNode) else dot)
            self.walk_list(node.else_list, dot)
            del self.scope[mark:]
        elif isinstance(node, RangeNode):
            if self.collect is not None:
                self.collect[node] = list(self.scope)
            mark = len(self.scope)
            value = self.pipe(node.pipe, dot, declare=False)
            self.consume(value)
            for variable in node.pipe.decl:
                if node.pipe.is_assign:
                    self.assign(self.lookup(variable.ident[0]), _OTHER)
                else:
                    self.scope.append((variable.ident[0], id(variable)))
                    self.assign(id(variable), _OTHER)
            self.walk_list(node.list, _OTHER)
            self.walk_list(node.else_list, dot)
            del self.scope[mark:]
        elif isinstance(node, TemplateNode):
            arg = self.pipe(node.pipe, dot) if node.pipe is not None else _OTHER
            called = self.summaries.get(node.name)
            if called is None:
                self.ok = False
                self.consume(arg)
                return
            for path in called.reads:
                self.consume(self.at_path(arg, path))
            if called.writes_arg:
                self.mutate(arg)
            if not called.ok:
                self.ok = False
        elif not isinstance(node, TextNode):
            pass  # break, continue

    def pipe(self, pipe: PipeNode, dot: frozenset, declare: bool = True) -> frozenset:
        value: frozenset | None = None
        for cmd in pipe.cmds:
            value = self.command(cmd, dot, value)
        value = value if value is not None else _OTHER
        if declare:
            for variable in pipe.decl:
                if pipe.is_assign:
                    self.assign(self.lookup(variable.ident[0]), value)
                else:
                    self.scope.append((variable.ident[0], id(variable)))
                    self.assign(id(variable), value)
        return value

    def command(self, cmd: CommandNode, dot: frozenset, final: frozenset | None) -> frozenset:
        first, rest = cmd.args[0], cmd.args[1:]
        if isinstance(first, IdentifierNode):
            return self.function(first, rest, final, dot)
        if isinstance(first, FieldNode):
            return self.chain(dot, first.ident, rest, final, dot)
        if isinstance(first, ChainNode):
            return self.chain(self.arg(first.node, dot), first.fields, rest, final, dot)
        if isinstance(first, VariableNode):
            value = self.vars.get(self.lookup(first.ident[0]) or -1, frozenset()) if first.ident[0] != "$" \
                else self.vars[0]
            if len(first.ident) > 1:
                return self.chain(value, first.ident[1:], rest, final, dot)
            self._extra(rest, final, dot)
            return value
        self._extra(rest, final, dot)
        if isinstance(first, PipeNode):
            return self.pipe(first, dot)
        if isinstance(first, DotNode):
            return dot
        return _OTHER  # a constant, nil

    def _extra(self, args: list[Node], final: frozenset | None, dot: frozenset) -> None:
        """Arguments given to something that takes none (Go fails there): looked at all the same."""
        for node in args:
            self.consume(self.arg(node, dot))
        if final is not None:
            self.consume(final)

    def chain(self, value: frozenset, names: list[str], args: list[Node], final: frozenset | None,
              dot: frozenset) -> frozenset:
        for name in names[:-1]:
            value = self.field(value, name)
        if args or final is not None:  # a method with arguments: methods only read
            self.consume(value)
            self._extra(args, final, dot)
            return _OTHER
        return self.field(value, names[-1])

    def arg(self, node: Node, dot: frozenset) -> frozenset:
        if isinstance(node, DotNode):
            return dot
        if isinstance(node, FieldNode):
            return self.chain(dot, node.ident, [], None, dot)
        if isinstance(node, ChainNode):
            return self.chain(self.arg(node.node, dot), node.fields, [], None, dot)
        if isinstance(node, VariableNode):
            return self.command(CommandNode(node.pos, [node]), dot, None)
        if isinstance(node, PipeNode):
            return self.pipe(node, dot)
        if isinstance(node, IdentifierNode):
            return self.function(node, [], None, dot)
        return _OTHER  # constants, nil

    def function(self, ident: IdentifierNode, nodes: list[Node], final: frozenset | None,
                 dot: frozenset) -> frozenset:
        args = [(node, self.arg(node, dot)) for node in nodes]
        if final is not None:
            args.append((None, final))
        kind = self.kinds.get(ident.name, "unknown")
        if kind == "dict":
            site = self.sites.setdefault(id(ident), {})
            for index in range(0, len(args), 2):
                key = args[index][0]
                value = args[index + 1][1] if index + 1 < len(args) else _OTHER
                if isinstance(key, StringNode):
                    site[key.text] = site.get(key.text, frozenset()) | value
                else:
                    self.consume(args[index][1])
                    self.consume(value)
            return frozenset((("fresh", id(ident)),))
        if kind == "copy":
            for _, value in args:
                self.consume(value)
            self.sites.setdefault(id(ident), {})
            return frozenset((("fresh", id(ident)),))
        if kind == "mutator" and args:
            target = args[0][1]
            self.mutate(target)
            for _, value in args[1:]:
                self.consume(value)
            return target
        for _, value in args:
            self.consume(value)
        if kind == "in_place":
            self.in_place = True
            self.ok = False
        elif kind not in ("pure", "tracked"):
            self.ok = False
        return _OTHER


def _minimal(paths: set[tuple[str, ...]]) -> set[tuple[str, ...]]:
    """The paths that no other path of the set contains (a prefix is read whole)."""
    kept: set[tuple[str, ...]] = set()
    for path in sorted(paths, key=len):
        if not any(path[:n] in kept for n in range(len(path) + 1)):
            kept.add(path)
    return kept


def _classify(funcs: Mapping[str, Function], builtins: Mapping[str, Function]) -> dict[str, str]:
    """Each function name's kind for the analysis.  A name is trusted only when it means the
    function this module was written against (docker-gen's map and Go's built-ins)."""
    from .builtins import BUILTINS
    from .funcmap import function_map

    reference = function_map()
    kinds: dict[str, str] = {}
    for name in set(funcs) | set(builtins):
        mine = funcs.get(name) if name in funcs else builtins.get(name)
        known = reference.get(name) if name in reference else BUILTINS.get(name)
        if mine is None or known is None or mine.call is not known.call:
            kinds[name] = "unknown"
        elif name == "dict":
            kinds[name] = "dict"
        elif name in MUTATORS:
            kinds[name] = "mutator"
        elif name in COPIES:
            kinds[name] = "copy"
        elif known.memo:  # asked once a render and recorded (exists): asked again before a reuse
            kinds[name] = "tracked"
        elif name in IN_PLACE:
            kinds[name] = "in_place"
        elif name in PURE:
            kinds[name] = "pure"
        else:
            kinds[name] = "unknown"
    return kinds


def analyse(trees: Mapping[str, Tree], funcs: Mapping[str, Function],
            builtins: Mapping[str, Function]) -> tuple[dict[str, Summary], bool]:
    """Each template's :class:`Summary`, and whether any template changes a slice in place.

    The summaries are the least fixed point over the set (a template's calls use the
    others' current summaries; every iteration can only add reads or take ``ok`` away)."""
    kinds = _classify(funcs, builtins)
    summaries = {name: Summary() for name in trees}
    walkers = {name: _Walker(tree, summaries, kinds) for name, tree in trees.items()}
    while True:
        changed = False
        for name, walker in walkers.items():
            summary = walker.run()
            if summary.state() != summaries[name].state():
                summaries[name] = summary
                changed = True
        if not changed:
            return summaries, any(walker.in_place for walker in walkers.values())


class _BodyWalker(_Walker):
    """One ``range``'s body as an iteration sees it: its inputs are the element (``#e``, also
    the dot), the key (``#k``) and the variables of the scope around it (by their Go names,
    ``$`` included), each at the paths the body follows.  The body must not assign any of
    those variables, nor write to anything but the maps it makes."""

    def __init__(self, node: RangeNode, scope: list[tuple[str, int]], summaries: Mapping[str, Summary],
                 kinds: Mapping[str, str]) -> None:
        super().__init__(None, summaries, kinds)  # type: ignore[arg-type]
        self.node = node
        self.outer = dict(scope)  # name -> key of the binding the body sees (the innermost)
        self.vars = {key: frozenset((("path", (name,)),)) for name, key in self.outer.items()}
        self.outer_keys = set(self.outer.values())
        self.base = list(scope)

    def assign(self, key: int | None, value: frozenset) -> None:
        if key in self.outer_keys:
            self.ok = False  # an outer variable: the next iteration, or what follows the loop, would see it
        super().assign(key, value)

    def run(self) -> Summary:
        node = self.node
        if node.pipe.is_assign or exits_loop(node.list):
            return Summary(ok=False)
        decl = node.pipe.decl
        labels = ("#e",) if len(decl) == 1 else ("#k", "#e")
        element = frozenset((("path", ("#e",)),))
        while True:
            before = self._size()
            self.scope = list(self.base)
            for variable, label in zip(decl, labels):
                self.scope.append((variable.ident[0], id(variable)))
                self.vars[id(variable)] = self.vars.get(id(variable), frozenset()) | {("path", (label,))}
            self.walk_list(node.list, element)
            if self._size() == before:
                break
        return Summary(self.ok and not self.in_place and not self.writes_arg, False, frozenset(_minimal(self.reads)))


def analyse_ranges(trees: Mapping[str, Tree], funcs: Mapping[str, Function], builtins: Mapping[str, Function],
                   summaries: Mapping[str, Summary]) -> dict[RangeNode, Summary]:
    """Each ``range``'s body as a :class:`Summary` of one iteration (see :class:`_BodyWalker`);
    ``summaries``: the templates' (:func:`analyse`), for the calls a body makes."""
    kinds = _classify(funcs, builtins)
    found: dict[RangeNode, Summary] = {}
    for tree in trees.values():
        walker = _Walker(tree, summaries, kinds)
        walker.collect = {}
        walker.run()
        for node, scope in walker.collect.items():
            found[node] = _BodyWalker(node, scope, summaries, kinds).run()
    return found


# --- fingerprints ----------------------------------------------------------------------


class Unkeyable(Exception):
    """A value this module cannot fingerprint (or one too large to be worth it)."""


_NOT_FOUND = object()  # a path whose evaluation fails: the template cannot have read it
# Values visited per call's key.  Past that, comparing costs about what running the template
# does (``fallback_server`` reads every host): such a template is no longer remembered.
_BUDGET = 512


def fingerprint(value: Any, refs: list[Any], budget: list[int], depth: int = 0) -> Hashable:
    """A hashable stand-in for ``value`` that is equal only for values a template cannot tell
    apart: types and content for data, identity (kept alive through ``refs``) for structs."""
    budget[0] -= 1
    if budget[0] < 0 or depth > 64:
        raise Unkeyable("too large")
    t = type(value)
    if t is str or value is None or t is bool or value is MISSING:
        return value  # type: ignore[no-any-return]
    if t in _STRUCTS:  # model structs: never changed in place (see the module's docstring)
        refs.append(value)
        return ("@", id(value))
    depth += 1
    if t is dict or t is GoMap:
        out: list[Hashable] = [t, value.type, value.nil] if t is GoMap else [t]
        for k, v in value.items():
            out.append(k if type(k) is str else fingerprint(k, refs, budget, depth))
            out.append(v if type(v) is str else fingerprint(v, refs, budget, depth))
        budget[0] -= len(value)
        return tuple(out)
    if t is list or isinstance(value, GoSlice):
        out = [t, value.type, value.nil] if t is not list else [t]
        for v in value:
            out.append(v if type(v) is str else fingerprint(v, refs, budget, depth))
        budget[0] -= len(value)
        data = getattr(value, "root_data", None)  # the root's container list: its methods read root_data
        if data is not None:
            out.append(_root_data(data, refs, budget, depth))
        return tuple(out)
    if isinstance(value, int):
        return (t, int(value))
    if isinstance(value, float):
        return (t, repr(value))
    if t is Addr:
        return (Addr, fingerprint(value.value, refs, budget, depth))
    if t is NilPointer:
        return (NilPointer, value.type)
    if isinstance(value, Pointer):
        data = getattr(value, "data", None)  # the root: its methods read data
        return (t, value.type, fingerprint(value.target, refs, budget, depth)) + (
            (_root_data(data, refs, budget, depth),) if data is not None else ())
    if isinstance(value, (bytes, complex)):
        return (t, value)
    from dockergen.model import GoTime

    if isinstance(value, GoTime):
        return (t, value.isoformat(), str(value.tzinfo))
    raise Unkeyable(t.__name__)


def _root_data(data: Any, refs: list[Any], budget: list[int], depth: int) -> Hashable:
    return tuple(fingerprint(getattr(data, name), refs, budget, depth + 1)
                 for name in ("env", "docker", "current", "services", "tasks", "nodes"))


# --- at run time -----------------------------------------------------------------------


class _Node:
    """The argument paths of one template as a tree: each step's field name, and a number
    that names the step in keys (so that keys of different shapes never compare equal)."""

    __slots__ = ("index", "children", "whole")

    def __init__(self, index: int) -> None:
        self.index = index
        self.children: list[tuple[str, _Node]] = []
        self.whole = False


def _path_tree(paths: tuple[tuple[str, ...], ...]) -> _Node:
    count = [0]

    def node() -> _Node:
        count[0] += 1
        return _Node(count[0])

    root = node()
    root.whole = () in paths  # the whole argument (the only path then); no path: nothing read
    for path in paths:
        at = root
        for name in path:
            found = next((child for step, child in at.children if step == name), None)
            if found is None:
                found = node()
                at.children.append((name, found))
            at = found
    return root


_STRUCT_AT = object()  # key part: the rest of the paths below this step read a struct's fields


def _walk(st: Any, value: Any, at: _Node, parts: list[Hashable], refs: list[Any], budget: list[int]) -> None:
    """Append the key parts of ``value`` for the paths below ``at`` (``at`` has some)."""
    inner = value.value if type(value) is Addr else value
    if type(inner) in _STRUCTS:  # whatever is read below is the struct's, and a struct never changes
        refs.append(inner)
        parts.append((_STRUCT_AT, at.index, type(value) is Addr, id(inner)))
        return
    plain = type(value) is dict
    for name, child in at.children:
        if plain:
            found = value.get(name, MISSING)
        else:
            try:
                found = field(st, None, None, name, value, None, MISSING, False)
            except Exception:  # the template cannot have read it: it would have failed there
                parts.append((_NOT_FOUND, child.index))
                continue
        _part(st, found, child, parts, refs, budget)


def _part(st: Any, value: Any, at: _Node, parts: list[Hashable], refs: list[Any], budget: list[int]) -> None:
    """Append the key parts of ``value`` read at the paths below ``at`` (none: whole)."""
    if at.children:
        _walk(st, value, at, parts, refs, budget)
    elif type(value) is str:
        parts.append(value)
    else:
        parts.append(fingerprint(value, refs, budget))


class _Entry:
    __slots__ = ("output", "asked")

    def __init__(self, output: str, asked: list[tuple[tuple, Any]]) -> None:
        self.output = output
        self.asked = asked  # (("asked", function, arguments), answer) of each tracked call


class CallMemo:
    """The remembered calls of one compiled template set, across its renders.

    ``begin``/``end`` bracket a render (a render on another thread meanwhile runs without
    it).  What the render used or made is kept until the next one, and so are the objects
    whose identities its keys hold (so that no other object can take their ids)."""

    def __init__(self, templates: Mapping[str, Any], trees: Mapping[str, Tree], funcs: Mapping[str, Function],
                 builtins: Mapping[str, Function]) -> None:
        summaries, in_place = analyse(trees, funcs, builtins)
        # compiled template -> the tree of argument paths its output depends on
        self.plans: dict[Any, _Node] = {} if in_place else {
            templates[name]: _path_tree(tuple(sorted(summary.reads)))
            for name, summary in summaries.items() if summary.memoisable and name in templates
        }
        self.summaries = summaries
        self.functions_too = not in_place  # see CONTAINER_FUNCTIONS
        # range node -> the tree of its iterations' inputs (#k, #e, variables by name) and paths
        self.ranges: dict[RangeNode, _Node] = {} if in_place else {
            node: _path_tree(tuple(sorted(summary.reads)))
            for node, summary in analyse_ranges(trees, funcs, builtins, summaries).items() if summary.ok
        }
        # A range's inputs from around its loop (its node first) -> a token: this render's, the last one's.
        self._loops: dict[tuple, int] = {}
        self._previous_loops: dict[tuple, int] = {}
        # Two generations: the last render's (looked up) and this one's (used or made now).
        self._previous: dict[Hashable, Any] = {}
        self._current: dict[Hashable, Any] = {}
        self._kept: dict[int, Any] = {}  # id -> object, for the identities in _current's keys
        self._previous_kept: dict[int, Any] = {}
        self._shared: dict[Hashable, Any] = {}  # equal key parts made one object (memory)
        self._previous_shared: dict[Hashable, Any] = {}
        # Container functions' answers: (list token, function, arguments...) -> [answer, stamp of
        # the last render that used it].  One dict across renders, so that a hit costs one
        # lookup; what a render did not use is dropped at its end.
        self._answers: dict[tuple, list[Any]] = {}
        self._stamp = self._used = 0  # this render's number; answers it used so far
        # Container lists by their items' ids -> a token (a number never given twice), so that a
        # list of the same container objects is one small key part render after render.  The
        # items are kept alive (in _kept) as long as their ids name a token.
        self._tokens: dict[tuple[int, ...], int] = {}
        self._previous_tokens: dict[tuple[int, ...], int] = {}
        self._last_token = 0
        # This render's list objects -> (the list, its token or None): a list is not changed
        # during a render (no function the analysis allows changes one in place).
        self._lists: dict[int, tuple[list[Any], int | None]] = {}
        # exists answers asked again: "still absent" mostly known from a directory listing
        self._absent = AbsentFiles()
        self._probes = frozenset(fn.call for fn in (*funcs.values(), *builtins.values()) if fn.file_probe)
        self._lock = threading.Lock()
        self.hits = self.misses = 0
        self.iterations = 0  # of the hits, range iterations

    def begin(self) -> bool:
        """Start a render; False when another one holds the memory (render without it)."""
        if not self._lock.acquire(blocking=False):
            return False
        # The last render's kept objects stay alive through _previous_kept until end().
        self._previous, self._current = self._current, {}
        self._previous_kept, self._kept = self._kept, {}
        self._previous_shared, self._shared = self._shared, {}
        self._previous_tokens, self._tokens = self._tokens, {}
        self._previous_loops, self._loops = self._loops, {}
        self._stamp += 1
        self._used = 0
        self._lists = {}
        self._absent.begin()
        self.hits = self.misses = self.iterations = 0
        return True

    def end(self) -> None:
        self._previous = {}  # what this render did not use goes now, not at the next render
        self._previous_kept = self._previous_shared = {}
        self._previous_tokens = self._previous_loops = {}
        self._lists = {}
        if len(self._answers) > self._used:
            stamp = self._stamp
            self._answers = {key: entry for key, entry in self._answers.items() if entry[1] == stamp}
        self._lock.release()

    def run(self, st: Any, compiled: Any, value: Any, node: Node, run: Any) -> None:
        """``{{template}}`` of a remembered template: its output again, or ``run`` recorded."""
        refs: list[Any] = []
        parts: list[Hashable] = [compiled]
        saved = st.node
        plan = self.plans[compiled]
        try:
            if plan.whole:
                parts.append(fingerprint(value, refs, [_BUDGET]))
            elif plan.children:
                _walk(st, value, plan, parts, refs, [_BUDGET])
            key: tuple | None = tuple(parts)
        except Unkeyable:
            key = None
            del self.plans[compiled]  # too large (or too strange) to compare: not remembered
        st.node = saved
        if key is not None and self._again(st, key, refs):
            return
        self.misses += 1
        if key is None:
            run(st, compiled, value, node)
            return
        mark = (key, refs, st.reads, len(st.out))
        st.reads = []
        try:
            run(st, compiled, value, node)
        except BaseException:
            st.reads = mark[2]
            raise
        self.leave(st, mark)

    def start(self, st: Any, node: RangeNode, names: tuple[str, ...], values: tuple) -> tuple | None:
        """Before a remembered ``range`` runs its iterations: its inputs from around the loop
        (``values``: the variables ``names`` lists), looked at once, as a number that is the
        same while they are, and what each iteration reads of its key and element (for
        :meth:`enter`).  The body cannot change them (the analysis proved it).  None: not
        remembered."""
        refs: list[Any] = []
        parts: list[Hashable] = [node]
        saved = st.node
        try:
            plan = self.ranges[node]
            where = {name: index for index, name in enumerate(names)}
            inner: list[tuple[int, _Node]] = []
            budget = [_BUDGET]
            for label, at in plan.children:
                if label in ("#k", "#e"):
                    inner.append((label == "#e", at))
                elif label in where:
                    _part(st, values[where[label]], at, parts, refs, budget)
                else:  # a variable the body reads that the compiled code does not pass
                    raise Unkeyable(label)
        except Unkeyable:
            del self.ranges[node]  # too large (or too strange) to compare: not remembered
            return None
        finally:
            st.node = saved
        key = tuple(parts)
        token = self._loops.get(key)
        if token is None:
            token = self._previous_loops.get(key)
            if token is None:
                self._last_token += 1
                token = self._last_token
            self._loops[key] = token
        kept = self._kept
        for ref in refs:
            kept[id(ref)] = ref
        return token, inner, node

    def enter(self, st: Any, loop: tuple, key: Any, element: Any) -> Any:
        """One iteration of a remembered ``range`` (``loop``: what :meth:`start` gave): True
        when its output was written again (the body is skipped), else what :meth:`leave`
        takes after the body ran (None: not remembered)."""
        token, inner, node = loop
        refs: list[Any] = []
        parts: list[Hashable] = [token]
        budget = [_BUDGET]
        saved = st.node
        try:
            for is_element, at in inner:
                _part(st, element if is_element else key, at, parts, refs, budget)
        except Unkeyable:
            self.ranges.pop(node, None)  # not remembered from the next loop on
            return None
        finally:
            st.node = saved
        whole = tuple(parts)
        if self._again(st, whole, refs):
            self.iterations += 1
            return True
        self.misses += 1
        mark = (whole, refs, st.reads, len(st.out))
        st.reads = []
        return mark

    def leave(self, st: Any, mark: tuple) -> None:
        """After a body (or a template) ran without failing: its output and ``exists`` answers kept."""
        key, refs, outer, start = mark
        inner, st.reads = st.reads, outer
        if outer is not None:
            outer.extend(inner)
        shared = self._shared
        asked = [(shared.setdefault(key_, key_), answer)
                 for key_, answer in ((("asked", fn, args), answer) for fn, args, answer in dict.fromkeys(inner))]
        self._keep(key, _Entry("".join(st.out[start:]), asked), refs)

    def _again(self, st: Any, key: tuple, refs: list[Any]) -> bool:
        """Write what ``key`` wrote before, if its ``exists`` answers still hold."""
        entry = self._current.get(key) or self._previous.get(key)
        if entry is None or not self._still(st.memo, entry.asked):
            return False
        self._keep(key, entry, refs)
        st.write(entry.output)
        if st.reads is not None:
            st.reads.extend((asked[1], asked[2], answer) for asked, answer in entry.asked)
        self.hits += 1
        return True

    def _still(self, memo: dict, asked: list[tuple[tuple, Any]]) -> bool:
        """Whether every tracked call gives its remembered answer (each asked once per render).

        A file that was absent and whose directory's listing still lacks it is absent without
        a ``stat`` of its own: nginx-proxy's template asks ~5 per host, nearly all absent."""
        probes, absent = self._probes, self._absent
        for key, answer in asked:
            now = memo.get(key, _NOT_FOUND)
            if now is _NOT_FOUND:
                if answer is False and key[1] in probes and absent.certainly_absent(key[2][0]):
                    now = memo[key] = False
                else:
                    try:
                        now = memo[key] = key[1](*key[2])
                    except Exception:
                        return False
            if now != answer or type(now) is not type(answer):
                return False
        return True

    def _keep(self, key: Hashable, entry: Any, refs: list[Any]) -> None:
        self._current[key] = entry
        kept = self._kept
        for ref in refs:
            kept[id(ref)] = ref

    def function(self, fn: Any, args: tuple) -> Any:
        """``fn(*args)`` for one of :data:`CONTAINER_FUNCTIONS`, answered again while its list
        holds the same container objects and the other arguments are equal.

        The answer itself is handed out again, not a copy: a template can change a value in
        place only with set/unset/merge, which take plain maps (map[string]interface{}: none
        of these answers, whose maps are typed and whose lists hold containers or strings),
        and with the in-place sorts of []string, which turn remembering off for the set."""
        entries = args[0]
        if type(entries) is not list:
            if isinstance(entries, Pointer):
                entries = entries.target
            if not isinstance(entries, list):
                return fn(*args)
        if not self.functions_too:
            return fn(*args)
        seen = self._lists.get(id(entries))
        if seen is not None and seen[0] is entries:
            token = seen[1]
        else:
            ids = tuple(map(id, entries))
            token = self._tokens.get(ids)
            if token is None:
                token = self._token(entries, ids)
            self._lists[id(entries)] = (entries, token)
        if token is None:
            return fn(*args)
        if len(args) == 2 and type(args[1]) is str:  # the usual call: a list and a field path
            key: tuple = (token, fn, args[1])
        else:
            key = (token, fn, *args[1:])
            for arg in args[1:]:
                if type(arg) is not str:
                    if type(arg) not in _PLAIN:
                        return fn(*args)
                    key = (*key, tuple(map(type, args[1:])))  # 1, 1.0 and True are equal keys otherwise
                    break
        entry = self._answers.get(key)
        if entry is None:
            entry = self._answers[key] = [fn(*args), self._stamp]
            self._used += 1
        elif entry[1] != self._stamp:
            entry[1] = self._stamp
            self._used += 1
        return entry[0]

    def _token(self, entries: list[Any], ids: tuple[int, ...]) -> int | None:
        """The token of a container list first met in this render (None: not all containers).
        A list the last render knew keeps its token: its items, kept alive since, are the same
        objects."""
        token = self._previous_tokens.get(ids)
        if token is None:
            for item in entries:
                if type(item) not in _STRUCTS:
                    return None
            self._last_token += 1
            token = self._last_token
        kept = self._kept
        for item in entries:
            kept[id(item)] = item
        self._tokens[ids] = token
        return token


_PLAIN = frozenset((str, int, bool, float, type(None)))


