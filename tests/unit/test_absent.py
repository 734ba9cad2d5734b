"""AbsentFiles: absence known from directory listings, never a wrong answer (real files)."""

import os
import time

import pytest

from dockergen.helpers import absent
from dockergen.helpers.absent import AbsentFiles


def stat_says_absent(path: str) -> bool:
    try:
        os.stat(path)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return False


QUICK = 20_000_000  # ns: "settled" for these tests (the product waits absent.SETTLED)


def settle() -> None:
    """Let the clock pass QUICK and a coarse timestamp tick since the last directory change."""
    time.sleep(0.05)


@pytest.fixture
def scandirs(monkeypatch):
    """How many times a directory was listed."""
    calls = []
    real = os.scandir

    def counting(path):
        calls.append(path)
        return real(path)

    monkeypatch.setattr(absent.os, "scandir", counting)
    return calls


def test_answers_agree_with_stat_for_every_kind_of_path(tmp_path):
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "a.crt").write_text("x")
    (tmp_path / "certs" / "Mixed.crt").write_text("x")
    os.symlink(tmp_path / "nowhere", tmp_path / "certs" / "dangling.crt")
    (tmp_path / "file").write_text("x")
    probe = AbsentFiles()
    probe.begin()
    base = str(tmp_path)
    paths = [
        f"{base}/certs/a.crt", f"{base}/certs/b.crt", f"{base}/certs/dangling.crt", f"{base}/certs/mixed.crt",
        f"{base}/certs/", f"{base}/certs/.", f"{base}/certs/..", f"{base}//certs//b.crt",
        f"{base}/missing/b.crt", f"{base}/missing/deeper/b.crt", f"{base}/file/b.crt", f"{base}/certs/../x",
        "relative-name-nowhere", "./relative-name-nowhere", "/", "", "a\x00b",
    ]
    for path in paths:
        if probe.certainly_absent(path):
            assert stat_says_absent(path), path
    assert probe.certainly_absent(f"{base}/certs/b.crt")
    assert probe.certainly_absent(f"{base}/missing/b.crt")
    assert not probe.certainly_absent(f"{base}/certs/a.crt")
    assert not probe.certainly_absent(f"{base}/certs/dangling.crt")  # listed: stat decides (it is absent)
    assert not probe.certainly_absent(f"{base}/certs/mixed.crt")  # a case variant is listed: stat decides
    assert not probe.certainly_absent(f"{base}/file/b.crt")  # stat says "not a directory", an error


def test_one_listing_per_directory_per_render(tmp_path, scandirs):
    probe = AbsentFiles()
    probe.begin()
    for i in range(50):
        assert probe.certainly_absent(f"{tmp_path}/host{i}.crt")
    assert scandirs == [str(tmp_path)]


def test_a_new_file_is_seen_at_the_next_render(tmp_path):
    probe = AbsentFiles(settled=QUICK)
    settle()
    probe.begin()
    assert probe.certainly_absent(f"{tmp_path}/new.crt")
    (tmp_path / "new.crt").write_text("x")
    probe.begin()
    assert not probe.certainly_absent(f"{tmp_path}/new.crt")
    os.unlink(tmp_path / "new.crt")
    probe.begin()
    assert probe.certainly_absent(f"{tmp_path}/new.crt")


def test_a_settled_directory_is_not_listed_again_until_it_changes(tmp_path, scandirs):
    probe = AbsentFiles(settled=QUICK)
    settle()
    for _ in range(3):
        probe.begin()
        assert probe.certainly_absent(f"{tmp_path}/x.crt")
    assert len(scandirs) == 1
    (tmp_path / "other").write_text("x")
    probe.begin()
    assert probe.certainly_absent(f"{tmp_path}/x.crt")
    assert len(scandirs) == 2


def test_a_recently_changed_directory_is_listed_at_every_render(tmp_path, scandirs):
    probe = AbsentFiles()  # the directory was made just now: its timestamps may share the listing's tick
    for _ in range(3):
        probe.begin()
        assert probe.certainly_absent(f"{tmp_path}/x.crt")
    assert len(scandirs) == 3


def test_restoring_a_directorys_mtime_does_not_hide_a_new_file(tmp_path):
    probe = AbsentFiles(settled=QUICK)
    info = os.stat(tmp_path)
    settle()
    probe.begin()
    assert probe.certainly_absent(f"{tmp_path}/late.crt")
    (tmp_path / "late.crt").write_text("x")
    os.utime(tmp_path, ns=(info.st_atime_ns, info.st_mtime_ns))  # as rsync -t or touch -r would
    probe.begin()
    assert not probe.certainly_absent(f"{tmp_path}/late.crt")


def test_directories_kept_are_bounded(tmp_path):
    probe = AbsentFiles(settled=QUICK)
    for i in range(absent.MAX_DIRECTORIES + 10):
        (tmp_path / str(i)).mkdir()
    settle()
    probe.begin()
    for i in range(absent.MAX_DIRECTORIES + 10):
        probe.certainly_absent(f"{tmp_path}/{i}/x")
    assert len(probe._listings) == absent.MAX_DIRECTORIES


def test_listing_is_bounded_per_directory_and_per_render(tmp_path, monkeypatch, scandirs):
    monkeypatch.setattr(absent, "MAX_NAMES", 5)
    monkeypatch.setattr(absent, "RENDER_BUDGET", 12)
    for name, count in (("big", 6), ("a", 4), ("b", 4), ("c", 4), ("d", 1)):
        (tmp_path / name).mkdir()
        for i in range(count):
            (tmp_path / name / f"f{i}").write_text("x")
    probe = AbsentFiles()
    probe.begin()
    assert not probe.certainly_absent(f"{tmp_path}/big/x")  # 6 > MAX_NAMES: stat decides (6 of 12 spent)
    assert probe.certainly_absent(f"{tmp_path}/a/x")  # 4 more: 10 spent
    assert not probe.certainly_absent(f"{tmp_path}/b/x")  # only 2 left: stat decides
    assert not probe.certainly_absent(f"{tmp_path}/c/x")
    assert not probe.certainly_absent(f"{tmp_path}/big/x")  # asked once a render, not listed again
    assert scandirs.count(f"{tmp_path}/big") == 1
    probe.begin()  # a new render, a new budget
    assert probe.certainly_absent(f"{tmp_path}/b/x")
