"""Helpers shared by the unit tests (fixtures; tests/conftest.py has the engine's)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from dockergen.config import Config
from dockergen.pipeline.job import Job


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., str]:
    """``write(name, text, dedent=True)``: a file under the test's directory (parents made); its path.

    Dedenting lets a test indent a triple-quoted file; it also empties blank-looking
    lines, so a test about white space says ``dedent=False``.
    """

    def write(name: str, text: str, dedent: bool = True) -> str:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text) if dedent else text, encoding="utf-8")
        return str(path)

    return write


@pytest.fixture
def make_job(tmp_path: Path, request: pytest.FixtureRequest) -> Callable[..., tuple[Job, Path]]:
    """``make_job(text=<the test module's TEMPLATE>, **config)``: a Job rendering to ``out.conf``, and that path."""

    def make(text: str | None = None, **config: object) -> tuple[Job, Path]:
        template = tmp_path / "t.tmpl"
        template.write_text(request.module.TEMPLATE if text is None else text)
        dest = tmp_path / "out.conf"
        return Job(Config(template=str(template), dest=str(dest), **config)), dest

    return make
