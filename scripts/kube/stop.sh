#!/usr/bin/env bash
# Stops what start.sh started and removes the etcd data; keeps the logs and audit.log.
#   scripts/kube/stop.sh [STATE_DIR]        (default target/kube)
set -uo pipefail
STATE=${1:-$(dirname "$0")/../../target/kube}
[[ -d $STATE ]] || STATE=$(dirname "$STATE")       # a kubeconfig path works too
for p in kube-apiserver etcd; do
  pid=$(cat "$STATE/$p.pid" 2>/dev/null) || continue
  kill "$pid" 2>/dev/null && for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null
  rm -f "$STATE/$p.pid"
done
rm -rf "$STATE/etcd"
