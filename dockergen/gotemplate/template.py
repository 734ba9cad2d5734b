"""docker-gen's way of running a Go template: a ``;``-separated file list, the first file runs.

Every file is parsed as a template named after its base name; their
``define``s share one name space, a later file's non-empty definition
replacing an earlier one (``ParseFiles``).  Execution renders the first
file with the root context as ``$``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from .builtins import BUILTINS
from ..limits import LimitError
from .compiler import MAX_DEPTH, Compiled, Fail, Program, State, compile_tree, format_fail, position
from .errors import ExecError, ParseError
from .funcmap import function_map
from .nodes import Tree
from .values import MISSING

if TYPE_CHECKING:
    from .cache import TemplateCache

__all__ = ["TemplateSet", "read_template_file", "parses"]


def read_template_file(path: str) -> str:
    """A template file's text; bytes that are not UTF-8 survive (Go strings are bytes)."""
    with open(path, "rb") as handle:
        return handle.read().decode("utf-8", "surrogateescape")


class _Names:
    """Functions and built-ins, as the parser checks names."""

    def __init__(self, funcs: dict, builtins: dict) -> None:
        self.funcs = funcs
        self.builtins = builtins

    def __contains__(self, name: object) -> bool:
        return name in self.funcs or name in self.builtins


def parses(name: str, text: str) -> bool:
    """Whether ``text`` is a valid Go template (with docker-gen's function names)."""
    from .parser import parse

    try:
        parse(name, text, _Names(function_map(), BUILTINS))
    except ParseError:
        return False
    return True


class TemplateSet:
    """The parsed and compiled templates of one ``;``-separated list of files."""

    def __init__(self, sources: list[tuple[str, str]], root_name: str | None = None,
                 cache: TemplateCache | None = None) -> None:
        """``sources``: (template name, text) pairs in ParseFiles order; the first one runs.
        ``cache``: where parse trees and generated programs are kept between processes."""
        funcs = function_map()
        self._cache = cache
        self._key = cache.key(sources, funcs) if cache is not None else ""
        stored = cache.load(self._key, funcs, BUILTINS) if cache is not None else None
        if stored is None:
            from .parser import parse  # not loaded at all when the disk cache has the template

            trees: dict[str, Tree] = {}
            names = _Names(funcs, BUILTINS)
            for name, text in sources:
                parse(name, text, names, trees)
            programs: dict[str, Program] = {}
        else:
            trees, programs = stored
        self.main = sources[0][0]
        self.root_name = root_name or sources[-1][0]
        self.trees = trees
        self._loaded = programs
        self.templates: dict[str, Compiled] = {
            name: compile_tree(tree, funcs, BUILTINS, programs.get(name)) for name, tree in trees.items()
        }
        self._kept = self._progress() if stored is not None else -1  # what the cache holds

    def _programs(self) -> dict[str, Program]:
        """The generated programs: of the templates that ran, and those loaded that did not yet."""
        found = {name: compiled.program for name, compiled in self.templates.items() if compiled.program is not None}
        return {**self._loaded, **found}

    def _progress(self) -> int:
        """How much has been generated and compiled: it only grows, so a change means new work."""
        return sum(1 + sum(code is not None for code in program.codes) for program in self._programs().values())

    def _keep(self) -> None:
        """Write the cache entry again when a run generated or compiled something it lacks."""
        if self._cache is None:
            return
        progress = self._progress()
        if progress != self._kept:
            self._kept = progress
            self._cache.save(self._key, self.trees, self._programs(), function_map(), BUILTINS)

    @classmethod
    def from_files(cls, spec: str, cache: TemplateCache | None = None) -> "TemplateSet":
        """Parse the files of a docker-gen template path (``main.tmpl;lib.tmpl``)."""
        paths = spec.split(";")
        sources = [(os.path.basename(path), read_template_file(path)) for path in paths]
        return cls(sources, root_name=os.path.basename(spec), cache=cache)

    def execute(self, data: Any, name: str | None = None, calls: Any = None) -> str:
        """Run template ``name`` (default: the first file) with ``data`` as dot and ``$``;
        ``calls``: a :class:`~.memo.CallMemo` of this set, to reuse earlier renders' template calls."""
        name = name or self.main
        if data is None:
            data = MISSING  # Go's Execute(w, nil): the dot is "no value"
        compiled = self.templates.get(name)
        if compiled is None:
            raise ExecError(f'template: no template "{name}" associated with template "{self.root_name}"', name)
        state = State(self.templates, compiled.tree, data)
        state.root_name = self.root_name
        state.calls = calls
        try:
            return self._execute(state, compiled, data, name)
        finally:
            self._keep()

    def _execute(self, state: State, compiled: Compiled, data: Any, name: str) -> str:
        try:
            try:
                compiled.run(state, data)
            except LimitError as exc:  # raised outside a function call: printing a value, range N
                raise state.fail(str(exc)) from None
            except RecursionError:  # past every depth check: eval calling itself, say
                raise state.fail(f"exceeded maximum template depth ({MAX_DEPTH})") from None
        except Fail as exc:
            line = position(exc.tree, exc.node.pos)[0] if exc.tree is not None and exc.node is not None else None
            parse_name = exc.tree.parse_name if exc.tree is not None else name
            error = ExecError(format_fail(exc), parse_name, line, "".join(state.out))
            error.item = exc.item  # the container being ranged over, for the log line
            raise error from None
        return "".join(state.out)

