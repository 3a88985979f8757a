package io.bluegreen.examples.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Concurrent clients sending {@code GET /} to one URI at a steady pace until stopped or until a
 * request budget is spent, recording every request: when it was sent, how long it took, which
 * environment served it (the backend's {@code X-Served-By} header and the proxy's {@code X-Upstream}),
 * its status, and the I/O error if there was one.
 *
 * <pre>{@code
 * try (LoadGenerator load = LoadGenerator.start(proxy.uri(), 8, 50, 100_000, Clock.systemUTC())) {
 *   // ... switch traffic ...
 *   load.stop();
 *   long failed = load.samples().stream().filter(LoadGenerator.Sample::failed).count();
 * }
 * }</pre>
 */
public final class LoadGenerator implements AutoCloseable {

  /**
   * One request.
   *
   * <pre>{@code
   * long green = load.samples().stream().filter(s -> "green".equals(s.backend())).count();
   * }</pre>
   *
   * @param sent when it was sent
   * @param took how long until the answer (or the error)
   * @param upstream the backend the proxy chose ({@code X-Upstream}), or null if no answer came
   * @param servedBy the environment that answered itself ({@code X-Served-By}), or null if none did
   *     (e.g. the proxy answered 502 because it could not reach the backend)
   * @param status the HTTP status, 0 when no answer came
   * @param error the I/O error, or null
   */
  public record Sample(Instant sent, Duration took, String upstream, String servedBy, int status, String error) {
    /** @return when the answer (or the error) came */
    public Instant answered() {
      return sent.plus(took);
    }

    /** @return whether the request failed: no answer or a status other than 200 */
    public boolean failed() {
      return status != 200;
    }

    /** @return the environment that answered, or failing that the one the proxy chose, or "none" */
    public String backend() {
      return servedBy != null ? servedBy : upstream != null ? upstream : "none";
    }
  }

  /**
   * How long a client waits for an answer before counting the request as failed: far longer than any
   * answer takes, so that a failure means the switch (or broken green) failed it, not a loaded machine
   * that was slow to schedule a thread (a 2 s limit once counted such a pause as a failed request).
   */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private final URI target;
  private final Clock clock;
  private final long maxRequests;
  private final long periodNanos;
  private final HttpClient client;
  private final ExecutorService clientExecutor;
  private final List<Thread> threads = new ArrayList<>();
  private final List<Sample> samples = new ArrayList<>();
  private final AtomicLong issued = new AtomicLong();
  private volatile boolean running = true;

  private LoadGenerator(URI target, int clients, int requestsPerSecondPerClient, long maxRequests, Clock clock) {
    if (clients < 1 || requestsPerSecondPerClient < 1 || maxRequests < 1) {
      throw new IllegalArgumentException("clients, rate and maxRequests must be positive");
    }
    this.target = target;
    this.clock = clock;
    this.maxRequests = maxRequests;
    this.periodNanos = 1_000_000_000L / requestsPerSecondPerClient;
    this.clientExecutor = Executors.newCachedThreadPool(new DaemonThreads("load-http"));
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(REQUEST_TIMEOUT)
        .executor(clientExecutor).build();
    for (int i = 0; i < clients; i++) {
      Thread t = new DaemonThreads("load-client").newThread(this::loop);
      t.setName("load-client-" + (i + 1));
      threads.add(t);
    }
    threads.forEach(Thread::start);
  }

  /**
   * Starts the clients.
   *
   * @param target the URI every client requests
   * @param clients how many concurrent clients
   * @param requestsPerSecondPerClient each client's pace (it never bursts to catch up)
   * @param maxRequests the budget: clients stop after this many requests in total
   * @param clock timestamps the samples
   * @return the running generator
   */
  public static LoadGenerator start(URI target, int clients, int requestsPerSecondPerClient, long maxRequests, Clock clock) {
    return new LoadGenerator(target, clients, requestsPerSecondPerClient, maxRequests, clock);
  }

  private void loop() {
    HttpRequest request = HttpRequest.newBuilder(target).timeout(REQUEST_TIMEOUT).GET().build();
    long next = System.nanoTime();
    while (running && issued.incrementAndGet() <= maxRequests) {
      Instant sent = clock.instant();
      long t0 = System.nanoTime();
      Sample sample;
      try {
        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
        sample = new Sample(sent, Duration.ofNanos(System.nanoTime() - t0), r.headers().firstValue(WeightedProxy.UPSTREAM).orElse(null),
            r.headers().firstValue(BackendServer.SERVED_BY).orElse(null), r.statusCode(), null);
      } catch (IOException e) {
        sample = new Sample(sent, Duration.ofNanos(System.nanoTime() - t0), null, null, 0, e.toString());
      } catch (InterruptedException e) {
        return;
      }
      synchronized (samples) {
        samples.add(sample);
      }
      next += periodNanos;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      } else {
        next = System.nanoTime();
      }
    }
  }

  /** @return a copy of the samples recorded so far, in the order the answers came */
  public List<Sample> samples() {
    synchronized (samples) {
      return List.copyOf(samples);
    }
  }

  /** @return requests answered (or failed) so far */
  public int count() {
    synchronized (samples) {
      return samples.size();
    }
  }

  /** Stops the clients and waits (bounded by the request timeout) for requests in flight. */
  public void stop() {
    running = false;
    for (Thread t : threads) {
      try {
        t.join(REQUEST_TIMEOUT.toMillis() + 1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Stops the clients and releases their threads. */
  @Override
  public void close() {
    stop();
    threads.forEach(Thread::interrupt);
    clientExecutor.shutdownNow();
    try {
      clientExecutor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
