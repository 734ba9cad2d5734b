"""What to render and what to do after: the ``Config`` dataclass, its TOML file and value parsers.

Values are validated here, once, so that a typo in a config file or flag is
reported at start-up with the file, key or flag named, never mid-run.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from dockergen.errors import ConfigError

ALL_STATUSES = ["created", "restarting", "running", "removing", "paused", "exited", "dead"]
DEFAULT_NOTIFY_TIMEOUT = 60.0
DEFAULT_WATCHDOG = 30.0
RESTART = -1  # the "signal" that means: restart the container

# -- durations ----------------------------------------------------------------------------

_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION_PART = re.compile(r"(\d*\.?\d*)([^0-9.]*)")  # number, then unit = up to the next digit (as Go)


def parse_duration(text: str) -> float:
    """Parse a Go duration (``500ms``, ``1m30s``, ``-1.5s``) into seconds."""
    value = text.strip()
    original = value
    sign = 1.0
    if value[:1] in "+-" and value:
        sign = -1.0 if value[0] == "-" else 1.0
        value = value[1:]
    if value == "0":
        return 0.0
    if not value:
        raise ConfigError(f'invalid duration "{original}"')
    total = 0.0
    pos = 0
    while pos < len(value):
        match = _DURATION_PART.match(value, pos)
        number, unit = match.group(1), match.group(2)
        if not number or number == ".":
            raise ConfigError(f'invalid duration "{original}"')
        if not unit:
            raise ConfigError(f'missing unit in duration "{original}"')
        if unit not in _UNITS:
            raise ConfigError(f'unknown unit "{unit}" in duration "{original}"')
        total += float(number) * _UNITS[unit]
        pos = match.end()
    return sign * total


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


def add_key_value(filters: dict[str, list[str]], text: str, where: str) -> None:
    """Add a ``key=value`` filter, split at the first ``=``.

    docker-gen ignores items without ``=``; dockergen reports them, since a
    filter that silently does nothing is a filter that lets everything through.
    """
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"{where}: expected key=value, got {text!r}")
    filters.setdefault(key.strip(), []).append(value)


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


@dataclass
class Config:
    """One template → destination job and what happens after its output changes."""

    template: str
    dest: str = ""
    watch: bool = False
    wait: Wait = field(default_factory=Wait)
    notify_cmd: str = ""
    notify_output: bool = False
    notify_timeout: float = DEFAULT_NOTIFY_TIMEOUT
    notify_containers: dict[str, int] = field(default_factory=dict)
    notify_containers_filter: dict[str, list[str]] = field(default_factory=dict)
    notify_containers_signal: int = 1
    container_filter: dict[str, list[str]] = field(default_factory=dict)
    only_exposed: bool = False
    only_published: bool = False
    include_stopped: bool = False
    only_healthy: bool = False  # leave out containers whose healthcheck does not say healthy (yet)
    interval: int = 0
    keep_blank_lines: bool = False
    engine: str = "auto"  # the template engine: auto (decided per file), go or jinja2
    check_cmd: str = ""  # validate a changed render in place before it stays (e.g. "nginx -t")
    check_timeout: float = DEFAULT_NOTIFY_TIMEOUT
    backup: bool = False  # keep the last content that passed as dest.bak
    quarantine: bool = True  # leave out containers that break the render or the check
    swarm: bool = False  # services, tasks and nodes in the context (the endpoint is a swarm manager)
    notify_services: dict[str, int] = field(default_factory=dict)  # service selector -> signal (-1: force update)
    # Containers that the check command and notify_exec run in (exec), by name or Docker list filter:
    # when any are selected, check_cmd runs there instead of next to dockergen.
    exec_containers: list[str] = field(default_factory=list)
    exec_containers_filter: dict[str, list[str]] = field(default_factory=dict)
    notify_exec: str = ""  # run in those containers after a change (e.g. "nginx -s reload")
    watchdog: float = DEFAULT_WATCHDOG  # report a render (with check and notify) still running after this; 0: never
    source: str = "command line"  # where it came from, for messages

    @property
    def templates(self) -> list[str]:
        """The ``;``-separated template list; the first one is rendered."""
        return self.template.split(";")

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

    def validate(self) -> "Config":
        if not self.template:
            raise ConfigError(f"{self.source}: no template given")
        if self.interval < 0:
            raise ConfigError(f"{self.source}: interval must not be negative, got {self.interval}")
        if self.notify_timeout <= 0:
            raise ConfigError(f"{self.source}: notify timeout must be positive")
        if self.check_timeout <= 0:
            raise ConfigError(f"{self.source}: check timeout must be positive")
        if self.watchdog < 0:
            raise ConfigError(f"{self.source}: watchdog must not be negative")
        if self.notify_exec and not self.exec_selected:
            where = "-notify-exec" if self.source == "command line" else f"{self.source}: notifyexec"
            raise ConfigError(f"{where}: no container to run it in (give -exec-container or -exec-filter)")
        if self.engine not in ("auto", "go", "jinja2"):
            where = "-template-engine" if self.source == "command line" else f"{self.source}: engine"
            raise ConfigError(f"{where}: must be auto, go or jinja2, got {self.engine!r}")
        return self


class EndpointSettings(NamedTuple):
    """One Docker engine to read containers from."""

    url: str
    tls: Any = None  # endpoint.TLSSettings
    name: str = ""  # shown to templates as container.Endpoint when there are several
    address: str = ""  # the engine host's address, shown as container.Node.Address.IP


@dataclass
class Settings:
    """Process-wide settings shared by every config: where Docker is, and which events matter."""

    endpoints: list[EndpointSettings] = field(default_factory=list)
    endpoint_grace: float = 30.0  # keep a lost endpoint's containers this long (several endpoints)
    event_filter: dict[str, list[str]] = field(default_factory=dict)
    reconcile_interval: float | None = None  # seconds between checks of the inventory against the engine
    dry_run: bool = False
    metrics_addr: str = ""

    def reconcile_every(self, swarm: bool) -> float:
        """The reconciliation period: 60 s, or 15 s in swarm mode (task events are unreliable)."""
        if self.reconcile_interval is not None:
            return self.reconcile_interval
        return 15.0 if swarm else 60.0


# -- TOML files ---------------------------------------------------------------------------

# lower-cased key -> (attribute, expected TOML type description, converter)
def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where} must be a boolean (true/false), got {_toml_type(value)}")
    return value


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where} must be a string, got {_toml_type(value)}")
    return value


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{where} must be an integer, got {_toml_type(value)}")
    return value


def _wait(value: Any, where: str) -> Wait:
    # docker-gen stringifies non-string values first, so `wait = 5` fails on its missing unit.
    text = value if isinstance(value, str) else str(value).lower()
    try:
        return parse_wait(text)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _timeout(value: Any, where: str, allow_zero: bool = False) -> float:
    if isinstance(value, bool):
        raise ConfigError(f"{where} must be seconds or a duration like \"30s\", got {value!r}")
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif isinstance(value, str):
        try:
            seconds = parse_duration(value)
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    else:
        raise ConfigError(f"{where} must be seconds or a duration, got {_toml_type(value)}")
    if seconds < 0 or (seconds == 0 and not allow_zero):
        raise ConfigError(f"{where} must be positive, got {value!r}")
    return seconds


def _filter_table(value: Any, where: str) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a table of key = [\"value\", ...], got {_toml_type(value)}")
    result: dict[str, list[str]] = {}
    for key, values in value.items():
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ConfigError(f"{where}.{key} must be a list of strings, got {_toml_type(values)}")
        result[key] = list(values)
    return result


def _string_list(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of strings, got {_toml_type(value)}")
    return list(value)


def _signal_table(value: Any, where: str) -> dict[str, int]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a table of name = signal, got {_toml_type(value)}")
    return {name: parse_signal(sig, f"{where}.{name}") for name, sig in value.items()}


_KEYS: dict[str, tuple[str, Any]] = {
    "template": ("template", _string),
    "dest": ("dest", _string),
    "watch": ("watch", _bool),
    "wait": ("wait", _wait),
    "notifycmd": ("notify_cmd", _string),
    "notifyoutput": ("notify_output", _bool),
    "notifytimeout": ("notify_timeout", _timeout),
    "notifycontainers": ("notify_containers", _signal_table),
    "notifycontainersfilter": ("notify_containers_filter", _filter_table),
    "notifycontainerssignal": ("notify_containers_signal", lambda v, w: parse_signal(v, w)),
    "containerfilter": ("container_filter", _filter_table),
    "onlyexposed": ("only_exposed", _bool),
    "onlypublished": ("only_published", _bool),
    "includestopped": ("include_stopped", _bool),
    "onlyhealthy": ("only_healthy", _bool),
    "interval": ("interval", _int),
    "keepblanklines": ("keep_blank_lines", _bool),
    "engine": ("engine", _string),
    "checkcmd": ("check_cmd", _string),
    "checktimeout": ("check_timeout", _timeout),
    "backup": ("backup", _bool),
    "quarantine": ("quarantine", _bool),
    "swarm": ("swarm", _bool),
    "notifyservices": ("notify_services", _signal_table),
    "execcontainers": ("exec_containers", _string_list),
    "execcontainersfilter": ("exec_containers_filter", _filter_table),
    "notifyexec": ("notify_exec", _string),
    "watchdog": ("watchdog", lambda value, where: _timeout(value, where, allow_zero=True)),
}


def _toml_type(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a float", str: "a string", list: "an array", dict: "a table"}.get(
        type(value), type(value).__name__
    )


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
        attribute, convert = _KEYS[lowered]
        values[attribute] = convert(value, f"{where}: {key}")
    if "template" not in values:
        raise ConfigError(f"{where}: missing required key 'template'")
    return Config(source=where, **values).validate()


def _load_toml(path: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
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
        values[lowered] = _bool(value, f"{where}: {key}") if lowered == "tlsverify" else _string(value, f"{where}: {key}")
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


def filter_watches(configs: Iterable[Config]) -> list[Config]:
    return [c for c in configs if c.watch]


__all__ = [
    "Config",
    "ConfigFiles",
    "EndpointSettings",
    "Settings",
    "Wait",
    "add_key_value",
    "effective_filters",
    "filter_watches",
    "load_config_files",
    "load_files",
    "parse_duration",
    "parse_signal",
    "parse_wait",
]
