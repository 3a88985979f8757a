package io.bluegreen.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.core.Outcome;
import io.bluegreen.core.Router;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.WriteGuard;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.k8s.support.Fixtures;
import io.bluegreen.k8s.support.MockCluster;
import io.bluegreen.k8s.support.Plans;
import io.bluegreen.testkit.RecordingListener;
import io.bluegreen.testkit.ScriptedGate;
import io.bluegreen.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 15 on the fabric8 mock server, counted request by request: the Kubernetes routers' guarded
 * write (WriteGuard.CONDITIONAL) makes a forward stage one update of the object (plus the readiness
 * lists of the environment gaining weight) with no read of the object before or after it, and a
 * rollback exactly one request, the update, whose response is the verification.
 */
class GuardedWriteRequestsTest {

  private final MockCluster cluster = MockCluster.start();
  private final VirtualClock clock = VirtualClock.create();
  private final RecordingListener events = new RecordingListener();

  @AfterEach
  void stop() {
    cluster.close();
  }

  static Stream<Arguments> routers() {
    return Stream.of(
        Arguments.of("Service", (Function<MockCluster, Router>) c -> Fixtures.serviceScene(c, 2, 0), "/services/" + Fixtures.SERVICE),
        Arguments.of("Ingress", (Function<MockCluster, Router>) Fixtures::ingressScene, "/ingresses/" + Fixtures.INGRESS),
        Arguments.of("HTTPRoute", (Function<MockCluster, Router>) Fixtures::routeScene, "/httproutes/" + Fixtures.ROUTE));
  }

  /** The requests made between each pair of events, e.g. StageStarted → StageVerified. */
  private final class Spans {
    final List<List<MockCluster.Request>> stages = new ArrayList<>();
    List<MockCluster.Request> rollback = List.of();
    private int mark = -1;

    void on(SwitchEvent e) {
      if (e instanceof SwitchEvent.StageStarted || e instanceof SwitchEvent.RollbackStarted) {
        mark = cluster.requestCount();
      } else if (e instanceof SwitchEvent.StageVerified) {
        stages.add(cluster.requestsSince(mark));
      } else if (e instanceof SwitchEvent.RollbackCompleted) {
        rollback = cluster.requestsSince(mark);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("routers")
  void aForwardStageIsOneUpdateOfTheObjectWithNoReadOfItBeforeOrAfter(String kind, Function<MockCluster, Router> scene, String object) {
    Router router = scene.apply(cluster);
    assertThat(router.capabilities().writeGuard()).isEqualTo(WriteGuard.CONDITIONAL);
    boolean weighted = router.capabilities().isWeighted();
    Spans spans = new Spans();
    SwitchResult r = Plans.plan(router, weighted ? StageSchedule.targetWeights(Duration.ofMinutes(1), 10, 50, 100)
            : StageSchedule.allAtOnce(Duration.ofMinutes(1)), clock, events)
        .gate(ScriptedGate.healthy()).listener(spans::on).build().execute();
    assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(spans.stages).hasSize(weighted ? 3 : 1);
    for (int i = 0; i < spans.stages.size(); i++) {
      List<MockCluster.Request> stage = spans.stages.get(i);
      System.out.printf("%s stage %d: %d requests %s%n", kind, i + 1, stage.size(), stage);
      assertThat(stage).as("stage %d of %s: one update of %s", i + 1, kind, object)
          .filteredOn(q -> q.path().contains(object)).extracting(MockCluster.Request::method).containsExactly("PUT");
      assertThat(MockCluster.writes(stage)).as("stage %d of %s: the only write is the update", i + 1, kind).hasSize(1);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("routers")
  void aRollbackIsExactlyOneRequestTheUpdate(String kind, Function<MockCluster, Router> scene, String object) {
    Router router = scene.apply(cluster);
    boolean weighted = router.capabilities().isWeighted();
    Spans spans = new Spans();
    SwitchResult r = Plans.plan(router, weighted ? StageSchedule.targetWeights(Duration.ofMinutes(1), 10, 50, 100)
            : StageSchedule.allAtOnce(Duration.ofMinutes(1)), clock, events)
        .gate(ScriptedGate.unhealthyDuringStage(weighted ? 2 : 1, "green broke")).listener(spans::on).build().execute();
    assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(r.isTrafficNowVerified()).as(r.summary()).isTrue();
    System.out.printf("%s rollback: %d request(s) %s%n", kind, spans.rollback.size(), spans.rollback);
    assertThat(spans.rollback).as("RollbackStarted -> RollbackCompleted on %s", kind).singleElement()
        .satisfies(q -> assertThat(q.method() + " " + q.path()).startsWith("PUT ").contains(object));
  }
}
