#!/usr/bin/env bash
# Set up skiff from this checkout and start a single-node cluster.
#
#   ./install.sh             build dist/skiff and start `skiff server` in the background
#   ./install.sh --systemd   also install /usr/local/bin/skiff and the systemd unit, and start it there
#   ./install.sh --stop      stop the server this script started (its pods keep running, as
#                            with k3s: a restarted server's agent adopts them)
#   ./install.sh --uninstall delete every workload, stop the server, remove the data dir
#
# The server keeps its state, certificates and admin kubeconfig in the data dir:
# /var/lib/skiff as root, ~/.skiff otherwise (SKIFF_DATA_DIR overrides).
set -euo pipefail
cd "$(dirname "$0")"

if [ "$(id -u)" = 0 ]; then default_dir=/var/lib/skiff; else default_dir="$HOME/.skiff"; fi
data_dir=${SKIFF_DATA_DIR:-$default_dir}
port=${SKIFF_PORT:-6443}
pid_file="$data_dir/server.pid"
mode=${1:-}

say() { printf '==> %s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

stop_server() {
  [ -f "$pid_file" ] || return 0
  local pid; pid=$(cat "$pid_file")
  if kill -0 "$pid" 2>/dev/null; then
    say "stopping skiff server (pid $pid)"
    kill -TERM "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$pid_file"
}

# Pods outlive the server by design, so removing skiff means deleting them
# through the API first and waiting until the kubelet has stopped them.
uninstall() {
  local bin="$PWD/dist/skiff" kc="$data_dir/admin.kubeconfig"
  if [ -x "$bin" ] && [ -f "$kc" ] && [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    say "deleting all workloads"
    "$bin" --kubeconfig "$kc" delete deployments,daemonsets,replicasets,replicationcontrollers,cronjobs,jobs,services --all -A >/dev/null 2>&1 || true
    "$bin" --kubeconfig "$kc" delete pods --all -A --wait --timeout 120 >/dev/null 2>&1 || true
  fi
  stop_server
  say "removing $data_dir"
  rm -rf "$data_dir"
}

if [ "$mode" = "--stop" ]; then stop_server; exit 0; fi
if [ "$mode" = "--uninstall" ]; then uninstall; exit 0; fi

command -v npm >/dev/null || die "npm is required (Node.js 18 or newer); it brings Bun as a devDependency"
say "installing dependencies (npm ci)"
npm ci --no-audit --no-fund --loglevel=error
say "building dist/skiff"
npm run --silent build >/dev/null
bin="$PWD/dist/skiff"

if [ "$mode" = "--systemd" ]; then
  [ "$(id -u)" = 0 ] || die "--systemd needs root"
  install -m 0755 "$bin" /usr/local/bin/skiff
  install -m 0644 systemd/skiff.service /etc/systemd/system/skiff.service
  systemctl daemon-reload
  systemctl enable --now skiff.service
  bin=/usr/local/bin/skiff
else
  stop_server
  mkdir -p "$data_dir" && chmod 0700 "$data_dir"
  say "starting skiff server (data dir $data_dir, port $port, log $data_dir/server.log)"
  nohup "$bin" server --data-dir "$data_dir" --port "$port" >>"$data_dir/server.log" 2>&1 &
  echo $! >"$pid_file"
fi

kubeconfig="$data_dir/admin.kubeconfig"
say "waiting for the cluster to be ready"
for _ in $(seq 1 300); do
  if [ -f "$kubeconfig" ] && "$bin" --kubeconfig "$kubeconfig" get --raw /readyz >/dev/null 2>&1 \
     && "$bin" --kubeconfig "$kubeconfig" get nodes 2>/dev/null | grep -q ' Ready'; then
    "$bin" --kubeconfig "$kubeconfig" get nodes
    cat <<MSG

skiff is running.
  export KUBECONFIG=$kubeconfig
  $bin get pods -A            # or: kubectl get pods -A
  $bin apply -f manifest.yaml
  ./install.sh --stop         # stop the server (pods keep running)
  ./install.sh --uninstall    # delete workloads, stop, remove the data dir
MSG
    exit 0
  fi
  if [ "$mode" != "--systemd" ] && ! kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    tail -n 20 "$data_dir/server.log" >&2
    die "the server exited; see $data_dir/server.log"
  fi
  sleep 0.2
done
die "the cluster did not become ready within 60s; see $data_dir/server.log"
