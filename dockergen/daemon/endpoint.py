"""Docker endpoint validation and TLS settings, with docker-gen's rules (spec §1.5).

The checks run before any connection is attempted, so a typo in ``-endpoint``
is reported as such instead of as a connection failure.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Mapping, NamedTuple

from dockergen.daemon.api import api_errors
from dockergen.errors import ConfigError, DockerUnreachable, EndpointError
from dockergen.options import Flag, Flags

if TYPE_CHECKING:  # importing docker costs ~0.1 s: only when a client is made
    import docker

DEFAULT_ENDPOINT = "unix:///var/run/docker.sock"
DEFAULT_UNIX_SOCKET = "/var/run/docker.sock"


class Endpoint(NamedTuple):
    """A parsed endpoint."""

    proto: str  # "unix", "tcp" or "fd"
    address: str  # socket path, "host:port", or the fd:// string

    @property
    def url(self) -> str:
        if self.proto == "unix":
            return f"unix://{self.address}"
        if self.proto == "tcp":
            return f"tcp://{self.address}"
        return self.address


class TLSSettings(NamedTuple):
    """The TLS files of an endpoint, and whether the daemon's certificate is verified."""

    cert: str
    key: str
    ca: str
    verify: bool


class EndpointSettings(NamedTuple):
    """One Docker engine to read containers from."""

    url: str
    tls: Any = None  # TLSSettings
    name: str = ""  # shown to templates as container.Endpoint when there are several
    address: str = ""  # the engine host's address, shown as container.Node.Address.IP


def endpoint_flags() -> tuple[Flag, ...]:
    """The flags that say where the engines are (declared on ``Settings.endpoints``)."""
    return (
        Flag("endpoint", "list", "docker API endpoint (tcp|unix://..); default $DOCKER_HOST or "
             "unix:///var/run/docker.sock; repeatable, as NAME=URL, to render containers of several engines", "url"),
        Flag("tlscert", "string", "path to TLS client certificate file", "path"),
        Flag("tlskey", "string", "path to TLS client key file", "path"),
        Flag("tlscacert", "string", "path to TLS CA certificate file", "path"),
        Flag("tlsverify", "bool", "verify docker daemon's TLS certificate (default: $DOCKER_TLS_VERIFY is set)"),
    )


_TLS_FLAGS = ("tlscert", "tlskey", "tlscacert", "tlsverify")


def tls_settings(values: Mapping[str, Any], environ: Mapping[str, str]) -> TLSSettings:
    """TLS files and verification from flags (or an [[endpoints]] table), with docker-gen's defaults."""
    cert_dir = default_cert_dir(environ)
    return TLSSettings(
        cert=values.get("tlscert") or os.path.join(cert_dir, "cert.pem"),
        key=values.get("tlskey") or os.path.join(cert_dir, "key.pem"),
        ca=values.get("tlscacert") or os.path.join(cert_dir, "ca.pem"),
        verify=values["tlsverify"] if "tlsverify" in values else bool(environ.get("DOCKER_TLS_VERIFY")),
    )


def endpoints_from(flags: Flags, environ: Mapping[str, str], tables: list[dict[str, Any]]) -> list[EndpointSettings]:
    """``[[endpoints]]`` tables when a config file has them, else ``-endpoint`` flags (``[NAME=]URL``).

    TLS flags are the defaults of every endpoint; a table's own keys win.
    """
    flag_tls = {name: flags[name] for name in _TLS_FLAGS if name in flags.given}
    if tables:
        specs = [dict(table) for table in tables]
    else:
        specs = []
        for value in flags["endpoint"] or [""]:
            name, sep, url = value.partition("=")
            specs.append({"name": name, "url": url} if sep and "://" not in name else {"url": value})
    endpoints = []
    for spec in specs:
        url = resolve_endpoint(spec["url"], environ)
        tls = tls_settings({**flag_tls, **spec}, environ)
        endpoints.append(EndpointSettings(url=url, tls=tls, name=spec.get("name") or url, address=spec.get("address", "")))
    names = [e.name for e in endpoints]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"endpoint names must be unique: {', '.join(duplicates)}")
    return endpoints


def resolve_endpoint(flag_value: str, environ: Mapping[str, str] | None = None) -> str:
    """Flag, else ``$DOCKER_HOST``, else the default unix socket; validated."""
    environ = os.environ if environ is None else environ
    endpoint = flag_value or environ.get("DOCKER_HOST", "") or DEFAULT_ENDPOINT
    parse_host(endpoint)
    return endpoint


def parse_host(text: str) -> Endpoint:
    """Validate an endpoint string; raise EndpointError naming what is wrong."""
    value = text.strip()
    if not value:
        return Endpoint("unix", DEFAULT_UNIX_SOCKET)
    scheme, sep, rest = value.partition("://")
    if not sep:
        scheme, rest = "tcp", value
    if scheme == "unix":
        return Endpoint("unix", rest or DEFAULT_UNIX_SOCKET)
    if scheme == "fd":
        return Endpoint("fd", value)
    if scheme != "tcp":
        raise EndpointError(f"bad endpoint {text!r}: invalid bind address protocol {scheme!r}")
    if not rest:
        raise EndpointError(f"bad endpoint {text!r}: missing host and port")
    parts = rest.split(":")
    if len(parts) != 2:
        raise EndpointError(f"bad endpoint {text!r}: expected tcp://HOST:PORT")
    host, port = parts
    try:
        port_number = int(port)
    except ValueError:
        port_number = 0
    if port_number <= 0 or port_number > 65535:
        raise EndpointError(f"bad endpoint {text!r}: invalid port {port!r}")
    return Endpoint("tcp", f"{host or '127.0.0.1'}:{port_number}")


def default_cert_dir(environ: Mapping[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ
    if environ.get("DOCKER_CERT_PATH"):
        return os.path.normpath(environ["DOCKER_CERT_PATH"])
    return os.path.join(environ.get("HOME", os.path.expanduser("~")), ".docker")


def tls_enabled(settings: TLSSettings) -> bool:
    """TLS is used when verification is asked for or any of the three files exists."""
    return settings.verify or any(os.path.exists(p) for p in (settings.cert, settings.key, settings.ca))


def make_api_client(endpoint: str, tls: TLSSettings, timeout: float = 60) -> "docker.APIClient":
    """Create a Docker API client with version negotiation (never a pinned old API)."""
    parsed = parse_host(endpoint)
    if parsed.proto == "fd":
        raise EndpointError(f"bad endpoint {endpoint!r}: fd:// sockets are not supported by dockergen")
    import docker
    import docker.tls

    tls_config = None
    if parsed.proto == "tcp" and tls_enabled(tls):
        has_ca = os.path.exists(tls.ca)
        if tls.verify and not has_ca:
            raise EndpointError(
                f"TLS verification was requested, but CA cert does not exist: {tls.ca} (-tlscacert)"
            )
        client_cert = None
        if os.path.exists(tls.cert) and os.path.exists(tls.key):
            client_cert = (tls.cert, tls.key)
        try:
            tls_config = docker.tls.TLSConfig(
                client_cert=client_cert, ca_cert=tls.ca if has_ca else None, verify=tls.ca if has_ca else False
            )
        except docker.errors.TLSParameterError as exc:
            raise EndpointError(f"bad TLS settings: {exc}") from None
    client_class = _explicit_tls_client_class() if tls_config is not None else docker.APIClient
    try:
        return client_class(base_url=parsed.url, version="auto", tls=tls_config, timeout=timeout)
    except docker.errors.DockerException as exc:
        raise DockerUnreachable(f"cannot connect to Docker at {endpoint}: {_short(exc)}") from None


class EndpointClients:
    """The clients of one engine, each made on first use.

    ``reader`` serves the inventory's GET requests: the lean stdlib client on a
    unix socket, else the SDK.  ``sdk`` (events, signals, restarts) is only
    created when something needs it, so a one-shot render never imports it.
    """

    def __init__(self, endpoint: str, tls: TLSSettings) -> None:
        self.endpoint = endpoint
        self.tls = tls
        self._sdk: Any = None
        self._reader: Any = None

    @property
    def sdk(self) -> "docker.APIClient":
        if self._sdk is None:
            self._sdk = make_api_client(self.endpoint, self.tls)
        return self._sdk

    @property
    def lean(self) -> bool:
        """Whether ``reader`` is the lean unix-socket client (made without connecting; it can prefetch)."""
        return bool(socket_path(self.endpoint))

    @property
    def reader(self) -> Any:
        if self._reader is None:
            path = socket_path(self.endpoint)
            if path:
                from dockergen.daemon.api import UnixReadClient

                self._reader = UnixReadClient(path)
            else:
                self._reader = self.sdk
        return self._reader

    def check(self) -> None:
        """Fail with DockerUnreachable unless the engine answers."""
        try:
            self.reader.version()
        except EndpointError:
            raise
        except api_errors() as exc:
            raise DockerUnreachable(f"cannot connect to Docker at {self.endpoint}: {_short(exc)}") from None


def sdk_clients(clients: Mapping[str, EndpointClients]) -> dict[str, Any]:
    """Every endpoint's SDK client by endpoint name (no name when there is one endpoint), made now."""
    several = len(clients) > 1
    return {(name if several else ""): client.sdk for name, client in clients.items()}


def _explicit_tls_client_class() -> type:
    """The SDK client class, deaf to REQUESTS_CA_BUNDLE & co.

    requests lets those variables override a session's own CA file, so a
    system bundle would replace the ``-tlscacert`` the user gave and the
    daemon's certificate would fail to verify.
    """
    import docker

    class ExplicitTLSClient(docker.APIClient):
        @property
        def trust_env(self) -> bool:
            return False

        @trust_env.setter
        def trust_env(self, value: bool) -> None:
            pass  # requests.Session sets it to True; the TLS settings stay the ones given

    return ExplicitTLSClient


def socket_path(endpoint: str) -> str:
    """The unix socket file of an endpoint ("" for tcp), watched to reconnect as soon as it reappears."""
    parsed = parse_host(endpoint)
    return parsed.address if parsed.proto == "unix" else ""


_REASONS = (  # what the HTTP library's retry text boils down to, for a person
    ("Connection refused", "connection refused"),
    ("No such file or directory", "no such socket"),
    ("Permission denied", "permission denied"),
    ("timed out", "timed out"),
    ("Name or service not known", "unknown host"),
    ("Temporary failure in name resolution", "unknown host"),
    ("No route to host", "no route to host"),
    ("Network is unreachable", "network unreachable"),
    ("CERTIFICATE_VERIFY_FAILED", "TLS certificate verification failed"),
    ("SSL", "TLS handshake failed"),
)


def _short(exc: BaseException) -> str:
    """The reason an engine did not answer, in a few words (not urllib3's retry report)."""
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, FileNotFoundError):
        return "no such socket"
    text = str(exc)
    for needle, reason in _REASONS:
        if needle in text:
            return reason
    return text.splitlines()[0] if text else type(exc).__name__
