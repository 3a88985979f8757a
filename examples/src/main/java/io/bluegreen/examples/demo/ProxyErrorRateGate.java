package io.bluegreen.examples.demo;

import io.bluegreen.core.GateContext;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.HealthGate;
import java.time.Duration;
import java.util.Locale;

/**
 * A gate on the error rate the proxy observed for one backend over a recent window: the demo's
 * stand-in for a gate on a real load balancer's 5xx metric (CloudWatch, Prometheus). UNHEALTHY when
 * more than {@code maxErrorRate} of the backend's answers in the window failed; INCONCLUSIVE while
 * the window holds fewer than {@code minRequests} answers (too few to judge); HEALTHY otherwise.
 *
 * <pre>{@code
 * HealthGate errors = new ProxyErrorRateGate(proxy, "green", 0.01, Duration.ofSeconds(1), 10);
 * SwitchPlan.builder()...gate(errors);
 * }</pre>
 */
public final class ProxyErrorRateGate implements HealthGate {

  private final WeightedProxy proxy;
  private final String backend;
  private final double maxErrorRate;
  private final Duration window;
  private final long minRequests;

  /**
   * @param proxy the proxy whose answers are counted
   * @param backend the backend to watch, e.g. "green"
   * @param maxErrorRate the highest acceptable share of failed answers, e.g. 0.01
   * @param window how far back to look, up to 10 s
   * @param minRequests fewer answers than this in the window is INCONCLUSIVE
   */
  public ProxyErrorRateGate(WeightedProxy proxy, String backend, double maxErrorRate, Duration window, long minRequests) {
    this.proxy = proxy;
    this.backend = backend;
    this.maxErrorRate = maxErrorRate;
    this.window = window;
    this.minRequests = minRequests;
  }

  @Override
  public GateResult check(GateContext context) {
    WeightedProxy.WindowStats stats = proxy.recent(backend, window);
    String seen = String.format(Locale.ROOT, "%d of %d requests to %s failed in the last %d ms (%.1f%%, limit %.1f%%)",
        stats.failures(), stats.requests(), backend, window.toMillis(), 100 * stats.errorRate(), 100 * maxErrorRate);
    if (stats.requests() < minRequests) {
      return GateResult.inconclusive("only " + stats.requests() + " requests to " + backend + " in the last "
          + window.toMillis() + " ms, need " + minRequests);
    }
    return stats.errorRate() > maxErrorRate ? GateResult.unhealthy(seen) : GateResult.healthy(seen);
  }

  @Override
  public String name() {
    return backend + " error rate";
  }

  @Override
  public String toString() {
    return name();
  }
}
