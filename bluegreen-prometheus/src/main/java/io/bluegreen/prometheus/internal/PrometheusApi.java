package io.bluegreen.prometheus.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bluegreen.core.Redaction;
import io.bluegreen.core.analysis.MetricQueryException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs PromQL instant queries ({@code POST /api/v1/query}) and reads the answer with Jackson. Every
 * failure becomes a {@link MetricQueryException} whose message names the server (scheme, host, port
 * and path only) and never a credential. Not API.
 */
public final class PrometheusApi {

  /** Logs under the public gate's category, as the README lists. */
  private static final Logger LOG = LoggerFactory.getLogger("io.bluegreen.prometheus.PrometheusGate");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_ERROR_TEXT = 300;

  private final HttpClient http;
  private final URI queryEndpoint;
  private final String where;
  private final Supplier<Optional<String>> authorization;
  private final Duration timeout;

  /**
   * @param http the client
   * @param base the server's base URI (no userinfo, no query)
   * @param authorization the Authorization header value per request, if any (never printed)
   * @param timeout bound on each query, sent to Prometheus too
   */
  public PrometheusApi(HttpClient http, URI base, Supplier<Optional<String>> authorization, Duration timeout) {
    this.http = http;
    String path = base.getPath() == null || base.getPath().isEmpty() ? "/" : base.getPath();
    URI root = base.resolve(path.endsWith("/") ? path : path + "/");
    this.queryEndpoint = root.resolve("api/v1/query");
    this.where = base.getScheme() + "://" + base.getHost() + (base.getPort() < 0 ? "" : ":" + base.getPort())
        + (path.equals("/") ? "" : path);
    this.authorization = authorization;
    this.timeout = timeout;
  }

  /** @return the server as printed in messages */
  public String where() {
    return where;
  }

  /** One series of an instant vector, or the scalar. */
  public record Sample(Map<String, String> labels, double value) {
    /** @return the labels as PromQL prints them */
    public String labelText() {
      return labels.entrySet().stream().map(e -> e.getKey() + "=\"" + e.getValue() + "\"")
          .collect(Collectors.joining(",", "{", "}"));
    }
  }

  /**
   * @param promql the query
   * @param at the evaluation time
   * @return the samples of the instant vector (one for a scalar), possibly none
   * @throws MetricQueryException when the server cannot be reached or answers an error
   */
  public List<Sample> query(String promql, Instant at) {
    String form = "query=" + enc(promql) + "&time=" + enc(seconds(at)) + "&timeout=" + enc(Math.max(1, timeout.toMillis()) + "ms");
    HttpRequest.Builder rb = HttpRequest.newBuilder(queryEndpoint).timeout(timeout)
        .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(form));
    Optional<String> header = authorization.get();
    header.ifPresent(v -> rb.header("Authorization", v));
    List<String> secrets = secretsOf(header);
    HttpResponse<String> response;
    try {
      response = http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
    } catch (HttpConnectTimeoutException e) {
      throw new MetricQueryException("could not connect to Prometheus at " + where + " within " + timeout, false,
          Redaction.exception(e, secrets));
    } catch (HttpTimeoutException e) {
      throw new MetricQueryException("Prometheus at " + where + " did not answer within " + timeout, false, Redaction.exception(e, secrets));
    } catch (ConnectException e) {
      throw new MetricQueryException("could not reach Prometheus at " + where + " (connection refused): is it running?", false,
          Redaction.exception(e, secrets));
    } catch (IOException e) {
      throw new MetricQueryException("could not query Prometheus at " + where + ": " + Redaction.text(e.toString(), secrets), false,
          Redaction.exception(e, secrets));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MetricQueryException("interrupted while querying Prometheus at " + where, false, e);
    }
    List<Sample> samples = read(response, secrets);
    LOG.debug("{} at {} -> {} series", promql, at, samples.size());
    return samples;
  }

  /** The credential in the Authorization header sent (a bearer token, a basic password), to keep out of messages. */
  private static List<String> secretsOf(Optional<String> header) {
    List<String> secrets = new ArrayList<>();
    header.ifPresent(h -> {
      secrets.add(h);
      int space = h.indexOf(' ');
      String credential = space < 0 ? h : h.substring(space + 1).trim();
      secrets.add(credential);
      if (h.regionMatches(true, 0, "Basic ", 0, 6)) {
        try {
          String userAndPassword = new String(Base64.getDecoder().decode(credential), StandardCharsets.UTF_8);
          secrets.add(userAndPassword.substring(userAndPassword.indexOf(':') + 1));
        } catch (IllegalArgumentException notBase64) {
          // the header itself is searched for already
        }
      }
    });
    return secrets;
  }

  private List<Sample> read(HttpResponse<String> response, List<String> secrets) {
    int status = response.statusCode();
    JsonNode root;
    try {
      root = JSON.readTree(response.body());
    } catch (JsonProcessingException e) {
      root = null;
    }
    if (root == null || !root.isObject() || !root.has("status")) {
      String type = response.headers().firstValue("Content-Type").orElse("no content type");
      if (status == 401 || status == 403) {
        throw new MetricQueryException("Prometheus at " + where + " answered HTTP " + status + ": check the credentials given to"
            + " PrometheusGate (bearerToken or basicAuth)", false);
      }
      throw new MetricQueryException("Prometheus at " + where + " answered HTTP " + status + " with "
          + (status / 100 == 2 ? "malformed JSON" : "a body that is not a Prometheus API answer") + " (" + type + ")", false);
    }
    if (!"success".equals(root.path("status").asText())) {
      String errorType = root.path("errorType").asText("unknown");
      String error = clip(Redaction.text(root.path("error").asText(""), secrets));
      boolean rejected = "bad_data".equals(errorType);
      throw new MetricQueryException("Prometheus at " + where + " " + (rejected ? "rejected the query" : "could not run the query")
          + " (HTTP " + status + ", " + errorType + "): " + error, rejected);
    }
    if (status / 100 != 2) {
      throw new MetricQueryException("Prometheus at " + where + " answered HTTP " + status, false);
    }
    JsonNode data = root.path("data");
    String type = data.path("resultType").asText();
    JsonNode result = data.path("result");
    switch (type) {
      case "scalar" -> {
        return List.of(new Sample(Map.of(), value(result)));
      }
      case "vector" -> {
        List<Sample> samples = new ArrayList<>();
        for (JsonNode series : result) {
          Map<String, String> labels = new java.util.TreeMap<>();
          for (Iterator<Map.Entry<String, JsonNode>> it = series.path("metric").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            labels.put(e.getKey(), e.getValue().asText());
          }
          samples.add(new Sample(labels, value(series.path("value"))));
        }
        return samples;
      }
      case "matrix" -> throw new MetricQueryException("the query returned a range vector (matrix): a gate needs one value per"
          + " series; aggregate the range, e.g. rate(x[2m]) instead of x[2m]", true);
      default -> throw new MetricQueryException("the query returned a " + (type.isEmpty() ? "result without a type" : type)
          + ", not a number: a gate needs an instant vector or a scalar", type.equals("string"));
    }
  }

  private double value(JsonNode pair) {
    JsonNode v = pair.path(1);
    if (!pair.isArray() || v.isMissingNode()) {
      throw new MetricQueryException("Prometheus at " + where + " answered a sample without a value", false);
    }
    String s = v.asText();
    switch (s) {
      case "NaN":
        return Double.NaN;
      case "+Inf":
      case "Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      default:
        try {
          return Double.parseDouble(s);
        } catch (NumberFormatException e) {
          throw new MetricQueryException("Prometheus at " + where + " answered a value that is not a number: " + clip(s), false);
        }
    }
  }

  private static String clip(String s) {
    return s.length() <= MAX_ERROR_TEXT ? s : s.substring(0, MAX_ERROR_TEXT) + "...";
  }

  private static String seconds(Instant t) {
    return String.format(Locale.ROOT, "%d.%03d", t.getEpochSecond(), t.getNano() / 1_000_000);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
