"""Culprit search by bisection, and the job pipeline around it (check, restore, quarantine, backup)."""

from __future__ import annotations

import logging
import math
import re

import pytest

from dockergen.daemon.inventory import Snapshot
from dockergen.pipeline.job import Job
from dockergen.model import Docker, RuntimeContainer
from dockergen.pipeline.quarantine import Attempt, find_culprits


def attempt_against(bad: set[int]):
    calls = []

    def attempt(items: list[int]) -> Attempt:
        calls.append(list(items))
        found = bad.intersection(items)
        return Attempt(not found, f"bad {sorted(found)}" if found else "")

    return attempt, calls


@pytest.mark.parametrize("n", [1, 2, 7, 200, 1000])
def test_one_culprit_costs_about_log2_n_attempts(n):
    attempt, calls = attempt_against({n // 3})
    search = find_culprits(list(range(n)), attempt)
    assert list(search.culprits) == [n // 3]
    assert search.passing == [i for i in range(n) if i != n // 3]
    assert search.attempts == len(calls)
    assert search.attempts <= math.ceil(math.log2(max(n, 2))) + 3
    assert search.attempts <= 2 * math.log2(max(n, 2)) + 2


def test_several_culprits_and_their_reasons():
    attempt, _ = attempt_against({3, 50, 51, 199})
    search = find_culprits(list(range(200)), attempt)
    assert sorted(search.culprits) == [3, 50, 51, 199]
    assert all(reason.startswith("bad [") for reason in search.culprits.values())
    assert search.passing is not None and len(search.passing) == 196


def test_no_culprit():
    attempt, calls = attempt_against(set())
    search = find_culprits(list(range(10)), attempt)
    assert search.culprits == {} and search.passing == list(range(10)) and len(calls) == 1


def test_broken_for_everyone_gives_up_without_bisecting():
    calls = []

    def attempt(items):
        calls.append(items)
        return Attempt(False, "template broken")

    search = find_culprits(list(range(100)), attempt)
    assert search.passing is None and search.culprits == {}
    assert calls == [list(range(100)), []]


def test_gives_up_after_max_culprits():
    attempt, _ = attempt_against(set(range(0, 100, 2)))
    search = find_culprits(list(range(100)), attempt, max_culprits=5)
    assert search.passing is None and len(search.culprits) == 5


# -- the pipeline -------------------------------------------------------------------------

TEMPLATE = "{% for c in containers %}server {{ c.Env.HOST }};\n{% endfor %}"


def containers(n: int, bad: dict[int, str]) -> list[RuntimeContainer]:
    return [
        RuntimeContainer(ID=f"{i:064d}", Name=f"c{i}", Env={"HOST": bad.get(i, f"h{i}.example")})
        for i in range(n)
    ]




def run(job: Job, items: list[RuntimeContainer], **kwargs):
    return job.run(Snapshot(items, Docker()), lambda: None, **kwargs)


# The check rejects a line with a second semicolon (an injected directive, as nginx -t would).
CHECK = "! grep -qE '^[^;]*;[^;]*;' \"$DOCKERGEN_DEST\""


def test_check_failure_quarantines_the_one_bad_container_in_200(make_job, tmp_path, caplog):
    job, dest = make_job(check_cmd=CHECK, notify_cmd=f"echo notified >> {tmp_path / 'notes'}")
    items = containers(200, {137: "evil; return 418"})
    with caplog.at_level(logging.INFO):
        outcome = run(job, items)
    assert outcome.ok and outcome.changed
    assert "evil" not in dest.read_text()
    assert dest.read_text().count("\n") == 199
    assert list(job.quarantine) == [items[137].ID]
    assert "Quarantined container c137" in caplog.text
    renders = int(re.search(r"quarantined after (\d+) renders/checks", caplog.text).group(1))
    assert renders == outcome.attempts
    assert renders <= 2 * math.log2(200) + 2
    assert (tmp_path / "notes").read_text() == "notified\n"

    # Still bad and unchanged: it stays out without another search.
    caplog.clear()
    with caplog.at_level(logging.INFO):
        outcome = run(job, items)
    assert not outcome.changed and outcome.attempts == 1
    # Fixed (its own change releases it): it comes back.
    job.release(items[137].ID)
    items[137].Env["HOST"] = "fixed.example"
    outcome = run(job, items)
    assert outcome.changed and "fixed.example" in dest.read_text() and not job.quarantine


def test_render_error_quarantines_only_the_culprit(make_job, tmp_path, caplog):
    job, dest = make_job("{% for c in containers %}{{ c.Name }} {{ mustBeInt(c.Env.PORT) }}\n{% endfor %}")
    items = [RuntimeContainer(ID=f"{i:064d}", Name=f"c{i}", Env={"PORT": "80" if i != 3 else "eighty"}) for i in range(8)]
    with caplog.at_level(logging.INFO):
        outcome = run(job, items)
    assert outcome.ok
    assert dest.read_text() == "".join(f"c{i} 80\n" for i in range(8) if i != 3)
    assert "Quarantined container c3" in caplog.text and "must be an integer" in caplog.text


def test_check_that_always_fails_keeps_the_previous_bytes(make_job, tmp_path, caplog):
    notes = tmp_path / "notes"
    job, dest = make_job(check_cmd="echo 'syntax is wrong' >&2; exit 1", notify_cmd=f"echo x >> {notes}")
    dest.write_bytes(b"previous content\n")
    for round_number in range(3):
        caplog.clear()
        with caplog.at_level(logging.INFO):
            outcome = run(job, containers(5 + round_number, {}))
        assert not outcome.ok
        assert dest.read_bytes() == b"previous content\n"
        assert "syntax is wrong" in caplog.text and "keeping the previous content" in caplog.text
    assert not notes.exists()
    assert [p.name for p in tmp_path.iterdir() if "dockergen" in p.name] == []


def test_check_failure_without_quarantine_restores_and_reports(make_job, tmp_path, caplog):
    job, dest = make_job(check_cmd=CHECK, quarantine=False)
    dest.write_text("old\n")
    with caplog.at_level(logging.INFO):
        outcome = run(job, containers(4, {1: "x; y"}))
    assert not outcome.ok and dest.read_text() == "old\n" and not job.quarantine
    assert "rejected by the check command" in caplog.text


def test_check_sees_candidate_in_place_and_the_previous_copy(make_job, tmp_path):
    seen = tmp_path / "seen"
    job, dest = make_job(check_cmd=f'cat "$DOCKERGEN_DEST" > {seen}; cat "$DOCKERGEN_PREVIOUS" >> {seen}')
    dest.write_text("before\n")
    assert run(job, containers(1, {})).ok
    assert seen.read_text() == "server h0.example;\nbefore\n"


def test_startup_check_replaces_a_destination_that_fails(make_job, tmp_path):
    # The live file equals the fresh render but fails the check (it holds a bad container):
    # the first run checks it anyway and replaces it by a render that passes.
    job, dest = make_job(check_cmd=CHECK, backup=True)
    items = containers(6, {2: "bad; one"})
    dest.write_text("".join(f"server {c.Env['HOST']};\n" for c in items))
    outcome = run(job, items)
    assert outcome.ok and outcome.changed and "bad" not in dest.read_text()
    assert (tmp_path / "out.conf.bak").read_text() == dest.read_text()


def test_backup_keeps_the_last_good_content(make_job, tmp_path):
    job, dest = make_job(backup=True)
    run(job, containers(2, {}))
    assert (tmp_path / "out.conf.bak").read_text() == dest.read_text() == "server h0.example;\nserver h1.example;\n"


def test_dry_run_diff(make_job, tmp_path):
    job, dest = make_job()
    ok, text = job.dry_run(Snapshot(containers(2, {}), Docker()), env={})
    assert ok and text.splitlines() == [  # no destination yet: a diff against an empty file
        f"--- {dest} (does not exist yet)",
        f"+++ {dest} (rendered)",
        "@@ -0,0 +1,2 @@",
        "+server h0.example;",
        "+server h1.example;",
    ]
    dest.write_text("server h0.example;\nserver h1.example;\n")
    ok, text = job.dry_run(Snapshot(containers(2, {}), Docker()), env={})
    assert ok and text == f"--- {dest}\n+++ {dest} (rendered)\n"  # unchanged: the header alone
    dest.write_text("server h0.example;\nserver old.example;\n")
    ok, text = job.dry_run(Snapshot(containers(2, {}), Docker()), env={})
    assert ok
    assert text.splitlines() == [
        f"--- {dest}",
        f"+++ {dest} (rendered)",
        "@@ -1,2 +1,2 @@",
        " server h0.example;",
        "-server old.example;",
        "+server h1.example;",
    ]


def test_dry_run_of_a_destination_in_a_missing_directory_fails(make_job, tmp_path):
    job, _ = make_job()
    job.config.dest = str(tmp_path / "missing" / "out.conf")
    ok, text = job.dry_run(Snapshot(containers(1, {}), Docker()), env={})
    assert not ok
    assert text == f"docker-gen: {job.config.dest}: destination directory {tmp_path / 'missing'} does not exist\n"


def test_hanging_check_is_killed_with_its_children(make_job, tmp_path, caplog):
    marker = tmp_path / "child-survived"
    job, dest = make_job(check_cmd=f"(sleep 2; touch {marker}) & sleep 30", check_timeout=0.5,
                         quarantine=False)
    dest.write_text("old\n")
    with caplog.at_level(logging.INFO):
        outcome = run(job, containers(1, {}))
    assert not outcome.ok and dest.read_text() == "old\n"
    assert "killed after the 0.5 s timeout" in caplog.text
    import time

    time.sleep(2.5)
    assert not marker.exists()  # the whole process group was killed


def test_log_line_times_notify_only_when_something_is_notified(make_job, tmp_path, caplog):
    job, _ = make_job()
    with caplog.at_level(logging.INFO):
        run(job, containers(1, {}))
    [generated] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Generated")]
    assert ", notify " not in generated and generated.endswith(" ms)")
    caplog.clear()
    job, _ = make_job(notify_cmd="true")
    (tmp_path / "out.conf").unlink()
    with caplog.at_level(logging.INFO):
        run(job, containers(1, {}))
    [generated] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Generated")]
    assert ", notify " in generated
