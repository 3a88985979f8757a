package io.bluegreen.examples.demo;

import io.bluegreen.core.GateContext;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.HealthGate;
import io.bluegreen.core.preview.PreviewEndpoint;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's smoke test through the preview: each check sends a few {@code GET /} through the proxy
 * with the preview's header ({@link GateContext#preview()}) and is HEALTHY when every answer came from
 * the previewed environment with 200. Every request is kept as a {@link LoadGenerator.Sample}, so the
 * demo can count where the preview's requests went while the load generator's stayed on blue.
 *
 * <pre>{@code
 * PreviewSmokeGate smoke = new PreviewSmokeGate(3, Clock.systemUTC());
 * SwitchPlan.builder()...preview(previewRoute).previewGate(smoke).build().execute();
 * smoke.samples();   // every preview request
 * }</pre>
 */
public final class PreviewSmokeGate implements HealthGate {

  private final int requestsPerCheck;
  private final Clock clock;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
      .executor(java.util.concurrent.Executors.newCachedThreadPool(new DaemonThreads("preview-client"))).build();
  private final List<LoadGenerator.Sample> samples = new ArrayList<>();

  /**
   * @param requestsPerCheck requests sent through the preview per check
   * @param clock timestamps the samples
   */
  public PreviewSmokeGate(int requestsPerCheck, Clock clock) {
    this.requestsPerCheck = requestsPerCheck;
    this.clock = clock;
  }

  @Override
  public GateResult check(GateContext context) {
    if (context.preview().isEmpty()) {
      return GateResult.inconclusive("no preview is open");
    }
    PreviewEndpoint preview = context.preview().get();
    String want = preview.environment().name();
    int ok = 0;
    String problem = null;
    for (int i = 0; i < requestsPerCheck; i++) {
      HttpRequest.Builder request = HttpRequest.newBuilder(preview.url().orElseThrow().resolve("/")).timeout(Duration.ofSeconds(20)).GET();
      preview.headers().forEach(request::header);
      LoadGenerator.Sample sample;
      long t0 = System.nanoTime();
      java.time.Instant sent = clock.instant();
      try {
        HttpResponse<String> r = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        sample = new LoadGenerator.Sample(sent, Duration.ofNanos(System.nanoTime() - t0), r.headers().firstValue(WeightedProxy.UPSTREAM)
            .orElse(null), r.headers().firstValue(BackendServer.SERVED_BY).orElse(null), r.statusCode(), null);
      } catch (IOException e) {
        sample = new LoadGenerator.Sample(sent, Duration.ofNanos(System.nanoTime() - t0), null, null, 0, e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return GateResult.inconclusive("interrupted");
      }
      synchronized (samples) {
        samples.add(sample);
      }
      if (!sample.failed() && want.equals(sample.servedBy())) {
        ok++;
      } else if (problem == null) {
        problem = "a preview request was " + (sample.failed() ? "answered " + sample.status() : "served by " + sample.backend());
      }
    }
    return problem == null ? GateResult.healthy(ok + "/" + requestsPerCheck + " preview requests served by " + want)
        : GateResult.unhealthy(problem);
  }

  /** @return every request sent through the preview */
  public List<LoadGenerator.Sample> samples() {
    synchronized (samples) {
      return List.copyOf(samples);
    }
  }

  @Override
  public String name() {
    return "smoke through the preview";
  }
}
