package io.bluegreen.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bluegreen.core.Outcome;
import io.bluegreen.core.RetryPolicy;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.event.SwitchEvent;
import java.util.Objects;

/**
 * One vocabulary for the fault matrix every router is run through: a fault (HTTP 500, throttling,
 * connection reset...) injected once or persistently at one of three points of a plan, and the
 * outcome the engine must reach. {@link Cell#check} asserts a cell and stages its row for
 * docs/RELIABILITY.md; the row is written only when the whole test passes (see {@link Evidence}).
 *
 * <pre>{@code
 * SwitchResult r = planWithFault(Point.STAGE_WRITE, Persistence.ONCE, fault);
 * FaultMatrix.cell("AlbListenerRouter", "ThrottlingException (400)", Point.STAGE_WRITE, Persistence.ONCE)
 *     .retries(RetryPolicy.defaults(), RetryPolicy.rollbackDefaults())   // what the plan was given
 *     .check(r);
 * }</pre>
 *
 * <p>The plan in every cell: target weights 10, 50, 100; for {@link Point#ROLLBACK_WRITE} a gate turns
 * UNHEALTHY during stage 2 so that a rollback happens; {@link Point#STAGE_WRITE} faults hit the write
 * of stage 2. (On an atomic router the stage write is the plan's first: a persistent fault there
 * changes nothing, and the plan, having read the route back as found, ends ABORTED.)
 */
public final class FaultMatrix {

  /** Where the fault is injected. */
  public enum Point {
    /** The plan's first read of the route (the snapshot). */
    FIRST_READ,
    /** The write of stage 2, mid-plan. */
    STAGE_WRITE,
    /** The rollback write, after a gate failed in stage 2. */
    ROLLBACK_WRITE
  }

  /** How long the fault lasts. */
  public enum Persistence {
    /** One failed request, then the backend works: a retry must fix it. */
    ONCE,
    /** Every matching request fails: retries run out. */
    PERSISTENT
  }

  private FaultMatrix() {
  }

  /**
   * The outcome the engine must reach.
   *
   * @param point where the fault is injected
   * @param persistence how long it lasts
   * @return COMPLETED or ROLLED_BACK when retries absorb it; ABORTED, ROLLED_BACK or ROLLBACK_FAILED when they cannot
   */
  public static Outcome expected(Point point, Persistence persistence) {
    if (persistence == Persistence.ONCE) {
      return point == Point.ROLLBACK_WRITE ? Outcome.ROLLED_BACK : Outcome.COMPLETED;
    }
    return switch (point) {
      case FIRST_READ -> Outcome.ABORTED;
      case STAGE_WRITE -> Outcome.ROLLED_BACK;
      case ROLLBACK_WRITE -> Outcome.ROLLBACK_FAILED;
    };
  }

  /**
   * @param router the router's name
   * @param fault the fault, e.g. "HTTP 503"
   * @param point where it is injected
   * @param persistence how long it lasts
   * @return the cell, to describe further and {@link Cell#check}
   */
  public static Cell cell(String router, String fault, Point point, Persistence persistence) {
    return new Cell(router, fault, point, persistence);
  }

  /**
   * Asserts a cell whose retry policies are not recorded ({@code cell(...).check(result)}); prefer
   * {@link Cell#retries}, so that the report says how often each fault was retried.
   *
   * @param router the router's name
   * @param fault the fault, e.g. "HTTP 503"
   * @param point where it was injected
   * @param persistence how long it lasted
   * @param result the plan's result
   */
  public static void check(String router, String fault, Point point, Persistence persistence, SwitchResult result) {
    cell(router, fault, point, persistence).check(result);
  }

  /** One cell of the matrix: what was injected, where, how, and with which retry policies. */
  public static final class Cell {
    private final String router;
    private final String fault;
    private final Point point;
    private final Persistence persistence;
    private RetryPolicy forward;
    private RetryPolicy rollback;
    private boolean writeLanded;

    private Cell(String router, String fault, Point point, Persistence persistence) {
      this.router = Objects.requireNonNull(router, "router");
      this.fault = Objects.requireNonNull(fault, "fault");
      this.point = Objects.requireNonNull(point, "point");
      this.persistence = Objects.requireNonNull(persistence, "persistence");
    }

    /**
     * @param forwardRetry the plan's retry policy for reads and forward writes
     * @param rollbackRetry the plan's retry policy for the rollback
     * @return this
     */
    public Cell retries(RetryPolicy forwardRetry, RetryPolicy rollbackRetry) {
      this.forward = Objects.requireNonNull(forwardRetry, "forwardRetry");
      this.rollback = Objects.requireNonNull(rollbackRetry, "rollbackRetry");
      return this;
    }

    /**
     * The faulted write reached the backend and was applied; only its reply was lost (a reply slower than
     * the client's timeout, a connection cut after the write). Only for a {@link Persistence#ONCE} fault at
     * a write: the retry must find the split in place; the outcome is the same as for a write that did
     * not land.
     *
     * @return this
     */
    public Cell writeLanded() {
      if (point == Point.FIRST_READ || persistence != Persistence.ONCE) {
        throw new IllegalArgumentException("a write that landed is a ONCE fault at STAGE_WRITE or ROLLBACK_WRITE, not " + point + " "
            + persistence);
      }
      this.writeLanded = true;
      return this;
    }

    /** @return the outcome the engine must reach in this cell */
    public Outcome expected() {
      return FaultMatrix.expected(point, persistence);
    }

    /**
     * Asserts the cell: the expected outcome; traffic never left on an unverified split (COMPLETED and
     * ROLLED_BACK are verified); the result naming where traffic is, or, when the route could never be
     * read (a persistent fault at the first read), an ABORTED result with nothing written whose summary
     * says so and that traffic is UNKNOWN rather than guessing. Then stages the row, which is written
     * when the test has passed.
     *
     * @param result the plan's result
     */
    public void check(SwitchResult result) {
      Outcome expected = expected();
      String cell = router + " / " + fault + " / " + point + " / " + persistence;
      if (expected == Outcome.ROLLED_BACK && point == Point.STAGE_WRITE && result.writes() == 0
          && result.snapshot().isPresent() && result.trafficNow().equals(result.snapshot())) {
        // the failing write was the plan's first (an atomic router's only stage) and the route was read
        // back as found: nothing changed, so there is nothing to roll back (issue 10)
        expected = Outcome.ABORTED;
        assertTrue(result.events(SwitchEvent.RollbackStarted.class).isEmpty(), cell + ": nothing changed, so no rollback write: "
            + result.summary());
      }
      assertEquals(expected, result.outcome(), cell + ": " + result.summary());
      if (point == Point.FIRST_READ && persistence == Persistence.PERSISTENT) {
        assertTrue(result.trafficNow().isEmpty(), cell + ": no read succeeded, so no split can be named: " + result.summary());
        assertTrue(result.snapshot().isEmpty(), cell + ": no snapshot without a read: " + result.summary());
      }
      if (result.trafficNow().isEmpty()) {
        assertTrue(result.outcome() == Outcome.ABORTED && result.writes() == 0,
            "the result must name where traffic is (or, when it could not read it, that nothing was written): " + result.summary());
        assertTrue(result.summary().contains("nothing was written") && result.summary().contains("traffic now UNKNOWN"),
            cell + ": a result that could not read the route must say that nothing was written and that traffic is UNKNOWN: "
                + result.summary());
      }
      if (result.outcome() == Outcome.COMPLETED || result.outcome() == Outcome.ROLLED_BACK) {
        assertTrue(result.isTrafficNowVerified(), "traffic must end on a verified split: " + result.summary());
      }
      EvidenceLog.stage("fault", router, fault, point.name(), persistence.name(), writeLanded ? "landed" : "not landed",
          expected.name(), result.outcome().name(), result.trafficNow().map(Object::toString).orElse("UNKNOWN"),
          Boolean.toString(result.isTrafficNowVerified()), Integer.toString(result.writes()),
          Integer.toString(result.events(SwitchEvent.RetryScheduled.class).size()),
          forward == null ? "" : Integer.toString(forward.maxAttempts()), rollback == null ? "" : Integer.toString(rollback.maxAttempts()),
          Integer.toString(result.writeAttempts()));
    }
  }
}
