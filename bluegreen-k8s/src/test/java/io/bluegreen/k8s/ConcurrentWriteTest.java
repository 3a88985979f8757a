package io.bluegreen.k8s;

import static io.bluegreen.k8s.support.Fixtures.BLUE;
import static io.bluegreen.k8s.support.Fixtures.GREEN;
import static io.bluegreen.k8s.support.Fixtures.SERVICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.core.DriftDetectedException;
import io.bluegreen.core.Environment;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.RouterException;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.k8s.support.MockCluster;
import io.bluegreen.k8s.support.Plans;
import io.bluegreen.testkit.RecordingListener;
import io.bluegreen.testkit.VirtualClock;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Another writer changes the object between this router's read and its write. The CRUD mock rejects
 * the update carrying the stale resourceVersion (409); the test makes the router read the stale
 * object by serving it once from an expectation, while the store already holds the other writer's
 * version.
 */
class ConcurrentWriteTest {

  private static final Environment RED = Environment.of("red");
  private static final String PATH = "/api/v1/namespaces/default/services/app-service";

  private final MockCluster cluster = MockCluster.start();
  private ServiceSelectorRouter router;
  private Service original;

  @BeforeEach
  void scene() {
    original = cluster.service(SERVICE, Map.of("app", "myapp", "version", "blue"));
    cluster.pods("green", Map.of("app", "myapp", "version", "green"), 1, true);
    cluster.pods("red", Map.of("app", "myapp", "version", "red"), 1, true);
    router = ServiceSelectorRouter.builder(cluster.client()).service(SERVICE).environments(BLUE, GREEN, RED).build();
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private void otherWriter(java.util.function.UnaryOperator<Service> change) {
    Service s = cluster.getService(SERVICE);
    cluster.newClient().services().inNamespace("default").resource(change.apply(s)).update();
  }

  @Test
  void aSelectorChangedBetweenReadAndWriteIsDriftAndIsNotOverwritten() {
    otherWriter(s -> {
      s.getSpec().getSelector().put("version", "red");
      return s;
    });
    cluster.expect().get().withPath(PATH).andReturn(200, original).once();
    int mark = cluster.requestCount();

    assertThatThrownBy(() -> router.apply(TrafficSplit.allTo(GREEN, BLUE, RED)))
        .isInstanceOf(DriftDetectedException.class)
        .hasMessageContaining("selector app=myapp,version=blue became app=myapp,version=red")
        .satisfies(e -> {
          DriftDetectedException d = (DriftDetectedException) e;
          assertThat(d.expected()).isEqualTo(TrafficSplit.allTo(BLUE));
          assertThat(d.actual()).contains(TrafficSplit.allTo(RED));
        });
    assertThat(cluster.getService(SERVICE).getSpec().getSelector()).containsEntry("version", "red");
    assertThat(MockCluster.writes(cluster.requestsSince(mark))).hasSize(1); // the rejected one
  }

  @Test
  void aChangeOutsideTheSelectorIsRetriedOnceOnTheFreshVersionKeepingIt() {
    otherWriter(s -> {
      s.getMetadata().getAnnotations().put("example.com/scanned", "yes");
      return s;
    });
    cluster.expect().get().withPath(PATH).andReturn(200, original).once();
    int mark = cluster.requestCount();

    router.apply(TrafficSplit.allTo(GREEN, BLUE, RED));

    Service now = cluster.getService(SERVICE);
    assertThat(now.getSpec().getSelector()).containsEntry("version", "green");
    assertThat(now.getMetadata().getAnnotations()).containsEntry("example.com/scanned", "yes");
    assertThat(MockCluster.writes(cluster.requestsSince(mark))).extracting(Object::toString)
        .containsExactly("PUT " + PATH, "PUT " + PATH);
  }

  @Test
  void twoConflictsInARowAreATransientFailure() {
    cluster.expect().put().withPath(PATH).andReturn(409, new StatusBuilder().withCode(409).withReason("Conflict")
        .withMessage("the object has been modified").build()).times(2);

    assertThatThrownBy(() -> router.apply(TrafficSplit.allTo(GREEN, BLUE, RED)))
        .isInstanceOf(RouterException.class)
        .hasMessageContaining("changed again while writing")
        .satisfies(e -> assertThat(((RouterException) e).isTransient()).isTrue());
    assertThat(cluster.getService(SERVICE).getSpec().getSelector()).containsEntry("version", "blue");
  }

  @Test
  void aPlanStopsWithDriftDetectedWhenItsWriteConflictsWithAnotherWriter() {
    otherWriter(s -> {
      s.getSpec().getSelector().put("version", "red");
      return s;
    });
    // the plan reads four times before its write (snapshot, preflight, stage read, apply's read): all see the old object
    cluster.expect().get().withPath(PATH).andReturn(200, original).times(4);
    VirtualClock clock = VirtualClock.create();
    RecordingListener events = new RecordingListener();

    SwitchResult result = Plans.plan(router, StageSchedule.allAtOnce(), clock, events).build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.ABORTED);
    assertThat(events.ofType(SwitchEvent.DriftDetected.class)).singleElement()
        .satisfies(d -> assertThat(d.actual()).contains(TrafficSplit.allTo(RED)));
    assertThat(events.ofType(SwitchEvent.RollbackStarted.class)).isEmpty();
    assertThat(cluster.getService(SERVICE).getSpec().getSelector()).containsEntry("version", "red");
  }

  @Test
  void aConcurrentChangeToAnUnmappedValueIsDriftWithAClearMessage() {
    otherWriter(s -> {
      s.getSpec().getSelector().put("version", "hotfix");
      return s;
    });
    cluster.expect().get().withPath(PATH).andReturn(200, original).once();

    assertThatThrownBy(() -> router.apply(TrafficSplit.allTo(GREEN, BLUE, RED)))
        .isInstanceOf(DriftDetectedException.class)
        .hasMessageContaining("was changed by someone else").hasMessageContaining("found a state no environment maps to")
        .hasMessageContaining("(selector version=hotfix)");
    assertThat(cluster.getService(SERVICE).getSpec().getSelector()).containsEntry("version", "hotfix");
  }
}
