"""The Jinja2 engine: loading a template list, rendering a snapshot, naming the line at fault.

A template is given as a ``;``-separated list of files; the first is rendered
and every file is reachable by its base name from ``{% include %}`` and
``{% import %}`` (docker-gen's named templates).  Compiled templates are kept
so that a watcher does not re-parse on every render, and
:meth:`JinjaTemplate.reload` swaps in a new compile only when it succeeds.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from types import CodeType, TracebackType
from typing import Any

import jinja2

from dockergen.engine import CompiledTemplate, RenderInput, check_template_list
from dockergen.errors import RenderError

__all__ = ["JinjaTemplate", "make_environment", "describe_error"]


MAIN_TEMPLATE = "<main>"  # the loader name of the first file of a template list


class _TemplateListLoader(jinja2.BaseLoader):
    """Finds templates by base name among the configured files, else next to the main template."""

    def __init__(self, paths: list[str]) -> None:
        self.by_name: dict[str, str] = {}
        for path in paths:  # a later file with the same base name wins, as in docker-gen
            self.by_name[os.path.basename(path)] = path
        self.main = paths[0]
        self.loaded: set[str] = set()  # every file read, includes too: what a reload must watch
        self.search_dir = os.path.dirname(os.path.abspath(paths[0]))

    def resolve(self, name: str) -> str:
        if name == MAIN_TEMPLATE:
            return self.main
        if name in self.by_name:
            return self.by_name[name]
        if os.path.isabs(name):
            return name
        return os.path.join(self.search_dir, name)

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        path = self.resolve(template)
        self.loaded.add(os.path.abspath(path))
        try:
            with open(path, encoding="utf-8") as handle:
                source = handle.read()
            mtime = os.path.getmtime(path)
        except FileNotFoundError:
            raise jinja2.TemplateNotFound(template) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise RenderError(f"cannot read template: {exc}", path) from None

        def uptodate() -> bool:
            try:
                return os.path.getmtime(path) == mtime
            except OSError:
                return False

        return source, path, uptodate


def _none_as_empty(value: Any) -> Any:
    return "" if value is None else value


def make_environment(loader: jinja2.BaseLoader | None = None, cache: str | None = None) -> jinja2.Environment:
    """A Jinja2 environment with every docker-gen helper as a global (and filter where it fits);
    ``cache``: ``-template-cache`` (None when not given)."""
    from dockergen.jinja import bounded
    from dockergen.jinja.cache import bytecode_cache
    from dockergen.jinja.catalogue import FILTERS, GLOBALS

    extensions = ["jinja2.ext.loopcontrols", "jinja2.ext.do"]
    environment = jinja2.Environment(
        loader=loader,
        undefined=jinja2.Undefined,  # missing keys render "" and are falsy (difference 4)
        keep_trailing_newline=True,
        finalize=_none_as_empty,  # None prints as "", like a missing key
        autoescape=False,
        auto_reload=False,  # reloads are explicit: see Template.reload
        extensions=extensions,
        bytecode_cache=bytecode_cache([*extensions, *GLOBALS, *(f"|{name}" for name in FILTERS)], cache),
    )
    environment.globals.update(GLOBALS)
    environment.filters.update(FILTERS)
    # Jinja2's own range and replace, with dockergen's bounds: container values reach them too.
    environment.globals["range"] = bounded.range_
    environment.filters["replace"] = bounded.replace
    return environment


def _error_location(
    tb: TracebackType | None, files: set[str], ignore: object = None
) -> tuple[str | None, int | None, str | None]:
    """The innermost template file, line and container being rendered in a traceback.

    Jinja2 rewrites template frames to the template's file and line; the
    container is the innermost loop variable of those frames that is one
    (``ignore``: ``current_container``, a context variable, not a loop item).
    """
    from dockergen.model import RuntimeContainer

    filename_found: str | None = None
    line: int | None = None
    container: str | None = None
    while tb is not None:
        frame = tb.tb_frame
        filename = frame.f_code.co_filename
        if filename in files or filename.endswith((".tmpl", ".j2", ".jinja", ".jinja2")) or filename == "<template>":
            filename_found, line = filename, tb.tb_lineno
            for value in frame.f_locals.values():
                if isinstance(value, RuntimeContainer) and value is not ignore:
                    container = value.Name or value.ID[:12]
        tb = tb.tb_next
    return filename_found, line, container


def describe_error(exc: BaseException) -> str:
    """One line for the log: our own and Jinja2's messages as they are, others with their type."""
    if isinstance(exc, jinja2.UndefinedError):
        return f"undefined value: {exc}"
    text = str(exc) or type(exc).__name__
    if isinstance(exc, jinja2.TemplateError) or type(exc).__module__.startswith("dockergen"):
        return text
    return f"{type(exc).__name__}: {text}"


_LOADING_NAMES = frozenset({"get_template", "select_template", "get_or_select_template"})


def _names(code: CodeType) -> Iterator[str]:
    """Every name and string constant of a code object and of the functions defined in it."""
    yield from code.co_names
    for constant in code.co_consts:
        if isinstance(constant, str):
            yield constant
        elif isinstance(constant, CodeType):
            yield from _names(constant)


def _may_read_daemon_facts(template: jinja2.Template) -> bool:
    """Whether a compiled template can read the ``docker`` context variable.

    Jinja2 looks a context variable up by its name, so code that never holds
    the string ``docker`` cannot reach it, unless it hands the context to
    another template (include, import, extends): those count as reading it.
    """
    functions = [template.root_render_func, *template.blocks.values()]
    names = {name for function in functions for name in _names(function.__code__)}
    return "docker" in names or bool(names & _LOADING_NAMES)


class JinjaTemplate(CompiledTemplate[tuple[jinja2.Environment, jinja2.Template]]):
    """One config's compiled Jinja2 template list, renderable many times, reloadable in place."""

    @property
    def environment(self) -> jinja2.Environment:
        return self.compiled()[0]

    @property
    def files(self) -> set[str]:
        """Absolute paths of every file this template reads (the list and what it included)."""
        loader = self.environment.loader
        loaded = loader.loaded if isinstance(loader, _TemplateListLoader) else set()
        return super().files | loaded

    def _compile(self) -> tuple[jinja2.Environment, jinja2.Template]:
        check_template_list(self.spec)  # again at each reload: a file may have gone
        loader = _TemplateListLoader(self.paths)
        environment = make_environment(loader, self.cache)
        try:
            compiled = environment.get_template(MAIN_TEMPLATE)
            # Syntax errors in the other listed files should surface now, not at the first include.
            others = [environment.get_template(os.path.basename(path)) for path in self.paths[1:]]
        except jinja2.TemplateSyntaxError as exc:
            raise RenderError(f"syntax error: {exc.message}", exc.filename or exc.name, exc.lineno) from None
        except jinja2.TemplateNotFound as exc:
            raise RenderError(f"template not found: {exc.name}", self.main) from None
        self.uses_daemon_facts = any(_may_read_daemon_facts(template) for template in [compiled, *others])
        return environment, compiled

    def render(self, data: RenderInput) -> str:
        """Render to text (blank lines removed unless kept); raises RenderError with file and line."""
        compiled = self.compiled()[1]
        try:
            text = compiled.render(
                containers=data.containers,
                docker=data.docker,
                env=data.env,
                current_container=data.current_container,
                services=data.swarm.services if data.swarm else [],
                tasks=data.swarm.tasks if data.swarm else [],
                nodes=data.swarm.nodes if data.swarm else [],
            )
        except RenderError:
            raise
        except jinja2.TemplateSyntaxError as exc:  # an include compiled late
            raise RenderError(f"syntax error: {exc.message}", exc.filename or exc.name, exc.lineno) from None
        except Exception as exc:
            filename, line, container = _error_location(exc.__traceback__, self.files, data.current_container)
            message = describe_error(exc)
            if container:
                message += f" (rendering container {container})"
            raise RenderError(message, filename or self.main, line, container=container) from exc
        return self.tidy(text)
