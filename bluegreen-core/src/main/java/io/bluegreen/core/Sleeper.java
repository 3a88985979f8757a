package io.bluegreen.core;

import java.time.Duration;

/**
 * Waits. The engine never calls {@code Thread.sleep} directly: it sleeps through a {@code Sleeper}
 * paired with its {@link java.time.Clock}, so tests can run a plan with hours of bake time in
 * milliseconds (see {@code VirtualClock} in bluegreen-testkit).
 *
 * <pre>{@code
 * SwitchPlan.builder()...clock(Clock.systemUTC()).sleeper(Sleeper.system());   // the defaults
 * }</pre>
 */
@FunctionalInterface
public interface Sleeper {

  /**
   * Waits for {@code duration}.
   *
   * @param duration how long; zero returns at once
   * @throws InterruptedException if the thread is interrupted while waiting
   */
  void sleep(Duration duration) throws InterruptedException;

  /** @return a sleeper on the real clock ({@link Thread#sleep(long, int)}) */
  static Sleeper system() {
    return duration -> {
      if (duration.isNegative() || duration.isZero()) {
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
        return;
      }
      long nanos = duration.toNanos();
      Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    };
  }
}
