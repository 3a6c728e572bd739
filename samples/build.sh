#!/usr/bin/env bash
# samples/build.sh NAME[:TAG]... — builds sample images offline into the local podman storage
# (localhost/openchoreo-samples/NAME:TAG, TAG 1 by default; the tag is passed as the build argument VERSION).
# Images start FROM scratch with the host's static busybox (Debian: busybox-static); nothing is pulled and RUN steps
# have no network.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
BUSYBOX="${BUSYBOX:-/bin/busybox}"
[[ -x "$BUSYBOX" ]] || { echo "error: $BUSYBOX not found (apt-get install busybox-static)" >&2; exit 1; }
file "$BUSYBOX" 2>/dev/null | grep -q "statically linked" || [[ -n "${BUSYBOX_ANY:-}" ]] || echo "warning: $BUSYBOX may not be static" >&2
# Hosts without systemd (cgroup v1, no crun) need runc and cgroupfs, as 'openchoreo up' configures for its runtime.
if [[ ! -d /run/systemd/system && -z "${CONTAINERS_CONF:-}" ]]; then
  CONTAINERS_CONF="$(mktemp)"; export CONTAINERS_CONF; trap 'rm -f "$CONTAINERS_CONF"' EXIT
  printf '[containers]\ndefault_ulimits = []\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\n[network]\nnetwork_backend = "netavark"\n' >"$CONTAINERS_CONF"
fi
[[ $# -gt 0 ]] || set -- greeter
for arg in "$@"; do
  name="${arg%%:*}"; tag=1
  [[ "$arg" == *:* ]] && tag="${arg#*:}"
  [[ "$tag" =~ ^[A-Za-z0-9_.-]+$ ]] || { echo "error: bad tag '$tag' in '$arg'" >&2; exit 1; }
  dir="$HERE/$name"
  [[ -f "$dir/Containerfile" ]] || { echo "error: no sample '$name' (no $dir/Containerfile)" >&2; exit 1; }
  ctx="$(mktemp -d)"
  cp -r "$dir/." "$ctx/"
  cp "$BUSYBOX" "$ctx/busybox"
  podman build -q --network=none --build-arg "VERSION=$tag" -f "$ctx/Containerfile" -t "localhost/openchoreo-samples/$name:$tag" "$ctx" >/dev/null
  rm -rf "$ctx"
  echo "built localhost/openchoreo-samples/$name:$tag"
done
