package io.bluegreen.core;

import io.bluegreen.core.drain.DrainWindow;
import io.bluegreen.core.event.Slf4jSwitchListener;
import io.bluegreen.core.event.SwitchListener;
import io.bluegreen.core.lock.InProcessRouteLock;
import io.bluegreen.core.lock.RouteLock;
import io.bluegreen.core.preview.PreviewRoute;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;

/**
 * A blue-green switch: which route, from which environment to which, in what stages, checked by
 * which gates. Built and validated once, then executed; immutable and reusable (re-running a plan
 * reads the real split and continues from it).
 *
 * <pre>{@code
 * SwitchPlan plan = SwitchPlan.builder()
 *     .router(router)                                            // e.g. new ServiceSelectorRouter(...)
 *     .from(blue).to(green)
 *     .schedule(StageSchedule.targetWeights(Duration.ofMinutes(5), 10, 25, 50, 100))
 *     .gate(HttpHealthGate.builder(URI.create("http://green.internal/health")).build())
 *     .build();                                                  // every bad input is rejected here
 *
 * SwitchResult result = plan.execute();                          // blocks; never throws for a failed switch
 * if (!result.isSuccess()) throw new IllegalStateException(result.summary());
 * }</pre>
 *
 * <h2>What execute() does</h2>
 * validate (in {@link Builder#build()}) → take the route lock → read the snapshot → read-only
 * preflight → pre-switch gates → for each stage: [approval] → read and check for drift → one write →
 * verify (bounded) → bake while polling gates, failing at the first UNHEALTHY → post-switch gates →
 * COMPLETED. On a gate failure, error, timeout, abort or interrupt after the first write, the snapshot
 * is restored (retried harder), verified and reported as ROLLED_BACK, or ROLLBACK_FAILED with the
 * split last read.
 */
public final class SwitchPlan {

  private static final Pattern NAME = Pattern.compile("[\\p{Graph}][\\p{Graph} ]{0,99}");

  private final String name;
  private final Router router;
  private final Environment from;
  private final Environment to;
  private final StageSchedule schedule;
  private final List<HealthGate> gates;
  private final List<HealthGate> preSwitchGates;
  private final List<HealthGate> postSwitchGates;
  private final Duration postSwitchBake;
  private final Duration gateInterval;
  private final Duration gateGrace;
  private final Duration verifyTimeout;
  private final Duration rollbackVerifyTimeout;
  private final Duration timeout;
  private final RetryPolicy retry;
  private final RetryPolicy rollbackRetry;
  private final RouteLock lock;
  private final String owner;
  private final boolean explicitOwner;
  private final List<SwitchListener> listeners;
  private final TimeSource time;
  private final boolean waitForClientConvergence;
  private final TrafficSplit rollbackTo;
  private final PreviewRoute preview;
  private final List<HealthGate> previewGates;
  private final List<DrainWindow> drainWindows;
  private final List<HealthGate> drainGates;
  private final Duration drainUntil;

  private SwitchPlan(Builder b) {
    this.router = Checks.notNull(b.router, "router");
    this.from = Checks.notNull(b.from, "from");
    this.to = Checks.notNull(b.to, "to");
    if (from.equals(to)) {
      throw new InvalidConfigurationException("from and to are both " + from.name() + ": a switch moves traffic between two different environments");
    }
    List<Environment> known = Checks.notNull(router.environments(), "router.environments()");
    for (Environment e : List.of(from, to)) {
      if (!known.contains(e)) {
        throw new InvalidConfigurationException("environment " + e.name() + " is not routed by " + router.routeId()
            + " (it knows " + known + "): map it in the router's configuration or switch between known environments");
      }
    }
    this.schedule = Checks.notNull(b.schedule, "schedule");
    RouterCapabilities caps = Checks.notNull(router.capabilities(), "router.capabilities()");
    if (!caps.isWeighted() && schedule.isWeighted()) {
      throw new InvalidConfigurationException("schedule " + schedule + " has intermediate stages but " + router.routeId()
          + " is atomic-only (it can only send all traffic to one environment): use StageSchedule.allAtOnce(), or a weighted"
          + " router for staged switching");
    }
    for (Stage s : schedule.stages()) {
      router.validate(TrafficSplit.between(from, to, s.targetWeight()));
    }
    this.name = b.name != null ? checkName(b.name) : from.name() + "->" + to.name();
    this.gates = copyGates(b.gates, "gate");
    this.preSwitchGates = copyGates(b.preSwitchGates, "preSwitchGate");
    this.postSwitchGates = copyGates(b.postSwitchGates, "postSwitchGate");
    this.postSwitchBake = Checks.nonNegative(b.postSwitchBake, "postSwitchBake");
    this.gateInterval = Checks.positive(b.gateInterval, "gateInterval");
    this.gateGrace = Checks.nonNegative(b.gateGrace, "gateGrace");
    this.verifyTimeout = Checks.positive(b.verifyTimeout, "verifyTimeout");
    this.rollbackVerifyTimeout = Checks.positive(b.rollbackVerifyTimeout, "rollbackVerifyTimeout");
    this.timeout = b.timeout == null ? null : Checks.positive(b.timeout, "timeout");
    this.retry = Checks.notNull(b.retry, "retry");
    this.rollbackRetry = Checks.notNull(b.rollbackRetry, "rollbackRetry");
    this.lock = Checks.notNull(b.lock, "lock");
    lock.validate(router.routeId());
    this.owner = b.owner != null ? Checks.notBlank(b.owner, "owner") : defaultOwner(name);
    this.explicitOwner = b.owner != null;
    List<SwitchListener> ls = new ArrayList<>();
    if (b.defaultLogging) {
      ls.add(new Slf4jSwitchListener());
    }
    for (SwitchListener l : b.listeners) {
      ls.add(Checks.notNull(l, "listener"));
    }
    this.listeners = List.copyOf(ls);
    this.time = timeSource(b);
    this.waitForClientConvergence = b.waitForClientConvergence;
    if (b.rollbackTo != null) {
      router.validate(b.rollbackTo);
    }
    this.rollbackTo = b.rollbackTo;
    this.preview = b.preview;
    this.previewGates = copyGates(b.previewGates, "previewGate");
    if (preview != null) {
      preview.validate(to);
    } else if (!previewGates.isEmpty()) {
      throw new InvalidConfigurationException(previewGates.size() + " previewGate(s) but no preview route: add .preview(...) (e.g."
          + " an HTTPRoute header rule or an ALB listener rule) or make them preSwitchGate(...)s");
    }
    for (DrainWindow w : b.drainWindows) {
      Checks.notNull(w, "drainWindow");
    }
    this.drainWindows = List.copyOf(b.drainWindows);
    this.drainGates = copyGates(b.drainGates, "drainGate");
    this.drainUntil = b.drainUntil == null ? null : Checks.positive(b.drainUntil, "drainUntil");
    if (drainUntil == null && !drainGates.isEmpty()) {
      throw new InvalidConfigurationException(drainGates.size() + " drainGate(s) but no drainUntil(...): the plan polls drain gates"
          + " only while it waits for the drain; add .drainUntil(Duration.ofMinutes(10)) (the longest it may wait)");
    }
  }

  /**
   * The one time source: {@code time(..)}, or a {@code clock(..)}/{@code sleeper(..)} pair that is
   * one object (or both the system defaults). Anything else could disagree with itself (a virtual
   * clock with a real sleeper spins; a real clock with a virtual sleeper never ends a bake).
   */
  @SuppressWarnings("deprecation")
  private static TimeSource timeSource(Builder b) {
    if (b.clockSet && b.clock == null) {
      throw new InvalidConfigurationException("clock is null: pass one object that tells time and sleeps with time(...)"
          + " (TimeSource.system(), or the testkit's VirtualClock in tests)");
    }
    if (b.sleeperSet && b.sleeper == null) {
      throw new InvalidConfigurationException("sleeper is null: pass one object that tells time and sleeps with time(...)"
          + " (TimeSource.system(), or the testkit's VirtualClock in tests)");
    }
    if (b.time != null) {
      if ((b.clockSet && b.clock != b.time) || (b.sleeperSet && b.sleeper != b.time)) {
        throw new InvalidConfigurationException("time(" + b.time + ") is set together with clock(...)/sleeper(...) naming"
            + " another object: a plan takes one time source; keep time(...) only");
      }
      return b.time;
    }
    if (b.clock == null && b.sleeper == null) {
      return TimeSource.system();
    }
    Clock clock = b.clock;
    Sleeper sleeper = b.sleeper;
    boolean systemClock = clock == null || SystemTimeSource.isSystemClock(clock);
    boolean systemSleeper = sleeper == null || sleeper == TimeSource.system();
    if (systemClock && systemSleeper) {
      return TimeSource.system();
    }
    if (clock == sleeper) {
      return clock instanceof TimeSource source ? source : new ClockAndSleeper(clock, sleeper);
    }
    String clockName = clock == null ? "the system clock" : clock.toString();
    String sleeperName = sleeper == null ? "real sleeping" : sleeper.toString();
    throw new InvalidConfigurationException("clock(" + clockName + ") and sleeper(" + sleeperName + ") are not the same object:"
        + " a clock that disagrees with the way the plan sleeps makes bakes spin or never end. Pass one object that tells"
        + " time and sleeps with time(...), e.g. time(virtualClock) in tests (the testkit's VirtualClock), or nothing for"
        + " real time");
  }

  private static String checkName(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new InvalidConfigurationException("plan name \"" + Checks.printable(name)
          + "\" is invalid: use 1-100 printable characters, not starting with a space");
    }
    return name;
  }

  private static List<HealthGate> copyGates(List<HealthGate> gates, String what) {
    for (HealthGate g : gates) {
      Checks.notNull(g, what);
    }
    return List.copyOf(gates);
  }

  private static String defaultOwner(String plan) {
    String jvm = ManagementFactory.getRuntimeMXBean().getName(); // pid@host
    return plan + "@" + jvm;
  }

  /** One object that is both a Clock and a Sleeper (but not a TimeSource), seen as a TimeSource. */
  private static final class ClockAndSleeper implements TimeSource {
    private final Clock clock;
    private final Sleeper sleeper;

    ClockAndSleeper(Clock clock, Sleeper sleeper) {
      this.clock = clock;
      this.sleeper = sleeper;
    }

    @Override
    public Instant instant() {
      return clock.instant();
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return clock.withZone(zone);
    }

    @Override
    public Clock clock() {
      return clock;
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
      sleeper.sleep(duration);
    }

    @Override
    public String toString() {
      return clock.toString();
    }
  }

  /** @return a builder */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs the plan on the calling thread until it ends. Never throws for a failed switch: the
   * outcome says what happened. Approval stages wait here; call {@link #start()} instead to get a
   * handle that can approve or abort.
   *
   * @return what happened and where traffic is
   */
  public SwitchResult execute() {
    return new PlanRunner(this, new ExecutionControl(false)).run();
  }

  /**
   * Starts the plan on a new daemon thread.
   *
   * @return a handle to approve, abort or wait
   */
  public SwitchExecution start() {
    return start(r -> {
      Thread t = new Thread(r, "bluegreen-" + name);
      t.setDaemon(true);
      t.start();
    });
  }

  /**
   * Starts the plan on {@code executor}. A plan holds the thread it runs on for its whole run,
   * bakes and backoffs included, so an executor runs as many plans at once as it has threads. To
   * run many plans at once on JDK 21 or later, give each plan a virtual thread (nothing in the
   * engine pins its carrier while it sleeps or waits for an approval):
   *
   * <pre>{@code
   * ExecutorService perPlan = Executors.newVirtualThreadPerTaskExecutor();   // JDK 21+
   * List<SwitchExecution> running = plans.stream().map(p -> p.start(perPlan)).toList();
   * for (SwitchExecution e : running) {
   *   log.info("{}", e.await().summary());
   * }
   * }</pre>
   *
   * On JDK 17, a fixed pool of {@code n} threads runs {@code n} plans at a time and queues the rest
   * (docs/PERFORMANCE.md, "A fleet through one executor").
   *
   * @param executor runs the plan
   * @return a handle to approve, abort or wait
   */
  public SwitchExecution start(Executor executor) {
    Checks.notNull(executor, "executor");
    ExecutionControl control = new ExecutionControl(true);
    CompletableFuture<SwitchResult> future = new CompletableFuture<>();
    SwitchExecution execution = new SwitchExecution(this, control, future);
    executor.execute(() -> {
      try {
        future.complete(new PlanRunner(this, control).run());
      } catch (Throwable t) {
        future.completeExceptionally(t);
      }
    });
    return execution;
  }

  /**
   * Reads the split in place, runs the router's read-only preflight, and describes every write a
   * real run would make: the splits, and what each write touches and keeps when the router describes
   * its writes ({@link Router#describeWrite(TrafficSplit)}). Writes nothing, takes no lock, runs no
   * gate.
   *
   * <pre>{@code
   * try {
   *   log.info(plan.dryRun().describe());
   * } catch (PreflightException e) {
   *   log.error("would not switch: {}", e.getMessage());   // missing resource, nothing ready, traffic elsewhere
   * }
   * }</pre>
   *
   * @return the description
   * @throws PreflightException for every router alike, if switching would be unsafe or something is
   *     missing: the preflight failed, a read failed permanently (a missing Service, listener, target
   *     group or record, denied access), or traffic goes to an environment outside the plan
   * @throws RouterException if the backend could not be reached (a transient failure, after the plan's retries)
   */
  public DryRunReport dryRun() {
    return new PlanRunner(this, new ExecutionControl(false)).dryRun();
  }

  /** @return the name used in events and logs */
  public String name() {
    return name;
  }

  /** @return the router */
  public Router router() {
    return router;
  }

  /** @return the environment traffic leaves */
  public Environment from() {
    return from;
  }

  /** @return the environment traffic moves to */
  public Environment to() {
    return to;
  }

  /** @return the stages */
  public StageSchedule schedule() {
    return schedule;
  }

  /** @return the split the plan ends at: all traffic on {@link #to()} */
  public TrafficSplit target() {
    return TrafficSplit.between(from, to, 100);
  }

  /** @return gates polled during every stage's bake */
  public List<HealthGate> gates() {
    return gates;
  }

  /** @return gates that must be HEALTHY before the first write */
  public List<HealthGate> preSwitchGates() {
    return preSwitchGates;
  }

  /** @return gates polled after the last stage, for {@link #postSwitchBake()} */
  public List<HealthGate> postSwitchGates() {
    return postSwitchGates;
  }

  /** @return how long post-switch gates are polled */
  public Duration postSwitchBake() {
    return postSwitchBake;
  }

  /** @return time between gate polls */
  public Duration gateInterval() {
    return gateInterval;
  }

  /** @return how long past the end of a bake a gate may stay INCONCLUSIVE before the stage fails */
  public Duration gateGrace() {
    return gateGrace;
  }

  /** @return the bound on waiting for a forward write to verify */
  public Duration verifyTimeout() {
    return verifyTimeout;
  }

  /** @return the bound on waiting for the rollback write to verify */
  public Duration rollbackVerifyTimeout() {
    return rollbackVerifyTimeout;
  }

  /** @return the bound on the whole forward run (approvals included), if set */
  public Optional<Duration> timeout() {
    return Optional.ofNullable(timeout);
  }

  /** @return retry policy for forward router calls */
  public RetryPolicy retry() {
    return retry;
  }

  /** @return retry policy for rollback router calls */
  public RetryPolicy rollbackRetry() {
    return rollbackRetry;
  }

  /** @return the route lock */
  public RouteLock lock() {
    return lock;
  }

  /**
   * This plan's identity in the route lock: the one given to {@link Builder#owner(String)}, or by
   * default {@code name@pid@host}, to which each execution adds a short random suffix (e.g. {@code
   * blue->green@4242@build-7/3fa9c1}, see {@code SwitchEvent.LockAcquired}) so that no two executions
   * share an identity, not even two plans with the default name in one JVM.
   *
   * @return the owner
   */
  public String owner() {
    return owner;
  }

  boolean hasExplicitOwner() {
    return explicitOwner;
  }

  /** @return listeners, the default SLF4J one first unless disabled */
  public List<SwitchListener> listeners() {
    return listeners;
  }

  /** @return the plan's one time source: it tells time and it waits */
  public TimeSource time() {
    return time;
  }

  /** @return a clock view of {@link #time()} */
  public Clock clock() {
    return time.clock();
  }

  /**
   * @return {@link #time()}, which is also the plan's sleeper
   * @deprecated use {@link #time()}
   */
  @Deprecated
  public Sleeper sleeper() {
    return time;
  }

  /** @return whether the final stage bakes at least the router's client convergence time */
  public boolean waitsForClientConvergence() {
    return waitForClientConvergence;
  }

  /** @return the split a rollback restores instead of the snapshot, if set */
  public Optional<TrafficSplit> rollbackTo() {
    return Optional.ofNullable(rollbackTo);
  }

  /** @return the preview route opened before the switch, if set */
  public Optional<PreviewRoute> preview() {
    return Optional.ofNullable(preview);
  }

  /** @return gates that must be HEALTHY through the open preview before the first write */
  public List<HealthGate> previewGates() {
    return previewGates;
  }

  /** @return what the backends know about how long an environment keeps serving after it lost its traffic */
  public List<DrainWindow> drainWindows() {
    return drainWindows;
  }

  /** @return gates that say HEALTHY once the environment that lost its traffic has drained */
  public List<HealthGate> drainGates() {
    return drainGates;
  }

  /** @return how long the plan waits for that environment to drain, if it waits */
  public Optional<Duration> drainUntil() {
    return Optional.ofNullable(drainUntil);
  }

  @Override
  public String toString() {
    return "SwitchPlan{" + name + ": " + from + " -> " + to + " on " + router.routeId() + ", stages " + schedule + "}";
  }

  /**
   * Builds a {@link SwitchPlan}; {@link #build()} rejects every bad input with a message that says
   * what to fix, before anything touches a backend.
   *
   * <pre>{@code
   * SwitchPlan plan = SwitchPlan.builder()
   *     .name("checkout 2.0")
   *     .router(router).from(blue).to(green)
   *     .schedule(StageSchedule.canary(10, Duration.ofMinutes(15)))
   *     .preSwitchGate(greenReady).gate(greenHealth).gateInterval(Duration.ofSeconds(10))
   *     .timeout(Duration.ofHours(2))
   *     .listener(event -> metrics.record(event))
   *     .build();
   * }</pre>
   */
  public static final class Builder {
    private String name;
    private Router router;
    private Environment from;
    private Environment to;
    private StageSchedule schedule = StageSchedule.allAtOnce();
    private final List<HealthGate> gates = new ArrayList<>();
    private final List<HealthGate> preSwitchGates = new ArrayList<>();
    private final List<HealthGate> postSwitchGates = new ArrayList<>();
    private Duration postSwitchBake = Duration.ZERO;
    private Duration gateInterval = Duration.ofSeconds(10);
    private Duration gateGrace = Duration.ofMinutes(2);
    private Duration verifyTimeout = Duration.ofMinutes(5);
    private Duration rollbackVerifyTimeout = Duration.ofMinutes(10);
    private Duration timeout;
    private RetryPolicy retry = RetryPolicy.defaults();
    private RetryPolicy rollbackRetry = RetryPolicy.rollbackDefaults();
    private RouteLock lock = InProcessRouteLock.shared();
    private String owner;
    private final List<SwitchListener> listeners = new ArrayList<>();
    private boolean defaultLogging = true;
    private TimeSource time;
    private Clock clock;
    private boolean clockSet;
    private Sleeper sleeper;
    private boolean sleeperSet;
    private boolean waitForClientConvergence = true;
    private TrafficSplit rollbackTo;
    private PreviewRoute preview;
    private final List<HealthGate> previewGates = new ArrayList<>();
    private final List<DrainWindow> drainWindows = new ArrayList<>();
    private final List<HealthGate> drainGates = new ArrayList<>();
    private Duration drainUntil;

    private Builder() {
    }

    /** @param name shown in events and logs (default "from->to"), 1-100 printable characters @return this */
    public Builder name(String name) {
      this.name = Checks.notNull(name, "name");
      return this;
    }

    /** @param router the route's router @return this */
    public Builder router(Router router) {
      this.router = router;
      return this;
    }

    /** @param from the environment traffic leaves @return this */
    public Builder from(Environment from) {
      this.from = from;
      return this;
    }

    /** @param to the environment traffic moves to @return this */
    public Builder to(Environment to) {
      this.to = to;
      return this;
    }

    /** @param schedule the stages (default {@link StageSchedule#allAtOnce()}) @return this */
    public Builder schedule(StageSchedule schedule) {
      this.schedule = schedule;
      return this;
    }

    /** @param gate polled during every stage's bake @return this */
    public Builder gate(HealthGate gate) {
      gates.add(gate);
      return this;
    }

    /** @param gate must be HEALTHY before the first write @return this */
    public Builder preSwitchGate(HealthGate gate) {
      preSwitchGates.add(gate);
      return this;
    }

    /** @param gate polled after the last stage for {@link #postSwitchBake(Duration)} @return this */
    public Builder postSwitchGate(HealthGate gate) {
      postSwitchGates.add(gate);
      return this;
    }

    /** @param bake how long post-switch gates are polled (default zero: one check) @return this */
    public Builder postSwitchBake(Duration bake) {
      this.postSwitchBake = bake;
      return this;
    }

    /** @param interval time between gate polls during a bake (default 10 s) @return this */
    public Builder gateInterval(Duration interval) {
      this.gateInterval = interval;
      return this;
    }

    /**
     * @param grace how long after a bake's end a gate may stay INCONCLUSIVE before the stage fails,
     *     and how long pre-switch gates may take to become HEALTHY (default 2 min)
     * @return this
     */
    public Builder gateGrace(Duration grace) {
      this.gateGrace = grace;
      return this;
    }

    /** @param bound how long a forward write may take to verify (default 5 min) @return this */
    public Builder verifyTimeout(Duration bound) {
      this.verifyTimeout = bound;
      return this;
    }

    /** @param bound how long the rollback write may take to verify (default 10 min) @return this */
    public Builder rollbackVerifyTimeout(Duration bound) {
      this.rollbackVerifyTimeout = bound;
      return this;
    }

    /** @param bound the longest the forward run may take, approvals included; past it the plan rolls back @return this */
    public Builder timeout(Duration bound) {
      this.timeout = Checks.notNull(bound, "timeout");
      return this;
    }

    /** @param policy retries of forward router calls (default {@link RetryPolicy#defaults()}) @return this */
    public Builder retry(RetryPolicy policy) {
      this.retry = policy;
      return this;
    }

    /** @param policy retries of rollback router calls (default {@link RetryPolicy#rollbackDefaults()}) @return this */
    public Builder rollbackRetry(RetryPolicy policy) {
      this.rollbackRetry = policy;
      return this;
    }

    /** @param lock the route lock (default {@link InProcessRouteLock#shared()}) @return this */
    public Builder lock(RouteLock lock) {
      this.lock = lock;
      return this;
    }

    /**
     * @param owner this plan's identity in the lock, shown to a plan that finds it taken (default
     *     name@pid@host plus a short random suffix per execution); give a stable one to resume a
     *     crashed plan's lock as its owner
     * @return this
     */
    public Builder owner(String owner) {
      this.owner = Checks.notNull(owner, "owner");
      return this;
    }

    /** @param listener receives every event @return this */
    public Builder listener(SwitchListener listener) {
      listeners.add(listener);
      return this;
    }

    /** @param enabled whether to log progress through SLF4J (default true) @return this */
    public Builder defaultLogging(boolean enabled) {
      this.defaultLogging = enabled;
      return this;
    }

    /**
     * The plan's one source of time: it tells the time and every wait of the plan goes through it
     * (gate intervals, verification polls, retry backoff, readiness and approval waits).
     *
     * <pre>{@code
     * VirtualClock time = VirtualClock.create();     // bluegreen-testkit: an hour of bake in milliseconds
     * SwitchPlan.builder()...time(time).build();
     * }</pre>
     *
     * @param time the time source (default {@link TimeSource#system()})
     * @return this
     */
    public Builder time(TimeSource time) {
      this.time = Checks.notNull(time, "time");
      return this;
    }

    /**
     * @param clock the plan's clock; {@link #build()} refuses it unless {@link #sleeper(Sleeper)} is
     *     the same object (or both are the system defaults)
     * @return this
     * @deprecated a clock and a sleeper set apart can disagree; use {@link #time(TimeSource)}
     */
    @Deprecated
    public Builder clock(Clock clock) {
      this.clock = clock;
      this.clockSet = true;
      return this;
    }

    /**
     * @param sleeper how the plan waits; {@link #build()} refuses it unless {@link #clock(Clock)} is
     *     the same object (or both are the system defaults)
     * @return this
     * @deprecated a clock and a sleeper set apart can disagree; use {@link #time(TimeSource)}
     */
    @Deprecated
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = sleeper;
      this.sleeperSet = true;
      return this;
    }

    /**
     * @param wait whether the final stage bakes at least the router's client convergence time (DNS
     *     TTL, stickiness) before COMPLETED (default true)
     * @return this
     */
    public Builder waitForClientConvergence(boolean wait) {
      this.waitForClientConvergence = wait;
      return this;
    }

    /**
     * @param split what a rollback restores instead of the snapshot read at start (e.g. all on the
     *     source when resuming a plan that crashed part-way)
     * @return this
     */
    public Builder rollbackTo(TrafficSplit split) {
      this.rollbackTo = Checks.notNull(split, "rollbackTo");
      return this;
    }

    /**
     * A route through the production front door that sends only requests carrying a header (or a
     * host) to the target: opened after the preflight, before the pre-switch gates; closed when the
     * plan ends, whatever the outcome (a preview left behind by a run that crashed is removed by the
     * next one, which says so). Production traffic is not touched by it.
     *
     * <pre>{@code
     * .preview(HttpRoutePreview.builder(router).header("X-Preview", "green").build())   // bluegreen-k8s
     * .previewGate(PreviewHttpGate.path("/health"))
     * }</pre>
     *
     * @param route the preview route
     * @return this
     */
    public Builder preview(PreviewRoute route) {
      this.preview = Checks.notNull(route, "preview");
      return this;
    }

    /**
     * @param gate checked through the open preview ({@code GateContext.preview()}) before the first
     *     write: it must be HEALTHY within {@link #gateGrace(Duration)}, else the plan ends ABORTED with
     *     nothing written to production
     * @return this
     */
    public Builder previewGate(HealthGate gate) {
      previewGates.add(gate);
      return this;
    }

    /**
     * @param window what a backend knows about how long the environment that lost its traffic keeps
     *     serving (target group deregistration delay and stickiness, termination grace period); the
     *     longest of them and the router's client convergence time is reported in {@code SwitchResult.drain()}
     * @return this
     */
    public Builder drainWindow(DrainWindow window) {
      drainWindows.add(window);
      return this;
    }

    /**
     * @param gate HEALTHY once the environment that lost its traffic ({@code GateContext.draining()})
     *     has drained, e.g. its in-flight requests are zero; polled every gate interval while the plan
     *     waits for the drain (needs {@link #drainUntil(Duration)})
     * @return this
     */
    public Builder drainGate(HealthGate gate) {
      drainGates.add(gate);
      return this;
    }

    /**
     * Makes the plan wait, after the last stage (or a rollback), until the environment that lost its
     * traffic has drained: the drain window has passed and every drain gate is HEALTHY. It waits at
     * most {@code bound} after that split was verified; past it, the result says the drain was not
     * confirmed and why (the switch itself stays COMPLETED: traffic has moved).
     *
     * @param bound the longest wait
     * @return this
     */
    public Builder drainUntil(Duration bound) {
      this.drainUntil = Checks.notNull(bound, "drainUntil");
      return this;
    }

    /**
     * @return the validated plan
     * @throws InvalidConfigurationException naming the bad input and what to pass instead
     */
    public SwitchPlan build() {
      return new SwitchPlan(this);
    }
  }
}
