#!/usr/bin/env bash
# The README's test command. Starts moto server (an independent ELBv2 + Route 53 implementation)
# on 127.0.0.1 on a free port, runs `mvn -B verify` with its endpoint, and stops it afterwards.
#   ./scripts/test.sh                          # everything
#   ./scripts/test.sh -pl bluegreen-aws -am    # extra arguments go to Maven
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/moto.sh

ensure_venv
start_moto
mvn -B verify "$@"
