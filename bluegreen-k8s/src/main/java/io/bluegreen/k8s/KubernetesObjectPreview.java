package io.bluegreen.k8s;

import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.PreflightException;
import io.bluegreen.core.RouterException;
import io.bluegreen.core.preview.PreviewEndpoint;
import io.bluegreen.core.preview.PreviewRequest;
import io.bluegreen.core.preview.PreviewRoute;
import io.bluegreen.k8s.internal.AccessReview;
import io.bluegreen.k8s.internal.KubeCalls;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the HTTPRoute and Ingress previews share: the preview lives in the production object itself (a
 * rule the production router ignores), marked by annotations naming it and the plan's owner; it is
 * added and removed with one update guarded by the resourceVersion read (a 409 is a transient
 * failure: the plan retries on a fresh read).
 *
 * @param <T> the object type
 */
abstract class KubernetesObjectPreview<T extends HasMetadata> implements PreviewRoute {

  private final Logger log = LoggerFactory.getLogger(getClass());
  /** Annotation naming the plan owner that opened the preview. */
  static final String OWNER_ANNOTATION = "preview.bluegreen.io/owner";

  final KubernetesObjectRouter<T> router;

  KubernetesObjectPreview(KubernetesObjectRouter<T> router) {
    this.router = router;
  }

  /** @return e.g. "header X-Preview" */
  abstract String selector();

  /** @return the annotation that marks the preview and names what it added (the rule, the host) */
  abstract String markerAnnotation();

  /** @return the marker value this preview writes */
  abstract String markerValue();

  /**
   * @param object the object as read (not modified)
   * @param request what to open
   * @throws InvalidConfigurationException naming a conflict with what is already there (not ours)
   */
  abstract void checkConflicts(T object, PreviewRequest request);

  /**
   * @param copy a copy without any preview of ours, to add the preview to
   * @param request what to open
   * @throws InvalidConfigurationException if the preview cannot be expressed (limits, no port, ...)
   */
  abstract void addPreview(T copy, PreviewRequest request);

  /**
   * @param copy a copy to remove the preview from
   * @param marker the marker annotation's value, naming what the preview added
   * @return whether something was there to remove
   */
  abstract boolean removePreview(T copy, String marker);

  /** @param request what was opened @return how to reach it */
  abstract PreviewEndpoint endpoint(PreviewRequest request);

  @Override
  public String describe() {
    return "preview (" + selector() + ") in " + router.object();
  }

  @Override
  public void validate(Environment environment) {
    checkRouted(describe(), router, environment);
  }

  /** The routed environments of a preview's router: configuration only. */
  static void checkRouted(String preview, KubernetesObjectRouter<?> router, Environment environment) {
    if (!router.environments().contains(environment)) {
      throw new InvalidConfigurationException(preview + ": environment " + environment.name() + " is not routed by " + router.routeId());
    }
  }

  /**
   * The preflight every Kubernetes preview starts with: the routed object exists, and the target has
   * a ready endpoint.
   *
   * @return the routed object as read
   * @throws PreflightException (not ready yet, when it may become ready) naming what is wrong
   */
  static <O extends HasMetadata> O readWithTargetReady(String preview, KubernetesObjectRouter<O> router, Environment target) {
    O object = router.read();
    if (object == null) {
      throw new PreflightException(router.object() + " not found: create it or fix the router's name; nothing was written");
    }
    Optional<KubernetesObjectRouter.NotReady> notReady = router.notReady(object, target);
    if (notReady.isPresent()) {
      String message = "cannot open the " + preview + ": " + notReady.get().message() + "; nothing was written";
      throw notReady.get().mayBecomeReady() ? PreflightException.notReady(message) : new PreflightException(message);
    }
    return object;
  }

  @Override
  public PreviewEndpoint preflight(PreviewRequest request) {
    T object = readWithTargetReady(describe(), router, request.environment());
    Optional<String> forbidden = AccessReview.denied(router.client, router.updateOp(), router.namespace, router.name, log);
    if (forbidden.isPresent()) {
      throw new PreflightException("cannot open the " + describe() + ": " + forbidden.get() + "; nothing was written");
    }
    try {
      T copy = withoutOurs(object);
      checkConflicts(copy, request);
      addPreview(copy, request);
    } catch (InvalidConfigurationException | RouterException e) {
      throw new PreflightException(e.getMessage() + "; nothing was written", e);
    }
    return endpoint(request);
  }

  @Override
  public PreviewEndpoint open(PreviewRequest request) {
    T object = router.readRequired();
    if (markerValue().equals(annotation(object, markerAnnotation())) && request.owner().equals(annotation(object, OWNER_ANNOTATION))) {
      T probe = router.copy(object);
      if (removePreview(probe, markerValue())) {
        log.info("{}: already open", describe());
        return endpoint(request);
      }
    }
    T copy = withoutOurs(object);
    checkConflicts(copy, request);
    addPreview(copy, request);
    Map<String, String> annotations = new LinkedHashMap<>(annotationsOf(copy));
    annotations.put(markerAnnotation(), markerValue());
    annotations.put(OWNER_ANNOTATION, request.owner());
    copy.getMetadata().setAnnotations(annotations);
    update(copy);
    log.info("{}: opened, sending {} to {}", router.object(), selector(), request.environment().name());
    return endpoint(request);
  }

  @Override
  public Optional<String> close(PreviewRequest request) {
    T object = router.readRequired();
    String marker = annotation(object, markerAnnotation());
    if (marker == null) {
      return Optional.empty();
    }
    String owner = annotation(object, OWNER_ANNOTATION);
    T copy = router.copy(object);
    boolean removed = removePreview(copy, marker);
    dropAnnotations(copy);
    update(copy);
    String what = (removed ? describeRemoved(marker) : "the preview annotations (the preview itself was already gone)") + " of "
        + router.object() + ", opened by " + (owner == null ? "an unknown owner" : owner);
    log.info("{}: removed {}", describe(), what);
    return Optional.of(what);
  }

  /** @param marker the marker value @return what the preview it names is, e.g. "rule bluegreen-preview" */
  abstract String describeRemoved(String marker);

  private T withoutOurs(T object) {
    T copy = router.copy(object);
    String marker = annotation(copy, markerAnnotation());
    if (marker != null) {
      removePreview(copy, marker);
      dropAnnotations(copy);
    }
    return copy;
  }

  private void dropAnnotations(T copy) {
    Map<String, String> annotations = new LinkedHashMap<>(annotationsOf(copy));
    annotations.remove(markerAnnotation());
    annotations.remove(OWNER_ANNOTATION);
    copy.getMetadata().setAnnotations(annotations.isEmpty() ? null : annotations);
  }

  private void update(T desired) {
    if (KubernetesObjectRouter.rv(desired) == null) {
      throw RouterException.permanentFailure(router.object() + " was read without a resourceVersion; refusing an unguarded write", null);
    }
    try {
      router.update(desired);
    } catch (KubernetesClientException e) {
      throw KubeCalls.translate(router.client, e, router.updateOp(), router.object());
    }
  }

  static Map<String, String> annotationsOf(HasMetadata object) {
    Map<String, String> a = object.getMetadata() == null ? null : object.getMetadata().getAnnotations();
    return a == null ? Map.of() : a;
  }

  static String annotation(HasMetadata object, String key) {
    return annotationsOf(object).get(key);
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "{" + describe() + "}";
  }
}
