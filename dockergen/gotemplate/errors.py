"""The errors of the Go template engine, with Go's message texts.

``GoError`` is what a template function raises: Go's function returned an
error or panicked.  The executor turns it into ``error calling NAME: ...``.
``TemplateError`` is what leaves the engine; ``str()`` is exactly Go's
``err.Error()`` text (``template: NAME:LINE:COL: executing ...``), and the
attributes give the file and line for dockergen's own one-line message.
"""

from __future__ import annotations

__all__ = ["GoError", "TemplateError", "ParseError", "ExecError"]


class GoError(Exception):
    """A template function failed; ``str(exc)`` is the Go error (or panic) text."""


class TemplateError(Exception):
    """A Go template failed to parse or execute."""

    stage = ""

    def __init__(self, message: str, name: str = "", line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.name = name  # the template (file base name) where it happened
        self.line = line


class ParseError(TemplateError):
    """``template: NAME:LINE: MESSAGE``: nothing was executed."""

    stage = "parse"


class ExecError(TemplateError):
    """``template: NAME:LINE:COL: executing "T" at <NODE>: MESSAGE``; output so far is kept."""

    stage = "exec"

    def __init__(self, message: str, name: str = "", line: int | None = None, partial_output: str = "") -> None:
        super().__init__(message, name, line)
        self.partial_output = partial_output
        self.item: object = None  # the container being ranged over when it failed, if any
