#!/usr/bin/env bash
# Proves bluegreen-bom is enough: builds a consumer project that imports only the BOM and uses EVERY
# published module, against what `mvn install` put in the local repository, with maven-enforcer's
# dependencyConvergence on (one version of every library, without any pinning of the consumer's).
#
# Adding a module: list it in bluegreen-bom/pom.xml, then add a <dependency> on it to
# bluegreen-bom/src/it/consumer/pom.xml and use one of its classes in UsesEveryModule.java.
# This script fails, naming what is missing, when a published module of the reactor is not in the BOM
# or a module of the BOM is not used by the consumer.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
consumer="$root/bluegreen-bom/src/it/consumer"

python3 - "$root" <<'PY'
import os, sys, xml.etree.ElementTree as ET
root = sys.argv[1]
NS = {"m": "http://maven.apache.org/POM/4.0.0"}
def pom(path):
    return ET.parse(path).getroot()
def text(el, path):
    found = el.find(path, NS)
    return found.text.strip() if found is not None and found.text else None

parent = pom(os.path.join(root, "pom.xml"))
published = []
for module in parent.findall("m:modules/m:module", NS):
    name = module.text.strip()
    p = pom(os.path.join(root, name, "pom.xml"))
    if p.find("m:packaging", NS) is not None and text(p, "m:packaging") == "pom":
        continue  # the BOM itself and other pom-only modules
    if text(p, "m:properties/m:maven.deploy.skip") == "true":
        continue  # examples, benchmarks
    published.append(text(p, "m:artifactId"))

bom = pom(os.path.join(root, "bluegreen-bom", "pom.xml"))
in_bom = [text(d, "m:artifactId") for d in bom.findall("m:dependencyManagement/m:dependencies/m:dependency", NS)]
consumer = pom(os.path.join(root, "bluegreen-bom", "src", "it", "consumer", "pom.xml"))
used = [text(d, "m:artifactId") for d in consumer.findall("m:dependencies/m:dependency", NS)]
source = open(os.path.join(root, "bluegreen-bom", "src", "it", "consumer", "src", "main", "java", "consumer",
                           "UsesEveryModule.java"), encoding="utf-8").read()

problems = []
for a in published:
    if a not in in_bom:
        problems.append(f"{a} is published but not listed in bluegreen-bom/pom.xml: add it to its dependencyManagement")
for a in in_bom:
    if a not in used:
        problems.append(f"{a} is in the BOM but the consumer does not use it: add a <dependency> on it to "
                        "bluegreen-bom/src/it/consumer/pom.xml and use one of its classes in UsesEveryModule.java")
    elif a != "bluegreen-testkit" and f"io.bluegreen.{a.removeprefix('bluegreen-')}." not in source:
        problems.append(f"UsesEveryModule.java uses no class of {a} (package io.bluegreen.{a.removeprefix('bluegreen-')}): "
                        "reference one, so that the check compiles against it")
if problems:
    sys.exit("check-bom: " + "\ncheck-bom: ".join(problems))
print("check-bom: modules " + ", ".join(in_bom))
PY

version=$(grep -m1 -o "<version>[^<]*</version>" "$root/pom.xml" | sed "s/<[^>]*>//g")
cd "$consumer"
trap 'rm -rf target' EXIT
# validate runs the enforcer (dependencyConvergence) first; package compiles the consumer; the classpath is for running it
mvn -B -q -Dbluegreen.version="$version" package dependency:build-classpath -Dmdep.outputFile=target/cp.txt
java -cp "target/bom-consumer-1.jar:$(cat target/cp.txt)" consumer.UsesEveryModule >/dev/null
echo "check-bom: a consumer importing only bluegreen-bom $version uses every module, passes dependencyConvergence and runs"
