package io.bluegreen.core;

/**
 * Base of every exception this library throws, so a caller can catch them all at once.
 *
 * <pre>{@code
 * try {
 *   plan = builder.build();
 * } catch (BlueGreenException e) {
 *   log.error("cannot switch: {}", e.getMessage());
 * }
 * }</pre>
 */
public class BlueGreenException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param message what went wrong and what to do about it */
  public BlueGreenException(String message) {
    super(message);
  }

  /**
   * @param message what went wrong and what to do about it
   * @param cause the underlying failure
   */
  public BlueGreenException(String message, Throwable cause) {
    super(message, cause);
  }
}
