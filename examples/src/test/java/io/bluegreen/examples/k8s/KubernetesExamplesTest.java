package io.bluegreen.examples.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.core.Environment;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.examples.Captured;
import io.bluegreen.testkit.VirtualClock;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs both Kubernetes examples against the in-process API server and reads the result back from it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KubernetesExamplesTest {

  private static final TrafficSplit ALL_GREEN = TrafficSplit.allTo(Environment.of("green"), Environment.of("blue"));

  @Test
  void serviceSelectorExampleMovesAppServiceToGreenAndKeepsTheOtherSelectorKeys() {
    Captured output = new Captured();
    try (InProcessCluster cluster = InProcessCluster.start()) {
      VirtualClock clock = VirtualClock.create();

      SwitchResult result = ServiceSelectorExample.run(cluster.client(), InProcessCluster.NAMESPACE, clock, output.out());

      assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
      assertThat(result.writes()).isEqualTo(1);
      assertThat(result.trafficNow()).hasValueSatisfying(t -> assertThat(t.asMap()).isEqualTo(ALL_GREEN.asMap()));
      Map<String, String> selector = cluster.client().services().inNamespace("shop").withName("app-service").get().getSpec().getSelector();
      assertThat(selector).containsExactlyInAnyOrderEntriesOf(Map.of("app", "shop", "tier", "web", "version", "green"));
      List<Lease> leases = cluster.client().leases().inNamespace("shop").list().getItems();
      assertThat(leases).as("the plan's Lease, released at the end").singleElement()
          .satisfies(l -> assertThat(l.getSpec().getHolderIdentity()).isNull());
      assertThat(clock.elapsed()).as("the 2-minute bake ran on the virtual clock").isGreaterThanOrEqualTo(Duration.ofMinutes(2));
    }
    assertThat(output.text()).contains("gate deployment-ready(shop/app-green) (pre-switch): HEALTHY", "route lock taken by",
        "stage 1/1  blue=0 green=100", "COMPLETED", "app-service selects {app=shop, tier=web, version=green}");
  }

  @Test
  void httpRouteExampleMovesTheWeightsInThreeStages() {
    Captured output = new Captured();
    try (InProcessCluster cluster = InProcessCluster.start()) {
      HTTPRoute before = cluster.client().resources(HTTPRoute.class).inNamespace("shop").withName("app").get();

      SwitchResult result = HttpRouteExample.run(cluster.client(), InProcessCluster.NAMESPACE, VirtualClock.create(), output.out());

      assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
      assertThat(result.writes()).as("one write per stage").isEqualTo(3);
      HTTPRoute after = cluster.client().resources(HTTPRoute.class).inNamespace("shop").withName("app").get();
      assertThat(HttpRouteExample.backendWeights(after)).isEqualTo("app-blue=0 app-green=100");
      assertThat(after.getSpec().getParentRefs()).isEqualTo(before.getSpec().getParentRefs());
      assertThat(after.getSpec().getRules().get(0).getMatches()).isEqualTo(before.getSpec().getRules().get(0).getMatches());
    }
    assertThat(output.text()).contains("stage 1/3  blue=90 green=10", "stage 2/3  blue=50 green=50", "stage 3/3  blue=0 green=100",
        "HTTPRoute app backendRefs: app-blue=0 app-green=100");
  }

  @Test
  void theMainMethodsInProcessRunsComplete() {
    Captured output = new Captured();
    SwitchResult service = ServiceSelectorExample.runInProcess(output.out());
    SwitchResult route = HttpRouteExample.runInProcess(output.out());
    assertThat(service.outcome()).as(service.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(route.outcome()).as(route.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(route.trafficNow()).hasValueSatisfying(t -> assertThat(t.asMap()).isEqualTo(ALL_GREEN.asMap()));
    assertThat(output.text()).contains("in-process Kubernetes API at http://127.0.0.1:");
  }

  @Test
  void argumentsChooseTheCluster() {
    assertThat(ClusterArgs.parse().isReal()).isFalse();
    assertThat(ClusterArgs.parse("--real", "--namespace", "prod").isReal()).isTrue();
    assertThat(ClusterArgs.parse("--kubeconfig", "/nowhere").isReal()).isTrue();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ClusterArgs.parse("--cluster")).hasMessageContaining("unknown option --cluster");
  }
}
