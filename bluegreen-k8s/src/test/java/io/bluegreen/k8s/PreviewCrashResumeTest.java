package io.bluegreen.k8s;

import static io.bluegreen.k8s.support.Fixtures.BLUE;
import static io.bluegreen.k8s.support.Fixtures.GREEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.core.Outcome;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.k8s.lock.LeaseLock;
import io.bluegreen.k8s.support.CrashResumeChild;
import io.bluegreen.k8s.support.Fixtures;
import io.bluegreen.k8s.support.MockCluster;
import io.bluegreen.k8s.support.PreviewPlanChild;
import io.bluegreen.testkit.ChildJvm;
import io.bluegreen.testkit.RecordingListener;
import io.bluegreen.testkit.VirtualClock;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A plan with its HTTPRoute preview open is killed with SIGKILL in a child JVM (during the bake of
 * stage 3: no finally, no close); the preview rule it left stays in the HTTPRoute, marked with the dead
 * plan's owner, and the production router ignores it. The same plan run again here removes it before
 * opening its own, says whose it was, completes, and leaves no preview behind.
 *
 * <p>Real waits, all bounded: the child's start-up and its 1 s stage holds, through its stdout with a
 * 90 s limit. The dead process's Lease is taken over on a lock clock an hour ahead (no wall-clock wait
 * for its expiry; {@code CrashResumeTest} covers the takeover itself).
 */
class PreviewCrashResumeTest {

  private static final String CHILD = "crashed-pipeline@runner-1";
  private static final String RESUMER = "resumed-pipeline@runner-2";
  private static final Duration LIMIT = Duration.ofSeconds(90);

  private final MockCluster cluster = MockCluster.start();

  @AfterEach
  void stop() {
    cluster.close();
  }

  private static List<String> ruleNames(HTTPRoute route) {
    return route.getSpec().getRules().stream().map(HTTPRouteRule::getName).toList();
  }

  @Test
  void aPreviewLeftByAPlanKilledMidSwitchIsRemovedByTheRerunWhichSaysWhoseItWas() throws Exception {
    cluster.environmentService("app-blue", "blue", 2);
    cluster.environmentService("app-green", "green", 2);
    cluster.httpRoute(Fixtures.ROUTE, "app-blue", 100, "app-green", 0);

    try (ChildJvm child = ChildJvm.start("preview-crash", PreviewPlanChild.class, cluster.url(), CHILD)) {
      child.awaitLine("PREVIEW_OPENED", LIMIT);
      child.awaitLine("STAGE_VERIFIED " + CrashResumeChild.KILLED_IN_STAGE + " ", LIMIT);
      assertThat(child.kill()).as("killed by SIGKILL (128 + 9)").isEqualTo(137);
      assertThat(child.lines()).noneMatch(l -> l.startsWith("FINISHED"));
    }

    HTTPRoute left = cluster.getHttpRoute(Fixtures.ROUTE);
    assertThat(ruleNames(left)).as("the dead plan's preview rule is still there").containsExactly("app", "docs", "bluegreen-preview");
    assertThat(left.getMetadata().getAnnotations()).containsEntry("preview.bluegreen.io/owner", CHILD);
    assertThat(CrashResumeChild.router(cluster.client()).current()).as("the router ignores it").isEqualTo(TrafficSplit.of(BLUE, 50, GREEN, 50));

    int mark = cluster.requestCount();
    RecordingListener events = new RecordingListener();
    LeaseLock lock = LeaseLock.builder(cluster.newClient()).namespace(MockCluster.NS).leaseDuration(CrashResumeChild.LEASE_DURATION)
        .clock(Clock.offset(Clock.systemUTC(), Duration.ofHours(1))).build();
    SwitchResult result = PreviewPlanChild.plan(cluster.newClient(), lock, RESUMER).listener(events).defaultLogging(false)
        .time(VirtualClock.create()).build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(events.ofType(SwitchEvent.PreviewLeftoverRemoved.class)).singleElement()
        .satisfies(e -> assertThat(e.removed()).contains("bluegreen-preview", "opened by " + CHILD));
    assertThat(events.ofType(SwitchEvent.PreviewOpened.class)).hasSize(1);
    assertThat(events.ofType(SwitchEvent.PreviewClosed.class)).singleElement()
        .satisfies(e -> assertThat(e.removed()).contains("opened by " + RESUMER));
    HTTPRoute after = cluster.getHttpRoute(Fixtures.ROUTE);
    assertThat(ruleNames(after)).as("no preview left").containsExactly("app", "docs");
    assertThat(after.getMetadata().getAnnotations()).doesNotContainKey("preview.bluegreen.io/owner");
    assertThat(CrashResumeChild.router(cluster.client()).current()).isEqualTo(TrafficSplit.allTo(GREEN, BLUE));
    List<String> routeWrites = MockCluster.writes(cluster.requestsSince(mark)).stream()
        .filter(r -> r.resourcePath().endsWith("/httproutes/" + Fixtures.ROUTE)).map(MockCluster.Request::method).toList();
    assertThat(routeWrites).as("leftover removed, preview opened, stages 4 and 5, preview closed").hasSize(5);
  }
}
