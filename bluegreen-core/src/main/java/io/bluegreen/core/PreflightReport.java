package io.bluegreen.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a router's read-only {@link Router#preflight(TrafficSplit)} learned: warnings for the
 * operator, and how long clients may keep using the old split after a verified write (a DNS TTL,
 * ALB stickiness). The plan bakes the final stage at least that long by default.
 *
 * <pre>{@code
 * return PreflightReport.builder()
 *     .notice("stickiness is on: weight changes apply to new clients only for up to 1h")
 *     .clientConvergence(Duration.ofHours(1))
 *     .build();
 * }</pre>
 */
public final class PreflightReport {

  private static final PreflightReport OK = builder().build();

  private final List<String> notices;
  private final Duration clientConvergence;

  private PreflightReport(Builder b) {
    this.notices = List.copyOf(b.notices);
    this.clientConvergence = b.clientConvergence;
  }

  /** @return nothing to report, zero convergence time */
  public static PreflightReport ok() {
    return OK;
  }

  /** @return a builder */
  public static Builder builder() {
    return new Builder();
  }

  /** @return warnings to show the operator (emitted as events) */
  public List<String> notices() {
    return notices;
  }

  /** @return how long after a verified write clients may still follow the previous split */
  public Duration clientConvergence() {
    return clientConvergence;
  }

  @Override
  public String toString() {
    return "PreflightReport{notices=" + notices + ", clientConvergence=" + clientConvergence + "}";
  }

  /**
   * Builds a {@link PreflightReport}.
   *
   * <pre>{@code
   * PreflightReport.builder().clientConvergence(Duration.ofSeconds(ttl)).build();
   * }</pre>
   */
  public static final class Builder {
    private final List<String> notices = new ArrayList<>();
    private Duration clientConvergence = Duration.ZERO;

    private Builder() {
    }

    /**
     * @param notice a warning for the operator (printed through {@link Redaction#text(String)})
     * @return this builder
     */
    public Builder notice(String notice) {
      notices.add(Redaction.text(Checks.notBlank(notice, "notice")));
      return this;
    }

    /**
     * @param duration how long clients may keep following the old split (zero or more)
     * @return this builder
     */
    public Builder clientConvergence(Duration duration) {
      this.clientConvergence = Checks.nonNegative(duration, "clientConvergence");
      return this;
    }

    /** @return the report */
    public PreflightReport build() {
      return new PreflightReport(this);
    }
  }
}
