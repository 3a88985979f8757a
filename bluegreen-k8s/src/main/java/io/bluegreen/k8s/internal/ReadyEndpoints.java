package io.bluegreen.k8s.internal;

import io.bluegreen.core.RouterException;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Counts ready endpoints: a Service's from its EndpointSlices (discovery.k8s.io/v1), falling back to
 * the ready Pods its selector matches when it has no EndpointSlice at all; a bare label selector's
 * from the ready Pods it matches (no EndpointSlice exists for a selector no Service uses yet).
 */
public final class ReadyEndpoints {

  /** The label EndpointSlice controllers put on each slice, naming its Service. */
  public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  private ReadyEndpoints() {
  }

  /**
   * What was counted.
   *
   * @param ready ready endpoints
   * @param total all endpoints seen, ready or not
   * @param source where they were counted, e.g. "EndpointSlices of Service default/app-green"
   * @param serviceFound false when the Service does not exist (counts are then 0)
   */
  public record Count(int ready, int total, String source, boolean serviceFound) {

    /** @return e.g. "2 of 3 ready (EndpointSlices of Service default/app-green)" */
    public String describe() {
      return ready + " of " + total + " ready (" + source + ")";
    }
  }

  /**
   * Counts the ready endpoints of a Service.
   *
   * @param client the client
   * @param namespace the namespace
   * @param service the Service name
   * @return the count; {@code serviceFound} false if the Service does not exist
   * @throws RouterException if a read fails
   */
  public static Count forService(KubernetesClient client, String namespace, String service) {
    String object = "Service " + namespace + "/" + service;
    Service svc = KubeCalls.call(client, KubeCalls.GET_SERVICE, object,
        () -> client.services().inNamespace(namespace).withName(service).get());
    if (svc == null) {
      return new Count(0, 0, object + " does not exist", false);
    }
    List<EndpointSlice> slices = KubeCalls.call(client, KubeCalls.LIST_ENDPOINT_SLICES, "EndpointSlices of " + object,
        () -> client.discovery().v1().endpointSlices().inNamespace(namespace).withLabel(SERVICE_NAME_LABEL, service).list().getItems());
    if (!slices.isEmpty()) {
      Set<String> ready = new HashSet<>();
      Set<String> all = new HashSet<>();
      for (EndpointSlice slice : slices) {
        for (Endpoint ep : slice.getEndpoints()) {
          String id = identity(ep);
          all.add(id);
          if (isReady(ep)) {
            ready.add(id);
          }
        }
      }
      return new Count(ready.size(), all.size(), "EndpointSlices of " + object, true);
    }
    Map<String, String> selector = svc.getSpec() == null ? null : svc.getSpec().getSelector();
    if (selector == null || selector.isEmpty()) {
      return new Count(0, 0, object + " has no EndpointSlice and no selector", true);
    }
    Count pods = forSelector(client, namespace, selector);
    return new Count(pods.ready(), pods.total(), object + " has no EndpointSlice; " + pods.source(), true);
  }

  /**
   * Counts the ready Pods a label selector matches (Ready condition True, not being deleted).
   *
   * @param client the client
   * @param namespace the namespace
   * @param selector equality-based label selector (validated by the caller)
   * @return the count
   * @throws RouterException if the read fails
   */
  public static Count forSelector(KubernetesClient client, String namespace, Map<String, String> selector) {
    String shown = describe(selector);
    List<Pod> pods = KubeCalls.call(client, KubeCalls.LIST_PODS, "Pods matching " + shown + " in namespace " + namespace,
        () -> client.pods().inNamespace(namespace).withLabels(selector).list().getItems());
    int ready = 0;
    for (Pod pod : pods) {
      if (isReady(pod)) {
        ready++;
      }
    }
    return new Count(ready, pods.size(), "Pods matching " + shown, true);
  }

  /**
   * @param selector a selector
   * @return {@code app=myapp,version=green}, keys sorted
   */
  public static String describe(Map<String, String> selector) {
    return new TreeMap<>(selector).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
  }

  private static boolean isReady(Endpoint ep) {
    // EndpointSlice API: a nil "ready" means unknown and consumers should treat it as ready.
    return ep.getConditions() == null || !Boolean.FALSE.equals(ep.getConditions().getReady());
  }

  private static String identity(Endpoint ep) {
    if (ep.getTargetRef() != null && ep.getTargetRef().getName() != null) {
      return ep.getTargetRef().getKind() + "/" + ep.getTargetRef().getName();
    }
    return String.join(",", ep.getAddresses());
  }

  private static boolean isReady(Pod pod) {
    if (pod.getMetadata() != null && pod.getMetadata().getDeletionTimestamp() != null) {
      return false;
    }
    if (pod.getStatus() == null) {
      return false;
    }
    for (PodCondition c : pod.getStatus().getConditions()) {
      if ("Ready".equals(c.getType())) {
        return "True".equals(c.getStatus());
      }
    }
    return false;
  }
}
