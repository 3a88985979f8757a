package io.bluegreen.testkit;

import io.bluegreen.core.GateContext;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.HealthGate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A gate whose answers are scripted: a fixed sequence, or a function of the plan's context (time,
 * stage, phase). Records every context it was asked with.
 *
 * <pre>{@code
 * ScriptedGate.healthy();
 * ScriptedGate.sequence(GateResult.inconclusive("warming up"), GateResult.healthy());  // then healthy forever
 * ScriptedGate.unhealthyAt(start.plusSeconds(5), "HTTP 503");   // healthy before, unhealthy from then on
 * ScriptedGate.unhealthyDuringStage(3, "error rate 12%");
 * }</pre>
 */
public final class ScriptedGate implements HealthGate {

  private final String name;
  private final Function<GateContext, GateResult> script;
  private final List<GateContext> calls = Collections.synchronizedList(new ArrayList<>());

  private ScriptedGate(String name, Function<GateContext, GateResult> script) {
    this.name = name;
    this.script = script;
  }

  /**
   * @param name the gate's name
   * @param script the answer for each context
   * @return the gate
   */
  public static ScriptedGate of(String name, Function<GateContext, GateResult> script) {
    return new ScriptedGate(name, script);
  }

  /** @return a gate that is always HEALTHY */
  public static ScriptedGate healthy() {
    return of("always-healthy", ctx -> GateResult.healthy());
  }

  /**
   * @param results answers in order; the last one repeats
   * @return the gate
   */
  public static ScriptedGate sequence(GateResult... results) {
    if (results.length == 0) {
      throw new IllegalArgumentException("give at least one result");
    }
    List<GateResult> list = List.of(results);
    int[] next = {0};
    return of("scripted", ctx -> {
      synchronized (next) {
        GateResult r = list.get(Math.min(next[0], list.size() - 1));
        next[0]++;
        return r;
      }
    });
  }

  /**
   * @param when from this instant on the plan's clock, UNHEALTHY
   * @param reason the reason reported
   * @return a gate HEALTHY before {@code when}
   */
  public static ScriptedGate unhealthyAt(Instant when, String reason) {
    return of("unhealthy-at-" + when, ctx -> ctx.now().isBefore(when) ? GateResult.healthy() : GateResult.unhealthy(reason));
  }

  /**
   * @param afterBakeStarted how far into a stage's bake (from its start) to turn UNHEALTHY
   * @param stageNumber the 1-based stage
   * @param reason the reason reported
   * @return a gate HEALTHY except in that stage after that offset
   */
  public static ScriptedGate unhealthyInStageAfter(int stageNumber, Duration afterBakeStarted, String reason) {
    return of("unhealthy-in-stage-" + stageNumber, ctx -> ctx.stageNumber().orElse(0) == stageNumber
        && !ctx.now().isBefore(ctx.phaseStartedAt().plus(afterBakeStarted)) ? GateResult.unhealthy(reason) : GateResult.healthy());
  }

  /**
   * @param stageNumber the 1-based stage
   * @param reason the reason reported
   * @return a gate UNHEALTHY during that stage's bake, HEALTHY otherwise
   */
  public static ScriptedGate unhealthyDuringStage(int stageNumber, String reason) {
    return unhealthyWhen(ctx -> ctx.stageNumber().orElse(0) == stageNumber, reason);
  }

  /**
   * @param condition when to answer UNHEALTHY
   * @param reason the reason reported
   * @return the gate, HEALTHY otherwise
   */
  public static ScriptedGate unhealthyWhen(Predicate<GateContext> condition, String reason) {
    return of("scripted", ctx -> condition.test(ctx) ? GateResult.unhealthy(reason) : GateResult.healthy());
  }

  @Override
  public GateResult check(GateContext context) {
    calls.add(context);
    return script.apply(context);
  }

  @Override
  public String name() {
    return name;
  }

  /** @return every context this gate was asked with, in order */
  public List<GateContext> calls() {
    synchronized (calls) {
      return List.copyOf(calls);
    }
  }

  /** @return how many times it was asked */
  public int checkCount() {
    return calls.size();
  }

  /**
   * @param newName another name
   * @return the same script under another name
   */
  public ScriptedGate named(String newName) {
    return new ScriptedGate(newName, script);
  }

  @Override
  public String toString() {
    return name;
  }
}
