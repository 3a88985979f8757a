package io.bluegreen.testkit;

import io.bluegreen.core.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that only moves when someone sleeps on it or advances it: hand it to a plan as both
 * {@code clock} and {@code sleeper} and a plan with an hour of bake time runs in milliseconds.
 * Thread-safe. Sleeping honours interrupts (an interrupted thread's sleep throws).
 *
 * <pre>{@code
 * VirtualClock clock = VirtualClock.startingAt(Instant.parse("2026-01-01T00:00:00Z"));
 * SwitchPlan plan = SwitchPlan.builder()...clock(clock).sleeper(clock).build();
 * SwitchResult r = plan.execute();
 * clock.elapsed();   // virtual time the plan took
 * }</pre>
 */
public final class VirtualClock extends Clock implements Sleeper {

  private final Instant start;
  private final AtomicReference<Instant> now;
  private final AtomicLong sleeps = new AtomicLong();
  private final ZoneId zone;

  private VirtualClock(Instant start, AtomicReference<Instant> now, ZoneId zone) {
    this.start = start;
    this.now = now;
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
    return new VirtualClock(start, new AtomicReference<>(start), ZoneOffset.UTC);
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return new VirtualClock(start, now, zone);
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  /**
   * Moves time forward without anyone sleeping.
   *
   * @param duration how far, zero or more
   */
  public void advance(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("cannot move a clock back: " + duration);
    }
    now.updateAndGet(i -> i.plus(duration));
  }

  /** Advances the clock by {@code duration} at once. */
  @Override
  public void sleep(Duration duration) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException("interrupted while sleeping on the virtual clock");
    }
    sleeps.incrementAndGet();
    if (!duration.isNegative()) {
      advance(duration);
    }
  }

  /** @return virtual time since creation */
  public Duration elapsed() {
    return Duration.between(start, instant());
  }

  /** @return how many times someone slept on this clock */
  public long sleepCount() {
    return sleeps.get();
  }

  @Override
  public String toString() {
    return "VirtualClock[" + instant() + "]";
  }
}
