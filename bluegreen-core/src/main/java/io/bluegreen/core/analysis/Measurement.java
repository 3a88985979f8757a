package io.bluegreen.core.analysis;

import io.bluegreen.core.Checks;
import io.bluegreen.core.InvalidConfigurationException;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * One value taken by a {@link MetricProvider}: a number (NaN and infinities included, as Prometheus
 * returns them), optionally the number of samples behind it (e.g. the requests counted in the
 * window, for {@code minSamples}), and a short detail for messages; or no data at all.
 *
 * <pre>{@code
 * return Measurement.of(errors / requests, requests).withDetail("3 series, max");
 * return Measurement.noData("the query returned an empty vector");
 * }</pre>
 */
public final class Measurement {

  private final double value;
  private final boolean hasData;
  private final long samples;
  private final String detail;

  private Measurement(double value, boolean hasData, long samples, String detail) {
    this.value = value;
    this.hasData = hasData;
    this.samples = samples;
    this.detail = detail;
  }

  /**
   * @param value the value (NaN counts as no data when judged)
   * @return a measurement without a sample count
   */
  public static Measurement of(double value) {
    return new Measurement(value, true, -1, "");
  }

  /**
   * @param value the value
   * @param samples how many samples it was computed from (0 or more)
   * @return a measurement with a sample count
   */
  public static Measurement of(double value, long samples) {
    if (samples < 0) {
      throw new InvalidConfigurationException("a sample count cannot be negative, got " + samples);
    }
    return new Measurement(value, true, samples, "");
  }

  /**
   * @param why what was found instead, e.g. "the query returned an empty vector"
   * @return a measurement without a value
   */
  public static Measurement noData(String why) {
    return new Measurement(Double.NaN, false, -1, Checks.notBlank(why, "why"));
  }

  /**
   * @param detail a short note for messages, e.g. "3 series, max" (no credentials)
   * @return a copy with the detail
   */
  public Measurement withDetail(String detail) {
    return new Measurement(value, hasData, samples, Checks.notNull(detail, "detail"));
  }

  /** @return whether a value was found (it may still be NaN) */
  public boolean hasData() {
    return hasData;
  }

  /** @return the value, empty when there was no data */
  public OptionalDouble value() {
    return hasData ? OptionalDouble.of(value) : OptionalDouble.empty();
  }

  /** @return the samples behind the value, when the provider counts them */
  public OptionalLong samples() {
    return samples >= 0 ? OptionalLong.of(samples) : OptionalLong.empty();
  }

  /** @return the detail ("" when none); for no data, why */
  public String detail() {
    return detail;
  }

  /**
   * @param v a number
   * @return it as people read it: up to 4 significant digits, "NaN", "+Inf", "-Inf"
   */
  public static String format(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    String s = String.format(Locale.ROOT, "%.4g", v);
    if (s.contains("e")) {
      return s;
    }
    return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Measurement m && m.hasData == hasData && Double.compare(m.value, value) == 0 && m.samples == samples
        && m.detail.equals(detail);
  }

  @Override
  public int hashCode() {
    return Objects.hash(hasData, value, samples, detail);
  }

  @Override
  public String toString() {
    if (!hasData) {
      return "no data (" + detail + ")";
    }
    StringBuilder sb = new StringBuilder(format(value));
    if (samples >= 0 || !detail.isEmpty()) {
      sb.append(" (");
      if (samples >= 0) {
        sb.append(samples).append(samples == 1 ? " sample" : " samples");
      }
      if (!detail.isEmpty()) {
        sb.append(samples >= 0 ? ", " : "").append(detail);
      }
      sb.append(')');
    }
    return sb.toString();
  }
}
