package io.bluegreen.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * The extension point that moves traffic on one route: a Service, an Ingress, an HTTPRoute, an ALB
 * listener, a set of weighted DNS records, or your own load balancer. The {@link SwitchPlan} engine
 * does the sequencing, gating, retrying, locking and rollback; a router only reads and writes.
 *
 * <h2>The contract (checked by {@code RouterContractTest} in bluegreen-testkit)</h2>
 * <ul>
 *   <li>{@link #current()} reads the backend's real state every time; no caching.</li>
 *   <li>{@link #apply(TrafficSplit)} makes at most one backend write (a fleet router: as few as the
 *       backend's per-request limits allow), changes nothing but the weights, and writes nothing
 *       when the split is already in place.</li>
 *   <li>{@link #validate(TrafficSplit)} rejects what the backend cannot express (unknown
 *       environments, weighted splits on an atomic-only router) without any backend call; {@code
 *       apply} calls it first.</li>
 *   <li>{@link #verify(TrafficSplit)} reads back and says VERIFIED only when the backend serves the split.</li>
 *   <li>{@link #preflight(TrafficSplit)} is read-only and throws {@link PreflightException} when a
 *       resource is missing or the target has no ready backends.</li>
 *   <li>Failures are thrown as {@link RouterException} marked transient or permanent; a client's
 *       exception is wrapped through {@link Redaction#exception(Throwable, java.util.Collection)} and
 *       messages print URIs and backend text through {@link Redaction}, so no secret leaves.</li>
 *   <li>A router whose {@link RouterCapabilities#writeGuard()} is not {@link WriteGuard#ENGINE}
 *       writes through its own {@link #applyIfUnchanged(TrafficSplit, TrafficSplit, WritePurpose)},
 *       which answers with the state it wrote and reports a refused guard as drift.</li>
 * </ul>
 *
 * <pre>{@code
 * public final class MyProxyRouter implements Router {
 *   public String routeId() { return "my-proxy/checkout"; }
 *   public List<Environment> environments() { return List.of(BLUE, GREEN); }
 *   public RouterCapabilities capabilities() { return RouterCapabilities.weighted(); }
 *   public TrafficSplit current() { return TrafficSplit.parse(admin.get("/weights")); }
 *   public void apply(TrafficSplit target) {
 *     validate(target);
 *     if (!target.equals(current())) admin.put("/weights", target.toString());
 *   }
 *   public Verification verify(TrafficSplit expected) {
 *     return Verification.compare(expected, current());
 *   }
 * }
 * }</pre>
 */
public interface Router {

  /**
   * A stable identifier of the route this router controls, such as {@code
   * "k8s/service/default/app-service"}. It names the route in events and logs and is the key of
   * the route lock, so two routers for the same backend object must return the same id.
   *
   * @return the route id
   */
  String routeId();

  /**
   * The environments this router can send traffic to, in display order. Configuration only: no
   * backend call.
   *
   * @return the environments
   */
  List<Environment> environments();

  /**
   * What the backend can express. Configuration only: no backend call.
   *
   * @return the capabilities
   */
  RouterCapabilities capabilities();

  /**
   * Reads the split the backend holds now.
   *
   * @return the current split over {@link #environments()}
   * @throws RouterException if the read fails
   */
  TrafficSplit current();

  /**
   * Writes {@code target}: at most one backend write, nothing else changed, nothing written when
   * the target is already in place. Idempotent. (A router managing a fleet of objects may need
   * several requests when one would exceed the backend's per-request limits; it must then still
   * make as few as those limits allow, and say so in its documentation.)
   *
   * @param target the split to put in place
   * @throws InvalidConfigurationException if {@link #validate(TrafficSplit)} rejects the split (no backend call made)
   * @throws RouterException if the write fails
   * @throws DriftDetectedException if the router notices a concurrent writer
   */
  void apply(TrafficSplit target);

  /**
   * Writes {@code target} only if the route still holds {@code expected}, and says what the backend
   * holds afterwards. The engine calls it instead of {@code current()}, {@code apply()} and {@code
   * verify()} when {@link RouterCapabilities#writeGuard()} is not {@link WriteGuard#ENGINE}:
   * <ul>
   *   <li>the route holds {@code target} already: nothing is written ({@link WriteResult#alreadyInPlace});</li>
   *   <li>it holds {@code expected}: one write of {@code target}, and the state the backend holds after
   *       it, from the write's response where the backend answers with it ({@link WriteResult#written});</li>
   *   <li>anything else — another split, or a state no environment maps to — is another writer's:
   *       nothing is written over it, and the call throws {@link DriftDetectedException} (or {@link
   *       UnmappedRouteStateException}) saying what was found. A guard the backend refused is drift,
   *       not a failed write.</li>
   * </ul>
   *
   * <p>The default does it the long way, for routers without a write path of their own (and for
   * wrappers that do not forward this method): {@code current()}, a comparison, {@code apply()} and
   * {@code verify()}. A router that claims {@link WriteGuard#CONDITIONAL} makes one request here: a
   * write the backend refuses when the route changed since the router last read or wrote it.
   *
   * <pre>{@code
   * public WriteResult applyIfUnchanged(TrafficSplit expected, TrafficSplit target, WritePurpose purpose) {
   *   validate(target);
   *   Stored stored = admin.putIfVersion(lastVersion, target.toString());   // refused: 412
   *   if (stored.refused()) {
   *     throw new DriftDetectedException(expected, TrafficSplit.parse(admin.get("/weights")), routeId());
   *   }
   *   lastVersion = stored.version();
   *   return WriteResult.written(Verification.compare(target, TrafficSplit.parse(stored.weights())));
   * }
   * }</pre>
   *
   * @param expected the split the caller last wrote or found on the route
   * @param target the split to put in place
   * @param purpose a forward stage or a rollback
   * @return whether it wrote, and what the backend holds now
   * @throws InvalidConfigurationException if {@link #validate(TrafficSplit)} rejects the target (no backend call made)
   * @throws DriftDetectedException if the route holds neither {@code expected} nor {@code target}
   * @throws UnmappedRouteStateException if the route holds a state no environment maps to
   * @throws RouterException if the write fails
   */
  default WriteResult applyIfUnchanged(TrafficSplit expected, TrafficSplit target, WritePurpose purpose) {
    validate(target);
    Checks.notNull(expected, "expected");
    TrafficSplit now = current();
    if (now.equals(target)) {
      return WriteResult.alreadyInPlace(verify(target));
    }
    if (!now.equals(expected)) {
      throw new DriftDetectedException(expected, now, routeId());
    }
    apply(target);
    return WriteResult.written(verify(target));
  }

  /**
   * Reads back and tells whether the backend serves {@code expected}.
   *
   * @param expected the split last applied
   * @return VERIFIED, PENDING (not yet; ask again) or UNSUPPORTED (cannot tell; the engine then
   *     compares {@link #current()} with {@code expected})
   * @throws RouterException if the read fails
   */
  Verification verify(TrafficSplit expected);

  /**
   * Read-only checks before the first write: every resource exists, and every environment that
   * {@code target} sends traffic to has ready/healthy backends.
   *
   * @param target the split the plan ends at
   * @return notices (warnings) and the client convergence time
   * @throws PreflightException if switching would be unsafe; the message says what to fix
   */
  default PreflightReport preflight(TrafficSplit target) {
    validate(target);
    return PreflightReport.ok();
  }

  /**
   * Describes, without writing, what {@link #apply(TrafficSplit)} would change to put {@code target}
   * in place and what it would keep: the objects it touches (a Service, target group weights of a
   * listener, record names) and the parts left as they are. {@link SwitchPlan#dryRun()} shows it for
   * every planned write. At most one read, never a write. The default describes nothing, so routers
   * written before this method existed keep working.
   *
   * <pre>{@code
   * public Optional<WriteDescription> describeWrite(TrafficSplit target) {
   *   return Optional.of(WriteDescription.of("PUT /weights on " + admin.host() + ": " + target, "every other proxy setting"));
   * }
   * }</pre>
   *
   * @param target the split a write would put in place
   * @return what the write touches and keeps, or empty if the router does not say
   * @throws RouterException if the one read fails
   */
  default Optional<WriteDescription> describeWrite(TrafficSplit target) {
    return Optional.empty();
  }

  /**
   * Rejects splits this router cannot express, without any backend call: environments it does not
   * know, weighted splits on an atomic-only router, weights off its granularity, too many
   * environments.
   *
   * @param split a split
   * @throws InvalidConfigurationException if the split cannot be applied by this router
   */
  default void validate(TrafficSplit split) {
    capabilities().check(routeId(), environments(), split);
  }

  /**
   * Whether a failure is worth retrying. The default trusts {@link RouterException#isTransient()}
   * and treats I/O errors and timeouts anywhere in the cause chain as transient.
   *
   * @param failure what {@link #current()}, {@link #apply} or {@link #verify} threw
   * @return true to retry with backoff
   */
  default boolean isTransient(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof RouterException re) {
        return re.isTransient();
      }
      if (t instanceof IOException || t instanceof UncheckedIOException || t instanceof TimeoutException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
