package io.bluegreen.k8s.real;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * The real kube-apiserver's audit log ({@code --audit-log-path}, Metadata level, one JSON line per
 * completed request; see scripts/kube/start.sh): what the SERVER saw, by user, so tests count a
 * component's requests and writes from the server's side rather than from the client.
 *
 * <p>The server writes a request's line around the time it answers, so {@link #sync()} first sends a
 * marker request (an admin GET of a ConfigMap that does not exist) and reads until the marker's line
 * is there: every request that completed before the marker was sent is then in {@link #events()}.
 */
public final class AuditLog {

  /** Verbs that change state (a SelfSubjectAccessReview "create" stores nothing: see {@link Event#isWrite()}). */
  private static final Set<String> MUTATING = Set.of("create", "update", "patch", "delete", "deletecollection");
  private static final Set<String> REVIEWS = Set.of("selfsubjectaccessreviews", "selfsubjectrulesreviews", "subjectaccessreviews",
      "localsubjectaccessreviews", "tokenreviews");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One completed request as the server audited it ({@code requestObject}: the body of a write by user-1..4, else null). */
  public record Event(String user, String verb, String apiGroup, String resource, String subresource, String namespace, String name,
      int code, String uri, JsonNode requestObject) {

    /** @return whether the request asked to change state (an access review does not, though its verb is create) */
    public boolean isWrite() {
      return MUTATING.contains(verb) && !REVIEWS.contains(resource) && !uri.contains("dryRun=");
    }

    /** @return e.g. {@code "update httproutes/app 200"} */
    @Override
    public String toString() {
      return verb + " " + resource + (subresource.isEmpty() ? "" : "/" + subresource) + (name.isEmpty() ? "" : "/" + name) + " " + code;
    }
  }

  private final Path file;
  private final KubernetesClient admin;
  private final List<Event> events = new ArrayList<>();
  private long offset;
  private final StringBuilder partial = new StringBuilder();

  AuditLog(Path file, KubernetesClient admin) {
    this.file = file;
    this.admin = admin;
  }

  /** @return how many events have been read so far, after a {@link #sync()}: pass it to {@link #since(int)} */
  public synchronized int mark() {
    sync();
    return events.size();
  }

  /** @return every event after {@code mark}, after a {@link #sync()} */
  public synchronized List<Event> since(int mark) {
    sync();
    return List.copyOf(events.subList(mark, events.size()));
  }

  /** @return the events after {@code mark} that match {@code filter} */
  public List<Event> since(int mark, Predicate<Event> filter) {
    return since(mark).stream().filter(filter).toList();
  }

  /** @return the events read so far */
  public synchronized List<Event> events() {
    return List.copyOf(events);
  }

  /** Reads until a marker request sent now is in the log (bounded: 15 s). */
  public synchronized void sync() {
    String marker = "bluegreen-audit-marker-" + UUID.randomUUID();
    try {
      admin.configMaps().inNamespace("default").withName(marker).get();
    } catch (KubernetesClientException e) {
      throw new IllegalStateException("the audit marker request failed", e);
    }
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (true) {
      if (readNew().stream().anyMatch(line -> line.contains(marker))) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the marker request " + marker + " did not reach the audit log " + file + " within 15 s");
      }
      try {
        // a wall-clock wait, bounded (15 s): the real kube-apiserver flushes its audit log file on its own
        // schedule, which no injected clock can move; the marker request says when it has caught up
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while reading the audit log", e);
      }
    }
  }

  private List<String> readNew() {
    List<String> lines = new ArrayList<>();
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      long length = in.length();
      if (length <= offset) {
        return lines;
      }
      in.seek(offset);
      byte[] bytes = new byte[(int) (length - offset)];
      in.readFully(bytes);
      offset = length;
      partial.append(new String(bytes, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the audit log " + file, e);
    }
    int nl;
    while ((nl = partial.indexOf("\n")) >= 0) {
      String line = partial.substring(0, nl);
      partial.delete(0, nl + 1);
      if (!line.isBlank()) {
        lines.add(line);
        parse(line);
      }
    }
    return lines;
  }

  private void parse(String line) {
    try {
      JsonNode e = JSON.readTree(line);
      if (!"ResponseComplete".equals(e.path("stage").asText())) {
        return;
      }
      JsonNode ref = e.path("objectRef");
      events.add(new Event(e.path("user").path("username").asText(), e.path("verb").asText(), ref.path("apiGroup").asText(),
          ref.path("resource").asText(), ref.path("subresource").asText(), ref.path("namespace").asText(), ref.path("name").asText(),
          e.path("responseStatus").path("code").asInt(), e.path("requestURI").asText(),
          e.has("requestObject") ? e.get("requestObject") : null));
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable audit line: " + line, e);
    }
  }
}
