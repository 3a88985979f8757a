package io.bluegreen.core;

/**
 * Stands in, in a cause chain, for an exception whose message carried a secret (see {@link
 * Redaction#exception(Throwable, java.util.Collection)}): it has the redacted message, the original
 * stack trace and the original class's name, and its cause is the redacted original cause.
 *
 * <pre>{@code
 * if (e.getCause() instanceof RedactedException r) {
 *   log.warn("{} failed: {}", r.originalType(), r.getMessage());   // e.g. io.fabric8...KubernetesClientException
 * }
 * }</pre>
 */
public final class RedactedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String originalType;

  /**
   * @param originalType the class name of the exception it replaces
   * @param redactedMessage that exception's message, already redacted
   * @param redactedCause its cause, already redacted (may be null)
   */
  public RedactedException(String originalType, String redactedMessage, Throwable redactedCause) {
    super(redactedMessage, redactedCause);
    this.originalType = Checks.notBlank(originalType, "originalType");
  }

  /** @return the class name of the exception this one replaces */
  public String originalType() {
    return originalType;
  }

  @Override
  public String toString() {
    String m = getLocalizedMessage();
    return originalType + " (redacted)" + (m == null ? "" : ": " + m);
  }
}
