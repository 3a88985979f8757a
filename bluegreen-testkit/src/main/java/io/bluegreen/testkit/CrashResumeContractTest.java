package io.bluegreen.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bluegreen.core.Outcome;
import io.bluegreen.core.Router;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.event.SwitchEvent;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Crash and resume, end to end, for a router and an expiring {@link io.bluegreen.core.lock.RouteLock}:
 * the same plan ({@link #SCHEDULE}, blue → green) runs in a child JVM in real time and is killed with
 * SIGKILL — once during the bake of stage {@value #KILLED_IN_STAGE} (after its write was verified),
 * once while the stage-{@value #KILLED_IN_STAGE} write is in flight (it reached the backend, its reply
 * is held back) — and then runs again in this JVM. The re-run must be refused while the dead
 * process's lock is valid (judged on an injected lock clock: no wall-clock wait for the expiry), take
 * it over from the instant the lock says, read the real split, continue from it without re-applying a
 * stage, and leave the lock released. What it saw goes to {@link EvidenceLog} (annotate the subclass
 * with {@link Evidence}).
 *
 * <pre>{@code
 * class AlbCrashResumeTest extends CrashResumeContractTest {
 *   protected ChildJvm startChild() { return ChildJvm.start("alb-crash", AlbLockedPlan.class, ...); }
 *   protected SwitchPlan.Builder resumer(InstantSource lockTime) { return AlbLockedPlan.plan(..., lock(lockTime), RESUMER); }
 *   ... // the route's reader, the lock as stored, the writes the backend received
 * }
 * }</pre>
 *
 * <p>Real waits, all bounded: the child's start-up and stage holds (a plan in another JVM runs in real
 * time), polled through its stdout with a 90 s limit; the route polled (30 s limit) until the
 * in-flight write has landed; and up to 10 s for the killed process to be reaped.
 */
public abstract class CrashResumeContractTest {

  /** The stage during whose bake (or write) the child is killed. */
  public static final int KILLED_IN_STAGE = 3;
  /** Real-time holds: 1 s for every stage but the third, which holds 8 s (the child is killed during it). */
  public static final StageSchedule SCHEDULE = StageSchedule.builder()
      .stage(10, Duration.ofSeconds(1))
      .stage(25, Duration.ofSeconds(1))
      .stage(50, Duration.ofSeconds(8))
      .stage(75, Duration.ofSeconds(1))
      .stage(100, Duration.ofSeconds(1))
      .build();
  /** The dead plan's identity in the lock. */
  protected static final String CHILD = "crashed-pipeline@runner-1";
  /** The re-run's identity in the lock. */
  protected static final String RESUMER = "resumed-pipeline@runner-2";

  private static final Duration CHILD_LIMIT = Duration.ofSeconds(90);
  private static final TrafficSplit HALF = TrafficSplit.parse("blue=50 green=50");

  /**
   * The lock as its backend stores it.
   *
   * @param holder who holds it (null when released)
   * @param fencingToken its fencing token
   * @param takeoverAt from when another plan may take it over (expiry plus any margin)
   */
  public record LockState(String holder, long fencingToken, Instant takeoverAt) {
  }

  private ChildJvm child;

  /**
   * Starts the child: {@link #SCHEDULE} from blue to green, locked as {@link #CHILD}, with
   * {@link ChildJvm#progressPrinter} as a listener and {@link ChildJvm#runAndReport} to run it.
   *
   * @return the running child
   */
  protected abstract ChildJvm startChild();

  /**
   * @param lockTime the time the re-run's lock must judge expiry on
   * @return the same plan, locked as {@link #RESUMER}, without time or listeners
   */
  protected abstract SwitchPlan.Builder resumer(InstantSource lockTime);

  /** @return the route's router on a client that is not recorded (for reading the route directly) */
  protected abstract Router reader();

  /** @return the route's lock as stored now */
  protected abstract LockState lockState();

  /** @return how many requests the route's backend has received so far (child's and re-run's) */
  protected abstract int routeRequests();

  /**
   * @param fromRequest a count returned by {@link #routeRequests()} earlier
   * @return green's weight in each route write received since, in order
   */
  protected abstract List<Integer> greenWeightsWrittenSince(int fromRequest);

  /** From now on, the write of blue=50 green=50 reaches the backend but its reply is held back. */
  protected abstract void holdBackTheReplyToTheHalfWayWrite();

  /** @return e.g. "ALB listener" or "Route 53 weighted records", for the evidence */
  protected abstract String what();

  @AfterEach
  final void killTheChild() throws InterruptedException {
    if (child != null) {
      child.close();
    }
  }

  @Test
  void killedAfterAVerifiedStageIsResumedFromTheSplitItLeft() throws Exception {
    child = startChild();
    long token = token(child.awaitLine("LOCKED ", CHILD_LIMIT));
    child.awaitLine("STAGE_VERIFIED " + KILLED_IN_STAGE + " ", CHILD_LIMIT);
    Crash crash = kill(token);
    assertEquals(HALF, crash.found(), "the split the dead plan left");
    resumeAndCheck(crash, "SIGKILL during the bake of stage 3 (after its verified write)");
  }

  @Test
  void killedWhileAWriteIsInFlightIsResumedWithoutWritingThatStageAgain() throws Exception {
    holdBackTheReplyToTheHalfWayWrite();
    child = startChild();
    long token = token(child.awaitLine("LOCKED ", CHILD_LIMIT));
    child.awaitLine("STAGE_STARTED " + KILLED_IN_STAGE, CHILD_LIMIT);
    awaitRouteAt(HALF);
    assertTrue(child.isAlive(), "the child waits for the reply");
    Crash crash = kill(token);
    assertTrue(child.lines().stream().noneMatch(l -> l.startsWith("STAGE_VERIFIED " + KILLED_IN_STAGE)),
        "the write never returned to the child: " + child.lines());
    assertEquals(HALF, crash.found(), "the in-flight write had landed");
    resumeAndCheck(crash, "SIGKILL while the stage-3 write was in flight (landed, reply held back)");
  }

  /** What the crash left behind. */
  private record Crash(TrafficSplit found, LockState lock) {
  }

  private static long token(String lockedLine) {
    return Long.parseLong(lockedLine.substring("LOCKED ".length()).trim());
  }

  private Crash kill(long token) throws InterruptedException {
    assertEquals(137, child.kill(), "killed by SIGKILL (128 + 9)");
    assertTrue(child.lines().stream().noneMatch(l -> l.startsWith("FINISHED")), "the child never finished: " + child.lines());
    TrafficSplit found = reader().current();
    LockState lock = lockState();
    assertEquals(CHILD, lock.holder(), "the dead process still holds the lock");
    assertEquals(token, lock.fencingToken());
    assertTrue(lock.takeoverAt().isAfter(Instant.now()), "the lock is still valid when the re-run starts");
    return new Crash(found, lock);
  }

  private void awaitRouteAt(TrafficSplit split) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    Router r = reader();
    while (!r.current().equals(split)) {
      assertTrue(System.nanoTime() < deadline, "the route never showed " + split + "; the child printed " + child.lines());
      Thread.sleep(50);
    }
  }

  private void resumeAndCheck(Crash crash, String how) {
    Instant takeover = crash.lock().takeoverAt();
    long childToken = crash.lock().fencingToken();

    // refused while the dead process's lock is valid (the lock's clock stopped at `at`): nothing read or written on the route
    for (Instant at : List.of(Instant.now(), takeover.minusMillis(1))) {
      int mark = routeRequests();
      SwitchResult refused = resumer(InstantSource.fixed(at)).defaultLogging(false).time(VirtualClock.create()).build().execute();
      assertEquals(Outcome.ABORTED, refused.outcome(), refused.summary());
      assertTrue(refused.reason().contains("is locked by " + CHILD), refused.reason());
      assertEquals(mark, routeRequests(), "a refused plan does not touch the route");
      assertEquals(CHILD, lockState().holder());
    }

    // taken over once the lock allows it on the lock's clock (a real clock moved on to that instant)
    Duration ahead = Duration.between(Instant.now(), takeover);
    int mark = routeRequests();
    RecordingListener events = new RecordingListener();
    SwitchResult result = resumer(() -> Instant.now().plus(ahead)).listener(events).defaultLogging(false).time(VirtualClock.create())
        .build().execute();

    assertEquals(Outcome.COMPLETED, result.outcome(), result.summary());
    assertEquals(TrafficSplit.parse("blue=0 green=100"), result.trafficNow().orElseThrow());
    assertTrue(result.isTrafficNowVerified());
    assertEquals(crash.found(), result.snapshot().orElseThrow());
    assertTrue(events.ofType(SwitchEvent.Notice.class).stream().map(SwitchEvent.Notice::message).anyMatch(
        "resuming: blue=50 green=50 is already in place; stages 1-3 are behind it, continuing with stage 4"::equals),
        "notices: " + events.ofType(SwitchEvent.Notice.class));
    assertEquals(List.of(4, 5), events.ofType(SwitchEvent.StageStarted.class).stream().map(SwitchEvent.StageStarted::stageNumber).toList());
    List<SwitchEvent.LockAcquired> locked = events.ofType(SwitchEvent.LockAcquired.class);
    assertEquals(1, locked.size());
    assertEquals(childToken + 1, locked.get(0).fencingToken().orElse(-1), "fencing token: the dead plan's + 1");
    List<Integer> resumed = greenWeightsWrittenSince(mark);
    assertEquals(List.of(75, 100), resumed, "no stage at or below the split found is written again");
    List<Integer> all = greenWeightsWrittenSince(0);
    assertEquals(List.of(10, 25, 50, 75, 100), all, "every route write, child and re-run: weights never go back");
    LockState after = lockState();
    assertEquals(null, after.holder(), "released when the re-run ended");
    assertEquals(childToken + 1, after.fencingToken(), "the fencing counter kept");
    assertFalse(result.reason().isBlank());

    String test = getClass().getSimpleName() + ": " + what() + " 10/25/50/75/100 in a child JVM; " + how;
    EvidenceLog.figure(what() + " crash-resume (" + how + "): split found", crash.found().toString(), test);
    EvidenceLog.figure(what() + " crash-resume (" + how + "): route writes after resume", resumed.size() + " (green " + resumed
        + "; all writes " + all + ")", test);
    EvidenceLog.figure(what() + " crash-resume (" + how + "): lock of the dead process taken over", String.format(Locale.ROOT,
        "only from its expiry (+ margin); refused just after the kill and 1 ms before; no wall-clock wait (injected lock clock);"
            + " fencing token %d -> %d", childToken, childToken + 1), test);
    EvidenceLog.figure(what() + " crash-resume (" + how + "): outcome", result.summary(), test);
  }
}
