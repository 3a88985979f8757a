package io.bluegreen.k8s.gate;

import static io.bluegreen.k8s.support.Fixtures.BLUE;
import static io.bluegreen.k8s.support.Fixtures.GREEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.core.GateContext;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.k8s.support.MockCluster;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EndpointsReadyGateTest {

  private final MockCluster cluster = MockCluster.start();

  @AfterEach
  void stop() {
    cluster.close();
  }

  private static GateContext ctx(GateContext.Phase phase) {
    return GateContext.builder().planName("p").routeId("r").phase(phase).stage(1, 1).from(BLUE).to(GREEN)
        .split(TrafficSplit.allTo(BLUE)).now(Instant.parse("2026-01-01T00:00:00Z")).build();
  }

  @Test
  void countsReadyEndpointsOfAServiceFromItsEndpointSlices() {
    cluster.service("app-green", Map.of("app", "myapp", "version", "green"));
    cluster.endpointSlice("app-green", 2, 1);
    cluster.endpointSlice("app-green", 1, 0); // a second slice (e.g. IPv6) listing one of the same Pods again
    EndpointsReadyGate two = EndpointsReadyGate.forService(cluster.client(), "default", "app-green").minReady(2).build();
    EndpointsReadyGate three = EndpointsReadyGate.forService(cluster.client(), "default", "app-green").minReady(3).build();

    assertThat(two.check(ctx(GateContext.Phase.STAGE))).satisfies(r -> assertThat(r.isHealthy()).isTrue())
        .satisfies(r -> assertThat(r.reason()).isEqualTo("2 of 3 ready (EndpointSlices of Service default/app-green)"));
    assertThat(three.check(ctx(GateContext.Phase.STAGE)).status()).isEqualTo(GateResult.Status.INCONCLUSIVE);
  }

  @Test
  void noReadyEndpointIsUnhealthyOnlyOnceTrafficMoves() {
    cluster.service("app-green", Map.of("app", "myapp", "version", "green"));
    cluster.endpointSlice("app-green", 0, 2);
    EndpointsReadyGate gate = EndpointsReadyGate.forService(cluster.client(), "default", "app-green").build();
    assertThat(gate.check(ctx(GateContext.Phase.PRE_SWITCH)).status()).isEqualTo(GateResult.Status.INCONCLUSIVE);
    assertThat(gate.check(ctx(GateContext.Phase.STAGE))).satisfies(r -> assertThat(r.isUnhealthy()).isTrue())
        .satisfies(r -> assertThat(r.reason()).contains("no ready endpoint while receiving traffic"));
  }

  @Test
  void aMissingServiceIsUnhealthy() {
    GateResult r = EndpointsReadyGate.forService(cluster.client(), "default", "app-green").build().check(ctx(GateContext.Phase.PRE_SWITCH));
    assertThat(r.isUnhealthy()).isTrue();
    assertThat(r.reason()).isEqualTo("Service default/app-green not found: create it or fix the name");
  }

  @Test
  void aSelectorCountsReadyPods() {
    cluster.pods("green", Map.of("app", "myapp", "version", "green"), 2, true);
    cluster.pods("green-starting", Map.of("app", "myapp", "version", "green"), 1, false);
    cluster.pods("blue", Map.of("app", "myapp", "version", "blue"), 3, true);
    EndpointsReadyGate gate = EndpointsReadyGate.forSelector(cluster.client(), "default", Map.of("app", "myapp", "version", "green"))
        .minReady(2).build();
    assertThat(gate.check(ctx(GateContext.Phase.STAGE)).reason()).isEqualTo("2 of 3 ready (Pods matching app=myapp,version=green)");
    assertThat(gate.name()).isEqualTo("endpoints-ready(default/app=myapp,version=green)");
  }

  @Test
  void badSelectorsAreRejectedWithoutRequests() {
    int before = cluster.requestCount();
    assertThatThrownBy(() -> EndpointsReadyGate.forSelector(cluster.client(), "default", Map.of("version", "green,app=x")))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("is not a valid Kubernetes label value");
    assertThatThrownBy(() -> EndpointsReadyGate.forSelector(cluster.client(), "default", Map.of("bad key", "x")))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("is not a valid Kubernetes label key");
    assertThatThrownBy(() -> EndpointsReadyGate.forSelector(cluster.client(), "default", Map.of()))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("would match every Pod");
    assertThat(cluster.requestCount()).isEqualTo(before);
  }
}
