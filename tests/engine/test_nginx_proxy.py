"""templates/nginx.tmpl through a real nginx: nginx-proxy's Tier A and Tier B features.

One set of busybox httpd backends is started for the module (in parallel), the template is
rendered in-process for them, and two real nginx instances load the result: ``main`` with the
default proxy settings plus certificates, vhost.d snippets, htpasswd files and an html dir, and
``alt`` with DEFAULT_HOST, TRUST_DOWNSTREAM_PROXY=false, DEFAULT_ROOT=418 and a default
certificate.  Each test sends requests with the right Host header (and SNI for HTTPS, checked
against a throw-away CA) and asserts the status, which backend answered and the headers.
Every rendered file passes ``nginx -t`` before nginx loads it.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import ssl
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from nginx_support import (
    CASE_LABEL,
    PROXY_LABEL,
    CertificateAuthority,
    Nginx,
    backends_seen,
    free_port,
    htpasswd_line,
    proxy_env,
    render_nginx,
    request,
    start_backends,
)

pytestmark = pytest.mark.engine


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


SPECS = {
    # A1: names, lists, wildcards, regexes
    "a": {"env": {"VIRTUAL_HOST": "a.test"}},
    "list": {"env": {"VIRTUAL_HOST": " l1.test, L2.test ,, "}},
    "wild": {"env": {"VIRTUAL_HOST": "*.wild.test"}},
    "trail": {"env": {"VIRTUAL_HOST": "trail.*"}},
    "regex": {"env": {"VIRTUAL_HOST": r"~^re[0-9]+\.test$"}},
    "brace": {"env": {"VIRTUAL_HOST": r"~^[a-z]{3}\.brace\.test$"}},
    "empty": {"env": {"VIRTUAL_HOST": " , "}},
    # A2: ports
    "expose": {"env": {"VIRTUAL_HOST": "expose.test", "PORTS": "8080"}, "expose": [8080]},
    "vport": {"env": {"VIRTUAL_HOST": "vport.test", "VIRTUAL_PORT": "8081", "PORTS": "8081"}, "expose": [81, 8081]},
    "tcpudp": {"env": {"VIRTUAL_HOST": "tcpudp.test"}, "expose": [8080, (8080, "udp")]},
    "badport": {"env": {"VIRTUAL_HOST": "badport.test", "VIRTUAL_PORT": "9"}},
    # A3/B7: load balancing, keepalive
    "lb1": {"env": {"VIRTUAL_HOST": "lb.test"}},
    "lb2": {"env": {"VIRTUAL_HOST": "lb.test"}},
    "lb3": {"env": {"VIRTUAL_HOST": "lb.test"}},
    "hash1": {"env": {"VIRTUAL_HOST": "hash.test"}, "labels": {PROXY_LABEL + "loadbalance": "hash $arg_k;"}},
    "hash2": {"env": {"VIRTUAL_HOST": "hash.test"}},
    "kaoff": {"env": {"VIRTUAL_HOST": "kaoff.test"}, "labels": {PROXY_LABEL + "keepalive": "disabled"}},
    "ka5": {"env": {"VIRTUAL_HOST": "ka5.test"}, "labels": {PROXY_LABEL + "keepalive": "5"}},
    # A4: no address
    "nonet": {"env": {"VIRTUAL_HOST": "nonet.test"}, "network_mode": "none"},
    # A8/A9: HTTPS
    "secure": {"env": {"VIRTUAL_HOST": "secure.test"}},
    "s307": {"env": {"VIRTUAL_HOST": "s307.test"}, "labels": {PROXY_LABEL + "non-get-redirect": "307"}},
    "parent": {"env": {"VIRTUAL_HOST": "app.parent.test"}},
    "deep": {"env": {"VIRTUAL_HOST": "a.b.parent.test"}},
    "custom": {"env": {"VIRTUAL_HOST": "custom.test", "CERT_NAME": "mycert"}},
    "noredir": {"env": {"VIRTUAL_HOST": "noredir.test", "HTTPS_METHOD": "noredirect"}},
    "nohttp": {"env": {"VIRTUAL_HOST": "nohttp.test", "HTTPS_METHOD": "nohttp"}},
    "nohttps": {"env": {"VIRTUAL_HOST": "nohttps.test", "HTTPS_METHOD": "nohttps"}},
    "hstsoff": {"env": {"VIRTUAL_HOST": "hstsoff.test", "HSTS": "off"}},
    "hsts2": {"env": {"VIRTUAL_HOST": "hsts2.test", "HSTS": "max-age=60; includeSubDomains"}},
    "nocert": {"env": {"VIRTUAL_HOST": "nocert.test"}},
    "strict": {"env": {"VIRTUAL_HOST": "strict.test", "ENABLE_HTTP_ON_MISSING_CERT": "false"}},
    # B1/B2: paths and protocols
    "papp": {"env": {"VIRTUAL_HOST": "paths.test", "VIRTUAL_PATH": "/app/", "VIRTUAL_DEST": "/"}},
    "pcgi": {"env": {"VIRTUAL_HOST": "paths.test", "VIRTUAL_PATH": "~ ^/cgi-bin/"}},
    "keep": {"env": {"VIRTUAL_HOST": "keep.test", "VIRTUAL_PATH": "/app/"}},
    "phttps": {"env": {"VIRTUAL_HOST": "phttps.test", "VIRTUAL_PROTO": "https"}},
    "puwsgi": {"env": {"VIRTUAL_HOST": "puwsgi.test", "VIRTUAL_PROTO": "uwsgi"}},
    "pfcgi": {"env": {"VIRTUAL_HOST": "pfcgi.test", "VIRTUAL_PROTO": "fastcgi", "VIRTUAL_ROOT": "/srv"}},
    "pgrpc": {"env": {"VIRTUAL_HOST": "pgrpc.test", "VIRTUAL_PROTO": "grpc"}},
    # B3/B4: htpasswd, vhost.d
    "snip": {"env": {"VIRTUAL_HOST": "snip.test"}},
    "snip2": {"env": {"VIRTUAL_HOST": "snip2.test"}},
    "ovr": {"env": {"VIRTUAL_HOST": "ovr.test", "VIRTUAL_PATH": "/app/"}},
    "auth": {"env": {"VIRTUAL_HOST": "auth.test"}},
    "authp": {"env": {"VIRTUAL_HOST": "authp.test", "VIRTUAL_PATH": "/app/"}},
    # B8/B9
    "tokens": {"env": {"VIRTUAL_HOST": "tokens.test", "SERVER_TOKENS": "off"}},
    "internal": {"env": {"VIRTUAL_HOST": "internal.test", "NETWORK_ACCESS": "internal"}},
    # Tier C's VIRTUAL_HOST_MULTIPORTS (asked for by the issue)
    "mp": {"env": {"PORTS": "80 8080", "VIRTUAL_HOST_MULTIPORTS":
                   "mp.test:\n  /:\n    port: 80\n  /alt/:\n    port: 8080\n    dest: /\n"}},
    "mpboth": {"env": {"VIRTUAL_HOST": "ignored.test", "VIRTUAL_HOST_MULTIPORTS": '{"mpjson.test": {}}'}},
}

# certificate file name -> DNS names
CERTS = {
    "secure.test": ["secure.test"],
    "s307.test": ["s307.test"],
    "parent.test": ["parent.test", "*.parent.test"],
    "mycert": ["custom.test"],
    "noredir.test": ["noredir.test"],
    "nohttp.test": ["nohttp.test"],
    "nohttps.test": ["nohttps.test"],
    "hstsoff.test": ["hstsoff.test"],
    "hsts2.test": ["hsts2.test"],
}


@dataclass
class Proxy:
    nginx: Nginx
    http: int
    https: int
    ca: Path
    out: str
    names: dict[str, str]  # spec key -> container name

    def get(self, host: str, path: str = "/cgi-bin/x", **kw):
        return request(self.http, host, path, **kw)

    def get_tls(self, host: str, path: str = "/cgi-bin/x", **kw):
        return request(self.https, host, path, tls=True, ca=self.ca, **kw)


@pytest.fixture(scope="module")
def setup(engine, test_image, docker_api, tmp_path_factory):
    scope = engine.scope()
    case = uuid.uuid4().hex[:12]
    root = tmp_path_factory.mktemp("nginx-proxy")
    main, alt = Nginx(root / "main"), Nginx(root / "alt")
    try:
        ca = CertificateAuthority(root / "ca")
        ports = [free_port() for _ in range(4)]
        env_main = proxy_env(main, ports[0], ports[1])
        env_alt = proxy_env(
            alt, ports[2], ports[3], DEFAULT_HOST="a.test", TRUST_DOWNSTREAM_PROXY="false", DEFAULT_ROOT="418"
        )
        for name, dns in CERTS.items():
            ca.issue(Path(env_main["NGINX_CERTS_DIR"]), name, *dns)
        ca.issue(Path(env_alt["NGINX_CERTS_DIR"]), "default", "default.test")
        vhost = Path(env_main["NGINX_VHOST_DIR"])
        (vhost / "snip.test").write_text("add_header X-Snippet server;\n")
        (vhost / "snip2.test").write_text("add_header X-Snippet server2;\n")
        (vhost / "snip.test_location").write_text("add_header X-Location-Snippet loc;\n")
        (vhost / f"ovr.test_{sha1('/app/')}_location_override").write_text("location /app/ { return 418; }\n")
        htpasswd = Path(env_main["NGINX_HTPASSWD_DIR"])
        (htpasswd / "auth.test").write_text(htpasswd_line("alice", "secret"))
        (htpasswd / f"authp.test_{sha1('/app/')}").write_text(htpasswd_line("bob", "pw"))
        html = Path(env_main["NGINX_HTML_DIR"])
        (html / ".well-known" / "acme-challenge").mkdir(parents=True)
        (html / ".well-known" / "acme-challenge" / "tok").write_text("acme-token\n")
        (html / "errors").mkdir()
        (html / "errors" / "50x.html").write_text("custom 50x page\n")
        for name in ("uwsgi_params", "fastcgi.conf"):
            if Path("/etc/nginx", name).exists():
                shutil.copy(Path("/etc/nginx", name), Path(env_main["NGINX_CONF_DIR"]) / name)

        prefix = engine.unique_name("dgt-ngx")
        containers = start_backends(scope, SPECS, case, prefix)
        filters = [engine.label_filter, f"{CASE_LABEL}={case}"]
        out_main = render_nginx(docker_api, filters, env_main)
        main.apply(out_main)
        out_alt = render_nginx(docker_api, filters, env_alt)
        alt.apply(out_alt)
        names = {key: c.name for key, c in containers.items()}
        yield {
            "main": Proxy(main, ports[0], ports[1], ca.cert, out_main, names),
            "alt": Proxy(alt, ports[2], ports[3], ca.cert, out_alt, names),
            "containers": containers,
        }
    finally:
        main.stop()
        alt.stop()
        scope.cleanup()


@pytest.fixture(scope="module")
def px(setup) -> Proxy:
    return setup["main"]


@pytest.fixture(scope="module")
def alt(setup) -> Proxy:
    return setup["alt"]


# ----------------------------------------------------------------------------- A1 routing


def test_exact_host_is_proxied_to_its_container(px):
    r = px.get("a.test")
    assert r.status == 200
    assert r.backend == px.names["a"]
    assert r.echo["uri"] == "/cgi-bin/x"
    # Host sent upstream carries the port when it is not 80/443
    assert r.echo["HTTP_HOST"] == f"a.test:{px.http}"
    # server names are case-insensitive
    assert px.get("A.TEST").backend == px.names["a"]


def test_host_lists_are_split_trimmed_and_empty_pieces_skipped(px):
    assert px.get("l1.test").backend == px.names["list"]
    assert px.get("l2.test").backend == px.names["list"]
    assert "server_name ;" not in px.out
    assert not re.search(r"^\s*server_name\s*;", px.out, re.M)


def test_wildcards(px):
    assert px.get("x.wild.test").backend == px.names["wild"]
    assert px.get("a.b.wild.test").backend == px.names["wild"]
    assert px.get("wild.test").status == 503
    assert px.get("trail.example").backend == px.names["trail"]


def test_regex_hosts_including_braces(px):
    assert px.get("re12.test").backend == px.names["regex"]
    assert px.get("rex.test").status == 503
    assert px.get("abc.brace.test").backend == px.names["brace"]
    assert px.get("abcd.brace.test").status == 503
    # a regex with {} must be quoted; upstreams of regex hosts are named by sha1
    assert r'server_name "~^[a-z]{3}\.brace\.test$";' in px.out
    assert "upstream %s {" % sha1(SPECS["brace"]["env"]["VIRTUAL_HOST"]) in px.out


def test_unknown_host_gets_503_from_the_fallback_server(px):
    r = px.get("nobody.test", "/")
    assert r.status == 503
    assert r.headers["server"] == "nginx"  # server_tokens off: no version
    assert r.body == "custom 50x page\n"  # html/errors/50x.html
    # the fallback comes first and does not claim default_server
    first = px.out.index("server {")
    assert "server_name _;" in px.out[first:first + 60]
    assert "default_server" not in px.out


def test_unknown_host_over_https_is_refused_without_a_default_certificate(px):
    with pytest.raises(ssl.SSLError, match="UNRECOGNIZED_NAME|unrecognized name"):
        px.get_tls("nobody.test")


# ----------------------------------------------------------------------------- A2 ports


def test_port_selection(px):
    assert px.get("expose.test").backend == px.names["expose"]  # the only exposed port, 8080
    assert px.get("vport.test").echo["port"] == "8081"  # VIRTUAL_PORT among several
    assert px.get("tcpudp.test").echo["port"] == "80"  # 8080/tcp + 8080/udp: two entries -> 80
    assert px.get("badport.test").status == 502  # nothing listens on VIRTUAL_PORT=9


# ----------------------------------------------------------------------------- A3 upstreams


def test_containers_of_one_host_share_a_round_robin_upstream(px):
    seen = backends_seen(px.http, "lb.test", 9)
    assert set(seen) == {px.names["lb1"], px.names["lb2"], px.names["lb3"]}


def test_loadbalance_label(px):
    assert re.search(r"upstream hash\.test \{\n\s*# hash\.test /\n\s*hash \$arg_k;", px.out)
    for key in ("1", "2", "abc"):
        assert len(set(backends_seen(px.http, "hash.test", 4, f"/cgi-bin/x?k={key}"))) == 1


def test_container_without_address_gives_502_not_a_broken_config(px):
    assert px.get("nonet.test").status == 502
    body = re.search(r"upstream nonet\.test \{(.*?)\}", px.out, re.S).group(1)
    assert "server 127.0.0.1 down;" in body
    assert f"# {px.names['nonet']}: not reachable (no IP address)" in body


# ----------------------------------------------------------------------------- A7 headers, websocket


def test_forwarded_headers_without_a_downstream_proxy(px):
    e = px.get("a.test", "/cgi-bin/x?q=1", headers={"Proxy": "http://evil:1"}).echo
    assert e["HTTP_X_FORWARDED_PROTO"] == "http"
    assert e["HTTP_X_FORWARDED_HOST"] == "a.test"
    assert e["HTTP_X_FORWARDED_PORT"] == str(px.http)
    assert e["HTTP_X_FORWARDED_SSL"] == "off"
    assert e["HTTP_X_FORWARDED_FOR"] == "127.0.0.1"
    assert e["HTTP_X_REAL_IP"] == "127.0.0.1"
    assert e["HTTP_X_ORIGINAL_URI"] == "/cgi-bin/x?q=1"
    assert "HTTP_PROXY" not in e  # httpoxy
    assert "HTTP_CONNECTION" not in e  # keepalive to the upstream: no Connection header


def test_downstream_forwarded_headers_are_trusted_by_default(px):
    e = px.get("a.test", headers={
        "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9",
        "X-Forwarded-Host": "public.example", "X-Forwarded-Port": "8443", "X-Forwarded-Ssl": "bogus",
    }).echo
    assert e["HTTP_X_FORWARDED_PROTO"] == "https"
    assert e["HTTP_X_FORWARDED_SSL"] == "on"
    assert e["HTTP_X_FORWARDED_FOR"] == "203.0.113.9, 127.0.0.1"
    assert e["HTTP_X_FORWARDED_HOST"] == "public.example"
    assert e["HTTP_X_FORWARDED_PORT"] == "8443"


def test_untrusted_downstream_headers_are_replaced(alt):
    # (in `alt` every host has the trusted default certificate, so HTTPS it is)
    e = request(alt.https, "a.test", "/cgi-bin/x", tls=True, headers={
        "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9",
        "X-Forwarded-Host": "public.example", "X-Forwarded-Port": "8443",
    }).echo
    assert e["HTTP_X_FORWARDED_PROTO"] == "https"
    assert e["HTTP_X_FORWARDED_SSL"] == "on"
    assert e["HTTP_X_FORWARDED_FOR"] == "127.0.0.1"
    assert e["HTTP_X_FORWARDED_HOST"] == "a.test"
    assert e["HTTP_X_FORWARDED_PORT"] == str(alt.https)


def test_websocket_upgrade_is_passed_on(px):
    e = px.get("a.test", headers={"Upgrade": "websocket", "Connection": "Upgrade"}).echo
    assert e["HTTP_UPGRADE"] == "websocket"
    assert e["HTTP_CONNECTION"] == "upgrade"


def test_keepalive_labels(px):
    assert px.get("kaoff.test").echo["HTTP_CONNECTION"] == "close"
    assert px.get("kaoff.test", headers={"Upgrade": "websocket", "Connection": "Upgrade"}).echo["HTTP_CONNECTION"] == "upgrade"
    assert re.search(r"upstream ka5\.test \{[^}]*keepalive 5;", px.out)
    assert re.search(r"upstream a\.test \{[^}]*keepalive 2;", px.out)  # auto: 2 per server
    assert not re.search(r"upstream kaoff\.test \{[^}]*keepalive", px.out)


# ----------------------------------------------------------------------------- A5/A6 default host


def test_default_host_serves_unknown_hosts(alt):
    # a.test has the (trusted) default certificate: HTTP redirects, HTTPS is served
    r = alt.get("nobody.test", "/cgi-bin/x")
    assert r.status == 301
    assert r.headers["location"] == f"https://nobody.test:{alt.https}/cgi-bin/x"
    r = request(alt.https, "nobody.test", "/cgi-bin/x", tls=True)  # the default cert is for default.test
    assert r.backend == alt.names["a"]
    assert "listen %d default_server;" % alt.http in alt.out
    assert "listen %d ssl http2 default_server;" % alt.https in alt.out


def test_default_root(px, alt):
    assert px.get("paths.test", "/").status == 404  # DEFAULT_ROOT default
    assert request(alt.https, "paths.test", "/", tls=True).status == 418


# ----------------------------------------------------------------------------- A8/A9 HTTPS


def test_redirect_to_https_and_hsts(px):
    r = px.get("secure.test", "/cgi-bin/x?a=1")
    assert r.status == 301
    assert r.headers["location"] == f"https://secure.test:{px.https}/cgi-bin/x?a=1"
    assert px.get("secure.test", method="POST", body=b"x").status == 301  # NON_GET_REDIRECT default
    r = px.get_tls("secure.test")
    assert r.backend == px.names["secure"]
    assert r.headers["strict-transport-security"] == "max-age=31536000"
    assert r.echo["HTTP_X_FORWARDED_PROTO"] == "https"
    assert r.echo["HTTP_X_FORWARDED_SSL"] == "on"
    # HSTS with `always`: on error responses too
    r = px.get_tls("secure.test", "/missing")
    assert r.status == 404
    assert r.headers["strict-transport-security"] == "max-age=31536000"


def test_non_get_redirect_label(px):
    r = px.get("s307.test", "/cgi-bin/x", method="POST", body=b"x")
    assert r.status == 307
    assert px.get("s307.test", "/cgi-bin/x").status == 301
    assert px.get_tls("s307.test", method="POST", body=b"x").echo["method"] == "POST"


def test_certificate_choice(px):
    # parent domain certificate for a three-label name; CERT_NAME; never two levels up
    assert px.get_tls("app.parent.test").backend == px.names["parent"]
    assert px.get_tls("custom.test").backend == px.names["custom"]
    assert px.get("a.b.parent.test").status == 200  # no certificate: HTTP kept
    with pytest.raises(ssl.SSLError):
        px.get_tls("a.b.parent.test")


def test_https_methods(px):
    assert px.get("noredir.test").status == 200
    r = px.get_tls("noredir.test")
    assert r.status == 200 and "strict-transport-security" not in r.headers
    assert px.get("nohttp.test").status == 503  # falls through to the fallback
    assert px.get_tls("nohttp.test").backend == px.names["nohttp"]
    assert px.get("nohttps.test").backend == px.names["nohttps"]
    with pytest.raises(ssl.SSLError):
        px.get_tls("nohttps.test")


def test_hsts_values(px):
    assert "strict-transport-security" not in px.get_tls("hstsoff.test").headers
    assert px.get_tls("hsts2.test").headers["strict-transport-security"] == "max-age=60; includeSubDomains"


def test_missing_certificate(px):
    assert px.get("nocert.test").backend == px.names["nocert"]  # redirect -> noredirect
    with pytest.raises(ssl.SSLError):
        px.get_tls("nocert.test")
    r = px.get("strict.test")  # ENABLE_HTTP_ON_MISSING_CERT=false: still redirects
    assert r.status == 301


# ----------------------------------------------------------------------------- B1/B2 paths, protocols


def test_virtual_path_and_dest(px):
    r = px.get("paths.test", "/app/")
    assert r.status == 200 and r.body == f"root {px.names['papp']}\n"  # /app/ -> / upstream
    assert px.get("paths.test", "/app").status == 301  # nginx adds the slash
    assert px.get("paths.test", "/cgi-bin/x").backend == px.names["pcgi"]  # regex location
    assert px.get("keep.test", "/app/").body == f"app {px.names['keep']}\n"  # no DEST: path kept
    assert px.get("keep.test", "/").status == 404


def test_virtual_proto(px):
    assert px.get("phttps.test").status == 502  # TLS to a plain-HTTP backend
    assert "proxy_pass https://phttps.test;" in px.out
    assert "uwsgi_pass uwsgi://puwsgi.test;" in px.out
    assert re.search(r"root /srv;\n\s*include \S*fastcgi\.conf\S*;\n\s*fastcgi_pass pfcgi\.test;\n\s*fastcgi_keep_conn on;", px.out)
    assert "grpc_pass grpc://pgrpc.test;" in px.out


def test_multiports(px):
    assert px.get("mp.test").echo["port"] == "80"
    r = px.get("mp.test", "/alt/cgi-bin/x")
    assert r.echo["port"] == "8080" and r.echo["uri"] == "/cgi-bin/x"
    # with VIRTUAL_HOST_MULTIPORTS, VIRTUAL_HOST is ignored
    assert px.get("mpjson.test").backend == px.names["mpboth"]
    assert px.get("ignored.test").status == 503


# ----------------------------------------------------------------------------- B3/B4/B5 files


def test_vhost_snippets_and_location_override(px):
    r = px.get("snip.test")
    assert r.backend == px.names["snip"]
    assert r.headers.get("x-location-snippet") == "loc"
    assert "x-snippet" not in r.headers  # hidden by the location's own add_header (nginx inheritance)
    assert px.get("ovr.test", "/app/").status == 418  # the override replaced the location
    assert "include" in px.out and f"ovr.test_{sha1('/app/')}_location_override" in px.out


def test_server_level_snippet(px):
    r = px.get("snip2.test")
    assert r.backend == px.names["snip2"]
    assert r.headers.get("x-snippet") == "server2"
    assert px.get("snip2.test", "/missing").headers.get("x-snippet") is None  # add_header without `always`
    assert "add_header X-Snippet" not in px.out  # included, not copied


def test_basic_auth(px):
    r = px.get("auth.test")
    assert r.status == 401
    assert r.headers["www-authenticate"] == 'Basic realm="Restricted auth.test"'
    assert px.get("auth.test", auth=("alice", "secret")).backend == px.names["auth"]
    assert px.get("auth.test", auth=("alice", "wrong")).status == 401
    r = px.get("authp.test", "/app/")
    assert r.status == 401
    assert r.headers["www-authenticate"] == 'Basic realm="Restricted authp.test/app/"'
    assert px.get("authp.test", "/app/", auth=("bob", "pw")).status == 200


def test_acme_challenge_location(px):
    # in the redirect server of a host with a certificate, in the main server without one
    for host in ("secure.test", "nocert.test"):
        r = px.get(host, "/.well-known/acme-challenge/tok")
        assert (r.status, r.body) == (200, "acme-token\n"), host
        assert px.get(host, "/.well-known/acme-challenge/none").status == 404
    assert px.get("auth.test", "/.well-known/acme-challenge/tok").status == 200  # no basic auth there
    assert px.get("nobody.test", "/.well-known/acme-challenge/tok").status == 503  # not for unknown hosts


# ----------------------------------------------------------------------------- B8/B9


def test_server_tokens(px):
    assert px.get("tokens.test").headers["server"] == "nginx"
    assert px.get("a.test").headers["server"].startswith("nginx/")


def test_network_access_internal(px):
    assert px.get("internal.test").status == 200  # 127.0.0.1 is internal
    assert re.search(r"server_name internal\.test;.*?allow 127\.0\.0\.0/8;.*?deny all;", px.out, re.S)


def test_every_render_passes_nginx_t(px, alt):
    px.nginx.check()
    alt.nginx.check()
    assert "left out" not in px.out


# ----------------------------------------------------------------------------- shipped examples


def test_example_main_config_loads_the_rendered_file(px, tmp_path):
    """examples/nginx/nginx.conf (paths moved into tmp) accepts the rendered file: nginx -t."""
    text = (Path(__file__).resolve().parents[2] / "examples" / "nginx" / "nginx.conf").read_text()
    assert "include /etc/nginx/dockergen/proxy.conf;" in text
    text = text.replace("/etc/nginx/dockergen/proxy.conf", str(px.nginx.rendered))
    text = text.replace("/etc/nginx/conf.d/*.conf", str(tmp_path / "conf.d" / "*.conf"))
    text = text.replace("/run/nginx.pid", str(tmp_path / "nginx.pid"))
    text = text.replace("/var/log/nginx/", str(tmp_path) + "/")
    conf = tmp_path / "nginx.conf"
    conf.write_text(text)
    import subprocess

    from nginx_support import NGINX

    # the distribution's prefix: modules-enabled/*.conf load modules relative to it
    result = subprocess.run([NGINX, "-t", "-c", str(conf), "-p", "/usr/share/nginx/"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_example_generator_config_is_valid():
    from dockergen.config import load_config_files

    path = Path(__file__).resolve().parents[2] / "examples" / "nginx-proxy.toml"
    (config,) = load_config_files([str(path)])
    assert config.template == "templates/nginx.tmpl"
    assert config.watch and config.notify_cmd == "nginx -s reload"
    assert config.check_cmd == "nginx -t -q" and config.backup
