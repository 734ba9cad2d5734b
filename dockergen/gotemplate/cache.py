"""Compiled Go templates kept on disk: a run neither parses nor generates an unchanged template again.

Parsing nginx-proxy's template and generating and compiling its Python is
most of a one-shot run's own work.  An entry holds what a
:class:`~dockergen.gotemplate.template.TemplateSet` is made of: the parse
trees, and for each template that ran, its :class:`~.compiler.Program` (the
generated sources, the constants they name, their call lines for Go's
``error calling`` messages, and their code objects, marshalled).  A template
or a unit that had not run when the entry was written is generated or
compiled when it first runs, as without a cache, and the entry is written
again with it.

The key is a hash of everything the entry depends on: the template files'
names and bytes in ParseFiles order, dockergen's version and the bytes of
the modules that parse, generate and define the functions' signatures
(:func:`fingerprint`), the Python version (marshalled code is not portable),
the function names.  An edited template or a changed package is another key.

The constants are pickled, except what must come back as the very object
the running process holds (``t is VALUE``, ``value is MISSING``, a function
compared by identity): those are written as references (persistent ids) and
looked up on load: :data:`MISSING`, Go types (by the module attribute
naming them, or as the struct, slice, map or pointer type of one), and the
functions of the function map (by name).  Anything else that cannot be
written exactly as itself fails the write, and the template is just not
cached.

A cache of code is code: what is read back runs in this process.  So the
directory must be private (:mod:`dockergen.cache_dir`), an entry must be the
current user's and carry a digest of its content, and anything wrong with it
(unreadable, corrupt, foreign, written by another version) is a miss and is
written again; the cache is never the reason a render fails.  The most
recently used :data:`KEEP` entries are kept.
"""

from __future__ import annotations

import builtins
import dataclasses
import io
import logging
import marshal
import os
import sys
import types
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

# The pickle module's C classes, without the pure-Python module around them (1 ms at start-up)
from _pickle import Pickler, PicklingError, Unpickler, UnpicklingError

from dockergen import __version__
from dockergen.cache_dir import cache_root, private_directory
from dockergen.golang import hashes

from . import nodes as _nodes
from .compiler import Program
from .funcs import Function
from .nodes import Tree
from .values import (
    _STRUCTS, MISSING, Duration, Float32, GoMap, GoSlice, GoType, Int8, Int16, Int32, Int64, NilPointer, Uint, Uint8,
    Uint16, Uint32, Uint64, map_of, pointer_to, slice_of,
)

__all__ = ["KEEP", "TemplateCache", "fingerprint"]

log = logging.getLogger(__name__)

KEEP = 16  # entries kept (the most recently used): a host has a few templates, an entry ~1 MiB at most
_MAGIC = b"dockergen Go template cache 1\n"
_DIGEST = 32  # bytes of the content's digest after the magic
_SUBDIRECTORY = "gotemplate"
_PACKAGE = os.path.dirname(os.path.abspath(__file__))
# What the parse trees and the generated code depend on, besides the template: this package
# (lexer, parser, compiler, run time, the functions' signatures), Go's library as written once
# (white space, numbers), and the containers' classes that the context registers as structs.
_SOURCES = (_PACKAGE, os.path.join(os.path.dirname(_PACKAGE), "golang"),
            os.path.join(os.path.dirname(_PACKAGE), "model.py"))

_NODES = [cls for cls in vars(_nodes).values() if isinstance(cls, type) and issubclass(cls, _nodes.Node)
          and cls is not _nodes.Node]
# Classes written by value: plain data, rebuilt as equal objects (a node's identity does not
# matter, only its position and text).  Functions and classes go by reference, which pickle
# checks resolves to the same object; anything else is refused.
_BY_VALUE = frozenset({
    *_NODES, Tree, complex, Int8, Int16, Int32, Int64, Uint, Uint8, Uint16, Uint32, Uint64, Float32, Duration,
    NilPointer, GoSlice, GoMap,
})
_BY_REFERENCE = (type, types.FunctionType, types.BuiltinFunctionType)


def _as_arguments(cls: type, names: list[str]) -> Callable[[Any], tuple[type, tuple[Any, ...]]]:
    return lambda obj: (cls, tuple(getattr(obj, name) for name in names))


# Nodes and trees are written as their constructor's arguments: loading calls the constructor,
# in half the time pickle's default for objects with slots takes (a state dict set attribute
# by attribute).  Loading nginx-proxy's trees takes 4 ms this way, parsing them 25 ms.
_REDUCERS: dict[type, Callable[[Any], tuple[type, tuple[Any, ...]]]] = {
    **{cls: _as_arguments(cls, [item.name for item in dataclasses.fields(cls)]) for cls in _NODES},
    Tree: _as_arguments(Tree, ["name", "parse_name", "root", "source"]),
}


@lru_cache(maxsize=1)
def fingerprint() -> bytes:
    """A hash of the code an entry depends on: dockergen's version, the Python version, and
    the bytes of :data:`_SOURCES`.  Read once per process."""
    digest = hashes.new("blake2b", _MAGIC + f"{__version__}\0{sys.version}\0{sys.implementation.cache_tag}\0".encode())
    for source in _SOURCES:
        for path in _python_files(source):
            with open(path, "rb") as handle:
                digest.update(f"\0{os.path.relpath(path, source)}\0".encode())
                digest.update(handle.read())
    return digest.digest()


def _python_files(path: str) -> Iterable[str]:
    if not os.path.isdir(path):
        yield path
        return
    for directory, subdirectories, files in os.walk(path):
        subdirectories[:] = sorted(d for d in subdirectories if d != "__pycache__")
        yield from (os.path.join(directory, name) for name in sorted(files) if name.endswith(".py"))


class TemplateCache:
    """One directory of compiled template sets; every failure is a miss, none an error."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self.hits = 0  # entries loaded, and written: what a test or the debug log can count
        self.writes = 0

    @classmethod
    def at(cls, setting: str | None = None) -> TemplateCache | None:
        """The cache in the configured place (``setting``: ``-template-cache``, None when not
        given); None when caching is off or the directory is not safe to use."""
        root = cache_root(setting)
        if not root:
            return None
        directory = os.path.join(root, _SUBDIRECTORY)
        if not (private_directory(root) and private_directory(directory)):
            log.debug("Go template cache %s is not usable: compiling every time", directory)
            return None
        return cls(directory)

    def key(self, sources: Iterable[tuple[str, str]], funcs: Iterable[str]) -> str:
        """The entry for these (name, text) pairs in ParseFiles order, with these function names."""
        try:
            base = fingerprint()
        except OSError as exc:  # the package is not files (a zip): no way to tell a change
            log.debug("Go template cache: cannot read the package: %s", exc)
            return ""
        digest = hashes.new("blake2b", base)
        digest.update("\0".join(sorted(funcs)).encode())
        for name, text in sources:
            data = text.encode("utf-8", "surrogateescape")
            digest.update(f"\0{name}\0{len(data)}\0".encode() + data)
        return digest.hexdigest()

    def _path(self, key: str) -> str:
        return os.path.join(self.directory, key + ".pickle")

    def load(self, key: str, funcs: Mapping[str, Function],
             builtins: Mapping[str, Function]) -> tuple[dict[str, Tree], dict[str, Program]] | None:
        """The trees and programs of entry ``key``, or None (absent, unreadable, not ours, corrupt)."""
        if not key:
            return None
        path = self._path(key)
        try:
            with open(path, "rb") as handle:
                info = os.fstat(handle.fileno())
                if info.st_uid != os.getuid():
                    log.debug("Go template cache: %s is not ours: ignored", path)
                    return None
                data = handle.read()
            head = len(_MAGIC) + _DIGEST
            digest = hashes.new("blake2b", data[head:], digest_size=_DIGEST).digest()
            if data[:len(_MAGIC)] != _MAGIC or digest != data[len(_MAGIC):head]:
                log.debug("Go template cache: %s is corrupt or of another format: ignored", path)
                return None
            stored_key, trees, stored = _Unpickler(io.BytesIO(data[head:]), funcs, builtins).load()
            if stored_key != key:
                log.debug("Go template cache: %s holds another entry: ignored", path)
                return None
            programs = {
                name: Program(sources, calls, consts, [marshal.loads(code) if code is not None else None
                                                       for code in codes])
                for name, (sources, calls, consts, codes) in stored.items()
            }
        except FileNotFoundError:
            return None
        except Exception as exc:  # noqa: BLE001 - whatever is wrong with an entry, it is a miss
            log.debug("Go template cache: cannot load %s: %s: %s", path, type(exc).__name__, exc)
            return None
        try:
            os.utime(path)  # recently used: kept when the cache is trimmed
        except OSError:
            pass
        self.hits += 1
        log.debug("Go template cache: loaded %s", path)
        return trees, programs

    def save(self, key: str, trees: Mapping[str, Tree], programs: Mapping[str, Program],
             funcs: Mapping[str, Function], builtins: Mapping[str, Function]) -> None:
        """Write entry ``key`` (atomically: readers see the old entry or the new, whole); a
        failure is logged at debug level and leaves the cache as it was."""
        if not key:
            return
        stored = {
            name: (program.sources, program.calls, program.consts,
                   [marshal.dumps(code) if code is not None else None for code in program.codes])
            for name, program in programs.items()
        }
        try:
            buffer = io.BytesIO()
            _Pickler(buffer, funcs, builtins).dump((key, dict(trees), stored))
        except Exception as exc:  # noqa: BLE001 - what cannot be written exactly is not cached
            log.debug("Go template cache: not cached: %s: %s", type(exc).__name__, exc)
            return
        body = buffer.getvalue()
        path = self._path(key)
        temporary = f"{path}.{os.getpid()}.tmp"
        try:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(descriptor, "wb") as handle:
                    handle.write(_MAGIC + hashes.new("blake2b", body, digest_size=_DIGEST).digest() + body)
                os.replace(temporary, path)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError as exc:
            log.debug("Go template cache: cannot write %s: %s", path, exc)
            return
        self.writes += 1
        log.debug("Go template cache: wrote %s", self._path(key))
        self.trim()

    def trim(self, keep: int | None = None) -> None:
        """Remove all but the ``keep`` (default :data:`KEEP`) most recently used files (a crashed
        write's too)."""
        keep = KEEP if keep is None else keep
        try:
            entries = []
            with os.scandir(self.directory) as found:
                for entry in found:
                    if entry.is_file(follow_symlinks=False):
                        entries.append((entry.stat(follow_symlinks=False).st_mtime_ns, entry.path))
            entries.sort(reverse=True)
            for _, path in entries[keep:]:
                os.unlink(path)
        except OSError as exc:
            log.debug("Go template cache: cannot trim %s: %s", self.directory, exc)


# --- writing objects as references --------------------------------------------------------


def _named_types() -> dict[int, tuple[str, str]]:
    """Go types that a module of the package binds to a name: id -> (module, attribute).
    The values module first, so that a type imported elsewhere is named where it is made."""
    found: dict[int, tuple[str, str]] = {}
    modules = sorted((name for name in list(sys.modules) if name.startswith("dockergen.")),
                     key=lambda name: (name != "dockergen.gotemplate.values", name))
    for name in modules:
        module = sys.modules.get(name)
        for attribute, value in list(vars(module).items()) if module is not None else ():
            if type(value) is GoType:
                found.setdefault(id(value), (name, attribute))
    return found


class _Pickler(Pickler):
    def __init__(self, file: io.BytesIO, funcs: Mapping[str, Function], builtins: Mapping[str, Function]) -> None:
        super().__init__(file, protocol=-1)  # the highest
        self.dispatch_table = _REDUCERS
        loaded = funcs.loaded() if hasattr(funcs, "loaded") else funcs
        self._functions = {id(fn.call): ("b", name) for name, fn in builtins.items()}
        self._functions.update({id(fn.call): ("f", name) for name, fn in loaded.items()})
        self._types: dict[int, tuple[str, str]] | None = None

    def persistent_id(self, obj: Any) -> Any:
        if obj is MISSING:
            return ("missing",)
        kind = type(obj)
        if kind is GoType:
            return self._type_id(obj)
        if kind is types.FunctionType or kind is types.BuiltinFunctionType:
            named = self._functions.get(id(obj))
            if named is not None:
                return ("function", *named)
        return None

    def _type_id(self, t: GoType) -> tuple[Any, ...]:
        if self._types is None:
            self._types = _named_types()
        named = self._types.get(id(t))
        if named is not None:
            return ("type", *named)
        if t.struct is not None and t.struct.type is t:
            return ("struct", t.struct.cls)
        if t.kind == "slice" and t.elem is not None and slice_of(t.elem) is t:
            return ("slice", t.elem)
        if t.kind == "map" and t.key is not None and t.elem is not None and map_of(t.key, t.elem) is t:
            return ("map", t.key, t.elem)
        if t.kind == "ptr" and t.elem is not None and pointer_to(t.elem) is t:
            return ("ptr", t.elem)
        raise PicklingError(f"Go type {t} cannot be found again")

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) in _BY_VALUE or isinstance(obj, _BY_REFERENCE):
            return NotImplemented
        raise PicklingError(f"{type(obj).__name__} is not written to the cache")


class _Unpickler(Unpickler):
    def __init__(self, file: io.BytesIO, funcs: Mapping[str, Function], builtins: Mapping[str, Function]) -> None:
        super().__init__(file)
        self._funcs = funcs
        self._builtins = builtins

    def persistent_load(self, pid: Any) -> Any:
        kind = pid[0]
        if kind == "missing":
            return MISSING
        if kind == "function":
            return (self._builtins if pid[1] == "b" else self._funcs)[pid[2]].call
        if kind == "type":
            module = sys.modules.get(pid[1])
            if module is None:
                import importlib

                module = importlib.import_module(pid[1])
            value = getattr(module, pid[2])
        elif kind == "struct":
            value = _STRUCTS[pid[1]].type
        elif kind == "slice":
            value = slice_of(pid[1])
        elif kind == "map":
            value = map_of(pid[1], pid[2])
        elif kind == "ptr":
            value = pointer_to(pid[1])
        else:
            raise UnpicklingError(f"unknown reference {kind!r}")
        if type(value) is not GoType:
            raise UnpicklingError(f"{pid!r} is not a Go type")
        return value

    def find_class(self, module: str, name: str) -> Any:
        """Only what an entry can name: the package's classes and functions, built-in types, and
        the classes this process registered as Go structs (the compiler's fast paths name them)."""
        if module.startswith("dockergen."):
            return super().find_class(module, name)
        found = getattr(builtins if module == "builtins" else sys.modules.get(module), name, None)
        if isinstance(found, type) and (module == "builtins" or found in _STRUCTS):
            return found
        raise UnpicklingError(f"{module}.{name} is not read from the cache")
