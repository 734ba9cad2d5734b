"""dockergen.model: the template context built from Docker inspect data.

Vectors: §2 (addresses), §3.3 Equals, §3.4 DockerImage.String, §4.4 SplitDockerImage,
§5.2 sortNetworks, §5.3 NilStructs/Devices, §16 SplitKeyValueSlice.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from dockergen.model import (
    Address,
    Device,
    DockerImage,
    GoTime,
    Mount,
    Network,
    RuntimeContainer,
    SwarmNode,
    Volume,
    container_addresses,
    container_from_inspect,
    container_networks,
    sort_addresses,
    split_key_values,
)

# -- 2. Addresses ----------------------------------------------------------------------------

COMMON = {"IPAddress": "10.0.0.10", "LinkLocalIPv6Address": "24", "GlobalIPv6Address": "10.0.0.1"}


def addr(port, proto="tcp", host_ip="", host_port=""):
    return Address(IP="10.0.0.10", IP6LinkLocal="24", IP6Global="10.0.0.1", Port=port, Proto=proto, HostIP=host_ip, HostPort=host_port)


def test_generate_container_addresses():
    settings = {**COMMON, "Ports": {"80/tcp": [{"HostIp": "100.100.100.100", "HostPort": "8080"}], "443/tcp": []}}
    result = container_addresses({"ExposedPorts": {}}, settings)
    assert len(result) == 2
    assert result == [addr("80", "tcp", "100.100.100.100", "8080"), addr("443", "tcp", "", "")]


def test_generate_container_addresses_with_exposed_ports():
    settings = {**COMMON, "Ports": {"80/tcp": [], "443/tcp": []}}
    config = {"ExposedPorts": {"80/tcp": {}, "443/tcp": {}, "8080/tcp": {}}}
    assert len(container_addresses(config, settings)) == 2  # ExposedPorts ignored: Ports non-empty


def test_generate_container_addresses_with_no_ports():
    settings = {**COMMON, "Ports": {}}
    config = {"ExposedPorts": {"8080/tcp": {}, "8443/tcp": {}}}
    assert container_addresses(config, settings) == [addr("8080"), addr("8443")]  # IP fields still filled


def test_sort_addresses():
    ports = [("8080", "tcp"), ("80", "tcp"), ("443", "tcp"), ("53", "udp"), ("53", "tcp")]
    addresses = [Address(IP="10.0.0.10", Port=p, Proto=proto) for p, proto in ports]
    result = sort_addresses(addresses)
    assert [(a.Port, a.Proto) for a in result] == [("53", "tcp"), ("53", "udp"), ("80", "tcp"), ("443", "tcp"), ("8080", "tcp")]


def test_get_container_addresses_sorted():
    settings = {"IPAddress": "10.0.0.10", "Ports": {"8080/tcp": [], "80/tcp": [], "443/tcp": []}}
    assert [a.Port for a in container_addresses({}, settings)] == ["80", "443", "8080"]


def test_get_container_addresses_nil_network_settings():
    assert container_addresses({"ExposedPorts": {}}, {}) == []


def test_get_container_addresses_nil_structs():
    assert container_addresses({}, {}) == []
    assert container_from_inspect({"Id": "x", "Config": None, "NetworkSettings": None}).Addresses == []


# EXTRA (spec §3.3)


def test_addresses_first_binding_only():
    settings = {
        "Ports": {
            "80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}, {"HostIp": "::", "HostPort": "8080"}],
        }
    }
    [address] = container_addresses({}, settings)
    assert (address.HostIP, address.HostPort) == ("0.0.0.0", "8080")


def test_addresses_null_bindings():
    [address] = container_addresses({}, {"Ports": {"80/tcp": None}})
    assert (address.Port, address.Proto, address.HostPort, address.HostIP) == ("80", "tcp", "", "")


def test_addresses_proto_defaults_to_tcp():
    [address] = container_addresses({}, {"Ports": {"80": []}})
    assert (address.Port, address.Proto) == ("80", "tcp")
    [address] = container_addresses({"ExposedPorts": {"81": {}}}, {})
    assert (address.Port, address.Proto) == ("81", "tcp")


def test_addresses_sort_non_numeric_port_first_then_host_port_as_string():
    addresses = [
        Address(Port="80", Proto="tcp", HostPort="9000"),
        Address(Port="80", Proto="tcp", HostPort="10000"),
        Address(Port="abc", Proto="tcp"),
        Address(Port="80", Proto="tcp", HostPort="9000", HostIP="0.0.0.0"),
        Address(Port="80", Proto="tcp", HostPort="9000", HostIP="0.0.0.0", IP="1.1.1.1"),
    ]
    result = sort_addresses(addresses)
    assert [(a.Port, a.HostPort, a.HostIP, a.IP) for a in result] == [
        ("abc", "", "", ""),
        ("80", "10000", "", ""),  # "10000" < "9000" as strings
        ("80", "9000", "", ""),
        ("80", "9000", "0.0.0.0", ""),
        ("80", "9000", "0.0.0.0", "1.1.1.1"),
    ]


# -- 3.3 Equals ------------------------------------------------------------------------------


def test_runtime_container_equals():
    rc1 = RuntimeContainer(ID="baz", Image=DockerImage(Registry="foo/bar"))
    rc2 = RuntimeContainer(ID="baz", Name="qux", Image=DockerImage(Registry="foo/bar"))
    assert rc1.Equals(rc2)
    assert rc2.Equals(rc1)
    rc2.Image.Tag = "quux"
    assert not rc1.Equals(rc2)
    assert not rc2.Equals(rc1)


def test_runtime_container_not_equal_with_other_id():
    assert not RuntimeContainer(ID="a").Equals(RuntimeContainer(ID="b"))


# -- 3.4 DockerImage.String ------------------------------------------------------------------


@pytest.mark.parametrize(
    "registry, repository, tag, text",
    [
        ("", "foo/bar", "", "foo/bar"),
        ("baz.io", "foo/bar", "", "baz.io/foo/bar"),
        ("baz.io", "foo/bar", "qux", "baz.io/foo/bar:qux"),
        ("", "foo/bar", "qux", "foo/bar:qux"),
    ],
)
def test_docker_image_string(registry, repository, tag, text):
    assert str(DockerImage(Registry=registry, Repository=repository, Tag=tag)) == text


# -- 4.4 SplitDockerImage --------------------------------------------------------------------

SPLIT_ROWS = [
    ("ubuntu", "", "ubuntu", ""),
    ("custom.registry/ubuntu", "custom.registry", "ubuntu", ""),
    ("ubuntu:12.04", "", "ubuntu", "12.04"),
    ("custom.registry/ubuntu:12.04", "custom.registry", "ubuntu", "12.04"),
    ("localhost/ubuntu:12.04", "localhost", "ubuntu", "12.04"),
    ("localhost:8888/ubuntu:12.04", "localhost:8888", "ubuntu", "12.04"),
    ("localhost:8888/ubuntu/foo:12.04", "localhost:8888", "ubuntu/foo", "12.04"),
    ("tianon/centos", "", "tianon/centos", ""),
    ("tianon/centos:7", "", "tianon/centos", "7"),
    ("custom.registry/tianon/centos:7", "custom.registry", "tianon/centos", "7"),
    # EXTRA (VERIFIED)
    ("", "", "", ""),
    ("nginx:latest", "", "nginx", "latest"),
    ("ubuntu@sha256:abcd", "", "ubuntu@sha256", "abcd"),
    ("nginx:1.25@sha256:abcd", "", "nginx", "1.25@sha256:abcd"),
    ("docker.io/library/nginx:1.25", "docker.io", "library/nginx", "1.25"),
    ("registry:5000/ns/img", "registry:5000", "ns/img", ""),
    ("Localhost/img", "", "Localhost/img", ""),
    ("my_registry/img:1", "", "my_registry/img", "1"),
    ("sha256:deadbeef", "", "sha256", "deadbeef"),
    ("a.b/c/d/e:f:g", "a.b", "c/d/e", "f:g"),
    ("localhost", "", "localhost", ""),
    ("localhost:5000/x", "localhost:5000", "x", ""),
    ("/x", "", "/x", ""),
    ("x/", "", "x/", ""),
]


@pytest.mark.parametrize("image, registry, repository, tag", SPLIT_ROWS)
def test_split_docker_image(image, registry, repository, tag):
    result = DockerImage.split(image)
    assert (result.Registry, result.Repository, result.Tag) == (registry, repository, tag)


@pytest.mark.parametrize("image", [row[0] for row in SPLIT_ROWS])
def test_split_docker_image_round_trip(image):
    assert str(DockerImage.split(image)) == image


def test_container_image_comes_from_config_image():
    container = container_from_inspect({"Id": "x", "Image": "sha256:0123", "Config": {"Image": "r.io/a/b:1"}})
    assert container.Image == DockerImage("r.io", "a/b", "1")
    assert str(container.Image) == "r.io/a/b:1"


# -- 5.2 sortNetworks (via container_networks) -----------------------------------------------


@pytest.mark.parametrize(
    "names, expected",
    [
        (["frontend", "bridge", "app_net"], ["app_net", "bridge", "frontend"]),
        (["bridge"], ["bridge"]),
        ([], []),
        (["b", "B", "a", "_"], ["B", "_", "a", "b"]),  # byte order
    ],
)
def test_sort_networks(names, expected):
    settings = {"Networks": {name: {"IPAddress": f"10.0.0.{i}"} for i, name in enumerate(names)}}
    assert [n.Name for n in container_networks(settings)] == expected


def test_networks_missing_or_null():
    assert container_networks({}) == []
    assert container_networks({"Networks": None}) == []


def test_network_fields():
    settings = {
        "Networks": {
            "front": {
                "IPAddress": "172.18.0.2",
                "Aliases": ["web", "abc123"],
                "Gateway": "172.18.0.1",
                "EndpointID": "ep1",
                "IPv6Gateway": "fd00::1",
                "GlobalIPv6Address": "fd00::2",
                "MacAddress": "02:42:ac:12:00:02",
                "GlobalIPv6PrefixLen": 64,
                "IPPrefixLen": 16,
                "NetworkID": "ignored",
            },
            "bare": None,
            "nulls": {"Aliases": None, "IPAddress": None, "IPPrefixLen": None},
        }
    }
    bare, front, nulls = container_networks(settings)
    assert front == Network(
        IP="172.18.0.2",
        Name="front",
        Aliases=["web", "abc123"],
        Gateway="172.18.0.1",
        EndpointID="ep1",
        IPv6Gateway="fd00::1",
        GlobalIPv6Address="fd00::2",
        MacAddress="02:42:ac:12:00:02",
        GlobalIPv6PrefixLen=64,
        IPPrefixLen=16,
        Internal=False,
    )
    assert bare == Network(Name="bare")
    assert nulls == Network(Name="nulls")
    assert nulls.Aliases == [] and bare.Aliases == []


def test_network_aliases_are_copied():
    aliases = ["a"]
    [network] = container_networks({"Networks": {"n": {"Aliases": aliases}}})
    network.Aliases.append("b")
    assert aliases == ["a"]


def test_network_internal_flag():
    settings = {"Networks": {"backend": {}, "frontend": {}}}
    backend, frontend = container_networks(settings, frozenset({"backend", "other"}))
    assert backend.Internal is True
    assert frontend.Internal is False
    backend, frontend = container_from_inspect({"Id": "x", "NetworkSettings": settings}, {"backend"}).Networks
    assert (backend.Internal, frontend.Internal) == (True, False)


# -- 5.3 getContainers: NilStructs and Devices -----------------------------------------------


def test_container_from_inspect_nil_structs():
    data = {"Id": "abc123def4567890", "Name": "/nil-test", "Config": None, "HostConfig": None, "NetworkSettings": None}
    container = container_from_inspect(data)
    assert container.ID == "abc123def4567890"
    assert container.Name == "nil-test"
    assert container.Hostname == ""
    assert container.NetworkMode == ""
    assert container.IP == ""
    assert container.Addresses == []
    assert container.Networks == []
    assert container.Devices == []
    assert container.Env == {}
    assert container.Labels is None
    assert container.Mounts is None
    assert container.Volumes == {}
    assert container.Image == DockerImage()
    assert container.State.Running is False
    assert container.State.Health.Status == ""
    assert container.Created == GoTime.zero()


def test_container_from_inspect_devices():
    data = {
        "Id": "dev123456789abcd",
        "Name": "/dev-test",
        "HostConfig": {
            "Devices": [{"PathOnHost": "/dev/ttyACM0", "PathInContainer": "/dev/ttyUSB0", "CgroupPermissions": "rwm"}]
        },
    }
    container = container_from_inspect(data)
    assert container.Devices == [Device(PathOnHost="/dev/ttyACM0", PathInContainer="/dev/ttyUSB0", Permissions="rwm")]


def test_container_from_inspect_devices_null():
    assert container_from_inspect({"Id": "x", "HostConfig": {"Devices": None}}).Devices == []


FULL_INSPECT = {
    "Id": "0fa939e22e6938e7517f663de83e79a5087a18b1b997a36e0c933a917cddb295",
    "Created": "2023-01-02T03:04:05.123456789Z",
    "Name": "//web",
    "Image": "sha256:ffff",
    "Config": {
        "Hostname": "0fa939e22e69",
        "Image": "nginx:1.25",
        "Env": ["VIRTUAL_HOST=a.com,b.com", "EMPTY=", "BARE", "EQ=a=b", "DUP=1", "DUP=2"],
        "Labels": {"com.example.foo": "x"},
        "ExposedPorts": {"80/tcp": {}},
    },
    "HostConfig": {"NetworkMode": "front"},
    "State": {"Running": True, "Health": {"Status": "healthy"}},
    "NetworkSettings": {
        "Gateway": "172.17.0.1",
        "IPAddress": "172.17.0.2",
        "LinkLocalIPv6Address": "fe80::1",
        "GlobalIPv6Address": "2001:db8::2",
        "Ports": {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}]},
        "Networks": {"front": {"IPAddress": "172.18.0.2"}},
    },
    "Mounts": [
        {
            "Type": "volume",
            "Name": "data",
            "Source": "/var/lib/docker/volumes/data/_data",
            "Destination": "/data",
            "Driver": "local",
            "Mode": "z",
            "RW": True,
            "Propagation": "",
        },
        {"Type": "bind", "Source": "/etc/x", "Destination": "/x", "Mode": "ro", "RW": False},
    ],
    "Volumes": {"/legacy": "/host/legacy", "/ro": "/host/ro"},
    "VolumesRW": {"/legacy": True, "/ro": False},
    "Node": {"ID": "node1", "Name": "swarm-1", "IP": "192.168.0.5", "Addr": "192.168.0.5:2375"},
}


def test_container_from_inspect_full():
    c = container_from_inspect(FULL_INSPECT)
    assert c.ID == FULL_INSPECT["Id"]
    assert c.Name == "web"  # all leading slashes removed
    assert c.Hostname == "0fa939e22e69"
    assert c.NetworkMode == "front"
    assert c.Gateway == "172.17.0.1"
    assert (c.IP, c.IP6LinkLocal, c.IP6Global) == ("172.17.0.2", "fe80::1", "2001:db8::2")
    assert c.Image == DockerImage("", "nginx", "1.25")
    assert c.State.Running is True
    assert c.State.Health.Status == "healthy"
    assert c.Env == {"VIRTUAL_HOST": "a.com,b.com", "EMPTY": "", "BARE": "", "EQ": "a=b", "DUP": "2"}
    assert c.Labels == {"com.example.foo": "x"}
    assert c.Addresses == [
        Address(IP="172.17.0.2", IP6LinkLocal="fe80::1", IP6Global="2001:db8::2", Port="80", HostPort="8080", Proto="tcp", HostIP="0.0.0.0")
    ]
    assert [n.Name for n in c.Networks] == ["front"]
    assert c.Mounts == [
        Mount(Name="data", Source="/var/lib/docker/volumes/data/_data", Destination="/data", Driver="local", Mode="z", RW=True),
        Mount(Name="", Source="/etc/x", Destination="/x", Driver="", Mode="ro", RW=False),
    ]
    assert c.Volumes == {
        "/legacy": Volume(Path="/legacy", HostPath="/host/legacy", ReadWrite=True),
        "/ro": Volume(Path="/ro", HostPath="/host/ro", ReadWrite=False),
    }
    assert c.Node == SwarmNode(ID="node1", Name="swarm-1", Address=Address(IP="192.168.0.5"))
    assert c.Created == datetime(2023, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc)
    assert str(c) == "web"


def test_container_labels_are_copied():
    data = {"Id": "x", "Config": {"Labels": {"a": "1"}}}
    container = container_from_inspect(data)
    container.Labels["b"] = "2"
    assert data["Config"]["Labels"] == {"a": "1"}


@pytest.mark.parametrize("mounts", [None, []])
def test_mounts_none_when_no_mounts(mounts):
    data = {"Id": "x", "Mounts": mounts}
    assert container_from_inspect(data).Mounts is None
    assert container_from_inspect({"Id": "x"}).Mounts is None


def test_labels_none_when_config_labels_null():
    assert container_from_inspect({"Id": "x", "Config": {"Labels": None}}).Labels is None
    assert container_from_inspect({"Id": "x", "Config": {}}).Labels is None
    assert container_from_inspect({"Id": "x", "Config": {"Labels": {}}}).Labels == {}


def test_addresses_fallback_to_exposed_ports_for_stopped_container():
    data = {"Id": "x", "Config": {"ExposedPorts": {"80/tcp": {}, "53/udp": {}}}, "NetworkSettings": {"Ports": {}}}
    assert [(a.Port, a.Proto) for a in container_from_inspect(data).Addresses] == [("53", "udp"), ("80", "tcp")]


def test_runtime_container_defaults():
    c = RuntimeContainer()
    assert c.Addresses == [] and c.Networks == [] and c.Devices == []
    assert c.Env == {} and c.Labels == {} and c.Volumes == {}
    assert c.Mounts is None
    assert c.Created == GoTime.zero()


# -- 16. SplitKeyValueSlice ------------------------------------------------------------------


@pytest.mark.parametrize(
    "items, expected",
    [
        (["K"], {"K": ""}),
        (["K="], {"K": ""}),
        (["K=V3"], {"K": "V3"}),
        (["K=V4=V5"], {"K": "V4=V5"}),
        # EXTRA (spec §3.8)
        (["K=1", "K=2"], {"K": "2"}),
        ([], {}),
        (None, {}),
        (["=v"], {"": "v"}),
    ],
)
def test_split_key_values(items, expected):
    assert split_key_values(items) == expected


# -- GoTime ----------------------------------------------------------------------------------


def test_gotime_prints_like_go():
    assert str(GoTime(2023, 1, 2, 3, 4, 5, tzinfo=timezone.utc)) == "2023-01-02 03:04:05 +0000 UTC"


def test_gotime_zero():
    zero = GoTime.zero()
    assert str(zero) == "0001-01-01 00:00:00 +0000 UTC"
    assert zero == datetime(1, 1, 1, tzinfo=timezone.utc)


def test_gotime_fraction_is_trimmed():
    assert str(GoTime(2023, 1, 2, 3, 4, 5, 500000, tzinfo=timezone.utc)) == "2023-01-02 03:04:05.5 +0000 UTC"
    assert str(GoTime(2023, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc)) == "2023-01-02 03:04:05.123456 +0000 UTC"


def test_gotime_fixed_offset():
    # Go prints an unnamed zone as its offset: "+0200 +0200"
    value = GoTime(2024, 5, 6, 7, 8, 9, tzinfo=timezone(timedelta(hours=2)))
    assert str(value) == "2024-05-06 07:08:09 +0200 +0200"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2023-01-02T03:04:05Z", datetime(2023, 1, 2, 3, 4, 5, tzinfo=timezone.utc)),
        ("2023-01-02T03:04:05.123456789Z", datetime(2023, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc)),
        ("2023-01-02T03:04:05.1Z", datetime(2023, 1, 2, 3, 4, 5, 100000, tzinfo=timezone.utc)),
        ("2024-07-30T12:34:56.000000001Z", datetime(2024, 7, 30, 12, 34, 56, tzinfo=timezone.utc)),
        ("2023-01-02T03:04:05.5+02:00", datetime(2023, 1, 2, 1, 4, 5, 500000, tzinfo=timezone.utc)),
        ("0001-01-01T00:00:00Z", datetime(1, 1, 1, tzinfo=timezone.utc)),
    ],
)
def test_gotime_parse_docker_timestamps(text, expected):
    value = GoTime.parse(text)
    assert isinstance(value, GoTime)
    assert value == expected


def test_gotime_parse_nanoseconds_prints_utc():
    assert str(GoTime.parse("2023-01-02T03:04:05.123456789Z")) == "2023-01-02 03:04:05.123456789 +0000 UTC"
    assert str(GoTime.parse("2023-01-02T03:04:05Z")) == "2023-01-02 03:04:05 +0000 UTC"


@pytest.mark.parametrize("text", [None, "", "garbage", "2023-13-45T00:00:00Z"])
def test_gotime_parse_missing_or_invalid_is_zero(text):
    assert GoTime.parse(text) == GoTime.zero()
    assert str(GoTime.parse(text)) == "0001-01-01 00:00:00 +0000 UTC"


def test_created_from_inspect_prints_like_go():
    c = container_from_inspect({"Id": "x", "Created": "2023-01-02T03:04:05Z"})
    assert str(c.Created) == "2023-01-02 03:04:05 +0000 UTC"
    assert str(container_from_inspect({"Id": "x"}).Created) == "0001-01-01 00:00:00 +0000 UTC"
