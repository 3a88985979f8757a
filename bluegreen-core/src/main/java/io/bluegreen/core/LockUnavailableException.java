package io.bluegreen.core;

import java.util.Optional;

/**
 * Another plan holds the lock on this route; this plan did not start. The message names the holder.
 *
 * <pre>{@code
 * throw new LockUnavailableException("service/default/app-service", "pipeline-42@build-host-7");
 * }</pre>
 */
public class LockUnavailableException extends BlueGreenException {
  private static final long serialVersionUID = 1L;

  private final String holder;

  /**
   * @param routeKey the locked route
   * @param holder who holds it, if known (may be null)
   */
  public LockUnavailableException(String routeKey, String holder) {
    super("route " + routeKey + " is locked by " + (holder == null ? "another plan" : holder)
        + ": only one plan may switch a route at a time; wait for it to finish (or for its lock to expire) and retry");
    this.holder = holder;
  }

  /**
   * @param message full message
   * @param holder who holds it, if known (may be null)
   * @param cause the lock backend's failure
   */
  public LockUnavailableException(String message, String holder, Throwable cause) {
    super(message, cause);
    this.holder = holder;
  }

  /** @return who holds the lock, if known */
  public Optional<String> holder() {
    return Optional.ofNullable(holder);
  }
}
