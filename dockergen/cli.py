"""Command line: docker-gen's flags, parsed the way Go's ``flag`` package does.

argparse cannot mimic Go's rules that users' scripts rely on: one or two
dashes for every long flag, parsing stops at the first positional argument,
and boolean flags take a value only as ``-flag=false``.  So the parser is a
small table-driven loop.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, NoReturn

from dockergen import __version__
from dockergen.config import (
    DEFAULT_NOTIFY_TIMEOUT,
    DEFAULT_WATCHDOG,
    Config,
    EndpointSettings,
    Settings,
    add_key_value,
    load_files,
    parse_duration,
    parse_signal,
    parse_wait,
)
from dockergen.endpoint import TLSSettings, default_cert_dir, resolve_endpoint
from dockergen.errors import ConfigError, DockerGenError, UsageError
from dockergen.logs import setup_logging

log = logging.getLogger("dockergen")

PROG = "docker-gen"


class Flag(NamedTuple):
    """One command-line flag (an immutable record: a NamedTuple costs a sixth of a frozen dataclass at start-up)."""

    name: str
    kind: str  # "bool", "string", "int", "list" (repeatable)
    help: str
    metavar: str = ""
    per_config: bool = False  # ignored (with a warning) when -config is used


FLAGS: dict[str, Flag] = {
    f.name: f
    for f in [
        Flag("config", "list", "config file with template directives; repeatable, entries are concatenated", "path"),
        Flag("watch", "bool", "watch for container changes", per_config=True),
        Flag("wait", "string", "minimum and maximum wait after an event before rendering, e.g. 500ms:2s", "min[:max]", per_config=True),
        Flag("notify", "string", "run command after the template is regenerated (e.g. restart xyz)", "cmd", per_config=True),
        Flag("notify-output", "bool", "log the output (stdout/stderr) of the notify command", per_config=True),
        Flag("notify-timeout", "string", f"kill the notify command after this long (default {DEFAULT_NOTIFY_TIMEOUT:g}s)", "duration", per_config=True),
        Flag("notify-sighup", "list", "send HUP signal to container; repeatable", "container", per_config=True),
        Flag("notify-container", "list", "container to send a signal to; repeatable", "container", per_config=True),
        Flag("notify-filter", "list", "Docker container filter selecting containers to signal; repeatable", "key=value", per_config=True),
        Flag("notify-signal", "string", "signal to send to -notify-container and -notify-filter targets; -1 restarts (default 1)", "signal", per_config=True),
        Flag("swarm", "bool", "add the swarm's services, tasks and nodes to the template context (the endpoint must be a swarm manager)", per_config=True),
        Flag("notify-service", "list", "swarm service (name, ID or label=KEY[=VALUE]) whose running task containers on this node get -notify-signal; -1 force-updates it; repeatable", "service", per_config=True),
        Flag("only-exposed", "bool", "only include containers with exposed ports", per_config=True),
        Flag("only-published", "bool", "only include containers with published ports (implies -only-exposed)", per_config=True),
        Flag("include-stopped", "bool", "include stopped containers", per_config=True),
        Flag("only-healthy", "bool", "leave out containers whose healthcheck is starting or unhealthy (label dockergen.health=ignore opts out)", per_config=True),
        Flag("container-filter", "list", "Docker container list filter, e.g. label=com.example; repeatable", "key=value", per_config=True),
        Flag("event-filter", "list", "additional Docker event filter; repeatable", "key=value"),
        Flag("interval", "int", "run notify command every N seconds", "seconds", per_config=True),
        Flag("keep-blank-lines", "bool", "keep blank lines in the output file", per_config=True),
        Flag("template-engine", "string", "auto (default: decided per template file), go (docker-gen's Go templates) or jinja2", "engine", per_config=True),
        Flag("endpoint", "list", "docker API endpoint (tcp|unix://..); default $DOCKER_HOST or unix:///var/run/docker.sock; repeatable, as NAME=URL, to render containers of several engines", "url"),
        Flag("endpoint-grace", "string", "with several endpoints: keep a lost endpoint's containers this long (default 30s)", "duration"),
        Flag("tlscert", "string", "path to TLS client certificate file", "path"),
        Flag("tlskey", "string", "path to TLS client key file", "path"),
        Flag("tlscacert", "string", "path to TLS CA certificate file", "path"),
        Flag("tlsverify", "bool", "verify docker daemon's TLS certificate (default: $DOCKER_TLS_VERIFY is set)"),
        Flag("check-cmd", "string", "run this command (e.g. 'nginx -t') with the changed destination in place, here or in the -exec-container/-exec-filter containers; on failure the previous content is restored and notify is skipped", "cmd", per_config=True),
        Flag("exec-container", "list", "container in which -check-cmd and -notify-exec run (through the Docker API's exec), e.g. nginx; repeatable", "container", per_config=True),
        Flag("exec-filter", "list", "Docker container filter selecting the containers -check-cmd and -notify-exec run in, e.g. label=com.github.nginx-proxy.nginx; repeatable", "key=value", per_config=True),
        Flag("notify-exec", "string", "after the template is regenerated, run this command in the -exec-container/-exec-filter containers (e.g. 'nginx -s reload')", "cmd", per_config=True),
        Flag("check-timeout", "string", "kill the check command after this long (default 60s)", "duration", per_config=True),
        Flag("watchdog", "string", "report a render (with its check and notify) still running after this long: an error line naming the destination and its containers, /healthz 503, a metric (default 30s; 0: off)", "duration", per_config=True),
        Flag("backup", "bool", "keep the last content that passed as <dest>.bak", per_config=True),
        Flag("no-quarantine", "bool", "do not leave out containers that break the render or the check; fail the render instead", per_config=True),
        Flag("dry-run", "bool", "render every config once and print a diff against each destination; write and notify nothing"),
        Flag("metrics-addr", "string", "serve Prometheus /metrics and /healthz on this address (watch mode)", "host:port"),
        Flag("log-format", "string", "text (default) or json, one object per line", "format"),
        Flag("reconcile-interval", "string", "how often to check the cached inventory against the engine (default 60s; 15s with -swarm)", "duration"),
        Flag("log-level", "string", "debug, info, warning or error (default info)", "level"),
        Flag("version", "bool", "show version"),
        Flag("help", "bool", "show this help"),
    ]
}
_ALIASES = {"h": "help"}

_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


@dataclass
class Options:
    """Parsed command line: flag values by name, which were given, and the positional args."""

    values: dict[str, Any] = field(default_factory=dict)
    given: list[str] = field(default_factory=list)
    args: list[str] = field(default_factory=list)

    def __getitem__(self, name: str) -> Any:
        flag = FLAGS[name]
        if name in self.values:
            return self.values[name]
        return {"bool": False, "string": "", "int": 0, "list": []}[flag.kind]


def _parse_int(text: str, name: str) -> int:
    try:
        return int(text, 0)
    except ValueError:
        try:
            return int(text, 10)
        except ValueError:
            raise UsageError(f'invalid value "{text}" for flag -{name}: parse error') from None


def parse_args(argv: Sequence[str]) -> Options:
    """Parse like Go's flag package; raises UsageError with a one-line message."""
    options = Options()
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg == "--":
            index += 1
            break
        if len(arg) < 2 or not arg.startswith("-"):
            break
        body = arg[2:] if arg.startswith("--") else arg[1:]
        if not body or body.startswith("-") or body.startswith("="):
            raise UsageError(f"bad flag syntax: {arg}")
        name, has_value, value = body.partition("=")
        name = _ALIASES.get(name, name)
        flag = FLAGS.get(name)
        if flag is None:
            raise UsageError(f"flag provided but not defined: -{name}")
        index += 1
        if flag.kind == "bool":
            if not has_value:
                parsed: Any = True
            elif value in _TRUE:
                parsed = True
            elif value in _FALSE:
                parsed = False
            else:
                raise UsageError(f'invalid boolean value "{value}" for -{name}: use -{name} or -{name}=false')
        else:
            if not has_value:
                if index >= len(argv):
                    raise UsageError(f"flag needs an argument: -{name}")
                value = argv[index]
                index += 1
            parsed = _parse_int(value, name) if flag.kind == "int" else value
        if flag.kind == "list":
            options.values.setdefault(name, []).append(parsed)
        else:
            options.values[name] = parsed
        if name not in options.given:
            options.given.append(name)
    options.args = list(argv[index:])
    return options


def usage() -> str:
    lines = [
        f"Usage: {PROG} [options] template [dest]",
        "",
        "Generate files from Docker container meta-data (docker-gen's Go templates, or Jinja2).",
        "",
        "Options:",
    ]
    for flag in FLAGS.values():
        head = f"  -{flag.name}" + (f" {flag.metavar}" if flag.metavar else "")
        lines.append(head)
        lines.append(f"        {flag.help}")
    lines += [
        "",
        "Arguments:",
        "  template - path to a template file (a ';'-separated list makes the later files includable by name)",
        "  dest     - path to write the template to; if not specified, stdout is used",
        "",
        "Environment variables:",
        "  DOCKER_HOST - default value for -endpoint",
        "  DOCKER_CERT_PATH - directory path containing key.pem, cert.pem and ca.pem",
        "  DOCKER_TLS_VERIFY - enable client TLS verification",
        "  DOCKER_CONTAINER_FILTERS - comma-separated -container-filter values, used when no -container-filter is given",
    ]
    return "\n".join(lines) + "\n"


# -- from flags to configs ----------------------------------------------------------------


def _timeout_flag(options: Options, name: str, default: float = DEFAULT_NOTIFY_TIMEOUT, allow_zero: bool = False) -> float:
    """A timeout flag: seconds (``5``) or a duration (``500ms``)."""
    if name not in options.given:
        return default
    text = options[name]
    try:
        seconds = float(text) if text.strip().replace(".", "", 1).isdigit() else parse_duration(text)
    except ConfigError as exc:
        raise ConfigError(f"-{name}: {exc}") from None
    if seconds < 0 or (seconds == 0 and not allow_zero):
        raise ConfigError(f"-{name}: must be positive")
    return seconds


def _check_flag_values(options: Options) -> None:
    """Parse the flags whose values have a syntax (without a template): ConfigError names the flag."""
    try:
        parse_wait(options["wait"])
    except ConfigError as exc:
        raise ConfigError(f"-wait: {exc}") from None
    for name in ("notify-timeout", "check-timeout"):
        _timeout_flag(options, name)
    _timeout_flag(options, "watchdog", DEFAULT_WATCHDOG, allow_zero=True)
    for name in ("endpoint-grace", "reconcile-interval"):
        _duration_flag(options, name, 0.0)
    if "notify-signal" in options.given:
        parse_signal(options["notify-signal"], "-notify-signal")
    engine = options["template-engine"]
    if engine and engine not in ("auto", "go", "jinja2"):
        raise ConfigError(f"-template-engine: must be auto, go or jinja2, got {engine!r}")


def config_from_flags(options: Options, environ: dict[str, str]) -> Config:
    """The single config described by flags and positional arguments (CLI mode)."""
    template = options.args[0]
    dest = options.args[1] if len(options.args) > 1 else ""
    try:
        wait = parse_wait(options["wait"])
    except ConfigError as exc:
        raise ConfigError(f"-wait: {exc}") from None
    notify_signal = parse_signal(options["notify-signal"], "-notify-signal") if "notify-signal" in options.given else 1

    container_filter: dict[str, list[str]] = {}
    for item in options["container-filter"]:
        add_key_value(container_filter, item, "-container-filter")
    if not options["container-filter"] and "DOCKER_CONTAINER_FILTERS" in environ:
        for item in environ["DOCKER_CONTAINER_FILTERS"].split(","):
            if item.strip():
                add_key_value(container_filter, item.strip(), "DOCKER_CONTAINER_FILTERS")

    notify_filter: dict[str, list[str]] = {}
    for item in options["notify-filter"]:
        add_key_value(notify_filter, item, "-notify-filter")

    exec_filter: dict[str, list[str]] = {}
    for item in options["exec-filter"]:
        add_key_value(exec_filter, item, "-exec-filter")

    targets: dict[str, int] = {name: 1 for name in options["notify-sighup"]}
    for name in options["notify-container"]:
        targets[name] = notify_signal

    config = Config(
        template=template,
        dest=dest,
        watch=options["watch"],
        wait=wait,
        notify_cmd=options["notify"],
        notify_output=options["notify-output"],
        notify_timeout=_timeout_flag(options, "notify-timeout"),
        check_cmd=options["check-cmd"],
        check_timeout=_timeout_flag(options, "check-timeout"),
        backup=options["backup"],
        quarantine=not options["no-quarantine"],
        notify_containers=targets,
        notify_containers_filter=notify_filter,
        notify_containers_signal=notify_signal,
        container_filter=container_filter,
        only_exposed=options["only-exposed"],
        only_published=options["only-published"],
        include_stopped=options["include-stopped"],
        only_healthy=options["only-healthy"],
        interval=options["interval"],
        keep_blank_lines=options["keep-blank-lines"],
        engine=options["template-engine"] or "auto",
        swarm=options["swarm"],
        notify_services={selector: notify_signal for selector in options["notify-service"]},
        exec_containers=list(options["exec-container"]),
        exec_containers_filter=exec_filter,
        notify_exec=options["notify-exec"],
        watchdog=_timeout_flag(options, "watchdog", DEFAULT_WATCHDOG, allow_zero=True),
    )
    if config.interval < 0:
        raise ConfigError(f"-interval: must not be negative, got {config.interval}")
    return config.validate()


def _tls_settings(values: Mapping[str, Any], environ: Mapping[str, str]) -> TLSSettings:
    """TLS files and verification from flags (or an [[endpoints]] table), with docker-gen's defaults."""
    cert_dir = default_cert_dir(environ)
    return TLSSettings(
        cert=values.get("tlscert") or os.path.join(cert_dir, "cert.pem"),
        key=values.get("tlskey") or os.path.join(cert_dir, "key.pem"),
        ca=values.get("tlscacert") or os.path.join(cert_dir, "ca.pem"),
        verify=values["tlsverify"] if "tlsverify" in values else bool(environ.get("DOCKER_TLS_VERIFY")),
    )


def endpoints_from(options: Options, environ: dict[str, str], tables: list[dict[str, Any]]) -> list[EndpointSettings]:
    """``[[endpoints]]`` tables when a config file has them, else ``-endpoint`` flags (``[NAME=]URL``)."""
    flag_tls = {name: options[name] for name in ("tlscert", "tlskey", "tlscacert", "tlsverify") if name in options.given}
    if tables:
        specs = [dict(table) for table in tables]
    else:
        specs = []
        for value in options["endpoint"] or [""]:
            name, sep, url = value.partition("=")
            specs.append({"name": name, "url": url} if sep and "://" not in name else {"url": value})
    endpoints = []
    for spec in specs:
        url = resolve_endpoint(spec["url"], environ)
        tls = _tls_settings({**flag_tls, **spec}, environ)
        endpoints.append(EndpointSettings(url=url, tls=tls, name=spec.get("name") or url, address=spec.get("address", "")))
    names = [e.name for e in endpoints]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"endpoint names must be unique: {', '.join(duplicates)}")
    return endpoints


def _duration_flag(options: Options, name: str, default: float) -> float:
    if name not in options.given:
        return default
    try:
        seconds = parse_duration(options[name])
    except ConfigError as exc:
        raise ConfigError(f"-{name}: {exc}") from None
    if seconds <= 0:
        raise ConfigError(f"-{name}: must be positive")
    return seconds


def settings_from_flags(options: Options, environ: dict[str, str], endpoint_tables: list[dict[str, Any]] | None = None) -> Settings:
    """Process-wide settings: endpoints, TLS files and event filters (used in every mode)."""
    event_filter: dict[str, list[str]] = {}
    for item in options["event-filter"]:
        add_key_value(event_filter, item, "-event-filter")
    return Settings(
        endpoints=endpoints_from(options, environ, endpoint_tables or []),
        endpoint_grace=_duration_flag(options, "endpoint-grace", 30.0),
        event_filter=event_filter,
        reconcile_interval=_duration_flag(options, "reconcile-interval", 0.0) or None,
        dry_run=options["dry-run"],
        metrics_addr=options["metrics-addr"],
    )


def build_configs(options: Options, environ: dict[str, str]) -> tuple[list[Config], list[dict[str, Any]]]:
    """The configs, and the ``[[endpoints]]`` tables of config files (if any)."""
    if options["config"]:
        ignored = [f"-{name}" for name in options.given if FLAGS[name].per_config]
        if options.args:
            ignored.append("positional arguments")
        if ignored:
            log.warning("Config file mode: ignoring %s (set them in the config file)", ", ".join(ignored))
        files = load_files(options["config"])
        return files.configs, files.endpoints
    return [config_from_flags(options, environ)], []


# -- logging and entry point --------------------------------------------------------------

def _fail(message: str, code: int) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return code


def entry() -> NoReturn:
    """The console scripts: :func:`main`, made cheap to start and to end.

    A one-shot run lives about a tenth of a second.  The cyclic garbage
    collector is off while it imports and compiles (the watch loop turns it
    back on: :func:`dockergen.generator.run`), and when nothing else runs any
    more the process ends without tearing the interpreter down, which would
    spend 10 ms freeing memory the system frees anyway.
    """
    gc.disable()
    status = main()
    logging.shutdown()
    try:
        sys.stdout.flush()
    except OSError:  # e.g. a closed pipe: what Python's own exit reports as status 120
        status = status or 120
    try:
        sys.stderr.flush()
    except OSError:
        pass
    if threading.active_count() == 1:  # no thread that a normal exit would wait for
        os._exit(status)
    sys.exit(status)


def main(argv: Sequence[str] | None = None, run: Callable[..., int] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        options = parse_args(argv)
    except UsageError as exc:
        return _fail(f"{exc} (see '{PROG} -help')", 2)
    if options["version"]:
        print(__version__)
        return 0
    if options["help"]:
        sys.stdout.write(usage())
        return 0
    if not options.args and not options["config"]:
        # A flag may have taken the template as its value (-wait templates/x.tmpl): name it.
        try:
            _check_flag_values(options)
        except ConfigError as exc:
            return _fail(f"{exc} (see '{PROG} -help')", 2)
        sys.stderr.write(f"Usage: {PROG} [options] template [dest]\nRun '{PROG} -help' for the options.\n")
        return 2
    try:
        setup_logging(options["log-level"], options["log-format"])
    except UsageError as exc:
        return _fail(str(exc), 2)
    environ = dict(os.environ)
    try:
        configs, endpoint_tables = build_configs(options, environ)
        settings = settings_from_flags(options, environ, endpoint_tables)
        from dockergen.generator import run as run_generator

        return (run or run_generator)(configs, settings)
    except ConfigError as exc:
        # A bad value given on the command line is a command-line error (its message names the flag).
        from_flag = not options["config"] and str(exc).startswith("-")
        return _fail(str(exc), 2 if from_flag else 1)
    except DockerGenError as exc:
        return _fail(str(exc), 1)
    except KeyboardInterrupt:
        return 130
