package io.bluegreen.core;

/**
 * A gate's verdict: HEALTHY, UNHEALTHY with a reason, or INCONCLUSIVE with a reason.
 *
 * <pre>{@code
 * return status == 200 ? GateResult.healthy("HTTP 200") : GateResult.unhealthy("HTTP " + status + " from /health");
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

  private GateResult(Status status, String reason) {
    this.status = status;
    this.reason = reason;
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
    return o instanceof GateResult g && g.status == status && g.reason.equals(reason);
  }

  @Override
  public int hashCode() {
    return status.hashCode() * 31 + reason.hashCode();
  }

  @Override
  public String toString() {
    return status + " (" + reason + ")";
  }
}
