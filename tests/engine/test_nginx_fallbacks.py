"""templates/nginx.tmpl serves everything that can be served, through a real nginx.

An invalid value of an optional per-container setting is ignored (``# ignored <setting> on
container <name>: <reason>``) and the setting behaves as if unset: the proxy's value from the
generator's environment, or the default.  A bad host or path drops only that host or path; a
container is left out (``# left out``) only when nothing of it can be served.

No Docker engine: synthetic containers (``fake_container``) whose address is 127.0.0.1 and whose
port is a small HTTP server in this process are rendered in-process, and one nginx for the module
loads the result.  Requests through nginx prove each fallback (status codes, Location,
Strict-Transport-Security, Server, what the backend received).
"""

from __future__ import annotations

import http.client
import http.server
import re
import socket
import ssl
import threading

import pytest

from nginx_support import (
    PROXY_LABEL,
    CertificateAuthority,
    Nginx,
    fake_container,
    free_port,
    proxy_env,
    render_fake,
    request,
    status,
)

MARK = "INJECTED"
# The proxy's own settings, chosen to differ from the built-in defaults: an ignored container
# value must fall back to these, not to the template's defaults.
PROXY_HSTS = "max-age=600"
PROXY_NON_GET = "308"

# key -> (env, labels, the settings whose "# ignored" comment must name this container)
CONTAINERS = {
    "hsts": ({"VIRTUAL_HOST": "hsts.fb.test", "HSTS": f"max-age=1\nadd_header X {MARK}"}, {}, ["HSTS"]),
    "preload": ({"VIRTUAL_HOST": "preload.fb.test", "HSTS": "max-age=1; preload"}, {}, ["HSTS"]),
    "hstsoff": ({"VIRTUAL_HOST": "hstsoff.fb.test", "HSTS": "off"}, {}, []),
    "method": ({"VIRTUAL_HOST": "method.fb.test", "HTTPS_METHOD": f"nohttps;return 418 {MARK}"}, {}, ["HTTPS_METHOD"]),
    "policy": ({"VIRTUAL_HOST": "policy.fb.test", "SSL_POLICY": f"Mozilla-Modern {MARK}"}, {}, ["SSL_POLICY"]),
    "modern": ({"VIRTUAL_HOST": "modern.fb.test", "SSL_POLICY": "Mozilla-Modern"}, {}, []),
    "tokens": ({"VIRTUAL_HOST": "tokens.fb.test", "SERVER_TOKENS": f"off; return 418 {MARK}"}, {}, ["SERVER_TOKENS"]),
    "cert": ({"VIRTUAL_HOST": "cert.fb.test", "CERT_NAME": f"../../{MARK}"}, {}, ["CERT_NAME"]),
    "acme": ({"VIRTUAL_HOST": "acme.fb.test", "ACME_HTTP_CHALLENGE_LOCATION": "maybe"}, {}, ["ACME_HTTP_CHALLENGE_LOCATION"]),
    "ports": ({"VIRTUAL_HOST": "ports.fb.test", "EXTERNAL_HTTP_PORT": "99999", "EXTERNAL_HTTPS_PORT": f"1;{MARK}"}, {},
              ["EXTERNAL_HTTP_PORT", "EXTERNAL_HTTPS_PORT"]),
    "access": ({"VIRTUAL_HOST": "access.fb.test", "NETWORK_ACCESS": "intenral"}, {}, ["NETWORK_ACCESS"]),
    "root": ({"VIRTUAL_HOST": "root.fb.test", "VIRTUAL_PROTO": "fastcgi", "VIRTUAL_ROOT": f"srv {MARK}"}, {}, ["VIRTUAL_ROOT"]),
    # no certificate of its own, and the default one not trusted: HTTP must keep working
    "missing": ({"VIRTUAL_HOST": "missing.other.test", "ENABLE_HTTP_ON_MISSING_CERT": "yes"},
                {"trust-default-cert": "false"}, ["ENABLE_HTTP_ON_MISSING_CERT"]),
    "trust": ({"VIRTUAL_HOST": "trust.other.test"}, {"trust-default-cert": "yes"}, ["label " + PROXY_LABEL + "trust-default-cert"]),
    "lb": ({"VIRTUAL_HOST": "lb.fb.test"}, {"loadbalance": f"least_conn; return 418 {MARK}"}, ["label " + PROXY_LABEL + "loadbalance"]),
    "keepalive": ({"VIRTUAL_HOST": "keepalive.fb.test"}, {"keepalive": "-1"}, ["label " + PROXY_LABEL + "keepalive"]),
    "nonget": ({"VIRTUAL_HOST": "nonget.fb.test"}, {"non-get-redirect": f"200 {MARK}"}, ["label " + PROXY_LABEL + "non-get-redirect"]),
    "h2": ({"VIRTUAL_HOST": "h2.fb.test"}, {"http2.enable": "maybe", "http3.enable": "true"},
           ["label " + PROXY_LABEL + "http2.enable", "label " + PROXY_LABEL + "http3.enable"]),
    "everything": ({"VIRTUAL_HOST": "all.fb.test", "HSTS": MARK, "HTTPS_METHOD": MARK, "SSL_POLICY": MARK, "SERVER_TOKENS": MARK,
                    "CERT_NAME": "/" + MARK, "ACME_HTTP_CHALLENGE_LOCATION": MARK, "ENABLE_HTTP_ON_MISSING_CERT": MARK},
                   {"loadbalance": MARK, "keepalive": MARK, "non-get-redirect": MARK, "trust-default-cert": MARK}, ["HSTS"]),
    "hosts": ({"VIRTUAL_HOST": f"bad.fb.test;return 418 {MARK},list.fb.test,{MARK}{{}}"}, {},
              ["VIRTUAL_HOST host #1", "VIRTUAL_HOST host #3"]),
    "mp": ({"VIRTUAL_HOST_MULTIPORTS": (
        "mp-good.fb.test:\n  /:\n    dest: /app/\n"
        f"mp-badport.fb.test:\n  /:\n    port: '80;return 418 {MARK}'\n"
        "mp-list.fb.test: [1, 2]\n"
        "mp-paths.fb.test:\n  /app/: {}\n  /nope/: 3\n  /inj/:\n    proto: 'http;" + MARK + "'\n  /dest/:\n    dest: [1]\n"
        "  external_https_port: 70000\n")}, {},
        ["VIRTUAL_HOST_MULTIPORTS host #2 path #1", "VIRTUAL_HOST_MULTIPORTS host #3", "VIRTUAL_HOST_MULTIPORTS host #4 path #2",
         "VIRTUAL_HOST_MULTIPORTS host #4 path #3", "VIRTUAL_HOST_MULTIPORTS host #4 path #4",
         "VIRTUAL_HOST_MULTIPORTS host #4 external_https_port"]),
}
# key -> (env, the start of the "# left out container <name>: " reason): nothing to serve
LEFT_OUT = {
    "badyaml": ({"VIRTUAL_HOST_MULTIPORTS": f"{{bad: [{MARK}"}, "VIRTUAL_HOST_MULTIPORTS is not valid YAML"),
    "notamap": ({"VIRTUAL_HOST_MULTIPORTS": f"- {MARK}\n- x"}, "VIRTUAL_HOST_MULTIPORTS is not a YAML or JSON map"),
    # yaml.v3 rejects duplicate keys: the whole document is invalid, its good host too
    "dupkeys": ({"VIRTUAL_HOST_MULTIPORTS": "dup.fb.test: {}\ndup-other.fb.test: {}\ndup.fb.test:\n  /x/: {}\n"},
                "VIRTUAL_HOST_MULTIPORTS is not valid YAML"),
    "allbad": ({"VIRTUAL_HOST_MULTIPORTS": '{"allbad.fb.test": {"/": {"port": "x"}}}'}, "VIRTUAL_HOST_MULTIPORTS host #1 path #1 port"),
    "port": ({"VIRTUAL_HOST": "port.fb.test", "VIRTUAL_PORT": f"80;{MARK}"}, "VIRTUAL_PORT is not a port number"),
    "onlybadhosts": ({"VIRTUAL_HOST": f"a;{MARK},b{{}}"}, "VIRTUAL_HOST host #1 is not a host name"),
}


class _Backend(http.server.BaseHTTPRequestHandler):
    """Answers every request with 200 and ``key=value`` lines: the method, URI and each header."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        lines = ["backend=local", f"method={self.command}", f"uri={self.path}"]
        lines += [f"HTTP_{k.upper().replace('-', '_')}={v}" for k, v in self.headers.items()]
        body = ("\n".join(lines) + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, *args) -> None:  # quiet
        pass


@pytest.fixture(scope="module")
def px(tmp_path_factory):
    root = tmp_path_factory.mktemp("nginx-fallbacks")
    backend = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Backend)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    nginx = Nginx(root / "nginx")
    try:
        env = proxy_env(nginx, free_port(), free_port(), HSTS=PROXY_HSTS, NON_GET_REDIRECT=PROXY_NON_GET)
        ca = CertificateAuthority(root / "ca")
        certs = nginx.root / "certs"
        ca.issue(certs, "fb.test", "*.fb.test")
        ca.issue(certs, "default", "trust.other.test")
        acme = nginx.root / "html" / ".well-known" / "acme-challenge"
        acme.mkdir(parents=True)
        (acme / "token").write_text("acme-token\n")
        port = str(backend.server_address[1])
        containers, names = [], {}
        specs = [(k, env_, labels) for k, (env_, labels, _) in CONTAINERS.items()] + [(k, e, {}) for k, (e, _) in LEFT_OUT.items()]
        for i, (key, cenv, labels) in enumerate(specs, start=1):
            env_c = {"VIRTUAL_PORT": port, **cenv}
            names[key] = f"fb-{key}"
            containers.append(fake_container(i, env_c, {PROXY_LABEL + k: v for k, v in labels.items()},
                                             name=names[key], networks={"bridge": "127.0.0.1"}))
        # a container name that is not a Docker name shows as its ID in comments
        containers.append(fake_container(len(specs) + 1, {"VIRTUAL_HOST": "name.fb.test", "VIRTUAL_PORT": port, "HSTS": MARK},
                                         name=f"x\n# {MARK}", networks={"bridge": "127.0.0.1"}))
        out = render_fake(containers, env)
        nginx.apply(out)
        yield {"nginx": nginx, "env": env, "out": out, "ca": ca.cert, "names": names,
               "http": int(env["HTTP_PORT"]), "https": int(env["HTTPS_PORT"])}
    finally:
        nginx.stop()
        backend.shutdown()
        backend.server_close()


def get(px, host: str, path: str = "/", **kw):
    """A request over HTTPS (certificate checked against the test CA) or, with tls=False, HTTP."""
    tls = kw.pop("tls", True)
    return request(px["https"] if tls else px["http"], host, path, tls=tls, ca=px["ca"] if tls else None, **kw)


def server_block(out: str, host: str) -> list[str]:
    """The text of the server {} blocks for ``host`` that proxy (not the HTTP->HTTPS redirect)."""
    return [b for b in re.findall(r"^server \{\n.*?^\}", out, re.M | re.S)
            if f"    server_name {host};" in b and "return 301 " not in b]


def test_nothing_injected_and_each_ignored_value_named(px):
    out = px["out"]
    assert MARK not in out and MARK.lower() not in out and "return 418" not in out
    ignored = [line for line in out.splitlines() if line.startswith("# ignored ")]
    for key, (_, _, settings) in CONTAINERS.items():
        for setting in settings:
            assert any(line.startswith(f"# ignored {setting} on container {px['names'][key]}: ") for line in ignored), (key, setting)
    assert not any(f"container {px['names'][k]}:" in line for k in ("hstsoff", "modern") for line in ignored)
    # a name that is not a Docker name is replaced by the ID: one line, nothing from the name
    assert any(re.match(r"# ignored HSTS on container f{12}: ", line) for line in ignored), ignored
    left_out = [line for line in out.splitlines() if line.startswith("# left out ")]
    for key, (_, reason) in LEFT_OUT.items():
        assert any(line.startswith(f"# left out container {px['names'][key]}: {reason}") for line in left_out), (key, left_out)
    assert len(left_out) == len(LEFT_OUT), left_out


def test_hsts_falls_back_to_the_proxy_value(px):
    for host in ("hsts.fb.test", "preload.fb.test", "all.fb.test", "name.fb.test"):
        r = get(px, host)
        assert r.status == 200 and r.backend == "local", host
        assert r.headers.get("strict-transport-security") == PROXY_HSTS, (host, r.headers)
        assert [k for k, _ in r.header_list].count("Strict-Transport-Security") == 1
    # a valid "off" still turns it off
    assert "strict-transport-security" not in get(px, "hstsoff.fb.test").headers


def test_https_method_falls_back_to_redirect(px):
    for host in ("method.fb.test", "all.fb.test"):
        r = get(px, host, "/a?b=1", tls=False)
        assert r.status == 301 and r.headers["location"] == f"https://{host}:{px['https']}/a?b=1", (host, r.status)
        assert get(px, host).status == 200


def tls12_status(px, host: str) -> int | str:
    """The status of a GET over TLS 1.2 at most, or the exception's name."""
    ctx = ssl.create_default_context(cafile=str(px["ca"]))
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    try:
        sock = ctx.wrap_socket(socket.create_connection(("127.0.0.1", px["https"]), timeout=10), server_hostname=host)
    except (OSError, ssl.SSLError) as exc:
        return type(exc).__name__
    conn = http.client.HTTPConnection("127.0.0.1", px["https"], timeout=10)
    conn.sock = sock
    try:
        conn.request("GET", "/", headers={"Host": host})
        return conn.getresponse().status
    finally:
        conn.close()


def test_ssl_policy_falls_back_to_intermediate(px):
    # Mozilla-Intermediate takes TLS 1.2.  (nginx settles the protocol version with the port's
    # default server, before SNI picks the host, so a host's TLS 1.3-only policy is not visible
    # on the wire: the valid Mozilla-Modern is checked in the config.)
    for host in ("policy.fb.test", "all.fb.test"):
        assert tls12_status(px, host) == 200
        (block,) = server_block(px["out"], host)
        assert "ssl_protocols TLSv1.2 TLSv1.3;" in block and "ssl_prefer_server_ciphers off;" in block
    (block,) = server_block(px["out"], "modern.fb.test")
    assert "ssl_protocols TLSv1.3;" in block


def test_server_tokens_falls_back_to_nginx_default(px):
    for host in ("tokens.fb.test", "all.fb.test"):
        r = get(px, host)
        assert r.status == 200 and re.fullmatch(r"nginx/\d+\.\d+\.\d+", r.headers["server"]), r.headers
        assert not any("server_tokens" in b for b in server_block(px["out"], host))


def test_cert_name_falls_back_to_the_automatic_choice(px):
    # the parent-domain certificate fb.test.crt, checked against the CA and the name
    for host in ("cert.fb.test", "all.fb.test"):
        assert get(px, host).status == 200


def test_acme_location_falls_back_to_true(px):
    for host in ("acme.fb.test", "all.fb.test"):
        r = get(px, host, "/.well-known/acme-challenge/token", tls=False)
        assert (r.status, r.body) == (200, "acme-token\n"), host


def test_external_ports_fall_back_to_the_proxy_ports(px):
    r = get(px, "ports.fb.test", "/", tls=False)
    assert r.status == 301 and r.headers["location"] == f"https://ports.fb.test:{px['https']}/"
    assert get(px, "ports.fb.test").status == 200


def test_network_access_falls_back_to_internal(px):
    # the restrictive choice: loopback (this client) passes, everything else is denied
    r = get(px, "access.fb.test")
    assert r.status == 200 and r.backend == "local"
    (block,) = server_block(px["out"], "access.fb.test")
    assert "allow 127.0.0.0/8;" in block and "deny all;" in block


def test_virtual_root_falls_back_to_the_default(px):
    # (no request: a FastCGI location in front of an HTTP backend only times out)
    (block,) = server_block(px["out"], "root.fb.test")
    assert "        root /var/www/public;\n" in block and "fastcgi_pass root.fb.test;" in block


def test_missing_cert_and_trust_default_cert(px):
    # ENABLE_HTTP_ON_MISSING_CERT=yes is ignored: the default (true) keeps HTTP working
    r = get(px, "missing.other.test", tls=False)
    assert r.status == 200 and r.backend == "local"
    assert status(px["https"], "missing.other.test", tls=True) == "SSLError"  # handshake refused
    # trust-default-cert=yes is ignored: TRUST_DEFAULT_CERT (true) gives it default.crt
    assert get(px, "trust.other.test").status == 200
    assert get(px, "trust.other.test", tls=False).status == 301


def test_labels_fall_back(px):
    out = px["out"]
    ups = dict(re.findall(r"^upstream (\S+) \{\n(.*?)^\}", out, re.M | re.S))
    for host in ("lb.fb.test", "keepalive.fb.test", "all.fb.test"):
        assert "least_conn" not in ups[host] and "keepalive 2;" in ups[host], ups[host]
    # keepalive auto: no "Connection: close" upstream
    for host in ("keepalive.fb.test", "lb.fb.test"):
        echo = get(px, host).echo
        assert echo["backend"] == "local" and "HTTP_CONNECTION" not in echo, echo
    # non-get-redirect falls back to the proxy's NON_GET_REDIRECT
    for host in ("nonget.fb.test", "all.fb.test"):
        assert get(px, host, "/", method="POST", body=b"x", tls=False).status == int(PROXY_NON_GET)
        assert get(px, host, "/", tls=False).status == 301
    assert get(px, "h2.fb.test").status == 200


def test_bad_hosts_and_paths_drop_only_themselves(px):
    assert get(px, "list.fb.test").status == 200
    assert get(px, "mp-good.fb.test", "/x").echo["uri"] == "/app/x"
    assert get(px, "mp-paths.fb.test", "/app/").status == 200
    # the dropped ones: unknown hosts (503 from the fallback server), or the host's DEFAULT_ROOT
    # for a dropped path (404)
    assert get(px, "mp-badport.fb.test", tls=False).status == 503
    assert get(px, "mp-list.fb.test", tls=False).status == 503
    for path in ("/nope/", "/inj/", "/dest/"):
        assert get(px, "mp-paths.fb.test", path).status == 404, path
    # left out entirely: a duplicate key rejects the document with its good hosts
    for host in ("dup.fb.test", "dup-other.fb.test", "allbad.fb.test", "port.fb.test"):
        assert get(px, host, tls=False).status == 503, host
