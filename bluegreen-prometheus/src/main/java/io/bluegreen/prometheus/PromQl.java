package io.bluegreen.prometheus;

import io.bluegreen.core.Checks;
import io.bluegreen.core.InvalidConfigurationException;
import java.time.Duration;

/**
 * Builds the PromQL people write most: the share of failed requests over a window, and the count of
 * requests behind it (for {@code minSamples}).
 *
 * <pre>{@code
 * PromQl.Ratio r = PromQl.ratio(
 *     "http_requests_total{env=\"{{env}}\",status=~\"5..\"}",     // errors
 *     "http_requests_total{env=\"{{env}}\"}",                      // all requests
 *     Duration.ofMinutes(2));
 * r.query();          // sum(rate(http_requests_total{env="{{env}}",status=~"5.."}[2m])) / sum(rate(http_requests_total{env="{{env}}"}[2m]))
 * r.samplesQuery();   // sum(increase(http_requests_total{env="{{env}}"}[2m]))
 * }</pre>
 */
public final class PromQl {

  private PromQl() {
  }

  /**
   * The ratio {@code sum(rate(errors[w])) / sum(rate(total[w]))}, NaN when no request was counted
   * (which a gate treats as no data).
   *
   * @param errors a counter selector for the failed requests, e.g. {@code http_requests_total{status=~"5.."}}
   * @param total a counter selector for all requests
   * @param window the rate window: at least 1 s, whole seconds; give it at least two scrape intervals
   * @return the ratio query and its samples query
   */
  public static Ratio ratio(String errors, String total, Duration window) {
    String e = selector(errors, "errors");
    String t = selector(total, "total");
    String w = duration(window);
    return new Ratio("sum(rate(" + e + "[" + w + "])) / sum(rate(" + t + "[" + w + "]))", "sum(increase(" + t + "[" + w + "]))");
  }

  /**
   * @param d a duration of whole seconds, at least 1 s
   * @return it in PromQL, e.g. {@code 2m}, {@code 90s}, {@code 1h30m}
   */
  public static String duration(Duration d) {
    Checks.notNull(d, "window");
    if (d.isNegative() || d.isZero() || d.getNano() != 0) {
      throw new InvalidConfigurationException("a PromQL window must be a positive whole number of seconds, got " + d);
    }
    long s = d.getSeconds();
    StringBuilder sb = new StringBuilder();
    long[] units = {86_400, 3_600, 60, 1};
    String[] names = {"d", "h", "m", "s"};
    for (int i = 0; i < units.length; i++) {
      if (s >= units[i]) {
        sb.append(s / units[i]).append(names[i]);
        s %= units[i];
      }
    }
    return sb.toString();
  }

  private static String selector(String s, String what) {
    Checks.notBlank(s, what + " selector");
    String t = s.trim();
    if (t.endsWith("]")) {
      throw new InvalidConfigurationException("the " + what + " selector " + t + " already has a range: give the counter selector"
          + " alone (PromQl.ratio adds [window])");
    }
    return t;
  }

  /**
   * A ratio query and the query counting the samples behind it.
   *
   * @param query the ratio, e.g. {@code sum(rate(errors[2m])) / sum(rate(total[2m]))}
   * @param samplesQuery the number of requests in the window, e.g. {@code sum(increase(total[2m]))}
   */
  public record Ratio(String query, String samplesQuery) {
  }
}
