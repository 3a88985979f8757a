package io.bluegreen.core.gate;

import io.bluegreen.core.Checks;
import io.bluegreen.core.GateContext;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.HealthGate;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.Redaction;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.function.Predicate;

/**
 * Polls an HTTP endpoint such as {@code /health} or {@code /ready} with the JDK's {@link HttpClient}:
 * HEALTHY when the status is the expected one (any 2xx by default) and the body, if a predicate is
 * given, matches. Refused connections, timeouts and other statuses are UNHEALTHY.
 *
 * <pre>{@code
 * HealthGate green = HttpHealthGate.builder(URI.create("http://green.internal:8080/health"))
 *     .expectStatus(200)
 *     .bodyContains("\"status\":\"UP\"")
 *     .timeout(Duration.ofSeconds(2))
 *     .build();
 * }</pre>
 *
 * <p>Nothing secret is printed: the URI appears in its name, reasons and errors only through {@link
 * Redaction#uri(URI)} (no user info, query values or fragment), header values (e.g. an Authorization
 * token) are sent but never logged or reported, and an error message that echoes a header or query
 * value is redacted. User info in the URI is not allowed (pass credentials in a header).
 */
public final class HttpHealthGate implements HealthGate {

  private static final int MAX_BODY = 64 * 1024;

  private final URI uri;
  private final String shown;
  private final String name;
  private final IntPredicate statusOk;
  private final String statusDescription;
  private final Predicate<String> body;
  private final String bodyDescription;
  private final Duration timeout;
  private final Map<String, String> headers;
  private final HttpClient client;
  private final List<String> secrets;

  private HttpHealthGate(Builder b) {
    this.uri = b.uri;
    this.shown = Redaction.uri(b.uri);
    this.name = b.name != null ? b.name : "http " + shown;
    this.statusOk = b.statusOk;
    this.statusDescription = b.statusDescription;
    this.body = b.body;
    this.bodyDescription = b.bodyDescription;
    this.timeout = b.timeout;
    this.headers = Map.copyOf(b.headers);
    List<String> known = new ArrayList<>(headers.values());
    if (uri.getRawQuery() != null) {
      for (String part : uri.getRawQuery().split("&")) {
        String value = part.substring(part.indexOf('=') + 1);
        known.add(value);
        try {
          known.add(URLDecoder.decode(value, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException notEncoded) {
          // the raw value is searched for already
        }
      }
    }
    this.secrets = List.copyOf(known);
    this.client = b.client != null ? b.client
        : HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /**
   * @param uri an http or https URI without user info
   * @return a builder
   */
  public static Builder builder(URI uri) {
    return new Builder(uri);
  }

  @Override
  public GateResult check(GateContext context) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET();
    headers.forEach(request::header);
    HttpResponse<InputStream> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (HttpTimeoutException e) {
      return GateResult.unhealthy("GET " + shown + " timed out after " + timeout.toMillis() + "ms");
    } catch (IOException e) {
      return GateResult.unhealthy("GET " + shown + " failed: " + describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return GateResult.inconclusive("interrupted while calling " + shown);
    }
    int status = response.statusCode();
    String text;
    try (InputStream in = response.body()) {
      text = body == null ? "" : new String(in.readNBytes(MAX_BODY), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return GateResult.unhealthy("GET " + shown + " answered " + status + " but its body could not be read: " + describe(e));
    }
    if (!statusOk.test(status)) {
      return GateResult.unhealthy("GET " + shown + " answered HTTP " + status + ", expected " + statusDescription);
    }
    if (body != null && !body.test(text)) {
      return GateResult.unhealthy("GET " + shown + " answered HTTP " + status + " but the body does not match " + bodyDescription);
    }
    return GateResult.healthy("HTTP " + status);
  }

  private String describe(Throwable e) {
    String m = Redaction.text(e.getMessage(), secrets);
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  @Override
  public String name() {
    return name;
  }

  /** @return the polled URI, as given (print it through {@link Redaction#uri(URI)}) */
  public URI uri() {
    return uri;
  }

  @Override
  public String toString() {
    return name;
  }

  /**
   * Builds an {@link HttpHealthGate}.
   *
   * <pre>{@code
   * HttpHealthGate ready = HttpHealthGate.builder(URI.create("http://127.0.0.1:8081/ready")).name("green-ready").build();
   * }</pre>
   */
  public static final class Builder {
    private final URI uri;
    private String name;
    private IntPredicate statusOk = s -> s >= 200 && s < 300;
    private String statusDescription = "2xx";
    private Predicate<String> body;
    private String bodyDescription;
    private Duration timeout = Duration.ofSeconds(2);
    private final Map<String, String> headers = new LinkedHashMap<>();
    private HttpClient client;

    private Builder(URI uri) {
      Checks.notNull(uri, "uri");
      String scheme = uri.getScheme();
      if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
        throw new InvalidConfigurationException("health URI " + Redaction.uri(uri)
            + " must be absolute and use http or https, e.g. http://green.internal:8080/health");
      }
      if (uri.getHost() == null || uri.getHost().isBlank()) {
        throw new InvalidConfigurationException("health URI " + Redaction.uri(uri) + " has no host: e.g. http://green.internal:8080/health");
      }
      if (uri.getRawUserInfo() != null) {
        throw new InvalidConfigurationException("health URI " + Redaction.uri(uri) + " carries user info (credentials): pass them with"
            + " header(\"Authorization\", ...) instead, so they never appear in logs");
      }
      this.uri = uri;
    }

    /** @param name the gate's name in events (default "http " + the redacted URI) @return this */
    public Builder name(String name) {
      this.name = Checks.notBlank(name, "name");
      return this;
    }

    /** @param statuses the acceptable status codes (default: any 2xx) @return this */
    public Builder expectStatus(int... statuses) {
      Checks.notNull(statuses, "statuses");
      if (statuses.length == 0) {
        throw new InvalidConfigurationException("expectStatus needs at least one status code, e.g. expectStatus(200)");
      }
      for (int s : statuses) {
        if (s < 100 || s > 599) {
          throw new InvalidConfigurationException("HTTP status " + s + " is not valid: use 100-599");
        }
      }
      int[] copy = statuses.clone();
      this.statusOk = s -> java.util.Arrays.stream(copy).anyMatch(x -> x == s);
      this.statusDescription = java.util.Arrays.toString(copy);
      return this;
    }

    /**
     * @param predicate must hold for the body (first 64 KiB, UTF-8)
     * @param description shown when it does not
     * @return this
     */
    public Builder bodyMatches(Predicate<String> predicate, String description) {
      this.body = Checks.notNull(predicate, "body predicate");
      this.bodyDescription = Checks.notBlank(description, "body predicate description");
      return this;
    }

    /** @param text the body must contain it @return this */
    public Builder bodyContains(String text) {
      Checks.notBlank(text, "text");
      return bodyMatches(b -> b.contains(text), "(must contain \"" + Checks.printable(text) + "\")");
    }

    /** @param timeout connect and response timeout (default 2 s) @return this */
    public Builder timeout(Duration timeout) {
      this.timeout = Checks.positive(timeout, "timeout");
      return this;
    }

    /**
     * @param header a request header (its name may appear in messages, its value never does)
     * @param value its value
     * @return this
     */
    public Builder header(String header, String value) {
      headers.put(Checks.notBlank(header, "header"), Checks.notNull(value, "header value"));
      return this;
    }

    /** @param client the HTTP client to use (default: one per gate, no redirects) @return this */
    public Builder httpClient(HttpClient client) {
      this.client = Checks.notNull(client, "httpClient");
      return this;
    }

    /** @return the gate */
    public HttpHealthGate build() {
      return new HttpHealthGate(this);
    }
  }
}
