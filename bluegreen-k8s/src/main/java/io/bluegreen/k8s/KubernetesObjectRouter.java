package io.bluegreen.k8s;

import io.bluegreen.core.DriftDetectedException;
import io.bluegreen.core.Environment;
import io.bluegreen.core.PreflightException;
import io.bluegreen.core.PreflightReport;
import io.bluegreen.core.Router;
import io.bluegreen.core.RouterCapabilities;
import io.bluegreen.core.RouterException;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.UnmappedRouteStateException;
import io.bluegreen.core.Verification;
import io.bluegreen.core.WriteDescription;
import io.bluegreen.core.WriteGuard;
import io.bluegreen.core.WritePurpose;
import io.bluegreen.core.WriteResult;
import io.bluegreen.k8s.internal.AccessReview;
import io.bluegreen.k8s.internal.KubeCalls;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the three Kubernetes routers share: read one object, derive the split from it, write a
 * modified copy with an update guarded by the resourceVersion that was read (one write), handle a
 * conflict by re-reading (drift if the routing content changed, one retry otherwise), and refuse to
 * send traffic to an environment without ready endpoints.
 *
 * <p>Their write guard is {@link WriteGuard#CONDITIONAL}: {@link #applyIfUnchanged} updates the
 * object as this router last read or wrote it, carrying that resourceVersion, with no read first;
 * the API server's 409 is the drift check, and the object in the update's response is the
 * verification.
 *
 * @param <T> the object type
 */
abstract class KubernetesObjectRouter<T extends HasMetadata> implements Router {

  /** Logs under the public router's name (e.g. io.bluegreen.k8s.ServiceSelectorRouter), as the README lists. */
  private final Logger log = LoggerFactory.getLogger(getClass());

  final KubernetesClient client;
  final String namespace;
  final String name;
  private final List<Environment> environments;
  private final RouterCapabilities capabilities;
  private final String routeId;
  /** The object as this router last read or wrote it: the base (and resourceVersion) of the next guarded write. */
  private final AtomicReference<T> lastSeen = new AtomicReference<>();

  KubernetesObjectRouter(KubernetesClient client, String namespace, String name, List<Environment> environments,
      RouterCapabilities capabilities, String routeKind) {
    this.client = client;
    this.namespace = namespace;
    this.name = name;
    this.environments = List.copyOf(environments);
    this.capabilities = capabilities.toBuilder().writeGuard(WriteGuard.CONDITIONAL).build();
    this.routeId = "k8s/" + routeKind + "/" + namespace + "/" + name;
  }

  // ------------------------------------------------------------------------- per object type

  /** @return the kind, e.g. "Service" */
  abstract String kind();

  /** @return the object, or null if it does not exist */
  abstract T read();

  /**
   * The raw fabric8 update (PUT) of {@code desired}; fabric8 sends the resourceVersion it carries,
   * so the API server rejects it with 409 if the object changed since it was read.
   *
   * @param desired the modified object, carrying the resourceVersion it was read with
   * @return the object as stored
   * @throws KubernetesClientException untranslated
   */
  abstract T update(T desired);

  /** @return the RBAC operation {@link #update} performs, for error messages */
  abstract KubeCalls.Op updateOp();

  /**
   * @param object the object
   * @return the split it expresses
   * @throws UnmappedRouteStateException if it holds a state no environment maps to (describing it)
   * @throws RouterException (permanent) if it cannot be read as a route at all, saying what was found
   */
  abstract TrafficSplit splitOf(T object);

  /**
   * @param object the object as read (not modified)
   * @param target the split to write
   * @return a modified copy
   */
  abstract T withSplit(T object, TrafficSplit target);

  /**
   * @param object the object
   * @return the part of it that decides where traffic goes (compared to detect another writer)
   */
  abstract Object routingContent(T object);

  /**
   * @param before the object read at the start of a write
   * @param after the object read after the write conflicted
   * @return how its routing changed, for the drift message
   */
  String routingChange(T before, T after) {
    return "its routing changed";
  }

  /**
   * Why an environment cannot take traffic.
   *
   * @param message what is wrong and what to do
   * @param mayBecomeReady true when it exists but has no ready endpoint yet (a plan may wait within its
   *     gate grace); false when something is missing (waiting does not help)
   */
  record NotReady(String message, boolean mayBecomeReady) {
  }

  /**
   * @param object the object as read
   * @param target the split a write would put in place
   * @return the fields the write sets, e.g. {@code "spec.selector version=green"}
   */
  abstract String describeChange(T object, TrafficSplit target);

  /**
   * @param object the object as read
   * @return what a write keeps as it is
   */
  abstract String describeKept(T object);

  /**
   * @param object the object as read
   * @param environment an environment about to receive (more) traffic
   * @return why it cannot take traffic, or empty if it has at least one ready endpoint
   */
  abstract Optional<NotReady> notReady(T object, Environment environment);

  /**
   * @param object the object as read
   * @param target the split the plan ends at
   * @param report where to add notices
   */
  void addNotices(T object, TrafficSplit target, PreflightReport.Builder report) {
  }

  /**
   * @param object the object read back
   * @param expected the split expected
   * @return PENDING with a reason when the object holds the split but its controller has not taken it yet
   */
  Optional<String> pendingReason(T object, TrafficSplit expected) {
    return Optional.empty();
  }

  // ------------------------------------------------------------------------- Router

  @Override
  public final String routeId() {
    return routeId;
  }

  @Override
  public final List<Environment> environments() {
    return environments;
  }

  @Override
  public final RouterCapabilities capabilities() {
    return capabilities;
  }

  @Override
  public final TrafficSplit current() {
    return splitOf(readRequired());
  }

  @Override
  public final void apply(TrafficSplit target) {
    validate(target);
    TrafficSplit wanted = target.orderedAs(environments);
    T read = readRequired();
    TrafficSplit now = splitOf(read);
    if (now.equals(wanted)) {
      log.debug("{} already holds {}: nothing to write", object(), wanted);
      return;
    }
    refuseEnvironmentsWithoutReadyEndpoints(read, now, wanted);
    writeOver(read, now, wanted, null);
  }

  /** One read: the object, then what a write of {@code target} would set on it and keep. */
  @Override
  public final Optional<WriteDescription> describeWrite(TrafficSplit target) {
    validate(target);
    T object = readRequired();
    TrafficSplit wanted = target.orderedAs(environments);
    return Optional.of(WriteDescription.of("update " + object() + " (guarded by resourceVersion " + rv(object) + "): "
        + describeChange(object, wanted), describeKept(object)));
  }

  /**
   * One update of the object as this router last read or wrote it, carrying that resourceVersion:
   * no read first (unless this router's last sight of the object does not hold {@code expected}),
   * no read back — the object in the update's response is the verification (PENDING while an
   * HTTPRoute's controller has not observed the new generation). A 409 is re-read once: the routing
   * content unchanged (someone edited another field) → the update is made again on the fresh
   * version; the target already there → nothing to write; anything else → {@link
   * DriftDetectedException} (or {@link UnmappedRouteStateException}), nothing written over it. A
   * forward stage first checks that every environment gaining weight has a ready endpoint (one list
   * per environment); a rollback does not (it returns to the split the plan found serving).
   */
  @Override
  public final WriteResult applyIfUnchanged(TrafficSplit expected, TrafficSplit target, WritePurpose purpose) {
    validate(target);
    TrafficSplit wanted = target.orderedAs(environments);
    T base = lastSeen.get();
    if (base == null || !holds(base, expected)) {
      base = readRequired(); // this router's last sight of the object is not what the caller expects: look again
    }
    TrafficSplit now = splitOf(base);
    if (now.equals(wanted)) {
      log.debug("{} already holds {}: nothing to write", object(), wanted);
      return WriteResult.alreadyInPlace(verificationOf(base, wanted));
    }
    if (!now.equals(expected)) {
      log.warn("{} holds {}, not {}: another writer changed it; not writing {}", object(), now, expected, wanted);
      throw new DriftDetectedException(expected, now, object());
    }
    if (purpose != WritePurpose.ROLLBACK) {
      refuseEnvironmentsWithoutReadyEndpoints(base, now, wanted);
    }
    T stored = writeOver(base, now, wanted, purpose);
    return stored == null ? WriteResult.alreadyInPlace(verificationOf(lastSeen.get(), wanted))
        : WriteResult.written(verificationOf(stored, wanted));
  }

  /**
   * The guarded update of {@code base} to {@code wanted}; on a 409 one re-read: the routing content
   * unchanged → the update again on the fresh version; {@code wanted} already there → nothing more;
   * anything else → drift.
   *
   * @return the object as the update stored it, or null when the re-read found {@code wanted} in place (it is then {@link #lastSeen})
   */
  private T writeOver(T base, TrafficSplit now, TrafficSplit wanted, WritePurpose purpose) {
    try {
      T stored = guardedUpdate(withSplit(base, wanted));
      logWrite(base, stored, now, wanted, purpose);
      return stored;
    } catch (ConflictException conflict) {
      T fresh = readRequired();
      if (Objects.equals(routingContent(fresh), routingContent(base))) {
        log.info("{} changed (resourceVersion {} -> {}) but not its routing: writing {} again on the fresh version",
            object(), rv(base), rv(fresh), wanted);
        try {
          T stored = guardedUpdate(withSplit(fresh, wanted));
          logWrite(fresh, stored, now, wanted, purpose);
          return stored;
        } catch (ConflictException again) {
          throw RouterException.transientFailure(object() + " changed again while writing " + wanted
              + " (HTTP 409 twice): another client keeps updating it; retry later", KubeCalls.redacted(client, again.getCause()));
        }
      }
      if (Objects.equals(routingContent(fresh), routingContent(withSplit(base, wanted)))) {
        log.info("{} already holds {} (resourceVersion {}): an earlier write landed", object(), wanted, rv(fresh));
        return null;
      }
      throw drift(now, base, fresh);
    }
  }

  /** @return whether {@code object} holds {@code split} (false for a state no environment maps to) */
  private boolean holds(T object, TrafficSplit split) {
    try {
      return splitOf(object).equals(split);
    } catch (RouterException unmappedOrUnreadable) {
      return false;
    }
  }

  private void refuseEnvironmentsWithoutReadyEndpoints(T object, TrafficSplit now, TrafficSplit wanted) {
    for (Environment e : environments) {
      if (wanted.weightOf(e) > now.weightOf(e)) {
        Optional<NotReady> problem = notReady(object, e);
        if (problem.isPresent()) {
          throw RouterException.permanentFailure("refusing to write " + wanted + " to " + object() + ": " + problem.get().message(), null);
        }
      }
    }
  }

  /** @return what {@code object} says: VERIFIED when it holds {@code expected} and nothing is pending, else PENDING or a mismatch */
  private Verification verificationOf(T object, TrafficSplit expected) {
    TrafficSplit observed = splitOf(object);
    Verification v = Verification.compare(expected, observed);
    if (v.isVerified()) {
      Optional<String> pending = pendingReason(object, expected);
      if (pending.isPresent()) {
        return Verification.pending(pending.get(), observed);
      }
    }
    return v;
  }

  @Override
  public final Verification verify(TrafficSplit expected) {
    return verificationOf(readRequired(), expected);
  }

  @Override
  public final PreflightReport preflight(TrafficSplit target) {
    validate(target);
    T object = read();
    remember(object);
    if (object == null) {
      throw new PreflightException(object() + " not found: create it or fix the name (namespace " + namespace + ", name " + name
          + "); nothing was written");
    }
    TrafficSplit now = splitOf(object);
    Optional<String> forbidden = AccessReview.denied(client, updateOp(), namespace, name, log);
    if (forbidden.isPresent()) {
      throw new PreflightException("cannot switch " + object() + ": " + forbidden.get() + "; nothing was written");
    }
    for (Environment e : target.receiving()) {
      Optional<NotReady> problem = notReady(object, e);
      if (problem.isPresent()) {
        String message = problem.get().message() + "; nothing was written";
        throw problem.get().mayBecomeReady() ? PreflightException.notReady(message) : new PreflightException(message);
      }
    }
    try {
      withSplit(object, target.orderedAs(environments)); // the write must be expressible: a port is known, there is room, ...
    } catch (RouterException cannot) {
      throw new PreflightException(cannot.getMessage() + "; nothing was written");
    }
    PreflightReport.Builder report = PreflightReport.builder();
    addNotices(object, target, report);
    log.debug("preflight of {} for {} passed (now {})", object(), target, now);
    return report.build();
  }

  // ------------------------------------------------------------------------- helpers

  /** @return e.g. "Service default/app-service" */
  final String object() {
    return kind() + " " + namespace + "/" + name;
  }

  final T readRequired() {
    T object = read();
    remember(object);
    if (object == null) {
      throw RouterException.permanentFailure(object() + " not found: create it or fix the name (namespace " + namespace
          + ", name " + name + ")", null);
    }
    return object;
  }

  /** Keeps {@code object} (as read or as stored by an update) as the base of the next guarded write; null forgets. */
  private void remember(T object) {
    lastSeen.set(object);
  }

  final T copy(T object) {
    return client.getKubernetesSerialization().clone(object);
  }

  private T guardedUpdate(T desired) throws ConflictException {
    if (rv(desired) == null) {
      // fabric8 would fetch the latest version and overwrite it: never write without the version read
      throw RouterException.permanentFailure(object() + " was read without a resourceVersion; refusing an unguarded write", null);
    }
    try {
      T stored = update(desired);
      remember(stored);
      return stored;
    } catch (KubernetesClientException e) {
      if (KubeCalls.isConflict(e)) {
        throw new ConflictException(e);
      }
      throw KubeCalls.translate(client, e, updateOp(), object());
    }
  }

  private DriftDetectedException drift(TrafficSplit expected, T read, T fresh) {
    String what = object() + " (" + routingChange(read, fresh) + " between the read at resourceVersion " + rv(read)
        + " and the write; now at resourceVersion " + rv(fresh) + ")";
    TrafficSplit actual;
    try {
      actual = splitOf(fresh);
    } catch (UnmappedRouteStateException unmapped) {
      return new DriftDetectedException(expected, unmapped.found(), what);
    } catch (RouterException unreadable) {
      return new DriftDetectedException(expected, unreadable.getMessage(), what);
    }
    log.warn("{} was changed by someone else while switching to a new split: stopping", what);
    return new DriftDetectedException(expected, actual, what);
  }

  private void logWrite(T before, T after, TrafficSplit from, TrafficSplit to, WritePurpose purpose) {
    log.info("{}: {} -> {}{} (resourceVersion {} -> {})", object(), from, to, purpose == WritePurpose.ROLLBACK ? " (rollback)" : "",
        rv(before), after == null ? "?" : rv(after));
  }

  static String rv(HasMetadata object) {
    return object.getMetadata() == null ? null : object.getMetadata().getResourceVersion();
  }

  /** A 409 on the guarded update. */
  static final class ConflictException extends Exception {
    private static final long serialVersionUID = 1L;

    ConflictException(KubernetesClientException cause) {
      super("HTTP 409", cause, false, false);
    }
  }

}
