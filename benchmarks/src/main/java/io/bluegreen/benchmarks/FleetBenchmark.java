package io.bluegreen.benchmarks;

import io.bluegreen.core.Environment;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.Sleeper;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchExecution;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.lock.InProcessRouteLock;
import io.bluegreen.testkit.InMemoryRouter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A release that moves a fleet: many plans, each on its own route (an {@link InMemoryRouter} with
 * per-call latency), run concurrently through one executor — a bounded pool of platform threads,
 * or (with {@code --virtual 1}, on JDK 21+) one virtual thread per plan. Prints total time against
 * the floor (what the router latency and bakes alone take), plans per second, and the peak platform
 * thread count and heap seen while they ran.
 *
 * <pre>{@code
 * ./scripts/bench.sh fleet --plans 1000 --threads 64 --latency-ms 20
 * JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java ./scripts/bench.sh fleet --plans 10000 --virtual 1 --bake-ms 1000
 * }</pre>
 */
public final class FleetBenchmark {

  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");

  /** Figures of one fleet run. */
  public record Figures(int plans, int threads, long latencyMillis, int stagesPerPlan, Duration total, int completed,
      int peakThreads, long peakHeapBytes, long routerCalls, boolean virtual, long bakeMillis) {
  }

  private FleetBenchmark() {
  }

  /**
   * @param args {@code --plans N} (1000), {@code --threads N} (64), {@code --latency-ms N} (20), {@code --stages N} (4)
   * @throws InterruptedException if interrupted
   */
  public static void main(String[] args) throws InterruptedException {
    Map<String, Integer> flags = Flags.parseOrExit("fleet", args,
        Flags.flag("--plans", 1000, "plans run at once"),
        Flags.flag("--threads", 64, "threads of the one executor"),
        Flags.flag("--latency-ms", 20, "router latency per call, ms"),
        Flags.flag("--stages", 4, "stages per plan"),
        Flags.flag("--bake-ms", 0, "bake of each stage, ms (the plan sleeps through it)"),
        Flags.flag("--virtual", 0, "1: one virtual thread per plan (JDK 21+) instead of the pool of --threads"));
    int plans = flags.get("--plans");
    int threads = flags.get("--threads");
    int latency = flags.get("--latency-ms");
    int stages = flags.get("--stages");
    int bake = flags.get("--bake-ms");
    boolean virtual = flags.get("--virtual") == 1;
    System.out.printf(Locale.ROOT, "fleet benchmark: %d plans x %d stages, InMemoryRouter %d ms per call, bakes of %d ms, %s%n",
        plans, stages, latency, bake, virtual ? "one virtual thread per plan" : "one executor of " + threads + " platform threads");
    System.out.printf(Locale.ROOT, "machine: %d cores, Java %s, max heap %d MiB%n", Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20);
    Figures f = run(plans, threads, Duration.ofMillis(latency), stages, Duration.ofMillis(bake), virtual);
    int waves = virtual ? 1 : (int) Math.ceil((double) f.plans() / f.threads());
    double perPlan = ((double) f.routerCalls() / f.plans() * f.latencyMillis() + (double) f.stagesPerPlan() * f.bakeMillis()) / 1000.0;
    double floor = perPlan * waves;
    System.out.printf(Locale.ROOT, "%-44s %s%n", "plans completed", f.completed() + "/" + f.plans());
    System.out.printf(Locale.ROOT, "%-44s %.2f s (floor: router latency and bakes alone, %d wave%s of %.2f s: %.2f s; ratio %.2f)%n",
        "total time", f.total().toMillis() / 1000.0, waves, waves == 1 ? "" : "s", perPlan, floor, f.total().toMillis() / 1000.0 / floor);
    System.out.printf(Locale.ROOT, "%-44s %.0f%n", "plans per second", f.plans() / (f.total().toMillis() / 1000.0));
    System.out.printf(Locale.ROOT, "%-44s %d%n", "router calls", f.routerCalls());
    System.out.printf(Locale.ROOT, "%-44s %d%n", "peak live platform threads (JVM)", f.peakThreads());
    System.out.printf(Locale.ROOT, "%-44s %d MiB%n", "peak heap used (sampled every 10 ms)", f.peakHeapBytes() >> 20);
  }

  /**
   * @param plans how many plans
   * @param threads executor size
   * @param latency router latency per call
   * @param stages stages per plan (linear)
   * @param bake each stage's bake
   * @param virtual one virtual thread per plan (JDK 21+) rather than a pool of {@code threads}
   * @return the figures
   * @throws InterruptedException if interrupted
   */
  public static Figures run(int plans, int threads, Duration latency, int stages, Duration bake, boolean virtual)
      throws InterruptedException {
    ThreadMXBean threadBean = ManagementFactory.getThreadMXBean();
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    System.gc();
    threadBean.resetPeakThreadCount();
    AtomicLong peakHeap = new AtomicLong(memory.getHeapMemoryUsage().getUsed());
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "heap-sampler");
      t.setDaemon(true);
      return t;
    });
    sampler.scheduleAtFixedRate(() -> peakHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max), 0, 10,
        TimeUnit.MILLISECONDS);
    ExecutorService executor = virtual ? virtualThreadPerTask() : Executors.newFixedThreadPool(threads);
    InProcessRouteLock lock = new InProcessRouteLock();
    List<InMemoryRouter> routers = new ArrayList<>();
    List<SwitchExecution> runs = new ArrayList<>();
    long t0 = System.nanoTime();
    try {
      for (int i = 0; i < plans; i++) {
        InMemoryRouter router = InMemoryRouter.builder().routeId("fleet/service-" + i).environments(BLUE, GREEN)
            .latency(latency, Sleeper.system()).build();
        routers.add(router);
        SwitchPlan plan = SwitchPlan.builder().name("service-" + i).router(router).from(BLUE).to(GREEN)
            .schedule(StageSchedule.linear(100 / stages, bake)).lock(lock).defaultLogging(false).build();
        runs.add(plan.start(executor));
      }
      Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
      for (SwitchExecution run : runs) {
        SwitchResult r = run.await();
        outcomes.merge(r.outcome(), 1, Integer::sum);
      }
      Duration total = Duration.ofNanos(System.nanoTime() - t0);
      long calls = routers.stream().mapToLong(InMemoryRouter::requestCount).sum();
      for (InMemoryRouter router : routers) {
        if (!router.peek().equals(TrafficSplit.allTo(GREEN, BLUE))) {
          throw new IllegalStateException(router + " did not end on green");
        }
      }
      return new Figures(plans, threads, latency.toMillis(), StageSchedule.linear(100 / stages, Duration.ZERO).size(), total,
          outcomes.getOrDefault(Outcome.COMPLETED, 0), threadBean.getPeakThreadCount(), peakHeap.get(), calls, virtual, bake.toMillis());
    } finally {
      executor.shutdownNow();
      sampler.shutdownNow();
    }
  }

  /**
   * {@code Executors.newVirtualThreadPerTaskExecutor()}, looked up at run time: the benchmarks are
   * compiled for Java 17, and this recipe needs JDK 21+.
   */
  private static ExecutorService virtualThreadPerTask() {
    try {
      return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("--virtual 1 needs JDK 21 or later (this is Java " + System.getProperty("java.version")
          + "): run with JAVA=/path/to/jdk-21+/bin/java", e);
    }
  }
}
