#!/bin/sh
# Diun-style image update notifier built from dockergen parts.
#
# dockergen renders templates/prometheus-images.prom.tmpl and runs this script only when the
# rendered file changed (it writes a destination only when its content changes, and notifies
# only after a write).  The script compares the container -> image pairs of the new file with
# the ones it saw last time and prints one line per container whose image changed:
#
#   image changed: web: nginx:1.25 -> nginx:1.27
#
# (and "new container: NAME (IMAGE)" for names it has never seen).  A container that was
# removed and re-created under the same name -- what `docker compose up` does after a pull --
# is still recognised: the state file keeps the last image of every name seen.
#
# Environment: DOCKERGEN_DEST (set by dockergen: the rendered file);
# IMAGE_UPDATES_STATE: the state file (default: "$DOCKERGEN_DEST.state").
# Replace the `echo`s (or pipe this script's output) to mail, chat or a webhook.
set -eu
dest="${DOCKERGEN_DEST:?DOCKERGEN_DEST is not set: run me as dockergen's notify command}"
state="${IMAGE_UPDATES_STATE:-$dest.state}"
current="$(mktemp)"
merged="$(mktemp)"
trap 'rm -f "$current" "$merged"' EXIT

# "name image" per container, from lines such as
#   docker_container_image_info{container="web",container_id="...",image="nginx:1.27",...} 1
sed -n 's/^docker_container_image_info{container="\([^"]*\)",container_id="[^"]*",image="\([^"]*\)".*/\1 \2/p' "$dest" \
    | sort >"$current"

if [ -f "$state" ]; then
    awk 'NR == FNR { old[$1] = $2; next }
         !($1 in old)      { print "new container: " $1 " (" $2 ")"; next }
         old[$1] != $2     { print "image changed: " $1 ": " old[$1] " -> " $2 }' "$state" "$current"
else
    echo "image inventory started: $(wc -l <"$current") containers"
fi

# New state: the current pairs, plus the last image of names that are gone for now.
if [ -f "$state" ]; then
    awk 'NR == FNR { seen[$1] = 1; print; next } !($1 in seen) { print }' "$current" "$state" | sort >"$merged"
else
    cp "$current" "$merged"
fi
mv "$merged" "$state"
