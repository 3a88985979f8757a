package io.bluegreen.core;

import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.core.event.SwitchListener;
import io.bluegreen.core.internal.RetryingCaller;
import io.bluegreen.core.lock.RouteLock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one execution of a {@link SwitchPlan}. Single-threaded: everything happens on the thread that
 * calls {@link #run()}; only {@link ExecutionControl} is shared with other threads.
 */
final class PlanRunner {

  private static final Logger LOG = LoggerFactory.getLogger(PlanRunner.class);
  private static final Duration FIRST_VERIFY_POLL = Duration.ofMillis(200);
  private static final Duration MAX_VERIFY_POLL = Duration.ofSeconds(5);

  /** Why the forward run stopped. */
  private static final class Stop extends Exception {
    private static final long serialVersionUID = 1L;
    final boolean rollback;
    final boolean drift;

    Stop(String reason, Throwable cause, boolean rollback, boolean drift) {
      super(reason, cause, false, false);
      this.rollback = rollback;
      this.drift = drift;
    }

    static Stop rollback(String reason, Throwable cause) {
      return new Stop(reason, cause, true, false);
    }

    static Stop abort(String reason, Throwable cause) {
      return new Stop(reason, cause, false, false);
    }

    static Stop drift(DriftDetectedException e) {
      return new Stop(e.getMessage(), e, false, true);
    }
  }

  private final SwitchPlan plan;
  private final Router router;
  private final ExecutionControl control;
  private final List<SwitchEvent> timeline = new ArrayList<>();
  private final RetryingCaller forward;
  private final RetryingCaller backward;
  private final Environment from;
  private final Environment to;
  private final TrafficSplit target;

  private Instant startedAt;
  private Instant deadline;
  private RouteLock.Lease lease;
  private TrafficSplit snapshot;
  private TrafficSplit rollbackTarget;
  private TrafficSplit lastKnown;
  private TrafficSplit lastAttempted;
  private TrafficSplit lastRead;
  private boolean lastReadVerified;
  private Instant lastVerifiedAt;
  private boolean anyWriteAttempted;
  private boolean snapshotAccepted;
  private int writes;
  private int stagesCompleted;
  private int currentStage;
  private Duration clientConvergence = Duration.ZERO;
  private boolean interrupted;

  PlanRunner(SwitchPlan plan, ExecutionControl control) {
    this.plan = plan;
    this.router = plan.router();
    this.control = control;
    this.from = plan.from();
    this.to = plan.to();
    this.target = plan.target();
    this.forward = new RetryingCaller(plan.name() + "-forward", plan.retry(), router::isTransient, plan.time(), this::onRetry);
    this.backward = new RetryingCaller(plan.name() + "-rollback", plan.rollbackRetry(), router::isTransient,
        this::sleepThroughInterrupts, this::onRetry);
  }

  // ---------------------------------------------------------------------------------------------
  // execute

  SwitchResult run() {
    startedAt = now();
    deadline = plan.timeout().map(startedAt::plus).orElse(null);
    emit(new SwitchEvent.PlanStarted(startedAt, plan.name(), router.routeId(), from, to, plan.schedule().targetWeights()));
    try {
      try {
        lease = plan.lock().acquire(router.routeId(), plan.owner());
      } catch (LockUnavailableException e) {
        return finish(Outcome.ABORTED, e.getMessage(), e);
      } catch (RuntimeException e) {
        return finish(Outcome.ABORTED, "could not take the lock on " + router.routeId() + ": " + e.getMessage(), e);
      }
      emit(new SwitchEvent.LockAcquired(now(), plan.name(), router.routeId(), lease.owner(), lease.fencingToken()));
      return runLocked();
    } finally {
      if (lease != null) {
        try {
          lease.close();
        } catch (RuntimeException e) {
          LOG.warn("[{}] could not release the lock on {}: {}", plan.name(), router.routeId(), e.toString());
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private SwitchResult runLocked() {
    try {
      forwardRun();
      return finish(Outcome.COMPLETED, completedReason(), null);
    } catch (Stop stop) {
      return afterStop(stop.getMessage(), stop.getCause(), stop.rollback, stop.drift);
    } catch (InterruptedException e) {
      interrupted = true;
      return afterStop("interrupted", e, true, false);
    } catch (RuntimeException e) {
      return afterStop("unexpected failure: " + e, e, true, false);
    }
  }

  private String completedReason() {
    return from.name() + " -> " + to.name() + (writes == 0 ? " already in place, nothing written" : " in " + writes + " write" + (writes == 1 ? "" : "s"));
  }

  private SwitchResult afterStop(String reason, Throwable cause, boolean wantsRollback, boolean drift) {
    if (drift) {
      return finish(Outcome.ABORTED, reason, cause);
    }
    // an explicit rollbackTo (e.g. "all on blue" when resuming after a crash) is restored on any
    // failure, even one before this run's first write, once the route was read and accepted
    boolean explicitTarget = plan.rollbackTo().isPresent() && snapshotAccepted && !snapshot.equals(rollbackTarget)
        && lease != null && lease.isHeld();
    if (explicitTarget || (wantsRollback && anyWriteAttempted)) {
      return rollback(reason, cause);
    }
    return finish(Outcome.ABORTED, reason + (anyWriteAttempted ? "" : "; nothing was written"), cause);
  }

  private void forwardRun() throws Stop, InterruptedException {
    snapshot = read(forward, "read the current split");
    lastKnown = snapshot;
    rollbackTarget = plan.rollbackTo().orElse(snapshot);
    emit(new SwitchEvent.SnapshotTaken(now(), plan.name(), snapshot));
    checkSnapshot(snapshot);
    snapshotAccepted = true;

    List<Stage> stages = plan.schedule().stages();
    int currentTo = snapshot.weightOf(to);
    int first = firstRemainingStage(stages, currentTo);
    stagesCompleted = first;
    if (currentTo > 0 && currentTo < 100) {
      emit(new SwitchEvent.Notice(now(), plan.name(), "resuming: " + snapshot + " is already in place; "
          + (first == 0 ? "continuing with stage 1" : (first == 1 ? "stage 1 is" : "stages 1-" + first + " are") + " behind it, continuing with stage " + (first + 1))));
    }

    PreflightReport report = call(forward, "preflight " + target, () -> router.preflight(target));
    for (String notice : report.notices()) {
      emit(new SwitchEvent.Notice(now(), plan.name(), notice));
    }
    preflightGates(snapshot);
    clientConvergence = report.clientConvergence();
    emit(new SwitchEvent.PreflightPassed(now(), plan.name(), target, clientConvergence));

    runPreSwitchGates();

    if (first == stages.size()) {
      emit(new SwitchEvent.Notice(now(), plan.name(), target + " is already in place: nothing to write"));
      verifyUntil(target, plan.verifyTimeout(), forward, true);
    }
    for (int i = first; i < stages.size(); i++) {
      runStage(i + 1, stages.get(i), i == stages.size() - 1);
    }
    currentStage = 0;
    if (!plan.postSwitchGates().isEmpty()) {
      bake(GateContext.Phase.POST_SWITCH, 0, plan.postSwitchBake(), plan.postSwitchGates());
    }
  }

  private static int firstRemainingStage(List<Stage> stages, int currentTo) {
    int i = 0;
    while (i < stages.size() && stages.get(i).targetWeight() <= currentTo) {
      i++;
    }
    return i;
  }

  private void checkSnapshot(TrafficSplit split) throws Stop {
    for (Environment e : split.receiving()) {
      if (!e.equals(from) && !e.equals(to)) {
        throw Stop.abort("traffic goes to " + e.name() + " (" + split + "), which is not part of this plan (" + from.name()
            + " -> " + to.name() + "): move that traffic first or plan a switch from " + e.name(), null);
      }
    }
  }

  private void runPreSwitchGates() throws Stop, InterruptedException {
    List<HealthGate> gates = plan.preSwitchGates();
    if (gates.isEmpty()) {
      return;
    }
    Instant started = now();
    Instant limit = started.plus(plan.gateGrace());
    while (true) {
      checkAbortAndDeadline();
      Map<HealthGate, GateResult> latest = checkGates(GateContext.Phase.PRE_SWITCH, 0, started, gates);
      for (var e : latest.entrySet()) {
        if (e.getValue().isUnhealthy()) {
          throw Stop.abort("pre-switch gate " + e.getKey().name() + " is UNHEALTHY: " + e.getValue().reason(), null);
        }
      }
      Optional<Map.Entry<HealthGate, GateResult>> pending = firstNotHealthy(latest);
      if (pending.isEmpty()) {
        return;
      }
      Instant t = now();
      if (!t.isBefore(limit)) {
        throw Stop.abort("pre-switch gate " + pending.get().getKey().name() + " still INCONCLUSIVE after " + plan.gateGrace()
            + ": " + pending.get().getValue().reason(), null);
      }
      plan.time().sleep(min(plan.gateInterval(), Duration.between(t, limit)));
    }
  }

  /**
   * Every gate's own read-only preflight (a metric query the server must accept, ...), once, before
   * the first write: a gate that cannot work as configured aborts the plan with nothing written.
   */
  private void preflightGates(TrafficSplit current) throws Stop {
    Set<HealthGate> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    List<HealthGate> all = new ArrayList<>(plan.preSwitchGates());
    all.addAll(plan.gates());
    all.addAll(plan.postSwitchGates());
    GateContext ctx = null;
    for (HealthGate gate : all) {
      if (!seen.add(gate)) {
        continue;
      }
      if (ctx == null) {
        ctx = GateContext.builder().planName(plan.name()).routeId(router.routeId()).phase(GateContext.Phase.PRE_SWITCH)
            .stage(0, plan.schedule().size()).from(from).to(to).split(current).now(now()).build();
      }
      try {
        gate.preflight(ctx);
      } catch (RuntimeException e) {
        throw Stop.abort("gate " + gate.name() + " failed its preflight: " + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
      }
    }
  }

  private void runStage(int number, Stage stage, boolean last) throws Stop, InterruptedException {
    currentStage = number;
    int count = plan.schedule().size();
    TrafficSplit split = TrafficSplit.between(from, to, stage.targetWeight());
    emit(new SwitchEvent.StageStarted(now(), plan.name(), number, count, split));
    if (stage.requiresApproval()) {
      awaitApproval(number, stage, split);
    }
    checkAbortAndDeadline();

    TrafficSplit before = read(forward, "read before stage " + number);
    if (!before.equals(lastKnown) && !before.equals(lastAttempted)) {
      throw drift(new DriftDetectedException(lastKnown, before, router.routeId()));
    }
    lastKnown = before;
    ensureLockHeld();

    boolean written = false;
    Instant writeStarted = now();
    if (!before.equals(split)) {
      anyWriteAttempted = true;
      lastAttempted = split;
      TrafficSplit expectedBefore = before;
      int[] attempt = {0};
      call(forward, "apply " + split, () -> {
        if (attempt[0]++ > 0) {
          recheckBeforeRetry(expectedBefore, split);
        }
        writes++;
        router.apply(split);
        return null;
      });
      written = true;
    }
    emit(new SwitchEvent.StageApplied(now(), plan.name(), number, split, written));
    verifyUntil(split, plan.verifyTimeout(), forward, true);
    lastKnown = split;
    emit(new SwitchEvent.StageVerified(now(), plan.name(), number, split, Duration.between(writeStarted, now())));

    Duration hold = stage.hold();
    if (last && plan.waitsForClientConvergence() && clientConvergence.compareTo(hold) > 0) {
      emit(new SwitchEvent.Notice(now(), plan.name(), "baking the final stage " + clientConvergence
          + " (not " + hold + ") so that clients follow the change before the plan reports COMPLETED"));
      hold = clientConvergence;
    }
    bake(GateContext.Phase.STAGE, number, hold, plan.gates());
    stagesCompleted = number;
    emit(new SwitchEvent.StageCompleted(now(), plan.name(), number, split));
  }

  /**
   * Before a retried write: read again and make sure nobody else changed the route meanwhile (a
   * retry must not overwrite another writer). If the failed attempt landed after all, the retry
   * still goes to the router, which writes nothing when the split is in place but may need the call
   * (Route 53 re-sends a write whose reply was lost, to get a change id to wait INSYNC on).
   */
  private void recheckBeforeRetry(TrafficSplit expectedBefore, TrafficSplit target) {
    TrafficSplit now = router.current();
    lastRead = now;
    lastReadVerified = false;
    if (!now.equals(target) && !now.equals(expectedBefore)) {
      throw new DriftDetectedException(expectedBefore, now, router.routeId());
    }
  }

  private Stop drift(DriftDetectedException e) {
    emit(new SwitchEvent.DriftDetected(now(), plan.name(), e.expected(), e.actual(), e.found()));
    lastRead = e.actual().orElse(null);
    lastReadVerified = false;
    return Stop.drift(e);
  }

  private void awaitApproval(int number, Stage stage, TrafficSplit split) throws Stop, InterruptedException {
    Instant approvalDeadline = stage.approvalTimeout().map(now()::plus).orElse(null);
    boolean planDeadlineFirst = deadline != null && (approvalDeadline == null || deadline.isBefore(approvalDeadline));
    Instant limit = planDeadlineFirst ? deadline : approvalDeadline;
    control.requestApproval(number);
    emit(new SwitchEvent.ApprovalRequested(now(), plan.name(), number, split, stage.approvalTimeout()));
    ExecutionControl.Decision decision = control.awaitApproval(limit, plan.time());
    switch (decision) {
      case APPROVED -> emit(new SwitchEvent.ApprovalGranted(now(), plan.name(), number));
      case ABORTED -> throw Stop.rollback("aborted while waiting for approval of stage " + number + ": "
          + control.abortReason().orElse("no reason given"), null);
      case TIMED_OUT -> throw Stop.rollback(planDeadlineFirst
          ? "plan timed out after " + plan.timeout().orElseThrow() + " while waiting for approval of stage " + number
          : "approval of stage " + number + " was not given within " + stage.approvalTimeout().orElseThrow(), null);
      case UNANSWERABLE -> throw Stop.rollback("stage " + number + " waits for approval without a timeout, but the plan runs"
          + " through execute(), which gives nobody a handle to approve it: run it with start() and call"
          + " SwitchExecution.approve(), or give the approval a timeout", null);
      default -> throw new IllegalStateException(decision.name());
    }
  }

  private void bake(GateContext.Phase phase, int number, Duration hold, List<HealthGate> gates) throws Stop, InterruptedException {
    Instant started = now();
    Instant bakeEnd = started.plus(hold);
    Instant graceEnd = bakeEnd.plus(plan.gateGrace());
    String where = phase == GateContext.Phase.STAGE ? "stage " + number + "/" + plan.schedule().size() : "post-switch bake";
    while (true) {
      checkAbortAndDeadline();
      Map<HealthGate, GateResult> latest = checkGates(phase, number, started, gates);
      for (var e : latest.entrySet()) {
        if (e.getValue().isUnhealthy()) {
          throw Stop.rollback("gate " + e.getKey().name() + " UNHEALTHY during " + where + ": " + e.getValue().reason(), null);
        }
      }
      Instant t = now();
      Optional<Map.Entry<HealthGate, GateResult>> pending = firstNotHealthy(latest);
      if (!t.isBefore(bakeEnd)) {
        if (pending.isEmpty()) {
          return;
        }
        if (!t.isBefore(graceEnd)) {
          throw Stop.rollback("gate " + pending.get().getKey().name() + " still INCONCLUSIVE " + plan.gateGrace()
              + " after the bake of " + where + " ended: " + pending.get().getValue().reason(), null);
        }
      }
      Duration untilNext = t.isBefore(bakeEnd) ? Duration.between(t, bakeEnd) : Duration.between(t, graceEnd);
      plan.time().sleep(min(plan.gateInterval(), untilNext));
    }
  }

  private Map<HealthGate, GateResult> checkGates(GateContext.Phase phase, int number, Instant phaseStarted, List<HealthGate> gates) {
    Map<HealthGate, GateResult> results = new LinkedHashMap<>();
    if (gates.isEmpty()) {
      return results;
    }
    GateContext ctx = GateContext.builder().planName(plan.name()).routeId(router.routeId()).phase(phase)
        .stage(number, plan.schedule().size()).from(from).to(to).split(lastKnown).now(now()).phaseStartedAt(phaseStarted).build();
    for (HealthGate gate : gates) {
      GateResult r;
      try {
        r = gate.check(ctx);
        if (r == null) {
          r = GateResult.inconclusive("gate returned null");
        }
      } catch (RuntimeException e) {
        r = GateResult.inconclusive("gate threw " + e);
      }
      results.put(gate, r);
      emit(new SwitchEvent.GateChecked(now(), plan.name(), phase, number, gate.name(), r));
      if (r.isUnhealthy()) {
        break;
      }
    }
    return results;
  }

  private static Optional<Map.Entry<HealthGate, GateResult>> firstNotHealthy(Map<HealthGate, GateResult> latest) {
    return latest.entrySet().stream().filter(e -> !e.getValue().isHealthy()).findFirst();
  }

  private void checkAbortAndDeadline() throws Stop, InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    Optional<String> abort = control.abortReason();
    if (abort.isPresent()) {
      throw Stop.rollback("aborted: " + abort.get(), null);
    }
    if (deadline != null && !now().isBefore(deadline)) {
      throw Stop.rollback("plan timed out after " + plan.timeout().orElseThrow(), null);
    }
  }

  private void ensureLockHeld() throws Stop {
    if (!lease.isHeld()) {
      throw Stop.abort("lost the lock on " + router.routeId() + lossReason() + " (another plan may own the route now); stopping without writing", null);
    }
  }

  /** @return ": why" when the lease says why it is no longer held, else "" */
  private String lossReason() {
    try {
      return lease.lossReason().map(r -> ": " + r).orElse("");
    } catch (RuntimeException e) {
      return "";
    }
  }

  // ---------------------------------------------------------------------------------------------
  // verify

  private void verifyUntil(TrafficSplit expected, Duration bound, RetryingCaller caller, boolean forwardPhase)
      throws Stop, InterruptedException {
    Instant limit = now().plus(bound);
    Duration poll = FIRST_VERIFY_POLL;
    while (true) {
      if (forwardPhase && deadline != null && !now().isBefore(deadline)) {
        throw Stop.rollback("plan timed out after " + plan.timeout().orElseThrow() + " while verifying " + expected, null);
      }
      Verification v = call(caller, "verify " + expected, () -> router.verify(expected));
      if (v.status() == Verification.Status.UNSUPPORTED) {
        v = Verification.compare(expected, read(caller, "read back " + expected));
      }
      v.observed().ifPresent(o -> lastRead = o);
      if (v.isVerified()) {
        lastRead = v.observed().orElse(expected);
        lastReadVerified = true;
        lastVerifiedAt = now();
        return;
      }
      lastReadVerified = false;
      Instant t = now();
      if (!t.isBefore(limit)) {
        throw Stop.rollback(expected + " was not verified within " + bound + ": " + v.detail(), null);
      }
      (forwardPhase ? plan.time() : (Sleeper) this::sleepThroughInterrupts).sleep(min(poll, Duration.between(t, limit)));
      poll = min(poll.multipliedBy(2), MAX_VERIFY_POLL);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // rollback

  private SwitchResult rollback(String reason, Throwable cause) {
    if (Thread.interrupted()) {
      interrupted = true;
    }
    emit(new SwitchEvent.RollbackStarted(now(), plan.name(), reason, rollbackTarget));
    TrafficSplit before = null;
    try {
      before = backward.call("read before rollback", router::current);
      lastRead = before;
      lastReadVerified = false;
    } catch (RuntimeException e) {
      emit(new SwitchEvent.Notice(now(), plan.name(), "could not read the route before rolling back (" + e.getMessage()
          + "); writing the rollback anyway"));
    } catch (InterruptedException e) {
      interrupted = true;
    }
    if (before != null && !before.equals(rollbackTarget) && !before.equals(lastKnown) && !before.equals(lastAttempted)) {
      DriftDetectedException e = new DriftDetectedException(lastKnown, before, router.routeId());
      drift(e);
      return finish(Outcome.ABORTED, reason + "; did not roll back because " + e.getMessage(), e);
    }
    if (!lease.isHeld()) {
      return finish(Outcome.ABORTED, reason + "; did not roll back because the lock on " + router.routeId()
          + " was lost" + lossReason() + " (another plan may own the route now)", cause);
    }
    try {
      if (before == null || !before.equals(rollbackTarget)) {
        TrafficSplit forwardAttempt = lastAttempted;
        TrafficSplit found = before;
        lastAttempted = rollbackTarget;
        int[] attempt = {0};
        backward.call("rollback to " + rollbackTarget, () -> {
          if (attempt[0]++ > 0 && found != null) {
            TrafficSplit now = router.current();
            lastRead = now;
            if (!now.equals(rollbackTarget) && !now.equals(found) && !now.equals(forwardAttempt)) {
              throw new DriftDetectedException(found, now, router.routeId());
            }
          }
          writes++;
          router.apply(rollbackTarget);
          return null;
        });
      }
      verifyUntil(rollbackTarget, plan.rollbackVerifyTimeout(), backward, false);
      lastKnown = rollbackTarget;
      emit(new SwitchEvent.RollbackCompleted(now(), plan.name(), rollbackTarget));
      return finish(Outcome.ROLLED_BACK, reason + "; restored " + rollbackTarget, cause);
    } catch (DriftDetectedException e) {
      drift(e);
      return finish(Outcome.ABORTED, reason + "; did not roll back because " + e.getMessage(), e);
    } catch (RuntimeException | Stop | InterruptedException e) {
      if (e instanceof InterruptedException) {
        interrupted = true;
      }
      lastReadVerified = false;
      try {
        lastRead = backward.call("read after failed rollback", router::current);
      } catch (RuntimeException | InterruptedException readFailure) {
        LOG.debug("[{}] read after failed rollback failed too: {}", plan.name(), readFailure.toString());
      }
      String why = e.getMessage() == null ? e.toString() : e.getMessage();
      emit(new SwitchEvent.RollbackFailed(now(), plan.name(), why, Optional.ofNullable(lastRead)));
      return finish(Outcome.ROLLBACK_FAILED, reason + "; rollback to " + rollbackTarget + " failed: " + why
          + ". Restore it by hand", e);
    }
  }

  /** Rollback waits are not cut short by an interrupt: a rollback left half-done is worse than a late one. */
  private void sleepThroughInterrupts(Duration d) {
    try {
      plan.time().sleep(d);
    } catch (InterruptedException e) {
      interrupted = true;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // dry run

  DryRunReport dryRun() {
    try {
      TrafficSplit current = read(forward, "read the current split");
      checkSnapshot(current);
      PreflightReport report = call(forward, "preflight " + target, () -> router.preflight(target));
      preflightGates(current);
      List<Stage> stages = plan.schedule().stages();
      List<DryRunReport.PlannedWrite> writesPlanned = new ArrayList<>();
      TrafficSplit before = current;
      for (int i = firstRemainingStage(stages, current.weightOf(to)); i < stages.size(); i++) {
        Stage s = stages.get(i);
        TrafficSplit after = TrafficSplit.between(from, to, s.targetWeight());
        Duration hold = s.hold();
        if (i == stages.size() - 1 && plan.waitsForClientConvergence() && report.clientConvergence().compareTo(hold) > 0) {
          hold = report.clientConvergence();
        }
        writesPlanned.add(new DryRunReport.PlannedWrite(i + 1, before, after, hold, s.requiresApproval()));
        before = after;
      }
      return new DryRunReport(plan.name(), router.routeId(), current, target, plan.rollbackTo().orElse(current), writesPlanned,
          report.notices(), report.clientConvergence());
    } catch (Stop stop) {
      throw stop.getCause() instanceof BlueGreenException b ? b : new PreflightException(stop.getMessage(), stop.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BlueGreenException("dry run of " + plan.name() + " interrupted", e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // router calls

  private TrafficSplit read(RetryingCaller caller, String what) throws Stop, InterruptedException {
    TrafficSplit split = call(caller, what, router::current);
    if (split == null) {
      throw Stop.rollback(router.routeId() + " returned no split from current(): the router is broken", null);
    }
    lastRead = split;
    lastReadVerified = false;
    return split;
  }

  private <T> T call(RetryingCaller caller, String what, Supplier<T> call) throws Stop, InterruptedException {
    try {
      return caller.call(what, call);
    } catch (DriftDetectedException e) {
      throw drift(e);
    } catch (PreflightException | InvalidConfigurationException e) {
      throw Stop.abort(e.getMessage(), e);
    } catch (RuntimeException e) {
      String retried = router.isTransient(e) ? " (still failing after " + (caller == forward ? plan.retry() : plan.rollbackRetry()).maxAttempts() + " attempts)" : "";
      throw Stop.rollback(what + " failed" + retried + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
    }
  }

  private void onRetry(String operation, int attempt, Duration wait, Throwable failure) {
    emit(new SwitchEvent.RetryScheduled(now(), plan.name(), operation, attempt, wait,
        failure.getMessage() == null ? failure.toString() : failure.getMessage()));
  }

  // ---------------------------------------------------------------------------------------------
  // results and events

  private SwitchResult finish(Outcome outcome, String reason, Throwable cause) {
    Instant finishedAt = now();
    SwitchResult.Builder b = SwitchResult.builder();
    b.planName = plan.name();
    b.routeId = router.routeId();
    b.outcome = outcome;
    b.reason = reason;
    b.cause = cause;
    b.snapshot = snapshot;
    b.target = target;
    b.trafficNow = lastRead;
    b.trafficNowVerified = lastReadVerified && lastRead != null;
    b.stagesCompleted = stagesCompleted;
    b.stageCount = plan.schedule().size();
    b.failedStage = outcome == Outcome.COMPLETED ? 0 : currentStage;
    b.writes = writes;
    b.startedAt = startedAt;
    b.finishedAt = finishedAt;
    b.clientsFollowBy = b.trafficNowVerified && lastVerifiedAt != null && outcome != Outcome.ABORTED
        ? lastVerifiedAt.plus(clientConvergence) : null;
    b.clientConvergence = clientConvergence;
    String summary = b.build().summary();
    emit(new SwitchEvent.PlanFinished(finishedAt, plan.name(), outcome, Optional.ofNullable(lastRead), summary));
    b.timeline = List.copyOf(timeline);
    return b.build();
  }

  private void emit(SwitchEvent event) {
    timeline.add(event);
    for (SwitchListener listener : plan.listeners()) {
      try {
        listener.onEvent(event);
      } catch (RuntimeException e) {
        LOG.warn("[{}] listener {} failed on {}: {}", plan.name(), listener, event.getClass().getSimpleName(), e.toString());
      }
    }
  }

  private Instant now() {
    return plan.time().instant();
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
