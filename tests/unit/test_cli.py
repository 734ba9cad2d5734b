"""dockergen.cli: Go-style flag parsing (spec §1.1), flags -> Config/Settings (§1.2, §1.3),
config-file mode (§2.4, difference 6) and main()'s exit codes (§1.4, §1.6).
"""

from __future__ import annotations

import logging
import os
import signal

import pytest

from dockergen import __version__
from dockergen.cli import FLAGS, Options, build_configs, config_from_flags, main, parse_args, settings_from_flags, usage
from dockergen.config import ALL_STATUSES, DEFAULT_NOTIFY_TIMEOUT, Config, Settings, Wait
from dockergen.daemon.endpoint import TLSSettings
from dockergen.errors import ConfigError, EndpointError, UsageError

# -- 1.1 parsing rules -----------------------------------------------------------------------


@pytest.mark.parametrize("dashes", ["-", "--"])
def test_one_or_two_dashes(dashes):
    options = parse_args([f"{dashes}watch", f"{dashes}wait", "1s", f"{dashes}notify=echo hi", "t.tmpl"])
    assert options["watch"] is True
    assert options["wait"] == "1s"
    assert options["notify"] == "echo hi"
    assert options.args == ["t.tmpl"]


def test_value_forms():
    assert parse_args(["-wait=500ms"])["wait"] == "500ms"
    assert parse_args(["-wait", "500ms"])["wait"] == "500ms"
    assert parse_args(["-wait="])["wait"] == ""
    assert parse_args(["-notify", "a=b c"])["notify"] == "a=b c"
    assert parse_args(["-notify=a=b"])["notify"] == "a=b"  # split at the first "="
    assert parse_args(["-wait", "-1s"])["wait"] == "-1s"  # a value may start with "-"
    assert parse_args(["-interval", "-5"])["interval"] == -5


@pytest.mark.parametrize(
    "arg, value",
    [
        ("-watch", True),
        ("-watch=true", True),
        ("-watch=false", False),
        ("-watch=1", True),
        ("-watch=0", False),
        ("-watch=t", True),
        ("-watch=f", False),
        ("-watch=T", True),
        ("-watch=F", False),
        ("-watch=TRUE", True),
        ("-watch=FALSE", False),
        ("-watch=True", True),
        ("-watch=False", False),
        ("--watch=false", False),
    ],
)
def test_bool_values(arg, value):
    assert parse_args([arg])["watch"] is value


@pytest.mark.parametrize("value", ["yes", "no", "tRUE", "", "2", "on"])
def test_bad_bool_value(value):
    with pytest.raises(UsageError, match="-watch"):
        parse_args([f"-watch={value}"])


def test_bool_takes_no_separate_value():
    # `-watch false` makes "false" a positional argument
    options = parse_args(["-watch", "false", "dest"])
    assert options["watch"] is True
    assert options.args == ["false", "dest"]


def test_parsing_stops_at_first_positional():
    options = parse_args(["-watch", "a.tmpl", "-notify", "x", "-nope"])
    assert options.args == ["a.tmpl", "-notify", "x", "-nope"]
    assert options["notify"] == ""
    assert options.given == ["watch"]


def test_double_dash_ends_flags():
    options = parse_args(["-watch", "--", "-notify", "dest"])
    assert options.args == ["-notify", "dest"]
    assert options["notify"] == ""
    assert parse_args(["--"]).args == []
    assert parse_args(["--", "--"]).args == ["--"]


def test_single_dash_is_positional():
    assert parse_args(["-", "x"]).args == ["-", "x"]


def test_defaults():
    options = parse_args([])
    assert options.args == []
    assert options.given == []
    for name, flag in FLAGS.items():
        assert options[name] == {"bool": False, "string": "", "int": 0, "list": []}[flag.kind]


@pytest.mark.parametrize("argv", [["-nope"], ["--nope"], ["-nope=1"], ["-watch", "-bogus", "t"], ["-Watch"]])
def test_unknown_flag(argv):
    with pytest.raises(UsageError, match="flag provided but not defined"):
        parse_args(argv)


@pytest.mark.parametrize("argv", [["---watch"], ["-=x"], ["--=x"]])
def test_bad_flag_syntax(argv):
    with pytest.raises(UsageError, match="bad flag syntax"):
        parse_args(argv)


@pytest.mark.parametrize(
    "name", ["wait", "notify", "config", "interval", "endpoint", "container-filter", "notify-signal", "tlscert"]
)
def test_missing_value(name):
    with pytest.raises(UsageError, match=f"flag needs an argument: -{name}"):
        parse_args([f"-{name}"])


@pytest.mark.parametrize("value", ["abc", "", "1.5", "5s", "1e3"])
def test_bad_int(value):
    with pytest.raises(UsageError, match="-interval"):
        parse_args(["-interval", value])


@pytest.mark.parametrize("value, number", [("10", 10), ("0", 0), ("-1", -1), ("0x10", 16), ("+3", 3)])
def test_int_values(value, number):
    assert parse_args([f"-interval={value}"])["interval"] == number


@pytest.mark.parametrize(
    "name", ["config", "container-filter", "notify-sighup", "notify-container", "notify-filter", "event-filter"]
)
def test_repeatable_flags_accumulate(name):
    options = parse_args([f"-{name}", "a=1", f"--{name}=b=2", f"-{name}", "a=3"])
    assert options[name] == ["a=1", "b=2", "a=3"]
    assert options.given == [name]


def test_non_repeatable_flag_last_wins():
    assert parse_args(["-wait", "1s", "-wait", "2s"])["wait"] == "2s"
    assert parse_args(["-watch", "-watch=false"])["watch"] is False


def test_given_in_first_appearance_order():
    assert parse_args(["-wait", "1s", "-watch", "-wait=2s", "-notify", "x"]).given == ["wait", "watch", "notify"]


def test_help_aliases():
    assert parse_args(["-h"])["help"] is True
    assert parse_args(["--help"])["help"] is True


def test_every_documented_flag_exists():
    expected = {
        "version", "watch", "wait", "config", "keep-blank-lines", "only-exposed", "only-published",
        "include-stopped", "container-filter", "notify", "notify-output", "interval", "notify-sighup",
        "notify-container", "notify-filter", "notify-signal", "endpoint", "tlscert", "tlskey",
        "tlscacert", "tlsverify", "event-filter",
    }  # fmt: skip
    assert expected <= set(FLAGS)
    assert "notify-timeout" in FLAGS  # dockergen addition (difference 11)
    text = usage()
    for name in FLAGS:
        assert f"-{name}" in text


# -- flags -> Config (CLI mode) --------------------------------------------------------------


def cfg(*argv: str, environ: dict[str, str] | None = None) -> Config:
    return config_from_flags(parse_args(list(argv)), environ or {})


def test_minimal_cli_config():
    config = cfg("t.tmpl")
    assert config.template == "t.tmpl"
    assert config.dest == ""
    assert config.watch is False
    assert config.wait == Wait()
    assert config.notify_cmd == ""
    assert config.notify_output is False
    assert config.notify_timeout == DEFAULT_NOTIFY_TIMEOUT
    assert config.notify_containers == {}
    assert config.notify_containers_filter == {}
    assert config.notify_containers_signal == 1
    assert config.container_filter == {}
    assert config.interval == 0
    assert config.keep_blank_lines is False
    assert config.filters == {"status": ["running"]}


def test_positionals():
    assert (cfg("t.tmpl", "out").template, cfg("t.tmpl", "out").dest) == ("t.tmpl", "out")
    assert cfg("t.tmpl", "").dest == ""  # empty dest => stdout
    assert cfg("t.tmpl", "out", "extra", "more").dest == "out"  # further positionals ignored


def test_every_per_config_flag():
    config = cfg(
        "-watch",
        "-wait", "500ms:2s",
        "-notify", "nginx -s reload",
        "-notify-output",
        "-notify-timeout", "90s",
        "-interval", "30",
        "-keep-blank-lines",
        "-only-exposed",
        "-include-stopped",
        "-container-filter", "label=com.example",
        "-container-filter", "label=a=b",
        "-container-filter", "name=web",
        "-notify-filter", "label=proxy",
        "-notify-signal", "USR1",
        "/t.tmpl",
        "/out",
    )  # fmt: skip
    assert config.template == "/t.tmpl"
    assert config.dest == "/out"
    assert config.watch is True
    assert config.wait == Wait(0.5, 2.0)
    assert config.notify_cmd == "nginx -s reload"
    assert config.notify_output is True
    assert config.notify_timeout == 90.0
    assert config.interval == 30
    assert config.keep_blank_lines is True
    assert config.only_exposed is True
    assert config.only_published is False
    assert config.include_stopped is True
    assert config.container_filter == {"label": ["com.example", "a=b"], "name": ["web"]}
    assert config.notify_containers_filter == {"label": ["proxy"]}
    assert config.notify_containers_signal == signal.SIGUSR1
    assert config.filters == {"label": ["com.example", "a=b"], "name": ["web"], "expose": ["1-65535"], "status": ALL_STATUSES}


def test_wait_max_defaults_to_four_times_min():
    assert cfg("-wait", "1s", "t").wait == Wait(1.0, 4.0)


@pytest.mark.parametrize("value", ["abc", "2s:1s", "10", "1s:"])
def test_bad_wait_names_the_flag(value):
    with pytest.raises(ConfigError, match="^-wait: "):
        cfg("-wait", value, "t")


@pytest.mark.parametrize("value", ["abc", "0s", "-5s", "0"])
def test_bad_notify_timeout_names_the_flag(value):
    with pytest.raises(ConfigError, match="^-notify-timeout: "):
        cfg("-notify-timeout", value, "t")


@pytest.mark.parametrize(("value", "seconds"), [("5", 5.0), ("2.5", 2.5), ("1m", 60.0), ("500ms", 0.5)])
def test_notify_timeout_takes_seconds_or_a_duration(value, seconds):
    # Like the config key notifytimeout: a plain number means seconds.
    assert cfg("-notify-timeout", value, "t").notify_timeout == seconds


def test_negative_interval_is_a_config_error():
    # docker-gen panics creating the ticker (exit 2); dockergen reports it.
    with pytest.raises(ConfigError, match="-interval"):
        cfg("-interval", "-1", "t")


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["-notify-sighup", "nginx"], {"nginx": 1}),
        (["-notify-sighup", "a", "-notify-sighup", "b"], {"a": 1, "b": 1}),
        (["-notify-container", "nginx"], {"nginx": 1}),  # default -notify-signal is 1 (HUP)
        (["-notify-container", "nginx", "-notify-signal", "15"], {"nginx": 15}),
        (["-notify-container", "nginx", "-notify-signal", "-1"], {"nginx": -1}),  # restart
        (["-notify-container", "nginx", "-notify-signal", "SIGUSR2"], {"nginx": int(signal.SIGUSR2)}),
        # same container in both: the -notify-signal value wins, whatever the order given
        (["-notify-sighup", "x", "-notify-container", "x", "-notify-signal", "10"], {"x": 10}),
        (["-notify-container", "x", "-notify-sighup", "x", "-notify-signal", "10"], {"x": 10}),
        (["-notify-sighup", "a", "-notify-container", "b", "-notify-signal", "10"], {"a": 1, "b": 10}),
    ],
)
def test_notify_containers(argv, expected):
    assert cfg(*argv, "t").notify_containers == expected


def test_notify_signal_applies_to_the_filter():
    config = cfg("-notify-filter", "label=a", "-notify-filter", "label=b", "-notify-signal", "-1", "t")
    assert config.notify_containers_filter == {"label": ["a", "b"]}
    assert config.notify_containers_signal == -1
    assert config.notify_containers == {}


@pytest.mark.parametrize("value", ["0", "-2", "-9", "BOGUS", "65"])
def test_bad_notify_signal(value):
    # difference 7: 0 and negatives other than -1 are errors (docker-gen sends SIGKILL)
    with pytest.raises(ConfigError, match="-notify-signal"):
        cfg("-notify-container", "x", "-notify-signal", value, "t")


@pytest.mark.parametrize("flag", ["-container-filter", "-notify-filter"])
def test_filter_items_without_equals_are_errors(flag):
    # docker-gen ignores them silently; dockergen reports them
    with pytest.raises(ConfigError, match=f"^{flag}: expected key=value"):
        cfg(flag, "label", "t")


def test_docker_container_filters_used_without_container_filter():
    environ = {"DOCKER_CONTAINER_FILTERS": "label=com.github.nginx-proxy.docker-gen, ,name=web,label=x=y,"}
    config = cfg("t", environ=environ)
    assert config.container_filter == {"label": ["com.github.nginx-proxy.docker-gen", "x=y"], "name": ["web"]}
    assert config.filters["status"] == ["running"]


def test_docker_container_filters_ignored_with_container_filter():
    environ = {"DOCKER_CONTAINER_FILTERS": "label=from-env"}
    assert cfg("-container-filter", "name=flag", "t", environ=environ).container_filter == {"name": ["flag"]}


def test_docker_container_filters_empty():
    assert cfg("t", environ={"DOCKER_CONTAINER_FILTERS": ""}).container_filter == {}


def test_docker_container_filters_bad_item():
    with pytest.raises(ConfigError, match="DOCKER_CONTAINER_FILTERS"):
        cfg("t", environ={"DOCKER_CONTAINER_FILTERS": "label=a,oops"})


@pytest.mark.parametrize(
    "argv, expected",
    [
        ([], {"status": ["running"]}),
        (["-only-exposed"], {"expose": ["1-65535"], "status": ["running"]}),
        (["-only-exposed", "-container-filter", "expose=80"], {"expose": ["80"], "status": ["running"]}),
        (["-only-published"], {"publish": ["1-65535"], "status": ["running"]}),
        (["-only-published", "-container-filter", "publish=443"], {"publish": ["443"], "status": ["running"]}),
        (["-only-published", "-only-exposed"], {"publish": ["1-65535"], "status": ["running"]}),
        (
            ["-only-published", "-only-exposed", "-container-filter", "publish=443"],
            {"publish": ["443"], "expose": ["1-65535"], "status": ["running"]},
        ),
        (["-include-stopped"], {"status": ALL_STATUSES}),
        (["-include-stopped", "-container-filter", "status=exited"], {"status": ["exited"]}),
        (["-container-filter", "status=paused"], {"status": ["paused"]}),
        (["-only-exposed=false", "-include-stopped=false"], {"status": ["running"]}),
    ],
)
def test_filter_flag_precedence(argv, expected):
    assert cfg(*argv, "t").filters == expected


# -- flags -> Settings -----------------------------------------------------------------------


def settings(*argv: str, environ: dict[str, str] | None = None) -> Settings:
    return settings_from_flags(parse_args(list(argv)), environ if environ is not None else {"HOME": "/home/u"})


def test_settings_defaults():
    s = settings()
    assert s.endpoints[0].url == "unix:///var/run/docker.sock"
    assert s.endpoints[0].tls == TLSSettings("/home/u/.docker/cert.pem", "/home/u/.docker/key.pem", "/home/u/.docker/ca.pem", False)
    assert s.event_filter == {}


def test_endpoint_flag_and_docker_host():
    assert settings("-endpoint", "tcp://1.2.3.4:2375").endpoints[0].url == "tcp://1.2.3.4:2375"
    env = {"HOME": "/h", "DOCKER_HOST": "unix:///tmp/docker.sock"}
    assert settings(environ=env).endpoints[0].url == "unix:///tmp/docker.sock"
    assert settings("-endpoint=tcp://:2375", environ=env).endpoints[0].url == "tcp://:2375"


def test_bad_endpoint():
    with pytest.raises(EndpointError, match="tcp://h"):
        settings("-endpoint", "tcp://h")


def test_docker_cert_path_default():
    s = settings(environ={"DOCKER_CERT_PATH": "/certs/", "HOME": "/home/u"})
    assert (s.endpoints[0].tls.cert, s.endpoints[0].tls.key, s.endpoints[0].tls.ca) == ("/certs/cert.pem", "/certs/key.pem", "/certs/ca.pem")


def test_tls_flags_override_cert_path():
    s = settings("-tlscert", "/a/c.pem", "-tlskey=/a/k.pem", "-tlscacert", "/a/ca.pem", environ={"DOCKER_CERT_PATH": "/certs"})
    assert (s.endpoints[0].tls.cert, s.endpoints[0].tls.key, s.endpoints[0].tls.ca) == ("/a/c.pem", "/a/k.pem", "/a/ca.pem")


def test_tls_partial_flags():
    s = settings("-tlscert", "/a/c.pem", environ={"DOCKER_CERT_PATH": "/certs"})
    assert (s.endpoints[0].tls.cert, s.endpoints[0].tls.key, s.endpoints[0].tls.ca) == ("/a/c.pem", "/certs/key.pem", "/certs/ca.pem")


@pytest.mark.parametrize(
    "argv, environ, verify",
    [
        ([], {}, False),
        ([], {"DOCKER_TLS_VERIFY": "1"}, True),
        ([], {"DOCKER_TLS_VERIFY": "0"}, True),  # any non-empty value, even "0"
        ([], {"DOCKER_TLS_VERIFY": "false"}, True),
        ([], {"DOCKER_TLS_VERIFY": ""}, False),
        (["-tlsverify"], {}, True),
        (["-tlsverify=false"], {"DOCKER_TLS_VERIFY": "1"}, False),
        (["-tlsverify=true"], {"DOCKER_TLS_VERIFY": ""}, True),
    ],
)
def test_tlsverify_default(argv, environ, verify):
    assert settings(*argv, environ={"HOME": "/h", **environ}).endpoints[0].tls.verify is verify


def test_event_filter():
    s = settings("-event-filter", "event=connect", "-event-filter", "type=network", "-event-filter", "event=destroy")
    assert s.event_filter == {"event": ["connect", "destroy"], "type": ["network"]}


def test_event_filter_without_equals():
    with pytest.raises(ConfigError, match="-event-filter"):
        settings("-event-filter", "connect")


# -- config-file mode (§2.4, difference 6) ---------------------------------------------------


@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "dockergen.toml"
    path.write_text('[[config]]\ntemplate = "/t.tmpl"\ndest = "/out"\nwatch = true\n', encoding="utf-8")
    return str(path)


def test_config_mode_ignores_per_config_flags_with_warning(config_file, caplog):
    argv = [
        "-config", config_file, "-watch=false", "-wait", "garbage", "-notify", "x", "-only-exposed",
        "-container-filter", "label=x", "-interval", "5", "-notify-signal", "BOGUS",
        "-endpoint", "tcp://1.2.3.4:2375", "t.tmpl", "dest",
    ]  # fmt: skip
    with caplog.at_level(logging.WARNING, logger="dockergen"):
        [config], _ = build_configs(parse_args(argv), {"DOCKER_CONTAINER_FILTERS": "label=env"})
    assert (config.template, config.dest, config.watch, config.wait, config.notify_cmd) == ("/t.tmpl", "/out", True, Wait(), "")
    assert config.container_filter == {}  # neither -container-filter nor DOCKER_CONTAINER_FILTERS
    assert config.only_exposed is False and config.interval == 0
    assert config.filters == {"status": ["running"]}
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    message = warnings[0].getMessage()
    for name in ("-watch", "-wait", "-notify", "-only-exposed", "-container-filter", "-interval", "-notify-signal", "positional arguments"):
        assert name in message
    assert "-endpoint" not in message
    assert "-config" not in message


def test_config_mode_no_warning_without_ignored_flags(config_file, caplog):
    argv = ["-config", config_file, "-endpoint", "tcp://1.2.3.4:2375", "-event-filter", "event=connect", "-tlsverify"]
    with caplog.at_level(logging.WARNING, logger="dockergen"):
        build_configs(parse_args(argv), {})
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_config_mode_settings_still_apply(config_file):
    options = parse_args(["-config", config_file, "-endpoint", "tcp://1.2.3.4:2375", "-event-filter", "event=connect"])
    s = settings_from_flags(options, {"HOME": "/h"})
    assert s.endpoints[0].url == "tcp://1.2.3.4:2375"
    assert s.event_filter == {"event": ["connect"]}


def test_config_mode_several_files_in_order(tmp_path):
    b = tmp_path / "b.toml"
    a = tmp_path / "a.toml"
    b.write_text('[[config]]\ntemplate = "b"\n')
    a.write_text('[[config]]\ntemplate = "a"\n')
    configs, _ = build_configs(parse_args(["-config", str(b), "-config", str(a)]), {})
    assert [c.template for c in configs] == ["b", "a"]


def test_cli_mode_build_configs():
    [config], _ = build_configs(parse_args(["-watch", "t.tmpl", "out"]), {})
    assert (config.template, config.dest, config.watch) == ("t.tmpl", "out", True)


# -- main(): exit codes and output -----------------------------------------------------------


@pytest.fixture(autouse=True)
def _restore_root_logger():
    """main() installs its own stderr handler on the root logger; undo that after each test."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


class FakeRun:
    def __init__(self, code: int = 0):
        self.code = code
        self.calls: list[tuple[list[Config], Settings]] = []

    def __call__(self, configs, settings):
        self.calls.append((configs, settings))
        return self.code


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("DOCKER_HOST", "DOCKER_CONTAINER_FILTERS", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("flag", ["-version", "--version"])
def test_main_version(capsys, flag):
    fake = FakeRun()
    assert main([flag], run=fake) == 0
    out, err = capsys.readouterr()
    assert out == f"{__version__}\n"
    assert err == ""
    assert fake.calls == []


def test_main_version_checked_before_anything_else(capsys):
    assert main(["-version", "-wait", "garbage", "-config", "/nonexistent.toml"], run=FakeRun()) == 0
    assert capsys.readouterr().out == f"{__version__}\n"


@pytest.mark.parametrize("flag", ["-help", "--help", "-h"])
def test_main_help(capsys, flag):
    fake = FakeRun()
    assert main([flag], run=fake) == 0
    out, err = capsys.readouterr()
    assert out == usage()
    assert err == ""
    assert fake.calls == []


def test_main_no_args(capsys):
    fake = FakeRun()
    assert main([], run=fake) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "Usage: docker-gen [options] template [dest]\nRun 'docker-gen -help' for the options.\n"
    assert fake.calls == []


def test_main_flag_that_took_the_template_is_named(capsys):
    fake = FakeRun()
    assert main(["-wait", "templates/x.tmpl"], run=fake) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "docker-gen: -wait: invalid wait interval 'templates/x.tmpl': invalid duration \"templates/x.tmpl\" "
        "(see 'docker-gen -help')\n"
    )
    assert fake.calls == []


def test_main_flag_without_value_at_the_end(capsys):
    assert main(["-notify"], run=FakeRun()) == 2
    assert capsys.readouterr().err.endswith("docker-gen: flag needs an argument: -notify (see 'docker-gen -help')\n")


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["-nope", "t"], "-nope"),
        (["-interval", "abc", "t"], "-interval"),
        (["-watch=maybe", "t"], "-watch"),
        (["-wait"], "-wait"),
        (["---x"], "---x"),
        (["-log-level", "loud", "t"], "-log-level"),
    ],
)
def test_main_bad_flag(capsys, argv, fragment):
    fake = FakeRun()
    assert main(argv, run=fake) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert fragment in err
    assert fake.calls == []


def test_main_bad_wait(capsys, clean_env):
    fake = FakeRun()
    assert main(["-wait", "2s:1s", "t.tmpl"], run=fake) == 2
    err = capsys.readouterr().err
    assert "-wait" in err
    assert "max must be larger than min" in err
    assert fake.calls == []


def test_main_unknown_config_key(capsys, tmp_path):
    path = tmp_path / "typo.toml"
    path.write_text('[[config]]\ntemplate = "t"\nnotify_cmd = "x"\n')
    fake = FakeRun()
    assert main(["-config", str(path)], run=fake) == 1
    err = capsys.readouterr().err
    assert str(path) in err
    assert "notify_cmd" in err
    assert fake.calls == []


def test_main_missing_config_file(capsys, tmp_path):
    assert main(["-config", str(tmp_path / "nope.toml")], run=FakeRun()) == 1
    assert "nope.toml" in capsys.readouterr().err


def test_main_bad_endpoint(capsys, clean_env):
    fake = FakeRun()
    assert main(["-endpoint", "tcp://h", "t.tmpl"], run=fake) == 1
    assert "tcp://h" in capsys.readouterr().err
    assert fake.calls == []


def test_main_runs_with_configs_and_settings(clean_env, monkeypatch):
    monkeypatch.setenv("DOCKER_CONTAINER_FILTERS", "label=x")
    monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")
    monkeypatch.setenv("DOCKER_CERT_PATH", "/certs")
    fake = FakeRun(code=0)
    assert main(["-watch", "-endpoint", "tcp://1.2.3.4:2375", "t.tmpl", "out"], run=fake) == 0
    [(configs, s)] = fake.calls
    [config] = configs
    assert (config.template, config.dest, config.watch) == ("t.tmpl", "out", True)
    assert config.container_filter == {"label": ["x"]}
    assert s.endpoints[0].url == "tcp://1.2.3.4:2375"
    assert s.endpoints[0].tls == TLSSettings("/certs/cert.pem", "/certs/key.pem", "/certs/ca.pem", True)


def test_main_returns_run_exit_code(clean_env):
    assert main(["t.tmpl"], run=FakeRun(code=3)) == 3


def test_main_config_mode(capsys, config_file, clean_env):
    fake = FakeRun()
    assert main(["-config", config_file], run=fake) == 0
    [(configs, _settings)] = fake.calls
    assert [(c.template, c.dest, c.watch) for c in configs] == [("/t.tmpl", "/out", True)]


def test_main_config_mode_warns_on_stderr(capsys, config_file, clean_env):
    assert main(["-config", config_file, "-watch", "-notify", "x"], run=FakeRun()) == 0
    err = capsys.readouterr().err
    assert "-watch" in err and "-notify" in err


def test_main_run_error_is_exit_1(capsys, clean_env):
    def boom(configs, settings):
        raise ConfigError("something is wrong")

    assert main(["t.tmpl"], run=boom) == 1
    assert "something is wrong" in capsys.readouterr().err


def test_main_uses_sys_argv(monkeypatch, capsys):
    monkeypatch.setattr("sys.argv", ["docker-gen", "-version"])
    assert main(run=FakeRun()) == 0
    assert capsys.readouterr().out == f"{__version__}\n"


def test_options_getitem_unknown_flag():
    with pytest.raises(KeyError):
        Options()["nope"]


def test_environment_not_modified(clean_env):
    before = dict(os.environ)
    main(["-watch", "t.tmpl"], run=FakeRun())
    assert dict(os.environ) == before


def test_only_published_flag():
    config = cfg("-only-published", "t")
    assert (config.only_published, config.only_exposed, config.include_stopped) == (True, False, False)


@pytest.mark.parametrize(
    "argv, level",
    [([], logging.INFO), (["-log-level", "debug"], logging.DEBUG), (["-log-level=WARNING"], logging.WARNING), (["-log-level", "error"], logging.ERROR)],
)
def test_main_log_level(clean_env, argv, level):
    seen = []

    def run(configs, settings):
        seen.append(logging.getLogger().level)
        return 0

    assert main([*argv, "t.tmpl"], run=run) == 0
    assert seen == [level]


# -- several endpoints ----------------------------------------------------------------------


def test_repeated_endpoint_flags_with_names():
    s = settings("-endpoint", "a=unix:///a.sock", "-endpoint", "tcp://10.0.0.2:2375", "-endpoint-grace", "5s")
    assert [(e.name, e.url) for e in s.endpoints] == [("a", "unix:///a.sock"), ("tcp://10.0.0.2:2375", "tcp://10.0.0.2:2375")]
    assert s.endpoint_grace == 5.0


def test_duplicate_endpoint_names_are_an_error():
    with pytest.raises(ConfigError, match="endpoint names must be unique: a"):
        settings("-endpoint", "a=unix:///a.sock", "-endpoint", "a=unix:///b.sock")


def test_bad_endpoint_grace_names_the_flag():
    with pytest.raises(ConfigError, match="^-endpoint-grace: "):
        settings("-endpoint-grace", "soon")


def test_endpoints_from_a_config_file(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(
        '[[endpoints]]\nname = "one"\nurl = "unix:///one.sock"\n'
        '[[endpoints]]\nname = "two"\nurl = "tcp://10.0.0.2:2376"\ntlsverify = true\ntlscacert = "/two/ca.pem"\naddress = "10.0.0.2"\n'
        '[[config]]\ntemplate = "t"\n'
    )
    configs, tables = build_configs(parse_args(["-config", str(path)]), {})
    s = settings_from_flags(parse_args(["-config", str(path)]), {"HOME": "/h"}, tables)
    assert [c.template for c in configs] == ["t"]
    one, two = s.endpoints
    assert (one.name, one.url, one.address, one.tls.verify) == ("one", "unix:///one.sock", "", False)
    assert (two.name, two.url, two.address) == ("two", "tcp://10.0.0.2:2376", "10.0.0.2")
    assert (two.tls.verify, two.tls.ca, two.tls.cert) == (True, "/two/ca.pem", "/h/.docker/cert.pem")


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[[endpoints]]\nname = "x"\n[[config]]\ntemplate = "t"\n', "missing required key 'url'"),
        ('[[endpoints]]\nurl = "unix:///x"\nhost = "y"\n[[config]]\ntemplate = "t"\n', "unknown key 'host'"),
        ('[[endpoints]]\nurl = "unix:///x"\ntlsverify = "yes"\n[[config]]\ntemplate = "t"\n', "tlsverify must be a boolean"),
        ('[[endpoints]]\nurl = "foo://x"\n[[config]]\ntemplate = "t"\n', "invalid bind address protocol"),
    ],
)
def test_bad_endpoint_tables(tmp_path, toml, message):
    from dockergen.errors import DockerGenError

    path = tmp_path / "c.toml"
    path.write_text(toml)
    with pytest.raises(DockerGenError, match=message):
        _, tables = build_configs(parse_args(["-config", str(path)]), {})
        settings_from_flags(parse_args(["-config", str(path)]), {}, tables)


# -- -template-engine -----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["auto", "go", "jinja2"])
def test_template_engine_flag(value):
    assert cfg("-template-engine", value, "t.tmpl").engine == value
    assert cfg(f"--template-engine={value}", "t.tmpl").engine == value


def test_template_engine_defaults_to_auto():
    assert cfg("t.tmpl").engine == "auto"
    assert cfg("-template-engine=", "t.tmpl").engine == "auto"  # empty means the default


def test_bad_template_engine_names_the_flag():
    with pytest.raises(ConfigError, match=r"^-template-engine: must be auto, go or jinja2, got 'foo'$"):
        cfg("-template-engine", "foo", "t.tmpl")


@pytest.mark.parametrize("value", ["foo", "Go", "jinja"])
def test_main_bad_template_engine(capsys, clean_env, value):
    fake = FakeRun()
    assert main(["-template-engine", value, "t.tmpl"], run=fake) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert "-template-engine" in err and repr(value) in err
    assert fake.calls == []


def test_main_passes_the_template_engine(clean_env):
    fake = FakeRun()
    assert main(["-template-engine", "jinja2", "t.tmpl", "out"], run=fake) == 0
    [([config], _settings)] = fake.calls
    assert config.engine == "jinja2"


def test_config_mode_ignores_template_engine_flag_with_warning(config_file, caplog):
    with caplog.at_level(logging.WARNING, logger="dockergen"):
        [config], _ = build_configs(parse_args(["-config", config_file, "-template-engine", "jinja2"]), {})
    assert config.engine == "auto"  # the file's (default) engine, not the flag's
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "-template-engine" in warning.getMessage()


def test_exec_flags():
    config = cfg("-exec-container", "nginx", "-exec-filter", "label=a=b", "-exec-filter", "name=x",
                 "-check-cmd", "nginx -t", "-notify-exec", "nginx -s reload", "t.tmpl", "out")
    assert config.exec_containers == ["nginx"]
    assert config.exec_containers_filter == {"label": ["a=b"], "name": ["x"]}
    assert (config.check_cmd, config.notify_exec) == ("nginx -t", "nginx -s reload")
    assert not cfg("-check-cmd", "nginx -t", "t.tmpl").exec_selected


def test_notify_exec_needs_a_container():
    with pytest.raises(ConfigError, match="^-notify-exec: no container to run it in"):
        cfg("-notify-exec", "nginx -s reload", "t.tmpl")
    with pytest.raises(ConfigError, match="^-exec-filter: expected key=value"):
        cfg("-exec-filter", "nokey", "t.tmpl")


@pytest.mark.parametrize(("value", "seconds"), [(None, 30.0), ("5", 5.0), ("500ms", 0.5), ("0", 0.0)])
def test_watchdog_flag(value, seconds):
    argv = ["-watchdog", value, "t.tmpl"] if value is not None else ["t.tmpl"]
    assert cfg(*argv).watchdog == seconds


def test_bad_watchdog_flag():
    with pytest.raises(ConfigError, match="^-watchdog: "):
        cfg("-watchdog", "-1s", "t.tmpl")
