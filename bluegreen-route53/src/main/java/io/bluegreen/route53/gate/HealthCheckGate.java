package io.bluegreen.route53.gate;

import io.bluegreen.core.Checks;
import io.bluegreen.core.GateContext;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.HealthGate;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.PreflightException;
import io.bluegreen.core.RouterException;
import io.bluegreen.route53.internal.HealthCheckVerdict;
import io.bluegreen.route53.internal.Route53Errors;
import io.bluegreen.route53.internal.Route53Names;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.NoSuchHealthCheckException;

/**
 * A gate on a Route 53 health check: it calls GetHealthCheckStatus and is HEALTHY when more than a
 * configured share of Route 53's health checkers (default: more than half) report success, that is
 * when their {@code StatusReport.Status} starts with "Success". Route 53 itself calls an endpoint
 * healthy when more than 18% of checkers do; a release gate is stricter by default.
 *
 * <ul>
 *   <li>No checker has reported yet: INCONCLUSIVE (the plan keeps polling within its grace).</li>
 *   <li>Share at or below the threshold: UNHEALTHY, naming the first failing checker's status.</li>
 *   <li>Throttling, 5xx, I/O errors: INCONCLUSIVE (polled again at the next interval).</li>
 *   <li>The health check does not exist, access denied and other permanent errors: UNHEALTHY,
 *       since waiting cannot fix them.</li>
 * </ul>
 *
 * <p>AWS describes GetHealthCheckStatus as meant for diagnosis, not high query rates: keep the
 * plan's gate interval at 10 s or more. Needs the IAM action {@code route53:GetHealthCheckStatus}.
 * Thread-safe.
 *
 * <pre>{@code
 * HealthGate green = HealthCheckGate.builder(route53, "2b1d6f3e-0c7a-4c55-9f0e-4d2a8b6c1e90")
 *     .name("green-endpoint")
 *     .healthyShare(0.5)          // more than half of the checkers must report success
 *     .build();
 * SwitchPlan.builder()...gate(green).preSwitchGate(green).build();
 * }</pre>
 */
public final class HealthCheckGate implements HealthGate {

  private static final Logger LOG = LoggerFactory.getLogger(HealthCheckGate.class);

  private final Route53Client route53;
  private final String healthCheckId;
  private final double healthyShare;
  private final String name;

  private HealthCheckGate(Builder b) {
    this.route53 = b.route53;
    this.healthCheckId = b.healthCheckId;
    this.healthyShare = b.healthyShare;
    this.name = b.name != null ? b.name : "route53-health-check-" + healthCheckId;
  }

  /**
   * @param route53 the Route 53 client
   * @param healthCheckId the health check's id (a UUID)
   * @return a gate with the defaults (more than half of the checkers)
   */
  public static HealthCheckGate of(Route53Client route53, String healthCheckId) {
    return builder(route53, healthCheckId).build();
  }

  /**
   * @param route53 the Route 53 client
   * @param healthCheckId the health check's id (a UUID)
   * @return a builder
   */
  public static Builder builder(Route53Client route53, String healthCheckId) {
    return new Builder(route53, healthCheckId);
  }

  @Override
  public GateResult check(GateContext context) {
    HealthCheckVerdict verdict;
    try {
      verdict = HealthCheckVerdict.of(healthCheckId, route53.getHealthCheckStatus(r -> r.healthCheckId(healthCheckId)));
    } catch (NoSuchHealthCheckException e) {
      return GateResult.unhealthy("Route 53 health check " + healthCheckId + " does not exist: check the gate's health check id");
    } catch (SdkException e) {
      RouterException wrapped = Route53Errors.wrap(route53, "GetHealthCheckStatus " + healthCheckId, e);
      LOG.debug("{}: {}", name, wrapped.getMessage());
      return wrapped.isTransient() ? GateResult.inconclusive(wrapped.getMessage()) : GateResult.unhealthy(wrapped.getMessage());
    }
    if (verdict.total() == 0) {
      return GateResult.inconclusive("no Route 53 health checker has reported on health check " + healthCheckId + " yet");
    }
    if (verdict.isHealthy(healthyShare)) {
      return GateResult.healthy(verdict.describe());
    }
    return GateResult.unhealthy(verdict.describe() + "; more than " + Math.round(healthyShare * 100) + "% must");
  }

  /**
   * Reads the health check once before the plan's first write: a health check that does not exist, or
   * a read Route 53 refuses, ends the plan ABORTED with nothing written. A transient failure is left
   * to the gate's checks.
   *
   * @param context the plan before its first write
   * @throws PreflightException if the gate cannot work as configured
   */
  @Override
  public void preflight(GateContext context) {
    try {
      route53.getHealthCheckStatus(r -> r.healthCheckId(healthCheckId));
    } catch (NoSuchHealthCheckException e) {
      throw new PreflightException("Route 53 health check " + healthCheckId + " does not exist: check the gate's health check id");
    } catch (SdkException e) {
      RouterException wrapped = Route53Errors.wrap(route53, "GetHealthCheckStatus " + healthCheckId, e);
      if (!wrapped.isTransient()) {
        throw new PreflightException(wrapped.getMessage(), wrapped);
      }
      LOG.debug("{}: preflight read failed, left to the gate's checks: {}", name, wrapped.getMessage());
    }
  }

  @Override
  public String name() {
    return name;
  }

  /** @return the health check's id */
  public String healthCheckId() {
    return healthCheckId;
  }

  /** @return the share of checkers that must report success, exclusive */
  public double healthyShare() {
    return healthyShare;
  }

  @Override
  public String toString() {
    return name;
  }

  /**
   * Builds a {@link HealthCheckGate}; validates without calling AWS.
   *
   * <pre>{@code
   * HealthCheckGate gate = HealthCheckGate.builder(route53, id).healthyShare(0.18).name("like-route53").build();
   * }</pre>
   */
  public static final class Builder {
    private final Route53Client route53;
    private final String healthCheckId;
    private double healthyShare = 0.5;
    private String name;

    private Builder(Route53Client route53, String healthCheckId) {
      if (route53 == null) {
        throw new InvalidConfigurationException("route53 client is null: pass Route53Client.create() or your own configured client");
      }
      this.route53 = route53;
      this.healthCheckId = Route53Names.healthCheckId(healthCheckId);
    }

    /**
     * @param share HEALTHY when more than this share of checkers report success: 0.0 (any one)
     *     up to but not including 1.0 (default 0.5; Route 53's own rule is 0.18)
     * @return this builder
     */
    public Builder healthyShare(double share) {
      if (!(share >= 0.0 && share < 1.0)) {
        throw new InvalidConfigurationException("healthyShare " + share + " is out of range: use 0.0 (any checker)"
            + " up to but not including 1.0; 0.5 means more than half");
      }
      this.healthyShare = share;
      return this;
    }

    /**
     * @param name the gate's name in events and logs (default route53-health-check-&lt;id&gt;)
     * @return this builder
     */
    public Builder name(String name) {
      this.name = Checks.notBlank(name, "HealthCheckGate name");
      return this;
    }

    /** @return the gate */
    public HealthCheckGate build() {
      return new HealthCheckGate(this);
    }
  }
}
