package io.bluegreen.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counts the API requests a run makes, as the server saw them: moto's request recorder
 * ({@code /moto-api/recorder/...}) is switched on around one run, and each recorded request's
 * {@code Action} (the AWS query protocol's form field, or the JSON protocol's
 * {@code X-Amz-Target}) is counted. The same count for the library and for a CLI loop, whatever
 * process made the requests.
 *
 * <pre>{@code
 * MotoRequestCount recorder = new MotoRequestCount(endpoint);
 * recorder.start();
 * runTheLoop();
 * Map<String, Integer> byAction = recorder.stop(); // {DescribeListeners=7, ModifyListener=5, ...}
 * }</pre>
 */
final class MotoRequestCount {

  private static final Pattern BODY = Pattern.compile("\"body\": (null|\"([^\"]*)\")");
  private static final Pattern ENCODED = Pattern.compile("\"body_encoded\": (true|false)");
  private static final Pattern TARGET = Pattern.compile("\"X-Amz-Target\": \"[^\".]*\\.([^\"]+)\"");
  private static final Pattern URL = Pattern.compile("\"url\": \"([^\"]*)\"");

  private final URI endpoint;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  /** @param endpoint the moto server */
  MotoRequestCount(URI endpoint) {
    this.endpoint = endpoint;
  }

  /** Erases the recording and starts recording. */
  void start() throws IOException, InterruptedException {
    post("reset-recording");
    post("start-recording");
  }

  /** @return the requests recorded since {@link #start()}, by action; recording is off afterwards */
  Map<String, Integer> stop() throws IOException, InterruptedException {
    post("stop-recording");
    HttpRequest get = HttpRequest.newBuilder(endpoint.resolve("/moto-api/recorder/download-recording")).timeout(Duration.ofSeconds(30))
        .GET().build();
    String recording = http.send(get, HttpResponse.BodyHandlers.ofString()).body();
    post("reset-recording");
    return countByAction(recording);
  }

  private void post(String what) throws IOException, InterruptedException {
    HttpRequest req = HttpRequest.newBuilder(endpoint.resolve("/moto-api/recorder/" + what)).timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.noBody()).build();
    int status = http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
    if (status / 100 != 2) {
      throw new IllegalStateException("moto's recorder answered " + status + " to " + what + " at " + endpoint);
    }
  }

  /**
   * @param recording moto's recording: one JSON object a line
   * @return the number of requests of each action
   * @throws IllegalArgumentException for a recorded request with no action
   */
  static Map<String, Integer> countByAction(String recording) {
    Map<String, Integer> counts = new TreeMap<>();
    for (String line : recording.split("\n")) {
      if (!line.isBlank()) {
        counts.merge(action(line), 1, Integer::sum);
      }
    }
    return counts;
  }

  static String action(String recordedRequest) {
    Matcher target = TARGET.matcher(recordedRequest);
    if (target.find()) {
      return target.group(1);
    }
    Matcher body = BODY.matcher(recordedRequest);
    Matcher encoded = ENCODED.matcher(recordedRequest);
    String form = "";
    if (body.find() && body.group(2) != null) {
      form = encoded.find() && encoded.group(1).equals("true")
          ? new String(Base64.getDecoder().decode(body.group(2)), StandardCharsets.UTF_8) : body.group(2);
    }
    Matcher url = URL.matcher(recordedRequest);
    String query = url.find() && url.group(1).contains("?") ? url.group(1).substring(url.group(1).indexOf('?') + 1) : "";
    for (String fields : new String[] {form, query}) {
      for (String field : fields.split("&")) {
        if (field.startsWith("Action=")) {
          return URLDecoder.decode(field.substring("Action=".length()), StandardCharsets.UTF_8);
        }
      }
    }
    throw new IllegalArgumentException("a recorded request to " + (url.find(0) ? url.group(1) : "?")
        + " has no Action (form field, query or X-Amz-Target)");
  }

  /** @return the requests in all, e.g. 12 for {DescribeListeners=7, ModifyListener=5} */
  static int total(Map<String, Integer> byAction) {
    return byAction.values().stream().mapToInt(Integer::intValue).sum();
  }
}
