package io.bluegreen.prometheus;

import java.util.List;

/**
 * How a PromQL vector with more than one series becomes one value. NaN values are left out of
 * {@link #MAX}, {@link #MIN}, {@link #SUM} and {@link #AVG} (NaN only when every value is NaN).
 * A scalar result, or a vector of one series, is its value under every rule; an empty vector is
 * no data.
 *
 * <pre>{@code
 * PrometheusGate.builder(uri).query("rate(errors_total{env=\"{{env}}\"}[2m])")   // one series per pod
 *     .reduce(Reduction.MAX)                                                    // judge the worst pod
 * }</pre>
 */
public enum Reduction {
  /** Exactly one series is expected; more is an error naming them (wrap the query in sum() or max()). The default. */
  SINGLE,
  /** The largest value: the worst series for an error rate or a latency. */
  MAX,
  /** The smallest value: the worst series for a success rate. */
  MIN,
  /** The sum of the values. */
  SUM,
  /** The mean of the values. */
  AVG;

  /**
   * @param values at least one value
   * @return the reduced value
   * @throws IllegalArgumentException for {@link #SINGLE} and more than one value
   */
  public double apply(List<Double> values) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("no value to reduce");
    }
    if (values.size() == 1) {
      return values.get(0);
    }
    if (this == SINGLE) {
      throw new IllegalArgumentException(values.size() + " series where one was expected");
    }
    List<Double> numbers = values.stream().filter(v -> !Double.isNaN(v)).toList();
    if (numbers.isEmpty()) {
      return Double.NaN;
    }
    return switch (this) {
      case MAX -> numbers.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
      case MIN -> numbers.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
      case SUM -> numbers.stream().mapToDouble(Double::doubleValue).sum();
      case AVG -> numbers.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      default -> throw new IllegalStateException(name());
    };
  }
}
