"""What a template engine is to the pipeline, and what every engine shares.

The pipeline (:mod:`dockergen.pipeline.render`) picks an engine and talks to
it through :class:`TemplateEngine` only; the engines
(:mod:`dockergen.gotemplate`, :mod:`dockergen.jinja`) build on
:class:`CompiledTemplate`, which owns the template list, the swap of a fresh
compile on reload and the blank-line rule.  Both sides import this module and
neither imports the other, so there is no circle.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, Protocol, TypeVar

from dockergen.errors import RenderError
from dockergen.golang.unicode import SPACE, SPACE_CHARS

if TYPE_CHECKING:
    from dockergen.daemon.inventory import Snapshot


class RenderInput(NamedTuple):
    """What a template sees, besides helpers: docker-gen's four context names, and the swarm's three.

    ``services``, ``tasks`` and ``nodes`` are empty lists unless the config is in swarm mode,
    so a template written for both modes compiles and renders in either.
    """

    containers: list[Any]
    docker: Any
    env: Mapping[str, str]
    current_container: Any = None
    swarm: Any = None  # a dockergen.model.Swarm in swarm mode: services, tasks and nodes

    @classmethod
    def from_snapshot(
        cls, snapshot: "Snapshot", env: Mapping[str, str] | None = None, *, swarm: bool = False
    ) -> "RenderInput":
        return cls(
            containers=snapshot.containers,
            docker=snapshot.docker,
            env=dict(os.environ) if env is None else env,
            current_container=snapshot.current_container,
            swarm=snapshot.swarm if swarm else None,
        )


class TemplateEngine(Protocol):
    """One config's compiled template list in some engine: renderable many times, reloadable in place."""

    @property
    def files(self) -> set[str]:
        """Absolute paths of every file it reads (the list, and what the templates included)."""

    @property
    def uses_daemon_facts(self) -> bool:
        """Whether rendering may read ``docker`` (the facts that cost the engine an ``/info``); True when unsure."""

    def reload(self) -> None:
        """Recompile from disk; on error the previous compiled template stays in use."""

    def render(self, data: RenderInput) -> str:
        """Render to text (blank lines removed unless kept); raises RenderError with file and line."""


def _is_blank(line: str) -> bool:
    return not line.strip(SPACE_CHARS)


# A blank line (only Go's white space) is cut with the newline before it, found by one pass
# of the regex engine that skips from newline to newline (a large output has thousands of lines;
# a Python loop over them cost milliseconds, a MULTILINE ``^`` test at every character half a one).
_BLANK_LINE = re.compile("\n[" + re.escape("".join(sorted(SPACE - {"\n"}))) + "]*(?=\n)")


def remove_blank_lines(text: str) -> str:
    """Drop lines made only of (Go's) white space; kept lines are unchanged (docker-gen §4.8)."""
    if not text:
        return text
    text = _BLANK_LINE.sub("", "\n" + text)[1:]  # the "\n" put before lets a blank first line go too
    end = text.rfind("\n") + 1  # text after the final "\n" (no newline of its own)
    return text[:end] if _is_blank(text[end:]) else text


def check_template_list(spec: str) -> list[str]:
    """The files of a ``;``-separated template list; a RenderError names an empty entry or a missing file."""
    paths = spec.split(";")
    if any(not path for path in paths):
        raise RenderError(f"empty entry in the template list {spec!r} (check the ';' separators)")
    for path in paths:
        if not os.path.isfile(path):
            problem = "is a directory" if os.path.isdir(path) else "does not exist"
            raise RenderError(f"template file {problem}", path)
    return paths


Compiled = TypeVar("Compiled")


class CompiledTemplate(Generic[Compiled]):
    """What both engines share: the list, the compiled form swapped whole on reload, tidy output.

    An engine implements ``_compile`` (read and compile the list, or raise
    RenderError) and ``render`` (using :meth:`compiled` and :meth:`tidy`).
    ``cache``: where compiled templates are kept on disk (``-template-cache``; None
    when not given: :func:`dockergen.cache_dir.cache_root`).
    """

    uses_daemon_facts = True  # unless an engine can tell

    def __init__(self, spec: str, keep_blank_lines: bool = False, cache: str | None = None) -> None:
        self.spec = spec
        self.paths = spec.split(";")
        self.main = self.paths[0]
        self.keep_blank_lines = keep_blank_lines
        self.cache = cache
        self._lock = threading.Lock()
        self._compiled: Compiled = self._compile()

    def _compile(self) -> Compiled:
        raise NotImplementedError

    @property
    def files(self) -> set[str]:
        return {os.path.abspath(path) for path in self.paths}

    def reload(self) -> None:
        """Recompile from disk; a compile error leaves the previous version in use."""
        compiled = self._compile()
        with self._lock:
            self._compiled = compiled

    def compiled(self) -> Compiled:
        """The current compiled form (a reload swaps it whole, never half)."""
        with self._lock:
            return self._compiled

    def tidy(self, text: str) -> str:
        return text if self.keep_blank_lines else remove_blank_lines(text)
