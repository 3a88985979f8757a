# Sourced by scripts/test.sh: builds (once, cached in ~/.cache/bluegreen-kube) and starts a real
# kube-apiserver + etcd on 127.0.0.1, exports BLUEGREEN_KUBECONFIG, and stops it when the calling
# script exits. Under CI=true a failed build or start fails the run; elsewhere the real-server
# tests skip with a loud message. BLUEGREEN_KUBE=off skips it.
#   start_kube

start_kube() {
  local dir log
  dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  if [[ ${BLUEGREEN_KUBE:-on} == off ]]; then
    echo "BLUEGREEN_KUBE=off: not starting kube-apiserver (the real-server tests skip, or fail under CI=true)"
    return 0
  fi
  mkdir -p target
  log=target/kube-build.log
  if ! "$dir/build.sh" > "$log" 2>&1; then
    tail -20 "$log" >&2
    kube_unavailable "could not build kube-apiserver (see $log)"
    return $?
  fi
  tail -1 "$log"
  if ! BLUEGREEN_KUBECONFIG=$("$dir/start.sh" target/kube); then
    kube_unavailable "could not start kube-apiserver (see target/kube/kube-apiserver.log)"
    return $?
  fi
  export BLUEGREEN_KUBECONFIG
  # chain onto whatever EXIT trap is already set (moto's)
  local prev
  eval "set -- $(trap -p EXIT)"
  prev=${3:-}
  trap "\"$dir/stop.sh\" target/kube >/dev/null 2>&1${prev:+; $prev}" EXIT
}

kube_unavailable() {
  if [[ ${CI:-} == true ]]; then
    echo "CI=true and $1" >&2
    return 1
  fi
  echo "*** WARNING: $1: the real kube-apiserver tests will be SKIPPED ***" >&2
  return 0
}
