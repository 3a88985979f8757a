package io.bluegreen.core;

/**
 * Base of every exception this library throws, so a caller can catch them all at once. Messages
 * are printed through {@link Redaction#text(String)}: a URI in one loses its user info, query
 * values and fragment, and credential-shaped values are redacted.
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
    super(Redaction.text(message));
  }

  /**
   * @param message what went wrong and what to do about it
   * @param cause the underlying failure
   */
  public BlueGreenException(String message, Throwable cause) {
    super(Redaction.text(message), cause);
  }
}
