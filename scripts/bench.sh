#!/usr/bin/env bash
# Runs a benchmark harness and prints its figures (nothing here is a pass/fail test).
#   ./scripts/bench.sh engine [--latency-ms 50 --runs 20 --stages 10]
#   ./scripts/bench.sh fleet  [--plans 1000 --threads 64 --latency-ms 20]
#   ./scripts/bench.sh awscli [--only a|b] [--runs 5]   # needs Python 3: installs moto + awscli into .venv, starts ONE moto
#       (a) library in this JVM vs a loop of `aws elbv2 modify-listener`; (b) a whole `java` process per
#       switch vs that loop and vs a loop making the library's calls; default: both, on the same moto
#   ./scripts/bench.sh rollback [--backend all|memory|k8s-mock|alb-moto --runs 20 --warmup 20]  # all, alb-moto: starts moto
set -euo pipefail
cd "$(dirname "$0")/.."
which="${1:-engine}"
[ $# -gt 0 ] && shift
case "$which" in
  engine) main=io.bluegreen.benchmarks.EngineBenchmark ;;
  fleet)  main=io.bluegreen.benchmarks.FleetBenchmark ;;
  awscli)
    main=io.bluegreen.benchmarks.AwsCliComparison
    . scripts/lib/moto.sh
    ensure_venv "awscli==1.46.3"
    export MOTO_RECORDER_FILEPATH="$PWD/target/moto-recording.jsonl"  # the harness counts requests with moto's recorder
    start_moto
    export BLUEGREEN_AWS_CLI="$VENV/bin/aws" BLUEGREEN_MOTO_VERSION="$MOTO_VERSION"
    ;;
  rollback)
    main=io.bluegreen.benchmarks.RollbackBenchmark
    case " $* " in
      *" --backend memory "*|*" --backend k8s-mock "*|*" --help "*) ;;
      *) . scripts/lib/moto.sh; ensure_venv; start_moto ;;
    esac
    ;;
  *) echo "usage: $0 engine|fleet|rollback|awscli [args]" >&2; exit 2 ;;
esac
# the benchmarks module writes its runtime classpath to target/classpath.txt at package (benchmarks/pom.xml);
# offline first (everything is in ~/.m2 once the test command has run), online only if that fails
build=(-B -q -pl benchmarks -am package -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true)
mvn -o "${build[@]}" 2>/dev/null || mvn "${build[@]}"
"${JAVA:-java}" -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" "$main" "$@"
