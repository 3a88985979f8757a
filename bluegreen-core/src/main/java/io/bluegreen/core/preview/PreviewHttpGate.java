package io.bluegreen.core.preview;

import io.bluegreen.core.Checks;
import io.bluegreen.core.GateContext;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.HealthGate;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.Redaction;
import io.bluegreen.core.gate.HttpHealthGate;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * An HTTP check of the environment under preview, through the production front door: a GET of
 * {@code path} on the open preview's URL ({@link GateContext#preview()}), carrying the preview's header,
 * judged like {@link HttpHealthGate} (any 2xx by default). Use it as a {@code previewGate}; in any
 * other phase without an open preview it is INCONCLUSIVE.
 *
 * <pre>{@code
 * SwitchPlan.builder()...preview(previewRoute)
 *     .previewGate(PreviewHttpGate.path("/health"))
 *     .previewGate(PreviewHttpGate.builder("/api/cart").expectStatus(200).bodyContains("\"items\"").build())
 *     .build();
 * }</pre>
 *
 * <p>The header's value is sent but never printed. When the preview has no URL of its own (a
 * host-based preview whose name does not resolve from here, a header on an internal load balancer),
 * give one with {@link Builder#url(URI)}: the request goes there, with the preview's header.
 */
public final class PreviewHttpGate implements HealthGate {

  private final String path;
  private final URI url;
  private final String name;
  private final Consumer<HttpHealthGate.Builder> settings;
  private final Map<PreviewEndpoint, HttpHealthGate> gates = new ConcurrentHashMap<>();

  private PreviewHttpGate(Builder b) {
    this.path = b.path;
    this.url = b.url;
    this.name = b.name != null ? b.name : "preview GET " + Redaction.uri(path);
    this.settings = b.settings;
  }

  /**
   * @param path the path to GET through the preview, e.g. {@code /health}
   * @return a gate expecting any 2xx
   */
  public static PreviewHttpGate path(String path) {
    return builder(path).build();
  }

  /**
   * @param path the path to GET through the preview, e.g. {@code /health}
   * @return a builder
   */
  public static Builder builder(String path) {
    return new Builder(path);
  }

  @Override
  public GateResult check(GateContext context) {
    Optional<PreviewEndpoint> preview = context.preview();
    if (preview.isEmpty()) {
      return GateResult.inconclusive("no preview is open: use " + name + " as a previewGate of a plan with a preview(...)");
    }
    HttpHealthGate gate;
    try {
      gate = gates.computeIfAbsent(preview.get(), this::gateFor);
    } catch (InvalidConfigurationException e) {
      return GateResult.unhealthy(e.getMessage());
    }
    return gate.check(context);
  }

  private HttpHealthGate gateFor(PreviewEndpoint endpoint) {
    URI base = url != null ? url : endpoint.url().orElse(null);
    if (base == null) {
      throw new InvalidConfigurationException(endpoint + " has no URL to send requests to: give the gate one with"
          + " PreviewHttpGate.builder(\"" + Redaction.uri(path) + "\").url(URI.create(\"https://...\"))");
    }
    URI target = base.resolve(path);
    HttpHealthGate.Builder b = HttpHealthGate.builder(target).name(name);
    settings.accept(b);
    endpoint.headers().forEach(b::header);
    return b.build();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String toString() {
    return name;
  }

  /**
   * Builds a {@link PreviewHttpGate}.
   *
   * <pre>{@code
   * PreviewHttpGate.builder("/health").url(URI.create("http://internal-shop-alb.example.com/")).timeout(Duration.ofSeconds(3)).build();
   * }</pre>
   */
  public static final class Builder {
    private final String path;
    private URI url;
    private String name;
    private Consumer<HttpHealthGate.Builder> settings = b -> { };

    private Builder(String path) {
      Checks.notBlank(path, "path");
      if (!path.startsWith("/") || path.startsWith("//") || path.chars().anyMatch(c -> c <= 0x20 || c == 0x7f)) {
        throw new InvalidConfigurationException("preview path \"" + Checks.printable(path) + "\" must start with one / and hold no"
            + " space or control character, e.g. /health");
      }
      this.path = path;
    }

    private Builder and(Consumer<HttpHealthGate.Builder> more) {
      Consumer<HttpHealthGate.Builder> before = settings;
      settings = before.andThen(more);
      return this;
    }

    /** @param url where to send the requests instead of the preview's own URL (the header is still sent) @return this */
    public Builder url(URI url) {
      this.url = HttpHealthGate.builder(Checks.notNull(url, "url")).build().uri();
      return this;
    }

    /** @param name the gate's name in events (default "preview GET " + the path, its query values redacted) @return this */
    public Builder name(String name) {
      this.name = Checks.notBlank(name, "name");
      return this;
    }

    /** @param statuses the acceptable status codes (default: any 2xx) @return this */
    public Builder expectStatus(int... statuses) {
      HttpHealthGate.builder(URI.create("http://check.invalid/")).expectStatus(statuses);
      int[] copy = statuses.clone();
      return and(b -> b.expectStatus(copy));
    }

    /** @param text the body must contain it @return this */
    public Builder bodyContains(String text) {
      HttpHealthGate.builder(URI.create("http://check.invalid/")).bodyContains(text);
      return and(b -> b.bodyContains(text));
    }

    /** @param timeout connect and response timeout (default 2 s) @return this */
    public Builder timeout(Duration timeout) {
      Checks.positive(timeout, "timeout");
      return and(b -> b.timeout(timeout));
    }

    /** @param header another request header (never logged) @param value its value @return this */
    public Builder header(String header, String value) {
      HttpHealthGate.builder(URI.create("http://check.invalid/")).header(header, value);
      return and(b -> b.header(header, value));
    }

    /** @param client the HTTP client to use @return this */
    public Builder httpClient(HttpClient client) {
      Checks.notNull(client, "httpClient");
      return and(b -> b.httpClient(client));
    }

    /** @return the gate */
    public PreviewHttpGate build() {
      return new PreviewHttpGate(this);
    }
  }
}
