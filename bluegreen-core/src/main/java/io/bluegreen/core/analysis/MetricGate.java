package io.bluegreen.core.analysis;

import io.bluegreen.core.Checks;
import io.bluegreen.core.GateContext;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.HealthGate;
import io.bluegreen.core.InvalidConfigurationException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gate that judges an environment by a metric, with the semantics of Argo Rollouts'
 * AnalysisTemplate metrics. Every check takes one {@link Measurement} from its {@link MetricProvider}
 * and classifies it:
 *
 * <ul>
 *   <li><b>error</b> when the provider throws (unreachable, HTTP 503, a query the backend rejects);</li>
 *   <li><b>inconclusive</b> when there is no data, the value is NaN (e.g. 0/0: nothing counted), or
 *       fewer than {@code minSamples} samples are behind it;</li>
 *   <li><b>failed</b> when the failure condition holds, or (without a failure condition) the success
 *       condition does not;</li>
 *   <li><b>successful</b> when the success condition holds, or (without a success condition) the failure
 *       condition does not;</li>
 *   <li>with both conditions, a value that meets neither is <b>inconclusive</b>.</li>
 * </ul>
 *
 * Then it applies the limits, counted within one phase (each stage's bake, the pre- and post-switch
 * phases start from zero), exactly as Argo does: the analysis <b>fails</b> when {@code failed >
 * failureLimit} (default 0), when {@code inconclusive > inconclusiveLimit} (default 0), or when
 * {@code consecutiveErrors > consecutiveErrorLimit} (default 4; any non-error measurement resets it).
 * Its verdict:
 *
 * <ul>
 *   <li>UNHEALTHY once a limit is exceeded, and for the rest of the phase: the plan rolls back (or, as
 *       a pre-switch gate, aborts). Where Argo would pause an Inconclusive run for a person, a plan
 *       cannot pause on a gate, so it rolls back; mark a stage {@code withApproval()} for a person.</li>
 *   <li>With {@code count(n)}: INCONCLUSIVE until n measurements (errors do not count) are taken, then
 *       HEALTHY for the rest of the phase, without further queries (Argo's inline analysis).</li>
 *   <li>Without a count: HEALTHY while the latest measurement is successful; INCONCLUSIVE while it is
 *       failed, inconclusive or an error within the limits. An error is never a pass.</li>
 * </ul>
 *
 * With {@code initialDelay}, the first measurement of a phase waits that long (INCONCLUSIVE, nothing
 * counted), so a window of data after the write is judged, not the one before it.
 *
 * <p>Every verdict's reason names the measurement and the counts (e.g. {@code failed (2) >
 * failureLimit (1) at measurement 3: 0.083 (1200 samples), value >= 0.05}); its {@link
 * GateResult#measurements()} carry {@code value} and {@code samples}. The plan's summary carries the
 * reason of the verdict that rolled it back. Thread-safe.
 *
 * <pre>{@code
 * HealthGate errorRate = MetricGate.builder(provider)
 *     .name("green 5xx ratio")
 *     .successCondition(Condition.below(0.01))
 *     .failureCondition(Condition.atLeast(0.05))     // between the two: inconclusive
 *     .minSamples(100)                               // fewer requests than that: inconclusive
 *     .failureLimit(1).inconclusiveLimit(3).consecutiveErrorLimit(4)
 *     .build();
 * }</pre>
 */
public final class MetricGate implements HealthGate {

  private static final Logger LOG = LoggerFactory.getLogger(MetricGate.class);

  /** Argo's default: this many errors in a row are tolerated; one more fails the analysis. */
  public static final int DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4;

  /** How one measurement was classified (Argo's measurement phases). */
  public enum Assessment {
    /** The value met the success condition (or did not meet the failure condition). */
    SUCCESSFUL,
    /** The value met the failure condition (or did not meet the success condition). */
    FAILED,
    /** No data, NaN, too few samples, or a value between the two conditions. */
    INCONCLUSIVE,
    /** The provider could not measure. */
    ERROR
  }

  private final MetricProvider provider;
  private final String name;
  private final Condition success;
  private final Condition failure;
  private final long minSamples;
  private final int failureLimit;
  private final int inconclusiveLimit;
  private final int consecutiveErrorLimit;
  private final int count;
  private final Duration initialDelay;

  // state of the current phase
  private List<Object> phaseKey;
  private final java.util.concurrent.locks.ReentrantLock checkLock = new java.util.concurrent.locks.ReentrantLock();
  private int measurements;
  private int counted;
  private int failed;
  private int inconclusive;
  private int consecutiveErrors;
  private GateResult decided;

  private MetricGate(Settings<?> s, MetricProvider provider, String defaultName) {
    this.provider = provider;
    this.name = s.name != null ? s.name : defaultName;
    this.success = s.success;
    this.failure = s.failure;
    this.minSamples = s.minSamples;
    this.failureLimit = s.failureLimit;
    this.inconclusiveLimit = s.inconclusiveLimit;
    this.consecutiveErrorLimit = s.consecutiveErrorLimit;
    this.count = s.count;
    this.initialDelay = s.initialDelay;
  }

  /**
   * @param provider takes the measurements
   * @return a builder
   */
  public static Builder builder(MetricProvider provider) {
    return new Builder(provider);
  }

  @Override
  public String name() {
    return name;
  }

  /** @return the provider */
  public MetricProvider provider() {
    return provider;
  }

  /** @return the success condition, if any */
  public Optional<Condition> successCondition() {
    return Optional.ofNullable(success);
  }

  /** @return the failure condition, if any */
  public Optional<Condition> failureCondition() {
    return Optional.ofNullable(failure);
  }

  @Override
  public void preflight(GateContext context) {
    provider.preflight(context);
  }

  /**
   * Classifies one measurement against the conditions and {@code minSamples}, without counting it.
   *
   * @param m a measurement
   * @return its assessment
   */
  public Assessment assess(Measurement m) {
    if (!m.hasData() || Double.isNaN(m.value().getAsDouble())) {
      return Assessment.INCONCLUSIVE;
    }
    if (minSamples > 0 && (m.samples().isEmpty() || m.samples().getAsLong() < minSamples)) {
      return Assessment.INCONCLUSIVE;
    }
    double v = m.value().getAsDouble();
    if (failure != null && failure.test(v)) {
      return Assessment.FAILED;
    }
    if (success != null) {
      if (success.test(v)) {
        return Assessment.SUCCESSFUL;
      }
      return failure != null ? Assessment.INCONCLUSIVE : Assessment.FAILED;
    }
    return Assessment.SUCCESSFUL;
  }

  private String explain(Measurement m, Assessment a) {
    if (!m.hasData()) {
      return "no data (" + m.detail() + ")";
    }
    double v = m.value().getAsDouble();
    if (Double.isNaN(v)) {
      return m + ": NaN is no data (0/0: nothing was counted in the window?)";
    }
    if (a == Assessment.INCONCLUSIVE && minSamples > 0 && (m.samples().isEmpty() || m.samples().getAsLong() < minSamples)) {
      return m + ": " + (m.samples().isEmpty() ? "no sample count from " + provider.describe() : "only " + m.samples().getAsLong())
          + ", minSamples is " + minSamples;
    }
    return switch (a) {
      case FAILED -> m + ", " + (failure != null && failure.test(v) ? failure.toString() : "not " + success);
      case SUCCESSFUL -> m + ", " + (success != null ? success.toString() : "not " + failure);
      default -> m + ", neither " + success + " nor " + failure;
    };
  }

  /** A lock rather than {@code synchronized}: the wrapped check may block on I/O, which would pin a virtual thread on JDK 21-23. */
  @Override
  public GateResult check(GateContext ctx) {
    checkLock.lock();
    try {
      return checkLocked(ctx);
    } finally {
      checkLock.unlock();
    }
  }

  private GateResult checkLocked(GateContext ctx) {
    List<Object> key = List.of(ctx.planName(), ctx.phase(), ctx.stageNumber().orElse(0), ctx.phaseStartedAt());
    if (!key.equals(phaseKey)) {
      phaseKey = key;
      measurements = 0;
      counted = 0;
      failed = 0;
      inconclusive = 0;
      consecutiveErrors = 0;
      decided = null;
    }
    if (decided != null) {
      return decided;
    }
    Instant firstAt = ctx.phaseStartedAt().plus(initialDelay);
    if (ctx.now().isBefore(firstAt)) {
      return GateResult.inconclusive("initialDelay: first measurement in " + Duration.between(ctx.now(), firstAt));
    }
    measurements++;
    Measurement m;
    Assessment a;
    String what;
    try {
      m = provider.measure(ctx);
      if (m == null) {
        throw new MetricQueryException(provider.describe() + " returned no measurement (null): the provider is broken", false);
      }
      a = assess(m);
      what = explain(m, a);
    } catch (RuntimeException e) {
      m = null;
      a = Assessment.ERROR;
      what = "error: " + (e.getMessage() == null ? e.toString() : e.getMessage());
      LOG.debug("{}: measurement {} failed", name, measurements, e);
    }
    switch (a) {
      case SUCCESSFUL -> {
        counted++;
        consecutiveErrors = 0;
      }
      case FAILED -> {
        counted++;
        failed++;
        consecutiveErrors = 0;
      }
      case INCONCLUSIVE -> {
        counted++;
        inconclusive++;
        consecutiveErrors = 0;
      }
      default -> consecutiveErrors++;
    }
    String at = "measurement " + measurements + (count > 0 ? " of " + count : "") + ": " + what;
    GateResult verdict;
    String exceeded = null;
    if (failed > failureLimit) {
      exceeded = "failed (" + failed + ") > failureLimit (" + failureLimit + ")";
    }
    if (inconclusive > inconclusiveLimit) {
      exceeded = "inconclusive (" + inconclusive + ") > inconclusiveLimit (" + inconclusiveLimit + ")";
    }
    if (consecutiveErrors > consecutiveErrorLimit) {
      exceeded = "consecutiveErrors (" + consecutiveErrors + ") > consecutiveErrorLimit (" + consecutiveErrorLimit + ")";
    }
    if (exceeded != null) {
      verdict = decided = GateResult.unhealthy(exceeded + " at " + at);
    } else if (count > 0 && counted >= count) {
      verdict = decided = GateResult.healthy("count (" + count + ") reached at " + at + "; " + tally());
    } else if (count > 0 || a != Assessment.SUCCESSFUL) {
      verdict = GateResult.inconclusive(at + "; " + tally());
    } else {
      verdict = GateResult.healthy(at + "; " + tally());
    }
    if (m != null && m.hasData()) {
      verdict = verdict.withMeasurement("value", m.value().getAsDouble());
      if (m.samples().isPresent()) {
        verdict = verdict.withMeasurement("samples", m.samples().getAsLong());
      }
      if (decided != null) {
        decided = verdict;
      }
    }
    return verdict;
  }

  private String tally() {
    return "failed " + failed + " (limit " + failureLimit + "), inconclusive " + inconclusive + " (limit " + inconclusiveLimit
        + "), consecutive errors " + consecutiveErrors + " (limit " + consecutiveErrorLimit + ")";
  }

  @Override
  public String toString() {
    return name + " [" + (success == null ? "" : "success " + success) + (success != null && failure != null ? ", " : "")
        + (failure == null ? "" : "failure " + failure) + "]";
  }

  /**
   * The analysis settings every metric gate shares (conditions, samples, limits). Provider modules
   * extend it, so {@code PrometheusGate.builder(...)} and {@link MetricGate#builder} take the same
   * settings.
   *
   * <pre>{@code
   * PrometheusGate.builder(uri).query(q)
   *     .successCondition(Condition.below(0.01)).failureLimit(1)   // from Settings
   *     .build();
   * }</pre>
   *
   * @param <B> the concrete builder
   */
  public abstract static class Settings<B extends Settings<B>> {
    private String name;
    private Condition success;
    private Condition failure;
    private long minSamples;
    private int failureLimit;
    private int inconclusiveLimit;
    private int consecutiveErrorLimit = DEFAULT_CONSECUTIVE_ERROR_LIMIT;
    private int count;
    private Duration initialDelay = Duration.ZERO;

    /** For subclasses. */
    protected Settings() {
    }

    /** @return this builder */
    protected abstract B self();

    /** @param name the gate's name in events and logs @return this builder */
    public B name(String name) {
      this.name = Checks.notBlank(name, "gate name");
      return self();
    }

    /** @param condition a measurement that meets it is successful @return this builder */
    public B successCondition(Condition condition) {
      this.success = Checks.notNull(condition, "successCondition");
      return self();
    }

    /** @param condition a measurement that meets it has failed (it wins over the success condition) @return this builder */
    public B failureCondition(Condition condition) {
      this.failure = Checks.notNull(condition, "failureCondition");
      return self();
    }

    /**
     * @param min fewer samples than this behind a value make the measurement inconclusive (default 0:
     *     no minimum); the provider must report a sample count
     * @return this builder
     */
    public B minSamples(long min) {
      if (min < 0) {
        throw new InvalidConfigurationException("minSamples must be 0 or more, got " + min);
      }
      this.minSamples = min;
      return self();
    }

    /** @param limit failed measurements tolerated per phase; one more fails the gate (default 0) @return this builder */
    public B failureLimit(int limit) {
      this.failureLimit = nonNegative(limit, "failureLimit");
      return self();
    }

    /** @param limit inconclusive measurements tolerated per phase; one more fails the gate (default 0) @return this builder */
    public B inconclusiveLimit(int limit) {
      this.inconclusiveLimit = nonNegative(limit, "inconclusiveLimit");
      return self();
    }

    /** @param limit provider errors tolerated in a row; one more fails the gate (default 4) @return this builder */
    public B consecutiveErrorLimit(int limit) {
      this.consecutiveErrorLimit = nonNegative(limit, "consecutiveErrorLimit");
      return self();
    }

    /**
     * @param n measurements (errors excluded) after which the phase's analysis is successful, if no
     *     limit was exceeded; until then the gate is INCONCLUSIVE. Default: no count (judge every poll).
     * @return this builder
     */
    public B count(int n) {
      if (n < 1) {
        throw new InvalidConfigurationException("count must be at least 1, got " + n);
      }
      this.count = n;
      return self();
    }

    /** @param delay wait this long into each phase before the first measurement (default 0) @return this builder */
    public B initialDelay(Duration delay) {
      this.initialDelay = Checks.nonNegative(delay, "initialDelay");
      return self();
    }

    private static int nonNegative(int limit, String what) {
      if (limit < 0) {
        throw new InvalidConfigurationException(what + " must be 0 or more, got " + limit);
      }
      return limit;
    }

    /**
     * Validates the settings and builds the gate.
     *
     * @param provider takes the measurements
     * @param defaultName the name when none was given
     * @return the gate
     * @throws InvalidConfigurationException if the settings cannot work
     */
    protected final MetricGate buildGate(MetricProvider provider, String defaultName) {
      Checks.notNull(provider, "provider");
      String who = name != null ? name : defaultName;
      if (success == null && failure == null) {
        throw new InvalidConfigurationException("metric gate " + who + " has no condition: give successCondition(...) and/or"
            + " failureCondition(...), e.g. successCondition(Condition.below(0.01))");
      }
      if (success != null && failure != null) {
        Optional<String> both = success.overlap(failure);
        if (both.isPresent()) {
          throw new InvalidConfigurationException("metric gate " + who + ": success condition " + success + " and failure condition "
              + failure + " both hold for " + both.get() + ", so such a value would be a success and a failure at once:"
              + " make them disjoint (values between them count as inconclusive), e.g. success value < 0.01 and failure value >= 0.05");
        }
      }
      if (count > 0 && failureLimit >= count) {
        throw new InvalidConfigurationException("metric gate " + who + ": failureLimit " + failureLimit + " with count " + count
            + " can never fail (" + count + " measurements cannot exceed " + failureLimit + " failures): lower failureLimit below count");
      }
      return new MetricGate(this, provider, Objects.requireNonNull(defaultName));
    }
  }

  /**
   * Builds a {@link MetricGate} over any {@link MetricProvider}.
   *
   * <pre>{@code
   * MetricGate gate = MetricGate.builder(MetricProvider.of("queue depth", ctx -> Measurement.of(queue.depth())))
   *     .successCondition(Condition.atMost(1000))
   *     .failureLimit(2)
   *     .build();
   * }</pre>
   */
  public static final class Builder extends Settings<Builder> {
    private final MetricProvider provider;

    private Builder(MetricProvider provider) {
      this.provider = Checks.notNull(provider, "provider");
    }

    @Override
    protected Builder self() {
      return this;
    }

    /** @return the gate */
    public MetricGate build() {
      return buildGate(provider, provider.describe());
    }
  }
}
