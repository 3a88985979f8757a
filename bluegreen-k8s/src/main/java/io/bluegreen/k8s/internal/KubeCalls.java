package io.bluegreen.k8s.internal;

import io.bluegreen.core.Redaction;
import io.bluegreen.core.RouterException;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Runs fabric8 calls and translates their failures into {@link RouterException}s that say whether a
 * retry can help and what to fix. No credential of the client (OAuth token, password, client key,
 * passphrases) reaches a message or a cause chain: the API server's text and fabric8's exception
 * (whose message carries the request URL and the reply's Status) are passed through {@link
 * Redaction} with the client's credentials as known secrets, and the reply body of a 401 is never
 * shown.
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
  /** create services. */
  public static final Op CREATE_SERVICE = new Op("create", "", "services");
  /** delete services. */
  public static final Op DELETE_SERVICE = new Op("delete", "", "services");
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
   * @param client the client making the call (its credentials are kept out of messages)
   * @param op what the call does
   * @param object the object, e.g. {@code "Service default/app-service"}
   * @param call the call
   * @param <T> the result type
   * @return the call's result
   * @throws RouterException if the call failed
   */
  public static <T> T call(KubernetesClient client, Op op, String object, Supplier<T> call) {
    try {
      return call.get();
    } catch (KubernetesClientException e) {
      throw translate(client, e, op, object);
    }
  }

  /**
   * @param client a client
   * @return the credentials its configuration holds (OAuth tokens, password, client key and
   *     passphrases), to keep out of messages
   */
  public static List<String> secretsOf(KubernetesClient client) {
    List<String> secrets = new ArrayList<>();
    Config c = client == null ? null : client.getConfiguration();
    if (c != null) {
      secrets.add(c.getOauthToken());
      secrets.add(c.getAutoOAuthToken());
      secrets.add(c.getPassword());
      secrets.add(c.getClientKeyData());
      secrets.add(c.getClientKeyPassphrase());
      secrets.add(c.getProxyPassword());
      secrets.add(c.getTrustStorePassphrase());
      secrets.add(c.getKeyStorePassphrase());
    }
    secrets.removeIf(s -> s == null || s.isBlank());
    return secrets;
  }

  /**
   * @param client the client that failed
   * @param failure what it threw
   * @return its message (its type when it has none), without the client's credentials
   */
  public static String message(KubernetesClient client, Throwable failure) {
    return Redaction.text(failure.getMessage() == null ? failure.toString() : failure.getMessage(), secretsOf(client));
  }

  /**
   * @param client the client that failed
   * @param failure what it threw
   * @return {@code failure}, or a copy whose messages (and its reply Status) carry none of the
   *     client's credentials and pass the redaction rule
   */
  public static Throwable redacted(KubernetesClient client, Throwable failure) {
    return Redaction.exception(failure, secretsOf(client), (original, redact, cause) -> {
      if (!(original instanceof KubernetesClientException k)) {
        return null;
      }
      return new KubernetesClientException(redact.apply(k.getMessage()), cause, k.getCode(), redactedStatus(k, redact),
          (io.fabric8.kubernetes.client.http.HttpRequest) null);
    });
  }

  private static Status redactedStatus(KubernetesClientException e, java.util.function.UnaryOperator<String> redact) {
    Status s = e.getStatus();
    if (s == null) {
      return null;
    }
    StatusBuilder b = new StatusBuilder().withCode(s.getCode()).withReason(redact.apply(s.getReason())).withStatus(s.getStatus())
        .withKind(s.getKind()).withApiVersion(s.getApiVersion());
    if (e.getCode() != 401) {
      b.withMessage(redact.apply(s.getMessage()));
    }
    if (s.getDetails() != null && s.getDetails().getRetryAfterSeconds() != null) {
      b.withNewDetails().withRetryAfterSeconds(s.getDetails().getRetryAfterSeconds()).endDetails();
    }
    return b.build();
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
   * @param client the client that failed (its credentials are kept out of the message)
   * @param failure the failure
   * @param op what the request did
   * @param object the object it was about
   * @return the router exception to throw, its cause redacted
   */
  public static RouterException translate(KubernetesClient client, KubernetesClientException failure, Op op, String object) {
    List<String> secrets = secretsOf(client);
    KubernetesClientException e = failure;
    // the reply body of a 401 may echo the credentials: it is never shown
    int code = e.getCode();
    String said = code == 401 ? "" : Redaction.text(apiMessage(e), secrets);
    Throwable cause = redacted(client, failure);
    String root = Redaction.text(rootMessage(e), secrets);
    switch (code) {
      case 404:
        return RouterException.permanentFailure(object + " not found: create it or fix the name (HTTP 404 on " + op.rbac() + ")", cause);
      case 401:
        return RouterException.permanentFailure(op.verb() + " " + object + " failed: the API server did not accept the client's"
            + " credentials (HTTP 401): check the kubeconfig or ServiceAccount token the KubernetesClient uses", cause);
      case 403:
        return RouterException.permanentFailure(op.verb() + " " + object + " is forbidden (HTTP 403): grant the client's identity "
            + op.rbac() + " in the namespace (see the Role rules in the bluegreen-k8s README)" + said, cause);
      case 400:
      case 422:
        return RouterException.permanentFailure(op.verb() + " " + object + " was rejected as invalid (HTTP " + code + ")" + said
            + ": fix the object or the router's configuration", cause);
      case 409:
        return RouterException.transientFailure(op.verb() + " " + object + " conflicted with another change (HTTP 409)" + said
            + "; a retry re-reads it", cause);
      case 429: {
        RouterException t = RouterException.transientFailure(op.verb() + " " + object + " was throttled by the API server (HTTP 429)"
            + said, cause);
        Duration after = retryAfter(e.getStatus());
        return after == null ? t : t.withRetryAfter(after);
      }
      case 500:
      case 502:
      case 503:
      case 504:
        return RouterException.transientFailure(op.verb() + " " + object + " failed with HTTP " + code + said, cause);
      default:
        break;
    }
    if (hasCause(e, InterruptedException.class)) {
      Thread.currentThread().interrupt(); // the caller (a plan) must see the interrupt, not only a failed call
      return RouterException.permanentFailure(op.verb() + " " + object + " was interrupted", cause);
    }
    if (code <= 0 && isTimeout(e)) {
      // the request may have reached the server (a write may have been applied): do not say "could not reach"
      return RouterException.transientFailure("the API server did not answer in time to " + op.verb() + " " + object + ": "
          + root + " (raise the client's requestTimeout if the API server is slow)", cause);
    }
    if (code <= 0 && isIoFailure(e)) {
      return RouterException.transientFailure("could not reach the API server to " + op.verb() + " " + object + ": "
          + root, cause);
    }
    return RouterException.permanentFailure(op.verb() + " " + object + " failed" + (code <= 0 ? "" : " with HTTP " + code)
        + (said.isEmpty() ? ": " + root : said), cause);
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
