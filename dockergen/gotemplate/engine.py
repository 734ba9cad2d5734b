"""The Go engine behind :class:`dockergen.pipeline.render.Template`: docker-gen's templates, unchanged.

Parses the ``;``-separated file list with docker-gen's ParseFiles rules,
renders a snapshot with docker-gen's context as ``$``, and reports failures
as one :class:`~dockergen.errors.RenderError` naming the file and line (and
the container being ranged over), with Go's own error text after it.
"""

from __future__ import annotations

import os
from functools import cached_property
from typing import TYPE_CHECKING

from dockergen.engine import CompiledTemplate, RenderInput
from dockergen.errors import RenderError

from .builtins import BUILTINS
from .context import make_root, to_go_container
from .errors import ExecError, ParseError
from .funcmap import function_map
from .template import TemplateSet, read_template_file

if TYPE_CHECKING:
    from .cache import TemplateCache
    from .memo import CallMemo

__all__ = ["GoTemplate", "WORTH_CACHING"]

# Below this many characters of template, parsing and compiling cost less than checking the disk
# cache (hashing the engine's sources once per process, reading the entry: 2 to 3 ms), so such a
# template is compiled every time.  nginx-proxy's template (58 KB) compiles in about 50 ms.
WORTH_CACHING = 4096


class GoTemplate(CompiledTemplate[TemplateSet]):
    """One config's compiled Go template list, renderable many times, reloadable in place.

    A Go template can hand the whole root (``$``) to a function (``json $``) or
    a template, so it always counts as reading the daemon facts.
    """

    def __init__(self, spec: str, keep_blank_lines: bool = False, cache: str | None = None,
                 memo: bool = False) -> None:
        """``cache``: the directory of compiled templates (:mod:`.cache`); ``memo``: remember
        ``{{template}}`` calls between renders (:mod:`.memo`), for a template rendered again and
        again (watch mode); from the second render on, so that a one-shot run, which renders
        once, pays nothing for it."""
        self._by_name = {os.path.basename(p): p for p in spec.split(";")}  # a later file wins, as in Go
        # Go-typed copies of the containers of the last render, by identity: the inventory
        # replaces a container object when it changes, so an unchanged one is converted once.
        self._copies: dict[int, tuple[object, object]] = {}
        self._memo = memo
        self._renders = 0
        self._calls: dict[int, tuple[TemplateSet, CallMemo]] = {}  # the compiled set's, made at its first render
        super().__init__(spec, keep_blank_lines, cache)

    @cached_property
    def _template_cache(self) -> TemplateCache | None:
        """Where parse trees and programs are kept on disk, looked up (directories made and
        checked) when a template first needs it: one under WORTH_CACHING never does."""
        from .cache import TemplateCache

        return TemplateCache.at(self.cache)

    def _path_of(self, name: str) -> str:
        return self._by_name.get(name, self.main)

    def _compile(self) -> TemplateSet:
        sources = []
        for path in self.paths:
            try:
                sources.append((os.path.basename(path), read_template_file(path)))
            except OSError as exc:
                raise RenderError(f"cannot read template: {exc.strerror or exc}", path) from None
        cache = self._template_cache if sum(len(text) for _, text in sources) >= WORTH_CACHING else None
        try:
            return TemplateSet(sources, root_name=os.path.basename(self.spec), cache=cache)
        except ParseError as exc:
            raise RenderError(str(exc), self._path_of(exc.name), exc.line) from None

    def render(self, data: RenderInput) -> str:
        compiled = self.compiled()
        swarm = data.swarm
        old_copies = self._copies
        copies: dict[int, tuple[object, object]] = {}

        def convert(container: object) -> object:
            entry = old_copies.get(id(container))
            if entry is None or entry[0] is not container:
                entry = (container, to_go_container(container))  # type: ignore[arg-type]
            copies[id(container)] = entry
            return entry[1]

        root = make_root(
            data.containers, data.docker, data.env, data.current_container,
            swarm.services if swarm else None, swarm.tasks if swarm else None, swarm.nodes if swarm else None,
            convert=convert,  # type: ignore[arg-type]
        )
        with self._lock:
            self._copies = copies
        self._renders += 1
        calls = self._call_memo(compiled) if self._memo and self._renders > 1 else None
        if calls is not None and not calls.begin():
            calls = None
        try:
            text = compiled.execute(root, calls=calls)
        except ExecError as exc:
            container = getattr(exc, "item", None)
            name = None
            if container is not None:
                name = getattr(container, "Name", "") or getattr(container, "ID", "")[:12] or None
            message = str(exc) + (f" (rendering container {name})" if name else "")
            raise RenderError(message, self._path_of(exc.name), exc.line, container=name) from None
        finally:
            if calls is not None:
                calls.end()
        return self.tidy(text)

    def _call_memo(self, compiled: TemplateSet) -> CallMemo:
        """The remembered calls of this compiled set (a reload starts afresh)."""
        with self._lock:
            found = self._calls.get(id(compiled))
            if found is None or found[0] is not compiled:
                from .memo import CallMemo  # watch mode's: a one-shot run, which renders once, never loads it

                found = (compiled, CallMemo(compiled.templates, compiled.trees, function_map(), BUILTINS))
                self._calls = {id(compiled): found}
            return found[1]
