package io.bluegreen.examples.prometheus;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Prometheus server (the {@code prometheus} binary: {@code BLUEGREEN_PROMETHEUS_BIN}, else the
 * PATH, else {@code /usr/bin/prometheus}; Debian's {@code prometheus} package provides it) on a free
 * port of 127.0.0.1, with its own config and data directory, scraping the given targets every second.
 * Stopped and deleted on {@link #close()}.
 *
 * <pre>{@code
 * try (LocalPrometheus prometheus = LocalPrometheus.start(Map.of("blue", blue.uri(), "green", green.uri()))) {
 *   URI api = prometheus.uri();   // http://127.0.0.1:41234
 * }
 * }</pre>
 */
public final class LocalPrometheus implements AutoCloseable {

  private final Process process;
  private final Path dir;
  private final URI uri;

  private LocalPrometheus(Process process, Path dir, URI uri) {
    this.process = process;
    this.dir = dir;
    this.uri = uri;
  }

  /** @return the binary to run, if one is installed */
  public static Optional<Path> binary() {
    String configured = System.getenv("BLUEGREEN_PROMETHEUS_BIN");
    if (configured != null && !configured.isBlank()) {
      return Optional.of(Path.of(configured.trim())).filter(Files::isExecutable);
    }
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(d.isEmpty() ? "." : d, "prometheus");
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.of(Path.of("/usr/bin/prometheus")).filter(Files::isExecutable);
  }

  /**
   * Starts Prometheus scraping {@code <uri>/metrics} of each target every second, labelled {@code
   * env=<name>}, and waits (at most 30 s) until it is ready.
   *
   * @param targets environment name to base URI
   * @return the running server
   * @throws IOException if it cannot start or does not become ready
   * @throws InterruptedException if interrupted while waiting
   */
  public static LocalPrometheus start(Map<String, URI> targets) throws IOException, InterruptedException {
    Path bin = binary().orElseThrow(() -> new IOException("no prometheus binary: install Debian's prometheus package"
        + " (apt-get install -y prometheus) or set BLUEGREEN_PROMETHEUS_BIN"));
    Path dir = Files.createTempDirectory("bluegreen-prometheus-");
    StringBuilder config = new StringBuilder("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n");
    targets.forEach((env, target) -> config.append("  - job_name: ").append(env).append("\n    static_configs:\n")
        .append("      - targets: ['").append(target.getHost()).append(':').append(target.getPort()).append("']\n")
        .append("        labels:\n          env: ").append(env).append('\n'));
    Files.writeString(dir.resolve("prometheus.yml"), config, StandardCharsets.UTF_8);
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Process p = new ProcessBuilder(bin.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    LocalPrometheus prometheus = new LocalPrometheus(p, dir, URI.create("http://127.0.0.1:" + port));
    try {
      prometheus.awaitReady(Duration.ofSeconds(30));
    } catch (IOException | InterruptedException e) {
      prometheus.close();
      throw e;
    }
    return prometheus;
  }

  private void awaitReady(Duration bound) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    Instant deadline = Instant.now().plus(bound);
    while (true) {
      if (!process.isAlive()) {
        throw new IOException("prometheus exited with " + process.exitValue() + " (see " + dir.resolve("prometheus.log") + ")");
      }
      try {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(uri.resolve("/-/ready")).timeout(Duration.ofSeconds(1)).build(),
            HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IOException("prometheus did not become ready within " + bound + " on " + uri);
      }
      Thread.sleep(100);
    }
  }

  /** @return the HTTP API's base URI */
  public URI uri() {
    return uri;
  }

  /** Stops the server and deletes its directory. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a temp directory left behind is harmless
    }
  }

  @Override
  public String toString() {
    return "Prometheus at " + uri;
  }
}
