package io.bluegreen.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The fleet harness runs every plan to completion and counts what it should; no speed assertion. */
class FleetBenchmarkTest {

  /** The JDK 25 the fleet recipe (one virtual thread per plan) is run on; BLUEGREEN_JDK25 overrides it. */
  private static final Path JDK25 = Path.of(System.getenv().getOrDefault("BLUEGREEN_JDK25", "/usr/lib/jvm/temurin-25-jdk-amd64"));

  @Test
  void runsEveryPlanToCompletion() throws Exception {
    FleetBenchmark.Figures f = FleetBenchmark.run(40, 8, Duration.ofMillis(1), 4, Duration.ZERO, false);
    assertThat(f.completed()).isEqualTo(40);
    // per plan: snapshot read + preflight + 4 stages x (read, write, verify) + the final read (zero bake: no bake reads)
    assertThat(f.routerCalls()).isEqualTo(40L * (2 + 4 * 3 + 1));
    assertThat(f.peakThreads()).isGreaterThanOrEqualTo(8);
    assertThat(f.peakHeapBytes()).isPositive();
  }

  /**
   * The README's fleet recipe, {@code plan.start(Executors.newVirtualThreadPerTaskExecutor())}, on
   * JDK 25: 500 plans with 200 ms bakes each on a virtual thread of their own, with far fewer
   * platform threads than plans. Runs the harness in a child JVM of that JDK (this build targets
   * Java 17); skipped loudly when the JDK is absent, failed on CI.
   */
  @Test
  void aFleetOnVirtualThreadsCompletesOnJdk25WithFewPlatformThreads() throws Exception {
    Path java = JDK25.resolve("bin/java");
    if (!Files.isExecutable(java)) {
      String message = "JDK 25 not found at " + JDK25 + ": the virtual-thread fleet recipe was NOT run (set BLUEGREEN_JDK25)";
      if ("true".equals(System.getenv("CI"))) {
        fail(message);
      }
      System.err.println("SKIPPED: " + message);
      Assumptions.abort(message);
    }
    Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"), FleetBenchmark.class.getName(),
        "--plans", "500", "--latency-ms", "1", "--bake-ms", "200", "--virtual", "1").redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("the JDK 25 fleet run did not end within 120 s");
    }
    String text = new String(out, StandardCharsets.UTF_8);
    System.out.print(text);
    assertThat(p.exitValue()).as(text).isZero();
    assertThat(text).contains("Java 25").containsPattern("plans completed +500/500");
    List<String> threads = text.lines().filter(l -> l.startsWith("peak live platform threads")).toList();
    assertThat(threads).as(text).hasSize(1);
    int peak = Integer.parseInt(threads.get(0).replaceAll(".*\\s", ""));
    assertThat(peak).as("platform threads for 500 sleeping plans").isLessThan(100);
  }
}
