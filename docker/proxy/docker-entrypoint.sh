#!/bin/bash
# The entry point of the proxy image (Dockerfile.proxy): nginx and dockergen in one container,
# as nginx-proxy's image runs them.
#
#   docker-entrypoint.sh            render once, then run nginx and the watcher side by side
#   docker-entrypoint.sh CMD ...    run CMD instead (what companions exec in the container, e.g.
#                                   acme-companion: `/app/docker-entrypoint.sh docker-gen ...`)
#
# Supervision, on purpose no more than this: when either process ends, the other is stopped and
# the container exits with a failure, so a restart policy can act; `docker stop` (SIGTERM) stops
# both and exits 0.  nginx gets SIGQUIT (finish the requests in flight), dockergen SIGTERM.
#
# Environment: DOCKERGEN_TEMPLATE (default /app/nginx.tmpl: a Go or Jinja2 template, mount your
# own anywhere), DOCKERGEN_DEST (default /etc/nginx/conf.d/default.conf), DOCKERGEN_FLAGS (more
# flags for the watcher, split on spaces), DOCKERGEN_CHECK_CMD (default "nginx -t"; empty turns
# the check off), DOCKER_HOST (default unix:///tmp/docker.sock), and the template's own settings
# (DEFAULT_HOST, HTTPS_METHOD, HSTS, SSL_POLICY, TRUST_DOWNSTREAM_PROXY, ...).
set -euo pipefail

if [ "$#" -gt 0 ]; then
    exec "$@"
fi

socket=${DOCKER_HOST#unix://}
if [ "$socket" != "${DOCKER_HOST:-}" ] && [ ! -S "$socket" ]; then
    echo "docker-entrypoint.sh: no Docker socket at $socket; run with -v /var/run/docker.sock:$socket:ro" >&2
    exit 1
fi

template=${DOCKERGEN_TEMPLATE:-/app/nginx.tmpl}
dest=${DOCKERGEN_DEST:-/etc/nginx/conf.d/default.conf}
read -r -a extra <<<"${DOCKERGEN_FLAGS:-}"

# A first render, checked by nginx -t, so that nginx starts with the containers' configuration.
# If it fails (the error is on stderr), nginx starts with what is there and the watcher retries.
docker-gen "${extra[@]}" "$template" "$dest" || true

nginx -g 'daemon off;' &
nginx_pid=$!
docker-gen -watch -wait 100ms:500ms -notify "nginx -s reload" "${extra[@]}" "$template" "$dest" &
generator_pid=$!

stopping=0
stop() {
    stopping=1
    kill -QUIT "$nginx_pid" 2>/dev/null || true
    kill -TERM "$generator_pid" 2>/dev/null || true
}
trap stop TERM INT QUIT

# `wait -n` returns when either child ends, or when a trapped signal arrives.
status=0
wait -n "$nginx_pid" "$generator_pid" || status=$?
if [ "$stopping" = 0 ]; then
    if kill -0 "$nginx_pid" 2>/dev/null; then ended=docker-gen; else ended=nginx; fi
    echo "docker-entrypoint.sh: $ended exited (status $status); stopping the container" >&2
    stop
    stopping=0
fi
wait "$nginx_pid" "$generator_pid" 2>/dev/null || true
if [ "$stopping" = 1 ]; then
    exit 0
fi
exit $((status == 0 ? 1 : status))
