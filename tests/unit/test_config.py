"""dockergen.config: durations, waits, signals, filters and TOML config files.

Vectors: docker-gen-test-vectors.md §1 (1.2/1.3/1.4 ParseWait,
1.5 TOML loading, adjusted for the deliberate differences 5 and 7).
"""

from __future__ import annotations

import signal
import textwrap

import pytest

from dockergen.config import (
    ALL_STATUSES,
    DEFAULT_NOTIFY_TIMEOUT,
    Config,
    Wait,
    add_key_value,
    effective_filters,
    load_config_files,
    parse_duration,
    parse_signal,
    parse_wait,
)
from dockergen.errors import ConfigError

MS = 1e-3


# -- parse_duration (Go duration grammar) ---------------------------------------------------


@pytest.mark.parametrize(
    "text, seconds",
    [
        ("0", 0.0),
        ("-0", 0.0),
        ("+0", 0.0),
        ("1ns", 1e-9),
        ("1us", 1e-6),
        ("1µs", 1e-6),
        ("1μs", 1e-6),
        ("1ms", 1e-3),
        ("500ms", 0.5),
        ("2s", 2.0),
        ("1.5s", 1.5),
        (".5s", 0.5),
        ("5.s", 5.0),
        ("1m", 60.0),
        ("1m30s", 90.0),
        ("1h30m", 5400.0),
        ("2h45m30.5s", 2 * 3600 + 45 * 60 + 30.5),
        ("1h1m1s1ms", 3661.001),
        ("-1s", -1.0),
        ("-1.5h", -5400.0),
        ("+2s", 2.0),
        (" 3s ", 3.0),
    ],
)
def test_parse_duration(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "invalid duration"),
        ("   ", "invalid duration"),
        ("-", "invalid duration"),
        ("10", "missing unit"),
        ("00", "missing unit"),
        ("1.5", "missing unit"),
        ("1s5", "missing unit"),
        ("s", "invalid duration"),
        ("ms", "invalid duration"),
        (".s", "invalid duration"),
        ("1x", "unknown unit \"x\""),
        ("1sx", "unknown unit \"sx\""),
        ("1d", "unknown unit \"d\""),
        ("1 s", "unknown unit"),
        ("1ms2", "missing unit"),
        ("5sec", "unknown unit \"sec\""),
        ("abc", "invalid duration"),
    ],
)
def test_parse_duration_errors(text, message):
    with pytest.raises(ConfigError, match=message):
        parse_duration(text)


# -- 1.2 / 1.3 / 1.4 ParseWait --------------------------------------------------------------


@pytest.mark.parametrize(
    "text, minimum, maximum",
    [
        # 1.2
        ("", 0, 0),
        ("1ms", 1 * MS, 4 * MS),
        ("1ms:111ms", 1 * MS, 111 * MS),
        # 1.3 (the TOML text value)
        ("1ms:2ms", 1 * MS, 2 * MS),
        # 1.4 EXTRA
        (" ", 0, 0),
        ("500ms", 0.5, 2.0),
        ("1.5s", 1.5, 6.0),
        ("1h30m", 5400.0, 21600.0),
        (" 1s : 2s ", 1.0, 2.0),
        ("1s:2s:3s", 1.0, 2.0),  # third and later parts ignored, as in docker-gen
        ("0", 0, 0),
        ("0:0", 0, 0),
        ("-1s", -1.0, -4.0),  # negative waits accepted, as in docker-gen
        ("1s:1s", 1.0, 1.0),  # max == min is fine
    ],
)
def test_parse_wait(text, minimum, maximum):
    wait = parse_wait(text)
    assert isinstance(wait, Wait)
    assert wait.min == pytest.approx(minimum)
    assert wait.max == pytest.approx(maximum)


@pytest.mark.parametrize(
    "text, message",
    [
        # 1.2
        ("500x", None),
        ("500s:4x", None),
        ("1m:1s", "max must be larger than min"),
        # 1.4 EXTRA
        ("1s:", "invalid duration"),
        (":1s", "invalid duration"),
        ("2s:1s", "invalid wait interval.*max must be larger than min"),
        ("10", "missing unit"),
        ("-1s:-2s", "max must be larger than min"),
    ],
)
def test_parse_wait_errors(text, message):
    with pytest.raises(ConfigError, match=message):
        parse_wait(text)


def test_wait_defaults_and_enabled():
    assert Wait() == Wait(0.0, 0.0)
    assert not Wait().enabled
    assert parse_wait("500ms").enabled
    assert not parse_wait("").enabled


# -- parse_signal (difference 7) -------------------------------------------------------------


@pytest.mark.parametrize(
    "value, number",
    [
        (1, 1),
        (15, 15),
        (64, 64),
        (-1, -1),
        ("1", 1),
        ("-1", -1),
        (" 9 ", 9),
        ("HUP", int(signal.SIGHUP)),
        ("hup", int(signal.SIGHUP)),
        ("SIGHUP", int(signal.SIGHUP)),
        ("SIGUSR1", int(signal.SIGUSR1)),
        ("usr1", int(signal.SIGUSR1)),
        ("sigusr2", int(signal.SIGUSR2)),
        ("TERM", int(signal.SIGTERM)),
        ("KILL", int(signal.SIGKILL)),
    ],
)
def test_parse_signal(value, number):
    assert parse_signal(value, "here") == number


@pytest.mark.parametrize("value", [0, "0", -2, "-2", -9, -15, 65, 1000, "NOPE", "SIGNOPE", "", True, False, 1.0, None, [1]])
def test_parse_signal_errors_name_the_place(value):
    with pytest.raises(ConfigError, match="^somewhere: "):
        parse_signal(value, "somewhere")


def test_parse_signal_zero_explains_restart():
    with pytest.raises(ConfigError, match="-1 to restart"):
        parse_signal(0, "x")


# -- key=value filters and effective filters -----------------------------------------------


def test_add_key_value_splits_at_first_equals_and_accumulates():
    filters: dict[str, list[str]] = {}
    add_key_value(filters, "label=a=b", "-container-filter")
    add_key_value(filters, "label=c", "-container-filter")
    add_key_value(filters, "name=", "-container-filter")
    assert filters == {"label": ["a=b", "c"], "name": [""]}


@pytest.mark.parametrize("text", ["label", "", "=value", " =x"])
def test_add_key_value_rejects_items_without_key(text):
    # docker-gen silently ignores items without "="; dockergen reports them.
    with pytest.raises(ConfigError, match="^-container-filter: expected key=value"):
        add_key_value({}, text, "-container-filter")


@pytest.mark.parametrize(
    "given, exposed, published, stopped, expected",
    [
        ({}, False, False, False, {"status": ["running"]}),
        ({}, False, False, True, {"status": ALL_STATUSES}),
        ({"status": ["exited"]}, False, False, True, {"status": ["exited"]}),
        ({"status": ["exited"]}, False, False, False, {"status": ["exited"]}),
        ({}, True, False, False, {"expose": ["1-65535"], "status": ["running"]}),
        ({"expose": ["80"]}, True, False, False, {"expose": ["80"], "status": ["running"]}),
        ({}, False, True, False, {"publish": ["1-65535"], "status": ["running"]}),
        ({}, True, True, False, {"publish": ["1-65535"], "status": ["running"]}),
        ({"publish": ["443"]}, False, True, False, {"publish": ["443"], "status": ["running"]}),
        # both flags + a user publish filter => the expose filter is added (docker-gen's elif)
        ({"publish": ["443"]}, True, True, False, {"publish": ["443"], "expose": ["1-65535"], "status": ["running"]}),
        ({"label": ["x"]}, False, False, False, {"label": ["x"], "status": ["running"]}),
    ],
)
def test_effective_filters(given, exposed, published, stopped, expected):
    assert effective_filters(given, exposed, published, stopped) == expected


def test_effective_filters_does_not_modify_its_input():
    given = {"label": ["x"]}
    result = effective_filters(given, True, False, True)
    result["label"].append("y")
    assert given == {"label": ["x"]}


def test_config_label():
    config = Config("/a/main.tmpl;/b/helper.tmpl")
    assert config.label == "stdout"
    assert Config("t", dest="/out").label == "/out"


def test_config_defaults():
    config = Config("t")
    assert config.dest == ""
    assert config.watch is False
    assert config.wait == Wait()
    assert config.notify_cmd == ""
    assert config.notify_output is False
    assert config.notify_timeout == DEFAULT_NOTIFY_TIMEOUT == 60
    assert config.notify_containers == {}
    assert config.notify_containers_filter == {}
    assert config.notify_containers_signal == 1  # difference 7: HUP, not docker-gen's 0 (SIGKILL)
    assert config.container_filter == {}
    assert config.interval == 0
    assert config.keep_blank_lines is False
    assert config.filters == {"status": ["running"]}


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"template": ""}, "no template"),
        ({"template": "t", "interval": -1}, "interval must not be negative"),
        ({"template": "t", "notify_timeout": 0}, "notify timeout must be positive"),
    ],
)
def test_config_validate(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        Config(**kwargs).validate()


# -- TOML files ----------------------------------------------------------------------------




ALL_KEYS = """
    [[config]]
    template = "/etc/docker-gen/templates/nginx.tmpl"
    dest = "/etc/nginx/conf.d/default.conf"
    watch = true
    wait = "500ms:2s"
    notifycmd = "nginx -s reload"
    notifyoutput = true
    notifytimeout = "90s"
    notifycontainerssignal = 10
    interval = 30
    keepblanklines = true
    onlyexposed = true
    onlypublished = false
    includestopped = true

    [config.notifycontainers]
    nginx = 1
    other = -1
    third = "USR2"

    [config.notifycontainersfilter]
    label = ["com.github.nginx-proxy.nginx"]

    [config.containerfilter]
    label = ["a", "b=c"]
    name = ["web"]
"""


def test_every_key(write):
    path = write("all.toml", ALL_KEYS)
    [config] = load_config_files([path])
    assert config.template == "/etc/docker-gen/templates/nginx.tmpl"
    assert config.dest == "/etc/nginx/conf.d/default.conf"
    assert config.watch is True
    assert config.wait == Wait(0.5, 2.0)
    assert config.notify_cmd == "nginx -s reload"
    assert config.notify_output is True
    assert config.notify_timeout == 90.0
    assert config.notify_containers_signal == signal.SIGUSR1
    assert config.interval == 30
    assert config.keep_blank_lines is True
    assert config.only_exposed is True
    assert config.only_published is False
    assert config.include_stopped is True
    assert config.notify_containers == {"nginx": 1, "other": -1, "third": int(signal.SIGUSR2)}
    assert config.notify_containers_filter == {"label": ["com.github.nginx-proxy.nginx"]}
    assert config.container_filter == {"label": ["a", "b=c"], "name": ["web"]}
    assert path in config.source
    # difference 5: onlyexposed/includestopped work and are reflected in the list filters
    assert config.filters == {
        "label": ["a", "b=c"],
        "name": ["web"],
        "expose": ["1-65535"],
        "status": ALL_STATUSES,
    }


def test_minimal_config_defaults(write):
    [config] = load_config_files([write("min.toml", '[[config]]\ntemplate = "t.tmpl"\n')])
    assert config == Config("t.tmpl", source=config.source)
    assert config.wait == Wait()  # absent wait => no debounce
    assert config.notify_timeout == DEFAULT_NOTIFY_TIMEOUT
    assert config.notify_containers_signal == 1
    # difference 5: config mode uses the CLI's default status filter
    assert config.filters == {"status": ["running"]}


@pytest.mark.parametrize(
    "key, expected",
    [
        ("onlyexposed = true", {"expose": ["1-65535"], "status": ["running"]}),
        ("onlypublished = true", {"publish": ["1-65535"], "status": ["running"]}),
        ("includestopped = true", {"status": ALL_STATUSES}),
        ("OnlyExposed = true", {"expose": ["1-65535"], "status": ["running"]}),
        ("IncludeStopped = false", {"status": ["running"]}),
    ],
)
def test_documented_filter_keys_work(write, key, expected):
    [config] = load_config_files([write("f.toml", f'[[config]]\ntemplate = "t"\n{key}\n')])
    assert config.filters == expected


def test_status_filter_in_file_overrides_default(write):
    text = '[[config]]\ntemplate = "t"\n[config.ContainerFilter]\nstatus = ["exited", "running"]\n'
    [config] = load_config_files([write("f.toml", text)])
    assert config.filters == {"status": ["exited", "running"]}


@pytest.mark.parametrize("spelling", ["notifycmd", "NotifyCmd", "NOTIFYCMD", "notifyCMD"])
def test_keys_are_case_insensitive(write, spelling):
    [config] = load_config_files([write("c.toml", f'[[config]]\nTemplate = "t"\n{spelling} = "echo hi"\n')])
    assert config.notify_cmd == "echo hi"


def test_config_table_name_case_insensitive(write):
    text = '[[Config]]\nTEMPLATE = "b1.tmpl"\n[Config.notifycontainers]\nother = -1\n'
    [config] = load_config_files([write("b.toml", text)])
    assert config.template == "b1.tmpl"
    assert config.notify_containers == {"other": -1}


def test_subtable_attaches_to_last_config(write):
    text = """
        [[config]]
        template = "first.tmpl"

        [[config]]
        template = "second.tmpl"
        dest = "/out"
        watch = true

        [config.NotifyContainers]
        nginx = 1
        proxy = "HUP"
    """
    first, second = load_config_files([write("s.toml", text)])
    assert first.template == "first.tmpl"
    assert first.notify_containers == {}
    assert second.template == "second.tmpl"
    assert second.notify_containers == {"nginx": 1, "proxy": 1}


def test_inline_tables(write):
    text = """
        [[config]]
        template = "t"
        NotifyContainers = { nginx = 1 }
        ContainerFilter = { label = ["x"] }
        NotifyContainersFilter = { name = ["n1", "n2"] }
    """
    [config] = load_config_files([write("i.toml", text)])
    assert config.notify_containers == {"nginx": 1}
    assert config.container_filter == {"label": ["x"]}
    assert config.notify_containers_filter == {"name": ["n1", "n2"]}


@pytest.mark.parametrize(
    "value, seconds",
    [("5", 5.0), ("2.5", 2.5), ('"1m30s"', 90.0), ('"500ms"', 0.5)],
)
def test_notifytimeout_values(write, value, seconds):
    [config] = load_config_files([write("n.toml", f'[[config]]\ntemplate = "t"\nnotifytimeout = {value}\n')])
    assert config.notify_timeout == seconds


@pytest.mark.parametrize("value", ["0", "-1", '"0s"', '"-5s"', "true", '"5"', "[1]"])
def test_notifytimeout_errors(write, value):
    path = write("n.toml", f'[[config]]\ntemplate = "t"\nnotifytimeout = {value}\n')
    with pytest.raises(ConfigError, match="notifytimeout") as info:
        load_config_files([path])
    assert path in str(info.value)


def test_unknown_key_names_file_and_key(write):
    path = write("typo.toml", '[[config]]\ntemplate = "t"\nnotify_cmd = "echo"\n')
    with pytest.raises(ConfigError) as info:
        load_config_files([path])
    message = str(info.value)
    assert path in message
    assert "'notify_cmd'" in message
    assert "unknown key" in message


def test_unknown_key_in_second_table_names_its_index(write):
    path = write("typo.toml", '[[config]]\ntemplate = "a"\n[[config]]\ntemplate = "b"\ndestination = "x"\n')
    with pytest.raises(ConfigError, match=r"#2.*'destination'") as info:
        load_config_files([path])
    assert path in str(info.value)


def test_unknown_top_level_key_is_an_error(write):
    # docker-gen ignores any top-level key but `config` (vector 1.5 file E: `interval = 5`
    # at the top level has no effect).  dockergen reports it: a misplaced key is a typo.
    path = write("e.toml", "interval = 5\n")
    with pytest.raises(ConfigError, match="'interval'") as info:
        load_config_files([path])
    assert path in str(info.value)


def test_key_given_twice_in_different_case(write):
    path = write("d.toml", '[[config]]\ntemplate = "t"\ndest = "a"\nDest = "b"\n')
    with pytest.raises(ConfigError, match="given twice"):
        load_config_files([path])


@pytest.mark.parametrize(
    "line, key",
    [
        ('watch = "yes"', "watch"),
        ("notifyoutput = 1", "notifyoutput"),
        ("keepblanklines = \"true\"", "keepblanklines"),
        ("onlyexposed = 1", "onlyexposed"),
        ("onlypublished = \"no\"", "onlypublished"),
        ("includestopped = 0", "includestopped"),
        ("dest = 5", "dest"),
        ("notifycmd = true", "notifycmd"),
        ("notifycmd = [\"a\"]", "notifycmd"),
        ('interval = "5"', "interval"),
        ("interval = 1.5", "interval"),
        ("interval = true", "interval"),
        ("interval = -1", "interval"),
        ("wait = 5", "wait"),  # stringified first, like docker-gen: "missing unit"
        ("wait = true", "wait"),
        ('wait = "2s:1s"', "wait"),
        ('containerfilter = "label=x"', "containerfilter"),
        ("containerfilter = { label = 5 }", "containerfilter"),
        ("containerfilter = { label = [1, 2] }", "containerfilter"),
        ('notifycontainersfilter = ["x"]', "notifycontainersfilter"),
        ("notifycontainers = [\"nginx\"]", "notifycontainers"),
        ("notifycontainers = { nginx = 0 }", "notifycontainers"),  # difference 7
        ("notifycontainers = { nginx = -9 }", "notifycontainers"),
        ("notifycontainers = { nginx = true }", "notifycontainers"),
        ('notifycontainers = { nginx = "NOPE" }', "notifycontainers"),
        ("notifycontainerssignal = 0", "notifycontainerssignal"),
        ("notifycontainerssignal = -2", "notifycontainerssignal"),
        ('notifycontainerssignal = "BOGUS"', "notifycontainerssignal"),
    ],
)
def test_wrong_type_or_value_names_file_and_key(write, line, key):
    path = write("bad.toml", f'[[config]]\ntemplate = "t"\n{line}\n')
    with pytest.raises(ConfigError) as info:
        load_config_files([path])
    message = str(info.value)
    assert path in message
    assert key in message.lower()


@pytest.mark.parametrize("line", ["template = 5", "template = true", 'template = ["a"]'])
def test_template_must_be_a_string(write, line):
    with pytest.raises(ConfigError, match="template"):
        load_config_files([write("t.toml", f"[[config]]\n{line}\n")])


def test_wait_integer_reports_missing_unit(write):
    with pytest.raises(ConfigError, match="missing unit"):
        load_config_files([write("w.toml", '[[config]]\ntemplate = "t"\nwait = 5\n')])


def test_missing_template_is_an_error(write):
    path = write("nt.toml", '[[config]]\ndest = "/out"\n')
    with pytest.raises(ConfigError, match="template") as info:
        load_config_files([path])
    assert path in str(info.value)


def test_empty_template_is_an_error(write):
    with pytest.raises(ConfigError, match="no template"):
        load_config_files([write("et.toml", '[[config]]\ntemplate = ""\n')])


def test_config_must_be_an_array_of_tables(write):
    with pytest.raises(ConfigError, match=r"array of tables"):
        load_config_files([write("x.toml", '[config]\ntemplate = "t"\n')])
    with pytest.raises(ConfigError, match=r"array of tables"):
        load_config_files([write("y.toml", 'config = ["t"]\n')])


def test_no_config_entries_is_an_error(write):
    path = write("empty.toml", "# nothing here\n")
    with pytest.raises(ConfigError, match=r"no \[\[config\]\] entries") as info:
        load_config_files([path])
    assert path in str(info.value)


def test_syntax_error_names_file_and_line(write):
    path = write("syntax.toml", '[[config]]\ntemplate = "t"\ndest = \n')
    with pytest.raises(ConfigError) as info:
        load_config_files([path])
    message = str(info.value)
    assert message.startswith(path)
    assert "line 3" in message


def test_syntax_error_unterminated_string(write):
    path = write("syntax2.toml", '[[config]]\n\n\n\ntemplate = "t\n')
    with pytest.raises(ConfigError, match="line 5") as info:
        load_config_files([path])
    assert path in str(info.value)


def test_missing_file(tmp_path):
    path = str(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="not found") as info:
        load_config_files([path])
    assert path in str(info.value)


def test_unreadable_path_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config_files([str(tmp_path)])  # a directory
    assert str(tmp_path) in str(info.value)


def test_error_in_later_file_names_that_file(write):
    good = write("a.toml", '[[config]]\ntemplate = "a"\n')
    bad = write("b.toml", '[[config]]\ntemplate = "b"\nwatch = "yes"\n')
    with pytest.raises(ConfigError) as info:
        load_config_files([good, bad])
    assert bad in str(info.value)
    assert good not in str(info.value)


# -- 1.5 multi-file loading, adjusted for difference 5 (concatenation in the order given) --

FILE_A = """
    [[config]]
    template = "a1.tmpl"
    dest = "a1.out"
    watch = true
    wait = "500ms:2s"
    onlyexposed = true
    includestopped = true

    [config.NotifyContainers]
    nginx = 1

    [config.ContainerFilter]
    status = ["running"]

    [[config]]
    template = "a2.tmpl"
    dest = "a2.out"
"""

FILE_B = """
    [[Config]]
    TEMPLATE = "b1.tmpl"
    NotifyCmd = "echo hi"

    [Config.notifycontainers]
    other = -1
"""

FILE_C = """
    [[config]]
    template = "c1"
    [[config]]
    template = "c2"
    [[config]]
    template = "c3"
"""

FILE_D = """
    [[config]]
    template = "d1.tmpl"
    wait = "2s:1s"
"""


@pytest.fixture
def files(write):
    return {
        "A": write("a.toml", FILE_A),
        "B": write("b.toml", FILE_B),
        "C": write("c.toml", FILE_C),
        "D": write("d.toml", FILE_D),
    }


def test_file_a_alone(files):
    # docker-gen: 2 configs, onlyexposed/includestopped reported as undecoded and ignored.
    # dockergen (difference 5): 2 configs and those keys work.
    a1, a2 = load_config_files([files["A"]])
    assert (a1.template, a1.dest, a1.watch, a1.wait) == ("a1.tmpl", "a1.out", True, Wait(0.5, 2.0))
    assert a1.notify_containers == {"nginx": 1}
    assert a1.container_filter == {"status": ["running"]}
    assert a1.only_exposed is True and a1.include_stopped is True
    # the explicit status filter wins over includestopped; onlyexposed adds expose
    assert a1.filters == {"status": ["running"], "expose": ["1-65535"]}
    assert (a2.template, a2.dest, a2.watch, a2.wait) == ("a2.tmpl", "a2.out", False, Wait())
    assert a2.notify_containers == {}
    assert a2.filters == {"status": ["running"]}


def test_files_a_then_b_are_concatenated(files):
    # docker-gen: ONE config, b1 decoded over a1 (dest a1.out, watch, wait, filters and
    # notifycontainers {nginx:1, other:-1} bleed through; a2 dropped).
    # dockergen (difference 5): a1, a2, b1 -- each exactly as written, nothing bleeds.
    configs = load_config_files([files["A"], files["B"]])
    assert [c.template for c in configs] == ["a1.tmpl", "a2.tmpl", "b1.tmpl"]
    b1 = configs[2]
    assert b1.notify_cmd == "echo hi"
    assert b1.notify_containers == {"other": -1}
    assert b1.dest == ""
    assert b1.watch is False
    assert b1.wait == Wait()
    assert b1.container_filter == {}
    assert configs[0].notify_containers == {"nginx": 1}
    assert configs[0].notify_cmd == ""
    assert files["B"] in b1.source and files["A"] in configs[0].source


def test_files_a_then_c(files):
    # docker-gen: 3 fresh configs (A discarded).  dockergen: A's two, then C's three.
    configs = load_config_files([files["A"], files["C"]])
    assert [c.template for c in configs] == ["a1.tmpl", "a2.tmpl", "c1", "c2", "c3"]
    assert [c.dest for c in configs] == ["a1.out", "a2.out", "", "", ""]


def test_order_given_not_sorted(files):
    # docker-gen sorts the paths; dockergen keeps the command-line order.
    configs = load_config_files([files["C"], files["B"], files["A"]])
    assert [c.template for c in configs] == ["c1", "c2", "c3", "b1.tmpl", "a1.tmpl", "a2.tmpl"]


def test_file_d_bad_wait(files):
    with pytest.raises(ConfigError, match="invalid wait interval.*max must be larger than min") as info:
        load_config_files([files["D"]])
    assert files["D"] in str(info.value)
    assert "wait" in str(info.value)


def test_bad_file_anywhere_fails_the_whole_load(files):
    with pytest.raises(ConfigError):
        load_config_files([files["A"], files["D"], files["B"]])


def test_maps_are_not_shared_between_configs(files):
    a1, a2 = load_config_files([files["A"]])
    a2.notify_containers["x"] = 1
    assert "x" not in a1.notify_containers


# -- engine ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["auto", "go", "jinja2"])
def test_engine_key(write, value):
    [config] = load_config_files([write("e.toml", f'[[config]]\ntemplate = "t"\nengine = "{value}"\n')])
    assert config.engine == value


def test_engine_defaults_to_auto(write):
    [config] = load_config_files([write("e.toml", '[[config]]\ntemplate = "t"\n')])
    assert config.engine == "auto" == Config("t").engine


def test_engine_key_is_case_insensitive(write):
    [config] = load_config_files([write("e.toml", '[[config]]\ntemplate = "t"\nEngine = "go"\n')])
    assert config.engine == "go"


def test_engine_per_config(write):
    text = '[[config]]\ntemplate = "a"\nengine = "go"\n[[config]]\ntemplate = "b"\n[[config]]\ntemplate = "c"\nengine = "jinja2"\n'
    assert [c.engine for c in load_config_files([write("e.toml", text)])] == ["go", "auto", "jinja2"]


def test_unknown_engine_names_file_and_table(write):
    path = write("e.toml", '[[config]]\ntemplate = "a"\n[[config]]\ntemplate = "b"\nengine = "foo"\n')
    with pytest.raises(ConfigError) as info:
        load_config_files([path])
    message = str(info.value)
    assert message == f"{path}: [[config]] #2: engine: must be auto, go or jinja2, got 'foo'"
    assert len(message.splitlines()) == 1


@pytest.mark.parametrize("value", ["5", "true", '["go"]'])
def test_engine_must_be_a_string(write, value):
    path = write("e.toml", f'[[config]]\ntemplate = "t"\nengine = {value}\n')
    with pytest.raises(ConfigError, match="engine") as info:
        load_config_files([path])
    assert path in str(info.value)


def test_config_validate_engine():
    with pytest.raises(ConfigError, match=r"^-template-engine: .*'x'"):
        Config("t", engine="x", source="command line").validate()
    with pytest.raises(ConfigError, match=r"^f.toml: engine: .*'x'"):
        Config("t", engine="x", source="f.toml").validate()


# -- commands run inside other containers ------------------------------------------------------


def test_exec_keys(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(textwrap.dedent("""\
        [[config]]
        template = "t"
        dest = "d"
        checkcmd = "nginx -t"
        ExecContainers = ["nginx", "nginx2"]
        NotifyExec = "nginx -s reload"
        [config.ExecContainersFilter]
        label = ["com.example.nginx"]
    """))
    (config,) = load_config_files([str(path)])
    assert config.exec_containers == ["nginx", "nginx2"]
    assert config.exec_containers_filter == {"label": ["com.example.nginx"]}
    assert config.notify_exec == "nginx -s reload"
    assert config.exec_selected


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('execcontainers = [1]', "execcontainers must be a list of strings"),
        ('notifyexec = "nginx -s reload"', "notifyexec: no container to run it in"),
        ('[config.ExecContainersFilter]\nlabel = 5', "ExecContainersFilter.label must be a list of strings"),
    ],
)
def test_bad_exec_keys(tmp_path, body, message):
    path = tmp_path / "c.toml"
    path.write_text(f'[[config]]\ntemplate = "t"\n{body}\n')
    with pytest.raises(ConfigError, match=message):
        load_config_files([str(path)])


def test_watchdog_key(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[[config]]\ntemplate = "t"\nwatchdog = "2m"\n[[config]]\ntemplate = "u"\nwatchdog = 0\n')
    first, second = load_config_files([str(path)])
    assert (first.watchdog, second.watchdog) == (120.0, 0.0)
    path.write_text('[[config]]\ntemplate = "t"\nwatchdog = "-5s"\n')
    with pytest.raises(ConfigError, match="watchdog must be positive"):
        load_config_files([str(path)])
