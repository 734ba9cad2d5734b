# dockergen (docker-gen-py) image.  docs/deploy.md explains how to run it.
#
#   docker build -t dockergen .
#   docker run --rm -v /var/run/docker.sock:/tmp/docker.sock:ro \
#     --group-add "$(stat -c %g /var/run/docker.sock)" \
#     dockergen /etc/docker-gen/templates/containers.tmpl
#
# BASE is any Debian-like image with python3 >= 3.11 and its venv module (the
# same image is used to build and to run).  Offline builds: put the wheels of
# the dependencies, and of setuptools, in a directory `wheelhouse/` of the
# build context; pip then uses only those (the sidecar test does this).
# Written for the classic builder (what the tests use) and BuildKit alike.
ARG BASE=python:3.12-slim

# ---------------------------------------------------------------- build
FROM ${BASE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore
COPY docker/install-dockergen.sh /usr/local/lib/docker-gen/
# pyproject.toml always exists; the wheelhouse only when given (the glob may match nothing).
COPY pyproject.toml wheelhous[e] /wheelhouse/
RUN sh /usr/local/lib/docker-gen/install-dockergen.sh deps
COPY pyproject.toml README.md /src/
COPY dockergen/ /src/dockergen/
RUN sh /usr/local/lib/docker-gen/install-dockergen.sh project

# ---------------------------------------------------------------- run
FROM ${BASE}
# A fixed, numeric non-root user.  It reaches the Docker socket through the
# socket's group: `--group-add "$(stat -c %g /var/run/docker.sock)"` (compose:
# group_add).  /etc/nginx/conf.d belongs to it so that a new named volume
# mounted there is writable (Docker gives an empty volume the owner of the
# image's directory).
RUN set -eu; \
    echo 'dockergen:x:10001:10001:docker-gen:/nonexistent:/usr/sbin/nologin' >>/etc/passwd; \
    echo 'dockergen:x:10001:' >>/etc/group; \
    mkdir -p /etc/nginx/conf.d /etc/docker-gen; \
    chown 10001:10001 /etc/nginx/conf.d
COPY --from=build /opt/dockergen /opt/dockergen
COPY templates/ /etc/docker-gen/templates/
COPY docker/healthcheck.py /usr/local/lib/docker-gen/healthcheck.py
ENV PATH=/opt/dockergen/bin:$PATH \
    DOCKER_HOST=unix:///tmp/docker.sock \
    PYTHONUNBUFFERED=1
USER 10001:10001
WORKDIR /etc/docker-gen
# Asks docker-gen's /healthz when it runs with -metrics-addr; without it there
# is nothing to ask and the check passes (see docker/healthcheck.py).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["/opt/dockergen/bin/python", "/usr/local/lib/docker-gen/healthcheck.py"]
ENTRYPOINT ["docker-gen"]
