"""docker-gen's own template functions for the Go engine (docker-gen-spec §4.3–§4.6).

The algorithms live in the helpers the Jinja2 engine uses (``dockergen.helpers.groupby``,
``where``, ``sort``, ``functions``, ``nginx``, ``yamlfmt``); this module adds
what only Go shows: each function's Go signature (so the executor makes Go's
argument checks), Go-typed results (``map[string][]interface {}``,
``[]string``, ``context.Context``), Go's ``deepGet`` path rules and
``reflect.DeepEqual``, in-place string sorting, and Go's error texts.
"""

from __future__ import annotations

from dataclasses import replace as _renamed
from typing import Any

from ..helpers import functions as shared
from ..helpers import groupby as _groupby
from ..helpers import nginx as _nginx
from ..helpers import sort as _sort
from ..helpers import where as _where
from ..errors import HelperError
from ..helpers.fieldpath import NotAStringError, PathRules
from ..helpers.serialize import PlainRules
from .context import CONTEXT
from .errors import GoError
from .funcs import Function, define
from .sprig.coerce import deep_equal, list_items
from .values import (
    ANY, BOOL, INT, LIST, MISSING, STRING, STRINGS, Duration, GoMap, GoSlice, NilPointer, Pointer, kind,
    map_of, struct_info, type_name,
)

__all__ = ["FUNCTIONS", "GO_PATHS"]

FUNCTIONS: dict[str, Function] = {}

_GROUPS = map_of(STRING, LIST)  # map[string][]interface {}


# --- Go's view of values ----------------------------------------------------------


class _GoPaths(PathRules):
    """Go's ``deepGet``: registered struct fields only, pointers followed once, and
    nothing below an interface-typed element (``[]interface{}``, ``map[string]interface{}``)."""

    def __init__(self) -> None:
        # What the class alone decides (plain maps and slices, structs, pointers, strings),
        # asked once per class: deepGet runs once per item of every groupBy/where/sort.
        self._by_class: dict[type, tuple[int, frozenset[str] | None, bool]] = {
            dict: (self.MAP_KIND, None, True), list: (self.SEQ_KIND, None, True),
            str: (self.LEAF_KIND, None, False),
        }
        self._by_type: dict[Any, tuple[int, frozenset[str] | None, bool]] = {}

    def kind(self, value: Any) -> tuple[int, frozenset[str] | None, bool]:
        found = self._by_class.get(type(value))
        if found is not None:
            return found
        if isinstance(value, (GoMap, GoSlice)):
            found = self._by_type.get(value.type)  # a typed collection: its Go type decides
            if found is None:
                opaque = value.type.elem is not None and value.type.elem.kind == "interface"
                found = self._by_type[value.type] = (
                    (self.MAP_KIND if isinstance(value, GoMap) else self.SEQ_KIND), None, opaque)
            return found
        if isinstance(value, Pointer):
            found = (self.POINTER_KIND, None, False)
        else:
            info = struct_info(value)
            if info is None:
                return self.LEAF_KIND, None, False  # scalars, times, nil, typed nil pointers
            found = (self.STRUCT_KIND, frozenset(info.field_types), False)
        self._by_class[type(value)] = found
        return found

    def deref(self, value: Any) -> Any:
        return value.target


GO_PATHS = _GoPaths()


def _format(value: Any) -> str:
    from .fmt import format_v

    return format_v(value)


def _items(fn: str, value: Any) -> list[Any]:
    """The elements of a slice argument (a pointer to one is followed), or docker-gen's error."""
    if isinstance(value, Pointer):
        value = value.target
    if isinstance(value, list):
        return value
    if isinstance(value, bytes):
        return list_items(value)
    raise GoError(f"must pass an array or slice to '{fn}'; received {_format(value)}; kind {_kind_behind(value)}")


def _kind_behind(value: Any) -> str:
    """The kind docker-gen names: a pointer's target's (a nil pointer's is ``invalid``)."""
    if isinstance(value, NilPointer):
        return "invalid"
    info = struct_info(value)
    if info is not None and info.pointer:  # a *RuntimeContainer stands for its struct
        return "struct"
    return kind(value)


def _not_a_string(exc: NotAStringError) -> GoError:
    # docker-gen type-asserts with value.(string); Go's runtime panic says this.
    return GoError(f"interface conversion: interface {{}} is {type_name(exc.value)}, not string")


def _go_error(exc: HelperError) -> GoError:
    if isinstance(exc, NotAStringError):
        return _not_a_string(exc)
    return GoError(str(exc))


def _context(value: Any) -> list[Any]:
    # A *context.Context may reach a context.Context parameter undereferenced.
    return value.target if isinstance(value, Pointer) else value


# --- groupBy family -------------------------------------------------------------------


def _groups(groups: dict[str, list[Any]]) -> GoMap:
    return GoMap(_GROUPS, groups)


@define(FUNCTIONS, "groupBy", (ANY, STRING), _GROUPS)
def group_by(entries: Any, path: str) -> GoMap:
    try:
        return _groups(_groupby.groupBy(_items("groupBy", entries), path, rules=GO_PATHS))
    except HelperError as exc:
        raise _go_error(exc) from None


@define(FUNCTIONS, "groupByWithDefault", (ANY, STRING, STRING), _GROUPS)
def group_by_with_default(entries: Any, path: str, default: str) -> GoMap:
    items = _items("groupByWithDefault", entries)
    try:
        return _groups(_groupby.groupByWithDefault(items, path, default, rules=GO_PATHS))
    except HelperError as exc:
        raise _go_error(exc) from None


@define(FUNCTIONS, "groupByKeys", (ANY, STRING), STRINGS)
def group_by_keys(entries: Any, path: str) -> GoSlice:
    try:
        return GoSlice(STRINGS, _groupby.groupByKeys(_items("groupByKeys", entries), path, rules=GO_PATHS))
    except HelperError as exc:
        raise _go_error(exc) from None


@define(FUNCTIONS, "groupByMulti", (ANY, STRING, STRING), _GROUPS)
def group_by_multi(entries: Any, path: str, sep: str) -> GoMap:
    try:
        return _groups(_groupby.groupByMulti(_items("groupByMulti", entries), path, sep, rules=GO_PATHS))
    except HelperError as exc:
        raise _go_error(exc) from None


def _labelled(entries: Any, fn: str) -> list[Any]:
    """docker-gen wants ``*RuntimeContainer`` items; dockergen also takes its swarm objects."""
    items = _items(fn, entries)
    for item in items:
        info = struct_info(item)
        if info is None or "Labels" not in info.field_types:
            raise GoError(
                f"must pass an array or slice of *RuntimeContainer to 'groupByLabel'; received {_format(item)}"
            )
    return items


@define(FUNCTIONS, "groupByLabel", (ANY, STRING), _GROUPS)
def group_by_label(entries: Any, label: str) -> GoMap:
    try:
        return _groups(_groupby.groupByLabel(_labelled(entries, "groupByLabel"), label))
    except HelperError as exc:
        raise _go_error(exc) from None


@define(FUNCTIONS, "groupByLabelWithDefault", (ANY, STRING, STRING), _GROUPS)
def group_by_label_with_default(entries: Any, label: str, default: str) -> GoMap:
    items = _labelled(entries, "groupByLabelWithDefault")
    try:
        return _groups(_groupby.groupByLabelWithDefault(items, label, default))
    except HelperError as exc:
        raise _go_error(exc) from None


# --- where family ---------------------------------------------------------------------


@define(FUNCTIONS, "where", (ANY, STRING, ANY), ANY)
def where(entries: Any, path: str, value: Any) -> list[Any]:
    return _where.where(_items("where", entries), path, value, rules=GO_PATHS, equal=deep_equal)


@define(FUNCTIONS, "whereNot", (ANY, STRING, ANY), ANY)
def where_not(entries: Any, path: str, value: Any) -> list[Any]:
    return _where.whereNot(_items("whereNot", entries), path, value, rules=GO_PATHS, equal=deep_equal)


@define(FUNCTIONS, "whereExist", (ANY, STRING), ANY)
def where_exist(entries: Any, path: str) -> list[Any]:
    return _where.whereExist(_items("whereExist", entries), path, rules=GO_PATHS)


@define(FUNCTIONS, "whereNotExist", (ANY, STRING), ANY)
def where_not_exist(entries: Any, path: str) -> list[Any]:
    return _where.whereNotExist(_items("whereNotExist", entries), path, rules=GO_PATHS)


@define(FUNCTIONS, "whereAny", (ANY, STRING, STRING, STRINGS), ANY)
def where_any(entries: Any, path: str, sep: str, values: list[str]) -> list[Any]:
    try:
        return _where.whereAny(_items("whereAny", entries), path, sep, values, rules=GO_PATHS)
    except HelperError as exc:
        raise _go_error(exc) from None


@define(FUNCTIONS, "whereAll", (ANY, STRING, STRING, STRINGS), ANY)
def where_all(entries: Any, path: str, sep: str, values: list[str]) -> list[Any]:
    try:
        return _where.whereAll(_items("whereAll", entries), path, sep, values, rules=GO_PATHS)
    except HelperError as exc:
        raise _go_error(exc) from None


@define(FUNCTIONS, "whereLabelExists", (CONTEXT, STRING), CONTEXT)
def where_label_exists(containers: Any, label: str) -> GoSlice:
    return GoSlice(CONTEXT, _where.whereLabelExists(_context(containers), label))


@define(FUNCTIONS, "whereLabelDoesNotExist", (CONTEXT, STRING), CONTEXT)
def where_label_does_not_exist(containers: Any, label: str) -> GoSlice:
    return GoSlice(CONTEXT, _where.whereLabelDoesNotExist(_context(containers), label))


@define(FUNCTIONS, "whereLabelValueMatches", (CONTEXT, STRING, STRING), CONTEXT)
def where_label_value_matches(containers: Any, label: str, pattern: str) -> GoSlice:
    from ..golang import regexp  # RE2 takes milliseconds to load: only the templates that match pay for it

    try:
        compiled = regexp.compile(pattern)  # docker-gen compiles first: its error is Go's bare text
    except regexp.RegexpSyntaxError as exc:
        raise GoError(str(exc)) from None
    return GoSlice(CONTEXT, _where.whereLabelValueMatches(_context(containers), label, compiled))


# --- sorting ------------------------------------------------------------------------


@define(FUNCTIONS, "sortStringsAsc", (STRINGS,), STRINGS)
def sort_strings_asc(values: list[str]) -> list[str]:
    return _sort.sortStringsAsc(values, in_place=True)


@define(FUNCTIONS, "sortStringsDesc", (STRINGS,), STRINGS)
def sort_strings_desc(values: list[str]) -> list[str]:
    return _sort.sortStringsDesc(values, in_place=True)


@define(FUNCTIONS, "sortObjectsByKeysAsc", (ANY, STRING), LIST)
def sort_objects_by_keys_asc(entries: Any, path: str) -> list[Any]:
    return _sort.sortObjectsByKeysAsc(_items("sortObjsByKeys", entries), path, rules=GO_PATHS)


@define(FUNCTIONS, "sortObjectsByKeysDesc", (ANY, STRING), LIST)
def sort_objects_by_keys_desc(entries: Any, path: str) -> list[Any]:
    # docker-gen names this one 'sortObjsByKey' (no s) in its error, the ascending one not.
    return _sort.sortObjectsByKeysDesc(_items("sortObjsByKey", entries), path, rules=GO_PATHS)


# --- strings, maps, files -----------------------------------------------------------


def _shared(name: str, params: tuple, result: Any, fn: Any, *, variadic: Any = None) -> None:
    """Declare a shared helper as is, turning its refusals into Go errors."""

    def call(*args: Any) -> Any:
        try:
            return fn(*args)
        except HelperError as exc:
            raise _go_error(exc) from None

    call.__name__ = call.__qualname__ = name
    call.__doc__ = fn.__doc__
    define(FUNCTIONS, name, params, result, variadic=variadic)(call)


_shared("closest", (STRINGS, STRING), STRING, shared.closest)
_shared("coalesce", (), ANY, shared.coalesce, variadic=ANY)
_shared("contains", (ANY, ANY), BOOL, shared.contains)
_shared("parseBool", (STRING,), BOOL, shared.parseBool)
_shared("queryEscape", (STRING,), STRING, shared.queryEscape)
_shared("mustBeInt", (STRING,), STRING, shared.mustBeInt)
_shared("nginxQuote", (STRING,), STRING, _nginx.nginxQuote)
_shared("nginxMustParseHSTS", (STRING,), STRING, _nginx.nginxMustParseHSTS)


def _yaml() -> Any:
    """The YAML helpers (:mod:`dockergen.helpers.yamlfmt`), imported by the first template that calls one."""
    from ..helpers import yamlfmt

    return yamlfmt


def _from_yaml(text: Any) -> Any:
    """Decode the first YAML document; nil when it is invalid."""
    return _yaml().fromYaml(text)


def _must_from_yaml(text: Any) -> Any:
    """Decode the first YAML document; invalid YAML fails the render."""
    return _yaml().mustFromYaml(text)


_shared("fromYaml", (STRING,), ANY, _from_yaml)
_shared("mustFromYaml", (STRING,), ANY, _must_from_yaml)


class _GoPlain(PlainRules):
    """What yaml.v3 sees of Go values: a struct's Go fields only, pointers followed."""

    def fields(self, value: Any) -> Any:
        info = struct_info(value)
        if info is None:
            return None
        return frozenset(info.attribute(name) for name in info.field_types if name[:1].isupper())  # exported

    def text(self, value: Any) -> str | None:
        if type(value) is Duration:
            from .fmt import duration_string

            return duration_string(value)
        info = struct_info(value)
        method = info.methods.get("MarshalText") if info is not None else None
        return None if method is None else bytes(method.call(value)).decode("utf-8", "surrogateescape")

    def resolve(self, value: Any) -> Any:
        if isinstance(value, Pointer):
            return value.target
        if isinstance(value, NilPointer) or value is MISSING:
            return None
        info = struct_info(value)
        if info is not None:  # a Go struct without a dataclass: its exported fields, named as yaml.v3 does
            text = self.text(value)
            if text is not None:
                return text
            return {name.lower(): getattr(value, info.attribute(name)) for name in info.field_types
                    if name[:1].isupper()}
        # yaml.v3 panics on kinds it cannot marshal (complex numbers...): even toYaml fails.
        raise GoError(f"cannot marshal type: {type_name(value)}")


_GO_PLAIN = _GoPlain()


@define(FUNCTIONS, "toYaml", (ANY,), STRING)
def to_yaml(value: Any) -> str:
    return _yaml().toYaml(value, rules=_GO_PLAIN)


@define(FUNCTIONS, "mustToYaml", (ANY,), STRING)
def must_to_yaml(value: Any) -> str:
    try:
        return _yaml().mustToYaml(value, rules=_GO_PLAIN)
    except HelperError as exc:
        raise GoError(str(exc)) from None


@define(FUNCTIONS, "when", (BOOL, ANY, ANY), ANY)
def when(condition: bool, if_true: Any, if_false: Any) -> Any:
    return if_true if condition else if_false


@define(FUNCTIONS, "comment", (STRING, STRING), STRING)
def comment(delimiter: str, text: str) -> str:
    # docker-gen prefixes lines with regexp ReplaceAllString(text, delimiter): the delimiter
    # is a replacement template, and its pattern (?m)^ has no groups to refer to.
    return shared.comment(_expand_without_groups(delimiter), text)


def _expand_without_groups(template: str) -> str:
    """regexp's Expand when nothing was captured: ``$$`` is ``$``, a reference (``$name``,
    ``${name}``, ``$1``) is empty, a ``$`` that starts no reference stays as it is."""
    out: list[str] = []
    i = 0
    while True:
        j = template.find("$", i)
        if j < 0:
            out.append(template[i:])
            return "".join(out)
        out.append(template[:j][i:])
        if template.startswith("$", j + 1):
            out.append("$")
            i = j + 2
            continue
        length = _reference_length(template, j + 1)
        if not length:
            out.append("$")
        i = j + 1 + length


def _reference_length(text: str, start: int) -> int:
    """Characters of a group reference at ``start`` (after ``$``); 0 when there is none."""
    from ..golang.unicode import category

    brace = text.startswith("{", start)
    end = first = start + brace
    while end < len(text) and (text[end] == "_" or category(text[end])[0] == "L" or category(text[end]) == "Nd"):
        end += 1
    if end == first:
        return 0
    if brace:
        if not text.startswith("}", end):
            return 0
        end += 1
    return end - start


@define(FUNCTIONS, "dir", (STRING,), STRINGS)
def dir_list(path: str) -> GoSlice:
    return GoSlice(STRINGS, shared.dir_(path))


@define(FUNCTIONS, "exists", (STRING,), BOOL, memo=True, file_probe=True)
def exists(path: str) -> bool:
    import os

    try:
        os.stat(path)
    except FileNotFoundError:
        return False
    except OSError as exc:
        reason = (exc.strerror or str(exc))
        raise GoError(f"stat {path}: {reason[:1].lower()}{reason[1:]}") from None
    except ValueError:  # a NUL byte: the system call refuses it
        raise GoError(f"stat {path}: invalid argument") from None
    return True


@define(FUNCTIONS, "include", (STRING,), STRING)
def include(path: str) -> str:
    return shared.include(path, raw=True)


@define(FUNCTIONS, "intersect", (STRINGS, STRINGS), STRINGS)
def intersect(first: list[str], second: list[str]) -> GoSlice:
    return GoSlice(STRINGS, shared.intersect(first, second))


@define(FUNCTIONS, "keys", (ANY,), ANY)
def keys(mapping: Any) -> list[Any] | None:
    if mapping is None:
        return None
    if not isinstance(mapping, dict):
        raise GoError(f"cannot call keys on a non-map value: {_format(mapping)}")
    return list(shared.keys(mapping) or ())


@define(FUNCTIONS, "split", (STRING, STRING), STRINGS)
def split(text: str, sep: str) -> GoSlice:
    return GoSlice(STRINGS, shared.split(text, sep))


@define(FUNCTIONS, "splitN", (STRING, STRING, INT), STRINGS)
def split_n(text: str, sep: str, count: int) -> GoSlice:
    if count == 0:  # strings.SplitN gives nil: printed [], encoded null
        return GoSlice(STRINGS, (), nil=True)
    return GoSlice(STRINGS, shared.splitN(text, sep, count))


@define(FUNCTIONS, "replace", (STRING, STRING, STRING, INT), STRING)
def replace(text: str, old: str, new: str, count: int) -> str:
    return shared.replace(text, old, new, count)


@define(FUNCTIONS, "mustBeOneOf", (LIST, STRING), STRING)
def must_be_one_of(allowed: list[Any], value: str) -> str:
    for choice in allowed:
        if type(choice) is not str:
            raise GoError(f"allowed value {_format(choice)} (type {type_name(choice)}) is not a string")
    try:
        return shared.mustBeOneOf(allowed, value)
    except HelperError as exc:
        raise _go_error(exc) from None


@define(FUNCTIONS, "mustBeIntInRange", (INT, INT, STRING), STRING)
def must_be_int_in_range(low: int, high: int, value: str) -> str:
    if low > high:
        raise GoError(f"invalid allowed range {low}..{high}")
    try:
        return shared.mustBeIntInRange(int(low), int(high), value)
    except HelperError as exc:
        raise _go_error(exc) from None


@define(FUNCTIONS, "eval", (STRING,), STRING, variadic=ANY, needs_state=True)
def eval_(state: Any, name: str, *data: Any) -> str:
    """Execute the named template into a string; without data (or with nil) ``.`` has no value."""
    if len(data) > 1:
        raise GoError("too many arguments")
    value = data[0] if data and data[0] is not None else MISSING
    return state.execute_named(name, value)


# --- the same Go functions as Sprig's, under docker-gen's names ----------------------


def _alias(name: str, module: str, original: str) -> None:
    """``name`` is Sprig's ``original`` (e.g. ``json`` = ``mustToJson``), signature and all."""
    import importlib

    table = importlib.import_module(f"{__package__}.sprig.{module}").FUNCTIONS
    FUNCTIONS[name] = _renamed(table[original], name=name)


for _name, _module, _original in (
    ("json", "defaults", "mustToJson"),
    ("parseJson", "defaults", "mustFromJson"),
    ("sha1", "strings", "sha1sum"),
    ("toLower", "strings", "lower"),  # both are Go's strings.ToLower
    ("toUpper", "strings", "upper"),
    ("sprigCoalesce", "defaults", "coalesce"),
    ("sprigContains", "strings", "contains"),
    ("sprigDir", "paths", "dir"),
    ("sprigReplace", "strings", "replace"),
    ("sprigSplit", "strings", "split"),
    ("sprigSplitn", "strings", "splitn"),
):
    _alias(_name, _module, _original)
del _name, _module, _original
