package io.bluegreen.core;

import java.time.Duration;

/**
 * Waits. A plan waits through its {@link TimeSource} (which is a {@code Sleeper} that also tells the
 * time); a bare {@code Sleeper} remains for things that only wait, such as the simulated latency of
 * the testkit's {@code InMemoryRouter}.
 *
 * <pre>{@code
 * InMemoryRouter.builder().latency(Duration.ofMillis(20), Sleeper.system()).build();
 * SwitchPlan.builder()...time(TimeSource.system());     // a plan takes a TimeSource
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
    return TimeSource.system();
  }
}
