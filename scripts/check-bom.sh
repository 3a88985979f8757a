#!/usr/bin/env bash
# Proves bluegreen-bom is enough: builds a consumer project that imports only the BOM and uses every
# published module, against what `mvn install` put in the local repository.
set -euo pipefail
cd "$(dirname "$0")/../bluegreen-bom/src/it/consumer"
version=$(grep -m1 -o "<version>[^<]*</version>" ../../../../pom.xml | sed "s/<[^>]*>//g")
trap 'rm -rf target' EXIT
mvn -B -q -Dbluegreen.version="$version" package dependency:build-classpath -Dmdep.outputFile=target/cp.txt
java -cp "target/bom-consumer-1.jar:$(cat target/cp.txt)" consumer.UsesEveryModule >/dev/null
echo "check-bom: a consumer importing only bluegreen-bom $version compiles and runs against every module"
