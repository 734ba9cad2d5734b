"""Decode one YAML document into plain data under the rules yaml.v3 enforces.

PyYAML's C parser composes the node graph (fast); the graph is then turned
into values here rather than by PyYAML's constructor, because yaml.v3 differs
from it in ways that matter to a proxy fed by container labels:

- a mapping that repeats a key is an error (PyYAML keeps the last value);
  keys are compared by their source text, so ``1`` and ``"1"`` collide;
- alias expansion is bounded: a document whose decoding is mostly alias
  expansion ("billion laughs") is refused while it is being walked, long
  before the expanded structure exists;
- an anchor whose value contains its own alias is an error;
- tags never build objects: unknown and language tags are ignored, as yaml.v3
  ignores them when decoding into ``interface{}``; only dicts, lists, str,
  int, float, bool, None and timestamps come out;
- every alias expansion is a fresh copy, as in Go, so results never share
  (or loop back to) containers;
- nesting is bounded by dockergen's limit (yaml.v3 allows 10000 levels), so
  that what comes out can always be walked (encoded, printed) again.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from ..errors import HelperError
from ..limits import deeper
from .nginx import go_quote
from .yamlfmt import BOOL, FLOAT, INT, MERGE, NULL, STR, TIMESTAMP, _TAG, resolve_plain

__all__ = ["decode_yaml"]

# Tags the resolver gives nodes.  A plain (unquoted, untagged) scalar gets a
# private marker so that its text is resolved only once, while decoding.
_PLAIN = "tag:dockergen,2024:plain"
_SEQ = _TAG + "seq"
_MAP = _TAG + "map"
_BINARY = _TAG + "binary"
_TYPED = frozenset((NULL, BOOL, INT, FLOAT, TIMESTAMP))

# yaml.v3's alias budget: once more than 1000 nodes (over 100 of them inside
# alias expansions) have been decoded, the share of decodes that come from
# alias expansion may not exceed 99% up to 400 000 decodes, falling linearly
# to 10% at 4 000 000 and beyond.  So small documents may expand ~100-fold,
# large ones hardly at all, and a bomb is refused after ~1000 decodes.
_MIN_DECODES, _MIN_ALIAS_DECODES = 1000, 100
_RATIO_FROM, _RATIO_TO = 400_000, 4_000_000
_RATIO_HIGH, _RATIO_LOW = 0.99, 0.10

_EXCESSIVE = "yaml: document contains excessive aliasing"
_BAD_MERGE = "yaml: map merge requires map or sequence of maps as the value"

_LOADER: Any = None


def _allowed_alias_ratio(decodes: int) -> float:
    if decodes <= _RATIO_FROM:
        return _RATIO_HIGH
    if decodes >= _RATIO_TO:
        return _RATIO_LOW
    share = (decodes - _RATIO_FROM) / (_RATIO_TO - _RATIO_FROM)
    return _RATIO_HIGH - share * (_RATIO_HIGH - _RATIO_LOW)


def _loader() -> Any:
    """PyYAML's C (or pure) parser and composer, with a resolver that only labels nodes."""
    global _LOADER
    if _LOADER is not None:
        return _LOADER
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    scalar_node, sequence_node = yaml.ScalarNode, yaml.SequenceNode

    class Loader(base):  # type: ignore[misc, valid-type]
        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            if kind is scalar_node:
                # Also asked for the non-specific tag "!": libyaml then says plain-implicit
                # whatever the style (a quoted one is a string, see _scalar), or, for an
                # empty value, neither implicit: yaml.v3 resolves both as plain scalars.
                return _PLAIN if implicit[0] or not implicit[1] else STR
            return _SEQ if kind is sequence_node else _MAP

    _LOADER = Loader
    return Loader


def _line(node: Any) -> int:
    return node.start_mark.line + 1


_PENDING = object()  # a collection whose value is still being built
_NO_KEY = object()  # a mapping frame waiting for its next key
_MERGE_KEY = object()  # a mapping frame decoding a "<<" value


class _Frame:
    """A collection being filled (``out`` is None for a sequence)."""

    __slots__ = ("items", "out", "alias", "index", "key", "seq", "merged")

    def __init__(self, items: list[Any], out: dict[Any, Any] | None, alias: bool) -> None:
        self.items = items
        self.out = out
        self.alias = alias
        self.index = 0
        self.key: Any = _NO_KEY
        self.seq: list[Any] = []
        self.merged: list[dict[Any, Any]] = []


class _Decoder:
    """One document's walk: values out, yaml.v3's counts and error list kept."""

    def __init__(self, aliased: bool) -> None:
        import yaml

        self._scalar_node = yaml.ScalarNode
        self._mapping_node = yaml.MappingNode
        self._aliased = aliased
        self._seen: set[int] = set()
        self._decodes = 0
        self._alias_decodes = 0
        self._alias_depth = 0
        self._plain: dict[str, Any] = {}
        self._key_idents: dict[int, list[tuple[str, Any]]] = {}
        self.errors: list[str] = []

    # -- walking -----------------------------------------------------------
    # The walk keeps its own stack: libyaml nests up to 1000 levels, deeper
    # than Python's recursion limit allows once a template engine is running.

    def decode(self, root: Any) -> Any:
        stack: list[_Frame] = []
        value = self._start(root, stack)
        while stack:
            frame = stack[-1]
            if not self._aliased:
                self._take_scalars(frame)
            child = self._next_child(frame)
            if child is not None:
                value = self._start(child, stack)
                if value is not _PENDING:
                    self._deliver(frame, value)
                continue
            stack.pop()
            if frame.alias:
                self._alias_depth -= 1
            value = self._finish(frame)
            if stack:
                self._deliver(stack[-1], value)
        return value

    def _start(self, node: Any, stack: list[_Frame]) -> Any:
        """A scalar's value, or ``_PENDING`` after pushing a collection's frame."""
        alias = False
        if self._aliased:
            self._count()
            ident = id(node)
            if ident in self._seen:
                # A second sighting of a node is an alias: everything decoded
                # below it is expansion, which is what the budget limits.
                alias = True
                self._alias_depth += 1
                self._count()
            else:
                self._seen.add(ident)
        kind = node.__class__
        if kind is self._scalar_node:
            value = self._scalar(node)
        elif kind is self._mapping_node:
            pairs = node.value
            if len(pairs) < 2 or self._unique_keys(pairs, node):
                deeper("yaml", len(stack))
                stack.append(_Frame(pairs, {}, alias))
                return _PENDING
            value = None  # the document fails; yaml.v3 skips this mapping's content
        else:
            deeper("yaml", len(stack))
            stack.append(_Frame(node.value, None, alias))
            return _PENDING
        if alias:
            self._alias_depth -= 1
        return value

    def _take_scalars(self, frame: _Frame) -> None:
        """Fill in the scalar children that follow in one go (the common case, made cheap)."""
        items, index, count = frame.items, frame.index, len(frame.items)
        scalar_node, scalar = self._scalar_node, self._scalar
        if frame.out is None:
            append = frame.seq.append
            while index < count and items[index].__class__ is scalar_node:
                append(scalar(items[index]))
                index += 1
        elif frame.key is _NO_KEY:
            out = frame.out
            while index < count:
                key_node, value_node = items[index]
                if not (
                    key_node.__class__ is scalar_node
                    and value_node.__class__ is scalar_node
                    and key_node.tag != MERGE
                    and not (key_node.tag == _PLAIN and key_node.value == "<<")
                ):
                    break
                out[scalar(key_node)] = scalar(value_node)  # scalar values are hashable
                index += 1
        frame.index = index

    def _next_child(self, frame: _Frame) -> Any:
        items = frame.items
        if frame.index >= len(items):
            return None
        if frame.out is None:
            frame.index += 1
            return items[frame.index - 1]
        key_node, value_node = items[frame.index]
        if frame.key is not _NO_KEY:
            return value_node
        if _is_merge(key_node):
            self._check_merge(value_node)
            frame.key = _MERGE_KEY
            return value_node
        return key_node

    def _deliver(self, frame: _Frame, value: Any) -> None:
        if frame.out is None:
            frame.seq.append(value)
            return
        key = frame.key
        if key is _NO_KEY:
            frame.key = value
            return
        frame.key = _NO_KEY
        frame.index += 1
        if key is _MERGE_KEY:
            if isinstance(value, dict):
                frame.merged.append(value)
            elif isinstance(value, list):
                frame.merged.extend(item for item in value if isinstance(item, dict))
            return
        try:
            frame.out[key] = value
        except TypeError:
            raise HelperError("yaml: invalid map key") from None

    @staticmethod
    def _finish(frame: _Frame) -> Any:
        if frame.out is None:
            return frame.seq
        if not frame.merged:
            return frame.out
        # Explicit keys win over merged ones; earlier merge sources over later.
        combined: dict[Any, Any] = {}
        for source in reversed(frame.merged):
            combined.update(source)
        combined.update(frame.out)
        return combined

    def _check_merge(self, node: Any) -> None:
        if node.__class__ is self._mapping_node:
            return
        if node.__class__ is self._scalar_node or any(
            item.__class__ is not self._mapping_node for item in node.value
        ):
            raise HelperError(_BAD_MERGE)

    def _count(self) -> None:
        self._decodes += 1
        if self._alias_depth:
            self._alias_decodes += 1
            if (
                self._alias_decodes > _MIN_ALIAS_DECODES
                and self._decodes > _MIN_DECODES
                and self._alias_decodes / self._decodes > _allowed_alias_ratio(self._decodes)
            ):
                raise HelperError(_EXCESSIVE)

    # -- scalars -----------------------------------------------------------

    def _scalar(self, node: Any) -> Any:
        tag = node.tag
        if tag == _PLAIN and node.style:  # "!" on a quoted or block scalar: a string
            return node.value
        if tag == _PLAIN:
            # Keys and common values repeat; each distinct text is resolved
            # once per document (the values are immutable, so sharing is safe).
            text = node.value
            try:
                return self._plain[text]
            except KeyError:
                value = self._plain[text] = resolve_plain(text)[1]
                return value
        if tag == STR:
            return node.value
        if tag in _TYPED:
            return _typed_scalar(tag, node)
        if tag == _BINARY:
            return _binary(node.value)
        return node.value  # unknown, local and language tags are ignored

    # -- mappings ----------------------------------------------------------

    def _unique_keys(self, pairs: list[tuple[Any, Any]], node: Any) -> bool:
        """Record yaml.v3's "already defined" errors for this mapping; False if any."""
        idents = self._key_idents.get(id(node)) if self._aliased else None
        if idents is None:
            idents = self._identities(pairs)
            if self._aliased:
                self._key_idents[id(node)] = idents  # an expansion compares as the original
        if len(set(idents)) == len(idents):
            return True
        # Each key is checked against every later key: a key used three
        # times gives three errors, in document order of the earlier key.
        positions: dict[tuple[str, Any], list[int]] = {}
        for index, ident in enumerate(idents):
            positions.setdefault(ident, []).append(index)
        for index, ident in enumerate(idents):
            earlier = pairs[index][0]
            for later_index in positions[ident]:
                if later_index > index:
                    later = pairs[later_index][0]
                    text = later.value if later.__class__ is self._scalar_node else ""
                    self.errors.append(
                        f"line {_line(later)}: mapping key {go_quote(text)} "
                        f"already defined at line {_line(earlier)}"
                    )
        return False

    def _identities(self, pairs: list[tuple[Any, Any]]) -> list[tuple[str, Any]]:
        # yaml.v3 compares a key's kind and source text.  An alias is a kind
        # of its own there, so a key node met before (earlier in the document
        # or in this mapping) compares by the node it points to.
        idents: list[tuple[str, Any]] = []
        here: set[int] = set()
        for key_node, _ in pairs:
            ident = id(key_node)
            if self._aliased and (ident in self._seen or ident in here):
                idents.append(("alias", ident))
            elif key_node.__class__ is self._scalar_node:
                idents.append(("scalar", key_node.value))
            else:
                idents.append((key_node.__class__.__name__, ""))
            here.add(ident)
        return idents


def _is_merge(key_node: Any) -> bool:
    tag = key_node.tag
    return (tag == _PLAIN and key_node.value == "<<") or tag == MERGE


def _typed_scalar(tag: str, node: Any) -> Any:
    got, value = resolve_plain(node.value)
    if got == INT and tag == FLOAT:
        return float(value)
    if got != tag:
        line = node.start_mark.line  # yamlfmt._yaml_error's arithmetic for these
        where = f"line {line}: " if line else ""
        raise HelperError(f"yaml: {where}cannot decode {node.value!r} as {tag[len(_TAG):]}")
    return value


def _binary(text: str) -> str:
    try:
        data = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise HelperError("yaml: !!binary value contains invalid base64 data") from None
    return data.decode("utf-8", "surrogateescape")  # a Go string holds any bytes


def _has_cycle(root: Any, mapping_node: type, scalar_node: type) -> bool:
    """Whether some collection contains itself (an anchor's own alias inside it)."""
    done: set[int] = set()
    active: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        ident = id(node)
        if leaving:
            active.discard(ident)
            done.add(ident)
            continue
        if ident in active:
            return True
        if ident in done or node.__class__ is scalar_node:
            continue
        active.add(ident)
        stack.append((node, True))
        if node.__class__ is mapping_node:
            for key, value in reversed(node.value):
                stack.append((value, False))
                stack.append((key, False))
        else:
            stack.extend((item, False) for item in reversed(node.value))
    return False


def _cyclic_anchor(source: str) -> str:
    """The name of the first anchor whose value uses its own alias (error path only)."""
    import yaml

    open_anchors: list[str | None] = []
    loader = _loader()(source)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                open_anchors.append(event.anchor)
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                open_anchors.pop()
            elif isinstance(event, yaml.AliasEvent) and event.anchor in open_anchors:
                return str(event.anchor)
            elif isinstance(event, yaml.DocumentEndEvent):
                break
    finally:
        loader.dispose()
    return ""


def decode_yaml(source: str) -> Any:
    """The first document of ``source`` as plain data; HelperError with yaml.v3's text.

    Syntax errors come out as PyYAML's ``YAMLError`` for the caller to word.
    """
    loader = _loader()(source)
    try:
        if not loader.check_node():
            return None
        root = loader.get_node()
    finally:
        loader.dispose()
    import yaml

    aliased = "*" in source  # no alias can exist without one
    if aliased and _has_cycle(root, yaml.MappingNode, yaml.ScalarNode):
        raise HelperError(f"yaml: anchor '{_cyclic_anchor(source)}' value contains itself")
    decoder = _Decoder(aliased)
    value = decoder.decode(root)
    if decoder.errors:
        raise HelperError("yaml: unmarshal errors:\n  " + "\n  ".join(decoder.errors))
    return value
