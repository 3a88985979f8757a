package io.bluegreen.k8s;

import io.bluegreen.core.Checks;
import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.k8s.internal.KubeNames;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the builders of {@link IngressBackendRouter} and {@link HttpRouteRouter} share: the client,
 * the namespace, and one Service per environment.
 *
 * @param <B> the concrete builder
 */
abstract class ServiceBackendsBuilder<B extends ServiceBackendsBuilder<B>> {
  final KubernetesClient client;
  String namespace;
  final Map<Environment, String> services = new LinkedHashMap<>();

  ServiceBackendsBuilder(KubernetesClient client) {
    this.client = Checks.notNull(client, "client");
  }

  abstract B self();

  /**
   * @param namespace the namespace of the routed object and its Services (default: the client's namespace, else "default")
   * @return this builder
   */
  public B namespace(String namespace) {
    this.namespace = KubeNames.namespace(namespace, "namespace");
    return self();
  }

  /**
   * @param environment an environment
   * @param serviceName the Service that serves it (same namespace as the routed object)
   * @return this builder
   */
  public B service(Environment environment, String serviceName) {
    KubeNames.mapService(services, environment, serviceName);
    return self();
  }

  /**
   * Checks what every such router needs and fills in the default namespace.
   *
   * @param router the router's type, for the message
   * @param kind the routed object's kind, for the message
   * @param object the routed object's name (null if not set)
   * @param setter the builder method that sets it
   * @return the environments, in the order they were mapped
   */
  List<Environment> checkBackends(String router, String kind, String object, String setter) {
    if (object == null) {
      throw new InvalidConfigurationException(setter + " is not set: call " + setter + "(\"<name of the " + kind + " to switch>\")");
    }
    if (services.size() < 2) {
      throw new InvalidConfigurationException(router + " for " + object + " maps " + services.size()
          + " environment(s): map at least two with service(environment, serviceName)");
    }
    if (namespace == null) {
      namespace = ServiceSelectorRouter.defaultNamespace(client);
    }
    return List.copyOf(services.keySet());
  }
}
