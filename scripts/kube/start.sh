#!/usr/bin/env bash
# Starts etcd + a real kube-apiserver (built by build.sh) on free ports of 127.0.0.1, installs the
# Gateway API HTTPRoute CRD, and prints the kubeconfig path as the last line of stdout.
#   KC=$(scripts/kube/start.sh [STATE_DIR])      STATE_DIR defaults to target/kube
#   scripts/kube/stop.sh [STATE_DIR]
# No nodes, no kube-controller-manager, no scheduler: namespaces stay Terminating once deleted,
# Deployments get no ReplicaSets, EndpointSlices are not maintained (tests write what those
# controllers would). Admission as configured by default, ServiceAccount admission included.
#
# STATE_DIR holds: kubeconfig (contexts: admin = system:masters, user-1..user-4 = users with no
# permission until a test binds a Role to them), audit.log (one JSON line per completed request but
# the server's own and health checks; the writes of user-1..4 with their bodies), logs, certs, etcd data.
set -euo pipefail
cd "$(dirname "$0")/../.."

CACHE=${BLUEGREEN_KUBE_CACHE:-$HOME/.cache/bluegreen-kube}
GATEWAY_API_VERSION=${GATEWAY_API_VERSION:-v1.5.1}
BIN=$CACHE/bin
STATE=$(mkdir -p "${1:-target/kube}" && cd "${1:-target/kube}" && pwd)
for b in etcd kube-apiserver; do
  [[ -x $BIN/$b ]] || { echo "missing $BIN/$b: run scripts/kube/build.sh first" >&2; exit 1; }
done
CRD=$CACHE/crds/gateway-api-$GATEWAY_API_VERSION/gateway.networking.k8s.io_httproutes.yaml
[[ -f $CRD ]] || { echo "missing $CRD: run scripts/kube/build.sh first" >&2; exit 1; }
[[ -f $STATE/kube-apiserver.pid ]] && "$(dirname "$0")/stop.sh" "$STATE" >/dev/null 2>&1 || true
rm -rf "$STATE" && mkdir -p "$STATE"

read -r ETCD_PORT PEER_PORT API_PORT < <(python3 -c '
import socket
ss = [socket.socket() for _ in range(3)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')

openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=127.0.0.1 \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
  -keyout "$STATE/serving.key" -out "$STATE/serving.crt" 2>/dev/null
openssl genrsa -out "$STATE/sa.key" 2048 2>/dev/null
ADMIN=$(openssl rand -hex 16)
echo "$ADMIN,admin,admin,system:masters" > "$STATE/tokens.csv"
USERS=(user-1 user-2 user-3 user-4)
declare -A TOKEN
for u in "${USERS[@]}"; do TOKEN[$u]=$(openssl rand -hex 16); echo "${TOKEN[$u]},$u,$u" >> "$STATE/tokens.csv"; done

# Audit: every completed request by a user (not the apiserver's own, not health checks), Metadata
# level (user, verb, object, response code), and the body of every write by user-1..4 (Request
# level). Tests count and read writes from here, not from the client.
cat > "$STATE/audit-policy.yaml" <<'YAML'
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    users: ["system:apiserver"]
  - level: None
    nonResourceURLs: ["/healthz*", "/readyz*", "/livez*", "/version", "/openapi*", "/api", "/apis", "/apis/*"]
  - level: Request
    users: ["user-1", "user-2", "user-3", "user-4"]
    verbs: ["create", "update", "patch", "delete", "deletecollection"]
  - level: Metadata
YAML

start_ns=$(date +%s%N)
nohup "$BIN/etcd" --name default --data-dir "$STATE/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$PEER_PORT" \
  --initial-cluster "default=http://127.0.0.1:$PEER_PORT" --unsafe-no-fsync --log-level warn \
  > "$STATE/etcd.log" 2>&1 &
echo $! > "$STATE/etcd.pid"

# endpoint-reconciler none: the "kubernetes" Endpoints would need a non-loopback address. A /16 of
# Service IPs: nothing deletes the Services of finished tests (namespaces stay Terminating).
nohup "$BIN/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$API_PORT" \
  --tls-cert-file "$STATE/serving.crt" --tls-private-key-file "$STATE/serving.key" \
  --token-auth-file "$STATE/tokens.csv" --authorization-mode RBAC \
  --service-account-issuer https://kubernetes.default.svc \
  --service-account-key-file "$STATE/sa.key" --service-account-signing-key-file "$STATE/sa.key" \
  --service-cluster-ip-range 10.96.0.0/16 --endpoint-reconciler-type none \
  --audit-policy-file "$STATE/audit-policy.yaml" --audit-log-path "$STATE/audit.log" --audit-log-format json \
  --audit-log-mode blocking --audit-log-maxsize 0 \
  > "$STATE/kube-apiserver.log" 2>&1 &
echo $! > "$STATE/kube-apiserver.pid"

api() { curl -fsk -H "Authorization: Bearer $ADMIN" "$@"; }
for _ in $(seq 900); do   # up to 90 s
  api "https://127.0.0.1:$API_PORT/readyz" >/dev/null 2>&1 && break
  kill -0 "$(cat "$STATE/kube-apiserver.pid")" 2>/dev/null || { tail -20 "$STATE/kube-apiserver.log" >&2; exit 1; }
  sleep 0.1
done
api "https://127.0.0.1:$API_PORT/readyz" >/dev/null || { echo "kube-apiserver not ready: see $STATE/kube-apiserver.log" >&2; exit 1; }
ready_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))

# The HTTPRoute CRD, established before the tests start.
api -X POST -H "Content-Type: application/yaml" --data-binary "@$CRD" \
  "https://127.0.0.1:$API_PORT/apis/apiextensions.k8s.io/v1/customresourcedefinitions" >/dev/null
for _ in $(seq 300); do
  api "https://127.0.0.1:$API_PORT/apis/gateway.networking.k8s.io/v1" 2>/dev/null | grep -q '"httproutes"' && break
  sleep 0.1
done
api "https://127.0.0.1:$API_PORT/apis/gateway.networking.k8s.io/v1" | grep -q '"httproutes"' \
  || { echo "the HTTPRoute CRD was not served within 30 s" >&2; exit 1; }

{
  printf 'apiVersion: v1\nkind: Config\nclusters:\n- name: local\n  cluster:\n    server: https://127.0.0.1:%s\n' "$API_PORT"
  printf '    certificate-authority-data: %s\n' "$(base64 -w0 < "$STATE/serving.crt")"
  printf 'users:\n- name: admin\n  user:\n    token: %s\n' "$ADMIN"
  for u in "${USERS[@]}"; do printf -- '- name: %s\n  user:\n    token: %s\n' "$u" "${TOKEN[$u]}"; done
  printf 'contexts:\n- name: admin\n  context: {cluster: local, user: admin, namespace: default}\n'
  for u in "${USERS[@]}"; do printf -- '- name: %s\n  context: {cluster: local, user: %s, namespace: default}\n' "$u" "$u"; done
  printf 'current-context: admin\n'
} > "$STATE/kubeconfig"
chmod 600 "$STATE/kubeconfig" "$STATE/tokens.csv"
echo "kube-apiserver $("$BIN/kube-apiserver" --version | cut -d' ' -f2) ready in $ready_ms ms on https://127.0.0.1:$API_PORT" \
  "(HTTPRoute CRD $GATEWAY_API_VERSION; state $STATE)" >&2
echo "$STATE/kubeconfig"
