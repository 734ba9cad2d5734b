"""dockergen.daemon.endpoint: endpoint resolution/validation and TLS decisions (vectors §4.1-4.3)."""

from __future__ import annotations

import pytest

from dockergen.daemon.endpoint import (
    DEFAULT_ENDPOINT,
    Endpoint,
    TLSSettings,
    default_cert_dir,
    make_api_client,
    parse_host,
    resolve_endpoint,
    tls_enabled,
)
from dockergen.errors import EndpointError

# -- 4.1 GetEndpoint -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "environ, flag, expected",
    [
        ({}, "", "unix:///var/run/docker.sock"),
        ({"DOCKER_HOST": "tcp://127.0.0.1:4243"}, "", "tcp://127.0.0.1:4243"),
        ({"DOCKER_HOST": "tcp://127.0.0.1:4243"}, "tcp://127.0.0.1:5555", "tcp://127.0.0.1:5555"),
        ({"DOCKER_HOST": ""}, "", "unix:///var/run/docker.sock"),  # set but empty = unset
        ({"DOCKER_HOST": "unix:///tmp/docker.sock"}, "", "unix:///tmp/docker.sock"),
    ],
)
def test_resolve_endpoint(environ, flag, expected):
    assert resolve_endpoint(flag, environ) == expected


def test_default_endpoint_constant():
    assert DEFAULT_ENDPOINT == "unix:///var/run/docker.sock"


@pytest.mark.parametrize("environ", [{}, {"DOCKER_HOST": "tcp://127.0.0.1:4243"}])
def test_resolve_endpoint_single_slash_unix_is_an_error(environ):
    with pytest.raises(EndpointError):
        resolve_endpoint("unix:/var/run/docker.sock", environ)


def test_resolve_endpoint_validates_docker_host():
    with pytest.raises(EndpointError, match="tcp://nope"):
        resolve_endpoint("", {"DOCKER_HOST": "tcp://nope"})


def test_resolve_endpoint_uses_process_environment(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "tcp://10.1.2.3:2375")
    assert resolve_endpoint("") == "tcp://10.1.2.3:2375"
    monkeypatch.delenv("DOCKER_HOST")
    assert resolve_endpoint("") == DEFAULT_ENDPOINT


# -- 4.2 parseHost ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, proto, address",
    [
        ("unix:///var/run/docker.sock", "unix", "/var/run/docker.sock"),
        ("", "unix", "/var/run/docker.sock"),
        ("unix://", "unix", "/var/run/docker.sock"),
        ("tcp://127.0.0.1:4243", "tcp", "127.0.0.1:4243"),
        ("tcp://:4243", "tcp", "127.0.0.1:4243"),
        ("fd://", "fd", "fd://"),
        # EXTRA: spec §1.5
        ("   ", "unix", "/var/run/docker.sock"),
        (" unix:///tmp/d.sock ", "unix", "/tmp/d.sock"),
        ("unix://relative.sock", "unix", "relative.sock"),
        ("fd://3", "fd", "fd://3"),
        ("127.0.0.1:2375", "tcp", "127.0.0.1:2375"),  # no scheme => tcp
        ("docker.example.com:2376", "tcp", "docker.example.com:2376"),
        ("tcp://docker:2375", "tcp", "docker:2375"),
    ],
)
def test_parse_host(text, proto, address):
    assert parse_host(text) == Endpoint(proto, address)


@pytest.mark.parametrize(
    "text",
    [
        "tcp://",
        "tcp://127.0.0.1:4243:80",
        "tcp://127.0.0.1:",
        "tcp://127.0.0.1",
        "foo://",
        # EXTRA
        "tcp://h:0",
        "tcp://h:abc",
        "tcp://h:-1",
        "http://127.0.0.1:2375",
        "unix:/var/run/docker.sock",
        "127.0.0.1",
    ],
)
def test_parse_host_errors(text):
    with pytest.raises(EndpointError):
        parse_host(text)


def test_parse_host_error_mentions_protocol():
    with pytest.raises(EndpointError, match="protocol"):
        parse_host("foo://bar")


@pytest.mark.parametrize(
    "text, url",
    [
        ("unix:///var/run/docker.sock", "unix:///var/run/docker.sock"),
        ("", "unix:///var/run/docker.sock"),
        ("tcp://:4243", "tcp://127.0.0.1:4243"),
        ("10.0.0.1:2375", "tcp://10.0.0.1:2375"),
        ("fd://", "fd://"),
    ],
)
def test_endpoint_url(text, url):
    assert parse_host(text).url == url


# -- 4.3 tlsEnabled --------------------------------------------------------------------------


def test_tls_enabled_no_files(tmp_path):
    settings = TLSSettings(str(tmp_path / "foo"), str(tmp_path / "bar"), str(tmp_path / "baz"), verify=False)
    assert tls_enabled(settings) is False


def test_tls_enabled_all_files_exist(tmp_path):
    paths = []
    for name in ("cert.pem", "key.pem", "ca.pem"):
        (tmp_path / name).write_text("x")
        paths.append(str(tmp_path / name))
    assert tls_enabled(TLSSettings(*paths, verify=False)) is True


@pytest.mark.parametrize("which", [0, 1, 2])
def test_tls_enabled_any_one_file_suffices(tmp_path, which):
    paths = [str(tmp_path / name) for name in ("cert.pem", "key.pem", "ca.pem")]
    (tmp_path / ("cert.pem", "key.pem", "ca.pem")[which]).write_text("x")
    assert tls_enabled(TLSSettings(*paths, verify=False)) is True


def test_tls_enabled_by_verify_alone(tmp_path):
    settings = TLSSettings(str(tmp_path / "a"), str(tmp_path / "b"), str(tmp_path / "c"), verify=True)
    assert tls_enabled(settings) is True


# -- default cert dir ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "environ, expected",
    [
        ({"DOCKER_CERT_PATH": "/certs"}, "/certs"),
        ({"DOCKER_CERT_PATH": "/certs/", "HOME": "/home/u"}, "/certs"),
        ({"DOCKER_CERT_PATH": "/a/../certs/./x"}, "/certs/x"),
        ({"HOME": "/home/u"}, "/home/u/.docker"),
        ({"DOCKER_CERT_PATH": "", "HOME": "/home/u"}, "/home/u/.docker"),
    ],
)
def test_default_cert_dir(environ, expected):
    assert default_cert_dir(environ) == expected


# -- make_api_client failures that happen before any connection -----------------------------


def test_tlsverify_with_missing_ca_is_an_error(tmp_path):
    settings = TLSSettings(
        cert=str(tmp_path / "cert.pem"), key=str(tmp_path / "key.pem"), ca=str(tmp_path / "ca.pem"), verify=True
    )
    with pytest.raises(EndpointError) as info:
        make_api_client("tcp://127.0.0.1:1", settings)
    message = str(info.value)
    assert "CA cert does not exist" in message
    assert str(tmp_path / "ca.pem") in message


def test_tlsverify_with_missing_ca_even_if_client_cert_exists(tmp_path):
    (tmp_path / "cert.pem").write_text("x")
    (tmp_path / "key.pem").write_text("x")
    settings = TLSSettings(str(tmp_path / "cert.pem"), str(tmp_path / "key.pem"), str(tmp_path / "missing-ca.pem"), True)
    with pytest.raises(EndpointError, match="CA"):
        make_api_client("tcp://127.0.0.1:1", settings)


def test_make_api_client_rejects_bad_endpoint_before_connecting(tmp_path):
    settings = TLSSettings(str(tmp_path / "c"), str(tmp_path / "k"), str(tmp_path / "ca"), False)
    with pytest.raises(EndpointError, match="tcp://h"):
        make_api_client("tcp://h", settings)


def test_make_api_client_fd_is_unsupported(tmp_path):
    settings = TLSSettings(str(tmp_path / "c"), str(tmp_path / "k"), str(tmp_path / "ca"), False)
    with pytest.raises(EndpointError, match="fd://"):
        make_api_client("fd://", settings)
