package io.bluegreen.testkit;

import io.bluegreen.core.DriftDetectedException;
import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.PreflightException;
import io.bluegreen.core.PreflightReport;
import io.bluegreen.core.Router;
import io.bluegreen.core.RouterCapabilities;
import io.bluegreen.core.RouterException;
import io.bluegreen.core.Sleeper;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.UnmappedRouteStateException;
import io.bluegreen.core.Verification;
import io.bluegreen.core.WriteGuard;
import io.bluegreen.core.WritePurpose;
import io.bluegreen.core.WriteResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A {@link Router} whose "backend" is a field: for tests of plans, gates and listeners, for demos,
 * and as the reference implementation of the {@link RouterContractTest}. Thread-safe.
 *
 * <p>It counts every backend call, logs every write, and injects failures on demand: failing reads,
 * failing writes (optionally after the write landed, like a timeout after commit), verifications
 * that stay PENDING, a failing preflight or a target not ready yet, a concurrent writer (to another
 * split or to a state no environment maps to), and latency. With {@link Builder#writeGuard(WriteGuard)}
 * it also stands for a backend with a write path of its own: {@link WriteGuard#CONDITIONAL} (one
 * request per write, refused when the route changed, like a Kubernetes update carrying a
 * resourceVersion) or {@link WriteGuard#READ_THEN_WRITE} (a read, then the write, like ELBv2).
 *
 * <pre>{@code
 * InMemoryRouter router = InMemoryRouter.builder().environments(blue, green).build(); // blue=100 green=0
 * router.failNextWrites(1, () -> RouterException.transientFailure("503 from backend", null));
 * SwitchResult r = plan(router).execute();     // retried, then completes
 * router.writes();                             // [blue=90 green=10, blue=90 green=10, ...]
 * }</pre>
 */
public final class InMemoryRouter implements Router {

  private enum Call { READ, WRITE, VERIFY, PREFLIGHT }

  private static final class Fault {
    final Call call;
    final Predicate<TrafficSplit> when;
    final AtomicInteger remaining;
    final Supplier<? extends RuntimeException> failure;
    final boolean landFirst;

    Fault(Call call, Predicate<TrafficSplit> when, int times, Supplier<? extends RuntimeException> failure, boolean landFirst) {
      this.call = call;
      this.when = when;
      this.remaining = new AtomicInteger(times);
      this.failure = failure;
      this.landFirst = landFirst;
    }
  }

  private final String routeId;
  private final List<Environment> environments;
  private final RouterCapabilities capabilities;
  private final Duration latency;
  private final Sleeper latencySleeper;

  private final Object lock = new Object();
  private TrafficSplit split;
  private String unmappedState;
  private final List<TrafficSplit> writes = new ArrayList<>();
  private final List<Fault> faults = new ArrayList<>();
  private int reads;
  private int verifies;
  private int requests;
  private int pendingVerifies;
  private int pendingAfterWrite;
  private int guardRefusals;
  private String preflightFailure;
  private String notReadyMessage;
  private int notReadyPreflights;
  private final List<String> notices = new ArrayList<>();
  private Duration clientConvergence = Duration.ZERO;

  private InMemoryRouter(Builder b) {
    this.routeId = b.routeId;
    this.environments = List.copyOf(b.environments);
    this.capabilities = b.capabilities;
    this.latency = b.latency;
    this.latencySleeper = b.latencySleeper;
    this.split = b.initial != null ? b.initial : TrafficSplit.allTo(environments.get(0), environments.subList(1, environments.size()).toArray(new Environment[0])).orderedAs(environments);
    validate(split);
  }

  /** @return a builder (defaults: route "memory/route", weighted, no latency) */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String routeId() {
    return routeId;
  }

  @Override
  public List<Environment> environments() {
    return environments;
  }

  @Override
  public RouterCapabilities capabilities() {
    return capabilities;
  }

  @Override
  public TrafficSplit current() {
    backendCall(Call.READ, null);
    synchronized (lock) {
      reads++;
      return mappedSplit();
    }
  }

  /** @return the split in place; throws when another writer left a state no environment maps to */
  private TrafficSplit mappedSplit() {
    if (unmappedState != null) {
      throw new UnmappedRouteStateException(routeId, unmappedState, "map it to an environment or put the route back by hand");
    }
    return split;
  }

  @Override
  public void apply(TrafficSplit target) {
    validate(target);
    TrafficSplit ordered = target.orderedAs(environments);
    Fault fault = takeFault(Call.WRITE, ordered);
    pause();
    synchronized (lock) {
      requests++;
      if (fault != null && !fault.landFirst) {
        throw fault.failure.get();
      }
      mappedSplit(); // a real router reads before it writes, and finds the unmapped state
      if (!split.equals(ordered)) {
        split = ordered;
        writes.add(ordered);
        pendingVerifies = pendingAfterWrite;
      }
      if (fault != null) {
        throw fault.failure.get();
      }
    }
  }

  /**
   * The backend's own guarded write, when built with {@link Builder#writeGuard(WriteGuard)}: {@link
   * WriteGuard#CONDITIONAL} is one request that writes only if the route holds {@code expected} (or
   * finds {@code target} in place) and answers with the stored split; {@link
   * WriteGuard#READ_THEN_WRITE} reads first (one request), then writes (another). Write faults and
   * {@link #verifyPendingAfterEachWrite(int)} apply; a refused guard is a {@link
   * DriftDetectedException} (counted by {@link #guardRefusals()}), never a write.
   */
  @Override
  public WriteResult applyIfUnchanged(TrafficSplit expected, TrafficSplit target, WritePurpose purpose) {
    WriteGuard guard = capabilities.writeGuard();
    if (guard == WriteGuard.ENGINE) {
      return Router.super.applyIfUnchanged(expected, target, purpose);
    }
    validate(target);
    Objects.requireNonNull(expected, "expected");
    TrafficSplit ordered = target.orderedAs(environments);
    if (guard == WriteGuard.READ_THEN_WRITE) {
      backendCall(Call.READ, null);
      synchronized (lock) {
        reads++;
        TrafficSplit now = mappedSplit();
        if (now.equals(ordered)) {
          return WriteResult.alreadyInPlace(Verification.verified(now));
        }
        if (!now.equals(expected)) {
          guardRefusals++;
          throw new DriftDetectedException(expected, now, routeId);
        }
      }
    }
    Fault fault = takeFault(Call.WRITE, ordered);
    pause();
    synchronized (lock) {
      requests++;
      if (fault != null && !fault.landFirst) {
        throw fault.failure.get();
      }
      TrafficSplit now = mappedSplit();
      boolean inPlace = now.equals(ordered);
      if (!inPlace && guard == WriteGuard.CONDITIONAL && !now.equals(expected)) {
        guardRefusals++;
        throw new DriftDetectedException(expected, now, routeId);
      }
      if (!inPlace) {
        split = ordered;
        writes.add(ordered);
        pendingVerifies = pendingAfterWrite;
      }
      if (fault != null) {
        throw fault.failure.get();
      }
      Verification v = pendingVerifies > 0 && !inPlace
          ? Verification.pending("in-memory change still propagating (" + pendingVerifies + " more polls)", ordered)
          : Verification.verified(ordered);
      return inPlace ? WriteResult.alreadyInPlace(v) : WriteResult.written(v);
    }
  }

  @Override
  public Verification verify(TrafficSplit expected) {
    backendCall(Call.VERIFY, expected);
    synchronized (lock) {
      verifies++;
      if (pendingVerifies > 0) {
        pendingVerifies--;
        return Verification.pending("in-memory change still propagating (" + (pendingVerifies + 1) + " more polls)");
      }
      return Verification.compare(expected, mappedSplit());
    }
  }

  @Override
  public PreflightReport preflight(TrafficSplit target) {
    validate(target);
    backendCall(Call.PREFLIGHT, target);
    synchronized (lock) {
      if (preflightFailure != null) {
        throw new PreflightException(preflightFailure);
      }
      if (notReadyPreflights > 0) {
        notReadyPreflights--;
        throw PreflightException.notReady(notReadyMessage);
      }
      PreflightReport.Builder b = PreflightReport.builder().clientConvergence(clientConvergence);
      notices.forEach(b::notice);
      return b.build();
    }
  }

  private void backendCall(Call call, TrafficSplit arg) {
    Fault fault = takeFault(call, arg);
    pause();
    synchronized (lock) {
      requests++;
    }
    if (fault != null) {
      throw fault.failure.get();
    }
  }

  private Fault takeFault(Call call, TrafficSplit arg) {
    synchronized (lock) {
      for (Fault f : faults) {
        if (f.call == call && f.remaining.get() > 0 && (arg == null || f.when.test(arg))) {
          f.remaining.decrementAndGet();
          return f;
        }
      }
      return null;
    }
  }

  private void pause() {
    if (latency.isZero()) {
      return;
    }
    try {
      latencySleeper.sleep(latency);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw RouterException.transientFailure("interrupted during simulated latency", e);
    }
  }

  // ------------------------------------------------------------------ fault injection

  /**
   * @param times how many reads fail
   * @param failure what they throw
   * @return this router
   */
  public InMemoryRouter failNextReads(int times, Supplier<? extends RuntimeException> failure) {
    return addFault(new Fault(Call.READ, s -> true, times, failure, false));
  }

  /**
   * @param times how many writes fail (without landing)
   * @param failure what they throw
   * @return this router
   */
  public InMemoryRouter failNextWrites(int times, Supplier<? extends RuntimeException> failure) {
    return addFault(new Fault(Call.WRITE, s -> true, times, failure, false));
  }

  /**
   * @param target writes of this split fail (without landing)
   * @param times how many times
   * @param failure what they throw
   * @return this router
   */
  public InMemoryRouter failWritesOf(TrafficSplit target, int times, Supplier<? extends RuntimeException> failure) {
    return addFault(new Fault(Call.WRITE, target::equals, times, failure, false));
  }

  /**
   * Writes land, then throw: the caller cannot tell whether its write happened (a timeout after commit).
   *
   * @param times how many writes
   * @param failure what they throw
   * @return this router
   */
  public InMemoryRouter failNextWritesAfterLanding(int times, Supplier<? extends RuntimeException> failure) {
    return addFault(new Fault(Call.WRITE, s -> true, times, failure, true));
  }

  /**
   * @param times how many verifications fail
   * @param failure what they throw
   * @return this router
   */
  public InMemoryRouter failNextVerifies(int times, Supplier<? extends RuntimeException> failure) {
    return addFault(new Fault(Call.VERIFY, s -> true, times, failure, false));
  }

  private InMemoryRouter addFault(Fault f) {
    Objects.requireNonNull(f.failure, "failure");
    synchronized (lock) {
      faults.add(f);
    }
    return this;
  }

  /**
   * @param polls after each write, verify answers PENDING this many times before comparing
   * @return this router
   */
  public InMemoryRouter verifyPendingAfterEachWrite(int polls) {
    synchronized (lock) {
      pendingAfterWrite = polls;
    }
    return this;
  }

  /**
   * @param message preflight throws a PreflightException with this message (null to stop)
   * @return this router
   */
  public InMemoryRouter failPreflight(String message) {
    synchronized (lock) {
      preflightFailure = message;
    }
    return this;
  }

  /**
   * The target is not ready yet: the next {@code preflights} preflights throw {@link
   * PreflightException#notReady(String)}, then it is ready.
   *
   * @param preflights how many preflights find it not ready
   * @param message what is not ready
   * @return this router
   */
  public InMemoryRouter notReadyFor(int preflights, String message) {
    synchronized (lock) {
      notReadyPreflights = preflights;
      notReadyMessage = Objects.requireNonNull(message, "message");
    }
    return this;
  }

  /**
   * @param notice a preflight notice to report
   * @return this router
   */
  public InMemoryRouter addNotice(String notice) {
    synchronized (lock) {
      notices.add(notice);
    }
    return this;
  }

  /**
   * @param duration the client convergence time preflight reports
   * @return this router
   */
  public InMemoryRouter clientConvergence(Duration duration) {
    synchronized (lock) {
      clientConvergence = duration;
    }
    return this;
  }

  /**
   * Another writer changes the route (not counted as a write of this router's user).
   *
   * @param newSplit the split they put in place
   */
  public void changeExternally(TrafficSplit newSplit) {
    validate(newSplit);
    synchronized (lock) {
      split = newSplit.orderedAs(environments);
      unmappedState = null;
    }
  }

  /**
   * Another writer puts the route in a state no environment maps to: {@link #current()}, {@link
   * #verify(TrafficSplit)} and {@link #apply(TrafficSplit)} throw {@link
   * UnmappedRouteStateException} naming {@code state} until {@link #changeExternally(TrafficSplit)}.
   *
   * @param state the state in the backend's terms, e.g. {@code "backend red=100"}
   */
  public void changeExternallyToUnmapped(String state) {
    synchronized (lock) {
      unmappedState = Objects.requireNonNull(state, "state");
    }
  }

  // ------------------------------------------------------------------ observation

  /** @return the split in place (the last mapped one if the route holds an unmapped state), without counting a read */
  public TrafficSplit peek() {
    synchronized (lock) {
      return split;
    }
  }

  /** @return the unmapped state another writer left, if any, without counting a read */
  public java.util.Optional<String> peekUnmapped() {
    synchronized (lock) {
      return java.util.Optional.ofNullable(unmappedState);
    }
  }

  /** @return every split written, in order (writes of the split already in place are not listed) */
  public List<TrafficSplit> writes() {
    synchronized (lock) {
      return List.copyOf(writes);
    }
  }

  /** @return number of writes that changed the split */
  public int writeCount() {
    synchronized (lock) {
      return writes.size();
    }
  }

  /** @return number of successful reads */
  public int readCount() {
    synchronized (lock) {
      return reads;
    }
  }

  /** @return number of successful verifications */
  public int verifyCount() {
    synchronized (lock) {
      return verifies;
    }
  }

  /** @return guarded writes refused because the route held neither the expected split nor the target */
  public int guardRefusals() {
    synchronized (lock) {
      return guardRefusals;
    }
  }

  /** @return every backend call, failed ones included */
  public int requestCount() {
    synchronized (lock) {
      return requests;
    }
  }

  @Override
  public String toString() {
    return "InMemoryRouter[" + routeId + ": " + peek() + "]";
  }

  /**
   * Builds an {@link InMemoryRouter}.
   *
   * <pre>{@code
   * InMemoryRouter r = InMemoryRouter.builder()
   *     .routeId("memory/checkout").environments(blue, green)
   *     .initial(TrafficSplit.of(blue, 70, green, 30))
   *     .latency(Duration.ofMillis(20), Sleeper.system())
   *     .build();
   * }</pre>
   */
  public static final class Builder {
    private String routeId = "memory/route";
    private List<Environment> environments = List.of(Environment.of("blue"), Environment.of("green"));
    private RouterCapabilities capabilities = RouterCapabilities.weighted();
    private TrafficSplit initial;
    private Duration latency = Duration.ZERO;
    private Sleeper latencySleeper = Sleeper.system();
    private WriteGuard writeGuard = WriteGuard.ENGINE;

    private Builder() {
    }

    /** @param id the route id @return this */
    public Builder routeId(String id) {
      this.routeId = Objects.requireNonNull(id, "routeId");
      return this;
    }

    /** @param envs the environments, first one gets all traffic by default @return this */
    public Builder environments(Environment... envs) {
      if (envs.length < 1) {
        throw new InvalidConfigurationException("give at least one environment");
      }
      this.environments = List.of(envs);
      return this;
    }

    /** @param caps capabilities (default weighted) @return this */
    public Builder capabilities(RouterCapabilities caps) {
      this.capabilities = Objects.requireNonNull(caps, "capabilities");
      this.writeGuard = caps.writeGuard();
      return this;
    }

    /** @return this, atomic-only */
    public Builder atomicOnly() {
      return capabilities(RouterCapabilities.atomicOnly());
    }

    /** @param split the split in place at start (default: all on the first environment) @return this */
    public Builder initial(TrafficSplit split) {
      this.initial = Objects.requireNonNull(split, "initial");
      return this;
    }

    /** @param perCall latency added to every backend call @param sleeper how to wait it @return this */
    public Builder latency(Duration perCall, Sleeper sleeper) {
      this.latency = Objects.requireNonNull(perCall, "latency");
      this.latencySleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /**
     * @param guard how writes are guarded (default {@link WriteGuard#ENGINE}: no write path of its
     *     own); {@link WriteGuard#CONDITIONAL} makes it a K8s-like backend whose guarded write is one
     *     request, {@link WriteGuard#READ_THEN_WRITE} an ELBv2-like one (read, then write)
     * @return this
     */
    public Builder writeGuard(WriteGuard guard) {
      this.writeGuard = Objects.requireNonNull(guard, "writeGuard");
      return this;
    }

    /** @return the router */
    public InMemoryRouter build() {
      if (capabilities.writeGuard() != writeGuard) {
        capabilities = capabilities.toBuilder().writeGuard(writeGuard).build();
      }
      return new InMemoryRouter(this);
    }
  }
}
