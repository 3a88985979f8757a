package io.bluegreen.k8s;

import io.bluegreen.core.Checks;
import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.RouterException;
import io.bluegreen.core.drain.DrainEstimate;
import io.bluegreen.core.drain.DrainWindow;
import io.bluegreen.k8s.internal.KubeCalls;
import io.bluegreen.k8s.internal.KubeNames;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The drain window of a Kubernetes environment: its Deployment's pod template {@code
 * terminationGracePeriodSeconds} (30 when unset, as Kubernetes defaults it), the time its Pods are
 * given to finish in-flight requests and long-lived connections once they stop getting new ones. Pair
 * it with a drain gate that reads what the environment still serves (an in-flight metric reaching
 * zero) to confirm the drain rather than assume it.
 *
 * <pre>{@code
 * SwitchPlan.builder()...
 *     .drainWindow(TerminationGraceDrain.builder(client).namespace("shop")
 *         .deployment(blue, "app-blue").deployment(green, "app-green").build())
 *     .drainGate(PrometheusGate.builder(prometheus).query("sum(http_server_active_requests{env=\"{{env}}\"})")...build())
 *     .drainUntil(Duration.ofMinutes(10))
 *     .build();
 * }</pre>
 *
 * <p>One {@code get} of the Deployment per estimate. RBAC: {@code get} on {@code apps/deployments}.
 */
public final class TerminationGraceDrain implements DrainWindow {

  /** What Kubernetes uses when a pod spec does not set it. */
  static final long DEFAULT_GRACE_SECONDS = 30;

  private final KubernetesClient client;
  private final String namespace;
  private final Map<Environment, String> deployments;

  private TerminationGraceDrain(Builder b) {
    this.client = b.client;
    this.namespace = b.namespace != null ? b.namespace : defaultNamespace(b.client);
    this.deployments = Map.copyOf(b.deployments);
  }

  private static String defaultNamespace(KubernetesClient client) {
    String ns = client.getNamespace();
    return ns == null || ns.isBlank() ? "default" : ns;
  }

  /**
   * @param client the fabric8 client (not closed here)
   * @return a builder
   */
  public static Builder builder(KubernetesClient client) {
    return new Builder(Checks.notNull(client, "client"));
  }

  @Override
  public DrainEstimate estimate(Environment environment) {
    String name = deployments.get(environment);
    if (name == null) {
      return DrainEstimate.none();
    }
    String object = "Deployment " + namespace + "/" + name;
    Deployment d = KubeCalls.call(client, KubeCalls.GET_DEPLOYMENT, object, () -> client.apps().deployments().inNamespace(namespace).withName(name).get());
    if (d == null) {
      throw RouterException.permanentFailure(object + " (environment " + environment.name() + ") not found: fix the drain window's"
          + " deployment mapping", null);
    }
    Long grace = d.getSpec() == null || d.getSpec().getTemplate() == null || d.getSpec().getTemplate().getSpec() == null ? null
        : d.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
    long seconds = grace == null ? DEFAULT_GRACE_SECONDS : grace;
    return DrainEstimate.of(Duration.ofSeconds(seconds), "terminationGracePeriodSeconds " + seconds + (grace == null ? " (the default)" : "")
        + " of " + object);
  }

  @Override
  public String name() {
    return "termination grace of " + deployments.values();
  }

  @Override
  public String toString() {
    return "TerminationGraceDrain{" + namespace + " " + deployments + "}";
  }

  /**
   * Builds a {@link TerminationGraceDrain}.
   *
   * <pre>{@code
   * TerminationGraceDrain.builder(client).namespace("shop").deployment(blue, "app-blue").deployment(green, "app-green").build();
   * }</pre>
   */
  public static final class Builder {
    private final KubernetesClient client;
    private String namespace;
    private final Map<Environment, String> deployments = new LinkedHashMap<>();

    private Builder(KubernetesClient client) {
      this.client = client;
    }

    /** @param namespace the Deployments' namespace (default: the client's, else "default") @return this builder */
    public Builder namespace(String namespace) {
      this.namespace = KubeNames.namespace(namespace, "namespace");
      return this;
    }

    /**
     * @param environment an environment
     * @param deployment the Deployment whose Pods serve it
     * @return this builder
     */
    public Builder deployment(Environment environment, String deployment) {
      Checks.notNull(environment, "environment");
      if (deployments.put(environment, KubeNames.objectName(deployment, "deployment")) != null) {
        throw new InvalidConfigurationException("environment " + environment.name() + " is mapped to two Deployments: map it once");
      }
      return this;
    }

    /** @return the drain window */
    public TerminationGraceDrain build() {
      if (deployments.isEmpty()) {
        throw new InvalidConfigurationException("no Deployment mapped: call deployment(blue, \"app-blue\").deployment(green, \"app-green\")");
      }
      return new TerminationGraceDrain(this);
    }
  }
}
