#!/usr/bin/env bash
# The README's test command. Starts moto server (an independent ELBv2 + Route 53 implementation)
# and a real Prometheus (Debian's package, installed if missing, loaded with known series) on
# 127.0.0.1 on free ports, runs the build with their endpoints, and stops them afterwards.
#   ./scripts/test.sh                          # everything: mvn -B install (= verify + local install), then the BOM check
#   ./scripts/test.sh -pl bluegreen-aws -am    # extra arguments go to Maven (mvn -B verify ...)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/moto.sh
. scripts/lib/prometheus.sh

ensure_venv
start_moto
ensure_prometheus
start_prometheus
if [ $# -eq 0 ]; then
  # install, not just verify: the BOM check builds a consumer against the installed artifacts
  mvn -B install
  ./scripts/check-bom.sh
else
  mvn -B verify "$@"
fi
