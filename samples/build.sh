#!/usr/bin/env bash
# samples/build.sh NAME... — builds sample images offline into the local podman storage (localhost/openchoreo-samples/NAME:1).
# Images start FROM scratch with the host's static busybox (Debian: busybox-static); nothing is pulled.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
BUSYBOX="${BUSYBOX:-/bin/busybox}"
[[ -x "$BUSYBOX" ]] || { echo "error: $BUSYBOX not found (apt-get install busybox-static)" >&2; exit 1; }
file "$BUSYBOX" 2>/dev/null | grep -q "statically linked" || [[ -n "${BUSYBOX_ANY:-}" ]] || echo "warning: $BUSYBOX may not be static" >&2
# Hosts without systemd (cgroup v1, no crun) need runc and cgroupfs, as 'openchoreo up' configures for its runtime.
if [[ ! -d /run/systemd/system && -z "${CONTAINERS_CONF:-}" ]]; then
  CONTAINERS_CONF="$(mktemp)"; export CONTAINERS_CONF
  printf '[containers]\ndefault_ulimits = []\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\n' >"$CONTAINERS_CONF"
fi
[[ $# -gt 0 ]] || set -- greeter
for name in "$@"; do
  dir="$HERE/$name"
  [[ -f "$dir/Containerfile" ]] || { echo "error: no sample '$name' (no $dir/Containerfile)" >&2; exit 1; }
  ctx="$(mktemp -d)"
  cp -r "$dir/." "$ctx/"
  cp "$BUSYBOX" "$ctx/busybox"
  podman build -q -f "$ctx/Containerfile" -t "localhost/openchoreo-samples/$name:1" "$ctx"
  rm -rf "$ctx"
  echo "built localhost/openchoreo-samples/$name:1"
done
