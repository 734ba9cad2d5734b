"""How an option is declared: once, on the field it sets, for the flag parser, the TOML reader and ``-help``.

A field of :class:`~dockergen.config.Config` (one template job) or
:class:`~dockergen.config.Settings` (the process) carries an :class:`Option`
in its metadata: the flags that set it, its TOML key, and how each kind of
value is read.  :mod:`dockergen.cli` derives its flag table and ``-help``
from these fields, :mod:`dockergen.config` its table of TOML keys; the
rules a value must follow live in the readers here (one per kind of value)
and in ``Config.validate`` (rules across fields), nowhere else.  Adding a
flag is one ``option(...)`` on one field, as in docker-gen's ``config.go``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

from dockergen.errors import ConfigError
from dockergen.golang import time as go_time
from dockergen.records import record

# -- durations ----------------------------------------------------------------------------

_BARE_SECONDS = re.compile(r"\d+(\.\d*)?|\.\d+")


def parse_duration(text: str, *, bare_seconds: bool = False) -> float:
    """A Go duration (``500ms``, ``1m30s``, ``-1.5s``: ``time.ParseDuration``) in seconds.

    Surrounding blanks are ignored.  With ``bare_seconds``, ``30`` is 30 s: a
    convenience of dockergen's own options (timeouts); docker-gen's ``-wait``
    follows Go's rule that a number needs its unit.
    """
    value = text.strip()
    if bare_seconds and _BARE_SECONDS.fullmatch(value):
        return float(value)
    try:
        return go_time.parse_duration(value) / 1e9
    except go_time.DurationError as exc:
        raise ConfigError(str(exc).removeprefix("time: ")) from None


# -- reading values: each reader takes the raw value and where it came from --------------


def toml_type(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a float", str: "a string", list: "an array", dict: "a table"}.get(
        type(value), type(value).__name__
    )


def read_bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where} must be a boolean (true/false), got {toml_type(value)}")
    return value


def read_string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where} must be a string, got {toml_type(value)}")
    return value


def read_int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{where} must be an integer, got {toml_type(value)}")
    return value


def read_string_list(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of strings, got {toml_type(value)}")
    return list(value)


def read_timeout(value: Any, where: str, *, allow_zero: bool = False, bare_seconds: bool = False) -> float:
    """Seconds (a TOML number; a flag's bare number) or a Go duration string; positive (or 0 when allowed)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ConfigError(f"{where} must be seconds or a duration like \"30s\", got {toml_type(value)}")
    if isinstance(value, str):
        try:
            seconds = parse_duration(value, bare_seconds=bare_seconds)
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    else:
        seconds = float(value)
    if seconds < 0 or (seconds == 0 and not allow_zero):
        raise ConfigError(f"{where} must be positive, got {value!r}")
    return seconds


def timeout_option(allow_zero: bool = False) -> dict[str, Callable[[Any, str], float]]:
    """The readers of a timeout: a flag takes ``30`` as seconds; a TOML string must be a duration."""
    return {
        "read": lambda value, where: read_timeout(value, where, allow_zero=allow_zero, bare_seconds=True),
        "from_toml": lambda value, where: read_timeout(value, where, allow_zero=allow_zero),
    }


def read_filter_table(value: Any, where: str) -> dict[str, list[str]]:
    """A TOML table ``key = ["value", ...]`` (a lone string is a list of one)."""
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a table of key = [\"value\", ...], got {toml_type(value)}")
    result: dict[str, list[str]] = {}
    for key, values in value.items():
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ConfigError(f"{where}.{key} must be a list of strings, got {toml_type(values)}")
        result[key] = list(values)
    return result


def add_key_value(filters: dict[str, list[str]], text: str, where: str) -> None:
    """Add a ``key=value`` filter, split at the first ``=``.

    docker-gen ignores items without ``=``; dockergen reports them, since a
    filter that silently does nothing is a filter that lets everything through.
    """
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"{where}: expected key=value, got {text!r}")
    filters.setdefault(key.strip(), []).append(value)


def read_filter_flags(values: list[str], where: str) -> dict[str, list[str]]:
    filters: dict[str, list[str]] = {}
    for item in values:
        add_key_value(filters, item, where)
    return filters


# -- declarations -------------------------------------------------------------------------


class Flag(NamedTuple):
    """One command-line flag (an immutable record: a NamedTuple costs a sixth of a frozen dataclass at start-up)."""

    name: str
    kind: str  # "bool", "string", "int", "list" (repeatable): how the parser takes its value
    help: str
    metavar: str = ""
    per_config: bool = False  # ignored (with a warning) when -config is used


@record()
class Flags:
    """A parsed command line: each flag's value (typed by its kind), which were given, the positional args."""

    table: Mapping[str, Flag]  # the flags there are
    values: dict[str, Any] = dataclasses.field(default_factory=dict)
    given: list[str] = dataclasses.field(default_factory=list)
    args: list[str] = dataclasses.field(default_factory=list)

    def __getitem__(self, name: str) -> Any:
        if name in self.values:
            return self.values[name]
        return {"bool": False, "string": "", "int": 0, "list": []}[self.table[name].kind]


# Reads a field's value from the flags: (flags, environment) -> value.
FlagReader = Callable[[Flags, Mapping[str, str]], Any]


class Option(NamedTuple):
    """Field metadata: the flags that set the field, its TOML key, and how each is read."""

    flags: tuple[Flag, ...] = ()
    toml: str = ""  # lower-cased [[config]] key; "" for none
    from_flags: FlagReader | None = None  # None: the one flag's value, through ``read``
    read: Callable[[Any, str], Any] | None = None  # (raw value, where) -> value, for a flag and a TOML key alike
    from_toml: Callable[[Any, str], Any] | None = None  # when a TOML value is read otherwise than a flag's


def option(
    default: Any = dataclasses.MISSING,
    *,
    flag: str = "",
    kind: str = "string",
    help: str = "",
    metavar: str = "",
    toml: str = "",
    read: Callable[[Any, str], Any] | None = None,
    from_toml: Callable[[Any, str], Any] | None = None,
    flags: tuple[Flag, ...] = (),
    from_flags: FlagReader | None = None,
    factory: Callable[[], Any] | None = None,
    per_config: bool = True,
) -> Any:
    """A dataclass field declared as an option (see the module docstring)."""
    declared = flags or ((Flag(flag, kind, help, metavar, per_config),) if flag else ())
    metadata = {"option": Option(declared, toml, from_flags, read, from_toml)}
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def options_of(cls: type) -> Iterator[tuple[dataclasses.Field, Option]]:
    """The fields of a dataclass that are options, in declaration order."""
    for item in dataclasses.fields(cls):
        declared = item.metadata.get("option")
        if declared is not None:
            yield item, declared


def flag_table(*classes: type) -> dict[str, Flag]:
    return {flag.name: flag for cls in classes for _, declared in options_of(cls) for flag in declared.flags}


def from_flags(cls: type, flags: Flags, environ: Mapping[str, str]) -> dict[str, Any]:
    """The keyword arguments for ``cls`` that the flags set (given flags only; the rest keep their defaults)."""
    values: dict[str, Any] = {}
    for item, declared in options_of(cls):
        if declared.from_flags is not None:
            values[item.name] = declared.from_flags(flags, environ)
        elif declared.flags and declared.flags[0].name in flags.given:
            name = declared.flags[0].name
            values[item.name] = _read_flag(declared, name, flags[name])
    return values


def _read_flag(declared: Option, name: str, raw: Any) -> Any:
    """A flag's value through the option's reader; its messages read ``-flag: problem``."""
    if declared.read is None:
        return raw
    try:
        return declared.read(raw, f"-{name}")
    except ConfigError as exc:
        text = str(exc)
        if text.startswith(f"-{name} "):
            text = f"-{name}:{text[len(name) + 1:]}"
        raise ConfigError(text) from None


def toml_keys(cls: type) -> dict[str, tuple[str, Callable[[Any, str], Any]]]:
    """Lower-cased TOML key -> (field name, reader) for every option of ``cls`` that has a key."""
    table = {}
    for item, declared in options_of(cls):
        if declared.toml:
            reader = declared.from_toml or declared.read or _TOML_READERS[declared.flags[0].kind if declared.flags else "string"]
            table[declared.toml] = (item.name, reader)
    return table


_TOML_READERS: dict[str, Callable[[Any, str], Any]] = {
    "bool": read_bool, "string": read_string, "int": read_int, "list": read_string_list,
}
