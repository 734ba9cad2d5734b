"""Remembered template calls (dockergen/gotemplate/memo.py): what the analysis allows, and
randomized differential runs showing that a change anywhere in the inputs is never missed.

Each differential run renders a sequence of randomly mutated inputs twice: with one
long-lived memoising template (as a watcher keeps it), and with a fresh template that
remembers nothing.  The two outputs must be equal at every step, and the memo must have
answered calls (or the run would prove nothing).
"""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path
from typing import Any

import pytest

from dockergen.gotemplate.builtins import BUILTINS
from dockergen.gotemplate.engine import GoTemplate
from dockergen.gotemplate.funcmap import function_map
from dockergen.gotemplate.memo import CallMemo, analyse, analyse_ranges
from dockergen.gotemplate.template import TemplateSet
from dockergen.model import Docker, Network, container_from_inspect
from dockergen.pipeline.render import RenderInput

from nginx_support import fake_inspect
from reference_support import SHARED

REPO = Path(__file__).resolve().parents[3]
NGINX_PROXY = SHARED / "reference" / "workloads" / "nginx-proxy-nginx.tmpl"
LABEL = "com.github.nginx-proxy.nginx-proxy."


def summaries(text: str) -> tuple[dict, bool]:
    templates = TemplateSet([("main.tmpl", text)])
    return analyse(templates.trees, function_map(), BUILTINS)


# --- the analysis -------------------------------------------------------------------------


def test_reads_are_the_argument_paths_the_template_follows():
    found, in_place = summaries(
        '{{ define "t" }}{{ .a.b }}{{ $x := .c }}{{ $x.d }}{{ if .e }}{{ end }}{{ range .f }}{{ .g }}{{ end }}'
        '{{ end }}')
    t = found["t"]
    assert t.memoisable and not in_place
    assert t.reads == {("a", "b"), ("c", "d"), ("e",), ("f",)}


def test_a_later_assignment_in_a_loop_reaches_an_earlier_use():
    found, _ = summaries(
        '{{ define "t" }}{{ $x := .a }}{{ range .l }}{{ $x.q }}{{ $x = $.b }}{{ end }}{{ end }}')
    assert found["t"].reads == {("a", "q"), ("b", "q"), ("l",)}


def test_paths_pass_through_a_dict_made_for_a_call():
    found, _ = summaries(
        '{{ define "inner" }}{{ .g.net }}{{ $_ := set $ "ip" .c.IP }}{{ end }}'
        '{{ define "outer" }}{{ $args := dict "g" .globals "c" .container }}{{ template "inner" $args }}'
        '{{ $args.ip }}{{ end }}')
    inner, outer = found["inner"], found["outer"]
    assert inner.ok and inner.writes_arg and not inner.memoisable  # it writes to its argument
    assert outer.memoisable  # ... which is a map the outer template made
    assert outer.reads == {("globals", "net"), ("container", "IP")}


@pytest.mark.parametrize("body", [
    '{{ $_ := set .m "k" 1 }}',  # writes into its argument's data
    '{{ $_ := unset $ "k" }}{{ template "t" .next }}',  # writes to its argument's map; so does every caller then
    '{{ $m := index . "m" }}{{ $_ := set $m "k" 1 }}',  # a map reached through a function
    '{{ env "HOME" }}',
    '{{ now }}',
    '{{ randAlpha 3 }}',
    '{{ include "other" . }}',
    '{{ call .f }}',
    '{{ template "missing" . }}',
])
def test_templates_that_read_or_write_elsewhere_are_not_remembered(body):
    found, _ = summaries('{{ define "t" }}' + body + '{{ end }}{{ define "other" }}{{ end }}')
    assert not found["t"].memoisable


def test_a_set_that_sorts_a_slice_in_place_remembers_nothing():
    text = '{{ define "t" }}{{ .a }}{{ end }}{{ sortStringsAsc $.x }}{{ template "t" . }}'
    templates = TemplateSet([("main.tmpl", text)])
    memo = CallMemo(templates.templates, templates.trees, function_map(), BUILTINS)
    assert memo.summaries["t"].memoisable and not memo.plans


def test_nginx_proxys_templates_are_remembered_with_few_paths():
    if not NGINX_PROXY.exists():
        pytest.skip(f"nginx-proxy's template is not here ({NGINX_PROXY})")
    found, in_place = summaries(NGINX_PROXY.read_text(encoding="utf-8"))
    assert not in_place
    assert found["upstream"].memoisable and found["location"].memoisable
    assert ("globals",) not in found["upstream"].reads  # only .globals.networks, .config..., not all of it
    assert found["container_ip"].writes_arg  # set $ "ip": remembered only within upstream


def ranges(text: str) -> dict[int, Any]:
    """The range bodies' summaries by the line of their ``range`` (the first range of a line)."""
    templates = TemplateSet([("main.tmpl", text)])
    found, _ = analyse(templates.trees, function_map(), BUILTINS)
    by_line: dict[int, Any] = {}
    for node, summary in sorted(analyse_ranges(templates.trees, function_map(), BUILTINS, found).items(),
                                key=lambda item: item[0].pos):
        by_line.setdefault(text[:node.pos].count("\n") + 1, summary)
    return by_line


def test_an_iteration_reads_its_element_key_and_the_variables_around_at_their_paths():
    found = ranges('{{ $c := .cfg }}{{ $n := 1 }}{{ range $k, $v := .items }}{{ $k }}{{ $v.a }}{{ .b.c }}'
                   '{{ $c.flag }}{{ $.top }}{{ $m := dict "x" $v.d }}{{ $_ := set $m "y" 1 }}{{ $m.x.e }}'
                   '{{ $copy := deepCopy $c }}{{ $_ := set $copy "z" 1 }}{{ $n }}{{ end }}')
    body = found[1]
    assert body.ok
    assert body.reads == {("#k",), ("#e", "a"), ("#e", "b", "c"), ("#e", "d", "e"), ("$c",), ("$", "top"), ("$n",)}


@pytest.mark.parametrize("body", [
    '{{ $x = 2 }}',  # assigns a variable of the scope around the loop
    '{{ range $x = .l }}{{ end }}',  # ... through a nested range
    '{{ $_ := set $m "k" 1 }}',  # writes to a map made outside the body
    '{{ $_ := set . "k" 1 }}',  # ... to the element
    '{{ $_ := set (index $m "k") "k" 1 }}',  # ... to a map reached through a function
    '{{ if . }}{{ break }}{{ end }}',  # ends the loop early
    '{{ continue }}',
    '{{ range .l }}{{ else }}{{ continue }}{{ end }}',  # a nested range's else branch continues this loop
    '{{ env "HOME" }}',  # reads elsewhere
    '{{ template "missing" . }}',
    '{{ template "writes" $m }}',  # a template that writes to the map it is given
    '{{ sortAlpha (list "b" "a") }}',  # sorts in place
])
def test_bodies_that_change_or_read_elsewhere_are_not_remembered(body):
    text = ('{{ define "writes" }}{{ $_ := set $ "k" 1 }}{{ end }}{{ $x := 1 }}{{ $m := dict }}'
            '{{ range .items }}' + body + '{{ end }}')
    assert not ranges(text)[1].ok


def test_a_body_whose_own_loops_end_early_is_remembered():
    found = ranges('{{ range .items }}{{ range .l }}{{ if . }}{{ break }}{{ end }}{{ continue }}{{ end }}{{ end }}')
    assert found[1].ok and not found[1].reads - {("#e", "l")}


def test_nginx_proxys_server_loop_is_remembered():
    if not NGINX_PROXY.exists():
        pytest.skip(f"nginx-proxy's template is not here ({NGINX_PROXY})")
    text = NGINX_PROXY.read_text(encoding="utf-8")
    servers = [summary for line, summary in ranges(text).items()
               if text.splitlines()[line - 1].strip().startswith("{{- range $hostname, $vhost := $globals.vhosts")]
    assert len(servers) == 1 and servers[0].ok
    reads = servers[0].reads
    assert ("#e",) in reads and ("$globals", "config") in reads  # the vhost whole, the settings
    assert not any(path[:2] in (("$globals",), ("$globals", "vhosts")) for path in reads)  # not every host's


# --- randomized differential runs -------------------------------------------------------


def _render_pair(memo: GoTemplate, plain: GoTemplate, data: RenderInput) -> None:
    assert memo.render(data) == plain.render(data)


def _memo_template(tmp_path: Path, text: str) -> GoTemplate:
    """``text`` as a template file, compiled with its calls remembered between renders."""
    spec = tmp_path / "t.tmpl"
    spec.write_text(text)
    return GoTemplate(str(spec), memo=True)


def _calls(template: GoTemplate) -> CallMemo:
    return next(iter(template._calls.values()))[1]


def _differential_on_set(text: str, steps: int, seed: int) -> int:
    """Random dict data mutated in place and replaced between renders of ``text``: memoised
    (one CallMemo) against plain execution; returns the calls the memo answered."""
    rnd = random.Random(seed)
    templates = TemplateSet([("main.tmpl", text)])
    memo = CallMemo(templates.templates, templates.trees, function_map(), BUILTINS)
    nets = [Network(IP=f"10.0.0.{i}", Name=f"n{i}") for i in range(3)]
    data: dict[str, Any] = {
        "items": [{"a": "x", "b": {"c": "1", "n": nets[0]}, "l": ["p", "q"]} for _ in range(4)],
        "cfg": {"flag": True, "name": "cfg"}, "other": "o",
    }
    answered = iterations = 0
    for _ in range(steps):
        item = rnd.choice(data["items"])
        change = rnd.randrange(8)
        if change == 0:
            item["a"] = rnd.choice(["x", "y", "", 1, 1.0, True, None])
        elif change == 1:
            item["b"]["c"] = rnd.choice(["1", "2", 2, -0.0, 0.0])
        elif change == 2:
            item["b"] = {"c": rnd.choice("12"), "n": rnd.choice(nets)}  # a new map, perhaps the same content
        elif change == 3:
            item["l"] = rnd.choice([["p"], ["p", "q"], [], ["q", "p"]])
        elif change == 4:
            data["cfg"]["flag"] = rnd.choice([True, False, "", "yes"])
        elif change == 5:
            data["items"].append({"a": "z", "b": {"c": "3", "n": rnd.choice(nets)}, "l": []})
        elif change == 6 and len(data["items"]) > 1:
            data["items"].remove(item)
        else:
            nets[rnd.randrange(3)] = Network(IP=f"10.1.0.{rnd.randrange(9)}", Name="nx")  # a new struct
            item["b"]["n"] = rnd.choice(nets)
        plain = templates.execute(data)
        assert memo.begin()
        try:
            assert templates.execute(data, calls=memo) == plain
        finally:
            memo.end()
        answered += memo.hits
        iterations += memo.iterations
    assert iterations > steps  # remembered range iterations took part
    return answered


SET_TEMPLATE = """
{{- define "item" }}[{{ .it.a }}|{{ .it.b.c }}|{{ .it.b.n.IP }}|{{ range .it.l }}{{ . }}{{ end }}|{{ if .cfg.flag }}on{{ end }}]
{{- $d := dict "v" .it.b }}{{ template "deep" $d }}{{ $_ := set $d "w" .it.a }}{{ template "write" $d }}{{ $d.w2 }}
{{- end }}
{{- define "deep" }}<{{ .v.c }}{{ with .v.n }}{{ .Name }}{{ end }}>{{ end }}
{{- define "write" }}{{ $_ := set $ "w2" (printf "%v-%T" .w .w) }}{{ end }}
{{- define "whole" }}{{ printf "%v" . }}{{ end }}
{{- range $i, $it := .items }}{{ template "item" (dict "it" $it "cfg" $.cfg) }}{{ template "whole" $it.b }}{{ end }}
{{- template "whole" .other }}
{{- $cfg := .cfg }}{{ $other := .other }}
{{- range $i, $it := .items }}({{ $i }}:{{ .a }}:{{ if $cfg.flag }}F{{ end }}:{{ $other }}:{{ template "deep" (dict "v" $it.b) }}
{{- $m := dict "k" $it.b.c }}{{ $_ := set $m "l" (len $it.l) }}{{ range $it.l }}{{ . }}{{ end }}{{ $m.k }}{{ $m.l }})
{{- end }}
{{- range $k, $v := $cfg }}[{{ $k }}={{ $v }}]{{ end }}
"""


def test_remembered_calls_follow_every_change_of_plain_data():
    assert _differential_on_set(SET_TEMPLATE, steps=300, seed=7) > 300


def _proxy_env(rnd: random.Random, i: int) -> dict[str, str]:
    env = {"VIRTUAL_HOST": f"h{rnd.randrange(6)}.example.com"}
    for key, values in (("VIRTUAL_PORT", ["8080", "3000"]), ("VIRTUAL_PATH", ["/api/", "/"]),
                        ("HTTPS_METHOD", ["noredirect", "nohttps", "nohttp"]), ("VIRTUAL_PROTO", ["https", "uwsgi", "fastcgi"]),
                        ("NETWORK_ACCESS", ["internal"]), ("CERT_NAME", ["shared"]), ("VIRTUAL_DEST", ["/x/"])):
        if rnd.random() < 0.15:
            env[key] = rnd.choice(values)
    return env


class _World:
    """Containers as the inventory keeps them: a changed container is a new object, an
    unchanged one keeps its identity; plus the files ``exists`` tests and the environment."""

    def __init__(self, rnd: random.Random, files: Path, count: int) -> None:
        self.rnd = rnd
        self.files = files
        self.next = 0
        self.specs: dict[int, dict[str, Any]] = {}
        self.objects: dict[int, Any] = {}
        self.env = {"DEFAULT_HOST": "h1.example.com"}
        self.proxy = self._make(10_000, {"env": {}, "labels": {LABEL + "nginx": ""},
                                         "networks": {"bridge": "172.17.0.250", "net1": "10.9.0.250"},
                                         "ports": ["80/tcp", "443/tcp"]})
        for _ in range(count):
            self.add()

    def _make(self, i: int, spec: dict[str, Any]) -> Any:
        return container_from_inspect(fake_inspect(i, spec["env"], spec["labels"], networks=spec["networks"],
                                                   ports=spec["ports"], name=f"c{i}"))

    def add(self) -> None:
        self.next += 1
        rnd = self.rnd
        spec = {"env": _proxy_env(rnd, self.next), "labels": {},
                "networks": {"bridge": f"172.17.0.{self.next % 250 + 2}"}, "ports": ["80/tcp"]}
        self.specs[self.next] = spec
        self.objects[self.next] = self._make(self.next, spec)

    def mutate(self) -> str:
        rnd = self.rnd
        kind = rnd.choice(["add", "remove", "env", "label", "network", "port", "file", "file", "environ",
                           "proxy", "nothing"])
        if kind == "add" or not self.specs:
            self.add()
            return "add"
        i = rnd.choice(list(self.specs))
        spec = self.specs[i]
        if kind == "remove":
            del self.specs[i], self.objects[i]
            return kind
        if kind == "env":
            spec["env"] = _proxy_env(rnd, i) if rnd.random() < 0.5 else {**spec["env"], "VIRTUAL_PORT": "9000"}
        elif kind == "label":
            spec["labels"] = rnd.choice([{}, {LABEL + "loadbalance": "least_conn"}, {LABEL + "keepalive": "8"},
                                         {LABEL + "keepalive": "disabled"}])
        elif kind == "network":
            spec["networks"] = rnd.choice([{"bridge": f"172.17.1.{i % 250}"}, {"net1": f"10.9.0.{i % 250}"},
                                           {"other": "10.8.0.1"}, {"bridge": "172.17.2.2", "net1": "10.9.1.1"}])
        elif kind == "port":
            spec["ports"] = rnd.choice([[], ["80/tcp"], ["8080/tcp"], ["80/tcp", "443/tcp"]])
        elif kind == "file":
            host = f"h{rnd.randrange(6)}.example.com"
            name = rnd.choice([f"certs/{host}.crt", f"certs/{host}.key", f"vhost.d/{host}_location",
                               f"htpasswd/{host}", "vhost.d/default_location", "fastcgi.conf", f"vhost.d/{host}",
                               "certs/shared.crt", "certs/shared.key", f"vhost.d/{host}_location_override"])
            path = self.files / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.unlink() if path.exists() else path.write_text("x")
            return kind
        elif kind == "environ":
            key, values = rnd.choice([
                ("ENABLE_IPV6", ["true", "false"]), ("DEFAULT_HOST", ["h2.example.com", "h3.example.com", ""]),
                ("HTTPS_METHOD", ["nohttp", "redirect", "noredirect"]), ("SHA1_UPSTREAM_NAME", ["true", "false"]),
                ("PREFER_IPV6_NETWORK", ["true", "false"]), ("HTTPS_PORT", ["443", "8443"]),
            ])
            self.env = {**self.env, key: rnd.choice(values)}
            return kind
        elif kind == "proxy":
            self.proxy = self._make(10_000, {"env": {}, "labels": {LABEL + "nginx": ""}, "ports": [],
                                             "networks": rnd.choice([{"bridge": "172.17.0.250"},
                                                                     {"net1": "10.9.0.250"},
                                                                     {"bridge": "172.17.0.250", "net1": "10.9.0.9"}])})
            return kind
        else:
            return kind
        self.objects[i] = self._make(i, spec)
        return kind

    def data(self) -> RenderInput:
        containers = [*self.objects.values(), self.proxy]
        return RenderInput(containers=containers, docker=Docker(Name="t", CurrentContainerID=self.proxy.ID),
                           env=self.env, current_container=self.proxy)


def _differential_on_file(tmp_path: Path, text: str, seed: int, steps: int) -> tuple[int, set[str]]:
    files = tmp_path / "files"
    files.mkdir()
    spec = str(tmp_path / "main.tmpl")
    Path(spec).write_text(text.replace("/etc/nginx/", f"{files}/"), encoding="utf-8")
    world = _World(random.Random(seed), files, count=12)
    world.env = {**world.env, "NGINX_CERTS_DIR": str(files / "certs"), "NGINX_VHOST_DIR": str(files / "vhost.d")}
    memo = GoTemplate(spec, keep_blank_lines=True, memo=True)
    plain = GoTemplate(spec, keep_blank_lines=True)
    answered, kinds, iterations = 0, set(), 0
    for step in range(steps):
        kinds.add(world.mutate())
        _render_pair(memo, plain, world.data())
        if step:
            answered += _calls(memo).hits
            iterations += _calls(memo).iterations
    assert iterations > steps  # remembered range iterations took part
    return answered, kinds


def test_nginx_proxys_template_remembered_renders_equal_fresh_ones(tmp_path):
    if not NGINX_PROXY.exists():
        pytest.skip(f"nginx-proxy's template is not here ({NGINX_PROXY})")
    answered, kinds = _differential_on_file(tmp_path, NGINX_PROXY.read_text(encoding="utf-8"), seed=21, steps=120)
    assert answered > 500
    assert kinds >= {"add", "remove", "env", "label", "network", "port", "file", "environ", "proxy"}


def test_the_projects_go_nginx_template_remembered_renders_equal_fresh_ones(tmp_path):
    text = (REPO / "templates" / "go" / "nginx.tmpl").read_text(encoding="utf-8")
    answered, _ = _differential_on_file(tmp_path, text, seed=5, steps=80)
    assert answered > 100


def test_a_failing_call_is_not_remembered(tmp_path):
    template = _memo_template(tmp_path, '{{ define "t" }}{{ .a.b }}{{ end }}{{ range $ }}{{ template "t" (dict "a" .Env.X) }}{{ end }}')
    good = container_from_inspect(fake_inspect(1, {"X": "x"}))
    data = RenderInput(containers=[good], docker=Docker(), env={})
    for _ in range(3):
        with pytest.raises(Exception, match="can't evaluate field b"):
            template.render(data)
    assert _calls(template).hits == 0


def test_one_shot_renders_remember_nothing(tmp_path):
    template = _memo_template(tmp_path, '{{ define "t" }}{{ . }}{{ end }}{{ range $ }}{{ template "t" .Name }}{{ end }}')
    data = RenderInput(containers=[container_from_inspect(fake_inspect(1, {}))], docker=Docker(), env={})
    template.render(data)
    assert not template._calls  # the first render: nothing set up, nothing kept
    template.render(data)
    template.render(data)
    assert _calls(template).hits == 1


def test_identity_keys_follow_the_inventorys_replaced_objects(tmp_path):
    """A container changed in the inventory is a new object: its calls run again."""
    template = _memo_template(tmp_path, '{{ define "t" }}{{ .Name }}={{ .Env.X }};{{ end }}{{ range $ }}{{ template "t" . }}{{ end }}')
    first = container_from_inspect(fake_inspect(1, {"X": "1"}))
    assert template.render(RenderInput([first], Docker(), {})) == "app-1=1;"
    assert template.render(RenderInput([first], Docker(), {})) == "app-1=1;"
    changed = dataclasses.replace(first, Env={"X": "2"})
    assert template.render(RenderInput([changed], Docker(), {})) == "app-1=2;"


def test_container_functions_are_answered_again_only_for_the_same_container_objects(tmp_path):
    template = _memo_template(tmp_path, '{{ range $k, $v := groupBy $ "Env.X" }}{{ $k }}:{{ len $v }};{{ end }}'
                                        '{{ $d := list (dict "X" "d") }}{{ groupByKeys $d "X" }}')
    a = container_from_inspect(fake_inspect(1, {"X": "1"}))
    b = container_from_inspect(fake_inspect(2, {"X": "1"}))
    assert template.render(RenderInput([a, b], Docker(), {})) == "1:2;[d]"
    assert template.render(RenderInput([a, b], Docker(), {})) == "1:2;[d]"
    memo = _calls(template)
    assert [key[1] for key in memo._answers] == [function_map()["groupBy"].call]  # not the list of maps
    b2 = dataclasses.replace(b, Env={"X": "2"})
    assert template.render(RenderInput([a, b2], Docker(), {})) == "1:1;2:1;[d]"


def test_nothing_is_remembered_when_a_template_sorts_in_place(tmp_path):
    template = _memo_template(tmp_path, '{{ sortStringsAsc (split "b,a" ",") }}{{ groupByKeys $ "Env.X" }}')
    data = RenderInput([container_from_inspect(fake_inspect(1, {"X": "1"}))], Docker(), {})
    for _ in range(3):
        template.render(data)
    assert not _calls(template)._current and not _calls(template)._answers


def test_what_a_render_did_not_use_is_dropped(tmp_path):
    template = _memo_template(tmp_path, '{{ define "t" }}{{ .Name }}{{ end }}{{ range $ }}{{ template "t" . }}{{ break }}{{ end }}'
                                        '{{ range $ }}{{ template "t" . }}{{ continue }}{{ end }}{{ groupByKeys $ "Env.X" }}')
    first = [container_from_inspect(fake_inspect(i, {"X": str(i)})) for i in range(3)]
    second = [container_from_inspect(fake_inspect(i, {"X": str(i)})) for i in range(10, 12)]
    for containers in (first, first, second):
        template.render(RenderInput(containers, Docker(), {}))
    memo = _calls(template)
    assert len(memo._current) == 2 and not memo._previous  # the calls of "t" (the loops end early: not remembered)
    assert len(memo._answers) == 1 and len(memo._tokens) == 1  # groupByKeys of the second list
    assert len(memo._kept) == 2  # the Go copies of the second list's containers, whose ids the keys hold


def test_a_container_function_runs_again_only_when_its_list_or_arguments_differ():
    templates = TemplateSet([("main.tmpl", "")])
    memo = CallMemo(templates.templates, templates.trees, function_map(), BUILTINS)
    ran: list[tuple] = []

    def fn(*args: Any) -> list:
        ran.append(args[1:])
        return [len(args[0]), *args[1:]]

    a, b = (container_from_inspect(fake_inspect(i, {})) for i in (1, 2))
    assert memo.begin()
    first = memo.function(fn, ([a, b], "Env.X"))
    assert memo.function(fn, ([a, b], "Env.X")) is first  # an equal list of the same objects
    for arg in (1, True, 1.0, "1"):  # equal keys but for their types
        memo.function(fn, ([a], "Env.X", arg))
        memo.function(fn, ([a], "Env.X", arg))
    memo.function(fn, ([b, a], "Env.X"))  # another order
    memo.end()
    assert len(ran) == 6
    assert memo.begin()
    assert memo.function(fn, ([a, b], "Env.X")) is first  # the next render: the list keeps its token
    memo.function(fn, ([a, dataclasses.replace(b)], "Env.X"))  # a changed container is a new object
    memo.function(fn, ([a, {"x": 1}], "Env.X"))  # not all containers: never remembered
    memo.function(fn, ([a, {"x": 1}], "Env.X"))
    memo.end()
    assert len(ran) == 9
    assert len(memo._answers) == 2  # what this render did not use is dropped
    assert memo.begin()
    memo.function(fn, ([b, a], "Env.X"))  # dropped: asked again
    memo.end()
    assert len(ran) == 10


def test_a_failing_iteration_is_not_remembered_and_fails_as_a_fresh_render_does(tmp_path):
    text = '{{ range $ }}{{ .Name }}{{ if eq .Env.X "bad" }}{{ .Nope }}{{ end }};{{ end }}'
    template = _memo_template(tmp_path, text)
    good = container_from_inspect(fake_inspect(1, {"X": "ok", "P": "p"}))
    bad = container_from_inspect(fake_inspect(2, {"X": "bad", "P": "p"}))
    fresh = GoTemplate(str(tmp_path / "t.tmpl"))
    for _ in range(3):
        assert template.render(RenderInput([good], Docker(), {})) == "app-1;"
        with pytest.raises(Exception) as remembered:
            template.render(RenderInput([good, bad], Docker(), {}))
        with pytest.raises(Exception) as plain:
            fresh.render(RenderInput([good, bad], Docker(), {}))
        assert str(remembered.value) == str(plain.value) and "can't evaluate field Nope" in str(plain.value)
    memo = _calls(template)
    assert memo.iterations == 1  # the good container's, again; the bad one's never
    assert template.render(RenderInput([good], Docker(), {})) == "app-1;"


def test_an_iteration_reading_what_cannot_be_compared_is_not_remembered():
    class Opaque:
        def __init__(self, text: str) -> None:
            self.text = text

        def __str__(self) -> str:
            return self.text

    text = '{{ $o := .o }}{{ range .l }}{{ . }}{{ print $o }}{{ end }}'
    templates = TemplateSet([("main.tmpl", text)])
    memo = CallMemo(templates.templates, templates.trees, function_map(), BUILTINS)
    assert len(memo.ranges) == 1
    for word in ("a", "b", "b"):
        data = {"l": ["x", "y"], "o": Opaque(word)}
        assert memo.begin()
        try:
            assert templates.execute(data, calls=memo) == templates.execute(data)
        finally:
            memo.end()
        assert memo.iterations == 0
    assert not memo.ranges  # given up


def test_iterations_follow_files_appearing_and_maps_changed_in_place(tmp_path):
    (tmp_path / "files").mkdir()
    text = ('{{ $cfg := .cfg }}{{ range $i := .n }}{{ $i }}{{ if exists (printf "%s/%d" $cfg.dir $i) }}+{{ end }}'
            '{{ $cfg.mode }};{{ end }}')
    templates = TemplateSet([("main.tmpl", text)])
    memo = CallMemo(templates.templates, templates.trees, function_map(), BUILTINS)
    data: dict[str, Any] = {"cfg": {"dir": str(tmp_path / "files"), "mode": "a"}, "n": 3}  # range over an int

    def render() -> str:
        assert memo.begin()
        try:
            out = templates.execute(data, calls=memo)
        finally:
            memo.end()
        assert out == templates.execute(data)
        return out

    assert render() == "0a;1a;2a;"
    assert render() == "0a;1a;2a;" and memo.iterations == 3
    (tmp_path / "files" / "1").write_text("x")
    assert render() == "0a;1+a;2a;" and memo.iterations == 2
    data["cfg"]["mode"] = "b"  # the same map, changed
    assert render() == "0b;1+b;2b;" and memo.iterations == 0


def test_absent_files_asked_again_cost_a_listing_not_a_stat_each(tmp_path, monkeypatch):
    import os

    certs = tmp_path / "certs"
    certs.mkdir()
    text = ('{{ range $i := .n }}{{ if exists (printf "%s/%d.crt" $.dir $i) }}{{ $i }}+{{ end }}'
            '{{ if exists (printf "%s/missing/%d.key" $.dir $i) }}!{{ end }}{{ end }}')
    templates = TemplateSet([("main.tmpl", text)])
    memo = CallMemo(templates.templates, templates.trees, function_map(), BUILTINS)
    data = {"dir": str(certs), "n": 20}
    stats: list[str] = []
    real_stat = os.stat

    def counting_stat(path, *args, **kwargs):
        stats.append(str(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", counting_stat)

    def render() -> str:
        stats.clear()
        assert memo.begin()
        try:
            return templates.execute(data, calls=memo)
        finally:
            memo.end()

    assert render() == ""
    assert len([p for p in stats if p.endswith((".crt", ".key"))]) == 40  # the first render asks each
    assert render() == "" and memo.iterations == 20
    assert [p for p in stats if p.endswith((".crt", ".key"))] == []  # then two directories answer all
    (certs / "7.crt").write_text("x")
    assert render() == "7+" == templates.execute(data)  # a new file is never missed
    assert render() == "7+" and memo.iterations == 20
