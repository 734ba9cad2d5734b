"""Writer: write only on change, atomically, keeping mode and owner; bind-mounted files in place."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess

import pytest

from dockergen.pipeline.writer import WriteError, read_current, replace_contents, write_if_changed


def test_creates_file_with_default_mode(tmp_path):
    dest = tmp_path / "out.conf"
    result = write_if_changed(str(dest), "hello\n")
    assert result.changed and result.atomic and result.previous is None
    assert dest.read_text() == "hello\n"
    mask = os.umask(0)
    os.umask(mask)
    assert dest.stat().st_mode & 0o777 == 0o644 & ~mask


def test_unchanged_content_is_not_rewritten(tmp_path):
    dest = tmp_path / "out.conf"
    write_if_changed(str(dest), "same\n")
    before = dest.stat()
    result = write_if_changed(str(dest), "same\n")
    after = dest.stat()
    assert not result.changed
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)


def test_changed_content_replaces_file_and_reports_previous(tmp_path):
    dest = tmp_path / "out.conf"
    dest.write_text("old\n")
    result = write_if_changed(str(dest), "new\n")
    assert result.changed and result.previous == b"old\n"
    assert dest.read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.conf"]  # no temp file left


def test_empty_render_creates_empty_file(tmp_path):
    # Deliberate difference 9: docker-gen would not create the file.
    dest = tmp_path / "empty"
    assert write_if_changed(str(dest), "").changed
    assert dest.exists() and dest.read_bytes() == b""
    assert not write_if_changed(str(dest), "").changed


def test_mode_and_owner_are_kept(tmp_path):
    dest = tmp_path / "out.conf"
    dest.write_text("old\n")
    os.chmod(dest, 0o600)
    if os.getuid() == 0:
        os.chown(dest, 65534, 65534)
    write_if_changed(str(dest), "new\n")
    info = dest.stat()
    assert info.st_mode & 0o777 == 0o600
    if os.getuid() == 0:
        assert (info.st_uid, info.st_gid) == (65534, 65534)


def test_missing_directory_is_a_clear_error(tmp_path):
    dest = tmp_path / "nope" / "out.conf"
    with pytest.raises(WriteError, match="destination directory .*nope does not exist"):
        write_if_changed(str(dest), "x")


def test_destination_that_is_a_directory(tmp_path):
    with pytest.raises(WriteError, match="is a directory"):
        write_if_changed(str(tmp_path), "x")


def test_parent_that_is_a_file(tmp_path):
    parent = tmp_path / "file"
    parent.write_text("x")
    with pytest.raises(WriteError, match="does not exist|not a directory"):
        write_if_changed(str(parent / "out"), "x")
    assert parent.read_text() == "x"


def test_stdout_always_counts_as_changed(capfdbinary):
    assert write_if_changed("", "to stdout\n").changed
    assert capfdbinary.readouterr().out == b"to stdout\n"


def test_read_current(tmp_path):
    assert read_current(str(tmp_path / "missing")) is None
    (tmp_path / "f").write_bytes(b"abc")
    assert read_current(str(tmp_path / "f")) == b"abc"


def test_stale_temp_files_are_removed(tmp_path):
    dest = tmp_path / "out.conf"
    stale = tmp_path / ".out.conf.abc123.dockergen.tmp"
    fresh = tmp_path / ".out.conf.def456.dockergen.tmp"
    stale.write_text("partial")
    fresh.write_text("maybe another writer")
    os.utime(stale, (1, 1))
    replace_contents(str(dest), b"x")
    assert not stale.exists()
    assert fresh.exists()


@pytest.mark.skipif(os.getuid() != 0 or not shutil.which("mount"), reason="bind mounts need root")
def test_bind_mounted_single_file_is_rewritten_in_place(tmp_path, caplog):
    source = tmp_path / "host-file"
    target = tmp_path / "mounted.conf"
    source.write_text("old content that is longer\n")
    target.write_text("")
    subprocess.run(["mount", "--bind", str(source), str(target)], check=True)
    try:
        with caplog.at_level(logging.WARNING, logger="dockergen.pipeline.writer"):
            result = write_if_changed(str(target), "new\n")
        assert result.changed and not result.atomic
        assert target.read_text() == "new\n"
        assert source.read_text() == "new\n"  # the host side sees it
        assert "rewriting it in place" in caplog.text
        assert not [p for p in tmp_path.iterdir() if p.name.endswith(".dockergen.tmp")]
    finally:
        subprocess.run(["umount", str(target)], check=False)
