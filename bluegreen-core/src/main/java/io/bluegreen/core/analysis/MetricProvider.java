package io.bluegreen.core.analysis;

import io.bluegreen.core.Checks;
import io.bluegreen.core.GateContext;
import java.util.function.Function;

/**
 * SPI: takes one measurement from a metrics backend for a {@link MetricGate}. Implementations run
 * one query (PromQL, a CloudWatch metric-math expression, ...) for the environment the context
 * names, and return its value; they bound their I/O with a timeout.
 *
 * <p>Three ways to answer:
 * <ul>
 *   <li>a value, with the number of samples behind it when known: {@link Measurement#of(double, long)};</li>
 *   <li>no data ({@link Measurement#noData(String)}): the query ran but found nothing to judge (an
 *       empty vector, no datapoints): the gate counts it INCONCLUSIVE;</li>
 *   <li>throw (best a {@link MetricQueryException} saying what failed): the backend could not be asked
 *       or refused the query; the gate counts an <em>error</em>, which is never a pass.</li>
 * </ul>
 * Messages and descriptions must not contain credentials (tokens, passwords, header values).
 *
 * <pre>{@code
 * MetricProvider errorRate = MetricProvider.of("proxy 5xx ratio of " + backend,
 *     ctx -> Measurement.of(proxy.errorRate(ctx.to().name()), proxy.requests(ctx.to().name())));
 * }</pre>
 */
@FunctionalInterface
public interface MetricProvider {

  /**
   * Takes one measurement.
   *
   * @param context where the plan is; {@link GateContext#to()} is the environment being judged by default
   * @return the measurement, or {@link Measurement#noData(String)}
   * @throws RuntimeException when the backend cannot answer (counted as an error measurement)
   */
  Measurement measure(GateContext context);

  /**
   * A read-only check, once before the plan's first write, that the query can work at all (the
   * server parses it, the metric exists). The default checks nothing.
   *
   * @param context the plan before its first write
   * @throws io.bluegreen.core.PreflightException saying what to fix
   */
  default void preflight(GateContext context) {
  }

  /** @return what is measured, for gate names and messages (never a credential) */
  default String describe() {
    String simple = getClass().getSimpleName();
    return simple.isEmpty() || simple.contains("Lambda") ? "metric" : simple;
  }

  /**
   * @param description what is measured, e.g. "green 5xx ratio"
   * @param measure takes one measurement
   * @return a provider
   */
  static MetricProvider of(String description, Function<GateContext, Measurement> measure) {
    Checks.notBlank(description, "description");
    Checks.notNull(measure, "measure");
    return new MetricProvider() {
      @Override
      public Measurement measure(GateContext context) {
        return measure.apply(context);
      }

      @Override
      public String describe() {
        return description;
      }

      @Override
      public String toString() {
        return description;
      }
    };
  }
}
