"""A differential fuzzer: random Go templates through dockergen's engine and through Go's.

Templates are generated from text/template's grammar (text, actions,
pipelines, variables, ``if``/``else if``/``range``/``with``/``define``/
``template``/``block``, ``break``/``continue``, comments, trim markers,
literals of every kind) calling the whole function map (the built-ins,
Sprig's and docker-gen's functions, with arguments mostly of the parameter
types their signatures declare) on the docker-gen contexts of
``../shared/go-template-vectors/contexts``.  Each batch runs through
``../shared/reference/gotmpl-oracle`` (the real Go engine) and through
:class:`~dockergen.gotemplate.template.TemplateSet`; outputs, error stages,
error texts and partial outputs must be the same bytes.

Generation is seeded and deterministic.  Functions whose result is random or
depends on the clock or the network are left out, or only their shape is
printed (``len (randAlpha 5)``); pointer addresses are compared as shapes.

Run locally to hunt for differences::

    python tests/fuzz/gotemplate_fuzz.py --seeds 1-200 --cases 500
    python tests/fuzz/gotemplate_fuzz.py --seeds 7 --cases 500 --show 5   # the first 5 differences

``tests/unit/gotemplate/test_differential_fuzz.py`` runs a few seeds in CI.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
for _path in (ROOT, ROOT / "tests"):  # run as a script from anywhere
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from dockergen.gotemplate.builtins import BUILTINS  # noqa: E402
from dockergen.gotemplate.funcmap import function_map  # noqa: E402
from gotemplate_cases import Mismatch, available, compare, ignored, run_oracle, run_ours  # noqa: E402

__all__ = ["generate", "fuzz", "minimize", "Report", "Generator"]

# --- what the generator may call ---------------------------------------------------------

# Random, clock- or network-dependent results; crypto that is slow or random.
EXCLUDED = frozenset({
    "now", "ago", "randInt", "randBytes", "shuffle", "bcrypt", "htpasswd", "encryptAES", "genPrivateKey",
    "genCA", "genCAWithKey", "genSelfSignedCert", "genSelfSignedCertWithKey", "genSignedCert",
    "genSignedCertWithKey", "getHostByName", "derivePassword", "buildCustomCert",
    # eval of a template that evals itself crashes Go (no depth limit): called only by name below.
    "eval",
    # dockergen's own (not in docker-gen): none are in the function map, the check keeps it so.
})
# Random output of a known shape: only its length is printed.
SHAPE_ONLY = frozenset({"randAlpha", "randAlphaNum", "randAscii", "randNumeric", "uuidv4"})
# Results in Go's random map order: always sorted before use.
UNORDERED = frozenset({"keys", "values", "groupByKeys", "intersect"})
# A non-time argument makes these use the current time: they get times and numbers only.
CLOCK_ARGUMENT = {"date": 1, "htmlDate": 0, "dateInZone": 1, "date_in_zone": 1, "htmlDateInZone": 0}
# durationRound of a time.Time measures from now.
NO_TIME_ARGUMENT = frozenset({"durationRound"})
# Their last parameter is one of those: a pipe could hand them anything.
NOT_PIPED = frozenset({"date", "htmlDate", "durationRound"})
# Counts that allocate: small integers only.
SMALL_COUNTS = frozenset({
    "repeat", "until", "untilStep", "seq", "indent", "nindent", "randAlpha", "randAlphaNum", "randAscii",
    "randNumeric", "chunk", "mustChunk", "abbrev", "abbrevboth", "trunc", "wrap", "wrapWith", "substr",
})

# --- literal pools --------------------------------------------------------------------------

STRINGS = [
    "", "a", "b", "abc", "Hello World", "hello_world-Foo", "v1.2.3", "v1.2.3+build.5", "1.2.3", "1.2.4-rc.1",
    "a=b", "a:BC", "tab\there", "  x  ", "x\ny", "a,b,c", "a.b.c", "/a/b/c.txt", "c.txt", "../x", "é", "héllo wörld",
    "ǅx", "ß", "İ", "日本語", "<a&b>", "'q'", '"dq"', "%d", "42", "-0", "-7", "3.5", "1e3", "0x1F", "true", "no",
    "2006-01-02", "2020-03-04", "15:04", "1h30m", "-1.5h", "90s", "UTC", "Europe/Paris", "America/New_York",
    "Asia/Kolkata", "Nope/Zone", "nginx", "web", "VIRTUAL_HOST", "com.docker.compose.project", "a b", "A_B",
    "fooBar", "FooBarBaz", "foo_bar", "foo-bar", "XMLHttpRequest", "ID", "Name", "80", "443", "tcp", "0",
    "{\"a\":1}", "[1,2]", "null", "a: 1", "- x", "$HOME ${DEFAULT_HOST}", "\\", "\x00", "\x7f", "\ufffd",
    "max-age=31536000; includeSubDomains", "x\u00a0y", ".", "..", "*", "a*b", "[a-z]+", "^a", "(", "\\d",
    ">= 1.2.0", "!= 1.2.3", "~1.2", "^1.2.3", "1.x", "< 2.0.0-0", "1.2.3 || >= 2", "http://u:p@h:8080/p?q=1#f",
]
INTS = [
    "0", "1", "2", "3", "5", "-1", "-2", "10", "42", "-0", "0x1F", "0X10", "0o17", "017", "0b101", "1_000",
    "'a'", "'\\n'", "'é'", "'\\x41'", "'\\u00e9'", "'\\''", "255", "256", "-7", "100",
]
BIG_INTS = [
    "9223372036854775807", "-9223372036854775808", "9223372036854775808", "4294967296", "18446744073709551615",
    "2147483648", "-2147483649", "1e400", "100000000000000000000",
]
FLOATS = [
    "1.5", "-0.0", "0.1", "1e3", "1e1_9", "2.0", ".5", "1.", "0x1p-2", "1_0.5", "3.14159", "-2.5", "1e-3",
    "6.02e23", "0.0", "-1.25", "2.5", "1E2", "1e+2",
]
COMPLEX = ["2i", "1.5i", "0i", "1+2i", "-3i", "0x1p1i"]
FORMATS = [
    "%d", "%5d", "%-5d|", "%05d", "%+d", "% d", "%x", "%X", "%#x", "%o", "%O", "%#o", "%b", "%c", "%q", "%U",
    "%#U", "%e", "%E", "%f", "%.2f", "%8.3f", "%g", "%G", "%.3g", "%s", "%10s", "%-10s|", "%05s", "%.3s",
    "%.0s", "%v", "%+v", "%#v", "%T", "%t", "%%", "%!", "%z", "%[2]d %[1]s", "%*d", "%.*f", "%6.2v", "% x",
    "%d %d", "%s=%v", "%[3]v", "%-08.3f|", "%+.3e", "%x %X", "%08b", "%#q", "%+q", "%010s", "%-05d|", "%v%v",
    "%05v", "%5t", "%.1q", "%#s", "%#d", "%[1]*d", "%!d", "%-x", "% 05d", "%.2x", "%5.1s|", "%#g", "%#.3x",
]
PATTERNS = ["a", "[a-z]+", "^a", "(\\w+)", "\\d+", "x*", "b|c", "", "(", ".", "(?i)A", "a(b)?c"]
TEXT = ["", " ", "x", "\n", "  \n", "-", "a b", "\t", "\n\n", ": ", "é", "<", "}", "{ ", "\r\n", " \r\n\t"]
PATHS = ["@DIR@/data/x.txt", "@DIR@/data", "@DIR@/nope", "@DIR@/data/", "/", "", "main.tmpl"]

PROBE_ALPHABET = list("aZb9_- \t\n.+=:,!?'\"()@#$%&*^`|~<>/\\") + [
    "é", "É", "ß", "ǅ", "Σ", "ς", "İ", "ı", "日", "٣", "½", "Ⅻ", "\u00a0", "\u2003", "\u200b", "x", "Y", "12", "aB",
    "HTTP", "Id", "v1", "2x",
]
PROBE_UNARY = [
    "snakecase", "kebabcase", "camelcase", "swapcase", "title", "untitle", "initials", "nospace", "upper", "lower",
    "trim", "quote", "squote", "nginxQuote", "queryEscape", "regexQuoteMeta", "base", "clean", "ext", "osBase",
    "osClean", "osDir", "osExt", "sprigDir", "b64enc", "b64dec", "b32enc", "b32dec", "adler32sum", "mustBeInt",
    "nginxMustParseHSTS", "atoi", "int", "int64", "float64", "toDecimal", "parseBool", "semver", "urlParse",
    "fromJson", "fromYaml", "toYaml", "toJson", "html", "js", "urlquery", "len", "print", "duration", "toString",
    "splitList \",\"", "split \".\"", "toStrings", "expandenv", "cat", "plural \"one\" \"many\"", "sha1sum",
]
PROBE_BINARY = [
    ("hasPrefix", "s"), ("hasSuffix", "s"), ("trimAll", "s"), ("trimPrefix", "s"), ("trimSuffix", "s"),
    ("trunc", "n"), ("abbrev", "n"), ("abbrevboth", "nn"), ("wrap", "n"), ("wrapWith", "ns"), ("indent", "n"),
    ("nindent", "n"), ("repeat", "n"), ("substr", "nn"), ("splitn", "sn"), ("splitN", "sn"), ("replace", "ss"),
    ("sprigReplace", "ss"), ("semverCompare", "s"), ("contains", "s"), ("sprigContains", "s"), ("comment", "s"),
    ("join", "s"), ("toDate", "s"), ("split", "s"), ("splitList", "s"), ("sprigSplit", "s"), ("regexMatch", "s"),
    ("dateModify", "s"), ("mustBeIntInRange", "nn"), ("closest", "s"), ("urlJoin", "s"),
]

PROBE_NUMERIC = [
    ("add", -1), ("sub", 2), ("mul", -1), ("div", 2), ("mod", 2), ("max", -1), ("min", -1), ("addf", -1),
    ("subf", 2), ("mulf", -1), ("divf", 2), ("maxf", -1), ("minf", -1), ("floor", 1), ("ceil", 1), ("round", 2),
    ("round", 3), ("int", 1), ("int64", 1), ("float64", 1), ("toDecimal", 1), ("atoi", 1), ("add1", 1),
    ("add1f", 1), ("biggest", -1), ("until", 1), ("untilStep", 3), ("seq", -1), ("toString", 1), ("printf \"%v\"", 1),
    ("eq", 2), ("lt", 2), ("le", 2), ("ne", 2), ("ge", 2), ("gt", 2), ("duration", 1), ("durationRound", 1),
]
PROBE_NUMBERS = [
    "0", "1", "-1", "2", "3", "7", "-0", "1.5", "-2.5", "0.5", "1e3", "1e300", "-1e300", "2.675", "9223372036854775807",
    "-9223372036854775808", "18446744073709551615", "4294967296", '"12"', '"1.5"', '" 5"', '"0x10"', '"1e3"',
    '"abc"', '""', "true", "nil", "'a'", "(add 1 2)", "(int64 5)", "(float64 2)", "(toDecimal \"0777\")", '"-0"', "0x7f", "1.5i",
]
PROBE_DATES = ["0001-01-01", "0000-01-01", "0000-02-29", "1850-06-15", "1970-01-01", "2024-03-31", "9999-12-31",
               "1883-11-18", "2038-01-19"]
PROBE_DURATIONS = ["-1h", "1h", "-8760h", "-2562047h", "2562047h", "-1000000h", "1000000h", "-1ns", "90m", "0s",
                   "-1.5h", "2562047h47m16.854775807s"]
PROBE_ZONES = ["UTC", "Local", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe",
               "Africa/Monrovia", "Pacific/Chatham", "Asia/Kathmandu", "", "Nope/Zone"]
PROBE_LAYOUTS = ["2006-01-02 15:04:05.000 MST -0700", "Mon Jan _2 15:04:05 2006", "06 002 __2 Z07:00:00 -07",
                 "2006-01-02T15:04:05.999999999Z07:00", "3:04PM Monday January 2", "-070000 Z0700 MST"]
PROBE_TIME_METHODS = ["Year", "YearDay", "Weekday", "Month", "Day", "Hour", "Unix", "UnixNano", "IsZero", "UTC",
                      "Local", "Nanosecond", "String", "Location", "AddDate 1 -13 40", "Truncate 7200000000000",
                      "Round 86400000000000", "IsDST", "MarshalText", "MarshalBinary", "GobEncode", "Date", "Clock",
                      "ISOWeek", "Zone", "ZoneBounds", 'AppendFormat nil "2006 MST"', "AppendText nil",
                      "AppendBinary nil"]
PROBE_LAYOUT_PARTS = ["2006", "06", "01", "1", "Jan", "January", "02", "2", "_2", "__2", "002", "15", "3", "03", "4",
                      "04", "5", "05", "PM", "pm", "MST", "-0700", "-07:00", "Z07:00", "-07", "Z0700", ".000", ".999",
                      ",000", "Mon", "Monday", " ", "-", ":", "T", "x", "/"]
PROBE_VALUE_PARTS = ["2020", "20", "0000", "12", "1", "Feb", "February", "30", "31", " 5", "366", "060", "23", "11",
                     "PM", "am", "UTC", "CET", "+0530", "-07:00", "Z", "+05", ".123", ",5", ".1234567891", "Mon", " ",
                     "-", ":", "T", "x", "/", "24", "60", "00", "GMT+3", "13", "0", "29", "-5"]

PROBE_VALUES = [
    "$", ".", "(index $ 0)", "(index $ 1)", "$.Docker", "$.Env", "$.CurrentContainer", "(index $ 0).Image",
    "(index $ 0).State", "(index $ 0).Addresses", "(index $ 0).Networks", "(index $ 0).Volumes", "(index $ 0).Mounts",
    "(index $ 0).Node", "(index $ 0).Labels", "(index $ 0).Created", "(index $ 0).Created.Month",
    "(index $ 0).Created.Location", "(first (index $ 0).Networks)", '(semver "1.2.3-rc.1+b")',
    '(urlParse "http://u:p@h:80/p?q=1#f")', '(list 1 "a" nil 2.5 true)', '(dict "a" (list 1) "b" nil)',
    '(splitList "," "a,b")', '(toDate "2006" "2020")', "(1.5)", "(2i)", "('a')", "nil", '(b64dec "AAEC")', "(int64 5)",
    '(toDecimal "0777")', "(until 3)", "(chunk 2 (list 1 2 3))", '(groupByLabel $ "com.docker.compose.project")',
    '(fromJson "{\\"a\\":[1,{\\"b\\":null}]}")', "(deepCopy (index $ 0))", '(tuple 1 "x")', "(seq 3)",
    '(toStrings (list 1 nil))', '(compact (list 0 1 "" nil))', '(semver "1.2.3").IncMinor',
    "((index $ 0).Created.Sub (toDate \"2006\" \"2020\"))", "$.Docker.NumContainers",
]
PROBE_VERBS = ["%v", "%+v", "%#v", "%T", "%q", "%x", "%X", "%d", "%s", "%t", "%5.2v", "%-8v|", "%08v", "%.3v", "%e",
               "%U", "%c", "%o", "%b", "%g"]
PROBE_VALUE_FUNCTIONS = [  # {} is the value; map keys come in Go's random order, so they are sorted
    "typeOf {}", "kindOf {}", "toJson {}", "toPrettyJson {}", "toRawJson {}", "toYaml {}", "toString {}", "print {}",
    "len {}", "empty {}", "toStrings {}", "deepCopy {}", "json {}", "html {}", "js {}", "urlquery {}",
    'typeIs "int" {}', 'kindIs "ptr" {}', "cat {}", "quote {}", "squote {}", "first {}", "sortAlpha (keys {})",
    "sortAlpha (values {})",
]

# docker-gen's functions on containers: arguments that find something (C: containers,
# F: a field path, L: a label, V: a value, S: a separator, X: strings to match, R: a pattern).
CONTAINERS = ["$", '(whereExist $ "Env.VIRTUAL_HOST")', "(list (index $ 0))", "(list)", "(slice $ 1)", "nil"]
FIELD_PATHS = [
    "Name", "Env.VIRTUAL_HOST", "Labels.com.docker.compose.project", "State.Running", "Image.Repository", "IP",
    "Nope", "Env.VIRTUAL_PORT", "Networks", "Addresses", "State.Health.Status", "Labels", "Labels.tier", "Env",
    "", "Image", "Node.Name", "Created", "Labels.a.b", "Mounts",
]
LABELS = ["com.docker.compose.project", "com.docker.compose.service", "tier", "nope", "a.b", "a b", "", "a"]
VALUES = ['"shop"', '"nginx"', "true", '""', '"app.example.com"', "1", "nil", '"healthy"', '"80"']
DOCKERGEN_ARGS = {
    "where": "CFV", "whereNot": "CFV", "whereExist": "CF", "whereNotExist": "CF", "whereAny": "CFSX",
    "whereAll": "CFSX", "whereLabelExists": "CL", "whereLabelDoesNotExist": "CL", "whereLabelValueMatches": "CLR",
    "groupBy": "CF", "groupByKeys": "CF", "groupByWithDefault": "CFV", "groupByLabel": "CL",
    "groupByLabelWithDefault": "CLV", "groupByMulti": "CFS", "sortObjectsByKeysAsc": "CF",
    "sortObjectsByKeysDesc": "CF",
}

# Fields of the dot, by what the dot is.
ROOT_FIELDS = {
    "map": [".Env"], "any": [".Docker", ".CurrentContainer"],
    "str": [".Env.DEFAULT_HOST", ".Env.NOPE", ".Env.EMPTY_VAR", ".Docker.Name", ".Docker.Version",
            ".Docker.CurrentContainerID", ".CurrentContainer.Name", ".Env.UNICODE_VAR"],
    "int": [".Docker.NumContainers"], "container": [".CurrentContainer"],
    "chained": ["(first $).Name", "(index $ 0).Labels.tier", "($.CurrentContainer).Name", "(index $ 1).Image.Tag",
                "(last .).State.Running", '(where $ "State.Running" true | first).ID'],
}
CONTAINER_FIELDS = {
    "str": [".Name", ".ID", ".Hostname", ".IP", ".Gateway", ".NetworkMode", ".Image.Repository", ".Image.Tag",
            ".Image.Registry", ".State.Health.Status", ".Node.Name", ".Node.Address.IP", ".IP6Global",
            ".Labels.nope", ".Env.VIRTUAL_HOST", ".Labels.a", ".Labels.com.docker.compose.project"],
    "map": [".Labels", ".Env", ".Volumes"], "list": [".Addresses", ".Networks", ".Mounts", ".Devices"],
    "time": [".Created"], "bool": [".State.Running"],
    "any": [".Image", ".State", ".Node", ".Created.Year", ".Created.Unix", ".Image.String",
            ".Node.Address", ".Created.UTC", ".Created.Month", ".Created.Weekday", ".Created.IsZero",
            ".State.Health", ".Labels.a.b", '(.Created.Format "Jan _2 15:04:05.000 MST")', "(.Created.Add -90)",
            "(.Created.AddDate 0 1 -1)", "(.Created.Sub $.CurrentContainer.Created)", "(.Created.Truncate 3600000000000)",
            "(.Created.Before .Created)", "(.Created.Round 60000000000).Minute", "(.Equals (index $ 0))"],
}
ELEMENT_FIELDS = {
    "address": {"str": [".IP", ".Port", ".HostPort", ".Proto", ".HostIP", ".IP6Global"], "any": []},
    "network": {"str": [".Name", ".IP", ".Gateway", ".MacAddress", ".EndpointID"], "list": [".Aliases"],
                "int": [".IPPrefixLen"], "bool": [".Internal"], "any": []},
    "mount": {"str": [".Name", ".Source", ".Destination", ".Mode"], "bool": [".RW"], "any": []},
}

# What a function's declared Go type asks for, as a generator kind.
_KIND_BY_TYPE = {
    "string": "str", "bool": "bool", "float64": "float", "float32": "float", "time.Time": "time",
    "[]string": "strs", "map[string]interface {}": "map", "[]interface {}": "list",
}


def kind_of_type(name: str) -> str:
    if name in _KIND_BY_TYPE:
        return _KIND_BY_TYPE[name]
    if re.fullmatch(r"u?int(8|16|32|64)?|time\.Duration", name):
        return "int"
    if name.startswith("[]"):
        return "list"
    if name.startswith("map["):
        return "map"
    return "any"


@dataclass
class Scope:
    """What the dot is and which variables are declared, while generating one template body."""

    dot: str  # root, container, address, network, mount, str, int, any
    variables: dict[str, str] = field(default_factory=dict)  # name -> kind
    in_range: bool = False


class Generator:
    """Random templates from one seed."""

    def __init__(self, rng: random.Random, mutation_rate: float = 0.08) -> None:
        self.rng = rng
        self.mutation_rate = mutation_rate  # share of templates given a syntax error
        funcs = function_map()
        self.functions = {name: f for name, f in sorted(funcs.items()) if name not in EXCLUDED}
        self.by_result: dict[str, list[str]] = {}
        for name, f in self.functions.items():
            self.by_result.setdefault(kind_of_type(f.result.name), []).append(name)
        self.defines: list[str] = []
        self.counter = 0

    # -- small helpers --

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, seq: Any) -> Any:
        return self.rng.choice(seq)

    def fresh_variable(self) -> str:
        self.counter += 1
        return f"$v{self.counter}"

    # -- literals --

    def string_literal(self, value: str | None = None) -> str:
        value = self.pick(STRINGS) if value is None else value
        if "`" not in value and "\r" not in value and self.chance(0.25):
            return f"`{value}`"
        out = []
        for ch in value:
            code = ord(ch)
            if ch == '"' or ch == "\\":
                out.append("\\" + ch)
            elif ch == "\n":
                out.append("\\n" if self.chance(0.8) else "\\x0a")
            elif ch == "\t":
                out.append("\\t")
            elif code < 0x20 or code == 0x7F:
                out.append(f"\\x{code:02x}")
            elif code > 0x7F and self.chance(0.2):
                out.append(f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
            else:
                out.append(ch)
        return '"' + "".join(out) + '"'

    def int_literal(self, small: bool = False) -> str:
        if not small and self.chance(0.06):
            return self.pick(BIG_INTS)
        return self.pick(INTS)

    def literal(self) -> str:
        choice = self.rng.random()
        if choice < 0.4:
            return self.string_literal()
        if choice < 0.65:
            return self.int_literal()
        if choice < 0.8:
            return self.pick(FLOATS)
        if choice < 0.85:
            return self.pick(COMPLEX)
        if choice < 0.95:
            return self.pick(["true", "false"])
        return "nil"

    # -- operands and pipelines by kind --

    def field_choices(self, scope: Scope, kind: str) -> list[str]:
        if scope.dot == "root":
            table = ROOT_FIELDS
        elif scope.dot == "container":
            table = CONTAINER_FIELDS
        elif scope.dot in ELEMENT_FIELDS:
            table = ELEMENT_FIELDS[scope.dot]
        else:
            return [".", ".Nope"] if kind == "any" else []
        if kind == "any":
            return [f for values in table.values() for f in values]
        return table.get(kind, [])

    def variable_choices(self, scope: Scope, kind: str) -> list[str]:
        names = [n for n, k in scope.variables.items() if kind == "any" or k == kind]
        if kind in ("list", "any"):
            names.append("$")
        return names

    def operand(self, scope: Scope, kind: str, depth: int) -> str:
        """One argument: a literal, field, variable, or parenthesised pipeline of ``kind``."""
        roll = self.rng.random()
        fields = self.field_choices(scope, kind)
        variables = self.variable_choices(scope, kind)
        if roll < 0.01:
            return self.pick([".Nope", "$.Nope", ".Docker.Nope", ".Name.x"])
        if roll < 0.03 and kind in ("any", "str"):
            return self.pick(ROOT_FIELDS["chained"])
        if roll < 0.22 and fields:
            return self.pick(fields)
        if roll < 0.34 and variables:
            var = self.pick(variables)
            if var == "$" and self.chance(0.6):
                return self.pick(["$", "$.Env", "$.Docker", "$.CurrentContainer", "$.Env.DEFAULT_HOST", "$.Nope"])
            return var
        if roll < 0.62 and depth > 0:
            inner = self.pipeline(scope, kind, depth - 1)
            text = f"({inner})"
            if kind == "any" and self.chance(0.08):
                text += self.pick([".Name", ".Nope", ".a", ".Year", ".IP"])
            return text
        return self.kind_literal(scope, kind, depth)

    def kind_literal(self, scope: Scope, kind: str, depth: int) -> str:
        if kind == "str":
            return self.string_literal()
        if kind == "int":
            return self.int_literal()
        if kind == "float":
            return self.pick(FLOATS + INTS[:6])
        if kind == "bool":
            return self.pick(["true", "false", "true", "nil", "0", "1"])
        if kind == "list":
            if depth > 0:
                return "(" + self.call("list", scope, depth - 1) + ")"
            return self.pick(["$", "(list)", "(list 1 2 3)", '(list "b" "a" "c")', '(splitList "," "x,y")'])
        if kind == "strs":
            return self.pick(['(splitList "," "b,a,c")', '(split "a.b" ".")', "(list \"a\")", '(sortAlpha (list "x"))',
                              '(splitList "" "")', "(list)", '(dir "@DIR@/data")', "nil", '(regexSplit "," "p,q" -1)'])
        if kind == "map":
            if depth > 0 and self.chance(0.5):
                return "(" + self.call("dict", scope, depth - 1) + ")"
            return self.pick(['(dict "a" 1 "b" "x")', "(dict)", "$.Env", '(dict "Name" "n" "a" (list 1))', "nil"])
        if kind == "time":
            return self.pick([
                '(toDate "2006-01-02" "2020-03-04")', '(toDate "2006-01-02T15:04:05Z07:00" "2021-06-30T23:59:58+02:00")',
                '(toDate "2006" "0001")', '(date_modify "-2h" (toDate "2006-01-02" "2020-03-04"))',
                '(toDate "2006-01-02" "1-01-01")', '(toDate "15:04" "25:00")', '(toDate "2006" "0000")',
            ])
        if kind == "container":
            return self.pick(["(index $ 0)", "(first $)", "$.CurrentContainer", "(last $)"])
        return self.literal()

    def call(self, name: str, scope: Scope, depth: int, piped: bool = False) -> str:
        """``name arg...``; with ``piped`` the last argument is left out (the pipe gives it)."""
        if name in BUILTINS and name not in self.functions:
            return self.builtin_call(name, scope, depth, piped)
        f = self.functions[name]
        kinds = [kind_of_type(p.name) for p in f.params]
        if f.variadic is not None:
            extra = self.rng.choice([0, 1, 1, 2, 2, 3, 4])
            kinds += [kind_of_type(f.variadic.name)] * extra
        if self.chance(0.04):  # a wrong number of arguments
            if kinds and self.chance(0.5):
                kinds.pop()
            else:
                kinds.append("any")
        if name in DOCKERGEN_ARGS and self.chance(0.7):
            return self.dockergen_call(name, piped)
        if piped and kinds:
            kinds = kinds[:-1]
        args = []
        for index, kind in enumerate(kinds):
            if name in CLOCK_ARGUMENT and index == CLOCK_ARGUMENT[name]:
                args.append(self.operand(scope, "time", depth) if self.chance(0.8) else self.int_literal(True))
                continue
            if name in NO_TIME_ARGUMENT:
                args.append(self.pick(['"1h30m"', '"-90s"', "3600000000000", '"2h45m30.5s"', '"bad"', "0", "1.5"]))
                continue
            if name in SMALL_COUNTS and kind == "int":
                args.append(self.pick(["0", "1", "2", "3", "5", "-1", "-3", "10"]))
                continue
            if name.startswith(("regex", "mustRegex")) and kind == "str" and index == 0:
                args.append(self.string_literal(self.pick(PATTERNS)))
                continue
            if name == "dir" or name in ("exists", "include") and self.chance(0.5):  # they read the disk
                args.append(self.string_literal(self.pick(PATHS)))
                continue
            if name in ("printf",):
                args.append(self.string_literal(self.pick(FORMATS)))
                continue
            if self.chance(0.05):  # something of another type
                kind = self.pick(["str", "int", "float", "bool", "list", "map", "any", "time"])
            args.append(self.operand(scope, kind, depth))
        text = " ".join([name] + args)
        if name in SHAPE_ONLY:
            return f"len ({text})" if not piped else f"{text} | len"
        if name in UNORDERED:
            return f"sortAlpha ({text})" if not piped else f"{text} | sortAlpha"
        return text

    def dockergen_call(self, name: str, piped: bool) -> str:
        """A docker-gen container function with arguments that select something."""
        pools = {
            "C": CONTAINERS, "F": [self.string_literal(f) for f in FIELD_PATHS],
            "L": [self.string_literal(label) for label in LABELS], "V": VALUES,
            "S": ['","', '"."', '" "', '""'], "X": ['(list "shop" "web")', "(list)", '(split "a,b" ",")'],
            "R": ['"^sh"', '"o"', '"[a-z]+"', '"^$"', '"x*"'],
        }
        args = [self.pick(pools[code]) for code in DOCKERGEN_ARGS[name]]
        if piped:
            args = args[:-1]
        text = " ".join([name] + args)
        if name in UNORDERED:
            return f"sortAlpha ({text})" if not piped else f"{text} | sortAlpha"
        return text

    def builtin_call(self, name: str, scope: Scope, depth: int, piped: bool) -> str:
        def arg(kind: str = "any") -> str:
            return self.operand(scope, kind, depth)

        count = {"not": 1, "len": 1, "html": 1, "js": 1, "urlquery": 1}.get(name)
        if name in ("and", "or"):
            args = [arg(self.pick(["bool", "any"])) for _ in range(self.rng.randint(1, 3))]
        elif name in ("eq", "ne", "lt", "le", "gt", "ge"):
            kind = self.pick(["str", "int", "float", "bool", "any", "int"])
            n = 2 if name != "eq" or self.chance(0.7) else self.rng.randint(1, 4)
            args = [arg(kind) for _ in range(n)]
        elif name == "index":
            target = self.pick(["list", "map", "str", "any", "list"])
            keys = [arg("int" if target in ("list", "str") else self.pick(["str", "str", "int"]))
                    for _ in range(self.rng.choice([0, 1, 1, 1, 2]))]
            args = [arg(target)] + keys
        elif name == "printf":
            args = [self.string_literal(self.pick(FORMATS))] + [arg() for _ in range(self.rng.choice([0, 1, 1, 2, 3]))]
        elif name in ("print", "println"):
            args = [arg() for _ in range(self.rng.choice([0, 1, 2, 3]))]
        elif name == "call":
            args = [self.pick([".Name", "1", "nil", "$", ".Nope", ".Env", '"f"', "$.Docker", ".Created.Year"])]
            args += [arg() for _ in range(self.rng.choice([0, 1]))]
        elif count:
            args = [arg() for _ in range(count if self.chance(0.95) else self.pick([0, 2]))]
        else:
            args = [arg() for _ in range(self.rng.randint(0, 2))]
        if piped and args:
            args = args[:-1]
        return " ".join([name] + args)

    def command_for(self, kind: str) -> str:
        """A function name whose result suits ``kind``."""
        if kind == "any" or self.chance(0.1):
            pool = sorted(self.functions) + sorted(BUILTINS) * 3
        else:
            pool = list(self.by_result.get(kind, []))
            pool += {"bool": ["eq", "ne", "lt", "le", "gt", "ge", "and", "or", "not"] * 2,
                     "str": ["print", "printf", "printf", "printf", "html", "js", "urlquery", "println"],
                     "int": ["len", "len"], "any": ["index", "index"]}.get(kind, [])
            if not pool:
                pool = sorted(self.functions)
        return self.pick(pool)

    def pipeline(self, scope: Scope, kind: str, depth: int) -> str:
        """A pipeline of ``kind``: an operand or a call, then maybe ``| f args``."""
        if self.chance(0.4) or depth <= 0:
            first = self.operand(scope, kind, depth)
            if first == "nil" and self.chance(0.9):  # "nil is not a command": now and then only
                first = "(list nil)"
        else:
            first = self.call(self.command_for(kind), scope, depth)
        commands = [first]
        for _ in range(self.rng.choice([0, 0, 0, 1, 1, 2])):
            name = self.command_for(kind)
            while name in NOT_PIPED:
                name = self.command_for(kind)
            commands.append(self.call(name, scope, max(depth - 1, 0), piped=True))
        return " | ".join(commands)

    # -- actions and control structures --

    def open(self) -> str:
        return "{{- " if self.chance(0.15) else self.pick(["{{", "{{ ", "{{ "])

    def close(self) -> str:
        return " -}}" if self.chance(0.15) else self.pick(["}}", " }}", " }}"])

    def action(self, inner: str) -> str:
        return self.open() + inner + self.close()

    def text(self) -> str:
        return self.pick(TEXT)

    def print_action(self, scope: Scope, depth: int) -> str:
        kind = self.pick(["str", "str", "int", "float", "bool", "list", "map", "any", "any", "time"])
        pipe = self.pipeline(scope, kind, depth)
        if self.chance(0.15):
            name = self.fresh_variable()
            scope.variables[name] = kind
            return self.action(f"{name} := {pipe}") + self.action(name)
        if self.chance(0.05) and scope.variables:
            name = self.pick(sorted(scope.variables))
            return self.action(f"{name} = {pipe}")
        return self.action(pipe)

    def body(self, scope: Scope, depth: int, items: int) -> str:
        parts = []
        for _ in range(items):
            parts.append(self.item(scope, depth))
        return "".join(parts)

    def child(self, scope: Scope, dot: str, in_range: bool | None = None) -> Scope:
        return Scope(dot, dict(scope.variables), scope.in_range if in_range is None else in_range)

    def item(self, scope: Scope, depth: int) -> str:
        roll = self.rng.random()
        if roll < 0.15:
            return self.text()
        if roll < 0.5 or depth <= 0:
            return self.print_action(scope, min(depth, 2))
        if roll < 0.6:
            return self.if_block(scope, depth)
        if roll < 0.75:
            return self.range_block(scope, depth)
        if roll < 0.83:
            return self.with_block(scope, depth)
        if roll < 0.88 and self.defines:
            name = self.pick(self.defines)
            arg = self.pick([".", "$", "nil", "(index $ 0)", '"s"', "1", ".Nope", ""]) if self.chance(0.8) else ""
            return self.action(f'template "{name}" {arg}'.rstrip())
        if roll < 0.91:
            comment = self.pick(["/* c */", "/* multi\nline */", "/**/"])
            return self.pick(["{{", "{{- "]) + comment + self.pick(["}}", " -}}"])
        if roll < 0.94 and scope.in_range:
            return self.action(self.pick(["break", "continue"]))
        if roll < 0.97:
            return self.block_block(scope, depth)
        return self.text()

    def condition(self, scope: Scope, depth: int) -> str:
        return self.pipeline(scope, self.pick(["bool", "bool", "any", "str", "int", "list", "map"]), min(depth, 2))

    def if_block(self, scope: Scope, depth: int) -> str:
        inner = self.child(scope, scope.dot)
        head = self.condition(scope, depth)
        if self.chance(0.1):  # a declaration in the control pipeline: visible to the end
            name = self.fresh_variable()
            inner.variables[name] = "any"
            head = f"{name} := {head}"
        out = self.action("if " + head) + self.body(inner, depth - 1, 2)
        for _ in range(self.rng.choice([0, 0, 1, 2])):
            out += self.action("else if " + self.condition(scope, depth))
            out += self.body(self.child(scope, scope.dot), depth - 1, 1)
        if self.chance(0.4):
            out += self.action("else") + self.body(self.child(scope, scope.dot), depth - 1, 1)
        return out + self.action("end")

    def range_source(self, scope: Scope) -> tuple[str, str, str]:
        """(pipeline, element dot kind, key kind)."""
        if self.chance(0.1):  # sources Go refuses
            return self.pick([("nil", "any", "int"), ('"abc"', "any", "int"), ("2.5", "any", "int"),
                              ("$.Docker", "any", "int"), ("true", "any", "int"), ("$.CurrentContainer", "any", "int")])
        choices: list[tuple[str, str, str]] = [
            ("$", "container", "int"), ("(list 1 \"a\" 2.5)", "any", "int"), ("3", "int", "int"),
            ("0", "int", "int"), ("(until 3)", "int", "int"), ("$.Env", "str", "str"), ('(dict "b" 1 "a" 2)', "any", "str"),
            ('(splitList "," "x,,y")', "str", "int"), ("(list)", "any", "int"), ("-1", "int", "int"),
            ('(groupByLabel $ "com.docker.compose.project")', "any", "str"), ("(whereExist $ \"Env.VIRTUAL_HOST\")", "container", "int"),
            ("(seq 3)", "any", "int"), ("(list (dict \"a\" 1) (dict \"a\" 2))", "any", "int"),
        ]
        if scope.dot == "container":
            choices += [(".Addresses", "address", "int"), (".Networks", "network", "int"), (".Mounts", "mount", "int"),
                        (".Labels", "str", "str"), (".Env", "str", "str"), (".Volumes", "any", "str")]
        if scope.dot == "root":
            choices += [(".", "container", "int"), (".Env", "str", "str")]
        return self.pick(choices)

    def range_block(self, scope: Scope, depth: int) -> str:
        source, element, key = self.range_source(scope)
        inner = self.child(scope, element, in_range=True)
        roll = self.rng.random()
        if roll < 0.35:
            head = source
        elif roll < 0.6:
            name = self.fresh_variable()
            inner.variables[name] = element if element in ("str", "int", "container") else "any"
            head = f"{name} := {source}"
        else:
            k, v = self.fresh_variable(), self.fresh_variable()
            inner.variables[k] = key
            inner.variables[v] = element if element in ("str", "int", "container") else "any"
            head = f"{k}, {v} := {source}"
        out = self.action("range " + head) + self.body(inner, depth - 1, self.rng.randint(1, 3))
        if self.chance(0.25):
            out += self.action("else") + self.body(self.child(scope, scope.dot), depth - 1, 1)
        return out + self.action("end")

    def with_block(self, scope: Scope, depth: int) -> str:
        choices = [("$.CurrentContainer", "container"), ("(index $ 0)", "container"), ('""', "str"),
                   ("$.Env.DEFAULT_HOST", "str"), ("(list)", "any"), ("(dict)", "any"), ("0", "int"), ("nil", "any")]
        if scope.dot == "container":
            choices += [(".Labels", "any"), (".Name", "str"), (".Image", "any"), (".Addresses", "any"), (".Nope", "any")]
        source, dot = self.pick(choices)
        if self.chance(0.3):
            source = self.pipeline(scope, "any", 1)
            dot = "any"
        inner = self.child(scope, dot)
        if self.chance(0.15):
            name = self.fresh_variable()
            inner.variables[name] = dot if dot in ("str", "int", "container") else "any"
            source = f"{name} := {source}"
        out = self.action("with " + source) + self.body(inner, depth - 1, self.rng.randint(1, 2))
        if self.chance(0.2):
            out += self.action("else with " + self.pipeline(scope, "any", 1)) + self.body(self.child(scope, "any"), depth - 1, 1)
        if self.chance(0.3):
            out += self.action("else") + self.body(self.child(scope, scope.dot), depth - 1, 1)
        return out + self.action("end")

    def block_block(self, scope: Scope, depth: int) -> str:
        self.counter += 1
        name = f"blk{self.counter}"
        arg = self.pick([".", "$", "(index $ 0)", '"x"'])
        dot = {"$": "root", "(index $ 0)": "container", '"x"': "str"}.get(arg, scope.dot)
        inner = Scope(dot)
        body = self.body(inner, min(depth - 1, 1), 1)
        return self.action(f'block "{name}" {arg}') + body + self.action("end")

    def define(self, dot: str) -> tuple[str, str]:
        self.counter += 1
        name = f"d{self.counter}"
        body = self.body(Scope(dot), 2, self.rng.randint(1, 3))  # may call only earlier defines: no recursion
        self.defines.append(name)
        return name, self.action(f'define "{name}"') + body + self.action("end")

    # -- whole templates --

    def template(self) -> dict[str, str]:
        self.defines = []
        files: dict[str, str] = {}
        defines = ""
        for _ in range(self.rng.choice([0, 0, 0, 1, 2])):
            defines += self.define(self.pick(["root", "container", "any"]))[1]
        other = ""
        if self.chance(0.15):
            other = self.define("any")[1] + self.text()
            if self.defines[:-1] and self.chance(0.4):  # a later file's define replaces an earlier one...
                name = self.pick(self.defines[:-1])
                body = "" if self.chance(0.3) else self.body(Scope("any"), 1, 1)  # ...unless it is empty
                other += self.action(f'define "{name}"') + body + self.action("end")
        main = defines + self.body(Scope("root"), 3, self.rng.randint(1, 4))
        if other and self.chance(0.3):  # a file is a template too, named after the file
            main += self.action('template "other.tmpl" ' + self.pick([".", "$", "1", ""]))
        if self.chance(self.mutation_rate):
            main = self.mutate(main)
        files["main.tmpl"] = main
        if other:
            files["other.tmpl"] = other if not self.chance(0.1) else self.mutate(other)
        if "@DIR@/data" in main or "@DIR@/data" in other:
            files["data/x.txt"] = "line1\n{{ .Name }}\n"
        return files

    # -- probes: one function on random text ------------------------------------------------

    def random_text(self, longest: int = 12) -> str:
        """Text built from characters that make string functions choose: cases, connectors,
        punctuation and symbols, digits of several kinds, non-ASCII letters and spaces."""
        return "".join(self.pick(PROBE_ALPHABET) for _ in range(self.rng.randint(0, longest)))

    def probe(self) -> str:
        """One function on random input: text, numbers, times and layouts, or printf verbs."""
        roll = self.rng.random()
        if roll < 0.2:
            return self.number_probe()
        if roll < 0.35:
            return self.time_probe()
        if roll < 0.55:
            return self.value_probe()
        return self.text_probe()

    def value_probe(self) -> str:
        """A value of some Go type through printf verbs, an encoder or a type function."""
        value = self.pick(PROBE_VALUES)
        if self.chance(0.5):
            verbs = " ".join(self.pick(PROBE_VERBS) for _ in range(self.rng.randint(1, 3)))
            return f"{{{{ printf {self.string_literal(verbs)} {value} {value} {value} }}}}"
        return "{{ " + self.pick(PROBE_VALUE_FUNCTIONS).replace("{}", value) + " }}"

    def number_probe(self) -> str:
        name, arity = self.pick(PROBE_NUMERIC)
        args = " ".join(self.pick(PROBE_NUMBERS) for _ in range(arity if arity >= 0 else self.rng.randint(0, 4)))
        return f"{{{{ {name} {args} }}}}".replace("  ", " ")

    def time_probe(self) -> str:
        """A time moved far (before year 1, past 9999), shown through a layout, zone or method."""
        base = f'(toDate "2006-01-02" "{self.pick(PROBE_DATES)}")'
        moment = f'(dateModify "{self.pick(PROBE_DURATIONS)}" {base})'
        roll = self.rng.random()
        if roll < 0.35:
            return f'{{{{ dateInZone "{self.pick(PROBE_LAYOUTS)}" {moment} "{self.pick(PROBE_ZONES)}" }}}}'
        if roll < 0.6:
            return f"{{{{ {moment}.{self.pick(PROBE_TIME_METHODS)} }}}}"
        if roll < 0.75:
            return f'{{{{ printf "%d|%v|%#v" {moment} {moment} {moment} }}}}'
        layout = "".join(self.pick(PROBE_LAYOUT_PARTS) for _ in range(self.rng.randint(1, 5)))
        value = "".join(self.pick(PROBE_VALUE_PARTS) for _ in range(self.rng.randint(0, 5)))
        return f"{{{{ mustToDate {self.string_literal(layout)} {self.string_literal(value)} }}}}"

    def text_probe(self) -> str:
        """``{{ F ... "random text" }}`` for a function of text, or printf with random verbs."""
        text = self.string_literal(self.random_text())
        roll = self.rng.random()
        if roll < 0.55:
            return f"{{{{ {self.pick(PROBE_UNARY)} {text} }}}}"
        if roll < 0.85:
            name, args = self.pick(PROBE_BINARY)
            filled = [self.string_literal(self.random_text(4)) if a == "s" else self.pick(["0", "1", "3", "-1", "8"])
                      for a in args]
            return f"{{{{ {name} {' '.join(filled)} {text} }}}}"
        verbs = "".join(self.pick(["%", "%-", "%0", "%+", "%#", "% ", "%5", "%.2", "%-08", "%x", "%[1]"])
                        + self.pick("dsqvxXoObcUeEfgGtT%!") for _ in range(self.rng.randint(1, 3)))
        args = " ".join(self.pick([text, "1", "-2", "2.5", "true", "nil", "(list 1 \"a\")", "(dict \"k\" 1)",
                                   "'x'", "1.5i", "$.Docker", "(index $ 0).Created"]) for _ in range(self.rng.randint(0, 3)))
        return f"{{{{ printf {self.string_literal(verbs)} {args} }}}}"

    def mutate(self, text: str) -> str:
        """A syntax error, most of the time: a deletion, or a stray token."""
        if not text:
            return "{{"
        at = self.rng.randrange(len(text) + 1)
        if self.chance(0.4) and len(text) > 1:
            end = min(len(text), at + self.rng.randint(1, 3))
            return text[:at] + text[end:]
        token = self.pick(["}}", "{{", "(", ")", "|", "$", ".", "end", ":=", "=", ",", "else", "{{end}}", "\"",
                           "'", "`", "/*", "..", "$x", "-", " -}}", "{{- ", "@", "{{else}}", "{{ else if 1 }}", "1e",
                           "0x", ".5.", "'ab'", "\n", "{{ break }}", "{{ define \"z\" }}", "{{ range }}", "#"])
        return text[:at] + token + text[at:]


def generate(seed: int, count: int, contexts: tuple[str, ...] = ("basic", "edge", "empty"),
             mutation_rate: float = 0.08) -> list[dict]:
    """``count`` cases in the vectors' format, the same for the same ``seed``."""
    rng = random.Random(f"gotemplate-fuzz-{seed}")
    gen = Generator(rng, mutation_rate)
    cases = []
    for index in range(count):
        files = gen.template() if index % 5 else {"main.tmpl": gen.probe()}
        cases.append({"name": f"s{seed}-{index}", "context": rng.choice(contexts), "files": files})
    return cases


@dataclass
class Report:
    cases: int = 0
    compared: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)
    oracle_seconds: float = 0.0
    ours_seconds: float = 0.0


def fuzz(seeds: list[int], count: int, jobs: int = 2, progress: Callable[[str], None] | None = None,
         mutation_rate: float = 0.08) -> Report:
    """Generate, run through both engines and compare, seed by seed."""
    report = Report()
    for seed in seeds:
        cases = generate(seed, count, mutation_rate=mutation_rate)
        started = time.perf_counter()
        results = run_oracle(cases, jobs=jobs)
        report.oracle_seconds += time.perf_counter() - started
        started = time.perf_counter()
        bad = 0
        for case, result in zip(cases, results):
            report.cases += 1
            if ignored(result):
                continue
            report.compared += 1
            mismatch = compare(result, run_ours(case))
            if mismatch is not None:
                report.mismatches.append(mismatch)
                bad += 1
        report.ours_seconds += time.perf_counter() - started
        if progress:
            progress(f"seed {seed}: {bad} of {count} differ")
    return report


_PIECE = re.compile(r"\{\{.*?\}\}|[^{]+|\{", re.S)


def _smaller(text: str) -> Iterator[str]:
    """Variants of ``text`` with one action, text run or word of an action left out."""
    pieces = _PIECE.findall(text)
    for i in range(len(pieces)):
        yield "".join(pieces[:i] + pieces[i + 1:])
    for i, piece in enumerate(pieces):
        if piece.startswith("{{"):
            words = piece.split(" ")
            for j in range(1, len(words) - 1):
                yield "".join(pieces[:i]) + " ".join(words[:j] + words[j + 1:]) + "".join(pieces[i + 1:])


def minimize(case: dict, rounds: int = 60) -> dict:
    """A smaller case that still differs the same way, by removing pieces while it does."""
    best = case
    first = compare(run_oracle([case])[0], run_ours(case))
    if first is None:
        return case
    signature = first.signature()
    for _ in range(rounds):
        candidates = []
        for name, text in best["files"].items():
            if "/" in name:
                continue
            for smaller in _smaller(text):
                files = dict(best["files"], **{name: smaller})
                candidates.append(dict(best, name=f"{case['name']}-m{len(candidates)}", files=files))
        if not candidates:
            break
        results = run_oracle(candidates)
        for candidate, result in zip(candidates, results):
            mismatch = None if ignored(result) else compare(result, run_ours(candidate))
            if mismatch is not None and mismatch.signature() == signature:
                best = candidate
                break
        else:
            break
    return best


def refresh_golden(path: Path) -> int:
    """Rewrite the expected results of a golden file with the real Go engine's."""
    cases = json.loads(path.read_text(encoding="utf-8"))
    contexts = path.parent / "contexts"
    keep = ("name", "context", "note", "files")
    plain = [{k: c[k] for k in keep if k in c} for c in cases]
    results = run_oracle(plain, contexts)
    bad = [r["name"] for r in results if ignored(r)]
    if bad:
        print(f"Go could not run these cases: {', '.join(bad)}", file=sys.stderr)
        return 1
    path.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    differ = [r["name"] for r in results if compare(r, run_ours(r, contexts), shapes=False)]
    print(f"{len(results)} cases written; dockergen differs on {len(differ)}: {' '.join(differ)}")
    return 0


def _seed_list(text: str) -> list[int]:
    seeds: list[int] = []
    for part in text.split(","):
        if "-" in part:
            low, high = part.split("-")
            seeds.extend(range(int(low), int(high) + 1))
        else:
            seeds.append(int(part))
    return seeds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="1-5", help="seeds: 1-50,77")
    parser.add_argument("--cases", type=int, default=300, help="cases per seed")
    parser.add_argument("--mutate", type=float, default=0.08, help="share of templates given a syntax error")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="oracle worker processes")
    parser.add_argument("--show", type=int, default=20, help="print this many differences")
    parser.add_argument("--dump", help="write the differing cases (vectors format, Go's results) to this JSON file")
    parser.add_argument("--minimize", action="store_true", help="shrink each shown difference first")
    parser.add_argument("--golden", metavar="FILE",
                        help="fill in Go's results for the cases of a golden file (its contexts: FILE's dir/contexts)")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # include's "Template error" warnings, as docker-gen logs them
    reason = available()
    if reason:
        print(f"cannot fuzz: {reason}", file=sys.stderr)
        return 2
    if args.golden:
        return refresh_golden(Path(args.golden))
    report = fuzz(_seed_list(args.seeds), args.cases, args.jobs, progress=lambda line: print(line, file=sys.stderr),
                  mutation_rate=args.mutate)
    for mismatch in report.mismatches[: args.show]:
        if args.minimize:
            case = minimize({k: mismatch.case[k] for k in ("name", "context", "files")})
            mismatch = compare(run_oracle([case])[0], run_ours(case)) or mismatch
        print(mismatch.describe())
    if args.dump:
        Path(args.dump).write_text(json.dumps([m.case for m in report.mismatches], indent=1, ensure_ascii=False))
    rate = 100.0 * len(report.mismatches) / max(report.compared, 1)
    print(f"{report.cases} cases, {report.compared} compared, {len(report.mismatches)} differ ({rate:.2f} %); "
          f"oracle {report.oracle_seconds:.1f} s, ours {report.ours_seconds:.1f} s")
    return 1 if report.mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
