package io.bluegreen.benchmarks;

import io.bluegreen.core.Environment;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.HealthGate;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.Sleeper;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.WriteGuard;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.core.lock.InProcessRouteLock;
import io.bluegreen.testkit.InMemoryRouter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Prints what the engine itself costs, on the real clock, against an {@link InMemoryRouter} with
 * injected latency:
 * <ul>
 *   <li>engine overhead per stage: plan wall time minus the time spent inside router calls, per
 *       stage (goal: under 1 ms median);</li>
 *   <li>rollback latency: from the moment a gate returns UNHEALTHY to the rollback write starting,
 *       and to the rollback being verified (goal for the write: under one router round trip + 10 ms).</li>
 * </ul>
 *
 * <pre>{@code
 * ./scripts/bench.sh engine                      # or:
 * mvn -B -q -pl benchmarks -am install -DskipTests && java -cp ... io.bluegreen.benchmarks.EngineBenchmark --latency-ms 50
 * }</pre>
 */
public final class EngineBenchmark {

  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");

  /** Figures of one benchmark run. */
  public record Figures(int runs, int stagesPerPlan, long latencyMillis, double overheadMedianMicros, double overheadP90Micros,
      double unhealthyToWriteMedianMillis, double unhealthyToWriteMaxMillis, double unhealthyToVerifiedMedianMillis,
      double routerCallsPerStage) {
  }

  private EngineBenchmark() {
  }

  /**
   * @param args {@code --latency-ms N} (default 50), {@code --runs N} (default 20), {@code --stages N} (default 10), {@code --warmup N} (default 30);
   *     anything else is rejected with the usage
   */
  public static void main(String[] args) {
    Map<String, Integer> flags = Flags.parseOrExit("engine", args,
        Flags.flag("--latency-ms", 50, "router latency per call, ms"),
        Flags.flag("--runs", 20, "measured runs"),
        Flags.flag("--stages", 10, "stages per plan"),
        Flags.flag("--warmup", 30, "unmeasured runs first"),
        Flags.flag("--guard", 0, "the router's write guard: 0 ENGINE (read, write, verify), 1 READ_THEN_WRITE, 2 CONDITIONAL (K8s-like)"));
    int latency = flags.get("--latency-ms");
    int runs = flags.get("--runs");
    int stages = flags.get("--stages");
    int warmup = flags.get("--warmup");
    int guardFlag = flags.get("--guard");
    if (guardFlag < 0 || guardFlag >= WriteGuard.values().length) {
      System.err.println("engine: --guard must be 0, 1 or 2, not " + guardFlag);
      System.exit(2);
    }
    WriteGuard guard = WriteGuard.values()[guardFlag];
    System.out.printf(Locale.ROOT, "engine benchmark: InMemoryRouter with %d ms latency per call, write guard %s, %d runs (+%d warm-up),"
        + " %d stages per plan%n", latency, guard, runs, warmup, stages);
    System.out.printf(Locale.ROOT, "machine: %d cores, Java %s, %s%n", Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"), System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    Figures f = run(Duration.ofMillis(latency), runs, stages, warmup, guard);
    print(f, guard);
  }

  /** Prints figures as a small table. */
  static void print(Figures f, WriteGuard guard) {
    int roundTrips = guard == WriteGuard.ENGINE ? 3 : guard == WriteGuard.READ_THEN_WRITE ? 2 : 1;
    double rtt = f.latencyMillis();
    System.out.printf(Locale.ROOT, "%-52s %10s %10s %s%n", "figure", "median", "p90/max", "goal");
    System.out.printf(Locale.ROOT, "%-52s %8.1fus %8.1fus %s%n", "engine overhead per stage (beyond router latency)",
        f.overheadMedianMicros(), f.overheadP90Micros(), "< 1000us median " + verdict(f.overheadMedianMicros() < 1000));
    System.out.printf(Locale.ROOT, "%-52s %8.1fms %8.1fms %s%n", "UNHEALTHY gate result -> rollback write starts",
        f.unhealthyToWriteMedianMillis(), f.unhealthyToWriteMaxMillis(),
        String.format(Locale.ROOT, "< %.0fms (1 round trip + 10ms) %s", rtt + 10, verdict(f.unhealthyToWriteMedianMillis() < rtt + 10)));
    double beyond = f.unhealthyToVerifiedMedianMillis() - roundTrips * rtt;
    System.out.printf(Locale.ROOT, "%-52s %8.1fms %10s %s%n", "UNHEALTHY gate result -> rollback verified",
        f.unhealthyToVerifiedMedianMillis(), "", String.format(Locale.ROOT, "%d round trip%s + %.2f ms (%.2f round trips)%s", roundTrips,
            roundTrips == 1 ? "" : "s", beyond, f.unhealthyToVerifiedMedianMillis() / rtt,
            guard == WriteGuard.CONDITIONAL ? "; goal 1 round trip + < 1 ms " + verdict(beyond < 1) : ""));
    System.out.printf(Locale.ROOT, "%-52s %10.1f%n", "router calls per stage", f.routerCallsPerStage());
  }

  private static String verdict(boolean ok) {
    return ok ? "MET" : "NOT MET";
  }

  /**
   * Runs both measurements.
   *
   * @param latency router latency per call
   * @param runs measured runs
   * @param stages stages per plan in the overhead measurement
   * @param warmup unmeasured runs first
   * @return the figures
   */
  public static Figures run(Duration latency, int runs, int stages, int warmup) {
    return run(latency, runs, stages, warmup, WriteGuard.ENGINE);
  }

  /**
   * Runs both measurements on an in-memory router with the given write guard.
   *
   * @param latency router latency per call
   * @param runs measured runs
   * @param stages stages per plan in the overhead measurement
   * @param warmup unmeasured runs first
   * @param guard the in-memory router's write guard (CONDITIONAL: a K8s-like backend)
   * @return the figures
   */
  public static Figures run(Duration latency, int runs, int stages, int warmup, WriteGuard guard) {
    List<Double> overhead = new ArrayList<>();
    double callsPerStage = 0;
    for (int i = 0; i < warmup + runs; i++) {
      InMemoryRouter memory = InMemoryRouter.builder().routeId("bench/overhead-" + i).environments(BLUE, GREEN)
          .latency(latency, Sleeper.system()).writeGuard(guard).build();
      TimedRouter router = new TimedRouter(memory);
      SwitchPlan plan = SwitchPlan.builder().name("overhead").router(router).from(BLUE).to(GREEN)
          .schedule(StageSchedule.linear(100 / stages, Duration.ZERO))
          .gate(HealthGate.of("in-memory", ctx -> GateResult.healthy()))
          .lock(new InProcessRouteLock()).defaultLogging(false).build();
      long t0 = System.nanoTime();
      SwitchResult r = plan.execute();
      long wall = System.nanoTime() - t0;
      check(r, Outcome.COMPLETED);
      if (i >= warmup) {
        int stageCount = plan.schedule().size();
        overhead.add((wall - router.insideNanos()) / 1_000.0 / stageCount);
        callsPerStage = (router.calls() - 3.0) / stageCount; // minus snapshot read, preflight and the final read
      }
    }

    List<Double> toWrite = new ArrayList<>();
    List<Double> toVerified = new ArrayList<>();
    for (int i = 0; i < warmup + runs; i++) {
      InMemoryRouter memory = InMemoryRouter.builder().routeId("bench/rollback-" + i).environments(BLUE, GREEN)
          .latency(latency, Sleeper.system()).writeGuard(guard).build();
      TimedRouter router = new TimedRouter(memory);
      router.watchApplyOf(TrafficSplit.allTo(BLUE, GREEN));
      AtomicLong unhealthyAt = new AtomicLong();
      AtomicLong rolledBackAt = new AtomicLong();
      AtomicInteger checks = new AtomicInteger();
      HealthGate gate = HealthGate.of("breaks-on-third-check", ctx -> {
        if (checks.incrementAndGet() < 3) {
          return GateResult.healthy();
        }
        unhealthyAt.set(System.nanoTime());
        return GateResult.unhealthy("injected failure");
      });
      SwitchPlan plan = SwitchPlan.builder().name("rollback").router(router).from(BLUE).to(GREEN)
          .schedule(StageSchedule.canary(50, Duration.ofSeconds(30))).gate(gate).gateInterval(Duration.ofMillis(5))
          .listener(e -> {
            if (e instanceof SwitchEvent.RollbackCompleted) {
              rolledBackAt.set(System.nanoTime());
            }
          })
          .lock(new InProcessRouteLock()).defaultLogging(false).build();
      check(plan.execute(), Outcome.ROLLED_BACK);
      if (i >= warmup) {
        toWrite.add((router.watchedApplyStartNanos() - unhealthyAt.get()) / 1e6);
        toVerified.add((rolledBackAt.get() - unhealthyAt.get()) / 1e6);
      }
    }
    return new Figures(runs, stages, latency.toMillis(), percentile(overhead, 50), percentile(overhead, 90),
        percentile(toWrite, 50), percentile(toWrite, 100), percentile(toVerified, 50), callsPerStage);
  }

  private static void check(SwitchResult r, Outcome expected) {
    if (r.outcome() != expected) {
      throw new IllegalStateException("benchmark plan ended " + r.summary() + ", expected " + expected);
    }
  }

  static double percentile(List<Double> values, int p) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
  }
}
