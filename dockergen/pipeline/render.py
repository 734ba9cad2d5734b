"""Rendering, whatever the engine: the template's input, the chosen engine, tidy output.

A config's template is a ``;``-separated list of files, written for Go's
text/template (docker-gen's templates, run unchanged) or for Jinja2.
:class:`Template` picks the engine (``-template-engine``, or by looking at the
files: :mod:`dockergen.engine_choice`) and imports only that engine, so a
config of Go templates never loads Jinja2.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from dockergen.errors import RenderError

if TYPE_CHECKING:
    from dockergen.daemon.inventory import Snapshot


# Go's unicode.IsSpace for the characters that can appear on a line; Python's
# str.isspace() also counts \x1c-\x1f, which Go keeps.
_GO_SPACE_EXTRA_NON = frozenset("\x1c\x1d\x1e\x1f")


def _is_blank(line: str) -> bool:
    if not line or line.isspace():
        return not any(ch in _GO_SPACE_EXTRA_NON for ch in line)
    return False


def remove_blank_lines(text: str) -> str:
    """Drop lines made only of whitespace; kept lines are unchanged (docker-gen §4.8)."""
    if not text:
        return text
    pieces = text.split("\n")
    last = pieces.pop()  # text after the final "\n" (no newline of its own)
    kept = [piece + "\n" for piece in pieces if not _is_blank(piece)]
    if not _is_blank(last):
        kept.append(last)
    return "".join(kept)


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


def _engine_class(engine: str) -> type:
    if engine == "go":
        from dockergen.gotemplate.engine import GoTemplate

        return GoTemplate
    from dockergen.jinja.engine import JinjaTemplate

    return JinjaTemplate


class Template:
    """One config's compiled template list in its engine, renderable many times, reloadable in place."""

    def __init__(self, spec: str, keep_blank_lines: bool = False, engine: str = "auto") -> None:
        from dockergen.engine_choice import choose_engine

        self.spec = spec
        self.paths = spec.split(";")
        self.main = self.paths[0]
        self.keep_blank_lines = keep_blank_lines
        if any(not path for path in self.paths):
            raise RenderError(f"empty entry in the template list {spec!r} (check the ';' separators)")
        for path in self.paths:
            if not os.path.isfile(path):
                problem = "is a directory" if os.path.isdir(path) else "does not exist"
                raise RenderError(f"template file {problem}", path)
        self.engine, self.engine_reason = choose_engine(self.paths, engine)
        self._impl: Any = _engine_class(self.engine)(spec, keep_blank_lines)

    @property
    def files(self) -> set[str]:
        """Absolute paths of every file this template reads (the list and what it included)."""
        return self._impl.files

    @property
    def uses_daemon_facts(self) -> bool:
        """Whether rendering may read ``docker`` (the facts that cost the engine an ``/info``); True when unsure."""
        return self._impl.uses_daemon_facts

    def reload(self) -> None:
        """Recompile from disk; on error the previous compiled template stays in use."""
        self._impl.reload()

    def render(self, data: RenderInput) -> str:
        """Render to text (blank lines removed unless kept); raises RenderError with file and line."""
        return self._impl.render(data)
