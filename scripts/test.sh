#!/usr/bin/env bash
# The README's test command. Starts moto server (an independent ELBv2 + Route 53 implementation)
# on 127.0.0.1 on a free port, runs the build with its endpoint, and stops it afterwards.
#   ./scripts/test.sh                          # everything: mvn -B install (= verify + local install), then the BOM check
#   ./scripts/test.sh -pl bluegreen-aws -am    # extra arguments go to Maven (mvn -B verify ...)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/moto.sh

ensure_venv
start_moto
if [ $# -eq 0 ]; then
  # install, not just verify: the BOM check builds a consumer against the installed artifacts
  mvn -B install
  ./scripts/check-bom.sh
else
  mvn -B verify "$@"
fi
