"""Command line: docker-gen's flags, parsed the way Go's ``flag`` package does.

argparse cannot mimic Go's rules that users' scripts rely on: one or two
dashes for every long flag, parsing stops at the first positional argument,
and boolean flags take a value only as ``-flag=false``.  So the parser is a
small table-driven loop.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from dockergen import __version__
from dockergen.config import Config, Settings, load_files
from dockergen.errors import ConfigError, DockerGenError, UsageError
from dockergen.logs import setup_logging
from dockergen.options import Flag, Flags, flag_table

log = logging.getLogger("dockergen")

PROG = "docker-gen"

# Every flag: those of a config's options and of the process settings (declared on their
# fields, dockergen.config), then the ones that only steer this command line.
FLAGS: dict[str, Flag] = {
    "config": Flag("config", "list", "config file with template directives; repeatable, entries are concatenated", "path"),
    **flag_table(Config, Settings),
    **{
        f.name: f
        for f in [
            Flag("log-format", "string", "text (default) or json, one object per line", "format"),
            Flag("log-level", "string", "debug, info, warning or error (default info)", "level"),
            Flag("version", "bool", "show version"),
            Flag("help", "bool", "show this help"),
        ]
    },
}
_ALIASES = {"h": "help"}

_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


def Options(**fields: Any) -> Flags:  # noqa: N802 - reads as the type it makes
    """An empty (or given) parsed command line over this program's flags."""
    return Flags(FLAGS, **fields)


def _parse_int(text: str, name: str) -> int:
    try:
        return int(text, 0)
    except ValueError:
        try:
            return int(text, 10)
        except ValueError:
            raise UsageError(f'invalid value "{text}" for flag -{name}: parse error') from None


def parse_args(argv: Sequence[str]) -> Flags:
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


def _check_flag_values(options: Flags) -> None:
    """Read every flag whose value has a syntax, without a template: a ConfigError names the flag."""
    Config.from_flags(options, ["-"], {})
    Settings.from_flags(options, {})


def config_from_flags(options: Flags, environ: dict[str, str]) -> Config:
    """The single config described by flags and positional arguments (CLI mode)."""
    return Config.from_flags(options, options.args, environ)


def settings_from_flags(options: Flags, environ: dict[str, str], endpoint_tables: list[dict[str, Any]] | None = None) -> Settings:
    """Process-wide settings: endpoints, TLS files and event filters (used in every mode)."""
    return Settings.from_flags(options, environ, endpoint_tables)


def build_configs(options: Flags, environ: dict[str, str]) -> tuple[list[Config], list[dict[str, Any]]]:
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
    """The console scripts (through :func:`dockergen.console`): :func:`main`, made cheap to start and to end.

    A one-shot run lives about a tenth of a second.  The cyclic garbage
    collector is off while it imports and compiles (``console`` turned it off;
    the watch loop turns it back on: :func:`dockergen.generator.run`), and
    when nothing else runs any more the process ends without tearing the
    interpreter down, which would spend 10 ms freeing memory the system frees
    anyway.
    """
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
    # No thread that a normal exit would wait for (daemon threads it would not): skip the
    # teardown, during which Python restores the default handlers, so that a second SIGTERM
    # sent while a watcher stops would kill it instead of letting it exit 0.
    if not any(thread.is_alive() and not thread.daemon for thread in threading.enumerate()
               if thread is not threading.main_thread()):
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
