package io.bluegreen.core;

/**
 * Bad input: thrown by builders, factories and {@code Router.validate} before anything is read
 * from or written to a backend. The message names the offending value and says what to pass instead.
 *
 * <pre>{@code
 * TrafficSplit.of(blue, 90, green, 20);
 * // InvalidConfigurationException: weights must sum to 100 but blue=90 green=20 sums to 110
 * }</pre>
 */
public class InvalidConfigurationException extends BlueGreenException {
  private static final long serialVersionUID = 1L;

  /** @param message what is wrong and how to fix it */
  public InvalidConfigurationException(String message) {
    super(message);
  }
}
