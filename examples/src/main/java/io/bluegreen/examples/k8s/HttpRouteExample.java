package io.bluegreen.examples.k8s;

import io.bluegreen.core.Environment;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.examples.EventPrinter;
import io.bluegreen.k8s.HttpRouteRouter;
import io.bluegreen.k8s.gate.DeploymentReadyGate;
import io.bluegreen.k8s.gate.EndpointsReadyGate;
import io.bluegreen.k8s.lock.LeaseLock;
import io.bluegreen.testkit.VirtualClock;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintStream;
import java.time.Duration;
import java.util.stream.Collectors;

/**
 * A weighted, staged Kubernetes switch: Gateway API HTTPRoute {@code app} sends all traffic to Service
 * {@code app-blue}; move it to {@code app-green} in three stages (10%, 50%, 100%), five minutes each,
 * while checking that {@code app-green} keeps at least two ready endpoints, and roll back to the exact
 * weights found if it does not.
 *
 * <pre>{@code
 * # against an in-process Kubernetes API server (nothing to install; simulated time)
 * mvn -B -q -Pdemo verify -Ddemo.main=io.bluegreen.examples.k8s.HttpRouteExample
 * # against your cluster (a Gateway API implementation, HTTPRoute app, Services app-blue and app-green)
 * mvn -B -q -Pdemo verify -Ddemo.main=io.bluegreen.examples.k8s.HttpRouteExample -Ddemo.args="--kubeconfig ~/.kube/staging"
 *
 * SwitchResult result = HttpRouteExample.run(client, "shop", null, System.out);   // real time
 * }</pre>
 */
public final class HttpRouteExample {

  private HttpRouteExample() {
  }

  /**
   * Runs the switch against the in-process API server, or a real cluster with {@code --real} or
   * {@code --kubeconfig PATH}; exits 0 when it COMPLETED.
   *
   * @param args see {@link ClusterArgs}
   */
  public static void main(String[] args) {
    ClusterArgs cluster = ClusterArgs.parse(args);
    SwitchResult result;
    if (cluster.isReal()) {
      try (KubernetesClient client = cluster.connect()) {
        result = run(client, cluster.namespace(client), null, System.out);
      }
    } else {
      result = runInProcess(System.out);
    }
    System.exit(result.isSuccess() ? 0 : 1);
  }

  /**
   * Starts an {@link InProcessCluster}, switches its HTTPRoute on simulated time, and stops the cluster.
   *
   * @param out where progress goes
   * @return what the plan did
   */
  public static SwitchResult runInProcess(PrintStream out) {
    try (InProcessCluster cluster = InProcessCluster.start()) {
      out.println("Kubernetes: " + cluster + " (seeded: HTTPRoute app, Services app-blue/app-green with ready endpoints)");
      return run(cluster.client(), InProcessCluster.NAMESPACE, VirtualClock.create(), out);
    }
  }

  /**
   * The example itself: move HTTPRoute {@code app} in {@code namespace} from app-blue to app-green in stages.
   *
   * @param client a client of the cluster (not closed here)
   * @param namespace where the HTTPRoute, the Services and Deployment app-green live
   * @param simulatedTime a virtual clock to run the bakes in simulated time, or null for real time
   * @param out where progress goes
   * @return what the plan did
   */
  public static SwitchResult run(KubernetesClient client, String namespace, VirtualClock simulatedTime, PrintStream out) {
    Environment blue = Environment.of("blue");
    Environment green = Environment.of("green");

    HttpRouteRouter router = HttpRouteRouter.builder(client)
        .namespace(namespace).httpRoute("app")
        .service(blue, "app-blue")           // the backendRef each environment is
        .service(green, "app-green")
        .build();

    SwitchPlan.Builder plan = SwitchPlan.builder()
        .router(router).from(blue).to(green)
        .schedule(StageSchedule.targetWeights(Duration.ofMinutes(5), 10, 50, 100))
        .preSwitchGate(DeploymentReadyGate.builder(client).namespace(namespace).deployment("app-green").build())
        .gate(EndpointsReadyGate.forService(client, namespace, "app-green").minReady(2).build())
        .gateInterval(Duration.ofSeconds(10))
        .lock(LeaseLock.builder(client).namespace(namespace).build())
        .listener(new EventPrinter(out)).defaultLogging(false);
    if (simulatedTime != null) {
      plan.time(simulatedTime);   // 15 minutes of bakes in milliseconds
    }

    SwitchResult result = plan.build().execute();
    out.println(result.summary());
    out.println("HTTPRoute app backendRefs: " + backendWeights(client.resources(HTTPRoute.class).inNamespace(namespace).withName("app").get()));
    return result;
  }

  /**
   * @param route an HTTPRoute
   * @return its first rule's backendRefs as {@code name=weight}, e.g. {@code app-blue=0 app-green=100}
   */
  public static String backendWeights(HTTPRoute route) {
    return route.getSpec().getRules().get(0).getBackendRefs().stream()
        .map(r -> r.getName() + "=" + r.getWeight()).collect(Collectors.joining(" "));
  }
}
