package io.bluegreen.k8s.support;

import io.bluegreen.core.SwitchPlan;
import io.bluegreen.k8s.HttpRoutePreview;
import io.bluegreen.k8s.lock.LeaseLock;
import io.bluegreen.testkit.ChildJvm;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintStream;

/**
 * The plan of {@code PreviewCrashResumeTest}: {@link CrashResumeChild}'s HTTPRoute plan with an
 * {@link HttpRoutePreview} open from before stage 1; its {@code main} runs it in a child JVM against
 * the mock API server of the test JVM, printing the lines the test waits for.
 *
 * <pre>{@code
 * ChildJvm.start("preview-crash", PreviewPlanChild.class, cluster.url(), "crashed-pipeline@runner-1");
 * }</pre>
 */
public final class PreviewPlanChild {

  /** The preview's header. */
  public static final String HEADER = "X-Preview";

  private PreviewPlanChild() {
  }

  /**
   * @param client the client
   * @param lock the route lock
   * @param owner the plan's identity in the lock
   * @return the plan with its preview, without clock or listeners
   */
  public static SwitchPlan.Builder plan(KubernetesClient client, io.bluegreen.core.lock.RouteLock lock, String owner) {
    return CrashResumeChild.plan(client, lock, owner)
        .preview(HttpRoutePreview.builder(CrashResumeChild.router(client)).header(HEADER, "green-preview").build());
  }

  /**
   * Runs the plan in real time.
   *
   * @param args the API server's URL and the plan's owner
   */
  public static void main(String[] args) {
    PrintStream out = System.out;
    try (KubernetesClient client = CrashResumeChild.client(args[0])) {
      LeaseLock lock = LeaseLock.builder(client).namespace(MockCluster.NS).leaseDuration(CrashResumeChild.LEASE_DURATION).build();
      ChildJvm.runAndReport(plan(client, lock, args[1]).listener(ChildJvm.progressPrinter(out)).listener(e -> {
        if (e instanceof io.bluegreen.core.event.SwitchEvent.PreviewOpened) {
          out.println("PREVIEW_OPENED");
          out.flush();
        }
      }).build(), out);
    }
    System.exit(0);
  }
}
