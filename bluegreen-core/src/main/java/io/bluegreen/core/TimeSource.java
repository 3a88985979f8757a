package io.bluegreen.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * A plan's one source of time: it tells the time and it waits, so a plan's clock can never disagree
 * with the way it sleeps. Every wait of the engine goes through it: gate intervals, verification
 * polls, retry backoff, waiting for pre-switch readiness and for an approval. The default is
 * {@link #system()}; tests pass the testkit's {@code VirtualClock}, on which an hour of bake runs in
 * milliseconds.
 *
 * <pre>{@code
 * VirtualClock time = VirtualClock.create();            // bluegreen-testkit
 * SwitchPlan plan = SwitchPlan.builder()...time(time).build();
 * plan.execute();
 * time.sleeps();                                        // every wait the plan made, in order
 * }</pre>
 *
 * <h2>Waiting for another thread</h2>
 * An approval (or an abort) comes from another thread. The engine waits for it with {@link
 * #awaitSignal(Lock, Condition, Instant)}: on the system source that is a real wait until the deadline; a
 * virtual source must not move its own time there, so that on virtual time an approval given before
 * the deadline always wins and the deadline passes only when a test moves the time on (the
 * testkit's {@code VirtualClock.advance(..)} wakes such waiters).
 */
public interface TimeSource extends InstantSource, Sleeper {

  /**
   * @return the current instant on this source
   */
  @Override
  Instant instant();

  /**
   * Waits for {@code duration} on this source. A virtual source moves its time forward instead.
   *
   * @param duration how long; zero or negative returns at once (but still throws when interrupted)
   * @throws InterruptedException if the thread is interrupted
   */
  @Override
  void sleep(Duration duration) throws InterruptedException;

  /**
   * A {@link Clock} view of this source (UTC), for APIs that take one (a lock's lease expiry, a
   * gate's own timing).
   *
   * @return a clock that reads this source
   */
  default Clock clock() {
    return withZone(ZoneOffset.UTC);
  }

  /**
   * Waits on {@code signal}, a condition of {@code lock}, which the caller holds, for another
   * thread: returns when the condition is signalled, when this source's time reaches {@code
   * deadline}, or spuriously. Callers re-check their condition and the deadline in a loop. A {@link
   * java.util.concurrent.locks.Lock} rather than a monitor, so that a plan waiting on a virtual
   * thread does not pin its carrier (a wait inside {@code synchronized} does, on JDK 21-23).
   *
   * <p>The default waits in real time until the deadline (or until signalled when there is none).
   * A virtual source must override it so that it never moves its own time while waiting: its
   * deadline passes only when someone moves the time on (and it then signals {@code signal},
   * taking {@code lock}).
   *
   * <pre>{@code
   * lock.lock();
   * try {
   *   while (!approved && time.instant().isBefore(deadline)) {
   *     time.awaitSignal(lock, approvedOrAborted, deadline);
   *   }
   * } finally {
   *   lock.unlock();
   * }
   * }</pre>
   *
   * @param lock the lock the caller holds
   * @param signal a condition of {@code lock} that another thread signals
   * @param deadline when to stop waiting on this source's time; null for no deadline
   * @throws InterruptedException if the thread is interrupted while waiting
   */
  default void awaitSignal(Lock lock, Condition signal, Instant deadline) throws InterruptedException {
    if (deadline == null) {
      signal.await();
      return;
    }
    long nanos = Duration.between(instant(), deadline).toNanos();
    if (nanos > 0) {
      signal.awaitNanos(nanos);
    }
  }

  /** @return the real clock (UTC) and real sleeping; every plan's default */
  static TimeSource system() {
    return SystemTimeSource.INSTANCE;
  }
}
