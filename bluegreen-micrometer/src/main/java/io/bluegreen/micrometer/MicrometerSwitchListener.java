package io.bluegreen.micrometer;

import io.bluegreen.core.Checks;
import io.bluegreen.core.Environment;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.core.event.SwitchListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link SwitchListener} that publishes what plans do to a Micrometer {@link MeterRegistry}. Every
 * meter is tagged with {@code route} (the router's route id) plus the registry's and {@link
 * #of(MeterRegistry, Iterable)}'s common tags. Durations are measured between events, on the plan's
 * clock. Names follow Micrometer's conventions (dot-separated, lower case, base units); each registry
 * renders them its own way (Prometheus: {@code bluegreen_plans_total}, {@code
 * bluegreen_stage_duration_seconds}, {@code bluegreen_route_weight_percent}).
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>extra tags</th><th>what</th></tr>
 *   <tr><td>{@code bluegreen.plans}</td><td>counter</td><td>{@code outcome}: completed, rolled_back, rollback_failed, aborted</td><td>plans finished</td></tr>
 *   <tr><td>{@code bluegreen.plan.duration}</td><td>timer</td><td>{@code outcome}</td><td>from PlanStarted to PlanFinished</td></tr>
 *   <tr><td>{@code bluegreen.stage.duration}</td><td>timer</td><td>{@code stage} (1-based), {@code result}: completed, failed</td><td>from StageStarted to StageCompleted, or to the rollback/end that stopped it</td></tr>
 *   <tr><td>{@code bluegreen.rollback.duration}</td><td>timer</td><td>{@code result}: completed, failed</td><td>from RollbackStarted to RollbackCompleted/RollbackFailed</td></tr>
 *   <tr><td>{@code bluegreen.route.weight}</td><td>gauge, base unit percent</td><td>{@code environment}</td><td>the weight last read or verified for each environment of the route</td></tr>
 *   <tr><td>{@code bluegreen.gate.checks}</td><td>counter</td><td>{@code gate}, {@code status}: healthy, unhealthy, inconclusive</td><td>gate verdicts</td></tr>
 *   <tr><td>{@code bluegreen.retries}</td><td>counter</td><td></td><td>router calls retried</td></tr>
 *   <tr><td>{@code bluegreen.drift}</td><td>counter</td><td></td><td>plans stopped because someone else changed the route</td></tr>
 * </table>
 *
 * Gate names become tag values: keep them few and stable (name your gates). One listener can serve
 * any number of plans, also concurrently. Never throws into a plan.
 *
 * <pre>{@code
 * MeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
 * SwitchListener metrics = MicrometerSwitchListener.of(registry, Tags.of("team", "shop"));
 * SwitchPlan.builder()...listener(metrics).build().execute();
 * }</pre>
 */
public final class MicrometerSwitchListener implements SwitchListener {

  private final MeterRegistry registry;
  private final Tags common;
  private final Map<String, PlanState> plans = new ConcurrentHashMap<>();
  /**
   * Weight gauges' values per registry, shared by every listener on that registry: a second listener
   * (e.g. one per plan) must move the gauge the first one registered, which Micrometer returns for the
   * same name and tags.
   */
  private static final Map<MeterRegistry, Map<String, Map<String, AtomicInteger>>> WEIGHTS =
      Collections.synchronizedMap(new WeakHashMap<>());

  private final Map<String, Map<String, AtomicInteger>> weights;

  /** What this listener remembers about a running plan. */
  private static final class PlanState {
    final String route;
    final Instant startedAt;
    int stage;
    Instant stageStartedAt;
    Instant rollbackStartedAt;

    PlanState(String route, Instant startedAt) {
      this.route = route;
      this.startedAt = startedAt;
    }
  }

  private MicrometerSwitchListener(MeterRegistry registry, Tags common) {
    this.registry = registry;
    this.common = common;
    this.weights = WEIGHTS.computeIfAbsent(registry, r -> new ConcurrentHashMap<>());
  }

  /**
   * @param registry where the meters go
   * @return the listener
   */
  public static MicrometerSwitchListener of(MeterRegistry registry) {
    return of(registry, Tags.empty());
  }

  /**
   * @param registry where the meters go
   * @param tags added to every meter, e.g. {@code Tags.of("team", "shop")}
   * @return the listener
   */
  public static MicrometerSwitchListener of(MeterRegistry registry, Iterable<Tag> tags) {
    Checks.notNull(registry, "MeterRegistry");
    Checks.notNull(tags, "tags");
    return new MicrometerSwitchListener(registry, Tags.of(tags));
  }

  @Override
  public void onEvent(SwitchEvent event) {
    if (event instanceof SwitchEvent.PlanStarted e) {
      plans.put(e.plan(), new PlanState(e.routeId(), e.at()));
      return;
    }
    PlanState plan = plans.get(event.plan());
    if (plan == null) {
      return; // a plan that started before this listener was added
    }
    Tags route = common.and("route", plan.route);
    if (event instanceof SwitchEvent.SnapshotTaken e) {
      weights(plan.route, route, e.split());
    } else if (event instanceof SwitchEvent.StageStarted e) {
      plan.stage = e.stageNumber();
      plan.stageStartedAt = e.at();
    } else if (event instanceof SwitchEvent.StageVerified e) {
      weights(plan.route, route, e.split());
    } else if (event instanceof SwitchEvent.StageCompleted e) {
      endStage(plan, route, e.at(), "completed");
    } else if (event instanceof SwitchEvent.GateChecked e) {
      Counter.builder("bluegreen.gate.checks").description("Gate verdicts").tags(route).tag("gate", e.gate())
          .tag("status", e.result().status().name().toLowerCase(Locale.ROOT)).register(registry).increment();
    } else if (event instanceof SwitchEvent.RetryScheduled) {
      Counter.builder("bluegreen.retries").description("Router calls retried").tags(route).register(registry).increment();
    } else if (event instanceof SwitchEvent.DriftDetected e) {
      Counter.builder("bluegreen.drift").description("Plans stopped because another writer changed the route").tags(route)
          .register(registry).increment();
      e.actual().ifPresent(split -> weights(plan.route, route, split));
    } else if (event instanceof SwitchEvent.RollbackStarted e) {
      endStage(plan, route, e.at(), "failed");
      plan.rollbackStartedAt = e.at();
    } else if (event instanceof SwitchEvent.RollbackCompleted e) {
      weights(plan.route, route, e.split());
      endRollback(plan, route, e.at(), "completed");
    } else if (event instanceof SwitchEvent.RollbackFailed e) {
      e.lastRead().ifPresent(split -> weights(plan.route, route, split));
      endRollback(plan, route, e.at(), "failed");
    } else if (event instanceof SwitchEvent.PlanFinished e) {
      finish(plan, route, e);
    }
  }

  private void finish(PlanState plan, Tags route, SwitchEvent.PlanFinished e) {
    plans.remove(e.plan(), plan);
    endStage(plan, route, e.at(), "failed");
    endRollback(plan, route, e.at(), "failed");
    e.trafficNow().ifPresent(split -> weights(plan.route, route, split));
    String outcome = outcome(e.outcome());
    Counter.builder("bluegreen.plans").description("Switch plans finished, by outcome").tags(route).tag("outcome", outcome)
        .register(registry).increment();
    Timer.builder("bluegreen.plan.duration").description("From the start of a plan to its end").tags(route).tag("outcome", outcome)
        .register(registry).record(between(plan.startedAt, e.at()));
  }

  private void endStage(PlanState plan, Tags route, Instant at, String result) {
    if (plan.stageStartedAt == null) {
      return;
    }
    Timer.builder("bluegreen.stage.duration").description("From the start of a stage to the end of its bake, or to what stopped it")
        .tags(route).tag("stage", Integer.toString(plan.stage)).tag("result", result).register(registry)
        .record(between(plan.stageStartedAt, at));
    plan.stageStartedAt = null;
  }

  private void endRollback(PlanState plan, Tags route, Instant at, String result) {
    if (plan.rollbackStartedAt == null) {
      return;
    }
    Timer.builder("bluegreen.rollback.duration").description("From the start of a rollback to its verified end, or its failure")
        .tags(route).tag("result", result).register(registry).record(between(plan.rollbackStartedAt, at));
    plan.rollbackStartedAt = null;
  }

  private void weights(String routeId, Tags route, TrafficSplit split) {
    Map<String, AtomicInteger> byEnvironment = weights.computeIfAbsent(common + " " + routeId, r -> new ConcurrentHashMap<>());
    for (Environment env : split.environments()) {
      byEnvironment.computeIfAbsent(env.name(), name -> {
        AtomicInteger holder = new AtomicInteger();
        Gauge.builder("bluegreen.route.weight", holder, AtomicInteger::get).description("Percent of the route's traffic on an environment")
            .baseUnit("percent").tags(route).tag("environment", name).strongReference(true).register(registry);
        return holder;
      });
    }
    // an environment seen before that the split does not name carries no traffic now
    byEnvironment.forEach((name, holder) -> holder.set(split.environments().stream()
        .filter(env -> env.name().equals(name)).findFirst().map(split::weightOf).orElse(0)));
  }

  private static Duration between(Instant from, Instant to) {
    Duration d = Duration.between(from, to);
    return d.isNegative() ? Duration.ZERO : d;
  }

  private static String outcome(Outcome outcome) {
    return outcome.name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return "MicrometerSwitchListener[" + registry.getClass().getSimpleName() + "]";
  }
}
