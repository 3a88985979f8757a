package io.bluegreen.core;

import io.bluegreen.core.preview.PreviewEndpoint;
import java.time.Instant;
import java.util.Optional;

/**
 * Where the plan is when it asks a {@link HealthGate}: the phase, the stage, the split in place, and
 * the time on the plan's clock.
 *
 * <pre>{@code
 * GateResult check(GateContext ctx) {
 *   if (ctx.phase() == GateContext.Phase.STAGE && ctx.split().weightOf(ctx.to()) < 50) { ... }
 * }
 * }</pre>
 *
 * <p>To call a gate by hand (a smoke test, a test of your own gate), only {@code from} and {@code
 * to} are needed; see {@link Builder} for the defaults of the rest:
 *
 * <pre>{@code
 * GateResult r = gate.check(GateContext.builder().from(blue).to(green).build());   // before a switch, now
 * }</pre>
 */
public final class GateContext {

  /** When a gate is asked. */
  public enum Phase {
    /** Before the first write; UNHEALTHY aborts with nothing written. */
    PRE_SWITCH,
    /**
     * Before the first write, through the preview route ({@link GateContext#preview()}); UNHEALTHY
     * aborts with nothing written to production.
     */
    PREVIEW,
    /** During a stage's bake; UNHEALTHY rolls back. */
    STAGE,
    /** After the last stage; UNHEALTHY rolls back. */
    POST_SWITCH,
    /**
     * After the last stage (or a rollback), while the environment traffic left ({@link
     * GateContext#draining()}) finishes what it still serves: HEALTHY means drained. Never rolls back.
     */
    DRAIN
  }

  private final String planName;
  private final String routeId;
  private final Phase phase;
  private final int stageNumber;
  private final int stageCount;
  private final Environment from;
  private final Environment to;
  private final TrafficSplit split;
  private final Instant now;
  private final Instant phaseStartedAt;
  private final PreviewEndpoint preview;
  private final Environment draining;

  private GateContext(Builder b) {
    if (b.from == null) {
      throw new InvalidConfigurationException("GateContext: from is not set: call from(environment) with the environment traffic"
          + " leaves, e.g. from(Environment.of(\"blue\")) (to is needed too; every other field has a default)");
    }
    if (b.to == null) {
      throw new InvalidConfigurationException("GateContext: to is not set: call to(environment) with the environment traffic"
          + " moves to, e.g. to(Environment.of(\"green\")) (every other field has a default)");
    }
    if (b.from.equals(b.to)) {
      throw new InvalidConfigurationException("GateContext: from and to are both " + b.from.name() + ": pass two environments");
    }
    this.planName = b.planName == null ? "manual" : b.planName;
    this.routeId = b.routeId == null ? "manual" : b.routeId;
    this.phase = b.phase == null ? Phase.PRE_SWITCH : b.phase;
    if (phase == Phase.STAGE && (b.stageNumber < 1 || b.stageNumber > b.stageCount)) {
      throw new InvalidConfigurationException("GateContext: phase STAGE needs a stage: call stage(number, count) with 1 <= number <= count,"
          + " e.g. stage(1, 4) (it is " + b.stageNumber + " of " + b.stageCount + ")");
    }
    this.stageNumber = b.stageNumber;
    this.stageCount = b.stageCount;
    this.from = b.from;
    this.to = b.to;
    this.split = b.split == null ? TrafficSplit.allTo(b.from, b.to) : b.split;
    this.now = b.now == null ? Instant.now() : b.now;
    this.phaseStartedAt = b.phaseStartedAt == null ? this.now : b.phaseStartedAt;
    this.preview = b.preview;
    this.draining = b.draining;
  }

  /** @return a builder (used by the engine, and by tests of your own gates) */
  public static Builder builder() {
    return new Builder();
  }

  /** @return the plan's name */
  public String planName() {
    return planName;
  }

  /** @return the route's id */
  public String routeId() {
    return routeId;
  }

  /** @return the phase */
  public Phase phase() {
    return phase;
  }

  /** @return 1-based stage number during {@link Phase#STAGE}; empty otherwise */
  public Optional<Integer> stageNumber() {
    return phase == Phase.STAGE ? Optional.of(stageNumber) : Optional.empty();
  }

  /** @return how many stages the plan has */
  public int stageCount() {
    return stageCount;
  }

  /** @return the environment traffic leaves */
  public Environment from() {
    return from;
  }

  /** @return the environment traffic moves to */
  public Environment to() {
    return to;
  }

  /** @return the split in place (last verified) */
  public TrafficSplit split() {
    return split;
  }

  /** @return now, on the plan's clock */
  public Instant now() {
    return now;
  }

  /** @return when the current phase (or stage bake) started, on the plan's clock */
  public Instant phaseStartedAt() {
    return phaseStartedAt;
  }

  /** @return the open preview during {@link Phase#PREVIEW} (and later phases while it is open): where to send preview requests */
  public Optional<PreviewEndpoint> preview() {
    return Optional.ofNullable(preview);
  }

  /** @return during {@link Phase#DRAIN}, the environment that traffic left and that is draining */
  public Optional<Environment> draining() {
    return Optional.ofNullable(draining);
  }

  @Override
  public String toString() {
    return planName + " " + phase + (phase == Phase.STAGE ? " " + stageNumber + "/" + stageCount : "") + " at " + split;
  }

  /**
   * Builds a {@link GateContext}. The engine sets every field. By hand, {@link #from} and {@link #to}
   * are required and the rest default to: plan name and route id {@code "manual"}, phase {@link
   * Phase#PRE_SWITCH} (no stage), the split all on {@code from}, now = the system clock's now, and the
   * phase started now. Phase {@link Phase#STAGE} also needs {@link #stage(int, int)}. A missing
   * field is reported by {@link #build()} naming it.
   *
   * <pre>{@code
   * GateContext ctx = GateContext.builder().planName("p").routeId("r").phase(Phase.STAGE)
   *     .stage(1, 4).from(blue).to(green).split(TrafficSplit.of(blue, 90, green, 10)).now(Instant.now()).build();
   * GateContext smoke = GateContext.builder().from(blue).to(green).build();   // pre-switch, now
   * }</pre>
   */
  public static final class Builder {
    private String planName;
    private String routeId;
    private Phase phase;
    private int stageNumber;
    private int stageCount;
    private Environment from;
    private Environment to;
    private TrafficSplit split;
    private Instant now;
    private Instant phaseStartedAt;
    private PreviewEndpoint preview;
    private Environment draining;

    private Builder() {
    }

    /** @param v plan name (default "manual") @return this */
    public Builder planName(String v) {
      planName = v;
      return this;
    }

    /** @param v route id (default "manual") @return this */
    public Builder routeId(String v) {
      routeId = v;
      return this;
    }

    /** @param v phase (default PRE_SWITCH; STAGE needs {@link #stage(int, int)}) @return this */
    public Builder phase(Phase v) {
      phase = v;
      return this;
    }

    /** @param number 1-based stage number @param count stage count (default: no stage, 0 of 0) @return this */
    public Builder stage(int number, int count) {
      stageNumber = number;
      stageCount = count;
      return this;
    }

    /** @param v the environment traffic leaves (required) @return this */
    public Builder from(Environment v) {
      from = v;
      return this;
    }

    /** @param v the environment traffic moves to (required) @return this */
    public Builder to(Environment v) {
      to = v;
      return this;
    }

    /** @param v the split in place (default: all on from) @return this */
    public Builder split(TrafficSplit v) {
      split = v;
      return this;
    }

    /** @param v now (default: the system clock's now) @return this */
    public Builder now(Instant v) {
      now = v;
      return this;
    }

    /** @param v when the phase started (default: now) @return this */
    public Builder phaseStartedAt(Instant v) {
      phaseStartedAt = v;
      return this;
    }

    /** @param v the open preview @return this */
    public Builder preview(PreviewEndpoint v) {
      preview = v;
      return this;
    }

    /** @param v the environment draining @return this */
    public Builder draining(Environment v) {
      draining = v;
      return this;
    }

    /**
     * @return the context
     * @throws InvalidConfigurationException if from or to is missing, or phase STAGE has no stage
     */
    public GateContext build() {
      return new GateContext(this);
    }
  }
}
