"""dockergen.daemon.current_container: detecting our own container ID (vectors §3.1, spec §3.7)."""

from __future__ import annotations

import hashlib
import os

import pytest

from dockergen.daemon.current_container import DEFAULT_FILES, current_container_id

ID0 = "0fa939e22e6938e7517f663de83e79a5087a18b1b997a36e0c933a917cddb295"
ID1 = "e881f8c51a72db7da515e9d5cab8ed105b869579eb9923fdcf4ee80933160802"
ID2 = "eede6bd9e72f5d783a4bfb845bd71f310e974cb26987328a5d15704e23a8d6cb"
OVL = "e1fab975d5ffd51474b11a964c82c3bfda1c0e82aec6845a1f12c8150bf61419"
VOL1 = "ca8074e1a2eb12edc86c59c5108bb48c31bb7ace4b90beb0da8137a9baa45812"
VOL2 = "2cf8a52c907469a56f6e2cc7d1959d74a4dd04131e7edcd53eaf909db28f770f"

for _id in (ID0, ID1, ID2, OVL, VOL1, VOL2):
    assert len(_id) == 64


def _layer_id(n: int) -> str:
    """A 26-char upper-case overlay2 short link id, like Docker's ``l/`` entries."""
    return hashlib.sha256(str(n).encode()).hexdigest().upper()[:26]


LAYERS = [_layer_id(n) for n in range(12)]
assert all(len(layer) == 26 for layer in LAYERS)

OVERLAY_LINE = (
    "705 661 0:96 / / rw,relatime master:192 - overlay overlay rw,lowerdir="
    + ":".join(f"/var/lib/docker/overlay2/l/{layer}" for layer in LAYERS)
    + f",upperdir=/var/lib/docker/overlay2/{OVL}/diff,workdir=/var/lib/docker/overlay2/{OVL}/work,index=off"
)

CPUSET = f"/docker/{ID0}\n"

CGROUP = "".join(
    f"{n}:{ctrl}:/docker-ce/docker/{ID1}\n"
    for n, ctrl in [
        (13, "name=systemd"),
        (12, "pids"),
        (11, "hugetlb"),
        (10, "net_prio"),
        (9, "perf_event"),
        (8, "net_cls"),
        (7, "freezer"),
        (6, "devices"),
        (5, "memory"),
        (4, "blkio"),
        (3, "cpuacct"),
        (2, "cpu"),
        (1, "cpuset"),
    ]
)

MOUNTINFO_LINES = [
    OVERLAY_LINE,
    "706 705 0:105 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw",
    "707 705 0:106 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755",
    "708 707 0:107 / /dev/pts rw,nosuid,noexec,relatime - devpts devpts rw,gid=5,mode=620,ptmxmode=666",
    "709 705 0:108 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro",
    "710 709 0:25 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw",
    "711 707 0:104 / /dev/mqueue rw,nosuid,nodev,noexec,relatime - mqueue mqueue rw",
    "712 707 0:109 / /dev/shm rw,nosuid,nodev,noexec,relatime - tmpfs shm rw,size=65536k",
    f"713 705 8:3 /var/lib/docker/containers/{ID2}/resolv.conf /etc/resolv.conf rw,relatime - ext4 /dev/sda3 rw",
    f"714 705 8:3 /var/lib/docker/containers/{ID2}/hostname /etc/hostname rw,relatime - ext4 /dev/sda3 rw",
    f"715 705 8:3 /var/lib/docker/containers/{ID2}/hosts /etc/hosts rw,relatime - ext4 /dev/sda3 rw",
    f"716 705 8:3 /var/lib/docker/volumes/{VOL1}/_data /etc/nginx/certs rw,relatime master:1 - ext4 /dev/sda3 rw",
    f"717 705 8:3 /var/lib/docker/volumes/{VOL2}/_data /etc/nginx/dhparam rw,relatime master:1 - ext4 /dev/sda3 rw",
    "662 707 0:107 /0 /dev/console rw,nosuid,noexec,relatime - devpts devpts rw,gid=5,mode=620,ptmxmode=666",
    "663 706 0:105 /bus /proc/bus ro,nosuid,nodev,noexec,relatime - proc proc rw",
    "664 706 0:105 /fs /proc/fs ro,nosuid,nodev,noexec,relatime - proc proc rw",
    "665 706 0:105 /irq /proc/irq ro,nosuid,nodev,noexec,relatime - proc proc rw",
    "666 706 0:105 /sys /proc/sys ro,nosuid,nodev,noexec,relatime - proc proc rw",
    "667 706 0:105 /sysrq-trigger /proc/sysrq-trigger ro,nosuid,nodev,noexec,relatime - proc proc rw",
    "668 706 0:110 / /proc/acpi ro,relatime - tmpfs tmpfs ro",
    "669 706 0:106 /null /proc/kcore rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755",
    "670 706 0:106 /null /proc/keys rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755",
    "671 706 0:106 /null /proc/latency_stats rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755",
    "672 706 0:106 /null /proc/timer_list rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755",
    "673 706 0:106 /null /proc/sched_debug rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755",
    "674 706 0:111 / /proc/scsi ro,relatime - tmpfs tmpfs ro",
    "675 709 0:112 / /sys/firmware ro,relatime - tmpfs tmpfs ro",
]
MOUNTINFO = "\n".join(MOUNTINFO_LINES) + "\n"


def test_fixture_shapes():
    assert len(CGROUP.splitlines()) == 13
    assert len(MOUNTINFO_LINES) == 27
    import re

    for line in MOUNTINFO_LINES:
        assert re.match(r"^\d+ \d+ \d+:\d+ /", line), line
    masking = MOUNTINFO_LINES[13:]
    assert [int(line.split()[0]) for line in masking] == list(range(662, 676))
    for line in masking:
        assert not re.search(r"[0-9A-Za-z]{64}", line)


@pytest.fixture
def write(tmp_path):
    counter = iter(range(1000))

    def write(content: str) -> str:
        path = tmp_path / f"f{next(counter)}"
        path.write_text(content, encoding="utf-8")
        return str(path)

    return write


@pytest.fixture
def standard(write):
    return [write(CPUSET), write(CGROUP), write(MOUNTINFO)]


@pytest.fixture
def no_cgroup_ids(write):
    """The cpuset/cgroup contents of a cgroup-v2 / namespaced host: no IDs there."""
    return [write("/\n"), write("0::/\n")]


# -- GetCurrentContainerID ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "hostname, expected",
    [
        (ID0[:12], ID0),
        (ID1[:12], ID1),  # hostname pass skips the cpuset line
        (ID2[:12], ID2),  # found in mountinfo via containers/
        ("customhostname", ID0),  # fallback: first 64-alnum run in the first file
    ],
)
def test_get_current_container_id(standard, hostname, expected):
    assert current_container_id(standard, hostname) == expected


def test_get_current_container_id_mountinfo(no_cgroup_ids, write):
    files = no_cgroup_ids + [write(MOUNTINFO)]
    assert current_container_id(files, "customhostname") == ID2  # not OVL, not VOL1


def test_get_current_container_id_separate_mount(no_cgroup_ids, write):
    mountinfo = "\n".join(
        [
            OVERLAY_LINE,
            f"713 705 8:3 /{ID2}/resolv.conf /etc/resolv.conf rw,relatime - ext4 /dev/sda3 rw",
            f"714 705 8:3 /{ID2}/hostname /etc/hostname rw,relatime - ext4 /dev/sda3 rw",
            f"715 705 8:3 /{ID2}/hosts /etc/hosts rw,relatime - ext4 /dev/sda3 rw",
        ]
    )
    assert current_container_id(no_cgroup_ids + [write(mountinfo + "\n")], "customhostname") == ID2


def test_get_current_container_id_podman_userdata_mount(no_cgroup_ids, write):
    mountinfo = "\n".join(
        [
            OVERLAY_LINE,
            f"1099 1086 0:45 /containers/overlay-containers/{ID2}/userdata/resolv.conf /etc/resolv.conf rw,nosuid,nodev - tmpfs tmpfs rw,size=1620580k",
            f"1100 1086 0:45 /containers/overlay-containers/{ID2}/userdata/hostname /etc/hostname rw,nosuid,nodev - tmpfs tmpfs rw,size=1620580k",
            f"1101 1086 0:45 /containers/overlay-containers/{ID2}/userdata/hosts /etc/hosts rw,nosuid,nodev - tmpfs tmpfs rw,size=1620580k",
        ]
    )
    assert current_container_id(no_cgroup_ids + [write(mountinfo + "\n")], "customhostname") == ID2


def test_get_current_container_id_podman_userdata_without_containers_prefix(no_cgroup_ids, write):
    # pattern (b) alone: /<ID>/userdata/hostname
    mountinfo = f"1100 1086 0:45 /{ID2}/userdata/hostname /etc/hostname rw - tmpfs tmpfs rw\n"
    assert current_container_id(no_cgroup_ids + [write(mountinfo)], "customhostname") == ID2


def test_get_current_container_id_mountinfo_legacy_containers_match(no_cgroup_ids, write):
    mountinfo = OVERLAY_LINE + f"\n713 705 8:3 /var/lib/docker/containers/{ID2}/shm /dev/shm rw,relatime - ext4 /dev/sda3 rw\n"
    assert current_container_id(no_cgroup_ids + [write(mountinfo)], "customhostname") == ID2


def test_get_current_container_empty(tmp_path):
    # Stand-in for "default /proc paths on a non-container host" (the test host may be a
    # container): files that do not exist are skipped, and nothing is found.
    files = [str(tmp_path / "no-cpuset"), str(tmp_path / "no-cgroup"), str(tmp_path / "no-mountinfo")]
    assert current_container_id(files, "customhostname") == ""
    assert current_container_id(files, ID0[:12]) == ""
    assert current_container_id([], "") == ""


def test_only_overlay_and_volume_lines_yield_nothing(no_cgroup_ids, write):
    lines = [OVERLAY_LINE] + MOUNTINFO_LINES[1:8] + MOUNTINFO_LINES[11:]  # no 713-715
    assert current_container_id(no_cgroup_ids + [write("\n".join(lines) + "\n")], "customhostname") == ""


def test_default_files():
    assert DEFAULT_FILES == ("/proc/1/cpuset", "/proc/self/cgroup", "/proc/self/mountinfo")


def test_hostname_defaults_to_environment(standard, monkeypatch):
    monkeypatch.setenv("HOSTNAME", ID1[:12])
    assert current_container_id(standard) == ID1
    monkeypatch.setenv("HOSTNAME", "customhostname")
    assert current_container_id(standard) == ID0
    monkeypatch.delenv("HOSTNAME")
    assert current_container_id(standard) == ID0


# -- EXTRA (VERIFIED), HOSTNAME=customhostname, single file ------------------------------------


@pytest.mark.parametrize(
    "content, expected",
    [
        (f"0::/system.slice/docker-{ID2}.scope", ID2),
        (f"12:memory:/kubepods/burstable/pod1234/{ID2}", ID2),
        (f"/docker/{ID2[:63]}", ""),
        (f"/docker/{ID2}ZZZZ", ID2),  # a 68-char run yields its first 64 chars
        (f"1 2 3:4 / /etc/hosts rw - ext4 /dev/sda rw /var/lib/docker/{ID2}/other", ""),
        (f"1 2 3:4 /var/lib/docker/{ID2}/hostname /etc/hostname rw", ID2),
        (f"1 2 3:4 x /var/lib/docker/{ID2}/other", ID2),  # root doesn't start with "/": not mountinfo
    ],
)
def test_extra_single_file(write, content, expected):
    assert current_container_id([write(content + "\n")], "customhostname") == expected


def test_extra_single_file_without_trailing_newline(write):
    assert current_container_id([write(f"/docker/{ID2}")], "customhostname") == ID2


@pytest.mark.parametrize(
    "hostname, expected",
    [
        (ID2[:12], ID2),  # hostname pass wins over an earlier line
        ("abc-def-ghi1", ID0),  # not alphanumeric: no hostname pass
        (ID2[:11], ID0),  # 11 chars: no hostname pass
        (ID2[:13], ID0),  # 13 chars: no hostname pass
        ("", ID0),
    ],
)
def test_extra_hostname_pass(write, hostname, expected):
    path = write(f"/docker/{ID0}\n/docker/{ID2}\n")
    assert current_container_id([path], hostname) == expected


def test_alnum_not_only_hex(write):
    weird = "Z" * 64
    assert current_container_id([write(f"/docker/{weird}\n")], "customhostname") == weird


def test_hostname_pass_searches_all_files_before_fallback(write):
    files = [write(f"/docker/{ID0}\n"), write("0::/\n"), write(f"x {ID2}\n")]
    assert current_container_id(files, ID2[:12]) == ID2
    assert current_container_id(files, "customhostname") == ID0


def test_hostname_pass_finds_nothing_falls_back(standard):
    assert current_container_id(standard, "abcdefabcdef") == ID0


def test_unreadable_file_is_skipped(tmp_path, write):
    directory = tmp_path / "a-directory"
    directory.mkdir()
    files = [str(directory), str(tmp_path / "missing"), write(f"/docker/{ID1}\n")]
    assert current_container_id(files, "customhostname") == ID1


def test_line_longer_than_1mib_makes_the_file_yield_nothing(write):
    long_file = write(f"/docker/{ID0}\n" + "x" * (1024 * 1024 + 100) + "\n")
    assert current_container_id([long_file, write(f"/docker/{ID1}\n")], "customhostname") == ID1
    assert current_container_id([long_file], "customhostname") == ""


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a mode-000 file")
def test_permission_denied_is_skipped(write):
    path = write(f"/docker/{ID0}\n")
    os.chmod(path, 0)
    assert current_container_id([path, write(f"/docker/{ID1}\n")], "customhostname") == ID1


def test_a_host_next_to_podman_containers_is_in_no_container(no_cgroup_ids, write):
    # A host's own mount table lists each running Podman container's shm at a path that names
    # the container: the mount point, not the mounted root, so it says nothing about us.
    mountinfo = "\n".join(
        [
            "22 1 254:1 / / rw,relatime - ext4 /dev/vda rw",
            f"46 27 0:40 / /var/lib/containers/storage/overlay-containers/{ID2}/userdata/shm rw,nosuid,nodev - tmpfs shm rw",
            f"47 27 0:41 / /tmp/pm/run/vfs-containers/{ID1}/userdata/shm rw,nosuid,nodev - tmpfs shm rw",
            f"48 27 0:42 / /var/lib/docker/containers/{ID0}/mounts/shm rw,nosuid,nodev - tmpfs shm rw",
        ]
    )
    assert current_container_id(no_cgroup_ids + [write(mountinfo + "\n")], "customhostname") == ""
