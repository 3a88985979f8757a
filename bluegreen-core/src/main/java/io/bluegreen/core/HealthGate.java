package io.bluegreen.core;

import java.util.function.Function;

/**
 * A check the plan runs before the switch, during each stage's bake and after the switch. The first
 * {@link GateResult.Status#UNHEALTHY UNHEALTHY} during a bake rolls the plan back at once; {@link
 * GateResult.Status#INCONCLUSIVE INCONCLUSIVE} is neither a pass nor a failure (the plan keeps
 * polling, and fails if the gate is still not HEALTHY when the bake's grace period ends).
 *
 * <p>Gates must be thread-safe and quick (they are polled at the plan's gate interval) and should
 * bound their own I/O with a timeout. A gate that throws counts as INCONCLUSIVE.
 *
 * <pre>{@code
 * HealthGate errorRate = HealthGate.of("error-rate", ctx ->
 *     metrics.errorRate("green") < 0.01 ? GateResult.healthy() : GateResult.unhealthy("error rate above 1%"));
 * }</pre>
 *
 * @see io.bluegreen.core.gate.HttpHealthGate
 * @see io.bluegreen.core.gate.HealthGates
 */
@FunctionalInterface
public interface HealthGate {

  /**
   * Checks once.
   *
   * @param context where the plan is
   * @return the verdict
   */
  GateResult check(GateContext context);

  /** @return a short name for events and logs */
  default String name() {
    String simple = getClass().getSimpleName();
    return simple.isEmpty() || simple.contains("$$Lambda") || simple.contains("Lambda") ? "gate" : simple;
  }

  /**
   * @param name the gate's name in events and logs
   * @param check the check
   * @return a named gate
   */
  static HealthGate of(String name, Function<GateContext, GateResult> check) {
    Checks.notBlank(name, "gate name");
    Checks.notNull(check, "gate check");
    return new HealthGate() {
      @Override
      public GateResult check(GateContext context) {
        return check.apply(context);
      }

      @Override
      public String name() {
        return name;
      }

      @Override
      public String toString() {
        return name;
      }
    };
  }
}
