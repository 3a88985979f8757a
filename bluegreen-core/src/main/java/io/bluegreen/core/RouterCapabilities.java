package io.bluegreen.core;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What a {@link Router}'s backend can express: weighted splits or only all-or-nothing switches, the
 * smallest weight step, and how many environments one split may name.
 *
 * <pre>{@code
 * RouterCapabilities.atomicOnly();                  // a Service selector: 0/100 only
 * RouterCapabilities.weighted();                    // any whole percent
 * RouterCapabilities.builder().weighted(true).maxEnvironments(5).build(); // an ALB forward action
 * RouterCapabilities.builder().writeGuard(WriteGuard.CONDITIONAL).build();  // writes refused when the route changed
 * }</pre>
 */
public final class RouterCapabilities {

  private final boolean weighted;
  private final int granularityPercent;
  private final int maxEnvironments;
  private final WriteGuard writeGuard;

  private RouterCapabilities(Builder b) {
    this.weighted = b.weighted;
    this.granularityPercent = b.granularityPercent;
    this.maxEnvironments = b.maxEnvironments;
    this.writeGuard = b.writeGuard;
  }

  /** @return all-or-nothing switching between any number of environments */
  public static RouterCapabilities atomicOnly() {
    return builder().weighted(false).build();
  }

  /** @return weighted switching at 1% granularity */
  public static RouterCapabilities weighted() {
    return builder().weighted(true).build();
  }

  /** @return a builder (defaults: weighted, 1% granularity, no environment limit) */
  public static Builder builder() {
    return new Builder();
  }

  /** @return a builder starting from these capabilities, e.g. {@code caps.toBuilder().writeGuard(WriteGuard.CONDITIONAL).build()} */
  public Builder toBuilder() {
    return builder().weighted(weighted).granularityPercent(granularityPercent).maxEnvironments(maxEnvironments).writeGuard(writeGuard);
  }

  /** @return true if splits like 90/10 can be expressed; false if only 100/0 */
  public boolean isWeighted() {
    return weighted;
  }

  /** @return the weight step in percent every weight must be a multiple of (1 = any) */
  public int granularityPercent() {
    return granularityPercent;
  }

  /** @return the most environments one split may send traffic to */
  public int maxEnvironments() {
    return maxEnvironments;
  }

  /**
   * How the router's writes are guarded against another writer: {@link WriteGuard#ENGINE} (the
   * default: the engine reads, applies and verifies), or a write path of the router's own through
   * {@link Router#applyIfUnchanged(TrafficSplit, TrafficSplit, WritePurpose)} that answers with the
   * state it wrote — {@link WriteGuard#READ_THEN_WRITE} or {@link WriteGuard#CONDITIONAL}.
   *
   * @return the write guard
   */
  public WriteGuard writeGuard() {
    return writeGuard;
  }

  /**
   * Rejects a split these capabilities cannot express.
   *
   * @param routeId the route, for the message
   * @param known the router's environments
   * @param split the split
   * @throws InvalidConfigurationException with what to change
   */
  public void check(String routeId, List<Environment> known, TrafficSplit split) {
    Checks.notNull(split, "split");
    for (Environment e : split.environments()) {
      if (!known.contains(e)) {
        throw new InvalidConfigurationException("environment " + e.name() + " is not routed by " + routeId
            + ": it knows " + known.stream().map(Environment::name).collect(Collectors.joining(", "))
            + "; add it to the router's environment mapping or remove it from the split");
      }
    }
    if (!weighted && !split.isAtomic()) {
      throw new InvalidConfigurationException(routeId + " switches all traffic at once and cannot express " + split
          + ": use StageSchedule.allAtOnce() or a weighted router");
    }
    if (granularityPercent > 1) {
      for (var entry : split.asMap().entrySet()) {
        if (entry.getValue() % granularityPercent != 0) {
          throw new InvalidConfigurationException(routeId + " can only set weights in steps of " + granularityPercent
              + "%, but " + split + " gives " + entry.getKey().name() + "=" + entry.getValue()
              + ": use multiples of " + granularityPercent);
        }
      }
    }
    if (split.receiving().size() > maxEnvironments) {
      throw new InvalidConfigurationException(routeId + " can send traffic to at most " + maxEnvironments
          + " environments at once, but " + split + " names " + split.receiving().size());
    }
  }

  @Override
  public String toString() {
    return (weighted ? "weighted(step " + granularityPercent + "%)" : "atomic-only")
        + (maxEnvironments == Integer.MAX_VALUE ? "" : ", max " + maxEnvironments + " environments")
        + (writeGuard == WriteGuard.ENGINE ? "" : ", writes " + writeGuard.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
  }

  /**
   * Builds {@link RouterCapabilities}.
   *
   * <pre>{@code
   * RouterCapabilities caps = RouterCapabilities.builder().weighted(true).granularityPercent(5).build();
   * }</pre>
   */
  public static final class Builder {
    private boolean weighted = true;
    private int granularityPercent = 1;
    private int maxEnvironments = Integer.MAX_VALUE;
    private WriteGuard writeGuard = WriteGuard.ENGINE;

    private Builder() {
    }

    /**
     * @param weighted whether splits like 90/10 can be expressed
     * @return this builder
     */
    public Builder weighted(boolean weighted) {
      this.weighted = weighted;
      return this;
    }

    /**
     * @param percent the weight step, 1..100, dividing 100
     * @return this builder
     */
    public Builder granularityPercent(int percent) {
      if (percent < 1 || percent > 100 || 100 % percent != 0) {
        throw new InvalidConfigurationException("granularity " + percent + "% is invalid: use a divisor of 100 such as 1, 5 or 10");
      }
      this.granularityPercent = percent;
      return this;
    }

    /**
     * @param max the most environments one split may send traffic to, at least 1
     * @return this builder
     */
    public Builder maxEnvironments(int max) {
      if (max < 1) {
        throw new InvalidConfigurationException("maxEnvironments " + max + " is invalid: use 1 or more");
      }
      this.maxEnvironments = max;
      return this;
    }

    /**
     * @param guard how the router's writes are guarded (default {@link WriteGuard#ENGINE}); anything
     *     else promises a {@link Router#applyIfUnchanged(TrafficSplit, TrafficSplit, WritePurpose)} of
     *     the router's own, which {@code RouterContractTest} checks
     * @return this builder
     */
    public Builder writeGuard(WriteGuard guard) {
      this.writeGuard = Checks.notNull(guard, "writeGuard");
      return this;
    }

    /** @return the capabilities */
    public RouterCapabilities build() {
      return new RouterCapabilities(this);
    }
  }
}
