"""Rendering, whatever the engine: the template's input, the chosen engine, tidy output.

A config's template is a ``;``-separated list of files, written for Go's
text/template (docker-gen's templates, run unchanged) or for Jinja2.
:class:`Template` picks the engine (``-template-engine``, or by looking at the
files: :mod:`dockergen.engine_choice`) and imports only that engine, so a
config of Go templates never loads Jinja2.
"""

from __future__ import annotations


from dockergen.engine import RenderInput, TemplateEngine, check_template_list, remove_blank_lines

__all__ = ["RenderInput", "Template", "remove_blank_lines"]


def _engine_class(engine: str) -> type[TemplateEngine]:
    if engine == "go":
        from dockergen.gotemplate.engine import GoTemplate

        return GoTemplate
    from dockergen.jinja.engine import JinjaTemplate

    return JinjaTemplate


class Template:
    """One config's compiled template list in its engine, renderable many times, reloadable in place."""

    def __init__(self, spec: str, keep_blank_lines: bool = False, engine: str = "auto", cache: str | None = None,
                 memo: bool = False, chosen: tuple[str, str] | None = None) -> None:
        """``cache``: where compiled templates are kept on disk (see :mod:`dockergen.cache_dir`);
        ``memo``: a Go template remembers its ``{{template}}`` calls between renders (for a
        watcher: see :mod:`dockergen.gotemplate.memo`); ``chosen``: :func:`choose_engine`'s
        answer for this list and ``engine``, when the caller already asked it."""
        from dockergen.engine_choice import choose_engine

        self.spec = spec
        self.paths = check_template_list(spec)
        self.main = self.paths[0]
        self.keep_blank_lines = keep_blank_lines
        self.engine, self.engine_reason = chosen or choose_engine(self.paths, engine)
        options = {"memo": memo} if self.engine == "go" else {}
        self._impl: TemplateEngine = _engine_class(self.engine)(spec, keep_blank_lines, cache, **options)  # type: ignore[call-arg]

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
