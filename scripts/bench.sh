#!/usr/bin/env bash
# Runs a benchmark harness and prints its figures (nothing here is a pass/fail test).
#   ./scripts/bench.sh engine [--latency-ms 50 --runs 20 --stages 10]
set -euo pipefail
cd "$(dirname "$0")/.."
which="${1:-engine}"
[ $# -gt 0 ] && shift
case "$which" in
  engine) main=io.bluegreen.benchmarks.EngineBenchmark ;;
  fleet)  main=io.bluegreen.benchmarks.FleetBenchmark ;;
  *) echo "usage: $0 engine|fleet [args]" >&2; exit 2 ;;
esac
mvn -B -q -pl benchmarks -am package -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true \
  dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
exec java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" "$main" "$@"
