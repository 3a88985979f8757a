package io.bluegreen.k8s.gate;

import io.bluegreen.core.Checks;
import io.bluegreen.core.Environment;
import io.bluegreen.core.GateContext;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.HealthGate;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.PreflightException;
import io.bluegreen.core.RouterException;
import io.bluegreen.k8s.internal.KubeCalls;
import io.bluegreen.k8s.internal.KubeNames;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * HEALTHY when a Deployment's rollout is complete: the controller has observed its latest
 * generation, and updated, ready and available replicas all equal the desired count (and at least
 * {@link Builder#minReady(int)}), with no old replica left.
 *
 * <pre>{@code
 * HealthGate greenReady = DeploymentReadyGate.builder(client)
 *     .namespace("shop")
 *     .deployment("app-green")             // or per environment: .deployment(green, "app-green").deployment(blue, "app-blue")
 *     .minReady(2)
 *     .build();
 * SwitchPlan.builder()...preSwitchGate(greenReady).gate(greenReady);
 * }</pre>
 *
 * <h2>Verdicts</h2>
 * <ul>
 *   <li>UNHEALTHY: the Deployment does not exist or is being deleted; it wants 0 replicas or fewer than
 *       {@code minReady}; its rollout exceeded its progress deadline ({@code Progressing=False,
 *       ProgressDeadlineExceeded}); or, while traffic is moving to it (stage and post-switch phases),
 *       its rollout is complete but not one replica is ready (every Pod crashed or fails its probe);
 *       or the API refused the read for good (e.g. HTTP 403: grant {@code get} on
 *       {@code apps/deployments}).</li>
 *   <li>INCONCLUSIVE: the rollout is in progress (generation not yet observed, replicas still
 *       updating, old replicas still terminating, or not all replicas ready/available yet), or the
 *       read failed transiently. The plan keeps polling and fails the stage if this lasts beyond its
 *       grace period.</li>
 *   <li>HEALTHY: otherwise, e.g. "3/3 replicas updated, ready and available (generation 4)".</li>
 * </ul>
 *
 * <p>With per-environment mapping the gate checks the Deployment of the plan's target
 * ({@link GateContext#to()}). RBAC: {@code get} on {@code apps/deployments}.
 */
public final class DeploymentReadyGate implements HealthGate {

  private final KubernetesClient client;
  private final String namespace;
  private final String fixedDeployment;
  private final Map<Environment, String> byEnvironment;
  private final int minReady;

  private DeploymentReadyGate(Builder b, String namespace) {
    this.client = b.client;
    this.namespace = namespace;
    this.fixedDeployment = b.deployment;
    this.byEnvironment = Map.copyOf(b.byEnvironment);
    this.minReady = b.minReady;
  }

  /**
   * Starts a builder.
   *
   * @param client the fabric8 client (not closed by the gate)
   * @return a builder
   */
  public static Builder builder(KubernetesClient client) {
    return new Builder(client);
  }

  @Override
  public String name() {
    return "deployment-ready(" + namespace + "/" + (fixedDeployment != null ? fixedDeployment : "<target>") + ")";
  }

  @Override
  public GateResult check(GateContext context) {
    String deployment = fixedDeployment;
    if (deployment == null) {
      deployment = byEnvironment.get(context.to());
      if (deployment == null) {
        return GateResult.unhealthy("no Deployment is mapped for environment " + context.to().name() + " in " + name()
            + ": add deployment(" + context.to().name() + ", \"<name>\")");
      }
    }
    String object = "Deployment " + namespace + "/" + deployment;
    String finalName = deployment;
    Deployment d;
    try {
      d = KubeCalls.call(client, KubeCalls.GET_DEPLOYMENT, object,
          () -> client.apps().deployments().inNamespace(namespace).withName(finalName).get());
    } catch (RouterException e) {
      return e.isTransient() ? GateResult.inconclusive("could not read " + object + ": " + e.getMessage())
          : GateResult.unhealthy(e.getMessage());
    }
    return judge(object, d, context.phase() != GateContext.Phase.PRE_SWITCH);
  }

  /**
   * Reads the Deployment once before the plan's first write: a Deployment that does not exist, an
   * environment with no Deployment mapped, or a read the API server refuses (403) ends the plan
   * ABORTED with nothing written. A transient failure is left to the gate's checks.
   *
   * @param context the plan before its first write
   * @throws PreflightException if the gate cannot work as configured
   */
  @Override
  public void preflight(GateContext context) {
    String deployment = fixedDeployment != null ? fixedDeployment : byEnvironment.get(context.to());
    if (deployment == null) {
      throw new PreflightException("no Deployment is mapped for environment " + context.to().name() + " in " + name()
          + ": add deployment(" + context.to().name() + ", \"<name>\")");
    }
    String object = "Deployment " + namespace + "/" + deployment;
    Deployment d;
    try {
      d = KubeCalls.call(client, KubeCalls.GET_DEPLOYMENT, object,
          () -> client.apps().deployments().inNamespace(namespace).withName(deployment).get());
    } catch (RouterException e) {
      if (e.isTransient()) {
        return;
      }
      throw new PreflightException(e.getMessage(), e);
    }
    if (d == null) {
      throw new PreflightException(object + " not found: create it or fix the name given to " + name());
    }
  }

  private GateResult judge(String object, Deployment d, boolean receivingTraffic) {
    if (d == null) {
      return GateResult.unhealthy(object + " not found: create it or fix the name");
    }
    if (d.getMetadata().getDeletionTimestamp() != null) {
      return GateResult.unhealthy(object + " is being deleted");
    }
    int desired = d.getSpec() == null || d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    if (desired == 0) {
      return GateResult.unhealthy(object + " is scaled to 0 replicas: nothing can serve; scale it up");
    }
    if (desired < minReady) {
      return GateResult.unhealthy(object + " wants " + desired + " replicas, fewer than the " + minReady
          + " this gate requires: scale it up or lower minReady");
    }
    DeploymentStatus s = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
    for (DeploymentCondition c : s.getConditions()) {
      if ("Progressing".equals(c.getType()) && "False".equals(c.getStatus()) && "ProgressDeadlineExceeded".equals(c.getReason())) {
        return GateResult.unhealthy(object + " rollout is stuck (ProgressDeadlineExceeded"
            + (c.getMessage() == null ? "" : ": " + c.getMessage()) + ")");
      }
    }
    long generation = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
    long observed = s.getObservedGeneration() == null ? 0 : s.getObservedGeneration();
    int total = nz(s.getReplicas());
    int updated = nz(s.getUpdatedReplicas());
    int ready = nz(s.getReadyReplicas());
    int available = nz(s.getAvailableReplicas());
    String counts = updated + "/" + desired + " updated, " + ready + " ready, " + available + " available";
    if (observed < generation) {
      return GateResult.inconclusive(object + " generation " + generation + " not yet observed by the controller (observed "
          + observed + "): rollout starting");
    }
    if (updated < desired) {
      return GateResult.inconclusive(object + " rolling out: " + counts);
    }
    if (total > updated) {
      return GateResult.inconclusive(object + " rolling out: " + (total - updated) + " old replica(s) still terminating; " + counts);
    }
    if (ready == 0 && receivingTraffic) {
      return GateResult.unhealthy(object + " has no ready replica while receiving traffic (" + counts + ")");
    }
    if (ready < desired || available < desired) {
      return GateResult.inconclusive(object + " not all replicas ready yet: " + counts);
    }
    if (ready < minReady) {
      return GateResult.inconclusive(object + " has " + ready + " ready replicas, fewer than " + minReady);
    }
    return GateResult.healthy(desired + "/" + desired + " replicas updated, ready and available (" + object + ", generation "
        + generation + ")");
  }

  private static int nz(Integer v) {
    return v == null ? 0 : v;
  }

  @Override
  public String toString() {
    return name();
  }

  /**
   * Builds a {@link DeploymentReadyGate}.
   *
   * <pre>{@code
   * DeploymentReadyGate gate = DeploymentReadyGate.builder(client).namespace("shop").deployment("app-green").build();
   * }</pre>
   */
  public static final class Builder {
    private final KubernetesClient client;
    private String namespace;
    private String deployment;
    private final Map<Environment, String> byEnvironment = new LinkedHashMap<>();
    private int minReady = 1;

    private Builder(KubernetesClient client) {
      this.client = Checks.notNull(client, "client");
    }

    /**
     * @param namespace the Deployment's namespace (default: the client's namespace, else "default")
     * @return this builder
     */
    public Builder namespace(String namespace) {
      this.namespace = KubeNames.namespace(namespace, "namespace");
      return this;
    }

    /**
     * @param name the Deployment to check, whatever the plan's target
     * @return this builder
     */
    public Builder deployment(String name) {
      this.deployment = KubeNames.objectName(name, "deployment");
      return this;
    }

    /**
     * @param environment an environment
     * @param name its Deployment, checked when the plan moves traffic to it
     * @return this builder
     */
    public Builder deployment(Environment environment, String name) {
      Checks.notNull(environment, "environment");
      byEnvironment.put(environment, KubeNames.objectName(name, "deployment of environment " + environment.name()));
      return this;
    }

    /**
     * @param count the fewest ready replicas accepted, at least 1 (default 1)
     * @return this builder
     */
    public Builder minReady(int count) {
      if (count < 1) {
        throw new InvalidConfigurationException("minReady " + count + " is invalid: use 1 or more");
      }
      this.minReady = count;
      return this;
    }

    /** @return the gate */
    public DeploymentReadyGate build() {
      if (deployment == null && byEnvironment.isEmpty()) {
        throw new InvalidConfigurationException("no Deployment set: call deployment(\"<name>\") or deployment(environment, \"<name>\")");
      }
      if (deployment != null && !byEnvironment.isEmpty()) {
        throw new InvalidConfigurationException("both a fixed deployment and per-environment deployments are set: use one form");
      }
      String ns = namespace;
      if (ns == null) {
        ns = client.getNamespace() == null ? "default" : KubeNames.namespace(client.getNamespace(), "the client's namespace");
      }
      return new DeploymentReadyGate(this, ns);
    }
  }
}
