package io.bluegreen.examples.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One environment of the demo: a real HTTP server on 127.0.0.1 (ephemeral port) that answers
 * {@code /} with a greeting naming its environment and version, and {@code /health} with 200 UP.
 * Every answer carries an {@code X-Served-By} header naming the environment, so a client can tell
 * which side of the switch served it. {@code /metrics} exposes, through Micrometer's Prometheus
 * registry, {@code http_server_requests_total{status="200"|"500"}} (answers to {@code /}) for a
 * Prometheus to scrape (the PrometheusGate example does).
 *
 * <p>{@link #breakNow(double)} simulates a bad release: from then on {@code /health} answers 503 and
 * the given share of requests to {@code /} fail with 500. The share is exact (every n-th request),
 * not random, so the demo's numbers are reproducible.
 *
 * <pre>{@code
 * try (BackendServer green = BackendServer.start("green", "2.0.0", Clock.systemUTC())) {
 *   URI health = green.healthUri();     // http://127.0.0.1:41234/health -> 200 UP
 *   green.breakNow(0.3);                // /health -> 503, 30% of requests -> 500
 * }
 * }</pre>
 */
public final class BackendServer implements AutoCloseable {

  /** The response header naming the environment that served a request. */
  public static final String SERVED_BY = "X-Served-By";

  private final String name;
  private final String version;
  private final Clock clock;
  private final HttpServer server;
  private final ExecutorService executor;
  private final AtomicLong requests = new AtomicLong();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter ok;
  private final Counter failed;
  private volatile double failureShare;
  private volatile Instant brokeAt;

  private BackendServer(String name, String version, Clock clock) throws IOException {
    this.name = name;
    this.version = version;
    this.clock = clock;
    this.executor = Executors.newFixedThreadPool(16, new DaemonThreads("backend-" + name));
    this.ok = Counter.builder("http.server.requests").description("Answers to /").tag("status", "200").register(metrics);
    this.failed = Counter.builder("http.server.requests").description("Answers to /").tag("status", "500").register(metrics);
    this.server = LocalHttpServers.create(executor);
    server.createContext("/metrics", this::scrape);
    server.createContext("/health", this::health);
    server.createContext("/slow", this::slow);
    server.createContext("/", this::hello);
    server.start();
  }

  /**
   * Starts a healthy server on 127.0.0.1 and an ephemeral port.
   *
   * @param name the environment name it reports in {@code X-Served-By}, e.g. "blue"
   * @param version the version it reports, e.g. "1.0.0"
   * @param clock the clock {@link #breakNow(double)} timestamps with
   * @return the running server
   * @throws IOException if it cannot bind
   */
  public static BackendServer start(String name, String version, Clock clock) throws IOException {
    return new BackendServer(name, version, clock);
  }

  /** @return the environment name */
  public String name() {
    return name;
  }

  /** @return the base URI, e.g. {@code http://127.0.0.1:41234} */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** @return the health endpoint */
  public URI healthUri() {
    return uri().resolve("/health");
  }

  /**
   * Breaks this environment: {@code /health} answers 503 from now on, and {@code failureShare} of the
   * requests to {@code /} answer 500.
   *
   * @param failureShare between 0 and 1
   * @return when it broke, on this server's clock
   */
  public Instant breakNow(double failureShare) {
    if (failureShare < 0 || failureShare > 1) {
      throw new IllegalArgumentException("failureShare must be between 0 and 1, got " + failureShare);
    }
    Instant at = clock.instant();
    this.brokeAt = at;
    this.failureShare = failureShare;
    return at;
  }

  /** @return when {@link #breakNow(double)} was called, if it was */
  public Optional<Instant> brokeAt() {
    return Optional.ofNullable(brokeAt);
  }

  /** @return requests served on {@code /} so far */
  public long requests() {
    return requests.get();
  }

  private void health(HttpExchange exchange) throws IOException {
    boolean broken = brokeAt != null;
    respond(exchange, broken ? 503 : 200, broken ? "DOWN\n" : "UP\n");
  }

  /** @return requests to {@code /} and {@code /slow} being served right now */
  public int inFlight() {
    return inFlight.get();
  }

  /** {@code /slow?ms=N}: a long request (a long poll, a download), answered after N ms (at most 10 s). */
  private void slow(HttpExchange exchange) throws IOException {
    inFlight.incrementAndGet();
    try {
      String query = exchange.getRequestURI().getQuery();
      long ms = 1000;
      if (query != null && query.startsWith("ms=")) {
        try {
          ms = Math.max(0, Math.min(10_000, Long.parseLong(query.substring(3))));
        } catch (NumberFormatException e) {
          ms = 1000;
        }
      }
      try {
        Thread.sleep(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      respond(exchange, 200, "slow hello from " + name + " " + version + "\n");
    } finally {
      inFlight.decrementAndGet();
    }
  }

  private void hello(HttpExchange exchange) throws IOException {
    inFlight.incrementAndGet();
    try {
      answer(exchange);
    } finally {
      inFlight.decrementAndGet();
    }
  }

  private void answer(HttpExchange exchange) throws IOException {
    long n = requests.incrementAndGet();
    double share = failureShare;
    // fail exactly `share` of the requests: request n fails when floor(n * share) steps up
    boolean fail = brokeAt != null && (long) (n * share) != (long) ((n - 1) * share);
    if (fail) {
      failed.increment();
      respond(exchange, 500, name + " " + version + " failed (injected)\n");
    } else {
      ok.increment();
      respond(exchange, 200, "hello from " + name + " " + version + "\n");
    }
  }

  private void scrape(HttpExchange exchange) throws IOException {
    try (exchange) {
      exchange.getRequestBody().readAllBytes();
      byte[] bytes = metrics.scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      exchange.sendResponseHeaders(200, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /** @return the Prometheus scrape endpoint */
  public URI metricsUri() {
    return uri().resolve("/metrics");
  }

  private void respond(HttpExchange exchange, int status, String body) throws IOException {
    try (exchange) {
      exchange.getRequestBody().readAllBytes();
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      exchange.getResponseHeaders().set(SERVED_BY, name);
      exchange.getResponseHeaders().set("X-Version", version);
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /** Stops the server at once and releases its threads. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return name + " " + version + " at " + uri();
  }
}
