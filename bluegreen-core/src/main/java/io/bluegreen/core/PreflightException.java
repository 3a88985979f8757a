package io.bluegreen.core;

/**
 * A read-only check before the first write found that switching would be unsafe or impossible: a
 * missing Service, listener or record, or a target with zero ready backends. Nothing was written.
 *
 * <p>Two kinds: a problem that waiting cannot fix (a missing resource, a wrong mapping) stops the
 * plan at once; a target that is {@linkplain #notReady(String) not ready yet} (zero ready Pods,
 * unhealthy targets) is checked again every {@code gateInterval} until it is ready or the plan's
 * {@code gateGrace} runs out.
 *
 * <pre>{@code
 * throw new PreflightException("Service default/app-green not found: create it or fix the mapping");
 * throw PreflightException.notReady("Service default/app-service would select app=myapp,version=green but no Pod"
 *     + " with those labels is ready: wait for the green Deployment to become ready before switching");
 * }</pre>
 */
public class PreflightException extends BlueGreenException {
  private static final long serialVersionUID = 1L;

  private final boolean notReady;

  /** @param message what is missing or wrong, and what to do */
  public PreflightException(String message) {
    this(message, null, false);
  }

  /**
   * @param message what is missing or wrong, and what to do
   * @param cause the backend error behind it
   */
  public PreflightException(String message, Throwable cause) {
    this(message, cause, false);
  }

  private PreflightException(String message, Throwable cause, boolean notReady) {
    super(message, cause);
    this.notReady = notReady;
  }

  /**
   * The target exists but cannot take traffic yet (zero ready backends, targets still failing health
   * checks): a plan checks again within its {@code gateGrace} instead of stopping at once.
   *
   * @param message what is not ready, and what to wait for
   * @return the exception
   */
  public static PreflightException notReady(String message) {
    return new PreflightException(message, null, true);
  }

  /** @return whether the target may still become ready (so checking again later can pass) */
  public boolean isNotReady() {
    return notReady;
  }
}
