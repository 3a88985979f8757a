package io.bluegreen.core;

import io.bluegreen.core.lock.InProcessRouteLock;
import io.bluegreen.testkit.InMemoryRouter;
import io.bluegreen.testkit.RecordingListener;
import io.bluegreen.testkit.VirtualClock;
import java.time.Duration;

/**
 * What every engine test starts from: an in-memory route with all traffic on blue, a virtual clock,
 * a recording listener and a plan builder wired to them. The engine's behaviour tests live in the
 * testkit module because they use its InMemoryRouter (core cannot depend on testkit).
 */
final class PlanFixture {
  static final Environment BLUE = Environment.of("blue");
  static final Environment GREEN = Environment.of("green");

  final VirtualClock clock = VirtualClock.create();
  final RecordingListener events = new RecordingListener();
  final InMemoryRouter router;
  final InProcessRouteLock lock = new InProcessRouteLock();

  PlanFixture() {
    this(InMemoryRouter.builder().routeId("memory/checkout").environments(BLUE, GREEN).build());
  }

  PlanFixture(InMemoryRouter router) {
    this.router = router;
  }

  static PlanFixture startingAt(TrafficSplit initial) {
    return new PlanFixture(InMemoryRouter.builder().routeId("memory/checkout").environments(BLUE, GREEN).initial(initial).build());
  }

  SwitchPlan.Builder plan() {
    return SwitchPlan.builder()
        .name("checkout-2.0")
        .router(router)
        .from(BLUE).to(GREEN)
        .gateInterval(Duration.ofSeconds(1))
        .lock(lock)
        .time(clock)
        .listener(events);
  }

  static TrafficSplit split(int blue, int green) {
    return TrafficSplit.of(BLUE, blue, GREEN, green);
  }

  static RouterException transientError(String message) {
    return RouterException.transientFailure(message, null);
  }

  static RouterException permanentError(String message) {
    return RouterException.permanentFailure(message, null);
  }
}
