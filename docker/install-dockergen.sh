#!/bin/sh
# The steps both images (Dockerfile, Dockerfile.proxy) take to install dockergen, in one place:
#
#   install-dockergen.sh python    python3 (and its venv module), from Debian when the base lacks it
#   install-dockergen.sh deps      a venv at /opt/dockergen with the dependencies of pyproject.toml
#   install-dockergen.sh project   the project's wheel from /src, then pip itself goes
#
# `deps` is its own step (and image layer) so that it is reused until pyproject.toml changes.
# With wheels in /wheelhouse (an offline build), pip installs from there only.
set -eu

case "${1:-}" in
python)
    # The official python images have it; the official nginx image (Debian) does not.
    if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
        apt-get update -q
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3 python3-venv
        rm -rf /var/lib/apt/lists/*
    fi
    ;;
deps)
    if ls /wheelhouse/*.whl >/dev/null 2>&1; then
        printf '[global]\nno-index = true\nfind-links = /wheelhouse\n' >/etc/pip.conf
    fi
    python3 -m venv /opt/dockergen
    python3 -c 'import tomllib; print("\n".join(tomllib.load(open("/wheelhouse/pyproject.toml", "rb"))["project"]["dependencies"]))' \
        >/tmp/requirements.txt
    /opt/dockergen/bin/pip install -q -r /tmp/requirements.txt
    ;;
project)
    /opt/dockergen/bin/pip wheel -q --no-deps --wheel-dir /dist /src
    /opt/dockergen/bin/pip install -q --no-deps /dist/*.whl
    # every dependency is there; then pip itself goes: it is not needed at run time
    /opt/dockergen/bin/pip check
    /opt/dockergen/bin/pip uninstall -q -y pip setuptools wheel
    /opt/dockergen/bin/docker-gen -version
    ;;
*)
    echo "usage: install-dockergen.sh python|deps|project" >&2
    exit 2
    ;;
esac
