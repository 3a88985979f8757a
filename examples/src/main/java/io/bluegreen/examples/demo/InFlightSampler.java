package io.bluegreen.examples.demo;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Samples each environment's requests in flight every 50 ms, for the chart's drain strip.
 *
 * <pre>{@code
 * try (InFlightSampler sampler = InFlightSampler.start(Map.of("blue", blue, "green", green), clock)) { ... sampler.points(); }
 * }</pre>
 */
final class InFlightSampler implements AutoCloseable {

  /** Requests in flight at one moment. */
  record Point(Instant at, int blue, int green) {
  }

  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(new DaemonThreads("in-flight-sampler"));
  private final List<Point> points = new ArrayList<>();

  private InFlightSampler(Map<String, BackendServer> servers, Clock clock) {
    BackendServer blue = servers.get("blue");
    BackendServer green = servers.get("green");
    executor.scheduleAtFixedRate(() -> {
      Point p = new Point(clock.instant(), blue.inFlight(), green.inFlight());
      synchronized (points) {
        points.add(p);
      }
    }, 0, 50, TimeUnit.MILLISECONDS);
  }

  static InFlightSampler start(Map<String, BackendServer> servers, Clock clock) {
    return new InFlightSampler(servers, clock);
  }

  List<Point> points() {
    synchronized (points) {
      return List.copyOf(points);
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
