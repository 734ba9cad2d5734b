"""What a one-shot run imports: only what it uses, so that it starts fast.

A one-shot ``docker-gen`` lives about a tenth of a second, a good part of it
importing.  Watch mode, metrics, YAML, the docker SDK, RE2, OpenSSL's hashes
... are each a few milliseconds to tens of them; a one-shot run that does not
use them must not load them.  These tests run real one-shot runs against a
small fake engine (a unix socket answering the list, inspect, info and version
calls) in a fresh interpreter without ``site`` (so that no ``.pth`` file of
the environment, such as an editable install's finder, imports anything
first) and look at ``sys.modules`` afterwards: a module-level import of any of
these, reintroduced anywhere on the path, fails them.
"""

from __future__ import annotations

import ast
import itertools
import json
import os
import site
import socketserver
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "dockergen"

# Never on a one-shot path that does not use them (the second column says what needs them).
NEVER = {
    "docker": "the SDK: events, signals, exec, tcp endpoints",
    "requests": "the SDK",
    "urllib3": "the SDK",
    "http.client": "the SDK",
    "http.server": "the metrics endpoint (watch mode)",
    "ssl": "TLS endpoints",
    "email": "http.client",
    "prometheus_client": "metrics (-metrics-addr)",
    "watchfiles": "template edits (watch mode)",
    "yaml": "fromYaml and friends",
    "concurrent.futures": "the SDK's parallel inspects",
    "asyncio": "nothing",
    "pathlib": "nothing on this path",
    "socket": "the SDK (the lean client reads the engine with _socket's own type; the module costs 3 to 4 ms)",
    "selectors": "socket",
    "difflib": "-dry-run",
    "dockergen.watch": "watch mode",
    "dockergen.debounce": "watch mode",
    "dockergen.template_watch": "watch mode",
    "dockergen.daemon.events": "watch mode",
    "dockergen.daemon.exec": "notify/check in containers",
    "dockergen.daemon.swarm": "swarm mode",
    "dockergen.daemon.swarm_inventory": "swarm mode",
    "dockergen.daemon.podman": "Podman's event dialect",
    "dockergen.pipeline.check": "-check-cmd",
    "dockergen.helpers.yamlfmt": "toYaml, fromYaml",
}
# ... and a Go template that calls none of these functions does not load what they need.
NEVER_FOR_GO = {
    "jinja2": "Jinja2 templates",
    "dockergen.jinja": "Jinja2 templates",
    "hashlib": "derivePassword, genCA ... (OpenSSL's library takes milliseconds to load; sha1sum does without)",
    "_hashlib": "hashlib",
    "re2": "regular expressions (regexMatch, whereLabelValueMatches, semver ...)",
    "dockergen.golang.regexp": "regular expressions",
    "random": "randAlpha, shuffle, randInt ...",
    "secrets": "randAlpha ...",
    "zlib": "adler32sum",
    "cryptography": "genCA and friends",
    "bcrypt": "bcrypt, htpasswd",
    "zoneinfo": "date functions",
    "decimal": "addf and the other float functions",
    "urllib.parse": "queryEscape, urlParse (Jinja2 loads it)",
    "ipaddress": "urllib.parse, getHostByName",
    "pickle": "Jinja2's bytecode cache (the Go engine's cache reads its entries with _pickle's classes)",
}

ID1, ID2 = "a" * 64, "b" * 64
CONTAINERS = {
    ID1: {"name": "web1", "env": ["VIRTUAL_HOST=one.example.com"], "ip": "172.17.0.2"},
    ID2: {"name": "web2", "env": ["VIRTUAL_HOST=two.example.com", "VIRTUAL_PORT=8080"], "ip": "172.17.0.3"},
}


def _inspect(container_id: str) -> dict:
    c = CONTAINERS[container_id]
    return {
        "Id": container_id, "Name": "/" + c["name"], "Created": "2024-01-02T03:04:05.123456789Z",
        "Image": "sha256:" + "c" * 64, "State": {"Running": True, "Status": "running"},
        "Config": {"Hostname": c["name"], "Image": "example/web:1", "Env": c["env"], "Labels": {"app": "web"},
                   "ExposedPorts": {"80/tcp": {}, "8080/tcp": {}}},
        "HostConfig": {"NetworkMode": "bridge"},
        "NetworkSettings": {"IPAddress": c["ip"], "Gateway": "172.17.0.1",
                            "Ports": {"80/tcp": None, "8080/tcp": None},
                            "Networks": {"bridge": {"IPAddress": c["ip"], "Gateway": "172.17.0.1"}}},
        "Mounts": [],
    }


def _answer(path: str) -> tuple[str, object]:
    route = path.split("?", 1)[0]
    if route == "/containers/json":
        return "200 OK", [{"Id": cid, "Names": ["/" + c["name"]], "State": "running", "Labels": {"app": "web"}}
                          for cid, c in CONTAINERS.items()]
    if route.startswith("/containers/") and route.endswith("/json") and route.split("/")[2] in CONTAINERS:
        return "200 OK", _inspect(route.split("/")[2])
    if route == "/info":
        return "200 OK", {"ID": "FAKE", "Name": "fake-engine", "Containers": 2, "Images": 1}
    if route == "/version":
        return "200 OK", {"Version": "27.0.0", "ApiVersion": "1.46", "GoVersion": "go1.22", "Os": "linux", "Arch": "amd64"}
    if route == "/networks":
        return "200 OK", [{"Name": "bridge", "Id": "d" * 64, "Internal": False}]
    return "404 Not Found", {"message": f"no such thing: {route}"}


class _Requests(socketserver.StreamRequestHandler):
    """One connection: GET requests answered in order, kept alive and pipelined, as the engine does."""

    def handle(self) -> None:
        while request := self.rfile.readline():
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # headers
            status, data = _answer(request.split()[1].decode())
            body = json.dumps(data).encode()
            self.wfile.write(
                f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                + body
            )


class FakeEngine:
    """Answers GET requests on a unix socket (socketserver's threads, one a connection)."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)
        self.server = socketserver.ThreadingUnixStreamServer(self.path, _Requests)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[FakeEngine]:
    fake = FakeEngine(tmp_path / "docker.sock")
    yield fake
    fake.close()


def one_shot(engine: FakeEngine, tmp_path: Path, *args: str) -> tuple[str, set[str]]:
    """Run ``docker-gen ARGS`` once in a fresh interpreter without ``site``: its output and every module it imported."""
    modules = tmp_path / "modules.json"
    code = (
        "import json, sys\n"
        "from dockergen.cli import main\n"
        "status = main(sys.argv[2:])\n"
        "sys.stdout.flush()\n"
        "with open(sys.argv[1], 'w') as handle:\n"
        "    json.dump(sorted(sys.modules), handle)\n"
        "sys.exit(status)\n"
    )
    path = os.pathsep.join([str(REPO), *site.getsitepackages()])  # the packages, without their .pth files
    result = subprocess.run(
        [sys.executable, "-S", "-c", code, str(modules), "-endpoint", f"unix://{engine.path}", *args],
        capture_output=True, text=True, timeout=60,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": path, "HOSTNAME": "dockergen-test"},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout, set(json.loads(modules.read_text()))


def _loaded(modules: set[str], names: dict[str, str]) -> dict[str, str]:
    return {m: why for m, why in names.items() if m in modules or any(n.startswith(m + ".") for n in modules)}


def test_a_names_template_loads_neither_watch_mode_nor_the_sdk(engine: FakeEngine, tmp_path: Path) -> None:
    template = tmp_path / "names.tmpl"
    template.write_text("{{ range $ }}{{ .Name }} {{ .IP }}\n{{ end }}")
    output, modules = one_shot(engine, tmp_path, "-container-filter", "label=app=web", str(template))
    assert sorted(output.splitlines()) == ["web1 172.17.0.2", "web2 172.17.0.3"]
    assert "dockergen.pipeline.job" in modules and "dockergen.gotemplate.engine" in modules  # the real path ran
    assert _loaded(modules, {**NEVER, **NEVER_FOR_GO}) == {}
    assert not any(".sprig." in m or m.endswith("dockergen_funcs") for m in modules)


# docker-gen's functions and the Sprig families proxy templates use most, none of those above.
PROXY_LIKE = """\
{{- range $host, $containers := groupByMulti $ "Env.VIRTUAL_HOST" "," }}
{{- $port := "80" }}{{ range $containers }}{{ $port = .Env.VIRTUAL_PORT | default "80" }}{{ end }}
{{- $names := list }}{{ range $containers }}{{ $names = append $names (.Name | upper) }}{{ end }}
{{- $config := dict "host" (trim $host) "port" $port }}{{ $_ := set $config "n" (add (len $containers) 1) }}
{{ nginxQuote $config.host }} {{ $config.port }} {{ join "," $names }} {{ $config.n }} {{ toJson (keys $config) }} {{ sha1sum $host }}
{{- end }}
{{ range whereLabelExists $ "app" }}{{ .Name }} {{ if exists "/nonexistent" }}x{{ end }}{{ end }}
"""


def test_docker_gen_functions_and_common_sprig_families_load_nothing_heavy(engine: FakeEngine, tmp_path: Path) -> None:
    template = tmp_path / "proxy.tmpl"
    template.write_text(PROXY_LIKE)
    output, modules = one_shot(engine, tmp_path, str(template))
    assert 'one.example.com 80 WEB1 2 ["host","n","port"] 5636ed5aa9b762d3ee3ec940fc992b4a6636ba8c' in output and "two.example.com 8080 WEB2 2" in output
    for family in ("strings", "lists", "dicts", "math", "defaults"):
        assert f"dockergen.gotemplate.sprig.{family}" in modules  # each of them ran
    assert _loaded(modules, {**NEVER, **NEVER_FOR_GO}) == {}


def test_the_bundled_go_proxy_template_loads_only_the_families_it_names(engine: FakeEngine, tmp_path: Path) -> None:
    output, modules = one_shot(engine, tmp_path, str(REPO / "templates" / "go" / "nginx.tmpl"))
    assert "server_name one.example.com;" in output and "server 172.17.0.3:8080;" in output
    assert "dockergen.gotemplate.dockergen_funcs" in modules  # docker-gen's functions ran
    # It names regexMatch (for "~" hosts): the regex family comes with RE2 when the template compiles.
    expected = {name: NEVER_FOR_GO[name] for name in ("re2", "dockergen.golang.regexp")}
    assert _loaded(modules, {**NEVER, **NEVER_FOR_GO}) == expected


def test_a_template_read_from_the_disk_cache_loads_nothing_heavy(engine: FakeEngine, tmp_path: Path) -> None:
    # The second run loads parse trees and programs from the cache entry the first one wrote.
    cache = tmp_path / "cache"
    args = ("-template-cache", str(cache), str(REPO / "templates" / "go" / "nginx.tmpl"))
    first, _ = one_shot(engine, tmp_path, *args)
    assert list((cache / "gotemplate").glob("*.pickle"))
    output, modules = one_shot(engine, tmp_path, *args)
    assert output == first and "server_name one.example.com;" in output
    assert "dockergen.gotemplate.cache" in modules
    assert "dockergen.gotemplate.memo" not in modules  # watch mode's (the compiler asks it, and nothing compiled)
    assert {"dockergen.gotemplate.parser", "dockergen.gotemplate.lexer"} & modules == set()  # nothing parsed
    expected = {name: NEVER_FOR_GO[name] for name in ("re2", "dockergen.golang.regexp")}  # as without the cache
    assert _loaded(modules, {**NEVER, **NEVER_FOR_GO}) == expected


def test_the_dataclasses_a_one_shot_run_makes_compile_no_repr_equality_or_hash(engine: FakeEngine, tmp_path: Path) -> None:
    # @dataclass compiles __init__, __repr__ and __eq__ (and a frozen one's __hash__) for each class
    # at import (~0.5 ms a class); dockergen.records.record shares those.
    output, modules = one_shot(engine, tmp_path, str(REPO / "templates" / "go" / "nginx.tmpl"))
    assert "server_name one.example.com;" in output
    import importlib

    generated, counted = [], 0
    for name in sorted(m for m in modules if m.startswith("dockergen")):
        for cls in vars(importlib.import_module(name)).values():
            if not isinstance(cls, type) or cls.__module__ != name or "__dataclass_fields__" not in vars(cls):
                continue
            counted += 1
            for method in ("__repr__", "__eq__", "__hash__"):
                code = getattr(vars(cls).get(method), "__code__", None)
                if code is not None and code.co_filename == "<string>":
                    generated.append(f"{name}.{cls.__qualname__}.{method}")
    assert counted > 40 and generated == []


def test_the_engine_is_asked_for_the_lists_first_and_the_daemon_facts_before_the_template_compiles(
    engine: FakeEngine, tmp_path: Path,
) -> None:
    # The engine answers a list later when it works on /version or /info (10 to 15 ms each)
    # meanwhile: the lists go alone, the facts with the inspects.  A Go template may always read
    # the facts, so its /info goes then too, not after it compiled (when the snapshot soon needs it).
    template = tmp_path / "names.tmpl"
    template.write_text("{{ range $ }}{{ .Name }}\n{{ end }}{{ $.Docker.Name }}")
    log = tmp_path / "order.json"
    code = (
        "import json, sys\n"
        "from dockergen.daemon import api\n"
        "from dockergen.pipeline import render\n"
        "order = []\n"
        "prefetch, inspects, compile = api.UnixReadClient.prefetch, api.UnixReadClient.prefetch_inspects, render.Template.__init__\n"
        "api.UnixReadClient.prefetch = lambda self, name, *a, **k: (order.append(name), prefetch(self, name, *a, **k))[1]\n"
        "api.UnixReadClient.prefetch_inspects = lambda self, ids, *a, **k: (order.append('inspects'), inspects(self, ids, *a, **k))[1]\n"
        "render.Template.__init__ = lambda self, *a, **k: (order.append('compile'), compile(self, *a, **k))[1]\n"
        "from dockergen.cli import main\n"
        "status = main(sys.argv[2:])\n"
        "sys.stdout.flush()\n"
        "open(sys.argv[1], 'w').write(json.dumps(order))\n"
        "sys.exit(status)\n"
    )
    path = os.pathsep.join([str(REPO), *site.getsitepackages()])
    result = subprocess.run(
        [sys.executable, "-S", "-c", code, str(log), "-endpoint", f"unix://{engine.path}", str(template)],
        capture_output=True, text=True, timeout=60,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": path, "HOSTNAME": "dockergen-test"},
    )
    assert result.returncode == 0, result.stderr
    assert sorted(result.stdout.split()) == ["fake-engine", "web1", "web2"]
    order = [name for name, _ in itertools.groupby(json.loads(log.read_text()))]  # repeats (the inventory's own) as one
    assert order[:order.index("compile") + 1] == ["containers", "inspects", "version", "networks", "info", "compile"]


def test_every_dataclass_has_a_docstring() -> None:
    # Without one, @dataclass builds it from inspect.signature when the module is imported:
    # about a third of the class's creation, paid by every run for every such class.
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ClassDef):
                continue
            decorators = [d.func if isinstance(d, ast.Call) else d for d in node.decorator_list]
            if any(getattr(d, "id", getattr(d, "attr", "")) in ("dataclass", "record") for d in decorators):
                if ast.get_docstring(node) is None:
                    missing.append(f"{path.relative_to(REPO)}:{node.lineno} {node.name}")
    assert missing == []


def test_the_console_entry_turns_the_collector_off_before_the_command_line_loads() -> None:
    # Collecting while dockergen.cli's imports allocate costs a one-shot run ~3 %.
    code = (
        "import gc, sys, dockergen\n"
        "class Probe:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'dockergen.cli':\n"
        "            print('collector on:', gc.isenabled(), flush=True)\n"
        "sys.meta_path.insert(0, Probe())\n"
        "sys.argv = ['docker-gen', '-version']\n"
        "dockergen.console()\n"
    )
    result = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, timeout=60,
                            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(REPO)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["collector on: False", "0.1.0"]
