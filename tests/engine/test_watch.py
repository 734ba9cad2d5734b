"""Watch mode against the real engine: every change shows up, nothing else renders, nothing dies."""

from __future__ import annotations

import re
import signal
import time
import uuid
from pathlib import Path

import pytest

from cli_support import RunningGenerator, run_cli

pytestmark = [pytest.mark.engine]

TEMPLATE = (
    "{% for c in containers|sort(attribute='Name') %}"
    "{{ c.Name }} {{ c.State.Health.Status or '-' }} {{ c.Networks|map(attribute='Name')|join(',') }}\n"
    "{% endfor %}"
)


def read(path: Path) -> str:
    try:
        return path.read_text()
    except FileNotFoundError:
        return ""


@pytest.fixture
def setup(tmp_path):
    """A template, a destination, a tag for this test's containers and a way to start the watcher."""
    template = tmp_path / "watch.tmpl"
    template.write_text(TEMPLATE)
    dest = tmp_path / "out.txt"
    tag = uuid.uuid4().hex[:8]
    generators: list[RunningGenerator] = []

    class Setup:
        def __init__(self) -> None:
            self.template, self.dest, self.tag, self.tmp = template, dest, tag, tmp_path

        def watch(self, *extra: str, dest_path: Path | None = None, template_path: Path | None = None,
                  filters: tuple[str, ...] | None = None) -> RunningGenerator:
            flt = filters if filters is not None else ("-container-filter", f"label=t={tag}")
            generator = RunningGenerator(
                "-watch", "-log-level", "debug", *flt, *extra,
                str(template_path or template), str(dest_path or dest),
                log_path=tmp_path / f"gen{len(generators)}.log",
            )
            generators.append(generator)
            return generator

        def fresh(self, *extra: str) -> str:
            """A one-shot render with the same template and filter: the truth."""
            out = run_cli("-container-filter", f"label=t={tag}", *extra, str(template))
            assert out.returncode == 0, out.stderr
            return out.stdout

    yield Setup()
    for generator in generators:
        generator.stop()


def test_start_stop_die_rm_and_rename(setup, make_container, wait_for, docker_api):
    gen = setup.watch()
    wait_for(lambda: setup.dest.exists() and "Watching docker events" in gen.log(), timeout=10)
    assert read(setup.dest) == ""

    a = make_container(name=f"dgt-a-{setup.tag}", labels={"t": setup.tag})
    b = make_container(name=f"dgt-b-{setup.tag}", labels={"t": setup.tag})
    wait_for(lambda: a.name in read(setup.dest) and b.name in read(setup.dest), timeout=5)

    docker_api.stop(a.id, timeout=1)
    wait_for(lambda: a.name not in read(setup.dest), timeout=5)
    docker_api.start(a.id)
    wait_for(lambda: a.name in read(setup.dest), timeout=5)
    docker_api.kill(a.id)  # die
    wait_for(lambda: a.name not in read(setup.dest), timeout=5)

    docker_api.rename(b.id, f"dgt-renamed-{setup.tag}")
    wait_for(lambda: f"dgt-renamed-{setup.tag}" in read(setup.dest), timeout=5)
    assert b.name not in read(setup.dest)
    assert read(setup.dest) == setup.fresh()

    docker_api.remove_container(b.id, force=True)
    wait_for(lambda: "dgt-renamed" not in read(setup.dest), timeout=5)
    assert read(setup.dest) == setup.fresh() == ""
    assert "Watching docker events" in gen.log() and gen.count("Watching docker events") == 1


def test_rm_f_of_stopped_container_disappears_with_include_stopped(setup, make_container, wait_for, docker_api):
    gen = setup.watch("-include-stopped")
    c = make_container(name=f"dgt-c-{setup.tag}", labels={"t": setup.tag}, start=False)
    wait_for(lambda: c.name in read(setup.dest), timeout=5)
    docker_api.remove_container(c.id, force=True)  # docker-gen leaves it in its output
    wait_for(lambda: c.name not in read(setup.dest), timeout=5)
    assert gen.process.poll() is None


def test_health_and_networks(setup, make_container, make_network, wait_for, docker_api):
    setup.watch()
    net = make_network(f"dgt-net-{setup.tag}")
    flag = setup.tmp / "healthy"
    flag.mkdir()
    c = make_container(
        name=f"dgt-h-{setup.tag}",
        labels={"t": setup.tag},
        healthcheck={"test": ["CMD", "test", "-e", "/flag/ok"], "interval": 200_000_000, "retries": 1},
        mounts=[f"{flag}:/flag"],
    )
    wait_for(lambda: f"{c.name} starting bridge" in read(setup.dest) or f"{c.name} unhealthy" in read(setup.dest), timeout=5)
    (flag / "ok").touch()
    wait_for(lambda: f"{c.name} healthy bridge" in read(setup.dest), timeout=10)

    docker_api.connect_container_to_network(c.id, net["Id"])
    wait_for(lambda: f"{c.name} healthy bridge,{net['Name']}" in read(setup.dest), timeout=5)
    docker_api.disconnect_container_from_network(c.id, "bridge")
    wait_for(lambda: f"{c.name} healthy {net['Name']}\n" in read(setup.dest), timeout=5)
    assert read(setup.dest) == setup.fresh()


def test_events_of_excluded_containers_do_not_render(setup, make_container, wait_for):
    gen = setup.watch()
    mine = make_container(labels={"t": setup.tag})
    wait_for(lambda: mine.name in read(setup.dest), timeout=5)
    rendered = gen.count("Rendering ")
    other = make_container(labels={"t": "someone-else"})
    wait_for(lambda: gen.count("does not see") >= 1 or other.name in read(setup.dest), timeout=5)
    assert gen.count("Rendering ") == rendered
    assert other.name not in read(setup.dest)


def test_a_stopped_containers_network_events_ask_the_engine_only_when_a_render_shows_it(
        setup, make_container, make_network, wait_for, docker_api):
    # Right after a stop the engine answers an inspect only once the network is torn down
    # (tens of ms): the next event's render would wait for it.  Without -include-stopped
    # a stopped container is never shown, so its disconnect event needs no inspect.
    gen = setup.watch()
    c = make_container(name=f"dgt-s-{setup.tag}", labels={"t": setup.tag}, init=True)
    wait_for(lambda: c.name in read(setup.dest), timeout=5)
    docker_api.stop(c.id, timeout=1)
    wait_for(lambda: c.name not in read(setup.dest), timeout=10)

    def since(marker: str) -> str:
        text = gen.log()
        return text[text.rfind(marker):] if marker in text else ""

    # every render or skip after the disconnect event says how many API calls it made
    wait_for(lambda: "API calls" in since("Received event network disconnect"), timeout=10)
    counts = re.findall(r"(\d+) API calls", since("Received event container die"))
    assert counts and set(counts) == {"0"}, since("Received event container die")

    # Shown when stopped (-include-stopped): the same events inspect, and the output follows.
    net = make_network(f"dgt-sn-{setup.tag}")
    shown = make_container(name=f"dgt-sh-{setup.tag}", labels={"t": setup.tag}, init=True, networks=[net["Name"]])
    other = setup.watch("-include-stopped", dest_path=setup.tmp / "all.txt")
    wait_for(lambda: f"{shown.name} - {net['Name']}\n" in read(setup.tmp / "all.txt"), timeout=5)
    docker_api.stop(shown.id, timeout=1)
    docker_api.disconnect_container_from_network(shown.id, net["Id"])
    wait_for(lambda: f"{shown.name} - \n" in read(setup.tmp / "all.txt"), timeout=10)  # stopped, no network left
    assert read(setup.tmp / "all.txt") == setup.fresh("-include-stopped")
    assert other.process.poll() is None and gen.process.poll() is None


def test_an_event_filter_decides_when_to_render_never_what(setup, make_container, wait_for, docker_api):
    # -event-filter label=KEY: only those containers' events trigger a render, and each render
    # shows every container the config sees, including those whose events were not followed.
    key = f"dgt.follow.{setup.tag}"
    setup.watch("-event-filter", f"label={key}")
    followed = make_container(labels={"t": setup.tag, key: ""})
    wait_for(lambda: followed.name in read(setup.dest), timeout=5)
    unfollowed = make_container(labels={"t": setup.tag})
    time.sleep(0.5)
    assert unfollowed.name not in read(setup.dest)  # its start sent no event this watcher reads
    docker_api.remove_container(followed.id, force=True)
    wait_for(lambda: read(setup.dest) == setup.fresh(), timeout=5)
    assert unfollowed.name in read(setup.dest) and followed.name not in read(setup.dest)


def test_several_configs_with_different_waits(setup, make_container, wait_for):
    fast, slow = setup.tmp / "fast.txt", setup.tmp / "slow.txt"
    config = setup.tmp / "c.toml"
    config.write_text(
        f'[[config]]\ntemplate = "{setup.template}"\ndest = "{fast}"\nwatch = true\n'
        f'[config.ContainerFilter]\nlabel = ["t={setup.tag}"]\n'
        f'[[config]]\ntemplate = "{setup.template}"\ndest = "{slow}"\nwatch = true\nwait = "1500ms:3s"\n'
        f'[config.ContainerFilter]\nlabel = ["t={setup.tag}"]\n'
    )
    gen = setup.watch(filters=("-config", str(config)))
    wait_for(lambda: fast.exists() and slow.exists(), timeout=10)
    c = make_container(labels={"t": setup.tag})
    started = time.monotonic()
    wait_for(lambda: c.name in read(fast), timeout=5)
    fast_at = time.monotonic() - started
    wait_for(lambda: c.name in read(slow), timeout=6)
    slow_at = time.monotonic() - started
    assert fast_at < 1.0
    assert slow_at >= 1.3  # the debounce held it back, without holding back the fast config
    assert gen.process.poll() is None


def test_interval_always_notifies(setup, wait_for):
    ticks = setup.tmp / "ticks"
    gen = RunningGenerator(
        "-interval", "1", "-notify", f"echo tick >> {ticks}", "-container-filter", f"label=t={setup.tag}",
        str(setup.template), str(setup.dest), log_path=setup.tmp / "interval.log",
    )
    try:
        wait_for(lambda: ticks.exists() and len(ticks.read_text().split()) >= 3, timeout=8)
        assert "Generating" in gen.log() and "every 1 seconds" in gen.log()
    finally:
        assert gen.stop() == 0


def test_sighup_rerenders(setup, wait_for):
    included = setup.tmp / "included.txt"
    included.write_text("one\n")
    template = setup.tmp / "hup.tmpl"
    template.write_text(f'{{{{ include("{included}") }}}}')
    gen = setup.watch(template_path=template)
    wait_for(lambda: read(setup.dest) == "one\n", timeout=10)
    included.write_text("two\n")  # not a template file: only SIGHUP makes it visible
    time.sleep(0.3)
    assert read(setup.dest) == "one\n"
    gen.signal(signal.SIGHUP)
    wait_for(lambda: read(setup.dest) == "two\n", timeout=5)
    assert "Received signal: hangup" in gen.log()


def test_sigterm_during_a_render_exits_cleanly(setup, make_container, wait_for):
    template = setup.tmp / "slow.tmpl"
    template.write_text("{% for i in range(400000) %}{{ containers|length }} line {{ i }}\n{% endfor %}")
    for attempt in range(3):
        dest = setup.tmp / f"slow{attempt}.txt"
        gen = setup.watch(template_path=template, dest_path=dest)
        # Once the handlers are installed (a SIGTERM before that ends any process, as it
        # should); then somewhere inside the first render, which takes seconds.
        wait_for(lambda: "Watching docker events" in gen.log(), timeout=20)
        time.sleep(0.1 + 0.2 * attempt)
        gen.signal(signal.SIGTERM)
        assert gen.stop() == 0
        content = read(dest)
        assert content == "" or (content.endswith("line 399999\n") and content.count("\n") == 400000)
        assert not [p for p in setup.tmp.iterdir() if p.name.endswith(".dockergen.tmp")]


def test_sigterm_amid_a_flood_of_signals_still_exits(setup, wait_for):
    """A signal may land while the dispatcher holds its queue's lock; the handler must not hang on it.

    (CI once saw a watcher never exit after SIGTERM: the handler called
    ``queue.Queue.put`` while the main thread was inside ``get``.)
    """
    for attempt in range(3):
        gen = setup.watch("-wait", "1s:2s", dest_path=setup.tmp / f"flood{attempt}.txt")
        wait_for(lambda: "Watching docker events" in gen.log(), timeout=10)
        for _ in range(3000):
            gen.signal(signal.SIGHUP)
        gen.signal(signal.SIGTERM)
        assert gen.stop(timeout=10) == 0
        assert "Received signal: SIGTERM" in gen.log()


def test_template_syntax_error_and_back(setup, make_container, wait_for):
    template = setup.tmp / "edit.tmpl"
    template.write_text("v1 {{ containers|length }}\n")
    gen = setup.watch(template_path=template)
    wait_for(lambda: read(setup.dest) == "v1 0\n", timeout=10)
    template.write_text("line one\nv2 {{ containers|length }\n")
    wait_for(lambda: f"{template}:2" in gen.log(), timeout=5)
    assert read(setup.dest) == "v1 0\n"
    c = make_container(labels={"t": setup.tag})  # still rendering with the last good template
    wait_for(lambda: read(setup.dest) == "v1 1\n", timeout=5)
    template.write_text("v3 {{ containers|length }}\n")
    wait_for(lambda: read(setup.dest) == "v3 1\n", timeout=5)
    assert gen.process.poll() is None
    del c


def test_runtime_error_keeps_last_output_and_names_the_container(setup, make_container, wait_for):
    template = setup.tmp / "strict.tmpl"
    template.write_text(
        "{% for c in containers|sort(attribute='Name') %}\n"
        "{{ c.Name }} {{ mustBeInt(c.Env.PORT) }}\n"
        "{% endfor %}\n"
    )
    gen = setup.watch(template_path=template)
    good = make_container(name=f"dgt-good-{setup.tag}", labels={"t": setup.tag}, env={"PORT": "80"})
    wait_for(lambda: read(setup.dest) == f"{good.name} 80\n", timeout=10)
    bad = make_container(name=f"dgt-zbad-{setup.tag}", labels={"t": setup.tag}, env={"PORT": "eighty"})
    wait_for(lambda: "must be an integer" in gen.log(), timeout=5)
    assert f"{template}:2" in gen.log()
    assert bad.name in gen.log()
    assert read(setup.dest) == f"{good.name} 80\n"
    assert gen.process.poll() is None


def test_hanging_notify_does_not_stop_the_watcher(setup, make_container, wait_for):
    gen = setup.watch("-notify", "sleep 30", "-notify-timeout", "1s")
    a = make_container(labels={"t": setup.tag})
    wait_for(lambda: a.name in read(setup.dest), timeout=5)
    b = make_container(labels={"t": setup.tag})
    wait_for(lambda: b.name in read(setup.dest), timeout=8)
    wait_for(lambda: "killed after the 1 s timeout" in gen.log(), timeout=5)
    assert gen.process.poll() is None


@pytest.mark.parametrize("seed", [20261121, 7])
def test_random_sequence_converges_to_a_fresh_render(seed, setup, make_container, make_network, wait_for, docker_api):
    """Invariant: after any sequence of events, the watcher's output equals a fresh one-shot render."""
    import random

    rng = random.Random(seed)
    net = make_network(f"dgt-rnd-{setup.tag}")
    # Connecting a *stopped* container to a network changes its inspect without any
    # event: the periodic reconciliation (1 s here, 60 s by default) must catch that.
    gen = setup.watch("-include-stopped", "-reconcile-interval", "1s")
    pool = [make_container(name=f"dgt-r{i}-{setup.tag}", labels={"t": setup.tag}, init=True) for i in range(4)]
    alive = {c.id for c in pool}
    renamed = 0
    for step in range(30):
        cid = rng.choice(sorted(alive))
        action = rng.choice(["stop", "start", "rename", "connect", "disconnect", "remove", "create"])
        info = docker_api.inspect_container(cid)
        running = info["State"]["Running"]
        attached = net["Name"] in info["NetworkSettings"]["Networks"]
        if action == "stop" and running:
            docker_api.stop(cid, timeout=1)
        elif action == "start" and not running:
            docker_api.start(cid)
        elif action == "rename":
            renamed += 1
            docker_api.rename(cid, f"dgt-renamed{renamed}-{setup.tag}")
        elif action == "connect" and not attached:
            docker_api.connect_container_to_network(cid, net["Id"])
        elif action == "disconnect" and attached:
            docker_api.disconnect_container_from_network(cid, net["Id"])
        elif action == "remove" and len(alive) > 1:
            docker_api.remove_container(cid, force=True)
            alive.discard(cid)
        elif action == "create":
            alive.add(make_container(labels={"t": setup.tag}, init=True, start=rng.random() < 0.5).id)
    try:
        wait_for(lambda: read(setup.dest) == setup.fresh("-include-stopped"), timeout=10)
    except AssertionError:
        assert read(setup.dest) == setup.fresh("-include-stopped"), gen.log()[-3000:]
    assert gen.process.poll() is None


def test_included_and_listed_template_files_are_reloaded(setup, wait_for):
    main = setup.tmp / "main.tmpl"
    listed = setup.tmp / "lib" / "macros.tmpl"
    listed.parent.mkdir()
    part = setup.tmp / "part.tmpl"
    main.write_text('{% import "macros.tmpl" as m %}{{ m.hello() }} {% include "part.tmpl" %}')
    listed.write_text("{% macro hello() %}hello-v1{% endmacro %}")
    part.write_text("part-v1\n")
    gen = setup.watch(template_path=Path(f"{main};{listed}"))
    wait_for(lambda: read(setup.dest) == "hello-v1 part-v1\n", timeout=10)
    part.write_text("part-v2\n")  # included by name, next to the main template
    wait_for(lambda: read(setup.dest) == "hello-v1 part-v2\n", timeout=5)
    listed.write_text("{% macro hello() %}hello-v2{% endmacro %}")  # the ';'-listed file
    wait_for(lambda: read(setup.dest) == "hello-v2 part-v2\n", timeout=5)
    assert gen.count("Reloaded template") >= 2


def test_a_hung_notify_in_one_config_does_not_delay_another(setup, make_container, wait_for):
    stuck, free = setup.tmp / "stuck.txt", setup.tmp / "free.txt"
    config = setup.tmp / "c.toml"
    config.write_text(
        f'[[config]]\ntemplate = "{setup.template}"\ndest = "{stuck}"\nwatch = true\n'
        f'notifycmd = "sleep 20"\nnotifytimeout = 4\n'
        f'[config.ContainerFilter]\nlabel = ["t={setup.tag}"]\n'
        f'[[config]]\ntemplate = "{setup.template}"\ndest = "{free}"\nwatch = true\n'
        f'[config.ContainerFilter]\nlabel = ["t={setup.tag}"]\n'
    )
    gen = setup.watch(filters=("-config", str(config)))
    # The first render of `stuck` creates its file and then blocks in its notify command for 4 s.
    wait_for(lambda: stuck.exists() and free.exists(), timeout=10)
    c = make_container(labels={"t": setup.tag})
    wait_for(lambda: c.name in read(free), timeout=3)
    assert c.name not in read(stuck)
    wait_for(lambda: c.name in read(stuck), timeout=10)  # once its notify is killed, it catches up
    assert "killed after the 4 s timeout" in gen.log()
    assert gen.process.poll() is None
