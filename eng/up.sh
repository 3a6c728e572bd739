#!/usr/bin/env bash
# ./openchoreo up|down|status — run the platform on this machine.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/eng/lib.sh"

cmd="$1"; shift
DATA_DIR="${OPENCHOREO_DATA_DIR:-$HOME/.openchoreo/default}"
DETACH=0
PASS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --data-dir) DATA_DIR="$2"; shift 2 ;;
    --data-dir=*) DATA_DIR="${1#*=}"; shift ;;
    --detach|-d) DETACH=1; shift ;;
    -h|--help)
      cat <<USAGE
Usage: ./openchoreo up [--detach] [--data-dir DIR] [--port N] [--gateway-port N] [--context-name NAME] [--config FILE]
                       [--apps-http-port N] [--apps-https-port N] [--no-data-plane]
       ./openchoreo down [--data-dir DIR]
       ./openchoreo status [--data-dir DIR]

up       installs what is missing, builds, and starts the platform in the foreground (Ctrl+C stops it).
         --detach       return once the platform is ready; logs go to DIR/openchoreo.log
         --data-dir     instance directory (default ~/.openchoreo/default); use several to run several instances
         --port         API port on 127.0.0.1 (default 8443, remembered per data directory; 0 = any free port)
         --gateway-port port of the cluster gateway agents dial (default 8444, or --port + 1)
         --context-name name of the occ context written for this instance
         --apps-http-port / --apps-https-port
                        ingress gateway ports for the apps (default 8080 / 9443, remembered; taken -> any free port)
         --no-data-plane control plane only: no agent, podman runtime or ingress gateway
down     stops a detached instance.
status   tells whether the instance of DIR runs, and where.
USAGE
      exit 0 ;;
    *) PASS+=("$1"); shift ;;
  esac
done
mkdir -p "$DATA_DIR"; DATA_DIR="$(cd "$DATA_DIR" && pwd)"
PID_FILE="$DATA_DIR/openchoreo.pid"
SERVER="$ROOT/artifacts/build/bin/OpenChoreo.Server/release/openchoreo"

running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid; pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && { echo "$pid"; return 0; }
  return 1
}

build() {
  command -v dotnet >/dev/null || oc_die "the .NET SDK is required (https://dotnet.microsoft.com/download); install it and retry"
  oc_install_runtime_prereqs || oc_die "could not install the platform's prerequisites"
  oc_step "building (Release)"
  dotnet build "$ROOT/src/OpenChoreo.Server" -c Release -nologo -v q "-clp:ErrorsOnly;NoSummary" >&2 || oc_die "build failed"
  dotnet build "$ROOT/src/OpenChoreo.Cli" -c Release -nologo -v q "-clp:ErrorsOnly;NoSummary" >&2 || oc_die "build failed"
}

case "$cmd" in
  up)
    if pid="$(running_pid)"; then
      oc_die "already running from $DATA_DIR (pid $pid); './openchoreo down --data-dir $DATA_DIR' stops it"
    fi
    build
    if [[ $DETACH -eq 0 ]]; then
      oc_step "starting OpenChoreo (Ctrl+C to stop)"
      exec "$SERVER" up --data-dir "$DATA_DIR" "${PASS[@]}"
    fi
    LOG="$DATA_DIR/openchoreo.log"
    oc_step "starting OpenChoreo in the background (log: $LOG)"
    rm -f "$DATA_DIR/ready"
    nohup "$SERVER" up --data-dir "$DATA_DIR" "${PASS[@]}" >"$LOG" 2>&1 </dev/null &
    child=$!
    for _ in $(seq 1 600); do
      [[ -f "$DATA_DIR/ready" ]] && { cat "$DATA_DIR/ready"; exit 0; }
      kill -0 "$child" 2>/dev/null || { tail -30 "$LOG" >&2; oc_die "the platform stopped while starting (see $LOG)"; }
      sleep 0.2
    done
    oc_die "the platform did not become ready within 120 s (see $LOG)"
    ;;
  down)
    pid="$(running_pid)" || { echo "not running (data dir $DATA_DIR)"; exit 0; }
    oc_step "stopping pid $pid"
    kill -TERM "$pid"
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || { echo "stopped"; exit 0; }; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
    echo "killed (did not stop within 30 s)"
    ;;
  status)
    if pid="$(running_pid)"; then
      echo "running (pid $pid) from $DATA_DIR"
      [[ -f "$DATA_DIR/up.yaml" ]] && sed 's/^/  /' "$DATA_DIR/up.yaml"
    else
      echo "not running (data dir $DATA_DIR)"; exit 3
    fi
    ;;
esac
