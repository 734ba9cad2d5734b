"""dockergen.engine_choice: which engine runs a template list (auto detection, explicit choice).

Users point dockergen at their existing docker-gen templates, so every common docker-gen
shape must come out as Go, and every Jinja2 shape (the bundled templates) as Jinja2.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dockergen.engine_choice import choose_engine, detect
from dockergen.errors import RenderError
from dockergen.pipeline.render import Template

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "templates"


@pytest.fixture
def write(tmp_path):
    def write(name: str, text: str) -> str:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return str(path)

    return write


def engine_of(write, text: str, name: str = "t.tmpl") -> str:
    return choose_engine([write(name, text)])[0]


# -- bundled templates -------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(TEMPLATES.glob("*.tmpl")), ids=lambda p: p.name)
def test_bundled_jinja2_templates(path):
    engine, reason = choose_engine([str(path)])
    assert engine == "jinja2", reason
    assert detect(str(path), path.read_text(encoding="utf-8"))[0] == "jinja2"  # by content, not by name


@pytest.mark.parametrize(
    "path",
    sorted(p for p in (TEMPLATES / "go").glob("*") if p.is_file()) if (TEMPLATES / "go").is_dir() else [],
    ids=lambda p: p.name,
)
def test_bundled_go_templates(path):
    engine, reason = choose_engine([str(path)])
    assert engine == "go", reason
    assert detect(str(path), path.read_text(encoding="utf-8"))[0] == "go"


# -- docker-gen's shapes are Go --------------------------------------------------------------

NGINX_PROXY = r"""
{{ define "upstream" }}
	{{- if .Address }}
		{{- if and .Container.Node.ID .Address.HostPort }}
	# {{ .Container.Node.Name }}/{{ .Container.Name }}
	server {{ .Container.Node.Address.IP }}:{{ .Address.HostPort }};
		{{- else if .Network }}
	# {{ .Container.Name }}
	server {{ .Network.IP }}:{{ .Address.Port }};
		{{- end }}
	{{- else }}
	server 127.0.0.1 down;
	{{- end }}
{{ end }}

{{ $CurrentContainer := where $ "ID" .Docker.CurrentContainerID | first }}
proxy_set_header Host $http_host;
proxy_set_header X-Real-IP $remote_addr;

{{ range $host, $containers := groupByMulti $ "Env.VIRTUAL_HOST" "," }}
{{ $host := trim $host }}
upstream {{ $host }} {
{{ range $container := $containers }}
	{{- $addrLen := len $container.Addresses }}
	{{- range $knownNetwork := $CurrentContainer.Networks }}
		{{- range $containerNetwork := $container.Networks }}
			{{- if eq $knownNetwork.Name $containerNetwork.Name }}
				{{- template "upstream" (dict "Container" $container "Address" (first $container.Addresses) "Network" $containerNetwork) }}
			{{- end }}
		{{- end }}
	{{- end }}
{{ end }}
}
server {
	server_name {{ $host }};
	listen 80 {{ $.Env.DEFAULT_LISTEN }};
	location / {
		proxy_pass http://{{ trim $host }};
	}
}
{{ end }}
"""

DNSMASQ = """
{{ range $ }}{{ range .Networks }}{{ if .IP }}
{{ .IP }}	{{ $.Env.DOMAIN }}
{{ end }}{{ end }}{{ end }}
"""

DNSMASQ_PER_CONTAINER = """
{{ $domain := or $.Env.DOMAIN "docker.company.com" }}
{{ range $container := $ }}{{ range $container.Networks }}
{{ .IP }} {{ $container.Name }}.{{ $domain }}
{{ end }}{{ end }}
"""

LOGROTATE = """
{{ range $ }}
/var/lib/docker/containers/{{ .ID }}/{{ .ID }}-json.log
{
  daily
  rotate 7
  missingok
  copytruncate
}
{{ end }}
"""

ETCD = """
#!/bin/bash
# registers every container with etcd at {{ $.Env.ETCD_HOST }}
HOSTS=({{ range $ }}{{ .Name }} {{ end }})
echo "${#HOSTS[@]} containers"
{{ range $key, $value := $ }}
{{ $addrLen := len $value.Addresses }}{{ if gt $addrLen 0 }}
{{ with $address := index $value.Addresses 0 }}
curl -XPUT -q -d value="{{ $address.IP }}:{{ $address.Port }}" -d ttl=15 http://{{ $.Env.ETCD_HOST }}/v2/keys/backends/{{ $value.Image.Repository }}/{{ printf "%.*s" 12 $value.ID }}
{{ end }}{{ end }}
{{ end }}
"""

COMMENT_AND_NAME = """
{{/* one line per container */}}
{{ range $ }}
{{- /* its name */ -}}
{{ .Name }}
{{ end }}
"""

ONLY_A_COMMENT_AND_A_FIELD = """
{{/* the generator's own container */}}
container {{ .Docker.CurrentContainerID }}
"""

TEXT_THEN_VARIABLE = """
# generated, do not edit
global
    maxconn 4096
{{ $port := coalesce $.Env.HAPROXY_PORT "80" }}
frontend http
    bind *:{{ $port }}
"""

GO_SHAPES = {
    "nginx-proxy": NGINX_PROXY,
    "dnsmasq": DNSMASQ,
    "dnsmasq-per-container": DNSMASQ_PER_CONTAINER,
    "logrotate": LOGROTATE,
    "etcd": ETCD,
    "comment-and-name": COMMENT_AND_NAME,
    "comment-and-field": ONLY_A_COMMENT_AND_A_FIELD,
    "text-then-variable": TEXT_THEN_VARIABLE,
    "trimmed-if": "{{- if $.Env.DEBUG }}debug{{ end }}\n",
    "with": "{{ with $.Env.HOME }}home={{ . }}{{ end }}\n",
    "block": '{{ block "main" $ }}{{ len . }}{{ end }}\n',
    "dot-only": "{{ . }}\n",
    "variable-only": "{{ $ }}\n",
    "sprig-env-function": '{{ range $ }}{{ env "HOME" }} {{ .Name }}{{ end }}\n',
}


@pytest.mark.parametrize("text", GO_SHAPES.values(), ids=GO_SHAPES.keys())
def test_docker_gen_shapes_are_go(write, text):
    from dockergen.gotemplate.template import parses

    path = write("shape.tmpl", text)
    assert parses("shape.tmpl", Path(path).read_text()), "the test template itself must be valid Go"
    engine, reason = choose_engine([path])
    assert (engine, reason.startswith("auto: it has ")) == ("go", True), reason


def test_shell_length_is_not_a_jinja2_comment(write):
    # bash's ${#name} must not count as Jinja2's {#, even with a "#}" later in the file
    assert engine_of(write, 'echo ${#HOSTS[@]} {{ $.Env.X }} ${#}') == "go"
    assert detect("t", "n=${#ARGS} done")[0] is None


def test_go_comment_text_is_no_jinja2_sign(write):
    text = """
    {{/* ported from the Jinja2 version: {% for c in containers %} {{ containers|length }} {# #} */}}
    {{ range $ }}{{ .Name }}{{ end }}
    """
    assert engine_of(write, text) == "go"
    assert engine_of(write, "{{- /*\n  was {% if env.X %}\n*/ -}}\n{{ .Docker.Name }}\n") == "go"


# -- Jinja2's shapes ---------------------------------------------------------------------------

JINJA_SHAPES = {
    "for": "{% for c in containers %}{{ c.Name }}\n{% endfor %}\n",
    "trimmed-for": "{%- for c in containers -%}\n{{ c.Name }}\n{%- endfor %}\n",
    "comment": "{# the list of names #}\nnames: {{ names }}\n",
    "length": "{{ containers|length }} containers\n",
    "length-spaced": "{{ containers | length }} containers\n",
    "env": "default_server {{ env.DEFAULT_HOST }};\n",
    "env-item": "default_server {{ env['DEFAULT_HOST'] }};\n",
    "trimmed-env": "x\n{{- env.DEFAULT_HOST -}}\n",
    "docker": "engine {{ docker.Version }}\n",
    "current-container": "me: {{ current_container.Name }}\n",
    "swarm": "{{ services|length }} services on {{ nodes|length }} nodes\n",
    "bare-name": "{{ containers }}\n",
    "set": "{% set n = 3 %}{{ n }}\n",
    "go-syntax-in-jinja2-comment": "{# the Go version: {{ range $ }}{{ .Name }}{{ end }} #}\n{{ env.X }}\n",
    "raw-block": "{% raw %}docker ps --format '{{ .Names }}'{% endraw %}\n",
    "raw-block-trimmed": "{%- raw -%}\n{{ $ }}\n{%- endraw %}\n",
}


@pytest.mark.parametrize("text", JINJA_SHAPES.values(), ids=JINJA_SHAPES.keys())
def test_jinja2_shapes(write, text):
    import jinja2

    jinja2.Environment().parse(textwrap.dedent(text))  # the test template itself must be valid Jinja2
    engine, reason = choose_engine([write("shape.tmpl", text)])
    assert engine == "jinja2", reason


@pytest.mark.parametrize("suffix", [".j2", ".jinja", ".jinja2", ".J2"])
def test_jinja2_suffix_wins_over_content(write, suffix):
    path = write(f"nginx.conf{suffix}", "{{ range $ }}{{ .Name }}{{ end }}\n")
    engine, reason = choose_engine([path])
    assert engine == "jinja2"
    assert suffix.lower() in reason


@pytest.mark.parametrize("suffix", [".gotmpl", ".gotemplate"])
def test_go_suffix_wins_over_content(write, suffix):
    path = write(f"nginx{suffix}", "{% for c in containers %}{% endfor %}\n")
    assert choose_engine([path]) == ("go", f"auto: its name ends in {suffix}")


def test_no_engine_in_tmpl_suffix(write):
    # .tmpl is docker-gen's usual suffix and the bundled Jinja2 templates': content decides
    assert engine_of(write, "{{ .Name }}", "a.tmpl") == "go"
    assert engine_of(write, "{{ env.X }}", "a.tmpl") == "jinja2"


# -- ambiguous files and mixed lists -------------------------------------------------------


def test_both_kinds_of_signs_is_an_error_naming_file_and_line(write):
    path = write("both.tmpl", "# header\n\n{{ range $ }}\n{{ .Name }}\n{% if x %}{% endif %}\n{{ end }}\n")
    with pytest.raises(RenderError) as info:
        choose_engine([path])
    message = str(info.value)
    assert info.value.template == path
    assert info.value.line == 3  # the first of the two signs
    assert message.startswith(f"{path}:3: ")
    assert "-template-engine" in message
    assert "'{{ range'" in message and "'{%'" in message
    assert len(message.splitlines()) == 1


def test_ambiguous_line_is_the_first_sign_whichever_engine(write):
    path = write("both.tmpl", "a\nb\n{# note #}\nc\n{{ $.Env.X }}\n")
    with pytest.raises(RenderError, match="-template-engine") as info:
        choose_engine([path])
    assert info.value.line == 3


def test_ambiguous_file_in_template_raises_render_error(write):
    path = write("both.tmpl", "{{ .Name }}\n{{ containers|length }}\n")
    with pytest.raises(RenderError, match=r"-template-engine go\|jinja2") as info:
        Template(path)
    assert info.value.template == path
    assert info.value.line == 1


def test_mixed_list_is_an_error_naming_both_files(write):
    go = write("go.tmpl", "{{ range $ }}{{ .Name }}{{ end }}\n")
    jinja = write("jinja.tmpl", "{% for c in containers %}{{ c.Name }}{% endfor %}\n")
    for paths in ([go, jinja], [jinja, go]):
        with pytest.raises(RenderError) as info:
            choose_engine(paths)
        message = str(info.value)
        assert go in message and jinja in message
        assert "a Go template" in message and "a Jinja2 template" in message
        assert "-template-engine" in message
        assert len(message.splitlines()) == 1
    with pytest.raises(RenderError, match="mixes engines"):
        Template(f"{go};{jinja}")


# -- files without signs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "plain text, no actions\n",
        "",
        '{{ "x" }}\n',
        "{{ json $ }}\n",  # a function call: valid Go
        '{{ printf "%d" 3 }}\n',
    ],
    ids=["plain", "empty", "string", "json", "printf"],
)
def test_no_signs_and_parses_as_go_is_go(write, text):
    assert detect("t.tmpl", text)[0] is None
    assert engine_of(write, text) == "go"


@pytest.mark.parametrize("text", ["{{ 1 + 2 }}\n", "{{ names }}\n", "{{ c['Name'] }}\n"], ids=["sum", "name", "item"])
def test_no_signs_and_not_go_is_jinja2(write, text):
    assert detect("t.tmpl", text)[0] is None
    engine, reason = choose_engine([write("t.tmpl", text)])
    assert engine == "jinja2"
    assert "does not parse as a Go template" in reason


def test_a_file_without_signs_agrees_with_either_engine(write):
    plain = write("plain.tmpl", "static text\n")
    go = write("go.tmpl", "{{ .Name }}\n")
    jinja = write("jinja.tmpl", "{{ env.X }}\n")
    assert choose_engine([plain, go])[0] == "go"
    assert choose_engine([go, plain])[0] == "go"
    assert choose_engine([plain, jinja]) == ("jinja2", "auto: it has '{{ env' (jinja.tmpl)")
    assert choose_engine([jinja, plain]) == ("jinja2", "auto: it has '{{ env'")
    assert choose_engine([plain, plain]) == ("go", "auto: no engine-specific syntax, so docker-gen's Go engine")


def test_a_file_that_is_not_go_disagrees_with_a_go_file(write):
    not_go = write("sum.tmpl", "{{ 1 + 2 }}\n")
    go = write("go.tmpl", "{{ .Name }}\n")
    with pytest.raises(RenderError, match="mixes engines") as info:
        choose_engine([go, not_go])
    assert go in str(info.value) and not_go in str(info.value)


def test_unreadable_file(tmp_path):
    with pytest.raises(RenderError, match="cannot read template") as info:
        choose_engine([str(tmp_path / "missing.tmpl")])
    assert info.value.template == str(tmp_path / "missing.tmpl")


# -- explicit engine ------------------------------------------------------------------------


def test_explicit_engine_wins_over_detection(write):
    go_looking = write("go.tmpl", "{{ range $ }}{{ .Name }}{{ end }}\n")
    ambiguous = write("both.tmpl", "{{ .Name }}\n{% if x %}{% endif %}\n")
    assert choose_engine([go_looking], "jinja2") == ("jinja2", "chosen by -template-engine")
    assert choose_engine([ambiguous], "go") == ("go", "chosen by -template-engine")
    assert choose_engine([ambiguous], "jinja2")[0] == "jinja2"
    # a mixed list is no error once the engine is given
    jinja = write("jinja.tmpl", "{{ env.X }}\n")
    assert choose_engine([go_looking, jinja], "go")[0] == "go"


def test_explicit_engine_renders_an_ambiguous_file(write):
    from dockergen.model import Docker, RuntimeContainer
    from dockergen.pipeline.render import RenderInput

    data = RenderInput([RuntimeContainer(ID="1", Name="one")], Docker(), {})
    jinja = write("j.tmpl", '{% for c in containers %}{{ c.Name }}{% endfor %} {{ "{{ $x }}" }}\n')
    go = write("g.tmpl", '{{ range $ }}{{ .Name }}{{ end }} {{ "{% x %}" }}\n')
    for path in (jinja, go):
        with pytest.raises(RenderError, match="-template-engine"):
            Template(path)
    as_jinja = Template(jinja, engine="jinja2")
    assert (as_jinja.engine, as_jinja.engine_reason) == ("jinja2", "chosen by -template-engine")
    assert as_jinja.render(data) == "one {{ $x }}\n"
    as_go = Template(go, engine="go")
    assert as_go.engine == "go"
    assert as_go.render(data) == "one {% x %}\n"


@pytest.mark.parametrize("value", ["foo", "Go", "jinja", ""])
def test_unknown_engine_is_a_one_line_error(write, value):
    path = write("t.tmpl", "{{ .Name }}\n")
    with pytest.raises(RenderError, match="unknown template engine") as info:
        choose_engine([path], value)
    assert len(str(info.value).splitlines()) == 1
    assert repr(value) in str(info.value)
    with pytest.raises(RenderError, match="unknown template engine"):
        Template(path, engine=value)


def test_template_records_the_auto_choice(write):
    template = Template(write("t.tmpl", "{{ range $ }}{{ .Name }}{{ end }}\n"))
    assert (template.engine, template.engine_reason) == ("go", "auto: it has '{{ range'")


# -- a Go-only config never imports Jinja2 -------------------------------------------------

_IMPORT_PROBE = r"""
import json, sys
from dockergen.model import Address, Docker, Network, RuntimeContainer
from dockergen.pipeline.render import RenderInput, Template

template = Template(sys.argv[1])
containers = [
    RuntimeContainer(
        ID="abc123", Name="web", Env={"VIRTUAL_HOST": "a.example.com"},
        Addresses=[Address(IP="172.17.0.2", Port="80", Proto="tcp")],
        Networks=[Network(IP="172.17.0.2", Name="bridge")],
    ),
]
output = template.render(RenderInput(containers, Docker(Version="24.0.7"), {"DOMAIN": "example.com"}))
import dockergen.cli, dockergen.generator, dockergen.watch  # noqa: E401,F401
print(json.dumps({"engine": template.engine, "output": output, "jinja2": "jinja2" in sys.modules}))
"""


def _probe(path: str) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_PROBE, path], capture_output=True, text=True, env=env, cwd=REPO, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_go_only_render_does_not_import_jinja2(write):
    path = write("hosts.tmpl", "{{ range $c := $ }}{{ range .Networks }}{{ .IP }} {{ $c.Name }}.{{ $.Env.DOMAIN }}\n{{ end }}{{ end }}")
    probe = _probe(path)
    assert probe["engine"] == "go"
    assert probe["output"] == "172.17.0.2 web.example.com\n"
    assert probe["jinja2"] is False


def test_jinja2_render_does_import_jinja2(write):
    path = write("hosts.tmpl", "{% for c in containers %}{{ c.Networks[0].IP }} {{ c.Name }}.{{ env.DOMAIN }}\n{% endfor %}")
    probe = _probe(path)
    assert probe["engine"] == "jinja2"
    assert probe["output"] == "172.17.0.2 web.example.com\n"
    assert probe["jinja2"] is True



def _detect_by_full_scans(text: str) -> tuple[str | None, str]:
    """detect() as the rule reads: every pattern run over the whole text (the reference for its shortcuts)."""
    from dockergen import engine_choice as ec

    go_text = ec._blank_bodies(ec._GO_QUIET, text)
    jinja = re.search(ec._JINJA_BLOCK, go_text) or re.search(ec._JINJA_NAMES, go_text)
    go = re.search(ec._GO_ACTION, ec._blank_bodies(ec._JINJA_QUIET, text))
    if jinja and go:
        return "refused", f"{ec._shown(go.group())!r} and {ec._shown(jinja.group())!r} line {ec._line_of(text, min(go.start(), jinja.start()))}"
    if jinja:
        return "jinja2", f"it has {ec._shown(jinja.group())!r}"
    if go:
        return "go", f"it has {ec._shown(go.group())!r}"
    return None, "it has no engine-specific syntax"


def test_the_shortcuts_decide_as_full_scans_do():
    # detect() skips scans that cannot match (no "{%"/"{#" in the text; Go comments blanked only
    # when a Jinja2 sign was seen): its answers, reasons and refusals are those of running them all.
    import random

    pieces = ["{{/*", "*/}}", "{{- /* ", " */ -}}", "{#", "#}", "${#", "{%", "%}", "{% raw %}", "{% endraw %}",
              "{{ range $ }}", "{{ end }}", "{{ containers }}", "{{ docker.x }}", "{{ .Name }}", "{{ $x }}",
              "{{", "}}", "$", " ", "\n", "x", "/*", "*/", "{{ \"s\" }}"]
    rnd = random.Random(21)
    seen = set()
    for _ in range(3000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 12)))
        try:
            got = detect("t.tmpl", text)
        except RenderError as exc:
            got = ("refused", f"{str(exc).split('(it has both ')[1].split(')')[0]} line {exc.line}")
        assert got == _detect_by_full_scans(text), text
        seen.add(got[0])
    assert seen == {"go", "jinja2", "refused", None}
