package io.bluegreen.route53.internal;

import java.util.List;
import java.util.Locale;
import software.amazon.awssdk.services.route53.model.GetHealthCheckStatusResponse;
import software.amazon.awssdk.services.route53.model.HealthCheckObservation;

/**
 * What Route 53's health checkers report for one health check: how many report success
 * ({@code StatusReport.Status} starting with "Success"), out of how many, and the first failure.
 *
 * <pre>{@code
 * HealthCheckVerdict v = HealthCheckVerdict.of(id, route53.getHealthCheckStatus(r -> r.healthCheckId(id)));
 * v.isHealthy(0.5);   // more than half of the checkers report success
 * }</pre>
 *
 * @param healthCheckId the health check
 * @param successes checkers reporting success
 * @param total checkers reporting at all
 * @param firstFailure the first non-success status, or null
 */
public record HealthCheckVerdict(String healthCheckId, int successes, int total, String firstFailure) {

  /**
   * @param healthCheckId the health check
   * @param response GetHealthCheckStatus's answer
   * @return the verdict
   */
  public static HealthCheckVerdict of(String healthCheckId, GetHealthCheckStatusResponse response) {
    List<HealthCheckObservation> obs = response.hasHealthCheckObservations() ? response.healthCheckObservations() : List.of();
    int ok = 0;
    String failure = null;
    for (HealthCheckObservation o : obs) {
      String status = o.statusReport() == null ? null : o.statusReport().status();
      if (status != null && status.trim().toLowerCase(Locale.ROOT).startsWith("success")) {
        ok++;
      } else if (failure == null) {
        failure = (o.regionAsString() == null ? "" : o.regionAsString() + ": ") + (status == null ? "no status" : status);
      }
    }
    return new HealthCheckVerdict(healthCheckId, ok, obs.size(), failure);
  }

  /**
   * @param share the share of checkers that must report success, exclusive (0.5 = more than half)
   * @return whether more than {@code share} of the checkers report success
   */
  public boolean isHealthy(double share) {
    return total > 0 && successes > share * total;
  }

  /** @return e.g. "7/8 health checkers report success" */
  public String describe() {
    return successes + "/" + total + " health checkers report success for health check " + healthCheckId
        + (firstFailure == null ? "" : " (e.g. " + firstFailure + ")");
  }
}
