package io.bluegreen.core.gate;

import io.bluegreen.core.Checks;
import io.bluegreen.core.GateContext;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.HealthGate;
import io.bluegreen.core.InvalidConfigurationException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Combinators for {@link HealthGate}s.
 *
 * <pre>{@code
 * HealthGate gate = HealthGates.allOf(
 *     HealthGates.failureThreshold(greenHealth, 3),          // tolerate two blips in a row
 *     HealthGates.consecutiveSuccesses(errorRate, 2));        // require two good readings
 * }</pre>
 *
 * <p>Every combinator passes {@link HealthGate#preflight} on to the gates it combines, and keeps their
 * {@link GateResult#measurements()} (prefixed with each gate's name in {@code allOf}/{@code anyOf}).
 *
 * <p>The stateful combinators ({@link #consecutiveSuccesses}, {@link #failureThreshold}) count within
 * one phase: their count starts over when a new stage's bake (or the pre-/post-switch phase) begins.
 */
public final class HealthGates {

  private HealthGates() {
  }

  /**
   * UNHEALTHY if any gate is, else INCONCLUSIVE if any gate is, else HEALTHY. Stops at the first
   * UNHEALTHY.
   *
   * @param gates at least one gate
   * @return the combined gate
   */
  public static HealthGate allOf(HealthGate... gates) {
    List<HealthGate> list = checkGates(gates);
    return new Combined("all(" + names(list) + ")", list, ctx -> {
      List<String> inconclusive = new ArrayList<>();
      List<String> healthy = new ArrayList<>();
      Map<String, Double> measured = new LinkedHashMap<>();
      for (HealthGate g : list) {
        GateResult r = safeCheck(g, ctx);
        r.measurements().forEach((k, v) -> measured.put(g.name() + "." + k, v));
        switch (r.status()) {
          case UNHEALTHY -> {
            return GateResult.unhealthy(g.name() + ": " + r.reason()).withMeasurements(measured, "");
          }
          case INCONCLUSIVE -> inconclusive.add(g.name() + ": " + r.reason());
          default -> healthy.add(g.name());
        }
      }
      GateResult combined = inconclusive.isEmpty() ? GateResult.healthy("all healthy: " + String.join(", ", healthy))
          : GateResult.inconclusive(String.join("; ", inconclusive));
      return combined.withMeasurements(measured, "");
    });
  }

  /**
   * HEALTHY if any gate is, else UNHEALTHY if every gate is, else INCONCLUSIVE. Stops at the first
   * HEALTHY.
   *
   * @param gates at least one gate
   * @return the combined gate
   */
  public static HealthGate anyOf(HealthGate... gates) {
    List<HealthGate> list = checkGates(gates);
    return new Combined("any(" + names(list) + ")", list, ctx -> {
      List<String> reasons = new ArrayList<>();
      Map<String, Double> measured = new LinkedHashMap<>();
      boolean allUnhealthy = true;
      for (HealthGate g : list) {
        GateResult r = safeCheck(g, ctx);
        r.measurements().forEach((k, v) -> measured.put(g.name() + "." + k, v));
        if (r.isHealthy()) {
          return GateResult.healthy(g.name() + ": " + r.reason()).withMeasurements(measured, "");
        }
        allUnhealthy &= r.isUnhealthy();
        reasons.add(g.name() + ": " + r.reason());
      }
      String why = String.join("; ", reasons);
      return (allUnhealthy ? GateResult.unhealthy(why) : GateResult.inconclusive(why)).withMeasurements(measured, "");
    });
  }

  /**
   * HEALTHY only once {@code gate} has been HEALTHY {@code n} times in a row in the current phase;
   * INCONCLUSIVE until then. UNHEALTHY passes through and restarts the count.
   *
   * @param gate the gate
   * @param n how many consecutive successes, at least 1
   * @return the gate
   */
  public static HealthGate consecutiveSuccesses(HealthGate gate, int n) {
    Checks.notNull(gate, "gate");
    if (n < 1) {
      throw new InvalidConfigurationException("consecutiveSuccesses needs n >= 1 but got " + n);
    }
    return new Counting(gate, n, "consecutiveSuccesses(" + gate.name() + ", " + n + ")", true);
  }

  /**
   * UNHEALTHY only once {@code gate} has been UNHEALTHY {@code n} times in a row in the current phase;
   * before that an UNHEALTHY answer is reported as INCONCLUSIVE ("1/3 failures"). HEALTHY restarts
   * the count.
   *
   * @param gate the gate
   * @param n how many consecutive failures fail the gate, at least 1
   * @return the gate
   */
  public static HealthGate failureThreshold(HealthGate gate, int n) {
    Checks.notNull(gate, "gate");
    if (n < 1) {
      throw new InvalidConfigurationException("failureThreshold needs n >= 1 but got " + n);
    }
    return new Counting(gate, n, "failureThreshold(" + gate.name() + ", " + n + ")", false);
  }

  private static final class Counting implements HealthGate {
    private final HealthGate gate;
    private final int n;
    private final String name;
    private final boolean countSuccesses;
    private Instant phase;
    private String plan;
    private int run;
    private final java.util.concurrent.locks.ReentrantLock checkLock = new java.util.concurrent.locks.ReentrantLock();

    Counting(HealthGate gate, int n, String name, boolean countSuccesses) {
      this.gate = gate;
      this.n = n;
      this.name = name;
      this.countSuccesses = countSuccesses;
    }

    /** A lock rather than {@code synchronized}: the wrapped check may block on I/O, which would pin a virtual thread on JDK 21-23. */
    @Override
    public GateResult check(GateContext ctx) {
      checkLock.lock();
      try {
        return checkLocked(ctx);
      } finally {
        checkLock.unlock();
      }
    }

    private GateResult checkLocked(GateContext ctx) {
      if (!ctx.phaseStartedAt().equals(phase) || !ctx.planName().equals(plan)) {
        phase = ctx.phaseStartedAt();
        plan = ctx.planName();
        run = 0;
      }
      GateResult r = safeCheck(gate, ctx);
      if (countSuccesses) {
        if (r.isHealthy()) {
          run++;
          return (run >= n ? GateResult.healthy(run + " consecutive successes: " + r.reason())
              : GateResult.inconclusive(run + "/" + n + " consecutive successes: " + r.reason())).withMeasurements(r.measurements(), "");
        }
        run = 0;
        return r;
      }
      if (r.isUnhealthy()) {
        run++;
        return (run >= n ? GateResult.unhealthy(run + " consecutive failures: " + r.reason())
            : GateResult.inconclusive(run + "/" + n + " failures: " + r.reason())).withMeasurements(r.measurements(), "");
      }
      if (r.isHealthy()) {
        run = 0;
      }
      return r;
    }

    @Override
    public void preflight(GateContext ctx) {
      gate.preflight(ctx);
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** allOf / anyOf: a named check over several gates, each of which is preflighted. */
  private static final class Combined implements HealthGate {
    private final String name;
    private final List<HealthGate> gates;
    private final Function<GateContext, GateResult> check;

    Combined(String name, List<HealthGate> gates, Function<GateContext, GateResult> check) {
      this.name = name;
      this.gates = gates;
      this.check = check;
    }

    @Override
    public GateResult check(GateContext ctx) {
      return check.apply(ctx);
    }

    @Override
    public void preflight(GateContext ctx) {
      for (HealthGate g : gates) {
        g.preflight(ctx);
      }
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static GateResult safeCheck(HealthGate gate, GateContext ctx) {
    try {
      GateResult r = gate.check(ctx);
      return r == null ? GateResult.inconclusive("gate " + gate.name() + " returned null") : r;
    } catch (RuntimeException e) {
      return GateResult.inconclusive("gate " + gate.name() + " threw " + e);
    }
  }

  private static List<HealthGate> checkGates(HealthGate[] gates) {
    Checks.notNull(gates, "gates");
    if (gates.length == 0) {
      throw new InvalidConfigurationException("combine at least one gate");
    }
    List<HealthGate> list = new ArrayList<>();
    for (HealthGate g : gates) {
      list.add(Checks.notNull(g, "gate"));
    }
    return List.copyOf(list);
  }

  private static String names(List<HealthGate> gates) {
    return gates.stream().map(HealthGate::name).collect(Collectors.joining(", "));
  }
}
