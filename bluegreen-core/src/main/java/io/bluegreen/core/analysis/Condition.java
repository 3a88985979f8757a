package io.bluegreen.core.analysis;

import io.bluegreen.core.InvalidConfigurationException;
import java.util.Optional;

/**
 * A condition on a measured value: one interval of the number line ({@code value < 0.01}, {@code
 * value >= 0.95}, {@code 100 <= value <= 300}). NaN satisfies no condition. Because conditions are
 * intervals, a {@link MetricGate} can refuse a success and a failure condition that could both hold
 * for one value, at build time.
 *
 * <pre>{@code
 * Condition ok = Condition.below(0.01);           // value < 0.01
 * Condition bad = Condition.atLeast(0.05);        // value >= 0.05
 * Condition p99 = Condition.between(0, 0.300);    // 0 <= value <= 0.3
 * }</pre>
 */
public final class Condition {

  private final double lower;
  private final boolean lowerInclusive;
  private final double upper;
  private final boolean upperInclusive;
  private final String text;

  private Condition(double lower, boolean lowerInclusive, double upper, boolean upperInclusive, String text) {
    this.lower = lower;
    this.lowerInclusive = lowerInclusive;
    this.upper = upper;
    this.upperInclusive = upperInclusive;
    this.text = text;
    if (isEmpty(lower, lowerInclusive, upper, upperInclusive)) {
      throw new InvalidConfigurationException("the condition " + text + " holds for no value: "
          + (lower > upper ? "its lower bound is above its upper bound (swap them)" : "choose a bound that some value can meet"));
    }
  }

  /** @param threshold a number @return {@code value < threshold} */
  public static Condition below(double threshold) {
    check(threshold);
    return new Condition(Double.NEGATIVE_INFINITY, true, threshold, false, "value < " + Measurement.format(threshold));
  }

  /** @param threshold a number @return {@code value <= threshold} */
  public static Condition atMost(double threshold) {
    check(threshold);
    return new Condition(Double.NEGATIVE_INFINITY, true, threshold, true, "value <= " + Measurement.format(threshold));
  }

  /** @param threshold a number @return {@code value > threshold} */
  public static Condition above(double threshold) {
    check(threshold);
    return new Condition(threshold, false, Double.POSITIVE_INFINITY, true, "value > " + Measurement.format(threshold));
  }

  /** @param threshold a number @return {@code value >= threshold} */
  public static Condition atLeast(double threshold) {
    check(threshold);
    return new Condition(threshold, true, Double.POSITIVE_INFINITY, true, "value >= " + Measurement.format(threshold));
  }

  /**
   * @param min the lowest value that meets it
   * @param max the highest value that meets it
   * @return {@code min <= value <= max}
   */
  public static Condition between(double min, double max) {
    check(min);
    check(max);
    return new Condition(min, true, max, true, Measurement.format(min) + " <= value <= " + Measurement.format(max));
  }

  private static void check(double threshold) {
    if (Double.isNaN(threshold)) {
      throw new InvalidConfigurationException("a condition's threshold cannot be NaN: give a number");
    }
  }

  /**
   * @param value a measured value
   * @return whether it meets the condition (never for NaN)
   */
  public boolean test(double value) {
    if (Double.isNaN(value)) {
      return false;
    }
    boolean aboveLower = lowerInclusive ? value >= lower : value > lower;
    boolean belowUpper = upperInclusive ? value <= upper : value < upper;
    return aboveLower && belowUpper;
  }

  /**
   * @param other another condition
   * @return the values for which both hold, described (e.g. {@code "0.01 <= value < 0.05"}), if there are any
   */
  public Optional<String> overlap(Condition other) {
    double lo;
    boolean loIn;
    if (lower > other.lower) {
      lo = lower;
      loIn = lowerInclusive;
    } else if (other.lower > lower) {
      lo = other.lower;
      loIn = other.lowerInclusive;
    } else {
      lo = lower;
      loIn = lowerInclusive && other.lowerInclusive;
    }
    double hi;
    boolean hiIn;
    if (upper < other.upper) {
      hi = upper;
      hiIn = upperInclusive;
    } else if (other.upper < upper) {
      hi = other.upper;
      hiIn = other.upperInclusive;
    } else {
      hi = upper;
      hiIn = upperInclusive && other.upperInclusive;
    }
    if (isEmpty(lo, loIn, hi, hiIn)) {
      return Optional.empty();
    }
    if (lo == hi) {
      return Optional.of("value = " + Measurement.format(lo));
    }
    String left = lo == Double.NEGATIVE_INFINITY ? "" : Measurement.format(lo) + (loIn ? " <= " : " < ");
    String right = hi == Double.POSITIVE_INFINITY ? "" : (hiIn ? " <= " : " < ") + Measurement.format(hi);
    return Optional.of(left + "value" + right);
  }

  private static boolean isEmpty(double lo, boolean loIn, double hi, boolean hiIn) {
    if (lo > hi) {
      return true;
    }
    if (lo == hi) {
      return !(loIn && hiIn) || Double.isInfinite(lo);
    }
    return false;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Condition c && c.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  /** @return e.g. {@code value < 0.01} */
  @Override
  public String toString() {
    return text;
  }
}
