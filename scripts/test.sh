#!/usr/bin/env bash
# The README's test command. Starts moto server (an independent ELBv2 + Route 53 implementation),
# a real Prometheus (Debian's package, installed if missing, loaded with known series) and a real
# kube-apiserver + etcd (built once from Go modules, cached in ~/.cache/bluegreen-kube: scripts/kube/)
# on 127.0.0.1 on free ports, runs the build with their endpoints, and stops them afterwards.
#   ./scripts/test.sh                          # everything: mvn -B install (= verify + local install), the BOM check,
#                                              # and docs/RELIABILITY.md checked against this run's evidence
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
  # the tests record evidence for this run only (io.bluegreen.testkit.EvidenceLog); the report below refuses any other
  run_id="$(date -u +%Y%m%dT%H%M%SZ)-$$"
  mkdir -p target && echo "$run_id" > target/evidence-run
  # install, not just verify: the BOM check builds a consumer against the installed artifacts
  mvn -B install -Dbluegreen.evidence.run="$run_id"
  ./scripts/check-bom.sh
  # docs/RELIABILITY.md must be what this run's evidence says: fails with a diff when it is stale
  python3 scripts/reliability-report.py --run "$run_id" --check
else
  mvn -B verify "$@"
fi
