package io.bluegreen.aws.gate;

import io.bluegreen.aws.internal.AwsFailures;
import io.bluegreen.aws.internal.AwsRedaction;
import io.bluegreen.core.Checks;
import io.bluegreen.core.GateContext;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.PreflightException;
import io.bluegreen.core.RouterException;
import io.bluegreen.core.analysis.AbstractMetricGate;
import io.bluegreen.core.analysis.Measurement;
import io.bluegreen.core.analysis.MetricGate;
import io.bluegreen.core.analysis.MetricProvider;
import io.bluegreen.core.analysis.MetricQueryException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataResponse;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;
import software.amazon.awssdk.services.cloudwatch.model.MetricStat;
import software.amazon.awssdk.services.cloudwatch.model.ScanBy;

/**
 * A metric analysis gate on CloudWatch {@code GetMetricData}: named metrics ({@code MetricStat}) and
 * one metric-math expression over them, e.g. green's ALB 5xx ratio {@code errors / requests}. At every
 * gate poll it reads the window that ends at the plan's time and judges the expression's newest
 * datapoint with {@link MetricGate}'s semantics (conditions, {@code minSamples}, Argo Rollouts'
 * limits). It sits beside {@link CloudWatchAlarmGate}: alarms judge what CloudWatch already decided,
 * this gate judges the numbers itself.
 *
 * <pre>{@code
 * HealthGate errors = CloudWatchMetricGate.albTarget5xxRatio(cloudWatch,
 *         "app/shop-alb/50dc6c495c0c9188", "targetgroup/shop-green/6d0ecf831eec9f09")
 *     .successCondition(Condition.below(0.01))
 *     .minSamples(100)                 // requests in the window
 *     .build();
 * }</pre>
 *
 * <ul>
 *   <li>Value: the expression's newest datapoint in the window; none is no data (inconclusive).</li>
 *   <li>Samples: with {@link Builder#samplesFrom(String)}, the sum of that metric's datapoints in the
 *       window (for {@code minSamples}).</li>
 *   <li>Preflight: one {@code GetMetricData} before the plan's first write; CloudWatch refusing the
 *       request (a malformed expression, an unknown id) aborts the plan with nothing written.</li>
 *   <li>Failures (throttling, timeouts, access denied, a result with status {@code InternalError}) are
 *       error measurements, counted against {@code consecutiveErrorLimit}, never a pass.</li>
 * </ul>
 * Needs {@code cloudwatch:GetMetricData}. Thread-safe.
 */
public final class CloudWatchMetricGate extends AbstractMetricGate {

  private static final Pattern ID = Pattern.compile("[a-z][a-zA-Z0-9_]*");
  private static final String RESULT_ID = "result";

  private final String expression;

  private CloudWatchMetricGate(MetricGate gate, String expression) {
    super(gate);
    this.expression = expression;
  }

  /**
   * @param cloudWatch the client (SDK retries off is best: the plan's error limit decides)
   * @return a builder
   */
  public static Builder builder(CloudWatchClient cloudWatch) {
    return new Builder(cloudWatch);
  }

  /**
   * The share of an ALB target group's requests answered 5xx by its targets: {@code
   * HTTPCode_Target_5XX_Count / RequestCount} (Sum, 1-minute periods, 5-minute window), with the
   * requests as samples. Missing 5xx datapoints (CloudWatch reports none when there were none) count
   * as 0 ({@code FILL(errors, 0)}).
   *
   * @param cloudWatch the client
   * @param loadBalancer the {@code LoadBalancer} dimension, e.g. {@code app/shop-alb/50dc6c495c0c9188}
   * @param targetGroup the {@code TargetGroup} dimension of the environment judged, e.g. {@code targetgroup/shop-green/6d0ecf831eec9f09}
   * @return a builder to add conditions and limits to
   */
  public static Builder albTarget5xxRatio(CloudWatchClient cloudWatch, String loadBalancer, String targetGroup) {
    Checks.notBlank(loadBalancer, "LoadBalancer dimension");
    Checks.notBlank(targetGroup, "TargetGroup dimension");
    Consumer<MetricStat.Builder> base = m -> m.period(60).stat("Sum");
    return builder(cloudWatch).name("ALB 5xx ratio of " + targetGroup)
        .metric("errors", m -> base.accept(m.metric(x -> x.namespace("AWS/ApplicationELB").metricName("HTTPCode_Target_5XX_Count")
            .dimensions(d -> d.name("LoadBalancer").value(loadBalancer), d -> d.name("TargetGroup").value(targetGroup)))))
        .metric("requests", m -> base.accept(m.metric(x -> x.namespace("AWS/ApplicationELB").metricName("RequestCount")
            .dimensions(d -> d.name("LoadBalancer").value(loadBalancer), d -> d.name("TargetGroup").value(targetGroup)))))
        .expression("FILL(errors, 0) / requests")
        .samplesFrom("requests");
  }

  /**
   * The requests an ALB target group received per minute ({@code RequestCount}, Sum, 1-minute
   * periods, 5-minute window, missing datapoints as 0): as a drain gate with {@code
   * successCondition(Condition.atMost(0))}, HEALTHY once the last minute brought the draining
   * environment no request.
   *
   * <pre>{@code
   * .drainGate(CloudWatchMetricGate.albTargetGroupRequests(cloudWatch, "app/shop-alb/50dc6c495c0c9188",
   *         "targetgroup/shop-blue/73e2d6bc24d8a067").successCondition(Condition.atMost(0)).build())
   * }</pre>
   *
   * @param cloudWatch the client
   * @param loadBalancer the {@code LoadBalancer} dimension, e.g. {@code app/shop-alb/50dc6c495c0c9188}
   * @param targetGroup the {@code TargetGroup} dimension of the draining environment
   * @return a builder to add conditions and limits to
   */
  public static Builder albTargetGroupRequests(CloudWatchClient cloudWatch, String loadBalancer, String targetGroup) {
    Checks.notBlank(loadBalancer, "LoadBalancer dimension");
    Checks.notBlank(targetGroup, "TargetGroup dimension");
    return builder(cloudWatch).name("ALB requests to " + targetGroup)
        .metric("requests", m -> m.period(60).stat("Sum").metric(x -> x.namespace("AWS/ApplicationELB").metricName("RequestCount")
            .dimensions(d -> d.name("LoadBalancer").value(loadBalancer), d -> d.name("TargetGroup").value(targetGroup))))
        .expression("FILL(requests, 0)");
  }

  /** @return the metric-math expression */
  public String expression() {
    return expression;
  }

  @Override
  public String toString() {
    return "CloudWatchMetricGate[" + name() + ": " + expression + "]";
  }

  private static final class Provider implements MetricProvider {
    private final CloudWatchClient cloudWatch;
    private final Map<String, MetricStat> metrics;
    private final String expression;
    private final String samplesFrom;
    private final Duration window;
    private final Duration callTimeout;

    Provider(Builder b) {
      this.cloudWatch = b.cloudWatch;
      this.metrics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.metrics));
      this.expression = b.expression;
      this.samplesFrom = b.samplesFrom;
      this.window = b.window;
      this.callTimeout = b.callTimeout;
    }

    private List<MetricDataQuery> queries() {
      List<MetricDataQuery> queries = new ArrayList<>();
      metrics.forEach((id, stat) -> queries.add(MetricDataQuery.builder().id(id).metricStat(stat).returnData(id.equals(samplesFrom)).build()));
      queries.add(MetricDataQuery.builder().id(RESULT_ID).expression(expression).label(RESULT_ID).returnData(true).build());
      return queries;
    }

    private List<MetricDataResult> fetch(Instant end) {
      List<MetricDataResult> results = new ArrayList<>();
      String token = null;
      int pages = 0;
      try {
        do {
          String next = token;
          GetMetricDataResponse r = cloudWatch.getMetricData(q -> q.metricDataQueries(queries()).startTime(end.minus(window)).endTime(end)
              .scanBy(ScanBy.TIMESTAMP_DESCENDING).nextToken(next).overrideConfiguration(o -> o.apiCallTimeout(callTimeout)));
          results.addAll(r.metricDataResults());
          token = r.nextToken();
        } while (token != null && ++pages < 10);
      } catch (RuntimeException e) {
        RouterException failure = AwsFailures.translate("cloudwatch", "GetMetricData", "expression " + expression, e,
            AwsRedaction.secretsOf(cloudWatch));
        throw new MetricQueryException(failure.getMessage(), false, failure.getCause());
      }
      return results;
    }

    @Override
    public Measurement measure(GateContext ctx) {
      List<MetricDataResult> results = fetch(ctx.now());
      List<Double> values = new ArrayList<>();
      double samples = 0;
      for (MetricDataResult r : results) {
        if ("InternalError".equals(r.statusCodeAsString())) {
          throw new MetricQueryException("CloudWatch could not compute " + r.id() + " (InternalError)"
              + (r.messages().isEmpty() ? "" : ": " + r.messages().get(0).value()), false);
        }
        if (RESULT_ID.equals(r.id())) {
          values.addAll(r.values());
        } else if (r.id().equals(samplesFrom)) {
          samples += r.values().stream().mapToDouble(Double::doubleValue).sum();
        }
      }
      if (values.isEmpty()) {
        return Measurement.noData("no datapoint of " + expression + " in the " + window + " before " + ctx.now());
      }
      double newest = values.get(0);
      String detail = values.size() + " datapoint" + (values.size() == 1 ? "" : "s") + ", newest";
      return (samplesFrom == null ? Measurement.of(newest) : Measurement.of(newest, Math.round(samples))).withDetail(detail);
    }

    @Override
    public void preflight(GateContext ctx) {
      try {
        fetch(ctx.now());
      } catch (MetricQueryException e) {
        throw new PreflightException(e.getMessage() + ". The expression was: " + expression, e);
      }
    }

    @Override
    public String describe() {
      return "cloudwatch " + expression;
    }
  }

  /**
   * Builds a {@link CloudWatchMetricGate}. The analysis settings come from {@link MetricGate.Settings}.
   *
   * <pre>{@code
   * CloudWatchMetricGate latency = CloudWatchMetricGate.builder(cloudWatch)
   *     .metric("p99", m -> m.period(60).stat("p99").metric(x -> x.namespace("AWS/ApplicationELB")
   *         .metricName("TargetResponseTime").dimensions(d -> d.name("TargetGroup").value(greenTg))))
   *     .expression("p99")
   *     .successCondition(Condition.below(0.3))
   *     .build();
   * }</pre>
   */
  public static final class Builder extends MetricGate.Settings<Builder> {
    private final CloudWatchClient cloudWatch;
    private final Map<String, MetricStat> metrics = new LinkedHashMap<>();
    private String expression;
    private String samplesFrom;
    private Duration window = Duration.ofMinutes(5);
    private Duration callTimeout = Duration.ofSeconds(10);

    private Builder(CloudWatchClient cloudWatch) {
      this.cloudWatch = Checks.notNull(cloudWatch, "CloudWatchClient");
    }

    @Override
    protected Builder self() {
      return this;
    }

    /**
     * @param id the id the expression uses (lower-case first letter, then letters, digits, _)
     * @param stat the metric, period and statistic
     * @return this builder
     */
    public Builder metric(String id, Consumer<MetricStat.Builder> stat) {
      Checks.notNull(stat, "metric");
      if (id == null || !ID.matcher(id).matches() || id.equals(RESULT_ID)) {
        throw new InvalidConfigurationException("metric id \"" + (id == null ? "null" : Checks.printable(id)) + "\" is not a valid"
            + " GetMetricData id: start with a lower-case letter, then letters, digits or _ (and not \"" + RESULT_ID + "\")");
      }
      MetricStat.Builder b = MetricStat.builder();
      stat.accept(b);
      MetricStat built = b.build();
      if (built.metric() == null || built.metric().metricName() == null || built.period() == null || built.stat() == null) {
        throw new InvalidConfigurationException("metric " + id + " needs a metric (namespace, name, dimensions), a period and a stat");
      }
      metrics.put(id, built);
      return this;
    }

    /** @param mathExpression a metric-math expression over the metric ids, e.g. {@code errors / requests} @return this builder */
    public Builder expression(String mathExpression) {
      this.expression = Checks.notBlank(mathExpression, "expression");
      return this;
    }

    /** @param metricId the metric whose datapoints, summed over the window, are the samples (e.g. the requests) @return this builder */
    public Builder samplesFrom(String metricId) {
      this.samplesFrom = Checks.notBlank(metricId, "samplesFrom");
      return this;
    }

    /** @param window how far back from the plan's time to read (default 5 min) @return this builder */
    public Builder window(Duration window) {
      this.window = Checks.positive(window, "window");
      return this;
    }

    /** @param timeout bound on each GetMetricData call (default 10 s) @return this builder */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = Checks.positive(timeout, "callTimeout");
      return this;
    }

    /** @return the gate */
    public CloudWatchMetricGate build() {
      if (metrics.isEmpty()) {
        throw new InvalidConfigurationException("CloudWatchMetricGate has no metric: add one with .metric(\"id\", m -> ...)");
      }
      if (expression == null) {
        throw new InvalidConfigurationException("CloudWatchMetricGate has no expression: give .expression(\"errors / requests\")"
            + " (or just a metric id)");
      }
      if (samplesFrom != null && !metrics.containsKey(samplesFrom)) {
        throw new InvalidConfigurationException("samplesFrom(\"" + samplesFrom + "\") names no metric: use one of " + metrics.keySet());
      }
      return new CloudWatchMetricGate(buildGate(new Provider(this), "cloudwatch " + expression), expression);
    }
  }
}
