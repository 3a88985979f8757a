package io.bluegreen.core;

import io.bluegreen.core.drain.DrainEstimate;
import io.bluegreen.core.drain.DrainReport;
import io.bluegreen.core.drain.DrainWindow;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.core.event.SwitchListener;
import io.bluegreen.core.internal.RetryingCaller;
import io.bluegreen.core.lock.RouteLock;
import io.bluegreen.core.preview.PreviewEndpoint;
import io.bluegreen.core.preview.PreviewRequest;
import io.bluegreen.core.preview.PreviewRoute;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one execution of a {@link SwitchPlan}. Single-threaded: everything happens on the thread that
 * calls {@link #run()}; only {@link ExecutionControl} is shared with other threads.
 *
 * <p>What it reads is recorded as a {@link TrafficObservation} (the result's traffic report); every
 * read is compared with what the plan last wrote, verified or found, and anything else — another
 * split or a state no environment maps to — is drift: the plan stops without writing over it.
 */
final class PlanRunner {

  /** Diagnostics log under the public {@code io.bluegreen.core.SwitchPlan} category (the progress log is io.bluegreen.switch). */
  private static final Logger LOG = LoggerFactory.getLogger(SwitchPlan.class);
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

  /** Thrown instead of a write when the route lock is no longer held; never retried. */
  private static final class LockLost extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LockLost(String routeId, String lossReason) {
      super("the lock on " + routeId + " was lost" + lossReason + " (another plan may own the route now)", null, false, false);
    }
  }

  private final SwitchPlan plan;
  private final Router router;
  private final ExecutionControl control;
  private final TimeSource time;
  private final List<SwitchEvent> timeline = new ArrayList<>();
  private final RetryingCaller forward;
  private final RetryingCaller backward;
  private final Environment from;
  private final Environment to;
  private final TrafficSplit target;
  /** Whether the router writes through its own guarded {@link Router#applyIfUnchanged} (no read before, no read back). */
  private final boolean routerGuarded;

  private Instant startedAt;
  private Instant deadline;
  private RouteLock.Lease lease;
  private TrafficSplit snapshot;
  private TrafficSplit rollbackTarget;
  /** What this plan last wrote and verified, or found: every read is compared with it. */
  private TrafficSplit lastKnown;
  /** The split this plan last tried to write. */
  private TrafficSplit lastAttempted;
  /** The split the route held at this plan's latest knowledge: its last successful read, or its last write that landed. */
  private TrafficSplit lastSeenOrWritten;
  /** A split whose write was attempted without an answer saying it landed; a read showing it counts the write. */
  private TrafficSplit pendingWrite;
  /** The split the router last verified, until the next write attempt. */
  private TrafficSplit verifiedSplit;
  private Instant lastVerifiedAt;
  private TrafficObservation traffic = TrafficObservation.notRead();
  private boolean snapshotAccepted;
  private int writes;
  private int writeAttempts;
  private int stagesCompleted;
  private int currentStage;
  private Duration clientConvergence = Duration.ZERO;
  private boolean interrupted;
  /** The preview this run works on (set once it starts writing it), what it opened, and how closing went. */
  private PreviewRequest previewRequest;
  /** Values the engine holds that no output may carry: the preview header's value, once the preview is known. */
  private final List<String> knownSecrets = new ArrayList<>();
  private PreviewEndpoint previewEndpoint;
  private boolean previewStarted;
  private boolean previewClosed;
  private String previewLeftOpen;
  private Environment draining;
  private DrainReport drain;

  PlanRunner(SwitchPlan plan, ExecutionControl control) {
    this.plan = plan;
    this.router = plan.router();
    this.control = control;
    this.time = plan.time();
    this.from = plan.from();
    this.to = plan.to();
    this.target = plan.target();
    this.routerGuarded = router.capabilities().writeGuard().isRouterGuarded();
    this.forward = new RetryingCaller(plan.name() + "-forward", plan.retry(), this::isTransient, time, this::onRetry);
    this.backward = new RetryingCaller(plan.name() + "-rollback", plan.rollbackRetry(), this::isTransient,
        this::sleepThroughInterrupts, this::onRetry);
  }

  private boolean isTransient(Throwable failure) {
    return !(failure instanceof LockLost) && !(failure instanceof UnmappedRouteStateException) && router.isTransient(failure);
  }

  // ---------------------------------------------------------------------------------------------
  // execute

  SwitchResult run() {
    startedAt = now();
    deadline = plan.timeout().map(startedAt::plus).orElse(null);
    emit(new SwitchEvent.PlanStarted(startedAt, plan.name(), router.routeId(), from, to, plan.schedule().targetWeights()));
    try {
      try {
        lease = plan.lock().acquire(router.routeId(), executionOwner());
      } catch (LockUnavailableException e) {
        return finish(Outcome.ABORTED, e.getMessage(), e);
      } catch (RuntimeException e) {
        return finish(Outcome.ABORTED, "could not take the lock on " + router.routeId() + ": " + message(e), e);
      }
      emit(new SwitchEvent.LockAcquired(now(), plan.name(), router.routeId(), lease.owner(), lease.fencingToken()));
      return runLocked();
    } finally {
      if (lease != null) {
        try {
          lease.close();
        } catch (RuntimeException e) {
          LOG.warn("[{}] could not release the lock on {}: {}", plan.name(), router.routeId(), Redaction.text(e.toString()));
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The plan's owner, or by default name@pid@host with a short random suffix, so that no two executions share an identity. */
  private String executionOwner() {
    if (plan.hasExplicitOwner()) {
      return plan.owner();
    }
    byte[] suffix = new byte[3];
    ThreadLocalRandom.current().nextBytes(suffix);
    return plan.owner() + "/" + HexFormat.of().formatHex(suffix);
  }

  private SwitchResult runLocked() {
    try {
      forwardRun();
      closePreview();
      drain(from);
      return finish(Outcome.COMPLETED, completedReason(), null);
    } catch (Stop stop) {
      return afterStop(stop.getMessage(), stop.getCause(), stop.rollback, stop.drift);
    } catch (InterruptedException e) {
      interrupted = true;
      String where = e.getMessage() != null && (e.getMessage().startsWith("while ") || e.getMessage().startsWith("during "))
          ? " " + e.getMessage() : "";
      return afterStop("interrupted" + where, e, true, false);
    } catch (RuntimeException e) {
      return afterStop("unexpected failure: " + Redaction.text(e.toString()), e, true, false);
    }
  }

  private String completedReason() {
    return from.name() + " -> " + to.name() + (writes == 0 && writeAttempts == 0 ? " already in place, nothing written"
        : " in " + SwitchResult.writesInWords(writes, writeAttempts));
  }

  private SwitchResult afterStop(String reason, Throwable cause, boolean wantsRollback, boolean drift) {
    if (drift) {
      return finish(Outcome.ABORTED, reason, cause);
    }
    // an explicit rollbackTo (e.g. "all on blue" when resuming after a crash) is restored on any
    // failure, even one before this run's first write, once the route was read and accepted
    boolean explicitTarget = plan.rollbackTo().isPresent() && snapshotAccepted && !snapshot.equals(rollbackTarget)
        && lease != null && lease.isHeld();
    if (explicitTarget) {
      return rollback(reason, cause, null);
    }
    if (!wantsRollback || writeAttempts == 0) {
      return finish(Outcome.ABORTED, writeAttempts == 0 ? withNothingWritten(reason) : reason, cause);
    }
    TrafficSplit now = null;
    if (writes == 0) {
      // every write attempt failed: read whether one landed before deciding to roll back
      if (Thread.interrupted()) {
        interrupted = true;
      }
      try {
        now = backward.call("read after the failed write", this::readRoute);
        if (writes == 0 && now.equals(lastKnown)) {
          return finish(Outcome.ABORTED, reason + "; nothing changed: " + router.routeId() + " still holds " + now + " as found", cause);
        }
        if (!now.equals(lastAttempted) && !now.equals(lastKnown)) {
          return notRolledBack(reason, new DriftDetectedException(lastKnown, now, router.routeId()));
        }
      } catch (UnmappedRouteStateException e) {
        return notRolledBack(reason, DriftDetectedException.unmapped(lastKnown, e));
      } catch (RuntimeException e) {
        LOG.debug("[{}] could not read the route after a failed write ({}): rolling back to be safe", plan.name(), Redaction.text(e.toString()));
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    return rollback(reason, cause, now);
  }

  private static String withNothingWritten(String reason) {
    return reason.toLowerCase(Locale.ROOT).contains("nothing was written") ? reason : reason + "; nothing was written";
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
      info("resuming: " + snapshot + " is already in place; "
          + (first == 0 ? "continuing with stage 1" : (first == 1 ? "stage 1 is" : "stages 1-" + first + " are") + " behind it, continuing with stage " + (first + 1)));
    }

    Instant preSwitchLimit = now().plus(plan.gateGrace());
    PreflightReport report = preflightWithinGrace(preSwitchLimit);
    for (String notice : report.notices()) {
      emit(new SwitchEvent.Notice(now(), plan.name(), notice, SwitchEvent.Notice.Level.WARN));
    }
    preflightGates(snapshot);
    PreviewRoute previewRoute = plan.preview().orElse(null);
    if (previewRoute != null) {
      knowSecretsOf(call(forward, "preflight " + previewRoute.describe(), () -> previewRoute.preflight(previewRequest())));
    }
    clientConvergence = report.clientConvergence();
    emit(new SwitchEvent.PreflightPassed(now(), plan.name(), target, clientConvergence));

    if (previewRoute != null) {
      openPreview(previewRoute);
      runPreviewGates();
      preSwitchLimit = now().plus(plan.gateGrace()); // the preview gates took their own grace
    }
    runPreSwitchGates(preSwitchLimit);

    if (first == stages.size()) {
      info(target + " is already in place: nothing to write");
      verifyUntil(target, plan.verifyTimeout(), forward, true);
    }
    for (int i = first; i < stages.size(); i++) {
      runStage(i + 1, stages.get(i), i == stages.size() - 1);
    }
    currentStage = 0;
    if (!plan.postSwitchGates().isEmpty()) {
      bake(GateContext.Phase.POST_SWITCH, 0, plan.postSwitchBake(), plan.postSwitchGates());
    }
    checkRoute("at the final read");
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

  /**
   * The router's read-only preflight. A target that is not ready yet ({@link
   * PreflightException#isNotReady()}) is checked again every gate interval until {@code limit}
   * (the plan's gate grace); anything else stops at once.
   */
  private PreflightReport preflightWithinGrace(Instant limit) throws Stop, InterruptedException {
    boolean told = false;
    while (true) {
      checkAbortAndDeadline();
      PreflightException[] notReady = {null};
      PreflightReport report = call(forward, "preflight " + target, () -> {
        try {
          return router.preflight(target);
        } catch (PreflightException e) {
          if (!e.isNotReady()) {
            throw e;
          }
          notReady[0] = e;
          return null;
        }
      });
      if (notReady[0] == null) {
        return report == null ? PreflightReport.ok() : report;
      }
      Instant t = now();
      if (!t.isBefore(limit)) {
        throw Stop.abort((plan.gateGrace().isZero() ? "" : "not ready within the gate grace of " + plan.gateGrace() + ": ")
            + notReady[0].getMessage(), notReady[0]);
      }
      if (!told) {
        told = true;
        info("waiting up to " + Duration.between(t, limit) + " (gateGrace) for the target to become ready, checking every "
            + plan.gateInterval() + ": " + notReady[0].getMessage());
      }
      time.sleep(min(plan.gateInterval(), Duration.between(t, limit)));
    }
  }

  private void runPreSwitchGates(Instant limit) throws Stop, InterruptedException {
    List<HealthGate> gates = plan.preSwitchGates();
    if (gates.isEmpty()) {
      return;
    }
    Instant started = now();
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
      time.sleep(min(plan.gateInterval(), Duration.between(t, limit)));
    }
  }

  /**
   * Every gate's own read-only preflight (a metric query the server must accept, ...), once, before
   * the first write: a gate that cannot work as configured aborts the plan with nothing written.
   */
  private void preflightGates(TrafficSplit current) throws Stop, InterruptedException {
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
        throwIfInterrupted("while checking gate " + gate.name() + " before the first write");
        throw Stop.abort("gate " + gate.name() + " failed its preflight: " + message(e), e);
      }
      throwIfInterrupted("while checking gate " + gate.name() + " before the first write");
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
    if (routerGuarded) {
      runGuardedStage(number, split);
    } else {
      runEngineGuardedStage(number, split);
    }

    Duration hold = stage.hold();
    if (last && plan.waitsForClientConvergence() && clientConvergence.compareTo(hold) > 0) {
      info("baking the final stage " + clientConvergence + " (not " + hold + ") so that clients follow the change before the plan"
          + " reports COMPLETED");
      hold = clientConvergence;
    }
    bake(GateContext.Phase.STAGE, number, hold, plan.gates());
    stagesCompleted = number;
    emit(new SwitchEvent.StageCompleted(now(), plan.name(), number, split));
  }

  /**
   * A stage on a router that guards its own writes ({@link WriteGuard#READ_THEN_WRITE} or {@link
   * WriteGuard#CONDITIONAL}): no read before the write — the router's guard is the drift check —
   * and the state in the write's response is the verification when it says VERIFIED (otherwise
   * {@code verify} is polled as usual).
   */
  private void runGuardedStage(int number, TrafficSplit split) throws Stop, InterruptedException {
    ensureLockHeld();
    Instant writeStarted = now();
    int writesBefore = writes;
    String what = "apply " + split;
    WriteResult result;
    try {
      result = guardedWrites(forward, what, split, lastKnown, null, WritePurpose.STAGE);
    } catch (RuntimeException e) {
      throw stopFor(forward, what, e);
    }
    throwIfInterrupted("while writing " + split);
    emit(new SwitchEvent.StageApplied(now(), plan.name(), number, split, writes > writesBefore));
    if (!verifiedByWrite(split, result)) {
      verifyUntil(split, plan.verifyTimeout(), forward, true);
    }
    lastKnown = split;
    emit(new SwitchEvent.StageVerified(now(), plan.name(), number, split, Duration.between(writeStarted, now())));
  }

  /**
   * Takes a guarded write's answer as the verification when it says the backend serves {@code split}.
   *
   * @return true if verified; false if {@code verify} must be polled
   */
  private boolean verifiedByWrite(TrafficSplit split, WriteResult result) {
    Verification v = result.verification();
    TrafficSplit observed = v.observed().orElse(v.isVerified() ? split : null);
    if (v.isVerified() && split.equals(observed)) {
      verifiedSplit = split;
      lastVerifiedAt = now();
    }
    if (observed != null) {
      observe(observed);
    }
    return verifiedSplit != null;
  }

  /** A stage on a router without a write guard of its own: read (drift check), apply, verify. */
  private void runEngineGuardedStage(int number, TrafficSplit split) throws Stop, InterruptedException {
    TrafficSplit before = read(forward, "read before stage " + number);
    if (!before.equals(lastKnown) && !before.equals(lastAttempted)) {
      throw drift(new DriftDetectedException(lastKnown, before, router.routeId()));
    }
    lastKnown = before;
    ensureLockHeld();

    boolean written = false;
    Instant writeStarted = now();
    if (!before.equals(split)) {
      String what = "apply " + split;
      try {
        attemptWrites(forward, what, split, before, null);
      } catch (RuntimeException e) {
        throw stopFor(forward, what, e);
      }
      throwIfInterrupted("while writing " + split);
      written = true;
    }
    emit(new SwitchEvent.StageApplied(now(), plan.name(), number, split, written));
    verifyUntil(split, plan.verifyTimeout(), forward, true);
    lastKnown = split;
    emit(new SwitchEvent.StageVerified(now(), plan.name(), number, split, Duration.between(writeStarted, now())));
  }

  /**
   * Writes {@code split}: one router call per attempt, as many attempts as {@code caller}'s policy
   * allows. Immediately before every attempt the route lock must still be held. Before every retry
   * the route is read again: a split that is neither {@code found} (nor {@code alsoAccepted}) nor the
   * one being written is drift (a retry must not overwrite another writer); the split being written
   * means the failed attempt landed after all (it counts as the write), and the retry still goes to
   * the router, which writes nothing when the split is in place but may need the call (Route 53
   * re-sends a write whose reply was lost, to get a change id to wait INSYNC on).
   *
   * @param found the split read before the first attempt; null if it could not be read (then retries do not re-read)
   */
  private void attemptWrites(RetryingCaller caller, String what, TrafficSplit split, TrafficSplit found, TrafficSplit alsoAccepted)
      throws InterruptedException {
    verifiedSplit = null;
    lastAttempted = split;
    boolean[] landed = {false};
    int[] attempt = {0};
    caller.call(what, () -> {
      if (attempt[0]++ > 0 && found != null) {
        TrafficSplit now = readRoute();
        if (now.equals(split)) {
          landed[0] = true;
        } else if (!now.equals(found) && !now.equals(alsoAccepted)) {
          throw new DriftDetectedException(found, now, router.routeId());
        }
      }
      if (!lease.isHeld()) {
        throw new LockLost(router.routeId(), lossReason());
      }
      writeAttempts++;
      if (!landed[0]) {
        pendingWrite = split;
      }
      router.apply(split);
      if (!landed[0]) {
        landed[0] = true;
        writeLanded(split);
      }
      return null;
    });
  }

  /**
   * Writes {@code split} through the router's own guarded write ({@link
   * Router#applyIfUnchanged}): one router call per attempt, the lock checked immediately before
   * every attempt. Before every retry the route is read again, as {@link #attemptWrites} does. A
   * guard that finds {@code alsoAccepted} (the split of an earlier attempt whose reply was lost) is
   * not drift: the write is made again from there, once.
   *
   * @param expected the split the route should hold now
   * @param alsoAccepted another split the route may hold without anyone else having written, or null
   * @return the router's answer
   */
  private WriteResult guardedWrites(RetryingCaller caller, String what, TrafficSplit split, TrafficSplit expected,
      TrafficSplit alsoAccepted, WritePurpose purpose) throws InterruptedException {
    verifiedSplit = null;
    lastAttempted = split;
    TrafficSplit earlierPending = pendingWrite; // an attempt before this call whose reply was lost
    boolean[] landed = {false};
    int[] attempt = {0};
    TrafficSplit[] believed = {expected};
    return caller.call(what, () -> {
      if (attempt[0]++ > 0) {
        TrafficSplit now = readRoute();
        if (now.equals(split)) {
          landed[0] = true;
        } else if (!now.equals(believed[0]) && !now.equals(alsoAccepted)) {
          throw new DriftDetectedException(believed[0], now, router.routeId());
        }
        believed[0] = now;
      }
      boolean acceptedOnce = false;
      while (true) {
        if (!lease.isHeld()) {
          throw new LockLost(router.routeId(), lossReason());
        }
        writeAttempts++;
        if (!landed[0]) {
          pendingWrite = split;
        }
        WriteResult result;
        try {
          result = router.applyIfUnchanged(believed[0], split, purpose);
        } catch (DriftDetectedException d) {
          TrafficSplit found = d.actual().orElse(null);
          if (!acceptedOnce && found != null && alsoAccepted != null && found.equals(alsoAccepted) && !found.equals(believed[0])) {
            acceptedOnce = true;
            writeAttempts--; // refused by the guard: nothing was written
            pendingWrite = earlierPending;
            observe(found); // the earlier attempt landed: counted as a write here
            believed[0] = found;
            continue;
          }
          writeAttempts--;
          pendingWrite = null;
          throw d;
        }
        if (result == null) {
          throw RouterException.permanentFailure(router.routeId() + " returned no result from applyIfUnchanged(): the router is broken",
              null);
        }
        if (result.written() && !landed[0]) {
          landed[0] = true;
          writeLanded(split);
        } else if (!result.written()) {
          pendingWrite = null;
          if (!landed[0]) {
            writeAttempts--; // the route already held the split: the router wrote nothing
          }
        }
        return result;
      }
    });
  }

  private void writeLanded(TrafficSplit landed) {
    writes++;
    pendingWrite = null;
    lastSeenOrWritten = landed;
  }

  private Stop drift(DriftDetectedException e) {
    emit(new SwitchEvent.DriftDetected(now(), plan.name(), e.expected(), e.actual(), e.found()));
    if (e.actual().isPresent()) {
      if (!traffic.split().equals(e.actual())) {
        observe(e.actual().get());
      }
    } else {
      traffic = TrafficObservation.ofUnmapped(e.unmappedState().orElse(e.found()), now());
    }
    return Stop.drift(e);
  }

  private SwitchResult notRolledBack(String reason, DriftDetectedException e) {
    drift(e);
    return finish(Outcome.ABORTED, reason + "; did not roll back because " + e.getMessage(), e);
  }

  private void awaitApproval(int number, Stage stage, TrafficSplit split) throws Stop, InterruptedException {
    Instant approvalDeadline = stage.approvalTimeout().map(now()::plus).orElse(null);
    boolean planDeadlineFirst = deadline != null && (approvalDeadline == null || deadline.isBefore(approvalDeadline));
    Instant limit = planDeadlineFirst ? deadline : approvalDeadline;
    control.requestApproval(number);
    emit(new SwitchEvent.ApprovalRequested(now(), plan.name(), number, split, stage.approvalTimeout()));
    ExecutionControl.Decision decision = control.awaitApproval(limit, time);
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

  /**
   * Bakes: gates polled at once and every gate interval until the hold ends; from the second poll
   * on, the route is read at every poll and compared with what the plan last verified, so drift is
   * noticed within one gate interval (the first poll follows the verification at once).
   */
  private void bake(GateContext.Phase phase, int number, Duration hold, List<HealthGate> gates) throws Stop, InterruptedException {
    Instant started = now();
    Instant bakeEnd = started.plus(hold);
    Instant graceEnd = bakeEnd.plus(plan.gateGrace());
    String where = phase == GateContext.Phase.STAGE ? "stage " + number + "/" + plan.schedule().size() : "post-switch bake";
    boolean firstPoll = true;
    while (true) {
      checkAbortAndDeadline();
      if (!firstPoll) {
        checkRoute("during " + where);
      }
      firstPoll = false;
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
      time.sleep(min(plan.gateInterval(), untilNext));
    }
  }

  /** Reads the route and stops on drift: anything but what this plan last wrote, verified or found. */
  private void checkRoute(String when) throws Stop, InterruptedException {
    TrafficSplit now = read(forward, "read the route " + when);
    if (!now.equals(lastKnown)) {
      throw drift(new DriftDetectedException(lastKnown, now, router.routeId()));
    }
  }

  private Map<HealthGate, GateResult> checkGates(GateContext.Phase phase, int number, Instant phaseStarted, List<HealthGate> gates)
      throws InterruptedException {
    Map<HealthGate, GateResult> results = new LinkedHashMap<>();
    if (gates.isEmpty()) {
      return results;
    }
    GateContext ctx = GateContext.builder().planName(plan.name()).routeId(router.routeId()).phase(phase)
        .stage(number, plan.schedule().size()).from(from).to(to).split(lastKnown).now(now()).phaseStartedAt(phaseStarted)
        .preview(previewClosed ? null : previewEndpoint).draining(draining).build();
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
      // an interrupt that landed inside the gate (e.g. in its HTTP call) is the interrupt, not the gate's verdict
      throwIfInterrupted("while checking gate " + gate.name());
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
    throwIfInterrupted(null);
    Optional<String> abort = control.abortReason();
    if (abort.isPresent()) {
      throw Stop.rollback("aborted: " + abort.get(), null);
    }
    if (deadline != null && !now().isBefore(deadline)) {
      throw Stop.rollback("plan timed out after " + plan.timeout().orElseThrow(), null);
    }
  }

  private static void throwIfInterrupted(String where) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException(where);
    }
  }

  private void ensureLockHeld() throws Stop {
    if (!lease.isHeld()) {
      throw Stop.abort(lockLostMessage(), null);
    }
  }

  private String lockLostMessage() {
    return "lost the lock on " + router.routeId() + lossReason() + " (another plan may own the route now); stopping without writing";
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
      Verification v = call(caller, "verify " + expected, () -> recorded(() -> router.verify(expected)));
      if (v.status() == Verification.Status.UNSUPPORTED) {
        v = Verification.compare(expected, read(caller, "read back " + expected));
      }
      if (v.isVerified()) {
        verifiedSplit = v.observed().orElse(expected);
        lastVerifiedAt = now();
        observe(verifiedSplit);
        return;
      }
      v.observed().ifPresent(this::observe);
      Instant t = now();
      if (!t.isBefore(limit)) {
        throw Stop.rollback(expected + " was not verified within " + bound + ": " + v.detail(), null);
      }
      (forwardPhase ? time : (Sleeper) this::sleepThroughInterrupts).sleep(min(poll, Duration.between(t, limit)));
      poll = min(poll.multipliedBy(2), MAX_VERIFY_POLL);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // rollback

  /**
   * Restores {@link #rollbackTarget}: read, refuse to fight a drifted route, write (retried harder;
   * the lock checked before every attempt), verify. On a router that guards its own writes the
   * write goes out first — its guard is the drift check — and its answer is the verification.
   *
   * @param alreadyRead the split just read (skips the read before rolling back), or null
   */
  private SwitchResult rollback(String reason, Throwable cause, TrafficSplit alreadyRead) {
    if (Thread.interrupted()) {
      interrupted = true;
    }
    emit(new SwitchEvent.RollbackStarted(now(), plan.name(), reason, rollbackTarget));
    TrafficSplit before = alreadyRead;
    if (before == null && !routerGuarded) {
      try {
        before = backward.call("read before rollback", this::readRoute);
      } catch (UnmappedRouteStateException e) {
        return notRolledBack(reason, DriftDetectedException.unmapped(lastKnown, e));
      } catch (RuntimeException e) {
        emit(new SwitchEvent.Notice(now(), plan.name(), "could not read the route before rolling back (" + message(e)
            + "); writing the rollback anyway", SwitchEvent.Notice.Level.WARN));
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (before != null && !before.equals(rollbackTarget) && !before.equals(lastKnown) && !before.equals(lastAttempted)) {
      return notRolledBack(reason, new DriftDetectedException(lastKnown, before, router.routeId()));
    }
    try {
      if (routerGuarded && (before == null || !before.equals(rollbackTarget))) {
        // no read first: the route should hold what this plan last saw or wrote (or the attempt before it)
        TrafficSplit expected = before != null ? before : lastSeenOrWritten != null ? lastSeenOrWritten : lastKnown;
        TrafficSplit alsoAccepted = before != null ? null : expected.equals(lastAttempted) ? lastKnown : lastAttempted;
        WriteResult r = guardedWrites(backward, "rollback to " + rollbackTarget, rollbackTarget, expected, alsoAccepted,
            WritePurpose.ROLLBACK);
        if (!verifiedByWrite(rollbackTarget, r)) {
          verifyUntil(rollbackTarget, plan.rollbackVerifyTimeout(), backward, false);
        }
      } else {
        if (before == null || !before.equals(rollbackTarget)) {
          attemptWrites(backward, "rollback to " + rollbackTarget, rollbackTarget, before, lastAttempted);
        }
        verifyUntil(rollbackTarget, plan.rollbackVerifyTimeout(), backward, false);
      }
      lastKnown = rollbackTarget;
      emit(new SwitchEvent.RollbackCompleted(now(), plan.name(), rollbackTarget));
      closePreview();
      if (rollbackTarget.weightOf(to) == 0) {
        drain(to);
      }
      return finish(Outcome.ROLLED_BACK, reason + "; restored " + rollbackTarget, cause);
    } catch (DriftDetectedException e) {
      return notRolledBack(reason, e);
    } catch (UnmappedRouteStateException e) {
      return notRolledBack(reason, DriftDetectedException.unmapped(lastKnown, e));
    } catch (LockLost e) {
      return finish(Outcome.ABORTED, reason + "; did not roll back because " + e.getMessage(), cause);
    } catch (RuntimeException | Stop | InterruptedException e) {
      if (e instanceof Stop s && s.drift) {
        return finish(Outcome.ABORTED, reason + "; did not finish the rollback because " + s.getMessage(), s.getCause());
      }
      if (e instanceof InterruptedException) {
        interrupted = true;
      }
      try {
        backward.call("read after failed rollback", this::readRoute);
      } catch (UnmappedRouteStateException unmapped) {
        return notRolledBack(reason, DriftDetectedException.unmapped(lastKnown, unmapped));
      } catch (RuntimeException | InterruptedException readFailure) {
        LOG.debug("[{}] read after failed rollback failed too: {}", plan.name(), Redaction.text(readFailure.toString()));
      }
      String why = message(e);
      emit(new SwitchEvent.RollbackFailed(now(), plan.name(), why, traffic.split()));
      return finish(Outcome.ROLLBACK_FAILED, reason + "; rollback to " + rollbackTarget + " failed: " + why
          + ". Restore it by hand", e);
    }
  }

  /** Rollback waits are not cut short by an interrupt: a rollback left half-done is worse than a late one. */
  private void sleepThroughInterrupts(Duration d) {
    try {
      time.sleep(d);
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
      List<String> notices = new ArrayList<>(report.notices());
      if (plan.preview().isPresent()) {
        PreviewRoute route = plan.preview().get();
        PreviewEndpoint would = call(forward, "preflight " + route.describe(), () -> route.preflight(previewRequest()));
        knowSecretsOf(would);
        notices.add("would open " + would + " before the first write, and close it when the plan ends");
      }
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
        TrafficSplit written = after;
        Optional<WriteDescription> touches = call(forward, "describe the write of " + after, () -> router.describeWrite(written));
        writesPlanned.add(new DryRunReport.PlannedWrite(i + 1, before, after, hold, s.requiresApproval(), touches));
        before = after;
      }
      return new DryRunReport(plan.name(), router.routeId(), current, target, plan.rollbackTo().orElse(current), writesPlanned,
          notices, report.clientConvergence());
    } catch (Stop stop) {
      // one type for "would be unsafe or something is missing", whatever the router: a permanent failure of a read
      if (stop.getCause() instanceof RouterException r && !router.isTransient(r)) {
        throw new PreflightException(r.getMessage(), r);
      }
      throw stop.getCause() instanceof BlueGreenException b ? b : new PreflightException(stop.getMessage(), stop.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BlueGreenException("dry run of " + plan.name() + " interrupted", e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // preview and drain

  /** The preview header's value is a secret the engine holds: kept out of every message, event and cause chain from now on. */
  private void knowSecretsOf(PreviewEndpoint endpoint) {
    if (endpoint != null) {
      endpoint.headerValue().filter(v -> !knownSecrets.contains(v)).ifPresent(knownSecrets::add);
    }
  }

  private PreviewRequest previewRequest() {
    if (previewRequest == null) {
      previewRequest = PreviewRequest.of(plan.name(), router.routeId(), lease != null ? lease.owner() : plan.owner(), to, from);
    }
    return previewRequest;
  }

  /**
   * Removes a preview a dead run left behind (saying so), opens this run's and waits until the
   * backend serves it (bounded by the verify timeout). From the first write on, the preview is closed
   * when the plan ends, whatever the outcome.
   */
  private void openPreview(PreviewRoute route) throws Stop, InterruptedException {
    PreviewRequest request = previewRequest();
    checkAbortAndDeadline();
    ensureLockHeld();
    previewStarted = true;
    Optional<String> leftover = call(forward, "remove a preview left behind", () -> route.close(request));
    leftover.ifPresent(removed -> emit(new SwitchEvent.PreviewLeftoverRemoved(now(), plan.name(), removed)));
    ensureLockHeld();
    PreviewEndpoint endpoint = call(forward, "open " + route.describe(), () -> route.open(request));
    knowSecretsOf(endpoint);
    previewEndpoint = endpoint;
    Instant limit = now().plus(plan.verifyTimeout());
    Duration poll = FIRST_VERIFY_POLL;
    while (true) {
      Optional<String> pending = call(forward, "check " + route.describe(), () -> route.pending(request));
      if (pending.isEmpty()) {
        break;
      }
      Instant t = now();
      if (!t.isBefore(limit)) {
        throw Stop.abort("the preview was not served within " + plan.verifyTimeout() + ": " + pending.get(), null);
      }
      checkAbortAndDeadline();
      plan.time().sleep(min(poll, Duration.between(t, limit)));
      poll = min(poll.multipliedBy(2), MAX_VERIFY_POLL);
    }
    emit(new SwitchEvent.PreviewOpened(now(), plan.name(), endpoint));
    checkRoute("after opening the preview"); // a preview never moves production traffic: if it did, that is drift
  }

  /** Preview gates must be HEALTHY within the gate grace; UNHEALTHY or still pending aborts with nothing written to the route. */
  private void runPreviewGates() throws Stop, InterruptedException {
    List<HealthGate> gates = plan.previewGates();
    if (gates.isEmpty()) {
      return;
    }
    Instant started = now();
    Instant limit = started.plus(plan.gateGrace());
    while (true) {
      checkAbortAndDeadline();
      Map<HealthGate, GateResult> latest = checkGates(GateContext.Phase.PREVIEW, 0, started, gates);
      Optional<Map.Entry<HealthGate, GateResult>> pending = firstNotHealthy(latest);
      if (pending.isEmpty()) {
        return;
      }
      GateResult r = pending.get().getValue();
      Instant t = now();
      if (r.isUnhealthy() || !t.isBefore(limit)) {
        throw Stop.abort("preview gate " + pending.get().getKey().name() + (r.isUnhealthy() ? " is UNHEALTHY" : " still INCONCLUSIVE after "
            + plan.gateGrace()) + " through " + previewEndpoint + ": " + r.reason(), null);
      }
      plan.time().sleep(min(plan.gateInterval(), Duration.between(t, limit)));
    }
  }

  /** Closes the preview once, on every way out; a failure leaves it for the next run to remove and says so. */
  private void closePreview() {
    if (!previewStarted || previewClosed) {
      return;
    }
    previewClosed = true;
    PreviewRoute route = plan.preview().get();
    if (lease == null || !lease.isHeld()) {
      previewLeftOpen = route.describe() + " was not removed: the lock on " + router.routeId() + " was lost (the next run of this plan"
          + " removes it)";
      emit(new SwitchEvent.PreviewCloseFailed(now(), plan.name(), previewLeftOpen));
      return;
    }
    if (Thread.interrupted()) {
      interrupted = true;
    }
    try {
      Optional<String> removed = backward.call("close " + route.describe(), () -> route.close(previewRequest));
      emit(new SwitchEvent.PreviewClosed(now(), plan.name(), removed.orElse("nothing (it was already gone)")));
    } catch (RuntimeException | InterruptedException e) {
      if (e instanceof InterruptedException) {
        interrupted = true;
      }
      previewLeftOpen = "closing " + route.describe() + " failed: " + message(e)
          + " (the next run of this plan removes it)";
      emit(new SwitchEvent.PreviewCloseFailed(now(), plan.name(), previewLeftOpen));
    }
  }

  /**
   * The environment that lost its traffic drains: its window (the backends' drain windows and the
   * router's client convergence, from the verified split on) is reported, and with {@code drainUntil}
   * the plan waits, bounded, until the window has passed and every drain gate is HEALTHY.
   */
  private void drain(Environment environment) {
    if (plan.drainWindows().isEmpty() && plan.drainUntil().isEmpty()) {
      return;
    }
    Instant since = lastVerifiedAt != null ? lastVerifiedAt : now();
    DrainEstimate estimate = clientConvergence.isZero() ? DrainEstimate.none()
        : DrainEstimate.of(clientConvergence, "clients may follow the previous split for " + clientConvergence + " (the router's preflight)");
    for (DrainWindow window : plan.drainWindows()) {
      try {
        DrainEstimate e = forward.call("read drain window " + window.name(), () -> window.estimate(environment));
        estimate = e == null ? estimate : estimate.and(e);
      } catch (RuntimeException | InterruptedException e) {
        if (e instanceof InterruptedException) {
          interrupted = true;
        }
        emit(new SwitchEvent.Notice(now(), plan.name(), "could not read drain window " + window.name() + " of " + environment.name()
            + ": " + message(e), SwitchEvent.Notice.Level.WARN));
      }
    }
    emit(new SwitchEvent.DrainStarted(now(), plan.name(), environment, since, estimate.window(), estimate.basis()));
    Optional<Instant> drainedAt = Optional.empty();
    Optional<String> notConfirmed = Optional.empty();
    if (plan.drainUntil().isPresent()) {
      draining = environment;
      String why = awaitDrain(since, since.plus(estimate.window()), since.plus(plan.drainUntil().get()));
      draining = null;
      if (why == null) {
        drainedAt = Optional.of(now());
      } else {
        notConfirmed = Optional.of(why);
      }
    }
    drain = new DrainReport(environment, since, estimate.window(), estimate.basis(), drainedAt, notConfirmed);
    emit(new SwitchEvent.DrainFinished(now(), plan.name(), drain));
  }

  /** @return null once drained, else why the drain was not confirmed by {@code limit} */
  private String awaitDrain(Instant since, Instant windowEnd, Instant limit) {
    if (windowEnd.isAfter(limit)) {
      return "its drain window ends at " + windowEnd + ", after drainUntil's bound of " + plan.drainUntil().get() + " from " + since;
    }
    Instant started = now();
    while (true) {
      if (Thread.currentThread().isInterrupted()) {
        interrupted = true;
        return "interrupted while waiting for the drain";
      }
      Optional<String> abort = control.abortReason();
      if (abort.isPresent()) {
        return "aborted while waiting for the drain: " + abort.get();
      }
      Instant t = now();
      String pending = null;
      if (!t.isBefore(windowEnd)) {
        Optional<Map.Entry<HealthGate, GateResult>> notHealthy;
        try {
          checkRoute("while " + draining.name() + " drains");
          notHealthy = firstNotHealthy(checkGates(GateContext.Phase.DRAIN, 0, started, plan.drainGates()));
        } catch (Stop stop) {
          return "the route was not as this plan left it while waiting for the drain: " + stop.getMessage();
        } catch (InterruptedException e) {
          interrupted = true;
          return "interrupted while waiting for the drain";
        }
        if (notHealthy.isEmpty()) {
          return null;
        }
        pending = "drain gate " + notHealthy.get().getKey().name() + " " + notHealthy.get().getValue().status() + ": "
            + notHealthy.get().getValue().reason();
      }
      t = now();
      if (!t.isBefore(limit)) {
        return (pending == null ? "its drain window had not passed" : pending) + " after drainUntil " + plan.drainUntil().get();
      }
      Instant next = t.isBefore(windowEnd) ? windowEnd : t.plus(plan.gateInterval());
      try {
        plan.time().sleep(Duration.between(t, next.isAfter(limit) ? limit : next));
      } catch (InterruptedException e) {
        interrupted = true;
        return "interrupted while waiting for the drain";
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // router calls and what they showed

  private TrafficSplit read(RetryingCaller caller, String what) throws Stop, InterruptedException {
    return call(caller, what, this::readRoute);
  }

  /** One {@code current()}, recorded as what the route holds (or as a failed read). */
  private TrafficSplit readRoute() {
    TrafficSplit split = recorded(router::current);
    if (split == null) {
      RouterException broken = RouterException.permanentFailure(router.routeId() + " returned no split from current(): the router is broken",
          null);
      readFailed(broken);
      throw broken;
    }
    observe(split);
    return split;
  }

  /** Runs a router call that reads the route, recording an unmapped state or a failure as what was last seen. */
  private <T> T recorded(Supplier<T> read) {
    try {
      return read.get();
    } catch (UnmappedRouteStateException e) {
      traffic = TrafficObservation.ofUnmapped(e.found(), now());
      throw e;
    } catch (RuntimeException e) {
      readFailed(e);
      throw e;
    }
  }

  private void observe(TrafficSplit split) {
    traffic = TrafficObservation.ofSplit(split, now(), split.equals(verifiedSplit));
    lastSeenOrWritten = split;
    if (pendingWrite != null) {
      if (split.equals(pendingWrite)) {
        writeLanded(split); // the write landed although its reply was an error
      } else {
        pendingWrite = null;
      }
    }
  }

  private void readFailed(RuntimeException e) {
    traffic = traffic.failed(message(e), now());
  }

  private <T> T call(RetryingCaller caller, String what, Supplier<T> call) throws Stop, InterruptedException {
    T result;
    try {
      result = caller.call(what, call);
    } catch (RuntimeException e) {
      throw stopFor(caller, what, e);
    }
    // a router that caught an interrupt restores the flag: the interrupt is what happened
    throwIfInterrupted("during " + what);
    return result;
  }

  private Stop stopFor(RetryingCaller caller, String what, RuntimeException e) throws InterruptedException {
    if (e instanceof DriftDetectedException d) {
      return drift(d);
    }
    if (e instanceof UnmappedRouteStateException u) {
      return drift(DriftDetectedException.unmapped(lastKnown, u));
    }
    if (Thread.interrupted()) {
      InterruptedException interrupt = new InterruptedException("during " + what);
      interrupt.initCause(e);
      throw interrupt;
    }
    if (e instanceof LockLost) {
      return Stop.abort(lockLostMessage(), null);
    }
    if (e instanceof PreflightException || e instanceof InvalidConfigurationException) {
      return Stop.abort(e.getMessage(), e);
    }
    String retried = router.isTransient(e) ? " (still failing after " + (caller == forward ? plan.retry() : plan.rollbackRetry()).maxAttempts() + " attempts)" : "";
    return Stop.rollback(what + " failed" + retried + ": " + message(e), e);
  }

  private void onRetry(String operation, int attempt, Duration wait, Throwable failure) {
    emit(new SwitchEvent.RetryScheduled(now(), plan.name(), operation, attempt, wait, message(failure)));
  }

  /** A failure's message (its type when it has none), through the redaction rule: routers and gates may be anyone's. */
  private String message(Throwable e) {
    return Redaction.text(e.getMessage() == null ? e.toString() : e.getMessage(), knownSecrets);
  }

  // ---------------------------------------------------------------------------------------------
  // results and events

  private SwitchResult finish(Outcome outcome, String reason, Throwable cause) {
    closePreview();
    Instant finishedAt = now();
    SwitchResult.Builder b = SwitchResult.builder();
    b.planName = plan.name();
    b.routeId = router.routeId();
    b.outcome = outcome;
    b.reason = knownSecrets.isEmpty() ? reason : Redaction.text(reason, knownSecrets);
    b.cause = cause instanceof BlueGreenException && knownSecrets.isEmpty() ? cause : Redaction.exception(cause, knownSecrets);
    b.snapshot = snapshot;
    b.target = target;
    b.traffic = traffic;
    b.stagesCompleted = stagesCompleted;
    b.stageCount = plan.schedule().size();
    b.failedStage = outcome == Outcome.COMPLETED ? 0 : currentStage;
    b.writes = writes;
    b.writeAttempts = writeAttempts;
    b.startedAt = startedAt;
    b.finishedAt = finishedAt;
    boolean verified = traffic.kind() == TrafficObservation.Kind.SPLIT && traffic.isVerified();
    b.clientsFollowBy = verified && lastVerifiedAt != null && outcome != Outcome.ABORTED ? lastVerifiedAt.plus(clientConvergence) : null;
    b.clientConvergence = clientConvergence;
    b.preview = previewEndpoint;
    b.previewLeftOpen = previewLeftOpen;
    b.drain = drain;
    String summary = b.build().summary();
    emit(new SwitchEvent.PlanFinished(finishedAt, plan.name(), outcome, traffic.split(), summary));
    b.timeline = List.copyOf(timeline);
    return b.build();
  }

  private void info(String message) {
    emit(new SwitchEvent.Notice(now(), plan.name(), message, SwitchEvent.Notice.Level.INFO));
  }

  private void emit(SwitchEvent event) {
    timeline.add(event);
    for (SwitchListener listener : plan.listeners()) {
      try {
        listener.onEvent(event);
      } catch (RuntimeException e) {
        LOG.warn("[{}] listener {} failed on {}: {}", plan.name(), listener, event.getClass().getSimpleName(), Redaction.text(e.toString()));
      }
    }
  }

  private Instant now() {
    return time.instant();
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
