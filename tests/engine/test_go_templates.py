"""Go text/template end to end against the real engine: docker-gen's own templates, unchanged.

Every template here is written as a docker-gen user writes one (``{{ range $ }}``, ``.Env.X``,
``$.Docker``, ``groupByMulti``, ``define``/``template``, Sprig functions) and goes through the
real command line: one-shot, ``;`` lists, blank lines, parse and execution errors, ``-watch``
with hot template reload, ``-check-cmd`` with a real nginx, quarantine by bisection,
``-dry-run`` and a TOML file mixing a Go and a Jinja2 config.

The one-shot tests share one module-scoped set of containers (``fleet``); tests that start,
stop or remove containers make their own.  Every container carries this session's label and
a tag of its test, and every render filters on that tag: nothing else is seen or touched.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from cli_support import REPO, RunningGenerator, run_cli
from engine_support import Container, wait_for
from nginx_support import CASE_LABEL, Nginx, backends_seen, free_port, start_backends

pytestmark = pytest.mark.engine

ROLE = "com.example.role"


def read(path: Path) -> str:
    try:
        return path.read_text()
    except FileNotFoundError:
        return ""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text)
    return path


def engine_line(path: Path | str, reason: str = "auto: it has '{{ range'") -> str:
    return f"Template {path}: Go text/template engine ({reason})"


# ----------------------------------------------------------------------------- shared containers


@dataclass
class Fleet:
    """Three containers of one tag: alpha (exposes 80), beta (publishes 81), gamma (stopped)."""

    tag: str
    alpha: Container
    beta: Container
    gamma: Container
    docker_version: str

    @property
    def filter(self) -> tuple[str, str]:
        return ("-container-filter", f"label=t={self.tag}")

    def cli(self, *args: str, **kw) -> "object":
        return run_cli(*self.filter, *args, **kw)


@pytest.fixture(scope="module")
def fleet(engine, test_image):
    tag = uuid.uuid4().hex[:8]
    scope = engine.scope()
    specs = {
        "alpha": dict(env={"VIRTUAL_HOST": "alpha.go.test,www.alpha.go.test", "PORT": "8080", "FLAG": "true"},
                      labels={ROLE: "web"}, expose=[80]),
        "beta": dict(env={"VIRTUAL_HOST": "beta.go.test", "PORT": "9090", "FLAG": "false"},
                     labels={ROLE: "api"}, publish={81: None}),
        "gamma": dict(env={"VIRTUAL_HOST": "alpha.go.test", "PORT": "7070", "FLAG": "1"},
                      labels={ROLE: "web"}, start=False),
    }
    from concurrent.futures import ThreadPoolExecutor

    def one(item):
        key, spec = item
        labels = {**spec.pop("labels"), "t": tag}
        return key, scope.container(name=f"dgt-go-{tag}-{key}", labels=labels, **spec)

    try:
        with ThreadPoolExecutor(3) as pool:
            made = dict(pool.map(one, specs.items()))
        yield Fleet(tag, made["alpha"], made["beta"], made["gamma"], engine.api.version()["Version"])
    finally:
        scope.cleanup()


# ----------------------------------------------------------------------------- 1. one-shot

FACTS = """\
# {{ $.Env.GREETING }}: {{ len $ }} container{{ if ne (len $) 1 }}s{{ end }} on Docker {{ $.Docker.Version }}
{{ range sortObjectsByKeysAsc $ "Name" -}}
{{ .Name }} image={{ .Image.Repository }}:{{ .Image.Tag }} id={{ trunc 12 .ID }} ip={{ .IP }} port={{ .Env.PORT }} role={{ index .Labels "com.example.role" }} running={{ .State.Running }} addrs={{ range .Addresses }}[{{ .Port }}/{{ .Proto }}{{ if .HostPort }} {{ .HostIP }}:{{ .HostPort }}{{ end }}]{{ end }}
{{ end -}}
{{ range $host, $containers := groupByMulti (sortObjectsByKeysAsc $ "Name") "Env.VIRTUAL_HOST" "," -}}
vhost {{ $host }} = {{ range $i, $c := $containers }}{{ if $i }},{{ end }}{{ $c.Name }}{{ end }} ({{ $host | sha1sum | trunc 8 }})
{{ end -}}
"""


def _fact_line(c: Container, addrs: str) -> str:
    c.inspect()
    env = dict(item.partition("=")[::2] for item in c["Config"]["Env"])
    ip = c["NetworkSettings"]["Networks"]["bridge"]["IPAddress"] if c["State"]["Running"] else ""
    return (f"{c.name} image=dockergen-test/busybox:latest id={c.id[:12]} ip={ip} port={env['PORT']} "
            f"role={c['Config']['Labels'][ROLE]} running={'true' if c['State']['Running'] else 'false'} addrs={addrs}")


def _sha8(text: str) -> str:
    import hashlib

    return hashlib.sha1(text.encode()).hexdigest()[:8]


def test_one_shot_prints_docker_facts(tmp_path, fleet):
    template = write(tmp_path, "facts.tmpl", FACTS)
    result = fleet.cli("-log-level", "debug", str(template), env={"GREETING": "hello-go"})
    assert result.returncode == 0, result.stderr
    a, b = fleet.alpha, fleet.beta
    expected = [
        f"# hello-go: 2 containers on Docker {fleet.docker_version}",
        _fact_line(a, "[80/tcp]"),
        _fact_line(b, f"[81/tcp 127.0.0.1:{b.host_port(81)}]"),
        f"vhost alpha.go.test = {a.name} ({_sha8('alpha.go.test')})",
        f"vhost beta.go.test = {b.name} ({_sha8('beta.go.test')})",
        f"vhost www.alpha.go.test = {a.name} ({_sha8('www.alpha.go.test')})",
    ]
    assert result.stdout.splitlines() == expected
    assert engine_line(template, "auto: it has '{{ $'") in result.stderr

    # -include-stopped: gamma joins, with no address and its vhost grouped with alpha's.
    dest = tmp_path / "all.txt"
    result = fleet.cli("-include-stopped", str(template), str(dest), env={"GREETING": "all"})
    assert result.returncode == 0, result.stderr
    lines = dest.read_text().splitlines()
    assert lines[0] == f"# all: 3 containers on Docker {fleet.docker_version}"
    assert lines[3] == _fact_line(fleet.gamma, "")
    assert f"vhost alpha.go.test = {a.name},{fleet.gamma.name} ({_sha8('alpha.go.test')})" in lines
    assert f"Generated '{dest}' from 3 containers" in result.stderr


def test_engine_choice_is_logged(tmp_path, fleet):
    names = "{{ range $ }}{{ .Name }}\n{{ end }}"
    auto = write(tmp_path, "names.tmpl", names)
    result = fleet.cli("-log-level", "debug", str(auto), str(tmp_path / "a.out"))
    assert result.returncode == 0, result.stderr
    assert engine_line(auto) in result.stderr
    assert sorted(read(tmp_path / "a.out").splitlines()) == sorted([fleet.alpha.name, fleet.beta.name])

    dotted = write(tmp_path, "dotted.tmpl", "{{ .Docker.Version }}\n")
    result = fleet.cli("-log-level", "debug", str(dotted))
    assert result.returncode == 0 and result.stdout == f"{fleet.docker_version}\n", result.stderr
    assert engine_line(dotted, "auto: it has '{{ .'") in result.stderr

    suffixed = write(tmp_path, "names.gotmpl", names)
    result = fleet.cli("-log-level", "debug", str(suffixed))
    assert engine_line(suffixed, "auto: its name ends in .gotmpl") in result.stderr

    forced = write(tmp_path, "plain.tmpl", "no actions at all\n")
    result = fleet.cli("-log-level", "debug", "-template-engine", "go", str(forced))
    assert result.returncode == 0 and result.stdout == "no actions at all\n"
    assert engine_line(forced, "chosen by -template-engine") in result.stderr


MAIN = """\
{{- /* the rows come from lib.tmpl, a later file of the ';' list */ -}}
{{ template "header" $ }}
{{ range sortObjectsByKeysAsc $ "Name" }}{{ template "row" . }}
{{ end }}"""

LIB = """\
{{ define "header" }}# {{ len . }} rows{{ end }}
{{ define "row" }}{{ .Name | upper }} {{ index .Labels "com.example.role" | default "none" | quote }}{{ end }}
"""


def test_semicolon_list_with_defines_in_the_second_file(tmp_path, fleet):
    main = write(tmp_path, "main.tmpl", MAIN)
    lib = write(tmp_path, "lib.tmpl", LIB)
    result = fleet.cli("-log-level", "debug", f"{main};{lib}")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "# 2 rows\n" f'{fleet.alpha.name.upper()} "web"\n' f'{fleet.beta.name.upper()} "api"\n'
    )
    assert engine_line(f"{main};{lib}", "auto: it has '{{- /*'") in result.stderr

    # Without the second file the template is missing: Go's error, naming the main file and line.
    result = fleet.cli(str(main), str(tmp_path / "out"))
    assert result.returncode == 1
    assert f'{main}:2: template: main.tmpl:2:12: executing "main.tmpl" at <{{{{template "header" $}}}}>: ' \
        'template "header" not defined' in result.stderr
    assert not (tmp_path / "out").exists()


BLANKS = "{{ range sortObjectsByKeysAsc $ \"Name\" }}\n  {{ .Name }}\n\n{{ end }}\n\ntrailer\n"


def test_blank_lines_removed_unless_kept(tmp_path, fleet):
    template = write(tmp_path, "blanks.tmpl", BLANKS)
    a, b = fleet.alpha.name, fleet.beta.name
    result = fleet.cli(str(template))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"  {a}\n  {b}\ntrailer\n"
    result = fleet.cli("-keep-blank-lines", str(template))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"\n  {a}\n\n\n  {b}\n\n\n\ntrailer\n"


def test_parse_error_is_one_line_naming_file_and_line(tmp_path, fleet):
    template = write(tmp_path, "broken.tmpl", "ok\n{{ range $ }}\n{{ .Name }\n{{ end }}\n")
    dest = tmp_path / "out"
    result = fleet.cli(str(template), str(dest))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f'docker-gen: {template}:3: template: broken.tmpl:3: unexpected "}}" in operand']
    assert result.stdout == "" and not dest.exists()

    unclosed = write(tmp_path, "unclosed.tmpl", "{{ range $ }}\n{{ .Name }}\n")
    result = fleet.cli(str(unclosed), str(dest))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"docker-gen: {unclosed}:") and "unexpected EOF" in lines[0]
    assert not dest.exists()


def test_exec_error_names_file_and_line_and_keeps_dest(tmp_path, fleet):
    template = write(tmp_path, "nope.tmpl", "first\n{{ $.Env.GREETING }} {{ .Nope }}\n")
    dest = write(tmp_path, "out", "previous\n")
    result = fleet.cli(str(template), str(dest), env={"GREETING": "hi"})
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if "ERROR" in line or line.startswith("docker-gen:")]
    assert len(errors) == 1, result.stderr
    assert f"{template}:2" in errors[0]
    assert 'executing "nope.tmpl" at <.Nope>: can\'t evaluate field Nope' in errors[0]
    assert dest.read_text() == "previous\n"

    # A Sprig function's error is reported the same way.
    failing = write(tmp_path, "fail.tmpl", "{{ range $ }}{{ end }}\n{{ fail \"stop here\" }}\n")
    result = fleet.cli(str(failing), str(dest))
    assert result.returncode == 1
    assert f"{failing}:2" in result.stderr and "error calling fail: stop here" in result.stderr
    assert dest.read_text() == "previous\n"


def test_bundled_go_containers_template(fleet):
    """templates/go/containers.tmpl (the Go twin of the bundled table): one row per container."""
    path = REPO / "templates" / "go" / "containers.tmpl"
    if not path.exists():
        pytest.skip("templates/go/containers.tmpl is not there yet")
    result = fleet.cli(str(path))
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[2:] if line.strip()}
    assert set(rows) == {fleet.alpha.name, fleet.beta.name}
    assert f"bridge:{fleet.alpha.ip()}" in rows[fleet.alpha.name] and "80/tcp" in rows[fleet.alpha.name]
    assert f"127.0.0.1:{fleet.beta.host_port(81)}->81/tcp" in rows[fleet.beta.name]
    assert result.stdout.splitlines()[0].endswith("-- 2 containers")


# ----------------------------------------------------------------------------- 4. quarantine

FLAGS = """\
{{ range sortObjectsByKeysAsc $ "Name" -}}
{{ .Name }} {{ if parseBool .Env.FLAG }}on{{ else }}off{{ end }}
{{ end -}}
"""


def test_quarantine_leaves_out_the_container_go_cannot_execute(tmp_path, make_containers, make_container):
    tag = uuid.uuid4().hex[:8]
    good = make_containers(5, name=f"dgt-go-q{tag}-{{i}}", labels={"t": tag}, env={"FLAG": "true"})
    bad = make_container(name=f"dgt-go-q{tag}-bad", labels={"t": tag}, env={"FLAG": "maybe"})
    template = write(tmp_path, "flags.tmpl", FLAGS)
    dest = tmp_path / "flags.out"
    result = run_cli("-container-filter", f"label=t={tag}", str(template), str(dest))
    assert result.returncode == 0, result.stderr
    assert dest.read_text() == "".join(f"{c.name} on\n" for c in sorted(good, key=lambda c: c.name))
    quarantined = [line for line in result.stderr.splitlines() if "Quarantined container" in line]
    assert len(quarantined) == 1, result.stderr
    assert f"Quarantined container {bad.name} in {dest}: {template}:2:" in quarantined[0]
    assert 'error calling parseBool: strconv.ParseBool: parsing "maybe": invalid syntax' in quarantined[0]
    assert "1 container(s) quarantined after" in result.stderr
    attempts = int(result.stderr.split("quarantined after ", 1)[1].split()[0])
    assert attempts <= 6  # bisection over 6 containers, not one render per container

    # -no-quarantine: the same data fails the render, names the container and keeps the file.
    result = run_cli("-no-quarantine", "-container-filter", f"label=t={tag}", str(template), str(dest))
    assert result.returncode == 1
    assert bad.name in result.stderr and f"{template}:2" in result.stderr
    assert dest.read_text().count(" on\n") == 5


# ----------------------------------------------------------------------------- 5. dry run


def test_dry_run_prints_a_diff_and_writes_nothing(tmp_path, fleet):
    template = write(tmp_path, "names.tmpl", '{{ range sortObjectsByKeysAsc $ "Name" }}{{ .Name }}\n{{ end }}')
    dest = write(tmp_path, "out", f"{fleet.alpha.name}\nold-line\n")
    os.utime(dest, (1_000_000, 1_000_000))
    before = dest.stat()
    notes = tmp_path / "notes"
    result = fleet.cli("-dry-run", "-notify", f"echo x > {notes}", str(template), str(dest))
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f"--- {dest}\n+++ {dest} (rendered)\n@@ -1,2 +1,2 @@\n {fleet.alpha.name}\n-old-line\n+{fleet.beta.name}\n"
    )
    after = dest.stat()
    assert (after.st_mtime_ns, after.st_ino, dest.read_text()) == (before.st_mtime_ns, before.st_ino, f"{fleet.alpha.name}\nold-line\n")
    assert not notes.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".dockergen.tmp")]


# ----------------------------------------------------------------------------- 6. TOML, two engines

GO_WITH_BRACES = '{{ range sortObjectsByKeysAsc $ "Name" }}go {{ .Name }} {{ .Env.PORT }}\n{{ end }}{# literal text, not a comment #}\n'
JINJA = "{% for c in containers|sort(attribute='Name') %}jinja {{ c.Name }} {{ c.Env.PORT }}\n{% endfor %}"


def test_toml_with_a_go_and_a_jinja2_config(tmp_path, fleet):
    go_tmpl = write(tmp_path, "go.tmpl", GO_WITH_BRACES)
    jinja_tmpl = write(tmp_path, "jinja.tmpl", JINJA)
    go_out, jinja_out = tmp_path / "go.out", tmp_path / "jinja.out"
    body = (
        f'[[config]]\ntemplate = "{go_tmpl}"\ndest = "{go_out}"\nengine = "go"\n'
        f'[config.ContainerFilter]\nlabel = ["t={fleet.tag}"]\n'
        f'[[config]]\ntemplate = "{jinja_tmpl}"\ndest = "{jinja_out}"\n'
        f'[config.ContainerFilter]\nlabel = ["t={fleet.tag}"]\n'
    )
    config = write(tmp_path, "two.toml", body)
    result = run_cli("-log-level", "debug", "-config", str(config))
    assert result.returncode == 0, result.stderr
    a, b = fleet.alpha.name, fleet.beta.name
    assert go_out.read_text() == f"go {a} 8080\ngo {b} 9090\n{{# literal text, not a comment #}}\n"
    assert jinja_out.read_text() == f"jinja {a} 8080\njinja {b} 9090\n"
    assert engine_line(go_tmpl, "chosen by -template-engine") in result.stderr
    assert f"Template {jinja_tmpl}: Jinja2 engine (auto: it has '{{%')" in result.stderr

    # Without the explicit engine the Go file is ambiguous: one error line that asks for the key.
    config = write(tmp_path, "auto.toml", body.replace('engine = "go"\n', ""))
    result = run_cli("-config", str(config))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(go_tmpl) in lines[0] and "cannot tell whether" in lines[0]


# ----------------------------------------------------------------------------- 2. watch

WATCHED = '{{ range sortObjectsByKeysAsc $ "Name" }}{{ .Name }} {{ .Env.COLOR | default "none" }}\n{{ end }}'


def test_watch_follows_containers_and_template_edits(tmp_path, make_container, make_containers, docker_api):
    tag = uuid.uuid4().hex[:8]
    template = write(tmp_path, "watched.tmpl", WATCHED)
    dest = tmp_path / "watched.out"
    flt = ("-container-filter", f"label=t={tag}")
    gen = RunningGenerator("-watch", "-log-level", "debug", *flt, str(template), str(dest), log_path=tmp_path / "gen.log")
    try:
        wait_for(lambda: dest.exists() and "Watching docker events" in gen.log(), timeout=10)
        assert read(dest) == "" and engine_line(template) in gen.log()

        a = make_container(name=f"dgt-go-w{tag}-a", labels={"t": tag}, env={"COLOR": "red"})
        b = make_container(name=f"dgt-go-w{tag}-b", labels={"t": tag})
        both = f"{a.name} red\n{b.name} none\n"
        wait_for(lambda: read(dest) == both, timeout=15, message="both containers rendered")

        docker_api.stop(a.id, timeout=1)
        wait_for(lambda: read(dest) == f"{b.name} none\n", timeout=15, message="stopped container gone")
        docker_api.start(a.id)
        wait_for(lambda: read(dest) == both, timeout=15, message="restarted container back")
        docker_api.remove_container(b.id, force=True)
        wait_for(lambda: read(dest) == f"{a.name} red\n", timeout=15, message="rm -f container gone")

        # A syntax error on line 2: logged with file and line, the last good output stays...
        template.write_text('{{ range $ }}{{ .Name }}\n{{ .Env.COLOR | default "none" }\n{{ end }}')
        wait_for(lambda: f"{template}:2" in gen.log(), timeout=15, message="the template error logged")
        error = next(line for line in gen.log().splitlines() if f"{template}:2" in line)
        assert "Template error" in error and 'unexpected "}" in operand' in error
        assert "still rendering the previous version" in error
        assert read(dest) == f"{a.name} red\n"
        # ...and the previous version keeps rendering changes.
        c = make_container(name=f"dgt-go-w{tag}-c", labels={"t": tag}, env={"COLOR": "blue"})
        wait_for(lambda: read(dest) == f"{a.name} red\n{c.name} blue\n", timeout=15, message="old template renders c")

        # Valid again: re-rendered with the new version at once, without a container event.
        template.write_text('{{ range sortObjectsByKeysAsc $ "Name" }}v2 {{ .Name | upper }}\n{{ end }}')
        wait_for(lambda: read(dest) == f"v2 {a.name.upper()}\nv2 {c.name.upper()}\n", timeout=15, message="v2 rendered")
        assert f"Reloaded template {template}" in gen.log()
        assert gen.process.poll() is None
        fresh = run_cli(*flt, str(template))
        assert fresh.returncode == 0 and fresh.stdout == read(dest)
    finally:
        assert gen.stop() == 0


# ----------------------------------------------------------------------------- 3. nginx -check-cmd

PROXY = """\
{{- /* a minimal docker-gen style proxy: one upstream and one server per VIRTUAL_HOST */ -}}
{{ range $host, $containers := groupByMulti $ "Env.VIRTUAL_HOST" "," }}
{{- $upstream := printf "u_%s" ($host | sha1sum | trunc 12) }}
upstream {{ $upstream }} {
{{- range $container := $containers }}
    # {{ $container.Name }}
    {{- range $container.Networks }}
    server {{ .IP }}:80;
    {{- end }}
{{- end }}
}
server {
    listen 127.0.0.1:{{ $.Env.PROXY_PORT }};
    server_name {{ $host }};
    location / { proxy_pass http://{{ $upstream }}; }
}
{{ end }}
"""


def test_check_cmd_with_real_nginx_quarantines_what_nginx_rejects(tmp_path, engine, test_image):
    scope = engine.scope()
    case = uuid.uuid4().hex[:12]
    prefix = engine.unique_name("dgt-go-ngx")
    nginx = Nginx(tmp_path / "nginx")
    port = free_port()
    template = write(tmp_path, "proxy.tmpl", PROXY)
    gen = None
    try:
        nginx.apply("")
        good = start_backends(scope, {"one": {"env": {"VIRTUAL_HOST": "one.go.test"}},
                                      "two": {"env": {"VIRTUAL_HOST": "two.go.test"}}}, case, prefix)
        check = " ".join([*nginx.cmd, "-t", "-q"])
        gen = RunningGenerator(
            "-watch", "-wait", "100ms:500ms", "-check-cmd", check, "-notify", nginx.reload_cmd,
            "-container-filter", f"label={CASE_LABEL}={case}", str(template), str(nginx.rendered),
            log_path=tmp_path / "gen.log", env={"PROXY_PORT": str(port)},
        )

        def served(host: str, name: str) -> bool:
            return backends_seen(port, host, 1, timeout=3)[0] == name

        def nginx_t_passes() -> bool:
            return subprocess.run([*nginx.cmd, "-t", "-q"], capture_output=True, timeout=60).returncode == 0

        def wait(predicate, what: str) -> None:
            try:
                wait_for(predicate, timeout=20, message=what)
            except AssertionError as exc:
                raise AssertionError(f"{exc}\n--- generator log ---\n{gen.log()[-3000:]}\n--- nginx ---\n"
                                     f"{nginx.error_log()[-2000:]}") from None

        wait(lambda: served("one.go.test", good["one"].name) and served("two.go.test", good["two"].name),
             "the good render is live")
        assert engine_line(template, "auto: it has '{{- /*'") in gen.log()
        good_render = nginx.rendered.read_text()

        # "~^(bad" is a fine string for the template but a broken regex for nginx's server_name.
        bad = start_backends(scope, {"bad": {"env": {"VIRTUAL_HOST": "~^(bad"}}}, case, prefix)["bad"]
        wait(lambda: f"Quarantined container {bad.name}" in gen.log(), "the bad container quarantined")
        quarantined = next(line for line in gen.log().splitlines() if f"Quarantined container {bad.name}" in line)
        assert "rejected by the check command" in quarantined and "pcre2_compile() failed" in quarantined
        # The rest stays live.  (Each check puts its candidate in place for nginx -t, so the
        # file holds a rejected candidate for a moment while a retry runs: poll.)
        wait(lambda: read(nginx.rendered) == good_render and nginx_t_passes(), "the good render back in place")
        assert served("one.go.test", good["one"].name) and served("two.go.test", good["two"].name)

        # Later changes still go live while the bad container is left out.
        three = start_backends(scope, {"three": {"env": {"VIRTUAL_HOST": "three.go.test,one.go.test"}}}, case, prefix)["three"]
        wait(lambda: served("three.go.test", three.name), "a new container served despite the quarantined one")
        wait(lambda: set(backends_seen(port, "one.go.test", 6, timeout=3)) == {good["one"].name, three.name},
             "one.go.test balanced over two backends")
        assert gen.process.poll() is None
        assert gen.stop() == 0  # (shutdown waits for a render under way: the file is a checked one)
        assert "~^(bad" not in nginx.rendered.read_text()
        nginx.check()
        live_render = nginx.rendered.read_text()

        # -no-quarantine: the rejected render is rolled back to the previous bytes, exit 1.
        result = run_cli("-no-quarantine", "-check-cmd", check, "-container-filter", f"label={CASE_LABEL}={case}",
                         str(template), str(nginx.rendered), env={"PROXY_PORT": str(port)})
        assert result.returncode == 1
        assert "pcre2_compile() failed" in result.stderr
        assert nginx.rendered.read_text() == live_render
        nginx.check()
    finally:
        try:
            if gen is not None:
                gen.stop()
        finally:
            nginx.stop()
            scope.cleanup()


def test_bundled_go_nginx_template_goes_live_and_keeps_bad_containers_out(tmp_path, engine, test_image):
    """templates/go/nginx.tmpl under -watch -check-cmd: routes by host and path; a value the
    template refuses is a comment, a regex nginx refuses is quarantined."""
    from nginx_support import proxy_env, request, status

    path = REPO / "templates" / "go" / "nginx.tmpl"
    if not path.exists():
        pytest.skip("templates/go/nginx.tmpl is not there yet")
    scope = engine.scope()
    case = uuid.uuid4().hex[:12]
    prefix = engine.unique_name("dgt-go-bundled")
    nginx = Nginx(tmp_path / "nginx")
    port = free_port()
    gen = None
    try:
        nginx.apply("")
        started = start_backends(scope, {
            "web": {"env": {"VIRTUAL_HOST": "web.gonginx.test"}},
            "api": {"env": {"VIRTUAL_HOST": "web.gonginx.test", "VIRTUAL_PATH": "/api/", "VIRTUAL_DEST": "/"}},
            "hostile": {"env": {"VIRTUAL_HOST": "web.gonginx.test", "VIRTUAL_PATH": "/x; }"}},
            "regex": {"env": {"VIRTUAL_HOST": "~^(bad"}},
        }, case, prefix)
        check = " ".join([*nginx.cmd, "-t", "-q"])
        gen = RunningGenerator(
            "-watch", "-wait", "100ms:500ms", "-check-cmd", check, "-notify", nginx.reload_cmd,
            "-container-filter", f"label={CASE_LABEL}={case}", str(path), str(nginx.rendered),
            log_path=tmp_path / "gen.log", env=proxy_env(nginx, port, free_port()),
        )

        def wait(predicate, what: str) -> None:
            try:
                wait_for(predicate, timeout=20, message=what)
            except AssertionError as exc:
                raise AssertionError(f"{exc}\n--- generator log ---\n{gen.log()[-3000:]}\n--- nginx ---\n"
                                     f"{nginx.error_log()[-2000:]}") from None

        wait(lambda: backends_seen(port, "web.gonginx.test", 1, timeout=3)[0] == started["web"].name, "web served")
        assert request(port, "web.gonginx.test", "/api/cgi-bin/x").backend == started["api"].name
        assert status(port, "unknown.gonginx.test", "/", timeout=3) == 503
        assert f"Quarantined container {started['regex'].name}" in gen.log()
        rendered = nginx.rendered.read_text()
        assert f"# left out container {started['hostile'].name}: VIRTUAL_PATH" in rendered
        assert "/x; }" not in rendered and "~^(bad" not in rendered
        assert engine_line(path, "auto: it has '{{- /*'") in gen.log()
        assert gen.stop() == 0
        nginx.check()
    finally:
        try:
            if gen is not None:
                gen.stop()
        finally:
            nginx.stop()
            scope.cleanup()
