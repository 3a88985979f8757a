package io.bluegreen.testkit;

import java.net.URI;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.LoggerFactory;

/**
 * Finds the endpoint of an independent test peer started outside the JVM (such as moto server, which
 * {@code scripts/test.sh} starts on 127.0.0.1 and passes as {@code BLUEGREEN_MOTO_ENDPOINT}).
 *
 * <p>When the endpoint is missing: on CI ({@code CI=true}) the test fails, because a test that passes
 * because nothing ran proves nothing; elsewhere the test is skipped with a loud message saying how
 * to run it.
 *
 * <pre>{@code
 * URI moto = ExternalPeer.require("BLUEGREEN_MOTO_ENDPOINT", "moto server", "run ./scripts/test.sh");
 * }</pre>
 */
public final class ExternalPeer {

  private ExternalPeer() {
  }

  /**
   * @param variable environment variable (also read as a system property, lower-cased with dots:
   *     {@code BLUEGREEN_MOTO_ENDPOINT} → {@code bluegreen.moto.endpoint})
   * @param what the peer's name, for the message
   * @param howToRun how to provide it, for the message
   * @return the endpoint
   */
  public static URI require(String variable, String what, String howToRun) {
    String property = variable.toLowerCase(Locale.ROOT).replace('_', '.');
    String value = System.getProperty(property, System.getenv(variable));
    if (value != null && !value.isBlank()) {
      return URI.create(value.trim());
    }
    String message = what + " is not available: " + variable + " is not set. " + howToRun;
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError("CI=true and " + message);
    }
    LoggerFactory.getLogger(ExternalPeer.class).warn("*** SKIPPING: {} ***", message);
    Assumptions.abort(message);
    throw new AssertionError("unreachable");
  }
}
