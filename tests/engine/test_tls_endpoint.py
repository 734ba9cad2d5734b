"""A TLS endpoint with client certificates, end to end.

The engine only listens on its unix socket, so the test puts a small TLS
terminator in front of it (client certificate required) and points
``-endpoint tcp://...`` with ``-tlsverify`` at it.
"""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
import uuid

import pytest

from cli_support import run_cli

pytestmark = pytest.mark.engine


def openssl(*args: str, cwd) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def certificates(tmp_path):
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=test-ca",
            "-keyout", "ca-key.pem", "-out", "ca.pem", cwd=tmp_path)
    for name, cn in (("server", "127.0.0.1"), ("client", "dockergen")):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={cn}", "-keyout", f"{name}-key.pem",
                "-out", f"{name}.csr", cwd=tmp_path)
        (tmp_path / f"{name}.ext").write_text(
            "subjectAltName=IP:127.0.0.1\n" if name == "server" else "extendedKeyUsage=clientAuth\n"
        )
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
                "-days", "1", "-extfile", f"{name}.ext", "-out", f"{name}.pem", cwd=tmp_path)
    return tmp_path


@pytest.fixture
def tls_proxy(certificates):
    """127.0.0.1:PORT speaking TLS (client cert required) → /var/run/docker.sock."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(certificates / "ca.pem"))
    context.load_cert_chain(certificates / "server.pem", certificates / "server-key.pem")
    context.verify_mode = ssl.CERT_REQUIRED
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted: list[str] = []

    def pipe(source, target) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def serve() -> None:
        while True:
            try:
                raw, _ = listener.accept()
            except OSError:
                return
            try:
                client = context.wrap_socket(raw, server_side=True)
            except (ssl.SSLError, OSError) as exc:
                accepted.append(f"refused: {exc}")
                raw.close()
                continue
            accepted.append(client.getpeercert()["subject"][0][0][1])
            engine = socket.socket(socket.AF_UNIX)
            engine.connect("/var/run/docker.sock")
            threading.Thread(target=pipe, args=(client, engine), daemon=True).start()
            threading.Thread(target=pipe, args=(engine, client), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    yield listener.getsockname()[1], certificates, accepted
    listener.close()


def test_tls_endpoint_with_client_certificates(tls_proxy, tmp_path, make_container):
    port, certs, accepted = tls_proxy
    tag = uuid.uuid4().hex[:8]
    c = make_container(labels={"t": tag})
    template = tmp_path / "names.tmpl"
    template.write_text("{% for c in containers %}{{ c.Name }}\n{% endfor %}")
    args = ("-endpoint", f"tcp://127.0.0.1:{port}", "-container-filter", f"label=t={tag}")
    result = run_cli(*args, "-tlsverify", "-tlscacert", str(certs / "ca.pem"), "-tlscert", str(certs / "client.pem"),
                     "-tlskey", str(certs / "client-key.pem"), str(template))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{c.name}\n"
    assert "dockergen" in accepted  # the client certificate was presented

    # The same from DOCKER_CERT_PATH and DOCKER_TLS_VERIFY, as docker-gen reads them.
    for name in ("cert.pem", "key.pem"):
        (certs / name).write_bytes((certs / ("client.pem" if name == "cert.pem" else "client-key.pem")).read_bytes())
    result = run_cli(*args, str(template), env={"DOCKER_CERT_PATH": str(certs), "DOCKER_TLS_VERIFY": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{c.name}\n"

    # Without the client certificate the server refuses the handshake: one clear error line.
    empty = tmp_path / "nocerts"
    empty.mkdir()
    (empty / "ca.pem").write_bytes((certs / "ca.pem").read_bytes())
    result = run_cli(*args, str(template), env={"DOCKER_CERT_PATH": str(empty), "DOCKER_TLS_VERIFY": "1"})
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1 and f"127.0.0.1:{port}" in result.stderr
