package io.bluegreen.k8s;

import io.bluegreen.core.Environment;
import io.bluegreen.k8s.internal.ReadyEndpoints;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Optional;

/** Whether an environment's Service can take traffic: it exists and has a ready endpoint. */
final class ServiceReadiness {
  private ServiceReadiness() {
  }

  static Optional<KubernetesObjectRouter.NotReady> problem(KubernetesClient client, String namespace, String service,
      Environment environment) {
    ReadyEndpoints.Count count = ReadyEndpoints.forService(client, namespace, service);
    String object = "Service " + namespace + "/" + service + " (environment " + environment.name() + ")";
    if (!count.serviceFound()) {
      return Optional.of(new KubernetesObjectRouter.NotReady(object + " not found: create it or fix the router's service mapping", false));
    }
    if (count.ready() == 0) {
      return Optional.of(new KubernetesObjectRouter.NotReady(object + " has no ready endpoint (" + count.describe() + "): wait for "
          + environment.name() + " to become ready before switching", true));
    }
    return Optional.empty();
  }
}
