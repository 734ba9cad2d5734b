"""What to render and what to do after: the ``Config`` dataclass, its TOML file and value parsers.

Values are validated here, once, so that a typo in a config file or flag is
reported at start-up with the file, key or flag named, never mid-run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from dockergen.daemon.endpoint import EndpointSettings, endpoint_flags, endpoints_from
from dockergen.errors import ConfigError
from dockergen.options import (
    Flag,
    Flags,
    add_key_value,
    from_flags,
    option,
    parse_duration,
    read_filter_flags,
    read_bool,
    read_filter_table,
    read_string,
    timeout_option,
    toml_keys,
    toml_type,
)
from dockergen.records import record

ALL_STATUSES = ["created", "restarting", "running", "removing", "paused", "exited", "dead"]
DEFAULT_NOTIFY_TIMEOUT = 60.0
DEFAULT_WATCHDOG = 30.0
RESTART = -1  # the "signal" that means: restart the container
ENGINES = ("auto", "go", "jinja2")

# -- waits ---------------------------------------------------------------------------------


class Wait(NamedTuple):
    """Debounce bounds in seconds: render ``min`` after the last event, at most ``max`` after the first."""

    min: float = 0.0
    max: float = 0.0

    @property
    def enabled(self) -> bool:
        return self.min != 0

    def __str__(self) -> str:
        return f"{_fmt(self.min)}:{_fmt(self.max)}"


def _fmt(seconds: float) -> str:
    if seconds and abs(seconds) < 1:
        return f"{seconds * 1000:g}ms"
    return f"{seconds:g}s"


def parse_wait(text: str) -> Wait:
    """``min[:max]`` as docker-gen parses it; max defaults to 4 × min."""
    if not text.strip():
        return Wait()
    parts = text.split(":")
    try:
        minimum = parse_duration(parts[0])
        maximum = parse_duration(parts[1]) if len(parts) > 1 else 4 * minimum
    except ConfigError as exc:
        raise ConfigError(f"invalid wait interval {text!r}: {exc}") from None
    # Like docker-gen: parts after the second are ignored and negative waits are
    # accepted (a negative min fires at once, as no debounce would).  Only an
    # explicit max is checked against min: "-1s" gives max = 4 × -1s < min.
    if len(parts) > 1 and maximum < minimum:
        raise ConfigError(f"invalid wait interval {text!r}: max must be larger than min")
    return Wait(minimum, maximum)


# -- signals and filters ------------------------------------------------------------------


def parse_signal(value: Any, where: str) -> int:
    """A signal number or name (``1``, ``HUP``, ``SIGUSR1``); ``-1`` means restart."""
    if isinstance(value, bool):
        raise ConfigError(f"{where}: signal must be a number or a name, got {value!r}")
    if isinstance(value, str):
        text = value.strip()
        try:
            number = int(text)
        except ValueError:
            import signal as signal_module  # only signal names need the table

            name = text.upper()
            if not name.startswith("SIG"):
                name = "SIG" + name
            try:
                return int(signal_module.Signals[name])
            except KeyError:
                raise ConfigError(f"{where}: unknown signal {value!r}") from None
    elif isinstance(value, int):
        number = value
    else:
        raise ConfigError(f"{where}: signal must be a number or a name, got {value!r}")
    if number == RESTART:
        return number
    if number <= 0:
        raise ConfigError(f"{where}: signal {number} is not valid (use a positive signal number, or -1 to restart)")
    if number >= 65:
        raise ConfigError(f"{where}: signal {number} is out of range")
    return number


def effective_filters(
    container_filter: Mapping[str, list[str]],
    only_exposed: bool = False,
    only_published: bool = False,
    include_stopped: bool = False,
) -> dict[str, list[str]]:
    """The Docker list filters a config really uses (docker-gen's precedence rules)."""
    filters = {key: list(values) for key, values in container_filter.items()}
    if only_published and "publish" not in filters:
        filters["publish"] = ["1-65535"]
    elif only_exposed and "expose" not in filters:
        filters["expose"] = ["1-65535"]
    if "status" not in filters:
        filters["status"] = list(ALL_STATUSES) if include_stopped else ["running"]
    return filters


# -- the config ---------------------------------------------------------------------------


def read_wait(value: Any, where: str) -> Wait:
    # docker-gen stringifies non-string values first, so `wait = 5` fails on its missing unit.
    text = value if isinstance(value, str) else str(value).lower()
    try:
        return parse_wait(text)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def read_signal_table(value: Any, where: str) -> dict[str, int]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a table of name = signal, got {toml_type(value)}")
    return {name: parse_signal(sig, f"{where}.{name}") for name, sig in value.items()}


def _notify_signal(flags: Flags) -> int:
    return parse_signal(flags["notify-signal"], "-notify-signal") if "notify-signal" in flags.given else 1


def _notify_containers(flags: Flags, environ: Mapping[str, str]) -> dict[str, int]:
    """``-notify-sighup NAME`` (HUP) and ``-notify-container NAME`` (``-notify-signal``), by name."""
    targets = {name: 1 for name in flags["notify-sighup"]}
    targets.update({name: _notify_signal(flags) for name in flags["notify-container"]})
    return targets


def _container_filter(flags: Flags, environ: Mapping[str, str]) -> dict[str, list[str]]:
    """``-container-filter``, else ``$DOCKER_CONTAINER_FILTERS`` (comma-separated), as docker-gen."""
    if flags["container-filter"]:
        return read_filter_flags(flags["container-filter"], "-container-filter")
    items = [item.strip() for item in environ.get("DOCKER_CONTAINER_FILTERS", "").split(",") if item.strip()]
    return read_filter_flags(items, "DOCKER_CONTAINER_FILTERS")


def _filters(name: str) -> Any:
    return lambda flags, environ: read_filter_flags(flags[name], f"-{name}")


# -- the config ---------------------------------------------------------------------------
# Each field that is an option says which flags and TOML key set it (dockergen.options).


@record()
class Config:
    """One template → destination job and what happens after its output changes."""

    template: str = option(toml="template")  # the first positional argument
    dest: str = option("", toml="dest")  # the second; "" is stdout
    watch: bool = option(False, flag="watch", kind="bool", help="watch for container changes", toml="watch")
    wait: Wait = option(
        Wait(), flag="wait", metavar="min[:max]", toml="wait", read=read_wait,
        help="minimum and maximum wait after an event before rendering, e.g. 500ms:2s",
    )
    notify_cmd: str = option(
        "", flag="notify", metavar="cmd", toml="notifycmd",
        help="run command after the template is regenerated (e.g. restart xyz)",
    )
    notify_output: bool = option(
        False, flag="notify-output", kind="bool", toml="notifyoutput",
        help="log the output (stdout/stderr) of the notify command",
    )
    notify_timeout: float = option(
        DEFAULT_NOTIFY_TIMEOUT, flag="notify-timeout", metavar="duration", toml="notifytimeout", **timeout_option(),
        help=f"kill the notify command after this long (default {DEFAULT_NOTIFY_TIMEOUT:g}s)",
    )
    notify_containers: dict[str, int] = option(
        factory=dict, toml="notifycontainers", from_toml=read_signal_table, from_flags=_notify_containers,
        flags=(
            Flag("notify-sighup", "list", "send HUP signal to container; repeatable", "container", True),
            Flag("notify-container", "list", "container to send a signal to; repeatable", "container", True),
        ),
    )
    notify_containers_filter: dict[str, list[str]] = option(
        factory=dict, toml="notifycontainersfilter", from_toml=read_filter_table, from_flags=_filters("notify-filter"),
        flags=(Flag("notify-filter", "list", "Docker container filter selecting containers to signal; repeatable",
                    "key=value", True),),
    )
    notify_containers_signal: int = option(
        1, flag="notify-signal", metavar="signal", toml="notifycontainerssignal", read=parse_signal,
        help="signal to send to -notify-container and -notify-filter targets; -1 restarts (default 1)",
    )
    swarm: bool = option(
        False, flag="swarm", kind="bool", toml="swarm",
        help="add the swarm's services, tasks and nodes to the template context (the endpoint must be a swarm manager)",
    )
    notify_services: dict[str, int] = option(
        factory=dict, toml="notifyservices", from_toml=read_signal_table,
        from_flags=lambda flags, environ: {selector: _notify_signal(flags) for selector in flags["notify-service"]},
        flags=(Flag("notify-service", "list", "swarm service (name, ID or label=KEY[=VALUE]) whose running task "
                    "containers on this node get -notify-signal; -1 force-updates it; repeatable", "service", True),),
    )
    only_exposed: bool = option(
        False, flag="only-exposed", kind="bool", toml="onlyexposed", help="only include containers with exposed ports",
    )
    only_published: bool = option(
        False, flag="only-published", kind="bool", toml="onlypublished",
        help="only include containers with published ports (implies -only-exposed)",
    )
    include_stopped: bool = option(
        False, flag="include-stopped", kind="bool", toml="includestopped", help="include stopped containers",
    )
    only_healthy: bool = option(
        False, flag="only-healthy", kind="bool", toml="onlyhealthy",
        help="leave out containers whose healthcheck is starting or unhealthy (label dockergen.health=ignore opts out)",
    )
    container_filter: dict[str, list[str]] = option(
        factory=dict, toml="containerfilter", from_toml=read_filter_table, from_flags=_container_filter,
        flags=(Flag("container-filter", "list", "Docker container list filter, e.g. label=com.example; repeatable",
                    "key=value", True),),
    )
    interval: int = option(
        0, flag="interval", kind="int", metavar="seconds", toml="interval", help="run notify command every N seconds",
    )
    keep_blank_lines: bool = option(
        False, flag="keep-blank-lines", kind="bool", toml="keepblanklines", help="keep blank lines in the output file",
    )
    engine: str = option(
        "auto", flag="template-engine", metavar="engine", toml="engine", from_toml=read_string,
        read=lambda value, where: value or "auto",  # an empty flag value means the default
        help="auto (default: decided per template file), go (docker-gen's Go templates) or jinja2",
    )
    template_cache: str | None = option(  # read by dockergen.cache_dir.cache_root
        None, flag="template-cache", metavar="dir", toml="templatecache",
        help="keep compiled templates in this directory, to skip compiling an unchanged template at the next start "
        "(default $DOCKERGEN_CACHE_DIR, else $XDG_CACHE_HOME/dockergen or ~/.cache/dockergen; \"\" or off: no cache)",
    )
    check_cmd: str = option(
        "", flag="check-cmd", metavar="cmd", toml="checkcmd",
        help="run this command (e.g. 'nginx -t') with the changed destination in place, here or in the "
        "-exec-container/-exec-filter containers; on failure the previous content is restored and notify is skipped",
    )
    # Containers that the check command and notify_exec run in (exec), by name or Docker list filter:
    # when any are selected, check_cmd runs there instead of next to dockergen.
    exec_containers: list[str] = option(
        factory=list, flag="exec-container", kind="list", metavar="container", toml="execcontainers",
        help="container in which -check-cmd and -notify-exec run (through the Docker API's exec), e.g. nginx; repeatable",
    )
    exec_containers_filter: dict[str, list[str]] = option(
        factory=dict, toml="execcontainersfilter", from_toml=read_filter_table, from_flags=_filters("exec-filter"),
        flags=(Flag("exec-filter", "list", "Docker container filter selecting the containers -check-cmd and "
                    "-notify-exec run in, e.g. label=com.github.nginx-proxy.nginx; repeatable", "key=value", True),),
    )
    notify_exec: str = option(
        "", flag="notify-exec", metavar="cmd", toml="notifyexec",
        help="after the template is regenerated, run this command in the -exec-container/-exec-filter containers "
        "(e.g. 'nginx -s reload')",
    )
    check_timeout: float = option(
        DEFAULT_NOTIFY_TIMEOUT, flag="check-timeout", metavar="duration", toml="checktimeout", **timeout_option(),
        help="kill the check command after this long (default 60s)",
    )
    watchdog: float = option(
        DEFAULT_WATCHDOG, flag="watchdog", metavar="duration", toml="watchdog", **timeout_option(allow_zero=True),
        help="report a render (with its check and notify) still running after this long: an error line naming the "
        "destination and its containers, /healthz 503, a metric (default 30s; 0: off)",
    )
    backup: bool = option(
        False, flag="backup", kind="bool", toml="backup", help="keep the last content that passed as <dest>.bak",
    )
    quarantine: bool = option(
        True, toml="quarantine",
        from_flags=lambda flags, environ: not flags["no-quarantine"],
        flags=(Flag("no-quarantine", "bool", "do not leave out containers that break the render or the check; "
                    "fail the render instead", "", True),),
    )
    source: str = "config"  # where it came from, for messages: "command line", or a file and table

    @property
    def filters(self) -> dict[str, list[str]]:
        return effective_filters(self.container_filter, self.only_exposed, self.only_published, self.include_stopped)

    @property
    def label(self) -> str:
        return self.dest or "stdout"

    @property
    def exec_selected(self) -> bool:
        """Whether commands run inside other containers (``-exec-container`` / ``-exec-filter``)."""
        return bool(self.exec_containers or self.exec_containers_filter)

    def _where(self, flag: str, key: str) -> str:
        """How a message names an option: its flag on the command line, else the source and the key."""
        return f"-{flag}:" if self.source == "command line" else f"{self.source}: {key}"

    def validate(self) -> "Config":
        """The rules across fields and values' ranges; a ConfigError names the flag or key at fault."""
        if not self.template:
            raise ConfigError(f"{self.source}: no template given")
        if self.interval < 0:
            raise ConfigError(f"{self._where('interval', 'interval')} must not be negative, got {self.interval}")
        if self.notify_timeout <= 0:
            raise ConfigError(f"{self._where('notify-timeout', 'notify timeout')} must be positive")
        if self.check_timeout <= 0:
            raise ConfigError(f"{self._where('check-timeout', 'check timeout')} must be positive")
        if self.watchdog < 0:
            raise ConfigError(f"{self._where('watchdog', 'watchdog')} must not be negative")
        if self.notify_exec and not self.exec_selected:
            raise ConfigError(
                f"{self._where('notify-exec', 'notifyexec:')} no container to run it in (give -exec-container or -exec-filter)"
            )
        if self.engine not in ENGINES:
            raise ConfigError(f"{self._where('template-engine', 'engine:')} must be auto, go or jinja2, got {self.engine!r}")
        return self

    @classmethod
    def from_flags(cls, flags: Flags, args: list[str], environ: Mapping[str, str]) -> "Config":
        """The single config described by flags and positional arguments (CLI mode)."""
        values = from_flags(cls, flags, environ)
        return cls(template=args[0], dest=args[1] if len(args) > 1 else "", source="command line", **values).validate()


def _event_filter(flags: Flags, environ: Mapping[str, str]) -> dict[str, list[str]]:
    return read_filter_flags(flags["event-filter"], "-event-filter")


@record()
class Settings:
    """Process-wide settings shared by every config: where Docker is, and which events matter."""

    endpoints: list[EndpointSettings] = option(
        factory=list, flags=endpoint_flags(), per_config=False,
        from_flags=lambda flags, environ: endpoints_from(flags, environ, []),
    )
    endpoint_grace: float = option(  # keep a lost endpoint's containers this long (several endpoints)
        30.0, flag="endpoint-grace", metavar="duration", per_config=False, **timeout_option(),
        help="with several endpoints: keep a lost endpoint's containers this long (default 30s)",
    )
    event_filter: dict[str, list[str]] = option(
        factory=dict, from_flags=_event_filter,
        flags=(Flag("event-filter", "list", "additional Docker event filter; repeatable", "key=value"),),
    )
    reconcile_interval: float | None = option(  # seconds between checks of the inventory against the engine
        None, flag="reconcile-interval", metavar="duration", per_config=False, **timeout_option(),
        help="how often to check the cached inventory against the engine (default 60s; 15s with -swarm)",
    )
    dry_run: bool = option(
        False, flag="dry-run", kind="bool", per_config=False,
        help="render every config once and print a diff against each destination; write and notify nothing",
    )
    metrics_addr: str = option(
        "", flag="metrics-addr", metavar="host:port", per_config=False,
        help="serve Prometheus /metrics and /healthz on this address (watch mode)",
    )

    def reconcile_every(self, swarm: bool) -> float:
        """The reconciliation period: 60 s, or 15 s in swarm mode (task events are unreliable)."""
        if self.reconcile_interval is not None:
            return self.reconcile_interval
        return 15.0 if swarm else 60.0

    @classmethod
    def from_flags(
        cls, flags: Flags, environ: Mapping[str, str], endpoint_tables: list[dict[str, Any]] | None = None
    ) -> "Settings":
        """Process-wide settings: endpoints (``[[endpoints]]`` tables when a config file has them), TLS, events."""
        values = from_flags(cls, flags, environ)
        if endpoint_tables:
            values["endpoints"] = endpoints_from(flags, environ, endpoint_tables)
        return cls(**values)


# -- TOML files ---------------------------------------------------------------------------

_KEYS = toml_keys(Config)  # lower-cased key -> (field, reader), from the fields' declarations


def config_from_table(table: Mapping[str, Any], where: str) -> Config:
    """Build one Config from a ``[[config]]`` table; keys match case-insensitively."""
    values: dict[str, Any] = {}
    seen: dict[str, str] = {}
    for key, value in table.items():
        lowered = key.lower()
        if lowered not in _KEYS:
            known = ", ".join(sorted(_KEYS))
            raise ConfigError(f"{where}: unknown key {key!r} (known keys: {known})")
        if lowered in seen:
            raise ConfigError(f"{where}: key {key!r} given twice (as {seen[lowered]!r})")
        seen[lowered] = key
        attribute, read = _KEYS[lowered]
        values[attribute] = read(value, f"{where}: {key}")
    if "template" not in values:
        raise ConfigError(f"{where}: missing required key 'template'")
    return Config(source=where, **values).validate()


def _load_toml(path: str) -> dict[str, Any]:
    import tomllib

    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None


_ENDPOINT_KEYS = {"name", "url", "tlscert", "tlskey", "tlscacert", "tlsverify", "address"}


def _endpoint_table(table: Mapping[str, Any], where: str) -> dict[str, Any]:
    """An ``[[endpoints]]`` table, checked; turned into EndpointSettings by the CLI (it knows TLS defaults)."""
    values: dict[str, Any] = {}
    for key, value in table.items():
        lowered = key.lower()
        if lowered not in _ENDPOINT_KEYS:
            raise ConfigError(f"{where}: unknown key {key!r} (known keys: {', '.join(sorted(_ENDPOINT_KEYS))})")
        values[lowered] = (read_bool if lowered == "tlsverify" else read_string)(value, f"{where}: {key}")
    if not values.get("url"):
        raise ConfigError(f"{where}: missing required key 'url'")
    return values


class ConfigFiles(NamedTuple):
    configs: list[Config]
    endpoints: list[dict[str, Any]]  # raw [[endpoints]] tables, checked


def load_files(paths: Iterable[str]) -> ConfigFiles:
    """Load ``-config`` files: ``[[config]]`` entries concatenated in the order given, and ``[[endpoints]]``."""
    result = ConfigFiles([], [])
    paths = list(dict.fromkeys(paths))  # the same file twice would run its configs twice
    for path in paths:
        document = _load_toml(path)
        for key in document:
            if key.lower() not in ("config", "endpoints"):
                raise ConfigError(f"{path}: unknown top-level key {key!r} (expected [[config]] or [[endpoints]] tables)")
        for key, tables in document.items():
            kind = key.lower()
            if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
                raise ConfigError(f"{path}: {key!r} must be an array of tables ([[{kind}]])")
            for index, table in enumerate(tables, start=1):
                where = f"{path}: [[{kind}]] #{index}"
                if kind == "config":
                    result.configs.append(config_from_table(table, where))
                else:
                    result.endpoints.append(_endpoint_table(table, where))
    if not result.configs:
        raise ConfigError(f"{', '.join(paths)}: no [[config]] entries")
    return result


def load_config_files(paths: Iterable[str]) -> list[Config]:
    """The ``[[config]]`` entries of ``-config`` files, concatenated in the order given."""
    return load_files(paths).configs


__all__ = [
    "Config",
    "ConfigFiles",
    "EndpointSettings",
    "Settings",
    "Wait",
    "add_key_value",
    "effective_filters",
    "load_config_files",
    "load_files",
    "parse_duration",
    "parse_signal",
    "parse_wait",
]
