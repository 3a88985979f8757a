package io.bluegreen.k8s.support;

import io.bluegreen.core.Environment;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.event.SwitchListener;
import io.bluegreen.core.lock.RouteLock;
import io.bluegreen.k8s.HttpRouteRouter;
import io.bluegreen.k8s.lock.LeaseLock;
import io.bluegreen.testkit.ChildJvm;
import io.bluegreen.testkit.CrashResumeContractTest;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.PrintStream;
import java.time.Duration;

/**
 * The plan of {@code CrashResumeTest}, and a {@code main} that runs it in a child JVM against the mock
 * API server of the test JVM, printing one line per event the test waits for ({@code LOCKED},
 * {@code STAGE_VERIFIED <n> <split>}, {@code FINISHED <outcome>}) so that the test can kill it mid-stage.
 *
 * <pre>{@code
 * java -cp <test classpath> io.bluegreen.k8s.support.CrashResumeChild http://127.0.0.1:41234 crashed-pipeline@build-1
 * }</pre>
 */
public final class CrashResumeChild {

  /** The stage during whose bake the test kills the child, and that bake: long enough for the kill to land in it. */
  public static final int KILLED_IN_STAGE = CrashResumeContractTest.KILLED_IN_STAGE;
  /** Real-time holds: 1 s for every stage but the third, which holds 8 s (the crash kit's schedule, shared with ALB and Route 53). */
  public static final StageSchedule SCHEDULE = CrashResumeContractTest.SCHEDULE;
  /** How long the Lease stays valid without renewal. */
  public static final Duration LEASE_DURATION = Duration.ofSeconds(10);
  public static final Environment BLUE = Fixtures.BLUE;
  public static final Environment GREEN = Fixtures.GREEN;

  private CrashResumeChild() {
  }

  /** @return the router every run of the plan uses: HTTPRoute default/app, app-blue and app-green */
  public static HttpRouteRouter router(KubernetesClient client) {
    return HttpRouteRouter.builder(client).namespace(MockCluster.NS).httpRoute(Fixtures.ROUTE)
        .service(BLUE, "app-blue").service(GREEN, "app-green").build();
  }

  /**
   * @param client the client
   * @param lock the route lock
   * @param owner the plan's identity in the lock
   * @return the plan, without clock or listeners
   */
  public static SwitchPlan.Builder plan(KubernetesClient client, RouteLock lock, String owner) {
    return SwitchPlan.builder()
        .name("crash-resume")
        .router(router(client))
        .from(BLUE).to(GREEN)
        .schedule(SCHEDULE)
        .gateInterval(Duration.ofMillis(250))
        .lock(lock).owner(owner)
        .waitForClientConvergence(false);
  }

  /** @return a client to {@code masterUrl} with fabric8's own retries off */
  public static KubernetesClient client(String masterUrl) {
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl(masterUrl).withNamespace(MockCluster.NS)
        .withRequestRetryBackoffLimit(0).withConnectionTimeout(5_000).withRequestTimeout(10_000).build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /**
   * Runs the plan in real time.
   *
   * @param args the API server's URL and the plan's owner
   */
  public static void main(String[] args) {
    PrintStream out = System.out;
    try (KubernetesClient client = client(args[0])) {
      LeaseLock lock = LeaseLock.builder(client).namespace(MockCluster.NS).leaseDuration(LEASE_DURATION).build();
      ChildJvm.runAndReport(plan(client, lock, args[1]).listener(reporter(out)).build(), out);
    }
    System.exit(0);
  }

  /**
   * @param out the child's stdout
   * @return a listener printing the lines a test waits for: {@code LOCKED <fencing token>}, {@code STAGE_VERIFIED <n> <split>}
   *     (and {@code STAGE_STARTED <n>}): the testkit's {@link ChildJvm#progressPrinter}
   */
  public static SwitchListener reporter(PrintStream out) {
    return ChildJvm.progressPrinter(out);
  }

  /** Prints {@code line} and flushes, so that the test reading the child's stdout sees it at once. */
  public static void say(PrintStream out, String line) {
    out.println(line);
    out.flush();
  }
}
