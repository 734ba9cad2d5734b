"""Run a Go template case (the vectors' format) through dockergen's engine or the real Go one.

A case is ``{"name", "context", "files"}`` as ``../shared/go-template-vectors``
describes it; a result adds ``output`` (or ``output_base64``) or ``error``
(``stage``, ``message``, ``partial_output``).  :func:`run_ours` executes the
case exactly as the vectors' README says docker-gen does (files in a fresh
directory with ``@DIR@`` replaced, ParseFiles order, the environment set from
the fixture); :func:`run_oracle` hands a batch to ``gotmpl-oracle``;
:func:`compare` says whether two results are the same bytes.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dockergen.gotemplate.cache import TemplateCache
from dockergen.gotemplate.context import load_fixture
from dockergen.gotemplate.errors import ExecError, ParseError
from dockergen.gotemplate.template import TemplateSet
from reference_support import CONTEXTS, ORACLE

__all__ = ["DIR_TOKEN", "available", "run_oracle", "run_ours", "run_fresh_and_cached", "compare", "ignored",
           "expected", "Mismatch"]

DIR_TOKEN = "@DIR@"


def available() -> str | None:
    """Why the fuzzer cannot run here, or None."""
    if not ORACLE.is_file():
        return f"the Go reference engine is not here ({ORACLE})"
    if not (CONTEXTS / "basic.json").is_file():
        return f"the vectors' contexts are not here ({CONTEXTS})"
    return None


def run_oracle(cases: list[dict], contexts: Path = CONTEXTS, jobs: int = 2) -> list[dict]:
    """The cases with the real Go engine's ``output``/``error`` filled in."""
    with tempfile.TemporaryDirectory(prefix="gofuzz-") as tmp:
        path = Path(tmp) / "cases.json"
        path.write_text(json.dumps(cases, ensure_ascii=True), encoding="utf-8")
        done = subprocess.run(
            [str(ORACLE), "-j", str(jobs), "-timeout", "5s", str(path), str(contexts)],
            capture_output=True, check=True, timeout=600,
        )
    return json.loads(done.stdout)


class _Timeout(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise _Timeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)



@contextlib.contextmanager
def _environment(env: dict[str, str], cwd: str) -> Iterator[None]:
    saved, saved_cwd = dict(os.environ), os.getcwd()
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        os.chdir(saved_cwd)


@contextlib.contextmanager
def _watching_pointers() -> Iterator[list[int]]:
    """Count the made-up pointer addresses dockergen prints (Go's real ones differ)."""
    from dockergen.gotemplate import fmt

    made_up = fmt._address
    calls = [0]

    def counted(obj: Any) -> int:
        calls[0] += 1
        return made_up(obj)

    fmt._address = counted
    try:
        yield calls
    finally:
        fmt._address = made_up


def run_ours(case: dict, contexts: Path = CONTEXTS, time_limit: float = 10.0,
             cache: TemplateCache | None = None) -> dict:
    """``{"output": str|None, "error": {"stage", "message", "partial_output"}|None}`` from dockergen's engine.

    Runs exactly as the vectors' README says: files written to a fresh
    directory (``@DIR@`` replaced), ParseFiles order, environment from the
    fixture.  An exception other than Go's parse/exec errors is a ``crash``.
    ``cache``: where the compiled templates are kept (none by default).
    """
    with tempfile.TemporaryDirectory(prefix="gofuzz-") as directory:
        files = case["files"]
        names = ["main.tmpl"] + sorted(n for n in files if n != "main.tmpl" and "/" not in n)
        for name, text in files.items():
            target = Path(directory) / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.replace(DIR_TOKEN, directory).encode("utf-8", "surrogateescape"))
        root, env = load_fixture(contexts / f"{case['context']}.json")

        def back(text: str) -> str:
            return text.replace(directory, DIR_TOKEN)

        spec = ";".join(str(Path(directory) / n) for n in names)
        with _environment(env, directory), _watching_pointers() as pointers:
            result = _execute(spec, root, back, time_limit, cache)
        if pointers[0]:
            result["pointers"] = True  # the text holds (or was computed from) a made-up address
        return result


def run_fresh_and_cached(case: dict, contexts: Path, directory: Path) -> list[dict]:
    """The case run twice with a disk cache in ``directory``: compiled afresh (and written to the
    cache), then loaded from it.  Both results, each to be compared with the expected one: a
    cached template must run byte for byte as a fresh compile, errors included.

    The second run must have loaded the entry and found nothing new to write (unless the
    template did not parse, or holds ``@DIR@``: each run has a directory of its own)."""
    cache = TemplateCache.at(str(directory))
    assert cache is not None
    first = run_ours(case, contexts, cache=cache)
    hits, writes = cache.hits, cache.writes
    second = run_ours(case, contexts, cache=cache)
    if (first["error"] is None or first["error"]["stage"] != "parse") and DIR_TOKEN not in json.dumps(case["files"]):
        assert (cache.hits, cache.writes) == (hits + 1, writes), "the second run did not use the cache as it is"
    return [first, second]


def _execute(spec: str, root: Any, back: Callable[[str], str], time_limit: float,
             cache: TemplateCache | None = None) -> dict:
    """Parse and run one template list; Go's errors, a timeout or any other exception as a result."""
    def failed(stage: str, message: str, partial: str = "") -> dict:
        return {"output": None, "error": {"stage": stage, "message": message, "partial_output": partial}}

    try:
        with _time_limit(time_limit):
            try:
                templates = TemplateSet.from_files(spec, cache)
            except ParseError as exc:
                return failed("parse", back(str(exc)))
            try:
                return {"output": back(templates.execute(root)), "error": None}
            except ExecError as exc:
                return failed("exec", back(str(exc)), back(exc.partial_output))
    except _Timeout:
        return failed("timeout", f"over {time_limit} s")
    except Exception as exc:  # noqa: BLE001 - any other exception is the finding
        return failed("crash", f"{type(exc).__name__}: {exc}")


# --- comparing -------------------------------------------------------------------------------

_POINTER = re.compile(r"0x[0-9a-f]{6,}")
# A time.Time printed as a struct (%d): a location other than UTC is a pointer, printed in decimal.
_TIME_LOCATION = re.compile(r"(\{\+?[0-9]+ \+?-?[0-9]+ )\+?[1-9][0-9]{5,}\}")
_COLUMN = re.compile(r"^(template: [^:]*:[0-9]+):[0-9]+:")


def _shape(text: str | None) -> str | None:
    if text is None:
        return None
    return _TIME_LOCATION.sub(r"\1LOC}", _POINTER.sub("0xPTR", text))


def _decoded(text: str) -> str:
    return base64.b64decode(text).decode("utf-8", "surrogateescape")


def expected(result: dict) -> dict:
    """A result as ``{"output", "error"}`` with the base64 forms decoded (``output_regex`` is not)."""
    error = result.get("error")
    if not error:
        output = result.get("output")
        if result.get("output_base64") is not None:
            output = _decoded(result["output_base64"])
        return {"output": output, "error": None}
    partial = error.get("partial_output", "")
    if "partial_output_base64" in error:
        partial = _decoded(error["partial_output_base64"])
    return {"output": None, "error": {"stage": error["stage"], "message": error["message"], "partial_output": partial}}


@dataclass
class Mismatch:
    case: dict
    expected: dict
    got: dict

    def signature(self) -> tuple:
        """What kind of difference this is, to keep while minimizing."""

        def kind(side: dict) -> tuple:
            error = side["error"]
            if not error:
                return ("output",)
            tail = error["message"].rsplit(">: ", 1)[-1]
            return error["stage"], re.sub(r"[0-9]+", "", tail)[:30]

        return kind(self.expected), kind(self.got)

    def describe(self) -> str:
        files = json.dumps(self.case["files"], ensure_ascii=False)
        return (f"--- {self.case['name']} [{self.case['context']}] {files}\n"
                f"    go:   {json.dumps(self.expected, ensure_ascii=False)}\n"
                f"    ours: {json.dumps(self.got, ensure_ascii=False)}")


def compare(result: dict, ours: dict, shapes: bool = True) -> Mismatch | None:
    """A mismatch when the two engines disagree.

    With ``shapes``, pointer addresses (made up by dockergen) are compared as
    shapes, and so is the error column of a template holding ``@DIR@`` (which
    stands for directories of different lengths in the two runs); when
    dockergen printed an address at all, only the stage and the place of an
    error are compared (a hash of a printed pointer differs entirely).
    """
    want, got = expected(result), {"output": ours["output"], "error": ours["error"]}
    if shapes and ours.get("pointers"):
        want, got = (_loose(_shaped(side, result["files"])) for side in (want, got))
    elif shapes:
        want, got = (_shaped(side, result["files"]) for side in (want, got))
    if want == got:
        return None
    return Mismatch(result, want, got)


def _loose(side: dict) -> dict:
    """What can be compared once made-up addresses were printed (and maybe hashed): the
    stage, and where an execution error happened."""
    error = side["error"]
    if not error:
        return {"output": "(text computed from pointer addresses)", "error": None}
    return {"output": None, "error": {"stage": error["stage"], "message": error["message"].split(">: ", 1)[0]}}


# The two runs' directories, where a function changed them so that @DIR@ no longer stands
# for them (a parent directory, a URL-escaped path).
_RUN_DIRECTORY = re.compile(r"(?:/|%2F)tmp(?:/|%2F)(?:gotmpl-oracle-[0-9]+(?:/|%2F)w[0-9]+(?:/|%2F)c[0-9]+|gofuzz-[A-Za-z0-9_]+)")


def _shaped(side: dict, files: dict) -> dict:
    if any(DIR_TOKEN in text for text in files.values()):
        side = json.loads(_RUN_DIRECTORY.sub(DIR_TOKEN, json.dumps(side)))
    error = side["error"]
    if not error:
        return {"output": _shape(side["output"]), "error": None}
    message = error["message"]
    if any(DIR_TOKEN in text for text in files.values()):
        message = _COLUMN.sub(r"\1:?:", message)
    return {"output": None, "error": {"stage": error["stage"], "message": _shape(message),
                                      "partial_output": _shape(error["partial_output"])}}


def ignored(result: dict) -> bool:
    """Go crashed, panicked or timed out: docker-gen itself dies, nothing to compare."""
    error = result.get("error")
    return bool(error) and error["stage"] in ("panic", "crash", "timeout", "setup")
