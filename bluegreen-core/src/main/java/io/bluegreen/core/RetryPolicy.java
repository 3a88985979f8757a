package io.bluegreen.core;

import java.time.Duration;

/**
 * How router calls are retried on transient failures: exponential backoff with jitter, up to a
 * number of attempts. Applied through resilience4j-retry. Rollback uses its own, more persistent
 * policy ({@link #rollbackDefaults()}).
 *
 * <pre>{@code
 * RetryPolicy forward = RetryPolicy.builder().maxAttempts(5).initialBackoff(Duration.ofMillis(200)).build();
 * }</pre>
 */
public final class RetryPolicy {

  private final int maxAttempts;
  private final Duration initialBackoff;
  private final double multiplier;
  private final Duration maxBackoff;
  private final double jitter;

  private RetryPolicy(Builder b) {
    this.maxAttempts = b.maxAttempts;
    this.initialBackoff = b.initialBackoff;
    this.multiplier = b.multiplier;
    this.maxBackoff = b.maxBackoff;
    this.jitter = b.jitter;
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new InvalidConfigurationException("maxBackoff " + maxBackoff + " is shorter than initialBackoff "
          + initialBackoff + ": make maxBackoff at least initialBackoff");
    }
  }

  /** @return forward calls: 5 attempts, 250 ms doubling to at most 8 s, 50% jitter */
  public static RetryPolicy defaults() {
    return builder().build();
  }

  /** @return rollback calls: 10 attempts, 250 ms doubling to at most 15 s, 50% jitter */
  public static RetryPolicy rollbackDefaults() {
    return builder().maxAttempts(10).maxBackoff(Duration.ofSeconds(15)).build();
  }

  /** @return a single attempt, no retry */
  public static RetryPolicy none() {
    return builder().maxAttempts(1).build();
  }

  /** @return a builder starting from {@link #defaults()} */
  public static Builder builder() {
    return new Builder();
  }

  /** @return attempts including the first */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** @return wait before the second attempt (before jitter) */
  public Duration initialBackoff() {
    return initialBackoff;
  }

  /** @return backoff growth per attempt */
  public double multiplier() {
    return multiplier;
  }

  /** @return the longest wait between attempts (before jitter) */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /** @return the randomization factor: each wait is spread uniformly over +/- this fraction */
  public double jitter() {
    return jitter;
  }

  @Override
  public String toString() {
    return maxAttempts + " attempts, backoff " + initialBackoff.toMillis() + "ms x" + multiplier + " up to "
        + maxBackoff.toMillis() + "ms, jitter " + jitter;
  }

  /**
   * Builds a {@link RetryPolicy}.
   *
   * <pre>{@code
   * RetryPolicy p = RetryPolicy.builder().maxAttempts(3).jitter(0.2).build();
   * }</pre>
   */
  public static final class Builder {
    private int maxAttempts = 5;
    private Duration initialBackoff = Duration.ofMillis(250);
    private double multiplier = 2.0;
    private Duration maxBackoff = Duration.ofSeconds(8);
    private double jitter = 0.5;

    private Builder() {
    }

    /** @param attempts 1..100, including the first @return this */
    public Builder maxAttempts(int attempts) {
      if (attempts < 1 || attempts > 100) {
        throw new InvalidConfigurationException("maxAttempts " + attempts + " is out of range: use 1 (no retry) to 100");
      }
      this.maxAttempts = attempts;
      return this;
    }

    /** @param d wait before the second attempt, positive @return this */
    public Builder initialBackoff(Duration d) {
      this.initialBackoff = Checks.positive(d, "initialBackoff");
      return this;
    }

    /** @param m growth per attempt, 1.0..10.0 @return this */
    public Builder multiplier(double m) {
      if (!(m >= 1.0 && m <= 10.0)) {
        throw new InvalidConfigurationException("backoff multiplier " + m + " is out of range: use 1.0 (constant) to 10.0");
      }
      this.multiplier = m;
      return this;
    }

    /** @param d the longest wait, positive @return this */
    public Builder maxBackoff(Duration d) {
      this.maxBackoff = Checks.positive(d, "maxBackoff");
      return this;
    }

    /** @param factor randomization factor, 0.0 (none) to 1.0 @return this */
    public Builder jitter(double factor) {
      if (!(factor >= 0.0 && factor < 1.0)) {
        throw new InvalidConfigurationException("jitter " + factor + " is out of range: use 0.0 (none) up to but not including 1.0");
      }
      this.jitter = factor;
      return this;
    }

    /** @return the policy */
    public RetryPolicy build() {
      return new RetryPolicy(this);
    }
  }
}
