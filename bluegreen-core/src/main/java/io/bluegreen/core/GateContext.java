package io.bluegreen.core;

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
 */
public final class GateContext {

  /** When a gate is asked. */
  public enum Phase {
    /** Before the first write; UNHEALTHY aborts with nothing written. */
    PRE_SWITCH,
    /** During a stage's bake; UNHEALTHY rolls back. */
    STAGE,
    /** After the last stage; UNHEALTHY rolls back. */
    POST_SWITCH
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

  private GateContext(Builder b) {
    this.planName = Checks.notNull(b.planName, "planName");
    this.routeId = Checks.notNull(b.routeId, "routeId");
    this.phase = Checks.notNull(b.phase, "phase");
    this.stageNumber = b.stageNumber;
    this.stageCount = b.stageCount;
    this.from = Checks.notNull(b.from, "from");
    this.to = Checks.notNull(b.to, "to");
    this.split = Checks.notNull(b.split, "split");
    this.now = Checks.notNull(b.now, "now");
    this.phaseStartedAt = b.phaseStartedAt == null ? b.now : b.phaseStartedAt;
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

  @Override
  public String toString() {
    return planName + " " + phase + (phase == Phase.STAGE ? " " + stageNumber + "/" + stageCount : "") + " at " + split;
  }

  /**
   * Builds a {@link GateContext}.
   *
   * <pre>{@code
   * GateContext ctx = GateContext.builder().planName("p").routeId("r").phase(Phase.STAGE)
   *     .stage(1, 4).from(blue).to(green).split(TrafficSplit.of(blue, 90, green, 10)).now(Instant.now()).build();
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

    private Builder() {
    }

    /** @param v plan name @return this */
    public Builder planName(String v) {
      planName = v;
      return this;
    }

    /** @param v route id @return this */
    public Builder routeId(String v) {
      routeId = v;
      return this;
    }

    /** @param v phase @return this */
    public Builder phase(Phase v) {
      phase = v;
      return this;
    }

    /** @param number 1-based stage number @param count stage count @return this */
    public Builder stage(int number, int count) {
      stageNumber = number;
      stageCount = count;
      return this;
    }

    /** @param v the environment traffic leaves @return this */
    public Builder from(Environment v) {
      from = v;
      return this;
    }

    /** @param v the environment traffic moves to @return this */
    public Builder to(Environment v) {
      to = v;
      return this;
    }

    /** @param v the split in place @return this */
    public Builder split(TrafficSplit v) {
      split = v;
      return this;
    }

    /** @param v now @return this */
    public Builder now(Instant v) {
      now = v;
      return this;
    }

    /** @param v when the phase started @return this */
    public Builder phaseStartedAt(Instant v) {
      phaseStartedAt = v;
      return this;
    }

    /** @return the context */
    public GateContext build() {
      return new GateContext(this);
    }
  }
}
