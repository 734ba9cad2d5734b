"""Which engine runs a template: Go's text/template or Jinja2.

``-template-engine go|jinja2`` (TOML ``engine``) decides outright.  With
``auto`` (the default) each file of the list is looked at, and the rule is:

1. The file name: ``.j2``, ``.jinja``, ``.jinja2`` mean Jinja2; ``.gotmpl``,
   ``.gotemplate`` mean Go.
2. Otherwise its text.  Jinja2 signs: a block tag or comment (``{%``,
   ``{#``), or an expression that starts with one of the Jinja2 context names
   (``{{ containers``, ``docker.``, ``env.`` ...).  Go signs: an action that
   starts with a Go keyword (``{{ range``, ``{{ if``, ``{{ end }}``,
   ``{{ define``, ``{{ template`` ...), with a dot or a variable
   (``{{ .Name }}``, ``{{ $host }}``), or a Go comment (``{{/*``).
   What a comment of one engine says is no sign of the other (a Jinja2
   ``{# ported from {{ range $ }} #}``, a Go ``{{/* was {% for %} */}}``), nor
   is what a Jinja2 ``{% raw %}`` block holds; and ``${#`` is a shell's
   ``${#name}`` (string length), not a Jinja2 comment.
3. Signs of one engine only: that engine.  Signs of both: the file is
   ambiguous, and the error asks for the flag.  No sign at all (plain text,
   or only expressions such as ``{{ "x" }}``): Go, docker-gen's own, if the
   file parses as a Go template, otherwise Jinja2.

All files of a ``;`` list must agree (a file without signs agrees with any).
"""

from __future__ import annotations

import os
import re

from dockergen.errors import RenderError

__all__ = ["ENGINES", "choose_engine", "detect"]

ENGINES = ("auto", "go", "jinja2")

_JINJA_SUFFIXES = (".j2", ".jinja", ".jinja2")
_GO_SUFFIXES = (".gotmpl", ".gotemplate")

# The patterns are compiled when first used (re keeps them): a run that gives -template-engine
# never does, and a Go template needs two of them (0.7 ms at start-up for all six).
_JINJA_BLOCK = r"\{%|(?<!\$)\{#"
_JINJA_NAMES = r"(?m)\{\{-?\s*(?:containers|docker|env|current_container|services|tasks|nodes)\s*(?:[.|\[}]|\)|$)"
# Bodies that say nothing about the engine: a comment's text, a raw block's.
_JINJA_QUIET = r"(?s)(?<!\$)\{#(.*?)#\}|\{%-?\s*raw\s*-?%\}(.*?)\{%-?\s*endraw\s*-?%\}"
_GO_QUIET = r"(?s)\{\{(?:-\s)?/\*(.*?)\*/(?:\s-)?\}\}"
_GO_ACTION = r"\{\{-?\s*(?:(?:range|if|with|else|end|define|template|block|break|continue)\b|[.$]|/\*)"


def detect(path: str, text: str) -> tuple[str | None, str]:
    """(``"go"``, ``"jinja2"`` or None when it cannot tell, why) for one file."""
    name = os.path.basename(path).lower()
    if name.endswith(_JINJA_SUFFIXES):
        return "jinja2", f"its name ends in {os.path.splitext(name)[1]}"
    if name.endswith(_GO_SUFFIXES):
        return "go", f"its name ends in {os.path.splitext(name)[1]}"
    jinja = _jinja_sign(text)
    if jinja and "/*" in text:  # blanking Go comments can only take signs away: done when there is one
        jinja = _jinja_sign(_blank_bodies(_GO_QUIET, text))
    go = re.search(_GO_ACTION, _blank_bodies(_JINJA_QUIET, text) if _has_jinja_openers(text) else text)
    if jinja and go:
        raise RenderError(
            f"cannot tell whether this is a Go or a Jinja2 template (it has both {_shown(go.group())!r} "
            f"and {_shown(jinja.group())!r}): give -template-engine go|jinja2 (TOML: engine = \"go\")",
            path, _line_of(text, min(go.start(), jinja.start())),
        )
    if jinja:
        return "jinja2", f"it has {_shown(jinja.group())!r}"
    if go:
        return "go", f"it has {_shown(go.group())!r}"
    return None, "it has no engine-specific syntax"


# Python's re tries the patterns that start with "{%" or "{#" at every offset (no literal prefix
# to skip ahead to): on nginx-proxy's 58 KB template, 6 ms; a Go template has neither opener,
# and looking for them first takes 0.1 ms.
def _has_jinja_openers(text: str) -> bool:
    return "{%" in text or "{#" in text


def _jinja_sign(text: str) -> re.Match[str] | None:
    return (re.search(_JINJA_BLOCK, text) if _has_jinja_openers(text) else None) or re.search(_JINJA_NAMES, text)


def _blank_bodies(pattern: str, text: str) -> str:
    """``text`` with the bodies ``pattern`` captures blanked, keeping offsets and line numbers."""
    compiled = re.compile(pattern)

    def blank(match: re.Match[str]) -> str:
        whole, offset = match.group(), match.start()
        for group in range(1, compiled.groups + 1):
            if match.start(group) >= 0:
                start, end = match.start(group) - offset, match.end(group) - offset
                whole = whole[:start] + re.sub(r"[^\n]", " ", whole[start:end]) + whole[end:]
        return whole

    return compiled.sub(blank, text)


def _shown(match: str) -> str:
    # Drop the delimiter after a Jinja2 name ("{{ env." -> "{{ env"), but keep Go's lone
    # dot ("{{ ." stays, not "{{ ").
    text = " ".join(match.split())
    trimmed = text.rstrip("|[}.)")
    return trimmed if trimmed[-1:].isalnum() else text


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def choose_engine(paths: list[str], requested: str = "auto") -> tuple[str, str]:
    """The engine for a template list, and the reason (for the start-up log)."""
    if requested not in ENGINES:
        raise RenderError(f"unknown template engine {requested!r} (use auto, go or jinja2)")
    if requested != "auto":
        return requested, "chosen by -template-engine" if requested else ""
    chosen: tuple[str, str, str] | None = None  # engine, path, reason
    for path in paths:
        try:
            with open(path, encoding="utf-8", errors="surrogateescape") as handle:
                text = handle.read()
        except OSError as exc:
            raise RenderError(f"cannot read template: {exc.strerror or exc}", path) from None
        engine, reason = detect(path, text)
        if engine is None:
            if "{{" not in text or _parses_as_go(path, text):
                continue
            engine, reason = "jinja2", "it does not parse as a Go template"
        if chosen is not None and chosen[0] != engine:
            raise RenderError(
                f"the template list mixes engines: {chosen[1]} is {_label(chosen[0])} ({chosen[2]}) but "
                f"this file is {_label(engine)} ({reason}); give -template-engine to choose",
                path,
            )
        if chosen is None:
            chosen = (engine, path, reason)
    if chosen is None:
        return "go", "auto: no engine-specific syntax, so docker-gen's Go engine"
    engine, path, reason = chosen
    where = "" if path == paths[0] else f" ({os.path.basename(path)})"
    return engine, f"auto: {reason}{where}"


def _parses_as_go(path: str, text: str) -> bool:
    from dockergen.gotemplate.template import parses

    return parses(os.path.basename(path), text)


def _label(engine: str) -> str:
    return "a Go template" if engine == "go" else "a Jinja2 template"
