"""-only-healthy (the filter, its config key and flag, its place in the job) and the render log's left-out counts."""

from __future__ import annotations

import logging

import pytest

from dockergen.cli import build_configs, parse_args
from dockergen.config import Config, config_from_table
from dockergen.errors import ConfigError
from dockergen.pipeline.health import HEALTH_LABEL, ready, split_by_health
from dockergen.daemon.inventory import Snapshot
from dockergen.pipeline.job import Job
from dockergen.pipeline.left_out import LeftOut, count_invalid
from dockergen.model import Docker, Health, RuntimeContainer, State
from nginx_support import NGINX_TEMPLATE, fake_container


def container(name: str, health: str = "", labels: dict[str, str] | None = None, host: str = "") -> RuntimeContainer:
    return RuntimeContainer(
        ID=name.rjust(64, "0"), Name=name, Labels=labels if labels is not None else {},
        Env={"HOST": host or f"{name}.example"}, State=State(Running=True, Health=Health(Status=health)),
    )


# -- the filter ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("health", "labels", "expected"),
    [
        ("", {}, True),  # no healthcheck: unaffected
        ("none", {}, True),  # the API's word for a disabled healthcheck
        ("healthy", {}, True),
        ("starting", {}, False),
        ("unhealthy", {}, False),
        ("unhealthy", {HEALTH_LABEL: "ignore"}, True),
        ("starting", {HEALTH_LABEL: " Ignore "}, True),
        ("unhealthy", {HEALTH_LABEL: "yes"}, False),  # only "ignore" opts out
        ("unhealthy", None, False),  # docker-gen's nil Labels
    ],
)
def test_ready(health, labels, expected):
    assert ready(container("c", health, labels)) is expected


def test_split_keeps_dockers_order():
    items = [container(n, h) for n, h in [("a", "healthy"), ("b", "starting"), ("c", ""), ("d", "unhealthy"), ("e", "healthy")]]
    kept, left_out = split_by_health(items)
    assert [c.Name for c in kept] == ["a", "c", "e"]
    assert [c.Name for c in left_out] == ["b", "d"]


# -- config -------------------------------------------------------------------------------


def test_onlyhealthy_key_and_flag():
    assert Config(template="t").only_healthy is False
    assert config_from_table({"template": "t", "OnlyHealthy": True}, "f.toml").only_healthy is True
    with pytest.raises(ConfigError, match="onlyhealthy must be a boolean"):
        config_from_table({"template": "t", "onlyhealthy": "yes"}, "f.toml")
    configs, _ = build_configs(parse_args(["-only-healthy", "t.tmpl"]), environ={})
    assert configs[0].only_healthy is True
    configs, _ = build_configs(parse_args(["t.tmpl"]), environ={})
    assert configs[0].only_healthy is False


# -- wording ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left_out", "text"),
    [
        (LeftOut(), ""),
        (LeftOut(unhealthy=1), "1 container left out: 1 unhealthy"),
        (LeftOut(quarantined=1, unhealthy=2), "3 containers left out: 1 quarantined, 2 unhealthy"),
        (LeftOut(quarantined=1, unhealthy=1, invalid=1), "3 containers left out: 1 quarantined, 1 unhealthy, 1 invalid"),
        (LeftOut(invalid=2), "2 containers left out: 2 invalid"),
    ],
)
def test_left_out_wording(left_out, text):
    assert str(left_out) == text


def test_count_invalid_counts_the_templates_comment_lines():
    text = "# Generated\n# left out container a: bad\n  # left out container b: worse\nserver x; # left out\n# ignored HSTS\n"
    assert count_invalid(text) == 2


# -- in the job ---------------------------------------------------------------------------

TEMPLATE = "{% for c in containers %}server {{ c.Env.HOST }};\n{% endfor %}"
CHECK = "! grep -q evil \"$DOCKERGEN_DEST\""




def run(job: Job, items: list[RuntimeContainer]):
    return job.run(Snapshot(items, Docker()), lambda: None)


def info_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.INFO and r.name == "dockergen.pipeline.job"]


def test_only_healthy_renders_ready_containers_and_says_what_it_left_out(make_job, tmp_path, caplog):
    job, dest = make_job(only_healthy=True)
    items = [container("a", "healthy"), container("b", "starting"), container("c"), container("d", "unhealthy", {HEALTH_LABEL: "ignore"})]
    with caplog.at_level(logging.INFO):
        outcome = run(job, items)
    assert outcome.ok and outcome.changed
    assert dest.read_text() == "server a.example;\nserver c.example;\nserver d.example;\n"
    assert outcome.left_out == LeftOut(unhealthy=1) and outcome.containers == 3
    assert info_lines(caplog)[-1].startswith(f"Generated '{dest}' from 3 containers, 1 container left out: 1 unhealthy (+3/-0 lines;")

    caplog.clear()
    with caplog.at_level(logging.INFO):
        run(job, items)
    assert info_lines(caplog)[-1].startswith(
        f"Contents of {dest} did not change. Skipping notification '' (3 containers, 1 container left out: 1 unhealthy; trigger"
    )

    items[1].State.Health.Status = "healthy"
    caplog.clear()
    with caplog.at_level(logging.INFO):
        run(job, items)
    assert "server b.example;" in dest.read_text()
    assert info_lines(caplog)[-1].startswith(f"Generated '{dest}' from 4 containers (+1/-0 lines;")


def test_off_by_default(make_job, tmp_path):
    job, dest = make_job()
    outcome = run(job, [container("a", "unhealthy"), container("b", "starting")])
    assert dest.read_text() == "server a.example;\nserver b.example;\n" and outcome.left_out == LeftOut()


def test_quarantine_bisects_the_filtered_list(make_job, tmp_path, caplog):
    # Container 3 breaks the check; unhealthy ones are never rendered, so never blamed.
    job, dest = make_job(only_healthy=True, check_cmd=CHECK)
    items = [container(f"c{i}", "unhealthy" if i % 4 == 1 else "healthy", host="evil" if i in (3, 5) else "") for i in range(12)]
    with caplog.at_level(logging.INFO):
        outcome = run(job, items)
    assert outcome.ok
    assert list(job.quarantine) == [items[3].ID]  # c5 is unhealthy: left out before the search
    assert "evil" not in dest.read_text()
    assert dest.read_text().count("\n") == 12 - 3 - 1
    assert outcome.left_out == LeftOut(quarantined=1, unhealthy=3)
    assert "from 8 containers, 4 containers left out: 1 quarantined, 3 unhealthy" in info_lines(caplog)[-1]

    caplog.clear()  # the next render keeps it out without a search, and still counts it
    with caplog.at_level(logging.INFO):
        outcome = run(job, items)
    assert outcome.attempts == 1 and outcome.left_out == LeftOut(quarantined=1, unhealthy=3)
    assert "(8 containers, 4 containers left out: 1 quarantined, 3 unhealthy;" in info_lines(caplog)[-1]


def test_singular_when_one_container(make_job, tmp_path, caplog):
    job, dest = make_job()
    with caplog.at_level(logging.INFO):
        run(job, [container("a")])
    assert f"Generated '{dest}' from 1 container (+1/-0 lines;" in info_lines(caplog)[-1]


NGINX_ENV = {"HTTP_PORT": "8080", "HTTPS_PORT": "8443"}


def test_invalid_counts_the_nginx_templates_left_out_lines(tmp_path, caplog):
    dest = tmp_path / "proxy.conf"
    job = Job(Config(template=str(NGINX_TEMPLATE), dest=str(dest), only_healthy=True))
    items = [
        fake_container(1, {"VIRTUAL_HOST": "good.test"}, ports=["80/tcp"]),
        fake_container(2, {"VIRTUAL_HOST": "bad host;x"}, ports=["80/tcp"]),
        fake_container(3, {"VIRTUAL_HOST": "sick.test"}, ports=["80/tcp"]),
    ]
    items[2].State.Health.Status = "unhealthy"
    with caplog.at_level(logging.INFO):
        outcome = job.run(Snapshot(items, Docker()), lambda: None, env=NGINX_ENV)
    assert outcome.ok and "sick.test" not in dest.read_text()
    assert outcome.left_out == LeftOut(unhealthy=1, invalid=1)
    assert "from 1 container, 2 containers left out: 1 unhealthy, 1 invalid" in info_lines(caplog)[-1]


def test_dry_run_diff_shows_the_templates_comments(tmp_path):
    dest = tmp_path / "proxy.conf"
    job = Job(Config(template=str(NGINX_TEMPLATE), dest=str(dest), only_healthy=True))
    good = fake_container(1, {"VIRTUAL_HOST": "good.test"}, ports=["80/tcp"])
    sick = fake_container(4, {"VIRTUAL_HOST": "sick.test"}, ports=["80/tcp"])
    sick.State.Health.Status = "starting"
    ok, before = job.dry_run(Snapshot([good, sick], Docker()), env=NGINX_ENV)
    assert ok and "sick.test" not in before  # the filter applies to dry runs too
    dest.write_text("".join(line[1:] for line in before.splitlines(keepends=True)[3:]))  # the new file's lines
    bad = fake_container(2, {"VIRTUAL_HOST": "bad host;x"}, ports=["80/tcp"])
    odd = fake_container(3, {"VIRTUAL_HOST": "odd.test", "HSTS": "max-age=1; evil"}, ports=["80/tcp"])
    ok, diff = job.dry_run(Snapshot([good, bad, odd, sick], Docker()), env=NGINX_ENV)
    assert ok and diff.startswith(f"--- {dest}\n+++ {dest} (rendered)\n")
    dest.unlink()  # without a destination file the dry run diffs against an empty one
    ok, rendered = job.dry_run(Snapshot([good, bad, odd, sick], Docker()), env=NGINX_ENV)
    assert ok and rendered.startswith(f"--- {dest} (does not exist yet)\n+++ {dest} (rendered)\n@@ -0,0 ")
    rendered = "".join(line[1:] for line in rendered.splitlines(keepends=True)[3:])
    comments = [line for line in rendered.splitlines() if line.startswith(("# left out", "# ignored"))]
    assert any(line.startswith("# left out container app-2") for line in comments)
    assert any("app-3" in line for line in comments)  # left out today, ignored once HSTS falls back
    added = {line[1:] for line in diff.splitlines() if line.startswith("+")}
    assert set(comments) <= added
    assert "sick.test" not in diff


def test_count_invalid_without_the_mark_anywhere():
    assert count_invalid("server {\n  # left\n}\n# leftout\n") == 0
    assert count_invalid("  # left out: c1 (VIRTUAL_PORT)\n") == 1


def test_line_changes_count_lines_as_multisets_after_the_common_ends():
    """The log line's +added/-removed: the same as counting every line as a multiset."""
    import random
    from collections import Counter

    from dockergen.pipeline.job import line_changes

    rnd = random.Random(9)
    for _ in range(5000):
        old = "\n".join(rnd.choice("abcd") for _ in range(rnd.randrange(9)))
        new = "\n".join(rnd.choice("abcd") for _ in range(rnd.randrange(9)))
        before, after = Counter(old.splitlines()), Counter(new.splitlines())
        assert line_changes(old, new) == (sum((after - before).values()), sum((before - after).values()))
