"""Exception types: each maps to one kind of failure the user can act on."""


class DockerGenError(Exception):
    """Base class; ``str(exc)`` is the one-line message shown to the user."""


class UsageError(DockerGenError):
    """Bad command line (exit code 2)."""


class ConfigError(DockerGenError):
    """Bad configuration value or file (exit code 1)."""


class HelperError(DockerGenError):
    """A template helper refused its arguments; the render fails."""


class RenderError(DockerGenError):
    """A template could not be loaded or rendered; names the template file and line."""

    def __init__(
        self, message: str, template: str | None = None, line: int | None = None, container: str | None = None
    ) -> None:
        self.template = template
        self.line = line
        self.container = container
        where = ""
        if template:
            where = f"{template}:{line}: " if line else f"{template}: "
        super().__init__(f"{where}{message}")


class EndpointError(DockerGenError):
    """The Docker endpoint or its TLS settings are unusable."""


class DockerUnreachable(EndpointError):
    """The endpoint is valid but no Docker engine answers there (yet)."""


class DockerError(DockerGenError):
    """The Docker side could not get an answer from the engine, or the engine said no."""


class InventoryError(DockerError):
    """The engine could not be asked (list failed); the render cannot go on."""


class DockerAPIError(DockerError):
    """The engine answered a request with an error status; ``response.status_code`` mimics the SDK's errors."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.response = type("Response", (), {"status_code": status})()


class ProtocolError(DockerError, ConnectionError):
    """The engine's answer is not the HTTP the lean reader understands (or the connection ended mid-answer)."""
