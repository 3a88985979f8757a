package io.bluegreen.core;

import java.time.Duration;

/**
 * Argument checks shared by the public value types; every failure names the argument and says what
 * to pass instead. Adapters use it too, so that all modules word their errors the same way.
 *
 * <pre>{@code
 * Duration hold = Checks.nonNegative(hold, "hold");
 * }</pre>
 */
public final class Checks {
  private Checks() {
  }

  /**
   * @param value the value
   * @param what its name in the message
   * @param <T> its type
   * @return the value
   * @throws InvalidConfigurationException if it is null
   */
  public static <T> T notNull(T value, String what) {
    if (value == null) {
      throw new InvalidConfigurationException(what + " is null: pass a value");
    }
    return value;
  }

  /**
   * @param value the duration
   * @param what its name in the message
   * @return the duration
   * @throws InvalidConfigurationException if it is null or negative
   */
  public static Duration nonNegative(Duration value, String what) {
    notNull(value, what);
    if (value.isNegative()) {
      throw new InvalidConfigurationException(what + " is negative (" + value + "): pass zero or a positive duration");
    }
    return value;
  }

  /**
   * @param value the duration
   * @param what its name in the message
   * @return the duration
   * @throws InvalidConfigurationException if it is null, zero or negative
   */
  public static Duration positive(Duration value, String what) {
    notNull(value, what);
    if (value.isNegative() || value.isZero()) {
      throw new InvalidConfigurationException(what + " must be positive but is " + value + ": pass a duration greater than zero");
    }
    return value;
  }

  /**
   * @param value the string
   * @param what its name in the message
   * @return the string
   * @throws InvalidConfigurationException if it is null or blank
   */
  public static String notBlank(String value, String what) {
    notNull(value, what);
    if (value.isBlank()) {
      throw new InvalidConfigurationException(what + " is blank: pass a non-empty value");
    }
    return value;
  }

  /**
   * Quotes user input for an error message without letting it forge log lines: control characters
   * are escaped and long values are cut.
   *
   * @param value user input
   * @return a printable, bounded rendering
   */
  public static String printable(String value) {
    if (value == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < value.length() && sb.length() < 120; i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    if (sb.length() >= 120 && value.length() > 120) {
      sb.append("...");
    }
    return sb.toString();
  }
}
