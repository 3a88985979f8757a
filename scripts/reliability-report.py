#!/usr/bin/env python3
"""Builds docs/RELIABILITY.md from the evidence of ONE test run, and refuses stale or partial input.

Tests in classes annotated @Evidence(backend = ...) record rows through io.bluegreen.testkit.EvidenceLog
and FaultMatrix; a row is written only when its test passed, into <module>/target/reliability/<class>.tsv,
whose first line names the run (the system property bluegreen.evidence.run, which scripts/test.sh sets)
and whose last line counts the class's passed/failed/aborted/skipped tests.

The report is built only if, for EVERY test class annotated @Evidence in the sources:
  - its evidence file is from this run and complete (its closing line is there: the class finished),
    with every test passed and none failed, aborted or skipped;
  - its surefire XML report is from this run too (it carries the run's bluegreen.evidence.run) and says
    the same: as many tests, no failure, no error, nothing skipped;
  - every fault matrix (a class named *FaultMatrixTest) is complete: every router meets every fault at every
    point, once and persistent; other classes may record a chosen subset of cells, and the report says so.
Every figure in the output is computed from the rows; nothing in it varies from one passing run to the
next (no dates, timings or machine facts; figures that vary show what the test asserted, and their
measured values go to the run's own report, target/RELIABILITY-run.md).

  python3 scripts/reliability-report.py [--run ID]            # write docs/RELIABILITY.md
  python3 scripts/reliability-report.py [--run ID] --check    # CI: fail, with a diff, if the committed file differs
Without --run, the run is the one scripts/test.sh last started (target/evidence-run).
"""
import argparse
import collections
import difflib
import glob
import os
import re
import sys
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(ROOT, "docs", "RELIABILITY.md")
POINTS = ["FIRST_READ", "STAGE_WRITE", "ROLLBACK_WRITE"]
PERSISTENCES = ["ONCE", "PERSISTENT"]
REGENERATE = ("run ./scripts/test.sh (the whole build: it records the evidence and writes target/RELIABILITY.md), then "
              "cp target/RELIABILITY.md docs/RELIABILITY.md and commit it")


class Refused(Exception):
    pass


def evidence_classes():
    """(module, fully qualified class) of every test class annotated @Evidence, from the sources."""
    found = []
    for path in sorted(glob.glob(os.path.join(ROOT, "*", "src", "test", "java", "**", "*.java"), recursive=True)):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if not re.search(r"^@Evidence\(", text, re.M):
            continue
        package = re.search(r"^package ([\w.]+);", text, re.M).group(1)
        module = os.path.relpath(path, ROOT).split(os.sep)[0]
        found.append((module, package + "." + os.path.basename(path)[:-len(".java")]))
    return found


def read_class(module, cls, run):
    path = os.path.join(ROOT, module, "target", "reliability", cls + ".tsv")
    rel = os.path.relpath(path, ROOT)
    if not os.path.exists(path):
        raise Refused(f"{cls} ({module}) recorded no evidence: {rel} is missing (did the class run?)")
    with open(path, encoding="utf-8") as f:
        lines = [l.rstrip("\n").split("\t") for l in f if l.strip()]
    head = lines[0] if lines else []
    if len(head) < 4 or head[0] != "run":
        raise Refused(f"{rel} has no run line: it is not from this build's EvidenceLog (delete it: mvn clean)")
    if head[1] != run:
        raise Refused(f"{rel} is from run {head[1]}, not from the current run {run}: stale")
    end = lines[-1]
    if end[0] != "end":
        raise Refused(f"{rel} has no closing line: the class did not finish in run {run}")
    passed, failed, aborted, skipped = (int(x) for x in end[1:5])
    if failed or aborted or skipped or not passed:
        raise Refused(f"{cls}: {passed} passed, {failed} failed, {aborted} aborted, {skipped} skipped in run {run}: "
                      "only a run in which every test of the class passed can back the report")
    xml = os.path.join(ROOT, module, "target", "surefire-reports", "TEST-" + cls + ".xml")
    if not os.path.exists(xml):
        raise Refused(f"{cls}: no surefire report ({os.path.relpath(xml, ROOT)})")
    suite = ET.parse(xml).getroot()
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    if props.get("bluegreen.evidence.run") != run:
        raise Refused(f"{os.path.relpath(xml, ROOT)} is from run {props.get('bluegreen.evidence.run')!r}, not {run}: stale")
    tests, failures, errors, skips = (int(suite.get(k, "0")) for k in ("tests", "failures", "errors", "skipped"))
    if failures or errors or skips or tests != passed:
        raise Refused(f"{cls}: surefire says {tests} tests, {failures} failures, {errors} errors, {skips} skipped; "
                      f"the evidence file says {passed} passed")
    return {"module": module, "class": cls, "backend": head[3], "passed": passed, "rows": lines[1:-1]}


def fault_rows(sources):
    rows = []
    for s in sources:
        for r in s["rows"]:
            if r[0] == "fault":
                (router, fault, point, persistence, landed, expected, outcome, traffic, verified, writes, retries,
                 forward, rollback, write_attempts) = r[1:15]
                rows.append(dict(source=s, router=router, fault=fault, point=point, persistence=persistence,
                                 landed=landed == "landed", expected=expected, outcome=outcome, traffic=traffic,
                                 verified=verified == "true", writes=int(writes), retries=int(retries),
                                 write_attempts=int(write_attempts), forward=forward, rollback=rollback))
    return rows


def check_complete(faults):
    by_router = collections.defaultdict(list)
    for r in faults:
        if not r["landed"] and r["source"]["class"].endswith("FaultMatrixTest"):
            by_router[(r["source"]["class"], r["router"])].append(r)
    for (cls, router), rows in sorted(by_router.items()):
        seen = collections.Counter((r["fault"], r["point"], r["persistence"]) for r in rows)
        dup = [k for k, n in seen.items() if n > 1]
        if dup:
            raise Refused(f"{cls}: {router} has cells recorded twice: {dup}")
        # a fault label may name the point it hit ("... (stage 1 of 1: atomic router)"): group by its stem
        stems = collections.defaultdict(set)
        for fault, point, persistence in seen:
            stems[re.sub(r" \(stage 1 of 1: atomic router\)$", "", fault)].add((point, persistence))
        for stem, cells in sorted(stems.items()):
            missing = [(p, q) for p in POINTS for q in PERSISTENCES if (p, q) not in cells]
            if missing:
                raise Refused(f"{cls}: the matrix is incomplete: {router} / {stem} lacks {missing}")


def md(text):
    return text.replace("|", "\\|")


def traffic(r):
    return "unchanged (could not be read)" if r["traffic"] == "UNKNOWN" else r["traffic"]


def attempts(r):
    if not r["forward"]:
        return "not recorded"
    return f"{r['forward']} / {r['rollback']}"


def short(cls):
    return cls.rsplit(".", 1)[1]


def report(sources, measured):
    faults = fault_rows(sources)
    check_complete(faults)
    bad = [(s, r) for s in sources for r in s["rows"] if r[0] == "bad-input"]
    figures = [(s, r) for s in sources for r in s["rows"] if r[0] == "figure"]
    o = []
    o.append("# Reliability evidence\n")
    o.append("Generated by `scripts/reliability-report.py` from the evidence of one run of the whole build "
             "(`./scripts/test.sh`), never typed by hand. A row exists only if the test that recorded it passed "
             "(`@Evidence`, `io.bluegreen.testkit.EvidenceLog`); the script refuses to build this page unless every "
             "test class that records evidence ran in that same run and passed entirely (its own evidence file and its "
             "surefire report, both stamped with the run), and every fault matrix is complete. CI rebuilds this page "
             "and fails when the committed one differs. To refresh it: " + REGENERATE + ".\n")
    o.append("Nothing here varies between passing runs: figures that do (request counts, rates) show what the test "
             "asserted; the values measured in a run are in that run's `target/RELIABILITY-run.md`.\n")

    o.append("## Where the evidence comes from\n")
    o.append("| test class | module | backend | tests passed | rows |")
    o.append("|---|---|---|---|---|")
    for s in sources:
        o.append(f"| {short(s['class'])} | {s['module']} | {md(s['backend'])} | {s['passed']} | {len(s['rows'])} |")
    o.append("")

    if faults:
        o.append("## Fault matrix\n")
        o.append("Every router, every fault, injected once or persistently at three points of a plan (target weights "
                 "10, 50, 100; a gate fails in stage 2 for the rollback cells; the atomic Kubernetes routers have one "
                 "stage, so their stage and rollback cells use stage 1). Expected: a fault injected once is absorbed by "
                 "a retry (COMPLETED, or ROLLED_BACK for the rollback cells); a persistent fault at the first read stops "
                 "the plan before any write (ABORTED, and the result says traffic is UNKNOWN and nothing was written), "
                 "at a stage write ends ROLLED_BACK, and at the rollback write ends ROLLBACK_FAILED with the split last "
                 "read. COMPLETED and ROLLED_BACK end on a verified split. A faulted request never reaches the backend, "
                 "so the faulted write did not land, except in the cells marked \"landed\": there the write was applied "
                 "and only its reply was lost (a reply later than the call's timeout), and the retry must find the split "
                 "in place. \"writes\" counts the writes that reached the backend (SwitchResult.writes()), \"write attempts\" "
                 "every write the plan tried, failed and refused ones included (SwitchResult.writeAttempts()); \"retries\" the "
                 "retries the plan scheduled; \"attempts\" the retry policies' maximum attempts (forward / rollback).\n")
        o.append("| matrix | backend | routers | cells | complete | of which a write landed | attempts (forward / rollback) | outcomes |")
        o.append("|---|---|---|---|---|---|---|---|")
        for s in sources:
            rows = [r for r in faults if r["source"] is s]
            if not rows:
                continue
            policies = collections.Counter((attempts(r), r["persistence"]) for r in rows)
            pol = "; ".join(f"{a} ({p.lower()} cells)" for (a, p), _ in sorted(policies.items(), key=lambda kv: (kv[0][1], kv[0][0])))
            outcomes = collections.Counter(r["outcome"] for r in rows)
            o.append(f"| {short(s['class'])} | {md(s['backend'])} | {', '.join(sorted({r['router'] for r in rows}))} | "
                     f"{len(rows)} | {'every fault x point x once/persistent' if s['class'].endswith('FaultMatrixTest') else 'a chosen subset'} | "
                     f"{sum(r['landed'] for r in rows)} | {pol} | "
                     + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())) + " |")
        mismatches = sum(1 for r in faults if r["expected"] != r["outcome"])
        o.append("")
        o.append(f"{len(faults)} cells over {len({r['router'] for r in faults})} routers; cells not as expected: {mismatches}.\n")
        o.append("| matrix | router | fault | injected at | lasting | write | expected | outcome | traffic after | verified "
                 "| writes | write attempts | retries | attempts |")
        o.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        order = {p: i for i, p in enumerate(POINTS)}
        for r in sorted(faults, key=lambda r: (r["source"]["class"], r["router"], r["landed"], r["fault"], order[r["point"]],
                                               r["persistence"])):
            o.append(f"| {short(r['source']['class'])} | {md(r['router'])} | {md(r['fault'])} | {r['point']} | "
                     f"{r['persistence'].lower()} | {'landed' if r['landed'] else 'not landed'} | {r['expected']} | "
                     f"{r['outcome']} | {md(traffic(r))} | {'yes' if r['verified'] else 'no'} | {r['writes']} | "
                     f"{r['write_attempts']} | "
                     f"{r['retries']} | {attempts(r)} |")
        o.append("")

    if figures:
        o.append("## Figures\n")
        o.append("| figure | value | backend | measured by |")
        o.append("|---|---|---|---|")
        for s, r in figures:
            name, claim, value, how = r[1:5]
            o.append(f"| {md(name)} | {md(value if measured else claim)} | {md(s['backend'])} | {md(how)} |")
        o.append("")

    if bad:
        o.append("## Bad-input catalogue\n")
        counts = collections.Counter(int(r[4]) for _, r in bad)
        o.append("Each input is rejected with `InvalidConfigurationException` before anything reaches the backend; the "
                 "message is the library's own. \"requests\" is what the test counted at the backend (and at the "
                 "client) during the attempt. Requests counted, over all inputs: "
                 + ", ".join(f"{n} in {c} inputs" for n, c in sorted(counts.items())) + ".\n")
        per_module = collections.Counter(r[1] for _, r in bad)
        o.append(f"{len(bad)} inputs: " + ", ".join(f"{k} {v}" for k, v in sorted(per_module.items())) + ".\n")
        o.append("| module | input | message | requests | backend |")
        o.append("|---|---|---|---|---|")
        for s, r in bad:
            module, what, message, requests = r[1:5]
            o.append(f"| {module} | {md(what)} | {md(message)} | {requests} | {md(s['backend'])} |")
        o.append("")
    return "\n".join(o)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", help="the run id (default: target/evidence-run, written by scripts/test.sh)")
    ap.add_argument("--check", action="store_true", help="compare with docs/RELIABILITY.md instead of writing it")
    args = ap.parse_args()
    run = args.run
    if not run:
        marker = os.path.join(ROOT, "target", "evidence-run")
        if not os.path.exists(marker):
            sys.exit("reliability-report: no run given and no target/evidence-run: " + REGENERATE)
        with open(marker, encoding="utf-8") as f:
            run = f.read().strip()
    try:
        classes = evidence_classes()
        if not classes:
            raise Refused("no test class is annotated @Evidence")
        sources = [read_class(m, c, run) for m, c in classes]
        text = report(sources, measured=False)
        run_text = report(sources, measured=True)
    except Refused as e:
        sys.exit(f"reliability-report: refusing to build docs/RELIABILITY.md: {e}\nreliability-report: to refresh it: {REGENERATE}")
    os.makedirs(os.path.join(ROOT, "target"), exist_ok=True)
    with open(os.path.join(ROOT, "target", "RELIABILITY.md"), "w", encoding="utf-8") as f:
        f.write(text)
    with open(os.path.join(ROOT, "target", "RELIABILITY-run.md"), "w", encoding="utf-8") as f:
        f.write(run_text.replace("# Reliability evidence", f"# Reliability evidence of run {run} (measured values)", 1))
    summary = f"{sum(len(s['rows']) for s in sources)} rows from {len(sources)} test classes of run {run}"
    if not args.check:
        with open(DOC, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"reliability-report: wrote docs/RELIABILITY.md: {summary}")
        return
    committed = open(DOC, encoding="utf-8").read() if os.path.exists(DOC) else ""
    if committed != text:
        sys.stdout.writelines(difflib.unified_diff(committed.splitlines(True), text.splitlines(True),
                                                   "docs/RELIABILITY.md (committed)", "target/RELIABILITY.md (this run)"))
        sys.exit(f"\nreliability-report: docs/RELIABILITY.md differs from what this run's evidence says (diff above). "
                 f"To refresh it: {REGENERATE}")
    print(f"reliability-report: docs/RELIABILITY.md matches this run's evidence ({summary})")


if __name__ == "__main__":
    main()
