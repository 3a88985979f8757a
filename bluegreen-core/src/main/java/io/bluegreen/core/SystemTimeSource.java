package io.bluegreen.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

/** {@link TimeSource#system()}: the UTC system clock and {@link Thread#sleep}. */
final class SystemTimeSource implements TimeSource {

  static final SystemTimeSource INSTANCE = new SystemTimeSource();

  private static final Clock UTC = Clock.systemUTC();

  private SystemTimeSource() {
  }

  @Override
  public Instant instant() {
    return UTC.instant();
  }

  @Override
  public long millis() {
    return UTC.millis();
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return UTC.withZone(zone);
  }

  @Override
  public Clock clock() {
    return UTC;
  }

  @Override
  public void sleep(Duration duration) throws InterruptedException {
    if (duration.isNegative() || duration.isZero()) {
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      return;
    }
    long nanos = duration.toNanos();
    Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
  }

  /**
   * @param clock a clock
   * @return whether it is the JDK's system clock (in any zone)
   */
  static boolean isSystemClock(Clock clock) {
    return clock != null && clock.getClass() == UTC.getClass();
  }

  @Override
  public String toString() {
    return "TimeSource.system()";
  }
}
