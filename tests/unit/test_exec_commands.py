"""dockergen.daemon.exec and the exec check: how answers of several containers become one verdict.

The engine side is proven in tests/engine/test_exec.py; here the runner is a
function, so that timeouts, crashes and stopped containers are exact.
"""

from __future__ import annotations

import threading

import pytest

from dockergen.daemon import exec as container_exec
from dockergen.pipeline import check
from dockergen.daemon.exec import ExecResult, ExecTarget, run_in

A = ExecTarget("", None, "a" * 64, "nginx-a")
B = ExecTarget("remote", None, "b" * 64, "nginx-b")


def test_every_target_runs_at_once_and_answers_in_order():
    both_started = threading.Barrier(2, timeout=5)  # fails unless the two run concurrently

    def run(target, cmd, env):
        both_started.wait()
        return ExecResult(target, 0, f"{cmd} {env['X']} in {target.name}")

    results = run_in([A, B], "nginx -t", env={"X": "1"}, timeout=5, run=run)
    assert [(r.target, r.ok, r.output) for r in results] == [
        (A, True, "nginx -t 1 in nginx-a"), (B, True, "nginx -t 1 in nginx-b"),
    ]


def test_a_target_that_does_not_answer_in_time_fails_by_name():
    release = threading.Event()

    def run(target, cmd, env):
        if target is B:
            release.wait(10)
        return ExecResult(target, 0)

    try:
        results = run_in([A, B], "nginx -t", env={}, timeout=0.2, run=run)
    finally:
        release.set()
    assert results[0].ok
    assert not results[1].ok and results[1].failure == "'nginx -t' timed out after 0.2 s in nginx-b on remote"


def test_a_crash_is_a_failure_not_a_pass():
    def run(target, cmd, env):
        raise RuntimeError("boom")

    (result,) = run_in([A], "nginx -t", env={}, timeout=5, run=run)
    assert not result.ok and "boom" in result.failure


def test_no_target_no_run():
    assert run_in([], "nginx -t", env={}, timeout=1) == []


@pytest.fixture
def answers(monkeypatch):
    """Make the check's exec answer with the given results."""
    def use(*results):
        monkeypatch.setattr(container_exec, "timed_run", lambda *a, **k: (list(results), 0.01))
    return use


def check_now():
    return check.run_check_in_containers("nginx -t", "/d", 5, {}, ["nginx"], {})


def test_check_passes_only_if_every_container_passes(answers):
    answers(ExecResult(A, 0, "ok"), ExecResult(B, 1, "nginx: [emerg] bad\nfailed", "exit status 1 in nginx-b on remote"))
    result = check_now()
    assert not result.ok and result.output == "exit status 1 in nginx-b on remote: nginx: [emerg] bad | failed"
    answers(ExecResult(A, 0, "ok"), ExecResult(B, 0, "ok too"))
    assert check_now() == check.CheckResult(True, "ok\nok too", verified=True)


def test_a_check_with_no_running_container_is_unverified_never_a_silent_pass(answers):
    answers()
    assert check_now() == check.CheckResult(True, "no selected container is running", verified=False)
    gone = ExecResult(A, None, "", "nginx-a is not running", gone=True)
    answers(gone)
    assert not check_now().verified
    answers(gone, ExecResult(B, 0, "fine"))  # the one that ran decides
    assert check_now() == check.CheckResult(True, "fine", verified=True)
