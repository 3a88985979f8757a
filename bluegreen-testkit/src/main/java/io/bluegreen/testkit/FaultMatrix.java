package io.bluegreen.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bluegreen.core.Outcome;
import io.bluegreen.core.SwitchResult;

/**
 * One vocabulary for the fault matrix every router is run through: a fault (HTTP 500, throttling,
 * connection reset...) injected once or persistently at one of three points of a plan, and the
 * outcome the engine must reach. {@link #check} asserts the cell and records it for
 * docs/RELIABILITY.md (see {@link EvidenceLog}).
 *
 * <pre>{@code
 * SwitchResult r = planWithFault(Point.STAGE_WRITE, Persistence.ONCE, fault);
 * FaultMatrix.check("AlbListenerRouter", "ThrottlingException (400)", Point.STAGE_WRITE, Persistence.ONCE, r);
 * }</pre>
 *
 * <p>The plan in every cell: target weights 10, 50, 100; for {@link Point#ROLLBACK_WRITE} a gate turns
 * UNHEALTHY during stage 2 so that a rollback happens; {@link Point#STAGE_WRITE} faults hit the write
 * of stage 2.
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
   * Asserts the cell: the expected outcome, traffic never left on an unverified split (COMPLETED and
   * ROLLED_BACK are verified), and the result naming where traffic is — or, when the route could
   * never be read, an ABORTED result with no write attempted. Records the row.
   *
   * @param router the router's name
   * @param fault the fault, e.g. "HTTP 503"
   * @param point where it was injected
   * @param persistence how long it lasted
   * @param result the plan's result
   */
  public static void check(String router, String fault, Point point, Persistence persistence, SwitchResult result) {
    Outcome expected = expected(point, persistence);
    EvidenceLog.faultCell(router, fault, point.name(), persistence.name(), expected, result);
    assertEquals(expected, result.outcome(), router + " / " + fault + " / " + point + " / " + persistence + ": " + result.summary());
    boolean untouched = result.outcome() == Outcome.ABORTED && result.writes() == 0;
    assertTrue(result.trafficNow().isPresent() || untouched,
        "the result must name where traffic is (or, when it could not read it, that nothing was written): " + result.summary());
    if (result.outcome() == Outcome.COMPLETED || result.outcome() == Outcome.ROLLED_BACK) {
      assertTrue(result.isTrafficNowVerified(), "traffic must end on a verified split: " + result.summary());
    }
  }
}
