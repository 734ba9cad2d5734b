"""Hostile container values against templates/nginx.tmpl, through a real nginx.

Container env and labels are untrusted.  For every case: the render passes ``nginx -t`` and is
loaded, the hostile value reaches the config nowhere (not even in a comment: the marker
``INJECTED`` never appears), an invalid optional setting is ignored with a one-line
``# ignored <setting> on container <name>: ...`` comment and the container stays served, a bad
host or path drops only that host or path (with an ``# ignored`` comment), a container left with
nothing to serve is left out with a ``# left out container <name>: ...`` comment,
valid-but-awkward values (120-character names, thousands of names, regexes with braces) are
served, and an unrelated host keeps working.
Then the real watcher renders every case at once, and a container started afterwards is served.
"""

from __future__ import annotations

import copy
import hashlib
import random
import re
import uuid

import pytest

from cli_support import RunningGenerator
from dockergen.daemon.inventory import Inventory
from dockergen.pipeline.render import RenderInput
from nginx_support import (
    CASE_LABEL,
    NGINX_TEMPLATE,
    PROXY_LABEL,
    Nginx,
    fake_container,
    free_port,
    nginx_template,
    proxy_env,
    render_fake,
    backends_seen,
    request,
    start_backends,
    status,
)

pytestmark = pytest.mark.engine

MARK = "INJECTED"
HOSTILE = "dockergen.test.hostile"
RX = r"~^[a-z]{3}\.rx\.test$"
MANY = 3000


def lb(value: str) -> dict:
    return {PROXY_LABEL + "loadbalance": value}


# case -> (containers: {key: spec}, expectation); expectation: "left out" (every container of the
# case) or {"serve": [hosts], "out": [keys left out], "ignored": [keys with an "# ignored" comment]}
CASES = {
    "semicolon-host": ({"c": {"env": {"VIRTUAL_HOST": f"h1.test;return 418 {MARK}"}}}, "left out"),
    "brace-host": ({"c": {"env": {"VIRTUAL_HOST": f"h2.test{{return 418 {MARK};}}"}}}, "left out"),
    "quote-host": ({"c": {"env": {"VIRTUAL_HOST": f"\"h3.test\" '{MARK}'"}}}, "left out"),
    "hash-host": ({"c": {"env": {"VIRTUAL_HOST": f"h4.test#{MARK}"}}}, "left out"),
    "newline-host": ({"c": {"env": {"VIRTUAL_HOST": f"h5.test\nreturn 418 {MARK};"}}}, "left out"),
    "tab-host": ({"c": {"env": {"VIRTUAL_HOST": f"h6.test\t{MARK}"}}}, "left out"),
    "newline-path": ({"c": {"env": {"VIRTUAL_HOST": "h7.test", "VIRTUAL_PATH": f"/x/\n}}\nserver {{ listen 1; {MARK}"}}}, "left out"),
    "semicolon-dest": ({"c": {"env": {"VIRTUAL_HOST": "h8.test", "VIRTUAL_DEST": f"/;return 418 {MARK}"}}}, "left out"),
    "quote-path": ({"c": {"env": {"VIRTUAL_HOST": "h9.test", "VIRTUAL_PATH": f"/'\"{MARK}"}}}, "left out"),
    "long-name-126": ({"c": {"env": {"VIRTUAL_HOST": "a" * 60 + "." + "b" * 55 + ".long.test"}}},
                      {"serve": ["a" * 60 + "." + "b" * 55 + ".long.test"]}),
    "long-name-5000": ({"c": {"env": {"VIRTUAL_HOST": "c" * 5000 + f".{MARK.lower()}.test"}}}, "left out"),
    "many-names": ({"c": {"env": {"VIRTUAL_HOST": ",".join(f"n{i}.many.test" for i in range(MANY))}}},
                   {"serve": ["n0.many.test", f"n{MANY - 1}.many.test"]}),
    "regex-braces": ({"c": {"env": {"VIRTUAL_HOST": RX}}}, {"serve": ["abc.rx.test"]}),
    # VIRTUAL_HOST is a comma-separated list, so "{2,4}" splits the regex: harmless, left out ...
    "regex-comma-in-list": ({"c": {"env": {"VIRTUAL_HOST": r"~^[a-z]{2,4}\.rc\.test$"}}}, "left out"),
    # ... while VIRTUAL_HOST_MULTIPORTS keys can hold it
    "regex-comma-multiports": ({"c": {"env": {"VIRTUAL_HOST_MULTIPORTS": '{"~^[a-z]{2,4}\\\\.rm\\\\.test$": {}}'}}},
                               {"serve": ["abcd.rm.test"]}),
    "regex-invalid": ({"c": {"env": {"VIRTUAL_HOST": f"~^(unclosed[.{MARK}"}}}, "left out"),
    "regex-bad-repeat": ({"c": {"env": {"VIRTUAL_HOST": f"~^{MARK}a{{3,1}}$"}}}, "left out"),
    "regex-quote": ({"c": {"env": {"VIRTUAL_HOST": f'~^x";return 418 {MARK};"'}}}, "left out"),
    "regex-escape": ({"c": {"env": {"VIRTUAL_HOST": "~^x\\t" + MARK}}}, "left out"),
    "port-text": ({"c": {"env": {"VIRTUAL_HOST": "p1.test", "VIRTUAL_PORT": MARK}}}, "left out"),
    "port-range": ({"c": {"env": {"VIRTUAL_HOST": "p2.test", "VIRTUAL_PORT": "70000"}}}, "left out"),
    "port-zero": ({"c": {"env": {"VIRTUAL_HOST": "p3.test", "VIRTUAL_PORT": "0"}}}, "left out"),
    "port-injection": ({"c": {"env": {"VIRTUAL_HOST": "p4.test", "VIRTUAL_PORT": f"80;return 418 {MARK}"}}}, "left out"),
    "bool-yes": ({"c": {"env": {"VIRTUAL_HOST": "b1.test", "ENABLE_HTTP_ON_MISSING_CERT": "yes"}}},
        {"serve": ["b1.test"], "ignored": ["c"]}),
    "bool-label-yes": ({"c": {"env": {"VIRTUAL_HOST": "b2.test"}, "labels": {PROXY_LABEL + "trust-default-cert": "yes"}}},
        {"serve": ["b2.test"], "ignored": ["c"]}),
    "hsts-text": ({"c": {"env": {"VIRTUAL_HOST": "s1.test", "HSTS": f"max-age={MARK}"}}},
        {"serve": ["s1.test"], "ignored": ["c"]}),
    "hsts-preload": ({"c": {"env": {"VIRTUAL_HOST": "s2.test", "HSTS": "max-age=1; preload"}}},
        {"serve": ["s2.test"], "ignored": ["c"]}),
    "hsts-newline": ({"c": {"env": {"VIRTUAL_HOST": "s3.test", "HSTS": f"max-age=1\nadd_header X {MARK}"}}},
        {"serve": ["s3.test"], "ignored": ["c"]}),
    "proto-unknown": ({"c": {"env": {"VIRTUAL_HOST": "r1.test", "VIRTUAL_PROTO": "ftp"}}}, "left out"),
    "proto-injection": ({"c": {"env": {"VIRTUAL_HOST": "r2.test", "VIRTUAL_PROTO": f"http;return 418 {MARK}"}}}, "left out"),
    "method-unknown": ({"c": {"env": {"VIRTUAL_HOST": "m1.test", "HTTPS_METHOD": MARK}}},
        {"serve": ["m1.test"], "ignored": ["c"]}),
    "policy-unknown": ({"c": {"env": {"VIRTUAL_HOST": "m2.test", "SSL_POLICY": MARK}}},
        {"serve": ["m2.test"], "ignored": ["c"]}),
    "tokens-injection": ({"c": {"env": {"VIRTUAL_HOST": "m3.test", "SERVER_TOKENS": f"off; return 418 {MARK}"}}},
        {"serve": ["m3.test"], "ignored": ["c"]}),
    "cert-traversal": ({"c": {"env": {"VIRTUAL_HOST": "m4.test", "CERT_NAME": f"../../../etc/{MARK}"}}},
        {"serve": ["m4.test"], "ignored": ["c"]}),
    "loadbalance-injection": ({"c": {"env": {"VIRTUAL_HOST": "l1.test"}, "labels": lb(f"least_conn; return 418 {MARK}")}},
        {"serve": ["l1.test"], "ignored": ["c"]}),
    "loadbalance-unknown-variable": ({"c": {"env": {"VIRTUAL_HOST": "l2.test"}, "labels": lb(f"hash ${MARK}")}},
        {"serve": ["l2.test"], "ignored": ["c"]}),
    "keepalive-negative": ({"c": {"env": {"VIRTUAL_HOST": "l3.test"}, "labels": {PROXY_LABEL + "keepalive": "-1"}}},
        {"serve": ["l3.test"], "ignored": ["c"]}),
    "non-get-redirect-bad": ({"c": {"env": {"VIRTUAL_HOST": "l4.test"}, "labels": {PROXY_LABEL + "non-get-redirect": f"200 {MARK}"}}},
        {"serve": ["l4.test"], "ignored": ["c"]}),
    "multiports-bad-yaml": ({"c": {"env": {"VIRTUAL_HOST_MULTIPORTS": f"{{bad: [{MARK}"}}}, "left out"),
    "multiports-injection": ({"c": {"env": {"VIRTUAL_HOST_MULTIPORTS": f'{{"y.test": {{"/": {{"port": "80;return 418 {MARK}"}}}}}}'}}}, "left out"),
    # A billion-laughs document: refused without being expanded; the watcher goes on serving.
    "multiports-alias-bomb": ({"c": {"env": {"VIRTUAL_HOST_MULTIPORTS": "\n".join(
        [f"l0: &l0 [{', '.join(['lol'] * 9)}]"]
        + [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 9)])}}}, "left out"),
    "multiports-not-a-map": ({"c": {"env": {"VIRTUAL_HOST_MULTIPORTS": f"- {MARK}\n- x"}}}, "left out"),
    "upstream-name-squat": ({"c": {"env": {"VIRTUAL_HOST": hashlib.sha1(RX.encode()).hexdigest()}}, "rx": {"env": {"VIRTUAL_HOST": RX}}},
                            {"serve": ["xyz.rx.test"], "out": ["c"]}),
    "path-clash": ({"a": {"env": {"VIRTUAL_HOST": "clash.test", "VIRTUAL_PATH": "/a/", "VIRTUAL_DEST": "/"}},
                    "b": {"env": {"VIRTUAL_HOST": "clash.test", "VIRTUAL_PATH": "^~ /a/"}}},
                   {"serve": ["clash.test/a/"], "out": ["b"]}),
    "regex-path-with-dest": ({"c": {"env": {"VIRTUAL_HOST": "d1.test", "VIRTUAL_PATH": "~ ^/x", "VIRTUAL_DEST": "/"}}}, "left out"),
    "acme-path": ({"c": {"env": {"VIRTUAL_HOST": "d2.test", "VIRTUAL_PATH": "/.well-known/acme-challenge/"}}}, "left out"),
    # one bad name in a list drops that name only
    "host-list-one-bad": ({"c": {"env": {"VIRTUAL_HOST": f"h10.test;return 418 {MARK},h11.test"}}},
                          {"serve": ["h11.test"], "ignored": ["c"]}),
    # one bad host (injected port) or path in a multiports document drops that host or path only
    "multiports-one-bad-host": ({"c": {"env": {"VIRTUAL_HOST_MULTIPORTS": (
        f'{{"mp1.test": {{"/": {{"port": "80;return 418 {MARK}"}}}}, "mp2.test": {{}},'
        f' "mp3.test": {{"/app/": {{}}, "/x/": {{"dest": "/;{MARK}"}}}}}}')}}},
        {"serve": ["mp2.test", "mp3.test/app/"], "ignored": ["c"]}),
}


@pytest.fixture(scope="module")
def hostile(engine, test_image, docker_api, tmp_path_factory):
    scope = engine.scope()
    case = uuid.uuid4().hex[:12]
    nginx = Nginx(tmp_path_factory.mktemp("nginx-hostile"))
    try:
        env = proxy_env(nginx, free_port(), free_port())
        specs = {"good": {"env": {"VIRTUAL_HOST": "good.test"}, "labels": {HOSTILE: "good"}}}
        for name, (containers, _) in CASES.items():
            for key, spec in containers.items():
                specs[f"{name}-{key}"] = {**spec, "labels": {**spec.get("labels", {}), HOSTILE: name}}
        # "b" of path-clash must be the newer one: it is created after everything else
        clash_b = specs.pop("path-clash-b")
        prefix = engine.unique_name("dgt-hx")
        containers = start_backends(scope, specs, case, prefix)
        containers.update(start_backends(scope, {"path-clash-b": clash_b}, case, prefix))
        snapshot = Inventory(docker_api).snapshot({"label": [engine.label_filter, f"{CASE_LABEL}={case}"], "status": ["running"]})
        yield {"nginx": nginx, "env": env, "case": case, "containers": containers, "scope": scope, "prefix": prefix,
               "snapshot": snapshot}
    finally:
        nginx.stop()
        scope.cleanup()


def _render(hostile, names: set[str]) -> str:
    """The template rendered for the containers of these cases only (from the module's snapshot)."""
    snap = copy.copy(hostile["snapshot"])
    snap.containers = [c for c in snap.containers if (c.Labels or {}).get(HOSTILE) in names]
    return nginx_template().render(RenderInput.from_snapshot(snap, env=hostile["env"]))


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_case(name, hostile):
    nginx, env = hostile["nginx"], hostile["env"]
    port = int(env["HTTP_PORT"])
    specs, expect = CASES[name]
    out = _render(hostile, {name, "good"})
    nginx.apply(out)  # nginx -t passes, and nginx loads it
    assert MARK not in out and MARK.lower() not in out
    assert "return 418" not in out
    comments = [line for line in out.splitlines() if line.startswith("# left out ")]
    left_out = list(specs) if expect == "left out" else expect.get("out", [])
    for key in left_out:
        cname = hostile["containers"][f"{name}-{key}"].name
        assert any(line.startswith(f"# left out container {cname}: ") for line in comments), (cname, comments)
    assert len(comments) == len(left_out), comments
    ignored = [line for line in out.splitlines() if line.startswith("# ignored ")]
    with_ignored = [] if expect == "left out" else expect.get("ignored", [])
    for key in with_ignored:
        cname = hostile["containers"][f"{name}-{key}"].name
        assert any(f" on container {cname}: " in line for line in ignored), (cname, ignored)
    if not with_ignored:
        assert not ignored, ignored
    for host in ([] if expect == "left out" else expect["serve"]):
        host, _, path = host.partition("/")
        r = request(port, host, "/" + path)
        assert r.status == 200, (host, r.status)
    assert request(port, "good.test", "/cgi-bin/x").backend == hostile["containers"]["good"].name


LEFT_OUT = sum(len(specs) if expect == "left out" else len(expect.get("out", [])) for specs, expect in CASES.values())


def test_every_case_at_once_with_the_watcher_and_a_late_container(hostile, engine, tmp_path):
    nginx, env = hostile["nginx"], hostile["env"]
    port = int(env["HTTP_PORT"])
    nginx.apply("")  # running, with an empty proxy file the generator replaces
    args = [
        "-watch", "-wait", "100ms:500ms", "-notify", nginx.reload_cmd,
        "-container-filter", f"label={CASE_LABEL}={hostile['case']}",
        str(NGINX_TEMPLATE), str(nginx.rendered),
    ]
    with RunningGenerator(*args, log_path=tmp_path / "generator.log", env=env) as gen:
        def rendered_all() -> bool:
            text = nginx.rendered.read_text()
            return text.count("# left out container ") >= LEFT_OUT and "n0.many.test" in text

        hostile_wait(rendered_all, gen)
        nginx.check()
        hostile_wait(lambda: status(port, "n1234.many.test") == 200, gen)
        good = hostile["containers"]["good"].name
        hostile_wait(lambda: backends_seen(port, "good.test", 3) == [good] * 3, gen)
        late = start_backends(hostile["scope"], {"late": {"env": {"VIRTUAL_HOST": "late.test"}}}, hostile["case"], hostile["prefix"])
        # Right after `nginx -s reload` an old worker may still answer one request with the old
        # config (503): wait until every answer comes from the new container.
        name = late["late"].name
        hostile_wait(lambda: backends_seen(port, "late.test", 3) == [name] * 3, gen)
        text = nginx.rendered.read_text()
        assert MARK not in text
        nginx.check()
        assert "Error" not in gen.log() and "failed" not in gen.log().lower(), gen.log()


def hostile_wait(predicate, gen, timeout: float = 30) -> None:
    from engine_support import wait_for

    try:
        wait_for(predicate, timeout=timeout)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n--- generator log ---\n{gen.log()[-3000:]}") from None


# ----------------------------------------------------------------------------- random values


ALPHABET = list("abz09.-_*~^$()[]{}|?+\\/;#'\" \t\n:,=<>!@%&") + [
    "\\d", "(?<n>", "{2,3}", "~ ", "^~ ", "= ", "/a/", "$host", "hash ", "$remote_addr", "\\t", "{3,1}",
]
GOOD = {
    "VIRTUAL_HOST": ["ok.test", "a.test,b.test", r"~^x\.test$", "*.w.test", "w.*"],
    "VIRTUAL_PATH": ["/", "/a/", "~ ^/(a|b)/", "^~ /s/", "= /e", "~* \\.png$"],
    "VIRTUAL_PORT": ["80", "8080"], "VIRTUAL_PROTO": ["http", "https", "uwsgi", "fastcgi", "grpc"],
    "VIRTUAL_DEST": ["/", "/x/"], "HTTPS_METHOD": ["redirect", "nohttp", "nohttps", "noredirect"],
    "HSTS": ["off", "max-age=100"], "EXTERNAL_HTTP_PORT": ["18081", "18443"], "EXTERNAL_HTTPS_PORT": ["18444", "18080"],
    "SSL_POLICY": ["Mozilla-Old", "Mozilla-Modern"], "SERVER_TOKENS": ["off", "build"], "VIRTUAL_ROOT": ["/srv"],
    "NETWORK_ACCESS": ["internal"], "CERT_NAME": ["x.test"],
    "VIRTUAL_HOST_MULTIPORTS": ["m.test:\n  /:\n    port: 81\n  /x:\n    dest: /\n", '{"j.test": {"/": {"port": 1}}}', "[1,2]", "a: &a [*a]"],
}
LABEL_VALUES = ["auto", "disabled", "3", "307", "true", "ip_hash", "hash $remote_addr", "least_conn"]


@pytest.mark.parametrize("seed", range(6))
def test_random_values_never_break_the_config(seed, tmp_path):
    """Synthetic containers (no engine) with random mixes of valid and hostile values: nginx -t."""
    rnd = random.Random(seed)
    containers = []
    for i in range(40):
        env = {}
        for var in rnd.sample(list(GOOD), rnd.randint(1, 5)):
            env[var] = rnd.choice(GOOD[var]) if rnd.random() < 0.85 else "".join(rnd.choice(ALPHABET) for _ in range(rnd.randint(1, 12)))
        if "VIRTUAL_HOST" not in env and "VIRTUAL_HOST_MULTIPORTS" not in env:
            env["VIRTUAL_HOST"] = rnd.choice(GOOD["VIRTUAL_HOST"])
        labels = {
            PROXY_LABEL + name: rnd.choice(LABEL_VALUES) if rnd.random() < 0.8 else "".join(rnd.choice(ALPHABET) for _ in range(6))
            for name in rnd.sample(["loadbalance", "keepalive", "trust-default-cert", "non-get-redirect"], rnd.randint(0, 2))
        }
        containers.append(fake_container(i + 1, env, labels, ports=rnd.choice([[], ["81/tcp"], ["81/tcp", "82/tcp"]])))
    nginx = Nginx(tmp_path)
    env = proxy_env(nginx, 18080, 18443, DEFAULT_HOST=rnd.choice(["ok.test", "m.test", "nope.test"]))
    out = render_fake(containers, env)
    nginx.rendered.write_text(out)
    nginx.check()
    # the test is only worth something if valid containers remain: some are served
    assert out.count("# left out container ") < len(containers) - 5
    assert len(re.findall(r"^    server_name ", out, re.M)) >= 3
