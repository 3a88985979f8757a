package io.bluegreen.k8s;

import static io.bluegreen.k8s.support.Fixtures.BLUE;
import static io.bluegreen.k8s.support.Fixtures.GREEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.core.DryRunReport;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.PreflightException;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.WriteDescription;
import io.bluegreen.k8s.support.Fixtures;
import io.bluegreen.k8s.support.MockCluster;
import io.bluegreen.k8s.support.Plans;
import io.bluegreen.testkit.LogCapture;
import io.bluegreen.testkit.RecordingListener;
import io.bluegreen.testkit.VirtualClock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/**
 * The Kubernetes routers' rough edges (issue 11 §3): the dry run names the object each write
 * updates, the fields it sets and what it keeps; writes are logged under the public router classes;
 * a missing object fails the dry run with a PreflightException, as any missing resource does.
 */
class KubernetesDryRunAndLoggingTest {

  private final MockCluster cluster = MockCluster.start();

  @AfterEach
  void stop() {
    cluster.close();
  }

  private DryRunReport dryRun(io.bluegreen.core.Router router, StageSchedule schedule) {
    return Plans.plan(router, schedule, VirtualClock.create(), new RecordingListener()).build().dryRun();
  }

  @Test
  void aServiceSelectorWriteNamesTheServiceTheSelectorKeyAndTheKeysItKeeps() {
    ServiceSelectorRouter router = Fixtures.serviceScene(cluster, 2, 0);
    int writesBefore = (int) cluster.writeCount();

    WriteDescription d = dryRun(router, StageSchedule.allAtOnce()).writes().get(0).description().orElseThrow();

    assertThat(d.touches()).matches("update Service default/app-service \\(guarded by resourceVersion \\d+\\): spec.selector version=green");
    assertThat(d.keeps()).singleElement().satisfies(k -> assertThat(k).contains("the other selector keys (app=myapp)")
        .contains("every other field of the Service"));
    assertThat(cluster.writeCount()).as("a dry run writes nothing").isEqualTo(writesBefore);
  }

  @Test
  void anIngressWriteNamesTheBackendsItRepoints() {
    IngressBackendRouter router = Fixtures.ingressScene(cluster);
    WriteDescription d = dryRun(router, StageSchedule.allAtOnce()).writes().get(0).description().orElseThrow();
    assertThat(d.touches()).startsWith("update Ingress default/app (guarded by resourceVersion ").contains("the backend Service of 2 backends")
        .endsWith("set to app-green");
    assertThat(d.keeps()).singleElement().satisfies(k -> assertThat(k).contains("TLS"));
  }

  @Test
  void anHttpRouteWriteNamesTheRuleAndTheWeightsOfEachStage() {
    HttpRouteRouter router = Fixtures.routeScene(cluster);
    DryRunReport report = dryRun(router, StageSchedule.targetWeights(Duration.ofMinutes(1), 10, 100));
    assertThat(report.writes()).extracting(w -> w.description().orElseThrow().touches())
        .allSatisfy(t -> assertThat(t).startsWith("update HTTPRoute default/app (guarded by resourceVersion "))
        .anySatisfy(t -> assertThat(t).endsWith("the backendRef weights of rule #0 (app) set to app-blue=90, app-green=10"))
        .anySatisfy(t -> assertThat(t).endsWith("set to app-blue=0, app-green=100"));
    assertThat(report.writes().get(0).description().orElseThrow().keeps()).singleElement()
        .satisfies(k -> assertThat(k).startsWith("the other 1 rule, matches, filters"));
  }

  @Test
  void writesAreLoggedUnderThePublicRouterClasses() {
    ServiceSelectorRouter router = Fixtures.serviceScene(cluster, 2, 0);
    try (LogCapture logs = LogCapture.start()) {
      SwitchResult result = Plans.plan(router, StageSchedule.allAtOnce(), VirtualClock.create(), new RecordingListener()).build().execute();
      assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
      assertThat(logs.lines(ServiceSelectorRouter.class.getName(), Level.INFO))
          .anySatisfy(l -> assertThat(l.message()).startsWith("Service default/app-service: blue=100 green=0 -> blue=0 green=100"));
      assertThat(logs.lines()).filteredOn(l -> l.logger().startsWith("io.bluegreen"))
          .allSatisfy(l -> assertThat(l.logger()).doesNotContain(".internal.").isNotEqualTo("io.bluegreen.k8s.KubernetesObjectRouter"));
    }
  }

  @Test
  void aMissingObjectFailsTheDryRunWithAPreflightException() {
    ServiceSelectorRouter router = ServiceSelectorRouter.builder(cluster.client()).namespace(MockCluster.NS).service("nope")
        .environments(BLUE, GREEN).build();
    assertThatThrownBy(() -> dryRun(router, StageSchedule.allAtOnce())).isInstanceOf(PreflightException.class)
        .hasMessageContaining("Service default/nope not found");
  }
}
