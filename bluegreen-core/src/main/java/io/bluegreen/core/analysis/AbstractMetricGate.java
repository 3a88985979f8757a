package io.bluegreen.core.analysis;

import io.bluegreen.core.Checks;
import io.bluegreen.core.GateContext;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.HealthGate;

/**
 * Base of a backend's metric gate ({@code PrometheusGate}, {@code CloudWatchMetricGate}): a typed
 * gate with its own accessors that checks, preflights and names itself through the {@link MetricGate}
 * it was built into (with {@link MetricGate.Settings#buildGate}).
 *
 * <pre>{@code
 * public final class DatadogGate extends AbstractMetricGate {
 *   private DatadogGate(MetricGate analysis) { super(analysis); }
 * }
 * }</pre>
 */
public abstract class AbstractMetricGate implements HealthGate {

  private final MetricGate analysis;

  /** @param analysis the analysis every call goes through */
  protected AbstractMetricGate(MetricGate analysis) {
    this.analysis = Checks.notNull(analysis, "analysis");
  }

  @Override
  public final GateResult check(GateContext context) {
    return analysis.check(context);
  }

  @Override
  public final void preflight(GateContext context) {
    analysis.preflight(context);
  }

  @Override
  public final String name() {
    return analysis.name();
  }

  /** @return the analysis behind this gate (conditions, limits) */
  public final MetricGate analysis() {
    return analysis;
  }
}
