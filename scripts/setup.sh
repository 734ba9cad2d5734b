# Set-up shared by scripts/test and scripts/run (sourced, not executed):
#  a) .venv with the project installed editable (pip re-runs only when
#     pyproject.toml or INSTALL_RECIPE changed: kept in .venv/.dockergen-install-stamp);
#     scripts/run installs the package alone, scripts/test adds the [test] extras
#  b) a Docker engine that answers (installs Debian's docker.io and starts
#     dockerd in the background when needed; log: /tmp/dockergen-dockerd.log)
#  tests only (setup_all):
#  c) nginx, logrotate, busybox-static, debootstrap, podman and haproxy from Debian
#  d) the local test image dockergen-test/busybox:latest (no registry needed)
#
# Env: PYTHON (default python3), DOCKER_HOST (honoured; dockerd is only
# started for the default local socket), DOCKERGEN_TEST_NO_INSTALL=1 (never
# apt-get).  Progress goes to stderr; quiet when nothing needs doing.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$PATH:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

IMAGE_REPO="dockergen-test/busybox"
IMAGE="$IMAGE_REPO:latest"
IMAGE_RECIPE=2 # bump when build_image() changes
INSTALL_RECIPE=2 # bump when setup_venv() installs differently (existing venvs are reinstalled)
DOCKERD_LOG=/tmp/dockergen-dockerd.log
ENGINE_WAIT=60
LOCK_DIR=/tmp

say() { printf '%s: %s\n' "${SCRIPT_NAME:-scripts}" "$*" >&2; }
die() {
    say "ERROR: $*"
    exit 1
}

SUDO=()
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 && SUDO=(sudo -n)
fi

# Serialise set-up between concurrent runs (flock is in util-linux, always on Debian).
with_lock() { # with_lock NAME command...
    local name=$1
    shift
    if command -v flock >/dev/null 2>&1; then
        (
            flock -w 900 9 || die "timed out waiting for lock $LOCK_DIR/dockergen-$name.lock"
            "$@"
        ) 9>"$LOCK_DIR/dockergen-$name.lock"
    else
        "$@"
    fi
}

# ---------------------------------------------------------------- a) venv
setup_venv() { # setup_venv [test]: the package, with the test extras when asked
    local py=${PYTHON:-python3} stamp=.venv/.dockergen-install-stamp want extras=${1:-} target=.
    if [ -e .venv ] && ! .venv/bin/python -c '' >/dev/null 2>&1; then
        say "recreating broken .venv"
        rm -rf .venv
    fi
    if [ ! -x .venv/bin/python ]; then
        say "creating .venv ($py)"
        "$py" -m venv .venv || die "'$py -m venv .venv' failed (Debian: apt-get install python3-venv)"
    fi
    [ "$extras" = test ] && target='.[test]'
    want="$(cat pyproject.toml | sha256sum | cut -d' ' -f1) $(.venv/bin/python -c 'import sys; print(sys.version.split()[0])') r$INSTALL_RECIPE"
    local have
    have="$(cat "$stamp" 2>/dev/null)"
    # A test install holds everything running needs: scripts/run accepts it as it is.
    if [ "$have" != "$want $extras" ] && ! { [ -z "$extras" ] && [ "$have" = "$want test" ]; }; then
        say "installing project into .venv (pip install -e '$target')"
        rm -f "$stamp"
        # editable_mode=compat: the checkout goes on sys.path through a plain .pth line.
        # setuptools' default for this layout is an import finder that a .pth file sets up
        # at every start of Python (pathlib, importlib.util ...: 20 ms of a bare start, a
        # few of docker-gen's).  If a later setuptools drops the mode, the default is used.
        # Output is kept in a log (the machine's pip config can be chatty), shown on failure.
        {
            .venv/bin/python -m pip install -q --disable-pip-version-check \
                --config-settings editable_mode=compat -e "$target" \
                || .venv/bin/python -m pip install -q --disable-pip-version-check -e "$target"
        } </dev/null >/tmp/dockergen-pip.log 2>&1 || {
            tail -n 30 /tmp/dockergen-pip.log >&2
            die "pip install -e '$target' failed (full log: /tmp/dockergen-pip.log)"
        }
        printf '%s\n' "$want $extras" >"$stamp"
    fi
}

# ------------------------------------------------------- b/c/d) engine etc.
engine_ok() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
local_engine() {
    [ -z "${DOCKER_HOST:-}" ] || [ "${DOCKER_HOST}" = "unix:///var/run/docker.sock" ]
}
static_busybox() { [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1; }

apt_install() { # apt_install PKG...
    [ "${DOCKERGEN_TEST_NO_INSTALL:-}" != 1 ] || die "missing packages: $* (DOCKERGEN_TEST_NO_INSTALL=1)"
    command -v apt-get >/dev/null 2>&1 || die "missing: $* and no apt-get to install them"
    say "installing Debian packages: $* (apt-get; takes a minute)"
    local log=/tmp/dockergen-apt.log
    {
        "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q \
            && "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
                -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@"
    } </dev/null >"$log" 2>&1 || {
        tail -n 30 "$log" >&2
        die "apt-get install $* failed (full log: $log)"
    }
}

# The main engine's dockerd (its pid file is the default one): the test-only engines the
# suite starts beside it are also called dockerd, so pgrep cannot tell them apart.
main_dockerd_running() {
    local pid
    pid=$(cat /var/run/docker.pid 2>/dev/null) || return 1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

start_dockerd() {
    local dockerd deadline
    if main_dockerd_running; then
        say "dockerd is running but not answering yet; waiting"
    else
        dockerd=$(command -v dockerd) || die "dockerd not found after install"
        # cgroup v1 hierarchies must be mounted (the machines here mount them at boot)
        if [ ! -e /sys/fs/cgroup/cgroup.controllers ] && [ -z "$(ls -A /sys/fs/cgroup 2>/dev/null)" ] \
            && command -v cgroupfs-mount >/dev/null 2>&1; then
            "${SUDO[@]}" cgroupfs-mount >/dev/null 2>&1 || true
        fi
        say "starting dockerd (log: $DOCKERD_LOG)"
        # setsid+nohup: survives this script. Every fd above 2 is closed (our lock,
        # pipes of whoever runs us) and stdio goes to the log, so neither CI nor a
        # later run waits on the daemon.
        (
            for fd in /proc/self/fd/*; do
                fd=${fd##*/}
                [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
            done
            exec "${SUDO[@]}" setsid nohup "$dockerd" </dev/null >>"$DOCKERD_LOG" 2>&1
        ) &
        disown 2>/dev/null || true
    fi
    deadline=$((SECONDS + ENGINE_WAIT))
    until engine_ok; do
        if [ $SECONDS -ge $deadline ]; then
            tail -n 25 "$DOCKERD_LOG" >&2 2>/dev/null || true
            die "Docker engine did not answer within ${ENGINE_WAIT}s (see $DOCKERD_LOG)"
        fi
        sleep 0.3
    done
    say "Docker engine is up"
}

build_image() { # build_image TAG
    local tag=$1 dir old_latest a
    dir=$(mktemp -d /tmp/dockergen-image.XXXXXX)
    chmod 755 "$dir"
    mkdir -p "$dir"/{bin,etc,root,tmp,var/tmp,var/www,var/run,usr,home}
    chmod 1777 "$dir/tmp" "$dir/var/tmp"
    cp /bin/busybox "$dir/bin/busybox"
    for a in $(/bin/busybox --list); do
        [ "$a" = busybox ] || ln -s busybox "$dir/bin/$a"
    done
    ln -s bin "$dir/sbin"
    ln -s ../bin "$dir/usr/bin"
    ln -s ../bin "$dir/usr/sbin"
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$dir/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/etc/group"
    printf 'hosts: files dns\n' >"$dir/etc/nsswitch.conf"
    old_latest=$(docker image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || true)
    tar --numeric-owner --owner=0 --group=0 -C "$dir" -c . \
        | docker import -c 'CMD ["/bin/sh"]' - "$tag" >/dev/null \
        || { rm -rf "$dir"; die "docker import of the test image failed"; }
    rm -rf "$dir"
    docker tag "$tag" "$IMAGE"
    # drop older recipe tags and the image :latest pointed to before (ignored when in use)
    docker images --format '{{.Repository}}:{{.Tag}}' "$IMAGE_REPO" | grep -F "$IMAGE_REPO:r-" \
        | grep -vxF "$tag" | xargs -r docker rmi >/dev/null 2>&1 || true
    [ -z "$old_latest" ] || docker rmi "$old_latest" >/dev/null 2>&1 || true
}

ensure_image() {
    local key tag tid lid
    static_busybox || die "/bin/busybox is missing or not static (apt-get install busybox-static)"
    key=$({ echo "recipe=$IMAGE_RECIPE"; sha256sum </bin/busybox; } | sha256sum | cut -c1-12)
    tag="$IMAGE_REPO:r-$key"
    tid=$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null) || tid=""
    lid=$(docker image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null) || lid=""
    [ -n "$tid" ] && [ "$tid" = "$lid" ] && return 0
    say "importing test image $IMAGE from /bin/busybox"
    build_image "$tag"
}

setup_engine() { # setup_engine [test]: an engine that answers; the tests' tools and image when asked
    local pkgs=() tests=${1:-}
    command -v docker >/dev/null 2>&1 || pkgs+=(docker.io)
    if ! engine_ok && local_engine && ! command -v dockerd >/dev/null 2>&1; then
        pkgs+=(docker.io)
    fi
    if [ "$tests" = test ]; then
        static_busybox || pkgs+=(busybox-static)
        command -v nginx >/dev/null 2>&1 || pkgs+=(nginx)
        command -v logrotate >/dev/null 2>&1 || pkgs+=(logrotate)
        command -v debootstrap >/dev/null 2>&1 || pkgs+=(debootstrap) # base of the image tests/engine/test_sidecar.py builds
        command -v podman >/dev/null 2>&1 || pkgs+=(podman) # tests/engine/test_podman.py runs its own podman service
        command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || pkgs+=(haproxy) # tests/engine/test_socket_proxy.py runs its own haproxy
    fi
    if [ ${#pkgs[@]} -gt 0 ]; then
        apt_install $(printf '%s\n' "${pkgs[@]}" | sort -u)
    fi
    if ! engine_ok; then
        local_engine || die "Docker engine at DOCKER_HOST=$DOCKER_HOST does not answer"
        start_dockerd
    fi
    [ "$tests" = test ] && ensure_image
    return 0
}


setup_run() { # what scripts/run needs: the package and an engine
    with_lock venv setup_venv
    with_lock engine setup_engine
}


setup_all() { # what scripts/test needs: the package with its test extras, an engine, the tests' tools
    with_lock venv setup_venv test
    with_lock engine setup_engine test
}
