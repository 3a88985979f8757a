package io.bluegreen.core.drain;

import io.bluegreen.core.Checks;
import io.bluegreen.core.Environment;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * When the environment that lost its traffic (the source after a completed switch, the target after
 * a rollback) is safe to take down, from what the backend knows and, when the plan waited for it,
 * what the drain gates saw. Immutable.
 *
 * <pre>{@code
 * SwitchResult result = plan.execute();
 * result.drain().ifPresent(d -> log.info("{} safe to remove {}", d.environment(),
 *     d.drainedAt().map(t -> "since " + t).orElse("after " + d.windowEndsAt() + " (not confirmed)")));
 * }</pre>
 *
 * @param environment the environment that is draining
 * @param since when the split without it was verified: no new traffic is sent to it from then on
 * @param window how long it may keep serving after that ({@link DrainEstimate#window()}: stickiness,
 *     deregistration delay, termination grace, DNS TTL)
 * @param basis what the window is based on
 * @param drainedAt when the plan confirmed it drained: the window had passed and every drain gate was
 *     HEALTHY; empty when the plan did not wait, or the drain was not confirmed within its bound
 * @param notConfirmed why the drain was not confirmed, when the plan waited and it was not
 */
public record DrainReport(Environment environment, Instant since, Duration window, List<String> basis, Optional<Instant> drainedAt,
    Optional<String> notConfirmed) {

  /** Checks and copies. */
  public DrainReport {
    Checks.notNull(environment, "environment");
    Checks.notNull(since, "since");
    Checks.nonNegative(window, "window");
    basis = List.copyOf(Checks.notNull(basis, "basis"));
    Checks.notNull(drainedAt, "drainedAt");
    Checks.notNull(notConfirmed, "notConfirmed");
  }

  /** @return {@link #since()} plus {@link #window()}: when the backend's own limits say it serves nothing more */
  public Instant windowEndsAt() {
    return since.plus(window);
  }

  /** @return whether the plan confirmed the drain */
  public boolean isConfirmed() {
    return drainedAt.isPresent();
  }

  /** @return one line, e.g. "blue drained at 2026-...Z (window 30s: terminationGracePeriodSeconds 30 of app-blue)" */
  public String describe() {
    String how = "window " + window.getSeconds() + "s" + (basis.isEmpty() ? "" : ": " + String.join("; ", basis));
    if (drainedAt.isPresent()) {
      return environment.name() + " drained at " + drainedAt.get() + " (" + how + ")";
    }
    return environment.name() + " safe to take down after " + windowEndsAt() + " (" + how + ")"
        + notConfirmed.map(r -> "; not confirmed: " + r).orElse("");
  }
}
