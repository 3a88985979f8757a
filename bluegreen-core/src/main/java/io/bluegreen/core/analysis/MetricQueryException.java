package io.bluegreen.core.analysis;

import io.bluegreen.core.BlueGreenException;

/**
 * A {@link MetricProvider} could not take a measurement: the backend was unreachable, answered an
 * error, or answered something that is not a number. A {@link MetricGate} counts it as an error
 * measurement (never as a pass). {@link #isQueryRejected()} tells a query the backend refuses (it
 * will never work: fix the query) from a failure that may pass (timeouts, HTTP 503).
 *
 * <pre>{@code
 * throw new MetricQueryException("Prometheus at http://127.0.0.1:9090 answered HTTP 503", false);
 * }</pre>
 */
public class MetricQueryException extends BlueGreenException {
  private static final long serialVersionUID = 1L;

  private final boolean queryRejected;

  /**
   * @param message what failed (no credentials)
   * @param queryRejected true when the backend refused the query itself (a parse error)
   */
  public MetricQueryException(String message, boolean queryRejected) {
    super(message);
    this.queryRejected = queryRejected;
  }

  /**
   * @param message what failed (no credentials)
   * @param queryRejected true when the backend refused the query itself (a parse error)
   * @param cause the underlying failure
   */
  public MetricQueryException(String message, boolean queryRejected, Throwable cause) {
    super(message, cause);
    this.queryRejected = queryRejected;
  }

  /** @return whether the backend refused the query itself (it will not work until the query is fixed) */
  public boolean isQueryRejected() {
    return queryRejected;
  }
}
