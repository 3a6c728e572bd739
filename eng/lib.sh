# Shared helpers for the ./openchoreo script. Sourced, not executed.

oc_step() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
oc_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

OC_APT_UPDATED=""
oc_apt_install() {
  # Installs Debian packages that are missing; runs apt-get update once per invocation.
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  local sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  if [[ -z "$OC_APT_UPDATED" ]]; then $sudo apt-get update -qq >/dev/null || return 1; OC_APT_UPDATED=1; fi
  oc_step "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

oc_install_test_prereqs() {
  oc_apt_install postgresql pebble bind9 bind9-utils
  oc_apt_install podman runc buildah busybox-static netavark aardvark-dns iptables
  oc_apt_install iproute2 # ip netns + ss: the multi-cluster test's "clusters" are network namespaces
}

oc_pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

oc_free_port() { python3 - <<'PY' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()
PY
}

# Starts a throw-away PostgreSQL on a loopback port and exports OPENCHOREO_TEST_POSTGRES.
oc_start_test_postgres() {
  local dir="$1" bin; bin="$(oc_pg_bin)"; [[ -n "$bin" ]] || return 1
  rm -rf "$dir"; mkdir -p "$dir/data" "$dir/sock"
  local port; port="$(oc_free_port)"
  local run=(); [[ $(id -u) -eq 0 ]] && { chown -R postgres:postgres "$dir"; run=(runuser -u postgres --); }
  "${run[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log"; return 1; }
  "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" \
    -o "-p $port -k $dir/sock -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" -w start >/dev/null || { cat "$dir/server.log"; return 1; }
  export OPENCHOREO_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
  echo "$port" > "$dir/port"
}

oc_stop_test_postgres() {
  local dir="$1" bin; bin="$(oc_pg_bin)"
  [[ -d "$dir/data" ]] || return 0
  local run=(); [[ $(id -u) -eq 0 ]] && run=(runuser -u postgres --)
  "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
}

# What the platform needs at run time on this machine (later: podman, runc, registry…).
oc_install_runtime_prereqs() {
  oc_apt_install podman runc busybox-static netavark aardvark-dns iptables
  return 0
}
