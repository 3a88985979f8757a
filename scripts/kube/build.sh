#!/usr/bin/env bash
# Builds a real kube-apiserver and etcd from Go modules (nothing but the Go module proxy) into
# CACHE/bin, and fetches the Gateway API CRDs into CACHE/crds. Idempotent: seconds when the
# binaries for the pinned versions are there (stamp CACHE/bin/.built-<version>).
#   scripts/kube/build.sh [CACHE]        CACHE defaults to $BLUEGREEN_KUBE_CACHE or ~/.cache/bluegreen-kube
# Env: K8S_VERSION (v1.36.3, needs Go >= 1.26), GATEWAY_API_VERSION (v1.5.1: the release fabric8
# 7.8.0's gatewayapi v1 model is generated from). The Go build and module caches stay where Go keeps
# them (outside the repository): a cold build takes 8-11 min on 2 cores and ~2.2 GB of build cache.
#
# How: k8s.io/kubernetes cannot be required as a plain module (its go.mod points the k8s.io/*
# staging modules at ./staging/...), so a small wrapper module re-points them at the published
# v0.<minor>.<patch> modules. etcd is built from go.etcd.io/etcd/server/v3 in the same module graph:
# the etcd version this Kubernetes release itself depends on.
set -euo pipefail

CACHE=${1:-${BLUEGREEN_KUBE_CACHE:-$HOME/.cache/bluegreen-kube}}
K8S_VERSION=${K8S_VERSION:-v1.36.3}
GATEWAY_API_VERSION=${GATEWAY_API_VERSION:-v1.5.1}
STAGING_VERSION=v0.${K8S_VERSION#v1.}          # v1.36.3 -> v0.36.3
command -v go >/dev/null || { echo "go is not on PATH: install Go 1.26+ to build kube-apiserver" >&2; exit 1; }
export GOFLAGS="-mod=mod -buildvcs=false"       # no go.sum kept: go fills it

BIN=$CACHE/bin
CRDS=$CACHE/crds/gateway-api-$GATEWAY_API_VERSION
mkdir -p "$BIN" "$CACHE/src" "$CRDS"
exec 9>"$CACHE/.build.lock"; flock 9            # one build at a time per cache

# Gateway API CRDs (standard channel) from the module zip of sigs.k8s.io/gateway-api.
if [[ ! -f $CRDS/gateway.networking.k8s.io_httproutes.yaml ]]; then
  dir=$(cd "$CACHE/src" && GOFLAGS= go mod download -json "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION" \
        | sed -n 's/^\s*"Dir": "\(.*\)",\?$/\1/p')
  cp "$dir"/config/crd/standard/gateway.networking.k8s.io_httproutes.yaml "$CRDS/"
  chmod u+w "$CRDS"/*.yaml
fi

STAMP=$BIN/.built-$K8S_VERSION
if [[ -x $BIN/kube-apiserver && -x $BIN/etcd && -f $STAMP ]]; then
  echo "kube-apiserver $K8S_VERSION + etcd up to date in $BIN"; exit 0
fi

# 1. The wrapper module: require k8s.io/kubernetes, replace the staging modules.
W=$CACHE/src/kapiwrap-$K8S_VERSION
mkdir -p "$W"
KMOD=$(cd "$W" && GOFLAGS= go mod download -json "k8s.io/kubernetes@$K8S_VERSION" \
        | sed -n 's/^\s*"GoMod": "\(.*\)",\?$/\1/p')
{
  printf 'module kapiwrap\n\ngo %s\n\nrequire k8s.io/kubernetes %s\n\nreplace (\n' \
    "$(sed -n 's/^go //p' "$KMOD")" "$K8S_VERSION"
  sed -n '/^replace (/,/^)/p' "$KMOD" | awk -v v="$STAGING_VERSION" \
    '$2 == "=>" && $3 ~ /^\.\/staging/ {print "\t" $1 " => " $1 " " v}'
  printf ')\n'
} > "$W/go.mod"

# 2. Build; the version stamps make /version report the real release.
MINOR=${K8S_VERSION#v1.}; MINOR=${MINOR%%.*}
LD="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  LD+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$MINOR -X $p.gitTreeState=clean"
done
cd "$W"
start=$(date +%s)
echo "building kube-apiserver $K8S_VERSION from Go modules (8-11 min on 2 cores when cold) ..."
go build -ldflags "$LD" -o "$BIN/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
echo "building etcd (the version k8s $K8S_VERSION depends on) ..."
go build -ldflags "-s -w" -o "$BIN/etcd" go.etcd.io/etcd/server/v3
touch "$STAMP"
echo "built in $(( $(date +%s) - start )) s: $("$BIN/kube-apiserver" --version)"
