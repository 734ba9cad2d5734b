"""Run the real ``docker-gen`` command line in a subprocess, as a user would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = REPO / "templates"


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 60, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``python -m dockergen ARGS`` with the test environment; returns the completed process."""
    full_env = dict(os.environ)
    full_env.pop("DOCKER_CONTAINER_FILTERS", None)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "dockergen", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        cwd=cwd or REPO,
    )


def start_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.Popen:
    """Start ``python -m dockergen ARGS`` in the background (stderr captured to a pipe)."""
    full_env = dict(os.environ)
    full_env.pop("DOCKER_CONTAINER_FILTERS", None)
    full_env.update(env or {})
    return subprocess.Popen(
        [sys.executable, "-m", "dockergen", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=full_env,
        cwd=cwd or REPO,
    )


class RunningGenerator:
    """A ``docker-gen -watch`` process for a test; its log goes to a file that can be read any time."""

    def __init__(self, *args: str, log_path: Path, env: dict[str, str] | None = None) -> None:
        full_env = dict(os.environ)
        full_env.pop("DOCKER_CONTAINER_FILTERS", None)
        full_env.update(env or {})
        full_env.setdefault("PYTHONFAULTHANDLER", "1")  # SIGABRT dumps every thread's stack (see stop)
        self.log_path = log_path
        self._log = open(log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dockergen", *args],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=full_env,
            cwd=REPO,
        )

    def log(self) -> str:
        return self.log_path.read_text()

    def count(self, text: str) -> int:
        return self.log().count(text)

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    def stop(self, timeout: float = 15) -> int:
        """SIGTERM and wait; returns the exit status.

        A process that hangs is made to dump its threads' stacks into its log,
        and the failure shows the end of that log: a hang in CI can be read, not guessed.
        """
        if self.process.poll() is None:
            self.process.terminate()
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.send_signal(signal.SIGABRT)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                pass
            self._log.flush()
            tail = "\n".join(self.log().splitlines()[-60:])
            raise AssertionError(f"docker-gen did not exit within {timeout} s of SIGTERM; its log ends:\n{tail}") from None
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            self._log.close()

    def __enter__(self) -> "RunningGenerator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
