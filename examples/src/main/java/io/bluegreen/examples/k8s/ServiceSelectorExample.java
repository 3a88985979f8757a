package io.bluegreen.examples.k8s;

import io.bluegreen.core.Environment;
import io.bluegreen.core.Router;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.examples.EventPrinter;
import io.bluegreen.k8s.ServiceSelectorRouter;
import io.bluegreen.k8s.gate.DeploymentReadyGate;
import io.bluegreen.k8s.gate.EndpointsReadyGate;
import io.bluegreen.k8s.lock.LeaseLock;
import io.bluegreen.testkit.VirtualClock;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintStream;
import java.time.Duration;

/**
 * The most common Kubernetes blue-green switch: Service {@code app-service} selects
 * {@code app=shop, tier=web, version=blue}; switch it to {@code version=green} (the other selector keys
 * are kept) once Deployment {@code app-green} is fully rolled out, with a Lease so that no other
 * pipeline switches the same Service at the same time, and check that the Service still has ready
 * endpoints while the switch bakes.
 *
 * <pre>{@code
 * # against an in-process Kubernetes API server (nothing to install; simulated time)
 * mvn -B -q -Pdemo verify -Ddemo.main=io.bluegreen.examples.k8s.ServiceSelectorExample
 * # against your cluster (namespace holding app-service, Deployment app-green, Pods labelled version=green)
 * mvn -B -q -Pdemo verify -Ddemo.main=io.bluegreen.examples.k8s.ServiceSelectorExample -Ddemo.args="--real --namespace shop"
 *
 * SwitchResult result = ServiceSelectorExample.run(client, "shop", null, System.out);   // real time
 * }</pre>
 *
 * <p>RBAC: see the bluegreen-k8s README (services get/update, pods list, deployments get,
 * leases get/create/update).
 */
public final class ServiceSelectorExample {

  private ServiceSelectorExample() {
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
   * Starts an {@link InProcessCluster}, switches its {@code app-service} on simulated time, and stops
   * the cluster.
   *
   * @param out where progress goes
   * @return what the plan did
   */
  public static SwitchResult runInProcess(PrintStream out) {
    try (InProcessCluster cluster = InProcessCluster.start()) {
      out.println("Kubernetes: " + cluster + " (seeded: app-service, Deployments app-blue/app-green, their Pods)");
      return run(cluster.client(), InProcessCluster.NAMESPACE, VirtualClock.create(), out);
    }
  }

  /**
   * The example itself: switch Service {@code app-service} in {@code namespace} from version blue to green.
   *
   * @param client a client of the cluster (not closed here)
   * @param namespace where app-service and Deployment app-green live
   * @param simulatedTime a virtual clock to run the bake in simulated time, or null for real time
   * @param out where progress goes
   * @return what the plan did
   */
  public static SwitchResult run(KubernetesClient client, String namespace, VirtualClock simulatedTime, PrintStream out) {
    Environment blue = Environment.of("blue");
    Environment green = Environment.of("green");

    Router router = ServiceSelectorRouter.builder(client)
        .namespace(namespace)
        .service("app-service")             // selector app=shop, tier=web, version=blue
        .environments(blue, green)          // the selector key "version" takes the environment's name
        .build();

    SwitchPlan.Builder plan = SwitchPlan.builder()
        .router(router).from(blue).to(green)
        .schedule(StageSchedule.allAtOnce(Duration.ofMinutes(2)))   // a selector moves all at once; then bake 2 min
        .preSwitchGate(DeploymentReadyGate.builder(client).namespace(namespace).deployment("app-green").build())
        .gate(EndpointsReadyGate.forService(client, namespace, "app-service").minReady(2).build())
        .gateInterval(Duration.ofSeconds(10))
        .lock(LeaseLock.builder(client).namespace(namespace).build())   // one writer per Service, across machines
        .listener(new EventPrinter(out)).defaultLogging(false);
    if (simulatedTime != null) {
      plan.time(simulatedTime);   // minutes of bake in milliseconds
    }

    SwitchResult result = plan.build().execute();         // never throws for a failed switch
    out.println(result.summary());
    out.println("app-service selects " + client.services().inNamespace(namespace).withName("app-service").get().getSpec().getSelector());
    return result;
  }
}
