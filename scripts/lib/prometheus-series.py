#!/usr/bin/env python3
"""Writes the deterministic series the Prometheus gate tests read (OpenMetrics, for
`promtool tsdb create-blocks-from openmetrics`). Keep in step with
bluegreen-prometheus/src/test/java/io/bluegreen/prometheus/BackfilledSeries.java.

Time base: T0 = 2025-01-06T00:00:00Z (on a 2 h block boundary). Samples every 15 s from
T0 - 30 min to T0 + 2 h. Counters: bluegreen_test_requests_total{scenario, env, status}.

  healthy  green and blue: 20 req/s answered 200, the status="500" counter flat at 0
  spike    as healthy until T0 + 405 s; from then on green also counts 10 req/s of 500s
  late     green's series start only at T0 + 60 s (before that: an empty vector)
  idle     green's counters never move (rate 0: the ratio is 0/0 = NaN)
  (nodata: no series at all)
Gauge: bluegreen_test_dup{scenario="dup", replica} = 0.001; replica "a" always, replica "b" from
T0 + 360 s, so `vector(1) * on() bluegreen_test_dup{...}` errors (duplicate series) from then on.
"""
import sys

T0 = 1736121600
STEP = 15
START = T0 - 30 * 60
END = T0 + 2 * 3600
SPIKE_AT = T0 + 405
LATE_FROM = T0 + 60
DUP_FROM = T0 + 360


def times(start=START):
    t = start
    while t <= END:
        yield t
        t += STEP


def main(out):
    out.write("# HELP bluegreen_test_requests Requests answered, by scenario, environment and status.\n")
    out.write("# TYPE bluegreen_test_requests counter\n")
    for scenario in ("healthy", "spike", "late", "idle"):
        for env in ("blue", "green"):
            for status in ("200", "500"):
                if scenario == "late" and env == "blue":
                    continue
                first = LATE_FROM if scenario == "late" else START
                labels = 'scenario="%s",env="%s",status="%s"' % (scenario, env, status)
                for t in times(first):
                    elapsed = t - first
                    if scenario == "idle":
                        value = 1000 if status == "200" else 0
                    elif status == "200":
                        value = 20 * elapsed
                    elif scenario == "spike" and env == "green" and t >= SPIKE_AT:
                        value = 10 * (t - SPIKE_AT + STEP)
                    else:
                        value = 0
                    out.write("bluegreen_test_requests_total{%s} %d %d\n" % (labels, value, t))
    out.write("# HELP bluegreen_test_dup A gauge that gets a second series part-way.\n")
    out.write("# TYPE bluegreen_test_dup gauge\n")
    for replica, first in (("a", START), ("b", DUP_FROM)):
        for t in times(first):
            out.write('bluegreen_test_dup{scenario="dup",replica="%s"} 0.001 %d\n' % (replica, t))
    out.write("# EOF\n")


if __name__ == "__main__":
    main(sys.stdout)
