package io.bluegreen.core;

/**
 * A read-only check before the first write found that switching would be unsafe or impossible: a
 * missing Service, listener or record, or a target with zero ready backends. Nothing was written.
 *
 * <pre>{@code
 * throw new PreflightException("Service default/app-service selects version=green but no endpoint is ready:"
 *     + " wait for the green Deployment to become ready before switching");
 * }</pre>
 */
public class PreflightException extends BlueGreenException {
  private static final long serialVersionUID = 1L;

  /** @param message what is missing or not ready, and what to do */
  public PreflightException(String message) {
    super(message);
  }

  /**
   * @param message what is missing or not ready, and what to do
   * @param cause the backend error behind it
   */
  public PreflightException(String message, Throwable cause) {
    super(message, cause);
  }
}
