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
 * <p>A gate whose configuration can only be checked against its backend (a metric query the server
 * must parse, an alarm that must exist) overrides {@link #preflight(GateContext)}: the plan calls it
 * for every gate, read-only, before its first write, and aborts with nothing written if it throws.
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

  /**
   * A read-only check of the gate's own configuration against its backend, made once per plan
   * execution (and dry run) after the router's preflight and before the first write. The default
   * checks nothing. Throw {@link PreflightException} with a message that says what to fix (e.g. "the
   * query does not parse: ..."); the plan then ends ABORTED with nothing written.
   *
   * @param context the plan before its first write (phase {@link GateContext.Phase#PRE_SWITCH})
   * @throws PreflightException if the gate cannot work as configured
   */
  default void preflight(GateContext context) {
  }

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
