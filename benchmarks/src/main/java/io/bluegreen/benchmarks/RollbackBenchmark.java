package io.bluegreen.benchmarks;

import io.bluegreen.core.Environment;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.HealthGate;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.Router;
import io.bluegreen.core.Sleeper;
import io.bluegreen.core.Stage;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.WriteGuard;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.core.lock.InProcessRouteLock;
import io.bluegreen.testkit.InMemoryRouter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Prints how long an UNHEALTHY verdict takes to become a verified rollback, as a ratio to one round
 * trip of the same backend measured in the same run, and how many backend requests the rollback made:
 * <ul>
 *   <li>{@code memory}: an {@link InMemoryRouter} with real sleeps per call, write guard CONDITIONAL
 *       (K8s-like) or ENGINE; a round trip is one timed {@code current()} call;</li>
 *   <li>{@code k8s-mock}: the Service, Ingress and HTTPRoute routers on fabric8's mock server (CRUD mode,
 *       in process); a round trip is a GET of the object the router manages, through the same client;
 *       requests are the server's request log;</li>
 *   <li>{@code alb-moto}: the ALB listener router on moto server ({@code BLUEGREEN_MOTO_ENDPOINT}); a
 *       round trip is one DescribeListeners through the same client; requests are counted by an
 *       {@code ExecutionInterceptor} on that client.</li>
 * </ul>
 * The time is taken from {@code System.nanoTime()} in the gate just before it returns UNHEALTHY to
 * {@code System.nanoTime()} in the plan's listener on {@link SwitchEvent.RollbackCompleted} (emitted
 * once the rollback is verified); the requests are counted over the same window, and so is the time
 * spent inside the router's calls (a {@link TimedRouter} around every router), so that the window
 * minus that time is the engine's own part.
 *
 * <pre>{@code
 * ./scripts/bench.sh rollback                          # every backend, one JVM (starts moto)
 * ./scripts/bench.sh rollback --backend k8s-mock --runs 50 --warmup 50
 * }</pre>
 */
public final class RollbackBenchmark {

  static final Environment BLUE = Environment.of("blue");
  static final Environment GREEN = Environment.of("green");
  static final String[] BACKENDS = {"all", "memory", "k8s-mock", "alb-moto"};

  /** How often the plans' gate is polled (and the route read during a bake). */
  static final Duration GATE_INTERVAL = Duration.ofMillis(5);

  /** Round trips of the backend timed before each measured plan (pooled over the runs). */
  static final int ROUND_TRIPS_PER_RUN = 5;

  /**
   * One backend set up for the benchmark: a router whose route holds all-blue before every plan (a
   * rolled-back plan leaves it so), one round trip of that backend, and its request log.
   */
  interface Scene extends AutoCloseable {

    /** @return the row's name */
    String name();

    /** @return the router under test (shared by every run) */
    Router router();

    /** @return what one round trip is, e.g. "GET Service" */
    String roundTripName();

    /** Makes one round trip of the backend, as the router's own client does. */
    void roundTrip();

    /** @return what one write round trip is, e.g. "PUT Service (a twin)", or null when the scene times none */
    default String writeName() {
      return null;
    }

    /** Makes one write of the backend like the rollback's, to an object the plan does not use. */
    default void writeRoundTrip() {
    }

    /** @return backend requests so far */
    long requestCount();

    /** @return the requests numbered {@code from} (inclusive) to {@code to} (exclusive), described */
    List<String> requests(long from, long to);

    /** @return round trips an UNHEALTHY → verified rollback needs at the least on this backend */
    int roundTripsAtLeast();

    @Override
    void close();
  }

  /** Figures of one backend. */
  public record Figures(String backend, int runs, String roundTrip, double roundTripMedianMillis, double roundTripP90Millis,
      String write, double writeMedianMillis, double writeP90Millis,
      double medianMillis, double p90Millis, double maxMillis, double outsideRouterMedianMillis, double outsideRouterP90Millis,
      int roundTripsAtLeast, long requestsMin, long requestsMax, List<String> rollbackRequests, List<Outcome> outcomes) {

    /** @return median UNHEALTHY → verified over the median round trip */
    public double ratio() {
      return medianMillis / roundTripMedianMillis;
    }

    /** @return median UNHEALTHY → verified minus the round trips it needs at the least, ms */
    public double excessMillis() {
      return medianMillis - roundTripsAtLeast * roundTripMedianMillis;
    }

    /**
     * @return median UNHEALTHY → verified minus what its requests cost on their own: the reads before the
     *     write (round trips) and one write (its own median), ms; NaN when no write was timed
     */
    public double excessOverItsRequestsMillis() {
      return medianMillis - (roundTripsAtLeast - 1) * roundTripMedianMillis - writeMedianMillis;
    }
  }

  private RollbackBenchmark() {
  }

  /**
   * @param args {@code --backend all|memory|k8s-mock|alb-moto} (default all) and the flags {@link Flags} lists
   */
  public static void main(String[] args) {
    List<String> rest = new ArrayList<>(List.of(args));
    String backend = "all";
    int at = rest.indexOf("--backend");
    if (at >= 0) {
      if (at + 1 >= rest.size()) {
        exit("--backend needs a value: " + String.join("|", BACKENDS));
      }
      backend = rest.remove(at + 1);
      rest.remove(at);
    }
    if (!List.of(BACKENDS).contains(backend)) {
      exit("--backend " + backend + " is not one of " + String.join("|", BACKENDS));
    }
    Map<String, Integer> flags = Flags.parseOrExit("rollback [--backend " + String.join("|", BACKENDS) + "]",
        rest.toArray(String[]::new),
        Flags.flag("--runs", 20, "measured runs per backend"),
        Flags.flag("--warmup", 20, "unmeasured runs first, per backend"),
        Flags.flag("--fail-stage", 2, "the stage whose gate says UNHEALTHY (on its second check), weighted routers"),
        Flags.flag("--latency-ms", 20, "memory: the in-memory router's latency per call"),
        Flags.flag("--guard", 2, "memory: 0 ENGINE (read, write, verify), 1 READ_THEN_WRITE, 2 CONDITIONAL (K8s-like); all: 2 and 0"));
    int runs = flags.get("--runs");
    int warmup = flags.get("--warmup");
    int failStage = flags.get("--fail-stage");
    int guard = flags.get("--guard");
    if (runs < 1 || failStage < 1 || guard >= WriteGuard.values().length) {
      exit("--runs and --fail-stage must be 1 or more, --guard 0, 1 or 2");
    }
    Duration latency = Duration.ofMillis(flags.get("--latency-ms"));
    System.out.printf(Locale.ROOT, "rollback benchmark: %s, %d runs per backend (+%d warm-up), UNHEALTHY at the second gate check"
        + " of stage %d (stage 1 for the Service and Ingress routers, which switch at once)%n", backend, runs, warmup, failStage);
    System.out.printf(Locale.ROOT, "machine: %d cores, Java %s (%s), %s, load average %s%n", Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"), System.getProperty("java.vm.name"), System.getProperty("os.name") + " " + System.getProperty("os.arch"),
        loadAverage());
    List<Figures> all = new ArrayList<>();
    if (backend.equals("memory")) {
      all.add(measure(memory(latency, WriteGuard.values()[guard]), runs, warmup, failStage));
    }
    if (backend.equals("all")) {
      all.add(measure(memory(latency, WriteGuard.CONDITIONAL), runs, warmup, failStage));
      all.add(measure(memory(latency, WriteGuard.ENGINE), runs, warmup, failStage));
    }
    if (backend.equals("all") || backend.equals("k8s-mock")) {
      try (K8sMockScenes k8s = K8sMockScenes.start()) {
        for (Scene s : List.of(k8s.service(), k8s.ingress(), k8s.httpRoute())) {
          all.add(measure(s, runs, warmup, failStage));
        }
      }
    }
    if (backend.equals("all") || backend.equals("alb-moto")) {
      String endpoint = System.getenv("BLUEGREEN_MOTO_ENDPOINT");
      if (endpoint == null || endpoint.isBlank()) {
        exit("alb-moto needs a moto server: run ./scripts/bench.sh rollback (it starts one), or set BLUEGREEN_MOTO_ENDPOINT");
      }
      all.add(measure(AlbMotoScene.create(URI.create(endpoint)), runs, warmup, failStage));
    }
    print(all);
    System.out.printf(Locale.ROOT, "load average after: %s%n", loadAverage());
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static void exit(String message) {
    System.err.println("rollback: " + message);
    System.exit(2);
  }

  static String loadAverage() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
    } catch (java.io.IOException | RuntimeException e) {
      return "unknown";
    }
  }

  /** Prints the figures as a table, then the requests of one rollback per backend. */
  static void print(List<Figures> all) {
    System.out.printf(Locale.ROOT, "%-34s %-20s %9s %9s | %9s %9s %9s | %6s %-24s %8s | %-18s %s%n", "backend", "one round trip",
        "median", "p90", "median", "p90", "max", "ratio", "excess", "requests", "outside router", "one write median/p90, excess over its requests");
    for (Figures f : all) {
      String requests = f.requestsMin() == f.requestsMax() ? Long.toString(f.requestsMin()) : f.requestsMin() + "-" + f.requestsMax();
      String write = f.write() == null ? "-" : String.format(Locale.ROOT, "%s %.2fms / %.2fms, %+.2fms", f.write(), f.writeMedianMillis(),
          f.writeP90Millis(), f.excessOverItsRequestsMillis());
      System.out.printf(Locale.ROOT, "%-34s %-20s %7.2fms %7.2fms | %7.2fms %7.2fms %7.2fms | %5.2fx %+7.2fms over %d RT%s %8s | %.3f/%.3fms %s%n",
          f.backend(), f.roundTrip(), f.roundTripMedianMillis(), f.roundTripP90Millis(), f.medianMillis(), f.p90Millis(),
          f.maxMillis(), f.ratio(), f.excessMillis(), f.roundTripsAtLeast(), f.roundTripsAtLeast() == 1 ? " " : "s", requests,
          f.outsideRouterMedianMillis(), f.outsideRouterP90Millis(), write);
    }
    System.out.println("(UNHEALTHY -> rollback verified: from the gate returning UNHEALTHY to the RollbackCompleted event;"
        + " ratio: its median / the round trip's median; excess: its median minus the round trips the rollback needs at the least"
        + " (ALB: 2, DescribeListeners for the drift check, then ModifyListener); requests: backend requests in that window;"
        + " outside router calls: the window minus the time spent inside the router's calls, i.e. the engine's own time;"
        + " one write: a write like the rollback's to a twin object no plan uses, timed after a gate interval's sleep and a read as in"
        + " a plan, and the median minus"
        + " the reads before the write and that write)");
    for (Figures f : all) {
      System.out.printf(Locale.ROOT, "%s: one rollback's requests %s; outcomes %s%n", f.backend(), f.rollbackRequests(),
          f.outcomes().stream().distinct().toList());
    }
  }

  /**
   * Runs {@code warmup + runs} plans on {@code scene} whose gate says UNHEALTHY at the second check of
   * {@code failStage}, each measured run after {@link #ROUND_TRIPS_PER_RUN} timed round trips, then closes the scene.
   *
   * @param scene the backend
   * @param runs measured runs
   * @param warmup unmeasured runs first
   * @param failStage the stage that fails (clamped to the schedule's last stage; 1 on a router that is not weighted)
   * @return the figures
   * @throws IllegalStateException when a plan did not end ROLLED_BACK
   */
  public static Figures measure(Scene scene, int runs, int warmup, int failStage) {
    try (scene) {
      // the time spent inside the router's calls in the window is the backend's (and its client's); the rest is the engine's
      TimedRouter router = new TimedRouter(scene.router());
      boolean weighted = router.capabilities().isWeighted();
      int[] weights = weighted ? new int[] {10, 50, 100} : new int[] {100};
      int failing = Math.min(failStage, weights.length);
      StageSchedule.Builder schedule = StageSchedule.builder();
      for (int i = 0; i < weights.length; i++) {
        // stages before the failing one move on at once; the failing one would bake 30 s, but its second gate check fails
        schedule.stage(Stage.of(weights[i], i + 1 == failing ? Duration.ofSeconds(30) : Duration.ZERO));
      }
      StageSchedule stages = schedule.build();
      List<Double> roundTrips = new ArrayList<>();
      List<Double> writes = new ArrayList<>();
      List<Double> toVerified = new ArrayList<>();
      List<Double> outsideRouter = new ArrayList<>();
      List<Outcome> outcomes = new ArrayList<>();
      long requestsMin = Long.MAX_VALUE;
      long requestsMax = 0;
      List<String> rollbackRequests = List.of();
      for (int i = 0; i < warmup + runs; i++) {
        boolean measured = i >= warmup;
        for (int k = 0; k < ROUND_TRIPS_PER_RUN; k++) {
          long t0 = System.nanoTime();
          scene.roundTrip();
          if (measured) {
            roundTrips.add((System.nanoTime() - t0) / 1e6);
          }
          if (scene.writeName() != null) {
            // placed as the rollback's write is in a plan: after a gate interval's sleep and a read (the drift read of the bake)
            sleep(GATE_INTERVAL);
            scene.roundTrip();
            long w0 = System.nanoTime();
            scene.writeRoundTrip();
            if (measured) {
              writes.add((System.nanoTime() - w0) / 1e6);
            }
          }
        }
        AtomicLong unhealthyAt = new AtomicLong();
        AtomicLong verifiedAt = new AtomicLong();
        AtomicLong requestsAtVerdict = new AtomicLong();
        AtomicLong requestsAtVerified = new AtomicLong();
        AtomicLong insideAtVerdict = new AtomicLong();
        AtomicLong insideAtVerified = new AtomicLong();
        AtomicInteger checks = new AtomicInteger();
        HealthGate gate = HealthGate.of("unhealthy-in-stage-" + failing, ctx -> {
          if (ctx.stageNumber().orElse(0) == failing && checks.incrementAndGet() >= 2) {
            requestsAtVerdict.set(scene.requestCount());
            insideAtVerdict.set(router.insideNanos());
            unhealthyAt.set(System.nanoTime());
            return GateResult.unhealthy("injected failure");
          }
          return GateResult.healthy();
        });
        SwitchPlan plan = SwitchPlan.builder().name("rollback-bench").router(router).from(BLUE).to(GREEN).schedule(stages)
            .gate(gate).gateInterval(GATE_INTERVAL)
            .listener(e -> {
              if (e instanceof SwitchEvent.RollbackCompleted) {
                verifiedAt.set(System.nanoTime());
                requestsAtVerified.set(scene.requestCount());
                insideAtVerified.set(router.insideNanos());
              }
            })
            .lock(new InProcessRouteLock()).defaultLogging(false).build();
        SwitchResult r = plan.execute();
        if (r.outcome() != Outcome.ROLLED_BACK || verifiedAt.get() == 0) {
          throw new IllegalStateException(scene.name() + ": the plan ended " + r.summary() + ", expected ROLLED_BACK");
        }
        if (measured) {
          toVerified.add((verifiedAt.get() - unhealthyAt.get()) / 1e6);
          outsideRouter.add((verifiedAt.get() - unhealthyAt.get() - (insideAtVerified.get() - insideAtVerdict.get())) / 1e6);
          outcomes.add(r.outcome());
          long n = requestsAtVerified.get() - requestsAtVerdict.get();
          requestsMin = Math.min(requestsMin, n);
          requestsMax = Math.max(requestsMax, n);
          rollbackRequests = scene.requests(requestsAtVerdict.get(), requestsAtVerified.get());
        }
      }
      return new Figures(scene.name(), runs, scene.roundTripName(), EngineBenchmark.percentile(roundTrips, 50),
          EngineBenchmark.percentile(roundTrips, 90), scene.writeName(), writes.isEmpty() ? Double.NaN : EngineBenchmark.percentile(writes, 50),
          writes.isEmpty() ? Double.NaN : EngineBenchmark.percentile(writes, 90), EngineBenchmark.percentile(toVerified, 50), EngineBenchmark.percentile(toVerified, 90),
          EngineBenchmark.percentile(toVerified, 100), EngineBenchmark.percentile(outsideRouter, 50),
          EngineBenchmark.percentile(outsideRouter, 90), scene.roundTripsAtLeast(), requestsMin, requestsMax, rollbackRequests,
          List.copyOf(outcomes));
    }
  }

  /**
   * @param latency per call (real sleeps)
   * @param guard the in-memory router's write guard
   * @return an in-memory backend; a round trip is one {@code current()} through a {@link TimedRouter}
   */
  public static Scene memory(Duration latency, WriteGuard guard) {
    InMemoryRouter memory = InMemoryRouter.builder().routeId("bench/rollback").environments(BLUE, GREEN)
        .latency(latency, Sleeper.system()).writeGuard(guard).build();
    TimedRouter timed = new TimedRouter(memory);
    int least = guard == WriteGuard.CONDITIONAL ? 1 : guard == WriteGuard.READ_THEN_WRITE ? 2 : 3;
    return new Scene() {
      @Override
      public String name() {
        return "memory " + latency.toMillis() + " ms/call, " + guard;
      }

      @Override
      public Router router() {
        return timed;
      }

      @Override
      public String roundTripName() {
        return "current() (" + latency.toMillis() + " ms)";
      }

      @Override
      public void roundTrip() {
        timed.current();
      }

      @Override
      public long requestCount() {
        return memory.requestCount();
      }

      @Override
      public List<String> requests(long from, long to) {
        return List.of((to - from) + " in-memory backend call(s)");
      }

      @Override
      public int roundTripsAtLeast() {
        return least;
      }

      @Override
      public void close() {
      }
    };
  }
}
