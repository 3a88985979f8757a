package io.bluegreen.core;

import static io.bluegreen.core.PlanFixture.BLUE;
import static io.bluegreen.core.PlanFixture.GREEN;
import static io.bluegreen.core.PlanFixture.split;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.testkit.InMemoryRouter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * dryRun() throws one type, PreflightException, for "would be unsafe or something is missing" with
 * every router, and shows what each write touches and keeps when the router describes its writes.
 */
class DryRunTest {

  /** An in-memory route that describes its writes, as the built-in routers do. */
  private static final class DescribingRouter implements Router {
    final InMemoryRouter route = InMemoryRouter.builder().routeId("memory/checkout").environments(BLUE, GREEN).build();
    final List<TrafficSplit> described = new ArrayList<>();

    @Override
    public String routeId() {
      return route.routeId();
    }

    @Override
    public List<Environment> environments() {
      return route.environments();
    }

    @Override
    public RouterCapabilities capabilities() {
      return route.capabilities();
    }

    @Override
    public TrafficSplit current() {
      return route.current();
    }

    @Override
    public void apply(TrafficSplit target) {
      route.apply(target);
    }

    @Override
    public Verification verify(TrafficSplit expected) {
      return route.verify(expected);
    }

    @Override
    public Optional<WriteDescription> describeWrite(TrafficSplit target) {
      described.add(target);
      return Optional.of(WriteDescription.of("weights of proxy pool checkout: " + target, "health checks", "the other 3 pools"));
    }
  }

  @Test
  void theReportShowsWhatEachWriteTouchesAndKeeps() {
    DescribingRouter router = new DescribingRouter();
    PlanFixture f = new PlanFixture();
    DryRunReport report = f.plan().router(router).schedule(StageSchedule.targetWeights(Duration.ofMinutes(5), 10, 100)).build().dryRun();

    assertThat(report.writes()).extracting(w -> w.description().orElseThrow().touches())
        .containsExactly("weights of proxy pool checkout: blue=90 green=10", "weights of proxy pool checkout: blue=0 green=100");
    assertThat(report.writes().get(0).description().orElseThrow().keeps()).containsExactly("health checks", "the other 3 pools");
    assertThat(report.describe())
        .contains("stage 1: write blue=90 green=10 (from blue=100 green=0), verify, bake PT5M\n"
            + "    touches: weights of proxy pool checkout: blue=90 green=10\n"
            + "    keeps: health checks; the other 3 pools\n");
    assertThat(router.route.writeCount()).as("a dry run writes nothing").isZero();
  }

  @Test
  void aRouterThatDoesNotDescribeItsWritesStillGetsTheSplits() {
    PlanFixture f = new PlanFixture();
    DryRunReport report = f.plan().schedule(StageSchedule.targetWeights(Duration.ofMinutes(5), 50, 100)).build().dryRun();

    assertThat(report.writes()).hasSize(2).allSatisfy(w -> assertThat(w.description()).isEmpty());
    assertThat(report.describe()).doesNotContain("touches:");
    assertThat(new DryRunReport.PlannedWrite(1, split(100, 0), split(0, 100), Duration.ZERO, false).description()).isEmpty();
  }

  @Test
  void aPermanentReadFailureIsAPreflightExceptionLikeAFailedPreflight() {
    PlanFixture missing = new PlanFixture();
    missing.router.failNextReads(1, () -> RouterException.permanentFailure("record api.example.com. A has no record with SetIdentifier"
        + " \"api-green\": create it", null));
    assertThatThrownBy(() -> missing.plan().schedule(StageSchedule.allAtOnce()).build().dryRun())
        .isInstanceOf(PreflightException.class).hasMessageContaining("has no record with SetIdentifier")
        .cause().isInstanceOf(RouterException.class);

    PlanFixture notReady = new PlanFixture();
    notReady.router.failPreflight("target group shop-green has 0 healthy targets");
    assertThatThrownBy(() -> notReady.plan().schedule(StageSchedule.allAtOnce()).build().dryRun())
        .isInstanceOf(PreflightException.class).hasMessageContaining("0 healthy targets");

    Environment red = Environment.of("red");
    PlanFixture elsewhere = new PlanFixture(InMemoryRouter.builder().routeId("memory/checkout").environments(BLUE, GREEN, red)
        .initial(TrafficSplit.allTo(red, BLUE, GREEN)).build());
    assertThatThrownBy(() -> elsewhere.plan().schedule(StageSchedule.allAtOnce()).build().dryRun())
        .isInstanceOf(PreflightException.class).hasMessageContaining("traffic goes to red");
  }

  @Test
  void aBackendThatCannotBeReachedIsStillARouterException() {
    PlanFixture f = new PlanFixture();
    f.router.failNextReads(10, () -> RouterException.transientFailure("connection refused", null));
    assertThatThrownBy(() -> f.plan().schedule(StageSchedule.allAtOnce()).retry(RetryPolicy.builder().maxAttempts(2).build()).build().dryRun())
        .isExactlyInstanceOf(RouterException.class).hasMessageContaining("connection refused");
  }
}
