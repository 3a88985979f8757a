package io.bluegreen.core;

import java.time.Duration;
import java.util.Optional;

/**
 * A backend call made by a {@link Router} failed. Routers wrap their client's errors in this type
 * and say whether the failure is transient (throttling, 5xx, timeouts, conflicts worth a re-read):
 * the engine retries transient failures with backoff and jitter and gives up at once on the rest.
 *
 * <pre>{@code
 * throw RouterException.transientFailure("DescribeListeners throttled (Throttling)", e)
 *     .withRetryAfter(Duration.ofSeconds(2));
 * }</pre>
 */
public class RouterException extends BlueGreenException {
  private static final long serialVersionUID = 1L;

  private final boolean transientFailure;
  private final Duration retryAfter;

  /**
   * @param message what failed, with the backend's error code
   * @param cause the client's exception
   * @param transientFailure whether retrying may succeed
   */
  public RouterException(String message, Throwable cause, boolean transientFailure) {
    this(message, cause, transientFailure, null);
  }

  private RouterException(String message, Throwable cause, boolean transientFailure, Duration retryAfter) {
    super(message, cause);
    this.transientFailure = transientFailure;
    this.retryAfter = retryAfter;
  }

  /**
   * @param message what failed
   * @param cause the client's exception (may be null)
   * @return a failure worth retrying
   */
  public static RouterException transientFailure(String message, Throwable cause) {
    return new RouterException(message, cause, true);
  }

  /**
   * @param message what failed and what to fix
   * @param cause the client's exception (may be null)
   * @return a failure that retrying will not fix
   */
  public static RouterException permanentFailure(String message, Throwable cause) {
    return new RouterException(message, cause, false);
  }

  /**
   * @param delay the backend's requested wait (e.g. an HTTP Retry-After); the retry waits at least this long
   * @return a copy carrying the hint
   */
  public RouterException withRetryAfter(Duration delay) {
    RouterException copy = new RouterException(getMessage(), getCause(), transientFailure, delay);
    copy.setStackTrace(getStackTrace());
    return copy;
  }

  /** @return whether retrying may succeed */
  public boolean isTransient() {
    return transientFailure;
  }

  /** @return the backend's requested wait before a retry, if it sent one */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
