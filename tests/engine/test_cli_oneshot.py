"""The command line end to end against the engine: output, exit codes, one-line errors."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from cli_support import REPO, run_cli

pytestmark = pytest.mark.engine

NAMES = "{% for c in containers|sortObjectsByKeysAsc('Name') %}{{ c.Name }}\n{% endfor %}"


@pytest.fixture
def names_template(tmp_path):
    path = tmp_path / "names.tmpl"
    path.write_text(NAMES)
    return str(path)


def test_one_shot_to_stdout_and_to_file(tmp_path, names_template, make_container):
    tag = uuid.uuid4().hex[:8]
    a = make_container(name=f"dgt-a-{tag}", labels={"t": tag})
    b = make_container(name=f"dgt-b-{tag}", labels={"t": tag})
    make_container(name=f"dgt-stopped-{tag}", labels={"t": tag}, start=False)

    result = run_cli("-container-filter", f"label=t={tag}", names_template)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{a.name}\n{b.name}\n"

    dest = tmp_path / "out.txt"
    result = run_cli("--container-filter=label=t=" + tag, "-include-stopped", names_template, str(dest))
    assert result.returncode == 0, result.stderr
    assert dest.read_text() == f"{a.name}\n{b.name}\ndgt-stopped-{tag}\n"
    assert f"Generated '{dest}' from 3 containers" in result.stderr


def test_docker_container_filters_environment(tmp_path, names_template, make_container):
    tag = uuid.uuid4().hex[:8]
    a = make_container(labels={"t": tag, "pick": "yes"})
    make_container(labels={"t": tag, "pick": "no"})
    result = run_cli(names_template, env={"DOCKER_CONTAINER_FILTERS": f"label=t={tag}, label=pick=yes"})
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{a.name}\n"
    # An explicit -container-filter wins over the environment variable.
    result = run_cli("-container-filter", f"label=t={tag}", names_template,
                     env={"DOCKER_CONTAINER_FILTERS": "label=pick=yes"})
    assert len(result.stdout.splitlines()) == 2


def test_only_exposed_and_only_published(names_template, make_container):
    tag = uuid.uuid4().hex[:8]
    make_container(name=f"dgt-plain-{tag}", labels={"t": tag})
    exposed = make_container(name=f"dgt-exposed-{tag}", labels={"t": tag}, expose=[80])
    published = make_container(name=f"dgt-published-{tag}", labels={"t": tag}, publish={81: None})
    base = ("-container-filter", f"label=t={tag}")
    assert run_cli(*base, "-only-exposed", names_template).stdout == f"{exposed.name}\n{published.name}\n"
    assert run_cli(*base, "-only-published", names_template).stdout == f"{published.name}\n"


def test_config_file_mode(tmp_path, names_template, make_container):
    tag = uuid.uuid4().hex[:8]
    a = make_container(labels={"t": tag})
    dest1, dest2 = tmp_path / "one.txt", tmp_path / "two.txt"
    first = tmp_path / "a.toml"
    first.write_text(
        f'[[config]]\ntemplate = "{names_template}"\ndest = "{dest1}"\n'
        f'[config.ContainerFilter]\nlabel = ["t={tag}"]\n'
    )
    second = tmp_path / "b.toml"
    second.write_text(
        f'[[Config]]\nTemplate = "{names_template}"\nDEST = "{dest2}"\nincludestopped = true\n'
        f'[Config.containerfilter]\nlabel = ["t={tag}"]\n'
    )
    result = run_cli("-config", str(first), "-config", str(second), "-watch", "-only-exposed")
    assert result.returncode == 0, result.stderr
    assert dest1.read_text() == dest2.read_text() == f"{a.name}\n"
    assert "ignoring -watch, -only-exposed" in result.stderr


def test_examples_config_file_loads():
    from dockergen.config import load_config_files

    configs = load_config_files([str(REPO / "examples" / "docker-gen.toml")])
    assert len(configs) == 2 and configs[0].notify_containers == {"nginx": 1}
    assert (configs[0].check_cmd, configs[0].check_timeout, configs[0].backup) == ("nginx -t -q", 20.0, True)


@pytest.mark.parametrize(
    ("args", "toml", "code", "culprit"),
    [
        (["-wait", "5"], None, 2, "-wait"),
        (["-wait", "2s:1s"], None, 2, "max must be larger than min"),
        (["-container-filter", "label"], None, 2, "-container-filter"),
        (["-notify-filter", "nokey"], None, 2, "-notify-filter"),
        (["-event-filter", "x"], None, 2, "-event-filter"),
        (["-notify-signal", "0"], None, 2, "-notify-signal"),
        (["-notify-signal", "BOGUS"], None, 2, "-notify-signal"),
        (["-interval", "abc"], None, 2, "-interval"),
        (["-interval", "-5"], None, 2, "-interval"),
        (["-bogus"], None, 2, "-bogus"),
        (["-watch=maybe"], None, 2, "-watch"),
        (["-endpoint", "tcp://127.0.0.1"], None, 1, "bad endpoint"),
        (["-endpoint", "foo://x"], None, 1, "invalid bind address protocol"),
        (["-endpoint", "tcp://127.0.0.1:1"], None, 1, "cannot connect"),
        (["-endpoint", "tcp://127.0.0.1:2376", "-tlsverify", "-tlscacert", "/nonexistent/ca.pem"], None, 1, "CA cert does not exist"),
        (["-log-level", "loud"], None, 2, "-log-level"),
        (None, "[[config]]\ntemplate = 'x'\ndset = 'typo'\n", 1, "unknown key 'dset'"),
        (None, "[[config]]\ntemplate = 'x'\nwatch = 'yes'\n", 1, "watch must be a boolean"),
        (None, "[[config]]\ntemplate = 'x'\nwait = 5\n", 1, "missing unit"),
        (None, "[[config]]\ntemplate = 'x'\n[config.NotifyContainers]\nnginx = 0\n", 1, "nginx"),
        (None, "[[config]\ntemplate = 'x'\n", 1, "line 1"),
    ],
)
def test_bad_input_gives_one_line_error_and_writes_nothing(tmp_path, names_template, args, toml, code, culprit):
    dest = tmp_path / "dest.txt"
    if toml is None:
        argv = [*args, names_template, str(dest)]
    else:
        config = tmp_path / "bad.toml"
        config.write_text(toml)
        argv = ["-config", str(config)]
    result = run_cli(*argv)
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert culprit in lines[0]
    if toml is not None:
        assert str(config) in lines[0]
    assert not dest.exists()
    assert result.stdout == ""


def test_missing_template_and_bad_destinations(tmp_path, names_template):
    result = run_cli(str(tmp_path / "missing.tmpl"), str(tmp_path / "out"))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"docker-gen: {tmp_path / 'missing.tmpl'}: template file does not exist"]
    assert not (tmp_path / "out").exists()

    syntax = tmp_path / "syntax.tmpl"
    syntax.write_text("line one\n{% for c in containers %}\n{{ c.Name }\n")
    result = run_cli(str(syntax), str(tmp_path / "out"))
    assert result.returncode == 1
    assert f"{syntax}:3" in result.stderr and len(result.stderr.strip().splitlines()) == 1

    result = run_cli(names_template, str(tmp_path / "no-such-dir" / "out"))
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if not line.startswith("20")]  # log lines start with the date
    missing = tmp_path / "no-such-dir"
    assert errors == [f"docker-gen: {missing / 'out'}: destination directory {missing} does not exist"]

    # A destination directory the user may not write to (tested as an unprivileged user,
    # since root may write anywhere).
    if os.getuid() == 0:
        outer = Path(tempfile.mkdtemp(prefix="dgt-locked-"))
        try:
            outer.chmod(0o755)
            locked = outer / "locked"
            locked.mkdir(mode=0o555)
            locked.chmod(0o555)
            result = subprocess.run(
                ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                 sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]);"
                 "from dockergen.pipeline.writer import write_if_changed, WriteError\n"
                 "try:\n write_if_changed(sys.argv[2], 'x')\nexcept WriteError as e:\n print(e); sys.exit(1)",
                 str(REPO), str(locked / "out")],
                capture_output=True, text=True,
            )
            assert result.returncode == 1, result.stderr
            assert result.stdout.strip() == f"{locked / 'out'}: cannot create a file in {locked}: Permission denied"
            assert not (locked / "out").exists()
        finally:
            shutil.rmtree(outer)


def test_render_error_names_template_line_and_keeps_destination(tmp_path):
    template = tmp_path / "bad.tmpl"
    template.write_text("ok\n{{ mustBeInt('eighty') }}\n")
    dest = tmp_path / "out"
    dest.write_text("previous\n")
    result = run_cli(str(template), str(dest))
    assert result.returncode == 1
    assert f"{template}:2" in result.stderr
    assert dest.read_text() == "previous\n"


def test_unreachable_endpoint_says_why_in_a_few_words(names_template):
    result = run_cli("-endpoint", "tcp://127.0.0.1:1", names_template)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == "docker-gen: cannot connect to Docker at tcp://127.0.0.1:1: connection refused"
    result = run_cli("-endpoint", "unix:///nonexistent/docker.sock", names_template)
    assert result.stderr.splitlines()[-1] == "docker-gen: cannot connect to Docker at unix:///nonexistent/docker.sock: no such socket"


def test_failed_render_to_stdout_is_one_line_and_claims_nothing_kept(tmp_path):
    template = tmp_path / "bad.tmpl"
    template.write_text("ok\n{{ mustBeInt('eighty') }}\n")
    result = run_cli(str(template))
    assert result.returncode == 1 and result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if line.startswith("docker-gen: ")]
    assert len(errors) == 1 and errors[0].startswith(f"docker-gen: {template}:2: ")
    assert "previous content" not in result.stderr and "ERROR" not in result.stderr


def test_version_and_help():
    from dockergen import __version__

    result = run_cli("-version")
    assert result.returncode == 0 and result.stdout.strip() == __version__
    for flag in ("-help", "--help", "-h"):
        result = run_cli(flag)
        assert result.returncode == 0 and "-notify-sighup" in result.stdout and result.stderr == ""
    result = run_cli()
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == "Usage: docker-gen [options] template [dest]\nRun 'docker-gen -help' for the options.\n"
    result = run_cli("-wait", "templates/x.tmpl")
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1 and result.stderr.startswith("docker-gen: -wait: ")


def test_kill_9_never_leaves_a_partial_destination(tmp_path, make_container):
    """A large destination rewritten over and over; kill -9 at random moments; the file is always whole."""
    import random

    template = tmp_path / "big.tmpl"
    template.write_text("{% for i in range(150000) %}{{ env.MARK }} line {{ i }} of the destination\n{% endfor %}")
    dest = tmp_path / "big.out"
    expected = {
        mark: "".join(f"{mark} line {i} of the destination\n" for i in range(150000)) for mark in ("AAAA", "BBBB")
    }
    rng = random.Random(1234)
    killed_mid_run = 0
    for round_number in range(16):
        mark = "AAAA" if round_number % 2 else "BBBB"
        env = dict(os.environ, MARK=mark, DOCKER_CONTAINER_FILTERS="label=dockergen.test.none=1")
        process = subprocess.Popen(
            [sys.executable, "-m", "dockergen", str(template), str(dest)],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.05, 1.2))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed_mid_run += 1
        process.wait()
        if dest.exists():
            content = dest.read_text()
            assert content in (expected["AAAA"], expected["BBBB"]), f"partial file after round {round_number}"
    assert killed_mid_run >= 4, "the kill never landed while the process ran; make the template bigger"
    assert dest.exists()


def test_stdout_closed_by_its_reader_is_one_line_error(names_template, make_containers):
    make_containers(3)
    process = subprocess.Popen(
        [sys.executable, "-m", "dockergen", names_template], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    process.stdout.close()  # like `docker-gen t.tmpl | head -0`
    assert process.wait(timeout=60) == 1
    assert process.stderr.read() == "docker-gen: cannot write to stdout: Broken pipe\n"


def test_one_shot_writes_the_go_template_cache_then_uses_it(tmp_path, make_container):
    """The first run parses and compiles the Go template and writes the cache; the next loads it
    (their debug logs say so) and renders the same."""
    tag = uuid.uuid4().hex[:8]
    a = make_container(name=f"dgt-cache-{tag}", labels={"t": tag})
    template = tmp_path / "names.tmpl"
    padding = "{{/* " + "long enough to be worth caching " * 200 + "*/}}"  # WORTH_CACHING
    template.write_text(padding + '{{ range $ }}{{ if .State.Running }}{{ .Name }}{{ end }}\n{{ end }}')
    cache = tmp_path / "cache"
    args = ("-log-level", "debug", "-template-engine", "go", "-template-cache", str(cache),
            "-container-filter", f"label=t={tag}", str(template))
    first = run_cli(*args)
    assert first.returncode == 0, first.stderr
    assert first.stdout == f"{a.name}\n"
    assert "Go template cache: wrote" in first.stderr and "Go template cache: loaded" not in first.stderr
    assert len(list((cache / "gotemplate").glob("*.pickle"))) == 1
    second = run_cli(*args)
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout
    assert "Go template cache: loaded" in second.stderr and "Go template cache: wrote" not in second.stderr
    third = run_cli(*args[:5], "off", *args[6:])  # -template-cache off: neither
    assert third.stdout == first.stdout and "Go template cache" not in third.stderr
