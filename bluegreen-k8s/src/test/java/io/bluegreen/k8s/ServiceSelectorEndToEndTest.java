package io.bluegreen.k8s;

import static io.bluegreen.k8s.support.Fixtures.BLUE;
import static io.bluegreen.k8s.support.Fixtures.GREEN;
import static io.bluegreen.k8s.support.Fixtures.SERVICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.core.Environment;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.PreflightException;
import io.bluegreen.core.RouterException;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.UnmappedRouteStateException;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.k8s.gate.DeploymentReadyGate;
import io.bluegreen.k8s.gate.EndpointsReadyGate;
import io.bluegreen.k8s.support.Fixtures;
import io.bluegreen.k8s.support.MockCluster;
import io.bluegreen.k8s.support.Plans;
import io.bluegreen.testkit.RecordingListener;
import io.bluegreen.testkit.ScriptedGate;
import io.bluegreen.testkit.VirtualClock;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The common flow on a Service selector, end to end through a SwitchPlan on the CRUD mock server. */
class ServiceSelectorEndToEndTest {

  private final MockCluster cluster = MockCluster.start();
  private final VirtualClock clock = VirtualClock.create();
  private final RecordingListener events = new RecordingListener();

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void switchesAppServiceFromBlueToGreenKeepingTheOtherSelectorKeys() {
    ServiceSelectorRouter router = Fixtures.serviceScene(cluster, 2, 0);
    Service before = cluster.getService(SERVICE);
    int mark = cluster.requestCount();

    SwitchResult result = Plans.plan(router, StageSchedule.allAtOnce(Duration.ofMinutes(1)), clock, events)
        .gate(ScriptedGate.healthy()).build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
    Service after = cluster.getService(SERVICE);
    assertThat(after.getSpec().getSelector()).containsExactlyInAnyOrderEntriesOf(Map.of("app", "myapp", "version", "green"));
    // nothing but the one selector value changed
    Service expected = new ServiceBuilder(before).editSpec().addToSelector("version", "green").endSpec().build();
    assertThat(after.getSpec()).isEqualTo(expected.getSpec());
    assertThat(after.getMetadata().getLabels()).isEqualTo(before.getMetadata().getLabels());
    assertThat(MockCluster.writes(cluster.requestsSince(mark)))
        .extracting(MockCluster.Request::toString)
        .containsExactly("PUT /api/v1/namespaces/default/services/app-service");
    assertThat(result.trafficNow()).contains(TrafficSplit.allTo(GREEN, BLUE));
    assertThat(result.isTrafficNowVerified()).isTrue();
  }

  @Test
  void stageGatesOnAMissingDeploymentOrServiceAbortBeforeAnyWrite() {
    ServiceSelectorRouter router = Fixtures.serviceScene(cluster, 2, 0);
    int mark = cluster.requestCount();

    SwitchResult noDeployment = Plans.plan(router, StageSchedule.allAtOnce(Duration.ofMinutes(1)), clock, events)
        .gate(DeploymentReadyGate.builder(cluster.client()).namespace("default").deployment("app-gren").build()).build().execute();
    SwitchResult noService = Plans.plan(router, StageSchedule.allAtOnce(Duration.ofMinutes(1)), clock, events)
        .gate(EndpointsReadyGate.forService(cluster.client(), "default", "app-gren").build()).build().execute();

    assertThat(noDeployment.outcome()).as(noDeployment.summary()).isEqualTo(Outcome.ABORTED);
    assertThat(noDeployment.reason()).contains("failed its preflight").contains("Deployment default/app-gren not found");
    assertThat(noService.outcome()).as(noService.summary()).isEqualTo(Outcome.ABORTED);
    assertThat(noService.reason()).contains("failed its preflight").contains("Service default/app-gren not found");
    assertThat(MockCluster.writes(cluster.requestsSince(mark))).as("nothing written").isEmpty();
    assertThat(cluster.getService(SERVICE).getSpec().getSelector()).containsEntry("version", "blue");
  }

  @Test
  void refusesToSwitchToASelectorWithZeroReadyEndpointsAndWritesNothing() {
    ServiceSelectorRouter router = Fixtures.serviceScene(cluster, 0, 2);
    int mark = cluster.requestCount();

    SwitchResult result = Plans.plan(router, StageSchedule.allAtOnce(), clock, events).build().execute();

    assertThat(result.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(result.reason()).contains("Service default/app-service would select app=myapp,version=green")
        .contains("none of the 2 Pods with those labels is ready");
    assertThat(result.writes()).isZero();
    assertThat(MockCluster.writes(cluster.requestsSince(mark))).isEmpty();
    assertThat(cluster.getService(SERVICE).getSpec().getSelector()).containsEntry("version", "blue");
  }

  @Test
  void refusesWhenNoPodHasTheTargetLabels() {
    ServiceSelectorRouter router = Fixtures.serviceScene(cluster, 0, 0);
    assertThatThrownBy(() -> router.preflight(TrafficSplit.allTo(GREEN, BLUE)))
        .isInstanceOf(PreflightException.class)
        .hasMessageContaining("no Pod in namespace default has those labels: deploy green");
    assertThatThrownBy(() -> router.apply(TrafficSplit.allTo(GREEN, BLUE)))
        .isInstanceOf(RouterException.class)
        .hasMessageContaining("refusing to write blue=0 green=100 to Service default/app-service");
    assertThat(cluster.writeCount()).isEqualTo(setupWrites());
  }

  @Test
  void missingServiceIsNamedClearlyAndNothingIsWritten() {
    Fixtures.serviceScene(cluster, 2, 0);
    ServiceSelectorRouter router = ServiceSelectorRouter.builder(cluster.client()).namespace("default").service("app-servce")
        .environments(BLUE, GREEN).build();
    int mark = cluster.requestCount();

    SwitchResult result = Plans.plan(router, StageSchedule.allAtOnce(), clock, events).build().execute();

    assertThat(result.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(result.reason()).contains("Service default/app-servce not found: create it or fix the name");
    assertThat(MockCluster.writes(cluster.requestsSince(mark))).isEmpty();
    assertThatThrownBy(router::current).isInstanceOf(RouterException.class)
        .hasMessageContaining("Service default/app-servce not found: create it or fix the name")
        .satisfies(e -> assertThat(((RouterException) e).isTransient()).isFalse());
  }

  @Test
  void rollbackRestoresTheExactPriorObjectContent() {
    ServiceSelectorRouter router = Fixtures.serviceScene(cluster, 2, 0);
    Service before = cluster.getService(SERVICE);

    SwitchResult result = Plans.plan(router, StageSchedule.allAtOnce(Duration.ofMinutes(5)), clock, events)
        .gate(ScriptedGate.unhealthyInStageAfter(1, Duration.ofMinutes(2), "green error rate 9%")).build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.ROLLED_BACK);
    Service after = cluster.getService(SERVICE);
    assertThat(after.getSpec()).isEqualTo(before.getSpec());
    assertThat(after.getMetadata().getLabels()).isEqualTo(before.getMetadata().getLabels());
    assertThat(after.getMetadata().getAnnotations()).isEqualTo(before.getMetadata().getAnnotations());
    assertThat(result.writes()).isEqualTo(2);
    assertThat(events.ofType(SwitchEvent.RollbackCompleted.class)).hasSize(1);
  }

  @Test
  void aSelectorValueNoEnvironmentMapsToFailsClearlyInsteadOfGuessing() {
    cluster.service(SERVICE, Map.of("app", "myapp", "version", "purple"));
    ServiceSelectorRouter router = ServiceSelectorRouter.builder(cluster.client()).service(SERVICE).environments(BLUE, GREEN).build();

    assertThatThrownBy(router::current).isInstanceOf(UnmappedRouteStateException.class)
        .hasMessageContaining("holds a state no environment maps to (selector version=purple)")
        .hasMessageContaining("none of the mapped environments (blue->version=blue, green->version=green)")
        .satisfies(e -> assertThat(((RouterException) e).isTransient()).isFalse())
        .satisfies(e -> assertThat(((UnmappedRouteStateException) e).found()).isEqualTo("selector version=purple"));
    // apply never writes over a state it cannot read
    int writes = (int) cluster.writeCount();
    assertThatThrownBy(() -> router.apply(TrafficSplit.allTo(GREEN, BLUE))).isInstanceOf(RouterException.class);
    assertThat(cluster.writeCount()).isEqualTo(writes);
  }

  @Test
  void aSelectorWithoutTheKeyFailsSayingWhatToAdd() {
    cluster.service(SERVICE, Map.of("app", "myapp"));
    ServiceSelectorRouter router = ServiceSelectorRouter.builder(cluster.client()).service(SERVICE).environments(BLUE, GREEN).build();
    assertThatThrownBy(router::current).isInstanceOf(UnmappedRouteStateException.class)
        .hasMessageContaining("(selector app=myapp without version): add version=<label value of the live environment>");
  }

  @Test
  void customLabelValuesAndAPrefixedSelectorKey() {
    Environment v1 = Environment.of("stable");
    Environment v2 = Environment.of("canary");
    cluster.service(SERVICE, Map.of("app.kubernetes.io/name", "shop", "app.kubernetes.io/version", "1.4.2"));
    cluster.pods("shop-v2", Map.of("app.kubernetes.io/name", "shop", "app.kubernetes.io/version", "2.0.0-rc.1"), 1, true);
    ServiceSelectorRouter router = ServiceSelectorRouter.builder(cluster.client()).namespace("default").service(SERVICE)
        .selectorKey("app.kubernetes.io/version").environment(v1, "1.4.2").environment(v2, "2.0.0-rc.1").build();

    assertThat(router.current()).isEqualTo(TrafficSplit.allTo(v1));
    router.apply(TrafficSplit.allTo(v2, v1));

    assertThat(cluster.getService(SERVICE).getSpec().getSelector())
        .containsExactlyInAnyOrderEntriesOf(Map.of("app.kubernetes.io/name", "shop", "app.kubernetes.io/version", "2.0.0-rc.1"));
    assertThat(router.current().asMap()).containsExactly(Map.entry(v1, 0), Map.entry(v2, 100));
    assertThat(router.routeId()).isEqualTo("k8s/service/default/app-service");
  }

  private long setupWrites() {
    // Service + 2 blue Pods + 0 green + 0 unready + 1 other-app Pod
    return 4;
  }
}
