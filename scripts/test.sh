#!/usr/bin/env bash
# The README's test command. Starts moto server (an independent ELBv2 + Route 53 implementation),
# a real Prometheus (Debian's package, installed if missing, loaded with known series) and a real
# kube-apiserver + etcd (built once from Go modules, cached in ~/.cache/bluegreen-kube: scripts/kube/)
# on 127.0.0.1 on free ports, runs the build with their endpoints, and stops them afterwards.
#   ./scripts/test.sh                          # everything: mvn -B install (= verify + local install), then the BOM check
#   ./scripts/test.sh -pl bluegreen-aws -am    # extra arguments go to Maven (mvn -B verify ...)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/moto.sh
. scripts/lib/prometheus.sh
. scripts/kube/kube.sh

ensure_venv
start_moto
ensure_prometheus
start_prometheus
start_kube
if [ $# -eq 0 ]; then
  # install, not just verify: the BOM check builds a consumer against the installed artifacts
  mvn -B install
  ./scripts/check-bom.sh
else
  mvn -B verify "$@"
fi
