package io.bluegreen.k8s.real;

import static io.bluegreen.k8s.support.Fixtures.BLUE;
import static io.bluegreen.k8s.support.Fixtures.GREEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.k8s.lock.LeaseLock;
import io.bluegreen.k8s.support.CrashResumeChild;
import io.bluegreen.k8s.support.Fixtures;
import io.bluegreen.k8s.support.ReadmeRoles;
import io.bluegreen.testkit.Evidence;
import io.bluegreen.testkit.EvidenceLog;
import io.bluegreen.testkit.RecordingListener;
import io.bluegreen.testkit.VirtualClock;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * {@link LeaseLock} across JVM processes on a real kube-apiserver: two child JVMs ({@link RealPlanChild},
 * users user-3 and user-4, each bound to the README Roles of the Service router and the Lease lock)
 * race for the same Service and exactly one switches it; and the crash-resume scenario of
 * {@code CrashResumeTest} (SIGKILL of a child JVM during stage 3 of an HTTPRoute plan, refused until its
 * Lease expires, then taken over and continued from the split it left) runs against the real server.
 * Writes are counted on the server's audit log, by user.
 *
 * <p>Real waits, all bounded: the children's start-up and real-time stage holds (90 s limit per child,
 * read through their stdout), and up to 10 s for a killed child to be reaped. The Lease expiry is judged
 * on an injected clock in this JVM (no wall-clock wait for it). Children are killed in {@link #cleanUp()}.
 */
@Evidence(backend = "a real kube-apiserver + etcd (scripts/kube), plans in child JVMs, writes counted in its audit log")
class RealLeaseAcrossProcessesTest {

  private static final Duration CHILD_LIMIT = Duration.ofSeconds(90);
  private final RealCluster cluster = RealCluster.get();
  private final List<Process> children = new ArrayList<>();
  private RealCluster.TestNamespace ns;
  private RealScene scene;

  @BeforeEach
  void namespace(TestInfo test) {
    ns = cluster.namespace("lease-" + test.getTestMethod().orElseThrow().getName().substring(0, 12));
    scene = new RealScene(cluster, ns.name());
  }

  @AfterEach
  void cleanUp() throws InterruptedException {
    for (Process p : children) {
      if (p.isAlive()) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
    ns.close();
  }

  private void bindPipeline(String user, String routerRole) {
    cluster.bind(ns.name(), ReadmeRoles.role(routerRole), user);
    cluster.bind(ns.name(), ReadmeRoles.role(ReadmeRoles.LEASE_LOCK), user);
  }

  // ----------------------------------------------------------------------------------------- race

  @Test
  void twoJvmsRaceForTheSameRouteAndExactlyOneSwitchesIt() throws Exception {
    RealRouterFixture.serviceScene(scene);
    for (String user : List.of("user-3", "user-4")) {
      bindPipeline(user, ReadmeRoles.SERVICE_SELECTOR_ROUTER);
    }
    List<BlockingQueue<String>> out = new ArrayList<>();
    for (String user : List.of("user-3", "user-4")) {
      out.add(start("race", user, "pipeline-" + user));
    }
    for (BlockingQueue<String> lines : out) {
      awaitLine(lines, "READY", 0);
    }
    int mark = cluster.audit().mark();
    for (Process p : children) { // go, both at once
      OutputStream in = p.getOutputStream();
      in.write("GO\n".getBytes(StandardCharsets.UTF_8));
      in.flush();
    }
    List<String> finished = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      finished.add(awaitLine(out.get(i), "FINISHED", i));
    }

    assertThat(finished).filteredOn(l -> l.startsWith("FINISHED COMPLETED")).as(finished.toString()).hasSize(1);
    assertThat(finished).filteredOn(l -> l.startsWith("FINISHED ABORTED")).as(finished.toString()).hasSize(1)
        .allSatisfy(l -> assertThat(l).contains("is locked by pipeline-user-"));
    String winner = finished.get(0).startsWith("FINISHED COMPLETED") ? "user-3" : "user-4";
    String loser = winner.equals("user-3") ? "user-4" : "user-3";
    assertThat(finished.get(winner.equals("user-3") ? 1 : 0)).contains("is locked by pipeline-" + winner);
    List<AuditLog.Event> serviceWrites = cluster.audit().since(mark, e -> e.namespace().equals(ns.name()) && e.isWrite()
        && e.resource().equals("services"));
    assertThat(serviceWrites).as("server side: one Service write, by the winner").extracting(e -> e.user() + " " + e)
        .containsExactly(winner + " update services/app-service 200");
    assertThat(cluster.audit().since(mark, e -> e.user().equals(loser) && e.resource().equals("services")))
        .as("the loser never read the route").isEmpty();
    assertThat(scene.getService(Fixtures.SERVICE).getSpec().getSelector()).containsEntry("version", "green");
    Lease lease = cluster.admin().leases().inNamespace(ns.name()).list().getItems().get(0);
    assertThat(lease.getSpec().getHolderIdentity()).as("released by the winner").isNull();
    EvidenceLog.figure("real server: two JVMs race LeaseLock for one Service", "1 COMPLETED, 1 ABORTED naming the holder; 1 Service"
        + " write (audit log)", "RealLeaseAcrossProcessesTest (bluegreen-k8s, real kube-apiserver)");
  }

  // ----------------------------------------------------------------------------------------- crash and resume

  @Test
  void aPlanKilledMidStageIsResumedFromTheSplitItLeftOnceItsLeaseExpired() throws Exception {
    scene.environmentService("app-blue", "blue", 2);
    scene.environmentService("app-green", "green", 2);
    scene.httpRoute(Fixtures.ROUTE, "app-blue", 100, "app-green", 0);
    bindPipeline("user-3", ReadmeRoles.HTTPROUTE_ROUTER);
    bindPipeline("user-4", ReadmeRoles.HTTPROUTE_ROUTER);

    BlockingQueue<String> lines = start("crash", "user-3", "crashed-pipeline@build-1");
    awaitLine(lines, "STAGE_VERIFIED " + CrashResumeChild.KILLED_IN_STAGE + " ", 0);
    Instant killedAt = Instant.now();
    children.get(0).destroyForcibly(); // SIGKILL: no finally, no Lease release
    assertThat(children.get(0).waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(children.get(0).exitValue()).as("killed by SIGKILL").isEqualTo(137);

    KubernetesClient resumer = cluster.client("user-4");
    TrafficSplit found = RealPlanChild.crashRouter(resumer, ns.name()).current();
    assertThat(found).isEqualTo(TrafficSplit.of(BLUE, 50, GREEN, 50));
    Lease dead = cluster.admin().leases().inNamespace(ns.name()).list().getItems().get(0);
    assertThat(dead.getSpec().getHolderIdentity()).isEqualTo("crashed-pipeline@build-1");
    Instant expiry = dead.getSpec().getRenewTime().toInstant().plusSeconds(dead.getSpec().getLeaseDurationSeconds());

    // refused while the dead process's Lease is live, judged on the lock's clock
    for (Instant at : List.of(Instant.now(), expiry.minusMillis(500))) {
      SwitchResult refused = RealPlanChild.crashPlan(resumer, ns.name(), lock(resumer, at), "resumed-pipeline@build-2")
          .defaultLogging(false).build().execute();
      assertThat(refused.outcome()).as(refused.summary()).isEqualTo(Outcome.ABORTED);
      assertThat(refused.reason()).contains("is locked by crashed-pipeline@build-1");
    }

    int mark = cluster.audit().mark();
    RecordingListener events = new RecordingListener();
    VirtualClock planClock = VirtualClock.create();
    SwitchResult result = RealPlanChild.crashPlan(resumer, ns.name(), lock(resumer, expiry.plusMillis(1)), "resumed-pipeline@build-2")
        .listener(events).defaultLogging(false).time(planClock).build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(result.snapshot()).contains(found);
    assertThat(events.ofType(SwitchEvent.StageStarted.class)).extracting(SwitchEvent.StageStarted::stageNumber).containsExactly(4, 5);
    List<AuditLog.Event> routeWrites = cluster.audit().since(mark, e -> e.namespace().equals(ns.name()) && e.isWrite()
        && e.resource().equals("httproutes"));
    assertThat(routeWrites).as("server side: the resumer wrote stages 4 and 5 only")
        .extracting(e -> e.user() + " " + greenWeight(e.requestObject())).containsExactly("user-4 75", "user-4 100");
    List<AuditLog.Event> allRouteWrites = cluster.audit().events().stream().filter(e -> e.namespace().equals(ns.name())
        && e.isWrite() && e.resource().equals("httproutes") && !e.user().equals("admin")).toList();
    assertThat(allRouteWrites).as("every route write, child and resumer: weights never go back")
        .extracting(e -> e.user() + " " + greenWeight(e.requestObject()))
        .containsExactly("user-3 10", "user-3 25", "user-3 50", "user-4 75", "user-4 100");
    Lease after = cluster.admin().leases().inNamespace(ns.name()).withName(dead.getMetadata().getName()).get();
    assertThat(after.getSpec().getLeaseTransitions()).as("one takeover").isEqualTo(1);
    assertThat(after.getSpec().getHolderIdentity()).as("released").isNull();
    String resumed = "resumed from " + found + "; route writes " + allRouteWrites.size() + " in all (audit log), none repeated";
    EvidenceLog.figure("real server: crash-resume (SIGKILL mid-stage 3 of 5, Lease takeover after expiry)", resumed + "; Lease taken"
        + " over only after it expired", resumed + "; Lease expired " + Duration.between(killedAt, expiry).toMillis() / 1000.0
        + " s after the kill", "RealLeaseAcrossProcessesTest (bluegreen-k8s, real kube-apiserver)");
  }

  private LeaseLock lock(KubernetesClient client, Instant at) {
    return LeaseLock.builder(client).namespace(ns.name()).leaseDuration(CrashResumeChild.LEASE_DURATION)
        .clock(VirtualClock.startingAt(at)).build();
  }

  private static int greenWeight(JsonNode route) {
    for (JsonNode ref : route.at("/spec/rules/0/backendRefs")) {
      if (ref.path("name").asText().equals("app-green")) {
        return ref.path("weight").asInt();
      }
    }
    throw new AssertionError("no app-green backendRef in " + route);
  }

  // ----------------------------------------------------------------------------------------- children

  private BlockingQueue<String> start(String mode, String user, String owner) throws IOException {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    File log = new File("target/real-plan-child-" + mode + "-" + user + "-" + System.nanoTime() + ".log");
    Process p = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
        System.getProperty("java.class.path"), RealPlanChild.class.getName(), mode, cluster.kubeconfig().getPath(), user, ns.name(), owner)
        .redirectError(ProcessBuilder.Redirect.to(log)).start();
    children.add(p);
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          lines.add(line);
        }
      } catch (IOException e) {
        // the child is gone
      }
    }, "real-plan-child-stdout");
    reader.setDaemon(true);
    reader.start();
    return lines;
  }

  private String awaitLine(BlockingQueue<String> lines, String prefix, int child) throws InterruptedException {
    long deadline = System.nanoTime() + CHILD_LIMIT.toNanos();
    List<String> seen = new ArrayList<>();
    while (true) {
      String line = lines.poll(Math.max(1, Math.min(1_000_000_000L, deadline - System.nanoTime())), TimeUnit.NANOSECONDS);
      if (line != null) {
        seen.add(line);
        if (line.startsWith(prefix)) {
          return line;
        }
      } else if (System.nanoTime() >= deadline || !children.get(child).isAlive() && lines.isEmpty()) {
        throw new AssertionError("child " + child + " did not print \"" + prefix + "\" within " + CHILD_LIMIT + "; it printed " + seen
            + "; see bluegreen-k8s/target/real-plan-child-*.log");
      }
    }
  }

}
