package io.bluegreen.testkit;

import io.bluegreen.core.TimeSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * A {@link TimeSource} that only moves when someone sleeps on it or advances it: hand it to a plan
 * with {@code time(clock)} and a plan with an hour of bake time runs in milliseconds. It logs every
 * sleep ({@link #sleeps()}), so tests can assert backoff and gate-interval patterns. Thread-safe.
 * Sleeping honours interrupts (an interrupted thread's sleep throws).
 *
 * <pre>{@code
 * VirtualClock clock = VirtualClock.startingAt(Instant.parse("2026-01-01T00:00:00Z"));
 * SwitchPlan plan = SwitchPlan.builder()...time(clock).build();
 * SwitchResult r = plan.execute();
 * clock.elapsed();   // virtual time the plan took
 * clock.sleeps();    // [PT10S, PT10S, ...]: every wait, in order
 * }</pre>
 *
 * <h2>Approvals on virtual time</h2>
 * A plan waiting for an approval (started with {@code plan.start()}) never moves this clock itself:
 * it waits, in real time, until someone approves or aborts, or until the clock is moved past the
 * approval's deadline. So an approval given before the deadline always wins, and a test makes the
 * timeout fire, deterministically, with {@link #advance(Duration)}:
 *
 * <pre>{@code
 * SwitchExecution run = plan.start();              // stage 2 needs approval within 4 hours
 * ...                                              // wait for the ApprovalRequested event
 * clock.advance(Duration.ofHours(4));              // wakes the plan: the approval timed out
 * run.await(Duration.ofSeconds(10));               // ROLLED_BACK: "approval ... not given within PT4H"
 * }</pre>
 */
public final class VirtualClock extends Clock implements TimeSource {

  /** A safety net only: waiters are woken when the clock moves. */
  private static final long WAIT_POLL_MILLIS = 100;

  /** What every zone view of one clock shares. */
  private static final class State {
    final Instant start;
    final AtomicReference<Instant> now;
    final List<Duration> sleeps = new ArrayList<>();
    final Set<Runnable> wakers = ConcurrentHashMap.newKeySet();

    State(Instant start) {
      this.start = start;
      this.now = new AtomicReference<>(start);
    }
  }

  private final State state;
  private final ZoneId zone;

  private VirtualClock(State state, ZoneId zone) {
    this.state = state;
    this.zone = zone;
  }

  /** @return a clock at 2026-01-01T00:00:00Z */
  public static VirtualClock create() {
    return startingAt(Instant.parse("2026-01-01T00:00:00Z"));
  }

  /**
   * @param start the first instant
   * @return a clock at {@code start}
   */
  public static VirtualClock startingAt(Instant start) {
    return new VirtualClock(new State(start), ZoneOffset.UTC);
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public VirtualClock withZone(ZoneId zone) {
    return new VirtualClock(state, zone);
  }

  @Override
  public Instant instant() {
    return state.now.get();
  }

  /** @return this clock: it is its own {@link Clock} view */
  @Override
  public Clock clock() {
    return this;
  }

  /**
   * Moves time forward without anyone sleeping, and wakes every thread waiting on this clock for
   * another thread (e.g. a plan waiting for an approval whose deadline may now have passed).
   *
   * @param duration how far, zero or more
   */
  public void advance(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("cannot move a clock back: " + duration);
    }
    state.now.updateAndGet(i -> i.plus(duration));
    for (Runnable wake : state.wakers) {
      wake.run();
    }
  }

  /** Advances the clock by {@code duration} at once, and logs the sleep. */
  @Override
  public void sleep(Duration duration) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException("interrupted while sleeping on the virtual clock");
    }
    synchronized (state.sleeps) {
      state.sleeps.add(duration);
    }
    if (!duration.isNegative()) {
      advance(duration);
    }
  }

  /**
   * Waits in real time, never moving this clock: until {@code signal} is signalled, or until
   * someone moves this clock ({@link #advance(Duration)} signals every waiter, so it may check
   * whether its deadline has passed).
   */
  @Override
  public void awaitSignal(Lock lock, Condition signal, Instant deadline) throws InterruptedException {
    Runnable wake = () -> {
      lock.lock();
      try {
        signal.signalAll();
      } finally {
        lock.unlock();
      }
    };
    state.wakers.add(wake);
    try {
      if (deadline != null && !instant().isBefore(deadline)) {
        return;
      }
      signal.await(WAIT_POLL_MILLIS, TimeUnit.MILLISECONDS);
    } finally {
      state.wakers.remove(wake);
    }
  }

  /** @return virtual time since creation */
  public Duration elapsed() {
    return Duration.between(state.start, instant());
  }

  /** @return how many times someone slept on this clock */
  public long sleepCount() {
    synchronized (state.sleeps) {
      return state.sleeps.size();
    }
  }

  /** @return every sleep on this clock so far, in order */
  public List<Duration> sleeps() {
    synchronized (state.sleeps) {
      return List.copyOf(state.sleeps);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VirtualClock other && other.state == state && other.zone.equals(zone);
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(state) * 31 + zone.hashCode();
  }

  @Override
  public String toString() {
    return "VirtualClock[" + instant() + "]";
  }
}
