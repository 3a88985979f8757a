package io.bluegreen.k8s.gate;

import static io.bluegreen.k8s.support.Fixtures.BLUE;
import static io.bluegreen.k8s.support.Fixtures.GREEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.core.GateContext;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.k8s.ServiceSelectorRouter;
import io.bluegreen.k8s.support.Fixtures;
import io.bluegreen.k8s.support.MockCluster;
import io.bluegreen.k8s.support.Plans;
import io.bluegreen.testkit.RecordingListener;
import io.bluegreen.testkit.VirtualClock;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeploymentReadyGateTest {

  private static final String PATH = "/apis/apps/v1/namespaces/default/deployments/app-green";
  private final MockCluster cluster = MockCluster.start();

  @AfterEach
  void stop() {
    cluster.close();
  }

  private static Deployment deployment(int desired, long generation, long observed, int total, int updated, int ready, int available) {
    return new DeploymentBuilder().withNewMetadata().withName("app-green").withNamespace("default").withGeneration(generation).endMetadata()
        .withNewSpec().withReplicas(desired).endSpec()
        .withNewStatus().withObservedGeneration(observed).withReplicas(total).withUpdatedReplicas(updated)
        .withReadyReplicas(ready).withAvailableReplicas(available).endStatus().build();
  }

  private static GateContext ctx(GateContext.Phase phase) {
    return GateContext.builder().planName("p").routeId("r").phase(phase).stage(1, 1).from(BLUE).to(GREEN)
        .split(TrafficSplit.allTo(BLUE)).now(Instant.parse("2026-01-01T00:00:00Z")).build();
  }

  private GateResult check(Deployment d, GateContext.Phase phase, int minReady) {
    cluster.expect().get().withPath(PATH).andReturn(200, d).once();
    return DeploymentReadyGate.builder(cluster.client()).namespace("default").deployment("app-green").minReady(minReady).build()
        .check(ctx(phase));
  }

  @Test
  void completeRolloutIsHealthy() {
    GateResult r = check(deployment(3, 4, 4, 3, 3, 3, 3), GateContext.Phase.STAGE, 1);
    assertThat(r.isHealthy()).isTrue();
    assertThat(r.reason()).contains("3/3 replicas updated, ready and available").contains("generation 4");
  }

  @Test
  void rollingOutIsInconclusive() {
    assertThat(check(deployment(3, 5, 4, 3, 3, 3, 3), GateContext.Phase.PRE_SWITCH, 1))
        .satisfies(r -> assertThat(r.status()).isEqualTo(GateResult.Status.INCONCLUSIVE))
        .satisfies(r -> assertThat(r.reason()).contains("generation 5 not yet observed"));
    assertThat(check(deployment(3, 5, 5, 4, 2, 3, 3), GateContext.Phase.STAGE, 1).reason()).contains("rolling out: 2/3 updated");
    assertThat(check(deployment(3, 5, 5, 4, 3, 3, 3), GateContext.Phase.STAGE, 1).reason()).contains("1 old replica(s) still terminating");
    assertThat(check(deployment(3, 5, 5, 3, 3, 2, 2), GateContext.Phase.STAGE, 1))
        .satisfies(r -> assertThat(r.status()).isEqualTo(GateResult.Status.INCONCLUSIVE))
        .satisfies(r -> assertThat(r.reason()).contains("not all replicas ready yet: 3/3 updated, 2 ready, 2 available"));
  }

  @Test
  void noReadyReplicaIsInconclusiveBeforeTheSwitchButUnhealthyWhileReceivingTraffic() {
    Deployment crashing = deployment(3, 2, 2, 3, 3, 0, 0);
    assertThat(check(crashing, GateContext.Phase.PRE_SWITCH, 1).status()).isEqualTo(GateResult.Status.INCONCLUSIVE);
    assertThat(check(crashing, GateContext.Phase.STAGE, 1))
        .satisfies(r -> assertThat(r.isUnhealthy()).isTrue())
        .satisfies(r -> assertThat(r.reason()).contains("has no ready replica while receiving traffic"));
  }

  @Test
  void missingScaledToZeroStuckOrTooSmallIsUnhealthy() {
    GateResult missing = DeploymentReadyGate.builder(cluster.client()).deployment("app-green").build().check(ctx(GateContext.Phase.PRE_SWITCH));
    assertThat(missing.isUnhealthy()).isTrue();
    assertThat(missing.reason()).isEqualTo("Deployment default/app-green not found: create it or fix the name");
    assertThat(check(deployment(0, 1, 1, 0, 0, 0, 0), GateContext.Phase.PRE_SWITCH, 1).reason()).contains("scaled to 0 replicas");
    assertThat(check(deployment(2, 1, 1, 2, 2, 2, 2), GateContext.Phase.PRE_SWITCH, 3).reason())
        .contains("wants 2 replicas, fewer than the 3 this gate requires");
    Deployment stuck = new DeploymentBuilder(deployment(3, 2, 2, 3, 1, 1, 1)).editStatus().addNewCondition().withType("Progressing")
        .withStatus("False").withReason("ProgressDeadlineExceeded").withMessage("ReplicaSet app-green-7f9 has timed out progressing.")
        .endCondition().endStatus().build();
    assertThat(check(stuck, GateContext.Phase.STAGE, 1))
        .satisfies(r -> assertThat(r.isUnhealthy()).isTrue())
        .satisfies(r -> assertThat(r.reason()).contains("rollout is stuck (ProgressDeadlineExceeded"));
  }

  @Test
  void transientReadFailuresAreInconclusiveAndForbiddenIsUnhealthy() {
    cluster.expect().get().withPath(PATH).andReturn(503, new StatusBuilder().withCode(503).build()).once();
    cluster.expect().get().withPath(PATH).andReturn(403, new StatusBuilder().withCode(403).withMessage("forbidden").build()).once();
    DeploymentReadyGate gate = DeploymentReadyGate.builder(cluster.client()).deployment("app-green").build();
    assertThat(gate.check(ctx(GateContext.Phase.STAGE)).status()).isEqualTo(GateResult.Status.INCONCLUSIVE);
    assertThat(gate.check(ctx(GateContext.Phase.STAGE))).satisfies(r -> assertThat(r.isUnhealthy()).isTrue())
        .satisfies(r -> assertThat(r.reason()).contains("grant the client's identity 'get' on apps/deployments"));
  }

  @Test
  void perEnvironmentMappingChecksThePlansTarget() {
    cluster.expect().get().withPath(PATH).andReturn(200, deployment(2, 1, 1, 2, 2, 2, 2)).once();
    DeploymentReadyGate gate = DeploymentReadyGate.builder(cluster.client()).deployment(BLUE, "app-blue").deployment(GREEN, "app-green").build();
    assertThat(gate.check(ctx(GateContext.Phase.PRE_SWITCH)).isHealthy()).isTrue();
    assertThat(gate.name()).isEqualTo("deployment-ready(default/<target>)");
  }

  @Test
  void asAPreSwitchGateItWaitsForTheRolloutThenTheSwitchProceeds() {
    ServiceSelectorRouter router = Fixtures.serviceScene(cluster, 2, 0);
    // the first read is the gate's preflight (the Deployment exists), then the checks
    cluster.expect().get().withPath(PATH).andReturn(200, deployment(2, 3, 2, 2, 2, 2, 2)).once();
    cluster.expect().get().withPath(PATH).andReturn(200, deployment(2, 3, 2, 2, 2, 2, 2)).once();
    cluster.expect().get().withPath(PATH).andReturn(200, deployment(2, 3, 3, 3, 2, 2, 2)).once();
    cluster.expect().get().withPath(PATH).andReturn(200, deployment(2, 3, 3, 2, 2, 2, 2)).always();
    VirtualClock clock = VirtualClock.create();
    RecordingListener events = new RecordingListener();

    SwitchResult result = Plans.plan(router, StageSchedule.allAtOnce(Duration.ofMinutes(1)), clock, events)
        .preSwitchGate(DeploymentReadyGate.builder(cluster.client()).deployment("app-green").minReady(2).build()).build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(events.ofType(io.bluegreen.core.event.SwitchEvent.GateChecked.class)).extracting(g -> g.result().status())
        .containsExactly(GateResult.Status.INCONCLUSIVE, GateResult.Status.INCONCLUSIVE, GateResult.Status.HEALTHY);
  }

  @Test
  void badConfigurationIsRejectedWithoutRequests() {
    int before = cluster.requestCount();
    assertThatThrownBy(() -> DeploymentReadyGate.builder(cluster.client()).deployment("App_Green"))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("is not a valid Kubernetes object name");
    assertThatThrownBy(() -> DeploymentReadyGate.builder(cluster.client()).build())
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("no Deployment set");
    assertThatThrownBy(() -> DeploymentReadyGate.builder(cluster.client()).minReady(0)).isInstanceOf(InvalidConfigurationException.class);
    assertThat(cluster.requestCount()).isEqualTo(before);
  }
}
