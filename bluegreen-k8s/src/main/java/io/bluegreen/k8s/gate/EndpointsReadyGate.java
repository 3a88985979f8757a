package io.bluegreen.k8s.gate;

import io.bluegreen.core.Checks;
import io.bluegreen.core.GateContext;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.HealthGate;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.PreflightException;
import io.bluegreen.core.RouterException;
import io.bluegreen.k8s.internal.KubeNames;
import io.bluegreen.k8s.internal.ReadyEndpoints;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * HEALTHY when a Service (or a label selector) has at least N ready endpoints.
 *
 * <pre>{@code
 * HealthGate endpoints = EndpointsReadyGate.forService(client, "shop", "app-green").minReady(2).build();
 * HealthGate pods = EndpointsReadyGate.forSelector(client, "shop", Map.of("app", "myapp", "version", "green")).build();
 * }</pre>
 *
 * <h2>Verdicts</h2>
 * <ul>
 *   <li>A Service's endpoints are counted on its EndpointSlices ({@code discovery.k8s.io/v1}; an
 *       endpoint whose {@code ready} condition is unset counts as ready, as the API says); a Service
 *       without any EndpointSlice falls back to the ready Pods its selector matches. A selector's
 *       endpoints are the ready Pods it matches (Ready condition True, not being deleted).</li>
 *   <li>UNHEALTHY: the Service does not exist; or, while traffic is moving (stage and post-switch
 *       phases), not one endpoint is ready; or the API refused the read for good (e.g. HTTP 403).</li>
 *   <li>INCONCLUSIVE: fewer than N ready (but some, or before the switch), or a transient read failure.</li>
 * </ul>
 *
 * <p>RBAC: {@code get} on {@code services} (Service form), {@code list} on
 * {@code discovery.k8s.io/endpointslices} and {@code pods}.
 */
public final class EndpointsReadyGate implements HealthGate {

  private final KubernetesClient client;
  private final String namespace;
  private final String service;
  private final Map<String, String> selector;
  private final int minReady;

  private EndpointsReadyGate(Builder b) {
    this.client = b.client;
    this.namespace = b.namespace;
    this.service = b.service;
    this.selector = b.selector == null ? null : Map.copyOf(b.selector);
    this.minReady = b.minReady;
  }

  /**
   * @param client the fabric8 client (not closed by the gate)
   * @param namespace the Service's namespace
   * @param service the Service's name
   * @return a builder
   */
  public static Builder forService(KubernetesClient client, String namespace, String service) {
    Builder b = new Builder(client, namespace);
    b.service = KubeNames.serviceName(service, "service");
    return b;
  }

  /**
   * @param client the fabric8 client (not closed by the gate)
   * @param namespace the Pods' namespace
   * @param selector equality-based label selector, e.g. {@code app=myapp, version=green}
   * @return a builder
   */
  public static Builder forSelector(KubernetesClient client, String namespace, Map<String, String> selector) {
    Builder b = new Builder(client, namespace);
    Checks.notNull(selector, "selector");
    if (selector.isEmpty()) {
      throw new InvalidConfigurationException("selector is empty: it would match every Pod in the namespace; give labels such as"
          + " app=myapp,version=green");
    }
    Map<String, String> copy = new LinkedHashMap<>();
    selector.forEach((k, v) -> copy.put(KubeNames.labelKey(k, "selector key"), KubeNames.labelValue(v, "selector value of " + k)));
    b.selector = copy;
    return b;
  }

  @Override
  public String name() {
    return "endpoints-ready(" + namespace + "/" + (service != null ? service : ReadyEndpoints.describe(selector)) + ")";
  }

  @Override
  public GateResult check(GateContext context) {
    ReadyEndpoints.Count count;
    try {
      count = service != null ? ReadyEndpoints.forService(client, namespace, service)
          : ReadyEndpoints.forSelector(client, namespace, selector);
    } catch (RouterException e) {
      return e.isTransient() ? GateResult.inconclusive("could not count endpoints: " + e.getMessage()) : GateResult.unhealthy(e.getMessage());
    }
    if (!count.serviceFound()) {
      return GateResult.unhealthy("Service " + namespace + "/" + service + " not found: create it or fix the name");
    }
    if (count.ready() >= minReady) {
      return GateResult.healthy(count.describe());
    }
    if (count.ready() == 0 && context.phase() != GateContext.Phase.PRE_SWITCH) {
      return GateResult.unhealthy("no ready endpoint while receiving traffic: " + count.describe());
    }
    return GateResult.inconclusive(count.describe() + ", " + minReady + " needed");
  }

  /**
   * Reads the Service once before the plan's first write: a Service that does not exist, or a read
   * the API server refuses (403), ends the plan ABORTED with nothing written. Too few ready endpoints
   * is left to the gate's checks. A transient failure too.
   *
   * @param context the plan before its first write
   * @throws PreflightException if the gate cannot work as configured
   */
  @Override
  public void preflight(GateContext context) {
    if (service == null) {
      return;
    }
    ReadyEndpoints.Count count;
    try {
      count = ReadyEndpoints.forService(client, namespace, service);
    } catch (RouterException e) {
      if (e.isTransient()) {
        return;
      }
      throw new PreflightException(e.getMessage(), e);
    }
    if (!count.serviceFound()) {
      throw new PreflightException("Service " + namespace + "/" + service + " not found: create it or fix the name given to " + name());
    }
  }

  @Override
  public String toString() {
    return name();
  }

  /**
   * Builds an {@link EndpointsReadyGate}.
   *
   * <pre>{@code
   * EndpointsReadyGate gate = EndpointsReadyGate.forService(client, "shop", "app-green").minReady(3).build();
   * }</pre>
   */
  public static final class Builder {
    private final KubernetesClient client;
    private final String namespace;
    private String service;
    private Map<String, String> selector;
    private int minReady = 1;

    private Builder(KubernetesClient client, String namespace) {
      this.client = Checks.notNull(client, "client");
      this.namespace = KubeNames.namespace(namespace, "namespace");
    }

    /**
     * @param count the fewest ready endpoints accepted, at least 1 (default 1)
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
    public EndpointsReadyGate build() {
      return new EndpointsReadyGate(this);
    }
  }
}
