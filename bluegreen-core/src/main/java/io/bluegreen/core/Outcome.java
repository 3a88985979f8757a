package io.bluegreen.core;

/**
 * How a plan ended.
 *
 * <pre>{@code
 * switch (result.outcome()) {
 *   case COMPLETED -> announce();
 *   case ROLLED_BACK, ABORTED -> failPipeline(result.summary());
 *   case ROLLBACK_FAILED -> page(result.summary());
 * }
 * }</pre>
 */
public enum Outcome {
  /** Every stage applied, verified and baked with healthy gates; traffic is at the target. */
  COMPLETED,
  /** Something failed after the plan started changing traffic; the snapshot was restored and verified. */
  ROLLED_BACK,
  /** The rollback could not be completed or verified; {@code SwitchResult.trafficNow()} says what was last read. Page someone. */
  ROLLBACK_FAILED,
  /**
   * The plan stopped without a rollback: before its first write (lock taken, preflight failed,
   * pre-switch gate unhealthy, aborted before stage 1), or because someone else changed the route
   * (drift) or took its lock, in which case it does not fight them. Traffic is where {@code
   * SwitchResult.trafficNow()} says.
   */
  ABORTED;

  /** @return true only for {@link #COMPLETED} */
  public boolean isSuccess() {
    return this == COMPLETED;
  }
}
