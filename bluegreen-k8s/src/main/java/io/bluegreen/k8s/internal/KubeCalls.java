package io.bluegreen.k8s.internal;

import io.bluegreen.core.RouterException;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Runs fabric8 calls and translates their failures into {@link RouterException}s that say whether a
 * retry can help and what to fix.
 */
public final class KubeCalls {

  private KubeCalls() {
  }

  /**
   * What a request does, in the words of an RBAC rule.
   *
   * @param verb the RBAC verb (get, list, update, create)
   * @param apiGroup the API group ("" for the core group)
   * @param resource the resource (plural)
   */
  public record Op(String verb, String apiGroup, String resource) {

    /** @return e.g. {@code "update on networking.k8s.io/ingresses"} */
    public String rbac() {
      return "'" + verb + "' on " + (apiGroup.isEmpty() ? "" : apiGroup + "/") + resource;
    }
  }

  /** get services. */
  public static final Op GET_SERVICE = new Op("get", "", "services");
  /** update services. */
  public static final Op UPDATE_SERVICE = new Op("update", "", "services");
  /** list pods. */
  public static final Op LIST_PODS = new Op("list", "", "pods");
  /** list endpointslices. */
  public static final Op LIST_ENDPOINT_SLICES = new Op("list", "discovery.k8s.io", "endpointslices");
  /** get ingresses. */
  public static final Op GET_INGRESS = new Op("get", "networking.k8s.io", "ingresses");
  /** update ingresses. */
  public static final Op UPDATE_INGRESS = new Op("update", "networking.k8s.io", "ingresses");
  /** get httproutes. */
  public static final Op GET_HTTPROUTE = new Op("get", "gateway.networking.k8s.io", "httproutes");
  /** update httproutes. */
  public static final Op UPDATE_HTTPROUTE = new Op("update", "gateway.networking.k8s.io", "httproutes");
  /** get deployments. */
  public static final Op GET_DEPLOYMENT = new Op("get", "apps", "deployments");
  /** get leases. */
  public static final Op GET_LEASE = new Op("get", "coordination.k8s.io", "leases");
  /** create leases. */
  public static final Op CREATE_LEASE = new Op("create", "coordination.k8s.io", "leases");
  /** update leases. */
  public static final Op UPDATE_LEASE = new Op("update", "coordination.k8s.io", "leases");

  /**
   * Runs {@code call}, translating a fabric8 failure.
   *
   * @param op what the call does
   * @param object the object, e.g. {@code "Service default/app-service"}
   * @param call the call
   * @param <T> the result type
   * @return the call's result
   * @throws RouterException if the call failed
   */
  public static <T> T call(Op op, String object, Supplier<T> call) {
    try {
      return call.get();
    } catch (KubernetesClientException e) {
      throw translate(e, op, object);
    }
  }

  /**
   * @param failure anything
   * @return whether it is an HTTP 409 Conflict from the API server
   */
  public static boolean isConflict(Throwable failure) {
    return failure instanceof KubernetesClientException k && k.getCode() == 409;
  }

  /**
   * @param failure anything
   * @return whether it is an HTTP 404 Not Found from the API server
   */
  public static boolean isNotFound(Throwable failure) {
    return failure instanceof KubernetesClientException k && k.getCode() == 404;
  }

  /**
   * Classifies a fabric8 failure: transient for 409, 429, 500, 502, 503, 504 and I/O failures or
   * timeouts (a timeout is not reported as "could not reach": the request may have been served);
   * permanent (with what to fix) for everything else.
   *
   * @param e the failure
   * @param op what the request did
   * @param object the object it was about
   * @return the router exception to throw
   */
  public static RouterException translate(KubernetesClientException e, Op op, String object) {
    int code = e.getCode();
    String said = apiMessage(e);
    switch (code) {
      case 404:
        return RouterException.permanentFailure(object + " not found: create it or fix the name (HTTP 404 on " + op.rbac() + ")", e);
      case 401:
        return RouterException.permanentFailure(op.verb() + " " + object + " failed: the API server did not accept the client's"
            + " credentials (HTTP 401): check the kubeconfig or ServiceAccount token the KubernetesClient uses", e);
      case 403:
        return RouterException.permanentFailure(op.verb() + " " + object + " is forbidden (HTTP 403): grant the client's identity "
            + op.rbac() + " in the namespace (see the Role rules in the bluegreen-k8s README)" + said, e);
      case 400:
      case 422:
        return RouterException.permanentFailure(op.verb() + " " + object + " was rejected as invalid (HTTP " + code + ")" + said
            + ": fix the object or the router's configuration", e);
      case 409:
        return RouterException.transientFailure(op.verb() + " " + object + " conflicted with another change (HTTP 409)" + said
            + "; a retry re-reads it", e);
      case 429: {
        RouterException t = RouterException.transientFailure(op.verb() + " " + object + " was throttled by the API server (HTTP 429)"
            + said, e);
        Duration after = retryAfter(e.getStatus());
        return after == null ? t : t.withRetryAfter(after);
      }
      case 500:
      case 502:
      case 503:
      case 504:
        return RouterException.transientFailure(op.verb() + " " + object + " failed with HTTP " + code + said, e);
      default:
        break;
    }
    if (hasCause(e, InterruptedException.class)) {
      Thread.currentThread().interrupt(); // the caller (a plan) must see the interrupt, not only a failed call
      return RouterException.permanentFailure(op.verb() + " " + object + " was interrupted", e);
    }
    if (code <= 0 && isTimeout(e)) {
      // the request may have reached the server (a write may have been applied): do not say "could not reach"
      return RouterException.transientFailure("the API server did not answer in time to " + op.verb() + " " + object + ": "
          + rootMessage(e) + " (raise the client's requestTimeout if the API server is slow)", e);
    }
    if (code <= 0 && isIoFailure(e)) {
      return RouterException.transientFailure("could not reach the API server to " + op.verb() + " " + object + ": "
          + rootMessage(e), e);
    }
    return RouterException.permanentFailure(op.verb() + " " + object + " failed" + (code <= 0 ? "" : " with HTTP " + code)
        + (said.isEmpty() ? ": " + rootMessage(e) : said), e);
  }

  private static Duration retryAfter(Status status) {
    if (status == null || status.getDetails() == null || status.getDetails().getRetryAfterSeconds() == null) {
      return null;
    }
    int seconds = status.getDetails().getRetryAfterSeconds();
    return seconds > 0 ? Duration.ofSeconds(seconds) : null;
  }

  private static String apiMessage(KubernetesClientException e) {
    Status s = e.getStatus();
    if (s == null || s.getMessage() == null || s.getMessage().isBlank()) {
      return "";
    }
    return "; the API server said: " + s.getMessage();
  }

  private static boolean isTimeout(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof TimeoutException || t instanceof SocketTimeoutException || t instanceof HttpTimeoutException) {
        return true;
      }
    }
    return false;
  }

  private static boolean isIoFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof IOException || t instanceof UncheckedIOException || t instanceof TimeoutException) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getClass().getSimpleName() + ": " + root.getMessage();
  }
}
