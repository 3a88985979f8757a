package io.bluegreen.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A gate's verdict: HEALTHY, UNHEALTHY with a reason, or INCONCLUSIVE with a reason; optionally with
 * the numbers it was based on ({@link #measurements()}), which travel with the verdict into {@code
 * SwitchEvent.GateChecked} events. Reasons are printed through {@link Redaction#text(String)}, so a
 * URI in one loses its query values.
 *
 * <pre>{@code
 * return status == 200 ? GateResult.healthy("HTTP 200") : GateResult.unhealthy("HTTP " + status + " from /health");
 * return GateResult.unhealthy("5xx ratio 0.083 >= 0.05").withMeasurement("value", 0.083);
 * }</pre>
 */
public final class GateResult {

  /** The three verdicts. */
  public enum Status {
    /** Safe to proceed. */
    HEALTHY,
    /** Not safe: roll back. */
    UNHEALTHY,
    /** Cannot tell yet (e.g. targets still in their initial health check). */
    INCONCLUSIVE
  }

  private static final GateResult HEALTHY = new GateResult(Status.HEALTHY, "healthy");

  private final Status status;
  private final String reason;
  private final Map<String, Double> measurements;

  private GateResult(Status status, String reason) {
    this(status, reason, Map.of());
  }

  private GateResult(Status status, String reason, Map<String, Double> measurements) {
    this.status = status;
    this.reason = Redaction.text(reason);
    this.measurements = measurements;
  }

  /** @return HEALTHY */
  public static GateResult healthy() {
    return HEALTHY;
  }

  /**
   * @param detail what was seen, e.g. "3/3 targets healthy"
   * @return HEALTHY with a detail
   */
  public static GateResult healthy(String detail) {
    return new GateResult(Status.HEALTHY, Checks.notBlank(detail, "detail"));
  }

  /**
   * @param reason why it is not safe, e.g. "HTTP 503 from http://green/health"
   * @return UNHEALTHY
   */
  public static GateResult unhealthy(String reason) {
    return new GateResult(Status.UNHEALTHY, Checks.notBlank(reason, "reason"));
  }

  /**
   * @param reason why no verdict can be given yet
   * @return INCONCLUSIVE
   */
  public static GateResult inconclusive(String reason) {
    return new GateResult(Status.INCONCLUSIVE, Checks.notBlank(reason, "reason"));
  }

  /** @return the verdict */
  public Status status() {
    return status;
  }

  /** @return the reason or detail */
  public String reason() {
    return reason;
  }

  /**
   * The numbers behind the verdict, e.g. {@code value=0.012, samples=1532} from a metric gate; empty
   * for gates that measure nothing. Names keep the order they were added in.
   *
   * @return name to value, unmodifiable
   */
  public Map<String, Double> measurements() {
    return measurements;
  }

  /**
   * @param name what was measured, e.g. "value" or "samples"
   * @param value the number (NaN and infinities are kept as they are)
   * @return a copy of this verdict with the measurement added (or replaced)
   */
  public GateResult withMeasurement(String name, double value) {
    Checks.notBlank(name, "measurement name");
    Map<String, Double> copy = new LinkedHashMap<>(measurements);
    copy.put(name, value);
    return new GateResult(status, reason, Collections.unmodifiableMap(copy));
  }

  /**
   * @param more measurements to add, e.g. another result's {@link #measurements()}
   * @param prefix put before each name (e.g. a gate's name and a dot), or "" for none
   * @return a copy of this verdict with the measurements added
   */
  public GateResult withMeasurements(Map<String, Double> more, String prefix) {
    Checks.notNull(more, "measurements");
    Checks.notNull(prefix, "prefix");
    if (more.isEmpty()) {
      return this;
    }
    Map<String, Double> copy = new LinkedHashMap<>(measurements);
    more.forEach((k, v) -> copy.put(prefix + k, v));
    return new GateResult(status, reason, Collections.unmodifiableMap(copy));
  }

  /** @return status is HEALTHY */
  public boolean isHealthy() {
    return status == Status.HEALTHY;
  }

  /** @return status is UNHEALTHY */
  public boolean isUnhealthy() {
    return status == Status.UNHEALTHY;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GateResult g && g.status == status && g.reason.equals(reason) && g.measurements.equals(measurements);
  }

  @Override
  public int hashCode() {
    return (status.hashCode() * 31 + reason.hashCode()) * 31 + measurements.hashCode();
  }

  @Override
  public String toString() {
    return status + " (" + reason + ")" + (measurements.isEmpty() ? "" : " " + measurements);
  }
}
