package io.bluegreen.k8s.real;

import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.lock.RouteLock;
import io.bluegreen.k8s.HttpRouteRouter;
import io.bluegreen.k8s.ServiceSelectorRouter;
import io.bluegreen.k8s.lock.LeaseLock;
import io.bluegreen.k8s.support.CrashResumeChild;
import io.bluegreen.k8s.support.Fixtures;
import io.bluegreen.testkit.ScriptedGate;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A plan in a JVM of its own against the real kube-apiserver, with a {@link LeaseLock}, as another
 * machine's pipeline would run it: fabric8's ordinary client from the kubeconfig (one of its users),
 * real time. It prints one line per event the test waits for ({@code READY}, {@code LOCKED},
 * {@code STAGE_VERIFIED <n> <split>}, {@code FINISHED <outcome> <summary>}).
 *
 * <pre>{@code
 * java -cp <test classpath> io.bluegreen.k8s.real.RealPlanChild race|crash <kubeconfig> <user> <namespace> <owner>
 * }</pre>
 *
 * <ul>
 *   <li>{@code race}: prints READY, waits for a line on stdin (so that two children start together),
 *       then switches Service app-service blue -> green all at once, baking 5 s while holding the Lease.</li>
 *   <li>{@code crash}: the HTTPRoute plan of {@link CrashResumeChild} (10/25/50/75/100, stage 3 holds 8 s),
 *       which the test kills with SIGKILL during stage 3.</li>
 * </ul>
 */
public final class RealPlanChild {

  /** How long the race's winner bakes while holding the Lease: far longer than the loser needs to be refused. */
  static final Duration RACE_HOLD = Duration.ofSeconds(5);

  private RealPlanChild() {
  }

  static KubernetesClient client(File kubeconfig, String user) {
    return new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.fromKubeconfig(user, kubeconfig))
        .withRequestRetryBackoffLimit(0).withConnectionTimeout(5_000).withRequestTimeout(10_000).build()).build();
  }

  /** @return the crash-resume plan of {@link CrashResumeChild}, on the HTTPRoute app of {@code namespace} */
  static SwitchPlan.Builder crashPlan(KubernetesClient client, String namespace, RouteLock lock, String owner) {
    return SwitchPlan.builder().name("crash-resume")
        .router(crashRouter(client, namespace))
        .from(Fixtures.BLUE).to(Fixtures.GREEN)
        .schedule(CrashResumeChild.SCHEDULE)
        .gateInterval(Duration.ofMillis(250))
        .lock(lock).owner(owner)
        .waitForClientConvergence(false);
  }

  static HttpRouteRouter crashRouter(KubernetesClient client, String namespace) {
    return HttpRouteRouter.builder(client).namespace(namespace).httpRoute(Fixtures.ROUTE)
        .service(Fixtures.BLUE, "app-blue").service(Fixtures.GREEN, "app-green").build();
  }

  /** @param args mode, kubeconfig, user, namespace, owner */
  public static void main(String[] args) throws Exception {
    PrintStream out = System.out;
    String mode = args[0];
    String namespace = args[3];
    String owner = args[4];
    SwitchResult result;
    try (KubernetesClient client = client(new File(args[1]), args[2])) {
      SwitchPlan.Builder plan;
      if (mode.equals("race")) {
        LeaseLock lock = LeaseLock.builder(client).namespace(namespace).leaseDuration(Duration.ofSeconds(15)).build();
        plan = SwitchPlan.builder().name("race").router(ServiceSelectorRouter.builder(client).namespace(namespace)
                .service(Fixtures.SERVICE).environments(Fixtures.BLUE, Fixtures.GREEN).build())
            .from(Fixtures.BLUE).to(Fixtures.GREEN).schedule(StageSchedule.allAtOnce(RACE_HOLD)).gate(ScriptedGate.healthy())
            .gateInterval(Duration.ofMillis(500)).lock(lock).owner(owner).waitForClientConvergence(false);
        // warm up (class loading, TLS handshake) so that both children start racing at once even on a loaded machine
        client.services().inNamespace(namespace).withName(Fixtures.SERVICE).get();
        client.leases().inNamespace(namespace).withName(LeaseLock.leaseName("warm-up")).get();
        CrashResumeChild.say(out, "READY");
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      } else {
        LeaseLock lock = LeaseLock.builder(client).namespace(namespace).leaseDuration(CrashResumeChild.LEASE_DURATION).build();
        plan = crashPlan(client, namespace, lock, owner);
      }
      result = plan.listener(CrashResumeChild.reporter(out)).build().execute();
      CrashResumeChild.say(out, "FINISHED " + result.outcome() + " " + result.summary());
    }
    System.exit(0);
  }
}
