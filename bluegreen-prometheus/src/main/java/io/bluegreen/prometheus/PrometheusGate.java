package io.bluegreen.prometheus;

import io.bluegreen.core.Checks;
import io.bluegreen.core.Environment;
import io.bluegreen.core.GateContext;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.PreflightException;
import io.bluegreen.core.analysis.AbstractMetricGate;
import io.bluegreen.core.analysis.Measurement;
import io.bluegreen.core.analysis.MetricGate;
import io.bluegreen.core.analysis.MetricProvider;
import io.bluegreen.core.analysis.MetricQueryException;
import io.bluegreen.prometheus.internal.PromQlTemplate;
import io.bluegreen.prometheus.internal.PrometheusApi;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A metric analysis gate on a PromQL instant query: at every gate poll it asks Prometheus's HTTP API
 * ({@code POST /api/v1/query}) for the value at the plan's time and judges it with {@link MetricGate}'s
 * semantics (success and failure conditions, {@code minSamples}, and Argo Rollouts' {@code
 * failureLimit}, {@code inconclusiveLimit}, {@code consecutiveErrorLimit}, {@code count}).
 *
 * <pre>{@code
 * HealthGate errors = PrometheusGate.builder(URI.create("http://prometheus.monitoring:9090"))
 *     .name("green 5xx ratio")
 *     .ratio(PromQl.ratio("http_requests_total{env=\"{{env}}\",status=~\"5..\"}",
 *                         "http_requests_total{env=\"{{env}}\"}", Duration.ofMinutes(2)))
 *     .successCondition(Condition.below(0.01))      // under 1% errors: successful
 *     .failureCondition(Condition.atLeast(0.05))    // 5% or more: failed; in between: inconclusive
 *     .minSamples(100)                              // fewer than 100 requests in the window: inconclusive
 *     .failureLimit(1)
 *     .bearerToken(System.getenv("PROMETHEUS_TOKEN"))
 *     .build();
 * }</pre>
 *
 * <h2>The query</h2>
 * <ul>
 *   <li><b>Templating</b>: {@code {{env}}} is the environment judged (the plan's target, e.g. {@code
 *       green}; as a drain gate, the environment draining; unless {@link Builder#environment(Environment)}
 *       names another), {@code {{from}}} and
 *       {@code {{to}}} the plan's environments, and any name declared with {@link Builder#arg}. Any
 *       other placeholder is rejected by {@code build()}.</li>
 *   <li><b>Time</b>: the query is evaluated at the plan's clock ({@code time=} parameter), so a plan
 *       on a virtual clock reads recorded series deterministically. Mind Prometheus's 5-minute
 *       lookback: a series that stopped more than 5 minutes before that time is not found.</li>
 *   <li><b>Result</b>: a scalar, or an instant vector reduced by {@link Builder#reduce(Reduction)}
 *       (default {@link Reduction#SINGLE}: more than one series is an error that names them). An
 *       empty vector is no data (inconclusive); NaN (e.g. 0/0) is no data; {@code +Inf} is a value.</li>
 *   <li><b>Samples</b>: {@link Builder#samplesQuery(String)} (set by {@link Builder#ratio}) counts what
 *       the value was computed from, for {@code minSamples}.</li>
 * </ul>
 *
 * <h2>Preflight</h2>
 * Before the plan's first write the query (and the samples query) run once, read-only. A query
 * Prometheus rejects ({@code bad_data}: it does not parse), a range-vector result, more than one
 * series under {@link Reduction#SINGLE}, or a Prometheus that cannot be reached ends the plan ABORTED
 * with nothing written, and the reason says what to fix.
 *
 * <h2>Failures</h2>
 * Unreachable, timed out, HTTP 5xx, malformed JSON, an execution error: each is an error
 * measurement, counted against {@code consecutiveErrorLimit}, never a pass.
 *
 * <h2>Credentials</h2>
 * {@link Builder#bearerToken} or {@link Builder#basicAuth}; the header is built per request and never
 * appears in a log line, event, exception message or {@code toString()}. The base URI may not carry
 * credentials or a query string ({@code build()} refuses it), so it can always be printed.
 * Thread-safe.
 */
public final class PrometheusGate extends AbstractMetricGate {

  private static final Pattern ARG_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Set<String> BUILT_IN = Set.of("env", "from", "to");

  private final PromQlTemplate query;
  private final Reduction reduction;
  private final URI prometheus;

  private PrometheusGate(MetricGate gate, PromQlTemplate query, Reduction reduction, URI prometheus) {
    super(gate);
    this.query = query;
    this.reduction = reduction;
    this.prometheus = prometheus;
  }

  /**
   * @param prometheus the server's base URI, e.g. {@code http://prometheus:9090} (a path prefix is kept)
   * @return a builder
   */
  public static Builder builder(URI prometheus) {
    return new Builder(prometheus);
  }

  /** @return the query as written, placeholders included */
  public String query() {
    return query.text();
  }

  /** @return how a vector becomes one value */
  public Reduction reduction() {
    return reduction;
  }

  /** @return the server */
  public URI prometheus() {
    return prometheus;
  }

  @Override
  public String toString() {
    return "PrometheusGate[" + name() + " at " + prometheus + ": " + query.text() + "]";
  }

  /** The provider: renders the template for the context, queries, reduces. */
  private static final class Provider implements MetricProvider {
    private final PrometheusApi api;
    private final PromQlTemplate query;
    private final PromQlTemplate samplesQuery;
    private final Reduction reduction;
    private final Environment environment;
    private final Map<String, String> args;

    Provider(PrometheusApi api, PromQlTemplate query, PromQlTemplate samplesQuery, Reduction reduction, Environment environment,
        Map<String, String> args) {
      this.api = api;
      this.query = query;
      this.samplesQuery = samplesQuery;
      this.reduction = reduction;
      this.environment = environment;
      this.args = args;
    }

    private Map<String, String> values(GateContext ctx) {
      Map<String, String> v = new HashMap<>(args);
      v.put("env", (environment != null ? environment : ctx.draining().orElse(ctx.to())).name());
      v.put("from", ctx.from().name());
      v.put("to", ctx.to().name());
      return v;
    }

    @Override
    public Measurement measure(GateContext ctx) {
      Map<String, String> values = values(ctx);
      String promql = query.render(values);
      List<PrometheusApi.Sample> samples = api.query(promql, ctx.now());
      if (samples.isEmpty()) {
        return Measurement.noData("the query returned an empty vector: no series matched at " + ctx.now());
      }
      double value = reduce(samples, promql);
      String detail = samples.size() == 1 ? "" : samples.size() + " series, " + reduction.name().toLowerCase(java.util.Locale.ROOT);
      if (samplesQuery == null) {
        return Measurement.of(value).withDetail(detail);
      }
      String countQuery = samplesQuery.render(values);
      List<PrometheusApi.Sample> counted = api.query(countQuery, ctx.now());
      double n = counted.isEmpty() ? 0 : Reduction.SUM.apply(counted.stream().map(PrometheusApi.Sample::value).toList());
      long samplesBehind = Double.isNaN(n) || n < 0 ? 0 : Double.isInfinite(n) ? Long.MAX_VALUE : Math.round(n);
      return Measurement.of(value, samplesBehind).withDetail(detail);
    }

    private double reduce(List<PrometheusApi.Sample> samples, String promql) {
      if (reduction == Reduction.SINGLE && samples.size() > 1) {
        String shown = samples.stream().limit(3).map(PrometheusApi.Sample::labelText).collect(Collectors.joining(", "));
        throw new MetricQueryException("the query returned " + samples.size() + " series (" + shown + (samples.size() > 3 ? ", ..." : "")
            + ") where one was expected: aggregate it (sum(...), max(...)) or choose .reduce(Reduction.MAX/MIN/SUM/AVG)", false);
      }
      return reduction.apply(samples.stream().map(PrometheusApi.Sample::value).toList());
    }

    @Override
    public void preflight(GateContext ctx) {
      Map<String, String> values = values(ctx);
      check(query.render(values), ctx, true);
      if (samplesQuery != null) {
        check(samplesQuery.render(values), ctx, false);
      }
    }

    private void check(String promql, GateContext ctx, boolean reduce) {
      try {
        List<PrometheusApi.Sample> samples = api.query(promql, ctx.now());
        if (reduce && !samples.isEmpty()) {
          reduce(samples, promql);
        }
      } catch (MetricQueryException e) {
        throw new PreflightException(e.getMessage() + (e.isQueryRejected() ? ". Fix the PromQL: " : ". The query was: ") + promql, e);
      }
    }

    @Override
    public String describe() {
      return "prometheus " + api.where() + " " + query.text();
    }
  }

  /**
   * Builds a {@link PrometheusGate}. The analysis settings ({@code successCondition}, {@code
   * failureLimit}, ...) come from {@link MetricGate.Settings}.
   *
   * <pre>{@code
   * PrometheusGate p99 = PrometheusGate.builder(uri)
   *     .name("green p99 latency")
   *     .query("histogram_quantile(0.99, sum by (le) (rate(http_server_requests_seconds_bucket{env=\"{{env}}\"}[2m])))")
   *     .successCondition(Condition.below(0.300))
   *     .timeout(Duration.ofSeconds(5))
   *     .build();
   * }</pre>
   */
  public static final class Builder extends MetricGate.Settings<Builder> {
    private final URI prometheus;
    private String query;
    private String samplesQuery;
    private Reduction reduction = Reduction.SINGLE;
    private Environment environment;
    private final Map<String, String> args = new LinkedHashMap<>();
    private Supplier<String> bearer;
    private String basicUser;
    private String basicPassword;
    private Duration timeout = Duration.ofSeconds(10);
    private HttpClient http;

    private Builder(URI prometheus) {
      Checks.notNull(prometheus, "Prometheus URI");
      String scheme = prometheus.getScheme();
      if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || prometheus.getHost() == null) {
        throw new InvalidConfigurationException("the Prometheus URI must be an absolute http:// or https:// address with a host,"
            + " e.g. http://prometheus:9090");
      }
      if (prometheus.getRawUserInfo() != null) {
        throw new InvalidConfigurationException("the Prometheus URI carries credentials (user:password@): remove them from the"
            + " address and pass them with .basicAuth(user, password), which are never printed");
      }
      if (prometheus.getRawQuery() != null || prometheus.getRawFragment() != null) {
        throw new InvalidConfigurationException("the Prometheus URI has a query string or fragment: give the server's base address"
            + " only (e.g. http://prometheus:9090 or https://host/prometheus), and credentials with bearerToken/basicAuth");
      }
      this.prometheus = prometheus;
    }

    @Override
    protected Builder self() {
      return this;
    }

    /**
     * @param promql an instant query, e.g. {@code sum(rate(errors_total{env="{{env}}"}[2m]))}
     * @return this builder
     */
    public Builder query(String promql) {
      this.query = Checks.notBlank(promql, "query");
      return this;
    }

    /**
     * @param promql a query counting the samples behind the value (e.g. the requests in the window),
     *     for {@code minSamples}; its values are summed, an empty vector is 0
     * @return this builder
     */
    public Builder samplesQuery(String promql) {
      this.samplesQuery = Checks.notBlank(promql, "samplesQuery");
      return this;
    }

    /**
     * @param ratio a ratio from {@link PromQl#ratio}: sets the query and the samples query
     * @return this builder
     */
    public Builder ratio(PromQl.Ratio ratio) {
      Checks.notNull(ratio, "ratio");
      return query(ratio.query()).samplesQuery(ratio.samplesQuery());
    }

    /** @param reduction how a vector of several series becomes one value (default SINGLE) @return this builder */
    public Builder reduce(Reduction reduction) {
      this.reduction = Checks.notNull(reduction, "reduction");
      return this;
    }

    /** @param environment the environment {@code {{env}}} names (default: the plan's target) @return this builder */
    public Builder environment(Environment environment) {
      this.environment = Checks.notNull(environment, "environment");
      return this;
    }

    /**
     * @param name a placeholder name ({@code [A-Za-z_][A-Za-z0-9_]*}, not env, from or to)
     * @param value its value, inserted as written
     * @return this builder
     */
    public Builder arg(String name, String value) {
      Checks.notBlank(name, "arg name");
      Checks.notNull(value, "arg value");
      if (!ARG_NAME.matcher(name).matches() || BUILT_IN.contains(name)) {
        throw new InvalidConfigurationException("arg name \"" + Checks.printable(name) + "\" cannot be used: use letters, digits and _"
            + " (not starting with a digit), other than the built-in env, from and to");
      }
      if (value.contains("{{") || value.contains("}}")) {
        throw new InvalidConfigurationException("the value of arg " + name + " contains {{ or }}: placeholders are not expanded twice");
      }
      args.put(name, value);
      return this;
    }

    /** @param token a bearer token sent as {@code Authorization: Bearer ...} (never printed) @return this builder */
    public Builder bearerToken(String token) {
      Checks.notBlank(token, "bearer token");
      return bearerToken(() -> token);
    }

    /**
     * @param token read before every request (for tokens that rotate); never printed
     * @return this builder
     */
    public Builder bearerToken(Supplier<String> token) {
      this.bearer = Checks.notNull(token, "bearer token supplier");
      this.basicUser = null;
      this.basicPassword = null;
      return this;
    }

    /**
     * @param user the user
     * @param password the password (never printed)
     * @return this builder
     */
    public Builder basicAuth(String user, String password) {
      Checks.notBlank(user, "basic auth user");
      Checks.notNull(password, "basic auth password");
      if (user.contains(":")) {
        throw new InvalidConfigurationException("a basic auth user name cannot contain ':'");
      }
      this.basicUser = user;
      this.basicPassword = password;
      this.bearer = null;
      return this;
    }

    /** @param timeout bound on each query, also sent to Prometheus (default 10 s) @return this builder */
    public Builder timeout(Duration timeout) {
      this.timeout = Checks.positive(timeout, "timeout");
      return this;
    }

    /** @param client the HTTP client to use (default: one of the JDK's, HTTP/1.1, connect timeout = timeout) @return this builder */
    public Builder httpClient(HttpClient client) {
      this.http = Checks.notNull(client, "httpClient");
      return this;
    }

    /**
     * @return the gate
     * @throws InvalidConfigurationException for a missing query, an unknown placeholder, or settings
     *     that cannot work (see {@link MetricGate.Settings})
     */
    public PrometheusGate build() {
      if (query == null) {
        throw new InvalidConfigurationException("PrometheusGate has no query: call .query(\"...\") or .ratio(PromQl.ratio(...))");
      }
      Set<String> known = new java.util.HashSet<>(BUILT_IN);
      known.addAll(args.keySet());
      PromQlTemplate q = PromQlTemplate.parse("query", query, known);
      PromQlTemplate s = samplesQuery == null ? null : PromQlTemplate.parse("samplesQuery", samplesQuery, known);
      Supplier<Optional<String>> auth;
      if (bearer != null) {
        Supplier<String> b = bearer;
        auth = () -> {
          String token = b.get();
          if (token == null || token.isBlank()) {
            throw new MetricQueryException("the bearer token supplier gave no token", false);
          }
          return Optional.of("Bearer " + token.trim());
        };
      } else if (basicUser != null) {
        String header = "Basic " + Base64.getEncoder().encodeToString((basicUser + ":" + basicPassword).getBytes(StandardCharsets.UTF_8));
        auth = () -> Optional.of(header);
      } else {
        auth = Optional::empty;
      }
      HttpClient client = http != null ? http
          : HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
      PrometheusApi api = new PrometheusApi(client, prometheus, auth, timeout);
      Provider provider = new Provider(api, q, s, reduction, environment, Map.copyOf(args));
      String defaultName = "prometheus " + abbreviate(query);
      return new PrometheusGate(buildGate(provider, defaultName), q, reduction, prometheus);
    }

    private static String abbreviate(String q) {
      String oneLine = q.replaceAll("\\s+", " ").trim();
      return oneLine.length() <= 60 ? oneLine : oneLine.substring(0, 57) + "...";
    }
  }
}
