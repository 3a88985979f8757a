package io.bluegreen.examples.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A small weighted HTTP reverse proxy on 127.0.0.1: the "load balancer" of the embedded demo. Each
 * request is forwarded with the JDK {@link HttpClient} to the backend that {@link
 * SmoothWeightedRoundRobin} picks under the current weights; the answer goes back with an {@code
 * X-Upstream} header naming that backend (a 502 when the backend cannot be reached).
 *
 * <p>Its "admin API" is plain Java: {@link #weights()} and {@link #setWeights(Map)}. A weight change
 * swaps the whole routing table in one atomic step: requests already forwarded finish where they
 * are, every later request sees the new weights, and no connection is dropped. {@link ProxyRouter}
 * puts the library on top of these two methods. The proxy also keeps, per backend, a sliding window
 * of answers ({@link #recent(String, Duration)}) that {@link ProxyErrorRateGate} reads, the way a gate
 * reads a real load balancer's 5xx metric.
 *
 * <pre>{@code
 * Map<String, URI> backends = Map.of("blue", blue.uri(), "green", green.uri());
 * try (WeightedProxy proxy = WeightedProxy.start(backends, Map.of("blue", 100, "green", 0), Clock.systemUTC())) {
 *   proxy.setWeights(Map.of("blue", 90, "green", 10));
 *   proxy.recent("green", Duration.ofSeconds(1)).errorRate();
 * }
 * }</pre>
 */
public final class WeightedProxy implements AutoCloseable {

  /** The response header naming the backend the proxy forwarded a request to. */
  public static final String UPSTREAM = "X-Upstream";

  /**
   * The weights were set at {@code at}.
   *
   * <pre>{@code
   * proxy.history().get(0).weights();   // {blue=100, green=0}, the initial weights
   * }</pre>
   *
   * @param at when, on the proxy's clock
   * @param weights backend name to weight
   */
  public record WeightChange(Instant at, Map<String, Integer> weights) {
    /**
     * Copies the map.
     *
     * @param at when, on the proxy's clock
     * @param weights backend name to weight
     */
    public WeightChange {
      weights = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(weights));
    }
  }

  /**
   * Answers the proxy got from one backend in a recent window.
   *
   * <pre>{@code
   * WindowStats s = proxy.recent("green", Duration.ofSeconds(1));
   * if (s.requests() >= 10 && s.errorRate() > 0.01) rollBack();
   * }</pre>
   *
   * @param requests requests forwarded and answered (or failed)
   * @param failures 5xx answers and requests the backend could not take
   */
  public record WindowStats(long requests, long failures) {
    /** @return failures / requests, 0 when there were no requests */
    public double errorRate() {
      return requests == 0 ? 0 : (double) failures / requests;
    }
  }

  /** Far longer than any backend takes to answer, so that a loaded machine's pauses are not counted as failures (under the load generator's 30 s). */
  /**
   * A preview rule: requests carrying {@code header: value} go to {@code backend}, whatever the weights.
   *
   * <pre>{@code
   * proxy.openPreview(new WeightedProxy.PreviewRule("X-Preview", "green", "green", "demo@host"));
   * }</pre>
   *
   * @param header the header name (compared case-insensitively, as HTTP does)
   * @param value the value it must have, exactly
   * @param backend where those requests go
   * @param owner who opened it
   */
  public record PreviewRule(String header, String value, String backend, String owner) {
    @Override
    public String toString() {
      return "header " + header + " -> " + backend + " (opened by " + owner + ")";
    }
  }

  /**
   * The preview rule was opened or closed at {@code at}.
   *
   * @param at when, on the proxy's clock
   * @param open whether a preview rule is in force from then on
   */
  public record PreviewChange(Instant at, boolean open) {
  }

  private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(20);

  private final Map<String, URI> backends;
  private final Clock clock;
  private final HttpServer server;
  private final ExecutorService executor;
  private final ExecutorService clientExecutor;
  private final HttpClient client;
  private final AtomicReference<SmoothWeightedRoundRobin> routing = new AtomicReference<>();
  private final List<WeightChange> history = new ArrayList<>();
  private final Map<String, RecentAnswers> recent = new LinkedHashMap<>();
  private final AtomicLong adminReads = new AtomicLong();
  private final AtomicLong adminWrites = new AtomicLong();
  private final AtomicReference<PreviewRule> preview = new AtomicReference<>();
  private final List<PreviewChange> previewHistory = new ArrayList<>();

  private WeightedProxy(Map<String, URI> backends, Map<String, Integer> weights, Clock clock) throws IOException {
    this.backends = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(backends));
    this.clock = clock;
    this.backends.keySet().forEach(name -> recent.put(name, new RecentAnswers()));
    install(weights);
    this.clientExecutor = Executors.newCachedThreadPool(new DaemonThreads("proxy-client"));
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(FORWARD_TIMEOUT)
        .executor(clientExecutor).build();
    this.executor = Executors.newFixedThreadPool(16, new DaemonThreads("proxy"));
    this.server = LocalHttpServers.create(executor);
    server.createContext("/", this::forward);
    server.start();
  }

  /**
   * Starts the proxy on 127.0.0.1 and an ephemeral port.
   *
   * @param backends backend name to base URI, in display order
   * @param weights the initial weights (names from {@code backends}; relative, usually percents)
   * @param clock timestamps weight changes and answers
   * @return the running proxy
   * @throws IOException if it cannot bind
   */
  public static WeightedProxy start(Map<String, URI> backends, Map<String, Integer> weights, Clock clock) throws IOException {
    return new WeightedProxy(backends, weights, clock);
  }

  /** @return where clients send requests, e.g. {@code http://127.0.0.1:40213} */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** @return the backend names, in display order */
  public List<String> backendNames() {
    return List.copyOf(backends.keySet());
  }

  /** @return the weights in force now (an admin read) */
  public Map<String, Integer> weights() {
    adminReads.incrementAndGet();
    return routing.get().weights();
  }

  /**
   * Replaces the weights in one atomic step (an admin write). Backends not named get weight 0.
   *
   * @param weights backend name to weight; at least one positive
   * @throws IllegalArgumentException for an unknown backend, a negative weight or all zero
   */
  public void setWeights(Map<String, Integer> weights) {
    adminWrites.incrementAndGet();
    install(weights);
  }

  private synchronized void install(Map<String, Integer> weights) {
    Map<String, Integer> full = new LinkedHashMap<>();
    for (String name : backends.keySet()) {
      full.put(name, weights.getOrDefault(name, 0));
    }
    for (String name : weights.keySet()) {
      if (!backends.containsKey(name)) {
        throw new IllegalArgumentException("unknown backend " + name + ": the proxy knows " + backends.keySet());
      }
    }
    routing.set(new SmoothWeightedRoundRobin(full));
    history.add(new WeightChange(clock.instant(), full));
  }

  /**
   * Opens (or replaces) the preview rule, in one atomic step (an admin write).
   *
   * @param rule the rule
   * @throws IllegalArgumentException for an unknown backend
   */
  public synchronized void openPreview(PreviewRule rule) {
    if (!backends.containsKey(rule.backend())) {
      throw new IllegalArgumentException("unknown backend " + rule.backend() + ": the proxy knows " + backends.keySet());
    }
    adminWrites.incrementAndGet();
    preview.set(rule);
    previewHistory.add(new PreviewChange(clock.instant(), true));
  }

  /** @return the preview rule removed, if there was one (an admin write when there was) */
  public synchronized Optional<PreviewRule> closePreview() {
    PreviewRule was = preview.getAndSet(null);
    if (was != null) {
      adminWrites.incrementAndGet();
      previewHistory.add(new PreviewChange(clock.instant(), false));
    }
    return Optional.ofNullable(was);
  }

  /** @return the preview rule in force (an admin read) */
  public Optional<PreviewRule> preview() {
    adminReads.incrementAndGet();
    return Optional.ofNullable(preview.get());
  }

  /** @return every opening and closing of the preview rule */
  public synchronized List<PreviewChange> previewHistory() {
    return List.copyOf(previewHistory);
  }

  /** @return every weight change, the initial weights first */
  public synchronized List<WeightChange> history() {
    return List.copyOf(history);
  }

  /** @return admin reads so far ({@link #weights()} calls) */
  public long adminReads() {
    return adminReads.get();
  }

  /** @return admin writes so far ({@link #setWeights(Map)} calls) */
  public long adminWrites() {
    return adminWrites.get();
  }

  /**
   * @param backend a backend name
   * @param window how far back, up to 10 s
   * @return the answers the proxy got from that backend in the window
   */
  public WindowStats recent(String backend, Duration window) {
    RecentAnswers answers = recent.get(backend);
    if (answers == null) {
      throw new IllegalArgumentException("unknown backend " + backend + ": the proxy knows " + backends.keySet());
    }
    return answers.within(clock.millis(), window.toMillis());
  }

  private void forward(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      PreviewRule rule = preview.get();
      String backend = rule != null && rule.value().equals(exchange.getRequestHeaders().getFirst(rule.header()))
          ? rule.backend() : routing.get().next();
      URI target = URI.create(backends.get(backend) + exchange.getRequestURI().toString());
      HttpRequest request = HttpRequest.newBuilder(target).timeout(FORWARD_TIMEOUT)
          .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofByteArray(body))
          .build();
      int status;
      byte[] answer;
      exchange.getResponseHeaders().set(UPSTREAM, backend);
      try {
        HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        status = response.statusCode();
        answer = response.body();
        for (String header : List.of("Content-Type", BackendServer.SERVED_BY, "X-Version")) {
          response.headers().firstValue(header).ifPresent(v -> exchange.getResponseHeaders().set(header, v));
        }
      } catch (IOException e) {
        status = 502;
        answer = ("proxy could not reach " + backend + ": " + e + "\n").getBytes(StandardCharsets.UTF_8);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        status = 503;
        answer = "proxy shutting down\n".getBytes(StandardCharsets.UTF_8);
      }
      recent.get(backend).add(clock.millis(), status >= 500);
      exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer);
      }
    }
  }

  /** Stops the proxy at once and releases its threads. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    clientExecutor.shutdownNow();
    try {
      executor.awaitTermination(2, TimeUnit.SECONDS);
      clientExecutor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "proxy at " + uri() + " " + routing.get().weights();
  }

  /** Answers per 100 ms slot over the last 10 s. */
  private static final class RecentAnswers {
    private static final int SLOT_MILLIS = 100;
    private static final int SLOTS = 100;
    private final long[] slot = new long[SLOTS];
    private final long[] requests = new long[SLOTS];
    private final long[] failures = new long[SLOTS];

    synchronized void add(long nowMillis, boolean failed) {
      long s = nowMillis / SLOT_MILLIS;
      int i = (int) (s % SLOTS);
      if (slot[i] != s) {
        slot[i] = s;
        requests[i] = 0;
        failures[i] = 0;
      }
      requests[i]++;
      if (failed) {
        failures[i]++;
      }
    }

    synchronized WindowStats within(long nowMillis, long windowMillis) {
      long newest = nowMillis / SLOT_MILLIS;
      long oldest = newest - Math.min(SLOTS - 1, Math.max(1, windowMillis / SLOT_MILLIS)) + 1;
      long r = 0;
      long f = 0;
      for (int i = 0; i < SLOTS; i++) {
        if (slot[i] >= oldest && slot[i] <= newest) {
          r += requests[i];
          f += failures[i];
        }
      }
      return new WindowStats(r, f);
    }
  }
}
