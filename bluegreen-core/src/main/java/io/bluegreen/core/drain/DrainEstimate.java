package io.bluegreen.core.drain;

import io.bluegreen.core.Checks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How long an environment may keep serving after it lost its traffic, and why (each reason with its
 * own duration, for the report). Immutable.
 *
 * <pre>{@code
 * DrainEstimate e = DrainEstimate.of(Duration.ofSeconds(300), "target group shop-blue deregistration delay 300 s")
 *     .and(DrainEstimate.of(Duration.ofHours(1), "target group stickiness 3600 s"));
 * e.window();   // PT1H: the longest
 * e.basis();    // both reasons
 * }</pre>
 *
 * @param window the time after which the environment serves nothing more
 * @param basis what that is based on, for humans
 */
public record DrainEstimate(Duration window, List<String> basis) {

  private static final DrainEstimate NONE = new DrainEstimate(Duration.ZERO, List.of());

  /** Checks and copies. */
  public DrainEstimate {
    Checks.nonNegative(window, "drain window");
    basis = List.copyOf(Checks.notNull(basis, "basis"));
  }

  /**
   * @param window how long the environment may keep serving
   * @param reason what that is based on
   * @return the estimate
   */
  public static DrainEstimate of(Duration window, String reason) {
    return new DrainEstimate(window, List.of(Checks.notBlank(reason, "reason")));
  }

  /** @return nothing known: zero, no reason */
  public static DrainEstimate none() {
    return NONE;
  }

  /**
   * @param other another estimate of the same environment
   * @return the longer window, with both estimates' reasons
   */
  public DrainEstimate and(DrainEstimate other) {
    List<String> all = new ArrayList<>(basis);
    all.addAll(other.basis());
    return new DrainEstimate(window.compareTo(other.window()) >= 0 ? window : other.window(), all);
  }
}
