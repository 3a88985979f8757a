package io.bluegreen.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.core.lock.InProcessRouteLock;
import io.bluegreen.testkit.InMemoryRouter;
import io.bluegreen.testkit.RecordingListener;
import io.bluegreen.testkit.VirtualClock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

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

  /** What a plan run on a thread of its own returned, and whether that thread was still interrupted afterwards. */
  record OwnThreadRun(SwitchResult result, boolean stillInterrupted) {
  }

  /** Runs {@code plan} on a new thread (so that interrupting it harms no test thread) and waits for it, at most 10 s. */
  static OwnThreadRun executeOnOwnThread(SwitchPlan plan) throws InterruptedException {
    AtomicReference<SwitchResult> result = new AtomicReference<>();
    AtomicBoolean interrupted = new AtomicBoolean();
    Thread t = new Thread(() -> {
      result.set(plan.execute());
      interrupted.set(Thread.currentThread().isInterrupted());
    });
    t.start();
    t.join(10_000);
    assertThat(t.isAlive()).as("the plan ended").isFalse();
    return new OwnThreadRun(result.get(), interrupted.get());
  }

  /** Starts the plan in the background and returns once a stage waits for approval. */
  static SwitchExecution startAndAwaitApproval(SwitchPlan.Builder builder) throws InterruptedException {
    CountDownLatch waiting = new CountDownLatch(1);
    SwitchExecution run = builder.listener(e -> {
      if (e instanceof SwitchEvent.ApprovalRequested) {
        waiting.countDown();
      }
    }).build().start();
    assertThat(waiting.await(10, TimeUnit.SECONDS)).as("a stage waits for approval").isTrue();
    return run;
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
